//! One call, from the call site to the runtime: its settings, carried for the duration of the
//! call (a tokio task-local: the generated builders have no place for them), and the
//! conversion of the generated client's results into [`Error`] ([`SendExt`], [`send`]).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use zaia_models::KnownException;

use crate::error::{ClientError, Error, request_id};

tokio::task_local! {
    static CALL: CallOptions;
    static MEDIA: MediaAnswer;
}

/// A call that asked for its answer in another of the media types the operation offers
/// (`text/csv` beside JSON): the `Accept` it sends, and where the runtime leaves its successful
/// answer unread, in place of the typed decoding the generated client would do.
pub(crate) struct MediaAnswer {
    accept: reqwest::header::HeaderValue,
    answer: std::sync::Mutex<Option<reqwest::Response>>,
}

/// The `Accept` the running call asks for instead of the generated one, if it asked.
pub(crate) fn media_accept() -> Option<reqwest::header::HeaderValue> {
    MEDIA.try_with(|media| media.accept.clone()).ok()
}

/// Keeps a successful answer of a call that asked for another media type, and hands the
/// generated client an empty one in its place (its decoding error is dropped); any other answer
/// goes on as it is, so error statuses decode as the operation documents them.
pub(crate) fn keep_media_answer(response: reqwest::Response) -> reqwest::Response {
    if !response.status().is_success() {
        return response;
    }
    // (outside a media call, which the runtime checks first, the answer would have no taker)
    let _ = MEDIA.try_with(|media| {
        if let Ok(mut slot) = media.answer.lock() {
            *slot = Some(response);
        }
    });
    reqwest::Response::from(http::Response::builder().status(204).body(Vec::<u8>::new()).expect("a plain 204"))
}

/// The whole body of an answer [`send_as_media`] left unread (for the blocking calls).
#[cfg(feature = "blocking")]
pub(crate) async fn read_all(
    answer: impl Future<Output = Result<ResponseValue<progenitor_client::ByteStream>, Error>>,
) -> Result<ResponseValue<bytes::Bytes>, Error> {
    use futures_util::TryStreamExt;
    let answer = answer.await?;
    let (status, headers) = (answer.status(), answer.headers().clone());
    let chunks: Vec<bytes::Bytes> = answer.into_inner().into_inner().try_collect().await.map_err(Error::from_reqwest)?;
    Ok(ResponseValue::new(chunks.concat().into(), status, headers))
}

/// Sends a call's request (its future, not yet polled) asking for `media`, one of `offered`
/// (the operation's other media types): the answer's body unread, as a stream of bytes, with
/// its status and headers.
pub(crate) async fn send_as_media<T, F>(
    request: F,
    media: &str,
    offered: &'static [&'static str],
) -> Result<ResponseValue<progenitor_client::ByteStream>, Error>
where
    F: Future<Output = Result<ResponseValue<T>, Error>>,
{
    let Some(accept) = offered.iter().find(|m| m.eq_ignore_ascii_case(media)) else {
        return Err(Error::invalid("media", format!("{media:?} is not one of the answer's other media types ({})", offered.join(", "))));
    };
    let slot = MediaAnswer { accept: reqwest::header::HeaderValue::from_static(accept), answer: std::sync::Mutex::new(None) };
    let (result, answer) = MEDIA
        .scope(slot, async {
            let result = request.await;
            (result, MEDIA.with(|media| media.answer.lock().ok().and_then(|mut slot| slot.take())))
        })
        .await;
    match (answer, result) {
        (Some(response), _) => {
            let (status, headers) = (response.status(), response.headers().clone());
            // a body the runtime read ahead (to retry on a cut one) is in the response's extensions
            let stream = match response.extensions().get::<zaia_client::ReadAhead>().map(|read| read.0.clone()) {
                Some(bytes) => progenitor_client::ByteStream::new(Box::pin(futures_util::stream::once(async move { Ok(bytes) }))),
                None => progenitor_client::ByteStream::new(Box::pin(response.bytes_stream())),
            };
            Ok(ResponseValue::new(stream, status, headers))
        }
        (None, Err(error)) => Err(error),
        (None, Ok(_)) => Err(Error::InvalidRequest {
            field: None,
            message: "the answer in another media type was not kept: the client's runtime did not send this call".into(),
        }),
    }
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

/// Sends a generated request: with `timeout` as its deadline when given, else the client's.
/// Every generated call (the operations' methods, the streams) goes through here.
pub(crate) fn send<T, E: ErrorBody, F>(request: F, timeout: Option<Duration>) -> Call<F, E>
where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    Call::new(request, timeout.map(|timeout| CallOptions { timeout: Some(timeout) }))
}

type Converting = Pin<Box<dyn Future<Output = Error> + Send>>;

pin_project! {
    /// A generated call's future with its options in force while it runs, whose failure becomes
    /// an [`Error`] (a future too: an unexpected response's body is read).
    ///
    /// A struct rather than an `async` block: a block would hold the call's future twice
    /// (captured, then again while awaited), and every call's future is moved around whole
    /// (`list_chats`: 8.6 KiB that way, 2.4 KiB now; `zaia-bench sizes`). One type for both
    /// cases, rather than combinators, keeps what each operation compiles small.
    pub(crate) struct Call<F, E> {
        #[pin]
        call: F,
        options: Option<CallOptions>,
        // reading an unexpected response's body: only that failure pays for the allocation
        converting: Option<Converting>,
        error_body: PhantomData<fn() -> E>,
    }
}

impl<F, E> Call<F, E> {
    fn new(call: F, options: Option<CallOptions>) -> Self {
        Call { call, options, converting: None, error_body: PhantomData }
    }
}

impl<T, E: ErrorBody, F> Future for Call<F, E>
where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    type Output = Result<ResponseValue<T>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Some(converting) = this.converting.as_mut() {
            return converting.as_mut().poll(cx).map(Err);
        }
        let polled = match *this.options {
            // in force for each poll of the call, as `tokio::task_local!`'s `scope` does it
            Some(options) => CALL.sync_scope(options, || this.call.as_mut().poll(cx)),
            None => this.call.as_mut().poll(cx),
        };
        let Poll::Ready(result) = polled else { return Poll::Pending };
        match result.map_err(Error::from_client_at_once) {
            Ok(value) => Poll::Ready(Ok(value)),
            Err(Ok(error)) => Poll::Ready(Err(error)),
            Err(Err(unexpected)) => this.converting.insert(Box::pin(Error::from_response(unexpected))).as_mut().poll(cx).map(Err),
        }
    }
}

/// A documented error body: what it becomes as an [`Error`].
pub trait ErrorBody {
    /// The error for a response of `status` with this body.
    fn into_error(self, status: StatusCode, headers: &HeaderMap) -> Error;
}

impl ErrorBody for KnownException {
    fn into_error(self, status: StatusCode, headers: &HeaderMap) -> Error {
        Error::Api { status, exception: Box::new(self), request_id: request_id(headers), retry_after: crate::retry::retry_after(headers) }
    }
}

/// An operation that documents its error statuses without a body.
impl ErrorBody for () {
    fn into_error(self, status: StatusCode, headers: &HeaderMap) -> Error {
        Error::Http { status, body: String::new(), request_id: request_id(headers), retry_after: crate::retry::retry_after(headers) }
    }
}

/// Turns a raw generated call's future (from [`crate::ZaiaClient::generated`], for the rare
/// low-level need) into one that fails with [`Error`]. The operations' own methods do this
/// already.
///
/// ```no_run
/// use zaia_ext::SendExt;
/// # async fn demo(client: &zaia_ext::ZaiaClient, id: uuid::Uuid) -> Result<(), zaia_ext::Error> {
/// let chat = client.generated().get_chat().id(id).send().into_result().await?;
/// println!("{:?} (request id {:?})", chat.title, zaia_ext::request_id(chat.headers()));
/// # Ok(()) }
/// ```
pub trait SendExt<T, E: ErrorBody = KnownException>:
    Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> + Sized
{
    /// Awaits the call; maps a failure to [`Error`] (reading the body of unexpected responses).
    fn into_result(self) -> impl Future<Output = Result<ResponseValue<T>, Error>> {
        // no call options of its own: the client's settings, or those of an enclosing `within`
        Call::new(self, None)
    }

    /// [`into_result`](Self::into_result) with this call's own total deadline (every attempt
    /// and wait) instead of the client's
    /// [`operation_timeout`](crate::ClientBuilder::operation_timeout).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use zaia_ext::SendExt;
    /// # async fn demo(client: &zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let chats = client.generated().list_chats().send().within(Duration::from_secs(5)).await?;
    /// # let _ = chats; Ok(()) }
    /// ```
    fn within(self, timeout: Duration) -> impl Future<Output = Result<ResponseValue<T>, Error>> {
        Call::new(self, Some(CallOptions { timeout: Some(timeout) }))
    }
}

impl<T, E: ErrorBody, F> SendExt<T, E> for F where F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> {}

/// The generated client's errors as [`Error`]: written here, next to [`SendExt`], the one
/// place that converts them.
impl Error {
    /// Converts the generated client's error, reading the body of unexpected responses.
    ///
    /// ```no_run
    /// # async fn demo(client: &zaia_ext::ZaiaClient) {
    /// if let Err(raw) = client.generated().list_chats().send().await {
    ///     let error = zaia_ext::Error::from_client(raw).await;
    ///     println!("{error}");
    /// }
    /// # }
    /// ```
    pub async fn from_client(error: ClientError) -> Error {
        Error::from_any_client(error).await
    }

    /// [`Error::from_client`] for an operation whose documented error body is another type
    /// (`()` for one that documents no error body).
    pub async fn from_any_client<E: ErrorBody>(error: progenitor_client::Error<E>) -> Error {
        match Error::from_client_at_once(error) {
            Ok(error) => error,
            Err(unexpected) => Error::from_response(unexpected).await,
        }
    }

    /// The error, or the unexpected response whose body is yet to be read for it.
    // the response is handed on, not stored: boxing it would cost the failure an allocation
    #[allow(clippy::result_large_err)]
    fn from_client_at_once<E: ErrorBody>(error: progenitor_client::Error<E>) -> Result<Error, reqwest::Response> {
        use progenitor_client::Error as E_;
        Ok(match error {
            E_::ErrorResponse(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                response.into_inner().into_error(status, &headers)
            }
            E_::UnexpectedResponse(response) => return Err(response),
            E_::CommunicationError(e) | E_::ResponseBodyError(e) | E_::InvalidUpgrade(e) => Error::from_reqwest(e),
            E_::InvalidResponsePayload(bytes, e) => Error::Decode { message: e.to_string(), body: crate::error::snippet(&bytes, 500) },
            E_::InvalidRequest(message) => match crate::validate::Invalid::from_tunnel(&message) {
                Some((field, what)) => Error::invalid(field, what),
                None => match conversion_failure(&message) {
                    Some((field, what)) => Error::invalid(field, what),
                    None => Error::InvalidRequest { field: None, message },
                },
            },
            E_::Custom(message) => Error::InvalidRequest { field: None, message },
        })
    }
}

/// progenitor's message for a value its builder could not convert (``conversion to `:: std ::
/// num :: NonZeroU64` for comment_id failed``): the field, and what was wrong, in words.
fn conversion_failure(message: &str) -> Option<(&str, String)> {
    let rest = message.strip_prefix("conversion to `")?;
    let (ty, rest) = rest.split_once("` for ")?;
    let field = rest.strip_suffix(" failed")?;
    let ty: String = ty.split_whitespace().collect();
    let name = ty.rsplit("::").next().unwrap_or(&ty);
    let what = if name.starts_with("NonZero") { "must not be 0".to_string() } else { format!("is not a valid {name}") };
    Some((field, what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversion_the_generated_builder_refused_names_the_field() {
        assert_eq!(
            conversion_failure("conversion to `:: std :: num :: NonZeroU64` for comment_id failed"),
            Some(("comment_id", "must not be 0".to_string()))
        );
        assert_eq!(conversion_failure("conversion to `:: uuid :: Uuid` for id failed"), Some(("id", "is not a valid Uuid".to_string())));
        assert_eq!(conversion_failure("something else"), None);
    }
}
