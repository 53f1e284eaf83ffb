//! `zaia-ext/src/pagination/generated.rs`: a `*_pages` stream for every list the spec shows to
//! be paginated, on top of zaia-ext's handwritten `Pages` runtime.
//!
//! A list is a GET whose success body is an array. Its shape decides the stream:
//!
//! | parameters | stream | page size |
//! |---|---|---|
//! | `pageNumber` and `pageSize` | every page until a short one | `pageSize`'s range; by default its maximum (fewest requests) |
//! | a `limit` (or an object parameter with a `limit` member) | the one page there is | `limit`'s range; by default its `default` (what the server would send) |
//! | a page size (`PageSize`, `page_size`, `per_page`, `limit`) and a next link in the envelope (`meta.next_page_url`, `links.next`) | each page from the query of the link the one before gives, until it gives none | the size's range; by default its maximum |
//!
//! Required parameters other than those become arguments of the method (`chat_id` of
//! `list_chat_messages_pages`); the rest are set by the caller's closure on the generated
//! builder. A list of any other shape gets no stream, and [`generate`] says why in a note.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::format_file;
use super::syn_helpers::snake_ident;
use std::collections::BTreeMap;

use super::builders::Builder;
use crate::config::{Config, PageParams};
use crate::document::operations;
use crate::error::Result;

/// Query parameters that carry a cursor: where the next page starts.
pub const CURSOR_PARAMS: &[&str] =
    &["startingAfter", "starting_after", "after", "cursor", "pageToken", "page_token", "nextToken", "before"];
/// The query parameter that pages backward from a key (`before`), beside one that pages forward
/// (`after`): which of the two the stream sends is decided by the order of the first page.
pub const BACKWARD_PARAM: &str = "before";
/// Envelope fields that give the next page's cursor.
pub const NEXT_CURSOR_FIELDS: &[&str] = &["nextCursor", "next_cursor", "nextPageToken", "next_page_token", "nextToken", "cursor"];
/// Envelope fields that say whether a next page exists.
pub const HAS_MORE_FIELDS: &[&str] = &["hasMore", "has_more", "hasNextPage", "has_next_page"];
/// The query parameter that skips items (with a limit: a page).
pub const OFFSET_PARAM: &str = "offset";

/// How one list pages.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    PageNumber,
    /// `offset` + `limit`: pages of `limit` items, the n-th at offset `(n - 1) * limit`.
    Offset,
    /// A cursor parameter: each page starts where the one before ended.
    Cursor {
        /// The cursor parameter's wire name.
        param: String,
        next: NextCursor,
        /// With a key cursor (`after`), the parameter that pages the other way (`before`): a
        /// list whose first page runs newest first pages on with it.
        backward: Option<String>,
    },
    /// `Some((object parameter, its component))` when the limit is a member of it
    /// (`pagination: ChatMessagePagination {limit}`).
    Limit {
        object: Option<(String, String)>,
    },
    /// A link to the next page in the envelope (`meta.next_page_url`): the next request is
    /// the same call with the string query parameters the link carries (`PageToken`).
    NextLink {
        /// The envelope's field that holds the link, or the object the link is in (Rust name).
        field: String,
        /// The link inside that field's value, as a JSON pointer of wire names (`/next_page_url`;
        /// empty when the field is the link).
        pointer: String,
        /// The string query parameters the link may carry: (wire name, setter).
        params: Vec<(String, String)>,
    },
}

/// Envelope fields that link to the next page, by name without case or separators.
pub const NEXT_LINK_FIELDS: &[&str] = &["nextpageurl", "nextpage", "nexturl", "nextlink", "next"];
/// Page-size parameters of a list that pages by link, by name without case or separators.
pub const LINK_SIZE_PARAMS: &[&str] = &["pagesize", "perpage", "limit"];

fn bare(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

/// The envelope's link to the next page: `(field, pointer inside it)`, one or two levels down.
fn next_link(spec: &Value, envelope: &Value) -> Option<(String, String)> {
    let is_link = |name: &str, s: &Value| {
        NEXT_LINK_FIELDS.contains(&bare(name).as_str()) && resolved(spec, s).get("type") == Some(&Value::from("string"))
    };
    find_in_envelope(spec, envelope, 0, &is_link)
}

/// Where a cursor list's next cursor comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum NextCursor {
    /// The envelope's `field` (Rust name), at `pointer` inside it (wire names; empty when the
    /// field is the cursor): `nextCursor`, or `pages` + `/next/starting_after`.
    Field { field: String, pointer: String },
    /// The last item's `key`, while the envelope's `more` field (Rust name, and whether it is
    /// required) says so, or, without one, while pages are full.
    AfterLast { key: KeyPath, more: Option<(String, bool)> },
}

/// The way from an item to its key: each step's Rust field and whether it is optional
/// (`id`; a member's `user` then `id`).
pub type KeyPath = Vec<(String, bool)>;

/// A list with a stream.
#[derive(Debug, Clone)]
pub struct PagedList {
    /// The envelope's field that holds the items (Rust name); `None` when the body is the array.
    pub items_field: Option<String>,
    /// The Rust type of the cursor parameter (cursor lists only).
    pub cursor_type: Option<TokenStream>,
    /// The Rust type of the backward parameter (`before`) of a key cursor list that has one.
    pub backward_type: Option<TokenStream>,
    pub id: String,
    pub method: String,
    pub path: String,
    pub shape: Shape,
    /// The page-size (or limit) parameter's wire name.
    pub size_name: String,
    pub size_min: u64,
    pub size_max: u64,
    pub size_default: u64,
    /// Component name of the items.
    pub item: String,
    /// Required parameters besides the page ones: (wire name, Rust type).
    pub arguments: Vec<(String, TokenStream)>,
}

/// The paginated lists, and a note for every list that got no stream. `setters` are the
/// generated client's builders: the types of arguments the spec does not name plainly.
pub fn collect(spec: &Value, config: &Config, setters: &BTreeMap<String, Builder>) -> (Vec<PagedList>, Vec<String>) {
    let mut lists = Vec::new();
    let mut notes = Vec::new();
    for (path, method, op) in operations(spec) {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let Some((item, envelope)) = (method == "get").then(|| list_item(spec, &path, op)).flatten() else { continue };
        // an array with nothing to page by is the whole list in one answer, not a page of it
        if !pages_at_all(spec, config, op, envelope.map(|(_, e)| e)) {
            continue;
        }
        let builder = setters.get(&id.to_upper_camel_case());
        match paged_list(spec, config, &id, &path, op, item, envelope, builder) {
            Ok(list) => lists.push(list),
            Err(why) => notes.push(format!("pagination: {id} (GET {path}) gets no `{id}_pages` stream: {why}")),
        }
    }
    (lists, notes)
}

/// Whether a list says it comes in pages: a page, size, offset or cursor parameter, or an
/// envelope that says whether there is more or where it is.
fn pages_at_all(spec: &Value, config: &Config, op: &Value, envelope: Option<&Value>) -> bool {
    let PageParams { number, size, limit } = config.page_params;
    let paging: Vec<String> =
        [number, size, limit, OFFSET_PARAM, "page"].iter().chain(CURSOR_PARAMS).chain(LINK_SIZE_PARAMS).map(|n| bare(n)).collect();
    let params = op.get("parameters").and_then(Value::as_array).into_iter().flatten();
    // a paging parameter, or an object parameter with a limit member (`pagination: {limit}`)
    let member = |p: &Value| resolved(spec, &p["schema"]).pointer(&format!("/properties/{limit}")).is_some();
    if params.filter(|p| p["in"] == "query").any(|p| paging.contains(&bare(p["name"].as_str().unwrap_or_default())) || member(p)) {
        return true;
    }
    let Some(envelope) = envelope else { return false };
    let says: Vec<String> = HAS_MORE_FIELDS.iter().chain(NEXT_CURSOR_FIELDS).map(|n| bare(n)).collect();
    let fields = envelope.get("properties").and_then(Value::as_object).into_iter().flatten();
    fields.into_iter().any(|(name, _)| says.contains(&bare(name))) || next_link(spec, envelope).is_some()
}

/// The item component of a GET whose success body is an array of `$ref`s, or an envelope
/// (an object with exactly one array property: `{data: [...], hasMore}`), with the envelope.
fn list_item<'s>(spec: &'s Value, path: &str, op: &'s Value) -> Option<(&'s str, Option<(&'s str, &'s Value)>)> {
    let responses = op.get("responses")?.as_object()?;
    let (_, success) = responses.iter().find(|(status, _)| status.starts_with('2'))?;
    let schema = success.pointer("/content/application~1json/schema")?;
    let item_of = |array: &'s Value| -> &'s str {
        array.pointer("/items/$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")).unwrap_or("")
    };
    // a list that may be `null` (`Option<Vec<T>>`) is not one the streams page
    let nullable = |s: &Value| s.get("nullable") == Some(&Value::Bool(true));
    if schema.get("type").is_some_and(|t| t == "array") {
        return (!nullable(schema)).then(|| (item_of(schema), None));
    }
    let envelope = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(r.trim_start_matches('#'))?,
        None => schema,
    };
    // the items: the one array member, or the one array of named schemas among several (the
    // rule hoisting names the entity by, `stages::hoist::envelope_items`), or among several the
    // one the path names (`threads` of `/channels/{id}/threads/archived`, `audit_log_entries`
    // of `/guilds/{id}/audit-logs`); more than that is a list nothing here can page, which the
    // caller notes
    let properties = envelope.get("properties")?.as_object()?;
    let arrays: Vec<(&String, &Value)> = properties.iter().filter(|(_, p)| p.get("type").is_some_and(|t| t == "array")).collect();
    let of_items: Vec<(&String, &Value)> = arrays.iter().copied().filter(|(_, a)| !item_of(a).is_empty()).collect();
    let (field, array) = match (arrays.as_slice(), of_items.as_slice()) {
        ([], _) => return None,
        ([only], _) | (_, [only]) => *only,
        (_, several) => match named_by_path(path, several) {
            Some(one) => one,
            None => return Some(("", Some(("", envelope)))),
        },
    };
    if nullable(array) {
        return None;
    }
    Some((item_of(array), Some((field.as_str(), envelope))))
}

/// Of several arrays, the one the path names: the last literal segment, without a plural `s`,
/// that begins exactly one array's name.
fn named_by_path<'s>(path: &str, arrays: &[(&'s String, &'s Value)]) -> Option<(&'s String, &'s Value)> {
    path.rsplit('/').filter(|s| !s.starts_with('{') && !s.is_empty()).find_map(|segment| {
        let stem = bare(segment);
        let stem = stem.strip_suffix('s').unwrap_or(&stem);
        if stem.len() < 3 {
            return None;
        }
        let named: Vec<_> = arrays.iter().filter(|(name, _)| bare(name).starts_with(stem)).collect();
        match named.as_slice() {
            [one] => Some(**one),
            _ => None,
        }
    })
}

/// The Rust name typify gives a property (keywords take a trailing `_`).
fn rust_field(wire: &str) -> String {
    snake_ident(wire)
}

#[allow(clippy::too_many_arguments)]
fn paged_list(
    spec: &Value,
    config: &Config,
    id: &str,
    path: &str,
    op: &Value,
    item: &str,
    envelope: Option<(&str, &Value)>,
    builder: Option<&Builder>,
) -> Result<PagedList, String> {
    if item.is_empty() {
        return Err("its items are not a named schema, or there are several arrays of them and the path names none".into());
    }
    let field_of = |names: &[&str]| -> Option<(String, bool)> {
        let (_, env) = envelope?;
        let required = |n: &str| env.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|x| x == n));
        names.iter().find(|n| env.pointer(&format!("/properties/{n}")).is_some()).map(|n| (rust_field(n), required(n)))
    };
    let params: Vec<&Value> = op.get("parameters").and_then(Value::as_array).into_iter().flatten().collect();
    let query = |name: &str| params.iter().find(|p| p["in"] == "query" && p["name"] == name).copied();
    let resolve = |schema: &Value| resolved(spec, schema);
    // the Rust type of a parameter: named plainly by its schema, or as progenitor's setter takes it
    let type_of = |p: &Value| -> Option<TokenStream> {
        let wire = p["name"].as_str().unwrap_or_default();
        rust_type(&p["schema"], config)
            .or_else(|| builder?.setters.get(&snake_ident(wire)).map(|ty| super::builders::caller_type(&qualified(ty, config))))
    };
    let size_param = || {
        query(config.page_params.limit).or_else(|| query(config.page_params.size)).or_else(|| {
            params
                .iter()
                .find(|p| p["in"] == "query" && LINK_SIZE_PARAMS.contains(&bare(p["name"].as_str().unwrap_or_default()).as_str()))
                .copied()
        })
    };
    let PageParams { number, size, limit } = config.page_params;
    // a cursor parameter by name, or any string query parameter the envelope gives back by its
    // own name (`next` → `next`, `starting_after` → `pages.next.starting_after`)
    let echoed = || {
        let (_, env) = envelope?;
        params.iter().copied().find(|p| {
            let name = p["name"].as_str().unwrap_or_default();
            p["in"] == "query"
                && resolve(&p["schema"]).get("type") == Some(&Value::from("string"))
                && ![number, size, limit].contains(&name)
                && cursor_field(spec, env, &[name]).is_some_and(|(outer, pointer)| paging_path(&outer, &pointer))
        })
    };
    let cursor_param = CURSOR_PARAMS.iter().find_map(|n| query(n)).or_else(echoed);
    let mut cursor_type = None;
    let mut backward_type = None;
    let (shape, size_schema, size_name, page_names): (Shape, Value, String, Vec<String>) = if let (Some(_), Some(size_param)) =
        (query(number), query(size))
    {
        (Shape::PageNumber, resolve(&size_param["schema"]), size.to_string(), vec![number.to_string(), size.to_string()])
    } else if let (Some(cursor), Some(size_param)) = (cursor_param, size_param()) {
        let param = cursor["name"].as_str().unwrap_or_default().to_string();
        let names: Vec<&str> = std::iter::once(param.as_str()).chain(NEXT_CURSOR_FIELDS.iter().copied()).collect();
        let next = match envelope.and_then(|(_, env)| cursor_field(spec, env, &names)) {
            // a next-cursor field, or the next request's parameter itself (`pages.next.starting_after`)
            Some((field, pointer)) => NextCursor::Field { field: rust_field(&field), pointer },
            None => match item_key(spec, item, &cursor["schema"]) {
                Some(key) => NextCursor::AfterLast { key, more: field_of(HAS_MORE_FIELDS) },
                None => {
                    return Err(format!(
                        "cursor `{param}`: the envelope has no next-cursor field ({}) nor a `{param}` of its own, and the items have no key of the cursor's type to start after (`id`, a member's `id`, or the one field of the cursor's format)",
                        NEXT_CURSOR_FIELDS.join(", ")
                    ));
                }
            },
        };
        cursor_type = Some(type_of(cursor).ok_or_else(|| format!("the cursor `{param}` has no plain Rust type here"))?);
        let mut names = vec![param.clone()];
        // a key cursor forward with one backward beside it: the first page's order picks
        let backward = match (&next, query(BACKWARD_PARAM)) {
            (NextCursor::AfterLast { .. }, Some(before))
                if param != BACKWARD_PARAM && same_type(spec, &before["schema"], &cursor["schema"]) =>
            {
                backward_type = type_of(before);
                names.push(BACKWARD_PARAM.to_string());
                backward_type.is_some().then(|| BACKWARD_PARAM.to_string())
            }
            _ => None,
        };
        let size_wire = size_param["name"].as_str().unwrap_or_default().to_string();
        names.push(size_wire.clone());
        (Shape::Cursor { param: param.clone(), next, backward }, resolve(&size_param["schema"]), size_wire, names)
    } else if let (Some(_), Some(limit_param)) = (query(OFFSET_PARAM), query(limit)) {
        (Shape::Offset, resolve(&limit_param["schema"]), limit.to_string(), vec![OFFSET_PARAM.to_string(), limit.to_string()])
    } else if let Some(limit_param) = query(limit) {
        (Shape::Limit { object: None }, resolve(&limit_param["schema"]), limit.to_string(), vec![limit.to_string()])
    } else if let Some((object, member)) = params.iter().filter(|p| p["in"] == "query").find_map(|p| {
        let schema = resolve(&p["schema"]);
        let member = schema.pointer(&format!("/properties/{limit}")).map(&resolve)?;
        // the object must be buildable from the limit alone
        let others_required = schema.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n != limit));
        let type_name = p.pointer("/schema/$ref").and_then(Value::as_str)?.strip_prefix("#/components/schemas/")?.to_string();
        (!others_required).then(|| ((p["name"].as_str().unwrap_or_default().to_string(), type_name), member))
    }) {
        let name = object.0.clone();
        (Shape::Limit { object: Some(object) }, member, limit.to_string(), vec![name])
    } else if let (Some((field, pointer)), Some(size_param)) = (
        envelope.and_then(|(_, env)| next_link(spec, env)),
        params.iter().find(|p| p["in"] == "query" && LINK_SIZE_PARAMS.contains(&bare(p["name"].as_str().unwrap_or_default()).as_str())),
    ) {
        let size_wire = size_param["name"].as_str().unwrap_or_default().to_string();
        // the string query parameters a link can carry (a page token, and filters, set again)
        let link_params: Vec<(String, String)> = params
            .iter()
            .filter(|p| {
                p["in"] == "query" && p["name"] != size_wire.as_str() && resolve(&p["schema"]).get("type") == Some(&Value::from("string"))
            })
            .filter(|p| resolve(&p["schema"]).get("format").is_none() && resolve(&p["schema"]).get("enum").is_none())
            .map(|p| {
                let wire = p["name"].as_str().unwrap_or_default().to_string();
                (wire.clone(), snake_ident(&wire))
            })
            .collect();
        if link_params.is_empty() {
            return Err(format!("a next link (`{field}{pointer}`) but no string query parameter it could carry"));
        }
        (
            Shape::NextLink { field: rust_field(&field), pointer, params: link_params },
            resolve(&size_param["schema"]),
            size_wire.clone(),
            vec![size_wire],
        )
    } else {
        return Err(format!(
            "no `{number}` + `{size}`, no cursor ({}) + `{limit}`, no `{OFFSET_PARAM}` + `{limit}`, no `{limit}` parameter, and no page size ({}) with a next link ({}) in the envelope",
            CURSOR_PARAMS.join(", "),
            LINK_SIZE_PARAMS.join(", "),
            NEXT_LINK_FIELDS.join(", ")
        ));
    };
    if size_schema.get("type") != Some(&Value::from("integer")) {
        return Err(format!("`{size_name}` is not an integer"));
    }
    let bound = |key: &str| size_schema.get(key).and_then(Value::as_u64);
    let size_min = bound("minimum").unwrap_or(1).max(1);
    let Some(size_max) = bound("maximum") else {
        return Err(format!("`{size_name}` has no maximum: a stream would not know how much to ask for"));
    };
    let size_default = match shape {
        Shape::Limit { .. } => bound("default").unwrap_or(size_max),
        _ => size_max,
    };
    let mut arguments = Vec::new();
    for p in &params {
        let name = p["name"].as_str().unwrap_or_default();
        if p["required"] != true || page_names.iter().any(|n| n == name) {
            continue;
        }
        if p["in"] != "query" && p["in"] != "path" {
            return Err(format!("required {} parameter `{name}`", p["in"]));
        }
        match type_of(p) {
            Some(ty) => arguments.push((name.to_string(), ty)),
            None => return Err(format!("the type of required parameter `{name}` has no plain Rust name here")),
        }
    }
    Ok(PagedList {
        id: id.to_string(),
        method: "GET".into(),
        path: path.to_string(),
        shape,
        size_name,
        size_min,
        size_max,
        size_default,
        item: item.to_string(),
        arguments,
        items_field: envelope.map(|(field, _)| rust_field(field)),
        cursor_type,
        backward_type,
    })
}

/// A schema with its `$ref` (or a lone `allOf` member, or a reference in one) followed.
fn resolved(spec: &Value, schema: &Value) -> Value {
    let follow = |r: &str| spec.pointer(r.trim_start_matches('#')).cloned().unwrap_or(Value::Null);
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => follow(r),
        None => match schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            Some([one]) => match one.get("$ref").and_then(Value::as_str) {
                Some(r) => follow(r),
                None => one.clone(),
            },
            _ => schema.clone(),
        },
    }
}

/// A schema's `type` and `format`, references followed.
fn type_and_format(spec: &Value, schema: &Value) -> (Option<String>, Option<String>) {
    let s = resolved(spec, schema);
    let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
    (text("type"), text("format"))
}

fn same_type(spec: &Value, a: &Value, b: &Value) -> bool {
    type_and_format(spec, a) == type_and_format(spec, b)
}

/// Whether a property is optional in its object (not required, or nullable): typify makes it an
/// `Option`.
fn optional(spec: &Value, object: &Value, name: &str, property: &Value) -> bool {
    let required = object.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n == name));
    !required
        || property.get("nullable") == Some(&Value::Bool(true))
        || resolved(spec, property).get("nullable") == Some(&Value::Bool(true))
}

/// The key of an item a key cursor starts after: its `id`; or the `id` of the one member that
/// has one (a guild member's `user.id`); or, for a cursor with a format (a timestamp), the one
/// field of that format (`pinned_at`). Each of the cursor's type and format.
fn item_key(spec: &Value, item: &str, cursor: &Value) -> Option<KeyPath> {
    let object = resolved(spec, &serde_json::json!({"$ref": format!("#/components/schemas/{item}")}));
    let properties = object.get("properties")?.as_object()?;
    let (want_type, want_format) = type_and_format(spec, cursor);
    let fits = |s: &Value| {
        let (t, f) = type_and_format(spec, s);
        t.is_some() && t == want_type && (want_format.is_none() || f == want_format)
    };
    if let Some(id) = properties.get("id").filter(|s| fits(s)) {
        return Some(vec![(rust_field("id"), optional(spec, &object, "id", id))]);
    }
    let members: Vec<KeyPath> = properties
        .iter()
        .filter_map(|(name, s)| {
            let member = resolved(spec, s);
            let id = member.pointer("/properties/id").filter(|id| fits(id))?;
            Some(vec![(rust_field(name), optional(spec, &object, name, s)), (rust_field("id"), optional(spec, &member, "id", id))])
        })
        .collect();
    if let [one] = members.as_slice() {
        return Some(one.clone());
    }
    if want_format.is_some() {
        let same: Vec<(&String, &Value)> = properties.iter().filter(|(_, s)| fits(s)).collect();
        if let [(name, s)] = same.as_slice() {
            return Some(vec![(rust_field(name), optional(spec, &object, name, s))]);
        }
    }
    None
}

/// The first property of the envelope `wanted` accepts, at its top or inside its objects up to
/// `depth` levels below their own properties (references followed): (the envelope's field, the
/// pointer of wire names inside it; empty at the top).
fn find_in_envelope(spec: &Value, envelope: &Value, depth: usize, wanted: &dyn Fn(&str, &Value) -> bool) -> Option<(String, String)> {
    fn find(spec: &Value, schema: &Value, depth: usize, wanted: &dyn Fn(&str, &Value) -> bool) -> Option<String> {
        let object = resolved(spec, schema);
        let properties = object.get("properties")?.as_object()?;
        if let Some((name, _)) = properties.iter().find(|(n, s)| wanted(n, s)) {
            return Some(format!("/{}", crate::error::escape_pointer_token(name)));
        }
        let deeper = depth.checked_sub(1)?;
        properties
            .iter()
            .find_map(|(name, s)| find(spec, s, deeper, wanted).map(|rest| format!("/{}{rest}", crate::error::escape_pointer_token(name))))
    }
    let properties = envelope.get("properties")?.as_object()?;
    if let Some((name, _)) = properties.iter().find(|(n, s)| wanted(n, s)) {
        return Some((name.clone(), String::new()));
    }
    properties.iter().find_map(|(outer, s)| Some((outer.clone(), find(spec, s, depth, wanted)?)))
}

/// Where in the envelope the next page's cursor is: a property named as one of `names` (the
/// cursor parameter's own name, the usual next-cursor names), at the envelope's top or up to
/// three levels into it (`pages` → `next` → `starting_after`, `response_metadata` →
/// `next_cursor`). A link (`format: uri`) is not a cursor: it is followed as a link.
fn cursor_field(spec: &Value, envelope: &Value, names: &[&str]) -> Option<(String, String)> {
    let names: Vec<String> = names.iter().map(|n| bare(n)).collect();
    let is_cursor =
        |name: &str, schema: &Value| names.contains(&bare(name)) && resolved(spec, schema).get("format") != Some(&Value::from("uri"));
    find_in_envelope(spec, envelope, 1, &is_cursor)
}

/// Objects of an envelope that say where the next page is: a parameter given back inside one of
/// them (or as one of them, `next`) is a cursor, not a filter echoed (`type`, `status`).
pub const PAGING_OBJECTS: &[&str] = &["next", "pages", "paging", "pagination", "cursor", "cursors", "meta", "links"];

fn paging_path(outer: &str, pointer: &str) -> bool {
    std::iter::once(outer).chain(pointer.split('/')).any(|token| PAGING_OBJECTS.contains(&bare(token).as_str()))
}

/// A setter's type as zaia-ext names it (`types::X` is the models crate's).
fn qualified(ty: &TokenStream, config: &Config) -> TokenStream {
    let text = ty.to_string();
    match text.strip_prefix("types ::") {
        Some(rest) => format!("{}::{rest}", config.models_crate).parse().unwrap_or_else(|_| ty.clone()),
        None => ty.clone(),
    }
}

/// The Rust type the generated builder takes for a parameter of this schema.
fn rust_type(schema: &Value, config: &Config) -> Option<TokenStream> {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
        let path: TokenStream = format!("{}::{name}", config.models_crate).parse().ok()?;
        return Some(path);
    }
    match (schema.get("type")?.as_str()?, schema.get("format").and_then(Value::as_str)) {
        ("string", Some("uuid")) => Some(quote! { ::uuid::Uuid }),
        ("string", Some("date-time")) => Some(quote! { ::chrono::DateTime<::chrono::Utc> }),
        ("string", None) => Some(quote! { ::std::string::String }),
        ("boolean", _) => Some(quote! { bool }),
        ("array", _) => {
            let item = rust_type(schema.get("items")?, config)?;
            Some(quote! { ::std::vec::Vec<#item> })
        }
        _ => None,
    }
}

/// `|item| ...` giving an item's key: `&item.id`, `&item.user.id`, or through an optional member
/// `item.user.as_ref().map(|v| &v.id)` (a missing key serializes as `null`, which ends the list).
fn key_closure(key: &KeyPath) -> TokenStream {
    match key.as_slice() {
        [(outer, true), (inner, _)] => {
            let (outer, inner) = (format_ident!("{outer}"), format_ident!("{inner}"));
            quote! { |item| crate::pagination::pages::key_of(&item.#outer.as_ref().map(|v| &v.#inner)) }
        }
        path => {
            let fields = path.iter().map(|(f, _)| format_ident!("{f}"));
            quote! { |item| crate::pagination::pages::key_of(&item #(.#fields)*) }
        }
    }
}

/// The Rust file: the `Paginate` trait and its impl for the generated client.
pub fn generate(lists: &[PagedList], config: &Config, resources: &super::features::Resources) -> Result<String> {
    let models: TokenStream = config.models_crate.parse().expect("checked by the client stage");
    let mut declarations = Vec::new();
    let mut implementations = Vec::new();
    for list in lists {
        let method = format_ident!("{}_pages", list.id);
        let call = format_ident!("{}", list.id);
        let builder = format_ident!("{}", list.id.to_upper_camel_case());
        let item = format_ident!("{}", list.item);
        let args: Vec<_> = list.arguments.iter().map(|(name, ty)| (format_ident!("{}", snake_ident(name)), ty)).collect();
        let params = args.iter().map(|(name, ty)| quote! { #name: #ty });
        let setters = args.iter().map(|(name, _)| quote! { .#name(#name) });
        let what = describe(list);
        let doc = format!("`{} {}`: {what}.", list.method, list.path);
        let filter = quote! { F: Fn(builder::#builder<'a>) -> builder::#builder<'a> + Send + Sync + 'a };
        let signature = quote! { fn #method<'a, F>(&'a self, #(#params,)* filter: F) -> Pages<'a, #models::#item> where #filter };
        let cfg = resources.cfg_of(&list.id);
        declarations.push(quote! {
            #[doc = #doc]
            #cfg
            #signature;
        });
        // the list's own `Paged` impl (`calls/generated.rs`) pages the filtered request; the
        // closure-based streams have no per-call deadline: the client's applies
        implementations.push(quote! {
            #cfg
            #signature {
                Paged::pages(filter(self.#call() #(#setters)*), None)
            }
        });
    }
    let tokens = quote! {
        use zaia_client::builder;

        use crate::operation::Paged;
        use crate::pagination::pages::Pages;

        /// Streams over the paginated lists, as methods on the client (see [`Pages`]).
        ///
        /// Each takes a closure that sets the list's filters on the generated request builder;
        /// the stream sets the page parameters.
        pub trait Paginate {
            #(#declarations)*
        }

        // a deprecated list still pages; its own method's warning is the caller's to see
        #[allow(deprecated)]
        impl Paginate for zaia_client::Client {
            #(#implementations)*
        }
    };
    format_file(tokens, "pagination")
}

/// What a list's stream fetches, in words (for docs).
pub fn describe(list: &PagedList) -> String {
    let (min, max, default, size_name) = (list.size_min, list.size_max, list.size_default, &list.size_name);
    match &list.shape {
        Shape::Offset => format!(
            "every page, `{size_name}` {min}..={max} items each at the next `{OFFSET_PARAM}` ({default} unless the page size says otherwise)"
        ),
        Shape::Cursor { param, .. } => format!(
            "every page, each from the `{param}` cursor the one before gives, `{size_name}` {min}..={max} items each ({default} unless the page size says otherwise)"
        ),
        Shape::PageNumber => format!("every page, `{size_name}` {min}..={max} items each ({default} unless the page size says otherwise)"),
        Shape::NextLink { .. } => format!(
            "every page, each from the link the one before gives, `{size_name}` {min}..={max} items each ({default} unless the page size says otherwise)"
        ),
        Shape::Limit { .. } => {
            format!("the one page it has: up to `{size_name}` items, {min}..={max} ({default} unless the page size says otherwise)")
        }
    }
}

/// The `Pages` stream of a list: `base` is an expression that gives a fresh request builder with
/// the caller's filters (evaluated once per page), and a `timeout: Option<Duration>` must be in
/// scope (each page's deadline).
pub fn pages_expr(list: &PagedList, config: &Config, base: &TokenStream) -> TokenStream {
    let models: TokenStream = config.models_crate.parse().expect("checked by the client stage");
    let (min, max, default, size_name) = (list.size_min, list.size_max, list.size_default, &list.size_name);
    let kind = match &list.shape {
        Shape::Offset | Shape::PageNumber => quote! { page_numbers },
        Shape::Cursor { .. } | Shape::NextLink { .. } => quote! { cursor },
        Shape::Limit { .. } => quote! { single_page },
    };
    // a single-page list has no page number to send
    let ignore_page = matches!(list.shape, Shape::Limit { .. }).then(|| quote! { let _ = page; });
    let paging = match &list.shape {
        Shape::Offset => {
            let offset = format_ident!("{}", snake_ident(OFFSET_PARAM));
            let limit = format_ident!("{}", snake_ident(config.page_params.limit));
            quote! { .#offset((page - 1) * size).#limit(size) }
        }
        Shape::Cursor { .. } | Shape::NextLink { .. } => {
            let size = format_ident!("{}", snake_ident(&list.size_name));
            quote! { .#size(size) }
        }
        Shape::PageNumber => {
            let number = format_ident!("{}", snake_ident(config.page_params.number));
            let size = format_ident!("{}", snake_ident(config.page_params.size));
            quote! { .#number(page).#size(size) }
        }
        Shape::Limit { object: None } => {
            let limit = format_ident!("{}", snake_ident(config.page_params.limit));
            quote! { .#limit(size) }
        }
        Shape::Limit { object: Some((object, type_name)) } => {
            let setter = format_ident!("{}", snake_ident(object));
            let type_name = format_ident!("{type_name}");
            let limit = config.page_params.limit;
            quote! { .#setter(crate::pagination::pages::member_object::<#models::#type_name>(#limit, size)) }
        }
    };
    let items = match &list.items_field {
        Some(field) => {
            let field = format_ident!("{field}");
            quote! { crate::call::send(call.send(), timeout).await.map(|page| page.into_inner().#field) }
        }
        None => quote! { crate::pagination::pages::items(crate::call::send(call.send(), timeout).await) },
    };
    let fetch = if let Shape::NextLink { field, pointer, params } = &list.shape {
        let field = format_ident!("{field}");
        let items_field = format_ident!("{}", list.items_field.as_deref().unwrap_or("items"));
        let (wires, setters): (Vec<&String>, Vec<syn::Ident>) = params.iter().map(|(w, s)| (w, format_ident!("{s}"))).unzip();
        quote! {
            Box::new(move |cursor, size| {
                let call = #base #paging;
                Box::pin(async move {
                    let call = match cursor {
                        Some(cursor) => {
                            let link = crate::pagination::pages::link_query(cursor)?;
                            let mut call = call;
                            let mut applied = false;
                            #(
                                if let Some(value) = crate::pagination::pages::link_param(&link, #wires) {
                                    call = call.#setters(value);
                                    applied = true;
                                }
                            )*
                            // a link that carries none of them would ask for the same page again
                            if !applied {
                                return Err(crate::pagination::pages::link_without(&[#(#wires),*]));
                            }
                            call
                        }
                        None => call,
                    };
                    let page = crate::call::send(call.send(), timeout).await?.into_inner();
                    let next = crate::pagination::pages::next_link(&page.#field, #pointer);
                    Ok(crate::pagination::pages::CursorPage { items: page.#items_field, next })
                })
            })
        }
    } else if let Shape::Cursor { param, next, backward } = &list.shape {
        let setter = format_ident!("{}", snake_ident(param));
        let cursor_type = list.cursor_type.as_ref().expect("cursor lists have a cursor type");
        let (items, more_default) = match &list.items_field {
            Some(field) => {
                let field = format_ident!("{field}");
                (quote! { page.#field }, quote! { page.#field.len() as u64 == size })
            }
            None => (quote! { page }, quote! { page.len() as u64 == size }),
        };
        let next = match next {
            NextCursor::Field { field, pointer } => {
                let field = format_ident!("{field}");
                quote! { crate::pagination::pages::next_cursor(&page.#field, #pointer) }
            }
            NextCursor::AfterLast { key, more } => {
                let more = match more {
                    Some((field, true)) => {
                        let f = format_ident!("{field}");
                        quote! { page.#f }
                    }
                    Some((field, false)) => {
                        let f = format_ident!("{field}");
                        quote! { page.#f.unwrap_or(#more_default) }
                    }
                    None => more_default,
                };
                let key = key_closure(key);
                match backward {
                    Some(backward) => quote! {
                        crate::pagination::pages::keyset_next(&#items, #more, #key, previous.as_ref(), #param, #backward)
                    },
                    None => quote! { crate::pagination::pages::after_last(&#items, #more, #key) },
                }
            }
        };
        let set_cursor = match (backward, &list.backward_type) {
            (Some(backward), Some(backward_type)) => {
                let back = format_ident!("{}", snake_ident(backward));
                quote! {
                    let previous = cursor.clone();
                    let call = match cursor {
                        Some(cursor) => match crate::pagination::pages::keyset_side(cursor, #backward) {
                            (true, value) => call.#back(crate::pagination::pages::cursor_value::<#backward_type>(#backward, value)?),
                            (false, value) => call.#setter(crate::pagination::pages::cursor_value::<#cursor_type>(#param, value)?),
                        },
                        None => call,
                    };
                }
            }
            _ => quote! {
                let call = match cursor {
                    Some(cursor) => call.#setter(crate::pagination::pages::cursor_value::<#cursor_type>(#param, cursor)?),
                    None => call,
                };
            },
        };
        quote! {
            Box::new(move |cursor, size| {
                let call = #base #paging;
                Box::pin(async move {
                    #set_cursor
                    let page = crate::call::send(call.send(), timeout).await?.into_inner();
                    let next = #next;
                    Ok(crate::pagination::pages::CursorPage { items: #items, next })
                })
            })
        }
    } else {
        quote! {
            Box::new(move |page, size| {
                #ignore_page
                let call = #base #paging;
                Box::pin(async move { #items })
            })
        }
    };
    quote! {
        crate::pagination::pages::Pages::#kind(
            #fetch,
            crate::pagination::pages::PageSize { name: #size_name, default: #default, range: #min..=#max },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `Paginate` file and each list's stream (the body of its `Paged` impl), as Rust.
    fn streams(lists: &[PagedList]) -> String {
        let config = Config::zaia();
        let mut code = generate(lists, &config, &Default::default()).unwrap();
        for list in lists {
            let pages = pages_expr(list, &config, &quote! { base.clone() });
            let file: syn::File = syn::parse2(quote! { fn pages() { #pages } }).unwrap();
            code.push_str(&prettyplease::unparse(&file));
        }
        code
    }
    use serde_json::json;

    fn list(params: Value) -> Value {
        json!({"paths": {"/api/v1/things": {"get": {"operationId": "list_things", "parameters": params,
            "responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}}}},
            "components": {"schemas": {"Thing": {"type": "object"}, "ThingPagination": {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 250}}}}}})
    }

    #[test]
    fn a_list_with_a_next_link_in_its_envelope_pages_by_the_links_query() {
        let spec = json!({"paths": {"/api/v1/Things": {"get": {"operationId": "list_thing", "parameters": [
                {"name": "PageSize", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "Page", "in": "query", "schema": {"type": "integer"}},
                {"name": "PageToken", "in": "query", "schema": {"type": "string"}},
                {"name": "State", "in": "query", "schema": {"type": "string", "enum": ["active", "closed"]}}],
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingPage"}}}}}}}},
            "components": {"schemas": {
                "Thing": {"type": "object"},
                "ThingPage": {"type": "object", "properties": {"things": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                    "meta": {"$ref": "#/components/schemas/ThingPageMeta"}}},
                "ThingPageMeta": {"type": "object", "properties": {"page": {"type": "integer"}, "next_page_url": {"type": "string", "format": "uri", "nullable": true}}}}}});
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        let list = &lists[0];
        assert_eq!(
            list.shape,
            Shape::NextLink {
                field: "meta".into(),
                pointer: "/next_page_url".into(),
                params: vec![("PageToken".into(), "page_token".into())]
            }
        );
        assert_eq!((list.size_name.as_str(), list.size_max, list.items_field.as_deref()), ("PageSize", 1000, Some("things")));
        let code = streams(&lists).split_whitespace().collect::<String>();
        assert!(code.contains("link_param(&link,\"PageToken\""), "{code}");
        assert!(code.contains("next_link(&page.meta,\"/next_page_url\""), "{code}");
        assert!(code.contains(".page_size(size)"), "{code}");
    }

    #[test]
    fn page_number_lists_page_with_the_schemas_range() {
        let spec = list(json!([
            {"name": "pageNumber", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "pageSize", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}},
            {"name": "ownerId", "in": "query", "required": true, "schema": {"type": "string", "format": "uuid"}}]));
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((lists[0].shape.clone(), lists[0].size_min, lists[0].size_max, lists[0].size_default), (Shape::PageNumber, 1, 50, 50));
        assert_eq!(lists[0].arguments[0].0, "ownerId");
        assert_eq!(lists[0].item, "Thing");
        let code = streams(&lists);
        assert!(code.contains("fn list_things_pages<'a, F>(\n        &'a self,\n        owner_id: ::uuid::Uuid,"), "{code}");
        assert!(code.contains(".page_number(page)") && code.contains(".page_size(size)"), "{code}");
    }

    #[test]
    fn a_limit_member_of_an_object_parameter_is_one_page() {
        let spec = list(json!([{"name": "pagination", "in": "query", "schema": {"$ref": "#/components/schemas/ThingPagination"}}]));
        let (lists, _) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert_eq!(lists[0].shape, Shape::Limit { object: Some(("pagination".into(), "ThingPagination".into())) });
        assert_eq!((lists[0].size_max, lists[0].size_default), (1000, 250));
    }

    #[test]
    fn an_unrecognised_list_gets_a_note_and_no_stream() {
        let spec = list(json!([{"name": "cursor", "in": "query", "schema": {"type": "string"}}]));
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(lists.is_empty());
        assert_eq!(
            notes,
            [
                "pagination: list_things (GET /api/v1/things) gets no `list_things_pages` stream: no `pageNumber` + `pageSize`, no cursor (startingAfter, starting_after, after, cursor, pageToken, page_token, nextToken, before) + `limit`, no `offset` + `limit`, no `limit` parameter, and no page size (pagesize, perpage, limit) with a next link (nextpageurl, nextpage, nexturl, nextlink, next) in the envelope"
            ]
        );
        let unbounded = list(
            json!([{"name": "pageNumber", "in": "query", "schema": {"type": "integer"}}, {"name": "pageSize", "in": "query", "schema": {"type": "integer"}}]),
        );
        assert!(
            collect(&unbounded, &Config::zaia(), &BTreeMap::new()).1[0]
                .ends_with("`pageSize` has no maximum: a stream would not know how much to ask for")
        );
    }

    fn envelope_list(params: Value, envelope: Value) -> Value {
        json!({"paths": {"/api/v1/things": {"get": {"operationId": "list_things", "parameters": params,
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingPage"}}}}}}}},
            "components": {"schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}, "ThingPage": envelope}}})
    }

    fn limit() -> Value {
        json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}})
    }

    #[test]
    fn a_cursor_list_in_an_envelope_starts_after_the_last_item_while_has_more_says_so() {
        let spec = envelope_list(
            json!([limit(), {"name": "startingAfter", "in": "query", "schema": {"type": "string", "format": "uuid"}}]),
            json!({"type": "object", "required": ["data", "hasMore"], "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, "hasMore": {"type": "boolean"}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            lists[0].shape,
            Shape::Cursor {
                param: "startingAfter".into(),
                next: NextCursor::AfterLast { key: vec![("id".into(), true)], more: Some(("has_more".into(), true)) },
                backward: None,
            }
        );
        assert_eq!((lists[0].items_field.as_deref(), lists[0].size_max), (Some("data"), 100));
        let code: String = streams(&lists).split_whitespace().collect();
        assert!(code.contains("Pages::cursor("), "{code}");
        assert!(
            code.contains("crate::pagination::pages::after_last(&page.data,page.has_more,|item|crate::pagination::pages::key_of(&item.id)"),
            "{code}"
        );
        assert!(code.contains(".starting_after("), "{code}");
    }

    #[test]
    fn a_cursor_list_with_a_next_cursor_field_follows_it() {
        let spec = envelope_list(
            json!([limit(), {"name": "cursor", "in": "query", "schema": {"type": "string"}}]),
            json!({"type": "object", "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, "nextCursor": {"type": "string", "nullable": true}}}),
        );
        let (lists, _) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert_eq!(
            lists[0].shape,
            Shape::Cursor {
                param: "cursor".into(),
                next: NextCursor::Field { field: "next_cursor".into(), pointer: String::new() },
                backward: None
            }
        );
        let code: String = streams(&lists).split_whitespace().collect();
        assert!(code.contains("crate::pagination::pages::next_cursor(&page.next_cursor,\"\""), "{code}");
    }

    #[test]
    fn an_offset_list_pages_by_offset() {
        let spec = list(json!([limit(), {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}]));
        let (lists, _) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert_eq!(lists[0].shape, Shape::Offset);
        let code: String = streams(&lists).split_whitespace().collect();
        assert!(code.contains(".offset((page-1)*size).limit(size)"), "{code}");
    }

    #[test]
    fn a_cursor_list_without_a_way_to_the_next_page_gets_a_note() {
        let spec = envelope_list(
            json!([limit(), {"name": "after", "in": "query", "schema": {"type": "string"}}]),
            json!({"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Other"}}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(lists.is_empty());
        assert!(notes[0].contains("cursor `after`: the envelope has no next-cursor field"), "{notes:?}");
    }

    #[test]
    fn an_envelope_with_other_arrays_pages_its_array_of_items() {
        let spec = envelope_list(
            json!([limit(), {"name": "pageToken", "in": "query", "schema": {"type": "string"}}]),
            json!({"type": "object", "properties": {
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                "warnings": {"type": "array", "items": {"type": "string"}},
                "nextPageToken": {"type": "string"}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            (lists[0].items_field.as_deref(), &lists[0].shape),
            (
                Some("results"),
                &Shape::Cursor {
                    param: "pageToken".into(),
                    next: NextCursor::Field { field: "next_page_token".into(), pointer: String::new() },
                    backward: None
                }
            )
        );
        // two arrays of items: not guessed, said
        let spec = envelope_list(
            json!([limit()]),
            json!({"type": "object", "properties": {
                "a": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                "b": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(lists.is_empty());
        assert!(
            notes[0].ends_with("its items are not a named schema, or there are several arrays of them and the path names none"),
            "{notes:?}"
        );
    }

    fn snowflake() -> Value {
        json!({"$ref": "#/components/schemas/Snowflake"})
    }

    /// A GET of `path` answering `body`, with `params`, and the components `schemas` beside a
    /// `Snowflake` string.
    fn get(path: &str, params: Value, body: Value, mut schemas: Value) -> Value {
        schemas["Snowflake"] = json!({"type": "string", "format": "snowflake"});
        json!({"paths": {path: {"get": {"operationId": "list_things", "parameters": params,
            "responses": {"200": {"content": {"application/json": {"schema": body}}}}}}}, "components": {"schemas": schemas}})
    }

    #[test]
    fn a_key_cursor_each_way_pages_on_the_last_items_key_in_the_first_pages_order() {
        let spec = get(
            "/api/v1/channels/{channel_id}/messages",
            json!([{"name": "channel_id", "in": "path", "required": true, "schema": snowflake()},
                {"name": "around", "in": "query", "schema": snowflake()},
                {"name": "before", "in": "query", "schema": snowflake()},
                {"name": "after", "in": "query", "schema": snowflake()},
                limit()]),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Message"}}),
            json!({"Message": {"type": "object", "required": ["id"], "properties": {"id": snowflake()}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            lists[0].shape,
            Shape::Cursor {
                param: "after".into(),
                next: NextCursor::AfterLast { key: vec![("id".into(), false)], more: None },
                backward: Some("before".into())
            }
        );
        let code: String = streams(&lists).split_whitespace().collect();
        assert!(code.contains("keyset_next(&page,page.len()asu64==size,|item|crate::pagination::pages::key_of(&item.id),previous.as_ref(),\"after\",\"before\""), "{code}");
        assert!(code.contains("(true,value)=>{call.before("), "{code}");
        // `before` alone pages backward from the last item
        let only_before = get(
            "/api/v1/things",
            json!([{"name": "before", "in": "query", "schema": snowflake()}, limit()]),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Message"}}),
            json!({"Message": {"type": "object", "properties": {"id": snowflake()}}}),
        );
        let (lists, _) = collect(&only_before, &Config::zaia(), &BTreeMap::new());
        assert!(matches!(&lists[0].shape, Shape::Cursor { param, backward: None, .. } if param == "before"));
    }

    #[test]
    fn a_key_cursor_starts_after_a_members_id_or_the_one_field_of_its_format() {
        let members = get(
            "/api/v1/guilds/{guild_id}/members",
            json!([limit(), {"name": "after", "in": "query", "schema": snowflake()}]),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Member"}}),
            json!({"Member": {"type": "object", "properties": {"nick": {"type": "string"}, "user": {"$ref": "#/components/schemas/User"}}},
                "User": {"type": "object", "required": ["id"], "properties": {"id": snowflake()}}}),
        );
        let (lists, notes) = collect(&members, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        let Shape::Cursor { next: NextCursor::AfterLast { key, .. }, .. } = &lists[0].shape else { panic!("{:?}", lists[0].shape) };
        assert_eq!(key, &vec![("user".to_string(), true), ("id".to_string(), false)]);
        let code: String = streams(&lists).split_whitespace().collect();
        assert!(code.contains("key_of(&item.user.as_ref().map(|v|&v.id),)"), "{code}");

        let pins = get(
            "/api/v1/channels/{channel_id}/pins",
            json!([limit(), {"name": "before", "in": "query", "schema": {"type": "string", "format": "date-time"}}]),
            json!({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Pin"}}, "has_more": {"type": "boolean"}}}),
            json!({"Pin": {"type": "object", "required": ["pinned_at"], "properties": {
                "pinned_at": {"type": "string", "format": "date-time"}, "message": {"type": "object", "properties": {"id": snowflake()}}}}}),
        );
        let (lists, notes) = collect(&pins, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert!(matches!(&lists[0].shape,
            Shape::Cursor { next: NextCursor::AfterLast { key, more: Some(_) }, .. } if key == &vec![("pinned_at".to_string(), false)]));

        // a timestamp cursor over items with two timestamps: which one is not guessed
        let mut two = pins.clone();
        two["components"]["schemas"]["Pin"]["properties"]["edited_at"] = json!({"type": "string", "format": "date-time"});
        let (lists, notes) = collect(&two, &Config::zaia(), &BTreeMap::new());
        assert!(lists.is_empty());
        assert!(notes[0].contains("no key of the cursor's type"), "{notes:?}");
    }

    #[test]
    fn a_cursor_nested_in_the_envelope_is_followed_and_a_total_count_is_no_obstacle() {
        let spec = get(
            "/api/v1/contacts",
            json!([{"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 150}},
                {"name": "starting_after", "in": "query", "schema": {"type": "string"}}]),
            json!({"$ref": "#/components/schemas/ContactList"}),
            json!({"Contact": {"type": "object", "properties": {"id": {"type": "string"}}},
                "ContactList": {"type": "object", "properties": {"type": {"type": "string"},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}},
                    "total_count": {"type": "integer"},
                    "pages": {"$ref": "#/components/schemas/CursorPages"}}},
                "CursorPages": {"type": "object", "properties": {"page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "next": {"type": "object", "nullable": true, "properties": {"page": {"type": "integer"}, "starting_after": {"type": "string"}}}}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            lists[0].shape,
            Shape::Cursor {
                param: "starting_after".into(),
                next: NextCursor::Field { field: "pages".into(), pointer: "/next/starting_after".into() },
                backward: None
            }
        );
        assert_eq!((lists[0].size_name.as_str(), lists[0].items_field.as_deref()), ("per_page", Some("data")));
        let code: String = streams(&lists).split_whitespace().collect();
        assert!(code.contains("next_cursor(&page.pages,\"/next/starting_after\",)"), "{code}");
        assert!(code.contains(".per_page(size)"), "{code}");
    }

    #[test]
    fn the_path_names_the_items_among_several_arrays_and_a_list_without_pages_is_no_list() {
        let threads = get(
            "/api/v1/channels/{channel_id}/threads/archived/public",
            json!([{"name": "before", "in": "query", "schema": snowflake()}, limit()]),
            json!({"type": "object", "required": ["threads", "members", "has_more"], "properties": {
                "threads": {"type": "array", "items": {"$ref": "#/components/schemas/Thread"}},
                "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
                "has_more": {"type": "boolean"}}}),
            json!({"Thread": {"type": "object", "properties": {"id": snowflake()}}, "Member": {"type": "object", "properties": {"id": snowflake()}}}),
        );
        let (lists, notes) = collect(&threads, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((lists[0].items_field.as_deref(), lists[0].item.as_str()), (Some("threads"), "Thread"));
        // a get of one thing with arrays in it, and an array with nothing to page by: no stream, no note
        let one = get(
            "/api/v1/guilds/{guild_id}",
            json!([{"name": "with_counts", "in": "query", "schema": {"type": "boolean"}}]),
            json!({"type": "object", "properties": {"roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}}}}),
            json!({"Role": {"type": "object"}}),
        );
        let (lists, notes) = collect(&one, &Config::zaia(), &BTreeMap::new());
        assert!(lists.is_empty() && notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_parameter_the_envelope_gives_back_in_its_paging_object_is_a_cursor_and_a_filter_echoed_is_not() {
        let next = json!({"name": "next", "in": "query", "schema": {"type": "string"}});
        let kind = json!({"name": "type", "in": "query", "schema": {"type": "string"}});
        let spec = get(
            "/api/v1/items",
            json!([limit(), kind, next]),
            json!({"type": "object", "properties": {"type": {"type": "string"},
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}, "next": {"type": "string", "nullable": true}}}),
            json!({"Item": {"type": "object", "properties": {"name": {"type": "string"}}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            lists[0].shape,
            Shape::Cursor {
                param: "next".into(),
                next: NextCursor::Field { field: "next".into(), pointer: String::new() },
                backward: None
            }
        );
        // the same list without `next`: `type` is given back too, but it is no cursor
        let mut filter_only = spec.clone();
        filter_only["paths"]["/api/v1/items"]["get"]["parameters"].as_array_mut().unwrap().pop();
        let (lists, _) = collect(&filter_only, &Config::zaia(), &BTreeMap::new());
        assert_eq!(lists[0].shape, Shape::Limit { object: None });
    }

    #[test]
    fn a_next_cursor_field_nested_in_the_envelope_is_followed() {
        // as Slack's `conversations.list` answers: `{channels, response_metadata: {next_cursor}}`
        let spec = get(
            "/api/v1/conversations",
            json!([limit(), {"name": "cursor", "in": "query", "schema": {"type": "string"}}]),
            json!({"type": "object", "properties": {"ok": {"type": "boolean"},
                "channels": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}},
                "response_metadata": {"$ref": "#/components/schemas/ResponseMetadata"}}}),
            json!({"Channel": {"type": "object", "properties": {"id": {"type": "string"}}},
                "ResponseMetadata": {"type": "object", "properties": {"next_cursor": {"type": "string"}}}}),
        );
        let (lists, notes) = collect(&spec, &Config::zaia(), &BTreeMap::new());
        assert!(notes.is_empty(), "{notes:?}");
        // the opaque cursor the API gives, not the last channel's id
        assert_eq!(
            lists[0].shape,
            Shape::Cursor {
                param: "cursor".into(),
                next: NextCursor::Field { field: "response_metadata".into(), pointer: "/next_cursor".into() },
                backward: None
            }
        );
    }
}
