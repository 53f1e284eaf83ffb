//! Response bodies, read inside the retry loop with a size limit.
//!
//! The generated client reads bodies after the executor returns, too late to retry a body cut
//! mid-way or to refuse one that never ends. So the runtime reads each body of a request it
//! may retry here, bounded. A whole body goes on with its response as a
//! [`zaia_client::ReadAhead`] extension: the generated code decodes it from there, and gives
//! the response its body back wherever it hands one to a caller. A body that could not be read
//! (too large, cut), or an error body that is not the API's, goes on in a rebuilt response
//! whose body fails with a [`BodyFailure`]; [`crate::Error`] finds it in the error chain and
//! says what happened.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Frame;
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Version};

/// The default limit on a success body: 32 MiB. The largest documented answer (1,000 chat
/// messages of up to 4,000 characters) is well under it.
///
/// ```
/// assert_eq!(zaia_ext::DEFAULT_MAX_RESPONSE_SIZE, 32 * 1024 * 1024);
/// ```
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 32 * 1024 * 1024;

/// How much of an error body is read and kept: error bodies are small JSON documents; a
/// gateway's HTML page or a runaway body needs no more than its start to be diagnosed.
///
/// ```
/// # fn show(error: &zaia_ext::Error) {
/// if let zaia_ext::Error::Http { body, .. } = error {
///     assert!(body.len() <= zaia_ext::ERROR_BODY_LIMIT);
/// }
/// # }
/// ```
pub const ERROR_BODY_LIMIT: usize = 16 * 1024;

/// A response's status line and headers, for a response rebuilt around a failing body.
pub(crate) struct Head {
    pub status: StatusCode,
    pub version: Version,
    pub headers: HeaderMap,
    pub url: reqwest::Url,
}

impl Head {
    /// `response`'s head, its headers moved out.
    pub(crate) fn take(response: &mut reqwest::Response) -> Head {
        Head {
            status: response.status(),
            version: response.version(),
            headers: std::mem::take(response.headers_mut()),
            url: response.url().clone(),
        }
    }
}

/// What reading one response's body gave.
pub(crate) enum Read {
    /// The whole body (for an error status: at most [`ERROR_BODY_LIMIT`] bytes of it).
    Complete(Bytes),
    /// The body is larger than the limit; reading stopped there.
    TooLarge(u64),
    /// The connection failed while the body was being read.
    Cut(reqwest::Error),
}

/// Reads `response`'s body: whole, up to `limit` bytes, for a success; the first
/// [`ERROR_BODY_LIMIT`] bytes otherwise. Memory stays within the limit whatever the server
/// sends: a declared length over the limit is refused before reading, and reading stops at it.
/// The response keeps its status and headers.
pub(crate) async fn read(response: &mut reqwest::Response, limit: u64) -> Read {
    let success = response.status().is_success();
    let keep = if success { limit } else { ERROR_BODY_LIMIT as u64 };
    if success && response.content_length().is_some_and(|n| n > limit) {
        return Read::TooLarge(limit);
    }
    // one chunk (the usual case for a small body) is kept as it came, without a copy
    let mut first: Option<Bytes> = None;
    let mut more: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    loop {
        match response.chunk().await {
            Ok(Some(mut chunk)) => {
                if total + chunk.len() as u64 > keep {
                    if success {
                        return Read::TooLarge(limit);
                    }
                    chunk.truncate((keep - total) as usize);
                }
                total += chunk.len() as u64;
                match &first {
                    None => first = Some(chunk),
                    Some(kept) => {
                        if more.is_empty() {
                            more.reserve(response.content_length().unwrap_or(0).min(keep) as usize);
                            more.extend_from_slice(kept);
                        }
                        more.extend_from_slice(&chunk);
                    }
                }
                if total == keep && !success {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => return Read::Cut(e),
        }
    }
    Read::Complete(if more.is_empty() { first.unwrap_or_default() } else { more.into() })
}

/// A response for the generated code to decode: `head` with `body`.
pub(crate) fn response(head: Head, body: reqwest::Body) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    let mut builder = http::Response::builder().status(head.status).version(head.version).url(head.url);
    if let Some(headers) = builder.headers_mut() {
        *headers = head.headers;
    }
    builder.body(body).expect("a status and headers from a real response are valid").into()
}

/// A body whose first read fails with `failure`.
pub(crate) fn failing(failure: BodyFailure) -> reqwest::Body {
    reqwest::Body::wrap(FailingBody(Some(failure)))
}

struct FailingBody(Option<BodyFailure>);

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = BodyFailure;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyFailure>>> {
        Poll::Ready(self.0.take().map(Err))
    }
}

/// Why a response body was not handed to the decoder.
#[derive(Debug)]
pub(crate) enum BodyFailure {
    /// A success body over the limit.
    TooLarge { status: StatusCode, limit: u64 },
    /// The connection broke while the body was read (and retries, if any, did not save it).
    Cut { status: StatusCode, error: reqwest::Error },
    /// An error status whose body is not the API's error document (a gateway's page, an
    /// empty body, a framework's default JSON). The status must survive it.
    NotAnApiError { status: StatusCode, headers: HeaderMap, body: String },
}

impl fmt::Display for BodyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyFailure::TooLarge { status, limit } => {
                write!(f, "{status}: the response body is larger than the limit of {limit} bytes (ClientBuilder::max_response_size)")
            }
            BodyFailure::Cut { status, error } => write!(f, "{status}: the connection broke while the body was read: {error}"),
            BodyFailure::NotAnApiError { status, .. } => write!(f, "{status}: the error body is not an API error document"),
        }
    }
}

impl std::error::Error for BodyFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyFailure::Cut { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl BodyFailure {
    /// The failure in `error`'s chain of sources, if any.
    pub(crate) fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a BodyFailure> {
        let mut current = Some(error);
        while let Some(e) = current {
            if let Some(failure) = e.downcast_ref::<BodyFailure>() {
                return Some(failure);
            }
            current = e.source();
        }
        None
    }
}
