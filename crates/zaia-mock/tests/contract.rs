//! Contract: every response the mock sends validates against the merged spec, and every
//! documented operation and status is exercised. Regenerate the spec and this test says where
//! the mock no longer matches it.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use uuid::Uuid;
use zaia_mock::spec::Operation;
use zaia_mock::{MockConfig, MockServer, Seed};

fn spec() -> &'static Value {
    zaia_mock::spec::spec().document()
}

fn validator(schema: &Value) -> &'static jsonschema::Validator {
    zaia_mock::spec::spec().validator(schema)
}

/// Every (path, method, status) the spec documents; a class of statuses (`4XX`) as its key.
fn documented(spec: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for status in op["responses"].as_object().unwrap().keys() {
                out.insert((path.clone(), method.to_uppercase(), status.to_uppercase()));
            }
        }
    }
    out
}

/// The documented key an answer of `status` falls under: its own, else its class.
fn key_of(documented: &BTreeSet<(String, String, String)>, path: &str, method: &str, status: u16) -> Option<String> {
    let own = status.to_string();
    let class = format!("{}XX", status / 100);
    [own, class, "DEFAULT".to_string()].into_iter().find(|k| documented.contains(&(path.to_string(), method.to_string(), k.clone())))
}

/// A request to `op` that the spec does not allow, if one can be made from the spec alone: a
/// body of the wrong type, else a query parameter of the wrong type.
fn invalid_request(op: &Operation) -> Option<(String, Option<Value>)> {
    let (path, body) = op.example_request(1);
    if body.is_some() {
        return Some((path, Some(json!(12345))));
    }
    let params = spec()["paths"][&op.path][op.method.to_lowercase()]["parameters"].as_array()?.clone();
    let typed = params.iter().find(|p| p["in"] == "query" && (p["schema"]["type"] == "integer" || p["schema"]["format"] == "uuid"))?;
    let separator = if path.contains('?') { '&' } else { '?' };
    Some((format!("{path}{separator}{}=not-valid", typed["name"].as_str()?), None))
}

struct Driver {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Driver {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_with_key(method, path, body, Some(&self.key)).await
    }

    async fn call_with_key(&self, method: &str, path: &str, body: Option<Value>, key: Option<&str>) -> (u16, Value) {
        self.send(method, path, body, key, &[]).await
    }

    /// A request with a body in any media type (`(content type, bytes)`).
    async fn call_raw(&self, method: &str, path: &str, body: Option<(String, Vec<u8>)>, headers: &[(String, String)]) -> (u16, Value) {
        let mut request = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base)).header("authorization", &self.key);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>, key: Option<&str>, headers: &[(String, String)]) -> (u16, Value) {
        let mut request = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(key) = key {
            request = request.header("authorization", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn every_response_matches_the_spec_and_every_documented_status_is_exercised() {
    let mock = MockServer::start(MockConfig::default().seed(Seed::default().chats(3)).allow_loopback_callbacks(true)).await.unwrap();
    let d = Driver { http: reqwest::Client::new(), base: mock.base_url(), key: mock.api_key().to_string() };
    let missing = Uuid::from_u128(404);
    let (channel, chat, last_message) = mock.with_store(|s| {
        let chat = s.chats[0].id;
        let last = s.messages.iter().rfind(|m| m.chat_id == chat).unwrap().id;
        (s.channels[0].id, chat, last)
    });
    let owner = Uuid::from_u128(7);

    // chats
    let (s, created) = d.call("POST", "/api/v1/chats", Some(json!({"channelId": channel, "ownerId": owner}))).await;
    assert_eq!(s, 200);
    let new_chat = created["id"].as_str().unwrap().to_string();
    assert_eq!(d.call("POST", "/api/v1/chats", Some(json!({"channelId": channel}))).await.0, 400);
    assert_eq!(d.call("POST", "/api/v1/chats", Some(json!({"channelId": missing, "ownerId": owner}))).await.0, 404);
    assert_eq!(d.call("GET", "/api/v1/chats?pageSize=2&channelTypes=widget&channelTypes=api", None).await.0, 200);
    assert_eq!(d.call("GET", "/api/v1/chats/details?pageNumber=1&pageSize=5", None).await.0, 200);
    assert_eq!(d.call("GET", &format!("/api/v1/chats/{chat}"), None).await.0, 200);
    assert_eq!(d.call("GET", &format!("/api/v1/chats/{missing}"), None).await.0, 404);
    assert_eq!(d.call("GET", &format!("/api/v1/chats/{chat}/details"), None).await.0, 200);
    assert_eq!(d.call("GET", &format!("/api/v1/chats/{missing}/details"), None).await.0, 404);
    assert_eq!(d.call("PATCH", &format!("/api/v1/chats/{new_chat}"), Some(json!({"title": "Renamed"}))).await.0, 200);
    assert_eq!(d.call("PATCH", &format!("/api/v1/chats/{new_chat}"), Some(json!({"title": null}))).await.0, 200);
    assert_eq!(d.call("PATCH", &format!("/api/v1/chats/{missing}"), Some(json!({}))).await.0, 404);

    // messages
    let message = |content: &str| json!({"chatId": chat, "chatThreadId": null, "content": content, "externalId": null, "senderId": owner, "role": "assistant"});
    assert_eq!(d.call("POST", "/api/v1/chat-messages", Some(message("Hello"))).await.0, 200);
    assert_eq!(d.call("POST", "/api/v1/chat-messages", Some(message(&"x".repeat(4001)))).await.0, 400);
    let mut elsewhere = message("Hi");
    elsewhere["chatId"] = json!(missing);
    assert_eq!(d.call("POST", "/api/v1/chat-messages", Some(elsewhere)).await.0, 404);
    assert_eq!(
        d.call("GET", &format!("/api/v1/chat-messages?chatId={chat}&joins=chat-message-follow-ups&joins=senders&limit=50"), None).await.0,
        200
    );
    assert_eq!(d.call("GET", &format!("/api/v1/chat-messages?chatId={chat}"), None).await.0, 200);
    assert_eq!(d.call("GET", &format!("/api/v1/chat-messages?chatId={missing}"), None).await.0, 404);
    let export = |start: &str| json!({"rangeStart": start, "rangeEnd": "2026-03-01T00:00:00Z", "callbackUrl": "https://127.0.0.1:9/hook"});
    assert_eq!(d.call("POST", "/api/v1/chat-messages/export", Some(export("2026-01-01T00:00:00Z"))).await.0, 200);
    assert_eq!(d.call("POST", "/api/v1/chat-messages/export", Some(export("2025-01-01T00:00:00Z"))).await.0, 400);

    // follow-ups
    let follow_up = |chat: &str| json!({"chatId": chat, "dueDate": "2026-12-01T09:00:00Z", "message": "Still there?"});
    let (s, created) = d.call("POST", "/api/v1/chat-message-follow-ups", Some(follow_up(&chat.to_string()))).await;
    assert_eq!(s, 201);
    let follow_up_id = created["id"].as_str().unwrap().to_string();
    assert!(created["triggerChatMessageId"].as_str().is_some());
    let _ = last_message;
    assert_eq!(d.call("POST", "/api/v1/chat-message-follow-ups", Some(follow_up(&missing.to_string()))).await.0, 404);
    assert_eq!(d.call("POST", "/api/v1/chat-message-follow-ups", Some(follow_up(&new_chat))).await.0, 412, "no messages");
    assert_eq!(d.call("GET", &format!("/api/v1/chat-message-follow-ups?chatIds={chat}&statuses=pending&pageSize=5"), None).await.0, 200);
    let path = format!("/api/v1/chat-message-follow-ups/{follow_up_id}");
    assert_eq!(d.call("PATCH", &path, Some(json!({"reason": null, "status": "cancelled"}))).await.0, 200);
    assert_eq!(d.call("PATCH", &path, Some(json!({"message": "again"}))).await.0, 412, "no longer pending");
    assert_eq!(d.call("PATCH", &format!("/api/v1/chat-message-follow-ups/{missing}"), Some(json!({}))).await.0, 404);
    assert_eq!(d.call("DELETE", &format!("/api/v1/chats/{new_chat}"), None).await.0, 200);
    assert_eq!(d.call("DELETE", &format!("/api/v1/chats/{new_chat}"), None).await.0, 404, "removed");

    // every operation of the spec, from the spec: a valid request, an invalid one where the
    // spec documents 400, and no key and a wrong key where it documents 401
    // operations served from the spec keep state: an item operation reads, changes or removes
    // the item its collection's create made (else it would be the documented 404)
    let mut created: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::new();
    // creates first and deletes last, so that every item operation meets its item
    let mut ordered: Vec<&zaia_mock::spec::Operation> = zaia_mock::spec::spec().operations().iter().collect();
    ordered.sort_by_key(|op| match op.method.as_str() {
        "POST" => 0,
        "DELETE" => 2,
        _ => 1,
    });
    for op in ordered {
        let (mut path, body) = op.example_request(3);
        if let Some((collection, last)) = op.path.rsplit_once('/').filter(|(_, last)| last.starts_with('{'))
            && let Some(id) = created.get(collection).and_then(|answer| zaia_mock::item_key(last.trim_matches(['{', '}']), answer))
        {
            let (route, query) = path.split_once('?').map_or((path.as_str(), ""), |(r, q)| (r, q));
            let (parent, _) = route.rsplit_once('/').unwrap();
            path = if query.is_empty() { format!("{parent}/{id}") } else { format!("{parent}/{id}?{query}") };
        }
        // the body in the operation's own media type (JSON, or a form)
        let (status, answer) = d.call_raw(&op.method, &path, op.example_body(3), &op.example_headers(3)).await;
        if op.method == "POST" && (200..300).contains(&status) && answer.is_object() {
            created.insert(op.path.clone(), answer.clone());
        }
        if op.documents(400)
            && let Some((path, body)) = invalid_request(op)
        {
            assert_eq!(d.call(&op.method, &path, body).await.0, 400, "{} invalid", op.id);
        }
        if op.documents(401) {
            assert_eq!(d.call_with_key(&op.method, &path, body.clone(), None).await.0, 401, "{}", op.id);
            assert_eq!(d.call_with_key(&op.method, &path, body, Some("wrong-key")).await.0, 401, "{}", op.id);
        }
    }

    // every exchange is documented and validates; every documented status was seen, except
    // those only state can produce (404, 412, ...) on operations served from the spec
    let spec = spec();
    let documented = documented(spec);
    let exchanges = mock.exchanges();
    let from_spec: BTreeSet<(String, String)> =
        exchanges.iter().filter(|e| e.served_from_spec).map(|e| (e.path.clone(), e.method.clone())).collect();
    let mut seen = BTreeSet::new();
    for exchange in exchanges {
        let status_key = key_of(&documented, &exchange.path, &exchange.method, exchange.status);
        assert!(status_key.is_some(), "undocumented answer: {} {} {} {}", exchange.method, exchange.path, exchange.status, exchange.body);
        let key = (exchange.path.clone(), exchange.method.clone(), status_key.unwrap());
        let (op, _) = zaia_mock::spec::spec().find(&exchange.method, &exchange.uri_path).expect("a documented operation");
        let schema = op.response_schema(exchange.status).cloned().unwrap_or(Value::Null);
        if schema.is_null() {
            // a status without content: no body was sent
            assert_eq!(exchange.body, Value::Null, "{key:?}");
            seen.insert(key);
            continue;
        }
        let errors: Vec<String> =
            validator(&schema).iter_errors(&exchange.body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{key:?}: {errors:?}\n{}", exchange.body);
        seen.insert(key);
    }
    // an operation served from the spec answers its first success status (another, like a
    // 202 beside a 201, is the vendor's choice the spec does not explain)
    let served_success = |path: &str, method: &str| {
        zaia_mock::spec::spec().operations().iter().find(|op| op.path == path && op.method == method).map(|op| op.success().0)
    };
    let expected: BTreeSet<_> = documented
        .into_iter()
        .filter(|(path, method, status)| {
            !from_spec.contains(&(path.clone(), method.clone()))
                || served_success(path, method).map(|s| s.to_string()).as_ref() == Some(status)
                || status == "400"
                || status == "401"
        })
        .collect();
    let missing: Vec<_> = expected.difference(&seen).collect();
    assert!(missing.is_empty(), "documented but never exercised: {missing:?}");
}

#[test]
fn the_validator_rejects_what_the_spec_does_not_allow() {
    let v = validator(&json!({"$ref": "#/components/schemas/ChatMessageFollowUp"}));
    assert!(!v.is_valid(&json!({"id": "not-a-uuid"})));
}
