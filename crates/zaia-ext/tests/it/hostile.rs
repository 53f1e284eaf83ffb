//! Servers that misbehave: bodies that are not the API's, bodies cut or endless, long
//! `Retry-After`s, slow answers, redirects. Delays are recorded by an injected sleeper, never
//! measured on the wall clock.

use std::time::Duration;

use futures::StreamExt;
use uuid::Uuid;
use zaia_ext::{ClientBuilder, Error, Paginate, RetryPolicy, SendExt};

use crate::common::*;

const HTML: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";

#[tokio::test]
async fn every_error_status_keeps_its_status_and_request_id_whatever_the_body() {
    let bodies = [HTML, "", r#"{"message":"Not Found","error":"Not Found","statusCode":404}"#, "{\"name\": 1"];
    for (status, documented) in
        [("404 Not Found", true), ("401 Unauthorized", true), ("502 Bad Gateway", false), ("418 I'm a teapot", false)]
    {
        for body in bodies {
            let server =
                raw_server(move |_, _| Reply::http(status, &[("x-request-id", "req-7"), ("content-type", "text/html")], body)).await;
            let sleeper = Recorder::default();
            let client = raw_client(&server, &sleeper).retry_policy(RetryPolicy::none()).build().unwrap();
            let err = client.generated().get_chat().id(Uuid::nil()).send().into_result().await.unwrap_err();
            let code: u16 = status[..3].parse().unwrap();
            assert_eq!(err.status().map(|s| s.as_u16()), Some(code), "{status} {body:?} (documented: {documented}): {err:?}");
            assert_eq!(err.request_id(), Some("req-7"), "{status} {body:?}");
            assert_eq!(err.is_not_found(), code == 404);
            assert_eq!(err.is_unauthorized(), code == 401);
            match &err {
                Error::Http { body: kept, .. } => assert_eq!(kept, body),
                other => panic!("{status} {body:?}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn a_huge_error_body_is_kept_to_a_short_prefix() {
    let head = "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n".to_string();
    // 300 MB announced by closing the connection, never by a length
    let server = raw_server(move |_, _| Reply::Stream { head: head.clone(), body_bytes: 300 * 1024 * 1024 }).await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    match &err {
        Error::Http { status, body, .. } => {
            assert_eq!(status.as_u16(), 500);
            assert_eq!(body.len(), zaia_ext::ERROR_BODY_LIMIT);
        }
        other => panic!("{other:?}"),
    }
    // the client stopped reading: far less than the body went out (socket buffers aside)
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = server.body_bytes_sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "the server wrote {sent} bytes");
}

#[tokio::test]
async fn a_body_cut_mid_way_is_retried_for_a_get() {
    let page = chats_json(0..3);
    let len = page.len();
    let server = raw_server(move |n, _| if n == 0 { Reply::cut(len, len / 2) } else { Reply::http("200 OK", &[], &page) }).await;
    let sleeper = Recorder::default();
    let chats = raw_client(&server, &sleeper).build().unwrap().generated().list_chats().send().into_result().await.unwrap();
    assert_eq!(chats.len(), 3);
    assert_eq!(server.connections(), 2);
    assert_eq!(sleeper.delays().len(), 1);
}

#[tokio::test]
async fn a_body_cut_that_persists_is_a_retryable_transport_error_with_its_status() {
    let server = raw_server(|_, _| Reply::cut(1000, 10)).await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper)
        .retry_policy(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(1)).max_retries(3))
        .build()
        .unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(server.connections(), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn a_body_cut_on_a_request_that_is_never_retried_is_a_retryable_transport_error() {
    // a POST is not retried: its body goes to the decoder unread, and the cut surfaces there
    let server = raw_server(|_, _| Reply::cut(1000, 10)).await;
    let sleeper = Recorder::default();
    let body = zaia_models::CreateChatRequest::new(Uuid::nil(), Uuid::nil());
    let err = raw_client(&server, &sleeper).build().unwrap().generated().create_chat().body(body).send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_body_larger_than_the_limit_is_refused_while_it_streams() {
    // declared: refused from the header, nothing read
    let server = raw_server(|_, _| Reply::http("200 OK", &[], &"x".repeat(4096))).await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper).max_response_size(1024).build().unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { limit: 1024, .. }), "{err:?}");
    assert!(err.to_string().contains("larger than the limit of 1024 bytes"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(server.connections(), 1, "not retried");

    // not declared (1 GB until the connection closes): reading stops at the limit
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".to_string();
    let server = raw_server(move |_, _| Reply::Stream { head: head.clone(), body_bytes: 1 << 30 }).await;
    let client = raw_client(&server, &sleeper).max_response_size(1 << 20).build().unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { limit: 1048576, .. }), "{err:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = server.body_bytes_sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "the server wrote {sent} bytes of 1 GiB");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_accepts_ends_the_retries_and_is_exposed() {
    let server = raw_server(|_, _| Reply::http("429 Too Many Requests", &[("retry-after", "100000")], "")).await;
    let sleeper = Recorder::default();
    let err = raw_client(&server, &sleeper).build().unwrap().generated().list_chats().send().into_result().await.unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(100_000)));
    assert_eq!(server.connections(), 1, "not retried early");
    assert!(sleeper.delays().is_empty());
}

#[tokio::test]
async fn a_short_retry_after_is_honoured_exactly() {
    let page = chats_json(0..1);
    let server = raw_server(move |n, _| {
        if n == 0 { Reply::http("503 Service Unavailable", &[("retry-after", "7")], "") } else { Reply::http("200 OK", &[], &page) }
    })
    .await;
    let sleeper = Recorder::default();
    raw_client(&server, &sleeper).build().unwrap().generated().list_chats().send().into_result().await.unwrap();
    assert_eq!(sleeper.delays(), [Duration::from_secs(7)]);
}

#[tokio::test]
async fn the_call_deadline_bounds_attempts_and_waits() {
    // a server that never answers; each attempt may take 200 ms, the call 500 ms, and the policy
    // would allow 10 retries: the deadline leaves room for 3 attempts at most
    let server = raw_server(|_, _| Reply::Hang).await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper)
        .timeout(Duration::from_millis(200))
        .operation_timeout(Duration::from_millis(500))
        .retry_policy(RetryPolicy::default().max_retries(10).delays(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!((2..=3).contains(&server.connections()), "{} attempts", server.connections());

    // one call can ask for less
    let server = raw_server(|_, _| Reply::Hang).await;
    let client = raw_client(&server, &sleeper)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::default().max_retries(10).delays(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client.generated().list_chats().send().within(Duration::from_millis(150)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn waits_that_would_pass_the_deadline_are_not_started() {
    let server = raw_server(|_, _| Reply::http("503 Service Unavailable", &[("retry-after", "20")], "")).await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper).operation_timeout(Duration::from_secs(10)).build().unwrap();
    let err = client.generated().list_chats().send().into_result().await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(20)));
    assert_eq!(server.connections(), 1);
    assert!(sleeper.delays().is_empty());
}

#[tokio::test]
async fn the_retry_budget_is_shared_by_clones_and_stops_retry_storms() {
    let page = chats_json(0..1);
    let failing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let switch = failing.clone();
    let server = raw_server(move |_, _| {
        if switch.load(std::sync::atomic::Ordering::SeqCst) {
            Reply::http("503 Service Unavailable", &[], "")
        } else {
            Reply::http("200 OK", &[], &page)
        }
    })
    .await;
    let sleeper = Recorder::default();
    // 12 tokens: two retries of a 503 (5 each)
    let client = raw_client(&server, &sleeper)
        .retry_budget(12)
        .retry_policy(RetryPolicy::default().max_retries(5).delays(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let clone = client.clone();
    client.generated().list_chats().send().into_result().await.unwrap_err();
    assert_eq!(server.connections(), 3, "1 attempt + the 2 retries the budget paid for");
    clone.generated().list_chats().send().into_result().await.unwrap_err();
    assert_eq!(server.connections(), 4, "the clone shares the empty budget: no retry");
    // successes refill it
    failing.store(false, std::sync::atomic::Ordering::SeqCst);
    for _ in 0..3 {
        client.generated().list_chats().send().into_result().await.unwrap();
    }
    failing.store(true, std::sync::atomic::Ordering::SeqCst);
    let before = server.connections();
    client.generated().list_chats().send().into_result().await.unwrap_err();
    assert_eq!(server.connections() - before, 2, "2 + 3 tokens pay for one retry again");
}

#[tokio::test]
async fn a_prefetching_stream_against_a_failing_server_is_held_by_the_budget() {
    let server = raw_server(|_, _| Reply::http("500 Internal Server Error", &[], "")).await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper)
        .retry_budget(50)
        .retry_policy(RetryPolicy::default().max_retries(10).delays(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    for _ in 0..5 {
        let mut pages = client.list_chats_pages(|r| r).page_size(10).prefetch(8).pages();
        assert!(pages.next().await.unwrap().is_err());
    }
    // without the budget: 5 streams × 8 pages × 11 attempts = 440 requests at most
    assert!(server.connections() <= 5 * 8 + 10, "{} requests", server.connections());
}

/// 1,000 paginated runs (3 pages each) through a server that cuts 20 % of bodies and answers
/// 10 % with a 5xx and resets 10 % of connections: with a few more retries than the default,
/// every run yields every item exactly once, in order.
#[tokio::test]
async fn paginated_runs_survive_a_flaky_server() {
    const TOTAL: usize = 25;
    let server = raw_server(|n, head| {
        // a fixed pseudo-random fault per connection (splitmix64 of its number)
        let mut z = (n as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let roll = (z ^ (z >> 31)) % 100;
        let page: usize = head_query(head, "pageNumber").map_or(1, |p| p.parse().unwrap());
        let size: usize = head_query(head, "pageSize").map_or(10, |p| p.parse().unwrap());
        let start = ((page - 1) * size).min(TOTAL);
        let body = chats_json(start..(start + size).min(TOTAL));
        match roll {
            0..20 => Reply::cut(body.len(), body.len() / 3),
            20..30 => Reply::http("503 Service Unavailable", &[], "overloaded"),
            30..40 => Reply::Reset,
            _ => Reply::http("200 OK", &[("content-type", "application/json")], &body),
        }
    })
    .await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper)
        .retry_policy(RetryPolicy::default().max_retries(10).delays(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let expected: Vec<u128> = (0..TOTAL as u128).collect();
    let mut failed = 0;
    for _ in 0..1000 {
        match client.list_chats_pages(|r| r).page_size(10).collect_all().await {
            Ok(chats) => assert_eq!(chats.iter().map(|c| c.id.as_u128()).collect::<Vec<_>>(), expected),
            Err(_) => failed += 1,
        }
    }
    assert_eq!(failed, 0, "runs failed");
    assert!(server.connections() > 3000, "faults were injected: {} requests for 3,000 pages", server.connections());
}

#[tokio::test]
async fn redirects_to_plain_http_elsewhere_are_refused() {
    let target = raw_server(|_, _| Reply::http("200 OK", &[], "[]")).await;
    let port = target.url.rsplit(':').next().unwrap().to_string();
    // `localhost.` is not loopback by name: the rule must refuse it (and if it did not, the
    // request would still stay on this machine)
    let location = format!("http://localhost.:{port}/api/v1/chats");
    let server = raw_server(move |_, _| Reply::http("307 Temporary Redirect", &[("location", &location)], "")).await;
    let sleeper = Recorder::default();
    let body = zaia_models::CreateChatRequest::new(Uuid::nil(), Uuid::nil());
    let err = raw_client(&server, &sleeper).build().unwrap().generated().create_chat().body(body).send().into_result().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(format!("{err}").contains("plain http"), "{err}");
    assert_eq!(target.connections(), 0, "the body was not re-sent");
}

#[tokio::test]
async fn redirects_have_a_hop_limit_and_drop_the_key_on_another_host() {
    let server = raw_server(|_, head| {
        let target = head.split_whitespace().nth(1).unwrap().to_string();
        Reply::http("302 Found", &[("location", &target)], "")
    })
    .await;
    let sleeper = Recorder::default();
    let err = raw_client(&server, &sleeper)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .generated()
        .list_chats()
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&format!("more than {} redirects", zaia_ext::MAX_REDIRECTS)), "{err}");
    assert_eq!(server.connections(), zaia_ext::MAX_REDIRECTS + 1);

    let other = raw_server(|_, _| Reply::http("200 OK", &[], "[]")).await;
    let location = other.url.replace("127.0.0.1", "localhost") + "/api/v1/chats";
    let server = raw_server(move |_, _| Reply::http("302 Found", &[("location", &location)], "")).await;
    raw_client(&server, &sleeper).build().unwrap().generated().list_chats().send().into_result().await.unwrap();
    let first = server.requests.lock().unwrap()[0].to_lowercase();
    let second = other.requests.lock().unwrap()[0].to_lowercase();
    assert!(first.contains(&format!("authorization: {}", KEY.to_lowercase())));
    assert!(!second.contains("authorization") && !second.contains("very-secret"), "{second}");
}

#[tokio::test]
async fn keys_that_are_blank_or_not_visible_ascii_are_refused_without_showing_them() {
    for key in ["", "   ", "\t", "sk-abc def", "sk-ünïcode-secret", "sk-secret\n", "sk-\u{7f}secret"] {
        let err = ClientBuilder::new().api_key(key).build().unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("secret") && !text.contains("abc"), "{key:?}: {text}");
        let from_env = ClientBuilder::from_vars(|n| (n == zaia_ext::API_KEY_VAR).then(|| key.to_string())).map(|_| ()).unwrap_err();
        assert_eq!(from_env.to_string(), err.to_string(), "{key:?}: builder and from_env agree");
    }
    let err = ClientBuilder::new().api_key("sk-abc def").build().unwrap_err();
    assert_eq!(err.to_string(), "invalid API key: white space at position 6; a key is visible ASCII only");
}

#[tokio::test]
async fn callback_urls_are_checked_as_sent() {
    let server = raw_server(|_, _| Reply::http("200 OK", &[], r#"{"message":"ok"}"#)).await;
    let sleeper = Recorder::default();
    let client = raw_client(&server, &sleeper).build().unwrap();
    for url in [" https://hooks.example.com/x", "https:hooks.example.com", "http://hooks.example.com", "https://"] {
        let body = zaia_models::ExportChatMessagesRequest::new(url.into()).with_range_start(chrono::Utc::now());
        let err = client.generated().export_chat_messages().body(body).send().into_result().await.unwrap_err();
        assert!(matches!(&err, Error::InvalidRequest { field: Some(f), .. } if f == "callbackUrl"), "{url:?}: {err:?}");
    }
    assert_eq!(server.connections(), 0);
}

/// The attempt timeout is the SDK's, whichever reqwest client sends: a caller's own client has
/// no timeout the SDK knows of, so every attempt carries its own (with the SDK's client, an
/// attempt given the whole timeout leaves it to the client's default).
#[tokio::test]
async fn the_attempt_timeout_holds_with_the_callers_own_reqwest_client() {
    for own in [false, true] {
        let server = raw_server(|_, _| Reply::Hang).await;
        let sleeper = Recorder::default();
        let mut builder = raw_client(&server, &sleeper)
            .timeout(Duration::from_millis(150))
            .operation_timeout(Duration::from_millis(1_000))
            .retry_policy(RetryPolicy::default().max_retries(2).delays(Duration::from_millis(1), Duration::from_millis(1)));
        if own {
            builder = builder.http_client(reqwest::Client::builder().build().unwrap());
        }
        let err = builder.build().unwrap().list_chats().await.unwrap_err();
        assert!(matches!(err, Error::Timeout(_)), "{err:?}");
        // each attempt timed out on its own: all three were made before the call's deadline
        assert_eq!(server.connections(), 3, "own client: {own}");
    }
}

/// A retryable request's body is read inside the retry loop and handed to the generated code as
/// the response's `ReadAhead`; wherever the generated code hands a response to the caller (a
/// status it does not document), the body is back in place, byte for byte, with the head.
#[tokio::test]
async fn a_body_read_ahead_reaches_the_caller_whole_on_every_path() {
    let api_error = serde_json::to_string(&known_exception("ConflictException")).unwrap();
    for (status, body) in [("202 Accepted", r#"{"queued":true}"#.to_string()), ("409 Conflict", api_error)] {
        for retrying in [true, false] {
            let sent = body.clone();
            let server =
                raw_server(move |_, _| Reply::http(status, &[("x-request-id", "req-9"), ("content-type", "application/json")], &sent))
                    .await;
            let sleeper = Recorder::default();
            let policy = if retrying { RetryPolicy::default() } else { RetryPolicy::none() };
            let client = raw_client(&server, &sleeper).retry_policy(policy).build().unwrap();
            let id = Uuid::from_u128(1);

            // the low-level client hands the unexpected response over: its body is whole
            let Err(progenitor_client::Error::UnexpectedResponse(response)) = client.generated().get_chat().id(id).send().await else {
                panic!("{status}: not an unexpected response")
            };
            assert_eq!(response.status().as_str(), &status[..3]);
            assert_eq!(response.headers()["x-request-id"], "req-9");
            assert_eq!(response.url().path(), format!("/api/v1/chats/{id}"));
            assert_eq!(response.text().await.unwrap(), body, "{status}, retrying: {retrying}");

            // and the SDK's error says what the body said
            let err = client.get_chat(id).await.unwrap_err();
            assert_eq!(err.status().unwrap().as_str(), &status[..3]);
            assert_eq!(err.request_id(), Some("req-9"));
            match &err {
                Error::Http { body: kept, .. } => assert_eq!(kept, &body),
                Error::Api { exception, .. } => assert_eq!(exception.name, "ConflictException"),
                other => panic!("{other:?}"),
            }
        }
    }
}
