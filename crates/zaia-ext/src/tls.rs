//! TLS for the SDK's own HTTP client.
//!
//! The `rustls` feature (the default) is rustls with *ring* as its crypto provider: ring's C
//! builds with gcc alone, in a fraction of the time aws-lc (reqwest's own provider) takes, and
//! that build is most of a consumer's first build (BENCHMARKS.md §6). The client is handed its
//! TLS configuration whole, so it neither needs nor changes the process-wide default provider:
//! a provider the program installed is used, ring otherwise. With `native-tls` on as well,
//! reqwest's native TLS is used instead, as reqwest itself would.
//!
//! rustls 0.23.48 deprecates `crypto::ring::default_provider` because ring has no
//! post-quantum key exchange. It stays the fallback here (it builds with gcc alone; aws-lc's
//! provider, which has one, needs a longer C build): a program that wants post-quantum key
//! exchange installs that provider as the process default, and the SDK uses it.

use crate::config::ConfigError;

/// ring's provider: deprecated in rustls 0.23.48 for want of post-quantum key exchange, and
/// chosen anyway (see the module docs); one place says so.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// `builder` with the SDK's TLS.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    use std::sync::Arc;

    use rustls::crypto::CryptoProvider;
    use rustls_platform_verifier::BuilderVerifierExt;

    let tls = |e: rustls::Error| ConfigError::Tls { reason: e.to_string() };
    let provider = CryptoProvider::get_default().cloned().unwrap_or_else(|| Arc::new(ring_provider()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls)?
        // the system's roots, as reqwest's own rustls setup uses
        .with_platform_verifier()
        .map_err(tls)?
        .with_no_client_auth();
    config.alpn_protocols = alpn();
    Ok(builder.tls_backend_preconfigured(config))
}

/// `builder` as it is: reqwest's native TLS, or no TLS at all.
#[cfg(not(all(feature = "rustls", not(feature = "native-tls"))))]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder)
}

/// The protocols offered in the handshake, as reqwest offers them for its own rustls setup.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
fn alpn() -> Vec<Vec<u8>> {
    let mut protocols = Vec::new();
    if cfg!(feature = "http2") {
        protocols.push(b"h2".to_vec());
    }
    protocols.push(b"http/1.1".to_vec());
    protocols
}

#[cfg(all(test, feature = "rustls", not(feature = "native-tls")))]
mod tests {
    #[test]
    fn the_handshake_offers_http1_and_h2_only_with_the_http2_feature() {
        let offered = super::alpn();
        assert_eq!(offered.last().map(Vec::as_slice), Some(&b"http/1.1"[..]));
        assert_eq!(offered.iter().any(|p| p == b"h2"), cfg!(feature = "http2"));
    }
}
