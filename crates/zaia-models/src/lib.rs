//! Data types of the Zaia Public API.
//!
//! **Start here:** most programs depend on `zaia-ext` only and reach these types as
//! `zaia_ext::models`. Build a value with `new` (the fields it must have) and the `with_*`
//! setters (the optional ones); read a response's fields directly:
//!
//! ```
//! use zaia_models::{Patch, UpdateChatMessageFollowUpRequest};
//! // clear `reason`, leave every other field as it is
//! let body = UpdateChatMessageFollowUpRequest::new().with_reason(Patch::Null);
//! assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"reason": null}));
//! ```
//!
//! Every type in this crate is generated from the vendor's OpenAPI spec (`openapi/zaia.json`) by
//! `cargo xtask generate`, except the two small helpers [`Patch`] and the open-enum support they
//! rely on. The generated code is in `src/generated.rs`; it is checked in so that diffs show
//! what a spec change changed.
//!
//! Built from the vendor spec version [`SPEC_VERSION`], which is also the build metadata of
//! this crate's version (`0.2.0+spec.1.0.0`); `cargo xtask check` keeps the two in step.
//!
//! Three conventions hold throughout:
//! - **Structs are `#[non_exhaustive]`.** The vendor adds optional fields without notice; a
//!   struct literal or an exhaustive pattern would stop compiling when it does, so neither is
//!   allowed outside this crate. `T::new(..)` takes exactly the fields a value must have, so it
//!   changes only when the API's requirements do (and that is a breaking release):
//!
//!   ```
//!   use zaia_models::CreateChatMessageFollowUpRequest;
//!   let due = chrono::DateTime::UNIX_EPOCH;
//!   let body = CreateChatMessageFollowUpRequest::new(uuid::Uuid::nil(), due, "Still there?".into());
//!   let CreateChatMessageFollowUpRequest { message, .. } = &body; // patterns need `..`
//!   assert_eq!(message, "Still there?");
//!   ```
//! - **Enums are open.** Every string enum has an `Unknown(String)` variant: a value the vendor
//!   adds later decodes instead of failing.
//! - **Responses are read tolerantly.** Unknown fields are ignored; fields whose presence is a
//!   guess of the reconstructed spec are `Option`s.

#![warn(missing_docs)]
// with only some resources' features on, helpers written for every operation (and imports of
// the generated files) go partly unused; with all of them on, as CI builds, nothing may be
#![cfg_attr(not(feature = "all-resources"), allow(dead_code, unused_imports))]

mod patch;
#[doc(hidden)]
pub mod support;

#[allow(clippy::all, missing_docs)]
#[rustfmt::skip]
mod generated;

pub use generated::*;
pub use patch::Patch;

#[cfg(test)]
mod tests {
    #[test]
    fn the_crate_version_names_the_spec_version() {
        let version = env!("CARGO_PKG_VERSION");
        let (_, spec) = version.split_once("+spec.").expect("build metadata `spec.<version>`");
        // a scratch copy built beside the workspace adds a mark of letters (`1.0.0.newest`)
        let mark = spec.strip_prefix(super::SPEC_VERSION).and_then(|rest| rest.strip_prefix('.'));
        assert!(spec == super::SPEC_VERSION || mark.is_some_and(|m| m.starts_with(|c: char| c.is_ascii_alphabetic())), "{version}");
    }
}
