//! Stage 4: rewrite what the generators cannot take, or would take wrongly
//! (`shared/notes/progenitor-findings.md` lists the traps). One function per rewrite.

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::document::{for_each_operation_mut, source_of};
use crate::error::{Result, fail};

/// Runs every rewrite of this stage in order.
pub fn normalise(doc: Value, config: &Config) -> Result<Value> {
    let doc = relabel_version(doc);
    let doc = derive_operation_ids(doc, config)?;
    let doc = flatten_one_or_many(doc);
    let doc = integer_counters(doc, config);
    let doc = collapse_superset_any_of(doc);
    let doc = merge_all_of_objects(doc);
    Ok(auth_header_to_security_scheme(doc, config))
}

/// progenitor (through openapiv3) reads OpenAPI 3.0 only. The fragments say 3.1 but are written
/// in 3.0 style (`nullable: true`), so the label is all that changes.
pub fn relabel_version(mut doc: Value) -> Value {
    doc["openapi"] = json!("3.0.3");
    doc
}

/// The vendor publishes no operation ids; progenitor needs them and makes them method names.
/// Derived from method + path, so they stay stable when fragments are added or reordered:
///
/// | method | path after the prefix | id |
/// |---|---|---|
/// | GET | `things` | `list_things` |
/// | GET | `things/{id}` | `get_thing` |
/// | GET | `things/details`, `things/{id}/details` | `list_thing_details`, `get_thing_details` |
/// | POST | `things` | `create_thing` |
/// | POST | `things/export` | `export_things` |
/// | PATCH, PUT | `things/{id}` | `update_thing` |
/// | DELETE | `things/{id}` | `delete_thing` |
///
/// An id the vendor does give is kept (in snake case).
pub fn derive_operation_ids(mut doc: Value, config: &Config) -> Result<Value> {
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut error = None;
    for_each_operation_mut(&mut doc, |path, method, op| {
        let id = match op.get("operationId").and_then(Value::as_str) {
            Some(given) => given.to_snake_case(),
            None => operation_id(config, method, path),
        };
        let here = format!("{} {path} ({})", method.to_uppercase(), source_of(op));
        if let Some((_, other)) = seen.iter().find(|(i, _)| *i == id) {
            error.get_or_insert(format!("operation id `{id}` derived for both {other} and {here}; set operationId in one of them"));
        }
        seen.push((id.clone(), here));
        if let Some(op) = op.as_object_mut() {
            op.insert("operationId".into(), Value::String(id));
        }
    });
    match error {
        Some(e) => fail!("{e}"),
        None => Ok(doc),
    }
}

/// The resource a path is about and what follows it: `("chat-messages", has_id, Some("export"))`.
/// Segments before the resource that only version or mount the API (`api`, `v1`) are skipped
/// when the path lacks the configured prefix.
pub fn path_shape<'a>(config: &Config, path: &'a str) -> (&'a str, bool, Option<&'a str>) {
    let (resource, rest) = path_segments(config, path);
    let mut has_id = false;
    let mut action = None;
    for s in rest {
        if s.starts_with('{') {
            has_id = true;
        } else {
            action = Some(s);
        }
    }
    (resource, has_id, action)
}

/// The resource segment of a path and the segments after it.
fn path_segments<'a>(config: &Config, path: &'a str) -> (&'a str, Vec<&'a str>) {
    let rest = path.strip_prefix(config.path_prefix).unwrap_or(path.trim_start_matches('/'));
    let mut segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let is_mount = |s: &str| s == "api" || (s.len() > 1 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit()));
    while segments.len() > 1 && is_mount(segments[0]) {
        segments.remove(0);
    }
    if segments.is_empty() {
        return ("root", Vec::new());
    }
    let resource = segments.remove(0);
    (resource, segments)
}

/// The derived id of an operation (see [`derive_operation_ids`]). An action after an id is a
/// verb phrase: `POST things/{id}/rotate-secret` → `rotate_thing_secret`. Deeper paths name
/// every noun in order: `GET things/{id}/parts/{partId}` → `get_thing_part`.
pub fn operation_id(config: &Config, method: &str, path: &str) -> String {
    let (resource, rest) = path_segments(config, path);
    let plural = resource.to_snake_case();
    let singular = config.singular(resource).to_snake_case();
    let ids = rest.iter().filter(|s| s.starts_with('{')).count();
    let nouns: Vec<String> = rest.iter().filter(|s| !s.starts_with('{')).map(|s| s.to_snake_case()).collect();
    let ends_in_id = rest.last().is_some_and(|s| s.starts_with('{'));
    match (method, ids, nouns.as_slice()) {
        ("get", 0, []) => format!("list_{plural}"),
        ("get", 0, [a]) => format!("list_{singular}_{a}"),
        ("get", 1, []) => format!("get_{singular}"),
        ("get", 1, [a]) => format!("get_{singular}_{a}"),
        ("post", 0, []) => format!("create_{singular}"),
        ("post", 0, [a]) => format!("{a}_{plural}"),
        ("post", 1, [a]) => verb_phrase(a, &singular),
        ("patch" | "put", 1, []) => format!("update_{singular}"),
        ("delete", 1, []) => format!("delete_{singular}"),
        _ => {
            // sub-resources: every noun in order, singular where an id follows it
            let mut segments = std::iter::once(resource).chain(rest.iter().copied()).peekable();
            let mut words = Vec::new();
            while let Some(segment) = segments.next() {
                if segment.starts_with('{') {
                    continue;
                }
                let followed_by_id = segments.peek().is_some_and(|s| s.starts_with('{'));
                words.push(if followed_by_id { config.singular(segment).to_snake_case() } else { segment.to_snake_case() });
            }
            let verb = match method {
                "get" if ends_in_id => "get",
                "get" => "list",
                "post" => "create",
                "patch" | "put" => "update",
                other => other,
            };
            format!("{verb}_{}", words.join("_"))
        }
    }
}

/// `rotate_secret` on `thing` → `rotate_thing_secret`: the action's first word is the verb.
fn verb_phrase(action: &str, object: &str) -> String {
    match action.split_once('_') {
        Some((verb, rest)) => format!("{verb}_{object}_{rest}"),
        None => format!("{action}_{object}"),
    }
}

/// `anyOf: [array<T>, T]` on a query parameter means "one or many"; repeated keys already say
/// that on the wire, and `Vec<T>` is what callers want (not an untagged enum per parameter).
pub fn flatten_one_or_many(mut doc: Value) -> Value {
    for_each_operation_mut(&mut doc, |_, _, op| {
        for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(schema) = param.get_mut("schema") else { continue };
            let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array) else { continue };
            let [many, one] = alternatives.as_slice() else { continue };
            if many.get("type") != Some(&json!("array")) || many.get("items") != Some(one) {
                continue;
            }
            let many = many.clone();
            let schema = schema.as_object_mut().expect("checked above");
            schema.remove("anyOf");
            // keep default/description next to the new type, in a stable order
            let rest = std::mem::take(schema);
            schema.extend(many.as_object().expect("an array schema is an object").clone());
            schema.extend(rest);
        }
    });
    doc
}

/// Page numbers, page sizes and limits are counts: `type: number` would give `f64` and send
/// `pageNumber=1.0`.
pub fn integer_counters(mut doc: Value, config: &Config) -> Value {
    fn make_integer(schema: &mut Value) {
        if schema.get("type") == Some(&json!("number")) {
            schema["type"] = json!("integer");
        }
    }
    for_each_operation_mut(&mut doc, |_, _, op| {
        for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            let is_counter = param.get("name").and_then(Value::as_str).is_some_and(|n| config.integer_params.contains(&n));
            let Some(schema) = param.get_mut("schema") else { continue };
            if is_counter {
                make_integer(schema);
            }
            for (name, property) in schema.get_mut("properties").and_then(Value::as_object_mut).into_iter().flatten() {
                if config.integer_params.contains(&name.as_str()) {
                    make_integer(property);
                }
            }
        }
    });
    doc
}

/// A list item given as `anyOf` of objects that all extend one base (the vendor's "joins"
/// pattern: base, base + follow-ups, base + sender, base + both) becomes one object: the union
/// of the properties, required only where every alternative requires it. Deserialising an
/// untagged union of supersets would always pick the first alternative that fits.
pub fn collapse_superset_any_of(mut doc: Value) -> Value {
    fn visit(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if let Some(merged) = map.get("anyOf").and_then(Value::as_array).and_then(|a| union_of_supersets(a)) {
                    map.remove("anyOf");
                    let rest = std::mem::take(map);
                    map.extend(merged);
                    map.extend(rest);
                }
                map.values_mut().for_each(visit);
            }
            Value::Array(items) => items.iter_mut().for_each(visit),
            _ => {}
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        visit(paths);
    }
    doc
}

fn union_of_supersets(alternatives: &[Value]) -> Option<Map<String, Value>> {
    let props = |v: &Value| v.get("properties").and_then(Value::as_object).cloned();
    let all: Vec<Map<String, Value>> = alternatives.iter().map(props).collect::<Option<_>>()?;
    if all.len() < 2 || alternatives.iter().any(|a| a.get("type") != Some(&json!("object"))) {
        return None;
    }
    // the base: the alternative with the fewest properties; every other one must extend it
    // with the same definitions of the shared properties
    let base = all.iter().min_by_key(|p| p.len())?;
    if !all.iter().all(|p| base.iter().all(|(k, v)| p.get(k) == Some(v))) {
        return None;
    }
    let mut properties = Map::new();
    for p in &all {
        for (k, v) in p {
            match properties.get(k) {
                None => {
                    properties.insert(k.clone(), v.clone());
                }
                Some(existing) if existing == v => {}
                Some(_) => return None,
            }
        }
    }
    let required_in = |a: &Value, k: &str| a.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|x| x == k));
    let required: Vec<Value> = properties.keys().filter(|k| alternatives.iter().all(|a| required_in(a, k))).map(|k| json!(k)).collect();
    let mut merged = Map::new();
    merged.insert("type".into(), json!("object"));
    merged.insert("properties".into(), Value::Object(properties));
    merged.insert("required".into(), Value::Array(required));
    Some(merged)
}

/// `allOf` of inline objects (a base plus extensions) is one object: every member's properties,
/// required where any member requires them. Left alone when a member is a `$ref` (the
/// generators follow those) or when two members define one property differently.
pub fn merge_all_of_objects(mut doc: Value) -> Value {
    fn visit(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.values_mut().for_each(visit);
                let Some(members) = map.get("allOf").and_then(Value::as_array) else { return };
                if members.len() < 2 || !members.iter().all(|m| m.get("properties").is_some() && m.get("$ref").is_none()) {
                    return;
                }
                let mut properties = Map::new();
                let mut required: Vec<Value> = Vec::new();
                for member in members {
                    for (k, p) in member["properties"].as_object().into_iter().flatten() {
                        match properties.get(k) {
                            Some(existing) if existing != p => return,
                            _ => {
                                properties.insert(k.clone(), p.clone());
                            }
                        }
                    }
                    for r in member.get("required").and_then(Value::as_array).into_iter().flatten() {
                        if !required.contains(r) {
                            required.push(r.clone());
                        }
                    }
                }
                map.remove("allOf");
                map.insert("type".into(), json!("object"));
                map.insert("properties".into(), Value::Object(properties));
                if !required.is_empty() {
                    map.insert("required".into(), Value::Array(required));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(visit),
            _ => {}
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        visit(paths);
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        visit(schemas);
    }
    doc
}

/// The key goes in one `authorization` header on every request. The header parameter on each
/// operation would make it an argument of every method; it is described once instead.
pub fn auth_header_to_security_scheme(mut doc: Value, config: &Config) -> Value {
    let mut description = None;
    for_each_operation_mut(&mut doc, |_, _, op| {
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { return };
        params.retain(|p| {
            let is_auth = p.get("in") == Some(&json!("header"))
                && p.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(config.auth_header));
            if is_auth && description.is_none() {
                description = p.get("description").cloned();
            }
            !is_auth
        });
        let now_empty = params.is_empty();
        if now_empty {
            op.as_object_mut().expect("operations are objects").remove("parameters");
        }
    });
    let mut scheme = json!({"type": "apiKey", "in": "header", "name": config.auth_header});
    if let Some(d) = description {
        scheme["description"] = d;
    }
    let components = doc.as_object_mut().expect("a document is an object").entry("components").or_insert_with(|| json!({}));
    components.as_object_mut().expect("components is an object").entry("securitySchemes").or_insert_with(|| json!({}))
        [config.security_scheme] = scheme;
    doc["security"] = json!([{ config.security_scheme: [] }]);
    doc
}

/// Guessed properties (see [`Config::guessed_fields`]) are made optional so that decoding does
/// not fail when the real API leaves them out. Runs after hoisting, on named schemas.
pub fn relax_guessed_fields(mut doc: Value, config: &Config) -> Result<Value> {
    for (schema, property) in config.guessed_fields {
        let Some(target) = doc.pointer_mut(&format!("/components/schemas/{schema}")) else {
            fail!("config: guessed field {schema}.{property}: there is no schema `{schema}`");
        };
        if target.pointer(&format!("/properties/{property}")).is_none() {
            fail!("config: guessed field {schema}.{property}: `{schema}` has no property `{property}`");
        }
        if let Some(required) = target.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|r| r != property);
        }
    }
    Ok(doc)
}

/// PascalCase of an operation id (`list_chats` → `ListChats`).
pub fn pascal(s: &str) -> String {
    s.to_upper_camel_case()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::zaia()
    }

    #[test]
    fn operation_ids_follow_method_and_path() {
        let c = config();
        let cases = [
            ("get", "/api/v1/chats", "list_chats"),
            ("get", "/api/v1/chats/{id}", "get_chat"),
            ("get", "/api/v1/chats/details", "list_chat_details"),
            ("get", "/api/v1/chats/{id}/details", "get_chat_details"),
            ("post", "/api/v1/chats", "create_chat"),
            ("patch", "/api/v1/chats/{id}", "update_chat"),
            ("delete", "/api/v1/chats/{id}", "delete_chat"),
            ("post", "/api/v1/chat-messages/export", "export_chat_messages"),
            ("post", "/api/v1/chat-message-follow-ups", "create_chat_message_follow_up"),
            ("get", "/api/v1/companies", "list_companies"),
            ("get", "/api/v1/companies/{id}", "get_company"),
            ("post", "/api/v1/webhooks/{id}/rotate-secret", "rotate_webhook_secret"),
            ("post", "/api/v1/chats/{id}/close", "close_chat"),
            ("post", "/api/v1/tickets/bulk-close", "bulk_close_tickets"),
            ("put", "/api/v1/webhooks/{id}", "update_webhook"),
            ("get", "/api/v1/webhooks/{id}/deliveries/{deliveryId}", "get_webhook_delivery"),
            ("get", "/api/v1/webhooks/{id}/deliveries/{deliveryId}/attempts", "list_webhook_delivery_attempts"),
            ("delete", "/api/v1/a/{id}/b/{c}", "delete_a_b"),
            ("put", "/api/v1/a/{id}/b/{c}", "update_a_b"),
            ("get", "/v2/things", "list_things"),
            ("get", "/", "list_root"),
        ];
        for (method, path, id) in cases {
            assert_eq!(operation_id(&c, method, path), id, "{method} {path}");
        }
    }

    #[test]
    fn colliding_ids_are_an_error_naming_both_operations() {
        let doc = json!({"paths": {
            "/api/v1/things": {"get": {"x-fragment": "a.json"}},
            "/api/v1/other": {"get": {"operationId": "listThings", "x-fragment": "b.json"}}}});
        let err = derive_operation_ids(doc, &config()).unwrap_err();
        assert_eq!(
            err.0,
            "operation id `list_things` derived for both GET /api/v1/things (a.json) and GET /api/v1/other (b.json); set operationId in one of them"
        );
    }

    #[test]
    fn one_or_many_becomes_an_array() {
        let doc = json!({"paths": {"/x": {"get": {"parameters": [{"name": "ids", "in": "query", "schema": {
            "anyOf": [{"type": "array", "items": {"type": "string", "format": "uuid"}}, {"type": "string", "format": "uuid"}],
            "default": []}}]}}}});
        let doc = flatten_one_or_many(doc);
        assert_eq!(
            doc["paths"]["/x"]["get"]["parameters"][0]["schema"],
            json!({"type": "array", "items": {"type": "string", "format": "uuid"}, "default": []})
        );
    }

    #[test]
    fn an_any_of_of_unrelated_types_is_left_alone() {
        let schema = json!({"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "string"}]});
        let doc = json!({"paths": {"/x": {"get": {"parameters": [{"name": "q", "in": "query", "schema": schema.clone()}]}}}});
        assert_eq!(flatten_one_or_many(doc)["paths"]["/x"]["get"]["parameters"][0]["schema"], schema);
    }

    #[test]
    fn counters_become_integers_including_object_members() {
        let doc = json!({"paths": {"/x": {"get": {"parameters": [
            {"name": "pageNumber", "in": "query", "schema": {"type": "number", "minimum": 1}},
            {"name": "score", "in": "query", "schema": {"type": "number"}},
            {"name": "pagination", "in": "query", "schema": {"type": "object", "properties": {"limit": {"type": "number"}}}}]}}}});
        let doc = integer_counters(doc, &config());
        let params = &doc["paths"]["/x"]["get"]["parameters"];
        assert_eq!(params[0]["schema"], json!({"type": "integer", "minimum": 1}));
        assert_eq!(params[1]["schema"]["type"], "number");
        assert_eq!(params[2]["schema"]["properties"]["limit"]["type"], "integer");
    }

    #[test]
    fn supersets_of_one_base_collapse_into_one_object() {
        let base = json!({"id": {"type": "string"}});
        let doc = json!({"paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
        "type": "array", "items": {"anyOf": [
            {"type": "object", "properties": base, "required": ["id"]},
            {"type": "object", "properties": {"id": {"type": "string"}, "joined": {"type": "array"}}, "required": ["id", "joined"]}
        ]}}}}}}}}}});
        let doc = collapse_superset_any_of(doc);
        let items = &doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"];
        assert_eq!(
            items,
            &json!({"type": "object", "properties": {"id": {"type": "string"}, "joined": {"type": "array"}}, "required": ["id"]})
        );
    }

    #[test]
    fn alternatives_that_disagree_on_a_shared_property_stay_a_union() {
        let schema = json!({"anyOf": [
            {"type": "object", "properties": {"id": {"type": "string"}}},
            {"type": "object", "properties": {"id": {"type": "integer"}, "b": {}}}]});
        let doc = json!({"paths": {"/x": {"get": {"x": schema.clone()}}}});
        assert_eq!(collapse_superset_any_of(doc)["paths"]["/x"]["get"]["x"], schema);
    }

    #[test]
    fn all_of_inline_objects_is_one_object() {
        let doc = json!({"paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"allOf": [
            {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
            {"type": "object", "properties": {"tag": {"type": "string"}}}]}}}}}}}});
        let doc = merge_all_of_objects(doc);
        assert_eq!(
            doc["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "object", "properties": {"name": {"type": "string"}, "tag": {"type": "string"}}, "required": ["name"]})
        );
        // a reference among the members is the generators' to follow
        let referenced =
            json!({"paths": {"/x": {"get": {"s": {"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"b": {}}}]}}}}});
        assert_eq!(merge_all_of_objects(referenced.clone()), referenced);
    }

    #[test]
    fn the_auth_header_moves_to_a_security_scheme() {
        let doc = json!({"paths": {"/x": {"get": {"parameters": [
            {"name": "authorization", "in": "header", "required": true, "description": "The key."},
            {"name": "q", "in": "query"}]}, "post": {"parameters": [{"name": "Authorization", "in": "header"}]}}}});
        let doc = auth_header_to_security_scheme(doc, &config());
        assert_eq!(doc["paths"]["/x"]["get"]["parameters"], json!([{"name": "q", "in": "query"}]));
        assert!(doc["paths"]["/x"]["post"].get("parameters").is_none());
        assert_eq!(
            doc["components"]["securitySchemes"]["apiKey"],
            json!({"type": "apiKey", "in": "header", "name": "authorization", "description": "The key."})
        );
        assert_eq!(doc["security"], json!([{"apiKey": []}]));
    }

    #[test]
    fn guessed_fields_become_optional_and_stale_entries_are_reported() {
        let doc = json!({"components": {"schemas": {"Chat": {"properties": {"channelId": {}, "ownerId": {}, "responderId": {}, "id": {}},
            "required": ["id", "channelId", "ownerId", "responderId"]}, "ChatDetails": {"properties": {"workspaceId": {}}, "required": ["workspaceId"]}}}});
        let config =
            Config { guessed_fields: &[("Chat", "channelId"), ("Chat", "ownerId"), ("ChatDetails", "workspaceId")], ..Config::zaia() };
        let doc = relax_guessed_fields(doc, &config).unwrap();
        assert_eq!(doc["components"]["schemas"]["Chat"]["required"], json!(["id", "responderId"]));
        assert_eq!(doc["components"]["schemas"]["ChatDetails"]["required"], json!([]));
        let err = relax_guessed_fields(json!({"components": {"schemas": {}}}), &config).unwrap_err();
        assert_eq!(err.0, "config: guessed field Chat.channelId: there is no schema `Chat`");
    }
}
