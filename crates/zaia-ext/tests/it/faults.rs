//! Failures: retries, Retry-After, broken connections, bad bodies, timeouts, error decoding.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::json;
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

#[tokio::test]
async fn a_500_then_success_is_retried() {
    let seq = Sequence::new(ResponseTemplate::new(500).set_body_json(known_exception("Internal")), 1, ok_chats());
    let server = serve("GET", "/api/v1/chats", seq.clone()).await;
    let chats = client(&server).generated().list_chats().send().into_result().await.unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(seq.arrivals().len(), 2);
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
    let limited = ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(known_exception("TooManyRequests"));
    let seq = Sequence::new(limited, 1, ok_chats());
    let server = serve("GET", "/api/v1/chats", seq.clone()).await;
    let sleeper = Recorder::default();
    builder(&server).sleeper(sleeper.clone()).build().unwrap().generated().list_chats().send().into_result().await.unwrap();
    assert_eq!(seq.arrivals().len(), 2);
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
    let limited = ResponseTemplate::new(429).insert_header("x-request-id", "req-429").set_body_json(known_exception("TooManyRequests"));
    let server = serve("GET", "/api/v1/chats", Sequence::new(limited, 100, ok_chats())).await;
    let err = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .generated()
        .list_chats()
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(err.request_id(), Some("req-429"));
    assert_eq!(err.code(), Some("E_TEST"));
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
    let server = MockServer::start().await;
    let id = Uuid::from_u128(5);
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/chats/{id}")))
        .respond_with(ResponseTemplate::new(404).insert_header("x-request-id", "req-1").set_body_json(known_exception("NotFound")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/chats/{id}/details")))
        .respond_with(ResponseTemplate::new(422).set_body_json(known_exception("Unprocessable")))
        .mount(&server)
        .await;
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let not_found = client.generated().get_chat().id(id).send().into_result().await.unwrap_err();
    assert!(not_found.is_not_found());
    assert_eq!(not_found.request_id(), Some("req-1"));
    assert_eq!(not_found.feedback(Lang::EsEs), Some("Chat no encontrado."));
    assert_eq!(not_found.to_string(), "404 Not Found: NotFound: The chat was not found. [E_TEST] (request id req-1)");
    // 422 is not in the spec for this operation; its body still parses
    let unlisted = client.generated().get_chat_details().id(id).send().into_result().await.unwrap_err();
    assert_eq!(unlisted.status().unwrap().as_u16(), 422);
    assert_eq!(unlisted.exception().unwrap().name, "Unprocessable");
}

#[tokio::test]
async fn the_request_id_is_exposed_on_success() {
    let server =
        serve("GET", "/api/v1/chats", ResponseTemplate::new(200).insert_header("x-request-id", "req-ok").set_body_json(json!([]))).await;
    let response = client(&server).generated().list_chats().send().into_result().await.unwrap();
    assert_eq!(zaia_ext::request_id(response.headers()).as_deref(), Some("req-ok"));
}
