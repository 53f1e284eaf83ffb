//! Pagination streams against a page server on 127.0.0.1.

use std::time::Duration;

use crate::common::*;
use futures::{StreamExt, TryStreamExt};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use zaia_ext::{Error, Paginate, RetryPolicy};

async fn serve(pages: &ChatPages) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/api/v1/chats")).respond_with(pages.clone()).mount(&server).await;
    server
}

fn ids(chats: &[zaia_models::Chat]) -> Vec<u128> {
    chats.iter().map(|c| c.id.as_u128()).collect()
}

#[tokio::test]
async fn lazy_streams_issue_exactly_the_needed_requests() {
    let pages = ChatPages::new(95);
    let server = serve(&pages).await;
    let client = client(&server);
    let all = client.list_chats_pages(|r| r).page_size(10).collect_all().await.unwrap();
    assert_eq!(ids(&all), (0..95).collect::<Vec<_>>());
    assert_eq!(pages.count(), 10, "pages 1..=10, the 10th short");

    // a total that fills its last page needs one empty page to see the end
    let full = ChatPages::new(40);
    let server = serve(&full).await;
    let all = crate::common::client(&server).list_chats_pages(|r| r).page_size(10).collect_all().await.unwrap();
    assert_eq!(all.len(), 40);
    assert_eq!(full.count(), 5);
}

#[tokio::test]
async fn a_lazy_stream_requests_the_next_page_only_when_the_last_is_consumed() {
    let pages = ChatPages::new(1000);
    let server = serve(&pages).await;
    let client = client(&server);
    let mut items = client.list_chats_pages(|r| r).page_size(10).items();
    for expected in 0..10u128 {
        assert_eq!(items.try_next().await.unwrap().unwrap().id.as_u128(), expected);
    }
    assert_eq!(pages.count(), 1, "ten items from one page");
    items.try_next().await.unwrap().unwrap();
    assert_eq!(pages.count(), 2, "the eleventh item needs page 2");
    drop(items);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(pages.count(), 2, "dropping the stream stops requests");
}

#[tokio::test]
async fn prefetch_keeps_order_and_stops_at_the_end() {
    for window in [2, 4, 8, 16] {
        let mut pages = ChatPages::new(95);
        pages.delay = Duration::from_millis(5);
        let server = serve(&pages).await;
        let client = client(&server);
        let all = client.list_chats_pages(|r| r).page_size(10).prefetch(window).collect_all().await.unwrap();
        assert_eq!(ids(&all), (0..95).collect::<Vec<_>>(), "window {window}");
        // pages 1..=10 are needed; at most window-1 more were in flight when page 10 came back.
        // Requests already on the wire when the stream cancelled them may still arrive, so the
        // bound is checked after a pause, on the page numbers the server saw.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let issued = pages.count();
        assert!((10..10 + window).contains(&issued), "window {window}: {issued} requests");
        let highest = server.received_requests().await.unwrap().iter().filter_map(|r| query(r, "pageNumber")?.parse::<usize>().ok()).max();
        assert!(highest.unwrap() < 10 + window, "window {window}: page {highest:?} requested");
    }
}

#[tokio::test]
async fn dropping_a_prefetching_stream_cancels_it() {
    let mut pages = ChatPages::new(10_000);
    pages.delay = Duration::from_millis(20);
    let server = serve(&pages).await;
    let client = client(&server);
    let mut stream = client.list_chats_pages(|r| r).page_size(10).prefetch(4).pages();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.len(), 10);
    drop(stream);
    // four were in flight; once dropped, nothing more is issued (requests already on the wire
    // may still arrive, hence the pause before counting)
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = pages.count();
    assert!(after <= 4, "{after} requests for a window of 4");
}

#[tokio::test]
async fn an_error_ends_the_stream_after_every_earlier_item() {
    for window in [1, 4] {
        let mut pages = ChatPages::new(100);
        pages.failing_page = Some(3);
        let server = serve(&pages).await;
        let client = zaia_ext::ClientBuilder::new().api_key(KEY).base_url(server.uri()).retry_policy(RetryPolicy::none()).build().unwrap();
        let results: Vec<Result<zaia_models::Chat, Error>> =
            client.list_chats_pages(|r| r).page_size(10).prefetch(window).items().collect().await;
        assert_eq!(results.len(), 21, "window {window}: 20 items, then the error, then the end");
        let items: Vec<u128> = results[..20].iter().map(|r| r.as_ref().unwrap().id.as_u128()).collect();
        assert_eq!(items, (0..20).collect::<Vec<_>>());
        let error = results[20].as_ref().unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{error}");
    }
}

#[tokio::test]
async fn filters_and_page_parameters_go_on_every_request() {
    let pages = ChatPages::new(25);
    let server = serve(&pages).await;
    let client = client(&server);
    let owner = Uuid::from_u128(7);
    client.list_chats_pages(move |r| r.owner_ids(vec![owner])).page_size(10).start_page(2).collect_all().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let queries: Vec<String> = requests.iter().map(|r| r.url.query().unwrap().to_string()).collect();
    assert_eq!(queries, [format!("ownerIds={owner}&pageNumber=2&pageSize=10"), format!("ownerIds={owner}&pageNumber=3&pageSize=10")]);
}

#[tokio::test]
async fn an_out_of_range_page_size_sends_nothing() {
    let pages = ChatPages::new(5);
    let server = serve(&pages).await;
    let client = client(&server);
    for size in [0, 101] {
        let results: Vec<_> = client.list_chats_pages(|r| r).page_size(size).items().collect().await;
        assert_eq!(results.len(), 1);
        match &results[0] {
            Err(Error::InvalidRequest { field, message }) => {
                assert_eq!(field.as_deref(), Some("pageSize"));
                assert_eq!(message, &format!("must be 1..=100, got {size}"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(pages.count(), 0);
}

#[tokio::test]
async fn chat_messages_are_one_page_of_up_to_limit() {
    let server = MockServer::start().await;
    let message = serde_json::json!({"createdAt": "2026-11-21T10:00:00Z", "id": Uuid::nil(), "updatedAt": "2026-11-21T10:00:00Z",
        "chatId": Uuid::nil(), "chatThreadId": null, "content": "hi", "externalId": null, "rawContent": null, "role": "user", "senderId": null});
    Mock::given(method("GET"))
        .and(path("/api/v1/chat-messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vec![message.clone(), message]))
        .mount(&server)
        .await;
    let client = client(&server);
    let chat = Uuid::from_u128(1);
    let all = client.list_chat_messages_pages(chat, |r| r).page_size(2).collect_all().await.unwrap();
    assert_eq!(all.len(), 2);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "the list has no second page");
    // the wire form of `pagination {limit}`: form/explode, as the spec says (see pagination docs)
    assert_eq!(requests[0].url.query(), Some(format!("chatId={chat}&limit=2").as_str()));
    let too_big: Vec<_> = client.list_chat_messages_pages(chat, |r| r).page_size(1001).items().collect().await;
    assert!(matches!(&too_big[0], Err(Error::InvalidRequest { field: Some(f), .. }) if f == "limit"));
}
