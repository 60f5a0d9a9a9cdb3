//! A real Redis for tests: Debian's `redis-server`, started on a free loopback port
//! with nothing persisted, stopped when dropped. Tests that share tokens through Redis
//! use it; it never stands in for Redis, it is Redis.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a starting server may take to answer `PING`.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// A running `redis-server`.
#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    addr: SocketAddr,
    /// For a server that speaks TLS: its files, and the CA that signed its certificate.
    tls: Option<TlsFiles>,
}

/// The certificate, key and CA of a TLS server, in a directory removed with it.
#[derive(Debug)]
struct TlsFiles {
    dir: PathBuf,
    ca_pem: String,
}

impl Drop for TlsFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `redis-server` binary: `MEETING_REDIS_SERVER`, else the first on `PATH`, else
/// Debian's `/usr/bin/redis-server`.
fn binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("MEETING_REDIS_SERVER") {
        return Ok(path.into());
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("redis-server"))
        .chain([PathBuf::from("/usr/bin/redis-server")])
        .find(|path| path.is_file());
    on_path.ok_or_else(|| {
        "redis-server is not installed: these tests need a real Redis \
         (Debian: `apt-get install redis-server`; or set MEETING_REDIS_SERVER to its path)"
            .to_owned()
    })
}

/// The server's command line: loopback, `port`, nothing persisted.
fn command(binary: &std::path::Path, port: u16, tls: Option<&TlsFiles>) -> Command {
    let mut command = Command::new(binary);
    command.args(["--bind", "127.0.0.1"]);
    match tls {
        None => command.args(["--port", &port.to_string()]),
        Some(files) => command
            .args(["--port", "0", "--tls-port", &port.to_string()])
            .arg("--tls-cert-file")
            .arg(files.dir.join("cert.pem"))
            .arg("--tls-key-file")
            .arg(files.dir.join("key.pem"))
            .arg("--tls-ca-cert-file")
            .arg(files.dir.join("ca.pem"))
            .args(["--tls-auth-clients", "no"]),
    };
    command
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .args(["--loglevel", "warning"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

impl RedisServer {
    /// Starts a server on a free loopback port and waits until it answers.
    pub fn start() -> Result<Self, String> {
        Self::start_with(None)
    }

    /// Starts a server that speaks only TLS (`rediss://`), with a certificate for
    /// `localhost` and `127.0.0.1` signed by a CA made here ([`RedisServer::ca_pem`]);
    /// clients need not present a certificate.
    pub fn start_tls() -> Result<Self, String> {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let certificates = crate::tls::certificates()?;
        let dir = std::env::temp_dir().join(format!(
            "meeting-redis-tls-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        let files = TlsFiles {
            dir,
            ca_pem: certificates.ca_pem.clone(),
        };
        for (name, pem) in [
            ("ca.pem", &certificates.ca_pem),
            ("cert.pem", &certificates.cert_pem),
            ("key.pem", &certificates.key_pem),
        ] {
            std::fs::write(files.dir.join(name), pem)
                .map_err(|e| format!("cannot write {name}: {e}"))?;
        }
        Self::start_with(Some(files))
    }

    fn start_with(mut tls: Option<TlsFiles>) -> Result<Self, String> {
        let binary = binary()?;
        let mut last = String::new();
        // A port found free may be taken before the server binds it: try a few.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("no free loopback port: {e}"))?
                .port();
            let child = command(&binary, port, tls.as_ref())
                .spawn()
                .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
            let mut server = Self {
                child,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                tls: tls.take(),
            };
            match server.wait_ready() {
                Ok(()) => return Ok(server),
                Err(e) => {
                    last = e;
                    tls = server.tls.take();
                }
            }
        }
        Err(format!("redis-server did not start: {last}"))
    }

    /// Kills the server and starts it again on the same address, as a Redis that
    /// crashed and restarted: nothing is persisted, so everything it held is lost.
    pub fn restart(&mut self) -> Result<(), String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let binary = binary()?;
        self.child = command(&binary, self.addr.port(), self.tls.as_ref())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                return Err(format!("it exited ({status}): {}", stderr.trim()));
            }
            if self.ping() {
                return Ok(());
            }
            if started.elapsed() > READY_WITHIN {
                return Err(format!("no answer within {} s", READY_WITHIN.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the server answers `PING` now (a TLS server: whether it accepts a
    /// connection).
    pub fn ping(&self) -> bool {
        if self.tls.is_some() {
            return TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok();
        }
        let answer = (|| {
            let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200))?;
            stream.set_read_timeout(Some(Duration::from_millis(500)))?;
            stream.write_all(b"PING\r\n")?;
            let mut reply = [0u8; 7];
            stream.read_exact(&mut reply)?;
            Ok::<_, std::io::Error>(reply)
        })();
        answer.is_ok_and(|reply| &reply == b"+PONG\r\n")
    }

    /// `redis://127.0.0.1:<port>/<db>`, or `rediss://` for a TLS server.
    pub fn url(&self, db: u8) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://{}/{db}", self.addr)
    }

    /// For a TLS server: the CA certificate (PEM) a client must trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.ca_pem.as_str())
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Freezes the server (SIGSTOP): connections stay open and nothing answers, as
    /// with a server that hangs.
    pub fn pause(&self) -> Result<(), String> {
        self.signal("STOP")
    }

    /// Thaws a paused server (SIGCONT).
    pub fn resume(&self) -> Result<(), String> {
        self.signal("CONT")
    }

    fn signal(&self, signal: &str) -> Result<(), String> {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .map_err(|e| format!("cannot run kill: {e}"))?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| format!("kill -{signal} failed: {status}"))
    }

    /// Stops the server (SIGKILL, as a crash: a paused one too) and waits for it to
    /// be gone.
    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
