//! A stateful fake of the Zaia Public API, for tests and demos without a network or a key.
//!
//! **Start here:** `MockServer::start(MockConfig::default())` in a test, then point a client at
//! `mock.base_url()` with `mock.api_key()` (example below).
//!
//! It implements the chats, chat messages and follow-ups over in-memory state, with the rules
//! the vendor documents (404s, 412s for follow-ups, 6-month exports, 401 for a missing or
//! unknown key), and serves every other operation of the spec from the spec ([`spec`]: its
//! examples, or values synthesised from the seed). Every request is validated against the spec
//! first: a malformed one gets a 400 naming the field. Every error is a `KnownException` in
//! enUs, esEs and ptBr. Its responses are checked against the merged spec's schemas in this
//! crate's contract tests.
//!
//! ```no_run
//! use zaia_mock::{MockConfig, MockServer, Seed};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let mock = MockServer::start(MockConfig::default().seed(Seed::default())).await?;
//! let client = zaia_ext::ClientBuilder::new().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
//! let chats = client.list_chats().send().await.unwrap();
//! assert_eq!(chats.len(), 10);
//! # Ok(()) }
//! ```
//!
//! As a program: `cargo run -p zaia-mock -- --port 8080 --chats 25` (`--help` for every option;
//! `cargo install zaia-mock` installs it; the crate's README shows it as a CI service). The
//! program is the default `cli` feature: `default-features = false, features = ["callbacks"]`
//! leaves its command-line parser out of a test's build.
//!
//! # Testing your code
//!
//! - [`faults`]: make it fail as the API can (each documented status, typed per operation, and
//!   429 with `Retry-After`, 5xx, delays, cut bodies, resets), once, `n` times or in sequence:
//!   [`MockServer::arm`], [`MockServer::arm_sequence`].
//! - The journal: the last requests and their answers ([`MockServer::journal`], [`Exchange`];
//!   bounded, see [`journal`]), never the key; counters by operation and status
//!   ([`MockServer::counters`]); every answer carries [`REQUEST_ID_HEADER`].
//! - State for every resource: operations served from the spec keep what is created, updated
//!   and deleted, by resource.
//! - [`MockServer::start_blocking`]: one line from sync code.
//! - The admin API for other languages: `/__zaia-mock/journal` and `/__zaia-mock/faults`
//!   ([`ADMIN_PREFIX`]; see the `admin` section below).
//!
//! ```rust,no_run
//! use std::time::Duration;
//! use zaia_ext::ZaiaClient;
//! use zaia_ext::models::*;
//! use zaia_mock::{MockConfig, MockServer, Seed, faults};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = MockServer::start(MockConfig::default().seed(Seed::default())).await?;
//! let client = ZaiaClient::builder().api_key(mock.api_key()).base_url(mock.base_url()).build()?;
//!
//! // a retry path: a 429 with Retry-After, then the usual answer
//! mock.arm(faults::list_chats::rate_limited(Duration::from_secs(1)).once());
//! let chats = client.list_chats().await?;
//! assert_eq!(mock.journal().iter().map(|e| e.status).collect::<Vec<_>>(), [429, 200]);
//!
//! // create, then read
//! let created = client.create_chat(CreateChatRequest::new(chats[0].channel_id.unwrap(), Uuid::nil())).await?;
//! assert_eq!(client.get_chat(created.id).await?.id, created.id);
//! # Ok(()) }
//! ```
//!
//! ## The admin API
//!
//! | request | what it does |
//! |---|---|
//! | `GET /__zaia-mock/health` | `200 {"status": "ok", "requests": n}` once the mock answers |
//! | `GET /__zaia-mock/journal` | the last exchanges, oldest first (JSON array; `x-zaia-mock-dropped`: how many it no longer holds) |
//! | `DELETE /__zaia-mock/journal` | empties it |
//! | `GET /__zaia-mock/counters` | requests by operation and status: `[{"operation": "get_chat", "status": 200, "count": 3}]` |
//! | `DELETE /__zaia-mock/counters` | zeroes them |
//! | `POST /__zaia-mock/faults` | arms a fault: `{"kind": "status", "status": 404, "operation": "get_chat", "times": 1}` |
//! | `GET /__zaia-mock/faults` | the faults still armed |
//! | `DELETE /__zaia-mock/faults` | disarms them all |
//!
//! A fault's `kind` is `status` (a status the operation documents, else 400), `undocumented`
//! (any status), `rate-limited` (`retryAfterSeconds`), `server-error` (`status`, 5xx), `delay`
//! (`delayMs`), `cut-body` or `reset`; `operation` (an operation id) is optional but for
//! `status`, and `times` (omitted: every request) limits it.

#![warn(missing_docs)]

mod admin;
mod errors;
pub mod faults;
pub mod journal;
mod resources;
mod routes;
pub mod seed;
pub mod spec;
pub mod store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use admin::{DROPPED_HEADER, PREFIX as ADMIN_PREFIX};
pub use errors::ApiError;
pub use faults::{Fault, FaultKind};
pub use journal::RequestCount;
pub use resources::item_key;
pub use seed::{Seed, epoch};
pub use store::{Channel, Store};

/// How the mock behaves: [`MockConfig::default`], then the setters.
///
/// ```
/// use zaia_mock::{MockConfig, Seed};
/// let config = MockConfig::default().seed(Seed::default().chats(5)).api_keys(["k1", "k2"]).journal_capacity(100);
/// assert_eq!((config.api_keys.len(), config.journal_capacity), (2, 100));
/// assert_eq!(MockConfig::default().api_keys, ["test-key"]);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MockConfig {
    /// Keys accepted in the `authorization` header (default: `test-key`).
    pub api_keys: Vec<String>,
    /// Lets export callbacks go to loopback addresses (and plain http there), for tests.
    pub allow_loopback_callbacks: bool,
    /// A deterministic dataset to start with.
    pub seed: Option<Seed>,
    /// How many exchanges the journal keeps, the last ones (default
    /// [`journal::DEFAULT_CAPACITY`]); 0 keeps none, only the counters.
    pub journal_capacity: usize,
    /// How much of each request and answer body the journal keeps, in bytes (default
    /// [`journal::DEFAULT_BODY_LIMIT`]); a longer body is cut and marked
    /// ([`Exchange::body_cut_from`]).
    pub journal_body_limit: usize,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            api_keys: vec!["test-key".into()],
            allow_loopback_callbacks: false,
            seed: None,
            journal_capacity: journal::DEFAULT_CAPACITY,
            journal_body_limit: journal::DEFAULT_BODY_LIMIT,
        }
    }
}

impl MockConfig {
    /// The keys accepted in the `authorization` header, instead of `test-key`.
    pub fn api_keys<K: Into<String>>(mut self, keys: impl IntoIterator<Item = K>) -> Self {
        self.api_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Starts with this dataset.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Lets export callbacks go to loopback addresses (and plain http there), for tests.
    pub fn allow_loopback_callbacks(mut self, allow: bool) -> Self {
        self.allow_loopback_callbacks = allow;
        self
    }

    /// Keeps the last `exchanges` in the journal (0: none, only the counters).
    pub fn journal_capacity(mut self, exchanges: usize) -> Self {
        self.journal_capacity = exchanges;
        self
    }

    /// Keeps up to `bytes` of each body in the journal.
    pub fn journal_body_limit(mut self, bytes: usize) -> Self {
        self.journal_body_limit = bytes;
        self
    }
}

/// One request and the mock's answer, as the journal keeps them.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// let mock = zaia_mock::MockServer::start(zaia_mock::MockConfig::default()).await?;
/// // ... requests ...
/// for exchange in mock.journal() {
///     println!("{:?} {} {} → {}", exchange.operation, exchange.method, exchange.path, exchange.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Exchange {
    /// The operation id (`get_chat`), when the request matched an operation of the spec.
    pub operation: Option<String>,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The route template (`/api/v1/chats/{id}`), as in the spec.
    pub path: String,
    /// The concrete path (`/api/v1/chats/5f0c…`).
    pub uri_path: String,
    /// The query parameters, in order (repeated keys repeated).
    pub query: Vec<(String, String)>,
    /// The request's headers, lower-case names, without the API key's.
    pub headers: Vec<(String, String)>,
    /// The request's JSON body (`null` when it had none or it was not JSON; its text, cut, when
    /// it was longer than the journal keeps).
    pub request_body: serde_json::Value,
    /// The request body's whole length in bytes, when the journal cut it
    /// ([`MockConfig::journal_body_limit`]).
    pub request_body_cut_from: Option<usize>,
    /// The status answered.
    pub status: u16,
    /// The JSON body answered (as for `request_body`).
    pub body: serde_json::Value,
    /// The answer body's whole length in bytes, when the journal cut it.
    pub body_cut_from: Option<usize>,
    /// The request id the mock answered with (`x-request-id`).
    pub request_id: String,
    /// Answered from the spec (no stateful handler for this operation).
    pub served_from_spec: bool,
}

/// The header the mock puts its request id in on every answer. The vendor documents none;
/// `x-request-id` is the common one, and the SDK reads it first.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub(crate) struct AppState {
    config: MockConfig,
    store: Mutex<Store>,
    journal: Mutex<journal::Journal>,
    faults: Mutex<Vec<Fault>>,
    /// State of the operations served from the spec, by collection path.
    resources: Mutex<resources::Resources>,
    requests: std::sync::atomic::AtomicU64,
    #[cfg(feature = "callbacks")]
    http: reqwest::Client,
}

/// A running mock. Stops when dropped.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// let mock = zaia_mock::MockServer::start(Default::default()).await?;
/// println!("serving {} with key {}", mock.base_url(), mock.api_key());
/// # Ok(()) }
/// ```
pub struct MockServer {
    address: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The server's task: done once every connection has closed after a shutdown.
    served: Option<tokio::task::JoinHandle<()>>,
    /// The runtime a blocking start runs the server on (none when started from async code).
    runtime: Option<tokio::runtime::Runtime>,
}

impl MockServer {
    /// Starts on `127.0.0.1` at a free port, on the current tokio runtime.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::start(Default::default()).await?;
    /// assert!(mock.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on `address`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::bind(([127, 0, 0, 1], 0).into(), Default::default()).await?;
    /// assert!(mock.address().ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn bind(address: SocketAddr, config: MockConfig) -> std::io::Result<MockServer> {
        let mut store = Store::new();
        if let Some(seed) = config.seed {
            seed::fill(&mut store, seed);
        }
        let journal = journal::Journal::new(config.journal_capacity, config.journal_body_limit);
        let state = Arc::new(AppState {
            config,
            store: Mutex::new(store),
            journal: Mutex::new(journal),
            faults: Mutex::default(),
            resources: Mutex::default(),
            requests: std::sync::atomic::AtomicU64::new(0),
            #[cfg(feature = "callbacks")]
            http: reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().map_err(std::io::Error::other)?,
        });
        let listener = tokio::net::TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = routes::router(state.clone());
        let served = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(MockServer { address, state, shutdown: Some(shutdown), served: Some(served), runtime: None })
    }

    /// `http://127.0.0.1:<port>`
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::start(Default::default()).await?;
    /// let client = zaia_ext::ClientBuilder::new().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    /// # let _ = client;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address it listens on.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::start(Default::default()).await?;
    /// assert_ne!(mock.address().port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The first accepted key.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::start(Default::default()).await?;
    /// assert_eq!(mock.api_key(), "test-key");
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn api_key(&self) -> &str {
        self.state.config.api_keys.first().map_or("", String::as_str)
    }

    /// Every exchange so far, oldest first (the same as [`MockServer::journal`]).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::start(Default::default()).await?;
    /// assert!(mock.exchanges().is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.journal()
    }

    /// The request journal: the last requests the mock received and its answers, oldest first
    /// (operation, method, path, query, headers without the key, bodies, status, request id);
    /// as many as [`MockConfig::journal_capacity`] keeps.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// let mock = zaia_mock::MockServer::start_blocking(Default::default()).unwrap();
    /// let mut tcp = std::net::TcpStream::connect(mock.address()).unwrap();
    /// tcp.write_all(b"GET /api/v1/chats HTTP/1.1\r\nhost: mock\r\nconnection: close\r\n\r\n").unwrap();
    /// tcp.read_to_string(&mut String::new()).unwrap();
    /// let journal = mock.journal();
    /// assert_eq!(journal[0].operation.as_deref(), Some("list_chats"));
    /// assert_eq!(journal[0].status, 401, "no key");
    /// ```
    pub fn journal(&self) -> Vec<Exchange> {
        self.state.journal.lock().unwrap().exchanges()
    }

    /// Exchanges the journal no longer holds (beyond its capacity) since the start or the last
    /// [`MockServer::clear_journal`].
    pub fn journal_dropped(&self) -> u64 {
        self.state.journal.lock().unwrap().dropped()
    }

    /// Empties the journal (the counters stay).
    pub fn clear_journal(&self) {
        self.state.journal.lock().unwrap().clear();
    }

    /// Requests answered so far by operation and status, in operation order: what a load test
    /// wants to know, kept whatever the journal's capacity (one entry per pair, never more).
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// let mock = zaia_mock::MockServer::start_blocking(zaia_mock::MockConfig::default().journal_capacity(0)).unwrap();
    /// let mut tcp = std::net::TcpStream::connect(mock.address()).unwrap();
    /// tcp.write_all(b"GET /api/v1/chats HTTP/1.1\r\nhost: mock\r\nconnection: close\r\n\r\n").unwrap();
    /// tcp.read_to_string(&mut String::new()).unwrap();
    /// assert!(mock.journal().is_empty());
    /// let count = &mock.counters()[0];
    /// assert_eq!((count.operation.as_deref(), count.status, count.count), (Some("list_chats"), 401, 1));
    /// ```
    pub fn counters(&self) -> Vec<RequestCount> {
        self.state.journal.lock().unwrap().counters()
    }

    /// Every request received so far (admin requests aside).
    pub fn requests(&self) -> u64 {
        self.state.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Arms a fault (see [`faults`]): the requests it applies to fail as it says, in the order
    /// faults were armed, until it is spent.
    ///
    /// ```
    /// let mock = zaia_mock::MockServer::start_blocking(Default::default()).unwrap();
    /// mock.arm(zaia_mock::faults::get_chat::not_found().once());
    /// ```
    pub fn arm(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push(fault);
    }

    /// Arms faults to apply one after another, each once: `[503, 503]` then the usual answer.
    pub fn arm_sequence(&self, faults: impl IntoIterator<Item = Fault>) {
        let mut armed = self.state.faults.lock().unwrap();
        armed.extend(faults.into_iter().map(Fault::once));
    }

    /// Removes every armed fault.
    pub fn disarm(&self) {
        self.state.faults.lock().unwrap().clear();
    }

    /// The faults still armed.
    pub fn armed(&self) -> Vec<Fault> {
        self.state.faults.lock().unwrap().clone()
    }

    /// Starts the mock from synchronous code, in one line: it runs on a runtime of its own
    /// until dropped.
    ///
    /// ```
    /// let mock = zaia_mock::MockServer::start_blocking(zaia_mock::MockConfig::default()).unwrap();
    /// assert!(mock.base_url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn start_blocking(config: MockConfig) -> std::io::Result<MockServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
        let mut server = runtime.block_on(MockServer::start(config))?;
        server.runtime = Some(runtime);
        Ok(server)
    }

    /// Stops gracefully: takes no new connections, lets the requests in flight finish, and
    /// returns once every connection has closed (idle keep-alive ones close at once), or after
    /// `grace` with whatever was still open cut. Dropping the mock stops it without waiting.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::start(Default::default()).await?;
    /// let address = mock.address();
    /// mock.shutdown(std::time::Duration::from_secs(5)).await;
    /// assert!(tokio::net::TcpStream::connect(address).await.is_err());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn shutdown(mut self, grace: std::time::Duration) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(mut served) = self.served.take()
            && tokio::time::timeout(grace, &mut served).await.is_err()
        {
            served.abort();
        }
    }

    /// Reads or changes the state directly (to arrange a test).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mock = zaia_mock::MockServer::start(zaia_mock::MockConfig::default().seed(Default::default())).await?;
    /// let chats = mock.with_store(|store| store.chats.len());
    /// assert!(chats > 0);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut self.state.store.lock().unwrap())
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            // do not wait for open connections: a test is done with them
            runtime.shutdown_background();
        }
    }
}
