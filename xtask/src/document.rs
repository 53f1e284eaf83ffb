//! The merged document's model: what every stage, every generator and the diff walk. A leaf:
//! it depends on no other module of the xtask.
//!
//! The document is a `serde_json::Value` (key order preserved), so each stage can be tested on
//! a small inline fixture.

use serde_json::Value;

/// Where `merge` records, on each operation, the fragment it came from (for error messages).
pub const SOURCE_KEY: &str = "x-fragment";

/// The HTTP methods an OpenAPI path item can hold, in the order the spec lists them.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Calls `f(path, method, operation)` for every operation of a document.
pub fn for_each_operation_mut(doc: &mut Value, mut f: impl FnMut(&str, &str, &mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if METHODS.contains(&method.as_str()) {
                f(path, method, op);
            }
        }
    }
}

/// Like [`for_each_operation_mut`], read-only.
pub fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else { continue };
            for (method, op) in item {
                if METHODS.contains(&method.as_str()) {
                    out.push((path.clone(), method.clone(), op));
                }
            }
        }
    }
    out
}

/// The file an operation came from, as recorded by `merge` (for error messages).
pub fn source_of(op: &Value) -> &str {
    op.get(SOURCE_KEY).and_then(Value::as_str).unwrap_or("<merged spec>")
}

/// The merged spec as checked in: pretty JSON with a trailing newline.
pub fn spec_text(spec: &Value) -> String {
    let mut text = serde_json::to_string_pretty(spec).expect("a JSON value always serialises");
    text.push('\n');
    text
}
