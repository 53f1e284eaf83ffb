//! A whole vendor spec → one Zaia fragment per operation, as the vendor would publish it if it
//! were Zaia: the path under `/api/v1`, the key as the required `authorization` header
//! parameter (the vendor's `security` dropped), the components the operation reaches copied
//! into its own fragment, labelled `3.1.0`, Zaia's `info` and `servers`.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToKebabCase;
use serde_json::{Map, Value, json};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// One republished operation: `openapi/<resource>/<file>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragment {
    pub resource: String,
    pub file: String,
    pub doc: Value,
}

/// Every operation of `spec` as a Zaia fragment, in the spec's order.
pub fn republish(spec: &Value) -> Vec<Fragment> {
    let mut out = Vec::new();
    let mut taken: BTreeSet<(String, String)> = BTreeSet::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else { return out };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        let shared: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(*method).and_then(Value::as_object) else { continue };
            let zaia_path = zaia_path(path);
            let resource = resource_of(&zaia_path);
            let op = operation(op, &shared, spec);
            let stem = match op.get("operationId").and_then(Value::as_str) {
                Some(id) => id.to_kebab_case(),
                None => path_slug(&zaia_path),
            };
            let mut file = format!("{method}-{stem}.json");
            let mut n = 2;
            while !taken.insert((resource.clone(), file.clone())) {
                file = format!("{method}-{stem}-{n}.json");
                n += 1;
            }
            let mut doc = json!({
                "openapi": "3.1.0",
                "info": {"title": "Public API", "version": "1.0.0"},
                "servers": [{"description": "API Server", "url": "https://api.endless.zaia.app"}],
                "paths": {zaia_path.clone(): {*method: Value::Object(op.clone())}},
            });
            let components = reached_components(&Value::Object(op), spec);
            if !components.is_empty() {
                doc["components"] = Value::Object(components);
            }
            out.push(Fragment { resource, file, doc });
        }
    }
    out
}

/// `/v1/Conversations/{Sid}` → `/api/v1/Conversations/{Sid}`: the vendor's own version
/// segment, if the path starts with one, gives way to Zaia's.
fn zaia_path(path: &str) -> String {
    let rest = path.trim_start_matches('/');
    let rest = match rest.split_once('/') {
        Some((first, tail)) if is_version(first) => tail,
        None if is_version(rest) => "",
        _ => rest,
    };
    format!("/api/v1/{rest}")
}

fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The first literal segment after `/api/v1/`, kebab-cased: the resource folder.
fn resource_of(zaia_path: &str) -> String {
    let segment = zaia_path.trim_start_matches("/api/v1/").split('/').find(|s| !s.is_empty() && !s.starts_with('{')).unwrap_or("root");
    let kebab = segment.to_kebab_case();
    if kebab.is_empty() { "root".into() } else { kebab }
}

fn path_slug(zaia_path: &str) -> String {
    let slug = zaia_path.trim_start_matches("/api/v1/").replace(['{', '}'], "").to_kebab_case();
    if slug.is_empty() { "root".into() } else { slug }
}

/// The operation with the path item's parameters, the key header, and no `security`/`servers`.
fn operation(op: &Map<String, Value>, shared: &[Value], spec: &Value) -> Map<String, Value> {
    let mut op = op.clone();
    op.remove("security");
    op.remove("servers");
    let own: Vec<Value> = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let key = |p: &Value| -> (String, String) {
        let p = resolve(p, spec);
        (p["name"].as_str().unwrap_or("").to_string(), p["in"].as_str().unwrap_or("").to_string())
    };
    let own_keys: BTreeSet<_> = own.iter().map(key).collect();
    let mut parameters: Vec<Value> = shared.iter().filter(|p| !own_keys.contains(&key(p))).cloned().collect();
    parameters.extend(own);
    parameters.retain(|p| {
        let (name, location) = key(p);
        !(location == "header" && name.eq_ignore_ascii_case("authorization"))
    });
    parameters.push(json!({
        "schema": {"type": "string", "description": "The API key to use for authentication."},
        "required": true,
        "description": "The API key to use for authentication.",
        "name": "authorization",
        "in": "header"
    }));
    op.insert("parameters".into(), Value::Array(parameters));
    op
}

fn resolve<'a>(v: &'a Value, spec: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

/// The components (of any kind) `value` reaches, transitively, as a `components` object.
fn reached_components(value: &Value, spec: &Value) -> Map<String, Value> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue = Vec::new();
    collect_refs(value, &mut queue);
    while let Some(reference) = queue.pop() {
        if !seen.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference.strip_prefix('#').and_then(|p| spec.pointer(p)) {
            collect_refs(target, &mut queue);
        }
    }
    let mut kinds: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for reference in &seen {
        let Some(rest) = reference.strip_prefix("#/components/") else { continue };
        let Some((kind, name)) = rest.split_once('/') else { continue };
        let name = name.replace("~1", "/").replace("~0", "~");
        if let Some(target) = spec.pointer(reference.trim_start_matches('#')) {
            kinds.entry(kind.to_string()).or_default().insert(name, target.clone());
        }
    }
    // in the spec's own order within each kind, so fragments read like the vendor's document
    let mut out = Map::new();
    if let Some(all) = spec.get("components").and_then(Value::as_object) {
        for (kind, entries) in all {
            let Some(wanted) = kinds.get(kind) else { continue };
            let Some(entries) = entries.as_object() else { continue };
            let ordered: Map<String, Value> =
                entries.iter().filter(|(name, _)| wanted.contains_key(*name)).map(|(k, v)| (k.clone(), v.clone())).collect();
            out.insert(kind.clone(), Value::Object(ordered));
        }
    }
    out
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_becomes_a_zaia_fragment_with_what_it_reaches() {
        let spec = json!({
            "openapi": "3.0.1",
            "security": [{"basic": []}],
            "paths": {"/v1/Services/{Sid}": {
                "parameters": [{"name": "Sid", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {"operationId": "FetchService", "security": [], "responses": {"200": {"description": "ok",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/service"}}}}}},
                "delete": {"parameters": [{"name": "Authorization", "in": "header", "schema": {"type": "string"}}],
                    "responses": {"204": {"description": "gone"}}}
            }},
            "components": {"schemas": {
                "service": {"type": "object", "properties": {"links": {"$ref": "#/components/schemas/links"}}},
                "links": {"type": "object"},
                "unused": {"type": "string"}
            }}
        });
        let fragments = republish(&spec);
        assert_eq!(fragments.len(), 2);
        let get = &fragments[0];
        assert_eq!((get.resource.as_str(), get.file.as_str()), ("services", "get-fetch-service.json"));
        assert_eq!(get.doc["openapi"], "3.1.0");
        let op = &get.doc["paths"]["/api/v1/Services/{Sid}"]["get"];
        assert!(op.get("security").is_none());
        let names: Vec<&str> = op["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Sid", "authorization"]);
        let schemas: Vec<&String> = get.doc["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(schemas, ["service", "links"]);
        let delete = &fragments[1];
        assert_eq!(delete.file, "delete-services-sid.json");
        let params = delete.doc["paths"]["/api/v1/Services/{Sid}"]["delete"]["parameters"].as_array().unwrap();
        assert_eq!(params.iter().filter(|p| p["name"].as_str().unwrap().eq_ignore_ascii_case("authorization")).count(), 1);
        assert!(delete.doc.get("components").is_none());
    }

    #[test]
    fn paths_without_a_version_segment_go_under_api_v1() {
        assert_eq!(zaia_path("/applications/@me"), "/api/v1/applications/@me");
        assert_eq!(zaia_path("/v2/x"), "/api/v1/x");
        assert_eq!(resource_of("/api/v1/{guild_id}/stickers"), "stickers");
    }
}
