//! Stage 1½ (run by `load` on each fragment): the OpenAPI 3.1 forms the vendor may publish,
//! rewritten to the 3.0 forms the generators read (openapiv3 is a 3.0 parser). Every vendor
//! fragment already says `"openapi": "3.1.0"` while written in 3.0 style; these are the 3.1
//! spellings that would otherwise stop the pipeline:
//!
//! | 3.1 | 3.0 |
//! |---|---|
//! | `"type": ["string", "null"]` | `"type": "string", "nullable": true` |
//! | `"type": ["string"]` | `"type": "string"` |
//! | `"anyOf"`/`"oneOf": [X, {"type": "null"}]` | `"allOf": [X], "nullable": true` |
//! | `"const": v` | `"enum": [v]` |
//! | `"examples": [a, b]` (in a schema) | `"example": a` |
//! | `"exclusiveMinimum": n` | `"minimum": n, "exclusiveMinimum": true` (and maximum) |
//! | `"$ref"` with documentation beside it | the `$ref` alone (3.0 ignores siblings) |
//! | `"$ref"` with `nullable` or limits beside it | `"allOf": [{"$ref"}]` with them |
//!
//! What has no 3.0 form here (a value of several types) is an error naming the file, the JSON
//! pointer and the line, with a hint.

use serde_json::{Map, Value, json};

use crate::error::{Error, Result, escape_pointer_token};

/// Keys whose value is a map from names to schemas (not a schema itself).
const NAME_MAPS: &[&str] = &["properties", "patternProperties", "schemas", "$defs", "definitions"];

/// Documentation beside a `$ref`: dropped, as 3.0 does.
const DOC_KEYS: &[&str] = &["description", "summary", "title", "example", "examples", "deprecated"];

/// Rewrites `doc` (the fragment `file`, whose text is `text`) to its 3.0 form.
pub fn to_30(mut doc: Value, file: &str, text: &str) -> Result<Value> {
    let mut at = Vec::new();
    visit(&mut doc, &mut at, false).map_err(|(pointer, what)| {
        let line = line_of(text, &pointer).map(|l| format!(":{l}")).unwrap_or_default();
        Error(format!("{file}{line}: {pointer}: {what}"))
    })?;
    Ok(doc)
}

type Failure = (String, String);

fn visit(value: &mut Value, at: &mut Vec<String>, name_map: bool) -> std::result::Result<(), Failure> {
    match value {
        Value::Object(map) => {
            if !name_map {
                rewrite(map, at)?;
            }
            for (key, child) in map.iter_mut() {
                at.push(key.clone());
                visit(child, at, !name_map && NAME_MAPS.contains(&key.as_str()))?;
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                at.push(i.to_string());
                visit(child, at, false)?;
                at.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

fn pointer(at: &[String], key: &str) -> String {
    at.iter().map(String::as_str).chain([key]).map(|t| format!("/{}", escape_pointer_token(t))).collect()
}

/// The 3.1 keywords of one object, in their 3.0 form.
fn rewrite(map: &mut Map<String, Value>, at: &[String]) -> std::result::Result<(), Failure> {
    if let Some(Value::Array(types)) = map.get("type") {
        let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
        let nullable = names.contains(&"null");
        let others: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
        match others.as_slice() {
            [one] => {
                let one = one.to_string();
                map.insert("type".into(), json!(one));
                if nullable {
                    map.insert("nullable".into(), json!(true));
                }
            }
            [] => return Err((pointer(at, "type"), "a value that can only be null has no Rust type; hint: leave the property out".into())),
            many => {
                return Err((
                    pointer(at, "type"),
                    format!(
                        "a value of several types ({}) has no single Rust type here; hint: describe each with `oneOf`",
                        many.join(", ")
                    ),
                ));
            }
        }
    }
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(alternatives)) = map.get(keyword) else { continue };
        let is_null = |v: &Value| v.get("type") == Some(&json!("null")) && v.as_object().is_some_and(|o| o.len() == 1);
        if alternatives.len() == 2 && alternatives.iter().any(is_null) {
            let other = alternatives.iter().find(|v| !is_null(v)).cloned().unwrap_or(Value::Null);
            map.remove(keyword);
            map.insert("allOf".into(), json!([other]));
            map.insert("nullable".into(), json!(true));
        }
    }
    if let Some(value) = map.remove("const") {
        map.entry("enum").or_insert_with(|| json!([value]));
    }
    if let Some(Value::Array(examples)) = map.get("examples") {
        let first = examples.first().cloned();
        map.remove("examples");
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), json!(true));
        }
    }
    if map.contains_key("$ref") && map.len() > 1 {
        let siblings: Vec<String> = map.keys().filter(|k| *k != "$ref" && !DOC_KEYS.contains(&k.as_str())).cloned().collect();
        if siblings.is_empty() {
            map.retain(|k, _| k == "$ref");
        } else {
            let reference = map.remove("$ref").expect("checked above");
            map.retain(|k, _| !DOC_KEYS.contains(&k.as_str()) || k == "description");
            map.insert("allOf".into(), json!([{ "$ref": reference }]));
        }
    }
    Ok(())
}

/// The line of the value at `pointer` in `text`, found by looking for each object key of the
/// pointer in turn (array indices are passed over); `None` when a key is not found.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let mut from = 0;
    for token in pointer.split('/').skip(1) {
        if token.parse::<usize>().is_ok() {
            continue;
        }
        let key = format!("\"{}\"", token.replace("~1", "/").replace("~0", "~"));
        let found =
            text[from..].match_indices(&key).map(|(i, _)| from + i).find(|&i| text[i + key.len()..].trim_start().starts_with(':'))?;
        from = found + key.len();
    }
    Some(text[..from].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(schema: Value) -> Value {
        to_30(json!({"components": {"schemas": {"S": schema}}}), "f.json", "").unwrap()["components"]["schemas"]["S"].clone()
    }

    #[test]
    fn type_arrays_become_a_type_and_nullable() {
        assert_eq!(
            rewritten(json!({"type": ["string", "null"], "format": "uuid"})),
            json!({"type": "string", "format": "uuid", "nullable": true})
        );
        assert_eq!(rewritten(json!({"type": ["integer"]})), json!({"type": "integer"}));
    }

    #[test]
    fn a_null_alternative_becomes_nullable() {
        let reference = json!({"$ref": "#/components/schemas/T"});
        assert_eq!(rewritten(json!({"anyOf": [reference, {"type": "null"}]})), json!({"allOf": [reference], "nullable": true}));
    }

    #[test]
    fn const_examples_and_numeric_exclusive_bounds() {
        assert_eq!(rewritten(json!({"type": "string", "const": "a"})), json!({"type": "string", "enum": ["a"]}));
        assert_eq!(rewritten(json!({"type": "string", "examples": ["x", "y"]})), json!({"type": "string", "example": "x"}));
        assert_eq!(
            rewritten(json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10})),
            json!({"type": "integer", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 0, "maximum": 10})
        );
    }

    #[test]
    fn refs_with_siblings() {
        assert_eq!(rewritten(json!({"$ref": "#/x", "description": "d"})), json!({"$ref": "#/x"}));
        assert_eq!(
            rewritten(json!({"$ref": "#/x", "nullable": true, "description": "d"})),
            json!({"nullable": true, "description": "d", "allOf": [{"$ref": "#/x"}]})
        );
    }

    #[test]
    fn names_that_look_like_keywords_are_left_alone() {
        let schema = json!({"type": "object", "properties": {"const": {"type": "string"}, "examples": {"type": "array", "items": {"type": "string"}}}});
        assert_eq!(rewritten(schema.clone()), schema);
    }

    #[test]
    fn several_types_are_an_error_with_file_pointer_and_line() {
        let text = "{\n  \"components\": {\n    \"schemas\": {\n      \"S\": {\n        \"type\": [\"string\", \"integer\"]\n      }\n    }\n  }\n}";
        let doc: Value = serde_json::from_str(text).unwrap();
        let err = to_30(doc, "openapi/x/get.json", text).unwrap_err();
        assert_eq!(
            err.0,
            "openapi/x/get.json:5: /components/schemas/S/type: a value of several types (string, integer) has no single Rust type here; hint: describe each with `oneOf`"
        );
    }
}
