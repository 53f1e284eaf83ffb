//! Quick start, with no key and no network: an embedded mock server plays the Zaia API.
//!
//! `cargo run --example quickstart`
//!
//! Lists chats, pages through a chat's messages, creates and cancels a follow-up, and shows a
//! localized error. Against the real API, replace the mock with `ZaiaClient::from_env()?`.

use futures::TryStreamExt;
use zaia_ext::models::*;
use zaia_ext::{Lang, ZaiaClient};
use zaia_mock::{MockConfig, MockServer, Seed};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start(MockConfig::default().seed(Seed::default())).await?;
    let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).build()?;

    // 1. every chat, page by page (lazily: a page is fetched when the last one is used up)
    let chats: Vec<Chat> = client.list_chats().page_size(10).items().try_collect().await?;
    println!("{} chats; the first is {}", chats.len(), chats[0].title.as_deref().unwrap_or("(untitled)"));

    // 2. one chat's messages, with their senders joined
    let chat = &chats[0];
    let mut messages = client.list_chat_messages(chat.id).joins(vec![ChatMessageJoin::Senders]).items();
    while let Some(message) = messages.try_next().await? {
        println!("  [{}] {}", message.role, message.content);
    }

    // 3. a follow-up, created and then cancelled
    let due = now() + TimeDelta::days(1);
    let body = CreateChatMessageFollowUpRequest::new(chat.id, due, "Still there?".into());
    let follow_up = client.create_chat_message_follow_up(body).await?;
    println!("follow-up {} is {}", follow_up.id, follow_up.status);
    let cancel = UpdateChatMessageFollowUpRequest::new().with_status(ChatMessageFollowUpUpdateStatus::Cancelled);
    let cancelled = client.update_chat_message_follow_up(follow_up.id, cancel).await?;
    println!("follow-up {} is {}", cancelled.id, cancelled.status);

    // 4. an error on purpose (a cancelled follow-up cannot be edited), in the user's language
    let again = UpdateChatMessageFollowUpRequest::new().with_message("Hello?".into());
    let error = client.update_chat_message_follow_up(follow_up.id, again).await.unwrap_err();
    println!("editing the cancelled follow-up fails, as expected: {error}");
    println!("  en: {}", error.feedback(Lang::EnUs).unwrap_or_default());
    println!("  es: {}", error.feedback(Lang::EsEs).unwrap_or_default());
    println!("  pt: {}", error.feedback(Lang::PtBr).unwrap_or_default());
    Ok(())
}
