//! `tests/roundtrip/generated.rs`: for every operation with a JSON success body, a function
//! that decodes a JSON value as the SDK's type for that body. The round-trip test decodes the
//! answer the mock synthesises from the spec for every operation with it, so a type the
//! generators got wrong for what the spec allows fails a test, for any API dropped in.

use quote::quote;
use serde_json::Value;

use super::builders::Builder;
use super::format_file;
use crate::document::operations;
use crate::error::Result;

pub fn generate(spec: &Value, builders: &std::collections::BTreeMap<String, Builder>) -> Result<String> {
    use heck::ToUpperCamelCase;
    let mut rows = Vec::new();
    for (_, _, op) in operations(spec) {
        let Some(id) = op["operationId"].as_str() else { continue };
        let Some(output) = builders.get(&id.to_upper_camel_case()).and_then(|b| b.output.clone()) else { continue };
        let text = output.to_string().replace(' ', "");
        // no body (`()`), or bytes: nothing to decode
        if text == "()" || text.ends_with("ByteStream") {
            continue;
        }
        rows.push(quote! { (#id, |v| serde_json::from_value::<#output>(v).map(drop)), });
    }
    let tokens = quote! {
        /// Operation id → decode a JSON value as its success type.
        pub(crate) type Decode = fn(serde_json::Value) -> Result<(), serde_json::Error>;

        pub(crate) const DECODERS: &[(&str, Decode)] = &[ #(#rows)* ];
    };
    format_file(tokens, "roundtrip")
}
