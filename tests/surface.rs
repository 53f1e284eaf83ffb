//! The call surface as a user writes it: the code block of the call-surface issue, against the
//! mock, in a consumer whose only SDK dependency is `zaia-ext` (its `blocking` feature for the
//! synchronous part). Every line is the documented way; nothing reaches the generated client.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use zaia_ext::ZaiaClient;
use zaia_ext::models::*;
use zaia_mock::{MockConfig, MockServer, Seed};

const CHATS: usize = 23;

async fn mock() -> (MockServer, ZaiaClient) {
    let seed = Seed::default().chats(CHATS).messages_per_chat(5).follow_ups_per_chat(1).seed(9);
    let mock = MockServer::start(MockConfig::default().seed(seed)).await.unwrap();
    let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    (mock, client)
}

#[tokio::test]
async fn the_async_surface() -> Result<(), zaia_ext::Error> {
    let (mock, client) = mock().await;
    let id: Uuid = mock.with_store(|s| s.chats[0].id);

    let chat: Chat = client.get_chat(id).await?; // path parameters are arguments
    assert_eq!(chat.id, id);
    let chat = client.get_chat(id).within(Duration::from_secs(5)).await?;
    let page: Vec<Chat> = client.list_chats().page_size(5).await?; // one page
    assert_eq!(page.len(), 5);
    let whatsapp: Vec<Chat> = client.list_chats().channel_types(vec![ChannelType::Whatsapp]).items().try_collect().await?;
    assert!(!whatsapp.is_empty() && whatsapp.len() < CHATS, "the filter went on every page");
    let pages: Vec<Vec<Chat>> = client.list_chats().page_size(10).prefetch(8).pages().try_collect().await?;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 3], "in order, nothing lost or repeated");
    let messages: Vec<ChatMessageWithJoins> = client.list_chat_messages(chat.id).items().try_collect().await?; // required query parameter
    assert_eq!(messages.len(), 5);

    let body = CreateChatMessageFollowUpRequest::new(chat.id, now() + TimeDelta::days(1), "Checking in".into());
    let created = client.create_chat_message_follow_up(body).await?; // a required body is an argument
    let update = UpdateChatMessageFollowUpRequest::new().with_reason(Patch::Null);
    let updated = client.update_chat_message_follow_up(created.id, update).await?;
    assert_eq!(updated.id, created.id);

    // status, headers and request id of a success
    let answer = client.get_chat(id).send_with_response().await?;
    assert_eq!(answer.status(), zaia_ext::http::StatusCode::OK);

    // errors: one type, the helpers users ask for
    let missing = client.get_chat(Uuid::nil()).await.unwrap_err();
    assert!(missing.is_not_found() && missing.status() == Some(zaia_ext::http::StatusCode::NOT_FOUND));
    let refused = client.list_chats().page_size(500).await.unwrap_err();
    assert!(refused.is_validation_error() && refused.field() == Some("pageSize"));
    let stream_refused = client.list_chats().page_size(500).items().next().await.unwrap().unwrap_err();
    assert_eq!(stream_refused.field(), Some("pageSize"));
    Ok(())
}

#[test]
fn the_blocking_surface() -> Result<(), zaia_ext::Error> {
    // the mock runs on a runtime of its own, as a server would
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (mock, _) = runtime.block_on(mock());
    let id: Uuid = mock.with_store(|s| s.chats[0].id);

    let bc = zaia_ext::blocking::ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).build()?;
    let chat = bc.get_chat(id).send()?;
    assert_eq!(chat.id, id);
    let mut seen = 0;
    for chat in bc.list_chats().page_size(5).items() {
        let _chat: Chat = chat?;
        seen += 1;
    }
    assert_eq!(seen, CHATS);
    let pages: Vec<Vec<Chat>> = bc.list_chats().page_size(10).pages().collect::<Result<_, _>>()?;
    assert_eq!(pages.len(), 3);
    let late = bc.get_chat(id).within(Duration::from_secs(5)).send()?;
    assert_eq!(late.id, id);
    assert!(bc.get_chat(Uuid::nil()).send().unwrap_err().is_not_found());
    drop(runtime);
    Ok(())
}
