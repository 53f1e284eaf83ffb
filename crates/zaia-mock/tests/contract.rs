//! Contract: every response the mock sends validates against the merged spec, and every
//! documented operation and status is exercised. Regenerate the spec and this test says where
//! the mock no longer matches it.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use uuid::Uuid;
use zaia_mock::{MockConfig, MockServer, Seed};

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/zaia.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a `null` alternative.
fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out: serde_json::Map<String, Value> = map.iter().filter(|(k, _)| *k != "nullable").map(|(k, v)| (k.clone(), to_json_schema(v))).collect();
            if map.get("nullable") == Some(&json!(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(values)) = out.get_mut("enum") {
                        values.push(Value::Null);
                    }
                } else {
                    return json!({"anyOf": [{"type": "null"}, Value::Object(out)]});
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

fn validator(spec: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = to_json_schema(schema);
    root["components"] = to_json_schema(&spec["components"]);
    jsonschema::options().should_validate_formats(true).build(&root).unwrap()
}

/// Every (path, method, status) the spec documents with a JSON body.
fn documented(spec: &Value) -> BTreeSet<(String, String, u16)> {
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for status in op["responses"].as_object().unwrap().keys() {
                out.insert((path.clone(), method.to_uppercase(), status.parse().unwrap()));
            }
        }
    }
    out
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
        let mut request = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base));
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
    let mock = MockServer::start(MockConfig { seed: Some(Seed { chats: 3, ..Seed::default() }), record: true, allow_loopback_callbacks: true, ..MockConfig::default() })
        .await
        .unwrap();
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
    assert_eq!(d.call("GET", &format!("/api/v1/chat-messages?chatId={chat}&joins=chat-message-follow-ups&joins=senders&limit=50"), None).await.0, 200);
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

    // no key, and an unknown key, on every route that documents 401
    let spec = spec();
    for (path, method, status) in documented(&spec) {
        if status == 401 {
            let concrete = path.replace("{id}", &chat.to_string());
            let concrete = if concrete.ends_with("chat-messages") { format!("{concrete}?chatId={chat}") } else { concrete };
            let body = (method != "GET" && method != "DELETE").then(|| json!({}));
            assert_eq!(d.call_with_key(&method, &concrete, body.clone(), None).await.0, 401, "{method} {path}");
            assert_eq!(d.call_with_key(&method, &concrete, body, Some("wrong-key")).await.0, 401, "{method} {path}");
        }
    }

    // every exchange is documented and validates; every documented pair was seen
    let documented = documented(&spec);
    let mut seen = BTreeSet::new();
    for exchange in mock.exchanges() {
        let key = (exchange.path.clone(), exchange.method.clone(), exchange.status);
        assert!(documented.contains(&key), "undocumented answer: {key:?} {}", exchange.body);
        let schema = &spec["paths"][&exchange.path][exchange.method.to_lowercase()]["responses"][exchange.status.to_string()]["content"]["application/json"]["schema"];
        let validator = validator(&spec, schema);
        let errors: Vec<String> = validator.iter_errors(&exchange.body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{key:?}: {errors:?}\n{}", exchange.body);
        seen.insert(key);
    }
    let missing: Vec<_> = documented.difference(&seen).collect();
    assert!(missing.is_empty(), "documented but never exercised: {missing:?}");
}

#[test]
fn the_converter_turns_nullable_into_a_null_alternative() {
    assert_eq!(to_json_schema(&json!({"type": "string", "nullable": true})), json!({"type": ["string", "null"]}));
    assert_eq!(
        to_json_schema(&json!({"type": "string", "enum": ["a"], "nullable": true})),
        json!({"type": ["string", "null"], "enum": ["a", null]})
    );
    assert_eq!(
        to_json_schema(&json!({"nullable": true, "allOf": [{"$ref": "#/x"}]})),
        json!({"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/x"}]}]})
    );
    // and the validator rejects what the spec does not allow
    let spec = spec();
    let v = validator(&spec, &json!({"$ref": "#/components/schemas/ChatMessageFollowUp"}));
    assert!(!v.is_valid(&json!({"id": "not-a-uuid"})));
}
