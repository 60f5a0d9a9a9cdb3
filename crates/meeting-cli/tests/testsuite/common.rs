//! The simulator the CLI tests run the binary against.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub use assert_cmd::Command;
use meeting_sim::{Seed, SimHandle, Simulator};

pub const SEED: &str = include_str!("../../../meeting-sim/examples/seed.json");
pub use meeting_sim::example::{
    ADMIN_PASSWORD as PASSWORD, CONFERENCE as CONF, HOST_PASSWORD, LAPTOP, TERMINAL,
};

/// A simulator serving from its own runtime while the test thread runs the binary,
/// and a token directory of its own for the binary's file store.
pub struct Sim {
    pub handle: SimHandle,
    pub tokens: PathBuf,
    /// The administrator's password and the example meeting's host password.
    pub password: String,
    pub host_password: String,
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    pub fn start() -> Self {
        Self::with_secrets(PASSWORD, HOST_PASSWORD)
    }

    /// The example seed with the administrator's password and [`CONF`]'s host password
    /// replaced.
    pub fn with_secrets(password: &str, host_password: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let seed = SEED.replace(PASSWORD, password).replace(
            &format!("\"{HOST_PASSWORD}\""),
            &format!("\"{host_password}\""),
        );
        let seed: Seed = serde_json::from_str(&seed).expect("seed parses");
        let handle = runtime
            .block_on(Simulator::new().seed(seed).start())
            .expect("starts");
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let tokens = std::env::temp_dir().join(format!(
            "meeting-cli-tokens-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&tokens);
        Self {
            handle,
            tokens,
            password: password.to_owned(),
            host_password: host_password.to_owned(),
            _runtime: runtime,
        }
    }

    /// `meeting` with the endpoint, every secret and the token directory in its
    /// environment, nothing else.
    pub fn meeting(&self) -> Command {
        let mut cmd = Command::from_std(self.process());
        cmd.timeout(Duration::from_secs(60));
        cmd
    }

    /// The same, as a plain process to start in the background.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("meeting"));
        cmd.env_clear()
            .env("MEETING_ENDPOINT", self.handle.base_url())
            .env("MEETING_ACCOUNT", "meeting_admin")
            .env("MEETING_PASSWORD", &self.password)
            .env("MEETING_HOST_PASSWORD", &self.host_password)
            .env(
                "MEETING_TOKEN_STORE",
                format!("file:{}", self.tokens.display()),
            );
        cmd
    }

    /// Runs `meeting ARGS`, which must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.meeting().args(args).output().expect("runs");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    }

    pub fn requests(&self) -> u64 {
        self.handle.counters().requests.values().sum()
    }
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.tokens);
    }
}

/// `meeting` against `endpoint` with only the host password in its environment, and no
/// token kept between runs (each test's server answers its own way).
pub fn meeting_at(endpoint: &str) -> Command {
    let mut cmd = Command::cargo_bin("meeting").expect("binary built");
    cmd.env_clear()
        .env("MEETING_ENDPOINT", endpoint)
        .env("MEETING_HOST_PASSWORD", HOST_PASSWORD)
        .env("MEETING_TOKEN_STORE", "none")
        .timeout(Duration::from_secs(60));
    cmd
}

/// The subscriber ID of the push tests.
pub use meeting_sim::example::SUBSCRIBER;

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .expect("after 1970")
}

/// A push to [`SUBSCRIBER`] signed with `key` as the service signs it.
pub fn signed_push(key: &str, timestamp: i64, nonce: &str, event_info: &str) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key");
    mac.update(format!("{SUBSCRIBER}{timestamp}{nonce}{event_info}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!(
        r#"{{"appID":"{SUBSCRIBER}","timestamp":{timestamp},"nonce":"{nonce}","signature":"{signature}","eventInfo":{event_info}}}"#
    )
    .into_bytes()
}

/// A raw HTTP/1.1 POST to a plain-HTTP listener at `authority` (`host:port`); the
/// answer's status, 0 for none.
pub fn post_to(authority: &str, body: &[u8]) -> u16 {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(authority) else {
        return 0;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let head = format!(
        "POST /anywhere HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    if stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .is_err()
    {
        return 0;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A GET of `path` from the plain-HTTP server at `authority`: the status and body.
pub fn get(authority: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(authority).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n"
    )
    .expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The `host:port` of a `metrics on http://ADDR/metrics, …` line.
pub fn metrics_authority(line: &str) -> String {
    line.strip_prefix("metrics on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("not the metrics line: {line}"))
        .to_owned()
}

/// The value of metric `name` with every one of `labels` (`key="value"`) in a
/// Prometheus scrape; 0 when there is none (a counter not counted yet).
pub fn metric(scrape: &str, name: &str, labels: &[&str]) -> f64 {
    scrape
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            let metric = line.split(['{', ' ']).next().unwrap_or_default();
            metric == name || metric == format!("{name}_total")
        })
        .filter(|line| labels.iter().all(|label| line.contains(label)))
        .map(|line| {
            line.rsplit(' ')
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("a value: {line}"))
        })
        .sum()
}

/// The metrics the committed Grafana dashboard queries (`grafana/meeting.json`), each
/// with the title of the panel that does.
pub fn dashboard_metrics() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/grafana/meeting.json");
    let text = std::fs::read_to_string(path).expect("the dashboard");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    let mut queried = Vec::new();
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let title = panel["title"].as_str().expect("a title").to_owned();
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title} queries nothing");
        for target in targets {
            let expr = target["expr"].as_str().expect("an expression");
            let names: Vec<&str> = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| word.starts_with("meeting_"))
                .collect();
            assert!(!names.is_empty(), "{title}: no metric in {expr}");
            queried.extend(names.into_iter().map(|n| (n.to_owned(), title.clone())));
        }
    }
    queried
}

/// The metric names in a Prometheus scrape.
pub fn scraped(scrape: &str) -> std::collections::BTreeSet<String> {
    scrape
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
}
