//! State for the operations served from the spec, whatever the resource: a create stores the
//! posted fields with the generated ones (id, timestamps), a get or a list answers what was
//! stored (a list in its own form: array or envelope, page numbers, offset or cursor), an
//! update changes it, a delete removes it (later gets answer the documented 404). With nothing
//! stored for a collection, answers are synthesised from the spec as before.
//!
//! An operation's role comes from its method and path: `POST /things` creates, `GET /things`
//! lists, `GET|PATCH|PUT|DELETE /things/{id}` read, change and remove the item whose `id` is
//! the path's last value. Collections are keyed by their concrete path, so nested resources
//! (`/things/{id}/parts`) are kept per parent. Every answer still validates against the
//! operation's own schema: a stored item that does not fit it is laid over a synthesised
//! answer field by field, where the result still validates.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::spec::{self, Operation};

/// The stored items, by collection path.
#[derive(Debug, Default)]
pub(crate) struct Resources {
    collections: BTreeMap<String, Vec<Value>>,
    /// Collections that ever held an item (a missing id there is a 404, not a synthesis).
    known: std::collections::BTreeSet<String>,
    created: u64,
}

/// What an operation does to its collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Create,
    List,
    Get,
    Update,
    Delete,
    Other,
}

/// The role of a request to `op` at `uri_path`, and its collection's key (the concrete path).
pub(crate) fn role(op: &Operation, uri_path: &str) -> (Role, String, Option<String>) {
    let ends_in_param = op.path.trim_end_matches('/').rsplit('/').next().is_some_and(|s| s.starts_with('{'));
    let concrete = uri_path.trim_end_matches('/');
    let (collection, id) = match concrete.rsplit_once('/') {
        Some((parent, last)) if ends_in_param => (parent.to_string(), Some(last.to_string())),
        _ => (concrete.to_string(), None),
    };
    let role = match (op.method.as_str(), ends_in_param) {
        ("POST", false) => Role::Create,
        ("GET", false) => Role::List,
        ("GET", true) => Role::Get,
        ("PATCH" | "PUT", true) => Role::Update,
        ("DELETE", true) => Role::Delete,
        _ => Role::Other,
    };
    (role, collection, id)
}

/// What the state answers, when it has something to say.
pub(crate) enum Answer {
    /// This body, with the operation's success status.
    Body(Value),
    /// The item is not there: the documented 404.
    NotFound,
    /// Nothing stored: synthesise as before.
    Synthesise,
}

impl Resources {
    /// Serves one request to an operation without a handwritten handler. `synthesised` is the
    /// answer the spec alone would give.
    pub(crate) fn serve(
        &mut self,
        op: &Operation,
        uri_path: &str,
        query: &[(String, String)],
        body: &Value,
        synthesised: &Value,
    ) -> Answer {
        let (role, collection, id) = role(op, uri_path);
        let schema = op.success().1.cloned();
        match role {
            Role::Create => {
                let Value::Object(_) = synthesised else { return Answer::Synthesise };
                self.created += 1;
                let mut item = overlay(synthesised, body, schema.as_ref());
                if let Some(Value::String(old)) = item.get("id") {
                    // a fresh id, in the id's own form
                    let fresh = match old.parse::<uuid::Uuid>() {
                        Ok(_) => uuid::Uuid::from_u64_pair(0x6d6f_636b, self.created).to_string(),
                        Err(_) => format!("{old}-{}", self.created),
                    };
                    item["id"] = Value::String(fresh);
                }
                let item = fit(&item, schema.as_ref(), synthesised);
                self.collections.entry(collection.clone()).or_default().push(item.clone());
                self.known.insert(collection);
                Answer::Body(item)
            }
            Role::Get | Role::Update | Role::Delete => {
                let id = id.unwrap_or_default();
                let items = self.collections.entry(collection.clone()).or_default();
                let Some(index) = items.iter().position(|item| item.get("id").and_then(Value::as_str) == Some(id.as_str())) else {
                    return if self.known.contains(&collection) && op.documents(404) { Answer::NotFound } else { Answer::Synthesise };
                };
                match role {
                    Role::Get => Answer::Body(fit(&items[index], schema.as_ref(), synthesised)),
                    Role::Update => {
                        let updated = merge(&items[index], body);
                        items[index] = updated.clone();
                        Answer::Body(fit(&updated, schema.as_ref(), synthesised))
                    }
                    _ => {
                        let removed = items.remove(index);
                        Answer::Body(if schema.is_some() { fit(&removed, schema.as_ref(), synthesised) } else { Value::Null })
                    }
                }
            }
            // a collection that ever held an item answers what it holds (perhaps nothing)
            Role::List if self.known.contains(&collection) => {
                let items = self.collections.get(&collection).map(Vec::as_slice).unwrap_or_default();
                Answer::Body(list(items, query, schema.as_ref(), synthesised))
            }
            Role::List => Answer::Synthesise,
            Role::Other => Answer::Synthesise,
        }
    }
}

fn valid(schema: Option<&Value>, value: &Value) -> bool {
    schema.is_none_or(|s| spec::spec().validator(s).is_valid(value))
}

/// `base` with each of `fields`' members that it has, where the result still validates.
fn overlay(base: &Value, fields: &Value, schema: Option<&Value>) -> Value {
    let mut out = base.clone();
    let Some(fields) = fields.as_object() else { return out };
    for (key, value) in fields {
        if out.get(key).is_none() {
            continue;
        }
        let before = out[key].clone();
        out[key] = value.clone();
        if !valid(schema, &out) {
            out[key] = before;
        }
    }
    out
}

/// A stored item as the answer of an operation: itself when it validates against the
/// operation's schema, else laid over the synthesised answer where it fits.
fn fit(item: &Value, schema: Option<&Value>, synthesised: &Value) -> Value {
    if valid(schema, item) { item.clone() } else { overlay(synthesised, item, schema) }
}

/// An update: the stored item with the request's members (`null` clears a nullable one).
fn merge(item: &Value, changes: &Value) -> Value {
    let mut out = item.clone();
    if let (Some(out), Some(changes)) = (out.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

/// The query's first value of any of `names`.
fn first<'q>(query: &'q [(String, String)], names: &[&str]) -> Option<&'q str> {
    query.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.as_str())
}

/// Stored items as one page of a list, in the list's own form.
fn list(items: &[Value], query: &[(String, String)], schema: Option<&Value>, synthesised: &Value) -> Value {
    let number = |names: &[&str]| first(query, names).and_then(|v| v.parse::<usize>().ok());
    let size = number(&["pageSize", "limit"]).unwrap_or(items.len()).max(1);
    let cursor = first(query, &["startingAfter", "starting_after", "after", "cursor", "pageToken", "page_token", "nextToken"]);
    let start = match (cursor, number(&["offset"]), number(&["pageNumber"])) {
        (Some(after), _, _) => items.iter().position(|i| i.get("id").and_then(Value::as_str) == Some(after)).map_or(items.len(), |p| p + 1),
        (None, Some(offset), _) => offset,
        (None, None, Some(page)) => page.saturating_sub(1) * size,
        (None, None, None) => 0,
    };
    let page: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
    let more = start + page.len() < items.len();
    let last_id = page.last().and_then(|i| i.get("id")).cloned().unwrap_or(Value::Null);
    match synthesised {
        Value::Array(example) => {
            let item_schema = schema.map(items_schema);
            let template = example.first().cloned().unwrap_or(Value::Null);
            Value::Array(page.iter().map(|i| fit(i, item_schema.as_ref(), &template)).collect())
        }
        Value::Object(envelope) => {
            let mut out: Map<String, Value> = envelope.clone();
            for (name, value) in out.iter_mut() {
                match value {
                    Value::Array(example) => {
                        let template = example.first().cloned().unwrap_or(Value::Null);
                        let item_schema = schema.and_then(|s| envelope_items_schema(s, name));
                        *value = Value::Array(page.iter().map(|i| fit(i, item_schema.as_ref(), &template)).collect());
                    }
                    Value::Bool(_) if name.to_ascii_lowercase().starts_with("has") => *value = Value::Bool(more),
                    _ if name.to_ascii_lowercase().contains("next") || name == "cursor" => {
                        *value = if more { last_id.clone() } else { Value::Null };
                    }
                    _ => {}
                }
            }
            let out = Value::Object(out);
            if valid(schema, &out) { out } else { synthesised.clone() }
        }
        other => other.clone(),
    }
}

/// The items' schema of an array schema (a reference is followed).
fn items_schema(schema: &Value) -> Value {
    let resolved = resolve(schema);
    resolved.get("items").cloned().unwrap_or(Value::Null)
}

/// The schema of an envelope's array member `name`.
fn envelope_items_schema(schema: &Value, name: &str) -> Option<Value> {
    resolve(schema).pointer(&format!("/properties/{name}/items")).cloned()
}

fn resolve(schema: &Value) -> Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => spec::spec().document().pointer(r.trim_start_matches('#')).map(resolve).unwrap_or(Value::Null),
        None => schema.clone(),
    }
}
