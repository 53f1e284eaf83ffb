//! What happens to every request: headers, checks, retries, a tracing span.

use std::time::{Instant, SystemTime};

use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER, USER_AGENT};
use tracing::Instrument;
use zaia_client::{ExecFuture, Executor, Operation};

use crate::retry::{RetryPolicy, is_retryable_error, is_retryable_status, parse_retry_after};

/// The executor installed in every [`ZaiaClient`](crate::ZaiaClient).
pub(crate) struct Runtime {
    key: HeaderValue,
    user_agent: HeaderValue,
    retry: RetryPolicy,
}

impl Runtime {
    pub(crate) fn new(key: HeaderValue, user_agent: HeaderValue, retry: RetryPolicy) -> Self {
        Runtime { key, user_agent, retry }
    }
}

impl Executor for Runtime {
    fn prepare(&self, request: &mut reqwest::Request, operation: Operation) -> Result<(), String> {
        crate::validate::check(request, operation.id).map_err(|invalid| invalid.to_string())?;
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.key.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        Ok(())
    }

    fn execute<'a>(&'a self, http: &'a reqwest::Client, request: reqwest::Request, operation: Operation) -> ExecFuture<'a> {
        // The key is a sensitive header and headers are never recorded: only the method, the
        // path template (not the concrete path, which holds ids) and the outcome.
        let span = tracing::info_span!(
            "zaia.request",
            operation = operation.id,
            method = %request.method(),
            path = operation.path,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        Box::pin(self.send_with_retries(http, request).instrument(span))
    }
}

impl Runtime {
    async fn send_with_retries(&self, http: &reqwest::Client, mut request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        let started = Instant::now();
        let span = tracing::Span::current();
        let may_retry = self.retry.allows(request.method());
        let mut retry = 0;
        loop {
            // a copy for the next attempt; bodies here are always bytes, so this succeeds
            let next = if may_retry && retry < self.retry.max_retries { request.try_clone() } else { None };
            span.record("attempt", retry + 1);
            let result = http.execute(request).await;
            let wait = match (&result, &next) {
                (Ok(response), Some(_)) if is_retryable_status(response.status()) => {
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    tracing::debug!(status = response.status().as_u16(), "retryable status");
                    Some(self.retry.delay_for(retry, retry_after))
                }
                (Err(e), Some(_)) if is_retryable_error(e) => {
                    tracing::debug!(error = %e, "retryable failure");
                    Some(self.retry.delay(retry))
                }
                _ => None,
            };
            match (wait, next) {
                (Some(wait), Some(next)) => {
                    tracing::debug!(retry = retry + 1, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                    request = next;
                    retry += 1;
                }
                _ => {
                    span.record("elapsed_ms", started.elapsed().as_millis() as u64);
                    if let Ok(response) = &result {
                        span.record("status", response.status().as_u16());
                        if let Some(id) = crate::error::request_id(response.headers()) {
                            span.record("request_id", id.as_str());
                        }
                    }
                    return result;
                }
            }
        }
    }
}
