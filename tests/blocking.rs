//! The blocking client against the stateful mock: the same operations, pagination as an
//! iterator, the same errors, and no runtime set up by the caller (the mock runs on a thread of
//! its own, as a server would).

use std::sync::mpsc;

use zaia_ext::Paginate;
use zaia_ext::blocking::ZaiaClient;
use zaia_ext::models::{Chat, ChatMessageJoin};
use zaia_mock::{MockConfig, MockServer, Seed};

/// Starts the mock on a background runtime; returns its base URL and key, and a guard that
/// stops it when dropped.
fn mock(chats: usize) -> (String, String, mpsc::Sender<()>, MockPeek) {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let seed = Seed::default().chats(chats).messages_per_chat(3).follow_ups_per_chat(1).seed(5);
            let server = MockServer::start(MockConfig::default().seed(seed)).await.unwrap();
            let first_chat: Chat = server.with_store(|s| s.chats[0].clone());
            ready_tx.send((server.base_url(), server.api_key().to_string(), first_chat)).unwrap();
            // bounded: the test drops the sender when done, or 60 s pass
            let _ = tokio::task::spawn_blocking(move || stop_rx.recv_timeout(std::time::Duration::from_secs(60))).await;
            drop(server);
        });
    });
    let (url, key, first_chat) = ready_rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    (url, key, stop_tx, MockPeek { first_chat })
}

struct MockPeek {
    first_chat: Chat,
}

#[test]
fn every_operation_errors_and_pagination_work_without_a_runtime() {
    let (url, key, _stop, peek) = mock(23);
    let client = ZaiaClient::builder().api_key(key).base_url(url).build().unwrap();

    // an operation
    let chat = client.send(|c| c.generated().get_chat().id(peek.first_chat.id).send()).unwrap();
    assert_eq!(chat.id, peek.first_chat.id);

    // pagination as an iterator: every chat once, in pages of 10
    let ids: Vec<uuid::Uuid> = client.items(|c| c.list_chats_pages(|r| r).page_size(10)).map(|chat| chat.unwrap().id).collect();
    assert_eq!(ids.len(), 23);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 23);
    let pages: Vec<usize> = client.pages(|c| c.list_chats_pages(|r| r).page_size(10)).map(|p| p.unwrap().len()).collect();
    assert_eq!(pages, [10, 10, 3]);
    let messages: Vec<_> = client
        .items(|c| c.list_chat_messages_pages(chat.id, |r| r.joins(vec![ChatMessageJoin::Senders])))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(messages.len(), 3);

    // the same errors: from the server, and refused before sending
    let missing = client.send(|c| c.generated().get_chat().id(uuid::Uuid::from_u128(404)).send()).unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    let refused = client.items(|c| c.list_chats_pages(|r| r).page_size(1000)).next().unwrap().unwrap_err();
    assert!(matches!(refused, zaia_ext::Error::InvalidRequest { field: Some(ref f), .. } if f == "pageSize"), "{refused:?}");
}

#[test]
fn from_env_needs_a_key_like_the_async_client() {
    // the variable may be set on a developer's machine: only check the error when it is not
    if std::env::var_os(zaia_ext::API_KEY_VAR).is_none() {
        let err = ZaiaClient::from_env().unwrap_err();
        assert!(matches!(err, zaia_ext::ConfigError::MissingApiKey), "{err:?}");
    }
}
