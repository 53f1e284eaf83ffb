//! `zaia-ext/src/calls/generated.rs`: the call surface users write, one method per operation on
//! `zaia_ext::ZaiaClient` (and, with the `blocking` feature, on `zaia_ext::blocking::ZaiaClient`).
//!
//! `client.get_chat(id).await?`: required path, query and header parameters and the body are
//! the method's arguments (path order, then the spec's), so leaving one out does not compile;
//! optional parameters are setters on the returned call, which is awaited directly
//! (`IntoFuture`) or sent with `.send()`, and takes `.within(d)`. A paginated list's call also
//! streams: `.items()`, `.pages()`, `.page_size(n)`, `.prefetch(n)`.
//!
//! The argument and result types are read from progenitor's own builders (their setters'
//! `TryInto<T>` bounds and `send`'s result), so the surface always agrees with the client it
//! wraps; nothing about an operation is written by hand.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::builders::{builders, caller_type};
use super::format_file;
use super::pagination::{PagedList, Shape};
use super::syn_helpers::snake_ident;
use crate::config::Config;
use crate::document::operations;
use crate::error::{Result, fail};

/// One argument or setter of a call.
struct Param {
    /// Its Rust name (progenitor's setter).
    setter: syn::Ident,
    ty: TokenStream,
    deprecated: Option<String>,
}

/// The Rust file.
pub fn generate(spec: &Value, client_code: &str, lists: &[PagedList], config: &Config) -> Result<String> {
    let builders = builders(client_code)?;
    let mut client_methods = Vec::new();
    let mut blocking_methods = Vec::new();
    let mut calls = Vec::new();
    let mut blocking_calls = Vec::new();
    for (path, method, op) in operations(spec) {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let name = id.to_upper_camel_case();
        let Some(builder) = builders.get(&name) else { fail!("calls: {id}: progenitor generated no builder `{name}`") };
        let Some(output) = &builder.output else { fail!("calls: {id}: builder `{name}` has no `send`") };
        let list = lists.iter().find(|l| l.id == id);
        let hidden = list.map(page_parameters).unwrap_or_default();
        let setter_of = |wire: &str| -> Result<Param> {
            let setter = snake_ident(wire);
            match builder.setters.get(&setter) {
                Some(ty) => Ok(Param { setter: format_ident!("{setter}"), ty: caller_type(ty), deprecated: None }),
                None => fail!("calls: {id}: parameter `{wire}` has no setter `{setter}` on `{name}`"),
            }
        };
        // required: path parameters in path order, then the spec's order; then the body
        let params: Vec<&Value> = op.get("parameters").and_then(Value::as_array).into_iter().flatten().collect();
        let mut required = Vec::new();
        for segment in path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))) {
            required.push(setter_of(segment)?);
        }
        let mut optional = Vec::new();
        for p in &params {
            let wire = p["name"].as_str().unwrap_or_default();
            if p["in"] == "path" || hidden.iter().any(|h| h == wire) {
                continue;
            }
            let mut param = setter_of(wire)?;
            param.deprecated = super::client::deprecation_note(p);
            if p["required"] == true { required.push(param) } else { optional.push(param) }
        }
        if op.pointer("/requestBody/content/application~1json").is_some() {
            required.push(setter_of("body")?);
        }

        let call = format_ident!("{name}");
        let method_ident = format_ident!("{id}");
        let summary = op
            .get("description")
            .and_then(Value::as_str)
            .and_then(|d| d.split("\n\n").next())
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .unwrap_or("");
        let route = format!("`{} {path}`", method.to_uppercase());
        let doc = format!("{route}: {summary}");
        let call_doc = format!(
            "A call of {route}, made by [`ZaiaClient::{id}`](crate::ZaiaClient::{id}): set optional parameters, then await it (or `.send()`)."
        );
        let deprecated = super::client::deprecation_note(op).map(|note| quote! { #[deprecated(note = #note)] });
        let arg_names: Vec<&syn::Ident> = required.iter().map(|p| &p.setter).collect();
        let arg_types: Vec<&TokenStream> = required.iter().map(|p| &p.ty).collect();
        client_methods.push(quote! {
            #[doc = #doc]
            #deprecated
            pub fn #method_ident(&self, #(#arg_names: impl Into<#arg_types>),*) -> #call<'_> {
                #call::new(self.generated().#method_ident() #(.#arg_names(#arg_names.into()))*)
            }
        });
        blocking_methods.push(quote! {
            #[doc = #doc]
            #deprecated
            pub fn #method_ident(&self, #(#arg_names: impl Into<#arg_types>),*) -> blocking::#call<'_> {
                blocking::#call { call: self.as_async().#method_ident(#(#arg_names),*), runtime: self.runtime() }
            }
        });
        let setters = optional.iter().map(|p| {
            let (setter, ty) = (&p.setter, &p.ty);
            let doc = format!("Sets the optional parameter `{setter}`.");
            let deprecated = p.deprecated.as_ref().map(|note| quote! { #[deprecated(note = #note)] });
            quote! {
                #[doc = #doc]
                #deprecated
                pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                    self.builder = self.builder.#setter(value.into());
                    self
                }
            }
        });
        let blocking_setters = optional.iter().map(|p| {
            let (setter, ty) = (&p.setter, &p.ty);
            let doc = format!("Sets the optional parameter `{setter}`.");
            let deprecated = p.deprecated.as_ref().map(|note| quote! { #[deprecated(note = #note)] });
            quote! {
                #[doc = #doc]
                #deprecated
                pub fn #setter(self, value: impl Into<#ty>) -> Self {
                    #call { call: self.call.#setter(value), runtime: self.runtime }
                }
            }
        });
        let (media_method, blocking_media_method) = media_parts(op, list.is_some());
        let (list_fields, list_init, one_page, list_methods, blocking_list_methods) = match list {
            None => (quote! {}, quote! {}, quote! {}, quote! {}, quote! {}),
            Some(list) => list_parts(list, config),
        };
        calls.push(quote! {
            #[doc = #call_doc]
            #[must_use = "a call does nothing until it is awaited or sent"]
            pub struct #call<'a> {
                builder: builder::#call<'a>,
                timeout: Option<Duration>,
                #list_fields
            }

            #[allow(deprecated)]
            impl<'a> #call<'a> {
                fn new(builder: builder::#call<'a>) -> Self {
                    #call { builder, timeout: None, #list_init }
                }

                #(#setters)*

                /// This call's own deadline (every attempt and wait) instead of the client's
                /// operation timeout; for a stream, each page's.
                pub fn within(mut self, timeout: Duration) -> Self {
                    self.timeout = Some(timeout);
                    self
                }

                /// Sends the call: the answer's body.
                pub async fn send(self) -> Result<#output, Error> {
                    self.send_with_response().await.map(ResponseValue::into_inner)
                }

                /// Sends the call: the answer with its status and headers
                /// ([`crate::request_id`] reads the request id from them).
                pub async fn send_with_response(self) -> Result<ResponseValue<#output>, Error> {
                    let builder = self.builder;
                    #one_page
                    crate::call::send(builder.send(), self.timeout).await
                }

                #media_method
                #list_methods
            }

            impl<'a> IntoFuture for #call<'a> {
                type Output = Result<#output, Error>;
                type IntoFuture = BoxFuture<'a, Self::Output>;

                fn into_future(self) -> Self::IntoFuture {
                    Box::pin(self.send())
                }
            }

            impl std::fmt::Debug for #call<'_> {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(stringify!(#call)).field("timeout", &self.timeout).finish_non_exhaustive()
                }
            }
        });
        blocking_calls.push(quote! {
            #[doc = #call_doc]
            #[must_use = "a call does nothing until it is sent"]
            #[derive(Debug)]
            pub struct #call<'a> {
                pub(crate) call: super::#call<'a>,
                pub(crate) runtime: &'a tokio::runtime::Runtime,
            }

            #[allow(deprecated)]
            impl<'a> #call<'a> {
                #(#blocking_setters)*

                /// This call's own deadline (every attempt and wait); for a list, each page's.
                pub fn within(self, timeout: Duration) -> Self {
                    #call { call: self.call.within(timeout), runtime: self.runtime }
                }

                /// Sends the call and waits for the answer's body.
                pub fn send(self) -> Result<#output, Error> {
                    self.runtime.block_on(self.call.send())
                }

                /// Sends the call and waits for the answer with its status and headers.
                pub fn send_with_response(self) -> Result<ResponseValue<#output>, Error> {
                    self.runtime.block_on(self.call.send_with_response())
                }

                #blocking_media_method
                #blocking_list_methods
            }
        });
    }
    // every error type an operation documents, other than the API's one error type (which
    // `call.rs` maps to `Error::Api`): its body reaches the caller as `Error::Documented`
    let mut error_types: BTreeMap<String, TokenStream> = BTreeMap::new();
    for builder in builders.values() {
        let Some(error) = &builder.error else { continue };
        let text = error.to_string().replace(' ', "");
        let is_api_error = match config.error_bodies {
            crate::config::ErrorBodies::One(name) => text.rsplit("::").next() == Some(name),
            crate::config::ErrorBodies::UnionPerOperation => false,
        };
        if !is_api_error && text != "()" {
            error_types.insert(text, error.clone());
        }
    }
    let error_types = error_types.values();
    let tokens = quote! {
        use std::future::IntoFuture;
        use std::time::Duration;

        use futures_util::future::BoxFuture;
        use progenitor_client::ResponseValue;
        use zaia_client::builder;

        use crate::error::Error;

        /// Every operation, as a method whose arguments are what the operation requires.
        #[allow(deprecated)]
        impl crate::ZaiaClient {
            #(#client_methods)*
        }

        #(#calls)*

        #(
            impl crate::call::ErrorBody for #error_types {
                fn into_error(self, status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> Error {
                    Error::documented(self, status, headers)
                }
            }
        )*

        /// The blocking calls: the same methods, arguments and setters; `.send()` waits.
        #[cfg(feature = "blocking")]
        pub mod blocking {
            use std::time::Duration;

            use progenitor_client::ResponseValue;

            use crate::error::Error;

            #(#blocking_calls)*
        }

        /// Every operation, as on the async client, waiting for the answer.
        #[cfg(feature = "blocking")]
        #[allow(deprecated)]
        impl crate::blocking::ZaiaClient {
            #(#blocking_methods)*
        }
    };
    format_file(tokens, "calls")
}

/// The media types other than JSON an operation's successes offer beside JSON (`text/csv`), in
/// the order of the spec: the typed call asks for JSON, `send_as` for one of these.
pub fn other_media_types(op: &Value) -> Vec<String> {
    let successes = op.get("responses").and_then(Value::as_object).into_iter().flatten().filter(|(s, _)| s.starts_with('2'));
    let mut json = false;
    let mut others: Vec<String> = Vec::new();
    for (_, response) in successes {
        for media in response.get("content").and_then(Value::as_object).into_iter().flat_map(|c| c.keys()) {
            if super::super::stages::generator_forms::is_json(media) {
                json = true;
            } else if !others.contains(media) {
                others.push(media.clone());
            }
        }
    }
    if json { others } else { Vec::new() }
}

/// `send_as` (and its blocking twin) for an operation that answers JSON and other media types.
fn media_parts(op: &Value, list: bool) -> (TokenStream, TokenStream) {
    let others = other_media_types(op);
    if others.is_empty() {
        return (quote! {}, quote! {});
    }
    let named = others.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
    let doc = format!(
        "Sends the call asking for its answer as `media`, one of the other media types it offers ({named}), instead of JSON: the body unread, as a stream of bytes, with its status and headers. Any other `media` is an [`Error::InvalidRequest`] and nothing is sent; error statuses are errors as for [`send`](Self::send)."
    );
    let one_page = list.then(|| quote! { let builder = self.builder; });
    let builder = if list {
        quote! { builder }
    } else {
        quote! { self.builder }
    };
    let async_method = quote! {
        #[doc = #doc]
        pub async fn send_as(self, media: &str) -> Result<ResponseValue<progenitor_client::ByteStream>, Error> {
            #one_page
            crate::call::send_as_media(#builder.send(), self.timeout, media, &[#(#others),*]).await
        }
    };
    let blocking_doc = format!("Sends the call asking for its answer as `media`, one of {named}, and waits for the whole body.");
    let blocking_method = quote! {
        #[doc = #blocking_doc]
        pub fn send_as(self, media: &str) -> Result<ResponseValue<bytes::Bytes>, Error> {
            self.runtime.block_on(crate::call::read_all(self.call.send_as(media)))
        }
    };
    (async_method, blocking_method)
}

/// The parameters a list's stream sets itself (page number and size, limit, offset, cursor).
fn page_parameters(list: &PagedList) -> Vec<String> {
    let mut names = vec![list.size_name.clone()];
    match &list.shape {
        Shape::PageNumber => names.push("pageNumber".into()),
        Shape::Offset => names.push(super::pagination::OFFSET_PARAM.into()),
        Shape::Cursor { param, backward, .. } => names.extend([Some(param.clone()), backward.clone()].into_iter().flatten()),
        Shape::Limit { object: Some((object, _)) } => names.push(object.clone()),
        Shape::Limit { object: None } | Shape::NextLink { .. } => {}
    }
    names
}

/// What a paginated list's call adds: fields, their start, how one awaited page takes the page
/// size, the stream methods, and the blocking ones.
fn list_parts(list: &PagedList, config: &Config) -> (TokenStream, TokenStream, TokenStream, TokenStream, TokenStream) {
    let models: TokenStream = config.models_crate.parse().expect("checked by the client stage");
    let item = format_ident!("{}", list.item);
    let size_setter = match &list.shape {
        Shape::PageNumber => format_ident!("{}", snake_ident(config.page_params.size)),
        _ => format_ident!("{}", snake_ident(&list.size_name)),
    };
    let set_size = match &list.shape {
        Shape::Limit { object: Some((object, type_name)) } => {
            let setter = format_ident!("{}", snake_ident(object));
            let type_name = format_ident!("{type_name}");
            let limit = config.page_params.limit;
            quote! { builder.#setter(crate::pagination::pages::member_object::<#models::#type_name>(#limit, size)) }
        }
        _ => quote! { builder.#size_setter(size) },
    };
    let base = quote! { base.clone() };
    let pages = super::pagination::pages_expr(list, config, &base);
    let what = super::pagination::describe(list);
    let items_doc = format!("The items of {what}, in order, as a stream (lazy unless [`Self::prefetch`]).");
    let pages_doc = format!("The pages of {what}, in order, as a stream.");
    let fields = quote! { page_size: Option<u64>, prefetch: usize, };
    let init = quote! { page_size: None, prefetch: 1, };
    let one_page = quote! {
        let builder = match self.page_size {
            Some(size) => #set_size,
            None => builder,
        };
    };
    let methods = quote! {
        /// Items per page: for the page an awaited call asks for, and for every page of a
        /// stream (checked against the documented range before anything is sent).
        pub fn page_size(mut self, size: u64) -> Self {
            self.page_size = Some(size);
            self
        }

        /// Page requests a stream keeps in flight (1, the default, is lazy; a cursor list is
        /// sequential by nature and ignores it).
        pub fn prefetch(mut self, window: usize) -> Self {
            self.prefetch = window;
            self
        }

        #[doc = #pages_doc]
        pub fn pages(self) -> futures_util::stream::BoxStream<'a, Result<Vec<#models::#item>, Error>> {
            self.into_pages().pages()
        }

        #[doc = #items_doc]
        pub fn items(self) -> futures_util::stream::BoxStream<'a, Result<#models::#item, Error>> {
            self.into_pages().items()
        }

        /// Every item of every page.
        pub async fn collect_all(self) -> Result<Vec<#models::#item>, Error> {
            self.into_pages().collect_all().await
        }

        fn into_pages(self) -> crate::pagination::pages::Pages<'a, #models::#item> {
            let (base, timeout, window, size) = (self.builder, self.timeout, self.prefetch, self.page_size);
            let pages = #pages;
            let pages = pages.prefetch(window);
            match size {
                Some(size) => pages.page_size(size),
                None => pages,
            }
        }
    };
    let blocking_methods = quote! {
        /// Items per page (see the async call's `page_size`).
        pub fn page_size(self, size: u64) -> Self {
            Self { call: self.call.page_size(size), runtime: self.runtime }
        }

        /// Page requests kept in flight while iterating.
        pub fn prefetch(self, window: usize) -> Self {
            Self { call: self.call.prefetch(window), runtime: self.runtime }
        }

        #[doc = #items_doc]
        pub fn items(self) -> crate::blocking::Items<'a, #models::#item> {
            crate::blocking::Items::new(self.call.items(), self.runtime)
        }

        #[doc = #pages_doc]
        pub fn pages(self) -> crate::blocking::Items<'a, Vec<#models::#item>> {
            crate::blocking::Items::new(self.call.pages(), self.runtime)
        }

        /// Every item of every page.
        pub fn collect_all(self) -> Result<Vec<#models::#item>, Error> {
            self.runtime.block_on(self.call.collect_all())
        }
    };
    (fields, init, one_page, methods, blocking_methods)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = r#"
        pub mod builder {
            pub struct GetThing<'a> { client: &'a super::Client }
            impl<'a> GetThing<'a> {
                pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::uuid::Uuid> { self }
                pub fn verbose<V>(mut self, value: V) -> Self where V: std::convert::TryInto<bool> { self }
                pub async fn send(self) -> Result<ResponseValue<::zaia_models::Thing>, Error<::zaia_models::KnownException>> { todo!() }
            }
        }
    "#;

    #[test]
    fn builders_are_read_from_progenitors_setters_and_send() {
        let builders = builders(CLIENT).unwrap();
        let thing = &builders["GetThing"];
        assert_eq!(thing.setters["id"].to_string(), ":: uuid :: Uuid");
        assert_eq!(thing.setters["verbose"].to_string(), "bool");
        assert_eq!(thing.output.as_ref().unwrap().to_string(), ":: zaia_models :: Thing");
    }

    #[test]
    fn required_parameters_are_arguments_and_optional_ones_setters() {
        let spec = serde_json::json!({"paths": {"/api/v1/things/{id}": {"get": {"operationId": "get_thing", "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "verbose", "in": "query", "schema": {"type": "boolean"}}]}}}});
        let code: String = generate(&spec, CLIENT, &[], &Config::zaia()).unwrap().split_whitespace().collect();
        assert!(code.contains("pubfnget_thing(&self,id:implInto<::uuid::Uuid>)->GetThing<'_>"), "{code}");
        assert!(code.contains("pubfnverbose(mutself,value:implInto<bool>)->Self"), "{code}");
        assert!(code.contains("impl<'a>IntoFutureforGetThing<'a>"), "{code}");
        assert!(code.contains("pubasyncfnsend(self)->Result<::zaia_models::Thing,Error>"), "{code}");
    }

    #[test]
    fn a_parameter_without_a_setter_is_an_error_naming_it() {
        let spec = serde_json::json!({"paths": {"/api/v1/things/{thingId}": {"get": {"operationId": "get_thing"}}}});
        let err = generate(&spec, CLIENT, &[], &Config::zaia()).unwrap_err();
        assert_eq!(err.0, "calls: get_thing: parameter `thingId` has no setter `thing_id` on `GetThing`");
    }
}
