//! Tracing, headers on the wire, and secrets kept out of every text.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::*;
use serde_json::json;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use zaia_ext::{ClientBuilder, RetryPolicy, SendExt};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// A server whose chat `n` answers 503 once, then the chat with `request_id`.
async fn flaky_chat(n: u128, request_id: &str) -> (MockServer, Uuid) {
    let server = MockServer::start().await;
    let id = Uuid::from_u128(n);
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/chats/{id}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/chats/{id}")))
        .respond_with(ResponseTemplate::new(200).insert_header("x-request-id", request_id).set_body_json(chat(n as usize)))
        .mount(&server)
        .await;
    (server, id)
}

/// Run alone in a child process: tracing caches per call site whether anyone listens, and
/// other tests of this binary hit the same call sites from other threads with no subscriber.
#[test]
fn every_request_has_a_span_and_the_key_never_shows() {
    if in_child() {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(spans_and_the_key());
    } else {
        run_child("observability::every_request_has_a_span_and_the_key_never_shows");
    }
}

async fn spans_and_the_key() {
    let (server, id) = flaky_chat(77, "req-abc").await;

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = client(&server);
    let chat = client.generated().get_chat().id(id).send().into_result().await.unwrap();
    assert_eq!(chat.id, id);
    let log = captured.text();
    assert!(log.contains("zaia.request"), "{log}");
    for field in [
        "operation=\"get_chat\"",
        "method=GET",
        "path=\"/api/v1/chats/{id}\"",
        "attempt=2",
        "status=200",
        "request_id=\"req-abc\"",
        "elapsed_ms=",
    ] {
        assert!(log.contains(field), "missing {field} in:\n{log}");
    }
    assert!(log.contains("retrying"), "{log}");
    assert!(!log.contains(KEY), "the key leaked into tracing:\n{log}");
    // the concrete id is not part of the span (the template is)
    assert!(!log.contains(&id.to_string()), "{log}");

    // and it went over the wire exactly as given, with the user agent
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.headers.get("authorization").unwrap(), KEY);
        assert_eq!(request.headers.get("user-agent").unwrap().to_str().unwrap(), zaia_ext::USER_AGENT);
        assert!(zaia_ext::USER_AGENT.starts_with("zaia-rust/"));
    }
}

/// A plain `fmt` subscriber at its default level (INFO) shows one event per finished call.
#[test]
fn one_info_event_per_finished_call() {
    if in_child() {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(info_event());
    } else {
        run_child("observability::one_info_event_per_finished_call");
    }
}

async fn info_event() {
    let (server, id) = flaky_chat(78, "req-info").await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    client(&server).get_chat(id).await.unwrap();
    let log = captured.text();
    let events: Vec<&str> = log.lines().filter(|l| l.contains("zaia call finished")).collect();
    assert_eq!(events.len(), 1, "{log}");
    for field in [
        " INFO ",
        "http.request.method=GET",
        "url.template=\"/api/v1/chats/{id}\"",
        "http.response.status_code=200",
        "http.request.resend_count=1",
        "zaia.operation=\"get_chat\"",
        "zaia.attempts=2",
        "zaia.duration_ms=",
        "zaia.request_id=\"req-info\"",
    ] {
        assert!(events[0].contains(field), "missing {field} in:\n{log}");
    }
    assert!(!log.contains(KEY) && !log.contains(&id.to_string()), "{log}");
}

#[tokio::test]
async fn the_key_is_added_to_a_callers_own_http_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/chats"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let own = reqwest::Client::builder().build().unwrap();
    let client = ClientBuilder::new().api_key(KEY).base_url(server.uri()).user_agent("my-app/1").http_client(own).build().unwrap();
    client.generated().list_chats().send().into_result().await.unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.headers.get("authorization").unwrap(), KEY);
    assert_eq!(request.headers.get("user-agent").unwrap(), "my-app/1");
}

#[tokio::test]
async fn debug_output_of_every_type_redacts_the_key() {
    let server = MockServer::start().await;
    let builder = builder(&server);
    let client = builder.clone().build().unwrap();
    let generated: &zaia_client::Client = &client;
    let error = ClientBuilder::new().api_key(format!("{KEY}\n")).build().unwrap_err();
    for text in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{generated:?}"),
        format!("{:?}", RetryPolicy::default()),
        format!("{error:?}"),
        error.to_string(),
    ] {
        assert!(!text.contains(KEY) && !text.contains("very-secret"), "leaked: {text}");
    }
}

#[test]
fn from_env_reads_the_documented_variables() {
    let vars = |name: &str| match name {
        "ZAIA_API_KEY" => Some(KEY.to_string()),
        "ZAIA_BASE_URL" => Some("http://127.0.0.1:1".to_string()),
        _ => None,
    };
    let client = ClientBuilder::from_vars(vars).unwrap().build().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:1");
    let default = ClientBuilder::from_vars(|n| (n == "ZAIA_API_KEY").then(|| KEY.to_string())).unwrap().build().unwrap();
    assert_eq!(default.base_url(), zaia_ext::DEFAULT_BASE_URL);
    let insecure = ClientBuilder::from_vars(|n| match n {
        "ZAIA_API_KEY" => Some(KEY.into()),
        _ => Some("http://api.example.com".into()),
    })
    .unwrap()
    .build()
    .unwrap_err();
    assert!(insecure.to_string().contains("plain http is allowed only for loopback hosts"), "{insecure}");
}

/// What a list call puts on the wire: only the parameters that were set, in the spec's order,
/// and only the headers the SDK means to send (no `api-version`: progenitor adds one the vendor
/// does not document; the generator takes it out).
#[tokio::test]
async fn a_list_call_sends_the_set_parameters_in_spec_order_and_no_undocumented_header() {
    use zaia_ext::models::ChannelType;
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(method("GET"))
        .and(path("/api/v1/chats"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    let client = client(&server);
    client.list_chats().page_size(50).await.unwrap();
    let owner = uuid::Uuid::from_u128(7);
    client.list_chats().page_size(50).owner_ids(vec![owner]).channel_types(vec![ChannelType::Whatsapp, ChannelType::Api]).await.unwrap();
    client.list_chats().await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let queries: Vec<Option<&str>> = requests.iter().map(|r| r.url.query()).collect();
    assert_eq!(
        queries,
        [Some("pageSize=50"), Some(&*format!("channelTypes=whatsapp&channelTypes=api&ownerIds={owner}&pageSize=50")), None]
    );
    for request in &requests {
        let mut names: Vec<&str> = request.headers.keys().map(|name| name.as_str()).collect();
        names.sort();
        assert!(!names.contains(&"api-version"), "{names:?}");
        for sent in ["accept", "authorization", "user-agent"] {
            assert!(names.contains(&sent), "{sent} missing from {names:?}");
        }
    }
}
