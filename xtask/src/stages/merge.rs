//! Stage 2: merge the fragments into one document.
//!
//! Identical repeats (info, servers, tags, equal components, the same operation twice) collapse;
//! the same path + method or component defined twice with different content is an error that
//! names both files. Every operation records the fragment it came from under [`SOURCE_KEY`], so
//! later stages can name the file in their errors and readers of the merged spec can trace it.

use serde_json::{Map, Value, json};

use super::load::Fragment;
use crate::error::{Result, fail, pointer};

/// Extension key carrying an operation's source fragment.
pub use crate::document::SOURCE_KEY;

pub fn merge(fragments: &[Fragment]) -> Result<Value> {
    let Some(first) = fragments.first() else { fail!("no fragments to merge") };
    let mut merged = Map::new();
    merged.insert("openapi".into(), first.doc["openapi"].clone());
    let info_from = first.name.as_str();
    merged.insert("info".into(), first.doc.get("info").cloned().unwrap_or(json!({})));
    let mut servers: Vec<Value> = Vec::new();
    let mut tags: Vec<Value> = Vec::new();
    let mut paths = Map::new();
    let mut components: Map<String, Value> = Map::new();
    // Where each component came from, for conflict messages.
    let mut component_source: Vec<(String, String)> = Vec::new();

    for fragment in fragments {
        let doc = &fragment.doc;
        let name = fragment.name.as_str();
        // 3.0.x and 3.1.x fragments mix: `load` has rewritten each to the 3.0 forms, and
        // `normalise` labels the merged document once
        if let Some(info) = doc.get("info")
            && info != &merged["info"]
        {
            fail!("{name}: /info differs from {info_from}; fragments of one API share one info block");
        }
        for server in doc.get("servers").and_then(Value::as_array).into_iter().flatten() {
            if !servers.contains(server) {
                servers.push(server.clone());
            }
        }
        for tag in doc.get("tags").and_then(Value::as_array).into_iter().flatten() {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let Some(item) = item.as_object() else { fail!("{name}: {}: a path item must be an object", pointer(["paths", path])) };
            let target = paths.entry(path.clone()).or_insert_with(|| json!({}));
            let target = target.as_object_mut().expect("path items are objects");
            for (key, value) in item {
                let at = pointer(["paths", path, key]);
                match target.get(key) {
                    None => {
                        let mut value = value.clone();
                        if crate::document::METHODS.contains(&key.as_str())
                            && let Some(op) = value.as_object_mut()
                        {
                            op.insert(SOURCE_KEY.into(), Value::String(name.into()));
                        }
                        target.insert(key.clone(), value);
                    }
                    Some(existing) => {
                        let mut existing = existing.clone();
                        let other = existing.as_object_mut().and_then(|o| o.remove(SOURCE_KEY));
                        if &existing != value {
                            let other = other.as_ref().and_then(Value::as_str).unwrap_or("an earlier fragment");
                            fail!("{name}: {at}: `{} {path}` is also defined, with other content, in {other}", key.to_uppercase());
                        }
                    }
                }
            }
        }
        for (section, entries) in doc.get("components").and_then(Value::as_object).into_iter().flatten() {
            let Some(entries) = entries.as_object() else { continue };
            let target = components.entry(section.clone()).or_insert_with(|| json!({}));
            let target = target.as_object_mut().expect("component sections are objects");
            for (key, value) in entries {
                let at = pointer(["components", section, key]);
                match target.get(key) {
                    None => {
                        target.insert(key.clone(), value.clone());
                        component_source.push((at, name.to_string()));
                    }
                    Some(existing) if existing == value => {}
                    Some(_) => {
                        let other = component_source.iter().find(|(p, _)| *p == at).map_or("", |(_, f)| f.as_str());
                        fail!("{name}: {at}: defined with other content in {other}");
                    }
                }
            }
        }
    }

    // sorted like the paths, so the result does not depend on fragment order
    servers.sort_by_key(|s| s.to_string());
    tags.sort_by_key(|t| t.get("name").map(Value::to_string).unwrap_or_default());
    if !servers.is_empty() {
        merged.insert("servers".into(), Value::Array(servers));
    }
    if !tags.is_empty() {
        merged.insert("tags".into(), Value::Array(tags));
    }
    // sorted, so the merged spec does not depend on which file a path came from
    let mut paths: Vec<(String, Value)> = paths.into_iter().collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, item) in paths.iter_mut() {
        let mut entries: Vec<(String, Value)> = std::mem::take(item.as_object_mut().expect("path items are objects")).into_iter().collect();
        // methods in the spec's order, after any path-level keys
        let rank = |k: &str| crate::document::METHODS.iter().position(|m| *m == k).map_or(0, |i| i + 1);
        entries.sort_by_key(|(k, _)| rank(k));
        *item = Value::Object(entries.into_iter().collect());
    }
    merged.insert("paths".into(), Value::Object(paths.into_iter().collect()));
    if !components.is_empty() {
        merged.insert("components".into(), Value::Object(components));
    }
    Ok(Value::Object(merged))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragment(name: &str, doc: Value) -> Fragment {
        Fragment { name: name.into(), doc }
    }

    fn op(desc: &str) -> Value {
        json!({"description": desc, "responses": {"200": {"description": "ok"}}})
    }

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
               "servers": [{"url": "https://x"}], "paths": paths})
    }

    #[test]
    fn merges_paths_and_collapses_identical_repeats() {
        let a = fragment("a.json", doc(json!({"/things": {"get": op("list")}})));
        let b = fragment("b.json", doc(json!({"/things": {"post": op("create")}})));
        let again = fragment("c.json", doc(json!({"/things": {"get": op("list")}})));
        let merged = merge(&[a, b, again]).unwrap();
        assert_eq!(merged["servers"], json!([{"url": "https://x"}]));
        let item = merged["paths"]["/things"].as_object().unwrap();
        assert_eq!(item.keys().collect::<Vec<_>>(), ["get", "post"]);
        assert_eq!(item["get"][SOURCE_KEY], "a.json");
        assert_eq!(item["post"][SOURCE_KEY], "b.json");
    }

    #[test]
    fn the_same_operation_with_other_content_names_both_files() {
        let a = fragment("openapi/a.json", doc(json!({"/things": {"get": op("list")}})));
        let b = fragment("openapi/b.json", doc(json!({"/things": {"get": op("something else")}})));
        let err = merge(&[a, b]).unwrap_err();
        assert_eq!(err.0, "openapi/b.json: /paths/~1things/get: `GET /things` is also defined, with other content, in openapi/a.json");
    }

    #[test]
    fn fragments_labelled_3_0_and_3_1_merge() {
        let a = fragment("a.json", doc(json!({"/a": {"get": op("a")}})));
        let mut b = doc(json!({"/b": {"get": op("b")}}));
        b["openapi"] = json!("3.0.1");
        let merged = merge(&[a, fragment("b.json", b)]).unwrap();
        assert_eq!(merged["paths"].as_object().unwrap().len(), 2);
    }

    #[test]
    fn different_info_is_an_error() {
        let a = fragment("a.json", doc(json!({})));
        let mut other = doc(json!({}));
        other["info"]["version"] = json!("2");
        let err = merge(&[a, fragment("b.json", other)]).unwrap_err();
        assert!(err.0.starts_with("b.json: /info differs from a.json"), "{err}");
    }

    #[test]
    fn components_collapse_when_equal_and_conflict_otherwise() {
        let mut a = doc(json!({}));
        a["components"] = json!({"schemas": {"Thing": {"type": "string"}}});
        let b = a.clone();
        let merged = merge(&[fragment("a.json", a.clone()), fragment("b.json", b)]).unwrap();
        assert_eq!(merged["components"]["schemas"]["Thing"], json!({"type": "string"}));
        let mut c = a.clone();
        c["components"]["schemas"]["Thing"] = json!({"type": "integer"});
        let err = merge(&[fragment("a.json", a), fragment("c.json", c)]).unwrap_err();
        assert_eq!(err.0, "c.json: /components/schemas/Thing: defined with other content in a.json");
    }
}
