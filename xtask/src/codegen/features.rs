//! Cargo features per resource: a consumer that needs one resource compiles its operations and
//! the types they reach, and nothing else (`default-features = false, features = ["chats"]`).
//!
//! A resource is a folder of fragments (`openapi/chats/…`, read back from each operation's
//! `x-fragment`); its feature has the folder's name. Every generated item that belongs to some
//! resources gets `#[cfg(any(feature = …))]`: an operation's client method, builder, call and
//! stream by the operation's resource; a model type by the resources whose operations reach it
//! (through the client's builders, then from type to type in the models file). A type no
//! operation reaches, the API's error type, and whatever those reach stay compiled always, so
//! every combination of features compiles. The crates' `[features]` (all on by default) are
//! generated too ([`manifest_block`]), so a new resource is a new feature with no edit.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use heck::ToUpperCamelCase;
use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use serde_json::Value;

use crate::document::operations;

/// Which resource each operation belongs to.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    by_operation: BTreeMap<String, String>,
    /// Every feature, sorted.
    pub names: BTreeSet<String>,
}

/// Feature names the handwritten crates use themselves; a resource of that name gets
/// `-resource` after it.
const TAKEN: &[&str] = &["default", "std", "blocking", "rustls", "native-tls", "http2", "cli", "callbacks", ALL];

/// The feature that turns every resource on (each crate's `default` names it).
pub const ALL: &str = "all-resources";

impl Resources {
    /// The resources of a merged spec; none (nothing gated) for an API generated without them.
    pub fn of(spec: &Value, openapi_dir: &str, enabled: bool) -> Resources {
        let mut resources = Resources::default();
        if !enabled {
            return resources;
        }
        for (_, _, op) in operations(spec) {
            let (Some(id), Some(fragment)) = (op["operationId"].as_str(), op["x-fragment"].as_str()) else { continue };
            let feature = feature_name(fragment, openapi_dir);
            resources.names.insert(feature.clone());
            resources.by_operation.insert(id.to_string(), feature);
        }
        resources
    }

    /// The feature of an operation, if features are on.
    pub fn of_operation(&self, id: &str) -> Option<&str> {
        self.by_operation.get(id).map(String::as_str)
    }

    /// `#[cfg(feature = "chats")]` for an operation (nothing when features are off).
    pub fn cfg_of(&self, id: &str) -> TokenStream {
        match self.of_operation(id) {
            Some(feature) => cfg(&BTreeSet::from([feature.to_string()])),
            None => quote! {},
        }
    }

    /// The builder name progenitor gives each operation (`ListChats`) → its feature.
    fn by_builder(&self) -> BTreeMap<String, &str> {
        self.by_operation.iter().map(|(id, feature)| (id.to_upper_camel_case(), feature.as_str())).collect()
    }
}

/// `openapi/chat-messages/get-list.json` → `chat-messages`: the folder the fragment is in; a
/// fragment directly in the fragments' folder is a resource of its own, named by its file.
fn feature_name(fragment: &str, openapi_dir: &str) -> String {
    let path = std::path::Path::new(fragment);
    let folder = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str());
    let top = std::path::Path::new(openapi_dir).file_name().and_then(|n| n.to_str());
    let name = match folder {
        Some(folder) if Some(folder) != top => folder,
        _ => path.file_stem().and_then(|s| s.to_str()).unwrap_or(fragment),
    };
    let mut feature: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c.to_ascii_lowercase() } else { '-' }).collect();
    if feature.is_empty() || !feature.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        feature.insert(0, 'r');
    }
    if TAKEN.contains(&feature.as_str()) {
        feature.push_str("-resource");
    }
    feature
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", feature = "b"))]`.
pub fn cfg(features: &BTreeSet<String>) -> TokenStream {
    let features = features.iter();
    quote! { #[cfg(any(#(feature = #features),*))] }
}

fn cfg_attribute(features: &BTreeSet<String>) -> syn::Attribute {
    let cfg = cfg(features);
    syn::parse_quote! { #cfg }
}

/// What each operation's builder names (by builder name: `ListChats`), and what the types it
/// reaches in the client name in turn: where [`gate_models`] starts.
pub type Roots = BTreeMap<String, Words>;

/// The words some code uses (a hash set: thousands of items' words are gathered per run, and
/// what they are is asked, never their order).
pub type Words = HashSet<String>;

/// Gates the client by resource: each operation's method and builder by its operation's, and
/// the types progenitor made in the client itself (`types::…`: a form body, say) by the
/// resources whose builders reach them. Returns the [`Roots`] the models are gated from.
pub fn gate_client(file: &mut syn::File, resources: &Resources) -> Roots {
    let mut roots = Roots::new();
    if resources.names.is_empty() {
        return roots;
    }
    let builders = resources.by_builder();
    for item in &mut file.items {
        match item {
            syn::Item::Impl(block) if block.trait_.is_none() && last_ident(&block.self_ty).as_deref() == Some("Client") => {
                for member in &mut block.items {
                    if let syn::ImplItem::Fn(method) = member
                        && let Some(feature) = resources.of_operation(&method.sig.ident.to_string())
                    {
                        method.attrs.push(cfg_attribute(&BTreeSet::from([feature.to_string()])));
                    }
                }
            }
            syn::Item::Mod(module) if module.ident == "builder" => {
                for inner in module.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
                    let name = match inner {
                        syn::Item::Struct(s) => Some(s.ident.to_string()),
                        syn::Item::Impl(i) => last_ident(&i.self_ty),
                        _ => None,
                    };
                    let Some((name, feature)) = name.and_then(|n| builders.get(&n).map(|f| (n, *f))) else { continue };
                    item_words(inner, roots.entry(name).or_default());
                    push_attr(inner, cfg_attribute(&BTreeSet::from([feature.to_string()])));
                }
            }
            _ => {}
        }
    }
    match file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
        _ => None,
    }) {
        Some((_, types)) => gate_reached(types, &roots, &[], resources, true),
        None => roots,
    }
}

/// Gates the model types: each by the resources whose operations reach it from their
/// builders' [`Roots`]; `always` names types the handwritten crates use whatever the features.
pub fn gate_models(file: &mut syn::File, roots: &Roots, always: &[&str], resources: &Resources) {
    gate_reached(&mut file.items, roots, always, resources, false);
}

/// Gates `items` (and those of their inline modules) by the resources whose builders reach
/// them from `roots`, following the names each item uses; what no builder reaches, `always`,
/// and all they reach stay ungated. With `extend`, returns the roots with the words of what
/// each reaches (else nothing).
fn gate_reached(items: &mut [syn::Item], roots: &Roots, always: &[&str], resources: &Resources, extend: bool) -> Roots {
    if resources.names.is_empty() {
        return if extend { roots.clone() } else { Roots::new() };
    }
    let mut defined = BTreeSet::new();
    visit_items(items, &mut |item| {
        if !matches!(item, syn::Item::Impl(_))
            && let Some(name) = key_of(item, &BTreeSet::new())
        {
            defined.insert(name);
        }
    });
    // every item by the name it defines (an impl by its type's), numbered, with the words it
    // uses; `keys` holds each visited item's number, in visiting order
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut words_of: Vec<Words> = Vec::new();
    let mut keys: Vec<Option<usize>> = Vec::new();
    visit_items(items, &mut |item| {
        let key = key_of(item, &defined).map(|key| {
            let next = words_of.len();
            let number = *index.entry(key).or_insert(next);
            if number == next {
                words_of.push(Words::new());
            }
            item_words(item, &mut words_of[number]);
            number
        });
        keys.push(key);
    });
    let uses: Vec<Vec<usize>> = words_of.iter().map(|words| words.iter().filter_map(|w| index.get(w).copied()).collect()).collect();
    let numbers = |words: &mut dyn Iterator<Item = &str>| -> Vec<usize> { words.filter_map(|w| index.get(w).copied()).collect() };
    // what `from` reaches, itself included
    let reach = |from: Vec<usize>| -> Vec<usize> {
        let mut seen = vec![false; uses.len()];
        let (mut stack, mut reached) = (from, Vec::new());
        while let Some(number) = stack.pop() {
            if !std::mem::replace(&mut seen[number], true) {
                reached.push(number);
                stack.extend(uses[number].iter().filter(|n| !seen[**n]));
            }
        }
        reached
    };
    let by_builder = resources.by_builder();
    let mut features_of: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); uses.len()];
    let mut extended = Roots::new();
    for (builder, words) in roots {
        let reached = reach(numbers(&mut words.iter().map(String::as_str)));
        if extend {
            let mut all = words.clone();
            all.extend(reached.iter().flat_map(|n| words_of[*n].iter().cloned()));
            extended.insert(builder.clone(), all);
        }
        let Some(feature) = by_builder.get(builder) else { continue };
        for number in reached {
            features_of[number].insert(feature);
        }
    }
    // compiled always: the named types, what no operation reaches, and all they reach
    let mut ungated = numbers(&mut always.iter().copied());
    ungated.extend((0..uses.len()).filter(|n| features_of[*n].is_empty()));
    let mut always_compiled = vec![false; uses.len()];
    for number in reach(ungated) {
        always_compiled[number] = true;
    }
    let mut attributes: BTreeMap<&BTreeSet<&str>, syn::Attribute> = BTreeMap::new();
    let mut keys = keys.into_iter();
    visit_items(items, &mut |item| {
        let Some(number) = keys.next().flatten() else { return };
        let features = &features_of[number];
        // (reached by every resource: gated by none)
        if always_compiled[number] || features.len() == resources.names.len() {
            return;
        }
        let attribute =
            attributes.entry(features).or_insert_with(|| cfg_attribute(&features.iter().map(|f| f.to_string()).collect())).clone();
        push_attr(item, attribute);
    });
    extended
}

/// Every item, in inline modules too (a module itself is not gated: its items are).
fn visit_items(items: &mut [syn::Item], f: &mut impl FnMut(&mut syn::Item)) {
    for item in items {
        if let syn::Item::Mod(module) = item {
            if let Some((_, inner)) = &mut module.content {
                visit_items(inner, f);
            }
        } else {
            f(item);
        }
    }
}

/// The name an item defines, or the type an impl is of. An impl for a type the file does not
/// define (`impl From<Snowflake> for String`) goes with the first type of the file its trait
/// names, so that it is gated with that type rather than tying every user of `String` to it.
fn key_of(item: &syn::Item, defined: &BTreeSet<String>) -> Option<String> {
    match item {
        syn::Item::Struct(i) => Some(i.ident.to_string()),
        syn::Item::Enum(i) => Some(i.ident.to_string()),
        syn::Item::Type(i) => Some(i.ident.to_string()),
        syn::Item::Const(i) => Some(i.ident.to_string()),
        syn::Item::Fn(i) => Some(i.sig.ident.to_string()),
        syn::Item::Impl(i) => last_ident(&i.self_ty).filter(|name| defined.contains(name)).or_else(|| {
            let (path, _) = i.trait_.as_ref()?;
            let text = path.to_token_stream().to_string();
            text.split(|c: char| !(c.is_alphanumeric() || c == '_')).find(|w| defined.contains(*w)).map(String::from)
        }),
        _ => None,
    }
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn push_attr(item: &mut syn::Item, attr: syn::Attribute) {
    match item {
        syn::Item::Struct(i) => i.attrs.push(attr),
        syn::Item::Enum(i) => i.attrs.push(attr),
        syn::Item::Type(i) => i.attrs.push(attr),
        syn::Item::Const(i) => i.attrs.push(attr),
        syn::Item::Fn(i) => i.attrs.push(attr),
        syn::Item::Impl(i) => i.attrs.push(attr),
        _ => {}
    }
}

/// The identifiers of some code, and the words of its string literals (serde's
/// `default = "defaults::x"` names a function), but not of its docs.
fn words(tokens: TokenStream, out: &mut Words) {
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = trees.peek()
                    && g.stream().into_iter().next().is_some_and(|t| matches!(&t, TokenTree::Ident(i) if i == "doc"))
                {
                    trees.next();
                }
            }
            TokenTree::Group(g) => words(g.stream(), out),
            TokenTree::Ident(i) => {
                out.insert(i.to_string().trim_start_matches("r#").to_string());
            }
            TokenTree::Literal(l) => {
                let text = l.to_string();
                if text.starts_with('"') {
                    literal_words(&text, out);
                }
            }
            TokenTree::Punct(_) => {}
        }
    }
}

fn literal_words(text: &str, out: &mut Words) {
    out.extend(text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).map(String::from));
}

/// [`words`] of an item, read from its syntax tree: printing a large file's items back to
/// tokens to read them cost more than the rest of the gating. A type is named only in a path
/// (`Chat`, `types::Form`, `Vec<Chat>`, `Chat::new`), in a macro's tokens or in an attribute's
/// string (`default = "defaults::x"`), so only those are read, not every local name of every body.
fn item_words(item: &syn::Item, out: &mut Words) {
    struct Reader<'a> {
        out: &'a mut Words,
        text: String,
    }
    impl Reader<'_> {
        fn add(&mut self, word: &dyn std::fmt::Display) {
            use std::fmt::Write;
            self.text.clear();
            let _ = write!(self.text, "{word}");
            let word = self.text.strip_prefix("r#").unwrap_or(&self.text);
            if !self.out.contains(word) {
                self.out.insert(word.to_string());
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Reader<'_> {
        fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
            self.add(&segment.ident);
            syn::visit::visit_path_segment(self, segment);
        }
        fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
            literal_words(&lit.value(), self.out);
        }
        // an attribute's and a macro's arguments are tokens to syn, not syntax
        fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
            if !attr.path().is_ident("doc") {
                words(attr.meta.to_token_stream(), self.out);
            }
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            self.visit_path(&mac.path);
            words(mac.tokens.clone(), self.out);
        }
    }
    syn::visit::Visit::visit_item(&mut Reader { out, text: String::new() }, item);
}

/// The generated `[features]` lines of one crate's manifest: [`ALL`] (which the handwritten
/// `default` names) and one feature per resource; `forward` names the crates each feature turns
/// on in turn (`zaia-client/chats`).
pub fn manifest_block(resources: &Resources, forward: &[&str]) -> String {
    let names: Vec<String> = resources.names.iter().map(|n| format!("\"{n}\"")).collect();
    let mut text = String::new();
    text.push_str(&format!("{ALL} = [{}]\n", names.join(", ")));
    for name in &resources.names {
        let on: Vec<String> = forward.iter().map(|krate| format!("\"{krate}/{name}\"")).collect();
        text.push_str(&format!("{name} = [{}]\n", on.join(", ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resources() -> Resources {
        let spec = json!({"paths": {
            "/api/v1/chats": {"get": {"operationId": "list_chats", "x-fragment": "openapi/chats/get-list.json"}},
            "/api/v1/agents": {"get": {"operationId": "list_agents", "x-fragment": "openapi/agents/get-list.json"}},
            "/api/v1/ping": {"get": {"operationId": "ping", "x-fragment": "openapi/Blocking.json"}}}});
        Resources::of(&spec, "openapi", true)
    }

    #[test]
    fn a_resource_is_its_fragments_folder_and_a_taken_name_is_set_apart() {
        let r = resources();
        assert_eq!(r.names.iter().collect::<Vec<_>>(), ["agents", "blocking-resource", "chats"]);
        assert_eq!(r.of_operation("list_chats"), Some("chats"));
        assert_eq!(r.cfg_of("list_agents").to_string(), "# [cfg (any (feature = \"agents\"))]");
        assert!(Resources::of(&json!({"paths": {}}), "openapi", false).names.is_empty());
        // wherever the fragments are read from
        assert_eq!(feature_name("xtask/tests/fixtures/snapshot/chats/get-one.json", "openapi"), "chats");
    }

    #[test]
    fn a_type_is_gated_by_the_resources_that_reach_it_and_shared_or_unreached_ones_are_not() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Chat { pub agent: Agent, pub status: Status }
            impl From<&Chat> for Chat { fn from(v: &Chat) -> Self { v.clone() } }
            pub struct Agent { pub id: String }
            /// Not a `Chat`: docs name nothing.
            pub enum Status { Open }
            pub struct Lonely { pub status: Status }
            pub struct KnownException { pub message: String }
            pub struct Ping { #[serde(default = "defaults::ping_count")] pub count: u64 }
            mod defaults { pub(super) fn ping_count() -> u64 { 1 } }
            pub struct AgentName(pub String);
            impl From<AgentName> for String { fn from(value: AgentName) -> Self { value.0 } }
            pub struct Note { pub text: String }
        };
        let roots = BTreeMap::from([
            ("ListChats".to_string(), Words::from(["Chat".to_string(), "KnownException".to_string()])),
            ("ListAgents".to_string(), Words::from(["Agent".to_string(), "AgentName".to_string()])),
            ("Ping".to_string(), Words::from(["Ping".to_string(), "Note".to_string()])),
        ]);
        gate_models(&mut file, &roots, &["KnownException"], &resources());
        let code = quote!(#file).to_string();
        // Chat: chats only; its impl too
        assert!(code.contains("# [cfg (any (feature = \"chats\"))] pub struct Chat"), "{code}");
        assert!(code.contains("# [cfg (any (feature = \"chats\"))] impl From < & Chat > for Chat"), "{code}");
        // Agent: reached by both agents and chats
        assert!(code.contains("# [cfg (any (feature = \"agents\" , feature = \"chats\"))] pub struct Agent"), "{code}");
        // Status is reached by a type no operation reaches: always compiled
        assert!(code.contains("pub enum Status") && !code.contains("\"chats\"))] pub enum Status"), "{code}");
        assert!(code.contains("pub struct Lonely") && !code.contains(")] pub struct Lonely"), "{code}");
        assert!(code.contains("pub struct KnownException") && !code.contains("\"chats\"))] pub struct KnownException"), "{code}");
        // an impl for a type the file does not define goes with the file's type it converts, and
        // another user of `String` (Note, of `ping`) is not tied to it
        assert!(code.contains("# [cfg (any (feature = \"agents\"))] impl From < AgentName > for String"), "{code}");
        assert!(code.contains("# [cfg (any (feature = \"blocking-resource\"))] pub struct Note"), "{code}");
        // a serde default function goes with the type that names it
        assert!(code.contains("# [cfg (any (feature = \"blocking-resource\"))] pub (super) fn ping_count"), "{code}");
    }

    #[test]
    fn the_client_gates_each_operations_method_and_builder_and_the_types_they_reach() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct CreateChatForm { pub state: ::zaia_models::ChatState }
                pub mod error { pub struct ConversionError(String); }
            }
            impl Client { pub fn new() -> Self { todo!() } }
            impl Client { pub fn list_chats(&self) -> builder::ListChats<'_> { todo!() } }
            pub mod builder {
                pub struct ListChats<'a> { client: &'a super::Client, body: Result<types::CreateChatForm, String> }
                impl<'a> ListChats<'a> { pub async fn send(self) -> Result<ResponseValue<::zaia_models::Chat>, Error<()>> { todo!() } }
            }
        };
        let roots = gate_client(&mut file, &resources());
        let code = quote!(#file).to_string();
        // a form body progenitor made in the client goes with the operations that send it, and
        // what it names is where the models' gating starts, beside the builder's own answer
        assert!(code.contains("# [cfg (any (feature = \"chats\"))] pub struct CreateChatForm"), "{code}");
        assert!(code.contains("pub struct ConversionError") && !code.contains(")] pub struct ConversionError"), "{code}");
        assert!(roots["ListChats"].contains("ChatState") && roots["ListChats"].contains("Chat"), "{roots:?}");
        assert!(code.contains("# [cfg (any (feature = \"chats\"))] pub fn list_chats"), "{code}");
        assert!(code.contains("# [cfg (any (feature = \"chats\"))] pub struct ListChats"), "{code}");
        assert!(code.contains("# [cfg (any (feature = \"chats\"))] impl < 'a > ListChats"), "{code}");
        assert!(code.contains("impl Client { pub fn new"), "{code}");
    }

    #[test]
    fn the_manifest_block_lists_every_resource_on_by_default_and_forwards_it() {
        let block = manifest_block(&resources(), &["zaia-client"]);
        assert_eq!(
            block,
            "all-resources = [\"agents\", \"blocking-resource\", \"chats\"]\nagents = [\"zaia-client/agents\"]\n\
             blocking-resource = [\"zaia-client/blocking-resource\"]\nchats = [\"zaia-client/chats\"]\n"
        );
    }
}
