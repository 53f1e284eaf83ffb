//! `zaia-client/src/generated.rs`: the progenitor client, builder style, with every component
//! schema replaced by the models crate's type so the two crates share one set of types.
//!
//! Every request runs through the client's inner type (`Config::client_inner_type`), whose
//! `ClientHooks` impl is handwritten in the client crate; an `OPERATIONS` table (id, method,
//! path template) lets that code name operations in traces and decide what may be retried.

use std::collections::BTreeMap;

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

use super::syn_helpers::snake_ident;
use super::{component_schemas, format_file, format_syntax, open_enum, to_openapi};
use crate::config::Config;
use crate::error::{Result, fail};

pub fn generate(spec: &Value, config: &Config) -> Result<String> {
    Ok(format_syntax(&generate_gated(spec, config, &super::features::Resources::default())?.file))
}

/// The client's syntax tree (printed with `format_syntax`), and what the stages after it read
/// from it.
pub struct Generated {
    pub file: syn::File,
    /// Where the models' gating by resource starts (`features::gate_client`).
    pub roots: super::features::Roots,
    /// What each operation's builder takes and gives, read from the syntax tree before it is
    /// printed, so no stage parses the printed client again.
    pub builders: BTreeMap<String, super::builders::Builder>,
}

/// [`generate`], each operation's items behind its resource's feature. The client is parsed
/// once: every rewrite works on that tree, and the caller prints it.
pub fn generate_gated(spec: &Value, config: &Config, resources: &super::features::Resources) -> Result<Generated> {
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
    let client = crate::profile::stage("progenitor", || {
        super::guarded("client", || match generator.generate_tokens(&api) {
            Ok(t) => Ok(t),
            Err(e) => fail!("client: progenitor rejected the merged spec: {e}"),
        })
    })?;
    let mut file: syn::File = match crate::profile::stage("parse client", || syn::parse2(client)) {
        Ok(f) => f,
        Err(e) => fail!("client: generated code does not parse: {e}"),
    };
    mark_deprecated_operations(&mut file, spec)?;
    crate::profile::stage("client rewrites", || {
        super::request_building::rewrite(&mut file);
        super::request_bodies::rewrite(&mut file, &super::request_bodies::media_types(spec));
        super::response_decoding::rewrite(&mut file);
    });
    let roots = crate::profile::stage("gate client", || super::features::gate_client(&mut file, resources));
    if config.client_inner_type.is_some() {
        let key = api_key_header(spec)?;
        file.items.push(syn::parse_quote! { #key });
    }
    let builders = super::builders::of_file(&file);
    Ok(Generated { file, roots, builders })
}

/// The vendor's words on a deprecated schema, operation or parameter, for `#[deprecated]`.
pub fn deprecation_note(item: &Value) -> Option<String> {
    if item.get("deprecated") != Some(&Value::Bool(true)) {
        return None;
    }
    // the first paragraph: later ones are what the generator itself added (wire names, statuses)
    let said =
        item.get("description").and_then(Value::as_str).and_then(|d| d.split("\n\n").next()).map(str::trim).filter(|d| !d.is_empty());
    Some(match said {
        Some(text) => format!("deprecated by the vendor: {text}"),
        None => "deprecated by the vendor".to_string(),
    })
}

/// progenitor leaves `deprecated: true` out: each deprecated operation's method on `Client`
/// gets `#[deprecated(note = ...)]` with the vendor's words, so callers see it when building.
fn mark_deprecated_operations(file: &mut syn::File, spec: &Value) -> Result<()> {
    let notes: BTreeMap<String, String> = crate::document::operations(spec)
        .into_iter()
        .filter_map(|(_, _, op)| Some((op["operationId"].as_str()?.to_string(), deprecation_note(op)?)))
        .collect();
    let any_parameter = crate::document::operations(spec)
        .iter()
        .any(|(_, _, op)| op["parameters"].as_array().into_iter().flatten().any(|p| deprecation_note(p).is_some()));
    if notes.is_empty() && !any_parameter {
        return Ok(());
    }
    let mut marked = 0;
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else { continue };
        let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
        if block.trait_.is_some() || !self_ty.path.is_ident("Client") {
            continue;
        }
        for member in &mut block.items {
            let syn::ImplItem::Fn(method) = member else { continue };
            if let Some(note) = notes.get(&method.sig.ident.to_string()) {
                method.attrs.push(syn::parse_quote!(#[deprecated(note = #note)]));
                marked += 1;
            }
        }
    }
    if marked != notes.len() {
        fail!("client: {} deprecated operations but {marked} methods found to mark", notes.len());
    }
    mark_deprecated_parameters(&mut file.items, spec);
    Ok(())
}

/// A deprecated parameter's setter on its operation's builder (`builder::ListThings::sort`).
fn mark_deprecated_parameters(items: &mut [syn::Item], spec: &Value) {
    use heck::ToUpperCamelCase;
    let mut notes = BTreeMap::new();
    for (_, _, op) in crate::document::operations(spec) {
        let builder = op["operationId"].as_str().unwrap_or_default().to_upper_camel_case();
        for param in op["parameters"].as_array().into_iter().flatten() {
            if let Some(note) = deprecation_note(param) {
                notes.insert((builder.clone(), snake_ident(param["name"].as_str().unwrap_or_default())), note);
            }
        }
    }
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &mut module.content {
                    mark_deprecated_parameters(inner, spec);
                }
            }
            syn::Item::Impl(block) => {
                let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
                let Some(last) = self_ty.path.segments.last() else { continue };
                let builder = last.ident.to_string();
                for member in &mut block.items {
                    let syn::ImplItem::Fn(method) = member else { continue };
                    if let Some(note) = notes.get(&(builder.clone(), method.sig.ident.to_string())) {
                        method.attrs.push(syn::parse_quote!(#[deprecated(note = #note)]));
                    }
                }
            }
            _ => {}
        }
    }
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
/// The client crate's table of operations (`operations/generated.rs`): every operation's id,
/// method and path template, and a `match` from id to entry, so that the hooks find a request's
/// operation without a search.
pub fn operations_table(spec: &Value) -> Result<String> {
    let operations = crate::document::operations(spec);
    let rows = operations.iter().map(|(path, method, op)| {
        let id = op["operationId"].as_str().unwrap_or_default();
        let method = method.to_uppercase();
        quote! { Operation { id: #id, method: #method, path: #path } }
    });
    let arms = operations.iter().enumerate().map(|(i, (_, _, op))| {
        let id = op["operationId"].as_str().unwrap_or_default();
        quote! { #id => Some(&OPERATIONS[#i]), }
    });
    format_file(
        quote! {
            use super::operation::Operation;

            /// Every operation of the API, in the spec's order.
            pub const OPERATIONS: &[Operation] = &[ #(#rows),* ];

            /// The operation with this id.
            pub(crate) fn find(id: &str) -> Option<&'static Operation> {
                match id {
                    #(#arms)*
                    _ => None,
                }
            }
        },
        "operations",
    )
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

    #[test]
    fn deprecated_operations_and_parameters_carry_the_vendors_words() {
        let spec = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/things": {"get": {
            "operationId": "list_things", "deprecated": true, "description": "Lists things. Use search instead.\n\nDocumented responses: ...",
            "parameters": [{"name": "order", "in": "query", "deprecated": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}}}},
            "components": {"securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "authorization"}}}});
        let config = Config { client_inner_type: None, ..Config::odyssey() };
        let code = generate(&spec, &config).unwrap();
        assert!(code.contains("#[deprecated(note = \"deprecated by the vendor: Lists things. Use search instead.\")]"), "{code}");
        assert!(code.contains("#[deprecated(note = \"deprecated by the vendor\")]\n        pub fn order<"), "{code}");
    }
}
