//! The `Pages` runtime: a stream over a list's pages, lazy or prefetching, for page-number,
//! single-page and cursor lists. The generated `Paginate` methods and the operations' calls
//! build one per list.

use std::ops::RangeInclusive;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, FuturesOrdered, StreamExt, TryStreamExt};
use progenitor_client::ResponseValue;

use crate::error::Error;

use serde_json::Value;

/// One page request: `(page number, page size) → items`.
///
/// ```
/// let fetch: zaia_ext::pagination::FetchPage<'_, u32> = Box::new(|_page, _size| Box::pin(async { Ok(vec![1, 2]) }));
/// # let _ = fetch;
/// ```
pub type FetchPage<'a, T> = Box<dyn Fn(u64, u64) -> BoxFuture<'a, Result<Vec<T>, Error>> + Send + Sync + 'a>;

/// One page request of a cursor list: `(cursor, page size) → page`; `None` asks for the first.
pub type FetchCursorPage<'a, T> = Box<dyn Fn(Option<Value>, u64) -> BoxFuture<'a, Result<CursorPage<T>, Error>> + Send + Sync + 'a>;

/// A page of a cursor list: its items and where the next page starts (`None`: this was the
/// last). Made by the generated `*_pages` methods from the list's own form (the envelope's
/// `nextCursor`, or the last item's id while `hasMore` says so).
#[derive(Debug)]
pub struct CursorPage<T> {
    /// The page's items, in order.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` when this page is the last.
    pub next: Option<Value>,
}

/// The page-size parameter of a list, as its schema documents it.
///
/// ```
/// use zaia_ext::pagination::PageSize;
/// let size = PageSize { name: "pageSize", default: 100, range: 1..=100 };
/// assert!(size.range.contains(&size.default));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageSize {
    /// Its wire name (`pageSize`, `limit`), for error messages.
    pub name: &'static str,
    /// What the stream asks for unless told otherwise.
    pub default: u64,
    /// What the API accepts.
    pub range: RangeInclusive<u64>,
}
/// A paginated list, ready to stream. Made by the [`Paginate`](crate::Paginate) methods and the lists' calls.
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
    /// Set for a cursor list: each page's request needs the page before it.
    cursor: Option<FetchCursorPage<'a, T>>,
    page_size: u64,
    size: PageSize,
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
        Pages::page_numbers(fetch, PageSize { name: size_field, default: page_size, range: size_range })
    }

    /// A page-number list: pages 1, 2, ... until a short one.
    ///
    /// ```
    /// use zaia_ext::pagination::{PageSize, Pages};
    /// # futures::executor::block_on(async {
    /// let pages: Pages<'_, u64> = Pages::page_numbers(
    ///     Box::new(|page, size| Box::pin(async move { Ok(((page - 1) * size..(page * size).min(7)).collect()) })),
    ///     PageSize { name: "pageSize", default: 5, range: 1..=10 },
    /// );
    /// assert_eq!(pages.collect_all().await.unwrap(), (0..7).collect::<Vec<_>>());
    /// # });
    /// ```
    pub fn page_numbers(fetch: FetchPage<'a, T>, size: PageSize) -> Self {
        Pages { fetch, cursor: None, page_size: size.default, size, first_page: 1, window: 1, single_page: false }
    }

    /// A cursor list: the first page, then each next one from where the one before ends,
    /// until a page says it is the last. The requests are sequential by nature, so
    /// [`Pages::prefetch`] and [`Pages::start_page`] do not apply.
    ///
    /// ```
    /// use serde_json::json;
    /// use zaia_ext::pagination::{CursorPage, PageSize, Pages};
    /// # futures::executor::block_on(async {
    /// // 0..7, three at a time, each page starting after the last item
    /// let pages: Pages<'_, u64> = Pages::cursor(
    ///     Box::new(|after, size| Box::pin(async move {
    ///         let start = after.and_then(|v| v.as_u64()).map_or(0, |a| a + 1);
    ///         let items: Vec<u64> = (start..7).take(size as usize).collect();
    ///         let next = items.last().filter(|&&l| l < 6).map(|l| json!(l));
    ///         Ok(CursorPage { items, next })
    ///     })),
    ///     PageSize { name: "limit", default: 3, range: 1..=10 },
    /// );
    /// assert_eq!(pages.collect_all().await.unwrap(), (0..7).collect::<Vec<_>>());
    /// # });
    /// ```
    pub fn cursor(fetch: FetchCursorPage<'a, T>, size: PageSize) -> Self {
        let unused: FetchPage<'a, T> = Box::new(|_, _| Box::pin(async { Ok(Vec::new()) }));
        Pages { cursor: Some(fetch), ..Pages::page_numbers(unused, size) }
    }

    /// A list with only a limit: the one page there is, of up to `page_size` items (a full
    /// page logs a warning, since the API offers no way past it).
    ///
    /// ```
    /// use zaia_ext::pagination::{PageSize, Pages};
    /// # futures::executor::block_on(async {
    /// let list: Pages<'_, u32> = Pages::single_page(Box::new(|_, limit| Box::pin(async move { Ok((0..limit as u32).take(3).collect()) })), PageSize { name: "limit", default: 250, range: 1..=1000 });
    /// assert_eq!(list.collect_all().await.unwrap(), [0, 1, 2]);
    /// # });
    /// ```
    pub fn single_page(fetch: FetchPage<'a, T>, size: PageSize) -> Self {
        Pages { single_page: true, ..Pages::page_numbers(fetch, size) }
    }

    /// Items per request. Out of range, the stream yields one `InvalidRequest` error and sends
    /// nothing.
    ///
    /// ```no_run
    /// use zaia_ext::Paginate;
    /// # async fn demo(client: zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let chats = client.list_chats_pages(|r| r).page_size(50).collect_all().await?;
    /// # let _ = chats; Ok(()) }
    /// ```
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size;
        self
    }

    /// Starts at this page number (default 1).
    ///
    /// ```no_run
    /// use zaia_ext::Paginate;
    /// # async fn demo(client: zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let later = client.list_chats_pages(|r| r).start_page(3).collect_all().await?;
    /// # let _ = later; Ok(()) }
    /// ```
    pub fn start_page(mut self, page: u64) -> Self {
        self.first_page = page.max(1);
        self
    }

    /// Keeps up to `window` page requests in flight (1, the default, is lazy).
    ///
    /// ```no_run
    /// use zaia_ext::Paginate;
    /// # async fn demo(client: zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let all = client.list_chat_details_pages(|r| r).prefetch(4).collect_all().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn prefetch(mut self, window: usize) -> Self {
        self.window = window.max(1);
        self
    }

    /// The stream of pages, in order.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// use zaia_ext::Paginate;
    /// # async fn demo(client: zaia_ext::ZaiaClient) {
    /// let mut pages = client.list_chats_pages(|r| r).pages();
    /// while let Some(page) = pages.next().await {
    ///     println!("{} chats", page.map(|p| p.len()).unwrap_or(0));
    /// }
    /// # }
    /// ```
    pub fn pages(self) -> BoxStream<'a, Result<Vec<T>, Error>> {
        let invalid = (!self.size.range.contains(&self.page_size)).then(|| {
            let (lo, hi) = (self.size.range.start(), self.size.range.end());
            Error::invalid(self.size.name, format!("must be {lo}..={hi}, got {}", self.page_size))
        });
        if let Some(fetch) = self.cursor {
            let size = self.page_size;
            // (next cursor, whether there is a next page)
            let start: (Option<Value>, bool) = (None, true);
            return stream::unfold((start, invalid), move |((cursor, more), invalid)| {
                let sent = cursor.clone();
                let request = match (&invalid, more) {
                    (_, false) => None,
                    (Some(_), _) => None,
                    (None, true) => Some(fetch(cursor, size)),
                };
                async move {
                    if let Some(e) = invalid {
                        return Some((Err(e), ((None, false), None)));
                    }
                    match request?.await {
                        Err(e) => Some((Err(e), ((None, false), None))),
                        Ok(CursorPage { items, next }) if items.is_empty() => {
                            let _ = next;
                            None
                        }
                        Ok(CursorPage { items, next }) => {
                            let more = next.is_some();
                            // the same cursor again would ask for the same page forever
                            let repeated = (more && next == sent).then(|| {
                                let cursor = next.as_ref().map(Value::to_string).unwrap_or_default();
                                Error::invalid("next page", format!("the list gave the cursor {cursor} again: the stream cannot go on"))
                            });
                            Some((Ok(items), ((next, more), repeated)))
                        }
                    }
                }
            })
            .boxed();
        }
        let state = State { next_page: self.first_page, in_flight: FuturesOrdered::new(), issuing: true, invalid, pages: self };
        stream::unfold(state, State::next).boxed()
    }

    /// The stream of items, in order.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use zaia_ext::Paginate;
    /// # async fn demo(client: zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let mut chats = client.list_chats_pages(|r| r).items();
    /// while let Some(chat) = chats.try_next().await? {
    ///     println!("{}", chat.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> BoxStream<'a, Result<T, Error>> {
        self.pages()
            .flat_map(|page| match page {
                Ok(items) => stream::iter(items.into_iter().map(Ok)).left_stream(),
                Err(e) => stream::once(async { Err(e) }).right_stream(),
            })
            .boxed()
    }

    /// Every item of every page.
    ///
    /// ```no_run
    /// use zaia_ext::Paginate;
    /// # async fn demo(client: zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
    /// let follow_ups = client.list_chat_message_follow_ups_pages(|r| r).collect_all().await?;
    /// # let _ = follow_ups; Ok(()) }
    /// ```
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

/// The items of a list response.
pub(crate) fn items<T>(result: Result<ResponseValue<Vec<T>>, Error>) -> Result<Vec<T>, Error> {
    result.map(ResponseValue::into_inner)
}

/// A cursor as the list's parameter takes it (a `Uuid`, a string, a number).
// called by generated code for cursor lists, which the spec may not have today
#[allow(dead_code)]
pub(crate) fn cursor_value<C: serde::de::DeserializeOwned>(name: &'static str, cursor: Value) -> Result<C, Error> {
    serde_json::from_value(cursor.clone()).map_err(|e| Error::invalid(name, format!("the next page's cursor {cursor} does not fit: {e}")))
}

/// The cursor of the page after `items`: the last item's key (`id`), while the list says there
/// is more (`more`: its `hasMore`, or, when it has none, a full page). A last item without a
/// key (`null`) ends the list.
// called by generated code for cursor lists, which the spec may not have today
#[allow(dead_code)]
pub(crate) fn after_last<T>(items: &[T], more: bool, key: impl Fn(&T) -> Value) -> Option<Value> {
    if !more {
        return None;
    }
    items.last().map(key).filter(|k| !k.is_null())
}

/// An item's key as a cursor value (what the generated key closures give).
#[allow(dead_code)]
pub(crate) fn key_of<K: serde::Serialize>(key: &K) -> Value {
    serde_json::to_value(key).unwrap_or(Value::Null)
}

/// The cursor of the page after `items` of a list with a key cursor each way (`after` and
/// `before`): `{param: last key}`. The way is the one the cursor before went (`previous`), or, on
/// the first page, the page's own order: a page that runs newest first (keys falling, as a
/// channel's messages) pages on `before` its last item, one that runs oldest first `after` it.
/// Keys of digits (snowflakes) compare as numbers.
#[allow(dead_code)]
pub(crate) fn keyset_next<T>(
    items: &[T],
    more: bool,
    key: impl Fn(&T) -> Value,
    previous: Option<&Value>,
    after: &str,
    before: &str,
) -> Option<Value> {
    let last = after_last(items, more, &key)?;
    let backward = match previous {
        Some(previous) => previous.get(before).is_some(),
        None => {
            let first = items.first().map(&key).unwrap_or(Value::Null);
            key_order(&first, &last) == std::cmp::Ordering::Greater
        }
    };
    let param = if backward { before } else { after };
    Some(serde_json::json!({ param: last }))
}

/// Which way a cursor of [`keyset_next`] goes (`true`: `before`), and its key.
#[allow(dead_code)]
pub(crate) fn keyset_side(cursor: Value, before: &str) -> (bool, Value) {
    match cursor {
        Value::Object(mut one) => match one.remove(before) {
            Some(key) => (true, key),
            None => (false, one.into_iter().next().map(|(_, v)| v).unwrap_or(Value::Null)),
        },
        other => (false, other),
    }
}

/// Two keys' order: numbers, and strings of digits (snowflakes) by value; other strings as text.
fn key_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    let digits = |v: &Value| -> Option<String> {
        let text = match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.clone(),
            _ => return None,
        };
        Some(text.trim_start_matches('0').to_string())
    };
    match (digits(a), digits(b)) {
        (Some(a), Some(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(&b)),
        _ => a.as_str().unwrap_or_default().cmp(b.as_str().unwrap_or_default()),
    }
}

/// An object query parameter made of its limit member alone (`pagination: {limit}`). The
/// generator emits this only for objects whose other members are optional, and sizes are
/// range-checked before any page is fetched.
pub(crate) fn member_object<T: serde::de::DeserializeOwned>(member: &str, size: u64) -> T {
    serde_json::from_value(serde_json::json!({ member: size })).expect("an object of optional members plus an in-range limit")
}

/// The envelope's next-page cursor as a value: the `field` (`nextCursor`), or the value at
/// `pointer` inside it (`pages` at `/next/starting_after`); `null`, an empty string or nothing
/// there is the end.
// called by generated code for cursor lists, which the spec may not have today
#[allow(dead_code)]
pub(crate) fn next_cursor<C: serde::Serialize>(field: &C, pointer: &str) -> Option<Value> {
    match serde_json::to_value(field).ok()?.pointer(pointer)? {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        other => Some(other.clone()),
    }
}

/// The link to the next page in an envelope's `field` (`meta`), at `pointer` inside it
/// (`/next_page_url`; empty when the field is the link): `None` at the end (no link, `null`, or
/// an empty string).
// called by generated code for lists that page by link, which the spec may not have today
#[allow(dead_code)]
pub(crate) fn next_link<F: serde::Serialize>(field: &F, pointer: &str) -> Option<Value> {
    let value = serde_json::to_value(field).ok()?;
    match value.pointer(pointer)? {
        Value::String(link) if !link.is_empty() => Some(Value::String(link.clone())),
        _ => None,
    }
}

/// The query of a next-page link (a whole URL, or a path with a query), as pairs.
#[allow(dead_code)]
pub(crate) fn link_query(link: Value) -> Result<Vec<(String, String)>, Error> {
    let text = link.as_str().unwrap_or_default();
    let url = reqwest::Url::parse(text)
        .or_else(|_| reqwest::Url::parse("http://link.invalid/").and_then(|base| base.join(text)))
        .map_err(|e| Error::invalid("next page", format!("the next page's link {text:?} is not a URL: {e}")))?;
    Ok(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

/// The error for a next-page link that carries none of the list's parameters: following it
/// would ask for the same page again, forever.
#[allow(dead_code)]
pub(crate) fn link_without(params: &[&str]) -> Error {
    Error::invalid("next page", format!("the next page's link carries none of {}: the stream cannot go on", params.join(", ")))
}

/// A query parameter's value in a next-page link.
#[allow(dead_code)]
pub(crate) fn link_param(link: &[(String, String)], name: &str) -> Option<String> {
    link.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::*;

    /// A cursor list of `0..total`, each page after the cursor of the one before, recording
    /// the cursors it was asked for; page `fail_at` (0-based) fails once.
    fn numbers(total: u64, fail_at: Option<usize>, asked: Arc<Mutex<Vec<Option<Value>>>>) -> Pages<'static, u64> {
        Pages::cursor(
            Box::new(move |after, size| {
                let asked = asked.clone();
                Box::pin(async move {
                    let call = {
                        let mut asked = asked.lock().unwrap();
                        asked.push(after.clone());
                        asked.len() - 1
                    };
                    if fail_at == Some(call) {
                        return Err(Error::invalid("limit", "a failed page"));
                    }
                    let start = after.and_then(|v| v.as_u64()).map_or(0, |a| a + 1);
                    let items: Vec<u64> = (start..total).take(size as usize).collect();
                    let next = items.last().filter(|&&last| last + 1 < total).map(|last| json!(last));
                    Ok(CursorPage { items, next })
                })
            }),
            PageSize { name: "limit", default: 3, range: 1..=10 },
        )
    }

    #[tokio::test]
    async fn a_cursor_stream_keeps_order_without_loss_or_duplicate() {
        let asked = Arc::default();
        let all = numbers(10, None, Arc::clone(&asked)).collect_all().await.unwrap();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        // four pages, each asked for once, from where the one before ended
        assert_eq!(*asked.lock().unwrap(), [None, Some(json!(2)), Some(json!(5)), Some(json!(8))]);
    }

    #[tokio::test]
    async fn a_cursor_stream_is_lazy_and_ends_on_an_error_after_every_earlier_item() {
        let asked = Arc::default();
        let mut items = numbers(10, Some(1), Arc::clone(&asked)).items();
        for expected in 0..3 {
            assert_eq!(items.next().await.unwrap().unwrap(), expected);
        }
        assert_eq!(asked.lock().unwrap().len(), 1, "the second page is asked for only when needed");
        assert!(items.next().await.unwrap().is_err());
        assert!(items.next().await.is_none(), "nothing after the error");
    }

    #[tokio::test]
    async fn a_cursor_given_again_ends_in_an_error_not_a_loop() {
        let asked = Arc::new(Mutex::new(0));
        let counter = Arc::clone(&asked);
        let pages: Pages<'_, u64> = Pages::cursor(
            Box::new(move |_cursor, _size| {
                *counter.lock().unwrap() += 1;
                Box::pin(async { Ok(CursorPage { items: vec![1, 2], next: Some(json!("same")) }) })
            }),
            PageSize { name: "limit", default: 2, range: 1..=10 },
        );
        let mut pages = pages.pages();
        assert_eq!(pages.next().await.unwrap().unwrap(), [1, 2]);
        assert_eq!(pages.next().await.unwrap().unwrap(), [1, 2], "the second page, asked for with the cursor");
        let err = pages.next().await.unwrap().unwrap_err();
        assert!(err.to_string().contains("gave the cursor \"same\" again"), "{err}");
        assert!(pages.next().await.is_none());
        assert_eq!(*asked.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn a_cursor_stream_with_an_out_of_range_size_asks_for_nothing() {
        let asked = Arc::default();
        let err = numbers(10, None, Arc::clone(&asked)).page_size(11).collect_all().await.unwrap_err();
        assert!(err.to_string().contains("limit"), "{err}");
        assert!(asked.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_next_link_gives_the_query_of_the_next_request_and_ends_without_one() {
        #[derive(serde::Serialize)]
        struct Meta {
            next_page_url: Option<String>,
        }
        let meta = Some(Meta { next_page_url: Some("https://api.example/v1/Things?PageSize=2&Page=1&PageToken=PT%3D1".into()) });
        let link = next_link(&meta, "/next_page_url").unwrap();
        let query = link_query(link).unwrap();
        assert_eq!(link_param(&query, "PageToken").as_deref(), Some("PT=1"));
        assert_eq!(link_param(&query, "Other"), None);
        assert_eq!(next_link(&Some(Meta { next_page_url: None }), "/next_page_url"), None);
        assert_eq!(next_link(&None::<Meta>, "/next_page_url"), None);
        assert_eq!(next_link(&Some(Meta { next_page_url: Some(String::new()) }), "/next_page_url"), None);
        // a link without scheme and host is read against none
        let relative = link_query(Value::String("/v1/Things?PageToken=x".into())).unwrap();
        assert_eq!(link_param(&relative, "PageToken").as_deref(), Some("x"));
        // and a list that pages by link, end to end: the token each page links to is the next request's
        let pages: Pages<'_, u32> = Pages::cursor(
            Box::new(|cursor, _size| {
                Box::pin(async move {
                    let token = match cursor {
                        Some(link) => link_param(&link_query(link)?, "PageToken").and_then(|t| t.parse::<u32>().ok()).unwrap_or(0),
                        None => 0,
                    };
                    let next = (token < 2).then(|| format!("/v1/Things?PageSize=2&PageToken={}", token + 1));
                    let meta = Meta { next_page_url: next };
                    Ok(CursorPage { items: vec![token * 10, token * 10 + 1], next: next_link(&meta, "/next_page_url") })
                })
            }),
            PageSize { name: "PageSize", default: 2, range: 1..=50 },
        );
        assert_eq!(pages.collect_all().await.unwrap(), [0, 1, 10, 11, 20, 21]);
    }

    #[tokio::test]
    async fn after_last_and_next_cursor_end_where_the_list_says() {
        assert_eq!(after_last(&[1u8, 2], true, key_of), Some(json!(2)));
        assert_eq!(after_last(&[1u8, 2], false, key_of), None);
        assert_eq!(after_last::<u8>(&[], true, key_of), None);
        assert_eq!(after_last(&[Some(1u8), None], true, key_of), None, "a last item without a key ends the list");
        assert_eq!(next_cursor(&Some("abc"), ""), Some(json!("abc")));
        assert_eq!(next_cursor(&None::<String>, ""), None);
        assert_eq!(next_cursor(&"", ""), None);
        // a cursor nested in the envelope (`pages.next.starting_after`)
        let pages = json!({"next": {"page": 2, "starting_after": "WzE2OTBd"}, "per_page": 2});
        assert_eq!(next_cursor(&pages, "/next/starting_after"), Some(json!("WzE2OTBd")));
        assert_eq!(next_cursor(&json!({"next": null}), "/next/starting_after"), None);
        assert_eq!(next_cursor(&None::<Value>, "/next/starting_after"), None);
    }

    #[test]
    fn a_key_cursor_each_way_follows_the_first_pages_order() {
        // newest first (snowflakes falling, one of them a digit longer): on before the last
        let newest_first = ["1000", "998", "99"];
        assert_eq!(keyset_next(&newest_first, true, key_of, None, "after", "before"), Some(json!({"before": "99"})));
        // oldest first: on after the last
        assert_eq!(keyset_next(&["99", "998", "1000"], true, key_of, None, "after", "before"), Some(json!({"after": "1000"})));
        // a page of one keeps the way the cursor before went
        let previous = json!({"before": "5"});
        assert_eq!(keyset_next(&["4"], true, key_of, Some(&previous), "after", "before"), Some(json!({"before": "4"})));
        assert_eq!(keyset_next(&["4"], false, key_of, None, "after", "before"), None);
        assert_eq!(keyset_side(json!({"before": "4"}), "before"), (true, json!("4")));
        assert_eq!(keyset_side(json!({"after": "4"}), "before"), (false, json!("4")));
        assert_eq!(key_order(&json!("b"), &json!("a")), std::cmp::Ordering::Greater);
    }
}
