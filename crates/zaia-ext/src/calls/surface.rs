//! The call every operation's method returns, written once: [`Call`] over the operation's
//! request builder (progenitor's, in `zaia_client::builder`), and its blocking twin.
//!
//! What differs between operations is small and generated (`generated.rs`): the impls of
//! [`crate::operation`]'s traits and the optional parameters' setters. Everything else
//! (`within`, `send`, awaiting, the streams) is here, type-checked once rather than once per
//! operation: what a consumer compiles per operation is the builder and a few lines.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::time::Duration;

use futures_util::TryFutureExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use progenitor_client::ResponseValue;

use crate::error::Error;
use crate::operation::{Media, Operation, Paged};
use crate::pagination::pages::Pages;

/// A call of one operation, made by its method on [`ZaiaClient`](crate::ZaiaClient): set
/// optional parameters, then await it (or `.send()`).
///
/// Each operation names its call (`ListChats<'a>` is `Call<'a, builder::ListChats<'a>>`); its
/// optional parameters are setters on that call.
#[must_use = "a call does nothing until it is awaited or sent"]
pub struct Call<'a, B> {
    builder: B,
    timeout: Option<Duration>,
    page_size: Option<u64>,
    prefetch: usize,
    client: PhantomData<&'a ()>,
}

impl<'a, B: Operation<'a>> Call<'a, B> {
    pub(crate) fn new(builder: B) -> Self {
        Call { builder, timeout: None, page_size: None, prefetch: 1, client: PhantomData }
    }

    /// The call with its request builder changed (the generated setters).
    pub(crate) fn map(mut self, set: impl FnOnce(B) -> B) -> Self {
        self.builder = set(self.builder);
        self
    }

    /// This call's own deadline (every attempt and wait) instead of the client's operation
    /// timeout; for a stream, each page's.
    pub fn within(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends the call: the answer's body.
    pub fn send(self) -> impl Future<Output = Result<B::Output, Error>> + Send + 'a {
        self.send_with_response().map_ok(ResponseValue::into_inner)
    }

    /// Sends the call: the answer with its status and headers ([`crate::request_id`] reads the
    /// request id from them).
    pub fn send_with_response(self) -> impl Future<Output = Result<ResponseValue<B::Output>, Error>> + Send + 'a {
        self.builder.with_page_size(self.page_size).sent(self.timeout)
    }
}

impl<'a, B: Media<'a>> Call<'a, B> {
    /// Sends the call asking for its answer as `media`, one of the other media types the
    /// operation offers ([`Media::OFFERED`]), instead of JSON: the body unread, as a stream of
    /// bytes, with its status and headers. Any other `media` is an [`Error::InvalidRequest`] and
    /// nothing is sent; error statuses are errors as for [`send`](Self::send).
    pub async fn send_as(self, media: &str) -> Result<ResponseValue<progenitor_client::ByteStream>, Error> {
        let request = self.builder.with_page_size(self.page_size);
        crate::call::send_as_media(request.sent(self.timeout), media, B::OFFERED).await
    }
}

impl<'a, B: Paged<'a>> Call<'a, B> {
    /// Items per page: for the page an awaited call asks for, and for every page of a stream
    /// (checked against the documented range before anything is sent).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Page requests a stream keeps in flight (1, the default, is lazy; a cursor list is
    /// sequential by nature and ignores it).
    pub fn prefetch(mut self, window: usize) -> Self {
        self.prefetch = window;
        self
    }

    /// The pages of the list, in order, as a stream (the list's [`Paged`] impl says how it
    /// pages).
    pub fn pages(self) -> BoxStream<'a, Result<Vec<B::Item>, Error>> {
        self.into_pages().pages()
    }

    /// The items of every page, in order, as a stream (lazy unless [`Self::prefetch`]).
    pub fn items(self) -> BoxStream<'a, Result<B::Item, Error>> {
        self.into_pages().items()
    }

    /// Every item of every page.
    pub async fn collect_all(self) -> Result<Vec<B::Item>, Error> {
        self.into_pages().collect_all().await
    }

    fn into_pages(self) -> Pages<'a, B::Item> {
        let pages = self.builder.pages(self.timeout).prefetch(self.prefetch);
        match self.page_size {
            Some(size) => pages.page_size(size),
            None => pages,
        }
    }
}

impl<'a, B: Operation<'a>> IntoFuture for Call<'a, B> {
    type Output = Result<B::Output, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<'a, B: Operation<'a>> std::fmt::Debug for Call<'a, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(B::NAME).field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// The blocking call (feature `blocking`): the same setters; `.send()` waits.
#[cfg(feature = "blocking")]
pub mod blocking {
    use std::time::Duration;

    use progenitor_client::ResponseValue;

    use crate::blocking::Items;
    use crate::error::Error;
    use crate::operation::{Media, Operation, Paged};

    /// A blocking call of one operation, made by its method on
    /// [`blocking::ZaiaClient`](crate::blocking::ZaiaClient): set optional parameters, then
    /// `.send()`.
    #[must_use = "a call does nothing until it is sent"]
    pub struct Call<'a, B> {
        call: super::Call<'a, B>,
        runtime: &'a tokio::runtime::Runtime,
    }

    impl<'a, B: Operation<'a>> Call<'a, B> {
        pub(crate) fn new(call: super::Call<'a, B>, runtime: &'a tokio::runtime::Runtime) -> Self {
            Call { call, runtime }
        }

        /// The call with its request builder changed (the generated setters).
        pub(crate) fn map(self, set: impl FnOnce(B) -> B) -> Self {
            Call { call: self.call.map(set), runtime: self.runtime }
        }

        /// This call's own deadline (every attempt and wait); for a list, each page's.
        pub fn within(self, timeout: Duration) -> Self {
            Call { call: self.call.within(timeout), runtime: self.runtime }
        }

        /// Sends the call and waits for the answer's body.
        pub fn send(self) -> Result<B::Output, Error> {
            self.runtime.block_on(self.call.send())
        }

        /// Sends the call and waits for the answer with its status and headers.
        pub fn send_with_response(self) -> Result<ResponseValue<B::Output>, Error> {
            self.runtime.block_on(self.call.send_with_response())
        }
    }

    impl<'a, B: Media<'a>> Call<'a, B> {
        /// Sends the call asking for its answer as `media`, one of [`Media::OFFERED`], and waits
        /// for the whole body.
        pub fn send_as(self, media: &str) -> Result<ResponseValue<bytes::Bytes>, Error> {
            self.runtime.block_on(crate::call::read_all(self.call.send_as(media)))
        }
    }

    impl<'a, B: Paged<'a>> Call<'a, B> {
        /// Items per page (see the async call's `page_size`).
        pub fn page_size(self, size: u64) -> Self {
            Call { call: self.call.page_size(size), runtime: self.runtime }
        }

        /// Page requests kept in flight while iterating.
        pub fn prefetch(self, window: usize) -> Self {
            Call { call: self.call.prefetch(window), runtime: self.runtime }
        }

        /// The items of every page, in order, as an iterator.
        pub fn items(self) -> Items<'a, B::Item> {
            Items::new(self.call.items(), self.runtime)
        }

        /// The pages of the list, in order, as an iterator.
        pub fn pages(self) -> Items<'a, Vec<B::Item>> {
            Items::new(self.call.pages(), self.runtime)
        }

        /// Every item of every page.
        pub fn collect_all(self) -> Result<Vec<B::Item>, Error> {
            self.runtime.block_on(self.call.collect_all())
        }
    }

    impl<'a, B: Operation<'a>> std::fmt::Debug for Call<'a, B> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("blocking::Call").field("call", &self.call).finish_non_exhaustive()
        }
    }
}
