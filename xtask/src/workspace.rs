//! The workspace the commands run in: its root, and the versions of its crates. A leaf.

use std::path::{Path, PathBuf};

/// The workspace `cargo xtask` runs in, found at run time from the current directory: a binary
/// built for one checkout (a shared `CARGO_TARGET_DIR`) must read and write the checkout it is
/// run in, never the one it was compiled in.
pub fn root() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    here.ancestors()
        .find(|dir| dir.join("xtask").is_dir() && std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]")))
        .map(Path::to_path_buf)
        .unwrap_or(here)
}

/// `(name, version)` of the crates under `crates/`.
pub fn crate_versions(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).into_iter().flatten().flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("Cargo.toml")) else { continue };
        let field = |key: &str| {
            text.lines().find_map(|l| {
                l.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim().strip_prefix('"')?.strip_suffix('"').map(String::from)
            })
        };
        if let (Some(name), Some(version)) = (field("name"), field("version")) {
            out.push((name, version));
        }
    }
    out.sort();
    out
}

/// Every published crate's version carries the spec version as build metadata
/// (`0.1.0+spec.1.0.0`), so a regeneration from a new spec cannot ship under an old version.
pub fn check_versions(versions: &[(String, String)], spec_version: &str) -> Result<(), String> {
    let wanted = format!("+spec.{spec_version}");
    let wrong: Vec<String> = versions
        .iter()
        .filter(|(name, version)| name != "zaia-bench" && !version.ends_with(&wanted))
        .map(|(name, version)| format!("{name} {version}"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the vendor spec is version {spec_version}, but these crate versions do not end in `{wanted}`: {}; \
             set the versions (`cargo xtask diff` says which bump) and add a CHANGELOG entry",
            wrong.join(", ")
        ))
    }
}

/// Adds `mark` to the build metadata of every workspace member's version (`0.2.0+spec.1` →
/// `0.2.0+spec.1.proof`): cargo names a workspace's artifacts by name, version and path
/// relative to the workspace, so a scratch copy built in the real `target/` must differ in
/// one of them, or cargo, judging freshness by timestamps, could take one crate for the other.
/// Version requirements ignore build metadata, so nothing else changes.
pub fn mark_versions(root: &Path, mark: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let members: Vec<String> = text
        .lines()
        .find_map(|l| l.strip_prefix("members = "))
        .map(|list| list.split('"').skip(1).step_by(2).map(String::from).collect())
        .unwrap_or_default();
    for member in members {
        let manifest = root.join(&member).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
        let marked: Vec<String> = text
            .lines()
            .map(|l| match l.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')) {
                Some(v) if v.contains('+') => format!("version = \"{v}.{mark}\""),
                Some(v) => format!("version = \"{v}+{mark}\""),
                None => l.to_string(),
            })
            .collect();
        std::fs::write(&manifest, marked.join("\n") + "\n").map_err(|e| format!("{}: {e}", manifest.display()))?;
    }
    Ok(())
}

/// Copies the workspace to `to` for a scratch build: everything but `target/`, `.git/` and the
/// vendored corpus (`tests/corpus`, which only the xtask reads).
pub fn copy_workspace(root: &Path, to: &Path) -> Result<(), String> {
    fn copy_tree(from: &Path, to: &Path, root: &Path) -> Result<(), String> {
        std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
        for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path);
            if [Path::new("target"), Path::new(".git"), Path::new("tests/corpus")].contains(&rel) {
                continue;
            }
            let dest = to.join(entry.file_name());
            if path.is_dir() {
                copy_tree(&path, &dest, root)?;
            } else {
                std::fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        Ok(())
    }
    copy_tree(root, to, root)
}
