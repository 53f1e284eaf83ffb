//! Two rewrites of how progenitor's builders assemble a request (in each builder's `send`),
//! both wire-neutral or wire-cleaner, both for every operation:
//!
//! - **absent optional query parameters are skipped**: progenitor calls
//!   `RequestBuilder::query` once per parameter, set or not, and each call re-serialises the
//!   URL's query (a list with six unset filters paid ~3k instructions for nothing; the bytes
//!   sent are the same: an absent parameter serialises to nothing);
//! - **no `api-version` header**: progenitor sends `api-version: <info.version>` on every request
//!   (progenitor-findings.md, 11). The vendor documents no such header; it costs a header map
//!   per request and a header for the server to parse. Header parameters the spec declares stay.
//!
//! Optional parameters are known from the builder's own field types (`Result<Option<T>, String>`),
//! so nothing here names an operation.

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;
use syn::visit::Visit;

use super::syn_helpers::generic_inner;

/// Rewrites every builder's `send` in `file`.
pub fn rewrite(file: &mut syn::File) {
    let mut optional = BTreeMap::new();
    collect_optional_fields(&file.items, &mut optional);
    rewrite_items(&mut file.items, &optional);
}

/// Builder struct name → its fields whose type is `Result<Option<T>, _>` (optional parameters).
fn collect_optional_fields(items: &[syn::Item], out: &mut BTreeMap<String, BTreeSet<String>>) {
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &module.content {
                    collect_optional_fields(inner, out);
                }
            }
            syn::Item::Struct(s) => {
                let fields: BTreeSet<String> = s
                    .fields
                    .iter()
                    .filter(|f| generic_inner(&f.ty, "Result").is_some_and(|inner| generic_inner(&inner, "Option").is_some()))
                    .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
                    .collect();
                if !fields.is_empty() {
                    out.insert(s.ident.to_string(), fields);
                }
            }
            _ => {}
        }
    }
}

fn rewrite_items(items: &mut [syn::Item], optional: &BTreeMap<String, BTreeSet<String>>) {
    let none = BTreeSet::new();
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &mut module.content {
                    rewrite_items(inner, optional);
                }
            }
            syn::Item::Impl(block) => {
                let syn::Type::Path(self_ty) = &*block.self_ty else { continue };
                let Some(last) = self_ty.path.segments.last() else { continue };
                let fields = optional.get(&last.ident.to_string()).unwrap_or(&none);
                for member in &mut block.items {
                    if let syn::ImplItem::Fn(method) = member
                        && method.sig.ident == "send"
                    {
                        drop_api_version(&mut method.block.stmts);
                        skip_absent_query_parameters(&mut method.block.stmts, fields);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether `stmt` mentions the identifier `name`.
fn mentions(stmt: &syn::Stmt, name: &str) -> bool {
    struct Finder<'a>(&'a str, bool);
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.1 |= ident == self.0;
        }
    }
    let mut finder = Finder(name, false);
    finder.visit_stmt(stmt);
    finder.1
}

/// Removes `header_map.append("api-version", …)`; with no other header left, the header map too.
fn drop_api_version(stmts: &mut Vec<syn::Stmt>) {
    let is_api_version = |stmt: &syn::Stmt| {
        let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else { return false };
        call.method == "append"
            && call.receiver.to_token_stream().to_string() == "header_map"
            && call.args.first().is_some_and(|name| name.to_token_stream().to_string().contains("\"api-version\""))
    };
    let before = stmts.len();
    stmts.retain(|stmt| !is_api_version(stmt));
    if stmts.len() == before {
        return;
    }
    let is_declaration =
        |stmt: &syn::Stmt| matches!(stmt, syn::Stmt::Local(local) if local.pat.to_token_stream().to_string() == "mut header_map");
    let appends = stmts.iter().filter(|s| !is_declaration(s) && !is_request(s) && mentions(s, "header_map")).count();
    if appends > 0 {
        // one fewer header to make room for
        for stmt in stmts.iter_mut().filter(|s| is_declaration(s)) {
            let syn::Stmt::Local(local) = stmt else { continue };
            if let Some(init) = &mut local.init
                && let syn::Expr::Call(call) = &mut *init.expr
                && let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. })) = call.args.first_mut()
            {
                let less = n.base10_parse::<usize>().unwrap_or(1).saturating_sub(1);
                *n = syn::LitInt::new(&format!("{less}usize"), n.span());
            }
        }
        return;
    }
    stmts.retain(|stmt| !is_declaration(stmt));
    for stmt in stmts.iter_mut() {
        if let Some(chain) = request_chain(stmt) {
            let Chain { root, mut calls } = unchain(chain);
            calls.retain(|call| !(call.method == "headers" && call.args.to_token_stream().to_string() == "header_map"));
            *chain = on(root, calls);
        }
    }
}

/// `let mut request = <builder chain>.build()?;`
fn is_request(stmt: &syn::Stmt) -> bool {
    matches!(stmt, syn::Stmt::Local(local) if local.pat.to_token_stream().to_string() == "mut request")
}

/// The builder chain of the `request` statement: the expression under `?`.
fn request_chain(stmt: &mut syn::Stmt) -> Option<&mut syn::Expr> {
    if !is_request(stmt) {
        return None;
    }
    let syn::Stmt::Local(local) = stmt else { return None };
    match &mut *local.init.as_mut()?.expr {
        syn::Expr::Try(t) => Some(&mut t.expr),
        _ => None,
    }
}

/// A method chain as its root and its calls, in call order.
struct Chain {
    root: syn::Expr,
    calls: Vec<syn::ExprMethodCall>,
}

fn unchain(expr: &syn::Expr) -> Chain {
    let mut calls = Vec::new();
    let mut current = expr.clone();
    while let syn::Expr::MethodCall(call) = current {
        current = (*call.receiver).clone();
        calls.push(call);
    }
    calls.reverse();
    Chain { root: current, calls }
}

/// `calls` applied to `receiver`, in order.
fn on(receiver: syn::Expr, calls: Vec<syn::ExprMethodCall>) -> syn::Expr {
    calls.into_iter().fold(receiver, |receiver, mut call| {
        call.receiver = Box::new(receiver);
        syn::Expr::MethodCall(call)
    })
}

/// `.query(&progenitor_client::QueryParam::new("name", &field))` → the field, when it is one of
/// `optional`.
fn optional_query<'a>(call: &'a syn::ExprMethodCall, optional: &BTreeSet<String>) -> Option<(&'a syn::Expr, syn::Ident)> {
    if call.method != "query" || call.args.len() != 1 {
        return None;
    }
    let syn::Expr::Reference(arg) = &call.args[0] else { return None };
    let syn::Expr::Call(new) = &*arg.expr else { return None };
    let syn::Expr::Path(func) = &*new.func else { return None };
    if !func.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().ends_with(&["QueryParam".into(), "new".into()]) {
        return None;
    }
    let (Some(name), Some(syn::Expr::Reference(value)), 2) = (new.args.first(), new.args.get(1), new.args.len()) else { return None };
    let syn::Expr::Path(field) = &*value.expr else { return None };
    let field = field.path.get_ident()?;
    optional.contains(&field.to_string()).then(|| (name, field.clone()))
}

/// Turns the `request` chain into statements from its first optional query parameter on, each
/// such parameter added only when set (same order, same bytes on the wire).
fn skip_absent_query_parameters(stmts: &mut Vec<syn::Stmt>, optional: &BTreeSet<String>) {
    let Some(at) = stmts.iter().position(is_request) else { return };
    let syn::Stmt::Local(local) = &stmts[at] else { return };
    let attrs = local.attrs.clone();
    let Some(chain) = request_chain(&mut stmts[at]) else { return };
    let Chain { root, calls } = unchain(chain);
    let Some(first) = calls.iter().position(|c| optional_query(c, optional).is_some()) else { return };
    let mut calls = calls.into_iter();
    let head = on(root, calls.by_ref().take(first).collect());
    let mut out: Vec<syn::Stmt> = vec![syn::parse_quote! { let mut request = #head; }];
    let mut run: Vec<syn::ExprMethodCall> = Vec::new();
    let request: syn::Expr = syn::parse_quote!(request);
    for call in calls {
        match optional_query(&call, optional) {
            Some((name, field)) => {
                if !run.is_empty() {
                    let applied = on(request.clone(), std::mem::take(&mut run));
                    out.push(syn::parse_quote! { request = #applied; });
                }
                out.push(syn::parse_quote! {
                    if let Some(value) = &#field {
                        request = request.query(&progenitor_client::QueryParam::new(#name, value));
                    }
                });
            }
            None => run.push(call),
        }
    }
    let built = on(request, run);
    out.push(syn::parse_quote! { #(#attrs)* let mut request = #built?; });
    stmts.splice(at..=at, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(source: &str) -> String {
        let mut file: syn::File = syn::parse_str(source).unwrap();
        rewrite(&mut file);
        // without whitespace: the assertions are about tokens, not line breaks
        prettyplease::unparse(&file).split_whitespace().collect()
    }

    const LIST: &str = r#"
        pub mod builder {
            pub struct ListThings<'a> {
                client: &'a super::Client,
                owner: Result<::uuid::Uuid, String>,
                kinds: Result<Option<Vec<types::Kind>>, String>,
                page_size: Result<Option<u64>, String>,
            }
            impl<'a> ListThings<'a> {
                pub async fn send(self) -> Result<(), Error<()>> {
                    let Self { client, owner, kinds, page_size } = self;
                    let url = format!("{}/things", client.baseurl,);
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                    header_map.append(
                        ::reqwest::header::HeaderName::from_static("api-version"),
                        ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                    );
                    #[allow(unused_mut)]
                    let mut request = client.client.get(url)
                        .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                        .query(&progenitor_client::QueryParam::new("kinds", &kinds))
                        .query(&progenitor_client::QueryParam::new("owner", &owner))
                        .query(&progenitor_client::QueryParam::new("pageSize", &page_size))
                        .headers(header_map)
                        .build()?;
                    Ok(())
                }
            }
        }
    "#;

    #[test]
    fn optional_query_parameters_are_added_only_when_set_in_spec_order() {
        let out = rewritten(LIST);
        let kinds = out.find("ifletSome(value)=&kinds").expect(&out);
        let owner = out.find("request=request.query(&progenitor_client::QueryParam::new(\"owner\",&owner))").expect(&out);
        let page = out.find("ifletSome(value)=&page_size").expect(&out);
        assert!(kinds < owner && owner < page, "{out}");
        assert!(out.contains("QueryParam::new(\"pageSize\",value)"), "{out}");
        assert!(out.contains("#[allow(unused_mut)]letmutrequest=request.build()?;"), "{out}");
    }

    #[test]
    fn the_api_version_header_and_its_empty_map_go() {
        let out = rewritten(LIST);
        assert!(!out.contains("api-version") && !out.contains("header_map"), "{out}");
    }

    #[test]
    fn declared_header_parameters_stay() {
        let source = LIST.replace(
            "#[allow(unused_mut)]",
            r#"if let Some(value) = page_size { header_map.append("x-trace", value.to_string().try_into()?); }
               #[allow(unused_mut)]"#,
        );
        let out = rewritten(&source);
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains("HeaderMap::with_capacity(0usize)"), "{out}");
        assert!(out.contains("header_map.append(\"x-trace\"") && out.contains(".headers(header_map)"), "{out}");
    }

    /// progenitor's other shapes: a body whose method can fail (`form_urlencoded(&body)?`) before
    /// the queries, and headers after `header_map` (its websocket upgrade).
    #[test]
    fn a_fallible_body_before_the_queries_and_headers_after_them_stay_in_order() {
        let source = LIST
            .replace("client.client.get(url)", "client.client.post(url)")
            .replace(
                ".query(&progenitor_client::QueryParam::new(\"kinds\", &kinds))",
                ".form_urlencoded(&body)?\n.query(&progenitor_client::QueryParam::new(\"kinds\", &kinds))",
            )
            .replace(".headers(header_map)", ".headers(header_map).header(::reqwest::header::CONNECTION, \"Upgrade\")");
        let out = rewritten(&source);
        let body = out.find(".form_urlencoded(&body)?;").expect(&out);
        let kinds = out.find("ifletSome(value)=&kinds").expect(&out);
        let owner = out.find("QueryParam::new(\"owner\",&owner)").expect(&out);
        let upgrade = out.find("letmutrequest=request.header(::reqwest::header::CONNECTION,\"Upgrade\").build()?;").expect(&out);
        assert!(body < kinds && kinds < owner && owner < upgrade, "{out}");
        assert!(!out.contains("header_map"), "{out}");
    }

    #[test]
    fn an_operation_without_optional_query_parameters_keeps_its_chain() {
        let source = LIST
            .replace("Result<Option<Vec<types::Kind>>, String>", "Result<Vec<types::Kind>, String>")
            .replace("Result<Option<u64>, String>", "Result<u64, String>");
        let out = rewritten(&source);
        assert!(!out.contains("ifletSome(value)"), "{out}");
        assert!(out.contains(".query(&progenitor_client::QueryParam::new(\"pageSize\",&page_size)).build()?"), "{out}");
    }
}
