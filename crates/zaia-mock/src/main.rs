//! `cargo run -p zaia-mock -- [--port N] [--chats N] [--seed N] [--key KEY]`

use std::net::SocketAddr;

use zaia_mock::{MockConfig, MockServer, Seed};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 8080u16;
    let mut seed = Seed::default();
    let mut keys = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => port = value()?.parse()?,
            "--chats" => seed.chats = value()?.parse()?,
            "--seed" => seed.seed = value()?.parse()?,
            "--key" => keys.push(value()?),
            "--help" | "-h" => {
                println!("usage: zaia-mock [--port 8080] [--chats 25] [--seed 42] [--key test-key]...");
                println!(
                    "admin API (no key): GET/DELETE {}/journal, GET/POST/DELETE {}/faults (see the crate docs)",
                    zaia_mock::ADMIN_PREFIX,
                    zaia_mock::ADMIN_PREFIX
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}` (try --help)").into()),
        }
    }
    let mut config = MockConfig { seed: Some(seed), ..MockConfig::default() };
    if !keys.is_empty() {
        config.api_keys = keys;
    }
    let mock = MockServer::bind(SocketAddr::from(([127, 0, 0, 1], port)), config).await?;
    println!("zaia-mock on {} (key `{}`, {} chats); Ctrl-C stops it", mock.base_url(), mock.api_key(), seed.chats);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
