//! `zaia-ext/src/generated_pagination.rs`: a `*_pages` stream for every list the spec shows to
//! be paginated, on top of zaia-ext's handwritten `Pages` runtime.
//!
//! A list is a GET whose success body is an array. Its shape decides the stream:
//!
//! | parameters | stream | page size |
//! |---|---|---|
//! | `pageNumber` and `pageSize` | every page until a short one | `pageSize`'s range; by default its maximum (fewest requests) |
//! | a `limit` (or an object parameter with a `limit` member) | the one page there is | `limit`'s range; by default its `default` (what the server would send) |
//!
//! Required parameters other than those become arguments of the method (`chat_id` of
//! `list_chat_messages_pages`); the rest are set by the caller's closure on the generated
//! builder. A list of any other shape gets no stream, and [`generate`] says why in a note.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::format_file;
use crate::config::{Config, PageParams};
use crate::error::Result;
use crate::stages::operations;

/// How one list pages.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    PageNumber,
    /// `Some((object parameter, its component))` when the limit is a member of it
    /// (`pagination: ChatMessagePagination {limit}`).
    Limit {
        object: Option<(String, String)>,
    },
}

/// A list with a stream.
#[derive(Debug, Clone)]
pub struct PagedList {
    pub id: String,
    pub method: String,
    pub path: String,
    pub shape: Shape,
    /// The page-size (or limit) parameter's wire name.
    pub size_name: String,
    pub size_min: u64,
    pub size_max: u64,
    pub size_default: u64,
    /// Component name of the items.
    pub item: String,
    /// Required parameters besides the page ones: (wire name, Rust type).
    pub arguments: Vec<(String, TokenStream)>,
}

/// The paginated lists, and a note for every list that got no stream.
pub fn collect(spec: &Value, config: &Config) -> (Vec<PagedList>, Vec<String>) {
    let mut lists = Vec::new();
    let mut notes = Vec::new();
    for (path, method, op) in operations(spec) {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let Some(item) = (method == "get").then(|| list_item(op)).flatten() else { continue };
        match paged_list(spec, config, &id, &path, op, item) {
            Ok(list) => lists.push(list),
            Err(why) => notes.push(format!("pagination: {id} (GET {path}) gets no `{id}_pages` stream: {why}")),
        }
    }
    (lists, notes)
}

/// The item component of a GET whose success body is an array of `$ref`s.
fn list_item(op: &Value) -> Option<&str> {
    let responses = op.get("responses")?.as_object()?;
    let (_, success) = responses.iter().find(|(status, _)| status.starts_with('2'))?;
    let schema = success.pointer("/content/application~1json/schema")?;
    if schema.get("type")? != "array" {
        return None;
    }
    Some(schema.pointer("/items/$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")).unwrap_or(""))
}

fn paged_list(spec: &Value, config: &Config, id: &str, path: &str, op: &Value, item: &str) -> Result<PagedList, String> {
    if item.is_empty() {
        return Err("its items are not a named schema".into());
    }
    let params: Vec<&Value> = op.get("parameters").and_then(Value::as_array).into_iter().flatten().collect();
    let query = |name: &str| params.iter().find(|p| p["in"] == "query" && p["name"] == name).copied();
    let resolve = |schema: &Value| -> Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => spec.pointer(r.trim_start_matches('#')).cloned().unwrap_or(Value::Null),
            None => schema.clone(),
        }
    };
    let PageParams { number, size, limit } = config.page_params;
    let (shape, size_schema, size_name, page_names): (Shape, Value, String, Vec<String>) =
        if let (Some(_), Some(size_param)) = (query(number), query(size)) {
            (Shape::PageNumber, resolve(&size_param["schema"]), size.to_string(), vec![number.to_string(), size.to_string()])
        } else if let Some(limit_param) = query(limit) {
            (Shape::Limit { object: None }, resolve(&limit_param["schema"]), limit.to_string(), vec![limit.to_string()])
        } else if let Some((object, member)) = params.iter().filter(|p| p["in"] == "query").find_map(|p| {
            let schema = resolve(&p["schema"]);
            let member = schema.pointer(&format!("/properties/{limit}")).map(&resolve)?;
            // the object must be buildable from the limit alone
            let others_required = schema.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n != limit));
            let type_name = p.pointer("/schema/$ref").and_then(Value::as_str)?.strip_prefix("#/components/schemas/")?.to_string();
            (!others_required).then(|| ((p["name"].as_str().unwrap_or_default().to_string(), type_name), member))
        }) {
            let name = object.0.clone();
            (Shape::Limit { object: Some(object) }, member, limit.to_string(), vec![name])
        } else {
            return Err(format!("no `{number}` + `{size}` and no `{limit}` parameter"));
        };
    if size_schema.get("type") != Some(&Value::from("integer")) {
        return Err(format!("`{size_name}` is not an integer"));
    }
    let bound = |key: &str| size_schema.get(key).and_then(Value::as_u64);
    let size_min = bound("minimum").unwrap_or(1).max(1);
    let Some(size_max) = bound("maximum") else {
        return Err(format!("`{size_name}` has no maximum: a stream would not know how much to ask for"));
    };
    let size_default = match shape {
        Shape::PageNumber => size_max,
        Shape::Limit { .. } => bound("default").unwrap_or(size_max),
    };
    let mut arguments = Vec::new();
    for p in &params {
        let name = p["name"].as_str().unwrap_or_default();
        if p["required"] != true || page_names.iter().any(|n| n == name) {
            continue;
        }
        if p["in"] != "query" && p["in"] != "path" {
            return Err(format!("required {} parameter `{name}`", p["in"]));
        }
        match rust_type(&p["schema"], config) {
            Some(ty) => arguments.push((name.to_string(), ty)),
            None => return Err(format!("the type of required parameter `{name}` has no plain Rust name here")),
        }
    }
    Ok(PagedList {
        id: id.to_string(),
        method: "GET".into(),
        path: path.to_string(),
        shape,
        size_name,
        size_min,
        size_max,
        size_default,
        item: item.to_string(),
        arguments,
    })
}

/// The Rust type the generated builder takes for a parameter of this schema.
fn rust_type(schema: &Value, config: &Config) -> Option<TokenStream> {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
        let path: TokenStream = format!("{}::{name}", config.models_crate).parse().ok()?;
        return Some(path);
    }
    match (schema.get("type")?.as_str()?, schema.get("format").and_then(Value::as_str)) {
        ("string", Some("uuid")) => Some(quote! { ::uuid::Uuid }),
        ("string", Some("date-time")) => Some(quote! { ::chrono::DateTime<::chrono::Utc> }),
        ("string", None) => Some(quote! { ::std::string::String }),
        ("boolean", _) => Some(quote! { bool }),
        ("array", _) => {
            let item = rust_type(schema.get("items")?, config)?;
            Some(quote! { ::std::vec::Vec<#item> })
        }
        _ => None,
    }
}

/// The Rust file: the `Paginate` trait and its impl for the generated client.
pub fn generate(lists: &[PagedList], config: &Config) -> Result<String> {
    let models: TokenStream = config.models_crate.parse().expect("checked by the client stage");
    let mut declarations = Vec::new();
    let mut implementations = Vec::new();
    for list in lists {
        let method = format_ident!("{}_pages", list.id);
        let call = format_ident!("{}", list.id);
        let builder = format_ident!("{}", list.id.to_upper_camel_case());
        let item = format_ident!("{}", list.item);
        let args: Vec<_> = list.arguments.iter().map(|(name, ty)| (format_ident!("{}", name.to_snake_case()), ty)).collect();
        let params = args.iter().map(|(name, ty)| quote! { #name: #ty });
        let setters = args.iter().map(|(name, _)| quote! { .#name(#name.clone()) });
        let (min, max, default, size_name) = (list.size_min, list.size_max, list.size_default, &list.size_name);
        let (what, kind) = match &list.shape {
            Shape::PageNumber => (
                format!("every page, `{size_name}` {min}..={max} items each ({default} unless [`Pages::page_size`] says otherwise)"),
                quote! { page_numbers },
            ),
            Shape::Limit { .. } => (
                format!(
                    "the one page it has: up to `{size_name}` items, {min}..={max} ({default} unless [`Pages::page_size`] says otherwise)"
                ),
                quote! { single_page },
            ),
        };
        let doc = format!("`{} {}`: {what}.", list.method, list.path);
        // a single-page list has no page number to send
        let ignore_page = matches!(list.shape, Shape::Limit { .. }).then(|| quote! { let _ = page; });
        let paging = match &list.shape {
            Shape::PageNumber => {
                let number = format_ident!("{}", config.page_params.number.to_snake_case());
                let size = format_ident!("{}", config.page_params.size.to_snake_case());
                quote! { .#number(page).#size(size) }
            }
            Shape::Limit { object: None } => {
                let limit = format_ident!("{}", config.page_params.limit.to_snake_case());
                quote! { .#limit(size) }
            }
            Shape::Limit { object: Some((object, type_name)) } => {
                let setter = format_ident!("{}", object.to_snake_case());
                let type_name = format_ident!("{type_name}");
                let limit = config.page_params.limit;
                quote! { .#setter(crate::pagination::member_object::<#models::#type_name>(#limit, size)) }
            }
        };
        let filter = quote! { F: Fn(builder::#builder<'a>) -> builder::#builder<'a> + Send + Sync + 'a };
        let signature = quote! { fn #method<'a, F>(&'a self, #(#params,)* filter: F) -> Pages<'a, #models::#item> where #filter };
        declarations.push(quote! {
            #[doc = #doc]
            #signature;
        });
        implementations.push(quote! {
            #signature {
                Pages::#kind(
                    Box::new(move |page, size| {
                        #ignore_page
                        let call = filter(self.#call() #(#setters)*) #paging;
                        Box::pin(async move { crate::pagination::items(call.send().into_result().await) })
                    }),
                    PageSize { name: #size_name, default: #default, range: #min..=#max },
                )
            }
        });
    }
    let tokens = quote! {
        use zaia_client::builder;

        use crate::error::SendExt;
        use crate::pagination::{PageSize, Pages};

        /// Streams over the paginated lists, as methods on the client (see [`Pages`]).
        ///
        /// Each takes a closure that sets the list's filters on the generated request builder;
        /// the stream sets the page parameters.
        pub trait Paginate {
            #(#declarations)*
        }

        impl Paginate for zaia_client::Client {
            #(#implementations)*
        }
    };
    format_file(tokens, "pagination")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list(params: Value) -> Value {
        json!({"paths": {"/api/v1/things": {"get": {"operationId": "list_things", "parameters": params,
            "responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}}}},
            "components": {"schemas": {"Thing": {"type": "object"}, "ThingPagination": {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 250}}}}}})
    }

    #[test]
    fn page_number_lists_page_with_the_schemas_range() {
        let spec = list(json!([
            {"name": "pageNumber", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "pageSize", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}},
            {"name": "ownerId", "in": "query", "required": true, "schema": {"type": "string", "format": "uuid"}}]));
        let (lists, notes) = collect(&spec, &Config::zaia());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((lists[0].shape.clone(), lists[0].size_min, lists[0].size_max, lists[0].size_default), (Shape::PageNumber, 1, 50, 50));
        assert_eq!(lists[0].arguments[0].0, "ownerId");
        assert_eq!(lists[0].item, "Thing");
        let code = generate(&lists, &Config::zaia()).unwrap();
        assert!(code.contains("fn list_things_pages<'a, F>(\n        &'a self,\n        owner_id: ::uuid::Uuid,"), "{code}");
        assert!(code.contains(".page_number(page)") && code.contains(".page_size(size)"), "{code}");
    }

    #[test]
    fn a_limit_member_of_an_object_parameter_is_one_page() {
        let spec = list(json!([{"name": "pagination", "in": "query", "schema": {"$ref": "#/components/schemas/ThingPagination"}}]));
        let (lists, _) = collect(&spec, &Config::zaia());
        assert_eq!(lists[0].shape, Shape::Limit { object: Some(("pagination".into(), "ThingPagination".into())) });
        assert_eq!((lists[0].size_max, lists[0].size_default), (1000, 250));
    }

    #[test]
    fn an_unrecognised_list_gets_a_note_and_no_stream() {
        let spec = list(json!([{"name": "cursor", "in": "query", "schema": {"type": "string"}}]));
        let (lists, notes) = collect(&spec, &Config::zaia());
        assert!(lists.is_empty());
        assert_eq!(
            notes,
            [
                "pagination: list_things (GET /api/v1/things) gets no `list_things_pages` stream: no `pageNumber` + `pageSize` and no `limit` parameter"
            ]
        );
        let unbounded = list(
            json!([{"name": "pageNumber", "in": "query", "schema": {"type": "integer"}}, {"name": "pageSize", "in": "query", "schema": {"type": "integer"}}]),
        );
        assert!(
            collect(&unbounded, &Config::zaia()).1[0].ends_with("`pageSize` has no maximum: a stream would not know how much to ask for")
        );
    }
}
