//! Checks that catch what the generators would reject late or get silently wrong, while the
//! fragment that caused it can still be named: references that point nowhere, and parameter
//! serialisations progenitor cannot produce.

use serde_json::Value;

use crate::document::{operations, source_of};
use crate::error::{Result, fail, pointer};

/// Every `$ref` must be local (`#/...`) and resolve inside the document.
pub fn check_refs(doc: &Value) -> Result<()> {
    let mut problems = Vec::new();
    walk_refs(doc, doc, &mut Vec::new(), &mut problems);
    if let Some((at, target)) = problems.into_iter().next() {
        let file = file_of(doc, &at);
        fail!("{file}: {at}: `$ref` to `{target}` does not resolve (no such schema in the merged document)");
    }
    Ok(())
}

fn walk_refs(root: &Value, v: &Value, at: &mut Vec<String>, problems: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let resolves = target.strip_prefix('#').is_some_and(|p| root.pointer(p).is_some());
                if !resolves {
                    let mut here = at.clone();
                    here.push("$ref".into());
                    problems.push((pointer(&here), target.clone()));
                }
            }
            for (k, child) in map {
                at.push(k.clone());
                walk_refs(root, child, at, problems);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(i.to_string());
                walk_refs(root, child, at, problems);
                at.pop();
            }
        }
        _ => {}
    }
}

/// The fragment an operation-level pointer belongs to.
fn file_of(doc: &Value, at: &str) -> String {
    let tokens: Vec<&str> = at.split('/').skip(1).collect();
    if tokens.first() == Some(&"paths") && tokens.len() >= 3 {
        let op = pointer(tokens[..3].iter().map(|t| t.replace("~1", "/").replace("~0", "~")));
        if let Some(op) = doc.pointer(&op) {
            return source_of(op).to_string();
        }
    }
    "<merged spec>".into()
}

/// Parameter serialisations the generated client can produce: form-style query parameters
/// (arrays exploded into repeated keys), simple path and header parameters.
pub fn check_parameter_styles(doc: &Value) -> Result<()> {
    for (path, method, op) in operations(doc) {
        for (i, param) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let location = param.get("in").and_then(Value::as_str).unwrap_or("");
            let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
            let style = param.get("style").and_then(Value::as_str);
            let explode = param.get("explode").and_then(Value::as_bool);
            let supported = match location {
                "query" => matches!(style, None | Some("form")) && explode != Some(false),
                "path" | "header" => matches!(style, None | Some("simple")),
                _ => false, // cookie parameters, or no location at all
            };
            if param.get("content").is_some() {
                let at = pointer(["paths", &path, &method, "parameters", &i.to_string(), "content"]);
                fail!(
                    "{}: {at}: parameter `{name}` (in {location}) is described with `content`, which the generated client \
                     cannot send; describe it with a `schema` (hint: for JSON in a query string, a string parameter)",
                    source_of(op)
                );
            }
            if !supported {
                let at = pointer(["paths", &path, &method, "parameters", &i.to_string()]);
                let how = match (style, explode) {
                    (Some(s), Some(e)) => format!("style `{s}`, explode {e}"),
                    (Some(s), None) => format!("style `{s}`"),
                    (None, Some(e)) => format!("explode {e}"),
                    (None, None) => format!("location `{location}`"),
                };
                fail!(
                    "{}: {at}: parameter `{name}` (in {location}) uses {how}, which the generated client cannot send; \
                     supported: form/exploded query, simple path and header parameters",
                    source_of(op)
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dangling_ref_names_file_and_pointer() {
        let doc = json!({"paths": {"/a": {"get": {"x-fragment": "openapi/a/get.json", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}}});
        let err = check_refs(&doc).unwrap_err();
        assert_eq!(
            err.0,
            "openapi/a/get.json: /paths/~1a/get/responses/200/content/application~1json/schema/$ref: \
             `$ref` to `#/components/schemas/Nope` does not resolve (no such schema in the merged document)"
        );
    }

    #[test]
    fn resolving_refs_pass() {
        let doc = json!({"components": {"schemas": {"A": {"type": "string"}, "B": {"$ref": "#/components/schemas/A"}}}});
        check_refs(&doc).unwrap();
    }

    #[test]
    fn deep_object_parameters_are_rejected_with_their_name() {
        let doc = json!({"paths": {"/a": {"get": {"x-fragment": "f.json", "parameters": [
            {"name": "ok", "in": "query", "schema": {"type": "string"}},
            {"name": "pagination", "in": "query", "style": "deepObject", "schema": {"type": "object"}}
        ], "responses": {}}}}});
        let err = check_parameter_styles(&doc).unwrap_err();
        assert!(
            err.0.starts_with("f.json: /paths/~1a/get/parameters/1: parameter `pagination` (in query) uses style `deepObject`"),
            "{err}"
        );
    }

    #[test]
    fn content_parameters_are_rejected_with_file_and_pointer() {
        let doc = json!({"paths": {"/a": {"get": {"x-fragment": "f.json", "parameters": [
            {"name": "filter", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}}]}}}});
        let err = check_parameter_styles(&doc).unwrap_err();
        assert!(
            err.0.starts_with("f.json: /paths/~1a/get/parameters/0/content: parameter `filter` (in query) is described with `content`"),
            "{err}"
        );
    }

    #[test]
    fn cookie_parameters_are_rejected() {
        let doc = json!({"paths": {"/a": {"get": {"parameters": [{"name": "s", "in": "cookie", "schema": {"type": "string"}}]}}}});
        assert!(check_parameter_styles(&doc).unwrap_err().0.contains("location `cookie`"));
    }
}
