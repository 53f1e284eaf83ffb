//! The configured client.

use std::fmt;
use std::ops::Deref;

use crate::config::{ClientBuilder, ConfigError};
use crate::runtime::Runtime;

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
