//! Stage 1: find and parse the vendor's fragments.
//!
//! Fragments are `openapi/<resource>/<operation>.json`, one OpenAPI document each, exactly as the
//! vendor publishes them. They are read in sorted path order so that every later stage sees the
//! same sequence on every machine.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Result, fail};

/// One parsed fragment and the path it was read from (relative to the openapi folder, with `/`).
#[derive(Debug, Clone)]
pub struct Fragment {
    pub name: String,
    pub doc: Value,
}

/// Files that may stand in the fragments' folder itself: what the pipeline writes there (each
/// configuration's merged spec, the release baseline), taken from where they are configured.
/// Anything else there but notes is a misplaced fragment.
fn is_pipeline_output(name: &str) -> bool {
    let file_name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    crate::config::Config::all()
        .iter()
        .map(|c| file_name(c.merged_spec))
        .chain([file_name(crate::config::RELEASE_BASELINE)])
        .any(|f| f == name)
}

/// Reads every `*/*.json` below `root/dir`, sorted by relative path. Names in errors are
/// relative to `root` (`openapi/chats/get-one.json`). A file that looks like a fragment but is
/// not where one goes (in the folder itself, a folder deeper, `*.JSON`) is an error: skipping
/// it would drop an operation without a word.
pub fn load_dir(root: &Path, dir: &str) -> Result<Vec<Fragment>> {
    let display = dir.trim_end_matches('/');
    let dir = &root.join(dir);
    let mut files: Vec<PathBuf> = Vec::new();
    let rel = |p: &Path| format!("{display}/{}", p.strip_prefix(dir).unwrap_or(p).to_string_lossy().replace('\\', "/"));
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
    for entry in entries {
        let sub = entry.map_err(|e| io_error(dir, e))?.path();
        if !sub.is_dir() {
            let name = sub.file_name().unwrap_or_default().to_string_lossy().to_string();
            let note = name.ends_with(".md") || name.starts_with('.');
            if !note && !is_pipeline_output(&name) {
                fail!("{}: misplaced: fragments go in {display}/<resource>/<operation>.json", rel(&sub));
            }
            continue;
        }
        for file in std::fs::read_dir(&sub).map_err(|e| io_error(&sub, e))? {
            let file = file.map_err(|e| io_error(&sub, e))?.path();
            let name = file.file_name().unwrap_or_default().to_string_lossy().to_string();
            if file.is_dir() {
                fail!("{}: a folder inside a resource folder; fragments go in {display}/<resource>/<operation>.json", rel(&file));
            }
            match file.extension().and_then(|e| e.to_str()) {
                Some("json") => files.push(file),
                Some(ext) if ext.eq_ignore_ascii_case("json") => {
                    fail!(
                        "{}: the extension must be `.json` in lower case (the file would be skipped on some machines and read on others)",
                        rel(&file)
                    )
                }
                _ if name.ends_with(".md") || name.starts_with('.') => {}
                _ => fail!("{}: not a fragment: fragments are `.json` files, as the vendor publishes them", rel(&file)),
            }
        }
    }
    files.sort();
    if files.is_empty() {
        fail!("{}: no fragments found (expected <resource>/<operation>.json files)", dir.display());
    }
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).map_err(|e| io_error(file, e))?;
            let rel = file.strip_prefix(dir).unwrap_or(file);
            let name = format!("{display}/{}", rel.to_string_lossy().replace('\\', "/"));
            parse_fragment(&name, &text)
        })
        .collect()
}

/// Parses one fragment's text; `name` is used in error messages.
pub fn parse_fragment(name: &str, text: &str) -> Result<Fragment> {
    let doc: Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => fail!("{name}:{}:{}: invalid JSON: {}", e.line(), e.column(), strip_position(&e.to_string())),
    };
    let Some(obj) = doc.as_object() else {
        fail!("{name}: not an OpenAPI document: the top level is not an object");
    };
    match obj.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.") => {}
        Some(v) => fail!("{name}: /openapi: unsupported OpenAPI version `{v}` (expected 3.x)"),
        None => fail!("{name}: not an OpenAPI document: /openapi is missing"),
    }
    if !obj.get("paths").is_some_and(Value::is_object) {
        fail!("{name}: not an OpenAPI document: /paths is missing or not an object");
    }
    // The typed parse catches wrong shapes (a parameter without `in`, a schema that is a
    // number...) while the file is still known, with the pointer and the position of the
    // value. It reads the text as written; what fails there only for a 3.1 spelling passes
    // once that is rewritten.
    let de = &mut serde_json::Deserializer::from_str(text);
    let as_written = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(de).err();
    let doc = super::openapi31::to_30(doc, name, text)?;
    if let Some(e) = as_written
        && serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&doc).is_err()
    {
        fail!("{name}: {}: not a valid OpenAPI document: {}", path_to_pointer(e.path()), e.inner());
    }
    Ok(Fragment { name: name.to_string(), doc })
}

fn io_error(path: &Path, e: std::io::Error) -> crate::error::Error {
    crate::error::Error(format!("{}: {e}", path.display()))
}

/// serde_json appends " at line L column C"; the caller already prints the position.
fn strip_position(msg: &str) -> &str {
    msg.rsplit_once(" at line ").map_or(msg, |(head, _)| head)
}

/// The JSON pointer of the value serde_path_to_error stopped at.
fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let tokens = path.iter().filter_map(|segment| match segment {
        Segment::Seq { index } => Some(index.to_string()),
        Segment::Map { key } => Some(key.clone()),
        Segment::Enum { variant } => Some(variant.clone()),
        Segment::Unknown => None,
    });
    let p = crate::error::pointer(tokens);
    if p.is_empty() { "/".into() } else { p }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_names_file_line_and_column() {
        let err = parse_fragment("openapi/chats/x.json", "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {,}\n}").unwrap_err();
        assert!(err.0.starts_with("openapi/chats/x.json:3:13: invalid JSON"), "{err}");
        assert!(!err.0.contains(" at line "), "{err}");
    }

    #[test]
    fn a_document_without_openapi_is_rejected() {
        let err = parse_fragment("a.json", r#"{"paths": {}}"#).unwrap_err();
        assert_eq!(err.0, "a.json: not an OpenAPI document: /openapi is missing");
        let err = parse_fragment("a.json", r#"[1]"#).unwrap_err();
        assert!(err.0.contains("top level is not an object"));
        let err = parse_fragment("a.json", r#"{"openapi": "2.0", "paths": {}}"#).unwrap_err();
        assert!(err.0.contains("unsupported OpenAPI version `2.0`"));
    }

    #[test]
    fn a_wrong_shape_is_reported_with_its_pointer() {
        let text = r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},
            "paths":{"/a/b":{"get":{"parameters":[{"name":"x","in":"query","schema":5}],"responses":{}}}}}"#;
        let err = parse_fragment("f.json", text).unwrap_err();
        // openapiv3 reads `paths` by hand, so the pointer stops there; the position is exact
        assert!(err.0.starts_with("f.json: /paths: not a valid OpenAPI document: invalid type: integer `5`"), "{err}");
        assert!(err.0.ends_with("at line 2 column 105"), "{err}");
    }

    #[test]
    fn fragments_load_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        for (sub, file) in [("b", "z.json"), ("a", "y.json"), ("a", "x.json")] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            let doc = r#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}"#;
            std::fs::write(dir.path().join(sub).join(file), doc).unwrap();
        }
        // what the pipeline writes beside the fragments, and notes, are not fragments
        std::fs::write(dir.path().join("zaia.json"), "not json").unwrap();
        std::fs::write(dir.path().join("PROVENANCE.md"), "notes").unwrap();
        std::fs::write(dir.path().join("a").join("README.md"), "notes").unwrap();
        let names: Vec<_> = load_dir(dir.path(), ".").unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["./a/x.json", "./a/y.json", "./b/z.json"]);
    }

    #[test]
    fn misplaced_and_mis_cased_fragments_are_errors_not_skipped() {
        let case = |path: &str| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("a")).unwrap();
            std::fs::write(dir.path().join("a/ok.json"), r#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}"#).unwrap();
            let target = dir.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, "{}").unwrap();
            load_dir(dir.path(), ".").map(|_| ()).unwrap_err().0
        };
        assert_eq!(case("get-one.json"), "./get-one.json: misplaced: fragments go in ./<resource>/<operation>.json");
        assert!(case("a/deeper/get-one.json").starts_with("./a/deeper: a folder inside a resource folder"));
        assert!(case("a/get-one.JSON").starts_with("./a/get-one.JSON: the extension must be `.json` in lower case"));
        assert!(case("a/get-one.yaml").starts_with("./a/get-one.yaml: not a fragment"));
    }
}
