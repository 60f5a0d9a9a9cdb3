//! Serving HTTP to whoever connects (the push receiver, the metrics endpoint), with
//! defences of its own: a deadline for the TLS handshake and one for a request's
//! headers, a cap on open connections (at it, the oldest connection that has not sent
//! a request yet is closed to admit the new one), and a pause after an `accept` that
//! fails (out of descriptors, say) rather than a spin. Nothing here blocks a runtime
//! worker.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// What a listener allows its clients.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections open at once.
    pub connections: usize,
    /// From accepting a connection to the end of its TLS handshake.
    pub handshake: Duration,
    /// From a connection's opening to the end of its first request's headers, and from
    /// the first byte of each later request to the end of its headers.
    pub headers: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connections: 1024,
            handshake: Duration::from_secs(10),
            headers: Duration::from_secs(10),
        }
    }
}

/// One open connection, as the cap sees it.
struct Connection {
    /// Whether it has sent a request's headers (a client that has is not evicted).
    served: Arc<AtomicBool>,
    /// Closes it.
    close: Arc<Notify>,
}

/// The open connections, oldest first.
#[derive(Default)]
struct Open {
    connections: BTreeMap<u64, Connection>,
    next: u64,
}

impl Open {
    /// Closes the oldest connection that has not sent a request; whether there was one.
    fn evict_oldest_idle(&mut self) -> bool {
        let oldest = self
            .connections
            .iter()
            .find(|(_, c)| !c.served.load(Ordering::Relaxed))
            .map(|(id, _)| *id);
        match oldest.and_then(|id| self.connections.remove(&id)) {
            Some(connection) => {
                connection.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Takes a connection out of the register when its task ends, however it ends.
struct Registered {
    open: Arc<Mutex<Open>>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&self.open).connections.remove(&self.id);
    }
}

fn lock(open: &Mutex<Open>) -> std::sync::MutexGuard<'_, Open> {
    // Each change is one insert or remove: a poisoned lock holds a whole map.
    open.lock().unwrap_or_else(|p| p.into_inner())
}

/// The longest pause after failed accepts in a row.
const LONGEST_PAUSE: Duration = Duration::from_secs(1);

/// Serves every connection until the task is dropped, over TLS when there is an
/// acceptor.
pub async fn serve(
    socket: TcpListener,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
) {
    let open = Arc::new(Mutex::new(Open::default()));
    let mut failures: u32 = 0;
    loop {
        let stream = match socket.accept().await {
            Ok((stream, _)) => {
                failures = 0;
                stream
            }
            Err(error) => {
                // Out of descriptors, most likely: room is made by closing a connection
                // that has not sent a request; otherwise the next try waits, longer
                // each time, so a lasting failure costs no CPU.
                if failures == 0 {
                    say!("cannot accept a connection: {error}; retrying");
                }
                failures = failures.saturating_add(1);
                let evicted = lock(&open).evict_oldest_idle();
                let pause = if evicted {
                    Duration::from_millis(1)
                } else {
                    Duration::from_millis(10)
                        .saturating_mul(1 << failures.min(7))
                        .min(LONGEST_PAUSE)
                };
                tokio::time::sleep(pause).await;
                continue;
            }
        };
        let (id, served, close) = {
            let mut open = lock(&open);
            if open.connections.len() >= limits.connections && !open.evict_oldest_idle() {
                // Every connection is busy with requests: the new one waits no turn.
                continue;
            }
            let id = open.next;
            open.next += 1;
            let connection = Connection {
                served: Arc::default(),
                close: Arc::default(),
            };
            let handles = (id, connection.served.clone(), connection.close.clone());
            open.connections.insert(id, connection);
            handles
        };
        let registered = Registered {
            open: open.clone(),
            id,
        };
        let (router, tls) = (router.clone(), tls.clone());
        tokio::spawn(async move {
            let _registered = registered;
            let closed = close.notified();
            tokio::pin!(closed);
            // A client must send its first request's headers within the deadline: the
            // protocol detection before HTTP starts has no timer of its own, and a
            // client that never sends a byte would hold its socket forever.
            let first_request = {
                let served = served.clone();
                async move {
                    tokio::time::sleep(limits.headers).await;
                    if served.load(Ordering::Relaxed) {
                        std::future::pending::<()>().await;
                    }
                }
            };
            tokio::select! {
                () = connection(stream, router, tls, served, limits) => {}
                () = &mut closed => {}
                () = first_request => {}
            }
        });
    }
}

/// One connection: its TLS handshake within its deadline, then HTTP/1.1 or HTTP/2 with
/// the header deadline, each request marking it served.
async fn connection(
    stream: tokio::net::TcpStream,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    served: Arc<AtomicBool>,
    limits: Limits,
) {
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            served.store(true, Ordering::Relaxed);
            tower::ServiceExt::oneshot(router.clone(), request)
        });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.headers);
    builder.http2().timer(TokioTimer::new());
    let _ = match tls {
        Some(acceptor) => {
            let Ok(Ok(stream)) =
                tokio::time::timeout(limits.handshake, acceptor.accept(stream)).await
            else {
                return;
            };
            builder
                .serve_connection(TokioIo::new(stream), service)
                .await
        }
        None => {
            builder
                .serve_connection(TokioIo::new(stream), service)
                .await
        }
    };
}
