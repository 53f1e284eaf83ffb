//! What happens to every request: headers, checks, bounded bodies, retries within a deadline,
//! a tracing span.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, USER_AGENT};
use tracing::Instrument;
use zaia_client::{ExecFuture, Executor, Operation};
use zaia_models::KnownException;

use crate::body::{self, BodyFailure, Read};
use crate::retry::{RetryPolicy, is_retryable_error, is_retryable_status, retry_after};
use crate::retry_budget::{RETRY_COST, RetryBudget, SUCCESS_REFUND, TIMEOUT_COST};
use crate::sleep::Sleep;

/// The header the key goes in: the spec's `apiKey` scheme (`zaia_client::API_KEY_HEADER`).
pub(crate) const KEY_HEADER: reqwest::header::HeaderName = reqwest::header::HeaderName::from_static(zaia_client::API_KEY_HEADER);

/// The executor installed in every [`ZaiaClient`](crate::ZaiaClient).
pub(crate) struct Runtime {
    pub key: HeaderValue,
    pub user_agent: HeaderValue,
    pub retry: RetryPolicy,
    pub budget: RetryBudget,
    pub sleeper: Arc<dyn Sleep>,
    /// One attempt, end to end (headers and body).
    pub attempt_timeout: Duration,
    /// The timeout the reqwest client applies to a request that sets none (`None`: a caller's
    /// client, whose default is not known). A request sets its own only when it differs: that
    /// costs an allocation per request, in the request's extensions.
    pub client_timeout: Option<Duration>,
    /// A whole call: every attempt and every wait (overridable per call).
    pub operation_timeout: Duration,
    pub max_response_size: u64,
}

impl Executor for Runtime {
    fn prepare(&self, request: &mut reqwest::Request, operation: Operation) -> Result<(), String> {
        crate::validate::check(request, operation.id).map_err(crate::validate::Invalid::into_tunnel)?;
        let headers = request.headers_mut();
        headers.insert(KEY_HEADER, self.key.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        if let Some(accept) = crate::call::media_accept() {
            headers.insert(reqwest::header::ACCEPT, accept);
        }
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
        let deadline = crate::call::current().timeout.unwrap_or(self.operation_timeout);
        let answer = self.send_with_retries(http, request, deadline, operation).instrument(span);
        if crate::call::media_accept().is_some() {
            return Box::pin(async move { answer.await.map(crate::call::keep_media_answer) });
        }
        Box::pin(answer)
    }
}

/// What one attempt came to.
// one lives briefly on the stack of each call; boxing the large variant would cost an
// allocation per request for nothing
#[allow(clippy::large_enum_variant)]
enum Outcome {
    /// A success handed on unread (see where it is made).
    Untouched(reqwest::Response),
    /// A response whose body was read here (or reading it failed).
    Read(reqwest::Response, Read),
    Failed(reqwest::Error),
}

impl Runtime {
    async fn send_with_retries(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        deadline: Duration,
        operation: Operation,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::Span::current();
        let method = request.method().clone();
        let may_retry = self.retry.allows(request.method()) && self.retry.max_retries > 0;
        // time spent: attempts as measured, waits as chosen (so an injected sleeper that does
        // not really wait still moves the deadline)
        let mut spent = Duration::ZERO;
        let mut retry = 0;
        let mut acquired = 0;
        loop {
            let remaining = deadline.saturating_sub(spent);
            let timeout = self.attempt_timeout.min(remaining);
            if self.client_timeout != Some(timeout) || request.timeout().is_some() {
                *request.timeout_mut() = Some(timeout);
            }
            // a copy for the next attempt; bodies here are always bytes, so this succeeds
            let next = if may_retry && retry < self.retry.max_retries { copy_for_retry(&request) } else { None };
            span.record("attempt", retry + 1);
            let started = Instant::now();
            let outcome = match http.execute(request).await {
                // a request that is never retried (POST, or a policy without retries), and a
                // success whose declared length is within the limit: nothing to retry, nothing
                // to judge, so it goes to the decoder as it came (hyper stops a body at its
                // declared length; a cut surfaces there, as a retryable transport error)
                Ok(response)
                    if !may_retry
                        && response.status().is_success()
                        && response.content_length().is_some_and(|n| n <= self.max_response_size) =>
                {
                    Outcome::Untouched(response)
                }
                Ok(mut response) => {
                    let read = body::read(&mut response, self.max_response_size).await;
                    Outcome::Read(response, read)
                }
                Err(e) => Outcome::Failed(e),
            };
            spent += started.elapsed();
            let wait = next.as_ref().and_then(|_| self.wait_before_retry(&outcome, retry));
            let go_on = match wait {
                Some((wait, cost)) if spent + wait < deadline => {
                    let granted = cost == 0 || self.budget.try_acquire(cost);
                    if !granted {
                        tracing::debug!(available = self.budget.available(), "retry budget exhausted");
                    }
                    granted.then_some((wait, cost))
                }
                Some((wait, _)) => {
                    tracing::debug!(wait_ms = wait.as_millis() as u64, "no time left for another attempt");
                    None
                }
                None => None,
            };
            match (go_on, next) {
                (Some((wait, cost)), Some(next)) => {
                    tracing::debug!(retry = retry + 1, wait_ms = wait.as_millis() as u64, "retrying");
                    self.sleeper.sleep(wait).await;
                    spent += wait;
                    acquired = cost;
                    request = next;
                    retry += 1;
                }
                _ => {
                    span.record("elapsed_ms", spent.as_millis() as u64);
                    let answered = match &outcome {
                        Outcome::Read(response, Read::Complete(_)) | Outcome::Untouched(response) => {
                            Some((response.status(), response.headers()))
                        }
                        _ => None,
                    };
                    let mut request_id = None;
                    // looked up only for a subscriber that records it (every call passes here)
                    let recorded = !span.is_disabled() || tracing::enabled!(tracing::Level::INFO);
                    if let Some((status, headers)) = answered {
                        span.record("status", status.as_u16());
                        request_id = if recorded { crate::error::request_id_str(headers) } else { None };
                        if let Some(id) = request_id {
                            span.record("request_id", id);
                        }
                        if status.is_success() {
                            self.budget.release(if retry == 0 { SUCCESS_REFUND } else { acquired });
                        }
                    }
                    // one event per finished call, visible with a plain `fmt` subscriber;
                    // OpenTelemetry's HTTP client names where one exists
                    let failure = match &outcome {
                        Outcome::Failed(e) => Some(if e.is_timeout() { "timeout" } else { "transport" }),
                        Outcome::Read(_, Read::Complete(_)) | Outcome::Untouched(_) => None,
                        Outcome::Read(..) => Some("body"),
                    };
                    tracing::info!(
                        http.request.method = %method,
                        url.template = operation.path,
                        http.response.status_code = answered.map(|(status, _)| status.as_u16()),
                        http.request.resend_count = retry,
                        "error.type" = failure,
                        zaia.operation = operation.id,
                        zaia.attempts = retry + 1,
                        zaia.duration_ms = spent.as_millis() as u64,
                        zaia.request_id = request_id,
                        "zaia call finished"
                    );
                    return finish(outcome);
                }
            }
        }
    }

    /// How long to wait before retrying this outcome, and what the retry costs; `None`: do
    /// not retry.
    fn wait_before_retry(&self, outcome: &Outcome, retry: u32) -> Option<(Duration, u32)> {
        match outcome {
            Outcome::Read(response, Read::Complete(_)) if is_retryable_status(response.status()) => {
                tracing::debug!(status = response.status().as_u16(), "retryable status");
                self.retry.delay_for(retry, retry_after(response.headers())).map(|wait| (wait, RETRY_COST))
            }
            Outcome::Read(_, Read::Cut(e)) => {
                tracing::debug!(error = %e, "body cut");
                Some((self.retry.delay(retry), 0))
            }
            Outcome::Failed(e) if is_retryable_error(e) => {
                tracing::debug!(error = %e, "retryable failure");
                Some((self.retry.delay(retry), if e.is_timeout() { TIMEOUT_COST } else { 0 }))
            }
            _ => None,
        }
    }
}

/// A copy of `request` to send again; bodies here are always bytes, so there is one.
///
/// `reqwest::Request::try_clone` gives every copy an extension map (it sets the copy's timeout,
/// even to none): an allocation and a hash table for each request that may be retried. A
/// request with no body and no timeout of its own (the usual GET: its timeout is the client's)
/// is copied field by field instead. The extensions are reqwest's own (private to it), and the
/// timeout is all it keeps there for a request built by a `RequestBuilder`, as the generated
/// code builds them.
fn copy_for_retry(request: &reqwest::Request) -> Option<reqwest::Request> {
    if request.body().is_some() || request.timeout().is_some() {
        return request.try_clone();
    }
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    Some(copy)
}

/// The response the generated code decodes: as it came, with the bytes read here as its
/// [`zaia_client::ReadAhead`] (no response rebuilt around them on the way of every call), or
/// rebuilt around a body that fails with what went wrong (see [`crate::body`]).
fn finish(outcome: Outcome) -> reqwest::Result<reqwest::Response> {
    match outcome {
        Outcome::Untouched(response) => Ok(response),
        Outcome::Failed(e) => Err(e),
        Outcome::Read(mut response, Read::Complete(bytes)) => {
            if response.status().is_success() || serde_json::from_slice::<KnownException>(&bytes).is_ok() {
                response.extensions_mut().insert(zaia_client::ReadAhead(bytes));
                return Ok(response);
            }
            let head = body::Head::take(&mut response);
            let failure = BodyFailure::NotAnApiError {
                status: head.status,
                headers: head.headers.clone(),
                body: String::from_utf8_lossy(&bytes).into_owned(),
            };
            Ok(body::response(head, body::failing(failure)))
        }
        Outcome::Read(mut response, Read::TooLarge(limit)) => {
            let head = body::Head::take(&mut response);
            let failure = BodyFailure::TooLarge { status: head.status, limit };
            Ok(body::response(head, body::failing(failure)))
        }
        Outcome::Read(mut response, Read::Cut(error)) => {
            let head = body::Head::take(&mut response);
            let failure = BodyFailure::Cut { status: head.status, error };
            Ok(body::response(head, body::failing(failure)))
        }
    }
}
