//! Stage 5: give every inline object and enum a name in `components/schemas` and `$ref` it.
//!
//! Names come from where a schema stands, never from the order of fragments:
//!
//! | location | name | example |
//! |---|---|---|
//! | request body of `op` | `{Op}Request` | `CreateChatRequest` |
//! | success body (or its items) of get / list / create / update | `{Resource}{Action}` | `Chat`, `ChatDetails` |
//! | other success bodies | `{Op}Response` | `DeleteChatResponse` |
//! | every error body | the config's error schema | `KnownException` |
//! | property `p` of schema `S` (or its items) | `{S}{P}` (singular for arrays) | `KnownExceptionCta` |
//! | query parameter `p` of `op` on resource `R` | `{R}{P}` (singular) | `ChatMessageFollowUpStatus` |
//!
//! The same name reached twice with equal content is one schema; with different content it is
//! an error, fixed by a name override in the config (keyed by the location string that the error
//! prints). Error bodies of one operation must agree, because progenitor gives each operation a
//! single error type.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

use super::normalise::{pascal, path_shape};
use super::{for_each_operation_mut, source_of};
use crate::config::{Config, ErrorBodies};
use crate::error::{Error, Result, fail};

pub fn hoist(mut doc: Value, config: &Config) -> Result<Value> {
    let existing = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut hoister = Hoister {
        config,
        origins: existing.keys().map(|k| (k.clone(), "the fragments' own components".to_string())).collect(),
        schemas: existing,
        file: String::new(),
        error: None,
        used_overrides: std::cell::RefCell::default(),
    };
    for_each_operation_mut(&mut doc, |path, _, op| {
        if hoister.error.is_none()
            && let Err(e) = hoister.operation(path, op)
        {
            hoister.error = Some(e);
        }
    });
    if let Some(e) = hoister.error {
        return Err(e);
    }
    if config.strict_overrides {
        let used = hoister.used_overrides.borrow();
        let stale: Vec<&str> = config.name_overrides.iter().map(|(l, _)| *l).filter(|l| !used.contains(*l)).collect();
        if !stale.is_empty() {
            fail!(
                "config: name_overrides entries match no location in the spec: {} (renamed or removed? the names the \
                 rules give now are in openapi/zaia.json's components; fix or remove the entries in xtask/src/config.rs)",
                stale.join(", ")
            );
        }
    }
    let mut sorted: Vec<(String, Value)> = hoister.schemas.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let components = doc.as_object_mut().expect("a document is an object").entry("components").or_insert_with(|| json!({}));
    components["schemas"] = Value::Object(sorted.into_iter().collect());
    Ok(doc)
}

struct Hoister<'c> {
    config: &'c Config,
    schemas: Map<String, Value>,
    /// name → "location (file)" of its first definition
    origins: BTreeMap<String, String>,
    file: String,
    error: Option<Error>,
    /// override locations looked up (an entry never looked up matches nothing)
    used_overrides: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

const JSON_SCHEMA: &str = "/content/application~1json/schema";

impl Hoister<'_> {
    fn operation(&mut self, path: &str, op: &mut Value) -> Result<()> {
        self.file = source_of(op).to_string();
        let id = op["operationId"].as_str().expect("ids are derived before hoisting").to_string();
        let (resource, _, action) = path_shape(self.config, path);
        let resource_name = self.config.singular(resource).to_upper_camel_case();

        if let Some(schema) = op.pointer_mut(&format!("/requestBody{JSON_SCHEMA}")) {
            let name = self.name(&format!("request:{id}"), format!("{}Request", pascal(&id)));
            self.hoist_at(schema, &name, &format!("request:{id}"))?;
        }

        match self.config.error_bodies {
            ErrorBodies::One(name) => self.check_one_error_schema(&id, op, name)?,
            ErrorBodies::UnionPerOperation => self.unite_error_bodies(&id, op)?,
        }
        let returns_entity = ["get_", "list_", "create_", "update_"].iter().any(|v| id.starts_with(v));
        let entity = format!("{resource_name}{}", action.map(|a| a.to_upper_camel_case()).unwrap_or_default());
        for (status, response) in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
            let Some(schema) = response.pointer_mut(JSON_SCHEMA) else { continue };
            if is_success(status) {
                let location = format!("response:{id}");
                let default = if returns_entity { entity.clone() } else { format!("{}Response", pascal(&id)) };
                let name = self.name(&location, default);
                self.hoist_at(schema, &name, &location)?;
            } else if let ErrorBodies::One(error_schema) = self.config.error_bodies {
                let location = format!("error:{id}.{status}");
                self.hoist_at(schema, error_schema, &location)?;
            }
        }

        for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            let param_name = param.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let Some(schema) = param.get_mut("schema") else { continue };
            let location = format!("parameter:{id}.{param_name}");
            let default = format!("{resource_name}{}", self.config.singular(&param_name).to_upper_camel_case());
            let name = self.name(&location, default);
            self.hoist_at(schema, &name, &location)?;
        }
        Ok(())
    }

    /// Error bodies of several shapes: each distinct shape is hoisted as `{Op}Error{Status}`
    /// (the first status that has it), and every error response refers to one union,
    /// `{Op}Error`, of those shapes (or to the shape itself when there is only one).
    fn unite_error_bodies(&mut self, id: &str, op: &mut Value) -> Result<()> {
        let op_name = pascal(id);
        let mut shapes: Vec<(Value, String)> = Vec::new();
        for (status, response) in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
            if is_success(status) {
                continue;
            }
            let Some(schema) = response.pointer_mut(JSON_SCHEMA) else { continue };
            let shape = without_docs_deep(schema);
            if !shapes.iter().any(|(s, _)| without_docs_deep(s) == shape) {
                let name = format!("{op_name}Error{status}");
                let mut copy = schema.clone();
                self.hoist_at(&mut copy, &name, &format!("error:{id}.{status}"))?;
                shapes.push((schema.clone(), name));
            }
        }
        let target = match shapes.as_slice() {
            [] => return Ok(()),
            [(_, only)] => only.clone(),
            many => {
                let name = format!("{op_name}Error");
                let refs: Vec<Value> = many.iter().map(|(_, n)| json!({"$ref": format!("#/components/schemas/{n}")})).collect();
                // untagged: the first shape that fits is taken, in status order
                self.insert(&name, json!({"oneOf": refs}), &format!("error:{id}"))?;
                name
            }
        };
        for (status, response) in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
            if !is_success(status)
                && let Some(schema) = response.pointer_mut(JSON_SCHEMA)
            {
                *schema = json!({"$ref": format!("#/components/schemas/{target}")});
            }
        }
        Ok(())
    }

    /// progenitor gives an operation one error type, so all its error bodies must be one schema.
    fn check_one_error_schema(&self, id: &str, op: &Value, error_schema: &str) -> Result<()> {
        let mut first: Option<(&str, &Value)> = None;
        for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if is_success(status) {
                continue;
            }
            let Some(schema) = response.pointer(JSON_SCHEMA) else { continue };
            match first {
                None => first = Some((status, schema)),
                // descriptions and examples may differ: the type is the same
                Some((other, first_schema)) if without_docs_deep(first_schema) != without_docs_deep(schema) => fail!(
                    "{}: operation `{id}`: the error bodies of {other} and {status} have different schemas; \
                     the SDK decodes every error body as one `{}` (first difference at {})",
                    self.file,
                    error_schema,
                    first_difference(&without_docs_deep(first_schema), &without_docs_deep(schema), String::new())
                        .unwrap_or_else(|| "/".into())
                ),
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn name(&self, location: &str, default: String) -> String {
        match self.config.name_override(location) {
            Some(name) => {
                self.used_overrides.borrow_mut().insert(location.to_string());
                name.to_string()
            }
            None => default,
        }
    }

    /// Hoists `schema` (in place) under `name` if it is an object with properties or an enum;
    /// otherwise descends into array items, which are named after `name` too.
    fn hoist_at(&mut self, schema: &mut Value, name: &str, location: &str) -> Result<()> {
        if schema.get("$ref").is_some() {
            return Ok(());
        }
        if is_hoistable(schema) {
            self.hoist_named(schema, name, location)
        } else if let Some(items) = schema.get_mut("items") {
            self.hoist_at(items, name, location)
        } else {
            Ok(())
        }
    }

    fn hoist_named(&mut self, schema: &mut Value, name: &str, location: &str) -> Result<()> {
        // children first, so the component holds `$ref`s to its own parts
        for (prop, child) in schema.get_mut("properties").and_then(Value::as_object_mut).into_iter().flatten() {
            let child_location = format!("property:{name}.{prop}");
            let is_array = child.get("type") == Some(&json!("array"));
            let base = if is_array { self.config.singular(prop) } else { prop.clone() };
            let child_name = self.name(&child_location, format!("{name}{}", base.to_upper_camel_case()));
            self.hoist_at(child, &child_name, &child_location)?;
        }
        let mut component = std::mem::take(schema);
        let nullable = component.as_object_mut().and_then(|c| c.remove("nullable")) == Some(json!(true));
        self.insert(name, component, location)?;
        let reference = json!({"$ref": format!("#/components/schemas/{name}")});
        // OpenAPI 3.0 ignores siblings of `$ref`, so a nullable reference wraps it in allOf
        *schema = if nullable { json!({"nullable": true, "allOf": [reference]}) } else { reference };
        Ok(())
    }

    /// Adds a component; the same name again must be the same schema (docs aside).
    fn insert(&mut self, name: &str, component: Value, location: &str) -> Result<()> {
        let here = format!("{location} ({})", self.file);
        match self.schemas.get(name) {
            None => {
                self.schemas.insert(name.to_string(), component);
                self.origins.insert(name.to_string(), here);
            }
            Some(existing) if *existing == component => {}
            Some(existing) if without_docs_deep(existing) == without_docs_deep(&component) => {
                let merged = merge_docs(existing, &component);
                self.schemas.insert(name.to_string(), merged);
            }
            Some(existing) => fail!(
                "schema name `{name}` would name two different schemas: {} and {here} (first difference at {}); \
                 give one of them another name in the config's name_overrides, keyed by its location",
                self.origins[name],
                first_difference(existing, &component, String::new()).unwrap_or_else(|| "/".into())
            ),
        }
        Ok(())
    }
}

/// Keys that document a schema without changing what it accepts.
const DOC_KEYS: &[&str] = &["description", "title", "example", "examples"];

/// A schema without its documentation, at every depth: its shape, whatever its texts say.
fn without_docs_deep(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| !DOC_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), without_docs_deep(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_docs_deep).collect()),
        other => other.clone(),
    }
}

/// Two copies that differ only in their documentation (an enum described at one use and not at
/// another) are one schema. Key by key, at every depth: where both say something different the
/// smaller text wins, so the result does not depend on which copy came first.
fn merge_docs(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.dedup();
            // key order: the smaller copy's, then any doc key only the other has
            let (first, second) = if text(a) <= text(b) { (x, y) } else { (y, x) };
            let mut merged = serde_json::Map::new();
            for key in first.keys().chain(second.keys().filter(|k| !first.contains_key(*k))) {
                let value = match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) if DOC_KEYS.contains(&key.as_str()) => {
                        if text(p) <= text(q) {
                            p.clone()
                        } else {
                            q.clone()
                        }
                    }
                    (Some(p), Some(q)) => merge_docs(p, q),
                    (Some(p), None) | (None, Some(p)) => p.clone(),
                    (None, None) => continue,
                };
                merged.insert(key.clone(), value);
            }
            Value::Object(merged)
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => Value::Array(x.iter().zip(y).map(|(p, q)| merge_docs(p, q)).collect()),
        _ => a.clone(),
    }
}

/// The compact JSON text of a value: what "smaller" means when two copies disagree.
fn text(value: &Value) -> String {
    value.to_string()
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

fn is_hoistable(schema: &Value) -> bool {
    schema.get("enum").is_some() || schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
}

/// The JSON pointer of the first place two values differ.
pub fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let here = format!("{at}/{}", crate::error::escape_pointer_token(key));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, here) {
                            return Some(d);
                        }
                    }
                    _ => return Some(here),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(p, q, format!("{at}/{i}")))
        }
        _ if a == b => None,
        _ => Some(if at.is_empty() { "/".into() } else { at }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zaia's settings without its overrides (they name locations these fixtures do not have).
    fn config() -> Config {
        Config { name_overrides: &[], ..Config::zaia() }
    }

    fn error_body(description: &str) -> Value {
        json!({"description": "no", "content": {"application/json": {"schema": {
            "type": "object", "description": description,
            "properties": {"message": {"type": "string"}, "cta": {"type": "object", "properties": {
                "type": {"type": "string", "enum": ["support-contact"]}}}}}}}})
    }

    fn body(schema: Value) -> Value {
        json!({"description": "ok", "content": {"application/json": {"schema": schema}}})
    }

    fn entity() -> Value {
        json!({"type": "object", "properties": {"id": {"type": "string"},
            "status": {"type": "string", "enum": ["a", "b"], "nullable": true}}})
    }

    fn fixture() -> Value {
        json!({"paths": {
            "/api/v1/things": {
                "get": {"operationId": "list_things", "x-fragment": "t/get-list.json",
                    "parameters": [{"name": "statuses", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}}],
                    "responses": {"200": body(json!({"type": "array", "items": entity()})), "401": error_body("known")}},
                "post": {"operationId": "create_thing", "x-fragment": "t/post-create.json",
                    "requestBody": body(json!({"type": "object", "properties": {"name": {"type": "string"}}})),
                    "responses": {"201": body(entity()), "400": error_body("known"), "404": error_body("known")}}},
            "/api/v1/things/{id}": {
                "delete": {"operationId": "delete_thing", "x-fragment": "t/delete.json",
                    "responses": {"200": body(json!({"type": "object", "properties": {"message": {"type": "string"}}}))}}}}})
    }

    #[test]
    fn names_come_from_locations_and_equal_copies_collapse() {
        let doc = hoist(fixture(), &config()).unwrap();
        let names: Vec<_> = doc["components"]["schemas"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            names,
            [
                "CreateThingRequest",
                "DeleteThingResponse",
                "KnownException",
                "KnownExceptionCta",
                "KnownExceptionCtaType",
                "Thing",
                "ThingStatus"
            ]
        );
        let list = &doc["paths"]["/api/v1/things"]["get"];
        assert_eq!(
            list["responses"]["200"]["content"]["application/json"]["schema"]["items"],
            json!({"$ref": "#/components/schemas/Thing"})
        );
        // the filter and the property share one enum
        assert_eq!(list["parameters"][0]["schema"]["items"], json!({"$ref": "#/components/schemas/ThingStatus"}));
        // a nullable property keeps its nullability at the use site
        assert_eq!(
            doc["components"]["schemas"]["Thing"]["properties"]["status"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/ThingStatus"}]})
        );
        assert_eq!(doc["components"]["schemas"]["ThingStatus"], json!({"type": "string", "enum": ["a", "b"]}));
        let post = &doc["paths"]["/api/v1/things"]["post"];
        for status in ["400", "404"] {
            assert_eq!(
                post["responses"][status]["content"]["application/json"]["schema"],
                json!({"$ref": "#/components/schemas/KnownException"})
            );
        }
    }

    #[test]
    fn names_do_not_depend_on_fragment_order() {
        let mut reversed = fixture();
        let paths = reversed["paths"].as_object().unwrap().clone();
        reversed["paths"] = Value::Object(paths.into_iter().rev().collect());
        let a = hoist(fixture(), &config()).unwrap();
        let b = hoist(reversed, &config()).unwrap();
        assert_eq!(a["components"], b["components"]);
    }

    #[test]
    fn two_error_schemas_on_one_operation_are_an_error() {
        let mut doc = fixture();
        let mut other = error_body("other");
        other["content"]["application/json"]["schema"]["properties"]["message"]["type"] = json!("integer");
        doc["paths"]["/api/v1/things"]["post"]["responses"]["404"] = other;
        let err = hoist(doc, &config()).unwrap_err();
        assert_eq!(
            err.0,
            "t/post-create.json: operation `create_thing`: the error bodies of 400 and 404 have different schemas; \
             the SDK decodes every error body as one `KnownException` (first difference at /properties/message/type)"
        );
    }

    #[test]
    fn error_bodies_that_differ_only_in_documentation_are_one_schema() {
        let mut doc = fixture();
        doc["paths"]["/api/v1/things"]["post"]["responses"]["404"] = error_body("said otherwise");
        let doc = hoist(doc, &config()).unwrap();
        assert_eq!(
            doc["paths"]["/api/v1/things"]["post"]["responses"]["404"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/KnownException"})
        );
    }

    #[test]
    fn a_name_override_that_matches_nothing_is_an_error() {
        let stale = Config { name_overrides: &[("parameter:list_things.kinds", "ThingKind")], ..config() };
        let err = hoist(fixture(), &stale).unwrap_err();
        assert!(err.0.starts_with("config: name_overrides entries match no location in the spec: parameter:list_things.kinds"), "{err}");
        let used = Config { name_overrides: &[("response:list_things", "Item")], ..config() };
        assert!(hoist(fixture(), &used).unwrap()["components"]["schemas"].get("Item").is_some());
    }

    #[test]
    fn one_name_for_two_different_schemas_is_an_error_naming_both_places() {
        let mut doc = fixture();
        doc["paths"]["/api/v1/things"]["post"]["responses"]["201"] =
            body(json!({"type": "object", "properties": {"id": {"type": "integer"}}}));
        let err = hoist(doc, &config()).unwrap_err();
        assert!(
            err.0.starts_with(
                "schema name `Thing` would name two different schemas: response:list_things (t/get-list.json) and response:create_thing (t/post-create.json) (first difference at /properties/id/type)"
            ),
            "{err}"
        );
    }

    #[test]
    fn error_bodies_of_several_shapes_become_one_union_per_operation() {
        let config = Config { error_bodies: ErrorBodies::UnionPerOperation, ..Config::odyssey() };
        let shape =
            |p: Value| json!({"description": "no", "content": {"application/json": {"schema": {"type": "object", "properties": p}}}});
        let doc = json!({"paths": {"/api/things": {"get": {"operationId": "get_things", "responses": {
            "200": body(json!({"type": "object", "properties": {"data": {"type": "array"}}})),
            "400": shape(json!({"error": {"type": "string"}})),
            "403": shape(json!({"error": {"type": "object", "properties": {"message": {"type": "string", "description": "a"}}}})),
            "404": shape(json!({"error": {"type": "object", "properties": {"message": {"type": "string", "description": "b"}}}}))}}}}});
        let doc = hoist(doc, &config).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert_eq!(
            schemas["GetThingsError"],
            json!({"oneOf": [{"$ref": "#/components/schemas/GetThingsError400"}, {"$ref": "#/components/schemas/GetThingsError403"}]}),
            "403 and 404 differ only in docs"
        );
        for status in ["400", "403", "404"] {
            let schema = &doc["paths"]["/api/things"]["get"]["responses"][status]["content"]["application/json"]["schema"];
            assert_eq!(schema, &json!({"$ref": "#/components/schemas/GetThingsError"}));
        }
    }

    #[test]
    fn copies_that_differ_only_in_docs_collapse_whatever_the_order() {
        let described = json!({"type": "string", "enum": ["a"], "description": "Used here."});
        let bare = json!({"type": "string", "enum": ["a"]});
        assert_eq!(merge_docs(&bare, &described), described);
        assert_eq!(merge_docs(&described, &bare).to_string(), merge_docs(&bare, &described).to_string());
        let other = json!({"type": "string", "enum": ["a"], "description": "Another."});
        assert_eq!(merge_docs(&described, &other).to_string(), merge_docs(&other, &described).to_string());
    }

    #[test]
    fn first_difference_finds_missing_keys_and_values() {
        assert_eq!(first_difference(&json!({"a": 1}), &json!({"a": 1}), String::new()), None);
        assert_eq!(first_difference(&json!({"a": 1}), &json!({"a": 2}), String::new()).unwrap(), "/a");
        assert_eq!(first_difference(&json!({"a": [1]}), &json!({"a": [1], "b/c": 0}), String::new()).unwrap(), "/b~1c");
    }
}
