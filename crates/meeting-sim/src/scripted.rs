//! What the simulator never sends: a loopback server that answers each request with
//! exactly the bytes a test scripts (a malformed status line, a trickle, silence, a
//! huge header), and a relay that counts the connections a client opens. For testing
//! how a client survives a hostile or broken server.
//!
//! ```
//! # #[tokio::main] async fn main() -> std::io::Result<()> {
//! use meeting_sim::scripted::{Reply, ScriptedServer};
//!
//! let server = ScriptedServer::start(|_request| Reply::json(502, "<html>bad gateway</html>")).await?;
//! let answer = reqwest::get(format!("{}/anything", server.base_url())).await;
//! assert_eq!(answer.map(|a| a.status().as_u16()).ok(), Some(502));
//! assert_eq!(server.requests()[0].path, "/anything");
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A request as the scripted server read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `PUT`, …
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How to answer one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// These bytes as they are, then the connection is closed.
    Raw(Vec<u8>),
    /// An HTTP/1.1 answer; the connection stays open for the next request.
    Http {
        /// The status code.
        status: u16,
        /// Extra headers (`Content-Length` is added).
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// The head of an answer with this `Content-Length`, then the body's bytes one per
    /// `interval`, then the connection is closed.
    Trickle {
        /// The body.
        body: Vec<u8>,
        /// Between two bytes.
        interval: Duration,
    },
    /// The head of a 200 announcing `announced` bytes, `sent` of them, then the
    /// connection is closed.
    Truncated {
        /// The announced `Content-Length`.
        announced: usize,
        /// The bytes sent.
        sent: Vec<u8>,
    },
    /// A 200 whose body never ends (no length; 64 KiB chunks until the client hangs
    /// up): what a client reads of it is up to the client.
    Flood,
    /// No answer: the connection is held open until the server stops.
    Silence,
    /// The reply after a wait.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    /// A JSON (or any text) answer with this status.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::Http {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into().into_bytes(),
        }
    }

    /// This reply with one more header (only for [`Reply::Http`]).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Self::Http { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

type Script = dyn Fn(&RecordedRequest) -> Reply + Send + Sync;

/// A loopback server answering by script. Stops when dropped.
pub struct ScriptedServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl ScriptedServer {
    /// Listens on an ephemeral loopback port and answers every request with
    /// `script(request)`.
    pub async fn start(
        script: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let script: Arc<Script> = Arc::new(script);
        let task = tokio::spawn({
            let requests = requests.clone();
            let connections = connections.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    connections.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(serve(stream, script.clone(), requests.clone()));
                }
            }
        });
        Ok(Self {
            addr,
            requests,
            connections,
            task,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests read so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    script: Arc<Script>,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buffer).await {
        let reply = script(&request);
        requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(request);
        if !answer(&mut stream, reply).await {
            return;
        }
    }
}

/// Writes the reply; says whether the connection stays open.
async fn answer(stream: &mut TcpStream, mut reply: Reply) -> bool {
    while let Reply::Delayed(wait, inner) = reply {
        tokio::time::sleep(wait).await;
        reply = *inner;
    }
    let head = |status: u16, length: usize, extra: &[(String, String)]| {
        let mut head = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: {length}\r\n");
        for (name, value) in extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    };
    match reply {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            false
        }
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let mut bytes = head(status, body.len(), &headers);
            bytes.extend_from_slice(&body);
            stream.write_all(&bytes).await.is_ok()
        }
        Reply::Trickle { body, interval } => {
            if stream.write_all(&head(200, body.len(), &[])).await.is_err() {
                return false;
            }
            for byte in body {
                tokio::time::sleep(interval).await;
                if stream.write_all(&[byte]).await.is_err() {
                    return false;
                }
            }
            false
        }
        Reply::Truncated { announced, sent } => {
            let mut bytes = head(200, announced, &[]);
            bytes.extend_from_slice(&sent);
            let _ = stream.write_all(&bytes).await;
            false
        }
        Reply::Flood => {
            let head = b"HTTP/1.1 200 Scripted\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
            let chunk = [b' '; 64 * 1024];
            if stream.write_all(head).await.is_err() {
                return false;
            }
            while stream.write_all(&chunk).await.is_ok() {}
            false
        }
        Reply::Silence => {
            // Hold the connection until the client gives up or the server stops.
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            false
        }
        Reply::Delayed(..) => false,
    }
}

/// Reads one request (head and `Content-Length` body); `None` at the end of the
/// connection or on a request it cannot read.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<RecordedRequest> {
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if !read_more(stream, buffer).await {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let (method, path) = (start.next()?.to_owned(), start.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        if !read_more(stream, buffer).await {
            return None;
        }
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Some(RecordedRequest {
        method,
        path,
        headers,
        body,
    })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

/// A loopback TCP relay to `target` that counts the connections clients open through
/// it: for checking that a client reuses its connections. Stops when dropped.
pub struct Relay {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Relay {
    /// Listens on an ephemeral loopback port and relays every connection to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let connections = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let connections = connections.clone();
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    connections.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(target).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                }
            }
        });
        Ok(Self {
            addr,
            connections,
            task,
        })
    }

    /// The relay's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The connections relayed so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}
