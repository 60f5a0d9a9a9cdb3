//! `meeting webinar`: a webinar scheduled in a zone, its cover uploaded and set, listed
//! as it goes from upcoming to in progress, cancelled; an image ten times over the
//! simulator's limit refused while the command's memory stays small.

use std::time::Duration;

use crate::common::{Sim, stderr, stdout};

const ROOM: &str = meeting_sim::example::WEBINAR_ROOM;

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    hex::decode(concat!(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000",
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    ))
    .expect("hex")
}

fn json(sim: &Sim, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&sim.ok(&all)).expect("JSON")
}

#[test]
fn a_webinar_from_the_command_line() {
    let sim = Sim::start();
    let now = jiff::Timestamp::from_millisecond(sim.handle.state().now_ms).expect("a time");
    let start = jiff::Timestamp::from_second((now.as_second() / 60 + 5) * 60).expect("a time");
    let madrid = jiff::tz::TimeZone::get("Europe/Madrid").expect("a zone");
    let local = start
        .to_zoned(madrid)
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let created = json(
        &sim,
        &[
            "webinar",
            "create",
            "Product launch",
            "--room",
            ROOM,
            "--start",
            &local,
            "--time-zone",
            "Europe/Madrid",
            "--minutes",
            "30",
            "--panelist",
            "Carol:+8613800000000",
        ],
    );
    let id = created["id"].as_str().expect("an ID").to_owned();
    assert_eq!(created["state"], "scheduled");
    assert_eq!(
        created["start"],
        start.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        "Madrid's time, sent as UTC"
    );
    assert!(
        created.get("passwords").is_none(),
        "only with --show-passwords"
    );
    let upcoming = json(&sim, &["webinar", "list"]);
    assert_eq!(upcoming["webinars"][0]["id"], id.as_str());

    let dir = tempfile::tempdir().expect("a directory");
    let cover = dir.path().join("cover.png");
    std::fs::write(&cover, png()).expect("written");
    let out = sim
        .meeting()
        .args(["webinar", "upload"])
        .arg(&cover)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let file_id = stdout(&out).trim().to_owned();
    assert_eq!(file_id.len(), 32, "{file_id}");
    assert_eq!(stderr(&out), "", "no progress bar when piped");
    sim.ok(&[
        "webinar", "room", "set", &id, "--cover", &file_id, "--intro", "Spring",
    ]);
    let room = json(&sim, &["webinar", "room", &id]);
    assert_eq!(room["cover"], file_id.as_str());
    assert_eq!(room["introduction"], "Spring");

    sim.handle.advance_clock(Duration::from_secs(6 * 60));
    let ongoing = json(&sim, &["webinar", "list", "--ongoing"]);
    assert_eq!(ongoing["webinars"][0]["id"], id.as_str());
    let shown = json(&sim, &["webinar", "show", &id, "--show-passwords"]);
    assert_eq!(shown["state"], "in progress");
    assert!(
        shown["passwords"]["host"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );
    sim.ok(&["webinar", "delete", &id]);
    let again = sim
        .meeting()
        .args(["webinar", "delete", &id])
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
}

/// An image ten times over the simulator's 10 MiB is sent as a stream and refused by
/// the service with a clear error; the command's peak memory stays under 64 MiB.
#[test]
fn a_file_ten_times_too_large_is_refused_and_streamed_in_little_memory() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("a directory");
    let big = dir.path().join("poster.png");
    let file = std::fs::File::create(&big).expect("created");
    std::io::Write::write_all(&mut &file, &png()).expect("written");
    file.set_len(100 * 1024 * 1024).expect("100 MiB (sparse)");
    drop(file);
    let mut child = sim
        .process()
        .args(["webinar", "upload"])
        .arg(&big)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    // The child's own high-water mark (`VmHWM` of its address space), read while it
    // runs: its rusage would count the test process's memory, shared until its exec.
    let status = format!("/proc/{}/status", child.id());
    let peak_kib = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watcher = {
        let peak_kib = peak_kib.clone();
        std::thread::spawn(move || {
            while let Ok(text) = std::fs::read_to_string(&status) {
                let Some(kib) = text.lines().find_map(|l| {
                    l.strip_prefix("VmHWM:")?
                        .trim()
                        .strip_suffix("kB")?
                        .trim()
                        .parse()
                        .ok()
                }) else {
                    break; // exited: a zombie has no memory
                };
                peak_kib.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let (mut out, mut err) = (String::new(), String::new());
    {
        use std::io::Read as _;
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut out)
            .expect("read");
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err)
            .expect("read");
    }
    let exit = child.wait().expect("ends");
    watcher.join().expect("the watcher ends");
    let peak_mib = peak_kib.load(std::sync::atomic::Ordering::Relaxed) / 1024;
    assert_eq!(exit.code(), Some(1), "the service refused: {err}");
    assert!(err.contains("at most 10485760"), "a clear error: {err}");
    assert!(out.is_empty(), "{out}");
    assert!(peak_mib > 0, "the child's memory was read");
    assert!(peak_mib < 64, "peak RSS {peak_mib} MiB");
    eprintln!("upload of 100 MiB: peak RSS {peak_mib} MiB");
}
