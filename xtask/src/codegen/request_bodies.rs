//! Request bodies progenitor takes as bytes (`codegen_spec` hands it every media type it does
//! not send itself as `application/octet-stream`, recording the real one in
//! [`super::BODY_MEDIA_TYPE`]): each such builder sends its real content type, and a
//! `multipart/form-data` body is a typed `crate::Multipart` (fields and files, encoded with
//! a boundary of its own) instead of bytes the caller would have to frame.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use serde_json::Value;

use crate::document::operations;

/// Builder name (`UploadAttachment`) → the media type its body really is.
pub fn media_types(spec: &Value) -> BTreeMap<String, String> {
    operations(spec)
        .into_iter()
        .filter_map(|(_, _, op)| {
            let media = op.get(super::BODY_MEDIA_TYPE)?.as_str()?;
            Some((op["operationId"].as_str()?.to_upper_camel_case(), media.to_string()))
        })
        .collect()
}

pub fn rewrite(file: &mut syn::File, media_types: &BTreeMap<String, String>) {
    if media_types.is_empty() {
        return;
    }
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else { continue };
        let Some((_, items)) = &mut module.content else { continue };
        for item in items {
            match item {
                syn::Item::Struct(s) if is_multipart(media_types.get(&s.ident.to_string())) => {
                    for field in s.fields.iter_mut().filter(|f| f.ident.as_ref().is_some_and(|i| i == "body")) {
                        field.ty = syn::parse_quote!(Result<crate::Multipart, String>);
                    }
                }
                syn::Item::Impl(block) => {
                    let syn::Type::Path(ty) = &*block.self_ty else { continue };
                    let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
                    let Some(media) = media_types.get(&name) else { continue };
                    for member in &mut block.items {
                        let syn::ImplItem::Fn(method) = member else { continue };
                        if method.sig.ident == "body" && is_multipart(Some(media)) {
                            *method = syn::parse_quote! {
                                pub fn body<V>(mut self, value: V) -> Self
                                where
                                    V: std::convert::TryInto<crate::Multipart>,
                                {
                                    self.body = value.try_into().map_err(|_| "conversion to `Multipart` for body failed".to_string());
                                    self
                                }
                            };
                        } else if method.sig.ident == "send" {
                            rewrite_send(method, media);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_multipart(media: Option<&String>) -> bool {
    media.is_some_and(|m| m.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// `send`'s `.header(CONTENT_TYPE, "application/octet-stream").body(body)`, with the real type.
fn rewrite_send(method: &mut syn::ImplItemFn, media: &str) {
    struct Send<'m> {
        media: &'m str,
        multipart: bool,
    }
    impl syn::visit_mut::VisitMut for Send<'_> {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            match expr {
                // HeaderValue::from_static("application/octet-stream")
                syn::Expr::Call(call)
                    if matches!(&*call.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "from_static"))
                        && call.args.len() == 1
                        && matches!(&call.args[0], syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == "application/octet-stream") =>
                {
                    let media = self.media;
                    *expr = if self.multipart {
                        syn::parse_quote!(
                            ::reqwest::header::HeaderValue::from_str(&multipart.0).map_err(|e| Error::InvalidRequest(e.to_string()))?
                        )
                    } else {
                        syn::parse_quote!(::reqwest::header::HeaderValue::from_static(#media))
                    };
                }
                // .body(body)
                syn::Expr::MethodCall(call) if self.multipart && call.method == "body" && call.args.len() == 1 => {
                    if matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident("body")) {
                        call.args[0] = syn::parse_quote!(multipart.1);
                    }
                }
                _ => {}
            }
        }

        fn visit_local_mut(&mut self, local: &mut syn::Local) {
            syn::visit_mut::visit_local_mut(self, local);
            // let body = body.map_err(Error::InvalidRequest)?;
            if self.multipart && matches!(&local.pat, syn::Pat::Ident(i) if i.ident == "body") {
                let stmt: syn::Stmt = syn::parse_quote!(let multipart = body.map_err(Error::InvalidRequest)?.encode(););
                if let syn::Stmt::Local(new) = stmt {
                    *local = new;
                }
            }
        }
    }
    let multipart = is_multipart(Some(&media.to_string()));
    syn::visit_mut::VisitMut::visit_block_mut(&mut Send { media, multipart }, &mut method.block);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                pub struct Upload<'a> { client: &'a super::Client, body: Result<reqwest::Body, String> }
                impl<'a> Upload<'a> {
                    pub fn body<B>(mut self, value: B) -> Self where B: std::convert::TryInto<reqwest::Body> {
                        self.body = value.try_into().map_err(|_| "x".to_string());
                        self
                    }
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        let Self { client, body } = self;
                        let body = body.map_err(Error::InvalidRequest)?;
                        let mut request = client.client.post(url)
                            .header(::reqwest::header::CONTENT_TYPE, ::reqwest::header::HeaderValue::from_static("application/octet-stream"))
                            .body(body)
                            .build()?;
                        todo!()
                    }
                }
            }
        }
    }

    #[test]
    fn a_multipart_body_is_typed_and_sent_with_its_boundary() {
        let mut file = builder();
        rewrite(&mut file, &BTreeMap::from([("Upload".to_string(), "multipart/form-data".to_string())]));
        let code = quote::quote!(#file).to_string().replace(' ', "");
        assert!(code.contains("body:Result<crate::Multipart,String>"), "{code}");
        assert!(code.contains("V:std::convert::TryInto<crate::Multipart>"), "{code}");
        assert!(code.contains("letmultipart=body.map_err(Error::InvalidRequest)?.encode();"), "{code}");
        assert!(code.contains("HeaderValue::from_str(&multipart.0)"), "{code}");
        assert!(code.contains(".body(multipart.1)"), "{code}");
        assert!(!code.contains("application/octet-stream"), "{code}");
    }

    #[test]
    fn another_media_type_is_sent_as_itself() {
        let mut file = builder();
        rewrite(&mut file, &BTreeMap::from([("Upload".to_string(), "image/png".to_string())]));
        let code = quote::quote!(#file).to_string().replace(' ', "");
        assert!(code.contains("HeaderValue::from_static(\"image/png\")"), "{code}");
        assert!(code.contains("Result<reqwest::Body,String>"), "{code}");
    }
}
