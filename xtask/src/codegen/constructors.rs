//! Every model struct is `#[non_exhaustive]` and gets a constructor and chainable setters.
//!
//! Why: a struct literal names every field, so a field the vendor adds later (an optional one,
//! "additive" for the wire) would break every literal in consumers' code, and `..` would be
//! needed in every pattern. `#[non_exhaustive]` forbids literals and exhaustive patterns outside
//! the crate; what remains to build a value is:
//! - `T::new(required...)`: one argument per field that must be given (no `Option`, no
//!   `Patch`, no serde default), in field order. It changes exactly when a change of the spec
//!   changes what a program must supply, which is what the diff calls breaking.
//! - `T::with_<field>(self, value)` for every field: `Some(value)` for an `Option`, anything
//!   that converts into the `Patch` for a patch field, the value otherwise.
//! - the fields stay `pub`: read them, or assign them after `new`.
//!
//! The rewrite is on the syntax tree of typify's output (after [`super::patch_fields`]), so it
//! sees the Rust types the fields ended up with.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How a field gets its first value in `new`.
enum Start {
    /// A constructor argument.
    Argument,
    /// `None`, `Patch::Absent`, a serde default: the value a missing wire field decodes to.
    Value(TokenStream),
}

/// What a setter takes and how it stores it.
enum Setter {
    /// `Option<T>`: takes `T`, stores `Some(value)`.
    Some(syn::Type),
    /// `Patch<T>`: takes `impl Into<Patch<T>>` (a `T`, `Patch::Null`, ...).
    Patch(syn::Type),
    /// Anything else: takes the type itself.
    Plain(syn::Type),
}

/// Adds `#[non_exhaustive]`, `new` and the `with_*` setters to every top-level named struct.
pub fn rewrite(file: &mut syn::File) {
    let mut impls = Vec::new();
    let mut opened = Vec::new();
    for item in &mut file.items {
        opened.extend(open_union(item));
        let syn::Item::Struct(item) = item else { continue };
        let syn::Fields::Named(fields) = &item.fields else { continue };
        if !item.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
            item.attrs.push(syn::parse_quote!(#[non_exhaustive]));
        }
        impls.push(constructor_impl(&item.ident, fields));
    }
    for tokens in impls {
        file.items.push(syn::parse2(tokens).expect("constructor impl parses"));
    }
    display_unknown_shapes(file, &opened);
}

/// typify writes `Display` for a union of scalars (`i64` or a string) by matching every
/// alternative: the `Unknown` shape an open union adds prints as the JSON it was.
fn display_unknown_shapes(file: &mut syn::File, opened: &[String]) {
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else { continue };
        let Some((trait_path, _)) = &block.trait_ else { continue };
        if trait_path.segments.last().is_none_or(|s| s.ident != "Display") {
            continue;
        }
        let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
        if !self_ty.path.segments.last().is_some_and(|s| opened.contains(&s.ident.to_string())) {
            continue;
        }
        for member in &mut block.items {
            let syn::ImplItem::Fn(method) = member else { continue };
            for stmt in &mut method.block.stmts {
                if let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt {
                    m.arms.push(syn::parse_quote! { Self::Unknown(x) => x.fmt(f), });
                }
            }
        }
    }
}

fn constructor_impl(name: &syn::Ident, fields: &syn::FieldsNamed) -> TokenStream {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for field in &fields.named {
        let ident = field.ident.clone().expect("named field");
        // `r#type` and typify's `type_` both give `with_type`
        let bare = ident.to_string().trim_start_matches("r#").trim_end_matches('_').to_string();
        let wire = super::syn_helpers::wire_name(field);
        let (start, setter) = classify(field);
        match start {
            Start::Argument => {
                let ty = &field.ty;
                args.push(quote! { #ident: #ty });
                inits.push(quote! { #ident });
            }
            Start::Value(value) => inits.push(quote! { #ident: #value }),
        }
        let method = format_ident!("with_{}", bare);
        let doc = format!(" Sets `{bare}` (wire name `{wire}`).");
        setters.push(match setter {
            Setter::Some(inner) => quote! {
                #[doc = #doc]
                pub fn #method(mut self, value: #inner) -> Self { self.#ident = ::std::option::Option::Some(value); self }
            },
            Setter::Patch(inner) => quote! {
                #[doc = #doc]
                pub fn #method(mut self, value: impl ::std::convert::Into<crate::Patch<#inner>>) -> Self { self.#ident = value.into(); self }
            },
            Setter::Plain(ty) => quote! {
                #[doc = #doc]
                pub fn #method(mut self, value: #ty) -> Self { self.#ident = value; self }
            },
        });
    }
    let new_doc = if args.is_empty() {
        format!(" Builds `{name}` with every field unset; set them with the `with_*` methods.")
    } else {
        format!(" Builds `{name}` from the fields it must have; the others start unset (set them with the `with_*` methods).")
    };
    let lint = (args.len() > 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    quote! {
        // a deprecated field still gets its setter (which the caller sees as deprecated)
        #[allow(deprecated)]
        impl #name {
            #[doc = #new_doc]
            #lint
            pub fn new(#(#args),*) -> Self { Self { #(#inits),* } }
            #(#setters)*
        }
    }
}

fn classify(field: &syn::Field) -> (Start, Setter) {
    if let Some(inner) = super::syn_helpers::generic_inner(&field.ty, "Option") {
        return (Start::Value(quote! { ::std::option::Option::None }), Setter::Some(inner));
    }
    if let Some(inner) = super::syn_helpers::generic_inner(&field.ty, "Patch") {
        return (Start::Value(quote! { crate::Patch::Absent }), Setter::Patch(inner));
    }
    let start = match serde_default(field) {
        Some(None) => Start::Value(quote! { ::std::default::Default::default() }),
        Some(Some(path)) => Start::Value(quote! { #path() }),
        None => Start::Argument,
    };
    (start, Setter::Plain(field.ty.clone()))
}

/// `#[serde(default)]` → `Some(None)`, `#[serde(default = "path")]` → `Some(Some(path))`.
fn serde_default(field: &syn::Field) -> Option<Option<syn::ExprPath>> {
    let mut found = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    found = Some(value.parse::<syn::ExprPath>().ok());
                } else {
                    found = Some(None);
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// A union (`oneOf`/`anyOf`, untagged or tagged by typify) is open like the string enums: a
/// shape this SDK does not know decodes to `Unknown(serde_json::Value)`, kept as it was sent,
/// and `#[non_exhaustive]` lets a regeneration add alternatives without a breaking change.
fn open_union(item: &mut syn::Item) -> Option<String> {
    let syn::Item::Enum(item) = item else { return None };
    let is_serde_union = item.attrs.iter().any(|a| {
        a.path().is_ident("serde") && {
            let text = quote::quote!(#a).to_string();
            text.contains("untagged") || text.contains("tag =")
        }
    });
    let has_data = item.variants.iter().any(|v| !matches!(v.fields, syn::Fields::Unit));
    if !is_serde_union || !has_data || item.variants.iter().any(|v| v.ident == "Unknown") {
        return None;
    }
    if !item.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        item.attrs.push(syn::parse_quote!(#[non_exhaustive]));
    }
    item.variants.push(syn::parse_quote! {
        /// A shape this version of the SDK does not know, kept as it was sent.
        #[serde(untagged)]
        Unknown(::serde_json::Value)
    });
    Some(item.ident.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn rewritten(file: syn::File) -> String {
        let mut file = file;
        rewrite(&mut file);
        prettyplease::unparse(&file)
    }

    #[test]
    fn required_fields_are_the_arguments_of_new() {
        let code = rewritten(syn::parse_quote! {
            pub struct Thing {
                #[serde(rename = "createdAt")]
                pub created_at: String,
                pub id: u64,
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub title: ::std::option::Option<String>,
                #[serde(default, skip_serializing_if = "Vec::is_empty")]
                pub tags: Vec<String>,
                #[serde(default = "defaults::limit")]
                pub limit: u64,
                #[serde(rename = "reason", default, skip_serializing_if = "crate::Patch::is_absent")]
                pub reason: crate::Patch<String>,
                pub r#type: u8,
                pub kind_: u8,
            }
        });
        assert!(code.contains("#[non_exhaustive]\npub struct Thing"), "{code}");
        assert!(code.contains("pub fn new(created_at: String, id: u64, r#type: u8, kind_: u8) -> Self"), "{code}");
        assert!(code.contains("title: ::std::option::Option::None"), "{code}");
        assert!(code.contains("tags: ::std::default::Default::default()"), "{code}");
        assert!(code.contains("limit: defaults::limit()"), "{code}");
        assert!(code.contains("reason: crate::Patch::Absent"), "{code}");
        assert!(code.contains("pub fn with_title(mut self, value: String) -> Self"), "{code}");
        assert!(code.contains("self.title = ::std::option::Option::Some(value)"), "{code}");
        assert!(
            code.contains("pub fn with_reason(\n        mut self,\n        value: impl ::std::convert::Into<crate::Patch<String>>,"),
            "{code}"
        );
        assert!(code.contains("pub fn with_type(mut self, value: u8) -> Self"), "{code}");
        assert!(code.contains("pub fn with_kind(mut self, value: u8) -> Self"), "{code}");
        assert!(code.contains("/// Sets `created_at` (wire name `createdAt`)."), "{code}");
    }

    #[test]
    fn an_open_union_of_scalars_displays_its_unknown_shape() {
        let code = rewritten(syn::parse_quote! {
            #[serde(untagged)]
            pub enum Nonce { Int64(i64), Nonce(String) }
            impl ::std::fmt::Display for Nonce {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match self { Self::Int64(x) => x.fmt(f), Self::Nonce(x) => x.fmt(f) }
                }
            }
        });
        assert!(code.contains("Unknown(::serde_json::Value)"), "{code}");
        assert!(code.contains("Self::Unknown(x) => x.fmt(f)"), "{code}");
    }

    #[test]
    fn tuple_structs_and_nested_modules_are_left_alone() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Wrapper(String);
            pub mod error { pub struct ConversionError { pub message: String } }
        };
        rewrite(&mut file);
        let code = file.to_token_stream().to_string();
        assert!(!code.contains("non_exhaustive"), "{code}");
        assert!(!code.contains("fn new"), "{code}");
    }

    #[test]
    fn a_struct_with_nothing_required_has_a_new_without_arguments() {
        let code = rewritten(syn::parse_quote! {
            #[non_exhaustive]
            pub struct Body { pub a: ::std::option::Option<u8> }
        });
        assert_eq!(code.matches("non_exhaustive").count(), 1, "{code}");
        assert!(code.contains("pub fn new() -> Self"), "{code}");
    }
}
