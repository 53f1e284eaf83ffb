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

use progenitor_client::{ClientHooks, OperationInfo};

/// One operation of the API, as listed in [`crate::OPERATIONS`].
///
/// ```
/// let op = zaia_client::Operation::find("get_chat").unwrap();
/// assert_eq!((op.method, op.path), ("GET", "/api/v1/chats/{id}"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The operation id, which is also the client's method name (`list_chats`).
    pub id: &'static str,
    /// The HTTP method, upper case (`GET`).
    pub method: &'static str,
    /// The path template (`/api/v1/chats/{id}`).
    pub path: &'static str,
}

impl Operation {
    /// Looks an operation up by id.
    ///
    /// ```
    /// assert!(zaia_client::Operation::find("list_chats").is_some());
    /// assert!(zaia_client::Operation::find("no_such_operation").is_none());
    /// ```
    pub fn find(id: &str) -> Option<&'static Operation> {
        crate::OPERATIONS.iter().find(|op| op.id == id)
    }
}

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
    executor: Option<Arc<dyn Executor>>,
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

fn operation(info: &OperationInfo) -> Operation {
    Operation::find(info.operation_id).copied().unwrap_or(Operation { id: info.operation_id, method: "", path: "" })
}

impl ClientHooks<Hooks> for crate::Client {
    async fn pre<E>(&self, request: &mut reqwest::Request, info: &OperationInfo) -> Result<(), progenitor_client::Error<E>> {
        match &self.inner.executor {
            None => Ok(()),
            Some(executor) => executor.prepare(request, operation(info)).map_err(progenitor_client::Error::InvalidRequest),
        }
    }

    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        match &self.inner.executor {
            None => self.client.execute(request).await,
            Some(executor) => executor.execute(&self.client, request, operation(info)).await,
        }
    }
}
