//! Stage 3½: valid OpenAPI that typify or progenitor cannot take, rewritten into a form they
//! can, before they ever see it. Vendors publish these forms (each rule names one measured on a
//! real API); none of them is refused. A rule that keeps every fact (moving it into the docs)
//! is silent; one that types something more loosely than the spec says leaves a `note:` naming
//! the fragment, the JSON pointer and the reason.
//!
//! | form | what the generators do | rewritten to |
//! |---|---|---|
//! | `default` on a `$ref`/`allOf`/union, or of another JSON type than the schema's | typify: `unreachable!` | the default in the docs |
//! | `format` on an object, array or boolean (`uri-map`) | typify: `todo!` | the format in the docs |
//! | a `oneOf` of single values with titles (`const`) | typify: an untagged enum of newtypes | an `enum`, titles as `x-enum-varnames` |
//! | `enum` beside `$ref`/`allOf`/a union | typify: `unreachable!` | the reference; the values in the docs |
//! | `enum` of integers, numbers or booleans | typify: a closed enum a new value fails to decode | the base type; the values in the docs |
//! | `null` among a string enum's values | typify: a variant that never matches | a nullable string enum |
//! | a JSON media type without `schema` | progenitor: `todo!` | any JSON value |
//! | `{name}` in a path that no parameter declares | progenitor: panic | a string path parameter |

use serde_json::{Map, Value, json};

use crate::document;

/// Every rule, in order, over the merged document; the notes say what was narrowed.
pub fn rewrite(mut doc: Value) -> (Value, Vec<String>) {
    let mut notes = Vec::new();
    inline_shared_parts(&mut doc);
    each_schema(&mut doc, &mut |schema| {
        single_value_unions_are_enums(schema);
        formats_on_strings_and_numbers_only(schema);
    });
    media_types_have_schemas(&mut doc, &mut notes);
    path_names_are_declared(&mut doc, &mut notes);
    (doc, notes)
}

/// What only the generators need, on their copy of the spec (`codegen::codegen_spec`): the
/// merged spec keeps the vendor's constraints for the mock to validate and synthesise with.
pub fn for_generators(doc: &mut Value, notes: &mut Vec<String>) {
    no_generator_extensions(doc, notes);
    each_schema(doc, &mut enums_of_strings_only);
    string_enums_are_components(doc);
    nullable_at_the_reference(doc);
    one_response_kind(doc, notes);
}

/// progenitor reads its own server framework's extensions (`x-dropshot-websocket`,
/// `x-dropshot-pagination`) and refuses an operation that uses one other than as it expects (a
/// websocket without a documented 101). The SDK's calls, streams and hooks are its own, so the
/// generators are not shown them; a websocket operation is then a plain request (noted: the
/// upgrade is not offered).
pub fn no_generator_extensions(doc: &mut Value, notes: &mut Vec<String>) {
    document::for_each_operation_mut(doc, |path, method, op| {
        let file = document::source_of(op).to_string();
        let Some(op) = op.as_object_mut() else { return };
        if op.contains_key("x-dropshot-websocket") {
            let pointer = crate::error::pointer(["paths", path, method, "x-dropshot-websocket"]);
            notes.push(format!("{file}: {pointer}: a websocket upgrade: the SDK sends it as a plain request and offers no socket"));
        }
        op.retain(|key, _| !key.starts_with("x-dropshot-"));
    });
}

/// A string enum inside a component (a vendor's own component, which hoisting leaves as it is)
/// becomes a component of its own, `{Component}{Property}`: then it is an open enum like every
/// other (a value added later decodes), and its variants are named by our rules, not typify's,
/// which stop on values such as `=` and `!=`.
pub fn string_enums_are_components(doc: &mut Value) {
    use heck::ToUpperCamelCase;
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object).cloned() else { return };
    let mut taken: std::collections::BTreeSet<String> = schemas.keys().cloned().collect();
    let mut added: Vec<(String, Value)> = Vec::new();
    // one value is a constant: typify reads it as a union's tag (`"type": {"enum": ["assign"]}`
    // makes `Action::Assign { .. }`), which a reference would hide
    fn is_string_enum(s: &Value) -> bool {
        s.get("enum").and_then(Value::as_array).is_some_and(|v| v.len() > 1 && v.iter().all(Value::is_string))
            && matches!(s.get("type").and_then(Value::as_str), None | Some("string"))
            && !["$ref", "allOf", "oneOf", "anyOf"].iter().any(|k| s.get(*k).is_some())
    }
    fn visit(v: &mut Value, name: &str, taken: &mut std::collections::BTreeSet<String>, added: &mut Vec<(String, Value)>) {
        let Some(map) = v.as_object_mut() else { return };
        for (key, child) in map.iter_mut() {
            match key.as_str() {
                "properties" => {
                    for (property, schema) in child.as_object_mut().into_iter().flatten() {
                        let inner = format!("{name}{}", property.to_upper_camel_case());
                        lift(schema, &inner, taken, added);
                        visit(schema, &inner, taken, added);
                    }
                }
                "items" | "additionalProperties" => {
                    let inner = format!("{name}Item");
                    lift(child, &inner, taken, added);
                    visit(child, &inner, taken, added);
                }
                "allOf" | "oneOf" | "anyOf" => {
                    for (i, alternative) in child.as_array_mut().into_iter().flatten().enumerate() {
                        visit(alternative, &format!("{name}{i}"), taken, added);
                    }
                }
                _ => {}
            }
        }
    }
    fn lift(schema: &mut Value, name: &str, taken: &mut std::collections::BTreeSet<String>, added: &mut Vec<(String, Value)>) {
        if !is_string_enum(schema) {
            return;
        }
        let name =
            std::iter::once(name.to_string()).chain((2..).map(|i| format!("{name}{i}"))).find(|n| !taken.contains(n)).expect("a free name");
        taken.insert(name.clone());
        let mut component = schema.clone();
        let nullable = component.as_object_mut().and_then(|m| m.remove("nullable")) == Some(Value::Bool(true));
        let reference = json!({"$ref": format!("#/components/schemas/{name}")});
        *schema = if nullable { json!({"allOf": [reference], "nullable": true}) } else { reference };
        added.push((name, component));
    }
    let mut schemas = schemas;
    for (name, schema) in schemas.iter_mut() {
        visit(schema, name, &mut taken, &mut added);
    }
    for (name, schema) in added {
        schemas.insert(name, schema);
    }
    doc["components"]["schemas"] = Value::Object(schemas);
}

/// A component that is itself `nullable` (`{"type": "object", "nullable": true, ...}`) is
/// typed by typify as a wrapper `Name(Option<NameInner>)`, and in some specs clashes with its
/// own struct. The component is made the plain type and every reference to it nullable
/// (`Option<Name>` where it is used), which is what the vendor means.
pub fn nullable_at_the_reference(doc: &mut Value) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let mut nullable: Vec<String> = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(map) = schema.as_object_mut()
            && map.get("nullable") == Some(&Value::Bool(true))
            && !["allOf", "oneOf", "anyOf", "$ref"].iter().any(|k| map.contains_key(*k))
        {
            map.remove("nullable");
            nullable.push(format!("#/components/schemas/{}", crate::error::escape_pointer_token(name)));
        }
    }
    if nullable.is_empty() {
        return;
    }
    fn wrap(v: &mut Value, nullable: &[String], in_composition: bool) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref")
                    && nullable.contains(r)
                    && !in_composition
                {
                    *v = json!({"allOf": [{"$ref": r.clone()}], "nullable": true});
                    return;
                }
                for (key, child) in map.iter_mut() {
                    let composition = matches!(key.as_str(), "allOf" | "oneOf" | "anyOf");
                    match child {
                        Value::Array(items) if composition => items.iter_mut().for_each(|i| wrap(i, nullable, true)),
                        _ => wrap(child, nullable, false),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| wrap(i, nullable, false)),
            _ => {}
        }
    }
    wrap(doc, &nullable, false);
}

/// The rules that need the final shape of each schema (after `normalise` has turned
/// `anyOf [T[], T]` filters into arrays, and `hoist` has made references): run last.
pub fn finish(mut doc: Value) -> Value {
    each_schema(&mut doc, &mut defaults_typify_takes);
    component_names_are_rust_types(&mut doc);
    doc
}

/// Every component schema is named as typify would name its type (`SDKMessageRequest` →
/// `SdkMessageRequest`, `conversations.v1.user` → `ConversationsV1User`, `2fa` → `V2fa`), and
/// every reference follows: then the models' types, the client's replacements and every table
/// that names a type agree. Two names that meet get a number.
pub fn component_names_are_rust_types(doc: &mut Value) {
    use heck::ToUpperCamelCase;
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return };
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut taken: std::collections::BTreeSet<String> =
        schemas.keys().filter(|k| k.to_upper_camel_case() == **k && !k.starts_with(|c: char| c.is_ascii_digit())).cloned().collect();
    for name in schemas.keys() {
        let mut rust = name.replace(|c: char| !c.is_alphanumeric(), "_").to_upper_camel_case();
        if rust.is_empty() || rust.starts_with(|c: char| c.is_ascii_digit()) {
            rust = format!("V{rust}");
        }
        if rust == *name {
            continue;
        }
        let mut candidate = rust.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{rust}{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        renames.push((name.clone(), candidate));
    }
    if renames.is_empty() {
        return;
    }
    let map: std::collections::BTreeMap<String, String> = renames
        .iter()
        .map(|(old, new)| {
            (format!("#/components/schemas/{}", crate::error::escape_pointer_token(old)), format!("#/components/schemas/{new}"))
        })
        .collect();
    fn follow(v: &mut Value, map: &std::collections::BTreeMap<String, String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get_mut("$ref")
                    && let Some(new) = map.get(r.as_str())
                {
                    *r = new.clone();
                }
                m.values_mut().for_each(|c| follow(c, map));
            }
            Value::Array(a) => a.iter_mut().for_each(|c| follow(c, map)),
            _ => {}
        }
    }
    follow(doc, &map);
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        let old = std::mem::take(schemas);
        for (name, schema) in old {
            let name = renames.iter().find(|(o, _)| *o == name).map(|(_, n)| n.clone()).unwrap_or(name);
            schemas.insert(name, schema);
        }
    }
}

/// An operation's parameters, request body and responses given by reference to
/// `components/{parameters,requestBodies,responses}` are copied in place: every later stage
/// (and progenitor's one-type-per-status rule) sees each operation whole.
pub fn inline_shared_parts(doc: &mut Value) {
    let components = doc.get("components").cloned().unwrap_or(Value::Null);
    let resolve = |v: &mut Value| {
        for _ in 0..8 {
            let Some(target) = v.get("$ref").and_then(Value::as_str) else { return };
            let Some(pointer) = target.strip_prefix("#/components") else { return };
            let Some(found) = components.pointer(pointer) else { return };
            *v = found.clone();
        }
    };
    document::for_each_operation_mut(doc, |_, _, op| {
        for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            resolve(p);
        }
        if let Some(body) = op.get_mut("requestBody") {
            resolve(body);
        }
        for response in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut()) {
            resolve(response);
        }
    });
}

/// What progenitor makes of one response: a typed JSON body, other content (bytes), or none.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Json(Value),
    Raw,
    Empty,
}

fn kind_of(response: &Value) -> Kind {
    let Some(content) = response.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else { return Kind::Empty };
    match content.iter().find(|(m, _)| *m == "application/json" || m.starts_with("application/json;")) {
        Some((_, media)) => Kind::Json(media.get("schema").cloned().unwrap_or(json!({}))),
        None => Kind::Raw,
    }
}

fn without_docs(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !["description", "title", "example", "examples"].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), without_docs(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_docs).collect()),
        other => other.clone(),
    }
}

/// progenitor gives an operation one success type and one error type (it asserts so). For the
/// generators only (the merged spec keeps what the vendor says), each operation's answers are
/// made one kind:
/// - successes with different JSON bodies: one `{Op}Response` union of them (the first that
///   fits is taken, in status order);
/// - a success without a body beside ones with a body (`200` + `204`): the body type is
///   optional, and an empty body decodes as `None`;
/// - a success with other content (an image, CSV) beside any other kind: every success is
///   bytes (noted);
/// - an error status without a body, or with other content, beside JSON error bodies: left to
///   the undocumented-status path (the error still has its status; noted).
pub fn one_response_kind(doc: &mut Value, notes: &mut Vec<String>) {
    let mut new_components: Vec<(String, Value)> = Vec::new();
    let taken: std::collections::BTreeSet<String> =
        doc.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    document::for_each_operation_mut(doc, |path, method, op| {
        let file = document::source_of(op).to_string();
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("").to_string();
        let error_type = op.get(crate::stages::hoist::ERROR_TYPE).cloned();
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return };
        // error bodies of several schemas: the operation's union of them
        if let Some(union) = error_type {
            for (_, response) in responses.iter_mut().filter(|(s, _)| !s.starts_with('2')) {
                if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                    *schema = union.clone();
                }
            }
        }
        let at = |status: &str| crate::error::pointer(["paths", path, method, "responses", status]);
        let success: Vec<String> = responses.keys().filter(|s| s.starts_with('2')).cloned().collect();
        let kinds: Vec<Kind> = success.iter().map(|s| kind_of(&responses[s])).collect();
        let mut distinct: Vec<Value> = Vec::new();
        for kind in &kinds {
            if let Kind::Json(schema) = kind
                && !distinct.iter().any(|d| without_docs(d) == without_docs(schema))
            {
                distinct.push(schema.clone());
            }
        }
        let has_raw = kinds.contains(&Kind::Raw);
        let has_empty = kinds.contains(&Kind::Empty);
        if has_raw && kinds.len() > 1 && kinds.iter().any(|k| *k != Kind::Raw) {
            for status in &success {
                responses[status]["content"] = json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}});
            }
            notes.push(format!("{file}: {}: answers of several kinds ({}): every success is bytes", at(&success[0]), success.join(", ")));
        } else if !distinct.is_empty() && (distinct.len() > 1 || has_empty) {
            let mut schema = if distinct.len() > 1 {
                let base = format!("{}Response", crate::stages::normalise::pascal(&id));
                let free = |n: &String| !taken.contains(n) && !new_components.iter().any(|(m, _)| m == n);
                let name = std::iter::once(base.clone()).chain((2..).map(|i| format!("{base}{i}"))).find(free).expect("an unused name");
                new_components.push((name.clone(), json!({"oneOf": distinct})));
                json!({"$ref": format!("#/components/schemas/{name}")})
            } else {
                distinct[0].clone()
            };
            if has_empty {
                schema = json!({"allOf": [schema], "nullable": true});
            }
            for status in &success {
                let response = &mut responses[status];
                let media = response.as_object_mut().map(|r| r.entry("content").or_insert_with(|| json!({})));
                if let Some(Value::Object(media)) = media {
                    media.insert("application/json".into(), json!({"schema": schema.clone()}));
                }
            }
        }
        let errors: Vec<String> = responses.keys().filter(|s| !s.starts_with('2') && *s != "default").cloned().collect();
        let error_kinds: Vec<Kind> = errors.iter().map(|s| kind_of(&responses[s])).collect();
        let json_errors = error_kinds.iter().any(|k| matches!(k, Kind::Json(_)));
        let dropped: Vec<String> = errors
            .iter()
            .zip(&error_kinds)
            .filter(|(_, k)| match k {
                Kind::Json(_) => false,
                Kind::Raw => json_errors,
                Kind::Empty => json_errors || error_kinds.contains(&Kind::Raw),
            })
            .map(|(s, _)| s.clone())
            .collect();
        for status in &dropped {
            responses.remove(status);
            notes.push(format!(
                "{file}: {}: an error without a JSON body beside ones with: reported as an undocumented status (its status and body kept)",
                at(status)
            ));
        }
    });
    if !new_components.is_empty() {
        let schemas = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| json!({})));
        if let Some(Value::Object(components)) = schemas {
            let schemas = components.entry("schemas").or_insert_with(|| json!({}));
            for (name, schema) in new_components {
                schemas[name] = schema;
            }
        }
    }
}

/// Calls `f` on every schema object of the document (components and operations, at any depth).
pub fn each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    fn schema(v: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
        let Some(map) = v.as_object_mut() else { return };
        f(map);
        for (key, child) in map.iter_mut() {
            match key.as_str() {
                "properties" | "patternProperties" => {
                    child.as_object_mut().into_iter().flat_map(|m| m.values_mut()).for_each(|c| schema(c, f))
                }
                "items" | "additionalProperties" | "not" => schema(child, f),
                "allOf" | "anyOf" | "oneOf" => child.as_array_mut().into_iter().flatten().for_each(|c| schema(c, f)),
                _ => {}
            }
        }
    }
    fn holder(v: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
        // a parameter, header or media type: its `schema`, and the media types of its `content`
        if let Some(s) = v.get_mut("schema") {
            schema(s, f);
        }
        for media in v.get_mut("content").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut()) {
            holder(media, f);
        }
        for header in v.get_mut("headers").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut()) {
            holder(header, f);
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, entries) in components.iter_mut() {
            for entry in entries.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                match kind.as_str() {
                    "schemas" => schema(entry, f),
                    "parameters" | "responses" | "requestBodies" | "headers" => holder(entry, f),
                    _ => {}
                }
            }
        }
    }
    document::for_each_operation_mut(doc, |_, _, op| {
        for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            holder(p, f);
        }
        if let Some(body) = op.get_mut("requestBody") {
            holder(body, f);
        }
        for response in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut()) {
            holder(response, f);
        }
    });
}

/// Adds `text` as a paragraph of the schema's description.
fn document(schema: &mut Map<String, Value>, text: String) {
    let description = match schema.get("description").and_then(Value::as_str) {
        Some(d) if !d.trim().is_empty() => format!("{}\n\n{text}", d.trim_end()),
        _ => text,
    };
    schema.insert("description".into(), Value::String(description));
}

/// Where vendors name the values of an enum (`oneOf` of `{"title": "TYPING_START", "const":
/// "TYPING_START"}`; `const` is `enum: [v]` by now), the union is that enum, and the titles name
/// its variants.
pub fn single_value_unions_are_enums(schema: &mut Map<String, Value>) {
    for keyword in ["oneOf", "anyOf"] {
        let Some(Value::Array(alternatives)) = schema.get(keyword) else { continue };
        let single = |a: &Value| -> Option<(Value, Option<String>, Option<String>)> {
            let a = a.as_object()?;
            if !a.keys().all(|k| ["enum", "title", "description", "type", "format"].contains(&k.as_str())) {
                return None;
            }
            let [value] = a.get("enum")?.as_array()?.as_slice() else { return None };
            let text = |k: &str| a.get(k).and_then(Value::as_str).map(String::from);
            Some((value.clone(), text("title"), text("description")))
        };
        let Some(values): Option<Vec<_>> = alternatives.iter().map(single).collect() else { continue };
        if values.is_empty() {
            continue;
        }
        if !schema.contains_key("type") {
            let t = match &values[0].0 {
                Value::String(_) => "string",
                Value::Bool(_) => "boolean",
                v if v.is_i64() || v.is_u64() => "integer",
                Value::Number(_) => "number",
                _ => continue,
            };
            schema.insert("type".into(), json!(t));
        }
        if values.iter().all(|(_, title, _)| title.is_some()) {
            schema.insert("x-enum-varnames".into(), values.iter().map(|(_, t, _)| json!(t)).collect());
        }
        if values.iter().any(|(_, _, d)| d.is_some()) {
            schema.insert("x-enum-descriptions".into(), values.iter().map(|(_, _, d)| json!(d.clone().unwrap_or_default())).collect());
        }
        schema.insert("enum".into(), values.into_iter().map(|(v, _, _)| v).collect());
        schema.remove(keyword);
    }
}

/// An enum is a string enum (an open Rust enum) or no enum at all: the values of a number,
/// integer or boolean enum, or of one beside a reference or a union, go into the docs and the
/// schema keeps its base type, so a value the vendor adds later still decodes.
pub fn enums_of_strings_only(schema: &mut Map<String, Value>) {
    let Some(Value::Array(values)) = schema.get("enum") else { return };
    let mut values = values.clone();
    if values.iter().any(Value::is_null) {
        values.retain(|v| !v.is_null());
        schema.insert("nullable".into(), json!(true));
        schema.insert("enum".into(), Value::Array(values.clone()));
    }
    let composed = ["$ref", "allOf", "anyOf", "oneOf"].iter().any(|k| schema.contains_key(*k));
    let strings = values.iter().all(Value::is_string) && matches!(schema.get("type").and_then(Value::as_str), None | Some("string"));
    if !composed && strings && !values.is_empty() {
        if !schema.contains_key("type") {
            schema.insert("type".into(), json!("string"));
        }
        return;
    }
    schema.remove("enum");
    let names = schema.remove("x-enum-varnames");
    schema.remove("x-enum-descriptions");
    if values.is_empty() {
        return;
    }
    let listed: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| match names.as_ref().and_then(|n| n.get(i)).and_then(Value::as_str) {
            Some(name) => format!("`{v}` ({name})"),
            None => format!("`{v}`"),
        })
        .collect();
    document(schema, format!("Known values: {}.", listed.join(", ")));
}

/// typify computes a default from the schema's own type: a default on a reference, a
/// composition or a schema without a type (or of another JSON type than the schema's) makes it
/// panic. A default is never sent (it documents what the server assumes), so it moves into the
/// docs where typify cannot use it.
pub fn defaults_typify_takes(schema: &mut Map<String, Value>) {
    let Some(default) = schema.get("default") else { return };
    let composed = ["$ref", "allOf", "anyOf", "oneOf"].iter().any(|k| schema.contains_key(*k));
    let fits = match schema.get("type").and_then(Value::as_str) {
        Some("string") => default.is_string(),
        Some("integer") => default.is_i64() || default.is_u64(),
        Some("number") => default.is_number(),
        Some("boolean") => default.is_boolean(),
        Some("array") => default.is_array(),
        Some("object") => default.is_object(),
        _ => false,
    };
    if composed || !fits {
        let default = schema.remove("default").expect("checked above");
        document(schema, format!("Default `{default}`."));
    }
}

/// `format` refines strings and numbers; on an object, array or boolean (`"format": "uri-map"`)
/// typify stops. It is kept in the docs.
pub fn formats_on_strings_and_numbers_only(schema: &mut Map<String, Value>) {
    let Some(format) = schema.get("format").and_then(Value::as_str).map(String::from) else { return };
    let typed = matches!(schema.get("type").and_then(Value::as_str), Some("string" | "integer" | "number"));
    if !typed {
        schema.remove("format");
        document(schema, format!("Format `{format}`."));
    }
}

/// A JSON request or response body documented without a schema is any JSON value.
pub fn media_types_have_schemas(doc: &mut Value, notes: &mut Vec<String>) {
    document::for_each_operation_mut(doc, |path, method, op| {
        let file = document::source_of(op).to_string();
        let mut at: Vec<(Vec<String>, &mut Value)> = Vec::new();
        let Some(op) = op.as_object_mut() else { return };
        for (key, value) in op.iter_mut() {
            match key.as_str() {
                "requestBody" => at.push((vec!["requestBody".into()], value)),
                "responses" => {
                    for (status, response) in value.as_object_mut().into_iter().flat_map(|m| m.iter_mut()) {
                        at.push((vec!["responses".into(), status.clone()], response));
                    }
                }
                _ => {}
            }
        }
        for (where_, holder) in at {
            for (media_type, media) in holder.get_mut("content").and_then(Value::as_object_mut).into_iter().flat_map(|m| m.iter_mut()) {
                if is_json(media_type) && media.get("schema").is_none() && media.is_object() {
                    media["schema"] = json!({});
                    let tokens = ["paths", path, method].into_iter().map(String::from).chain(where_.iter().cloned());
                    let pointer = crate::error::pointer(tokens.chain(["content".to_string(), media_type.clone()]));
                    notes.push(format!("{file}: {pointer}: no schema: the body is any JSON value (serde_json::Value)"));
                }
            }
        }
    });
}

pub fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Every `{name}` of a path template is a parameter: one the operation leaves out is added as a
/// required string, since progenitor cannot build the URL without it.
pub fn path_names_are_declared(doc: &mut Value, notes: &mut Vec<String>) {
    document::for_each_operation_mut(doc, |path, method, op| {
        let names: Vec<String> =
            path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string())).collect();
        let file = document::source_of(op).to_string();
        let parameters = op.as_object_mut().map(|o| o.entry("parameters").or_insert_with(|| json!([])));
        let Some(Value::Array(parameters)) = parameters else { return };
        for name in names {
            let declared = parameters.iter().any(|p| p["in"] == "path" && p["name"] == name.as_str());
            if !declared {
                parameters.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
                let pointer = crate::error::pointer(["paths", path, method, "parameters"]);
                notes.push(format!("{file}: {pointer}: `{{{name}}}` in the path is not declared: a string path parameter"));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn defaults_typify_cannot_compute_move_to_the_docs() {
        let mut s = schema(json!({"allOf": [{"$ref": "#/components/schemas/Level"}], "default": 0}));
        defaults_typify_takes(&mut s);
        assert_eq!(Value::Object(s), json!({"allOf": [{"$ref": "#/components/schemas/Level"}], "description": "Default `0`."}));
        let mut s = schema(json!({"type": "integer", "default": "3", "description": "n"}));
        defaults_typify_takes(&mut s);
        assert_eq!(Value::Object(s), json!({"type": "integer", "description": "n\n\nDefault `\"3\"`."}));
        let kept = json!({"type": "boolean", "default": false});
        let mut s = schema(kept.clone());
        defaults_typify_takes(&mut s);
        assert_eq!(Value::Object(s), kept);
    }

    #[test]
    fn a_union_of_titled_single_values_is_an_enum_named_by_its_titles() {
        let mut s =
            schema(json!({"type": "string", "oneOf": [{"title": "TYPING_START", "enum": ["TYPING_START"], "description": "typing"},
            {"title": "PIN", "enum": ["PIN"]}]}));
        single_value_unions_are_enums(&mut s);
        enums_of_strings_only(&mut s);
        assert_eq!(
            Value::Object(s),
            json!({"type": "string", "x-enum-varnames": ["TYPING_START", "PIN"],
            "x-enum-descriptions": ["typing", ""], "enum": ["TYPING_START", "PIN"]})
        );
    }

    #[test]
    fn integer_enums_and_enums_beside_references_keep_their_base_type() {
        let mut s = schema(json!({"type": "integer", "oneOf": [{"title": "ACTION_ROW", "enum": [1]}, {"title": "BUTTON", "enum": [2]}]}));
        single_value_unions_are_enums(&mut s);
        enums_of_strings_only(&mut s);
        assert_eq!(Value::Object(s), json!({"type": "integer", "description": "Known values: `1` (ACTION_ROW), `2` (BUTTON)."}));
        let mut s = schema(json!({"type": "integer", "enum": [1], "allOf": [{"$ref": "#/components/schemas/T"}]}));
        enums_of_strings_only(&mut s);
        assert_eq!(
            Value::Object(s),
            json!({"type": "integer", "allOf": [{"$ref": "#/components/schemas/T"}], "description": "Known values: `1`."})
        );
        let mut s = schema(json!({"type": "string", "enum": [], "allOf": [{"$ref": "#/components/schemas/T"}]}));
        enums_of_strings_only(&mut s);
        assert_eq!(Value::Object(s), json!({"type": "string", "allOf": [{"$ref": "#/components/schemas/T"}]}));
    }

    #[test]
    fn null_among_string_values_is_nullable() {
        let mut s = schema(json!({"enum": ["a", null]}));
        enums_of_strings_only(&mut s);
        assert_eq!(Value::Object(s), json!({"enum": ["a"], "nullable": true, "type": "string"}));
    }

    #[test]
    fn answers_of_several_kinds_become_one_per_operation() {
        let json_body = |s: Value| json!({"description": "", "content": {"application/json": {"schema": s}}});
        let a = json!({"$ref": "#/components/schemas/A"});
        let b = json!({"$ref": "#/components/schemas/B"});
        let mut doc = json!({"paths": {
            "/x": {"get": {"operationId": "get_x", "responses": {"200": json_body(a.clone()), "201": json_body(b.clone()), "204": {"description": ""},
                "404": {"description": ""}, "400": json_body(a.clone())}}},
            "/y": {"get": {"operationId": "get_y", "responses": {"200": json_body(a.clone()),
                "202": {"description": "", "content": {"text/csv": {"schema": {"type": "string"}}}}}}}},
            "components": {"schemas": {"A": {}, "B": {}}}});
        let mut notes = Vec::new();
        one_response_kind(&mut doc, &mut notes);
        let x = &doc["paths"]["/x"]["get"]["responses"];
        let optional_union = json!({"allOf": [{"$ref": "#/components/schemas/GetXResponse"}], "nullable": true});
        for status in ["200", "201", "204"] {
            assert_eq!(x[status]["content"]["application/json"]["schema"], optional_union, "{status}");
        }
        assert_eq!(doc["components"]["schemas"]["GetXResponse"], json!({"oneOf": [a, b]}));
        assert!(x.get("404").is_none());
        let y = &doc["paths"]["/y"]["get"]["responses"];
        assert!(
            y["200"]["content"].get("application/octet-stream").is_some() && y["202"]["content"].get("application/octet-stream").is_some()
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn component_names_become_rust_type_names_and_references_follow() {
        let mut doc = json!({"components": {"schemas": {
            "conversations.v1.user": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/SDKMessage"}}},
            "SDKMessage": {"type": "string"}, "SdkMessage": {"type": "integer"}, "Chat": {}}}});
        component_names_are_rust_types(&mut doc);
        let names: Vec<&String> = doc["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["ConversationsV1User", "SdkMessage2", "SdkMessage", "Chat"]);
        assert_eq!(doc["components"]["schemas"]["ConversationsV1User"]["properties"]["x"]["$ref"], "#/components/schemas/SdkMessage2");
    }

    #[test]
    fn a_nullable_component_is_nullable_where_it_is_referenced() {
        let admin = json!({"$ref": "#/components/schemas/Admin"});
        let mut doc = json!({"components": {"schemas": {
            "Admin": {"type": "object", "nullable": true, "properties": {"manager": admin.clone()}},
            "List": {"type": "array", "items": admin.clone()},
            "Either": {"oneOf": [admin.clone(), {"type": "string"}]}}}});
        nullable_at_the_reference(&mut doc);
        let optional = json!({"allOf": [admin.clone()], "nullable": true});
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Admin"], json!({"type": "object", "properties": {"manager": optional.clone()}}));
        assert_eq!(schemas["List"]["items"], optional);
        assert_eq!(schemas["Either"]["oneOf"][0], admin, "an alternative stays as it is");
    }

    #[test]
    fn string_enums_inside_components_become_components() {
        let mut doc = json!({"components": {"schemas": {"Filter": {"type": "object", "properties": {
            "operator": {"type": "string", "enum": ["=", "!="]},
            "mode": {"type": "string", "enum": ["a", "b"], "nullable": true},
            "tag": {"type": "string", "enum": ["constant"]},
            "nested": {"type": "array", "items": {"type": "object", "properties": {"kind": {"enum": ["x", "y"]}}}}}}}}});
        string_enums_are_components(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Filter"]["properties"]["operator"], json!({"$ref": "#/components/schemas/FilterOperator"}));
        assert_eq!(schemas["FilterOperator"], json!({"type": "string", "enum": ["=", "!="]}));
        assert_eq!(
            schemas["Filter"]["properties"]["mode"],
            json!({"allOf": [{"$ref": "#/components/schemas/FilterMode"}], "nullable": true})
        );
        assert_eq!(
            schemas["Filter"]["properties"]["nested"]["items"]["properties"]["kind"],
            json!({"$ref": "#/components/schemas/FilterNestedItemKind"})
        );
    }

    #[test]
    fn progenitors_own_extensions_are_not_shown_to_it() {
        let mut doc =
            json!({"paths": {"/a": {"get": {"x-dropshot-websocket": {}, "x-dropshot-pagination": {"required": []}, "x-other": 1}}}});
        let mut notes = Vec::new();
        no_generator_extensions(&mut doc, &mut notes);
        assert_eq!(doc["paths"]["/a"]["get"], json!({"x-other": 1}));
        assert_eq!(notes.len(), 1, "the websocket is noted");
    }

    #[test]
    fn shared_parts_are_inlined() {
        let mut doc = json!({"paths": {"/x": {"get": {"responses": {"429": {"$ref": "#/components/responses/Limited"}}}}},
            "components": {"responses": {"Limited": {"description": "slow down"}}}});
        inline_shared_parts(&mut doc);
        assert_eq!(doc["paths"]["/x"]["get"]["responses"]["429"], json!({"description": "slow down"}));
    }

    #[test]
    fn a_format_on_an_object_moves_to_the_docs() {
        let mut s = schema(json!({"type": "object", "format": "uri-map"}));
        formats_on_strings_and_numbers_only(&mut s);
        assert_eq!(Value::Object(s), json!({"type": "object", "description": "Format `uri-map`."}));
        let kept = json!({"type": "string", "format": "snowflake"});
        let mut s = schema(kept.clone());
        formats_on_strings_and_numbers_only(&mut s);
        assert_eq!(Value::Object(s), kept);
    }

    #[test]
    fn rules_reach_schemas_at_any_depth_and_in_operations() {
        let doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
                {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "object", "format": "uri-map"}}}}}}}}}}},
            "components": {"schemas": {"S": {"oneOf": [{"type": "object", "format": "f"}]}}}
        });
        let (doc, notes) = rewrite(doc);
        let doc = finish(doc);
        assert!(notes.is_empty());
        let x = &doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"]["properties"]["x"];
        assert!(x.get("format").is_none());
        assert!(doc["components"]["schemas"]["S"]["oneOf"][0].get("format").is_none());
    }

    #[test]
    fn a_json_body_without_schema_is_any_value_with_a_note() {
        let doc = json!({"paths": {"/a": {"get": {"x-fragment": "openapi/a/get.json", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"example": {}}, "text/plain": {}}}}}}}});
        let (doc, notes) = rewrite(doc);
        assert_eq!(doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"], json!({}));
        assert!(doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["text/plain"].get("schema").is_none());
        assert_eq!(
            notes,
            [
                "openapi/a/get.json: /paths/~1a/get/responses/200/content/application~1json: no schema: the body is any JSON value (serde_json::Value)"
            ]
        );
    }

    #[test]
    fn an_undeclared_path_name_becomes_a_string_parameter() {
        let doc = json!({"paths": {"/a/{id}": {"get": {"responses": {}}}}});
        let (doc, notes) = rewrite(doc);
        assert_eq!(
            doc["paths"]["/a/{id}"]["get"]["parameters"],
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
        assert_eq!(notes.len(), 1);
    }
}
