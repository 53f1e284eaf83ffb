//! Building a client: key, base URL, timeouts, user agent, retries.

use std::fmt;

use reqwest::header::HeaderValue;

/// The production API.
///
/// ```
/// let client = zaia_ext::ClientBuilder::new().api_key("k").build().unwrap();
/// assert_eq!(client.base_url(), zaia_ext::DEFAULT_BASE_URL);
/// ```
pub const DEFAULT_BASE_URL: &str = "https://api.endless.zaia.app";
/// The `user-agent` sent unless the caller sets another.
///
/// ```
/// assert!(zaia_ext::USER_AGENT.starts_with("zaia-rust/"));
/// ```
pub const USER_AGENT: &str = concat!("zaia-rust/", env!("CARGO_PKG_VERSION"));
/// The environment variable holding the API key.
///
/// ```
/// let builder = zaia_ext::ClientBuilder::from_vars(|name| (name == zaia_ext::API_KEY_VAR).then(|| "k".to_string()));
/// assert!(builder.is_ok());
/// ```
pub const API_KEY_VAR: &str = "ZAIA_API_KEY";
/// The environment variable that overrides the base URL.
///
/// ```
/// use zaia_ext::{API_KEY_VAR, BASE_URL_VAR, ClientBuilder};
/// let vars = |name: &str| match name {
///     API_KEY_VAR => Some("k".to_string()),
///     BASE_URL_VAR => Some("http://127.0.0.1:8080".to_string()),
///     _ => None,
/// };
/// assert_eq!(ClientBuilder::from_vars(vars).unwrap().build().unwrap().base_url(), "http://127.0.0.1:8080");
/// ```
pub const BASE_URL_VAR: &str = "ZAIA_BASE_URL";

/// An API key. Sent as given in the header the spec names (`zaia_client::API_KEY_HEADER`,
/// `authorization`); never shown by `Debug`.
///
/// ```
/// let key = zaia_ext::ApiKey::new("sk-123");
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    ///
    /// ```
    /// let key = zaia_ext::ApiKey::new("sk-123");
    /// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
    /// ```
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key as a sensitive header value: refused when empty, blank, or holding anything but
    /// visible ASCII (a space, a control character or a non-ASCII letter is a copy-paste
    /// accident, and some of them cannot be sent at all). The error never holds the key.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, ConfigError> {
        if self.0.trim().is_empty() {
            return Err(ConfigError::MissingApiKey);
        }
        if let Some((position, c)) = self.0.chars().enumerate().find(|(_, c)| !c.is_ascii_graphic()) {
            let what = if c.is_ascii_whitespace() {
                "white space"
            } else if c.is_ascii_control() {
                "a control character"
            } else {
                "a non-ASCII character"
            };
            return Err(ConfigError::InvalidApiKey { reason: format!("{what} at position {position}") });
        }
        let mut value = HeaderValue::from_str(&self.0).map_err(|_| ConfigError::InvalidApiKey { reason: "not a header value".into() })?;
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
    /// No key was given, or it is empty or blank (and `ZAIA_API_KEY` is unset, empty or blank).
    MissingApiKey,
    /// The key holds something other than visible ASCII (white space, control characters,
    /// non-ASCII letters).
    InvalidApiKey {
        /// What and where (a position, never the key).
        reason: String,
    },
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
    /// The TLS configuration could not be made (the system's root certificates could not be
    /// read, say).
    Tls {
        /// What went wrong.
        reason: String,
    },
    /// The blocking client could not start its runtime.
    Runtime(std::io::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingApiKey => write!(f, "no API key: set {API_KEY_VAR} or call ClientBuilder::api_key"),
            ConfigError::InvalidApiKey { reason } => write!(f, "invalid API key: {reason}; a key is visible ASCII only"),
            ConfigError::InvalidUserAgent(agent) => write!(f, "invalid user agent {agent:?}: not a valid header value"),
            ConfigError::InvalidBaseUrl { url, reason } => write!(f, "invalid base URL `{url}`: {reason}"),
            ConfigError::InsecureBaseUrl { url } => {
                write!(f, "refusing base URL `{url}`: plain http is allowed only for loopback hosts; use https")
            }
            ConfigError::Http(e) => write!(f, "could not build the HTTP client: {e}"),
            ConfigError::Tls { reason } => write!(f, "could not configure TLS: {reason}"),
            ConfigError::Runtime(e) => write!(f, "could not start the blocking client's runtime: {e}"),
        }
    }
}

impl std::error::Error for ConfigError {}
