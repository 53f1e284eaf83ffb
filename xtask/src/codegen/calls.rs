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

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::builders::{Builder, caller_type};
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
pub fn generate(
    spec: &Value,
    builders: &BTreeMap<String, Builder>,
    lists: &[PagedList],
    config: &Config,
    resources: &super::features::Resources,
) -> Result<String> {
    // the features of the operations documenting each error type: its `ErrorBody` impl compiles
    // with any of them
    let mut error_features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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
        let cfg = resources.cfg_of(&id);
        if let (Some(feature), Some(error)) = (resources.of_operation(&id), &builder.error) {
            error_features.entry(error.to_string().replace(' ', "")).or_default().insert(feature.to_string());
        }
        let arg_names: Vec<&syn::Ident> = required.iter().map(|p| &p.setter).collect();
        let arg_types: Vec<&TokenStream> = required.iter().map(|p| &p.ty).collect();
        client_methods.push(quote! {
            #[doc = #doc]
            #cfg
            #deprecated
            pub fn #method_ident(&self, #(#arg_names: impl Into<#arg_types>),*) -> #call<'_> {
                Call::new(self.generated().#method_ident() #(.#arg_names(#arg_names.into()))*)
            }
        });
        blocking_methods.push(quote! {
            #[doc = #doc]
            #cfg
            #deprecated
            pub fn #method_ident(&self, #(#arg_names: impl Into<#arg_types>),*) -> blocking::#call<'_> {
                blocking::Call::new(self.as_async().#method_ident(#(#arg_names),*), self.runtime())
            }
        });
        // the optional parameters: the same setters on the async call and the blocking one
        let setters: Vec<TokenStream> = optional
            .iter()
            .map(|p| {
                let (setter, ty) = (&p.setter, &p.ty);
                let doc = format!("Sets the optional parameter `{setter}`.");
                let deprecated = p.deprecated.as_ref().map(|note| quote! { #[deprecated(note = #note)] });
                quote! {
                    #[doc = #doc]
                    #deprecated
                    pub fn #setter(self, value: impl Into<#ty>) -> Self {
                        self.map(|request| request.#setter(value.into()))
                    }
                }
            })
            .collect();
        let setters_impl = (!setters.is_empty()).then(|| {
            quote! {
                #cfg
                #[allow(deprecated)]
                impl<'a> #call<'a> {
                    #(#setters)*
                }
            }
        });
        let with_page_size = list.map(|list| page_size_method(list, config));
        let paged = list.map(|list| paged_impl(&call, list, config)).map(|paged| quote! { #cfg #paged });
        let media = media_impl(&call, op).map(|media| quote! { #cfg #media });
        calls.push(quote! {
            #[doc = #call_doc]
            #cfg
            pub type #call<'a> = Call<'a, builder::#call<'a>>;

            #cfg
            #[allow(deprecated)]
            impl<'a> Operation<'a> for builder::#call<'a> {
                type Output = #output;
                const NAME: &'static str = stringify!(#call);

                fn sent(self, timeout: Option<Duration>) -> impl Future<Output = Result<ResponseValue<#output>, Error>> + Send + 'a {
                    crate::call::send(self.send(), timeout)
                }

                #with_page_size
            }

            #setters_impl
            #paged
            #media
        });
        blocking_calls.push(quote! {
            #[doc = #call_doc]
            #cfg
            pub type #call<'a> = Call<'a, builder::#call<'a>>;

            #setters_impl
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
    let error_cfgs: Vec<TokenStream> = error_types
        .keys()
        .map(|text| match error_features.get(text) {
            Some(features) if *features != resources.names => super::features::cfg(features),
            _ => quote! {},
        })
        .collect();
    let error_types = error_types.values();
    let tokens = quote! {
        use std::future::Future;
        use std::time::Duration;

        use progenitor_client::ResponseValue;
        use zaia_client::builder;

        use crate::error::Error;
        use crate::operation::Operation;
        use super::surface::Call;

        /// Every operation, as a method whose arguments are what the operation requires.
        #[allow(deprecated)]
        impl crate::ZaiaClient {
            #(#client_methods)*
        }

        #(#calls)*

        #(
            #error_cfgs
            impl crate::call::ErrorBody for #error_types {
                fn into_error(self, status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> Error {
                    Error::documented(self, status, headers)
                }
            }
        )*

        /// The blocking calls: the same methods, arguments and setters; `.send()` waits.
        #[cfg(feature = "blocking")]
        pub mod blocking {
            use zaia_client::builder;

            pub use crate::calls::surface::blocking::Call;

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

/// The [`Media`] impl of an operation that answers JSON and other media types: the call gains
/// `send_as(media)` (written once, in `zaia-ext/src/calls/operation.rs`).
fn media_impl(call: &syn::Ident, op: &Value) -> Option<TokenStream> {
    let others = other_media_types(op);
    if others.is_empty() {
        return None;
    }
    let named = others.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
    let doc = format!("Beside JSON, the answer is offered as {named}: `send_as(media)` asks for one of them.");
    Some(quote! {
        #[doc = #doc]
        impl<'a> crate::operation::Media<'a> for builder::#call<'a> {
            const OFFERED: &'static [&'static str] = &[#(#others),*];
        }
    })
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

/// How one awaited page of a list takes the call's page size (`Operation::with_page_size`).
fn page_size_method(list: &PagedList, config: &Config) -> TokenStream {
    let models: TokenStream = config.models_crate.parse().expect("checked by the client stage");
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
    quote! {
        fn with_page_size(self, size: Option<u64>) -> Self {
            let builder = self;
            match size {
                Some(size) => #set_size,
                None => builder,
            }
        }
    }
}

/// The [`Paged`] impl of a list that streams: its item and its pages (the call's `.items()`,
/// `.pages()`, `.page_size(n)`, ... are written once, over it).
fn paged_impl(call: &syn::Ident, list: &PagedList, config: &Config) -> TokenStream {
    let models: TokenStream = config.models_crate.parse().expect("checked by the client stage");
    let item = format_ident!("{}", list.item);
    let base = quote! { base.clone() };
    let pages = super::pagination::pages_expr(list, config, &base);
    let doc = format!("The call streams {}.", super::pagination::describe(list));
    quote! {
        #[doc = #doc]
        #[allow(deprecated)]
        impl<'a> crate::operation::Paged<'a> for builder::#call<'a> {
            type Item = #models::#item;

            fn pages(self, timeout: Option<Duration>) -> crate::pagination::pages::Pages<'a, #models::#item> {
                let base = self;
                #pages
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::builders::builders;
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
        let code: String =
            generate(&spec, &builders(CLIENT).unwrap(), &[], &Config::zaia(), &Default::default()).unwrap().split_whitespace().collect();
        assert!(code.contains("pubfnget_thing(&self,id:implInto<::uuid::Uuid>)->GetThing<'_>"), "{code}");
        assert!(code.contains("pubfnverbose(self,value:implInto<bool>)->Self"), "{code}");
        // the call is the one generic `Call` over progenitor's builder, which says what it answers
        assert!(code.contains("pubtypeGetThing<'a>=Call<'a,builder::GetThing<'a>>;"), "{code}");
        assert!(code.contains("impl<'a>Operation<'a>forbuilder::GetThing<'a>{typeOutput=::zaia_models::Thing;"), "{code}");
    }

    #[test]
    fn a_parameter_without_a_setter_is_an_error_naming_it() {
        let spec = serde_json::json!({"paths": {"/api/v1/things/{thingId}": {"get": {"operationId": "get_thing"}}}});
        let err = generate(&spec, &builders(CLIENT).unwrap(), &[], &Config::zaia(), &Default::default()).unwrap_err();
        assert_eq!(err.0, "calls: get_thing: parameter `thingId` has no setter `thing_id` on `GetThing`");
    }
}
