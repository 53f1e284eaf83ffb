//! `cargo xtask bench`: wall time of the generator and the Rust it writes, on the real fragments
//! and on synthetic specs of 130 and 360 operations made from renamed copies of them (the vendor
//! grown tenfold, and to the size of the real chat platforms).
//!
//! Each figure is the median of `iterations` runs, next to a baseline measured in the same run:
//! loading (reading and parsing) the same fragments, the floor any generator pays.

pub mod builds;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::config::Config;
use crate::error::Result;
use crate::pipeline;
use crate::stages::load::{self, Fragment};

/// Fragments for `operations` operations: the originals, then copies in which every resource is
/// renamed (`chats` → `k2-chats`, `agents` → `k2-agents`), so every copy is a new resource with
/// new operation ids and schema names. The config's name overrides are carried over to each copy.
pub fn synthetic(originals: &[Fragment], operations: usize, config: &Config) -> (Vec<Fragment>, Config) {
    let mut fragments = Vec::new();
    let mut overrides: Vec<(&'static str, &'static str)> = config.name_overrides.to_vec();
    let mut guessed: Vec<(&'static str, &'static str)> = config.guessed_fields.to_vec();
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut copy = 1;
    while fragments.len() < operations {
        let before = fragments.len();
        for fragment in originals {
            if fragments.len() == operations {
                break;
            }
            if copy == 1 {
                fragments.push(fragment.clone());
                continue;
            }
            let prefix = format!("\"{}", config.path_prefix);
            let text = fragment.doc.to_string().replace(&prefix, &format!("{prefix}k{copy}-"));
            let doc: Value = serde_json::from_str(&text).expect("still JSON");
            // `openapi/chats/get-list.json` → `openapi/k2-chats/get-list.json`: a resource of its own
            let dir = format!("{}/", config.openapi_dir);
            let name = match fragment.name.strip_prefix(&dir) {
                Some(rest) => format!("{dir}k{copy}-{rest}"),
                None => format!("k{copy}-{}", fragment.name),
            };
            fragments.push(Fragment { name, doc });
        }
        if copy > 1 {
            for (location, name) in config.name_overrides {
                overrides.push((leak(copied_location(location, copy)), leak(format!("K{copy}{name}"))));
            }
            // a copy cut short may lack the guessed fields' schemas
            if fragments.len() - before == originals.len() {
                for (schema, property) in config.guessed_fields {
                    guessed.push((leak(format!("K{copy}{schema}")), property));
                }
            }
        }
        copy += 1;
    }
    let config = Config {
        name_overrides: Box::leak(overrides.into_boxed_slice()),
        strict_overrides: false,
        guessed_fields: Box::leak(guessed.into_boxed_slice()),
        ..config.clone()
    };
    (fragments, config)
}

/// A hoisting location (`kind:operation…` or `property:Schema.p`) as it reads in copy `copy`:
/// operation ids gain `k{copy}_` after their verb, schema names a `K{copy}` prefix.
fn copied_location(location: &str, copy: usize) -> String {
    let (kind, rest) = location.split_once(':').unwrap_or(("", location));
    let rest = if kind == "property" {
        format!("K{copy}{rest}")
    } else {
        match rest.split_once('_') {
            Some((verb, tail)) => format!("{verb}_k{copy}_{tail}"),
            None => rest.to_string(),
        }
    };
    format!("{kind}:{rest}")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub(crate) fn time<T>(iterations: usize, f: impl FnMut() -> T) -> Duration {
    median(samples(iterations, f).into_iter().map(|s| s.wall).collect())
}

/// One timed run: its wall time, and the CPU time the process spent in it (all threads), which
/// varies less from run to run on a shared machine and says what the threads cost together.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Option<Duration>,
}

fn samples<T>(iterations: usize, mut f: impl FnMut() -> T) -> Vec<Sample> {
    (0..iterations)
        .map(|_| {
            // (the CPU reading outside the wall time)
            let cpu_start = process_cpu();
            let start = Instant::now();
            std::hint::black_box(f());
            let wall = start.elapsed();
            let cpu = cpu_start.zip(process_cpu()).map(|(a, b)| b.saturating_sub(a));
            Sample { wall, cpu }
        })
        .collect()
}

/// The process's user and system CPU time so far (Linux: `/proc/self/stat`, in clock ticks of
/// 1/100 s); `None` elsewhere.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses and may hold spaces
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// `median (min …, CPU …)` of some samples.
fn summary(samples: &[Sample]) -> (Duration, String) {
    let wall = median(samples.iter().map(|s| s.wall).collect());
    let min = samples.iter().map(|s| s.wall).min().unwrap_or_default();
    let cpu = samples.iter().map(|s| s.cpu).collect::<Option<Vec<_>>>().map(median);
    let cpu = cpu.map(|c| format!(", CPU {c:.2?}")).unwrap_or_default();
    (wall, format!("{wall:>9.2?}  (min {min:.2?}{cpu})"))
}

/// Lines of the generated Rust a run writes (every `.rs` output).
fn rust_lines(run: &pipeline::Run) -> usize {
    run.outputs.iter().filter(|o| o.path.extension().is_some_and(|e| e == "rs")).map(|o| o.contents.lines().count()).sum()
}

/// Times the generator on the real fragments and on the vendor grown to each of `sizes`.
pub fn run(root: &Path, config: &Config, iterations: usize, sizes: &[usize], stages: bool) -> Result<()> {
    let originals = load::load_dir(root, config.openapi_dir)?;
    let load_only = time(iterations, || load::load_dir(root, config.openapi_dir));
    let (real, real_summary) = summary(&samples(iterations, || pipeline::run(root, config)));
    let real_lines = rust_lines(&pipeline::run(root, config)?);
    let profile = if cfg!(debug_assertions) {
        "the xtask profile: the generator at opt-level 1, the crates it uses at 2"
    } else {
        "the release profile"
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("generator wall time, median of {iterations} runs ({profile}; {cores} cores), and the Rust it writes");
    let n = originals.len();
    println!("  baseline: load the {n} fragments           {:>9.2?}", load_only);
    println!(
        "  {n} operations, load → write-ready outputs  {real_summary}  {:.1}× baseline; {real_lines} lines of Rust",
        ratio(real, load_only)
    );
    for &operations in sizes {
        let (synthetic, synthetic_config) = synthetic(&originals, operations, config);
        let outputs = pipeline::run_fragments(&synthetic, &synthetic_config)?;
        let lines = rust_lines(&outputs);
        let (big, big_summary) = summary(&samples(iterations, || pipeline::run_fragments(&synthetic, &synthetic_config)));
        println!(
            "  {operations} operations (synthetic, in memory)  {big_summary}  {:.1}× baseline, {:.1}× the {n}-operation run; {lines} lines of Rust, {} per operation",
            ratio(big, load_only),
            ratio(big, real),
            lines / operations
        );
    }
    if let Some(&largest) = sizes.iter().max().filter(|_| stages) {
        let (synthetic, synthetic_config) = synthetic(&originals, largest, config);
        let start = Instant::now();
        let (run, spans) = crate::profile::recorded(|| pipeline::run_fragments(&synthetic, &synthetic_config));
        let whole = start.elapsed();
        run?;
        println!("\none run of {largest} operations, {whole:.2?}: each stage's start and wall time, by thread");
        for span in spans {
            let at = span.start.saturating_duration_since(start);
            println!("  {:<10} {:<16} at {:>7.1} ms  took {:>7.1} ms", span.thread, span.stage, ms(at), ms(span.took));
        }
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A copy of the workspace at `target/bench/zaia-<operations>` whose vendor has grown to
/// `operations` operations: the synthetic fragments under `openapi/` and everything generated
/// from them, versions marked apart from the real crates' (`workspace::mark_versions`).
pub fn write_workspace(root: &Path, config: &Config, operations: usize) -> Result<PathBuf, String> {
    let originals = load::load_dir(root, config.openapi_dir).map_err(|e| e.to_string())?;
    let (fragments, synthetic_config) = synthetic(&originals, operations, config);
    let run = pipeline::run_fragments(&fragments, &synthetic_config).map_err(|e| e.to_string())?;
    let scratch = root.join("target/bench").join(format!("zaia-{operations}"));
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    crate::workspace::copy_workspace(root, &scratch)?;
    for (index, fragment) in fragments.iter().enumerate().skip(originals.len()) {
        let path = scratch.join(&fragment.name);
        std::fs::create_dir_all(path.parent().expect("a file in a folder")).map_err(|e| e.to_string())?;
        let text = serde_json::to_string_pretty(&fragment.doc).expect("JSON") + "\n";
        std::fs::write(&path, text).map_err(|e| format!("{} (fragment {index}): {e}", path.display()))?;
    }
    crate::output::write_all(&scratch, &run.outputs).map_err(|e| e.to_string())?;
    crate::workspace::mark_versions(&scratch, &format!("bench{operations}"))?;
    println!("{}", scratch.display());
    Ok(scratch)
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
        let originals = load::load_dir(&crate::workspace::root(), config.openapi_dir).unwrap();
        // three whole copies, however many fragments there are
        let (fragments, config) = synthetic(&originals, 3 * originals.len(), &config);
        assert_eq!(fragments.len(), 3 * originals.len());
        let spec = pipeline::spec_from_fragments(&fragments, &config).unwrap();
        let per_copy: usize = originals.iter().map(|f| crate::document::operations(&f.doc).len()).sum();
        assert_eq!(crate::document::operations(&spec).len(), 3 * per_copy);
        assert!(spec["components"]["schemas"].get("K3ChatMessageWithJoins").is_some());
        // every resource was copied, not only one
        let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
        for resource in ["chats", "chat-messages", "chat-message-follow-ups"] {
            for copy in 2..=3 {
                assert!(paths.iter().any(|p| p.starts_with(&format!("/api/v1/k{copy}-{resource}"))), "k{copy}-{resource}");
            }
        }
    }

    #[test]
    fn locations_are_renamed_like_the_copies() {
        assert_eq!(copied_location("response:list_chat_messages", 2), "response:list_k2_chat_messages");
        assert_eq!(copied_location("parameter:list_chats.channelTypes", 3), "parameter:list_k3_chats.channelTypes");
        assert_eq!(copied_location("property:ChatDetails.channelType", 2), "property:K2ChatDetails.channelType");
    }
}
