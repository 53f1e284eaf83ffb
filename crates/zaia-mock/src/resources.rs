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
                let param = op.path.trim_end_matches('/').rsplit('/').next().unwrap_or("").trim_matches(['{', '}']).to_string();
                let key_of = |item: &Value| item_key(&param, item);
                let Some(index) = items.iter().position(|item| key_of(item).as_deref() == Some(id.as_str())) else {
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

/// An item's key, as its item path's parameter (`{param}`) names it: the member of that name
/// (`sound_id`), else one that ends in it (`event_exception_id` for `{exception_id}`), else `id`.
///
/// ```
/// let item = serde_json::json!({"guild_id": "g", "event_exception_id": "e"});
/// assert_eq!(zaia_mock::item_key("exception_id", &item).as_deref(), Some("e"));
/// ```
pub fn item_key(param: &str, item: &Value) -> Option<String> {
    let members = item.as_object()?;
    let found = members
        .get(param)
        .or_else(|| members.iter().find(|(name, _)| name.len() > param.len() && name.ends_with(param)).map(|(_, v)| v))
        .or_else(|| members.get("id"));
    match found? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
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

/// The list vocabulary the generator's pagination recognises (`xtask/src/codegen/pagination.rs`
/// lists the same names): the query parameters that carry a cursor, and the envelope fields
/// that give the next cursor and say whether there is more.
pub(crate) const CURSOR_PARAMS: &[&str] = &["startingAfter", "starting_after", "after", "cursor", "pageToken", "page_token", "nextToken"];
const NEXT_CURSOR_FIELDS: &[&str] = &["nextCursor", "next_cursor", "nextPageToken", "next_page_token", "nextToken", "cursor"];
const HAS_MORE_FIELDS: &[&str] = &["hasMore", "has_more", "hasNextPage", "has_next_page"];

/// The query's first value of any of `names`.
fn first<'q>(query: &'q [(String, String)], names: &[&str]) -> Option<&'q str> {
    query.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.as_str())
}

/// Whether a list request asks for a page after the first (a page number over 1, an offset, a
/// cursor): with nothing stored, such a page is the empty last one, so every stream ends.
pub(crate) fn is_later_page(query: &[(String, String)]) -> bool {
    let number = |name: &str| first(query, &[name]).and_then(|v| v.parse::<u64>().ok());
    first(query, CURSOR_PARAMS).is_some() || number("offset").is_some_and(|o| o > 0) || number("pageNumber").is_some_and(|n| n > 1)
}

/// Stored items as one page of a list, in the list's own form: a bare array, or an envelope
/// whose one array member holds the items (with its has-more flag and next cursor set).
pub(crate) fn list(items: &[Value], query: &[(String, String)], schema: Option<&Value>, synthesised: &Value) -> Value {
    let number = |names: &[&str]| first(query, names).and_then(|v| v.parse::<usize>().ok());
    let size = number(&["pageSize", "limit"]).unwrap_or(items.len()).max(1);
    let start = match (first(query, CURSOR_PARAMS), number(&["offset"]), number(&["pageNumber"])) {
        (Some(after), _, _) => items.iter().position(|i| i.get("id").and_then(Value::as_str) == Some(after)).map_or(items.len(), |p| p + 1),
        (None, Some(offset), _) => offset,
        (None, None, Some(page)) => page.saturating_sub(1) * size,
        (None, None, None) => 0,
    };
    let page: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
    let more = start + page.len() < items.len();
    let fitted = |example: &[Value], item_schema: Option<Value>| -> Value {
        let template = example.first().cloned().unwrap_or(Value::Null);
        Value::Array(page.iter().map(|i| fit(i, item_schema.as_ref(), &template)).collect())
    };
    match synthesised {
        Value::Array(example) => fitted(example, schema.map(|s| spec::spec().resolve(s).get("items").cloned().unwrap_or(Value::Null))),
        Value::Object(envelope) => {
            // the items: the one array member, or the one array of objects among several
            let arrays: Vec<&String> = envelope.iter().filter(|(_, v)| v.is_array()).map(|(k, _)| k).collect();
            let of_objects: Vec<&String> = arrays
                .iter()
                .copied()
                .filter(|k| envelope[k.as_str()].as_array().is_some_and(|a| a.first().is_some_and(Value::is_object)))
                .collect();
            let items_field = match (arrays.as_slice(), of_objects.as_slice()) {
                ([only], _) | (_, [only]) => *only,
                _ => return synthesised.clone(),
            };
            let mut out: Map<String, Value> = envelope.clone();
            let item_schema = schema.and_then(|s| spec::spec().resolve(s).pointer(&format!("/properties/{items_field}/items")).cloned());
            out[items_field] = fitted(envelope[items_field].as_array().map(Vec::as_slice).unwrap_or_default(), item_schema);
            for name in HAS_MORE_FIELDS {
                if let Some(flag @ Value::Bool(_)) = out.get_mut(*name) {
                    *flag = Value::Bool(more);
                }
            }
            // the last page's next cursor: null, else an empty text (both end a stream)
            let last_id = page.last().and_then(|i| i.get("id")).cloned().unwrap_or(Value::Null);
            for name in NEXT_CURSOR_FIELDS.iter().copied().filter(|n| *n != items_field.as_str()) {
                if !out.contains_key(name) {
                    continue;
                }
                out[name] = if more { last_id.clone() } else { Value::Null };
                if !more && !valid(schema, &Value::Object(out.clone())) {
                    out[name] = Value::String(String::new());
                }
            }
            // an end stays an end even where the schema disagrees; a page with items must fit
            let out = Value::Object(out);
            if page.is_empty() || valid(schema, &out) { out } else { synthesised.clone() }
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_later_page_of_an_envelope_is_its_empty_end_and_nothing_else_changes() {
        let synthesised =
            json!({"results": [{"id": "a"}], "warnings": ["w"], "has_more": true, "hasAttachments": true, "nextPageToken": "x"});
        assert!(is_later_page(&query(&[("pageToken", "x")])));
        assert!(is_later_page(&query(&[("offset", "20")])) && is_later_page(&query(&[("pageNumber", "2")])));
        assert!(!is_later_page(&query(&[("offset", "0"), ("pageNumber", "1"), ("limit", "5")])));
        let end = list(&[], &query(&[("pageToken", "x")]), None, &synthesised);
        assert_eq!(end, json!({"results": [], "warnings": ["w"], "has_more": false, "hasAttachments": true, "nextPageToken": null}));
    }

    #[test]
    fn stored_items_page_by_offset_and_cursor() {
        let items: Vec<Value> = (0..5).map(|i| json!({"id": format!("i{i}")})).collect();
        let envelope = json!({"data": [{"id": "x"}], "hasMore": true, "nextCursor": "x"});
        let page = list(&items, &query(&[("limit", "2"), ("offset", "2")]), None, &envelope);
        assert_eq!(page, json!({"data": [{"id": "i2"}, {"id": "i3"}], "hasMore": true, "nextCursor": "i3"}));
        let last = list(&items, &query(&[("limit", "2"), ("cursor", "i3")]), None, &envelope);
        assert_eq!(last, json!({"data": [{"id": "i4"}], "hasMore": false, "nextCursor": null}));
    }
}
