//! Streams over the paginated lists.
//!
//! The Zaia lists are page-number paginated (`pageNumber`, `pageSize`) and say nothing of the
//! total: the end is the first page shorter than the page size (or empty). [`Pages`] turns one
//! list into a stream of pages or of items:
//!
//! - **Lazy by default.** Page n+1 is requested only when the consumer asks for more after page
//!   n: a consumer that stops early costs no extra request.
//! - **Prefetch, opt-in.** [`Pages::prefetch`] keeps up to `window` pages in flight and yields
//!   them in order. Without a total, pages past the end are requested speculatively (at most
//!   `window - 1`); the moment the short page is seen they are cancelled, never yielded, and no
//!   further request is issued. Dropping the stream cancels whatever is in flight.
//! - **Errors end the stream** after every item before them was yielded, exactly once.
//!
//! ## Chat messages and the `pagination` parameter
//!
//! `GET /api/v1/chat-messages` takes no page number: only `pagination`, an object `{limit}`
//! (`in: query`, no `style`). OpenAPI's default for an object in the query is `form` with
//! `explode: true`, which serialises it as its members: `?limit=250`. That is what the
//! generated client sends, and this crate keeps it: it is what the published spec says, and the
//! one place that decides it is the generated call (`.pagination(...)`), exercised by the
//! end-to-end tests that assert `limit=` on the wire. If the vendor turns out to read
//! `pagination[limit]=` (a `deepObject` reading), the fix is a `style` in the normalise stage,
//! not a change here. With only a limit, the list is one page: [`Pages`] for chat messages
//! yields at most one page of up to `limit` (1..=1000) messages and logs a warning when the page
//! is full, since the API offers no way past it.

use std::num::NonZeroU64;
use std::ops::RangeInclusive;

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, FuturesOrdered, StreamExt, TryStreamExt};
use progenitor_client::ResponseValue;
use uuid::Uuid;
use zaia_client::builder;
use zaia_models::{Chat, ChatDetails, ChatMessageFollowUp, ChatMessagePagination, ChatMessageWithJoins};

use crate::error::{Error, SendExt};
use crate::validate::{MESSAGE_LIMIT, PAGE_SIZE};

/// One page request: `(page number, page size) → items`.
pub type FetchPage<'a, T> = Box<dyn Fn(u64, u64) -> BoxFuture<'a, Result<Vec<T>, Error>> + Send + Sync + 'a>;

/// A paginated list, ready to stream. Made by the [`Paginate`] methods.
///
/// ```no_run
/// use futures::StreamExt;
/// use zaia_ext::{Paginate, ZaiaClient};
///
/// # async fn demo(client: ZaiaClient) -> Result<(), zaia_ext::Error> {
/// // page by page, four requests in flight, starting at page 3
/// let mut pages = client.list_chat_details_pages(|r| r).page_size(100).prefetch(4).start_page(3).pages();
/// while let Some(page) = pages.next().await {
///     println!("{} rows", page?.len());
/// }
/// // or every item at once
/// let everything = client.list_chats_pages(|r| r).collect_all().await?;
/// # let _ = everything; Ok(()) }
/// ```
pub struct Pages<'a, T> {
    fetch: FetchPage<'a, T>,
    page_size: u64,
    size_field: &'static str,
    size_range: RangeInclusive<u64>,
    first_page: u64,
    window: usize,
    single_page: bool,
}

impl<'a, T: Send + 'a> Pages<'a, T> {
    /// A page-number list with page sizes in `size_range` (checked when the stream starts).
    /// `fetch(page, size)` requests one page; use it for a list this crate does not know yet.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use zaia_ext::Pages;
    ///
    /// # futures::executor::block_on(async {
    /// // 25 numbers served 10 at a time
    /// let pages: Pages<'_, u64> = Pages::new(
    ///     Box::new(|page, size| Box::pin(async move { Ok((((page - 1) * size)..(page * size).min(25)).collect()) })),
    ///     10,
    ///     "pageSize",
    ///     1..=100,
    /// );
    /// assert_eq!(pages.collect_all().await.unwrap(), (0..25).collect::<Vec<_>>());
    /// # });
    /// ```
    pub fn new(fetch: FetchPage<'a, T>, page_size: u64, size_field: &'static str, size_range: RangeInclusive<u64>) -> Self {
        Pages { fetch, page_size, size_field, size_range, first_page: 1, window: 1, single_page: false }
    }

    /// Items per request. Out of range, the stream yields one `InvalidRequest` error and sends
    /// nothing.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size;
        self
    }

    /// Starts at this page number (default 1).
    pub fn start_page(mut self, page: u64) -> Self {
        self.first_page = page.max(1);
        self
    }

    /// Keeps up to `window` page requests in flight (1, the default, is lazy).
    pub fn prefetch(mut self, window: usize) -> Self {
        self.window = window.max(1);
        self
    }

    /// The stream of pages, in order.
    pub fn pages(self) -> BoxStream<'a, Result<Vec<T>, Error>> {
        let invalid = (!self.size_range.contains(&self.page_size)).then(|| {
            let (lo, hi) = (self.size_range.start(), self.size_range.end());
            Error::invalid(self.size_field, format!("must be {lo}..={hi}, got {}", self.page_size))
        });
        let state = State { next_page: self.first_page, in_flight: FuturesOrdered::new(), issuing: true, invalid, pages: self };
        stream::unfold(state, State::next).boxed()
    }

    /// The stream of items, in order.
    pub fn items(self) -> BoxStream<'a, Result<T, Error>> {
        self.pages()
            .flat_map(|page| match page {
                Ok(items) => stream::iter(items.into_iter().map(Ok)).left_stream(),
                Err(e) => stream::once(async { Err(e) }).right_stream(),
            })
            .boxed()
    }

    /// Every item of every page.
    pub async fn collect_all(self) -> Result<Vec<T>, Error> {
        self.items().try_collect().await
    }
}

struct State<'a, T> {
    pages: Pages<'a, T>,
    next_page: u64,
    in_flight: FuturesOrdered<BoxFuture<'a, Result<Vec<T>, Error>>>,
    /// false once the end is known (short page, error, or the single page issued)
    issuing: bool,
    invalid: Option<Error>,
}

impl<'a, T: Send + 'a> State<'a, T> {
    async fn next(mut self) -> Option<(Result<Vec<T>, Error>, Self)> {
        if let Some(e) = self.invalid.take() {
            self.issuing = false;
            return Some((Err(e), self));
        }
        while self.issuing && self.in_flight.len() < self.pages.window {
            self.in_flight.push_back((self.pages.fetch)(self.next_page, self.pages.page_size));
            self.next_page += 1;
            if self.pages.single_page {
                self.issuing = false;
            }
        }
        match self.in_flight.next().await? {
            Err(e) => {
                self.stop();
                Some((Err(e), self))
            }
            Ok(page) => {
                if (page.len() as u64) < self.pages.page_size {
                    self.stop();
                } else if self.pages.single_page {
                    tracing::warn!(limit = self.pages.page_size, "the list returned a full page; more items may exist than it can return");
                }
                if page.is_empty() { None } else { Some((Ok(page), self)) }
            }
        }
    }

    /// The end is known: cancel requests for later pages and issue no more.
    fn stop(&mut self) {
        self.issuing = false;
        self.in_flight = FuturesOrdered::new();
    }
}

fn non_zero(n: u64) -> NonZeroU64 {
    // sizes are range-checked before any fetch; page numbers start at 1
    NonZeroU64::new(n).unwrap_or(NonZeroU64::MIN)
}

fn items<T>(result: Result<ResponseValue<Vec<T>>, Error>) -> Result<Vec<T>, Error> {
    result.map(ResponseValue::into_inner)
}

/// Streams over the paginated lists, as methods on the client.
///
/// Each takes a closure that sets the list's filters on the generated request builder; the
/// stream sets the page parameters.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use zaia_ext::{Paginate, ZaiaClient};
/// use zaia_models::ChannelType;
///
/// # async fn demo(client: ZaiaClient) -> Result<(), zaia_ext::Error> {
/// let mut chats = client.list_chats_pages(|r| r.channel_types(vec![ChannelType::Whatsapp])).page_size(50).items();
/// while let Some(chat) = chats.try_next().await? {
///     println!("{}", chat.id);
/// }
/// let all = client.list_chat_message_follow_ups_pages(|r| r).prefetch(4).collect_all().await?;
/// # let _ = all; Ok(()) }
/// ```
pub trait Paginate {
    /// `GET /api/v1/chats`, page by page.
    fn list_chats_pages<'a, F>(&'a self, filter: F) -> Pages<'a, Chat>
    where
        F: Fn(builder::ListChats<'a>) -> builder::ListChats<'a> + Send + Sync + 'a;

    /// `GET /api/v1/chats/details`, page by page.
    fn list_chat_details_pages<'a, F>(&'a self, filter: F) -> Pages<'a, ChatDetails>
    where
        F: Fn(builder::ListChatDetails<'a>) -> builder::ListChatDetails<'a> + Send + Sync + 'a;

    /// `GET /api/v1/chat-message-follow-ups`, page by page.
    fn list_chat_message_follow_ups_pages<'a, F>(&'a self, filter: F) -> Pages<'a, ChatMessageFollowUp>
    where
        F: Fn(builder::ListChatMessageFollowUps<'a>) -> builder::ListChatMessageFollowUps<'a> + Send + Sync + 'a;

    /// `GET /api/v1/chat-messages` for one chat: one page of up to `page_size` (the `limit`,
    /// 1..=1000, default 250) messages. See the module docs for why there is no second page.
    fn list_chat_messages_pages<'a, F>(&'a self, chat_id: Uuid, filter: F) -> Pages<'a, ChatMessageWithJoins>
    where
        F: Fn(builder::ListChatMessages<'a>) -> builder::ListChatMessages<'a> + Send + Sync + 'a;
}

/// Page size of the page-number streams unless set: the largest the API allows, fewest requests.
pub const DEFAULT_PAGE_SIZE: u64 = 100;

macro_rules! page_number_list {
    ($self:ident, $filter:ident, $method:ident) => {
        Pages::new(
            Box::new(move |page, size| {
                let call = $filter($self.$method()).page_number(non_zero(page)).page_size(non_zero(size));
                Box::pin(async move { items(call.send().into_result().await) })
            }),
            DEFAULT_PAGE_SIZE,
            "pageSize",
            PAGE_SIZE,
        )
    };
}

impl Paginate for zaia_client::Client {
    fn list_chats_pages<'a, F>(&'a self, filter: F) -> Pages<'a, Chat>
    where
        F: Fn(builder::ListChats<'a>) -> builder::ListChats<'a> + Send + Sync + 'a,
    {
        page_number_list!(self, filter, list_chats)
    }

    fn list_chat_details_pages<'a, F>(&'a self, filter: F) -> Pages<'a, ChatDetails>
    where
        F: Fn(builder::ListChatDetails<'a>) -> builder::ListChatDetails<'a> + Send + Sync + 'a,
    {
        page_number_list!(self, filter, list_chat_details)
    }

    fn list_chat_message_follow_ups_pages<'a, F>(&'a self, filter: F) -> Pages<'a, ChatMessageFollowUp>
    where
        F: Fn(builder::ListChatMessageFollowUps<'a>) -> builder::ListChatMessageFollowUps<'a> + Send + Sync + 'a,
    {
        page_number_list!(self, filter, list_chat_message_follow_ups)
    }

    fn list_chat_messages_pages<'a, F>(&'a self, chat_id: Uuid, filter: F) -> Pages<'a, ChatMessageWithJoins>
    where
        F: Fn(builder::ListChatMessages<'a>) -> builder::ListChatMessages<'a> + Send + Sync + 'a,
    {
        let fetch: FetchPage<'a, ChatMessageWithJoins> = Box::new(move |_, limit| {
            let call = filter(self.list_chat_messages()).chat_id(chat_id).pagination(ChatMessagePagination { limit: non_zero(limit) });
            Box::pin(async move { items(call.send().into_result().await) })
        });
        let mut pages = Pages::new(fetch, 250, "limit", MESSAGE_LIMIT);
        pages.single_page = true;
        pages
    }
}
