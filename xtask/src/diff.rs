//! `cargo xtask diff`: what changed between two merged specs, for a client, and the version
//! bumps it implies.
//!
//! Each change is classified from the point of view of a program using the SDK:
//! - **breaking**: code that compiled and worked may not any more (an operation or field it
//!   uses is gone or retyped, a request needs something new, a response may lack what it had);
//! - **additive**: new things to use, nothing taken away (new operations, optional parameters,
//!   response fields, enum values: the SDK's enums are open);
//! - **documentation**: the specs differ only in text.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::stages::operations;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Documentation,
    Additive,
    Breaking,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Documentation => "documentation only",
            Severity::Additive => "additive",
            Severity::Breaking => "breaking",
        })
    }
}

/// Which generated code a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Operations and parameters: the client crate.
    Operations,
    /// Schemas: the models crate (and through it everything else).
    Schemas,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub severity: Severity,
    pub scope: Scope,
    pub what: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

/// Every change from `old` to `new`, breaking first; empty when they are equal but for text
/// (see [`verdict`]).
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut d = Differ { old, new, changes: BTreeSet::new() };
    let key = |(path, method, op): (String, String, &Value)| {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?").to_string();
        (format!("{} {path}", method.to_uppercase()), (id, op.clone()))
    };
    let old_ops: std::collections::BTreeMap<_, _> = operations(old).into_iter().map(key).collect();
    let new_ops: std::collections::BTreeMap<_, _> = operations(new).into_iter().map(key).collect();
    for (route, (id, _)) in &old_ops {
        if !new_ops.contains_key(route) {
            d.add(Severity::Breaking, Scope::Operations, format!("operation removed: {route} ({id})"));
        }
    }
    for (route, (id, op)) in &new_ops {
        match old_ops.get(route) {
            None => d.add(Severity::Additive, Scope::Operations, format!("operation added: {route} ({id})")),
            Some((_, old_op)) => d.operation(id, old_op, op),
        }
    }
    // types come and go with the models crate, whichever operation brought them
    let names = |spec: &Value| -> BTreeSet<String> {
        spec.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
    };
    let (old_names, new_names) = (names(old), names(new));
    for name in old_names.difference(&new_names) {
        d.add(Severity::Breaking, Scope::Schemas, format!("type removed: {name}"));
    }
    for name in new_names.difference(&old_names) {
        d.add(Severity::Additive, Scope::Schemas, format!("type added: {name}"));
    }
    let mut changes: Vec<Change> = d.changes.into_iter().collect();
    changes.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.what.cmp(&b.what)));
    changes
}

/// The overall verdict: the worst change, documentation when only text differs, `None` when
/// the specs are the same.
pub fn verdict(old: &Value, new: &Value, changes: &[Change]) -> Option<Severity> {
    changes.iter().map(|c| c.severity).max().or_else(|| (strip_provenance(old) != strip_provenance(new)).then_some(Severity::Documentation))
}

fn strip_provenance(spec: &Value) -> Value {
    let mut spec = spec.clone();
    crate::stages::for_each_operation_mut(&mut spec, |_, _, op| {
        if let Some(op) = op.as_object_mut() {
            op.remove(crate::stages::merge::SOURCE_KEY);
        }
    });
    spec
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: BTreeSet<Change>,
}

impl Differ<'_> {
    fn add(&mut self, severity: Severity, scope: Scope, what: String) {
        self.changes.insert(Change { severity, scope, what });
    }

    fn operation(&mut self, id: &str, old: &Value, new: &Value) {
        let params = |op: &Value| -> Vec<(String, Value)> {
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| (format!("{} `{}`", p["in"].as_str().unwrap_or("?"), p["name"].as_str().unwrap_or("?")), p.clone()))
                .collect()
        };
        let (old_params, new_params) = (params(old), params(new));
        let required = |p: &Value| p.get("required") == Some(&Value::Bool(true));
        for (name, p) in &old_params {
            if !new_params.iter().any(|(n, _)| n == name) {
                self.add(Severity::Breaking, Scope::Operations, format!("{id}: parameter removed: {name}"));
            } else {
                let _ = p;
            }
        }
        for (name, p) in &new_params {
            match old_params.iter().find(|(n, _)| n == name) {
                None if required(p) => self.add(Severity::Breaking, Scope::Operations, format!("{id}: parameter added (required): {name}")),
                None => self.add(Severity::Additive, Scope::Operations, format!("{id}: parameter added (optional): {name}")),
                Some((_, old_p)) => {
                    match (required(old_p), required(p)) {
                        (false, true) => self.add(Severity::Breaking, Scope::Operations, format!("{id}: parameter made required: {name}")),
                        (true, false) => self.add(Severity::Additive, Scope::Operations, format!("{id}: parameter made optional: {name}")),
                        _ => {}
                    }
                    let at = format!("{id}: parameter {name}");
                    self.schema(&old_p["schema"], &p["schema"], Direction::Request, &at, Scope::Operations, &mut BTreeSet::new());
                }
            }
        }
        let body = |op: &Value| op.pointer("/requestBody/content/application~1json/schema").cloned();
        match (body(old), body(new)) {
            (Some(o), Some(n)) => self.schema(&o, &n, Direction::Request, &format!("{id}: request"), Scope::Schemas, &mut BTreeSet::new()),
            (None, Some(_)) => self.add(Severity::Breaking, Scope::Operations, format!("{id}: request body added")),
            (Some(_), None) => self.add(Severity::Breaking, Scope::Operations, format!("{id}: request body removed")),
            (None, None) => {}
        }
        let responses = |op: &Value| op.get("responses").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_r, new_r) = (responses(old), responses(new));
        for (status, response) in &new_r {
            let success = status.starts_with('2');
            match old_r.get(status) {
                None if success => self.add(Severity::Breaking, Scope::Operations, format!("{id}: success status {status} added")),
                None => self.add(Severity::Additive, Scope::Operations, format!("{id}: error status {status} documented")),
                Some(old_response) => {
                    let schema = |r: &Value| r.pointer("/content/application~1json/schema").cloned().unwrap_or(Value::Null);
                    let at = format!("{id}: {status} response");
                    self.schema(&schema(old_response), &schema(response), Direction::Response, &at, Scope::Schemas, &mut BTreeSet::new());
                }
            }
        }
        for status in old_r.keys().filter(|s| !new_r.contains_key(*s)) {
            let severity = if status.starts_with('2') { Severity::Breaking } else { Severity::Additive };
            self.add(severity, Scope::Operations, format!("{id}: status {status} no longer documented"));
        }
    }

    /// Resolves `$ref` and the `{nullable, allOf: [$ref]}` wrapper: (schema, nullable, name).
    fn resolve<'s>(&self, root: &'s Value, schema: &'s Value) -> (&'s Value, bool, Option<String>) {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let inner = match schema.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 => &all[0],
            _ => schema,
        };
        match inner.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().map(String::from);
                let target = r.strip_prefix('#').and_then(|p| root.pointer(p)).unwrap_or(&Value::Null);
                (target, nullable || target.get("nullable") == Some(&Value::Bool(true)), name)
            }
            None => (inner, nullable, None),
        }
    }

    fn schema(&mut self, old: &Value, new: &Value, dir: Direction, at: &str, scope: Scope, seen: &mut BTreeSet<(String, String)>) {
        let (o, o_null, o_name) = self.resolve(self.old, old);
        let (n, n_null, n_name) = self.resolve(self.new, new);
        if let (Some(a), Some(b)) = (&o_name, &n_name)
            && !seen.insert((a.clone(), b.clone()))
        {
            return;
        }
        let (o_sig, n_sig) = (signature(o), signature(n));
        if o_sig != n_sig {
            self.add(Severity::Breaking, scope.max(Scope::Schemas), format!("{at}: retyped from {o_sig} to {n_sig}"));
            return;
        }
        match (o_null, n_null, dir) {
            (false, true, Direction::Response) => self.add(Severity::Breaking, Scope::Schemas, format!("{at}: made nullable")),
            (false, true, Direction::Request) => self.add(Severity::Additive, Scope::Schemas, format!("{at}: made nullable")),
            (true, false, Direction::Response) => self.add(Severity::Additive, Scope::Schemas, format!("{at}: no longer nullable")),
            (true, false, Direction::Request) => self.add(Severity::Breaking, Scope::Schemas, format!("{at}: no longer nullable")),
            _ => {}
        }
        let values = |s: &Value| -> BTreeSet<String> {
            s.get("enum").and_then(Value::as_array).into_iter().flatten().map(|v| v.to_string()).collect()
        };
        let (ov, nv) = (values(o), values(n));
        for added in nv.difference(&ov) {
            // the SDK's enums are open: an unknown value already decodes
            self.add(Severity::Additive, Scope::Schemas, format!("{at}: enum value added: {added}"));
        }
        for removed in ov.difference(&nv) {
            self.add(Severity::Breaking, Scope::Schemas, format!("{at}: enum value removed: {removed}"));
        }
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            self.schema(oi, ni, dir, &format!("{at}[]"), scope, seen);
        }
        let props = |s: &Value| s.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let required = |s: &Value| -> BTreeSet<String> {
            s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect()
        };
        let (op, np, or, nr) = (props(o), props(n), required(o), required(n));
        for (name, schema) in &np {
            let field = format!("{at}.{name}");
            match op.get(name) {
                None => {
                    let (severity, kind) = match (dir, nr.contains(name)) {
                        (Direction::Request, true) => (Severity::Breaking, "request field added (required)"),
                        (Direction::Request, false) => (Severity::Additive, "request field added (optional)"),
                        (Direction::Response, _) => (Severity::Additive, "response field added"),
                    };
                    self.add(severity, Scope::Schemas, format!("{field}: {kind}"));
                }
                Some(old_schema) => {
                    match (or.contains(name), nr.contains(name), dir) {
                        (false, true, Direction::Request) => {
                            self.add(Severity::Breaking, Scope::Schemas, format!("{field}: made required"))
                        }
                        (false, true, Direction::Response) => {
                            self.add(Severity::Additive, Scope::Schemas, format!("{field}: made required"))
                        }
                        (true, false, Direction::Request) => {
                            self.add(Severity::Additive, Scope::Schemas, format!("{field}: made optional"))
                        }
                        (true, false, Direction::Response) => {
                            self.add(Severity::Breaking, Scope::Schemas, format!("{field}: made optional"))
                        }
                        _ => {}
                    }
                    self.schema(old_schema, schema, dir, &field, scope, seen);
                }
            }
        }
        for name in op.keys().filter(|k| !np.contains_key(*k)) {
            let kind = if dir == Direction::Request { "request field removed" } else { "response field removed" };
            self.add(Severity::Breaking, Scope::Schemas, format!("{at}.{name}: {kind}"));
        }
    }
}

/// A schema's type as a client sees it: `string(uuid)`, `array`, `object`, `oneOf`, ...
fn signature(schema: &Value) -> String {
    let kind = if let Some(t) = schema.get("type").and_then(Value::as_str) {
        t.to_string()
    } else if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
        "union".into()
    } else if schema.get("properties").is_some() {
        "object".into()
    } else {
        "any".into()
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(f) => format!("{kind}({f})"),
        None => kind,
    }
}

/// `0.4.2` → the next version after a change of `severity` (Cargo semver: before 1.0 the minor
/// number is the breaking one).
pub fn bump(version: &str, severity: Severity) -> String {
    let core = version.split(['+', '-']).next().unwrap_or(version);
    let mut parts: Vec<u64> = core.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    let (major, minor, patch) = (parts[0], parts[1], parts[2]);
    match (major, severity) {
        (0, Severity::Breaking) => format!("0.{}.0", minor + 1),
        (0, _) => format!("0.{minor}.{}", patch + 1),
        (_, Severity::Breaking) => format!("{}.0.0", major + 1),
        (_, Severity::Additive) => format!("{major}.{}.0", minor + 1),
        (_, Severity::Documentation) => format!("{major}.{minor}.{}", patch + 1),
    }
}

/// What each crate needs: the models follow schema changes; the client, ext and mock expose
/// the models' types, so they follow every change; documentation touches the generated crates.
pub fn crate_bumps(changes: &[Change], verdict: Option<Severity>) -> Vec<(&'static str, Option<Severity>)> {
    let worst = |scope: Option<Scope>| changes.iter().filter(|c| scope.is_none_or(|s| c.scope == s)).map(|c| c.severity).max();
    let docs = (verdict == Some(Severity::Documentation)).then_some(Severity::Documentation);
    let models = worst(Some(Scope::Schemas)).or(docs);
    let all = worst(None);
    vec![("zaia-models", models), ("zaia-client", all.or(docs)), ("zaia-ext", all), ("zaia-mock", all)]
}

/// The report `cargo xtask diff` prints.
pub fn report(old: &Value, new: &Value, versions: &[(String, String)]) -> String {
    let changes = diff(old, new);
    let verdict = verdict(old, new, &changes);
    let mut out = String::new();
    for c in &changes {
        out.push_str(&format!("{:<10} {}\n", c.severity.to_string(), c.what));
    }
    match verdict {
        None => out.push_str("verdict: no changes\n"),
        Some(v) => {
            out.push_str(&format!("verdict: {v}\nversion bumps (Cargo semver; before 1.0 a breaking change bumps the minor number):\n"));
            for (name, severity) in crate_bumps(&changes, Some(v)) {
                let current = versions.iter().find(|(n, _)| n == name).map_or("0.0.0", |(_, v)| v.as_str());
                match severity {
                    Some(s) => out.push_str(&format!("  {name:<12} {current} → {} ({s})\n", bump(current, s))),
                    None => out.push_str(&format!("  {name:<12} {current} (unchanged)\n")),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(params: Value, body: Value, response: Value, schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"version": "1"}, "paths": {"/things": {"get": {
            "operationId": "list_things", "parameters": params,
            "requestBody": {"content": {"application/json": {"schema": body}}},
            "responses": {"200": {"content": {"application/json": {"schema": response}}}}}}},
            "components": {"schemas": schemas}})
    }

    fn base() -> Value {
        spec(
            json!([{"name": "q", "in": "query", "required": false, "schema": {"type": "string"}}]),
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}),
            json!({"$ref": "#/components/schemas/Thing"}),
            json!({"Thing": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"},
                "status": {"$ref": "#/components/schemas/Status"}}, "required": ["id"]},
                "Status": {"type": "string", "enum": ["a", "b"]}}),
        )
    }

    fn changed(f: impl FnOnce(&mut Value)) -> Vec<(Severity, String)> {
        let old = base();
        let mut new = old.clone();
        f(&mut new);
        diff(&old, &new).into_iter().map(|c| (c.severity, c.what)).collect()
    }

    use Severity::*;

    #[test]
    fn operations_added_and_removed() {
        let added = changed(|s| s["paths"]["/other"] = json!({"post": {"operationId": "create_other", "responses": {}}}));
        assert_eq!(added, [(Additive, "operation added: POST /other (create_other)".to_string())]);
        let removed = changed(|s| s["paths"] = json!({}));
        assert_eq!(removed, [(Breaking, "operation removed: GET /things (list_things)".to_string())]);
    }

    #[test]
    fn parameters() {
        let p = "/paths/~1things/get/parameters";
        assert_eq!(
            changed(|s| s
                .pointer_mut(p)
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "r", "in": "query", "required": true, "schema": {"type": "string"}}))),
            [(Breaking, "list_things: parameter added (required): query `r`".to_string())]
        );
        assert_eq!(
            changed(|s| s
                .pointer_mut(p)
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "r", "in": "query", "schema": {"type": "string"}}))),
            [(Additive, "list_things: parameter added (optional): query `r`".to_string())]
        );
        assert_eq!(
            changed(|s| *s.pointer_mut(p).unwrap() = json!([])),
            [(Breaking, "list_things: parameter removed: query `q`".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(p).unwrap()[0]["required"] = json!(true)),
            [(Breaking, "list_things: parameter made required: query `q`".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(p).unwrap()[0]["schema"] = json!({"type": "integer"})),
            [(Breaking, "list_things: parameter query `q`: retyped from string to integer".to_string())]
        );
    }

    #[test]
    fn request_fields() {
        let body = "/paths/~1things/get/requestBody/content/application~1json/schema";
        assert_eq!(
            changed(|s| s.pointer_mut(body).unwrap()["properties"]["b"] = json!({"type": "string"})),
            [(Additive, "list_things: request.b: request field added (optional)".to_string())]
        );
        assert_eq!(
            changed(|s| {
                s.pointer_mut(body).unwrap()["properties"]["b"] = json!({"type": "string"});
                s.pointer_mut(body).unwrap()["required"] = json!(["a", "b"]);
            }),
            [(Breaking, "list_things: request.b: request field added (required)".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(body).unwrap()["required"] = json!([])),
            [(Additive, "list_things: request.a: made optional".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(body).unwrap()["properties"]["a"]["nullable"] = json!(true)),
            [(Additive, "list_things: request.a: made nullable".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(body).unwrap()["properties"] = json!({})),
            [(Breaking, "list_things: request.a: request field removed".to_string())]
        );
    }

    #[test]
    fn response_fields_and_enums() {
        let thing = "/components/schemas/Thing";
        assert_eq!(
            changed(|s| s.pointer_mut(thing).unwrap()["properties"]["new"] = json!({"type": "string"})),
            [(Additive, "list_things: 200 response.new: response field added".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(thing).unwrap()["required"] = json!([])),
            [(Breaking, "list_things: 200 response.id: made optional".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(thing).unwrap()["properties"]["id"]["nullable"] = json!(true)),
            [(Breaking, "list_things: 200 response.id: made nullable".to_string())]
        );
        assert_eq!(
            changed(|s| s.pointer_mut(thing).unwrap()["properties"]["id"] = json!({"type": "integer"})),
            [(Breaking, "list_things: 200 response.id: retyped from string(uuid) to integer".to_string())]
        );
        assert_eq!(
            changed(|s| s["components"]["schemas"]["Status"]["enum"] = json!(["a", "b", "c"])),
            [(Additive, "list_things: 200 response.status: enum value added: \"c\"".to_string())]
        );
        assert_eq!(
            changed(|s| s["components"]["schemas"]["Status"]["enum"] = json!(["a"])),
            [(Breaking, "list_things: 200 response.status: enum value removed: \"b\"".to_string())]
        );
    }

    #[test]
    fn documentation_only_and_no_change() {
        let old = base();
        let mut new = old.clone();
        new["components"]["schemas"]["Thing"]["description"] = json!("A thing.");
        let changes = diff(&old, &new);
        assert!(changes.is_empty());
        assert_eq!(verdict(&old, &new, &changes), Some(Documentation));
        assert_eq!(verdict(&old, &old, &[]), None);
        let report = report(&old, &new, &[("zaia-models".into(), "0.1.0+spec.1".into())]);
        assert!(report.contains("verdict: documentation only"), "{report}");
        assert!(report.contains("zaia-models  0.1.0+spec.1 → 0.1.1 (documentation only)"), "{report}");
        assert!(report.contains("zaia-ext     0.0.0 (unchanged)"), "{report}");
    }

    #[test]
    fn bumps_follow_cargo_semver() {
        assert_eq!(bump("0.1.0", Breaking), "0.2.0");
        assert_eq!(bump("0.1.3+spec.1.0.0", Additive), "0.1.4");
        assert_eq!(bump("1.2.3", Breaking), "2.0.0");
        assert_eq!(bump("1.2.3", Additive), "1.3.0");
        assert_eq!(bump("1.2.3", Documentation), "1.2.4");
        let changes = vec![Change { severity: Breaking, scope: Scope::Operations, what: "x".into() }];
        let bumps = crate_bumps(&changes, Some(Breaking));
        assert_eq!(bumps[0], ("zaia-models", None));
        assert_eq!(bumps[1], ("zaia-client", Some(Breaking)));
    }
}
