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
