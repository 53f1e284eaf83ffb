//! The module graph of a crate, and its cycles: a module depends on another when its code
//! names something of it (`use crate::a::b`, `super::x`, a full path in an expression or a
//! type). A crate whose modules form a cycle has no layers a reader can follow from the bottom
//! up; `cargo test` fails on one (`tests::no_crate_has_an_import_cycle`).
//!
//! What is not an edge: declaring a child module (`mod x;`), the crate root's re-exports (the
//! facade: `crate::Error` is resolved to the module that defines `Error`), test modules, and a
//! module's references to itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path from the crate root (`["stages", "hoist"]`; the root is `[]`).
pub type ModulePath = Vec<String>;

/// The crate's modules (one per file) and, for each, the modules it depends on.
pub fn graph(src: &Path) -> Result<BTreeMap<ModulePath, BTreeSet<ModulePath>>, String> {
    let files = module_files(src)?;
    let modules: BTreeSet<ModulePath> = files.keys().cloned().collect();
    let facade = root_reexports(&files)?;
    let mut graph = BTreeMap::new();
    for (module, file) in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let syntax = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut collector = Collector { module: module.clone(), inline: Vec::new(), paths: Vec::new(), root: module.is_empty() };
        collector.visit_file(&syntax);
        let mut edges = BTreeSet::new();
        for path in collector.paths {
            if let Some(target) = resolve(&path, &modules, &facade)
                && target != *module
                && !target.is_empty()
            {
                edges.insert(target);
            }
        }
        graph.insert(module.clone(), edges);
    }
    Ok(graph)
}

/// Every cycle's modules (strongly connected components of more than one module).
pub fn cycles(graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Vec<Vec<ModulePath>> {
    // Tarjan's algorithm, recursive: module graphs are small
    struct State<'g> {
        graph: &'g BTreeMap<ModulePath, BTreeSet<ModulePath>>,
        index: BTreeMap<&'g ModulePath, usize>,
        low: BTreeMap<&'g ModulePath, usize>,
        stack: Vec<&'g ModulePath>,
        on_stack: BTreeSet<&'g ModulePath>,
        next: usize,
        out: Vec<Vec<ModulePath>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g ModulePath) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let Some((w, _)) = s.graph.get_key_value(w) else { continue };
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.out
}

/// A cycle, for a message: `a → b → a` by names.
pub fn describe(cycle: &[ModulePath]) -> String {
    cycle.iter().map(|m| if m.is_empty() { "crate".to_string() } else { m.join("::") }).collect::<Vec<_>>().join(", ")
}

/// module path → file, for every `.rs` file under `src` (`lib.rs`/`main.rs` are the root).
fn module_files(src: &Path) -> Result<BTreeMap<ModulePath, PathBuf>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src").with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            match parts.last().map(String::as_str) {
                Some("lib" | "main") if parts.len() == 1 => parts.clear(),
                Some("mod") => {
                    parts.pop();
                }
                _ => {}
            }
            out.insert(parts, path);
        }
    }
    Ok(out)
}

/// The crate root's `pub use` re-exports: name → the module path it names.
fn root_reexports(files: &BTreeMap<ModulePath, PathBuf>) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut out = BTreeMap::new();
    let Some(root) = files.get(&Vec::new()) else { return Ok(out) };
    let text = std::fs::read_to_string(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let syntax = syn::parse_file(&text).map_err(|e| format!("{}: {e}", root.display()))?;
    for item in &syntax.items {
        if let syn::Item::Use(u) = item {
            let mut paths = Vec::new();
            flatten_use(&u.tree, Vec::new(), &mut paths);
            for (path, name) in paths {
                match name {
                    Some(name) => {
                        out.insert(name, path);
                    }
                    // `pub use module::*`: every public name of that module
                    None => {
                        let module: Vec<String> = path.iter().filter(|s| *s != "crate" && *s != "self").cloned().collect();
                        let Some(file) = files.get(&module) else { continue };
                        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
                        let syntax = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
                        for name in public_names(&syntax.items) {
                            let mut target = module.clone();
                            target.push(name.clone());
                            out.entry(name).or_insert(target);
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The names a module's public items bind.
fn public_names(items: &[syn::Item]) -> Vec<String> {
    let public = |vis: &syn::Visibility| matches!(vis, syn::Visibility::Public(_));
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(i) if public(&i.vis) => Some(i.ident.to_string()),
            syn::Item::Enum(i) if public(&i.vis) => Some(i.ident.to_string()),
            syn::Item::Fn(i) if public(&i.vis) => Some(i.sig.ident.to_string()),
            syn::Item::Const(i) if public(&i.vis) => Some(i.ident.to_string()),
            syn::Item::Static(i) if public(&i.vis) => Some(i.ident.to_string()),
            syn::Item::Type(i) if public(&i.vis) => Some(i.ident.to_string()),
            syn::Item::Trait(i) if public(&i.vis) => Some(i.ident.to_string()),
            syn::Item::Mod(i) if public(&i.vis) => Some(i.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Every path a use tree names, with the name it binds (`None` for a glob).
fn flatten_use(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix;
            path.push(n.ident.to_string());
            let name = n.ident.to_string();
            out.push((path, Some(name)));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix;
            path.push(r.ident.to_string());
            out.push((path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix, None)),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                flatten_use(item, prefix.clone(), out);
            }
        }
    }
}

/// The module an absolute path (`crate`-relative segments) lands in: the longest prefix that
/// is a module, or, for a name the root re-exports, the module it comes from.
fn resolve(path: &[String], modules: &BTreeSet<ModulePath>, facade: &BTreeMap<String, Vec<String>>) -> Option<ModulePath> {
    let mut path = path.to_vec();
    // `crate::Name` re-exported by the root: follow it (once is enough for a facade)
    if let Some(first) = path.first()
        && !modules.contains(&vec![first.clone()])
        && let Some(source) = facade.get(first)
    {
        let mut source = source.clone();
        if source.first().is_some_and(|s| s == "crate") {
            source.remove(0);
        }
        source.extend(path.drain(1..));
        path = source;
    }
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|prefix| modules.contains(prefix))
}

/// Collects the absolute module paths a file's code names.
struct Collector {
    module: ModulePath,
    /// inline modules entered (`mod blocking { ... }`)
    inline: Vec<String>,
    paths: Vec<Vec<String>>,
    /// the crate root: its `pub use`s are the facade, not dependencies
    root: bool,
}

impl Collector {
    /// The absolute form of a path as written here, if it names something of this crate.
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        let mut here: Vec<String> = self.module.iter().chain(&self.inline).cloned().collect();
        match first.as_str() {
            "crate" => Some(segments[1..].to_vec()),
            "self" => {
                here.extend(segments[1..].iter().cloned());
                Some(here)
            }
            "super" => {
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    here.pop()?;
                    rest = &rest[1..];
                }
                here.extend(rest.iter().cloned());
                Some(here)
            }
            _ => None,
        }
    }
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg") && quote::quote!(#a).to_string().contains("test"))
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
        if is_test(&node.attrs) || node.content.is_none() {
            return;
        }
        self.inline.push(node.ident.to_string());
        syn::visit::visit_item_mod(self, node);
        self.inline.pop();
    }

    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        if !is_test(&node.attrs) {
            syn::visit::visit_item_fn(self, node);
        }
    }

    fn visit_item_use(&mut self, node: &'ast syn::ItemUse) {
        if is_test(&node.attrs) || (self.root && self.inline.is_empty() && !matches!(node.vis, syn::Visibility::Inherited)) {
            return;
        }
        let mut paths = Vec::new();
        flatten_use(&node.tree, Vec::new(), &mut paths);
        // a `use` of a child module by its bare name (`use generated::X` in a parent)
        for (path, _) in paths {
            let absolute = match self.absolute(&path) {
                Some(p) => Some(p),
                None => {
                    let mut here: Vec<String> = self.module.iter().chain(&self.inline).cloned().collect();
                    here.extend(path.iter().cloned());
                    Some(here)
                }
            };
            self.paths.extend(absolute);
        }
    }

    fn visit_path(&mut self, node: &'ast syn::Path) {
        let segments: Vec<String> = node.segments.iter().map(|s| s.ident.to_string()).collect();
        match self.absolute(&segments) {
            Some(absolute) => self.paths.push(absolute),
            // `child::item` names a child module of this one (resolved against the modules
            // that exist; anything else lands on this module itself and is dropped)
            None if node.leading_colon.is_none() && segments.len() > 1 => {
                let mut here: Vec<String> = self.module.iter().chain(&self.inline).cloned().collect();
                here.extend(segments.iter().cloned());
                self.paths.push(here);
            }
            None => {}
        }
        syn::visit::visit_path(self, node);
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        // paths inside macro calls (`quote!`, `format!` arguments) are tokens: look for
        // `crate :: a :: b` and `super :: a` sequences
        let tokens: Vec<String> = node.tokens.clone().into_iter().map(|t| t.to_string()).collect();
        for (i, token) in tokens.iter().enumerate() {
            if token != "crate" && token != "super" {
                continue;
            }
            let mut segments = vec![token.clone()];
            let mut j = i + 1;
            while j + 1 < tokens.len() && tokens[j] == ":" && tokens[j + 1] == ":" {
                match tokens.get(j + 2) {
                    Some(next) if next.chars().all(|c| c.is_alphanumeric() || c == '_') => segments.push(next.clone()),
                    _ => break,
                }
                j += 3;
            }
            if let Some(absolute) = self.absolute(&segments) {
                self.paths.push(absolute);
            }
        }
        syn::visit::visit_macro(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    #[test]
    fn a_cycle_through_use_super_and_a_facade_is_found() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("lib.rs", "mod a; mod b; pub mod c; pub use a::Thing;"),
                ("a.rs", "pub struct Thing;"),
                ("b.rs", "use crate::Thing; pub fn g() -> Thing { Thing }"),
                ("c/mod.rs", "mod inner; pub use inner::X;"),
                ("c/inner.rs", "pub struct X; #[cfg(test)] mod tests { use crate::a::Thing; }"),
            ],
        );
        let graph = graph(dir.path()).unwrap();
        assert_eq!(graph[&vec!["b".to_string()]], BTreeSet::from([vec!["a".to_string()]]), "crate::Thing is a's");
        assert_eq!(cycles(&graph), Vec::<Vec<ModulePath>>::new(), "{graph:?}");
        write(dir.path(), &[("a.rs", "pub struct Thing; fn f() { crate::b::g(); }")]);
        let graph = super::graph(dir.path()).unwrap();
        let found = cycles(&graph);
        assert_eq!(found.len(), 1, "{graph:?}");
        assert_eq!(describe(&found[0]), "a, b");
        // a parent that uses its child and a child that uses its parent are a cycle too
        write(
            dir.path(),
            &[
                ("a.rs", "pub struct Thing;"),
                ("c/inner.rs", "pub struct X; fn f() { super::helper(); }"),
                ("c/mod.rs", "mod inner; pub use inner::X; fn helper() {}"),
            ],
        );
        let found = cycles(&super::graph(dir.path()).unwrap());
        assert_eq!(found.iter().map(|c| describe(c)).collect::<Vec<_>>(), ["c, c::inner"]);
    }
}
