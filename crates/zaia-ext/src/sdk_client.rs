//! The client and its builder, in one place (as reqwest's `Client` and `ClientBuilder` are):
//! the builder checks the configuration and assembles the runtime every request runs through.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::body::DEFAULT_MAX_RESPONSE_SIZE;
use crate::config::{API_KEY_VAR, ApiKey, BASE_URL_VAR, ConfigError, DEFAULT_BASE_URL, USER_AGENT};
use crate::retry::RetryPolicy;
use crate::retry_budget::{DEFAULT_CAPACITY, RetryBudget};
use crate::runtime::{KEY_HEADER, Runtime};
use crate::sleep::{Sleep, TokioSleep};

/// A configured Zaia client: every generated operation, plus the helpers of this crate.
///
/// Each operation is a method whose arguments are what it requires (`client.get_chat(id)`,
/// `client.list_chats()`, see [`crate::calls`]); await the call it returns. Requests carry the
/// key, are checked against documented limits before sending, are retried per the
/// [`RetryPolicy`](crate::RetryPolicy) and traced. Cloning is cheap (the connection pool is
/// shared). The generated client underneath is [`ZaiaClient::generated`], for the rare
/// low-level need.
///
/// ```no_run
/// use zaia_ext::ZaiaClient;
///
/// # async fn demo() -> Result<(), zaia_ext::Error> {
/// let client = ZaiaClient::builder().api_key("my-key").build()?;
/// let rows = client.list_chat_details().await?;
/// println!("{} chats (base URL {})", rows.len(), client.base_url());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ZaiaClient {
    inner: zaia_client::Client,
    base_url: String,
}

impl ZaiaClient {
    pub(crate) fn new(base_url: &str, http: reqwest::Client, runtime: Runtime) -> Self {
        let hooks = zaia_client::Hooks::with_executor(runtime);
        ZaiaClient { inner: zaia_client::Client::new_with_client(base_url, http, hooks), base_url: base_url.to_string() }
    }

    /// A builder with the defaults.
    ///
    /// ```
    /// let client = zaia_ext::ZaiaClient::builder().api_key("k").build().unwrap();
    /// # let _ = client;
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `ZAIA_API_KEY` and `ZAIA_BASE_URL`.
    ///
    /// ```
    /// let client = zaia_ext::ZaiaClient::from_env();
    /// # let _ = client;
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    ///
    /// ```
    /// let client = zaia_ext::ZaiaClient::builder().api_key("k").build().unwrap();
    /// assert_eq!(client.base_url(), "https://api.endless.zaia.app");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The generated client.
    ///
    /// ```
    /// let client = zaia_ext::ZaiaClient::builder().api_key("k").build().unwrap();
    /// let generated: &zaia_ext::client::Client = client.generated();
    /// # let _ = generated;
    /// ```
    pub fn generated(&self) -> &zaia_client::Client {
        &self.inner
    }
}

impl Deref for ZaiaClient {
    type Target = zaia_client::Client;

    fn deref(&self) -> &zaia_client::Client {
        &self.inner
    }
}

impl fmt::Debug for ZaiaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZaiaClient").field("base_url", &self.base_url).field("api_key", &"<redacted>").finish()
    }
}

/// Configures and builds a [`ZaiaClient`].
///
/// ```
/// use std::time::Duration;
/// use zaia_ext::{ClientBuilder, RetryPolicy};
///
/// let client = ClientBuilder::new()
///     .api_key("my-key")
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_retries(3))
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.endless.zaia.app");
/// assert!(!format!("{client:?}").contains("my-key"));
/// # Ok::<(), zaia_ext::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    operation_timeout: Duration,
    max_response_size: u64,
    user_agent: String,
    retry: RetryPolicy,
    retry_budget: u32,
    sleeper: Arc<dyn Sleep>,
    http: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(60),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            user_agent: USER_AGENT.to_string(),
            retry: RetryPolicy::default(),
            retry_budget: DEFAULT_CAPACITY,
            sleeper: Arc::new(TokioSleep),
            http: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_response_size", &self.max_response_size)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("retry_budget", &self.retry_budget)
            .field("http", &self.http.as_ref().map(|_| "caller's reqwest::Client"))
            .finish()
    }
}

impl ClientBuilder {
    /// Defaults: production base URL, 10 s connect timeout, 30 s per attempt, 60 s per call,
    /// 2 retries, a retry budget of 500 tokens, responses up to 32 MiB.
    ///
    /// ```
    /// let builder = zaia_ext::ClientBuilder::new();
    /// assert!(builder.build().is_err(), "a key is required");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder set from `ZAIA_API_KEY` (required) and `ZAIA_BASE_URL` (optional).
    ///
    /// ```
    /// if std::env::var_os(zaia_ext::API_KEY_VAR).is_none() {
    ///     assert!(zaia_ext::ClientBuilder::from_env().is_err());
    /// }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with another source of variables (for tests, config files).
    ///
    /// ```
    /// let err = zaia_ext::ClientBuilder::from_vars(|_| None).unwrap_err();
    /// assert!(matches!(err, zaia_ext::ConfigError::MissingApiKey));
    /// ```
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let key = var(API_KEY_VAR).filter(|k| !k.trim().is_empty()).ok_or(ConfigError::MissingApiKey)?;
        ApiKey::new(key.as_str()).header_value()?;
        let mut builder = Self::new().api_key(key);
        if let Some(url) = var(BASE_URL_VAR).filter(|u| !u.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API key, sent as given in the header the spec names (`authorization`).
    ///
    /// ```
    /// let client = zaia_ext::ClientBuilder::new().api_key("sk-123").build().unwrap();
    /// assert!(!format!("{client:?}").contains("sk-123"));
    /// ```
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// The base URL (default [`DEFAULT_BASE_URL`]). Must be https unless the host is loopback.
    ///
    /// ```
    /// let client = zaia_ext::ClientBuilder::new().api_key("k").base_url("http://localhost:8080/").build().unwrap();
    /// assert_eq!(client.base_url(), "http://localhost:8080");
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How long to wait for a connection (default 10 s). Ignored with [`http_client`](Self::http_client).
    ///
    /// ```
    /// use std::time::Duration;
    /// zaia_ext::ClientBuilder::new().api_key("k").connect_timeout(Duration::from_secs(3)).build().unwrap();
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, headers and body (default 30 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// zaia_ext::ClientBuilder::new().api_key("k").timeout(Duration::from_secs(10)).build().unwrap();
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long one call may take in all: every attempt and every wait between them (default
    /// 60 s). A retry that could not finish in time is not started. One call can set its own
    /// with [`SendExt::within`](crate::SendExt::within).
    ///
    /// ```
    /// use std::time::Duration;
    /// zaia_ext::ClientBuilder::new().api_key("k").operation_timeout(Duration::from_secs(20)).build().unwrap();
    /// ```
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// The largest success body read, in bytes (default 32 MiB,
    /// [`DEFAULT_MAX_RESPONSE_SIZE`](crate::DEFAULT_MAX_RESPONSE_SIZE)). A larger one fails
    /// with [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) once the limit is
    /// reached, without reading the rest. Error bodies are read up to 16 KiB.
    ///
    /// ```
    /// zaia_ext::ClientBuilder::new().api_key("k").max_response_size(4 * 1024 * 1024).build().unwrap();
    /// ```
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// The size of the retry budget shared by this client and its clones (default 500 tokens;
    /// see [`retry_budget`](crate::retry_budget)). 0 turns off retries after 408, 429, 5xx
    /// and timeouts.
    ///
    /// ```
    /// // a client that never retries after 408, 429, 5xx or timeouts
    /// zaia_ext::ClientBuilder::new().api_key("k").retry_budget(0).build().unwrap();
    /// ```
    pub fn retry_budget(mut self, tokens: u32) -> Self {
        self.retry_budget = tokens;
        self
    }

    /// What the client waits with between retries (default `tokio::time::sleep`). Tests pass
    /// one that records the delays instead of spending them.
    ///
    /// ```
    /// zaia_ext::ClientBuilder::new().api_key("k").sleeper(zaia_ext::TokioSleep).build().unwrap();
    /// ```
    pub fn sleeper(mut self, sleeper: impl Sleep) -> Self {
        self.sleeper = Arc::new(sleeper);
        self
    }

    /// The `user-agent` header (default `zaia-rust/<version>`).
    ///
    /// ```
    /// zaia_ext::ClientBuilder::new().api_key("k").user_agent("my-app/1.0").build().unwrap();
    /// ```
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`]).
    ///
    /// ```
    /// zaia_ext::ClientBuilder::new().api_key("k").retry_policy(zaia_ext::RetryPolicy::default().max_retries(4)).build().unwrap();
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends requests with the caller's own `reqwest::Client` (proxies, TLS roots, pools...).
    /// The key and user agent are still added to every request, and the timeouts and size
    /// limit still hold; its redirect policy is the caller's.
    ///
    /// ```
    /// let own = reqwest::Client::builder().build().unwrap();
    /// zaia_ext::ClientBuilder::new().api_key("k").http_client(own).build().unwrap();
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// ```
    /// let err = zaia_ext::ClientBuilder::new().api_key("k").base_url("http://api.example.com").build().unwrap_err();
    /// assert!(err.to_string().contains("plain http"));
    /// ```
    pub fn build(self) -> Result<ZaiaClient, ConfigError> {
        let key = self.api_key.as_ref().ok_or(ConfigError::MissingApiKey)?.header_value()?;
        let base_url = check_base_url(&self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| ConfigError::InvalidUserAgent(self.user_agent.clone()))?;
        // the attempt timeout as the client's own default: an attempt with the whole of it (most
        // of them) then sets nothing on its request (`Runtime::client_timeout`)
        let (http, client_timeout) = match self.http {
            Some(http) => (http, None),
            None => (
                crate::tls::configure(
                    reqwest::Client::builder()
                        .connect_timeout(self.connect_timeout)
                        .timeout(self.timeout)
                        .redirect(crate::redirect::policy(KEY_HEADER)),
                )?
                .build()
                .map_err(ConfigError::Http)?,
                Some(self.timeout),
            ),
        };
        let runtime = Runtime {
            key,
            user_agent,
            retry: self.retry,
            budget: RetryBudget::new(self.retry_budget),
            sleeper: self.sleeper,
            attempt_timeout: self.timeout,
            client_timeout,
            operation_timeout: self.operation_timeout,
            max_response_size: self.max_response_size,
        };
        Ok(ZaiaClient::new(&base_url, http, runtime))
    }
}

/// Parses the base URL, refusing plain http except to loopback hosts. Returns it without a
/// trailing slash (the generated client appends paths that start with `/`).
fn check_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidBaseUrl { url: url.to_string(), reason };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "https" => {}
        "http" if crate::redirect::is_loopback(&parsed) => {}
        "http" => return Err(ConfigError::InsecureBaseUrl { url: url.to_string() }),
        other => return Err(invalid(format!("scheme `{other}` is not http(s)"))),
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment".into()));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_vars_needs_a_key_and_reads_the_base_url() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert!(matches!(ClientBuilder::from_vars(vars(&[])), Err(ConfigError::MissingApiKey)));
        assert!(matches!(ClientBuilder::from_vars(vars(&[("ZAIA_API_KEY", "")])), Err(ConfigError::MissingApiKey)));
        let b = ClientBuilder::from_vars(vars(&[("ZAIA_API_KEY", "k"), ("ZAIA_BASE_URL", "http://127.0.0.1:9/")])).unwrap();
        assert_eq!(b.base_url, "http://127.0.0.1:9/");
        let client = b.build().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in ["https://api.endless.zaia.app", "http://localhost:8080", "http://127.0.0.7", "http://[::1]:3000/v"] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for insecure in ["http://api.endless.zaia.app", "http://10.0.0.1", "http://localhost.evil.com"] {
            assert!(matches!(check_base_url(insecure), Err(ConfigError::InsecureBaseUrl { .. })), "{insecure}");
        }
        assert!(matches!(check_base_url("ftp://x"), Err(ConfigError::InvalidBaseUrl { .. })));
        assert!(matches!(check_base_url("not a url"), Err(ConfigError::InvalidBaseUrl { .. })));
    }

    #[test]
    fn a_bad_user_agent_is_named_as_such() {
        let err = ClientBuilder::new().api_key("k").user_agent("bad\nagent").build().unwrap_err();
        assert!(matches!(err, ConfigError::InvalidUserAgent(_)), "{err:?}");
        assert_eq!(err.to_string(), "invalid user agent \"bad\\nagent\": not a valid header value");
    }

    #[test]
    fn the_key_never_shows() {
        let builder = ClientBuilder::new().api_key("sk-secret-123");
        assert!(!format!("{builder:?}").contains("sk-secret-123"));
        let client = builder.clone().build().unwrap();
        assert!(!format!("{client:?}").contains("sk-secret-123"));
        assert!(!format!("{:?}", ApiKey::new("sk-secret-123")).contains("secret"));
        let err = ClientBuilder::new().api_key("bad\nkey-sk-secret").build().unwrap_err();
        assert!(!err.to_string().contains("secret") && !format!("{err:?}").contains("secret"));
    }
}
