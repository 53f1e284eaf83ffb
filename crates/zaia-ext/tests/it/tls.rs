//! TLS: the SDK's own (rustls on ring), and the SDK beside a caller's own `reqwest::Client`.
//!
//! Which TLS provider a process has is process-wide state, so these run in a child process of
//! their own: this test binary, re-run with one test selected and a marker variable.
//!
//! The SDK hands its client a complete rustls configuration and installs nothing process-wide.
//! A caller's own client gets its provider from its own reqwest features (reqwest's defaults
//! carry aws-lc; in this test binary, zaia-mock's `rustls` feature does), or from a provider the
//! program installs; the README's "TLS" says so.

use crate::common::{in_child, run_child};

/// Builds a plain `reqwest::Client` (TLS on, reqwest's own provider) and a ZaiaClient, in the
/// given order: neither disturbs the other.
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

/// The SDK's own TLS (rustls on ring, `src/tls.rs`) against a TLS server on 127.0.0.1 whose
/// certificate no root vouches for: the handshake runs, the certificate is refused, nothing is
/// sent, and the process-wide default provider is neither needed nor installed.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
mod own_tls {
    use std::io::Read;
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::time::Duration;

    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use zaia_ext::{Error, RetryPolicy, ZaiaClient};

    use crate::common::{in_child, run_child};

    /// Serves one TLS connection with a self-signed certificate; returns its port, and what the
    /// server read after the handshake (if it got that far).
    fn self_signed_server(provider: CryptoProvider) -> (u16, std::thread::JoinHandle<Result<Vec<u8>, String>>) {
        let cert = CertificateDer::from(include_bytes!("fixtures/self-signed-cert.der").to_vec());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(include_bytes!("fixtures/self-signed-key.der").to_vec()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let connection = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, tcp);
            let mut request = Vec::new();
            tls.read_to_end(&mut request).map_err(|e| e.to_string())?;
            Ok(request)
        });
        (port, server)
    }

    #[test]
    fn tls_child_own_tls() {
        if !in_child() {
            return;
        }
        assert!(CryptoProvider::get_default().is_none(), "nothing installed a provider before the test");
        let (port, server) = self_signed_server(crate::tls::ring());
        let error = list_chats(port);
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
        let message = error.to_string();
        // `UnknownIssuer` where the system has roots; a machine without any says so, also
        // about certificates
        assert!(message.contains("certificate"), "{message}");
        // the client gave up in the handshake: the server read no request (and so no key)
        let read = server.join().unwrap();
        assert!(!matches!(&read, Ok(bytes) if !bytes.is_empty()), "the server read {read:?}");
        assert!(CryptoProvider::get_default().is_none(), "the SDK installed no process-wide provider");
    }

    /// A list call to `https://127.0.0.1:{port}`, which must fail.
    fn list_chats(port: u16) -> Error {
        let client = ZaiaClient::builder()
            .api_key("sk-test-very-secret-42")
            .base_url(format!("https://127.0.0.1:{port}"))
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("the client builds");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(client.list_chats().send()).unwrap_err()
    }

    /// ring with one TLS 1.3 cipher suite only.
    fn ring_with_only(suite: rustls::SupportedCipherSuite) -> CryptoProvider {
        CryptoProvider { cipher_suites: vec![suite], ..crate::tls::ring() }
    }

    #[test]
    fn tls_child_installed_provider() {
        if !in_child() {
            return;
        }
        use rustls::crypto::ring::cipher_suite::{TLS13_AES_128_GCM_SHA256, TLS13_CHACHA20_POLY1305_SHA256};
        // the program's provider shares no cipher suite with the server: if the SDK used it, the
        // handshake fails before any certificate is looked at
        ring_with_only(TLS13_CHACHA20_POLY1305_SHA256).install_default().unwrap();
        let (port, server) = self_signed_server(ring_with_only(TLS13_AES_128_GCM_SHA256));
        let message = list_chats(port).to_string();
        assert!(message.contains("HandshakeFailure") && !message.contains("certificate"), "{message}");
        let read = server.join().unwrap();
        assert!(!matches!(&read, Ok(bytes) if !bytes.is_empty()), "the server read {read:?}");
    }

    #[test]
    fn the_sdk_uses_the_provider_the_program_installed() {
        if in_child() {
            return;
        }
        run_child("tls::own_tls::tls_child_installed_provider");
    }

    #[test]
    fn the_sdk_does_its_own_tls_handshake_and_refuses_an_untrusted_certificate() {
        if in_child() {
            return;
        }
        run_child("tls::own_tls::tls_child_own_tls");
    }
}

/// A consumer's first build is mostly its TLS provider's (BENCHMARKS.md §6): the default
/// features compile ring, and no aws-lc, on any target.
#[test]
fn the_default_features_compile_ring_and_not_aws_lc() {
    let dependents = |package: &str| {
        let output = std::process::Command::new(env!("CARGO"))
            .args(["tree", "--offline", "-p", "zaia-ext", "-e", "normal", "--target", "all", "-i", package])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(output.status.success(), "cargo tree: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(dependents("ring").starts_with("ring v"), "ring is the provider");
    for heavy in ["aws-lc-sys", "aws-lc-rs"] {
        assert_eq!(dependents(heavy), "", "{heavy} is compiled by default");
    }
}

/// ring's provider, deprecated in rustls 0.23.48 (no post-quantum key exchange) and still the
/// SDK's fallback (src/tls.rs).
#[allow(deprecated)]
fn ring() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}
