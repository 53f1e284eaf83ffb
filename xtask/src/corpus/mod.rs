//! `cargo xtask corpus`: real vendor APIs (`tests/corpus/`), each operation republished as a
//! Zaia fragment (`republish`), dropped beside Zaia's own fragments in a scratch copy of the
//! workspace (`target/corpus/<api>/`), generated, and compiled.
//!
//! It answers "would the generator take this vendor's next resource written like that?" for
//! APIs the fixtures were not written for. Per API it prints the operations, how many generated,
//! whether the workspace compiled, and every `note:` of the run.
//!
//! When the whole API does not generate, each resource is tried alone (with Zaia's own
//! fragments), so the report says which resources stop and on what. A panic inside the
//! libraries is caught here, for the report only: the pipeline itself must never panic.

pub mod republish;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::config::Config;
use crate::pipeline;
use crate::stages::load;

/// Where the corpus lives, relative to the workspace root.
pub const CORPUS_DIR: &str = "tests/corpus";

/// One API of the corpus: a folder of `tests/corpus` and the file in it to republish.
#[derive(Debug, Clone)]
pub struct Api {
    pub name: String,
    pub spec: PathBuf,
}

/// The newest spec of every API folder (files sort by date).
pub fn apis(root: &Path) -> Vec<Api> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(root.join(CORPUS_DIR)) else { return out };
    let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for dir in dirs {
        if let Some(spec) = json_files(&dir).pop() {
            out.push(Api { name: dir.file_name().unwrap().to_string_lossy().into_owned(), spec });
        }
    }
    out
}

/// Each corpus API's notes report (`tests/corpus/<api>/NOTES.md`), from a run of the pipeline
/// on Zaia's fragments and the API's republished ones: `generate` writes them and `check` keeps
/// them current, so a change to the generator that degrades a real API shows in review.
pub fn reports(root: &Path) -> Result<Vec<pipeline::Output>, String> {
    let mut out = Vec::new();
    for api in apis(root) {
        let (fragments, _) = fragments_of(root, &api)?;
        let run = pipeline::run_fragments(&fragments, &Config::zaia()).map_err(|e| format!("corpus {}: {e}", api.name))?;
        let path = Path::new(CORPUS_DIR).join(&api.name).join("NOTES.md");
        out.push(pipeline::Output { path, contents: pipeline::notes_report(&run.notes, &format!("openapi + {CORPUS_DIR}/{}", api.name)) });
    }
    Ok(out)
}

/// Zaia's fragments and the API's, republished; the republished ones also as written.
fn fragments_of(root: &Path, api: &Api) -> Result<(Vec<load::Fragment>, Vec<republish::Fragment>), String> {
    let text = std::fs::read_to_string(&api.spec).map_err(|e| format!("{}: {e}", api.spec.display()))?;
    let spec: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", api.spec.display()))?;
    let republished = republish::republish(&spec);
    let mut all = load::load_dir(root, Config::zaia().openapi_dir).map_err(|e| e.to_string())?;
    for f in &republished {
        let name = format!("openapi/{}/{}", f.resource, f.file);
        let text = serde_json::to_string_pretty(&f.doc).expect("JSON");
        all.push(load::parse_fragment(&name, &text).map_err(|e| e.to_string())?);
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((all, republished))
}

/// The `*.json` files of a folder, sorted (an API's specs sort by date).
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// What one API did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub operations: usize,
    pub generated: usize,
    pub compiled: Option<bool>,
    /// The mock's contract test (every operation served and validated).
    pub served: Option<bool>,
    /// The round-trip test (every synthesised answer decodes in the SDK).
    pub round_tripped: Option<bool>,
    pub notes: Vec<String>,
    /// `resource: why` for what did not generate.
    pub failures: Vec<String>,
}

pub struct Options {
    pub api: Option<String>,
    pub compile: Compile,
    /// Also judge each API's release history (its dated specs, in order) with
    /// `compat::semver::history`.
    pub history: bool,
}

/// How the scratch workspace is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compile {
    /// Generate only.
    None,
    /// `cargo check` of the SDK's crates: what CI runs.
    Check,
    /// `cargo clippy --workspace --all-targets -D warnings`: the whole scratch workspace, tests
    /// included, as CI checks the real one.
    Clippy,
    /// `Check`, then the mock's contract test on the scratch spec (every operation served,
    /// every request and answer validated against the spec) and the round trip (every
    /// answer the mock makes decodes as the SDK's type).
    Serve,
    /// `Clippy`, then the contract and round-trip tests.
    All,
}

pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    let apis: Vec<Api> = apis(root).into_iter().filter(|a| options.api.as_ref().is_none_or(|n| *n == a.name)).collect();
    if apis.is_empty() {
        return Err(format!("no API in {CORPUS_DIR}{}", options.api.as_ref().map(|a| format!(" named {a}")).unwrap_or_default()));
    }
    let mut rows = Vec::new();
    let mut ok = true;
    for api in &apis {
        let outcome = run_api(root, api, options.compile)?;
        for note in &outcome.notes {
            println!("{}: note: {note}", api.name);
        }
        for failure in &outcome.failures {
            println!("{}: FAILED: {failure}", api.name);
        }
        ok &= outcome.generated == outcome.operations && ![outcome.compiled, outcome.served, outcome.round_tripped].contains(&Some(false));
        rows.push((api.name.clone(), outcome));
    }
    println!("\n| API | operations | generated | compiled | served | round-tripped | notes |\n|---|---|---|---|---|---|---|");
    let said = |step: Option<bool>, of: usize| match step {
        Some(true) => format!("{of}"),
        Some(false) => "failed".to_string(),
        None => "not run".to_string(),
    };
    for (name, o) in &rows {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            o.operations,
            o.generated,
            said(o.compiled, o.generated),
            said(o.served, o.generated),
            said(o.round_tripped, o.generated),
            o.notes.len()
        );
    }
    if !ok {
        return Err("corpus: not every operation generated and compiled".into());
    }
    if options.history {
        for api in &apis {
            let versions = versions(root, api)?;
            if versions.len() > 1 {
                crate::compat::semver::history(root, &api.name, &versions)?;
            }
        }
    }
    Ok(())
}

/// Every dated spec of an API (its folder's `*.json`, sorted), as the merged spec of Zaia's
/// fragments and the API's republished ones: `(file stem, spec)`.
fn versions(root: &Path, api: &Api) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    for file in json_files(api.spec.parent().expect("a file in a folder")) {
        let version = Api { name: api.name.clone(), spec: file.clone() };
        let (fragments, _) = fragments_of(root, &version)?;
        let spec = pipeline::spec_from_fragments(&fragments, &Config::zaia()).map_err(|e| e.to_string())?;
        out.push((file.file_stem().unwrap_or_default().to_string_lossy().into_owned(), spec));
    }
    Ok(out)
}

fn run_api(root: &Path, api: &Api, compile: Compile) -> Result<Outcome, String> {
    let (all, republished) = fragments_of(root, api)?;
    let config = Config::zaia();
    let mut outcome = Outcome { operations: republished.len(), ..Outcome::default() };
    match generate(&all, &config) {
        Ok(run) => {
            outcome.generated = republished.len();
            outcome.notes = run.notes.clone();
            if compile != Compile::None {
                let steps = compile_scratch(root, api, &republished, &run, compile)?;
                // the last verdict of a step (the features' check comes after the crates')
                let step = |name: &str| steps.iter().rev().find(|(n, _)| n == name).map(|(_, ok)| *ok);
                outcome.compiled = step("check").or(step("clippy"));
                outcome.served = step("contract");
                outcome.round_tripped = step("roundtrip");
            }
        }
        Err(why) => {
            // which resources stop, and on what: each alone beside Zaia's fragments
            outcome.failures.push(format!("whole API: {why}"));
            let own = load::load_dir(root, config.openapi_dir).map_err(|e| e.to_string())?;
            let mut resources: Vec<&str> = republished.iter().map(|f| f.resource.as_str()).collect();
            resources.sort();
            resources.dedup();
            for resource in resources {
                let prefix = format!("openapi/{resource}/");
                let mine: Vec<load::Fragment> =
                    own.iter().cloned().chain(all.iter().filter(|f| f.name.starts_with(&prefix)).cloned()).collect();
                let count = republished.iter().filter(|f| f.resource == resource).count();
                match generate(&mine, &config) {
                    Ok(_) => outcome.generated += count,
                    Err(why) => outcome.failures.push(format!("{resource} ({count} operations): {why}")),
                }
            }
        }
    }
    Ok(outcome)
}

/// The pipeline on `fragments`; a library panic becomes the error, for the report.
fn generate(fragments: &[load::Fragment], config: &Config) -> Result<pipeline::Run, String> {
    static WHERE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file().rsplit("/src/").next().unwrap_or(""), l.line())).unwrap_or_default();
        *WHERE.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pipeline::run_fragments(fragments, config)));
    std::panic::set_hook(previous);
    let at = std::mem::take(&mut *WHERE.lock().unwrap_or_else(|e| e.into_inner()));
    match result {
        Ok(Ok(run)) => Ok(run),
        Ok(Err(e)) if at.is_empty() => Err(first_line(&e.to_string())),
        Ok(Err(e)) => Err(format!("{} (at {at})", first_line(&e.to_string()))),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            Err(format!("PANIC at {at}: {}", first_line(&message)))
        }
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// Copies the workspace to `target/corpus/<api>`, adds the fragments and the run's outputs,
/// and runs the steps `compile` asks for in it: `(step, passed)` for each step run, in order
/// (the first failure ends the run).
fn compile_scratch(
    root: &Path,
    api: &Api,
    fragments: &[republish::Fragment],
    run: &pipeline::Run,
    compile: Compile,
) -> Result<Vec<(String, bool)>, String> {
    let scratch = root.join("target/corpus").join(&api.name);
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    crate::workspace::copy_workspace(root, &scratch)?;
    for f in fragments {
        let path = scratch.join("openapi").join(&f.resource).join(&f.file);
        std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&path, serde_json::to_string_pretty(&f.doc).expect("JSON") + "\n").map_err(|e| e.to_string())?;
    }
    crate::output::write_all(&scratch, &run.outputs).map_err(|e| e.to_string())?;
    let tag: String = api.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    crate::workspace::mark_versions(&scratch, &format!("corpus.{tag}"))?;
    let check: &[&str] = &["check", "--quiet", "-p", "zaia-models", "-p", "zaia-client", "-p", "zaia-ext", "-p", "zaia-mock"];
    let clippy: &[&str] = &["clippy", "--quiet", "--workspace", "--all-targets", "--", "-D", "warnings"];
    let contract: &[&str] = &["test", "--quiet", "-p", "zaia-mock", "--test", "contract"];
    let roundtrip: &[&str] = &["test", "--quiet", "-p", "zaia-tests", "--test", "roundtrip"];
    let steps: Vec<(&str, &[&str])> = match compile {
        Compile::None => vec![],
        Compile::Check => vec![("check", check)],
        Compile::Clippy => vec![("clippy", clippy)],
        Compile::Serve => vec![("check", check), ("contract", contract), ("roundtrip", roundtrip)],
        Compile::All => vec![("clippy", clippy), ("contract", contract), ("roundtrip", roundtrip)],
    };
    let mut done = Vec::new();
    for (name, args) in steps {
        // the workspace's own target directory, so every dependency built there is reused: the
        // scratch crates are told apart from the real ones (and each API's from the others')
        // by their versions' build metadata (`workspace::mark_versions`)
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .args(args)
            .status()
            .map_err(|e| format!("cargo: {e}"))?;
        println!("{}: {name}: {}", api.name, if status.success() { "ok" } else { "FAILED" });
        done.push((name.to_string(), status.success()));
        if !status.success() {
            break;
        }
    }
    // a consumer's features, once the whole SDK compiles: no resource, and each alone (what
    // `cargo xtask features` checks of Zaia's own; here that it compiles, not clippy's lints).
    // zaia-client is where a real API's types meet: its builders, the types progenitor made in
    // it, and the models they reach; zaia-ext gates by operation alone, as Zaia's own check covers
    if compile == Compile::Check && done.iter().all(|(_, ok)| *ok) {
        let target = root.join("target");
        let checks = crate::features_check::Checks { with_all: false, no_warnings: false };
        let features = crate::features_check::check(&scratch, Some(&target), &["zaia-client"], checks, &Config::zaia());
        if let Err(why) = features {
            println!("{}: features: {why}", api.name);
            done.push(("check".into(), false));
        }
    }
    Ok(done)
}
