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
