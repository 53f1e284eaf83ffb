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
    pub fn find(id: &str) -> Option<&'static Operation> {
        crate::OPERATIONS.iter().find(|op| op.id == id)
    }
}

/// A boxed future returned by an [`Executor`].
pub type ExecFuture<'a> = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Prepares and sends each request on behalf of the generated client.
///
/// Without an executor the client sends requests as built, with `reqwest::Client::execute`.
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
#[derive(Clone, Default)]
pub struct Hooks {
    executor: Option<Arc<dyn Executor>>,
}

impl Hooks {
    /// Hooks that send every request with `executor`.
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
