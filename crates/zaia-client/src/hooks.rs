//! The hook point every generated request runs through.
//!
//! progenitor calls `ClientHooks::exec` to send each request. This crate implements it by
//! handing the request to the client's [`Executor`], if one is installed, so that policies such
//! as retries and tracing (in `zaia-ext`) apply to every operation without touching generated
//! code.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::operations::Operation;

/// A boxed future returned by an [`Executor`].
///
/// ```
/// let send: fn(&reqwest::Client, reqwest::Request) -> zaia_client::ExecFuture<'_> = |http, request| Box::pin(http.execute(request));
/// # let _ = send;
/// ```
pub type ExecFuture<'a> = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Prepares and sends each request on behalf of the generated client.
///
/// Without an executor the client sends requests as built, with `reqwest::Client::execute`.
///
/// ```
/// use zaia_client::{ExecFuture, Executor, Hooks, Operation};
///
/// /// Sends every request as built, and counts them.
/// struct Counting(std::sync::atomic::AtomicUsize);
///
/// impl Executor for Counting {
///     fn execute<'a>(&'a self, http: &'a reqwest::Client, request: reqwest::Request, _: Operation) -> ExecFuture<'a> {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         Box::pin(http.execute(request))
///     }
/// }
///
/// let client = zaia_client::Client::new_with_client("https://api.endless.zaia.app", reqwest::Client::new(), Hooks::with_executor(Counting(Default::default())));
/// # let _ = client;
/// ```
pub trait Executor: Send + Sync + 'static {
    /// Runs before anything is sent: adds headers, checks the request. An `Err` is returned to
    /// the caller as `Error::InvalidRequest` and nothing is sent.
    fn prepare(&self, request: &mut reqwest::Request, operation: Operation) -> Result<(), String> {
        let _ = (request, operation);
        Ok(())
    }

    /// Sends `request` with `http` and returns the final response (after any retries).
    fn execute<'a>(&'a self, http: &'a reqwest::Client, request: reqwest::Request, operation: Operation) -> ExecFuture<'a>;
}

/// The client's inner value: which [`Executor`] runs its requests.
///
/// ```
/// let plain = zaia_client::Client::new_with_client("http://127.0.0.1:8080", reqwest::Client::new(), zaia_client::Hooks::default());
/// # let _ = plain;
/// ```
#[derive(Clone, Default)]
pub struct Hooks {
    pub(crate) executor: Option<Arc<dyn Executor>>,
}

impl Hooks {
    /// Hooks that send every request with `executor`.
    ///
    /// ```
    /// use zaia_client::{ExecFuture, Executor, Hooks, Operation};
    /// struct Plain;
    /// impl Executor for Plain {
    ///     fn execute<'a>(&'a self, http: &'a reqwest::Client, request: reqwest::Request, _: Operation) -> ExecFuture<'a> {
    ///         Box::pin(http.execute(request))
    ///     }
    /// }
    /// let hooks = Hooks::with_executor(Plain);
    /// # let _ = hooks;
    /// ```
    pub fn with_executor(executor: impl Executor) -> Self {
        Hooks { executor: Some(Arc::new(executor)) }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks").field("executor", &self.executor.as_ref().map(|_| "custom")).finish()
    }
}
