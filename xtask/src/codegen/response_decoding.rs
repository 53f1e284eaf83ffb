//! How the generated client reads a response body.
//!
//! - **JSON bodies**: progenitor's `ResponseValue::from_response` copies the response's headers
//!   before consuming the response, and collects the body through a buffer list. Every call
//!   decodes a body, so the generated file gets its own `decode_json`, which moves the headers
//!   and keeps a one-chunk body as it came; the result (value, status, headers, each error
//!   variant) is the same.
//! - **Bodies read ahead**: an executor that must see a whole body before the generated code does
//!   (zaia-ext reads a retryable request's body inside its retry loop, so that a body cut
//!   mid-way is retried) hands the response on with its bytes in a `ReadAhead` extension,
//!   rather than rebuilding a response around them. `decode_json` takes them from there; every
//!   other way a response leaves the generated code (a raw or empty body, an upgrade, an
//!   unexpected status handed to the caller) goes through `restore_body` first, which puts
//!   them back as the response's body. So no caller ever sees a spent body.

use syn::visit_mut::VisitMut;

/// The helpers' names, at the top of the generated file.
const HELPER: &str = "decode_json";
const RESTORE: &str = "restore_body";

/// Points every `ResponseValue::from_response(..)` in `file` at the file's own `decode_json`,
/// and every other hand-over of a response at `restore_body`; adds the helpers when any was
/// pointed at.
pub fn rewrite(file: &mut syn::File) {
    let mut rewriter = Rewriter { depth: 0, rewritten: 0 };
    rewriter.visit_file_mut(file);
    StatusOrder.visit_file_mut(file);
    if rewriter.rewritten > 0 {
        file.items.extend(helpers());
    }
}

/// progenitor matches a status range (`4XX` → `400..=499`) before the statuses inside it
/// (`429`), which can then never match (rustc: unreachable pattern): a status's own arm goes
/// first, then the ranges, then the rest.
struct StatusOrder;

impl VisitMut for StatusOrder {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        syn::visit_mut::visit_expr_match_mut(self, m);
        let rank = |arm: &syn::Arm| match &arm.pat {
            syn::Pat::Lit(_) => Some(0),
            syn::Pat::Range(_) => Some(1),
            syn::Pat::Wild(_) => Some(2),
            _ => None,
        };
        let is_status_match = m.arms.iter().all(|a| rank(a).is_some()) && m.arms.iter().any(|a| matches!(a.pat, syn::Pat::Range(_)));
        if is_status_match {
            m.arms.sort_by_key(|a| rank(a).unwrap_or(2));
        }
    }
}

struct Rewriter {
    /// Modules entered: the helpers are `super::` that many times away.
    depth: usize,
    rewritten: usize,
}

impl Rewriter {
    fn helper(&self, name: &str) -> syn::Expr {
        let name = syn::Ident::new(name, proc_macro2::Span::call_site());
        let supers = std::iter::repeat_n(quote::quote!(super::), self.depth);
        syn::parse_quote!(#(#supers)* #name)
    }
}

impl VisitMut for Rewriter {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        self.depth += 1;
        syn::visit_mut::visit_item_mod_mut(self, module);
        self.depth -= 1;
    }

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let syn::Expr::Path(func) = &*call.func else { return };
        let names: Vec<String> = func.path.segments.iter().rev().take(2).map(|s| s.ident.to_string()).collect();
        let names: Vec<&str> = names.iter().rev().map(String::as_str).collect();
        match names[..] {
            ["ResponseValue", "from_response"] => {
                *call.func = self.helper(HELPER);
                self.rewritten += 1;
            }
            // the other ways a response is handed over: its body must be whole again
            ["ResponseValue", "empty" | "stream" | "upgrade"] | ["Error", "UnexpectedResponse"] => {
                if let Some(response) = call.args.first_mut() {
                    let restore = self.helper(RESTORE);
                    *response = syn::parse_quote!(#restore(#response));
                    self.rewritten += 1;
                }
            }
            _ => {}
        }
    }
}

fn helpers() -> Vec<syn::Item> {
    let decode = syn::Ident::new(HELPER, proc_macro2::Span::call_site());
    let restore = syn::Ident::new(RESTORE, proc_macro2::Span::call_site());
    vec![
        syn::parse_quote! {
            /// A response body an executor read before handing the response on (the response's
            /// own body is then spent): the generated code takes it from the response's
            /// extensions.
            #[doc(hidden)]
            #[derive(Clone, Debug)]
            pub struct ReadAhead(pub ::bytes::Bytes);
        },
        syn::parse_quote! {
            /// `ResponseValue::from_response` without copying the headers (the response is
            /// consumed: they are moved), without a buffer list for a body that comes in one
            /// chunk, and with a body read ahead taken as it is.
            async fn #decode<T: ::serde::de::DeserializeOwned, E>(
                mut response: ::reqwest::Response,
            ) -> Result<ResponseValue<T>, Error<E>> {
                let status = response.status();
                let read_ahead = response.extensions_mut().remove::<ReadAhead>();
                let headers = ::std::mem::take(response.headers_mut());
                let full = match read_ahead {
                    Some(ReadAhead(bytes)) => bytes,
                    None => {
                        let mut first = None;
                        let mut more: Vec<u8> = Vec::new();
                        while let Some(chunk) = response.chunk().await.map_err(Error::ResponseBodyError)? {
                            match &first {
                                None => first = Some(chunk),
                                Some(kept) => {
                                    if more.is_empty() {
                                        more.extend_from_slice(kept);
                                    }
                                    more.extend_from_slice(&chunk);
                                }
                            }
                        }
                        if more.is_empty() { first.unwrap_or_default() } else { more.into() }
                    }
                };
                // an empty body is `null`: an operation that answers a body or none (200 and
                // 204) has an optional success type, and `None` is the empty answer
                let text: &[u8] = if full.is_empty() { b"null" } else { &full };
                match ::serde_json::from_slice(text) {
                    Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
                    Err(e) => Err(Error::InvalidResponsePayload(full, e)),
                }
            }
        },
        syn::parse_quote! {
            /// The response with its body: a body read ahead is put back.
            fn #restore(mut response: ::reqwest::Response) -> ::reqwest::Response {
                use ::reqwest::ResponseBuilderExt as _;
                let Some(ReadAhead(bytes)) = response.extensions_mut().remove::<ReadAhead>() else {
                    return response;
                };
                let mut builder = ::http::Response::builder()
                    .status(response.status())
                    .version(response.version())
                    .url(response.url().clone());
                if let Some(headers) = builder.headers_mut() {
                    *headers = ::std::mem::take(response.headers_mut());
                }
                match builder.body(::reqwest::Body::from(bytes)) {
                    Ok(restored) => restored.into(),
                    // a status and version taken from a response are valid: not reached
                    Err(_) => response,
                }
            }
        },
    ]
}

#[cfg(test)]
mod status_order_tests {
    use super::*;

    #[test]
    fn a_status_goes_before_the_range_that_holds_it() {
        let mut file: syn::File = syn::parse_quote! {
            fn f(s: u16) -> u8 { match s { 200u16 => 0, 400u16..=499u16 => 1, 429u16 => 2, _ => 3 } }
        };
        StatusOrder.visit_file_mut(&mut file);
        let code = quote::quote!(#file).to_string().replace(' ', "");
        assert!(code.contains("200u16=>0,429u16=>2,400u16..=499u16=>1,_=>3"), "{code}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decode_points_at_the_helper_from_where_it_is() {
        let mut file: syn::File = syn::parse_str(
            r#"
            pub use progenitor_client::{Error, ResponseValue};
            pub mod builder {
                impl Get<'_> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<()>> {
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            204u16 => Ok(ResponseValue::empty(response)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
            "#,
        )
        .unwrap();
        rewrite(&mut file);
        let out: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert_eq!(out.matches("super::decode_json(response).await").count(), 2, "{out}");
        assert!(!out.contains("ResponseValue::from_response(response)"), "{out}");
        assert_eq!(out.matches("asyncfndecode_json<").count(), 1, "{out}");
        // every other hand-over restores a body read ahead
        assert!(out.contains("Ok(ResponseValue::empty(super::restore_body(response)))"), "{out}");
        assert!(out.contains("Err(Error::UnexpectedResponse(super::restore_body(response)))"), "{out}");
        assert_eq!(out.matches("fnrestore_body(").count(), 1, "{out}");
    }

    #[test]
    fn a_client_without_a_json_decode_gets_no_helper() {
        let mut file: syn::File = syn::parse_str("pub mod builder { fn f() {} }").unwrap();
        rewrite(&mut file);
        assert!(!prettyplease::unparse(&file).contains(HELPER));
    }
}
