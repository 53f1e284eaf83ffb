//! Stage 1½ (run by `load` on each fragment): the OpenAPI 3.1 forms the vendor may publish,
//! rewritten to the 3.0 forms the generators read (openapiv3 is a 3.0 parser). Every vendor
//! fragment already says `"openapi": "3.1.0"` while written in 3.0 style; these are the 3.1
//! spellings that would otherwise stop the pipeline:
//!
//! | 3.1 | 3.0 |
//! |---|---|
//! | `"type": ["string", "null"]` | `"type": "string", "nullable": true` |
//! | `"type": ["string"]` | `"type": "string"` |
//! | `"type": ["string", "integer"]` | `"oneOf"` of each type, with the keywords that apply to it |
//! | `"type": "null"` (alone) | `"nullable": true` (any value: Rust has no type of only `null`) |
//! | `"anyOf"`/`"oneOf": [X, {"type": "null"}]` | `"allOf": [X], "nullable": true` |
//! | `"anyOf"`/`"oneOf": [X, {"type": "null"}, Y]` | `"oneOf": [X, Y], "nullable": true` |
//! | `"const": v` | `"enum": [v]` |
//! | `"examples": [a, b]` (in a schema) | `"example": a` |
//! | `"exclusiveMinimum": n` | `"minimum": n, "exclusiveMinimum": true` (and maximum) |
//! | `"$ref"` with documentation beside it | the `$ref` alone (3.0 ignores siblings) |
//! | `"$ref"` with `nullable` or limits beside it | `"allOf": [{"$ref"}]` with them |
//!
//! Every 3.1 form has a 3.0 one here: valid input is never refused for its spelling.

use serde_json::{Map, Value, json};

use crate::error::Result;

/// Keys whose value is a map from names to schemas (not a schema itself).
const NAME_MAPS: &[&str] = &["properties", "patternProperties", "schemas", "$defs", "definitions"];

/// Documentation beside a `$ref`: dropped, as 3.0 does.
const DOC_KEYS: &[&str] = &["description", "summary", "title", "example", "examples", "deprecated"];

/// The keywords that apply to values of one JSON type only: split between the alternatives
/// when a type array becomes a `oneOf`.
const TYPED_KEYWORDS: &[(&str, &[&str])] = &[
    ("string", &["format", "minLength", "maxLength", "pattern", "enum"]),
    ("number", &["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum"]),
    ("integer", &["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum"]),
    ("array", &["items", "minItems", "maxItems", "uniqueItems"]),
    ("object", &["properties", "required", "additionalProperties", "minProperties", "maxProperties"]),
];

/// One alternative of a type array: `{"type": t}` with the keywords that apply to `t`.
fn split_by_type(map: &Map<String, Value>, t: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), json!(t));
    let keys = TYPED_KEYWORDS.iter().find(|(name, _)| *name == t).map(|(_, keys)| *keys).unwrap_or(&[]);
    for key in keys {
        if let Some(v) = map.get(*key) {
            let fits = *key != "enum" || v.as_array().is_some_and(|values| values.iter().all(|v| json_type_fits(v, t)));
            if fits {
                out.insert((*key).into(), v.clone());
            }
        }
    }
    out
}

fn json_type_fits(v: &Value, t: &str) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// Rewrites `doc` (the fragment `file`, whose text is `text`) to its 3.0 form.
pub fn to_30(mut doc: Value, _file: &str, _text: &str) -> Result<Value> {
    visit(&mut doc, false);
    Ok(doc)
}

fn visit(value: &mut Value, name_map: bool) {
    match value {
        Value::Object(map) => {
            if !name_map {
                rewrite(map);
            }
            for (key, child) in map.iter_mut() {
                visit(child, !name_map && NAME_MAPS.contains(&key.as_str()));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|child| visit(child, false)),
        _ => {}
    }
}

/// The 3.1 keywords of one object, in their 3.0 form.
fn rewrite(map: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = map.get("type") {
        let names: Vec<String> = types.iter().filter_map(Value::as_str).map(String::from).collect();
        let nullable = names.iter().any(|t| t == "null");
        let others: Vec<String> = names.into_iter().filter(|t| t != "null").collect();
        match others.as_slice() {
            [one] => {
                map.insert("type".into(), json!(one));
            }
            // only null: any value (serde_json::Value), since Rust has no type of just `null`
            [] => {
                map.remove("type");
            }
            many => {
                let alternatives: Vec<Value> = many.iter().map(|t| json!(split_by_type(map, t))).collect();
                map.retain(|k, _| !TYPED_KEYWORDS.iter().any(|(_, keys)| keys.contains(&k.as_str())) && k != "type");
                map.insert("oneOf".into(), Value::Array(alternatives));
            }
        }
        if nullable {
            map.insert("nullable".into(), json!(true));
        }
    } else if map.get("type").and_then(Value::as_str) == Some("null") {
        map.remove("type");
        map.insert("nullable".into(), json!(true));
    }
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(alternatives)) = map.get_mut(keyword) else { continue };
        let is_null = |v: &Value| {
            v.get("type") == Some(&json!("null"))
                && v.as_object().is_some_and(|o| o.keys().all(|k| k == "type" || DOC_KEYS.contains(&k.as_str())))
        };
        if !alternatives.iter().any(is_null) {
            continue;
        }
        alternatives.retain(|v| !is_null(v));
        if alternatives.len() == 1 {
            let other = alternatives.pop().unwrap_or(Value::Null);
            map.remove(keyword);
            map.insert("allOf".into(), json!([other]));
        }
        map.insert("nullable".into(), json!(true));
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
    fn several_types_become_one_of_with_the_keywords_of_each() {
        assert_eq!(
            rewritten(json!({"type": ["string", "integer", "null"], "description": "d", "maxLength": 3, "minimum": 1})),
            json!({"description": "d", "oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 1}], "nullable": true})
        );
    }

    #[test]
    fn null_alone_is_any_value_that_may_be_null() {
        assert_eq!(rewritten(json!({"type": "null"})), json!({"nullable": true}));
        assert_eq!(rewritten(json!({"type": ["null"], "description": "d"})), json!({"description": "d", "nullable": true}));
    }

    #[test]
    fn a_null_among_several_alternatives_becomes_nullable() {
        let a = json!({"$ref": "#/components/schemas/A"});
        let b = json!({"$ref": "#/components/schemas/B"});
        assert_eq!(rewritten(json!({"oneOf": [a, {"type": "null"}, b]})), json!({"oneOf": [a, b], "nullable": true}));
    }
}
