//! Version discipline: `cargo xtask check` fails when the generated API differs from the last
//! release and the crate versions or the CHANGELOG were not bumped to match.
//!
//! The last release is `openapi/released.json`: the merged spec as it was released, with the
//! crate versions it was released as (`x-released-versions`). `cargo xtask release` writes it,
//! once versions and CHANGELOG are in order. Between releases, changes accumulate: the bump
//! `cargo xtask diff` names against the release is the minimum the versions must show.

use serde_json::{Value, json};

use crate::baseline::{COMMIT_KEY, RELEASED, VERSIONS_KEY};
use crate::diff;

/// `major.minor.patch` of a version, without pre-release or build metadata.
fn core(version: &str) -> (u64, u64, u64) {
    let mut parts = version.split(['+', '-']).next().unwrap_or(version).split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// What is wrong with the versions and the CHANGELOG, given the released spec (with its
/// versions), the spec generated now and the crate versions now.
pub fn check(released: &Value, spec: &Value, versions: &[(String, String)], changelog: &str) -> Result<(), String> {
    let mut released_spec = released.clone();
    let released_versions = released_spec.as_object_mut().and_then(|o| o.remove(VERSIONS_KEY)).unwrap_or_else(|| json!({}));
    released_spec.as_object_mut().map(|o| o.remove(COMMIT_KEY));
    let changes = diff::diff(&released_spec, spec);
    let Some(verdict) = diff::verdict(&released_spec, spec, &changes) else { return Ok(()) };
    let mut wrong = Vec::new();
    for (name, severity) in diff::crate_bumps(&changes, Some(verdict)) {
        let Some(severity) = severity else { continue };
        let Some(was) = released_versions.get(name).and_then(Value::as_str) else { continue };
        let now = versions.iter().find(|(n, _)| n == name).map_or("0.0.0", |(_, v)| v.as_str());
        let wanted = diff::bump(was, severity);
        if core(now) < core(&wanted) {
            wrong.push(format!("{name} is {now}, released as {was}: {severity} changes need at least {wanted}"));
        } else if !changelog.contains(now) {
            wrong.push(format!("{name} {now} has no CHANGELOG.md entry"));
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the generated API changed since the last release ({verdict}; `cargo xtask diff {RELEASED}` lists what), but\n  {}\nset the versions, add a CHANGELOG.md entry, and once released run `cargo xtask release`",
        wrong.join("\n  ")
    ))
}

/// The release baseline for `spec` released as `versions` from `commit`.
pub fn baseline(spec: &Value, versions: &[(String, String)], commit: Option<&str>) -> String {
    let mut doc = spec.clone();
    let versions: serde_json::Map<String, Value> = versions.iter().map(|(n, v)| (n.clone(), json!(v))).collect();
    doc[VERSIONS_KEY] = Value::Object(versions);
    if let Some(commit) = commit {
        doc[COMMIT_KEY] = json!(commit);
    }
    crate::document::spec_text(&doc)
}

/// Whether going from `released` to `now` may break the API: a new major version, or before
/// 1.0 a new minor one (Cargo semver).
pub fn allows_breaking(released: &str, now: &str) -> bool {
    let (was, is) = (core(released), core(now));
    is.0 > was.0 || (is.0 == 0 && was.0 == 0 && is.1 > was.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"version": "1"}, "paths": {}, "components": {"schemas": schemas}})
    }

    fn versions(v: &str) -> Vec<(String, String)> {
        ["zaia-client", "zaia-ext", "zaia-mock", "zaia-models"].iter().map(|n| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_unchanged_api_needs_nothing() {
        let s = spec(json!({"A": {"type": "object"}}));
        let released: Value = serde_json::from_str(&baseline(&s, &versions("0.1.0+spec.1"), None)).unwrap();
        assert_eq!(check(&released, &s, &versions("0.1.0+spec.1"), ""), Ok(()));
    }

    #[test]
    fn a_change_needs_the_bump_and_a_changelog_entry() {
        let old = spec(json!({"A": {"type": "object"}}));
        let released: Value = serde_json::from_str(&baseline(&old, &versions("0.1.0+spec.1"), None)).unwrap();
        let added = spec(json!({"A": {"type": "object"}, "B": {"type": "object"}}));
        let err = check(&released, &added, &versions("0.1.0+spec.1"), "").unwrap_err();
        assert!(err.contains("zaia-models is 0.1.0+spec.1, released as 0.1.0+spec.1: additive changes need at least 0.1.1"), "{err}");
        let err = check(&released, &added, &versions("0.1.1+spec.1"), "").unwrap_err();
        assert!(err.contains("zaia-models 0.1.1+spec.1 has no CHANGELOG.md entry"), "{err}");
        assert_eq!(check(&released, &added, &versions("0.1.1+spec.1"), "## 0.1.1+spec.1"), Ok(()));
        // a removal is breaking: a patch bump is not enough
        let removed = spec(json!({}));
        let err = check(&released, &removed, &versions("0.1.1+spec.1"), "0.1.1+spec.1").unwrap_err();
        assert!(err.contains("breaking changes need at least 0.2.0"), "{err}");
    }

    #[test]
    fn breaking_changes_need_a_major_version_or_before_1_0_a_minor_one() {
        assert!(allows_breaking("0.1.0+spec.1", "0.2.0+spec.1"));
        assert!(!allows_breaking("0.1.0+spec.1", "0.1.1+spec.2"));
        assert!(!allows_breaking("0.2.0", "0.2.0"));
        assert!(allows_breaking("1.4.2", "2.0.0"));
        assert!(!allows_breaking("1.4.2", "1.5.0"));
    }

    #[test]
    fn the_baseline_records_versions_and_commit_and_neither_is_an_api_change() {
        let s = spec(json!({"A": {"type": "object"}}));
        let released: Value = serde_json::from_str(&baseline(&s, &versions("0.1.0"), Some("abc123"))).unwrap();
        assert_eq!(released[COMMIT_KEY], "abc123");
        assert_eq!(crate::baseline::released_versions(&released).len(), 4);
        assert_eq!(check(&released, &s, &versions("0.1.0"), ""), Ok(()));
        assert_eq!(crate::diff::verdict(&released, &s, &crate::diff::diff(&released, &s)), None);
    }
}
