//! The handwritten layer of the Zaia SDK: what makes the generated client pleasant and safe.
//!
//! **Start here:** add `zaia-ext` and `tokio` to Cargo.toml (this crate re-exports the types as
//! [`models`], with `Uuid` and the date types, and the generated client as [`client`]), build a
//! [`ZaiaClient`], call any operation as a method whose arguments are what it requires;
//! `blocking::ZaiaClient` (feature `blocking`) for synchronous code.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use zaia_ext::models::*;
//! use zaia_ext::{Lang, ZaiaClient};
//!
//! # async fn demo() -> Result<(), zaia_ext::Error> {
//! // ZAIA_API_KEY (required) and ZAIA_BASE_URL (optional)
//! let client = ZaiaClient::from_env()?;
//!
//! // every operation is a method; awaiting it gives the answer or a `zaia_ext::Error`
//! match client.get_chat(Uuid::nil()).await {
//!     Ok(chat) => println!("{:?}", chat.title),
//!     Err(e) if e.is_not_found() => println!("{}", e.feedback(Lang::EsEs).unwrap_or("not found")),
//!     Err(e) => return Err(e),
//! }
//!
//! // every page of a list, lazily
//! let mut follow_ups = client.list_chat_message_follow_ups().items();
//! while let Some(follow_up) = follow_ups.try_next().await? {
//!     println!("{} {}", follow_up.id, follow_up.status);
//! }
//! # Ok(()) }
//! ```
//!
//! - [`ClientBuilder`] / [`ZaiaClient::from_env`]: key, base URL, timeouts, user agent, retries.
//! - [`calls`]: the call each method returns (setters, `within`, streams of a list).
//! - [`Paginate`]: the older closure-based streams over the paginated lists.
//! - [`Error`]: one error type with helpers (`is_not_found`, `feedback`, ...).
//! - [`RetryPolicy`]: jittered exponential backoff honouring `Retry-After`.
//! - Testing a program that uses this crate: the `zaia-mock` crate is a fake Zaia server
//!   (in-process or a program) with faults typed from the spec (a 429 then a success, a
//!   documented 404, a cut body...), a request journal and state for every resource; see
//!   "Testing your code" in its docs and in the workspace README.
//! - Every request is checked against documented limits ([`validate`]) and traced (a
//!   `zaia.request` span with operation, method, path template, attempt, status, elapsed time
//!   and request id; never the key).

//!
//! Layers, bottom up (docs/STYLE.md, "Layers"; a test fails on an import cycle): `config`,
//! `sleep`, `retry`, `retry_budget`, `body`, `redirect`, `validate` → `error` → `call` (a call's
//! settings, `SendExt`, every call's `send`) → `runtime` (the executor every request runs
//! through) → `sdk_client` (the client and its builder), `operation` (what each generated request is),
//! `pagination` → `blocking` → `calls`
//! (the generated surface).

#![warn(missing_docs)]
// with only some resources' features on, helpers written for every operation (and imports of
// the generated files) go partly unused; with all of them on, as CI builds, nothing may be
#![cfg_attr(not(feature = "all-resources"), allow(dead_code, unused_imports))]

#[cfg(feature = "blocking")]
pub mod blocking;
mod body;
mod call;
pub mod calls;
mod config;
mod error;
mod operation;
pub mod pagination;
mod redirect;
mod retry;
pub mod retry_budget;
mod runtime;
mod sdk_client;
mod sleep;
mod tls;
pub mod validate;

/// The generated client (the `zaia-client` crate): [`client::Client`], its request builders in
/// [`client::builder`], [`client::OPERATIONS`].
pub use zaia_client as client;
/// The API's types (the `zaia-models` crate: request bodies, responses, enums,
/// [`models::Patch`]), with the types their fields use ([`models::Uuid`], [`models::DateTime`],
/// [`models::Utc`], [`models::NaiveDate`], [`models::TimeDelta`]) and the current time ([`models::now`]): a program
/// needs no `uuid` or `chrono` dependency of its own.
pub mod models {
    pub use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
    pub use uuid::Uuid;
    pub use zaia_models::*;

    /// The current time, as the API's timestamps are typed.
    ///
    /// ```
    /// let now = zaia_ext::models::now();
    /// assert!(now.timestamp() > 1_700_000_000);
    /// ```
    pub fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from(std::time::SystemTime::now())
    }
}

/// HTTP types the SDK's answers and errors carry (reqwest's): a program needs no `reqwest` or
/// `http` dependency to read a status or a header.
pub mod http {
    pub use reqwest::StatusCode;
    pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
}

pub use progenitor_client::ResponseValue;

pub use body::{DEFAULT_MAX_RESPONSE_SIZE, ERROR_BODY_LIMIT};
pub use call::{ErrorBody, SendExt};
pub use config::{API_KEY_VAR, ApiKey, BASE_URL_VAR, ConfigError, DEFAULT_BASE_URL, USER_AGENT};
pub use error::{ClientError, DocumentedBody, Error, Lang, request_id};
pub use pagination::{Pages, Paginate};
pub use redirect::MAX_REDIRECTS;
pub use retry::RetryPolicy;
pub use sdk_client::{ClientBuilder, ZaiaClient};
pub use sleep::{Sleep, SleepFuture, TokioSleep};

// The READMEs' Rust examples compile as doctests, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct WorkspaceReadme;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadme;
