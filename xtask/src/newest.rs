//! `cargo xtask newest`: the SDK crates against the newest versions their manifests allow, as
//! a consumer who resolves dependencies today gets them (this repository's lock file pins older
//! ones). A scratch copy of the workspace (`target/newest`) runs `cargo update`, then builds and
//! tests the published crates with warnings as errors: a deprecation in a dependency's new
//! release that our code trips on fails here before a consumer sees it. Dependencies' own
//! warnings are capped by cargo and do not count.
//!
//! It needs the network (`cargo update`), so it is not part of `.ci/run`; `cargo xtask release`
//! runs it first.

use std::path::Path;
use std::process::Command;

/// The crates a consumer builds.
const PUBLISHED: &[&str] = &["zaia-models", "zaia-client", "zaia-ext", "zaia-mock"];

pub fn run(root: &Path) -> Result<(), String> {
    let scratch = root.join("target/newest");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    crate::workspace::copy_workspace(root, &scratch)?;
    // built in the real target directory (what did not change is reused), told apart from the
    // workspace's own crates by their versions' build metadata
    crate::workspace::mark_versions(&scratch, "newest")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let step = |what: &str, args: &[&str]| -> Result<String, String> {
        let output = Command::new(&cargo)
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .env("RUSTFLAGS", "-D warnings")
            .env("RUSTDOCFLAGS", "-D warnings")
            .args(args)
            .output()
            .map_err(|e| format!("cargo: {e}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            let stdout = String::from_utf8_lossy(&output.stdout);
            return Err(format!("newest: {what} failed against the newest compatible dependencies:\n{stdout}\n{stderr}"));
        }
        Ok(stderr)
    };
    let updated = step("cargo update", &["update"])?;
    // (the workspace's own crates show as updated too: their versions carry the mark)
    let changes: Vec<&str> = updated
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Updating ") && l.contains(" -> ") && !l.contains("+newest") && !l.contains(".newest"))
        .collect();
    // every package of the new lock file, for the tests that read the tree offline
    step("cargo fetch", &["fetch"])?;
    println!("newest: {} dependencies newer than the lock file's", changes.len());
    for change in &changes {
        println!("  {}", change.trim_start_matches("Updating "));
    }
    let packages: Vec<&str> = PUBLISHED.iter().flat_map(|p| ["-p", p]).collect();
    // the features a consumer turns on (not `native-tls`: it needs OpenSSL's headers)
    let mut test = vec!["test", "--quiet", "--features", "zaia-ext/blocking"];
    test.extend(&packages);
    step("cargo test (warnings as errors)", &test)?;
    println!("newest: {} build and pass their tests, with no warning, against them", PUBLISHED.join(", "));
    Ok(())
}
