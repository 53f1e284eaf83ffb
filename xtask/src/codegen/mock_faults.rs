//! `zaia-mock/src/faults/generated.rs`: for every operation, a module of the faults it can
//! produce: each documented error status by name (`get_chat::not_found()`), and the failures
//! any operation can meet, bound to it (`get_chat::rate_limited(d)`). A status the operation does
//! not document gets no function here (`Fault::undocumented` says so at the call site).

use serde_json::Value;

use super::BANNER;
use crate::document::operations;
use crate::error::{Result, fail};

/// The function name of a status: its reason phrase in snake case.
pub fn status_name(status: u16) -> String {
    let reason = match status {
        400 => "bad_request",
        401 => "unauthorized",
        402 => "payment_required",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        409 => "conflict",
        410 => "gone",
        412 => "precondition_failed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable_entity",
        423 => "locked",
        424 => "failed_dependency",
        428 => "precondition_required",
        429 => "too_many_requests",
        500 => "internal_server_error",
        501 => "not_implemented",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => return format!("status_{status}"),
    };
    reason.to_string()
}

/// The file, written as text: every module has the same shape, and printing it through syn and
/// prettyplease cost a tenth of a large spec's generation. The text is laid out as prettyplease
/// lays it out, but for a line it would break (an operation id of 50 letters).
pub fn generate(spec: &Value) -> Result<String> {
    let mut out = format!("{BANNER}\n");
    for (path, method, op) in operations(spec) {
        let id = op["operationId"].as_str().unwrap_or_default();
        if syn::parse_str::<syn::Ident>(id).is_err() {
            fail!(
                "mock faults: {}: operationId `{id}` is not a Rust identifier",
                crate::error::pointer(["paths", path.as_str(), method.as_str()])
            );
        }
        let route = format!("`{} {path}`", method.to_uppercase());
        let mut statuses: Vec<u16> = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(s, _)| s.parse::<u16>().ok())
            .filter(|s| *s >= 400)
            .collect();
        statuses.sort();
        let line = |out: &mut String, text: &str| {
            out.push_str(text);
            out.push('\n');
        };
        line(&mut out, &format!("///The faults of {route} (`{id}`)."));
        line(&mut out, &format!("pub mod {id} {{"));
        line(&mut out, "    use std::time::Duration;");
        line(&mut out, "    use crate::faults::fault::Fault;");
        for status in statuses {
            line(&mut out, &format!("    ///{status}, documented for {route}: the vendor's `KnownException` body."));
            line(&mut out, &format!("    pub fn {}() -> Fault {{", status_name(status)));
            line(&mut out, &format!("        Fault::documented(\"{id}\", {status}u16)"));
            line(&mut out, "    }");
        }
        for (doc, signature, call) in [
            ("429 with `Retry-After`, on this operation.", "rate_limited(retry_after: Duration)", "rate_limited(retry_after)"),
            ("A 5xx status, on this operation.", "server_error(status: u16)", "server_error(status)"),
            ("The usual answer, later, on this operation.", "delay(by: Duration)", "delay(by)"),
            ("Half the usual answer's body, then the connection closes, on this operation.", "cut_body()", "cut_body()"),
            ("The connection closes with no answer, on this operation.", "reset()", "reset()"),
        ] {
            line(&mut out, &format!("    /// {doc}"));
            line(&mut out, &format!("    pub fn {signature} -> Fault {{"));
            line(&mut out, &format!("        Fault::{call}.on(\"{id}\")"));
            line(&mut out, "    }");
        }
        line(&mut out, "}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_documented_error_status_is_a_function_and_nothing_else_is() {
        let spec = serde_json::json!({"paths": {"/x/{id}": {"get": {"operationId": "get_x", "responses": {
            "200": {}, "404": {}, "412": {}, "418": {}}}}}});
        let code: String = generate(&spec).unwrap().split_whitespace().collect();
        assert!(code.contains("pubfnnot_found()->Fault{Fault::documented(\"get_x\",404u16)}"), "{code}");
        assert!(code.contains("pubfnprecondition_failed()"), "{code}");
        assert!(code.contains("pubfnstatus_418()"), "{code}");
        assert!(!code.contains("unauthorized"), "401 is not documented here: {code}");
        assert!(code.contains("pubfnrate_limited(retry_after:Duration)->Fault{Fault::rate_limited(retry_after).on(\"get_x\")}"), "{code}");
    }

    #[test]
    fn the_text_is_rust_as_prettyplease_prints_it() {
        let spec = serde_json::json!({"paths": {"/x/{id}": {"get": {"operationId": "get_x", "responses": {"404": {}, "429": {}}}}}});
        let code = generate(&spec).unwrap();
        let file: syn::File = syn::parse_str(&code).expect("Rust");
        assert_eq!(code, super::super::format_syntax(&file));
    }

    #[test]
    fn an_operation_id_that_is_no_identifier_is_an_error_naming_it() {
        let spec = serde_json::json!({"paths": {"/x": {"get": {"operationId": "get x", "responses": {}}}}});
        assert_eq!(generate(&spec).unwrap_err().0, "mock faults: /paths/~1x/get: operationId `get x` is not a Rust identifier");
    }
}
