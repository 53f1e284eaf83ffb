//! Benchmarks of the SDK at run time (generation is `cargo xtask bench`). Run in release:
//!
//! ```sh
//! cargo run --release -p zaia-bench -- overhead     # SDK list call vs hand-written reqwest + serde_json
//! cargo run --release -p zaia-bench -- pagination   # 10,000 items in 100 pages, 20 ms a page: lazy vs prefetch
//! cargo run --release -p zaia-bench -- memory       # peak RSS streaming 10,000 and 100,000 items
//! cargo run --release -p zaia-bench -- all
//! ```
//!
//! Every figure is printed with a baseline measured in the same run. The server is an axum app
//! on 127.0.0.1 on its own runtime thread; requests are bounded in number.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use futures::StreamExt;
use zaia_ext::{Paginate, RetryPolicy, SendExt, ZaiaClient};
use zaia_models::Chat;

mod mock_load;

const KEY: &str = "bench-key";

/// Pages of chats: `total` items, `delay` per request. Pages of 100 are rendered once when
/// `prerender` is set, so the server's own work stays off the measured path; otherwise they are
/// made per request, so a large catalogue costs the server no memory (the memory benchmark).
struct Catalogue {
    total: u64,
    delay: Duration,
    pages_of_100: Vec<String>,
}

impl Catalogue {
    fn new(total: u64, delay: Duration, prerender: bool) -> Self {
        let pages_of_100 =
            if prerender { (0..=total / 100).map(|p| render(p * 100, ((p + 1) * 100).min(total))).collect() } else { Vec::new() };
        Catalogue { total, delay, pages_of_100 }
    }
}

fn render(start: u64, end: u64) -> String {
    format!("[{}]", (start..end).map(chat_json).collect::<Vec<_>>().join(","))
}

fn chat_json(i: u64) -> String {
    format!(
        r#"{{"createdAt":"2026-11-21T10:00:00Z","id":"00000000-0000-4000-8000-{i:012x}","isRemoved":false,"updatedAt":"2026-11-21T10:00:00Z","channelId":"00000000-0000-4000-8000-000000000001","ownerId":"00000000-0000-4000-8000-000000000002","responderId":"00000000-0000-4000-8000-000000000003","title":"Chat {i}","workspaceId":"00000000-0000-4000-8000-000000000004"}}"#
    )
}

async fn chats(State(catalogue): State<Arc<Catalogue>>, RawQuery(query): RawQuery) -> impl IntoResponse {
    let mut page = 1u64;
    let mut size = 10u64;
    for (k, v) in url_pairs(query.as_deref().unwrap_or("")) {
        match k {
            "pageNumber" => page = v.parse().unwrap_or(1),
            "pageSize" => size = v.parse().unwrap_or(10),
            _ => {}
        }
    }
    if !catalogue.delay.is_zero() {
        // tokio's timer has 1 ms ticks and rounds up (a 20 ms sleep lasts ~21 ms); a thread
        // sleep is within a few µs, so the server adds the 20 ms it is meant to
        let delay = catalogue.delay;
        tokio::task::spawn_blocking(move || std::thread::sleep(delay)).await.unwrap();
    }
    let start = ((page - 1) * size).min(catalogue.total);
    let end = (start + size).min(catalogue.total);
    let body = match catalogue.pages_of_100.get(page as usize - 1) {
        Some(rendered) if size == 100 => rendered.clone(),
        _ => render(start, end),
    };
    ([(CONTENT_TYPE, "application/json")], body)
}

fn url_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query.split('&').filter_map(|pair| pair.split_once('='))
}

/// Starts the server on its own thread and runtime; returns its base URL.
fn serve(catalogue: Catalogue) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!("http://{}", listener.local_addr().unwrap())).unwrap();
            let app = Router::new().route("/api/v1/chats", get(chats)).with_state(Arc::new(catalogue));
            // small responses go out at once (no Nagle delay waiting for the client's ACK)
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn client(base: &str) -> ZaiaClient {
    ZaiaClient::builder().api_key(KEY).base_url(base).retry_policy(RetryPolicy::none()).build().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Bytes of the futures a call is made of: every call's future is moved (and boxed) whole.
fn sizes() {
    let sdk = client("http://127.0.0.1:1");
    let size = NonZeroU64::new(10).unwrap();
    println!("future sizes (bytes) of list_chats");
    println!("  the call surface, sent:             {:>6}", std::mem::size_of_val(&sdk.list_chats().page_size(10).send()));
    println!("  the generated builder, sent:        {:>6}", std::mem::size_of_val(&sdk.generated().list_chats().page_size(size).send()));
    println!(
        "  the same with .into_result():       {:>6}",
        std::mem::size_of_val(&sdk.generated().list_chats().page_size(size).send().into_result())
    );
}

/// `requests` calls of one variant against the local server, nothing measured: a profiler's
/// workload (`valgrind --tool=callgrind`, perf), to compare variants' instruction counts.
fn profile(requests: usize, variant: Variant) {
    let rt = runtime();
    let calls = Calls::new(&serve(Catalogue::new(10, Duration::ZERO, false)));
    rt.block_on(async {
        for _ in 0..requests {
            calls.call(variant).await;
        }
    });
}

/// What the overhead benchmark times, each against the same local server.
#[derive(Clone, Copy)]
enum Variant {
    /// hand-written reqwest + serde_json: the baseline
    Baseline,
    /// the call surface users write, retries off
    Surface,
    /// the generated builder the surface wraps, through the same client
    Builder,
    /// the generated client with no zaia-ext runtime
    Plain,
    /// the call surface on a client as most programs build it: the default retry policy (a GET
    /// may be retried, so each body is read inside the retry loop)
    DefaultPolicy,
}

const VARIANTS: [Variant; 5] = [Variant::Baseline, Variant::Surface, Variant::Builder, Variant::Plain, Variant::DefaultPolicy];

impl Variant {
    fn parse(name: &str) -> Option<Variant> {
        Some(match name {
            "baseline" => Variant::Baseline,
            "surface" => Variant::Surface,
            "builder" => Variant::Builder,
            "plain" => Variant::Plain,
            "default" => Variant::DefaultPolicy,
            _ => return None,
        })
    }
}

/// The clients of every variant, against one server.
struct Calls {
    sdk: ZaiaClient,
    retrying: ZaiaClient,
    http: reqwest::Client,
    url: String,
    plain: zaia_client::Client,
}

impl Calls {
    fn new(base: &str) -> Calls {
        let mut plain_headers = reqwest::header::HeaderMap::new();
        plain_headers.insert("authorization", KEY.parse().unwrap());
        Calls {
            sdk: client(base),
            retrying: ZaiaClient::builder().api_key(KEY).base_url(base).build().unwrap(),
            http: reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).timeout(Duration::from_secs(30)).build().unwrap(),
            url: format!("{base}/api/v1/chats"),
            plain: zaia_client::Client::new_with_client(
                base,
                reqwest::Client::builder().default_headers(plain_headers).timeout(Duration::from_secs(30)).build().unwrap(),
                zaia_client::Hooks::default(),
            ),
        }
    }

    /// One list call of ten chats.
    async fn call(&self, variant: Variant) {
        let size = NonZeroU64::new(10).unwrap();
        let chats: Vec<Chat> = match variant {
            Variant::Baseline => {
                let response = self.http.get(&self.url).query(&[("pageSize", "10")]).header("authorization", KEY).send().await.unwrap();
                assert!(response.status().is_success());
                serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
            }
            Variant::Surface => self.sdk.list_chats().page_size(10).await.unwrap(),
            Variant::Builder => self.sdk.generated().list_chats().page_size(size).send().into_result().await.unwrap().into_inner(),
            Variant::Plain => self.plain.list_chats().page_size(size).send().await.unwrap().into_inner(),
            Variant::DefaultPolicy => self.retrying.list_chats().page_size(10).await.unwrap(),
        };
        assert_eq!(chats.len(), 10);
    }
}

/// SDK list call vs a hand-written reqwest + serde_json call of the same endpoint.
///
/// Each round runs a block of calls of every variant, in an order rotated round by round; a
/// variant's figure is the median over rounds of its block's time / the baseline's block time
/// in the same round. Pairing within a round cancels the drift of a shared VM (whole-run medians
/// moved ±3 % between identical runs; paired ratios much less).
fn overhead(requests: usize) {
    let rt = runtime();
    let calls = Calls::new(&serve(Catalogue::new(10, Duration::ZERO, false)));
    let call = |variant| calls.call(variant);
    let block = 50;
    let rounds = (requests / block).max(1);
    let mut blocks = vec![Vec::with_capacity(rounds); VARIANTS.len()];
    rt.block_on(async {
        // warm up connections and caches
        for _ in 0..100 {
            for variant in VARIANTS {
                call(variant).await;
            }
        }
        for round in 0..rounds {
            for k in 0..VARIANTS.len() {
                let v = (round + k) % VARIANTS.len();
                let start = Instant::now();
                for _ in 0..block {
                    call(VARIANTS[v]).await;
                }
                blocks[v].push(start.elapsed());
            }
        }
    });
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let per_request = |v: usize| median(blocks[v].iter().map(|d| d.as_secs_f64() * 1e6 / block as f64).collect());
    let ratio = |v: usize, of: usize| median((0..rounds).map(|r| blocks[v][r].as_secs_f64() / blocks[of][r].as_secs_f64()).collect());
    let (baseline, surface, builder, plain, default_policy) = (0, 1, 2, 3, 4);
    println!("per-request overhead: {rounds} rounds of {block} list calls per variant, order rotated each round");
    println!("  (× = median over rounds of the variant's block time / the baseline's in the same round)");
    println!("  baseline: reqwest + serde_json, by hand         {:>7.1} µs/request", per_request(baseline));
    for (v, name) in [
        (default_policy, "zaia-ext, default retry policy"),
        (surface, "zaia-ext, retries off"),
        (plain, "generated client alone (no zaia-ext runtime)"),
    ] {
        println!("  {name:<47} {:>7.1} µs/request, {:.3}×", per_request(v), ratio(v, baseline));
    }
    println!("  the call surface / the generated builder it wraps (retries off): {:.3}", ratio(surface, builder));
}

/// 10,000 items in 100 pages, 20 ms a page: lazy vs prefetch windows.
fn pagination() {
    let delay = Duration::from_millis(20);
    let base = serve(Catalogue::new(10_000, delay, true));
    let rt = runtime();
    let sdk = client(&base);
    let run = |window: usize| {
        rt.block_on(async {
            let start = Instant::now();
            let mut items = sdk.list_chats_pages(|r| r).page_size(100).prefetch(window).items();
            let mut n = 0;
            while let Some(item) = items.next().await {
                item.unwrap();
                n += 1;
            }
            assert_eq!(n, 10_000);
            start.elapsed()
        })
    };
    let median = |window| {
        let mut samples: Vec<Duration> = (0..3).map(|_| run(window)).collect();
        samples.sort();
        samples[1]
    };
    let lazy = median(1);
    // the floor for window 8: the same 101 requests, 8 at a time, with bare reqwest
    let http = reqwest::Client::new();
    let floor = {
        let mut samples: Vec<Duration> = (0..3)
            .map(|_| {
                rt.block_on(async {
                    let start = Instant::now();
                    let pages = futures::stream::iter(1..=101u64)
                        .map(|page| {
                            let request =
                                http.get(format!("{base}/api/v1/chats?pageNumber={page}&pageSize=100")).header("authorization", KEY);
                            async move { request.send().await.unwrap().bytes().await.unwrap().len() }
                        })
                        .buffered(8);
                    let total: usize = pages.collect::<Vec<_>>().await.into_iter().sum();
                    assert!(total > 0);
                    start.elapsed()
                })
            })
            .collect();
        samples.sort();
        samples[1]
    };
    // 101 requests (the last one empty) at 20 ms each cannot overlap below this
    println!("pagination, 10,000 items in pages of 100, server adds {delay:?} per request (median of 3)");
    println!("  lazy (baseline)   {:>9.3?}", lazy);
    println!("  floor: bare reqwest, 101 requests 8 at a time  {:>9.3?}", floor);
    for window in [2, 4, 8, 16] {
        let t = median(window);
        println!("  prefetch {window:>2}       {:>9.3?}  ({:.2}× lazy)", t, t.as_secs_f64() / lazy.as_secs_f64());
    }
}

/// Peak RSS of a child that streams `items` items (0: starts everything, streams nothing).
fn memory_child(items: u64, window: usize) {
    let base = serve(Catalogue::new(items, Duration::ZERO, false));
    let rt = runtime();
    let sdk = client(&base);
    let n = rt.block_on(async {
        if items == 0 {
            return 0;
        }
        let mut stream = sdk.list_chats_pages(|r| r).page_size(100).prefetch(window).items();
        let mut n = 0u64;
        while let Some(item) = stream.next().await {
            item.unwrap();
            n += 1;
        }
        n
    });
    assert_eq!(n, items);
    println!("{}", peak_rss_kib());
}

/// This process's peak resident set (`VmHWM`), in KiB.
fn peak_rss_kib() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status.lines().find(|l| l.starts_with("VmHWM")).unwrap().split_whitespace().nth(1).unwrap().to_string()
}

/// One call against a server that streams `body_mib` MiB with no declared length, through a
/// client limited to `limit_mib`; prints the peak RSS in KiB.
fn memory_limit_child(body_mib: u64, limit_mib: u64) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else { return };
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request);
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[");
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..body_mib {
            if socket.write_all(&chunk).is_err() {
                return; // the client stopped reading
            }
        }
    });
    let rt = runtime();
    if body_mib > 0 {
        let sdk = ZaiaClient::builder()
            .api_key(KEY)
            .base_url(&base)
            .max_response_size(limit_mib << 20)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = rt.block_on(sdk.generated().list_chats().send().into_result()).unwrap_err();
        assert!(matches!(err, zaia_ext::Error::ResponseTooLarge { .. }), "{err}");
    }
    println!("{}", peak_rss_kib());
}

/// Runs this program with `args` in a process of its own; its peak RSS in MiB.
fn child_peak_mib(args: &[&str]) -> f64 {
    let out = std::process::Command::new(std::env::current_exe().unwrap()).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().parse::<f64>().unwrap() / 1024.0
}

/// Peak memory when a body is larger than the client's limit: near the limit, not the body.
fn memory_limit() {
    let peak = |body: u64, limit: u64| child_peak_mib(&["memory-limit-child", &body.to_string(), &limit.to_string()]);
    let baseline = peak(0, 0);
    println!("peak RSS (VmHWM) when the body is larger than the limit; baseline: same process, no request");
    println!("  baseline                                 {baseline:>7.1} MiB");
    for (body, limit) in [(1024, 8), (1024, 32), (256, 32)] {
        let p = peak(body, limit);
        println!("  {body:>5} MiB body, {limit:>2} MiB limit  {p:>7.1} MiB   (above baseline: {:.1} MiB)", p - baseline);
    }
}

fn memory() {
    let peak = |items: u64, window: usize| child_peak_mib(&["memory-child", &items.to_string(), &window.to_string()]);
    let baseline = peak(0, 1);
    println!("peak RSS (VmHWM) streaming chats in pages of 100; baseline: same process, no items streamed");
    println!("  baseline                     {baseline:>7.1} MiB");
    for window in [1, 8] {
        let small = peak(10_000, window);
        let large = peak(100_000, window);
        let mode = if window == 1 { "lazy       ".to_string() } else { format!("prefetch {window:<2}") };
        println!(
            "  {mode}  10,000 items {small:>7.1} MiB   100,000 items {large:>7.1} MiB   (100k / 10k = {:.3}; 100k − baseline = {:.1} MiB)",
            large / small,
            large - baseline
        );
    }
}

fn main() {
    // the baseline's reqwest::Client, built here, needs a TLS provider (README, "TLS"); ring's,
    // deprecated in rustls 0.23.48 (no post-quantum key exchange), is what the SDK falls back to
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if cfg!(debug_assertions) && !args.first().is_some_and(|a| a.ends_with("-child")) {
        eprintln!("note: a debug build; run with --release for figures worth recording");
    }
    match args.first().map(String::as_str) {
        Some("overhead") => overhead(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20_000)),
        Some("pagination") => pagination(),
        // N SDK list calls and nothing else: for a profiler (`valgrind --tool=callgrind`, perf)
        Some("profile") => profile(
            args.get(1).and_then(|n| n.parse().ok()).unwrap_or(2_000),
            args.get(2).and_then(|v| Variant::parse(v)).unwrap_or(Variant::Surface),
        ),
        // the size of the future each call is moved around in (see zaia_ext::call)
        Some("sizes") => sizes(),
        Some("memory") => memory(),
        Some("memory-child") => memory_child(args[1].parse().unwrap(), args[2].parse().unwrap()),
        Some("memory-limit") => memory_limit(),
        Some("memory-limit-child") => memory_limit_child(args[1].parse().unwrap(), args[2].parse().unwrap()),
        // the mock as a server others run (issue 26): bounded memory under load and over time
        Some("mock-load") => mock_load::load(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(15)),
        Some("mock-load-child") => mock_load::load_child(args[1].parse().unwrap(), args[2].parse().unwrap()),
        Some("mock-soak") => mock_load::soak(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000)),
        Some("mock-soak-child") => mock_load::soak_child(args[1].parse().unwrap()),
        Some("all") => {
            overhead(20_000);
            pagination();
            memory();
        }
        _ => eprintln!(
            "usage: zaia-bench <overhead [requests]|pagination|memory|memory-limit|mock-load [secs]|mock-soak [requests]|profile [requests [baseline|surface|builder|plain|default]]|sizes|all>"
        ),
    }
}
