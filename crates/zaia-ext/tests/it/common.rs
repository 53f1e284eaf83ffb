//! Servers on 127.0.0.1 for the zaia-ext tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};
use zaia_ext::{ClientBuilder, RetryPolicy, ZaiaClient};

pub const KEY: &str = "sk-test-very-secret-42";

/// A client for `server` with fast retries.
pub fn client(server: &MockServer) -> ZaiaClient {
    builder(server).build().unwrap()
}

pub fn builder(server: &MockServer) -> ClientBuilder {
    ClientBuilder::new()
        .api_key(KEY)
        .base_url(server.uri())
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
}

pub fn chat(n: usize) -> Value {
    json!({"createdAt": "2026-11-21T10:00:00Z", "id": Uuid::from_u128(n as u128), "updatedAt": "2026-11-21T10:00:00Z"})
}

pub fn known_exception(name: &str) -> Value {
    json!({"code": "E_TEST", "feedback": {"enUs": "Chat not found.", "esEs": "Chat no encontrado.", "ptBr": "Chat não encontrado."},
           "message": "The chat was not found.", "name": name})
}

/// Serves `total` chats page by page from `pageNumber` / `pageSize`, counting requests.
#[derive(Clone)]
pub struct ChatPages {
    pub total: usize,
    pub delay: Duration,
    pub requests: Arc<AtomicUsize>,
    /// this page answers 500
    pub failing_page: Option<usize>,
}

impl ChatPages {
    pub fn new(total: usize) -> Self {
        ChatPages { total, delay: Duration::ZERO, requests: Arc::default(), failing_page: None }
    }

    pub fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

pub fn query(request: &Request, name: &str) -> Option<String> {
    request.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

impl Respond for ChatPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let page: usize = query(request, "pageNumber").map_or(1, |p| p.parse().unwrap());
        let size: usize = query(request, "pageSize").map_or(10, |p| p.parse().unwrap());
        if self.failing_page == Some(page) {
            return ResponseTemplate::new(500).set_body_json(known_exception("InternalServerError"));
        }
        let start = ((page - 1) * size).min(self.total);
        let end = (start + size).min(self.total);
        let items: Vec<Value> = (start..end).map(chat).collect();
        ResponseTemplate::new(200).set_body_json(items).set_delay(self.delay)
    }
}

/// A sleeper that waits for nothing and records the delays it was asked for.
#[derive(Clone, Default)]
pub struct Recorder(pub Arc<std::sync::Mutex<Vec<Duration>>>);

impl Recorder {
    pub fn delays(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl zaia_ext::Sleep for Recorder {
    fn sleep(&self, duration: Duration) -> zaia_ext::SleepFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// What the raw server does with one connection.
pub enum Reply {
    /// These bytes (a whole response), then close.
    Bytes(Vec<u8>),
    /// Close with a TCP reset, answering nothing.
    Reset,
    /// A response head, then this many body bytes of `x` at most (stops when the client goes
    /// away), then close.
    Stream { head: String, body_bytes: u64 },
    /// Read the request and answer nothing until the client goes away (at most 30 s).
    Hang,
}

impl Reply {
    /// A complete response: `status`, extra header lines, a body.
    pub fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut text = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        text.push_str(body);
        Reply::Bytes(text.into_bytes())
    }

    /// A head that announces `declared` body bytes, then only `sent` of them: a body cut short.
    pub fn cut(declared: usize, sent: usize) -> Reply {
        let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\nconnection: close\r\n\r\n");
        Reply::Stream { head, body_bytes: sent as u64 }
    }
}

/// A hand-rolled HTTP/1.1 server on 127.0.0.1 for what well-behaved servers never do: it
/// answers connection `n` (from 0) with `reply(n, request head)`. One request per connection.
pub struct RawServer {
    pub url: String,
    pub connections: Arc<AtomicUsize>,
    pub body_bytes_sent: Arc<std::sync::atomic::AtomicU64>,
    pub requests: Arc<std::sync::Mutex<Vec<String>>>,
}

impl RawServer {
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

pub async fn raw_server(reply: impl Fn(usize, &str) -> Reply + Send + Sync + 'static) -> RawServer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let body_bytes_sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
    let server = RawServer { url, connections: connections.clone(), body_bytes_sent: body_bytes_sent.clone(), requests: requests.clone() };
    let reply = Arc::new(reply);
    tokio::spawn(async move {
        // bounded: no test makes more connections than this
        for _ in 0..20_000 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let n = connections.fetch_add(1, Ordering::SeqCst);
            let (reply, sent, requests) = (reply.clone(), body_bytes_sent.clone(), requests.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buffer)).await {
                        Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buffer[..n]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                requests.lock().unwrap().push(head.clone());
                match reply(n, &head) {
                    Reply::Bytes(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        let _ = socket.shutdown().await;
                    }
                    Reply::Reset => {
                        #[allow(deprecated)]
                        socket.set_linger(Some(Duration::ZERO)).unwrap();
                    }
                    Reply::Stream { head, body_bytes } => {
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = vec![b'x'; 64 * 1024];
                        let mut left = body_bytes;
                        while left > 0 {
                            let n = left.min(chunk.len() as u64) as usize;
                            match tokio::time::timeout(Duration::from_secs(5), socket.write_all(&chunk[..n])).await {
                                Ok(Ok(())) => {}
                                _ => return,
                            }
                            sent.fetch_add(n as u64, Ordering::SeqCst);
                            left -= n as u64;
                        }
                        let _ = socket.flush().await;
                    }
                    Reply::Hang => {
                        let _ = tokio::time::timeout(Duration::from_secs(30), socket.read(&mut buffer)).await;
                    }
                }
            });
        }
    });
    server
}

/// A client for a raw server: fast retries through `sleeper`, generous timeouts.
pub fn raw_client(server: &RawServer, sleeper: &Recorder) -> ClientBuilder {
    ClientBuilder::new()
        .api_key(KEY)
        .base_url(&server.url)
        .timeout(Duration::from_secs(10))
        .sleeper(sleeper.clone())
        .retry_policy(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
}

/// `count` chats as a JSON page.
pub fn chats_json(range: std::ops::Range<usize>) -> String {
    serde_json::to_string(&range.map(chat).collect::<Vec<_>>()).unwrap()
}

/// The query value of `name` in a raw request head.
pub fn head_query(head: &str, name: &str) -> Option<String> {
    let target = head.split_whitespace().nth(1)?;
    let url = reqwest::Url::parse(&format!("http://x{target}")).ok()?;
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

const CHILD_MARKER: &str = "ZAIA_EXT_TEST_CHILD";

/// Whether this process is a child started by [`run_child`].
pub fn in_child() -> bool {
    std::env::var_os(CHILD_MARKER).is_some()
}

/// Runs one test of this binary alone in a child process, for tests that need process-wide
/// state of their own (the TLS provider, tracing's callsite cache), and fails if it fails.
pub fn run_child(test: &str) {
    let exe = std::env::current_exe().unwrap();
    let output =
        std::process::Command::new(exe).args(["--exact", test, "--nocapture", "--test-threads=1"]).env(CHILD_MARKER, "1").output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "child {test} failed:\n{text}");
    assert!(text.contains("1 passed"), "the child ran its test:\n{text}");
}
