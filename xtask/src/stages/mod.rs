//! The pipeline's stages, in the order they run. Each is a plain function from document to
//! document (`serde_json::Value`, key order preserved) so it can be tested on a small inline
//! fixture.
//!
//! load (with openapi31) → merge → validate → generator_forms → normalise → hoist → (codegen)
//!
//! The document they pass along is modelled in `crate::document`; no stage knows releases,
//! commands or the workspace.

pub mod generator_forms;
pub mod hoist;
pub mod load;
pub mod merge;
pub mod normalise;
pub mod openapi31;
pub mod validate;
