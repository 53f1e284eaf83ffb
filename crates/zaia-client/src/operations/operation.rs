//! What the generated table lists: a leaf, below the table and its lookup.

/// One operation of the API, as listed in [`OPERATIONS`](crate::OPERATIONS).
///
/// ```
/// let op = zaia_client::Operation::find("get_chat").unwrap();
/// assert_eq!((op.method, op.path), ("GET", "/api/v1/chats/{id}"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The operation id, which is also the client's method name (`list_chats`).
    pub id: &'static str,
    /// The HTTP method, upper case (`GET`).
    pub method: &'static str,
    /// The path template (`/api/v1/chats/{id}`).
    pub path: &'static str,
}
