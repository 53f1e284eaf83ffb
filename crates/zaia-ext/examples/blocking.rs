//! The blocking client, in a plain `fn main` with no runtime: `cargo run -p zaia-ext --example
//! blocking --features blocking`. It talks to the API at `ZAIA_BASE_URL` with `ZAIA_API_KEY`.

use zaia_ext::blocking::ZaiaClient;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ZaiaClient::from_env()?;
    let mut count = 0;
    for chat in client.list_chats().page_size(100).items() {
        let chat = chat?;
        count += 1;
        println!("{} {}", chat.id, chat.title.as_deref().unwrap_or("(untitled)"));
    }
    println!("{count} chats");
    Ok(())
}
