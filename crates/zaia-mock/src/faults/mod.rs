//! Faults: make the mock fail the way the real API, or the network, can, so that a program's
//! error and retry paths can be tested.
//!
//! Each operation's documented error statuses are typed functions, generated from the spec
//! ([`get_chat::not_found`], ...): each answers with the
//! vendor's `KnownException` body, feedback in its three languages. What any operation can meet
//! is on [`Fault`] ([`Fault::rate_limited`], [`Fault::server_error`], [`Fault::delay`],
//! [`Fault::cut_body`], [`Fault::reset`]) and on each operation's module, bound to it. A status
//! the operation does not document is only reachable as [`Fault::undocumented`].
//!
//! Armed faults apply in the order they were armed, once, `n` times or always, to one operation
//! or to all; what no armed fault claims is answered as usual. "Fail twice, then succeed":
//!
//! ```
//! # async fn demo() -> std::io::Result<()> {
//! use std::time::Duration;
//! use zaia_mock::{MockConfig, MockServer, faults};
//!
//! let mock = MockServer::start(MockConfig::default()).await?;
//! mock.arm(faults::list_chats::server_error(503).times(2));
//! mock.arm(faults::get_chat::not_found());
//! mock.arm(zaia_mock::Fault::rate_limited(Duration::from_secs(1)).once()); // any operation
//! # Ok(()) }
//! ```

mod fault;
#[allow(clippy::all)]
#[rustfmt::skip]
mod generated;

pub(crate) use fault::{Broken, answer, status_error};
pub use fault::{Fault, FaultKind};
pub use generated::*;
