//! Quick start, with no key and no network: an embedded mock server plays the Zaia API.
//!
//! `cargo run --example quickstart`
//!
//! Lists chats, pages through a chat's messages, creates and cancels a follow-up, and shows a
//! localized error. Against the real API, replace the mock with `ZaiaClient::from_env()?`.

use futures::TryStreamExt;
use zaia_ext::{Lang, Paginate, SendExt, ZaiaClient};
use zaia_mock::{MockConfig, MockServer, Seed};
use zaia_models::*;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start(MockConfig { seed: Some(Seed::default()), ..MockConfig::default() }).await?;
    let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).build()?;

    // 1. every chat, page by page (lazily: a page is fetched when the last one is used up)
    let chats: Vec<Chat> = client.list_chats_pages(|r| r).page_size(10).items().try_collect().await?;
    println!("{} chats; the first is {}", chats.len(), chats[0].title.as_deref().unwrap_or("(untitled)"));

    // 2. one chat's messages, with their senders joined
    let chat = &chats[0];
    let mut messages = client.list_chat_messages_pages(chat.id, |r| r.joins(vec![ChatMessageJoin::Senders])).items();
    while let Some(message) = messages.try_next().await? {
        println!("  [{}] {}", message.role, message.content);
    }

    // 3. a follow-up, created and then cancelled
    let due = chrono::Utc::now() + chrono::Duration::days(1);
    let body = CreateChatMessageFollowUpRequest::new(chat.id, due, "Still there?".into());
    let follow_up = client.generated().create_chat_message_follow_up().body(body).send().into_result().await?;
    println!("follow-up {} is {}", follow_up.id, follow_up.status);
    let cancel = UpdateChatMessageFollowUpRequest::new().with_status(ChatMessageFollowUpUpdateStatus::Cancelled);
    let cancelled = client.generated().update_chat_message_follow_up().id(follow_up.id).body(cancel).send().into_result().await?;
    println!("follow-up {} is {}", cancelled.id, cancelled.status);

    // 4. an error on purpose (a cancelled follow-up cannot be edited), in the user's language
    let again = UpdateChatMessageFollowUpRequest::new().with_message("Hello?".into());
    let error = client.generated().update_chat_message_follow_up().id(follow_up.id).body(again).send().into_result().await.unwrap_err();
    println!("editing the cancelled follow-up fails, as expected: {error}");
    println!("  en: {}", error.feedback(Lang::EnUs).unwrap_or_default());
    println!("  es: {}", error.feedback(Lang::EsEs).unwrap_or_default());
    println!("  pt: {}", error.feedback(Lang::PtBr).unwrap_or_default());
    Ok(())
}
