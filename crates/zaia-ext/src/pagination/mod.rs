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

//! The `*_pages` methods of [`Paginate`] are generated from the spec (`cargo xtask generate`,
//! `src/pagination/generated.rs`): every list whose parameters show page-number pagination or
//! a limit gets one, with the page-size range and default its schema documents.

pub(crate) mod pages;
#[allow(clippy::all)]
#[rustfmt::skip]
mod generated;

pub use generated::Paginate;
pub use pages::{CursorPage, FetchCursorPage, FetchPage, PageSize, Pages};
