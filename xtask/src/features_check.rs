//! `cargo xtask features`: every feature combination CI promises compiles alone, without a
//! warning of ours: no resource, each resource alone, and all of them, for each crate with
//! resource features (zaia-ext with its default TLS, so that the check is what a consumer
//! builds). The resources are read from the checked-in merged spec, so a new resource is checked
//! with no edit.

use std::path::Path;
use std::process::Command;

use crate::codegen::features::{ALL, Resources};
use crate::config::Config;

/// The combinations to check: `(crate, features)`.
pub fn combinations(resources: &Resources) -> Vec<(&'static str, String)> {
    let mut sets: Vec<Vec<String>> = vec![vec![]];
    sets.extend(resources.names.iter().map(|r| vec![r.clone()]));
    sets.push(vec![ALL.to_string()]);
    let mut out = Vec::new();
    for set in sets {
        out.push(("zaia-models", set.join(",")));
        out.push(("zaia-client", set.join(",")));
        out.push(("zaia-ext", ["rustls".to_string()].into_iter().chain(set).collect::<Vec<_>>().join(",")));
    }
    out
}

pub fn run(root: &Path, config: &Config) -> Result<(), String> {
    check(root, None, &["zaia-models", "zaia-client", "zaia-ext"], Checks { with_all: true, no_warnings: true }, config)
}

/// What [`check`] asks of each combination.
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    /// Also every resource on (the corpus has just checked its defaults, which are that).
    pub with_all: bool,
    /// Clippy with `-D warnings`, as CI's lint step runs it (Zaia's own crates), or else
    /// `cargo check`: that it compiles (a real API's scratch SDK, where the per-resource runs
    /// are many and only a compile error is the bug class guarded).
    pub no_warnings: bool,
}

/// [`run`] in the workspace at `root` (a scratch copy: the corpus), building in `target` if
/// given, for `crates` only.
pub fn check(root: &Path, target: Option<&Path>, crates: &[&str], checks: Checks, config: &Config) -> Result<(), String> {
    let text = std::fs::read_to_string(root.join(config.merged_spec)).map_err(|e| format!("{}: {e}", config.merged_spec))?;
    let spec: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", config.merged_spec))?;
    let resources = Resources::of(&spec, config.openapi_dir, true);
    let mut failed = Vec::new();
    let all = combinations(&resources).into_iter().filter(|(k, f)| crates.contains(k) && (checks.with_all || !f.ends_with(ALL)));
    for (krate, features) in all {
        // in the workspace's target, so its dependencies' builds are reused; `-D warnings`
        // after `--` reaches the crate checked only
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        if let Some(target) = target {
            command.env("CARGO_TARGET_DIR", target);
        }
        let tool = if checks.no_warnings { "clippy" } else { "check" };
        command.current_dir(root).args([tool, "--quiet", "-p", krate, "--lib", "--no-default-features", "--features", &features]);
        if checks.no_warnings {
            command.args(["--", "-D", "warnings"]);
        }
        let status = command.status().map_err(|e| format!("cargo: {e}"))?;
        let shown = if features.is_empty() { "(none)".to_string() } else { features };
        println!("{tool} {krate} --no-default-features --features {shown}: {}", if status.success() { "ok" } else { "FAILED" });
        if !status.success() {
            failed.push(format!("{krate} [{shown}]"));
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(format!("these feature combinations do not compile cleanly: {}", failed.join(", "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_each_and_all_for_every_crate() {
        let spec = serde_json::json!({"paths": {
            "/a": {"get": {"operationId": "list_a", "x-fragment": "openapi/a/get.json"}},
            "/b": {"get": {"operationId": "list_b", "x-fragment": "openapi/b/get.json"}}}});
        let combos = combinations(&Resources::of(&spec, "openapi", true));
        let ext: Vec<&str> = combos.iter().filter(|(c, _)| *c == "zaia-ext").map(|(_, f)| f.as_str()).collect();
        assert_eq!(ext, ["rustls", "rustls,a", "rustls,b", "rustls,all-resources"]);
        assert_eq!(combos.len(), 12);
    }
}
