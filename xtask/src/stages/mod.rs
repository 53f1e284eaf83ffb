//! The pipeline's stages, in the order they run. Each is a plain function from document to
//! document (`serde_json::Value`, key order preserved) so it can be tested on a small inline
//! fixture.
//!
//! load (with openapi31) → merge → validate → normalise → hoist → (codegen)

pub mod hoist;
pub mod load;
pub mod merge;
pub mod normalise;
pub mod openapi31;
pub mod validate;

use serde_json::Value;

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
    op.get(merge::SOURCE_KEY).and_then(Value::as_str).unwrap_or("<merged spec>")
}
