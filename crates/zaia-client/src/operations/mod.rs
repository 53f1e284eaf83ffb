//! Every operation of the API: id, method and path template ([`OPERATIONS`], generated from the
//! spec into `generated.rs`), looked up by id with a `match` (the hooks do it for every request).

#[allow(clippy::all)]
#[rustfmt::skip]
mod generated;
mod operation;

pub use generated::OPERATIONS;
pub use operation::Operation;

impl Operation {
    /// Looks an operation up by id.
    ///
    /// ```
    /// assert!(zaia_client::Operation::find("list_chats").is_some());
    /// assert!(zaia_client::Operation::find("no_such_operation").is_none());
    /// ```
    pub fn find(id: &str) -> Option<&'static Operation> {
        generated::find(id)
    }
}
