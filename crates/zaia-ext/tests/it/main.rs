//! zaia-ext's integration tests, in one binary (one link instead of one per file).

mod against_mock;
mod common;
mod faults;
mod futures;
mod hostile;
mod observability;
mod pagination;
mod tls;
mod validation;
