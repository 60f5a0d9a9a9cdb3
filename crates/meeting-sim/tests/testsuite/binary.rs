//! The `meeting-sim` binary as a script uses it: one line on stdout with the base URL
//! (and the CA path under --tls), one log line per request on stderr.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_meeting-sim");
const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed.json");

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("one line on stdout");
    (Running(child), line.trim().to_owned())
}

#[tokio::test]
async fn prints_its_url_serves_the_seed_and_logs_each_request() {
    let (mut running, line) = start(&["--port", "0", "--seed", SEED]);
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
    let response = reqwest::Client::new()
        .get(format!(
            "{line}/v1/mmc/control/conferences/token?conferenceID=914083136"
        ))
        .header("X-Password", "654321")
        .header("X-Login-Type", "1")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let conference: serde_json::Value = reqwest::get(format!("{line}/_sim/conferences/914087436"))
        .await
        .expect("admin answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(conference["state"], "scheduled");
    let _ = running.0.kill();
    let mut stderr = String::new();
    running
        .0
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let lines: Vec<_> = stderr.lines().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("GET /v1/mmc/control/conferences/token CreateConfToken -> 200"),
        "{stderr}"
    );
    assert!(!stderr.contains("654321"), "no password in the log");
}

#[tokio::test]
async fn tls_prints_the_ca_path_and_serves_https() {
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = temp.path();
    let pem_path = dir.join("ca.pem");
    let pem_arg = pem_path.to_str().expect("utf-8 path");
    let (_running, line) = start(&["--port", "0", "--tls", "--ca-cert-out", pem_arg, "--quiet"]);
    let (url, path) = line.split_once(' ').expect("url and CA path");
    assert!(url.starts_with("https://127.0.0.1:"));
    assert_eq!(path, pem_arg);
    let pem = std::fs::read(path).expect("the CA was written");
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"))
        .build()
        .expect("client");
    let response = client
        .get(format!("{url}/_sim/state"))
        .send()
        .await
        .expect("HTTPS answers");
    assert_eq!(response.status(), 200);
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(BIN).arg("--help").output().expect("runs");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--port",
        "--bind",
        "--tls",
        "--seed",
        "--server-error-rate",
        "--throttle-rate",
        "--drop-rate",
        "--latency-ms",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}");
    }
    let bad = Command::new(BIN)
        .args(["--port", "0", "--drop-rate", "2"])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--drop-rate must be between 0 and 1"));
    let missing = Command::new(BIN)
        .args(["--port", "0", "--seed", "/nonexistent.json"])
        .output()
        .expect("runs");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("seed file"));
}
