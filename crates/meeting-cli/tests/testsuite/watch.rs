//! `meeting watch` against the simulator: one JSON object per event while other
//! `meeting` commands mute, hang up and stop, with the exit codes of the other commands.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use serde_json::Value;

/// Lines of a watcher's stdout, as they come.
fn lines(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// Events until one of `kind`, as JSON (10 s at most: a failing test fails).
fn until(lines: &mpsc::Receiver<String>, kind: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no {kind} event; saw {seen:?}"));
        let event: Value = serde_json::from_str(&line).expect("one JSON object a line");
        let done = event["type"] == kind;
        seen.push(event);
        if done {
            return seen;
        }
    }
}

#[test]
fn watch_json_reports_what_other_commands_do_and_exits_0_when_the_meeting_ends() {
    let sim = Sim::start();
    let mut watcher = sim
        .process()
        .args(["watch", CONF, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let events = lines(&mut watcher);
    let initial = until(&events, "connected");
    assert_eq!(initial[0]["meeting"], CONF);
    assert_eq!(initial[0]["resumed"], false);
    // The initial roster.
    let mut joined = 0;
    while joined < 2 {
        let event = until(&events, "participant_joined");
        joined += 1;
        let last = event.last().expect("one");
        assert!(last["participant"]["id"].is_string(), "{last}");
    }

    sim.meeting()
        .args(["mute", CONF, "--participant", LAPTOP])
        .assert()
        .success();
    let changed = until(&events, "participant_changed");
    let changed = changed.last().expect("one");
    assert_eq!(changed["participant"]["id"], LAPTOP);
    assert_eq!(changed["participant"]["muted"], true);
    assert_eq!(changed["changed"], serde_json::json!(["muted"]));

    sim.meeting()
        .args(["hang-up", CONF, "--participant", LAPTOP])
        .assert()
        .success();
    let left = until(&events, "participant_left");
    assert_eq!(left.last().expect("one")["participant"]["id"], LAPTOP);

    sim.meeting().args(["stop", CONF]).assert().success();
    until(&events, "ended");
    let status = watcher.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn watch_exit_codes_a_refused_password_1_a_meeting_not_started_1_bad_usage_2() {
    let sim = Sim::start();
    sim.meeting()
        .args(["watch", CONF])
        .env("MEETING_HOST_PASSWORD", "wrong")
        .assert()
        .code(1);
    let out = sim
        .meeting()
        .args(["watch", "914087436"])
        .env("MEETING_HOST_PASSWORD", "000000")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("not in progress"), "{stderr}");
    sim.meeting().args(["watch"]).assert().code(2);
}

#[test]
fn watch_wait_starts_when_the_meeting_does_and_ctrl_c_closes_the_socket_with_130() {
    let sim = Sim::start();
    let mut watcher = sim
        .process()
        .args([
            "watch",
            "914087436",
            "--wait",
            "--json",
            "--metrics-port",
            "0",
        ])
        .env("MEETING_HOST_PASSWORD", "000000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = BufReader::new(watcher.stderr.take().expect("piped"));
    let events = lines(&mut watcher);
    // Refused while the meeting has not started: it asks again.
    while sim.handle.counters().requests_for("CreateConfToken") < 1 {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(sim.handle.join(
        "914087436",
        meeting_sim::ParticipantSeed::client("first-one", "First")
    ));
    until(&events, "participant_joined");
    assert_eq!(sim.handle.open_sockets("914087436"), 1);
    // Served once the stream runs: one socket opened, healthy.
    let mut stderr = stderr.lines().map_while(Result::ok);
    let metrics = stderr
        .find(|line| line.starts_with("metrics on "))
        .map(|line| metrics_authority(&line))
        .expect("the metrics line");
    // Read to its end: closed, the watcher's next line to it would fail.
    std::thread::spawn(move || stderr.for_each(drop));
    let (status, scrape) = get(&metrics, "/metrics");
    assert_eq!(status, 200);
    assert_eq!(
        metric(&scrape, "meeting_events_connects", &[]),
        1.0,
        "{scrape}"
    );
    assert_eq!(get(&metrics, "/healthz"), (200, "ok\n".to_owned()));
    // SIGINT, as Ctrl-C sends it.
    let pid = watcher.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = watcher.wait().expect("exits");
    assert_eq!(status.code(), Some(130));
    for _ in 0..1000 {
        if sim.handle.open_sockets("914087436") == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the socket stayed open");
}

/// A server that answers Subscribe and closes at once: `watch` backs off (one WebSocket
/// token per attempt, the waits doubling), and exits 3 when its reconnection window
/// closes instead of reconnecting forever.
#[test]
fn watch_against_a_server_that_closes_after_subscribe_backs_off_and_exits_3() {
    let sim = Sim::start();
    sim.handle.set_socket_faults(
        CONF,
        meeting_sim::SocketFaults {
            close_after_subscribe: true,
            ..meeting_sim::SocketFaults::default()
        },
    );
    let before = sim.handle.counters().requests_for("CreateWebSocketToken");
    let out = sim
        .meeting()
        .args(["watch", CONF, "--json", "--reconnect-for", "3s"])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("no connection for"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let attempts: Vec<u64> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["type"] == "reconnecting")
        .filter_map(|e| e["attempt"].as_u64())
        .collect();
    // 100 ms doubling, each wait at least half its step: within 3 s at most six
    // attempts (the last one gives up), numbered on.
    assert_eq!(attempts, (1..=attempts.len() as u64).collect::<Vec<_>>());
    assert!((2..=6).contains(&attempts.len()), "{attempts:?}");
    let tokens = sim.handle.counters().requests_for("CreateWebSocketToken") - before;
    assert!(
        tokens <= attempts.len() as u64 + 1,
        "{tokens} WebSocket tokens"
    );
}

/// The resident memory of process `pid`, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// A hostile server floods frames of a type no client decodes, as fast as the socket
/// takes them, at a `watch` whose output is read one line every 50 ms: 16 MiB frames
/// of one huge string, 16 MiB frames of small objects, and frames of small objects just
/// under the 64 KiB an unknown event keeps whole (whose JSON trees are many times their
/// text). Its memory stays within 64 MiB of its idle figure, and what it prints ends
/// with the meeting as the service holds it (a participant who joined during the flood
/// included).
#[test]
fn a_flood_of_16_mib_frames_keeps_watch_within_64_mib_of_its_idle_memory() {
    use meeting::events::{Event, EventKind, Snapshot};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    const BOUND: u64 = 64 << 20;
    let mut figures = Vec::new();
    for (frames, bytes, small_objects) in [
        (12u32, 16u32 << 20, false),
        (12, 16 << 20, true),
        (300, 60_000, true),
    ] {
        let sim = Sim::start();
        let mut watcher = sim
            .process()
            .args(["watch", CONF, "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts");
        let pid = watcher.id();
        let stdout = watcher.stdout.take().expect("piped");
        let slow = Arc::new(AtomicBool::new(false));
        let (send, lines) = mpsc::channel();
        let pace = slow.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
                if pace.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        });
        let mut view = Snapshot::default();
        let read = |view: &mut Snapshot| -> Option<EventKind> {
            let line = lines.recv_timeout(Duration::from_secs(30)).ok()?;
            let event: Event = serde_json::from_str(&line).expect("an event a line");
            view.apply(&event.kind);
            Some(event.kind)
        };
        while view.participants.len() < 2 || view.status.is_none() {
            read(&mut view).expect("the initial roster");
        }
        let idle = rss(pid);
        slow.store(true, Ordering::Relaxed);
        sim.handle.set_socket_faults(
            CONF,
            meeting_sim::SocketFaults {
                flood_frames: frames,
                flood_bytes: bytes,
                flood_small_objects: small_objects,
                ..meeting_sim::SocketFaults::default()
            },
        );
        sim.handle.drop_sockets(CONF);
        let flooded = |sim: &Sim| {
            sim.handle
                .counters()
                .faults
                .get("flood")
                .copied()
                .unwrap_or(0)
        };
        let mut peak = idle;
        let mut joined = false;
        let started = std::time::Instant::now();
        while flooded(&sim) < u64::from(frames) {
            peak = peak.max(rss(pid));
            if !joined && flooded(&sim) >= u64::from(frames / 2) {
                assert!(
                    sim.handle
                        .join(CONF, meeting_sim::ParticipantSeed::client("late-1", "Late"))
                );
                joined = true;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the flood did not end"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        peak = peak.max(rss(pid));
        // The flood is over: read at full speed until the view holds the meeting.
        slow.store(false, Ordering::Relaxed);
        let want: std::collections::BTreeSet<String> = sim
            .handle
            .conference(CONF)
            .expect("the meeting")
            .participants
            .iter()
            .map(|p| p.id.clone())
            .collect();
        assert!(want.contains("late-1"));
        while view
            .participants
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            != want
        {
            read(&mut view).unwrap_or_else(|| {
                panic!("the view did not catch up: {:?}", view.participants.keys())
            });
        }
        let grew = peak.saturating_sub(idle);
        assert!(
            grew <= BOUND,
            "{} MiB over an idle {} MiB",
            grew >> 20,
            idle >> 20
        );
        figures.push(format!(
            "{frames} frames of {} KiB of {}: idle {} MiB, peak {} MiB over it",
            bytes >> 10,
            if small_objects {
                "small objects"
            } else {
                "one string"
            },
            idle >> 20,
            grew >> 20
        ));
        watcher.kill().ok();
        watcher.wait().ok();
    }
    println!("{}", figures.join("; "));
}
