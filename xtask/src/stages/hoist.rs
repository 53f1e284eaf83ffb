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
use crate::config::{Config, ErrorBodies};
use crate::document::{for_each_operation_mut, source_of};
use crate::error::{Error, Result, fail};

#[cfg(test)]
pub fn hoist(doc: Value, config: &Config) -> Result<Value> {
    hoist_with_notes(&doc, config).map(|(doc, _)| doc)
}

/// [`hoist`], and what the maintainer should know: each clash between two rule-made names and
/// how it was resolved.
///
/// A clash (one rule-made name for two schemas that cannot be one type) is resolved by a rule,
/// not by hand: the location that sorts later takes its fallback name (`{Op}Response` for a
/// response, `{Op}{Param}` for a parameter, else the name with a number), and the run starts
/// over. An override in the config still wins over both. `doc` is left as it was (each round
/// starts from it).
pub fn hoist_with_notes(doc: &Value, config: &Config) -> Result<(Value, Vec<String>)> {
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let mut notes = Vec::new();
    // each round renames one location, so the rounds are bounded by the locations
    for _ in 0..256 {
        match hoist_once(doc.clone(), config, &renames)? {
            Ok(doc) => return Ok((doc, notes)),
            Err(clash) => {
                let (keep, rename) =
                    if clash.first.0 <= clash.second.0 { (&clash.first, &clash.second) } else { (&clash.second, &clash.first) };
                let fallback = fallback_name(&rename.0, &clash.name, config, &renames);
                if renames.contains_key(&rename.0) || config.name_override(&rename.0).is_some() || fallback == clash.name {
                    fail!(
                        "schema name `{}` would name two different schemas: {} ({}) and {} ({}) (first difference at {}); \
                         give one of them another name in the config's name_overrides, keyed by its location",
                        clash.name,
                        clash.first.0,
                        clash.first.1,
                        clash.second.0,
                        clash.second.1,
                        clash.pointer
                    );
                }
                notes.push(format!(
                    "`{}` would name two different schemas, {} ({}) and {} ({}), first difference at {}: {} keeps it, {} is named `{fallback}` \
                     (a name_overrides entry keyed by the location picks another name)",
                    clash.name, clash.first.0, clash.first.1, clash.second.0, clash.second.1, clash.pointer, keep.0, rename.0
                ));
                renames.insert(rename.0.clone(), fallback);
            }
        }
    }
    fail!("hoist: name clashes did not settle after 256 renames")
}

/// The name a location takes when its rule-made name is taken by another schema.
fn fallback_name(location: &str, name: &str, config: &Config, renames: &BTreeMap<String, String>) -> String {
    let (kind, rest) = location.split_once(':').unwrap_or(("", location));
    let candidate = match kind {
        "response" => format!("{}Response", pascal(rest)),
        "parameter" => {
            let (op, param) = rest.split_once('.').unwrap_or((rest, ""));
            format!("{}{}", pascal(op), config.singular(param).to_upper_camel_case())
        }
        _ => String::new(),
    };
    if !candidate.is_empty() && candidate != name && !renames.values().any(|n| *n == candidate) {
        return candidate;
    }
    (2..).map(|n| format!("{name}{n}")).find(|c| !renames.values().any(|n| n == c)).expect("an unused number")
}

/// Two locations whose rule-made name is the same but whose schemas cannot be one type.
struct Clash {
    name: String,
    /// `(location, file)` of each side.
    first: (String, String),
    second: (String, String),
    pointer: String,
}

/// One hoisting pass with the given automatic renames: the document, or the first clash.
fn hoist_once(mut doc: Value, config: &Config, renames: &BTreeMap<String, String>) -> Result<std::result::Result<Value, Clash>> {
    let existing = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut hoister = Hoister {
        config,
        origins: existing.keys().map(|k| (k.clone(), ("the fragments' own components".to_string(), String::new()))).collect(),
        copies: existing.iter().map(|(k, v)| (k.clone(), vec![v.clone()])).collect(),
        schemas: existing,
        file: String::new(),
        error: None,
        clash: None,
        used_overrides: std::cell::RefCell::default(),
        auto_names: renames.clone(),
        overrides: config.name_overrides.iter().copied().collect(),
        camel_cache: std::cell::RefCell::default(),
    };
    for_each_operation_mut(&mut doc, |path, _, op| {
        if hoister.error.is_none()
            && hoister.clash.is_none()
            && let Err(e) = hoister.operation(path, op)
        {
            hoister.error = Some(e);
        }
    });
    if let Some(clash) = hoister.clash {
        return Ok(Err(clash));
    }
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
    Ok(Ok(doc))
}

struct Hoister<'c> {
    config: &'c Config,
    /// name → the component: the union of its copies
    schemas: Map<String, Value>,
    /// name → every distinct copy met under it (the union is taken over them sorted, so it does
    /// not depend on the order operations are visited in)
    copies: BTreeMap<String, Vec<Value>>,
    /// name → (location, file) of its first definition
    origins: BTreeMap<String, (String, String)>,
    file: String,
    error: Option<Error>,
    clash: Option<Clash>,
    /// location → name given by a rule rather than by the location itself (list envelopes'
    /// items, clash resolutions)
    auto_names: BTreeMap<String, String>,
    /// override locations looked up (an entry never looked up matches nothing)
    used_overrides: std::cell::RefCell<std::collections::BTreeSet<String>>,
    /// the config's name overrides by location (looked up for every schema of every operation)
    overrides: std::collections::HashMap<&'static str, &'static str>,
    camel_cache: std::cell::RefCell<std::collections::HashMap<String, String>>,
}

const JSON_SCHEMA: &str = "/content/application~1json/schema";

/// On an operation whose error bodies differ: the union of them, its one error type for the
/// generators.
pub const ERROR_TYPE: &str = "x-zaia-error-type";

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

        // one error shape is the API's error type (`KnownException`); an operation whose
        // error bodies differ gets a union of them, as with `UnionPerOperation`
        let one_error_schema = match self.config.error_bodies {
            ErrorBodies::One(name) if self.error_shapes(op) <= 1 => Some(name),
            _ => None,
        };
        if one_error_schema.is_none() {
            self.unite_error_bodies(&id, op)?;
        }
        let returns_entity = ["get_", "list_", "create_", "update_"].iter().any(|v| id.starts_with(v));
        let entity = format!("{resource_name}{}", action.map(|a| a.to_upper_camel_case()).unwrap_or_default());
        for (status, response) in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
            let Some(schema) = response.pointer_mut(JSON_SCHEMA) else { continue };
            if is_success(status) {
                let location = format!("response:{id}");
                let mut default = if returns_entity { entity.clone() } else { format!("{}Response", pascal(&id)) };
                // a list in an envelope (`{data: [...], hasMore}`): the items are the entity,
                // the envelope its page
                if id.starts_with("list_")
                    && let Some(items) = envelope_items(schema)
                {
                    let page = format!("{default}Page");
                    self.auto_names.entry(format!("property:{page}.{items}")).or_insert(default);
                    default = page;
                }
                let name = self.name(&location, default);
                self.hoist_at(schema, &name, &location)?;
            } else if let Some(error_schema) = one_error_schema {
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
            if !shapes.iter().any(|(shape, _)| same_shape(shape, schema)) {
                // a reference is its own name; an inline shape is hoisted under one
                let referenced = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"));
                let name = match referenced {
                    Some(name) => name.to_string(),
                    None => {
                        let name = format!("{op_name}Error{status}");
                        let mut copy = schema.clone();
                        self.hoist_at(&mut copy, &name, &format!("error:{id}.{status}"))?;
                        if copy.get("$ref").is_none() {
                            // not an object or enum (an array, a string): the union holds it as it is
                            self.insert(&name, copy, &format!("error:{id}.{status}"))?;
                        }
                        name
                    }
                };
                shapes.push((schema.clone(), name));
            }
        }
        let target = match shapes.as_slice() {
            [] => return Ok(()),
            [(_, only)] => only.clone(),
            many => {
                // a union of the vendor's own components is the same union wherever it is used
                // (one type, not one per operation); one with an inline shape is the operation's
                let all_shared = many.iter().all(|(schema, _)| schema.get("$ref").is_some());
                let name = if all_shared {
                    many.iter().map(|(_, n)| n.to_upper_camel_case()).collect::<Vec<_>>().join("Or")
                } else {
                    format!("{op_name}Error")
                };
                let refs: Vec<Value> = many.iter().map(|(_, n)| json!({"$ref": format!("#/components/schemas/{n}")})).collect();
                // untagged: the first shape that fits is taken, in status order
                self.insert(&name, json!({"oneOf": refs}), &format!("error:{id}"))?;
                name
            }
        };
        // each status keeps its own shape in the spec (what the mock answers and validates);
        // the generators, which give an operation one error type, are handed the union
        // (`generator_forms::one_response_kind`)
        for (status, response) in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
            if !is_success(status)
                && let Some(schema) = response.pointer_mut(JSON_SCHEMA)
                && let Some((_, name)) = shapes.iter().find(|(shape, _)| same_shape(shape, schema))
            {
                *schema = json!({"$ref": format!("#/components/schemas/{name}")});
            }
        }
        if shapes.len() > 1 {
            // a reference, so that a later renaming of components follows it
            op[ERROR_TYPE] = json!({"$ref": format!("#/components/schemas/{target}")});
        }
        Ok(())
    }

    /// How many different JSON error bodies the operation documents (documentation aside).
    fn error_shapes(&self, op: &Value) -> usize {
        let mut shapes: Vec<&Value> = Vec::new();
        for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if is_success(status) {
                continue;
            }
            let Some(schema) = response.pointer(JSON_SCHEMA) else { continue };
            if !shapes.iter().any(|shape| same_shape(shape, schema)) {
                shapes.push(schema);
            }
        }
        shapes.len()
    }

    /// `chat_id` → `ChatId`, remembered: the same few property names recur in every schema,
    /// and heck's conversion was a quarter of hoisting.
    fn camel(&self, word: &str) -> String {
        let mut cache = self.camel_cache.borrow_mut();
        if let Some(camel) = cache.get(word) {
            return camel.clone();
        }
        let camel = word.to_upper_camel_case();
        cache.insert(word.to_string(), camel.clone());
        camel
    }

    fn name(&self, location: &str, default: String) -> String {
        match self.overrides.get(location) {
            Some(name) => {
                self.used_overrides.borrow_mut().insert(location.to_string());
                name.to_string()
            }
            None => self.auto_names.get(location).cloned().unwrap_or(default),
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
        // the alternatives of a union: named after it, by discriminator value or title
        for keyword in ["oneOf", "anyOf"] {
            let discriminator = schema.pointer("/discriminator/propertyName").and_then(Value::as_str).map(String::from);
            for (i, alternative) in schema.get_mut(keyword).and_then(Value::as_array_mut).into_iter().flatten().enumerate() {
                let variant = alternative_name(alternative, discriminator.as_deref()).unwrap_or_else(|| format!("Option{}", i + 1));
                let alt_location = format!("alternative:{name}.{i}");
                let alt_name = self.name(&alt_location, format!("{name}{variant}"));
                self.hoist_at(alternative, &alt_name, &alt_location)?;
            }
        }
        // children first, so the component holds `$ref`s to its own parts
        for (prop, child) in schema.get_mut("properties").and_then(Value::as_object_mut).into_iter().flatten() {
            let child_location = format!("property:{name}.{prop}");
            let is_array = child.get("type") == Some(&json!("array"));
            let base = if is_array { self.config.singular(prop) } else { prop.clone() };
            let child_name = self.name(&child_location, format!("{name}{}", self.camel(&base)));
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

    /// Adds a component. The same name again is one type when the copies can be: they may
    /// differ in documentation, optional fields, enum values, nullability and limits, and the
    /// component is their union ([`unite`]). Anything else is a clash, resolved by a rename.
    fn insert(&mut self, name: &str, component: Value, location: &str) -> Result<()> {
        let copies = self.copies.entry(name.to_string()).or_default();
        if copies.contains(&component) {
            return Ok(());
        }
        copies.push(component.clone());
        let mut sorted: Vec<&Value> = copies.iter().collect();
        sorted.sort_by_cached_key(|v| text(v));
        let mut united = sorted[0].clone();
        for copy in &sorted[1..] {
            match unite(&united, copy) {
                Some(u) => united = u,
                None => {
                    let (first_location, first_file) = self.origins[name].clone();
                    let pointer = first_difference(
                        &without_docs_deep(self.schemas.get(name).unwrap_or(&united)),
                        &without_docs_deep(&component),
                        String::new(),
                    )
                    .unwrap_or_else(|| "/".into());
                    self.clash = Some(Clash {
                        name: name.to_string(),
                        first: (first_location, first_file),
                        second: (location.to_string(), self.file.clone()),
                        pointer,
                    });
                    // stop this pass: the caller renames and starts over
                    return Err(Error("clash".into()));
                }
            }
        }
        self.origins.entry(name.to_string()).or_insert_with(|| (location.to_string(), self.file.clone()));
        self.schemas.insert(name.to_string(), united);
        Ok(())
    }
}

/// The property of a list's envelope that holds its items: the one array of objects among the
/// envelope's properties (`data`, `items`, `results`, ...).
fn envelope_items(schema: &Value) -> Option<String> {
    if schema.get("type") == Some(&json!("array")) {
        return None;
    }
    let properties = schema.get("properties")?.as_object()?;
    let mut arrays = properties.iter().filter(|(_, p)| p.get("type") == Some(&json!("array")) && p.get("items").is_some_and(is_hoistable));
    let (name, _) = arrays.next()?;
    arrays.next().is_none().then(|| name.clone())
}

/// A union alternative's own name: its discriminator value (`kind: ["http"]` → `Http`) or title.
fn alternative_name(alternative: &Value, discriminator: Option<&str>) -> Option<String> {
    if let Some(property) = discriminator
        && let Some(values) = alternative.pointer(&format!("/properties/{property}/enum")).and_then(Value::as_array)
        && let [Value::String(value)] = values.as_slice()
    {
        return Some(value.to_upper_camel_case());
    }
    alternative.get("title").and_then(Value::as_str).map(|t| t.to_upper_camel_case())
}

/// Keys whose differences between two copies are limits: the union keeps a limit both copies
/// state alike and drops one they disagree on (the loosest reading; each operation's own
/// limits are still checked, from its own copy, see `codegen::limits`).
const LIMIT_KEYS: &[&str] = &[
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "pattern",
    "multipleOf",
    "default",
    "readOnly",
    "writeOnly",
    "minProperties",
    "maxProperties",
];

/// The one type two copies of a schema can be, if any: properties of either (required only
/// where both require them), enum values of either, nullable if either is, limits both state
/// alike, the smaller text of differing documentation. `None` where they truly differ (a type,
/// a format, an enum against a free value).
pub fn unite(a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            // a nullable reference is the reference wrapped in allOf; either side may be so
            let (x, y) = (as_nullable_ref(x, y), as_nullable_ref(y, x));
            let (first, second) = if text(a) <= text(b) { (&x, &y) } else { (&y, &x) };
            let mut merged = Map::new();
            for key in first.keys().chain(second.keys().filter(|k| !first.contains_key(*k))) {
                let (p, q) = (x.get(key), y.get(key));
                let value = match key.as_str() {
                    k if DOC_KEYS.contains(&k) => match (p, q) {
                        (Some(p), Some(q)) => {
                            if text(p) <= text(q) {
                                p.clone()
                            } else {
                                q.clone()
                            }
                        }
                        (Some(v), None) | (None, Some(v)) => v.clone(),
                        (None, None) => continue,
                    },
                    "nullable" | "deprecated" => {
                        if p == Some(&json!(true)) || q == Some(&json!(true)) {
                            json!(true)
                        } else if p.is_some() && q.is_some() {
                            json!(false)
                        } else {
                            continue;
                        }
                    }
                    "properties" => {
                        let (p, q) = (p?.as_object()?, q?.as_object()?);
                        let mut props = Map::new();
                        let (pf, ps) = if text(&Value::Object(p.clone())) <= text(&Value::Object(q.clone())) { (p, q) } else { (q, p) };
                        for name in pf.keys().chain(ps.keys().filter(|k| !pf.contains_key(*k))) {
                            let united = match (p.get(name), q.get(name)) {
                                (Some(s), Some(t)) => unite(s, t)?,
                                (Some(s), None) | (None, Some(s)) => s.clone(),
                                (None, None) => continue,
                            };
                            props.insert(name.clone(), united);
                        }
                        Value::Object(props)
                    }
                    "required" => {
                        let empty = Vec::new();
                        let p = p.and_then(Value::as_array).unwrap_or(&empty);
                        let q = q.and_then(Value::as_array).unwrap_or(&empty);
                        Value::Array(p.iter().filter(|r| q.contains(r)).cloned().collect())
                    }
                    "enum" => {
                        let (p, q) = (p?.as_array()?, q?.as_array()?);
                        let mut values = p.clone();
                        values.extend(q.iter().filter(|v| !p.contains(v)).cloned());
                        Value::Array(values)
                    }
                    k if LIMIT_KEYS.contains(&k) => match (p, q) {
                        (Some(p), Some(q)) if p == q => p.clone(),
                        _ => continue,
                    },
                    "items" | "additionalProperties" => match (p, q) {
                        (Some(p), Some(q)) => unite(p, q)?,
                        _ => return None,
                    },
                    _ => match (p, q) {
                        (Some(p), Some(q)) if p == q => p.clone(),
                        (Some(p), Some(q)) if p.is_object() && q.is_object() => unite(p, q)?,
                        (Some(Value::Array(p)), Some(Value::Array(q))) if p.len() == q.len() => {
                            Value::Array(p.iter().zip(q).map(|(s, t)| unite(s, t)).collect::<Option<_>>()?)
                        }
                        _ => return None,
                    },
                };
                merged.insert(key.clone(), value);
            }
            Some(Value::Object(merged))
        }
        _ if a == b => Some(a.clone()),
        _ => None,
    }
}

/// `{$ref}` as `{nullable: true, allOf: [{$ref}]}` when the other copy is the nullable form of
/// the same reference.
fn as_nullable_ref(this: &Map<String, Value>, other: &Map<String, Value>) -> Map<String, Value> {
    if let Some(reference) = this.get("$ref")
        && this.len() == 1
        && other.get("allOf") == Some(&json!([{"$ref": reference}]))
    {
        let mut wrapped = Map::new();
        wrapped.insert("allOf".into(), json!([{"$ref": reference}]));
        return wrapped;
    }
    this.clone()
}

/// Keys that document a schema without changing what it accepts.
const DOC_KEYS: &[&str] = &["description", "title", "example", "examples"];

/// Whether two schemas are the same but for their documentation: [`without_docs_deep`] of both,
/// compared, without the copies.
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let shaped = |map: &'_ Map<String, Value>| map.keys().filter(|k| !DOC_KEYS.contains(&k.as_str())).count();
            shaped(a) == shaped(b)
                && a.iter().filter(|(k, _)| !DOC_KEYS.contains(&k.as_str())).all(|(k, v)| b.get(k).is_some_and(|w| same_shape(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same_shape(v, w)),
        (a, b) => a == b,
    }
}

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

/// The compact JSON text of a value: what "smaller" means when two copies disagree.
fn text(value: &Value) -> String {
    value.to_string()
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

fn is_hoistable(schema: &Value) -> bool {
    schema.get("enum").is_some()
        || schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
        || schema.get("oneOf").is_some()
        || schema.get("anyOf").is_some()
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

    #[test]
    fn same_shape_is_equality_of_the_schemas_without_their_docs() {
        let a = json!({"type": "object", "description": "A.", "properties": {"m": {"type": "string", "example": "x"}}, "required": ["m"]});
        let b = json!({"type": "object", "properties": {"m": {"type": "string", "title": "M"}}, "required": ["m"]});
        let c = json!({"type": "object", "properties": {"m": {"type": "integer"}}, "required": ["m"]});
        let d = json!({"type": "object", "properties": {"m": {"type": "string"}}});
        for (x, y) in [(&a, &b), (&a, &c), (&b, &c), (&a, &d), (&d, &b)] {
            assert_eq!(same_shape(x, y), without_docs_deep(x) == without_docs_deep(y), "{x} / {y}");
            assert_eq!(same_shape(x, y), same_shape(y, x));
        }
        assert!(same_shape(&a, &b) && !same_shape(&a, &c) && !same_shape(&a, &d));
    }

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
    fn an_operation_with_an_error_schema_per_status_gets_a_union_of_them() {
        let mut doc = fixture();
        let mut other = error_body("other");
        other["content"]["application/json"]["schema"]["properties"]["message"]["type"] = json!("integer");
        doc["paths"]["/api/v1/things"]["post"]["responses"]["404"] = other;
        let doc = hoist(doc, &config()).unwrap();
        let responses = &doc["paths"]["/api/v1/things"]["post"]["responses"];
        assert_eq!(responses["400"]["content"]["application/json"]["schema"], json!({"$ref": "#/components/schemas/CreateThingError400"}));
        assert_eq!(responses["404"]["content"]["application/json"]["schema"], json!({"$ref": "#/components/schemas/CreateThingError404"}));
        assert_eq!(doc["paths"]["/api/v1/things"]["post"][ERROR_TYPE], json!({"$ref": "#/components/schemas/CreateThingError"}));
        assert_eq!(
            doc["components"]["schemas"]["CreateThingError"],
            json!({"oneOf": [{"$ref": "#/components/schemas/CreateThingError400"}, {"$ref": "#/components/schemas/CreateThingError404"}]})
        );
        // other operations keep the API's one error type
        let list = &doc["paths"]["/api/v1/things"]["get"]["responses"];
        assert!(
            list.as_object()
                .unwrap()
                .iter()
                .filter(|(s, _)| !s.starts_with('2'))
                .all(|(_, r)| r["content"]["application/json"]["schema"] == json!({"$ref": "#/components/schemas/KnownException"}))
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
    fn a_clash_between_rule_made_names_is_resolved_by_rule_and_printed() {
        let mut doc = fixture();
        doc["paths"]["/api/v1/things"]["post"]["responses"]["201"] =
            body(json!({"type": "object", "properties": {"id": {"type": "integer"}}}));
        let (doc, notes) = hoist_with_notes(&doc, &config()).unwrap();
        // the location that sorts first keeps the name; the other takes its fallback
        let list = &doc["paths"]["/api/v1/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"];
        assert_eq!(list, &json!({"$ref": "#/components/schemas/ListThingsResponse"}));
        assert_eq!(doc["components"]["schemas"]["Thing"]["properties"]["id"]["type"], "integer");
        assert_eq!(doc["components"]["schemas"]["ListThingsResponse"]["properties"]["id"]["type"], "string");
        assert_eq!(
            notes,
            [
                "`Thing` would name two different schemas, response:list_things (t/get-list.json) and response:create_thing (t/post-create.json), \
              first difference at /properties/id/type: response:create_thing keeps it, response:list_things is named `ListThingsResponse` \
              (a name_overrides entry keyed by the location picks another name)"
            ]
        );
        // the same whatever the order
        let mut reversed = doc.clone();
        let paths = reversed["paths"].as_object().unwrap().clone();
        reversed["paths"] = Value::Object(paths.into_iter().rev().collect());
        assert_eq!(hoist(reversed, &config()).unwrap()["components"], doc["components"]);
    }

    #[test]
    fn a_clash_an_override_fixes_in_place_is_an_error_naming_both_places() {
        let mut doc = fixture();
        doc["paths"]["/api/v1/things"]["post"]["responses"]["201"] =
            body(json!({"type": "object", "properties": {"id": {"type": "integer"}}}));
        let forced = Config {
            name_overrides: &[("response:create_thing", "Thing"), ("response:list_things", "Thing")],
            strict_overrides: false,
            ..config()
        };
        let err = hoist(doc, &forced).unwrap_err();
        assert!(
            err.0.starts_with("schema name `Thing` would name two different schemas: response:list_things (t/get-list.json) and response:create_thing (t/post-create.json) (first difference at /properties/id/type)"),
            "{err}"
        );
    }

    #[test]
    fn copies_that_drift_apart_are_one_type_with_their_union() {
        // the vendor updates one fragment's copy: an optional field, an enum value, a nullable
        let mut doc = fixture();
        let created = &mut doc["paths"]["/api/v1/things"]["post"]["responses"]["201"]["content"]["application/json"]["schema"];
        created["properties"]["languageTag"] = json!({"type": "string"});
        created["properties"]["status"]["enum"] = json!(["a", "b", "c"]);
        created["required"] = json!(["id", "languageTag"]);
        doc["paths"]["/api/v1/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"]["required"] =
            json!(["id"]);
        let (doc, notes) = hoist_with_notes(&doc, &config()).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Thing"]["properties"]["languageTag"], json!({"type": "string"}));
        // required only where every copy requires it: a copy without the field decodes
        assert_eq!(schemas["Thing"]["required"], json!(["id"]));
        assert_eq!(schemas["ThingStatus"]["enum"], json!(["a", "b", "c"]));
    }

    #[test]
    fn unite_keeps_what_both_say_and_refuses_a_real_difference() {
        let a = json!({"type": "string", "maxLength": 5, "nullable": true});
        let b = json!({"type": "string", "maxLength": 9});
        assert_eq!(unite(&a, &b).unwrap(), json!({"type": "string", "nullable": true}));
        assert_eq!(unite(&json!({"type": "string"}), &json!({"type": "integer"})), None);
        assert_eq!(unite(&json!({"type": "string", "format": "uuid"}), &json!({"type": "string"})), None);
        assert_eq!(unite(&json!({"type": "string", "enum": ["a"]}), &json!({"type": "string"})), None);
        let reference = json!({"$ref": "#/components/schemas/X"});
        let nullable = json!({"nullable": true, "allOf": [reference.clone()]});
        assert_eq!(unite(&reference, &nullable).unwrap(), nullable);
    }

    #[test]
    fn a_list_in_an_envelope_names_its_items_after_the_entity() {
        let doc = json!({"paths": {"/api/v1/things": {"get": {"operationId": "list_things", "responses": {
            "200": body(json!({"type": "object", "properties": {"data": {"type": "array", "items": entity()}, "hasMore": {"type": "boolean"}}}))}},
            "post": {"operationId": "create_thing", "responses": {"201": body(entity())}}}}});
        let doc = hoist(doc, &config()).unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["ThingPage"]["properties"]["data"]["items"], json!({"$ref": "#/components/schemas/Thing"}));
        assert!(schemas.get("ThingPageData").is_none());
    }

    #[test]
    fn union_alternatives_are_named_by_discriminator_value_or_title() {
        let alt =
            |kind: &str| json!({"type": "object", "properties": {"kind": {"type": "string", "enum": [kind]}, "id": {"type": "string"}}});
        let doc = json!({"paths": {"/api/v1/things/{id}": {"get": {"operationId": "get_thing", "responses": {
            "200": body(json!({"oneOf": [alt("http"), alt("email"), {"title": "other thing", "type": "object", "properties": {"x": {"type": "string"}}}],
                "discriminator": {"propertyName": "kind"}}))}}}}});
        let doc = hoist(doc, &config()).unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Thing"]["oneOf"],
            json!([{"$ref": "#/components/schemas/ThingHttp"}, {"$ref": "#/components/schemas/ThingEmail"}, {"$ref": "#/components/schemas/ThingOtherThing"}])
        );
        assert_eq!(schemas["Thing"]["discriminator"], json!({"propertyName": "kind"}));
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
        // each status keeps its own shape; the operation names the union its error type
        let op = &doc["paths"]["/api/things"]["get"];
        for (status, shape) in [("400", "GetThingsError400"), ("403", "GetThingsError403"), ("404", "GetThingsError403")] {
            let schema = &op["responses"][status]["content"]["application/json"]["schema"];
            assert_eq!(schema, &json!({"$ref": format!("#/components/schemas/{shape}")}));
        }
        assert_eq!(op[ERROR_TYPE], json!({"$ref": "#/components/schemas/GetThingsError"}));
    }

    #[test]
    fn copies_that_differ_only_in_docs_collapse_whatever_the_order() {
        let described = json!({"type": "string", "enum": ["a"], "description": "Used here."});
        let bare = json!({"type": "string", "enum": ["a"]});
        assert_eq!(unite(&bare, &described).unwrap(), described);
        assert_eq!(unite(&described, &bare).unwrap().to_string(), unite(&bare, &described).unwrap().to_string());
        let other = json!({"type": "string", "enum": ["a"], "description": "Another."});
        assert_eq!(unite(&described, &other).unwrap().to_string(), unite(&other, &described).unwrap().to_string());
    }

    #[test]
    fn first_difference_finds_missing_keys_and_values() {
        assert_eq!(first_difference(&json!({"a": 1}), &json!({"a": 1}), String::new()), None);
        assert_eq!(first_difference(&json!({"a": 1}), &json!({"a": 2}), String::new()).unwrap(), "/a");
        assert_eq!(first_difference(&json!({"a": [1]}), &json!({"a": [1], "b/c": 0}), String::new()).unwrap(), "/b~1c");
    }
}
