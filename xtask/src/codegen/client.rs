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
    format_file(quote! { #client #table }, "client")
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
