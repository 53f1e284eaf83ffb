//! Building a client: key, base URL, timeouts, user agent, retries.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::client::ZaiaClient;
use crate::retry::RetryPolicy;
use crate::runtime::Runtime;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.endless.zaia.app";
/// The `user-agent` sent unless the caller sets another.
pub const USER_AGENT: &str = concat!("zaia-rust/", env!("CARGO_PKG_VERSION"));
/// The environment variable holding the API key.
pub const API_KEY_VAR: &str = "ZAIA_API_KEY";
/// The environment variable that overrides the base URL.
pub const BASE_URL_VAR: &str = "ZAIA_BASE_URL";

/// An API key. Sent as given in the `authorization` header; never shown by `Debug`.
///
/// ```
/// let key = zaia_ext::ApiKey::new("sk-123");
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    pub(crate) fn header_value(&self) -> Result<HeaderValue, ConfigError> {
        let mut value = HeaderValue::from_str(&self.0).map_err(|_| ConfigError::InvalidApiKey)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Why a client could not be built. Never contains the key.
///
/// ```
/// use zaia_ext::{ClientBuilder, ConfigError};
/// let err = ClientBuilder::new().api_key("k").base_url("http://api.example.com").build().unwrap_err();
/// assert!(matches!(err, ConfigError::InsecureBaseUrl { .. }));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// No key was given (and `ZAIA_API_KEY` is unset or empty).
    MissingApiKey,
    /// The key contains characters a header cannot carry (newlines, control characters).
    InvalidApiKey,
    /// The user agent contains characters a header cannot carry.
    InvalidUserAgent(String),
    /// The base URL does not parse or is not http(s).
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base URL is plain HTTP to a host that is not loopback: the key would travel in clear.
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
    },
    /// reqwest could not build its client.
    Http(reqwest::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingApiKey => write!(f, "no API key: set {API_KEY_VAR} or call ClientBuilder::api_key"),
            ConfigError::InvalidApiKey => f.write_str("the API key contains characters that cannot be sent in a header"),
            ConfigError::InvalidUserAgent(agent) => write!(f, "invalid user agent {agent:?}: not a valid header value"),
            ConfigError::InvalidBaseUrl { url, reason } => write!(f, "invalid base URL `{url}`: {reason}"),
            ConfigError::InsecureBaseUrl { url } => {
                write!(f, "refusing base URL `{url}`: plain http is allowed only for loopback hosts; use https")
            }
            ConfigError::Http(e) => write!(f, "could not build the HTTP client: {e}"),
        }
    }
}

impl std::error::Error for ConfigError {}

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
    user_agent: String,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: USER_AGENT.to_string(),
            retry: RetryPolicy::default(),
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
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("http", &self.http.as_ref().map(|_| "caller's reqwest::Client"))
            .finish()
    }
}

impl ClientBuilder {
    /// Defaults: production base URL, 10 s connect and 30 s request timeouts, 2 retries.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder set from `ZAIA_API_KEY` (required) and `ZAIA_BASE_URL` (optional).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with another source of variables (for tests, config files).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let key = var(API_KEY_VAR).filter(|k| !k.is_empty()).ok_or(ConfigError::MissingApiKey)?;
        let mut builder = Self::new().api_key(key);
        if let Some(url) = var(BASE_URL_VAR).filter(|u| !u.is_empty()) {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API key, sent as given in the `authorization` header.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// The base URL (default [`DEFAULT_BASE_URL`]). Must be https unless the host is loopback.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How long to wait for a connection (default 10 s). Ignored with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, end to end (default 30 s). Ignored with
    /// [`http_client`](Self::http_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `user-agent` header (default `zaia-rust/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends requests with the caller's own `reqwest::Client` (proxies, TLS roots, pools...).
    /// The key and user agent are still added to every request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<ZaiaClient, ConfigError> {
        let key = self.api_key.as_ref().ok_or(ConfigError::MissingApiKey)?.header_value()?;
        let base_url = check_base_url(&self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| ConfigError::InvalidUserAgent(self.user_agent.clone()))?;
        let http = match self.http {
            Some(http) => http,
            None => {
                install_tls_provider();
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .build()
                    .map_err(ConfigError::Http)?
            }
        };
        let runtime = Runtime::new(key, user_agent, self.retry);
        Ok(ZaiaClient::new(&base_url, http, runtime))
    }
}

/// reqwest is built with rustls on the `ring` provider (it builds with a C compiler alone,
/// where aws-lc-rs wants cmake). rustls needs a process-wide provider chosen once; if the
/// program has chosen one already, that one stays.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Parses the base URL, refusing plain http except to loopback hosts. Returns it without a
/// trailing slash (the generated client appends paths that start with `/`).
fn check_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidBaseUrl { url: url.to_string(), reason };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "https" => {}
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(ConfigError::InsecureBaseUrl { url: url.to_string() });
            }
        }
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
