//! Settings of one call, carried from the call site to the runtime for the duration of the
//! call (a tokio task-local: the generated builders have no place for them).

use std::future::Future;
use std::time::Duration;

tokio::task_local! {
    static CALL: CallOptions;
}

/// What one call overrides of the client's settings.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CallOptions {
    /// The total deadline of this call (attempts plus waits between them).
    pub timeout: Option<Duration>,
}

/// The options of the call being run, or the defaults outside one.
pub(crate) fn current() -> CallOptions {
    CALL.try_with(|options| *options).unwrap_or_default()
}

/// Runs `call` with `options` in force.
pub(crate) async fn scoped<F: Future>(options: CallOptions, call: F) -> F::Output {
    CALL.scope(options, call).await
}
