//! What progenitor's generated builders take and give, read from the client it generated: each
//! setter's `TryInto<T>` target and `send`'s result and error types. The call surface and the
//! streams name their argument types from here, so they always agree with the client.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

#[cfg(test)]
use crate::error::{Result, fail};

/// What progenitor's builder for one operation takes and gives.
#[derive(Debug, Default)]
pub struct Builder {
    /// setter name → the type its `TryInto<T>` bound names
    pub setters: BTreeMap<String, TokenStream>,
    /// `T` of `send`'s `Result<ResponseValue<T>, Error<E>>`
    pub output: Option<TokenStream>,
    /// `E` of the same
    pub error: Option<TokenStream>,
}

/// The builders of a generated client, by struct name (`GetChat`).
#[cfg(test)]
pub fn builders(client_code: &str) -> Result<BTreeMap<String, Builder>> {
    match syn::parse_file(client_code) {
        Ok(file) => Ok(of_file(&file)),
        Err(e) => fail!("calls: the generated client does not parse: {e}"),
    }
}

/// [`builders`] of the client's syntax tree.
pub fn of_file(file: &syn::File) -> BTreeMap<String, Builder> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Mod(module) = item else { continue };
        if module.ident != "builder" {
            continue;
        }
        for item in module.content.iter().flat_map(|(_, items)| items) {
            let syn::Item::Impl(block) = item else { continue };
            let syn::Type::Path(ty) = &*block.self_ty else { continue };
            let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
            let builder: &mut Builder = out.entry(name).or_default();
            for member in &block.items {
                let syn::ImplItem::Fn(method) = member else { continue };
                let fn_name = method.sig.ident.to_string();
                if fn_name == "send" {
                    builder.output = send_output(&method.sig.output);
                    builder.error = send_error(&method.sig.output);
                } else if let Some(target) = try_into_target(method) {
                    builder.setters.insert(fn_name, target);
                }
            }
        }
    }
    out
}

/// `T` of a setter's `where V: std::convert::TryInto<T>`.
fn try_into_target(method: &syn::ImplItemFn) -> Option<TokenStream> {
    let predicates = method.sig.generics.where_clause.as_ref()?.predicates.iter();
    for predicate in predicates {
        let syn::WherePredicate::Type(bound) = predicate else { continue };
        for b in &bound.bounds {
            let syn::TypeParamBound::Trait(t) = b else { continue };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                continue;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else { continue };
            if let Some(syn::GenericArgument::Type(target)) = args.args.first() {
                return Some(absolute(target.clone()));
            }
        }
    }
    None
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn send_output(output: &syn::ReturnType) -> Option<TokenStream> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let first_arg = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else { return None };
        match args.args.first()? {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        }
    };
    let value = first_arg(ty)?;
    let inner = first_arg(&value)?;
    Some(absolute(inner))
}

/// `E` of `Result<ResponseValue<T>, Error<E>>`.
fn send_error(output: &syn::ReturnType) -> Option<TokenStream> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let nth_arg = |ty: &syn::Type, n: usize| -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else { return None };
        match args.args.iter().nth(n)? {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        }
    };
    let error = nth_arg(ty, 1)?;
    let inner = nth_arg(&error, 0)?;
    Some(absolute(inner))
}

/// A type as written inside the generated client, made valid outside it: paths relative to
/// the client crate (`ByteStream`, `types::X`) are prefixed with `zaia_client::`.
fn absolute(mut ty: syn::Type) -> TokenStream {
    struct Prefix;
    impl syn::visit_mut::VisitMut for Prefix {
        fn visit_type_path_mut(&mut self, path: &mut syn::TypePath) {
            syn::visit_mut::visit_type_path_mut(self, path);
            let relative = path.qself.is_none() && path.path.leading_colon.is_none();
            let first = path.path.segments.first().map(|s| s.ident.to_string()).unwrap_or_default();
            let primitive = [
                "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32",
                "f64", "std", "core", "alloc", "Self",
            ]
            .contains(&first.as_str());
            if first == "crate" {
                path.path.segments[0].ident = syn::Ident::new("zaia_client", proc_macro2::Span::call_site());
            } else if relative && !primitive {
                path.path = syn::parse_quote!(zaia_client::#path);
            }
        }
    }
    syn::visit_mut::VisitMut::visit_type_mut(&mut Prefix, &mut ty);
    quote! { #ty }
}

/// The type a caller passes for a parameter of type `ty`: a `NonZero*` count is taken as its
/// plain integer (`5`, not `NonZeroU64::new(5).unwrap()`); progenitor's setter converts it, and
/// a zero is refused before sending, naming the parameter.
pub fn caller_type(ty: &TokenStream) -> TokenStream {
    let text = ty.to_string().replace(' ', "");
    let plain = ["U8", "U16", "U32", "U64", "Usize", "I8", "I16", "I32", "I64", "Isize"]
        .iter()
        .find(|n| text == format!("::std::num::NonZero{n}") || text == format!("std::num::NonZero{n}"))
        .map(|n| n.to_lowercase());
    match plain {
        Some(plain) => plain.parse().expect("an integer type"),
        None => ty.clone(),
    }
}
