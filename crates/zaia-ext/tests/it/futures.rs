//! The futures a call is made of. Every call's future is moved whole (into the box the call
//! surface awaits, into a stream's buffer), so a layer that holds the generated future twice
//! (an `async` block that captures it and then awaits it) costs each call a copy of kilobytes.

use std::mem::size_of_val;
use std::time::Duration;

use zaia_ext::{SendExt, ZaiaClient};

fn client() -> ZaiaClient {
    ZaiaClient::builder().api_key("k").base_url("http://127.0.0.1:1").build().unwrap()
}

#[test]
fn each_layer_of_a_call_holds_the_generated_future_once() {
    let client = client();
    let generated = size_of_val(&client.generated().list_chats().send());
    // a layer adds its own few fields; a second copy would double the size
    let bound = generated + generated / 2;
    let converted = size_of_val(&client.generated().list_chats().send().into_result());
    assert!(converted < bound, "into_result: {converted} bytes around a {generated}-byte future");
    let within = size_of_val(&client.generated().list_chats().send().within(Duration::from_secs(1)));
    assert!(within < bound, "within: {within} bytes around a {generated}-byte future");
    let surface = size_of_val(&client.list_chats().page_size(10).send());
    assert!(surface < bound, "the call surface: {surface} bytes around a {generated}-byte future");
}
