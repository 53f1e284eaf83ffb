//! `cargo xtask`: the workspace's code generation.
//!
//! - `cargo xtask generate`: fragments in `openapi/` → merged spec + generated crates.
//! - `cargo xtask check`: regenerate in memory; fail with a diff if anything checked in is stale.
//!
//! The pipeline is `stages/` (spec → spec) then `codegen/` (spec → Rust); see `pipeline.rs`.
//!
//! Layers, bottom up (docs/STYLE.md, "Layers"; `layers.rs` fails a test on a cycle): the leaves
//! `document`, `baseline`, `workspace`, `config`, `error`, `output` → `stages` → `codegen` →
//! `pipeline` → `diff` → `release` → the commands here, `compat`, `bench`, `corpus`, `newest`,
//! `features_check`,
//! and the scratch-workspace proofs `new_resource` and `install_check`.

mod baseline;
mod bench;
mod codegen;
mod compat;
mod config;
mod corpus;
mod diff;
mod document;
mod error;
mod features_check;
#[cfg(test)]
mod layers;
mod output;
mod pipeline;
mod profile;
mod release;
mod stages;
mod workspace;

#[cfg(test)]
mod install_check;
#[cfg(test)]
mod new_resource;
mod newest;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::process::ExitCode;

use config::Config;

/// The workspace's code generation and checks (see `xtask/src/pipeline.rs`).
#[derive(clap::Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", about, disable_version_flag = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Regenerate the merged specs and the generated code from the fragments in openapi/.
    Generate,
    /// Fail if anything generated is stale, or the crate versions and CHANGELOG do not match
    /// the changes since the last release.
    Check,
    /// What the fragments change for clients, against the merged spec at a git revision or in a
    /// file, and the version bumps it needs.
    Diff {
        /// A git revision (its openapi/zaia.json) or a file. By default the last release, the
        /// baseline `cargo xtask check` judges versions against, so both give the same advice.
        #[arg(default_value = baseline::RELEASED)]
        against: String,
    },
    /// Record the merged spec and the crate versions as the last release (openapi/released.json),
    /// after `newest` passes.
    Release {
        /// Record without building against the newest compatible dependencies (no network).
        #[arg(long)]
        skip_newest: bool,
    },
    /// Build and test the published crates against the newest versions their manifests allow
    /// (`cargo update` in a scratch copy), failing on any warning in our crates. Needs the network.
    Newest,
    /// Check the diff's verdict on every compat fixture (xtask/tests/fixtures/compat) against
    /// cargo-semver-checks and a consumer of the old generated crates compiled against the new.
    Semver {
        /// Only this fixture (its file name without `.json`).
        #[arg(long)]
        fixture: Option<String>,
    },
    /// Republish each real vendor API in tests/corpus as Zaia fragments, generate it beside
    /// Zaia's own in a scratch workspace (target/corpus/<api>), and compile it.
    Corpus {
        /// Only this API (its folder under tests/corpus).
        #[arg(long)]
        api: Option<String>,
        /// How to compile each scratch workspace.
        #[arg(long, value_enum, default_value = "clippy")]
        compile: corpus::Compile,
        /// Then, for an API with several dated specs, check the diff's verdict on each version
        /// after the one before against cargo-semver-checks (slow: builds every version).
        #[arg(long)]
        history: bool,
    },
    /// Check that every resource feature combination CI promises (none, each alone, all)
    /// compiles without a warning, for each crate with resource features.
    Features,
    /// Time the generator on the fragments and on synthetic specs of 130 and 360 operations, and
    /// count the Rust it writes.
    Bench {
        /// Runs per figure (the median is reported).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
        iterations: u32,
        /// Instead of timing: write a copy of the workspace grown to this many operations to
        /// `target/bench/zaia-<operations>` (fragments and generated crates), to build and measure.
        #[arg(long)]
        write: Option<usize>,
        /// Instead of timing the generator: clean builds of programs on the SDK and on
        /// openapi-generator's client of the same operations, at 13 and 130 operations
        /// (minutes; needs `openapi-generator-cli` and the registry).
        #[arg(long)]
        builds: bool,
        /// Rounds of `--builds` (the best is reported).
        #[arg(long, default_value_t = 2)]
        rounds: usize,
        /// Also: where the time of one run at the largest size goes, stage by stage and thread
        /// by thread.
        #[arg(long)]
        stages: bool,
        /// The grown sizes measured, in operations (default: 130 and 360 for the generator,
        /// 13 and 130 for `--builds`).
        #[arg(long, value_delimiter = ',')]
        operations: Vec<usize>,
    },
}

// generation allocates and frees millions of small syntax-tree nodes: mimalloc does that ~10%
// faster than glibc's allocator (`cargo xtask bench`, BENCHMARKS.md §1)
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = <Cli as clap::Parser>::parse();
    let root = workspace::root();
    let configs = Config::all();
    let result = match cli.command {
        Command::Generate => generate_all(&root, &configs),
        Command::Check => check_all(&root, &configs),
        Command::Diff { against } => spec_diff(&root, &against),
        Command::Release { skip_newest } => (if skip_newest { Ok(()) } else { newest::run(&root) }).and_then(|()| record_release(&root)),
        Command::Newest => newest::run(&root),
        Command::Features => features_check::run(&root, &Config::zaia()),
        Command::Semver { fixture } => compat::semver::run(&root, fixture.as_deref()),
        Command::Corpus { api, compile, history } => corpus::run(&root, &corpus::Options { api, compile, history }),
        Command::Bench { builds: true, rounds, operations, .. } => {
            let operations = if operations.is_empty() { vec![13, 130] } else { operations };
            bench::builds::run_builds(&root, &Config::zaia(), &operations, rounds, "chats")
        }
        Command::Bench { write: Some(operations), .. } => bench::write_workspace(&root, &Config::zaia(), operations).map(|_| ()),
        Command::Bench { iterations, operations, stages, .. } => {
            let operations = if operations.is_empty() { vec![130, 360] } else { operations };
            bench::run(&root, &Config::zaia(), iterations as usize, &operations, stages).map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Every output of every API, computed before anything is written, and the notes of the run.
fn outputs(root: &Path, configs: &[Config]) -> Result<(Vec<pipeline::Output>, Vec<String>), String> {
    let (mut all, mut notes) = (Vec::new(), Vec::new());
    for config in configs {
        let run = pipeline::run(root, config).map_err(|e| e.to_string())?;
        all.extend(run.outputs);
        notes.extend(run.notes);
    }
    // the real vendor APIs' notes: a change that degrades one shows in review
    if configs.iter().any(|c| c.openapi_dir == Config::zaia().openapi_dir) {
        all.extend(corpus::reports(root)?);
    }
    Ok((all, notes))
}

fn generate_all(root: &Path, configs: &[Config]) -> Result<(), String> {
    let (outputs, notes) = outputs(root, configs)?;
    for note in &notes {
        eprintln!("note: {note}");
    }
    let written = output::write_all(root, &outputs).map_err(|e| e.to_string())?;
    if written.is_empty() {
        eprintln!("generate: {} files up to date", outputs.len());
    } else {
        eprintln!("generate: wrote {}", written.join(", "));
    }
    Ok(())
}

fn check_all(root: &Path, configs: &[Config]) -> Result<(), String> {
    let (outputs, _) = outputs(root, configs)?;
    let stale = output::stale(root, &outputs);
    if !stale.is_empty() {
        for (_, diff) in &stale {
            eprintln!("{diff}");
        }
        let names: Vec<_> = stale.iter().map(|(n, _)| n.as_str()).collect();
        return Err(format!("stale generated files: {}; run `cargo xtask generate`", names.join(", ")));
    }
    if let Some(spec) = outputs.iter().find(|o| o.path == Path::new(Config::zaia().merged_spec)) {
        let spec: serde_json::Value = serde_json::from_str(&spec.contents).map_err(|e| e.to_string())?;
        let versions = workspace::crate_versions(root);
        workspace::check_versions(&versions, spec["info"]["version"].as_str().unwrap_or(""))?;
        let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap_or_default();
        release::check(&baseline::read(root)?, &spec, &versions, &changelog)?;
    }
    eprintln!("check: {} generated files up to date; versions in step with the last release", outputs.len());
    Ok(())
}

/// `cargo xtask release`: records the merged spec and the crate versions as the last release
/// (after `check` passed, so versions and CHANGELOG are in order).
fn record_release(root: &Path) -> Result<(), String> {
    check_all(root, &Config::all())?;
    let config = Config::zaia();
    let text = std::fs::read_to_string(root.join(config.merged_spec)).map_err(|e| e.to_string())?;
    let spec: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let versions: Vec<(String, String)> = workspace::crate_versions(root).into_iter().filter(|(n, _)| n != "zaia-bench").collect();
    let commit = release_commit(root)?;
    let output = pipeline::Output { path: baseline::RELEASED.into(), contents: release::baseline(&spec, &versions, Some(&commit)) };
    output::write_all(root, &[output]).map_err(|e| e.to_string())?;
    eprintln!(
        "release: {} records spec {} as released with {}",
        baseline::RELEASED,
        spec["info"]["version"],
        versions.iter().map(|(n, v)| format!("{n} {v}")).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

/// The commit the crates are released from: `HEAD`, with nothing uncommitted (the baseline
/// file itself aside), so that the commit is what was published.
fn release_commit(root: &Path) -> Result<String, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = std::process::Command::new("git").current_dir(root).args(args).output().map_err(|e| format!("git: {e}"))?;
        if !out.status.success() {
            return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let dirty: Vec<String> =
        git(&["status", "--porcelain"])?.lines().filter(|l| !l.ends_with(baseline::RELEASED)).map(String::from).collect();
    if !dirty.is_empty() {
        return Err(format!(
            "release: commit first, the release records the commit it is made from; uncommitted:\n  {}",
            dirty.join("\n  ")
        ));
    }
    git(&["rev-parse", "HEAD"])
}

/// `cargo xtask diff`: the merged spec from today's fragments against an older one.
fn spec_diff(root: &Path, against: &str) -> Result<(), String> {
    print!("{}", diff_report(root, against)?);
    Ok(())
}

/// What `cargo xtask diff` prints.
fn diff_report(root: &Path, against: &str) -> Result<String, String> {
    let config = Config::zaia();
    // a file (as given, or relative to the workspace) wins over a git revision of that name
    let file = [Path::new(against).to_path_buf(), root.join(against)].into_iter().find(|p| p.is_file());
    let old_text = if let Some(path) = file {
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?
    } else {
        let out = std::process::Command::new("git")
            .current_dir(root)
            .args(["show", &format!("{against}:{}", config.merged_spec)])
            .output()
            .map_err(|e| format!("git: {e}"))?;
        if !out.status.success() {
            return Err(format!("git show {against}:{}: {}", config.merged_spec, String::from_utf8_lossy(&out.stderr).trim()));
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let old: serde_json::Value = serde_json::from_str(&old_text).map_err(|e| format!("{against}: not JSON: {e}"))?;
    let fragments = stages::load::load_dir(root, config.openapi_dir).map_err(|e| e.to_string())?;
    let new = pipeline::spec_from_fragments(&fragments, &config).map_err(|e| e.to_string())?;
    // bumps start from the versions the baseline was released with, when it records them
    // (as `cargo xtask check` does), else from today's
    let released = baseline::released_versions(&old);
    let versions = if released.is_empty() { workspace::crate_versions(root) } else { released };
    Ok(format!("spec changes: {against} → fragments in {}\n{}", config.openapi_dir, diff::report(&old, &new, &versions)))
}

/// `generate` for one API (the tests run it in a scratch copy).
#[cfg(test)]
fn generate(root: &Path, config: &Config) -> Result<(), String> {
    generate_all(root, std::slice::from_ref(config))
}

/// `check` for one API.
#[cfg(test)]
fn check(root: &Path, config: &Config) -> Result<(), String> {
    check_all(root, std::slice::from_ref(config))
}
