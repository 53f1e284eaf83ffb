//! The call surface: one method per operation on [`ZaiaClient`](crate::ZaiaClient) (and on
//! `blocking::ZaiaClient`), generated from the spec into `generated.rs`.
//!
//! ```no_run
//! use std::time::Duration;
//! use futures::TryStreamExt;
//! use zaia_ext::models::*;
//! use zaia_ext::ZaiaClient;
//!
//! # async fn demo(client: ZaiaClient, id: Uuid) -> Result<(), zaia_ext::Error> {
//! let chat: Chat = client.get_chat(id).await?; // required parameters are arguments
//! let chat = client.get_chat(id).within(Duration::from_secs(5)).await?; // this call's deadline
//! let page: Vec<Chat> = client.list_chats().page_size(50).await?; // one page
//! let mut chats = client.list_chats().channel_types(vec![ChannelType::Whatsapp]).items();
//! while let Some(chat) = chats.try_next().await? {
//!     println!("{}", chat.id);
//! }
//! # let _ = (chat, page); Ok(()) }
//! ```
//!
//! A required argument cannot be left out, nor given a value of another type:
//!
//! ```compile_fail
//! # async fn demo(client: zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
//! let chat = client.get_chat().await?; // no id: does not compile
//! # Ok(()) }
//! ```
//!
//! ```compile_fail
//! # async fn demo(client: zaia_ext::ZaiaClient) -> Result<(), zaia_ext::Error> {
//! let chat = client.get_chat("not-a-uuid").await?; // a string is not a Uuid: does not compile
//! # Ok(()) }
//! ```
//!
//! Each method returns a call: optional parameters are its setters; await it for the answer's
//! body (`IntoFuture`), or `.send()` (the same) and `.send_with_response()` (with status and
//! headers). A paginated list's call also streams (`.items()`, `.pages()`, `.collect_all()`),
//! with `.page_size(n)` and `.prefetch(n)`; `.within(d)` is then each page's deadline.

#[allow(clippy::all)]
#[rustfmt::skip]
mod generated;
mod surface;

pub use crate::operation::{Media, Operation, Paged};
pub use generated::*;
pub use surface::Call;
