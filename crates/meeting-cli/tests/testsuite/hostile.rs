//! The `meeting` binary against a hostile or broken server and careless input: the right
//! exit code, a bounded time, nothing from the server that can drive the terminal, and
//! no secret in what it prints.

use std::io::{BufRead, BufReader, Read, Write};
use std::time::{Duration, Instant};

use crate::common;

use common::{Command, meeting_at};
use meeting_sim::scripted::{Reply, ScriptedServer};
use meeting_sim::{SimHandle, Simulator};

use meeting_sim::example::CONFERENCE as CONF;
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../meeting-sim/examples/seed.json"
);

/// A scripted server serving from its own runtime while the test thread runs the binary.
struct Scripted {
    server: ScriptedServer,
    _runtime: tokio::runtime::Runtime,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

impl Scripted {
    fn start(
        script: impl Fn(&meeting_sim::scripted::RecordedRequest) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let runtime = runtime();
        let server = runtime
            .block_on(ScriptedServer::start(script))
            .expect("server starts");
        Self {
            server,
            _runtime: runtime,
        }
    }

    fn meeting(&self) -> Command {
        meeting_at(&self.server.base_url())
    }
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn token_reply(token: &str, extra: &str) -> Reply {
    Reply::json(
        200,
        format!(r#"{{"httpCode":200,"data":{{"token":"{token}","role":1{extra}}}}}"#),
    )
}

#[test]
fn a_far_expiry_prints_without_a_panic() {
    // Before: exit 101 formatting a validity of 10^18 s.
    let server =
        Scripted::start(|_| token_reply("stbok", r#","confTokenExpireTime":1000000000000000000"#));
    let out = server
        .meeting()
        .args(["token", CONF])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid 7days"));
}

#[test]
fn server_text_cannot_drive_the_terminal() {
    // Before: escape sequences from error_code and error_msg reached the terminal.
    let server = Scripted::start(|request| {
        if request
            .path
            .starts_with("/v1/mmc/control/conferences/token")
        {
            return token_reply("stbok", "");
        }
        Reply::json(
            403,
            r#"{"error_code":"MMC.1\u001b[2J\u001b[H","error_msg":"no\r\nLocked meeting 914083136.\u001b[8m"}"#,
        )
        .with_header("x-request-id", &"9".repeat(5000))
    });
    let out = server
        .meeting()
        .args(["lock", CONF])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.len() < 1000,
        "the request id is capped: {} bytes",
        text.len()
    );
}

#[test]
fn timeout_bounds_the_whole_command() {
    // Before: one `meeting lock` took 100 s.
    let server = Scripted::start(|_| Reply::Silence);
    for (flag, env) in [(Some("--timeout=1s"), None), (None, Some("1500ms"))] {
        let mut cmd = server.meeting();
        if let Some(env) = env {
            cmd.env("MEETING_TIMEOUT", env);
        }
        let started = Instant::now();
        let out = cmd.args(flag).args(["lock", CONF]).output().expect("runs");
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    let out = server
        .meeting()
        .args(["--timeout", "0", "lock", CONF])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_bad_token_from_the_server_exits_1() {
    // Before: exit 2, "invalid input", although requests were sent.
    for token in ["", "stb\\nsplit"] {
        let server = Scripted::start(move |_| token_reply(token, ""));
        let out = server
            .meeting()
            .args(["lock", CONF])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{token:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("the control token the service returned"));
    }
}

#[test]
fn a_password_in_the_endpoint_is_refused_unquoted() {
    let out = meeting_at("http://admin:S3CRET-in-url@127.0.0.1:1/")
        .args(["--json", "lock", CONF])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let text = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(!text.contains("S3CRET"), "{text}");
    assert!(
        text.contains("must not carry a user name or password"),
        "{text}"
    );
}

#[test]
fn an_untrusted_certificate_is_one_line_and_exit_3() {
    // Before: tried three times, with an ERROR line from rustls for each.
    let runtime = runtime();
    let sim: SimHandle = runtime
        .block_on(Simulator::new().tls(true).start())
        .expect("starts");
    let endpoint = format!("https://localhost:{}", sim.local_addr().port());
    let out = meeting_at(&endpoint)
        .args(["lock", CONF])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stderr(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("TLS failure") && text.contains("UnknownIssuer"),
        "{text}"
    );
    let out = meeting_at(&endpoint)
        .args(["--json", "lock", CONF])
        .output()
        .expect("runs");
    let value: serde_json::Value = serde_json::from_slice(&out.stderr).expect("JSON");
    assert_eq!(value["error"]["kind"], "tls");
}

#[test]
fn logs_written_to_a_file_have_no_colour_codes() {
    let sim = Scripted::start(|_| token_reply("stbok", ""));
    let out = sim
        .meeting()
        .args(["-vv", "token", CONF])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("meeting.operation"));
    assert!(!stderr(&out).contains('\u{1b}'));
}

/// Runs `meeting sim` with `args`, sends one request, and returns its stderr.
fn sim_log(args: &[&str]) -> String {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("meeting"))
        .args(["sim", "--port", "0", "--seed", SEED])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("a line");
    let addr = line.trim().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).expect("connects");
    stream
        .write_all(b"GET /v1/mmc/control/conferences/token?conferenceID=914083136 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .expect("writes");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("reads");
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    let _ = child.kill();
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut log)
        .expect("reads");
    let _ = child.wait();
    log
}

#[test]
fn meeting_sim_takes_quiet() {
    // Before: `meeting sim --quiet` was refused as an unknown option.
    assert!(sim_log(&[]).contains("/v1/mmc/control/conferences/token"));
    assert_eq!(sim_log(&["--quiet"]), "");
}
