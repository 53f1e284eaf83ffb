//! Writing outputs (`generate`) and comparing them with what is checked in (`check`), in the
//! manner of rust-analyzer's `ensure_file_contents`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::pipeline::Output;

/// Writes every output whose contents changed. Each file is written to a sibling temporary file
/// and renamed over the old one, so a reader never sees half a file; unchanged files keep their
/// timestamps so cargo does not rebuild them.
pub fn write_all(root: &Path, outputs: &[Output]) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for output in outputs {
        let path = root.join(&output.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(output.contents.as_str()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error(format!("{}: {e}", dir.display())))?;
        }
        let tmp = path.with_extension("tmp-xtask");
        std::fs::write(&tmp, &output.contents).map_err(|e| Error(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error(format!("{}: {e}", path.display())))?;
        written.push(output.path.display().to_string());
    }
    Ok(written)
}

/// The outputs that differ from the files on disk, each with a unified diff (disk → expected).
pub fn stale(root: &Path, outputs: &[Output]) -> Vec<(String, String)> {
    outputs
        .iter()
        .filter_map(|output| {
            let on_disk = std::fs::read_to_string(root.join(&output.path)).unwrap_or_default();
            (on_disk != output.contents).then(|| {
                let name = output.path.display().to_string();
                let diff = similar::TextDiff::from_lines(&on_disk, &output.contents)
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("{name} (checked in)"), &format!("{name} (generated)"))
                    .to_string();
                (name, diff)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_what_changed_and_check_reports_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let outputs =
            vec![Output { path: "a/x.rs".into(), contents: "one\n".into() }, Output { path: "y.json".into(), contents: "{}\n".into() }];
        assert_eq!(stale(dir.path(), &outputs).len(), 2);
        assert_eq!(write_all(dir.path(), &outputs).unwrap(), ["a/x.rs", "y.json"]);
        assert!(stale(dir.path(), &outputs).is_empty());
        assert!(write_all(dir.path(), &outputs).unwrap().is_empty());
        std::fs::write(dir.path().join("a/x.rs"), "two\n").unwrap();
        let stale = stale(dir.path(), &outputs);
        assert_eq!(stale.len(), 1);
        assert!(stale[0].1.contains("-two\n+one\n"), "{}", stale[0].1);
    }
}
