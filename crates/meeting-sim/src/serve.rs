//! Serving connections: the accept loop, HTTP and HTTPS on one port (each connection
//! is sniffed for a TLS ClientHello), upgrades to WebSockets, graceful shutdown, and
//! the dropped connections that faults ask for.

use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::service;

/// Accepts connections until `stopped`, then lets open ones finish (up to 5 s).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stopped: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let tls = tls.clone();
        let watcher = graceful.watcher();
        let stopped = stopped.clone();
        tokio::spawn(async move {
            if let Err(e) = serve(stream, router, tls, watcher, stopped).await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

/// TLS record type of a ClientHello: a client speaking HTTPS starts with this byte.
const TLS_HANDSHAKE: u8 = 0x16;

async fn serve(
    stream: TcpStream,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    watcher: hyper_util::server::graceful::Watcher,
    mut stopped: watch::Receiver<bool>,
) -> Result<(), String> {
    // The official SDK logs in over HTTPS even when the endpoint says http: sniff each
    // connection and speak what the client speaks.
    let mut first = [0u8; 1];
    let peeked = tokio::select! {
        peeked = tokio::time::timeout(Duration::from_secs(30), stream.peek(&mut first)) => peeked
            .map_err(|_| "no request within 30 s".to_owned())?
            .map_err(|e| e.to_string())?,
        // A connection that has sent nothing has nothing to finish: closed at once on
        // shutdown (a client's pool may hold one it opened and never used).
        _ = stopped.wait_for(|stopped| *stopped) => return Ok(()),
    };
    let secure = tls.is_some() && peeked == 1 && first[0] == TLS_HANDSHAKE;
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let router = router.clone();
            let mut request = request.map(axum::body::Body::new);
            // Handlers that answer URLs (the control token's wsURL) answer the scheme
            // the client connected with.
            request.extensions_mut().insert(service::Secure(secure));
            async move {
                let response = match router.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                if response
                    .extensions()
                    .get::<service::DropConnection>()
                    .is_some()
                {
                    return Err(DroppedByFault);
                }
                Ok(response)
            }
        });
    let builder = auto::Builder::new(TokioExecutor::new());
    match tls {
        Some(acceptor) if secure => {
            let stream = acceptor
                .accept(stream)
                .await
                .map_err(|e| format!("TLS handshake: {e}"))?;
            watcher
                .watch(
                    builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .into_owned(),
                )
                .await
        }
        _ => {
            watcher
                .watch(
                    builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .into_owned(),
                )
                .await
        }
    }
    .map_err(|e| e.to_string())
}

/// The error that makes hyper close a connection without answering (an injected drop).
#[derive(Debug)]
struct DroppedByFault;

impl std::fmt::Display for DroppedByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DroppedByFault {}
