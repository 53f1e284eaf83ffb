//! Lists the workspace's chats and the pending follow-ups of the first one.
//!
//! ```sh
//! ZAIA_API_KEY=... cargo run -p zaia-ext --example list_chats
//! ZAIA_API_KEY=any ZAIA_BASE_URL=http://127.0.0.1:8080 cargo run -p zaia-ext --example list_chats
//! ```

use futures::TryStreamExt;
use zaia_ext::models::ChatMessageFollowUpStatus;
use zaia_ext::{Lang, ZaiaClient};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ZaiaClient::from_env()?;
    println!("{client:?}");

    let mut chats = client.list_chats().page_size(50).prefetch(2).items();
    let mut first = None;
    let mut count = 0;
    loop {
        match chats.try_next().await {
            Ok(Some(chat)) => {
                count += 1;
                println!("chat {} {}", chat.id, chat.title.as_deref().unwrap_or("(untitled)"));
                first.get_or_insert(chat.id);
            }
            Ok(None) => break,
            Err(e) => {
                // the vendor's localized message when there is one, else the error itself
                eprintln!("error: {}", e.feedback(Lang::EnUs).map(String::from).unwrap_or_else(|| e.to_string()));
                std::process::exit(1);
            }
        }
    }
    println!("{count} chats");

    if let Some(chat_id) = first {
        let pending = client
            .list_chat_message_follow_ups()
            .chat_ids(vec![chat_id])
            .statuses(vec![ChatMessageFollowUpStatus::Pending])
            .collect_all()
            .await?;
        println!("{} pending follow-ups in chat {chat_id}", pending.len());
    }
    Ok(())
}
