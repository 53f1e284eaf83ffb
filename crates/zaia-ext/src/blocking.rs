//! A blocking client, for scripts and synchronous code (feature `blocking`).
//!
//! The same operations, errors, retries, limits and tracing as [`crate::ZaiaClient`], with no
//! runtime for the caller to set up: each blocking client owns a small tokio runtime and runs
//! every call on it to completion. Every operation is a method with the async client's name
//! and arguments; `.send()` waits for the answer, and a list's `.items()` is an iterator.
//!
//! ```no_run
//! use zaia_ext::blocking::ZaiaClient;
//!
//! # fn demo() -> Result<(), zaia_ext::Error> {
//! let client = ZaiaClient::from_env()?; // ZAIA_API_KEY, optional ZAIA_BASE_URL
//! for chat in client.list_chats().page_size(50).items() {
//!     let chat = chat?;
//!     let details = client.get_chat_details(chat.id).send()?;
//!     println!("{} {:?}", chat.id, details.title);
//! }
//! # Ok(()) }
//! ```
//!
//! Do not call it from inside an async runtime (tokio refuses to block a runtime thread); use
//! the async [`crate::ZaiaClient`] there.

use std::fmt;
use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use progenitor_client::ResponseValue;

use crate::call::SendExt;
use crate::config::ConfigError;
use crate::error::{ClientError, Error};
use crate::pagination::Pages;

/// A blocking Zaia client. Cheap to share by reference; calls from several threads take turns.
///
/// ```
/// let client = zaia_ext::blocking::ZaiaClient::builder().api_key("k").build().unwrap();
/// assert_eq!(client.as_async().base_url(), zaia_ext::DEFAULT_BASE_URL);
/// ```
pub struct ZaiaClient {
    inner: crate::ZaiaClient,
    runtime: tokio::runtime::Runtime,
}

/// Builds a blocking client: the settings of [`crate::ClientBuilder`], and `build` gives a
/// [`ZaiaClient`].
///
/// ```
/// let client = zaia_ext::blocking::ZaiaClient::builder().api_key("k").build().unwrap();
/// assert_eq!(client.as_async().base_url(), zaia_ext::DEFAULT_BASE_URL);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder(crate::ClientBuilder);

macro_rules! forward {
    ($($name:ident($arg:ident: $ty:ty);)*) => {
        $(
            #[doc = concat!("See [`crate::ClientBuilder::", stringify!($name), "`].")]
            pub fn $name(self, $arg: $ty) -> Self {
                ClientBuilder(self.0.$name($arg))
            }
        )*
    };
}

impl ClientBuilder {
    forward! {
        api_key(key: impl Into<String>);
        base_url(url: impl Into<String>);
        connect_timeout(timeout: std::time::Duration);
        timeout(timeout: std::time::Duration);
        operation_timeout(timeout: std::time::Duration);
        max_response_size(bytes: u64);
        retry_budget(tokens: u32);
        sleeper(sleeper: impl crate::Sleep);
        user_agent(agent: impl Into<String>);
        retry_policy(policy: crate::RetryPolicy);
        http_client(client: reqwest::Client);
    }

    /// Checks the configuration and builds the blocking client.
    pub fn build(self) -> Result<ZaiaClient, ConfigError> {
        ZaiaClient::new(self.0.build()?)
    }
}

impl From<crate::ClientBuilder> for ClientBuilder {
    fn from(builder: crate::ClientBuilder) -> Self {
        ClientBuilder(builder)
    }
}

impl ZaiaClient {
    /// A builder with the defaults (see [`crate::ClientBuilder`]).
    ///
    /// ```
    /// let client = zaia_ext::blocking::ZaiaClient::builder().api_key("k").build();
    /// assert!(client.is_ok());
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Runs calls of an async client to completion on a runtime of its own.
    ///
    /// ```
    /// let client = zaia_ext::ZaiaClient::builder().api_key("k").build().unwrap();
    /// let blocking = zaia_ext::blocking::ZaiaClient::new(client).unwrap();
    /// # let _ = blocking;
    /// ```
    pub fn new(client: crate::ZaiaClient) -> Result<Self, ConfigError> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(ConfigError::Runtime)?;
        Ok(ZaiaClient { inner: client, runtime })
    }

    /// A client configured from `ZAIA_API_KEY` and `ZAIA_BASE_URL`.
    ///
    /// ```
    /// let client = zaia_ext::blocking::ZaiaClient::from_env();
    /// # let _ = client;
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        ZaiaClient::new(crate::ClientBuilder::from_env()?.build()?)
    }

    /// One call of the generated client's raw builders, for the rare low-level need (the
    /// operations' own methods are the documented way): `client.send(|c| c.generated().get_chat().id(id).send())`.
    ///
    /// ```no_run
    /// # fn demo(client: &zaia_ext::blocking::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let chats = client.send(|c| c.generated().list_chats().send())?;
    /// println!("{} chats on the first page", chats.len());
    /// # Ok(()) }
    /// ```
    pub fn send<'a, T, F>(&'a self, call: impl FnOnce(&'a crate::ZaiaClient) -> F) -> Result<ResponseValue<T>, Error>
    where
        F: Future<Output = Result<ResponseValue<T>, ClientError>>,
    {
        self.runtime.block_on(call(&self.inner).into_result())
    }

    /// The items of a paginated list, as an iterator (pages are fetched as it goes, with the
    /// stream's settings: `page_size`, `prefetch`, ...).
    ///
    /// ```no_run
    /// use zaia_ext::Paginate;
    /// # fn demo(client: &zaia_ext::blocking::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let ids: Vec<uuid::Uuid> = client.items(|c| c.list_chats_pages(|r| r).page_size(50)).map(|chat| chat.map(|c| c.id)).collect::<Result<_, _>>()?;
    /// # let _ = ids; Ok(()) }
    /// ```
    pub fn items<'a, T: Send + 'a>(&'a self, list: impl FnOnce(&'a crate::ZaiaClient) -> Pages<'a, T>) -> Items<'a, T> {
        Items { stream: list(&self.inner).items(), runtime: &self.runtime }
    }

    /// The pages of a paginated list, as an iterator.
    ///
    /// ```no_run
    /// use zaia_ext::Paginate;
    /// # fn demo(client: &zaia_ext::blocking::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// for page in client.pages(|c| c.list_chats_pages(|r| r).page_size(100)) {
    ///     println!("{} chats", page?.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages<'a, T: Send + 'a>(&'a self, list: impl FnOnce(&'a crate::ZaiaClient) -> Pages<'a, T>) -> Items<'a, Vec<T>> {
        Items { stream: list(&self.inner).pages(), runtime: &self.runtime }
    }

    /// The async client underneath (its base URL, its generated client).
    ///
    /// ```
    /// let client = zaia_ext::blocking::ZaiaClient::builder().api_key("k").build().unwrap();
    /// let async_client: &zaia_ext::ZaiaClient = client.as_async();
    /// # let _ = async_client;
    /// ```
    pub fn as_async(&self) -> &crate::ZaiaClient {
        &self.inner
    }

    /// The runtime calls run on (the generated blocking calls wait on it).
    pub(crate) fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

impl fmt::Debug for ZaiaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::ZaiaClient").field("inner", &self.inner).finish()
    }
}

/// What [`ZaiaClient::items`] and [`ZaiaClient::pages`] return: a blocking iterator over a
/// stream. An error ends it, after every item before it.
///
/// ```no_run
/// use zaia_ext::Paginate;
/// # fn demo(client: &zaia_ext::blocking::ZaiaClient) -> Result<(), zaia_ext::Error> {
/// let first_ten: Vec<_> = client.items(|c| c.list_chats_pages(|r| r)).take(10).collect::<Result<_, _>>()?;
/// # let _ = first_ten; Ok(()) }
/// ```
pub struct Items<'a, T> {
    stream: BoxStream<'a, Result<T, Error>>,
    runtime: &'a tokio::runtime::Runtime,
}

impl<'a, T> Items<'a, T> {
    pub(crate) fn new(stream: BoxStream<'a, Result<T, Error>>, runtime: &'a tokio::runtime::Runtime) -> Self {
        Items { stream, runtime }
    }
}

impl<T> Iterator for Items<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.stream.next())
    }
}

impl<T> fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Items")
    }
}
