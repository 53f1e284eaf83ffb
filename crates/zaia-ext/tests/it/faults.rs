//! Failures: retries, Retry-After, broken connections, bad bodies, timeouts, error decoding.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};
use zaia_ext::{Error, Lang, RetryPolicy, SendExt};
use zaia_models::CreateChatRequest;

/// Answers with `first` for the first `n` requests, then with `then`; records arrival times.
#[derive(Clone)]
struct Sequence {
    first: ResponseTemplate,
    n: usize,
    then: ResponseTemplate,
    seen: Arc<std::sync::Mutex<Vec<Instant>>>,
}

impl Sequence {
    fn new(first: ResponseTemplate, n: usize, then: ResponseTemplate) -> Self {
        Sequence { first, n, then, seen: Arc::default() }
    }
    fn arrivals(&self) -> Vec<Instant> {
        self.seen.lock().unwrap().clone()
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().unwrap();
        seen.push(Instant::now());
        if seen.len() <= self.n { self.first.clone() } else { self.then.clone() }
    }
}

async fn serve(verb: &str, route: &str, responder: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb)).and(path(route)).respond_with(responder).mount(&server).await;
    server
}

fn ok_chats() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(vec![chat(1)])
}

/// zaia-mock with one chat, and a client of it with fast retries: for failures the vendor
/// documents (statuses with its `KnownException` body), armed as the mock's faults.
async fn zaia_mock() -> (zaia_mock::MockServer, zaia_ext::ClientBuilder) {
    let mock = zaia_mock::MockServer::start(zaia_mock::MockConfig::default().seed(zaia_mock::Seed::default().chats(1))).await.unwrap();
    let builder = zaia_ext::ClientBuilder::new()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)));
    (mock, builder)
}

fn statuses(mock: &zaia_mock::MockServer) -> Vec<u16> {
    mock.journal().iter().map(|e| e.status).collect()
}

#[tokio::test]
async fn a_500_then_success_is_retried() {
    let (mock, builder) = zaia_mock().await;
    mock.arm(zaia_mock::faults::list_chats::server_error(500).once());
    let chats = builder.build().unwrap().list_chats().await.unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(statuses(&mock), [500, 200]);
}

#[tokio::test]
async fn retries_stop_after_the_policy_and_surface_the_last_error() {
    let seq = Sequence::new(ResponseTemplate::new(503).set_body_string("upstream down"), 100, ok_chats());
    let server = serve("GET", "/api/v1/chats", seq.clone()).await;
    let err = client(&server).generated().list_chats().send().into_result().await.unwrap_err();
    assert_eq!(seq.arrivals().len(), 3, "1 attempt + 2 retries");
    assert!(matches!(&err, Error::Http { status, body, .. } if status.as_u16() == 503 && body == "upstream down"), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let (mock, builder) = zaia_mock().await;
    mock.arm(zaia_mock::faults::list_chats::rate_limited(Duration::from_secs(1)).once());
    let sleeper = Recorder::default();
    builder.sleeper(sleeper.clone()).build().unwrap().list_chats().await.unwrap();
    assert_eq!(statuses(&mock), [429, 200]);
    // computed delays are 1..5 ms here: the second can only come from the header
    assert_eq!(sleeper.delays(), [Duration::from_secs(1)]);
}

#[tokio::test]
async fn computed_delays_grow_between_retries() {
    let seq = Sequence::new(ResponseTemplate::new(500), 3, ok_chats());
    let server = serve("GET", "/api/v1/chats", seq.clone()).await;
    let sleeper = Recorder::default();
    let policy = RetryPolicy::default().max_retries(3).delays(Duration::from_millis(100), Duration::from_millis(250));
    builder(&server)
        .sleeper(sleeper.clone())
        .retry_policy(policy)
        .build()
        .unwrap()
        .generated()
        .list_chats()
        .send()
        .into_result()
        .await
        .unwrap();
    let delays = sleeper.delays();
    assert_eq!(delays.len(), 3);
    // equal jitter: each between half and all of 100 ms · 2ⁿ, capped at 250 ms
    for (delay, full) in delays.iter().zip([100u64, 200, 250]) {
        let full = Duration::from_millis(full);
        assert!(*delay >= full / 2 && *delay <= full, "{delays:?}");
    }
}

#[tokio::test]
async fn a_rate_limit_that_persists_is_an_api_error() {
    let (mock, builder) = zaia_mock().await;
    mock.arm(zaia_mock::faults::list_chats::rate_limited(Duration::from_secs(1)));
    let err = builder.retry_policy(RetryPolicy::none()).build().unwrap().list_chats().await.unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(err.request_id(), Some(mock.journal()[0].request_id.as_str()));
    assert_eq!(err.code(), Some("TOO_MANY_REQUESTS"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn post_is_not_retried_unless_asked() {
    let body = CreateChatRequest::new(Uuid::nil(), Uuid::nil());
    let seq = Sequence::new(ResponseTemplate::new(503), 100, ok_chats());
    let server = serve("POST", "/api/v1/chats", seq.clone()).await;
    let err = client(&server).generated().create_chat().body(body.clone()).send().into_result().await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    assert_eq!(seq.arrivals().len(), 1, "POST is not idempotent");

    let seq = Sequence::new(ResponseTemplate::new(503), 1, ResponseTemplate::new(200).set_body_json(chat(9)));
    let server = serve("POST", "/api/v1/chats", seq.clone()).await;
    let policy = RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)).retry_non_idempotent(true);
    let created =
        builder(&server).retry_policy(policy).build().unwrap().generated().create_chat().body(body).send().into_result().await.unwrap();
    assert_eq!(created.id.as_u128(), 9);
    assert_eq!(seq.arrivals().len(), 2);
}

/// A raw HTTP server: resets the first `resets` connections, then answers `[]`.
async fn resetting_server(resets: usize) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        // bounded: the test makes at most a handful of connections
        for _ in 0..16 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = vec![0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_secs(2), socket.read(&mut buffer)).await;
            if n < resets {
                // a zero linger is what sends the RST (and, being zero, never blocks on drop)
                #[allow(deprecated)]
                socket.set_linger(Some(Duration::ZERO)).unwrap();
                drop(socket); // RST
            } else {
                let response = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]";
                let _ = socket.write_all(response.as_bytes()).await;
            }
        }
    });
    (address, connections)
}

#[tokio::test]
async fn a_reset_connection_is_retried() {
    let (address, connections) = resetting_server(1).await;
    let client = zaia_ext::ClientBuilder::new()
        .api_key(KEY)
        .base_url(&address)
        .retry_policy(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();
    let chats = client.generated().list_chats().send().into_result().await.unwrap();
    assert!(chats.is_empty());
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    let (address, _) = resetting_server(100).await;
    let client = zaia_ext::ClientBuilder::new().api_key(KEY).base_url(&address).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().starts_with("transport error: "), "{err}");
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_and_not_retried() {
    let seq = Sequence::new(ResponseTemplate::new(200).set_body_string("{not json"), 100, ok_chats());
    let server = serve("GET", "/api/v1/chats", seq.clone()).await;
    let err = client(&server).generated().list_chats().send().into_result().await.unwrap_err();
    match &err {
        Error::Decode { body, .. } => assert_eq!(body, "{not json"),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(seq.arrivals().len(), 1);
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_a_timeout() {
    let slow = ResponseTemplate::new(200).set_body_json(vec![chat(1)]).set_delay(Duration::from_secs(3));
    let seq = Sequence::new(slow.clone(), 100, slow);
    let server = serve("GET", "/api/v1/chats", seq.clone()).await;
    let client = builder(&server).timeout(Duration::from_millis(100)).build().unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(seq.arrivals().len(), 3, "timeouts of a GET are retried");
}

#[tokio::test]
async fn documented_and_undocumented_errors_carry_the_known_exception() {
    let (mock, builder) = zaia_mock().await;
    let client = builder.retry_policy(RetryPolicy::none()).build().unwrap();
    let id = mock.with_store(|s| s.chats[0].id);
    mock.arm(zaia_mock::faults::get_chat::not_found().once());
    let not_found = client.get_chat(id).await.unwrap_err();
    assert!(not_found.is_not_found());
    let request_id = mock.journal()[0].request_id.clone();
    assert_eq!(not_found.request_id(), Some(request_id.as_str()));
    assert_eq!(not_found.feedback(Lang::EsEs), Some("No encontrado."));
    assert_eq!(not_found.to_string(), format!("404 Not Found: NotFoundException: Not found. [NOT_FOUND] (request id {request_id})"));
    // 422 is not in the spec for this operation; its body still parses
    mock.arm(zaia_mock::Fault::undocumented(422).on("get_chat_details").once());
    let unlisted = client.get_chat_details(id).await.unwrap_err();
    assert_eq!(unlisted.status().unwrap().as_u16(), 422);
    assert_eq!(unlisted.exception().unwrap().name, "UnprocessableEntityException");
}

#[tokio::test]
async fn the_request_id_is_exposed_on_success() {
    let (mock, builder) = zaia_mock().await;
    let response = builder.build().unwrap().list_chats().send_with_response().await.unwrap();
    assert_eq!(zaia_ext::request_id(response.headers()), Some(mock.journal()[0].request_id.clone()));
}
