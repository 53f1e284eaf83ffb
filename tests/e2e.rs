//! End to end: every operation of the generated client against a wiremock server on
//! 127.0.0.1, asserting what went over the wire (method, path, query, body, authorization) and
//! what came back, plus one documented error status per operation decoding to `KnownException`.

use std::num::NonZeroU64;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};
use zaia_client::{Client, Error, Hooks};
use zaia_models::*;

const KEY: &str = "test-key-123";

fn client(server: &MockServer) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut key = reqwest::header::HeaderValue::from_static(KEY);
    key.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, key);
    let http = reqwest::Client::builder().default_headers(headers).timeout(Duration::from_secs(10)).build().unwrap();
    Client::new_with_client(&server.uri(), http, Hooks::default())
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, hour, 0, 0).unwrap()
}

fn chat() -> Value {
    json!({"createdAt": "2026-11-21T10:00:00Z", "id": id(1), "isRemoved": false, "updatedAt": "2026-11-21T11:00:00Z",
           "channelId": id(2), "ownerId": id(3), "responderId": id(4), "title": "Hello", "workspaceId": id(5)})
}

fn chat_details() -> Value {
    json!({"channelId": id(2), "channelName": "Site", "channelType": "whatsapp", "createdAt": "2026-11-21T10:00:00Z",
           "id": id(1), "isOwnerBlocked": false, "isRemoved": false, "lastMessageContent": "hi",
           "lastMessageCreatedAt": "2026-11-21T10:30:00Z", "lastMessageRole": "user", "ownerEmail": null,
           "ownerId": id(3), "ownerIdentifier": "+5511", "ownerName": "Ana", "penultimateMessageContent": null,
           "penultimateMessageCreatedAt": null, "penultimateMessageRole": null, "responderEntity": "agents",
           "responderId": id(4), "responderName": "Bot", "responderPicture": null, "responderVersionId": id(6),
           "responderVersionNumber": 3, "ticketId": null, "ticketStatus": null, "title": null, "workspaceId": id(5)})
}

fn follow_up() -> Value {
    json!({"createdAt": "2026-11-21T10:00:00Z", "id": id(10), "updatedAt": "2026-11-21T10:00:00Z", "chatId": id(1),
           "chatMessageId": null, "dueDate": "2026-11-22T09:00:00Z", "finishedAt": null, "message": "Still there?",
           "reason": null, "status": "pending", "triggerChatMessageId": id(20)})
}

fn message() -> Value {
    json!({"createdAt": "2026-11-21T10:00:00Z", "id": id(20), "updatedAt": "2026-11-21T10:00:00Z", "chatId": id(1),
           "chatThreadId": null, "content": "Hi!", "externalId": null, "rawContent": null, "role": "assistant",
           "senderId": id(4)})
}

fn known_exception(name: &str) -> Value {
    json!({"code": "E1", "feedback": {"enUs": "Not found.", "esEs": "No encontrado.", "ptBr": "Não encontrado."},
           "message": format!("{name} message"), "name": name})
}

async fn mock(server: &MockServer, verb: &str, route: &str, status: u16, body: Value) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

/// The one request the server received, after checking the key went out as given.
async fn received(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = requests.remove(0);
    assert_eq!(request.headers.get("authorization").unwrap(), KEY);
    request
}

fn body_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

/// Asserts a documented error status decodes to `KnownException`.
fn assert_known<T: std::fmt::Debug>(result: Result<T, Error<KnownException>>, status: u16, name: &str) {
    match result {
        Err(Error::ErrorResponse(e)) => {
            assert_eq!(e.status().as_u16(), status);
            assert_eq!(e.name, name);
            assert_eq!(e.feedback.pt_br.as_deref(), Some("Não encontrado."));
        }
        other => panic!("expected a KnownException for {status}, got {other:?}"),
    }
}

#[tokio::test]
async fn list_chat_message_follow_ups() {
    let server = MockServer::start().await;
    mock(&server, "GET", "/api/v1/chat-message-follow-ups", 200, json!([follow_up()])).await;
    let page = client(&server)
        .list_chat_message_follow_ups()
        .chat_ids(vec![id(1), id(2)])
        .statuses(vec![ChatMessageFollowUpStatus::Pending, ChatMessageFollowUpStatus::Failed])
        .page_number(NonZeroU64::new(2).unwrap())
        .page_size(NonZeroU64::new(25).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].status, ChatMessageFollowUpStatus::Pending);
    assert_eq!(page[0].trigger_chat_message_id, id(20));
    let request = received(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(
        request.url.query().unwrap(),
        format!("chatIds={}&chatIds={}&pageNumber=2&pageSize=25&statuses=pending&statuses=failed", id(1), id(2))
    );
}

#[tokio::test]
async fn create_chat_message_follow_up() {
    let server = MockServer::start().await;
    mock(&server, "POST", "/api/v1/chat-message-follow-ups", 201, follow_up()).await;
    let created = client(&server)
        .create_chat_message_follow_up()
        .body(CreateChatMessageFollowUpRequest::new(id(1), at(9), "Still there?".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.id, id(10));
    let request = received(&server).await;
    assert_eq!(body_json(&request), json!({"chatId": id(1), "dueDate": "2026-11-21T09:00:00Z", "message": "Still there?"}));
}

#[tokio::test]
async fn update_chat_message_follow_up_sends_absent_null_and_values_apart() {
    let server = MockServer::start().await;
    let mut cancelled = follow_up();
    cancelled["status"] = json!("cancelled");
    mock(&server, "PATCH", &format!("/api/v1/chat-message-follow-ups/{}", id(10)), 200, cancelled).await;
    let body = UpdateChatMessageFollowUpRequest::new()
        .with_chat_message_id(Patch::Null)
        .with_reason(Patch::Value("customer replied".into()))
        .with_status(ChatMessageFollowUpUpdateStatus::Cancelled);
    let updated = client(&server).update_chat_message_follow_up().id(id(10)).body(body).send().await.unwrap();
    assert_eq!(updated.status, ChatMessageFollowUpStatus::Cancelled);
    let request = received(&server).await;
    // finishedAt is absent (left as is), chatMessageId is null (cleared), reason is set
    assert_eq!(body_json(&request), json!({"chatMessageId": null, "reason": "customer replied", "status": "cancelled"}));
}

#[tokio::test]
async fn list_chat_messages_with_joins_and_limit() {
    let server = MockServer::start().await;
    let mut joined = message();
    joined["chatMessageFollowUps"] = json!([follow_up()]);
    joined["sender"] = json!({"name": "Bot"});
    mock(&server, "GET", "/api/v1/chat-messages", 200, json!([message(), joined])).await;
    let messages = client(&server)
        .list_chat_messages()
        .chat_id(id(1))
        .joins(vec![ChatMessageJoin::ChatMessageFollowUps, ChatMessageJoin::Senders])
        .pagination(ChatMessagePagination::new().with_limit(NonZeroU64::new(50).unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].chat_message_follow_ups.is_empty());
    assert_eq!(messages[1].chat_message_follow_ups[0].id, id(10));
    assert_eq!(messages[1].sender.as_ref().unwrap()["name"], "Bot");
    let request = received(&server).await;
    assert_eq!(request.url.query().unwrap(), format!("chatId={}&joins=chat-message-follow-ups&joins=senders&limit=50", id(1)));
}

#[tokio::test]
async fn create_chat_message() {
    let server = MockServer::start().await;
    mock(&server, "POST", "/api/v1/chat-messages", 200, message()).await;
    let body = CreateChatMessageRequest::new(id(1), "Hi!".into(), "assistant".into(), id(4)).with_external_id("ext-1".into());
    let created = client(&server).create_chat_message().body(body).send().await.unwrap();
    assert_eq!(created.content, "Hi!");
    let request = received(&server).await;
    // required but nullable: sent as null, not left out
    assert_eq!(
        body_json(&request),
        json!({"chatId": id(1), "chatThreadId": null, "content": "Hi!", "externalId": "ext-1", "role": "assistant", "senderId": id(4)})
    );
}

#[tokio::test]
async fn export_chat_messages() {
    let server = MockServer::start().await;
    mock(&server, "POST", "/api/v1/chat-messages/export", 200, json!({"message": "Export started."})).await;
    let body = ExportChatMessagesRequest::new("https://example.com/hook".into()).with_language(Language::PtBr).with_range_start(at(0));
    let started = client(&server).export_chat_messages().body(body).send().await.unwrap();
    assert_eq!(started.message, "Export started.");
    let request = received(&server).await;
    assert_eq!(
        body_json(&request),
        json!({"callbackUrl": "https://example.com/hook", "language": "ptBr", "rangeStart": "2026-11-21T00:00:00Z"})
    );
}

#[tokio::test]
async fn delete_chat() {
    let server = MockServer::start().await;
    mock(&server, "DELETE", &format!("/api/v1/chats/{}", id(1)), 200, json!({"message": "Removed."})).await;
    let removed = client(&server).delete_chat().id(id(1)).send().await.unwrap();
    assert_eq!(removed.message, "Removed.");
    assert_eq!(received(&server).await.method.as_str(), "DELETE");
}

#[tokio::test]
async fn get_chat() {
    let server = MockServer::start().await;
    mock(&server, "GET", &format!("/api/v1/chats/{}", id(1)), 200, chat()).await;
    let found = client(&server).get_chat().id(id(1)).send().await.unwrap();
    assert_eq!(found.owner_id, Some(id(3)));
    assert_eq!(found.title.as_deref(), Some("Hello"));
    assert_eq!(received(&server).await.url.query(), None);
}

#[tokio::test]
async fn update_chat_can_clear_the_title() {
    let server = MockServer::start().await;
    mock(&server, "PATCH", &format!("/api/v1/chats/{}", id(1)), 200, chat()).await;
    client(&server).update_chat().id(id(1)).body(UpdateChatRequest::new().with_title(Patch::Null)).send().await.unwrap();
    assert_eq!(body_json(&received(&server).await), json!({"title": null}));
}

#[tokio::test]
async fn list_chat_details() {
    let server = MockServer::start().await;
    mock(&server, "GET", "/api/v1/chats/details", 200, json!([chat_details()])).await;
    let rows = client(&server)
        .list_chat_details()
        .page_number(NonZeroU64::new(3).unwrap())
        .page_size(NonZeroU64::new(100).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rows[0].channel_type, Some(ChannelType::Whatsapp));
    assert_eq!(rows[0].responder_entity, Some(ResponderEntity::Agents));
    assert_eq!(received(&server).await.url.query(), Some("pageNumber=3&pageSize=100"));
}

#[tokio::test]
async fn list_chats_with_every_filter() {
    let server = MockServer::start().await;
    mock(&server, "GET", "/api/v1/chats", 200, json!([chat(), chat()])).await;
    let chats = client(&server)
        .list_chats()
        .channel_ids(vec![id(2)])
        .channel_types(vec![ChannelType::Whatsapp, ChannelType::Api])
        .owner_ids(vec![id(3), id(4)])
        .last_chat_message_created_at_start(at(8))
        .last_chat_message_created_at_end(at(9))
        .page_number(NonZeroU64::new(1).unwrap())
        .page_size(NonZeroU64::new(10).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(chats.len(), 2);
    let request = received(&server).await;
    assert_eq!(
        request.url.query().unwrap(),
        format!(
            "channelIds={}&channelTypes=whatsapp&channelTypes=api&lastChatMessageCreatedAtEnd=2026-11-21T09%3A00%3A00Z\
             &lastChatMessageCreatedAtStart=2026-11-21T08%3A00%3A00Z&ownerIds={}&ownerIds={}&pageNumber=1&pageSize=10",
            id(2),
            id(3),
            id(4)
        )
    );
}

#[tokio::test]
async fn create_chat() {
    let server = MockServer::start().await;
    mock(&server, "POST", "/api/v1/chats", 200, chat()).await;
    let created = client(&server).create_chat().body(CreateChatRequest::new(id(2), id(3))).send().await.unwrap();
    assert_eq!(created.id, id(1));
    assert_eq!(body_json(&received(&server).await), json!({"channelId": id(2), "ownerId": id(3)}));
}

#[tokio::test]
async fn get_chat_details() {
    let server = MockServer::start().await;
    mock(&server, "GET", &format!("/api/v1/chats/{}/details", id(1)), 200, chat_details()).await;
    let details = client(&server).get_chat_details().id(id(1)).responder_version_id("v1").send().await.unwrap();
    assert_eq!(details.owner_name.as_deref(), Some("Ana"));
    assert_eq!(details.responder_version_number, Some(3.0));
    assert_eq!(received(&server).await.url.query(), Some("responderVersionId=v1"));
}

/// One documented error status per operation: each decodes to `KnownException`.
#[tokio::test]
async fn documented_errors_decode_to_known_exception() {
    let server = MockServer::start().await;
    let c = client(&server);
    let cases: &[(&str, String, u16)] = &[
        ("GET", "/api/v1/chat-message-follow-ups".into(), 401),
        ("POST", "/api/v1/chat-message-follow-ups".into(), 412),
        ("PATCH", format!("/api/v1/chat-message-follow-ups/{}", id(10)), 412),
        ("GET", "/api/v1/chat-messages".into(), 404),
        ("POST", "/api/v1/chat-messages".into(), 400),
        ("POST", "/api/v1/chat-messages/export".into(), 400),
        ("DELETE", format!("/api/v1/chats/{}", id(1)), 404),
        ("GET", format!("/api/v1/chats/{}", id(1)), 404),
        ("PATCH", format!("/api/v1/chats/{}", id(1)), 404),
        ("GET", "/api/v1/chats/details".into(), 401),
        ("GET", "/api/v1/chats".into(), 401),
        ("POST", "/api/v1/chats".into(), 404),
        ("GET", format!("/api/v1/chats/{}/details", id(1)), 404),
    ];
    for (verb, route, status) in cases {
        let name = format!("{verb} {route}");
        Mock::given(method(*verb))
            .and(path(route.as_str()))
            .respond_with(ResponseTemplate::new(*status).set_body_json(known_exception(&name)))
            .mount(&server)
            .await;
    }
    let follow_up_body = CreateChatMessageFollowUpRequest::new(id(1), at(9), "x".into());
    let message_body = CreateChatMessageRequest::new(id(1), "x".into(), "user".into(), id(3));
    let export_body = ExportChatMessagesRequest::new("https://e.com".into());
    let n = |(v, r, s): &(&str, String, u16)| (*s, format!("{v} {r}"));
    let (s, e) = n(&cases[0]);
    assert_known(c.list_chat_message_follow_ups().send().await, s, &e);
    let (s, e) = n(&cases[1]);
    assert_known(c.create_chat_message_follow_up().body(follow_up_body).send().await, s, &e);
    let (s, e) = n(&cases[2]);
    assert_known(c.update_chat_message_follow_up().id(id(10)).body(UpdateChatMessageFollowUpRequest::default()).send().await, s, &e);
    let (s, e) = n(&cases[3]);
    assert_known(c.list_chat_messages().chat_id(id(1)).send().await, s, &e);
    let (s, e) = n(&cases[4]);
    assert_known(c.create_chat_message().body(message_body).send().await, s, &e);
    let (s, e) = n(&cases[5]);
    assert_known(c.export_chat_messages().body(export_body).send().await, s, &e);
    let (s, e) = n(&cases[6]);
    assert_known(c.delete_chat().id(id(1)).send().await, s, &e);
    let (s, e) = n(&cases[7]);
    assert_known(c.get_chat().id(id(1)).send().await, s, &e);
    let (s, e) = n(&cases[8]);
    assert_known(c.update_chat().id(id(1)).body(UpdateChatRequest::default()).send().await, s, &e);
    let (s, e) = n(&cases[9]);
    assert_known(c.list_chat_details().send().await, s, &e);
    let (s, e) = n(&cases[10]);
    assert_known(c.list_chats().send().await, s, &e);
    let (s, e) = n(&cases[11]);
    assert_known(c.create_chat().body(CreateChatRequest::new(id(2), id(3))).send().await, s, &e);
    let (s, e) = n(&cases[12]);
    assert_known(c.get_chat_details().id(id(1)).send().await, s, &e);
    assert_eq!(server.received_requests().await.unwrap().len(), cases.len());
}

#[tokio::test]
async fn responses_tolerate_new_enum_values_extra_fields_and_missing_guessed_fields() {
    let server = MockServer::start().await;
    let mut row = chat_details();
    row["channelType"] = json!("telegram"); // a channel type added after this SDK was built
    row["responderEntity"] = json!("humans");
    row["brandNewField"] = json!({"nested": [1, 2, 3]});
    // guessed names (PROVENANCE.md) that the real API may not send
    for guessed in ["responderEntity", "responderId", "ticketStatus", "workspaceId"] {
        if guessed != "responderEntity" {
            row.as_object_mut().unwrap().remove(guessed);
        }
    }
    let mut follow = follow_up();
    follow["status"] = json!("snoozed");
    let mut bare_chat = chat();
    for guessed in ["channelId", "ownerId", "responderId", "title", "workspaceId", "isRemoved"] {
        bare_chat.as_object_mut().unwrap().remove(guessed);
    }
    mock(&server, "GET", "/api/v1/chats/details", 200, json!([row])).await;
    mock(&server, "GET", "/api/v1/chat-message-follow-ups", 200, json!([follow])).await;
    mock(&server, "GET", &format!("/api/v1/chats/{}", id(1)), 200, bare_chat).await;
    let c = client(&server);
    let rows = c.list_chat_details().send().await.unwrap();
    assert_eq!(rows[0].channel_type, Some(ChannelType::Unknown("telegram".into())));
    assert_eq!(rows[0].responder_entity.as_ref().map(|e| e.as_str()), Some("humans"));
    assert_eq!(rows[0].workspace_id, None);
    let follow_ups = c.list_chat_message_follow_ups().send().await.unwrap();
    assert!(follow_ups[0].status.is_unknown());
    assert_eq!(follow_ups[0].status.to_string(), "snoozed");
    let chat = c.get_chat().id(id(1)).send().await.unwrap();
    assert_eq!((chat.owner_id, chat.title.clone()), (None, None));
}

#[tokio::test]
async fn an_undocumented_status_is_an_unexpected_response() {
    let server = MockServer::start().await;
    mock(&server, "GET", "/api/v1/chats", 503, json!({"message": "busy"})).await;
    match client(&server).list_chats().send().await {
        Err(Error::UnexpectedResponse(r)) => assert_eq!(r.status().as_u16(), 503),
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}
