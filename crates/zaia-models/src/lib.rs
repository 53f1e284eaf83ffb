//! Data types of the Zaia Public API.
//!
//! Every type in this crate is generated from the vendor's OpenAPI spec (`openapi/zaia.json`) by
//! `cargo xtask generate`, except the two small helpers [`Patch`] and the open-enum support they
//! rely on. The generated code is in `src/generated.rs`; it is checked in so that diffs show
//! what a spec change changed.
//!
//! Two conventions hold throughout:
//! - **Enums are open.** Every string enum has an `Unknown(String)` variant: a value the vendor
//!   adds later decodes instead of failing.
//! - **Responses are read tolerantly.** Unknown fields are ignored; fields whose presence is a
//!   guess of the reconstructed spec are `Option`s.

mod patch;
#[doc(hidden)]
pub mod support;

#[allow(clippy::all, missing_docs)]
mod generated;

pub use generated::*;
pub use patch::Patch;
