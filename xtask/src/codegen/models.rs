//! `zaia-models/src/generated.rs`: one Rust type per component schema.
//!
//! Structs come from typify (through progenitor's type space, which also converts the OpenAPI 3.0
//! `nullable` form); string enums come from [`super::open_enum`] and are handed to typify as
//! replacements so that the structs refer to them. Then [`patch_fields`] and [`constructors`]
//! rewrite typify's structs.

use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TypeImpl};
use quote::quote;
use serde_json::{Value, json};

use super::{component_schemas, constructors, format_syntax, open_enum, patch_fields, to_openapi};
use crate::error::{Result, fail};

pub fn generate(spec: &Value) -> Result<String> {
    Ok(format_syntax(&generate_file(spec)?))
}

/// [`generate`] before formatting (the pipeline gates its items by resource first).
pub fn generate_file(spec: &Value) -> Result<syn::File> {
    let mut settings = GenerationSettings::new();
    settings.with_derive("PartialEq");
    settings.with_interface(InterfaceStyle::Positional);
    let mut enums = Vec::new();
    for (name, schema) in component_schemas(spec) {
        if open_enum::string_enum_values(schema).is_some() {
            settings.with_replacement(name, name, [TypeImpl::Display, TypeImpl::FromStr].into_iter());
            enums.push(open_enum::generate(name, schema)?);
        }
    }
    // only the components: the operations belong to the client crate
    let types_only: Value = match spec.as_object() {
        Some(top) => top.iter().map(|(key, value)| (key.clone(), if key == "paths" { json!({}) } else { value.clone() })).collect(),
        None => spec.clone(),
    };
    let api = to_openapi(&types_only, "merged spec")?;
    let mut generator = Generator::new(&settings);
    crate::profile::stage("typify", || {
        super::guarded("models", || match generator.generate_tokens(&api) {
            Ok(_) => Ok(()),
            Err(e) => fail!("models: typify rejected the component schemas: {e}"),
        })
    })?;
    let structs = generator.get_type_space().to_stream();
    let version = spec.pointer("/info/version").and_then(Value::as_str).unwrap_or("unknown");
    let tokens = quote! {
        /// The version of the vendor's spec these types were generated from (`info.version`).
        pub const SPEC_VERSION: &str = #version;
        #structs
        #(#enums)*
    };
    let mut file: syn::File = match crate::profile::stage("parse models", || syn::parse2(tokens)) {
        Ok(f) => f,
        Err(e) => fail!("models: generated code does not parse: {e}"),
    };
    distinct_field_names(&mut file);
    patch_fields::rewrite(&mut file, &patch_fields::targets(spec))?;
    crate::profile::stage("constructors", || constructors::rewrite(&mut file));
    mark_deprecated_fields(&mut file, spec);
    Ok(file)
}

/// Properties whose names typify recases to one field (`fooBar` and `foo_bar`): the later ones
/// get a number (`foo_bar_2`) and keep their wire name in `#[serde(rename)]`.
fn distinct_field_names(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &mut s.fields else { continue };
        let mut seen: Vec<String> = Vec::new();
        for field in &mut fields.named {
            let Some(ident) = field.ident.clone() else { continue };
            let name = ident.to_string();
            if !seen.contains(&name) {
                seen.push(name);
                continue;
            }
            let wire = super::syn_helpers::wire_name(field);
            let fresh = (2..).map(|n| format!("{}_{n}", name.trim_start_matches("r#"))).find(|f| !seen.contains(f)).expect("a free name");
            field.ident = Some(syn::Ident::new(&fresh, ident.span()));
            if !field.attrs.iter().any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("rename")) {
                field.attrs.push(syn::parse_quote!(#[serde(rename = #wire)]));
            }
            seen.push(fresh);
        }
    }
}

/// typify leaves `deprecated: true` out: a deprecated property's field, and a deprecated
/// schema's type, get `#[deprecated(note = ...)]` with the vendor's words.
fn mark_deprecated_fields(file: &mut syn::File, spec: &Value) {
    let schemas = spec.pointer("/components/schemas").and_then(Value::as_object);
    for item in &mut file.items {
        let (ident, attrs) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            syn::Item::Enum(e) => (e.ident.to_string(), &mut e.attrs),
            _ => continue,
        };
        let Some(schema) = schemas.and_then(|s| s.get(&ident)) else { continue };
        if let Some(note) = super::client::deprecation_note(schema) {
            attrs.push(syn::parse_quote!(#[deprecated(note = #note)]));
        }
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &mut s.fields else { continue };
        for field in &mut fields.named {
            let wire = super::syn_helpers::wire_name(field);
            let Some(property) = schema.pointer(&format!("/properties/{}", crate::error::escape_pointer_token(&wire))) else { continue };
            // a deprecated `$ref` property is `allOf: [$ref]` with the flag beside it
            if let Some(note) = super::client::deprecation_note(property) {
                field.attrs.push(syn::parse_quote!(#[deprecated(note = #note)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_recased_to_one_field_get_distinct_fields_with_their_wire_names() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Thing {
                #[serde(rename = "fooBar")]
                pub foo_bar: String,
                pub foo_bar: String,
            }
        };
        distinct_field_names(&mut file);
        let code = quote!(#file).to_string().replace(' ', "");
        assert!(code.contains("#[serde(rename=\"fooBar\")]pubfoo_bar:String"), "{code}");
        assert!(code.contains("#[serde(rename=\"foo_bar\")]pubfoo_bar_2:String"), "{code}");
    }
}
