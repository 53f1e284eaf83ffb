//! Reading typify's output: small syn helpers the rewrites of the generated models share
//! (`patch_fields`, `constructors`, and the deprecation marks in `models`). A leaf of codegen.

/// `T` of `…::Name<T>` (`Option<T>`, `::std::option::Option<T>`, `crate::Patch<T>`).
pub fn generic_inner(ty: &syn::Type, name: &str) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// The field's `#[serde(rename = "...")]`, else its identifier.
pub fn wire_name(field: &syn::Field) -> String {
    let mut rename = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename.unwrap_or_else(|| field.ident.as_ref().map(|i| i.to_string().trim_start_matches("r#").to_string()).unwrap_or_default())
}

/// The Rust name progenitor and typify give a wire name (a parameter's setter, a field):
/// snake case, a leading `_` before what cannot start an identifier, a trailing `_` after a
/// keyword (`type` → `type_`). The same rules as their `sanitize`, so the names we look up are
/// the ones they made.
pub fn snake_ident(wire: &str) -> String {
    use heck::ToSnakeCase;
    let out = match wire {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => wire.replace('\'', "").replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-").to_snake_case(),
    };
    let out = match out.chars().next() {
        None => "x".to_string(),
        Some(c) if c.is_alphabetic() => out,
        Some(_) => format!("_{out}"),
    };
    if is_keyword(&out) { format!("{out}_") } else { out }
}

/// Rust's keywords, reserved words included (typify's list, with `gen`).
pub fn is_keyword(ident: &str) -> bool {
    matches!(
        ident,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

#[cfg(test)]
mod ident_tests {
    #[test]
    fn names_follow_progenitors_rules() {
        use super::snake_ident;
        assert_eq!(snake_ident("type"), "type_");
        assert_eq!(snake_ident("Type"), "type_");
        assert_eq!(snake_ident("PageSize"), "page_size");
        assert_eq!(snake_ident("2fa_code"), "_2fa_code");
        assert_eq!(snake_ident("X-Twilio-Webhook-Enabled"), "x_twilio_webhook_enabled");
        assert_eq!(snake_ident("self"), "self_");
    }
}
