//! Compat fixtures: one spec change per rule of the diff, and what the diff must say of it.
//!
//! `xtask/tests/fixtures/compat/<name>.json` holds a change as two RFC 6902 patches on the
//! merged spec of the frozen fragments ([`crate::config::FROZEN_FRAGMENTS`]): `old` (often
//! empty) makes the old side, `new` the new side. `expect` lists the rule ids the diff must
//! report, no more and no fewer. `cargo test` checks that, and that every rule has a fixture;
//! `cargo xtask semver` ([`semver`]) checks each verdict against the Rust API: cargo-semver-checks
//! and a consumer of the old crates compiled against the new ones. A fixture whose break the
//! Rust API cannot show (a parameter the builder checks at run time, a limit zaia-ext checks
//! before sending) says why in `semver_checks_blind`.

pub mod consumer;
pub mod semver;

use std::path::Path;

use serde_json::Value;

use crate::config::{Config, FROZEN_FRAGMENTS};
use crate::error::{Result, fail};
use crate::{pipeline, stages::load};

/// Where the fixtures live, relative to the workspace root.
pub const FIXTURES: &str = "xtask/tests/fixtures/compat";

#[derive(Debug, Clone)]
pub struct Fixture {
    /// The file name without `.json`.
    pub name: String,
    /// What the change is, in words.
    pub change: String,
    old: json_patch::Patch,
    new: json_patch::Patch,
    /// The rule ids the diff must report.
    pub expect: Vec<String>,
    /// Why the generated Rust API cannot show a break the diff reports.
    pub blind: Option<String>,
}

/// Every fixture, by name.
pub fn load_fixtures(root: &Path) -> Result<Vec<Fixture>> {
    let dir = root.join(FIXTURES);
    let mut names: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(e) => fail!("{FIXTURES}: {e}"),
    };
    names.sort();
    names.iter().map(|path| read_fixture(path)).collect()
}

fn read_fixture(path: &Path) -> Result<Fixture> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| crate::error::Error(format!("{shown}: {e}")))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| crate::error::Error(format!("{shown}: not JSON: {e}")))?;
    let Some(fields) = doc.as_object() else { fail!("{shown}: not a JSON object") };
    for key in fields.keys() {
        if !["change", "old", "new", "expect", "semver_checks_blind"].contains(&key.as_str()) {
            fail!("{shown}: /{key}: unknown field (change, old, new, expect, semver_checks_blind)");
        }
    }
    let patch = |key: &str| -> Result<json_patch::Patch> {
        match doc.get(key) {
            None if key == "old" => Ok(json_patch::Patch(Vec::new())),
            None => fail!("{shown}: /{key}: missing (a JSON Patch, RFC 6902)"),
            Some(v) => {
                serde_json::from_value(v.clone()).map_err(|e| crate::error::Error(format!("{shown}: /{key}: not a JSON Patch: {e}")))
            }
        }
    };
    let strings = |key: &str| -> Result<Vec<String>> {
        match doc.get(key).and_then(Value::as_array) {
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, v)| v.as_str().map(String::from).ok_or_else(|| crate::error::Error(format!("{shown}: /{key}/{i}: not a string"))))
                .collect(),
            None => fail!("{shown}: /{key}: missing (a list of rule ids)"),
        }
    };
    let expect = strings("expect")?;
    for (i, id) in expect.iter().enumerate() {
        if crate::diff::rule(id).is_none() {
            fail!("{shown}: /expect/{i}: `{id}` is not a rule of the diff (xtask/src/diff.rs)");
        }
    }
    Ok(Fixture {
        name: path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string(),
        change: doc.get("change").and_then(Value::as_str).unwrap_or_default().to_string(),
        old: patch("old")?,
        new: patch("new")?,
        expect,
        blind: doc.get("semver_checks_blind").and_then(Value::as_str).map(String::from),
    })
}

/// The merged spec of the frozen fragments: what every fixture patches.
pub fn base_spec(root: &Path) -> Result<Value> {
    let fragments = load::load_dir(root, FROZEN_FRAGMENTS)?;
    pipeline::spec_from_fragments(&fragments, &Config::frozen())
}

impl Fixture {
    /// The old and the new merged spec.
    pub fn pair(&self, base: &Value) -> Result<(Value, Value)> {
        let apply = |side: &str, patch: &json_patch::Patch| -> Result<Value> {
            let mut doc = base.clone();
            match json_patch::patch(&mut doc, patch) {
                Ok(()) => Ok(doc),
                Err(e) => fail!("{FIXTURES}/{}.json: /{side}: {e}", self.name),
            }
        };
        Ok((apply("old", &self.old)?, apply("new", &self.new)?))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::diff;

    fn fixtures() -> (Value, Vec<Fixture>) {
        let root = crate::workspace::root();
        (base_spec(&root).unwrap(), load_fixtures(&root).unwrap())
    }

    /// A test per rule: each fixture's change is reported as exactly the rules it names.
    #[test]
    fn every_fixture_reports_exactly_its_rules() {
        let (base, fixtures) = fixtures();
        let mut wrong = Vec::new();
        for f in &fixtures {
            let (old, new) = f.pair(&base).unwrap();
            let changes = diff::diff(&old, &new);
            let got: BTreeSet<&str> = changes.iter().map(|c| c.rule).collect();
            let want: BTreeSet<&str> = f.expect.iter().map(String::as_str).collect();
            if got != want {
                let listed: Vec<String> = changes.iter().map(|c| format!("{} [{}]", c.what, c.rule)).collect();
                wrong.push(format!("{}: expected {want:?}, the diff says:\n    {}", f.name, listed.join("\n    ")));
            }
            if want.is_empty() {
                assert_eq!(diff::verdict(&old, &new, &changes), Some(diff::Severity::Documentation), "{}", f.name);
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn every_rule_has_a_fixture() {
        let (_, fixtures) = fixtures();
        let covered: BTreeSet<&str> = fixtures.iter().flat_map(|f| f.expect.iter().map(String::as_str)).collect();
        let missing: Vec<&str> = diff::RULES.iter().map(|r| r.id).filter(|id| !covered.contains(id)).collect();
        assert!(missing.is_empty(), "rules without a fixture in {FIXTURES}: {missing:?}");
    }

    #[test]
    fn a_blind_spot_is_claimed_only_for_breaking_changes() {
        let (_, fixtures) = fixtures();
        for f in fixtures.iter().filter(|f| f.blind.is_some()) {
            let breaking = f.expect.iter().any(|id| diff::rule(id).is_some_and(|r| r.severity == diff::Severity::Breaking));
            assert!(breaking, "{}: semver_checks_blind on a change the diff does not call breaking", f.name);
        }
    }

    #[test]
    fn a_bad_fixture_names_its_file_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        std::fs::write(&path, r#"{"change": "x", "new": [], "expect": ["no-such-rule"]}"#).unwrap();
        let err = read_fixture(&path).unwrap_err().0;
        assert!(err.contains("bad.json: /expect/0: `no-such-rule` is not a rule"), "{err}");
        std::fs::write(&path, r#"{"change": "x", "new": [{"op": "jump"}], "expect": []}"#).unwrap();
        let err = read_fixture(&path).unwrap_err().0;
        assert!(err.contains("bad.json: /new: not a JSON Patch"), "{err}");
        std::fs::write(&path, r#"{"change": "x", "new": [], "expect": [], "extra": 1}"#).unwrap();
        assert!(read_fixture(&path).unwrap_err().0.contains("/extra: unknown field"));
        let f = Fixture {
            name: "f".into(),
            change: String::new(),
            old: json_patch::Patch(vec![]),
            new: serde_json::from_value(serde_json::json!([{"op": "remove", "path": "/nope"}])).unwrap(),
            expect: vec![],
            blind: None,
        };
        let err = f.pair(&serde_json::json!({})).unwrap_err().0;
        assert!(err.contains("compat/f.json: /new:"), "{err}");
    }
}
