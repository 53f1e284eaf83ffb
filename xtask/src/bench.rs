//! `cargo xtask bench`: wall time of the generator, on the real fragments and on a synthetic
//! 120-operation spec made from renamed copies of them.
//!
//! Each figure is the median of `iterations` runs, next to a baseline measured in the same run:
//! loading (reading and parsing) the same fragments, the floor any generator pays.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::config::Config;
use crate::error::Result;
use crate::pipeline;
use crate::stages::load::{self, Fragment};

/// Fragments for `operations` operations: the originals, then copies whose resources are
/// renamed (`chats` → `k2-chats`), so every copy is a new resource with new schema names.
pub fn synthetic(originals: &[Fragment], operations: usize, config: &Config) -> (Vec<Fragment>, Config) {
    let mut fragments = Vec::new();
    let mut overrides: Vec<(&'static str, &'static str)> = config.name_overrides.to_vec();
    let mut copy = 1;
    while fragments.len() < operations {
        for fragment in originals {
            if fragments.len() == operations {
                break;
            }
            if copy == 1 {
                fragments.push(fragment.clone());
                continue;
            }
            let text = fragment.doc.to_string().replace("\"/api/v1/chat", &format!("\"/api/v1/k{copy}-chat"));
            let doc: Value = serde_json::from_str(&text).expect("still JSON");
            fragments.push(Fragment { name: format!("{} (copy {copy})", fragment.name), doc });
        }
        if copy > 1 {
            // the one override the rules need per copy: the joined message list keeps its own name
            let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
            overrides.push((leak(format!("response:list_k{copy}_chat_messages")), leak(format!("K{copy}ChatMessageWithJoins"))));
            overrides.push((
                leak(format!("property:K{copy}ChatMessageWithJoins.chatMessageFollowUps")),
                leak(format!("K{copy}ChatMessageFollowUp")),
            ));
        }
        copy += 1;
    }
    let config = Config { name_overrides: Box::leak(overrides.into_boxed_slice()), ..config.clone() };
    (fragments, config)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(iterations: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..iterations)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

pub fn run(root: &Path, config: &Config, iterations: usize) -> Result<()> {
    let originals = load::load_dir(root, config.openapi_dir)?;
    let load_only = time(iterations, || load::load_dir(root, config.openapi_dir));
    let real = time(iterations, || pipeline::run(root, config));
    let (synthetic, synthetic_config) = synthetic(&originals, 120, config);
    let outputs = pipeline::run_fragments(&synthetic, &synthetic_config)?;
    let client_lines = outputs[2].contents.lines().count();
    let big = time(iterations, || pipeline::run_fragments(&synthetic, &synthetic_config));
    let profile = if cfg!(debug_assertions) { "xtask: dev with the generator crates optimised" } else { "release" };
    println!("generator wall time, median of {iterations} runs ({profile} profile)");
    println!("  baseline: load the 13 fragments           {:>9.2?}", load_only);
    println!("  13 operations, load → write-ready outputs  {:>9.2?}  ({:.1}× baseline)", real, ratio(real, load_only));
    println!(
        "  120 operations (synthetic, in memory)       {:>9.2?}  ({:.1}× baseline, {:.1}× the 13-operation run; client {client_lines} lines)",
        big,
        ratio(big, load_only),
        ratio(big, real)
    );
    Ok(())
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_spec_has_the_asked_operations_and_generates() {
        let config = Config::zaia();
        let originals = load::load_dir(&crate::workspace_root(), config.openapi_dir).unwrap();
        let (fragments, config) = synthetic(&originals, 40, &config);
        assert_eq!(fragments.len(), 40);
        let spec = pipeline::spec_from_fragments(&fragments, &config).unwrap();
        assert_eq!(crate::stages::operations(&spec).len(), 40);
        assert!(spec["components"]["schemas"].get("K3ChatMessageWithJoins").is_some());
    }
}
