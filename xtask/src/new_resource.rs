//! Proof that a vendor addition needs no hand edits: fixture fragments for a resource the API
//! does not have yet go through the whole path in a scratch copy of the workspace — generate,
//! the generated crates compile, the new list has a stream that pages through the mock, its
//! limits are enforced client-side, the mock serves and validates it, and the crates' own tests
//! (the mock's contract test, derived from the spec, among them) still pass.
//!
//! The copy builds in `target/proof` (a target directory of its own: the outer `cargo test` holds
//! the lock on `target/debug`), offline, from the crates the workspace already downloaded.

use std::path::Path;
use std::process::Command;

use crate::config::Config;

const FIXTURES: &str = "xtask/tests/fixtures/agents";

/// What of the workspace the copy needs: every member, the lock file, the fragments.
const COPIED: &[&str] = &["Cargo.toml", "Cargo.lock", "README.md", "crates", "openapi", "tests", "xtask"];

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

#[test]
fn a_new_resource_is_whole_with_no_hand_edits() {
    let root = crate::workspace_root();
    let scratch = tempfile::tempdir().unwrap();
    let copy_root = scratch.path();
    for item in COPIED {
        copy(&root.join(item), &copy_root.join(item));
    }
    // the maintainer's step: drop the vendor's files in, unchanged
    for name in ["get-list.json", "get-one.json"] {
        copy(&root.join(FIXTURES).join(name), &copy_root.join("openapi/agents").join(name));
    }
    let config = Config::zaia();
    let (outputs, notes) = crate::outputs(copy_root, std::slice::from_ref(&config)).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    crate::output::write_all(copy_root, &outputs).unwrap();
    let pagination = std::fs::read_to_string(copy_root.join("crates/zaia-ext/src/generated_pagination.rs")).unwrap();
    assert!(pagination.contains("fn list_agents_pages<'a, F>"));
    // the maintainer's other step, which `cargo xtask check` (not `cargo test`) asks for
    let spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(copy_root.join(config.merged_spec)).unwrap()).unwrap();
    let released = crate::release::read(copy_root).unwrap();
    let err = crate::release::check(&released, &spec, &crate::crate_versions(copy_root), "").unwrap_err();
    assert!(err.contains("zaia-models is 0.1.0+spec.1.0.0, released as 0.1.0+spec.1.0.0: additive changes need at least 0.1.1"), "{err}");

    // what a consumer would write against the regenerated crates
    copy(&root.join(FIXTURES).join("proof.rs"), &copy_root.join("crates/zaia-ext/tests/agents_proof.rs"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(copy_root)
        .env("CARGO_TARGET_DIR", root.join("target/proof"))
        .args(["test", "--offline", "--quiet", "-p", "zaia-ext", "-p", "zaia-mock"])
        .output()
        .unwrap();
    let log = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the regenerated workspace failed its tests:\n{log}");
    assert!(log.contains("3 passed"), "the proof's three tests ran:\n{log}");
}
