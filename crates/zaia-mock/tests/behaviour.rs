//! The mock's documented behaviour, driven through the SDK (zaia-ext) as a user would.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures::TryStreamExt;
use uuid::Uuid;
use zaia_ext::{Lang, Paginate, RetryPolicy, SendExt, ZaiaClient};
use zaia_mock::{MockConfig, MockServer, Seed};
use zaia_models::*;

async fn start(seed: Option<Seed>) -> (MockServer, ZaiaClient) {
    let mut config = MockConfig::default().allow_loopback_callbacks(true);
    config.seed = seed;
    let mock = MockServer::start(config).await.unwrap();
    let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).retry_policy(RetryPolicy::none()).build().unwrap();
    (mock, client)
}

fn message(chat: Uuid, role: &str, content: &str) -> CreateChatMessageRequest {
    CreateChatMessageRequest::new(chat, content.into(), role.into(), Uuid::from_u128(1))
}

#[tokio::test]
async fn a_chat_lives_and_is_removed() {
    let (mock, client) = start(None).await;
    let channel = mock.with_store(|s| s.channels.iter().find(|c| c.channel_type == ChannelType::Whatsapp).unwrap().id);
    let owner = Uuid::from_u128(99);
    let chat = client.generated().create_chat().body(CreateChatRequest::new(channel, owner)).send().into_result().await.unwrap();
    assert_eq!(chat.owner_id, Some(owner));

    let renamed = client
        .generated()
        .update_chat()
        .id(chat.id)
        .body(UpdateChatRequest::new().with_title(Patch::Value("Support".into())))
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(renamed.title.as_deref(), Some("Support"));
    let cleared = client
        .generated()
        .update_chat()
        .id(chat.id)
        .body(UpdateChatRequest::new().with_title(Patch::Null))
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(cleared.title, None);
    let untouched = client.generated().update_chat().id(chat.id).body(UpdateChatRequest::default()).send().into_result().await.unwrap();
    assert_eq!(untouched.title, None);

    let details = client.generated().get_chat_details().id(chat.id).send().into_result().await.unwrap();
    assert_eq!(details.channel_type, Some(ChannelType::Whatsapp));
    assert_eq!(details.last_message_content, None);

    let by_type = client.generated().list_chats().channel_types(vec![ChannelType::Whatsapp]).send().into_result().await.unwrap();
    assert_eq!(by_type.len(), 1);
    assert!(client.generated().list_chats().channel_types(vec![ChannelType::Api]).send().into_result().await.unwrap().is_empty());
    assert_eq!(client.generated().list_chats().owner_ids(vec![owner]).send().into_result().await.unwrap().len(), 1);

    client.generated().delete_chat().id(chat.id).send().into_result().await.unwrap();
    let gone = client.generated().get_chat().id(chat.id).send().into_result().await.unwrap_err();
    assert!(gone.is_not_found());
    assert!(client.generated().list_chats().send().into_result().await.unwrap().is_empty());
    assert!(client.generated().list_chat_details().send().into_result().await.unwrap().is_empty());
}

#[tokio::test]
async fn last_message_time_filters_chats() {
    let (mock, client) = start(Some(Seed::default().chats(4).messages_per_chat(2).follow_ups_per_chat(0).seed(3))).await;
    let (first_chat_last, second_chat_first) = mock.with_store(|s| {
        let of = |c: usize| s.messages.iter().filter(|m| m.chat_id == s.chats[c].id).map(|m| m.created_at).collect::<Vec<_>>();
        (*of(0).last().unwrap(), of(1)[0])
    });
    let early = client.generated().list_chats().last_chat_message_created_at_end(first_chat_last).send().into_result().await.unwrap();
    assert_eq!(early.len(), 1);
    let later = client.generated().list_chats().last_chat_message_created_at_start(second_chat_first).send().into_result().await.unwrap();
    assert_eq!(later.len(), 3);
}

#[tokio::test]
async fn messages_list_with_joins_and_limit() {
    let (mock, client) = start(Some(Seed::default().chats(1).messages_per_chat(6).follow_ups_per_chat(2).seed(1))).await;
    let chat = mock.with_store(|s| s.chats[0].id);
    let all = client
        .list_chat_messages_pages(chat, |r| r.joins(vec![ChatMessageJoin::ChatMessageFollowUps, ChatMessageJoin::Senders]))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|m| m.sender.is_some()));
    assert_eq!(all.iter().map(|m| m.chat_message_follow_ups.len()).sum::<usize>(), 2);
    let plain = client.generated().list_chat_messages().chat_id(chat).send().into_result().await.unwrap();
    assert!(plain.iter().all(|m| m.sender.is_none() && m.chat_message_follow_ups.is_empty()));
    let limited = client.list_chat_messages_pages(chat, |r| r).page_size(4).collect_all().await.unwrap();
    assert_eq!(limited.len(), 4);
    let missing = client.generated().list_chat_messages().chat_id(Uuid::from_u128(5)).send().into_result().await.unwrap_err();
    assert!(missing.is_not_found());
}

#[tokio::test]
async fn follow_ups_follow_the_documented_rules() {
    let (mock, client) = start(None).await;
    let channel = mock.with_store(|s| s.channels[0].id);
    let chat =
        client.generated().create_chat().body(CreateChatRequest::new(channel, Uuid::from_u128(3))).send().into_result().await.unwrap();
    let due = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let request = || CreateChatMessageFollowUpRequest::new(chat.id, due, "Still there?".into());

    let no_messages = client.generated().create_chat_message_follow_up().body(request()).send().into_result().await.unwrap_err();
    assert_eq!(no_messages.status().unwrap().as_u16(), 412);
    client.generated().create_chat_message().body(message(chat.id, "user", "hello?")).send().into_result().await.unwrap();
    let from_user = client.generated().create_chat_message_follow_up().body(request()).send().into_result().await.unwrap_err();
    assert_eq!(from_user.status().unwrap().as_u16(), 412);
    assert_eq!(from_user.feedback(Lang::PtBr), Some("Um acompanhamento precisa de uma última mensagem que não seja do usuário."));
    let answer =
        client.generated().create_chat_message().body(message(chat.id, "assistant", "How can I help?")).send().into_result().await.unwrap();

    let created = client.generated().create_chat_message_follow_up().body(request()).send().into_result().await.unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    assert_eq!(created.status, ChatMessageFollowUpStatus::Pending);
    assert_eq!(created.trigger_chat_message_id, answer.id);

    let unknown_chat = request().with_chat_id(Uuid::from_u128(77));
    assert!(client.generated().create_chat_message_follow_up().body(unknown_chat).send().into_result().await.unwrap_err().is_not_found());

    let edited = UpdateChatMessageFollowUpRequest::new().with_message("Any news?".into()).with_reason(Patch::Value("manual".into()));
    let edited = client.generated().update_chat_message_follow_up().id(created.id).body(edited).send().into_result().await.unwrap();
    assert_eq!((edited.message.as_str(), edited.reason.as_deref()), ("Any news?", Some("manual")));
    let cancel = UpdateChatMessageFollowUpRequest::new().with_status(ChatMessageFollowUpUpdateStatus::Cancelled).with_reason(Patch::Null);
    let cancelled = client.generated().update_chat_message_follow_up().id(created.id).body(cancel).send().into_result().await.unwrap();
    assert_eq!(cancelled.status, ChatMessageFollowUpStatus::Cancelled);
    assert!(cancelled.finished_at.is_some());
    assert_eq!(cancelled.reason, None);
    let again = client
        .generated()
        .update_chat_message_follow_up()
        .id(created.id)
        .body(UpdateChatMessageFollowUpRequest::default())
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert_eq!(again.status().unwrap().as_u16(), 412);
    let unknown = client
        .generated()
        .update_chat_message_follow_up()
        .id(Uuid::from_u128(8))
        .body(UpdateChatMessageFollowUpRequest::default())
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert!(unknown.is_not_found());
}

#[tokio::test]
async fn follow_ups_page_through_a_seeded_dataset_with_every_filter() {
    let (mock, client) = start(Some(Seed::default().chats(20).messages_per_chat(4).follow_ups_per_chat(3).seed(9))).await;
    let all = client.list_chat_message_follow_ups_pages(|r| r).page_size(7).collect_all().await.unwrap();
    assert_eq!(all.len(), 60);
    let prefetched = client.list_chat_message_follow_ups_pages(|r| r).page_size(7).prefetch(4).collect_all().await.unwrap();
    assert_eq!(prefetched, all);
    let pending =
        client.list_chat_message_follow_ups_pages(|r| r.statuses(vec![ChatMessageFollowUpStatus::Pending])).collect_all().await.unwrap();
    assert_eq!(pending.len(), 20);
    let (chat, trigger) =
        mock.with_store(|s| (s.chats[3].id, s.follow_ups.iter().find(|f| f.chat_id == s.chats[3].id).unwrap().trigger_chat_message_id));
    let of_chat = client.list_chat_message_follow_ups_pages(move |r| r.chat_ids(vec![chat])).collect_all().await.unwrap();
    assert_eq!(of_chat.len(), 3);
    let by_trigger =
        client.list_chat_message_follow_ups_pages(move |r| r.trigger_chat_message_ids(vec![trigger])).collect_all().await.unwrap();
    assert_eq!(by_trigger.len(), 3);
    let by_message =
        client.list_chat_message_follow_ups_pages(|r| r.chat_message_ids(vec![Uuid::from_u128(1)])).collect_all().await.unwrap();
    assert!(by_message.is_empty());
    let chats: Vec<Chat> = client.list_chats_pages(|r| r).page_size(6).items().try_collect().await.unwrap();
    assert_eq!(chats.len(), 20);
}

#[tokio::test]
async fn exports_check_the_range_and_post_to_the_callback() {
    let (mock, client) = start(Some(Seed::default().chats(2).messages_per_chat(3).follow_ups_per_chat(0).seed(5))).await;
    let receiver = wiremock_receiver().await;
    let start = zaia_mock::epoch();
    let request = |start, end| {
        ExportChatMessagesRequest::new(format!("{}/hook", receiver.uri()).replace("http://", "https://"))
            .with_language(Language::EsEs)
            .with_range_end(Patch::Value(end))
            .with_range_start(start)
    };
    // over six months: refused by the mock
    let too_long = client
        .generated()
        .export_chat_messages()
        .body(request(start, start + chrono::Months::new(7)))
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert_eq!(too_long.status().unwrap().as_u16(), 400);
    assert_eq!(too_long.exception().unwrap().message, "The export period exceeds the maximum of 6 months.");

    // a plain-http loopback callback (allowed for tests) receives the messages
    let mut ok = request(start, start + chrono::Months::new(1));
    ok.callback_url = format!("{}/hook", receiver.uri());
    let raw = zaia_client::Client::new_with_client(&mock.base_url(), authorized_http(mock.api_key()), zaia_client::Hooks::default());
    raw.export_chat_messages().body(ok).send().await.unwrap();
    let mut delivered = Vec::new();
    for _ in 0..100 {
        delivered = receiver.received_requests().await.unwrap();
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(delivered.len(), 1, "the callback arrived");
    let payload: serde_json::Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_eq!(payload["chatMessages"].as_array().unwrap().len(), 6);

    // a non-https, non-loopback callback is refused by the mock too (sent without zaia-ext's check)
    let mut insecure = request(start, start + chrono::Months::new(1));
    insecure.callback_url = "http://hooks.example.com/x".into();
    match raw.export_chat_messages().body(insecure).send().await {
        Err(zaia_client::Error::ErrorResponse(e)) => assert_eq!(e.status().as_u16(), 400),
        other => panic!("{other:?}"),
    }
}

async fn wiremock_receiver() -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST")).respond_with(wiremock::ResponseTemplate::new(204)).mount(&server).await;
    server
}

fn authorized_http(key: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", key.parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

#[tokio::test]
async fn a_missing_or_unknown_key_is_a_401_with_localized_feedback() {
    let (mock, _) = start(None).await;
    let wrong = ZaiaClient::builder().api_key("nope").base_url(mock.base_url()).build().unwrap();
    let err = wrong.generated().list_chats().send().into_result().await.unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(err.feedback(Lang::EnUs), Some("You are not authorized."));
    assert_eq!(err.feedback(Lang::EsEs), Some("No estás autorizado."));
    let response = reqwest::get(format!("{}/api/v1/chats", mock.base_url())).await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
}
