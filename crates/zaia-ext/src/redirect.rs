//! Which redirects the client follows.
//!
//! The base URL must be https unless the host is loopback, so that the key never travels in
//! clear; a redirect must not get around that. reqwest already drops the `authorization` header
//! when a redirect leads to another host; this adds the scheme rule and a hop limit.

use std::fmt;

use crate::config::is_loopback;

/// Redirects followed in one request at most.
///
/// ```
/// assert_eq!(zaia_ext::MAX_REDIRECTS, 5);
/// ```
pub const MAX_REDIRECTS: usize = 5;

pub(crate) fn policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            let error = RefusedRedirect::TooMany;
            return attempt.error(error);
        }
        let url = attempt.url();
        match url.scheme() {
            "https" => attempt.follow(),
            "http" if is_loopback(url) => attempt.follow(),
            "http" => {
                let error = RefusedRedirect::Insecure(url.host_str().unwrap_or_default().to_string());
                attempt.error(error)
            }
            other => {
                let error = RefusedRedirect::Scheme(other.to_string());
                attempt.error(error)
            }
        }
    })
}

/// Why a redirect was not followed.
#[derive(Debug)]
pub(crate) enum RefusedRedirect {
    TooMany,
    Insecure(String),
    Scheme(String),
}

impl fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusedRedirect::TooMany => write!(f, "more than {MAX_REDIRECTS} redirects"),
            RefusedRedirect::Insecure(host) => {
                write!(f, "refused a redirect to plain http on `{host}` (https is required unless the host is loopback)")
            }
            RefusedRedirect::Scheme(scheme) => write!(f, "refused a redirect to a `{scheme}` URL"),
        }
    }
}

impl std::error::Error for RefusedRedirect {}
