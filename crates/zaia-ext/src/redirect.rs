//! Which redirects the client follows.
//!
//! The base URL must be https unless the host is loopback, so that the key never travels in
//! clear; a redirect must not get around that. reqwest drops the `authorization` header when a
//! redirect leads to another host, and no other: should the spec put the key in another header,
//! a redirect to another host is refused. This adds the scheme rule and a hop limit.

use std::fmt;

/// Redirects followed in one request at most.
///
/// ```
/// assert_eq!(zaia_ext::MAX_REDIRECTS, 5);
/// ```
pub const MAX_REDIRECTS: usize = 5;

pub(crate) fn policy(key_header: reqwest::header::HeaderName) -> reqwest::redirect::Policy {
    let stripped_elsewhere = key_header == reqwest::header::AUTHORIZATION;
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            let error = RefusedRedirect::TooMany;
            return attempt.error(error);
        }
        let url = attempt.url();
        let first = attempt.previous().first().and_then(|u| u.host_str()).unwrap_or_default();
        if !stripped_elsewhere && url.host_str() != Some(first) {
            let error = RefusedRedirect::OtherHost(url.host_str().unwrap_or_default().to_string());
            return attempt.error(error);
        }
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
    OtherHost(String),
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
            RefusedRedirect::OtherHost(host) => write!(f, "refused a redirect to `{host}`: the key's header would go with it"),
        }
    }
}

impl std::error::Error for RefusedRedirect {}

/// Whether `url`'s host is loopback (`localhost`, 127.0.0.0/8, `[::1]`).
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A server on 127.0.0.1 that answers every connection with `reply`, for `count` connections.
    fn serve(count: usize, reply: impl Fn() -> String + Send + 'static) -> (String, std::thread::JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let handle = std::thread::spawn(move || {
            let mut served = 0;
            listener.set_nonblocking(false).unwrap();
            for stream in listener.incoming().take(count) {
                let mut stream = stream.unwrap();
                stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
                let _ = stream.read(&mut [0; 4096]);
                let _ = stream.write_all(reply().as_bytes());
                served += 1;
            }
            served
        });
        (url, handle)
    }

    #[tokio::test]
    async fn a_key_in_another_header_never_follows_a_redirect_to_another_host() {
        // refused before any connection: nothing needs to listen there
        let (start, _) =
            serve(1, || "HTTP/1.1 302 Found\r\nlocation: http://localhost:9/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into());
        let http =
            reqwest::Client::builder().redirect(super::policy(reqwest::header::HeaderName::from_static("x-api-key"))).build().unwrap();
        let err = http.get(&start).header("x-api-key", "very-secret").send().await.unwrap_err();
        let text = format!("{err:?} {}", std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default());
        assert!(err.is_redirect(), "{text}");
        assert!(text.contains("refused a redirect to `localhost`: the key's header would go with it"), "{text}");
        assert!(!text.contains("very-secret"), "{text}");
        // a redirect on the same host is followed
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let (again, served) = serve(2, move || match calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => "HTTP/1.1 302 Found\r\nlocation: /next\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into(),
            _ => "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into(),
        });
        let response = http.get(&again).header("x-api-key", "k").send().await.unwrap();
        assert!(response.url().path().ends_with("/next"));
        assert_eq!(served.join().unwrap(), 2);
    }
}
