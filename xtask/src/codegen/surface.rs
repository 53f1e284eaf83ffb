//! The Rust API surface of the generated crates, as one compact listing: every operation (id,
//! method, path, parameters and their types, result and error types) and every model type
//! (fields, their types and optionality; enum variants). The insta snapshot of it is what a
//! reviewer reads when the generator changes; the generated files themselves are guarded byte
//! for byte by `cargo xtask check`.

use std::fmt::Write;

use quote::ToTokens;
use serde_json::Value;

use crate::error::{Result, fail};

/// `models` and `client` are the generated files' text; `spec` gives methods and paths.
pub fn listing(spec: &Value, models: &str, client: &str) -> Result<String> {
    let parse = |text: &str, what: &str| -> Result<syn::File> {
        match syn::parse_file(text) {
            Ok(f) => Ok(f),
            Err(e) => fail!("surface: the generated {what} do not parse: {e}"),
        }
    };
    let (models, client) = (parse(models, "models")?, parse(client, "client")?);
    let mut out = String::from("operations:\n");
    for (path, method, op) in crate::document::operations(spec) {
        let id = op["operationId"].as_str().unwrap_or_default();
        let _ = writeln!(out, "  {id}: {} {path}", method.to_uppercase());
        let builder = heck::ToUpperCamelCase::to_upper_camel_case(id);
        for (name, ty) in builder_methods(&client, &builder) {
            let _ = writeln!(out, "    {name}: {ty}");
        }
    }
    out.push_str("models:\n");
    // `T::new`'s arguments: what a program must give to build a value
    let constructors: std::collections::BTreeMap<String, String> = models
        .items
        .iter()
        .filter_map(|item| {
            let syn::Item::Impl(block) = item else { return None };
            let new = block.items.iter().find_map(|m| match m {
                syn::ImplItem::Fn(f) if f.sig.ident == "new" => Some(f),
                _ => None,
            })?;
            let args: Vec<String> = new
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(t) => Some(t.pat.to_token_stream().to_string()),
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            Some((block.self_ty.to_token_stream().to_string(), args.join(", ")))
        })
        .collect();
    for item in &models.items {
        match item {
            syn::Item::Struct(s) => {
                let exhaustive = if s.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) { " (non-exhaustive)" } else { "" };
                match constructors.get(&s.ident.to_string()) {
                    Some(args) => writeln!(out, "  struct {}{exhaustive}: new({args})", s.ident),
                    None => writeln!(out, "  struct {}{exhaustive}", s.ident),
                }
                .ok();
                for field in &s.fields {
                    let name = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                    let _ = writeln!(out, "    {name}: {}", tidy(&field.ty.to_token_stream().to_string()));
                }
            }
            syn::Item::Enum(e) => {
                let variants: Vec<String> = e
                    .variants
                    .iter()
                    .map(|v| match &v.fields {
                        syn::Fields::Unit => v.ident.to_string(),
                        fields => format!("{}{}", v.ident, tidy(&fields.to_token_stream().to_string())),
                    })
                    .collect();
                let _ = writeln!(out, "  enum {}: {}", e.ident, variants.join(" | "));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The setters of an operation's builder (`name: type`) and `send`'s result.
fn builder_methods(client: &syn::File, builder: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let modules = client.items.iter().filter_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    for items in modules {
        for item in items {
            let syn::Item::Impl(block) = item else { continue };
            let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
            if self_ty.path.segments.last().is_none_or(|s| s.ident != builder) {
                continue;
            }
            for member in &block.items {
                let syn::ImplItem::Fn(f) = member else { continue };
                let name = f.sig.ident.to_string();
                if name == "new" {
                    continue;
                }
                if name == "send" {
                    let result = match &f.sig.output {
                        syn::ReturnType::Type(_, ty) => tidy(&ty.to_token_stream().to_string()),
                        syn::ReturnType::Default => "()".into(),
                    };
                    out.push(("send".into(), result));
                    continue;
                }
                // setters take `V: TryInto<T>`: T is the parameter's type
                let target = f.sig.generics.where_clause.as_ref().and_then(|w| {
                    w.predicates.iter().find_map(|p| {
                        let text = tidy(&p.to_token_stream().to_string());
                        let start = text.find("TryInto<")? + "TryInto<".len();
                        Some(text[start..text.len() - 1].to_string())
                    })
                });
                out.push((name, target.unwrap_or_else(|| "(closure)".into())));
            }
        }
    }
    out
}

/// Token text made readable: no absolute paths, no spaces around punctuation.
fn tidy(tokens: &str) -> String {
    let mut text = tokens.replace(' ', "");
    for prefix in [
        "::std::string::",
        "::std::vec::",
        "::std::option::",
        "::std::num::",
        "::std::collections::",
        "::zaia_models::",
        "::uuid::",
        "::chrono::offset::",
        "::chrono::",
        "::serde_json::",
        "std::convert::",
        "crate::",
        "super::",
        "types::",
    ] {
        text = text.replace(prefix, "");
    }
    text.replace(",>", ">").replace(",)", ")").replace(',', ", ")
}
