//! One error type for every call, whatever went wrong.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName};
use zaia_models::KnownException;

use crate::body::BodyFailure;
use crate::config::ConfigError;

/// What the generated client returns on failure.
///
/// ```no_run
/// # async fn demo(client: &zaia_ext::ZaiaClient) {
/// let raw: Result<_, zaia_ext::ClientError> = client.generated().list_chats().send().await;
/// # let _ = raw;
/// # }
/// ```
pub type ClientError = progenitor_client::Error<KnownException>;

/// Headers that may carry the server's request id, in the order they are looked at.
// names made once: a name given as `&str` is parsed on every lookup, and this runs on every call
const REQUEST_ID_HEADERS: [HeaderName; 3] =
    [HeaderName::from_static("x-request-id"), HeaderName::from_static("request-id"), HeaderName::from_static("x-correlation-id")];

/// The request id the server sent with a response, if any.
///
/// ```
/// let mut headers = reqwest::header::HeaderMap::new();
/// headers.insert("x-request-id", "req-42".parse().unwrap());
/// assert_eq!(zaia_ext::request_id(&headers).as_deref(), Some("req-42"));
/// ```
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    request_id_str(headers).map(String::from)
}

/// [`request_id`], borrowed.
pub(crate) fn request_id_str(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS.iter().find_map(|name| headers.get(name)?.to_str().ok())
}

/// A language of the vendor's localized error feedback; see [`Error::feedback`].
///
/// ```
/// use zaia_ext::{Error, Lang};
/// // not an API error: no vendor feedback to show
/// assert_eq!(Error::invalid("content", "too long").feedback(Lang::PtBr), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (United States): `enUs`.
    EnUs,
    /// Spanish (Spain): `esEs`.
    EsEs,
    /// Portuguese (Brazil): `ptBr`.
    PtBr,
}

/// A failed call.
///
/// Match on the variant, or use the helpers: [`status`](Error::status),
/// [`is_not_found`](Error::is_not_found), [`is_retryable`](Error::is_retryable),
/// [`feedback`](Error::feedback), ...
///
/// ```
/// use zaia_ext::{Error, Lang};
///
/// fn explain(error: &Error) -> String {
///     if error.is_not_found() {
///         return "no such chat".into();
///     }
///     error.feedback(Lang::PtBr).map(String::from).unwrap_or_else(|| error.to_string())
/// }
/// # let _ = explain;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status and a `KnownException` body.
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The vendor's error body.
        exception: Box<KnownException>,
        /// The server's request id, if it sent one.
        request_id: Option<String>,
        /// How long the server asked the client to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
    },
    /// The server answered with an error status whose body is not a `KnownException` (a
    /// gateway's page, an empty body, another framework's error JSON).
    Http {
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body as text (lossy UTF-8; at most 16 KiB are read).
        body: String,
        /// The server's request id, if it sent one.
        request_id: Option<String>,
        /// How long the server asked the client to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
    },
    /// The server answered with an error status and a body in a schema the operation documents
    /// for it, other than `KnownException` (an API that documents an error body per status):
    /// [`body`](Error::body) returns it as its own type.
    Documented {
        /// The HTTP status.
        status: StatusCode,
        /// The decoded body; [`Error::body`] downcasts it.
        body: Box<dyn DocumentedBody>,
        /// The server's request id, if it sent one.
        request_id: Option<String>,
        /// How long the server asked the client to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
    },
    /// A success body larger than the client's limit (`ClientBuilder::max_response_size`);
    /// reading stopped at the limit.
    ResponseTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The request did not complete: no connection, the connection broke (also while the body
    /// was read), TLS failed, a redirect was refused...
    Transport(reqwest::Error),
    /// The request took longer than the configured timeout.
    Timeout(reqwest::Error),
    /// A success response whose body did not decode as the documented type.
    Decode {
        /// What the decoder said.
        message: String,
        /// The start of the body, for diagnosis.
        body: String,
    },
    /// The request was refused before sending: a field breaks a documented limit.
    InvalidRequest {
        /// The field at fault (`content`, `pageSize`, ...), when known.
        field: Option<String>,
        /// What is wrong with it.
        message: String,
    },
    /// The client could not be configured (`ZaiaClient::from_env()?` in a function that
    /// returns this error).
    Config(ConfigError),
}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Error::Config(error)
    }
}

/// An error body of a documented schema: any decoded model type (the generated code implements
/// [`crate::ErrorBody`] for each one an operation names).
pub trait DocumentedBody: std::any::Any + fmt::Debug + Send + Sync {
    /// Itself, for [`Error::body`]'s downcast.
    fn as_any(&self) -> &dyn std::any::Any;
}

impl<T: std::any::Any + fmt::Debug + Send + Sync> DocumentedBody for T {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Error {
    /// The error for a documented error body of its own schema (see [`Error::Documented`]).
    pub fn documented<T: DocumentedBody>(body: T, status: StatusCode, headers: &HeaderMap) -> Error {
        Error::Documented { status, body: Box::new(body), request_id: request_id(headers), retry_after: crate::retry::retry_after(headers) }
    }

    /// The error body as the type its operation documents for it (`KnownException` for an
    /// `Api` error, the operation's own error type for a `Documented` one); `None` for another
    /// type or an error without a decoded body.
    ///
    /// ```
    /// # use zaia_ext::models::KnownException;
    /// assert!(zaia_ext::Error::invalid("x", "y").body::<KnownException>().is_none());
    /// ```
    pub fn body<T: std::any::Any>(&self) -> Option<&T> {
        match self {
            Error::Api { exception, .. } => (exception.as_ref() as &dyn std::any::Any).downcast_ref(),
            Error::Documented { body, .. } => body.as_any().downcast_ref(),
            _ => None,
        }
    }

    /// A non-success response: `Api` when its body is a `KnownException`, `Http` otherwise.
    ///
    /// ```no_run
    /// # async fn demo(response: reqwest::Response) {
    /// let error = zaia_ext::Error::from_response(response).await;
    /// println!("{:?}", error.status());
    /// # }
    /// ```
    pub async fn from_response(response: reqwest::Response) -> Error {
        let status = response.status();
        let headers = response.headers().clone();
        match response.bytes().await {
            Err(e) => Error::from_reqwest(e),
            Ok(body) => Error::from_parts(status, &headers, &body),
        }
    }

    fn from_parts(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
        let request_id = request_id(headers);
        let retry_after = crate::retry::retry_after(headers);
        match serde_json::from_slice::<KnownException>(body) {
            Ok(exception) => Error::Api { status, exception: Box::new(exception), request_id, retry_after },
            Err(_) => Error::Http { status, body: snippet(body, crate::body::ERROR_BODY_LIMIT), request_id, retry_after },
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
        match BodyFailure::find(&e) {
            Some(BodyFailure::NotAnApiError { status, headers, body }) => Error::from_parts(*status, headers, body.as_bytes()),
            Some(BodyFailure::TooLarge { status, limit }) => Error::ResponseTooLarge { status: *status, limit: *limit },
            Some(BodyFailure::Cut { error, .. }) if error.is_timeout() => Error::Timeout(e),
            _ if e.is_timeout() => Error::Timeout(e),
            _ => Error::Transport(e),
        }
    }

    /// A client-side validation failure on `field`.
    ///
    /// ```
    /// let error = zaia_ext::Error::invalid("content", "too long");
    /// assert_eq!(error.to_string(), "invalid request: content: too long");
    /// ```
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::InvalidRequest { field: Some(field.to_string()), message: message.into() }
    }

    /// The HTTP status, for errors that come from a response.
    ///
    /// ```
    /// assert_eq!(zaia_ext::Error::invalid("x", "y").status(), None);
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::Http { status, .. }
            | Error::Documented { status, .. }
            | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Transport(e) | Error::Timeout(e) => match BodyFailure::find(e) {
                Some(BodyFailure::Cut { status, .. }) => Some(*status),
                _ => e.status(),
            },
            _ => None,
        }
    }

    /// 404.
    ///
    /// ```
    /// assert!(!zaia_ext::Error::invalid("x", "y").is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// 401 (the key is missing, wrong or revoked).
    ///
    /// ```
    /// assert!(!zaia_ext::Error::invalid("x", "y").is_unauthorized());
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// 429.
    ///
    /// ```
    /// assert!(!zaia_ext::Error::invalid("x", "y").is_rate_limited());
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The server refused the request as malformed or invalid (400 or 422).
    ///
    /// ```
    /// let refused = zaia_ext::Error::invalid("content", "must not be empty");
    /// assert!(!refused.is_bad_request() && refused.is_validation_error());
    /// ```
    pub fn is_bad_request(&self) -> bool {
        matches!(self.status(), Some(StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY))
    }

    /// A validation error, from the server ([`Error::is_bad_request`]) or found before sending
    /// ([`Error::InvalidRequest`]); [`Error::field`] names the field when known.
    pub fn is_validation_error(&self) -> bool {
        self.is_bad_request() || matches!(self, Error::InvalidRequest { .. })
    }

    /// The field a validation error is about, when known: the one refused before sending, or
    /// the one the server's message starts with (`field: ...`).
    ///
    /// ```
    /// assert_eq!(zaia_ext::Error::invalid("pageSize", "must be 1..=100").field(), Some("pageSize"));
    /// ```
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidRequest { field, .. } => field.as_deref(),
            Error::Api { exception, .. } if self.is_bad_request() => {
                exception.message.split_once(": ").map(|(f, _)| f).filter(|f| !f.is_empty() && !f.contains(' '))
            }
            _ => None,
        }
    }

    /// Whether trying again later may succeed: timeouts, broken connections (also mid-body),
    /// 408, 429 and 5xx.
    ///
    /// ```
    /// assert!(!zaia_ext::Error::invalid("x", "y").is_retryable(), "a refused request fails the same way again");
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout(_) => true,
            // a reqwest decode error is a body that could not be read (JSON is decoded elsewhere)
            Error::Transport(e) => {
                matches!(BodyFailure::find(e), Some(BodyFailure::Cut { .. })) || e.is_decode() || crate::retry::is_retryable_error(e)
            }
            Error::Api { status, .. } | Error::Http { status, .. } | Error::Documented { status, .. } => {
                crate::retry::is_retryable_status(*status)
            }
            Error::ResponseTooLarge { .. } | Error::Decode { .. } | Error::InvalidRequest { .. } | Error::Config(_) => false,
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After`), when it did.
    /// A wait longer than the [`RetryPolicy`](crate::RetryPolicy) accepts ends the retries at
    /// once and shows up here.
    ///
    /// ```
    /// assert_eq!(zaia_ext::Error::invalid("x", "y").retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } | Error::Http { retry_after, .. } | Error::Documented { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The vendor's error body, for `Api` errors.
    ///
    /// ```
    /// assert!(zaia_ext::Error::invalid("x", "y").exception().is_none());
    /// ```
    pub fn exception(&self) -> Option<&KnownException> {
        match self {
            Error::Api { exception, .. } => Some(exception),
            _ => None,
        }
    }

    /// The vendor's error code (`exception.code`).
    ///
    /// ```
    /// assert_eq!(zaia_ext::Error::invalid("x", "y").code(), None);
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.exception()?.code.as_deref()
    }

    /// The server's request id, if it sent one.
    ///
    /// ```
    /// assert_eq!(zaia_ext::Error::invalid("x", "y").request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::Http { request_id, .. } | Error::Documented { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The vendor's message for end users in `lang`; falls back to English, then to the
    /// exception's own message. `None` for errors that are not `Api` errors.
    ///
    /// ```
    /// assert_eq!(zaia_ext::Error::invalid("x", "y").feedback(zaia_ext::Lang::EsEs), None);
    /// ```
    pub fn feedback(&self, lang: Lang) -> Option<&str> {
        let e = self.exception()?;
        let f = &e.feedback;
        let wanted = match lang {
            Lang::EnUs => &f.en_us,
            Lang::EsEs => &f.es_es,
            Lang::PtBr => &f.pt_br,
        };
        wanted.as_deref().or(f.en_us.as_deref()).or(Some(e.message.as_str())).filter(|s| !s.is_empty())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_id = |f: &mut fmt::Formatter<'_>, id: &Option<String>| match id {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        };
        match self {
            Error::Api { status, exception, request_id, .. } => {
                write!(f, "{status}: {}: {}", exception.name, one_line(&exception.message))?;
                if let Some(code) = &exception.code {
                    write!(f, " [{code}]")?;
                }
                with_id(f, request_id)
            }
            Error::Http { status, body, request_id, .. } => {
                write!(f, "{status}: {}", one_line(&truncate(body, 200)))?;
                with_id(f, request_id)
            }
            Error::Documented { status, body, request_id, .. } => {
                write!(f, "{status}: {}", one_line(&truncate(&format!("{body:?}"), 200)))?;
                with_id(f, request_id)
            }
            Error::ResponseTooLarge { status, limit } => {
                write!(f, "{status}: the response body is larger than the limit of {limit} bytes (ClientBuilder::max_response_size)")
            }
            Error::Transport(e) => write!(f, "transport error: {}", one_line(&error_chain(e))),
            Error::Timeout(e) => write!(f, "timed out: {}", one_line(&error_chain(e))),
            Error::Decode { message, .. } => write!(f, "could not decode the response: {}", one_line(message)),
            Error::InvalidRequest { field: Some(field), message } => write!(f, "invalid request: {field}: {message}"),
            Error::InvalidRequest { field: None, message } => write!(f, "invalid request: {message}"),
            Error::Config(e) => write!(f, "configuration: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) | Error::Timeout(e) => Some(e),
            Error::Config(e) => Some(e),
            _ => None,
        }
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub(crate) fn snippet(bytes: &[u8], max: usize) -> String {
    truncate(&String::from_utf8_lossy(bytes), max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zaia_models::KnownExceptionFeedback;

    fn api(feedback: KnownExceptionFeedback) -> Error {
        Error::Api {
            status: StatusCode::NOT_FOUND,
            exception: Box::new(
                KnownException::new(feedback, "Chat not found.\nTry again".into(), "NotFoundException".into())
                    .with_code("CHAT_NOT_FOUND".into()),
            ),
            request_id: Some("req-1".into()),
            retry_after: None,
        }
    }

    #[test]
    fn feedback_falls_back_to_english_then_the_message() {
        let full = api(KnownExceptionFeedback::new().with_en_us("Not found".into()).with_pt_br("Não encontrado".into()));
        assert_eq!(full.feedback(Lang::PtBr), Some("Não encontrado"));
        assert_eq!(full.feedback(Lang::EsEs), Some("Not found"));
        let none = api(KnownExceptionFeedback::default());
        assert_eq!(none.feedback(Lang::EsEs), Some("Chat not found.\nTry again"));
        assert_eq!(Error::invalid("content", "too long").feedback(Lang::EnUs), None);
    }

    #[test]
    fn display_is_one_readable_line() {
        let e = api(KnownExceptionFeedback::default());
        assert_eq!(e.to_string(), "404 Not Found: NotFoundException: Chat not found. Try again [CHAT_NOT_FOUND] (request id req-1)");
        assert!(e.is_not_found() && !e.is_retryable() && !e.is_unauthorized());
        assert_eq!(e.code(), Some("CHAT_NOT_FOUND"));
        let http = Error::Http {
            status: StatusCode::BAD_GATEWAY,
            body: "<html>\n bad gateway \n</html>".into(),
            request_id: None,
            retry_after: None,
        };
        assert_eq!(http.to_string(), "502 Bad Gateway: <html> bad gateway </html>");
        assert!(http.is_retryable());
        assert_eq!(Error::invalid("pageSize", "must be 1..=100, got 0").to_string(), "invalid request: pageSize: must be 1..=100, got 0");
    }
}
