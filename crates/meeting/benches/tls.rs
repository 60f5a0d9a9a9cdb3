//! TLS handshakes a second with each rustls crypto provider: *ring*, which the crates
//! use, and aws-lc-rs, reqwest's default (`cargo xtask bench`). Full TLS 1.3 handshakes
//! in memory (no sockets), one core, a P-256 certificate like the simulator's; each
//! provider with its own default key exchange (aws-lc-rs's includes the post-quantum
//! hybrid X25519MLKEM768, which costs more). Prints `bench:` lines; asserts nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = std::env::args()
        .skip_while(|a| a != "--seconds")
        .nth(1)
        .map_or(Ok(2.0), |s| s.parse())?;
    let key = rcgen::KeyPair::generate()?;
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?.self_signed(&key)?;
    let der = CertificateDer::from(cert.der().to_vec());
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    for (name, provider) in [
        ("ring", rustls::crypto::ring::default_provider()),
        ("aws-lc-rs", rustls::crypto::aws_lc_rs::default_provider()),
    ] {
        let provider = Arc::new(provider);
        let (client, server) = configs(&provider, &der, &private)?;
        // Warm up, then count for the given time.
        handshake(&client, &server)?;
        let started = Instant::now();
        let mut count = 0u64;
        while started.elapsed() < Duration::from_secs_f64(seconds) {
            handshake(&client, &server)?;
            count += 1;
        }
        let rate = count as f64 / started.elapsed().as_secs_f64();
        println!(
            "bench: TLS 1.3 handshakes/s, {name:<9} {rate:>7.0} (client and server, one core)"
        );
    }
    Ok(())
}

fn configs(
    provider: &Arc<CryptoProvider>,
    cert: &CertificateDer<'static>,
    key: &PrivateKeyDer<'static>,
) -> Result<(Arc<ClientConfig>, Arc<ServerConfig>), rustls::Error> {
    let mut roots = RootCertStore::empty();
    roots.add(cert.clone())?;
    let client = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key.clone_key())?;
    Ok((Arc::new(client), Arc::new(server)))
}

/// One full handshake, the bytes passed between the two sides in memory.
fn handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut c = ClientConnection::new(client.clone(), ServerName::try_from("localhost")?)?;
    let mut s = ServerConnection::new(server.clone())?;
    let mut buffer = Vec::new();
    while c.is_handshaking() || s.is_handshaking() {
        buffer.clear();
        while c.wants_write() {
            c.write_tls(&mut buffer)?;
        }
        let mut read = &buffer[..];
        while !read.is_empty() {
            s.read_tls(&mut read)?;
        }
        s.process_new_packets()?;
        buffer.clear();
        while s.wants_write() {
            s.write_tls(&mut buffer)?;
        }
        let mut read = &buffer[..];
        while !read.is_empty() {
            c.read_tls(&mut read)?;
        }
        c.process_new_packets()?;
    }
    Ok(())
}
