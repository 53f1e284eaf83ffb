//! `zaia-mock/src/faults/generated.rs`: for every operation, a module of the faults it can
//! produce: each documented error status by name (`get_chat::not_found()`), and the failures
//! any operation can meet, bound to it (`get_chat::rate_limited(d)`). A status the operation does
//! not document gets no function here (`Fault::undocumented` says so at the call site).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::format_file;
use crate::document::operations;
use crate::error::Result;

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

pub fn generate(spec: &Value) -> Result<String> {
    let mut modules: Vec<TokenStream> = Vec::new();
    for (path, method, op) in operations(spec) {
        let id = op["operationId"].as_str().unwrap_or_default();
        let module = format_ident!("{id}");
        let route = format!("`{} {path}`", method.to_uppercase());
        let module_doc = format!("The faults of {route} (`{id}`).");
        let mut statuses: Vec<u16> = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(s, _)| s.parse::<u16>().ok())
            .filter(|s| *s >= 400)
            .collect();
        statuses.sort();
        let documented = statuses.iter().map(|status| {
            let name = format_ident!("{}", status_name(*status));
            let doc = format!("{status}, documented for {route}: the vendor's `KnownException` body.");
            quote! {
                #[doc = #doc]
                pub fn #name() -> Fault {
                    Fault::documented(#id, #status)
                }
            }
        });
        modules.push(quote! {
            #[doc = #module_doc]
            pub mod #module {
                use std::time::Duration;

                use crate::faults::fault::Fault;

                #(#documented)*

                /// 429 with `Retry-After`, on this operation.
                pub fn rate_limited(retry_after: Duration) -> Fault {
                    Fault::rate_limited(retry_after).on(#id)
                }

                /// A 5xx status, on this operation.
                pub fn server_error(status: u16) -> Fault {
                    Fault::server_error(status).on(#id)
                }

                /// The usual answer, later, on this operation.
                pub fn delay(by: Duration) -> Fault {
                    Fault::delay(by).on(#id)
                }

                /// Half the usual answer's body, then the connection closes, on this operation.
                pub fn cut_body() -> Fault {
                    Fault::cut_body().on(#id)
                }

                /// The connection closes with no answer, on this operation.
                pub fn reset() -> Fault {
                    Fault::reset().on(#id)
                }
            }
        });
    }
    format_file(quote! { #(#modules)* }, "mock faults")
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
}
