//! `cargo xtask semver`: the diff's verdict on every compat fixture, checked against the Rust
//! API of the crates generated before and after.
//!
//! For each fixture, the models and client crates are generated from the old and the new spec
//! into two small workspaces under `target/semver/`. The Rust API breaks when
//! - cargo-semver-checks (the version in [`TOOL_VERSION`], installed into `target/tools` on
//!   first use) finds a major change in either crate, or
//! - a consumer of the old crates ([`super::consumer`]: every constructor, setter, field, variant,
//!   trait impl, client method and `send` result) does not compile against the new ones.
//!
//! Per crate, "the diff says breaking" must match "the Rust API breaks": the models crate
//! against the diff's schema changes, the client against its operation changes. A change the
//! diff calls breaking that no Rust item shows (a required parameter checked when the request
//! is sent, a tighter limit checked before sending) must say so in the fixture
//! (`semver_checks_blind`); a Rust break the diff does not call breaking always fails.
//! Sides whose generated code is the same but for comments are the same API, and are not built.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{Fixture, base_spec, consumer, load_fixtures};
use crate::codegen;
use crate::config::Config;
use crate::diff::{self, Scope, Severity};

/// The cargo-semver-checks release the verdicts are checked with.
pub const TOOL_VERSION: &str = "0.51.0";

/// Where the diff says a fixture breaks: schema changes (the models crate), operation changes
/// (the client), limits (zaia-ext's checks, which no Rust item shows).
#[derive(Debug, Clone, Copy)]
struct DiffBreaks {
    models: bool,
    client: bool,
    checks: bool,
}

impl DiffBreaks {
    /// Whether the diff says a break the Rust API does not show.
    fn unseen_by(self, rust: &RustVerdict) -> bool {
        (self.models && !rust.models_breaks) || (self.client && !rust.client_breaks) || self.checks
    }
}

/// What is wrong when the diff and the Rust API judge a fixture: a Rust break the diff does not
/// call breaking, always; a break only the diff sees, unless the fixture says why (`blind`); a
/// `blind` note on a fixture where nothing is unseen.
fn disagreements(said: DiffBreaks, rust: &RustVerdict, blind: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for (krate, said, found) in [("zaia-models", said.models, rust.models_breaks), ("zaia-client", said.client, rust.client_breaks)] {
        if found && !said {
            problems.push(format!("{krate}: the Rust API breaks, the diff does not say breaking"));
        }
        if said && !found && !blind {
            problems.push(format!("{krate}: the diff says breaking, the Rust API does not break (and the fixture says nothing of why)"));
        }
    }
    if said.checks && !blind {
        problems.push("the diff says a limit breaks; the fixture must say why no Rust item shows it".into());
    }
    if blind && !said.unseen_by(rust) {
        problems.push("the fixture says the Rust API cannot show the break, but it agrees with the diff: drop semver_checks_blind".into());
    }
    problems
}

/// The generated crates of one side.
#[derive(Clone, PartialEq, Eq)]
struct Side {
    models: String,
    client: String,
    /// The client crate's table of operations (`operations/generated.rs`).
    operations: String,
}

/// What the Rust API says of one fixture.
#[derive(Debug, Default)]
struct RustVerdict {
    models_breaks: bool,
    client_breaks: bool,
    evidence: Vec<String>,
}

pub fn run(root: &Path, only: Option<&str>) -> Result<(), String> {
    let tool = ensure_tool(root)?;
    let base = base_spec(root).map_err(|e| e.to_string())?;
    let fixtures = load_fixtures(root).map_err(|e| e.to_string())?;
    let fixtures: Vec<&Fixture> = fixtures.iter().filter(|f| only.is_none_or(|o| f.name == o)).collect();
    if fixtures.is_empty() {
        return Err(format!("no fixture named {only:?} in {}", super::FIXTURES));
    }
    let work = root.join("target/semver");
    // the sides of an earlier run go; their shared target dir stays, for the dependencies
    for entry in std::fs::read_dir(&work).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with("side-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let mut sides: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut failures = Vec::new();
    let started = std::time::Instant::now();
    // the consumer of the base must compile against the base, or it would see breaks anywhere
    let base_side = generate(&base)?;
    let base_dir = side_dir(root, &work, &mut sides, &base_side)?;
    let (m, c) = compile_consumer(&base_dir, &work.join("target"), &base_side)?;
    if !m.is_empty() || !c.is_empty() {
        return Err(format!("the consumer of the base does not compile against the base itself: {m:?} {c:?}"));
    }
    for fixture in fixtures {
        let (old_spec, new_spec) = fixture.pair(&base).map_err(|e| e.to_string())?;
        let changes = diff::diff(&old_spec, &new_spec);
        let reported: std::collections::BTreeSet<&str> = changes.iter().map(|c| c.rule).collect();
        let expected: std::collections::BTreeSet<&str> = fixture.expect.iter().map(String::as_str).collect();
        let breaks = |scope: Scope| changes.iter().any(|c| c.scope == scope && c.severity == Severity::Breaking);
        let said = DiffBreaks { models: breaks(Scope::Schemas), client: breaks(Scope::Operations), checks: breaks(Scope::Checks) };
        let (old, new) = (generate(&old_spec)?, generate(&new_spec)?);
        let changed = Changed { models: !same_api(&old.models, &new.models), client: !same_api(&old.client, &new.client) };
        let rust = if !changed.models && !changed.client {
            RustVerdict { evidence: vec!["same generated code but for comments".into()], ..Default::default() }
        } else {
            let old_dir = side_dir(root, &work, &mut sides, &old)?;
            let new_dir = side_dir(root, &work, &mut sides, &new)?;
            check_side_pair(&tool, &work, &old, changed, &old_dir, &new_dir, &fixture.name)?
        };
        let mut problems = Vec::new();
        if reported != expected {
            problems.push(format!("the diff reports {reported:?}, the fixture expects {expected:?}"));
        }
        problems.extend(disagreements(said, &rust, fixture.blind.is_some()));
        let blind_used = said.unseen_by(&rust);
        let verdict = diff::verdict(&old_spec, &new_spec, &changes).map_or("no change".to_string(), |v| v.to_string());
        let rust_line = match (rust.models_breaks, rust.client_breaks) {
            (false, false) => "no break".to_string(),
            (m, c) => format!(
                "breaks {}",
                [("zaia-models", m), ("zaia-client", c)].iter().filter(|x| x.1).map(|x| x.0).collect::<Vec<_>>().join(", ")
            ),
        };
        let status = if problems.is_empty() { "agree" } else { "DISAGREE" };
        println!("{status:<8} {:<44} diff: {verdict:<18} rust: {rust_line}", fixture.name);
        println!("           {}", fixture.change);
        for e in &rust.evidence {
            println!("           {e}");
        }
        if let (Some(why), true) = (&fixture.blind, blind_used) {
            println!("           not visible in Rust: {why}");
        }
        for p in &problems {
            println!("           {p}");
        }
        if !problems.is_empty() {
            failures.push(fixture.name.clone());
        }
    }
    println!("semver: {:.0?} ", started.elapsed());
    if !failures.is_empty() {
        return Err(format!("the diff and the Rust API disagree on: {}", failures.join(", ")));
    }
    if only.is_none() {
        against_release(root, &tool)?;
    }
    Ok(())
}

/// A vendor's real history (`cargo xtask corpus --history`): each version's merged spec after
/// the one before, the diff's per-crate verdict against the Rust API of the crates generated
/// from both, as for a fixture. A break of a limit only (which no Rust item shows) is printed,
/// not judged. `versions` are `(label, merged spec)` in release order.
pub fn history(root: &Path, api: &str, versions: &[(String, Value)]) -> Result<(), String> {
    let tool = ensure_tool(root)?;
    let work = root.join("target/semver-history");
    for entry in std::fs::read_dir(&work).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with("side-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let mut sides: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut failures = Vec::new();
    for pair in versions.windows(2) {
        let [(old_label, old_spec), (new_label, new_spec)] = pair else { continue };
        let name = format!("{api} {old_label} → {new_label}");
        let changes = diff::diff(old_spec, new_spec);
        let breaks = |scope: Scope| changes.iter().any(|c| c.scope == scope && c.severity == Severity::Breaking);
        let said = DiffBreaks { models: breaks(Scope::Schemas), client: breaks(Scope::Operations), checks: false };
        let (old, new) = (generate(old_spec)?, generate(new_spec)?);
        let changed = Changed { models: !same_api(&old.models, &new.models), client: !same_api(&old.client, &new.client) };
        let rust = if !changed.models && !changed.client {
            RustVerdict { evidence: vec!["same generated code but for comments".into()], ..Default::default() }
        } else {
            let old_dir = side_dir(root, &work, &mut sides, &old)?;
            // the old side's consumer, as `run` writes it for the base
            let (m, c) = compile_consumer(&old_dir, &work.join("target"), &old)?;
            if !m.is_empty() || !c.is_empty() {
                return Err(format!("{name}: the consumer of the old side does not compile against it: {m:?} {c:?}"));
            }
            let new_dir = side_dir(root, &work, &mut sides, &new)?;
            check_side_pair(&tool, &work, &old, changed, &old_dir, &new_dir, &name)?
        };
        let problems = disagreements(said, &rust, false);
        let count = |severity: Severity| changes.iter().filter(|c| c.severity == severity).count();
        let per_crate = |b: bool| if b { "breaking" } else { "not breaking" };
        println!(
            "{} {name}: {} changes ({} breaking, {} additive); diff: models {}, client {}; rust: models {}, client {}{}",
            if problems.is_empty() { "agree   " } else { "DISAGREE" },
            changes.len(),
            count(Severity::Breaking),
            count(Severity::Additive),
            per_crate(said.models),
            per_crate(said.client),
            per_crate(rust.models_breaks),
            per_crate(rust.client_breaks),
            if breaks(Scope::Checks) { " (and a limit breaks, which no Rust item shows)" } else { "" }
        );
        for e in rust.evidence.iter().chain(&problems) {
            println!("           {}", e.chars().take(400).collect::<String>());
        }
        if !problems.is_empty() {
            // what the diff calls breaking, by rule, for the reader to judge
            let mut rules: BTreeMap<(&str, String), Vec<&str>> = BTreeMap::new();
            for c in changes.iter().filter(|c| c.severity == Severity::Breaking && c.scope != Scope::Checks) {
                rules.entry((c.rule, format!("{:?}", c.scope))).or_default().push(&c.what);
            }
            for ((rule, scope), whats) in rules {
                println!("           breaking {rule} ({scope}, {}): {}", whats.len(), whats[0].chars().take(200).collect::<String>());
            }
            failures.push(name);
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(format!("the diff and the Rust API disagree on: {}", failures.join(", "))) }
}

/// Each published crate's Rust API against the commit of the last release
/// ([`crate::baseline::COMMIT_KEY`]): cargo-semver-checks with `--baseline-rev`, versions read
/// from both manifests. This sees what the spec diff cannot: a generator change (as when the
/// models became non-exhaustive) or a handwritten crate's. A crate whose version already allows
/// breaking changes is not built.
fn against_release(root: &Path, tool: &Path) -> Result<(), String> {
    let released = crate::baseline::read(root)?;
    let Some(commit) = released.get(crate::baseline::COMMIT_KEY).and_then(Value::as_str) else {
        println!("release: {} records no commit; `cargo xtask release` records one", crate::baseline::RELEASED);
        return Ok(());
    };
    let now = crate::workspace::crate_versions(root);
    let mut wrong = Vec::new();
    for (krate, was) in crate::baseline::released_versions(&released) {
        let Some((_, is)) = now.iter().find(|(n, _)| *n == krate) else { continue };
        if crate::release::allows_breaking(&was, is) {
            println!("release: {krate} {was} → {is}: breaking changes allowed, nothing to check");
            continue;
        }
        let manifest = root.join("Cargo.toml");
        let args =
            ["-p".as_ref(), krate.as_ref(), "--baseline-rev".as_ref(), commit.as_ref(), "--manifest-path".as_ref(), manifest.as_os_str()];
        match semver_checks(tool, &args, &root.join("target/semver/release"), &format!("{krate} against {commit}"))? {
            None => println!("release: {krate} {was} → {is}: no change that needs a bigger bump"),
            Some(lints) => wrong.push(format!("{krate} {was} → {is} ({})", lints.join(", "))),
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "since the release ({commit}), the Rust API of these crates changed more than their versions say:\n  {}",
            wrong.join("\n  ")
        ))
    }
}

fn generate(spec: &Value) -> Result<Side, String> {
    let for_codegen = codegen::codegen_spec(spec);
    let models = codegen::models::generate(&for_codegen).map_err(|e| e.to_string())?;
    let client = codegen::client::generate(&for_codegen, &Config::frozen()).map_err(|e| e.to_string())?;
    let operations = codegen::client::operations_table(spec).map_err(|e| e.to_string())?;
    Ok(Side { models, client, operations })
}

/// Whether two generated files declare the same API: the same tokens once doc comments
/// (`#[doc = ...]`) are dropped.
fn same_api(a: &str, b: &str) -> bool {
    fn strip(tokens: proc_macro2::TokenStream) -> Vec<String> {
        use proc_macro2::TokenTree;
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let is_doc =
                |t: &TokenTree| matches!(t, TokenTree::Group(g) if g.stream().into_iter().next().is_some_and(|f| f.to_string() == "doc"));
            match &tokens[i] {
                TokenTree::Punct(p) if p.as_char() == '#' && tokens.get(i + 1).is_some_and(is_doc) => i += 2,
                TokenTree::Punct(p) if p.as_char() == '#' && tokens.get(i + 2).is_some_and(is_doc) && tokens[i + 1].to_string() == "!" => {
                    i += 3
                }
                TokenTree::Group(g) => {
                    out.push(format!("{:?}(", g.delimiter()));
                    out.extend(strip(g.stream()));
                    out.push(")".into());
                    i += 1;
                }
                t => {
                    out.push(t.to_string());
                    i += 1;
                }
            }
        }
        out
    }
    let parse = |code: &str| code.parse::<proc_macro2::TokenStream>().ok().map(strip);
    a == b || parse(a).is_some_and(|x| Some(x) == parse(b))
}

/// Copies a crate's sources but its generated files (`generated.*`), folders included.
fn copy_sources(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)?.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            copy_sources(&path, &to.join(&name))?;
        } else if !name.to_string_lossy().starts_with("generated.") {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

/// A workspace with the two generated crates of `side` (and a consumer slot), made once per
/// distinct side.
fn side_dir(root: &Path, work: &Path, sides: &mut BTreeMap<String, PathBuf>, side: &Side) -> Result<PathBuf, String> {
    let key = format!("{:016x}", fnv(&(side.models.clone() + &side.client + &side.operations)));
    if let Some(dir) = sides.get(&key) {
        return Ok(dir.clone());
    }
    let dir = work.join(format!("side-{key}"));
    let io = |e: std::io::Error, what: &Path| format!("{}: {e}", what.display());
    for (krate, generated) in [("zaia-models", &side.models), ("zaia-client", &side.client)] {
        let from = root.join("crates").join(krate);
        let to = dir.join("crates").join(krate);
        std::fs::create_dir_all(to.join("src")).map_err(|e| io(e, &to))?;
        // the crate as it is, but for its generated code (`generated.*`, at any depth)
        copy_sources(&from.join("src"), &to.join("src")).map_err(|e| io(e, &from))?;
        std::fs::copy(from.join("README.md"), to.join("README.md")).map_err(|e| io(e, &from))?;
        let manifest = std::fs::read_to_string(from.join("Cargo.toml")).map_err(|e| io(e, &from))?;
        // 1.0.0 on both sides, so cargo-semver-checks reads a major change as breaking. The
        // build metadata tells the sides apart in the shared target dir: cargo hashes a path
        // package by its path relative to its workspace, the same in every side.
        let version = format!("version = \"1.0.0+side.{key}\"");
        let manifest =
            manifest.lines().map(|l| if l.starts_with("version = ") { version.as_str() } else { l }).collect::<Vec<_>>().join("\n");
        std::fs::write(to.join("Cargo.toml"), manifest + "\n").map_err(|e| io(e, &to))?;
        std::fs::write(to.join("src/generated.rs"), generated).map_err(|e| io(e, &to))?;
        if krate == "zaia-client" {
            std::fs::write(to.join("src/operations/generated.rs"), &side.operations).map_err(|e| io(e, &to))?;
        }
    }
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| io(e, root))?;
    let workspace: String = workspace
        .lines()
        .filter(|l| !l.starts_with("zaia-ext =") && !l.starts_with("zaia-mock ="))
        .map(|l| match l {
            l if l.starts_with("members = ") => "members = [\"crates/zaia-models\", \"crates/zaia-client\", \"consumer\"]".to_string(),
            // whatever the requirement was, the sides are 1.0.0
            l if l.starts_with("zaia-models =") || l.starts_with("zaia-client =") => match l.split_once("version = \"") {
                Some((head, tail)) => format!("{head}version = \"1.0.0\"{}", tail.split_once('"').map_or("", |(_, rest)| rest)),
                None => l.to_string(),
            },
            l => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(dir.join("Cargo.toml"), workspace).map_err(|e| io(e, &dir))?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| io(e, root))?;
    // an empty consumer until a fixture puts the old side's consumer in
    write_consumer(&dir, "", "")?;
    sides.insert(key, dir.clone());
    Ok(dir)
}

/// The consumer crate: `src/models.rs` and `src/client.rs` use the old crates' items.
fn write_consumer(dir: &Path, models: &str, client: &str) -> Result<(), String> {
    let consumer = dir.join("consumer");
    std::fs::create_dir_all(consumer.join("src")).map_err(|e| e.to_string())?;
    let side = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let manifest = format!(
        "[package]\nname = \"zaia-compat-consumer\"\nversion = \"0.0.0+{side}\"\nedition.workspace = true\npublish = false\n\n\
        [dependencies]\nzaia-models.workspace = true\nzaia-client.workspace = true\nreqwest.workspace = true\nserde.workspace = true\nserde_json.workspace = true\nuuid.workspace = true\nchrono.workspace = true\n"
    );
    let files = [
        ("Cargo.toml", manifest.as_str()),
        ("src/lib.rs", "pub mod client;\npub mod models;\n"),
        ("src/models.rs", models),
        ("src/client.rs", client),
    ];
    for (file, text) in files {
        std::fs::write(consumer.join(file), text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `cargo check` of the consumer of `old` in `dir`: the first errors in its models and its
/// client part (none when it compiles).
fn compile_consumer(dir: &Path, target: &Path, old: &Side) -> Result<(Vec<String>, Vec<String>), String> {
    write_consumer(dir, &consumer::models(&old.models, "zaia_models")?, &consumer::client(&old.client, "zaia_client")?)?;
    let out = Command::new(cargo())
        .args(["check", "--offline", "--message-format", "short", "-p", "zaia-compat-consumer", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cargo check: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors = |file: &str| -> Vec<String> {
        stderr.lines().filter(|l| l.starts_with(file) && l.contains(": error")).take(3).map(String::from).collect()
    };
    let found = (errors("consumer/src/models.rs"), errors("consumer/src/client.rs"));
    if !out.status.success() && found.0.is_empty() && found.1.is_empty() {
        return Err(format!("the consumer in {} failed to build:\n{stderr}", dir.display()));
    }
    write_consumer(dir, "", "")?;
    Ok(found)
}

/// Which generated crates of a fixture differ in more than comments.
#[derive(Clone, Copy)]
struct Changed {
    models: bool,
    client: bool,
}

fn check_side_pair(
    tool: &Path,
    work: &Path,
    old: &Side,
    changed: Changed,
    old_dir: &Path,
    new_dir: &Path,
    name: &str,
) -> Result<RustVerdict, String> {
    let mut verdict = RustVerdict::default();
    let target = work.join("target");
    let (models_errors, client_errors) = compile_consumer(new_dir, &target, old)?;
    for (errors, krate, breaks) in
        [(&models_errors, "models", &mut verdict.models_breaks), (&client_errors, "client", &mut verdict.client_breaks)]
    {
        if errors.is_empty() {
            continue;
        }
        *breaks = true;
        let shown: Vec<&str> = errors.iter().map(|e| e.split_once(": error").map_or(e.as_str(), |(_, rest)| rest)).collect();
        verdict.evidence.push(format!("the old {krate} consumer does not compile: error{}", shown.join("; error")));
    }
    let manifest = new_dir.join("Cargo.toml");
    for (krate, changed, breaks) in
        [("zaia-models", changed.models, &mut verdict.models_breaks), ("zaia-client", changed.client, &mut verdict.client_breaks)]
    {
        if !changed {
            continue;
        }
        // 1.0.0 on both sides and a minor release: only a major change fails
        let args = [
            "--release-type".as_ref(),
            "minor".as_ref(),
            "-p".as_ref(),
            krate.as_ref(),
            "--manifest-path".as_ref(),
            manifest.as_os_str(),
            "--baseline-root".as_ref(),
            old_dir.as_os_str(),
        ];
        if let Some(lints) = semver_checks(tool, &args, &target, &format!("{krate} ({name})"))? {
            *breaks = true;
            verdict.evidence.push(format!("cargo-semver-checks on {krate}: {}", lints.join(", ")));
        }
    }
    Ok(verdict)
}

/// Runs cargo-semver-checks with `args` (and `--color never`) in `target`: `None` when every
/// check passes, else the failed lints. It exits non-zero for failed checks as for a failure
/// to run; the report tells which, and a failure to run is an error.
fn semver_checks(tool: &Path, args: &[&std::ffi::OsStr], target: &Path, what: &str) -> Result<Option<Vec<String>>, String> {
    let out = Command::new(tool)
        .args(["semver-checks", "--color", "never"])
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("{}: {e}", tool.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let lints: Vec<String> =
        text.lines().filter_map(|l| l.strip_prefix("--- failure ")).map(|l| l.split(':').next().unwrap_or(l).to_string()).collect();
    match (out.status.success(), lints.is_empty()) {
        (true, _) => Ok(None),
        (false, false) => Ok(Some(lints)),
        (false, true) => Err(format!("cargo-semver-checks on {what} failed:\n{text}")),
    }
}

/// The cargo running `cargo xtask` (it sets `CARGO`), found at run time like the workspace.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// FNV-1a: a stable name for a side's directory.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

/// `target/tools/bin/cargo-semver-checks`, installed with `cargo install --locked` when
/// missing or of another version. Unoptimised: it checks two small crates, where it is as
/// quick as a release build, and it builds in about 2 minutes instead of 8 on two cores.
fn ensure_tool(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target/tools");
    let bin = tools.join("bin/cargo-semver-checks");
    let installed = Command::new(&bin).arg("--version").output().ok().filter(|o| o.status.success());
    if installed.is_some_and(|o| String::from_utf8_lossy(&o.stdout).contains(TOOL_VERSION)) {
        return Ok(bin);
    }
    eprintln!("semver: installing cargo-semver-checks {TOOL_VERSION} into target/tools (once)");
    let status = Command::new(cargo())
        .args(["install", "--locked", "--force", "cargo-semver-checks", "--version", TOOL_VERSION, "--root"])
        .arg(&tools)
        .env("CARGO_TARGET_DIR", tools.join("build"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .status()
        .map_err(|e| format!("cargo install: {e}"))?;
    if !status.success() {
        return Err(format!("cargo install cargo-semver-checks {TOOL_VERSION} failed"));
    }
    Ok(bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rust(models: bool, client: bool) -> RustVerdict {
        RustVerdict { models_breaks: models, client_breaks: client, evidence: Vec::new() }
    }

    #[test]
    fn the_diff_and_the_rust_api_must_agree_per_crate() {
        let says = |models, client, checks| DiffBreaks { models, client, checks };
        assert!(disagreements(says(true, false, false), &rust(true, false), false).is_empty());
        assert!(disagreements(says(false, false, false), &rust(false, false), false).is_empty());
        // a Rust break the diff calls additive fails, whatever the fixture says
        let missed = disagreements(says(false, false, false), &rust(false, true), true);
        assert!(missed.iter().any(|p| p.starts_with("zaia-client: the Rust API breaks")), "{missed:?}");
        // a break on the wrong crate is two problems
        assert_eq!(disagreements(says(true, false, false), &rust(false, true), false).len(), 2);
        // a break only the diff sees needs the fixture's reason, and the reason needs such a break
        assert_eq!(disagreements(says(false, true, false), &rust(false, false), false).len(), 1);
        assert!(disagreements(says(false, true, false), &rust(false, false), true).is_empty());
        assert!(disagreements(says(false, false, true), &rust(false, false), true).is_empty());
        assert_eq!(disagreements(says(false, false, true), &rust(false, false), false).len(), 1);
        let stale = disagreements(says(true, false, false), &rust(true, false), true);
        assert!(stale[0].contains("drop semver_checks_blind"), "{stale:?}");
    }

    #[test]
    fn comments_do_not_change_an_api() {
        assert!(same_api("/// a\npub struct A;", "/// b\npub struct A;"));
        assert!(!same_api("pub struct A;", "pub struct B;"));
    }
}
