//! The generated client's hook point: progenitor calls `ClientHooks::pre` and `exec` for every
//! request; they find the request's operation and hand both to the client's [`Executor`], if one
//! is installed. (The impl lives in this crate for the orphan rule; in a module of its own, above
//! both the generated client and the hooks it connects.)

use progenitor_client::{ClientHooks, OperationInfo};

use crate::hooks::Hooks;
use crate::operations::Operation;

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
