//! What each operation's request is, as traits the generated code implements for its builder
//! (progenitor's, in `zaia_client::builder`): what it answers and how it is sent
//! ([`Operation`]), how a list pages ([`Paged`]), which other media types it offers
//! ([`Media`]). The call ([`crate::calls::Call`]) and the client's streams
//! ([`crate::Paginate`]) are written once over them.

use std::future::Future;
use std::time::Duration;

use progenitor_client::ResponseValue;

use crate::error::Error;
use crate::pagination::pages::Pages;

/// An operation's request, as its generated builder: what it answers and how it is sent.
/// Implemented by the generated code for each operation's builder.
pub trait Operation<'a>: Send + Sized + 'a {
    /// The answer's body.
    type Output: Send + 'a;

    /// The operation's name, for `Debug`.
    const NAME: &'static str;

    /// The request sent through the client's runtime, with `timeout` as its deadline when given
    /// (else the client's operation timeout).
    fn sent(self, timeout: Option<Duration>) -> impl Future<Output = Result<ResponseValue<Self::Output>, Error>> + Send + 'a;

    /// The request asking for `size` items (a list's one page); others ignore it.
    fn with_page_size(self, size: Option<u64>) -> Self {
        let _ = size;
        self
    }
}

/// A list that streams: its items and how its pages are asked for.
pub trait Paged<'a>: Operation<'a> + Clone {
    /// One item of a page.
    type Item: Send + 'a;

    /// Every page from the first, each with `timeout` as its deadline.
    fn pages(self, timeout: Option<Duration>) -> Pages<'a, Self::Item>;
}

/// An operation whose answer is offered in other media types beside JSON (`text/csv`).
pub trait Media<'a>: Operation<'a> {
    /// Those other media types, in the spec's order.
    const OFFERED: &'static [&'static str];
}
