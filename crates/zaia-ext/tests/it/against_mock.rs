//! zaia-ext against the stateful mock, where behaviour (not a canned answer) is the point.

use chrono::Utc;
use uuid::Uuid;
use zaia_ext::{Lang, Paginate, SendExt, ZaiaClient};
use zaia_mock::{MockConfig, MockServer, Seed};
use zaia_models::*;

async fn start() -> (MockServer, ZaiaClient) {
    let mock =
        MockServer::start(MockConfig::default().seed(Seed::default().chats(30).messages_per_chat(3).follow_ups_per_chat(2).seed(11)))
            .await
            .unwrap();
    let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    (mock, client)
}

#[tokio::test]
async fn requests_at_the_documented_limits_pass_the_checks_and_the_server() {
    let (mock, client) = start().await;
    let chat = mock.with_store(|s| s.chats[0].id);
    let body =
        CreateChatMessageRequest::new(chat, "é".repeat(4000), "assistant".into(), Uuid::from_u128(1)).with_external_id("x".repeat(250));
    let created = client.generated().create_chat_message().body(body).send().into_result().await.unwrap();
    assert_eq!(created.content.chars().count(), 4000);
    let follow_up = CreateChatMessageFollowUpRequest::new(chat, Utc::now(), "x".into());
    client.generated().create_chat_message_follow_up().body(follow_up).send().into_result().await.unwrap();
}

#[tokio::test]
async fn every_list_streams_the_same_items_lazily_and_with_prefetch() {
    let (_mock, client) = start().await;
    for window in [1, 3, 8] {
        let chats = client.list_chats_pages(|r| r).page_size(7).prefetch(window).collect_all().await.unwrap();
        assert_eq!(chats.len(), 30, "window {window}");
        let details = client.list_chat_details_pages(|r| r).page_size(7).prefetch(window).collect_all().await.unwrap();
        assert_eq!(details.iter().map(|d| d.id).collect::<Vec<_>>(), chats.iter().map(|c| c.id).collect::<Vec<_>>());
        let follow_ups = client.list_chat_message_follow_ups_pages(|r| r).page_size(9).prefetch(window).collect_all().await.unwrap();
        assert_eq!(follow_ups.len(), 60, "window {window}");
    }
}

#[tokio::test]
async fn errors_from_the_mock_carry_its_localized_feedback() {
    let (_mock, client) = start().await;
    let err = client.generated().get_chat_details().id(Uuid::from_u128(5)).send().into_result().await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.code(), Some("CHAT_NOT_FOUND"));
    assert_eq!(err.feedback(Lang::PtBr), Some("Chat não encontrado."));
}
