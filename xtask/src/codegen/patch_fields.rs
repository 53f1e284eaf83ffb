//! Optional + nullable request fields become `crate::Patch<T>` (absent / null / value).
//!
//! For a PATCH body, leaving a field out ("keep it") and sending `null` ("clear it") mean
//! different things. typify maps such a field to `Option<T>` with `skip_serializing_if`, which
//! cannot send `null` at all. Request bodies are found from the spec; the rewrite is on the
//! syntax tree of typify's output, field by field, matched by wire name.

use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::error::{Result, fail};

/// `(schema name, wire names of its optional nullable properties)` for every request body.
pub fn targets(spec: &Value) -> Vec<(String, Vec<String>)> {
    let mut bodies: Vec<String> = Vec::new();
    for (_, _, op) in crate::document::operations(spec) {
        let reference = op.pointer("/requestBody/content/application~1json/schema/$ref").and_then(Value::as_str);
        if let Some(name) = reference.and_then(|r| r.strip_prefix("#/components/schemas/"))
            && !bodies.iter().any(|b| b == name)
        {
            bodies.push(name.to_string());
        }
    }
    bodies.sort();
    bodies
        .into_iter()
        .filter_map(|name| {
            let schema = spec.pointer(&format!("/components/schemas/{name}"))?;
            let required: Vec<&str> =
                schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let fields: Vec<String> = schema
                .get("properties")?
                .as_object()?
                .iter()
                .filter(|(k, v)| !required.contains(&k.as_str()) && v.get("nullable") == Some(&Value::Bool(true)))
                .map(|(k, _)| k.clone())
                .collect();
            (!fields.is_empty()).then_some((name, fields))
        })
        .collect()
}

pub fn rewrite(file: &mut syn::File, targets: &[(String, Vec<String>)]) -> Result<()> {
    let mut rewriter = Rewriter { targets, done: Vec::new(), error: None };
    rewriter.visit_file_mut(file);
    if let Some(e) = rewriter.error {
        fail!("{e}");
    }
    for (name, fields) in targets {
        for field in fields {
            if !rewriter.done.iter().any(|(n, f)| n == name && f == field) {
                fail!("models: could not find field `{field}` of `{name}` in typify's output to make it a Patch");
            }
        }
    }
    Ok(())
}

struct Rewriter<'t> {
    targets: &'t [(String, Vec<String>)],
    done: Vec<(String, String)>,
    error: Option<String>,
}

impl VisitMut for Rewriter<'_> {
    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        let name = item.ident.to_string();
        let Some((_, wanted)) = self.targets.iter().find(|(n, _)| *n == name) else { return };
        for field in item.fields.iter_mut() {
            let wire = super::syn_helpers::wire_name(field);
            if !wanted.contains(&wire) {
                continue;
            }
            let Some(inner) = super::syn_helpers::generic_inner(&field.ty, "Option") else {
                self.error = Some(format!("models: `{name}.{wire}` is not an Option in typify's output"));
                return;
            };
            field.ty = syn::parse_quote!(crate::Patch<#inner>);
            field.attrs.retain(|a| !a.path().is_ident("serde"));
            field.attrs.push(syn::parse_quote!(
                #[serde(rename = #wire, default, skip_serializing_if = "crate::Patch::is_absent")]
            ));
            self.done.push((name.clone(), wire));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;
    use serde_json::json;

    #[test]
    fn finds_optional_nullable_fields_of_request_bodies_only() {
        let spec = json!({
            "paths": {"/x": {"patch": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}}}}},
            "components": {"schemas": {
                "Body": {"properties": {"a": {"nullable": true}, "b": {}, "c": {"nullable": true}}, "required": ["c"]},
                "Reply": {"properties": {"a": {"nullable": true}}}}}});
        assert_eq!(targets(&spec), vec![("Body".to_string(), vec!["a".to_string()])]);
    }

    #[test]
    fn rewrites_the_field_type_and_serde_attributes() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Body {
                #[serde(rename = "finishedAt", default, skip_serializing_if = "::std::option::Option::is_none")]
                pub finished_at: ::std::option::Option<String>,
                pub other: ::std::option::Option<String>,
            }
        };
        rewrite(&mut file, &[("Body".into(), vec!["finishedAt".into()])]).unwrap();
        let code = file.to_token_stream().to_string();
        assert!(code.contains("pub finished_at : crate :: Patch < String >"), "{code}");
        assert!(code.contains("skip_serializing_if = \"crate::Patch::is_absent\""), "{code}");
        assert!(code.contains("pub other : :: std :: option :: Option < String >"), "{code}");
    }

    #[test]
    fn a_missing_field_is_an_error() {
        let mut file: syn::File = syn::parse_quote! { pub struct Body { pub a: Option<u8> } };
        let err = rewrite(&mut file, &[("Body".into(), vec!["b".into()])]).unwrap_err();
        assert!(err.0.contains("could not find field `b` of `Body`"));
    }
}
