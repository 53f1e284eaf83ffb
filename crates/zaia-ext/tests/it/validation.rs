//! Invalid input is refused before anything is sent, with the field named.

use crate::common::*;
use chrono::{TimeZone, Utc};
use uuid::Uuid;
use wiremock::{Mock, MockServer, ResponseTemplate};
use zaia_ext::{Error, SendExt};
use zaia_models::*;

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    server
}

fn field(err: Error) -> String {
    match err {
        Error::InvalidRequest { field: Some(f), .. } => f,
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

fn message(content: &str, external_id: Option<&str>) -> CreateChatMessageRequest {
    {
        let mut v = CreateChatMessageRequest::new(Uuid::nil(), content.into(), "user".into(), Uuid::nil());
        v.external_id = external_id.map(String::from);
        v
    }
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = server().await;
    let client = client(&server);
    let long = "x".repeat(4001);
    assert_eq!(
        field(client.generated().create_chat_message().body(message(&long, None)).send().into_result().await.unwrap_err()),
        "content"
    );
    assert_eq!(
        field(client.generated().create_chat_message().body(message("hi", Some("ab"))).send().into_result().await.unwrap_err()),
        "externalId"
    );
    let long_id = "x".repeat(251);
    assert_eq!(
        field(client.generated().create_chat_message().body(message("hi", Some(&long_id))).send().into_result().await.unwrap_err()),
        "externalId"
    );

    let follow_up = CreateChatMessageFollowUpRequest::new(Uuid::nil(), Utc::now(), String::new());
    assert_eq!(
        field(client.generated().create_chat_message_follow_up().body(follow_up).send().into_result().await.unwrap_err()),
        "message"
    );
    let update = UpdateChatMessageFollowUpRequest::new().with_message(String::new());
    assert_eq!(
        field(client.generated().update_chat_message_follow_up().id(Uuid::nil()).body(update).send().into_result().await.unwrap_err()),
        "message"
    );

    let jan = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let feb = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    let export = |url: &str, start, end: Patch<_>| ExportChatMessagesRequest::new(url.into()).with_range_end(end).with_range_start(start);
    let insecure = export("http://hooks.example.com/x", jan, Patch::Absent);
    let err = client.generated().export_chat_messages().body(insecure).send().into_result().await.unwrap_err();
    assert_eq!(err.to_string(), "invalid request: callbackUrl: must be an https URL, got scheme `http`");
    let backwards = export("https://hooks.example.com/x", feb, Patch::Value(jan));
    assert_eq!(field(client.generated().export_chat_messages().body(backwards).send().into_result().await.unwrap_err()), "rangeStart");

    let err = client.generated().list_chats().page_size(std::num::NonZeroU64::new(101).unwrap()).send().into_result().await.unwrap_err();
    assert_eq!(field(err), "pageSize");
    let too_many = ChatMessagePagination::new().with_limit(std::num::NonZeroU64::new(1001).unwrap());
    let err = client.generated().list_chat_messages().chat_id(Uuid::nil()).pagination(too_many).send().into_result().await.unwrap_err();
    assert_eq!(field(err), "limit");

    assert_eq!(server.received_requests().await.unwrap().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn valid_requests_at_the_limits_are_sent() {
    let server = server().await;
    let client = builder(&server).retry_policy(zaia_ext::RetryPolicy::none()).build().unwrap();
    let at_limit = "é".repeat(4000);
    let err = client.generated().create_chat_message().body(message(&at_limit, Some("abc"))).send().into_result().await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 500, "it reached the server");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
