//! The client's one TLS configuration: the platform's roots plus the ones the builder
//! was given, verified with the same crypto provider for the HTTP client and for the
//! event WebSockets, so that both trust exactly the same servers.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::Error;

/// The crypto provider of every TLS configuration this crate makes: *ring*, which builds
/// in a fraction of aws-lc-rs's time and runs on every platform Rust's tier-1 and most
/// tier-2 targets cover (BENCHMARKS.md compares their handshakes a second). Named
/// explicitly, never taken from the process default, so that a build in which another
/// crate compiles aws-lc-rs as well works the same.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Installs [`provider`] as rustls's process-wide default unless the application has
/// installed one. redis-rs builds its `rediss://` configuration from that default, and
/// rustls cannot pick one by itself in a build that has two providers.
#[cfg(feature = "redis")]
pub(crate) fn ensure_process_default() {
    if CryptoProvider::get_default().is_none() {
        // Lost a race with another installer: theirs is the default, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The TLS configuration shared by the HTTP client and the WebSockets.
#[derive(Clone, Debug)]
pub(crate) struct TlsSettings {
    config: Arc<ClientConfig>,
}

impl TlsSettings {
    /// The platform's roots and `extra` ones.
    pub fn new(extra: Vec<CertificateDer<'static>>) -> Result<Self, Error> {
        let provider = provider();
        let verifier =
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
                .map_err(|e| {
                    Error::config_with(format!("cannot load the trusted roots: {e}"), e)
                })?;
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::config_with(format!("no usable TLS version: {e}"), e))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Self {
            config: Arc::new(config),
        })
    }

    /// For reqwest, which negotiates HTTP/2 or HTTP/1.1.
    pub fn for_http(&self) -> ClientConfig {
        let mut config = (*self.config).clone();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        config
    }

    /// For a WebSocket, which upgrades an HTTP/1.1 connection.
    #[cfg_attr(not(feature = "events"), allow(dead_code))]
    pub fn for_websocket(&self) -> Arc<ClientConfig> {
        let mut config = (*self.config).clone();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

/// How the event WebSockets of a client connect.
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "events"), allow(dead_code))]
pub(crate) struct WebSocketSettings {
    /// The client's TLS configuration, for HTTP/1.1 (see [`TlsSettings::for_websocket`]).
    pub tls: Arc<ClientConfig>,
    /// Plain `ws://` to a host that is not loopback (as for HTTP).
    pub allow_insecure: bool,
    pub connect_timeout: Duration,
}

/// The certificates of a PEM bundle; text without one is refused.
pub(crate) fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::config_with(format!("not a PEM certificate: {e}"), e))?;
    if certificates.is_empty() {
        return Err(Error::config("no certificate in the PEM text"));
    }
    Ok(certificates)
}
