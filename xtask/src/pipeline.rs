//! The whole run, from fragments to file contents, in memory. Nothing is written here: the
//! caller writes (generate) or compares (check) only after every stage has succeeded.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::codegen;
use crate::config::Config;
use crate::error::Result;
use crate::stages::{generator_forms, hoist, load, merge, normalise, validate};

/// One file the run produces, relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: PathBuf,
    pub contents: String,
}

pub fn spec_from_fragments(fragments: &[load::Fragment], config: &Config) -> Result<Value> {
    Ok(specs(fragments, config)?.merged)
}

/// The stages' results.
pub struct Specs {
    /// The merged, normalised, hoisted spec (`openapi/zaia.json`).
    pub merged: Value,
    /// The same before hoisting: each operation with its own copies of its schemas. The limits
    /// a client checks come from here, so an operation keeps its own limits (enum values among
    /// them) when hoisting unites its types with another operation's.
    pub per_operation: Value,
    /// What hoisting resolved by rule (name clashes), for the maintainer.
    pub notes: Vec<String>,
}

pub fn specs(fragments: &[load::Fragment], config: &Config) -> Result<Specs> {
    let merged = merge::merge(fragments)?;
    validate::check_refs(&merged)?;
    validate::check_parameter_styles(&merged)?;
    let (merged, mut notes) = generator_forms::rewrite(merged);
    let doc = normalise::normalise(merged, config)?;
    let per_operation = doc.clone();
    let (doc, hoist_notes) = hoist::hoist_with_notes(doc, config)?;
    notes.extend(hoist_notes);
    let doc = normalise::relax_guessed_fields(doc, config)?;
    let doc = generator_forms::finish(doc);
    validate::check_refs(&doc)?;
    Ok(Specs { merged: doc, per_operation, notes })
}

/// What a run produces: the files, and notes for the maintainer (what was left out, and why).
#[derive(Debug, Default)]
pub struct Run {
    pub outputs: Vec<Output>,
    pub notes: Vec<String>,
}

/// Every output of `cargo xtask generate`.
pub fn run(root: &Path, config: &Config) -> Result<Run> {
    let fragments = load::load_dir(root, config.openapi_dir)?;
    run_fragments(&fragments, config)
}

/// [`run`] on fragments already loaded.
pub fn run_fragments(fragments: &[load::Fragment], config: &Config) -> Result<Run> {
    let Specs { merged: spec, per_operation, notes } = specs(fragments, config)?;
    let mut for_codegen = codegen::codegen_spec(&spec);
    let mut notes = notes;
    generator_forms::one_response_kind(&mut for_codegen, &mut notes);
    let models = codegen::models::generate(&for_codegen)?;
    let client = codegen::client::generate(&for_codegen, config)?;
    let spec_text = crate::document::spec_text(&spec);
    let mut run = Run { notes, ..Run::default() };
    if let Some(ext) = config.ext_out {
        // the lists as the client's types have them (a list that may answer 204 has no pages)
        let (lists, notes) = codegen::pagination::collect(&for_codegen, config);
        run.notes.extend(notes);
        run.outputs.push(Output { path: ext.pagination.into(), contents: codegen::pagination::generate(&lists, config)? });
        run.outputs.push(Output { path: ext.calls.into(), contents: codegen::calls::generate(&spec, &client, &lists, config)? });
        let (limits, notes) = codegen::limits::generate(&spec, &per_operation)?;
        run.notes.extend(notes);
        run.outputs.push(Output { path: ext.limits.into(), contents: limits });
    }
    if let Some(path) = config.client_operations_out {
        run.outputs.push(Output { path: path.into(), contents: codegen::client::operations_table(&spec)? });
    }
    if let Some(path) = config.mock_spec_out {
        run.outputs.push(Output { path: path.into(), contents: spec_text.clone() });
    }
    if let Some(path) = config.mock_faults_out {
        run.outputs.push(Output { path: path.into(), contents: codegen::mock_faults::generate(&spec)? });
    }
    run.outputs.splice(
        0..0,
        [
            Output { path: config.merged_spec.into(), contents: spec_text },
            Output { path: config.models_out.into(), contents: models },
            Output { path: config.client_out.into(), contents: client },
        ],
    );
    Ok(run)
}
