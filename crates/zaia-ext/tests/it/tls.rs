//! The SDK and a caller's own `reqwest::Client` in one program, built in either order.
//!
//! Which TLS provider a process has is process-wide state, so each order runs in a child
//! process of its own: this test binary, re-run with one test selected and a marker variable.

use crate::common::{in_child, run_child};

/// Builds a plain `reqwest::Client` (TLS on) and a ZaiaClient, in the given order.
fn build_both(callers_first: bool) {
    let callers = || reqwest::Client::builder().build().expect("the caller's client builds");
    let sdk = || zaia_ext::ClientBuilder::new().api_key("k").build().expect("the SDK client builds");
    if callers_first {
        let _ = callers();
        let _ = sdk();
    } else {
        let _ = sdk();
        let _ = callers();
    }
}

#[test]
fn tls_child_callers_client_first() {
    if in_child() {
        build_both(true);
    }
}

#[test]
fn tls_child_sdk_client_first() {
    if in_child() {
        build_both(false);
    }
}

#[test]
fn a_callers_reqwest_client_works_whichever_is_built_first() {
    if in_child() {
        return;
    }
    run_child("tls::tls_child_callers_client_first");
    run_child("tls::tls_child_sdk_client_first");
}
