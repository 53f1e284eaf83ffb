//! `zaia-client/src/generated.rs`: the progenitor client, builder style, with every component
//! schema replaced by the models crate's type so the two crates share one set of types.
//!
//! Every request runs through the client's inner type (`Config::client_inner_type`), whose
//! `ClientHooks` impl is handwritten in the client crate; an `OPERATIONS` table (id, method,
//! path template) lets that code name operations in traces and decide what may be retried.

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

use super::{component_schemas, format_file, open_enum, to_openapi};
use crate::config::Config;
use crate::error::{Result, fail};

pub fn generate(spec: &Value, config: &Config) -> Result<String> {
    let mut settings = GenerationSettings::new();
    settings.with_derive("PartialEq");
    settings.with_interface(InterfaceStyle::Builder).with_tag(TagStyle::Merged);
    if let Some(inner) = config.client_inner_type {
        let inner: proc_macro2::TokenStream = match inner.parse() {
            Ok(t) => t,
            Err(e) => fail!("config: client_inner_type `{inner}` is not a Rust path: {e}"),
        };
        settings.with_inner_type(inner).with_hooks(HooksMode::Expected);
    }
    for (name, schema) in component_schemas(spec) {
        let impls: Vec<TypeImpl> =
            if open_enum::string_enum_values(schema).is_some() { vec![TypeImpl::Display, TypeImpl::FromStr] } else { vec![] };
        settings.with_replacement(name, format!("{}::{name}", config.models_crate), impls.into_iter());
    }
    let api = to_openapi(spec, "merged spec")?;
    let mut generator = Generator::new(&settings);
    let client = super::guarded("client", || match generator.generate_tokens(&api) {
        Ok(t) => Ok(t),
        Err(e) => fail!("client: progenitor rejected the merged spec: {e}"),
    })?;
    let table = config.client_inner_type.map(|_| operations_table(spec));
    let key = match config.client_inner_type {
        Some(_) => Some(api_key_header(spec)?),
        None => None,
    };
    format_file(quote! { #client #table #key }, "client")
}

/// `pub const API_KEY_HEADER`: the header of the spec's one `apiKey` scheme, where the runtime
/// (whose hooks sign every request) puts the key, so a renamed header needs a regeneration,
/// not a hand edit.
fn api_key_header(spec: &Value) -> Result<proc_macro2::TokenStream> {
    let schemes = spec.pointer("/components/securitySchemes").and_then(Value::as_object);
    let headers: Vec<(&String, &str)> = schemes
        .into_iter()
        .flatten()
        .filter(|(_, s)| s["type"] == "apiKey" && s["in"] == "header")
        .filter_map(|(name, s)| Some((name, s["name"].as_str()?)))
        .collect();
    let [(scheme, header)] = headers.as_slice() else {
        fail!(
            "client: /components/securitySchemes: the runtime sends the key in one header, so exactly one `apiKey` scheme `in: header` is needed; found {}",
            headers.len()
        );
    };
    if header.is_empty() || !header.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) {
        fail!("client: /components/securitySchemes/{scheme}/name: `{header}` is not an HTTP header name");
    }
    let header = header.to_ascii_lowercase();
    Ok(quote! {
        /// The header every request carries the API key in (the spec's `apiKey` scheme).
        pub const API_KEY_HEADER: &str = #header;
    })
}

/// `pub const OPERATIONS: &[crate::Operation]`, in the merged spec's (sorted) order.
fn operations_table(spec: &Value) -> proc_macro2::TokenStream {
    let rows = crate::stages::operations(spec).into_iter().map(|(path, method, op)| {
        let id = op["operationId"].as_str().unwrap_or_default();
        let method = method.to_uppercase();
        quote! { crate::Operation { id: #id, method: #method, path: #path } }
    });
    quote! {
        /// Every operation of the API: its id (the method name), HTTP method and path template.
        pub const OPERATIONS: &[crate::Operation] = &[ #(#rows),* ];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_schemes(schemes: Value) -> Value {
        json!({"components": {"securitySchemes": schemes}})
    }

    #[test]
    fn the_key_header_comes_from_the_one_api_key_scheme() {
        let spec = with_schemes(json!({"apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}));
        let code = api_key_header(&spec).unwrap().to_string();
        assert!(code.contains("pub const API_KEY_HEADER : & str = \"x-api-key\""), "{code}");
    }

    #[test]
    fn a_key_the_runtime_cannot_send_is_an_error_naming_the_scheme() {
        let none = with_schemes(json!({"bearer": {"type": "http", "scheme": "bearer"}}));
        assert!(api_key_header(&none).unwrap_err().0.contains("exactly one `apiKey` scheme `in: header` is needed; found 0"));
        let two = with_schemes(
            json!({"a": {"type": "apiKey", "in": "header", "name": "a"}, "b": {"type": "apiKey", "in": "header", "name": "b"}}),
        );
        assert!(api_key_header(&two).unwrap_err().0.contains("found 2"));
        let bad = with_schemes(json!({"apiKey": {"type": "apiKey", "in": "header", "name": "x key"}}));
        assert!(
            api_key_header(&bad).unwrap_err().0.contains("/components/securitySchemes/apiKey/name: `x key` is not an HTTP header name")
        );
    }
}
