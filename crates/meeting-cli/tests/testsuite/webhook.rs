//! `meeting webhook`: set, show, enable (the simulator's handshake reaches `listen`),
//! the pushes printed one JSON object a line, refusals logged on stderr without their
//! content, and the exit codes.

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use meeting_sim::ParticipantSeed;
use serde_json::Value;

const KEY: &str = "cli-webhook-key";

/// Lines of a stream, as they come.
fn lines(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn next(lines: &mpsc::Receiver<String>, what: &str) -> String {
    lines
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("no {what} within 10 s"))
}

struct Listener {
    child: Child,
    url: String,
    /// Where `/metrics` and `/healthz` are, with `--metrics-port`.
    metrics: Option<String>,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(sim: &Sim, extra: &[&str]) -> Listener {
    let mut child = sim
        .process()
        .args(["webhook", "listen", "--port", "0", "--json"])
        .args(extra)
        .env("MEETING_WEBHOOK_KEY", KEY)
        .env("MEETING_WEBHOOK_SUBSCRIBER_ID", SUBSCRIBER)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stdout = lines(child.stdout.take().expect("piped"));
    let stderr = lines(child.stderr.take().expect("piped"));
    let first = next(&stderr, "the listening line");
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let metrics = extra
        .contains(&"--metrics-port")
        .then(|| metrics_authority(&next(&stderr, "the metrics line")));
    Listener {
        child,
        url,
        metrics,
        stdout,
        stderr,
    }
}

fn webhook(sim: &Sim, args: &[&str]) -> std::process::Output {
    sim.meeting()
        .arg("webhook")
        .args(args)
        .env("MEETING_WEBHOOK_KEY", KEY)
        .env("MEETING_WEBHOOK_SUBSCRIBER_ID", SUBSCRIBER)
        .output()
        .expect("runs")
}

/// Sets the push to `url`, enables it, and returns the configuration's ID.
fn configure(sim: &Sim, url: &str) -> String {
    let set = webhook(sim, &["set", "--url", url]);
    assert!(set.status.success(), "{}", stderr(&set));
    let shown = webhook(sim, &["show", "--json"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let shown: Value = serde_json::from_slice(&shown.stdout).expect("JSON");
    assert_eq!(shown["status"], "disabled");
    assert_eq!(shown["subscriber_id"], SUBSCRIBER);
    let id = shown["id"].as_str().expect("an id").to_owned();
    let enabled = webhook(sim, &["enable", &id]);
    assert!(enabled.status.success(), "{}", stderr(&enabled));
    id
}

#[test]
fn listen_over_https_prints_every_pushed_event_once() {
    let sim = Sim::start();
    let certs = sim.tokens.join("certs");
    meeting_sim::write_test_certificates(&certs).expect("certificates");
    let cert = certs.join("cert.pem");
    let key = certs.join("key.pem");
    let listener = listen(
        &sim,
        &[
            "--path",
            "/openapi/meetingevent",
            "--tls-cert",
            cert.to_str().expect("utf-8"),
            "--tls-key",
            key.to_str().expect("utf-8"),
            "--metrics-port",
            "0",
        ],
    );
    assert!(
        listener.url.starts_with("https://127.0.0.1:"),
        "{}",
        listener.url
    );
    configure(&sim, &listener.url);
    assert_eq!(
        next(&listener.stderr, "the handshake"),
        "answered the verification handshake"
    );

    assert!(
        sim.handle
            .join(CONF, ParticipantSeed::client("alice", "Alice"))
    );
    assert!(sim.handle.leave(CONF, "alice"));
    let stop = sim.meeting().args(["stop", CONF]).output().expect("runs");
    assert!(stop.status.success(), "{}", stderr(&stop));

    let mut events = Vec::new();
    loop {
        let event: Value =
            serde_json::from_str(&next(&listener.stdout, "an event")).expect("one JSON a line");
        let done = event["type"] == "meeting_concluded";
        events.push(event);
        if done {
            break;
        }
    }
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect();
    assert_eq!(&types[..2], ["participant_joined", "participant_left"]);
    assert_eq!(events[0]["attendee"]["display_name"], "Alice");
    assert_eq!(types[types.len() - 2], "meeting_ended");
    // The seeded participants leave as the meeting ends.
    let seeded = &types[2..types.len() - 2];
    assert!(!seeded.is_empty() && seeded.iter().all(|t| *t == "participant_left"));
    assert!(events.iter().all(|e| e["meeting"] == CONF));
    let delivered = sim.handle.webhook_deliveries();
    assert_eq!(
        delivered.len(),
        events.len(),
        "each pushed event printed once"
    );
    // What the listener says it did: each push accepted, one handshake, healthy.
    let metrics = listener.metrics.as_deref().expect("--metrics-port");
    let pushes = |scrape: &str, outcome: &str| {
        metric(
            scrape,
            "meeting_webhook_pushes",
            &[&format!("outcome=\"{outcome}\"")],
        )
    };
    // (The last push is counted as it is answered, a moment after its line.)
    let asked = std::time::Instant::now();
    let scrape = loop {
        let (status, scrape) = get(metrics, "/metrics");
        assert_eq!(status, 200);
        if pushes(&scrape, "accepted") == delivered.len() as f64
            || asked.elapsed() > Duration::from_secs(5)
        {
            break scrape;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let pushes = |outcome: &str| pushes(&scrape, outcome);
    assert_eq!(pushes("accepted"), delivered.len() as f64, "{scrape}");
    assert_eq!(pushes("handshake"), 1.0);
    assert_eq!(pushes("refused"), 0.0);
    assert_eq!(get(metrics, "/healthz"), (200, "ok\n".to_owned()));
    // Every metric the dashboard's receiver panels query, in this scrape.
    let names = scraped(&scrape);
    for (metric, panel) in dashboard_metrics() {
        if metric.starts_with("meeting_webhook_") {
            assert!(
                names.contains(&metric),
                "{panel}: {metric} not in {names:?}"
            );
        }
    }
}

/// A raw HTTP/1.1 POST to a plain-HTTP listener; the answer's status.
fn post(url: &str, body: &[u8]) -> u16 {
    let authority = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port");
    post_to(authority, body)
}

#[test]
fn refused_pushes_are_logged_without_their_content_and_the_listener_keeps_serving() {
    let sim = Sim::start();
    let listener = listen(&sim, &[]);
    assert_eq!(post(&listener.url, b"{not json hunter2"), 400);
    let logged = next(&listener.stderr, "the refusal");
    assert!(
        logged.starts_with("refused a push: malformed push"),
        "{logged}"
    );
    assert!(!logged.contains("hunter2"));
    let forged = br#"{"appID":"12345678","timestamp":1,"nonce":"1","signature":"0000000000000000000000000000000000000000000000000000000000000000","eventInfo":{"event":"meeting.end","timestamp":1,"payload":{"meetingInfo":{"meetingID":"hunter2"}}}}"#;
    assert_eq!(post(&listener.url, forged), 401);
    let logged = next(&listener.stderr, "the refusal");
    assert_eq!(logged, "refused a push: bad signature: it matches no key");
    // Still serving: the handshake goes through, and nothing was printed.
    configure(&sim, &listener.url);
    assert!(listener.stdout.try_recv().is_err());
}

#[test]
fn enable_exits_1_when_the_handshake_fails_and_set_checks_its_input() {
    let sim = Sim::start();
    let listener = listen(&sim, &[]);
    let url = listener.url.clone();
    drop(listener);
    let set = webhook(&sim, &["set", "--url", &url]);
    assert!(set.status.success(), "{}", stderr(&set));
    let shown: Value =
        serde_json::from_slice(&webhook(&sim, &["show", "--json"]).stdout).expect("JSON");
    let id = shown["id"].as_str().expect("id");
    let enabled = webhook(&sim, &["enable", id]);
    assert_eq!(enabled.status.code(), Some(1), "{}", stderr(&enabled));
    assert!(
        stderr(&enabled).contains("SIM.000000452"),
        "{}",
        stderr(&enabled)
    );
    assert!(!stderr(&enabled).contains(KEY));

    let bad = webhook(&sim, &["set", "--url", "not a url"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    let no_key = sim
        .meeting()
        .args([
            "webhook",
            "set",
            "--url",
            &url,
            "--subscriber-id",
            SUBSCRIBER,
        ])
        .output()
        .expect("runs");
    assert_eq!(no_key.status.code(), Some(2));
    assert!(
        stderr(&no_key).contains("MEETING_WEBHOOK_KEY"),
        "{}",
        stderr(&no_key)
    );
    let deleted = webhook(&sim, &["delete", id]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
}

#[test]
fn listen_refuses_an_empty_or_blank_key_before_it_listens() {
    let sim = Sim::start();
    let temp = tempfile::tempdir().expect("a temporary directory");
    let cases: [(&str, Option<&str>); 4] = [
        ("", Some("empty")),
        ("\n", Some("newline")),
        (" \t\r\n", Some("blank")),
        (" ", None),
    ];
    for (key, file) in cases {
        let mut cmd = sim.meeting();
        cmd.args(["webhook", "listen", "--port", "0"])
            .env("MEETING_WEBHOOK_SUBSCRIBER_ID", SUBSCRIBER);
        let source = match file {
            Some(name) => {
                let path = temp.path().join(name);
                std::fs::write(&path, key).expect("written");
                cmd.arg("--webhook-key-file").arg(&path);
                path.display().to_string()
            }
            None => {
                cmd.env("MEETING_WEBHOOK_KEY", key);
                "MEETING_WEBHOOK_KEY".to_owned()
            }
        };
        let out = cmd.output().expect("runs");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{key:?}: {err}");
        assert!(
            err.contains("subscriber key") && err.contains(&source),
            "{key:?}: {err}"
        );
        assert!(!err.contains("listening on"), "{err}");
    }
}

#[test]
fn at_vv_no_value_of_a_refused_push_reaches_the_log() {
    let sim = Sim::start();
    let mut listener = listen(&sim, &["-vv"]);
    let now = now_ms();
    let m = "MARKER-7f3a";
    let infos = [
        format!(
            r#"{{"event":"meeting.join","timestamp":{now},"payload":{{"meetingInfo":{{"meetingID":"{m}","meetingUUID":"{m}"}},"attendeeInfo":{{"participantID":"{m}","displayName":"{m}","joinTime":"{m}"}}}}}}"#
        ),
        format!(
            r#"{{"event":"meeting.end","timestamp":{now},"payload":{{"meetingInfo":{{"meetingUUID":"{m}","{m}":"{m}"}}}}}}"#
        ),
        format!(r#"{{"event":"meeting.started","timestamp":{now},"payload":"{m}"}}"#),
        format!(
            r#"{{"event":"meeting.end","timestamp":"{m}","payload":{{"meetingInfo":{{"meetingID":"{m}"}}}}}}"#
        ),
        format!(r#"{{"event":{{"{m}":"{m}"}},"timestamp":{now}}}"#),
        format!(
            r#"{{"event":"meeting.join","timestamp":{now},"payload":{{"meetingInfo":{{"meetingID":"{m}"}}}}}}"#
        ),
    ];
    for info in &infos {
        assert_eq!(
            post(&listener.url, &signed_push(KEY, now, m, info)),
            400,
            "{info}"
        );
    }
    for body in [
        format!(
            r#"{{"appID":"{SUBSCRIBER}","timestamp":"{m}","nonce":"{m}","signature":"{m}","eventInfo":{{}}}}"#
        ),
        format!(
            r#"{{"appID":"{m}","timestamp":{now},"nonce":"{m}","signature":"{m}","eventInfo":{{}}}}"#
        ),
        format!(r#"{{"{m}": "{m}""#),
    ] {
        let status = post(&listener.url, body.as_bytes());
        assert!(status == 400 || status == 401, "{status}: {body}");
    }
    // Everything the listener logged so far, once it is stopped.
    let _ = listener.child.kill();
    let _ = listener.child.wait();
    let logged: Vec<String> = listener.stderr.iter().collect();
    assert!(
        logged
            .iter()
            .filter(|l| l.contains("refused a push"))
            .count()
            >= infos.len(),
        "{logged:#?}"
    );
    for line in &logged {
        assert!(!line.contains(m), "{line}");
    }
}

#[test]
fn a_restarted_listener_with_a_file_memory_answers_a_replay_without_printing_it() {
    let sim = Sim::start();
    let temp = tempfile::tempdir().expect("a temporary directory");
    let memory = format!("file:{}", temp.path().join("pushes").display());
    let now = now_ms();
    let info = format!(
        r#"{{"event":"meeting.end","timestamp":{now},"payload":{{"meetingInfo":{{"meetingID":"987446316"}}}}}}"#
    );
    let body = signed_push(KEY, now, "once", &info);
    let first = listen(&sim, &["--memory", &memory]);
    assert_eq!(post(&first.url, &body), 200);
    let printed = next(&first.stdout, "the event");
    assert!(printed.contains("987446316"), "{printed}");
    drop(first);
    let second = listen(&sim, &["--memory", &memory]);
    assert_eq!(post(&second.url, &body), 200, "a replay, answered");
    assert_eq!(
        next(&second.stderr, "the replay's line"),
        "a push accepted before arrived again: answered 200, not printed"
    );
    assert!(second.stdout.try_recv().is_err(), "printed again");
}

/// A listener whose stderr reader went away (a pipe closed, a supervisor restarted)
/// loses its log lines but keeps answering: a refusal it cannot log is still a 400, and
/// the handshake still goes through.
#[test]
fn a_closed_stderr_neither_panics_nor_stops_the_listener() {
    let sim = Sim::start();
    let mut child = sim
        .process()
        .args(["webhook", "listen", "--port", "0", "--json"])
        .env("MEETING_WEBHOOK_KEY", KEY)
        .env("MEETING_WEBHOOK_SUBSCRIBER_ID", SUBSCRIBER)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut first = String::new();
    stderr.read_line(&mut first).expect("the listening line");
    let url = first
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    drop(stderr);
    for _ in 0..3 {
        assert_eq!(post(&url, b"{not json"), 400);
    }
    configure(&sim, &url);
    assert!(child.try_wait().expect("status").is_none(), "still running");
    child.kill().ok();
    child.wait().ok();
}
