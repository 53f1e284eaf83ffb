//! The last release, as recorded (`cargo xtask release` writes it): where it is kept, the keys
//! it adds to the merged spec, and reading it. A leaf: `diff` strips its keys, `release` judges
//! versions against it, `compat` checks the Rust API against its commit.

use std::path::Path;

use serde_json::Value;

/// Where the last release's merged spec is kept, relative to the workspace root.
pub const RELEASED: &str = crate::config::RELEASE_BASELINE;

pub const VERSIONS_KEY: &str = "x-released-versions";

/// The git commit the release was made from: `cargo xtask semver` checks the crates' Rust API
/// against it (cargo-semver-checks `--baseline-rev`), which catches what a spec diff cannot
/// (a generator change, a handwritten crate's change).
pub const COMMIT_KEY: &str = "x-released-commit";

/// The crate versions a baseline records.
pub fn released_versions(released: &Value) -> Vec<(String, String)> {
    let versions = released.get(VERSIONS_KEY).and_then(Value::as_object).into_iter().flatten();
    versions.filter_map(|(n, v)| Some((n.clone(), v.as_str()?.to_string()))).collect()
}

/// Reads the baseline.
pub fn read(root: &Path) -> Result<Value, String> {
    let path = root.join(RELEASED);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{RELEASED}: {e}; `cargo xtask release` writes it"))?;
    serde_json::from_str(&text).map_err(|e| format!("{RELEASED}: not JSON: {e}"))
}
