//! Testing your own code against the mock, through its public API only: faults (typed from the
//! spec, and those any operation can meet), the request journal, request ids, one-line starts
//! from sync code, and the admin API from another process.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use zaia_ext::models::*;
use zaia_ext::{Error, Lang, RetryPolicy, SleepFuture, ZaiaClient};
use zaia_mock::{Fault, MockConfig, MockServer, Seed, faults};

/// Records the waits a client asks for instead of waiting.
#[derive(Clone, Default)]
struct Waits(Arc<Mutex<Vec<Duration>>>);

impl zaia_ext::Sleep for Waits {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

async fn seeded() -> MockServer {
    MockServer::start(MockConfig::default().seed(Seed::default().chats(3))).await.unwrap()
}

fn client(mock: &MockServer, waits: &Waits) -> ZaiaClient {
    ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).sleeper(waits.clone()).build().unwrap()
}

fn chat_id(mock: &MockServer) -> Uuid {
    mock.with_store(|s| s.chats[0].id)
}

fn statuses(mock: &MockServer) -> Vec<u16> {
    mock.journal().iter().map(|e| e.status).collect()
}

#[tokio::test]
async fn a_documented_status_answers_the_vendors_body_in_three_languages() {
    let mock = seeded().await;
    let client = client(&mock, &Waits::default());
    mock.arm(faults::get_chat::not_found().once());
    let err = client.get_chat(chat_id(&mock)).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.feedback(Lang::EnUs), Some("Not found."));
    assert_eq!(err.feedback(Lang::EsEs), Some("No encontrado."));
    assert_eq!(err.feedback(Lang::PtBr), Some("Não encontrado."));
    // once: the next call is answered as usual
    assert_eq!(client.get_chat(chat_id(&mock)).await.unwrap().id, chat_id(&mock));
    assert!(mock.armed().is_empty());
}

#[tokio::test]
async fn a_429_with_retry_after_then_a_success_is_retried_after_the_wait() {
    let mock = seeded().await;
    let waits = Waits::default();
    let client = client(&mock, &waits);
    mock.arm(faults::list_chats::rate_limited(Duration::from_secs(2)).once());
    let chats = client.list_chats().await.unwrap();
    assert_eq!(chats.len(), 3);
    assert_eq!(*waits.0.lock().unwrap(), [Duration::from_secs(2)], "the client waited as Retry-After said");
    assert_eq!(statuses(&mock), [429, 200]);
}

#[tokio::test]
async fn fail_twice_then_succeed() {
    let mock = seeded().await;
    let waits = Waits::default();
    let client = client(&mock, &waits);
    mock.arm(faults::list_chats::server_error(503).times(2));
    client.list_chats().await.unwrap();
    assert_eq!(statuses(&mock), [503, 503, 200]);
    // a sequence: each armed fault once, in order, then the usual answer
    mock.clear_journal();
    mock.arm_sequence([Fault::server_error(502).on("list_chats"), Fault::server_error(500).on("list_chats")]);
    client.list_chats().await.unwrap();
    assert_eq!(statuses(&mock), [502, 500, 200]);
}

#[tokio::test]
async fn faults_apply_per_operation_or_to_all_until_disarmed() {
    let mock = seeded().await;
    let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).retry_policy(RetryPolicy::none()).build().unwrap();
    mock.arm(faults::list_chat_details::server_error(500));
    assert!(client.list_chats().await.is_ok(), "another operation is not affected");
    assert_eq!(client.list_chat_details().await.unwrap_err().status().unwrap().as_u16(), 500);
    mock.disarm();
    mock.arm(Fault::undocumented(418));
    let err = client.get_chat(chat_id(&mock)).await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 418, "every operation, and a status no operation documents");
    assert!(client.list_chats().await.is_err());
    mock.disarm();
    assert!(client.list_chats().await.is_ok());
}

#[tokio::test]
async fn a_delay_beyond_the_timeout_is_a_timeout() {
    let mock = seeded().await;
    let client = ZaiaClient::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    mock.arm(faults::list_chats::delay(Duration::from_secs(2)).once());
    let err = client.list_chats().await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn a_cut_body_and_a_reset_connection_are_transport_errors_that_a_get_retries() {
    let mock = seeded().await;
    let once = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).retry_policy(RetryPolicy::none()).build().unwrap();
    mock.arm(faults::list_chats::cut_body().once());
    let err = once.list_chats().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)) && err.is_retryable(), "{err:?}");
    mock.arm(faults::list_chats::reset().once());
    let err = once.list_chats().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)) && err.is_retryable(), "{err:?}");
    // the default policy retries both
    let client = client(&mock, &Waits::default());
    mock.arm_sequence([faults::list_chats::cut_body(), faults::list_chats::reset()]);
    assert_eq!(client.list_chats().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_journal_records_every_request_without_the_key() {
    let mock = seeded().await;
    let client = client(&mock, &Waits::default());
    let chat = chat_id(&mock);
    client.list_chat_messages(chat).page_size(2).await.unwrap_or_default();
    let journal = mock.journal();
    let last = journal.last().unwrap();
    assert_eq!(last.operation.as_deref(), Some("list_chat_messages"));
    assert_eq!((last.method.as_str(), last.path.as_str()), ("GET", "/api/v1/chat-messages"));
    assert!(last.query.contains(&("chatId".to_string(), chat.to_string())), "{:?}", last.query);
    assert!(last.headers.iter().all(|(name, _)| name != "authorization"), "the key is not journaled");
    assert!(!format!("{journal:?}").contains(mock.api_key()));
    // a body, as posted
    let body = CreateChatMessageFollowUpRequest::new(chat, now() + TimeDelta::days(1), "Hello?".into());
    let created = client.create_chat_message_follow_up(body).await.unwrap();
    let last = mock.journal().pop().unwrap();
    assert_eq!(last.request_body["message"], "Hello?");
    assert_eq!((last.status, last.body["id"].as_str()), (201, Some(created.id.to_string().as_str())));
    mock.clear_journal();
    assert!(mock.journal().is_empty());
}

#[tokio::test]
async fn every_answer_carries_a_request_id_the_sdk_reads() {
    let mock = seeded().await;
    let client = client(&mock, &Waits::default());
    let answer = client.get_chat(chat_id(&mock)).send_with_response().await.unwrap();
    let id = zaia_ext::request_id(answer.headers()).expect("a request id on a success");
    assert_eq!(mock.journal().last().unwrap().request_id, id);
    let err = client.get_chat(Uuid::nil()).await.unwrap_err();
    assert_eq!(err.request_id(), Some(mock.journal().last().unwrap().request_id.as_str()));
}

#[tokio::test]
async fn create_then_read() {
    let mock = seeded().await;
    let client = client(&mock, &Waits::default());
    let channel = mock.with_store(|s| s.channels[0].id);
    let owner = Uuid::from_u128(7);
    let created = client.create_chat(CreateChatRequest::new(channel, owner)).await.unwrap();
    let read = client.get_chat(created.id).await.unwrap();
    assert_eq!(read.id, created.id);
    client.delete_chat(created.id).await.unwrap();
    assert!(client.get_chat(created.id).await.unwrap_err().is_not_found());
}

#[test]
fn from_sync_code_in_one_line() {
    let mock = MockServer::start_blocking(MockConfig::default().seed(Seed::default().chats(4))).unwrap();
    let client = zaia_ext::blocking::ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    mock.arm(faults::list_chats::server_error(503).once());
    let chats: Vec<Chat> = client.list_chats().items().collect::<Result<_, _>>().unwrap();
    assert_eq!(chats.len(), 4);
    assert_eq!(statuses(&mock), [503, 200], "the blocking client retried too");
}

/// The binary, from outside the process, with a plain HTTP client: what a test in any
/// language would do.
#[tokio::test]
async fn the_admin_api_arms_faults_and_reads_the_journal_from_another_process() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_zaia-mock"))
        .args(["--port", "0", "--chats", "2"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await.unwrap().unwrap().unwrap();
    let base = first.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_string();
    let admin = format!("{base}{}", zaia_mock::ADMIN_PREFIX);
    let http = reqwest::Client::new();

    let armed = http
        .post(format!("{admin}/faults"))
        .json(&serde_json::json!({"kind": "status", "status": 404, "operation": "get_chat", "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(armed.status().as_u16(), 201);
    let refused = http
        .post(format!("{admin}/faults"))
        .json(&serde_json::json!({"kind": "status", "status": 418, "operation": "get_chat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400, "418 is not documented for get_chat");
    assert!(refused.text().await.unwrap().contains("status: 418 is not documented for get_chat"));

    let chat = format!("{base}/api/v1/chats/{}", Uuid::nil());
    let answer = http.get(&chat).header("authorization", "test-key").send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 404);
    assert!(answer.headers().contains_key("x-request-id"));

    let journal: serde_json::Value = http.get(format!("{admin}/journal")).send().await.unwrap().json().await.unwrap();
    assert_eq!(journal.as_array().unwrap().len(), 1, "admin requests are not journaled: {journal}");
    assert_eq!(journal[0]["operation"], "get_chat");
    assert_eq!(journal[0]["status"], 404);
    assert_eq!(http.delete(format!("{admin}/journal")).send().await.unwrap().status().as_u16(), 204);
    let journal: serde_json::Value = http.get(format!("{admin}/journal")).send().await.unwrap().json().await.unwrap();
    assert_eq!(journal, serde_json::json!([]));
    child.kill().await.unwrap();
}
