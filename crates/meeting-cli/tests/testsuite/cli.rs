//! The `meeting` binary against a simulator: every subcommand, --json, each exit code,
//! bad input that sends nothing, and no secret on stdout or stderr at -vv.

use crate::common;

use std::time::Duration;

use common::*;
use meeting_sim::ConferenceState;

#[test]
fn lock_and_unlock() {
    let sim = Sim::start();
    let out = sim.meeting().args(["lock", CONF]).output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Locked meeting 914083136.\n");
    assert!(sim.handle.conference(CONF).expect("seeded").locked);
    let out = sim
        .meeting()
        .args(["unlock", CONF, "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        value,
        serde_json::json!({"ok": true, "operation": "unlock", "conference": CONF})
    );
    assert!(!sim.handle.conference(CONF).expect("seeded").locked);
}

#[test]
fn settings_with_one_flag_per_setting() {
    let sim = Sim::start();
    let out = sim
        .meeting()
        .args([
            "settings",
            CONF,
            "--lock-sharing",
            "on",
            "--call-in",
            "enterprise",
            "--chat",
            "public",
        ])
        .args([
            "--allow-unmute",
            "off",
            "--audience-call-in",
            "enterprise-and-invited",
            "--local-recording",
            "everyone",
        ])
        .args([
            "--allow-camera",
            "off",
            "--allow-rename",
            "off",
            "--lock",
            "on",
            "--free-share",
            "on",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("settings_output", stdout(&out));
    let view = sim.handle.conference(CONF).expect("seeded");
    let s = view.settings;
    assert_eq!(
        (
            s.lock_sharing,
            s.call_in_restriction,
            s.chat_permission,
            s.allow_unmute_by_oneself
        ),
        (1, 2, 3, 0)
    );
    assert_eq!(
        (
            s.audience_call_in_restriction,
            s.client_rec_mode,
            s.allow_open_camera,
            s.allow_rename,
            s.free_share
        ),
        (2, 1, 0, 0, 1)
    );
    assert!(view.locked);
}

#[test]
fn lock_view_and_unlock_view() {
    let sim = Sim::start();
    let terminal = |sim: &Sim| {
        sim.handle
            .conference(CONF)
            .expect("seeded")
            .participants
            .into_iter()
            .find(|p| p.id == TERMINAL)
            .expect("terminal")
    };
    let out = sim
        .meeting()
        .args(["lock-view", CONF, "--participant", TERMINAL])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(terminal(&sim).view_locked_to.as_deref(), Some(TERMINAL));
    let out = sim
        .meeting()
        .args([
            "lock-view",
            CONF,
            "--participant",
            TERMINAL,
            "--source",
            LAPTOP,
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(terminal(&sim).view_locked_to.as_deref(), Some(LAPTOP));
    let out = sim
        .meeting()
        .args(["unlock-view", CONF, "--participant", TERMINAL])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(!terminal(&sim).video_locked());
}

#[test]
fn cancel_and_end() {
    let sim = Sim::start();
    let out = sim
        .meeting()
        .args(["cancel", "914087436"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sim.handle.conference("914087436").expect("seeded").state,
        ConferenceState::Cancelled
    );
    // A meeting in progress is not cancelled without --end-ongoing: a service error, exit 1.
    let out = sim
        .meeting()
        .args(["cancel", CONF, "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let error: serde_json::Value =
        serde_json::from_slice(&out.stderr).expect("JSON error on stderr");
    assert_eq!(error["error"]["status"], 403);
    assert_eq!(error["error"]["code"], "MMC.111070001");
    assert!(
        error["error"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 32)
    );
    let out = sim
        .meeting()
        .args(["cancel", CONF, "--end-ongoing"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(
        sim.handle.conference(CONF).expect("seeded").state,
        ConferenceState::Ended
    );
}

#[test]
fn start_a_scheduled_meeting() {
    let sim = Sim::start();
    let start = |password: &str| {
        sim.meeting()
            .env("MEETING_HOST_PASSWORD", password)
            .args(["start", "914087436"])
            .output()
            .expect("runs")
    };
    let wrong = start("999999");
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    let out = start(meeting_sim::example::SCHEDULED_HOST_PASSWORD);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "Meeting 914087436 is in progress (its region: 192.0.2.10)."
    );
    assert_eq!(
        sim.handle.conference("914087436").expect("seeded").state,
        ConferenceState::Ongoing
    );
}

#[test]
fn network_prints_everyones_quality_and_a_scripted_loss() {
    let sim = Sim::start();
    sim.handle
        .degrade(
            CONF,
            meeting_sim::Degradation::new(
                meeting_sim::example::LAPTOP,
                meeting_sim::Direction::Up,
                0..10,
            )
            .loss_permille(120),
        )
        .expect("scripted");
    let out = sim
        .meeting()
        .args(["network", CONF])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "Network quality in meeting {CONF} (2 participant(s))"
        )),
        "{text}"
    );
    let laptop = text
        .lines()
        .find(|l| l.contains(meeting_sim::example::LAPTOP))
        .expect("the laptop's row");
    assert!(
        laptop.contains(" bad ") && laptop.contains("Alice (laptop)"),
        "{laptop}"
    );
    let out = sim
        .meeting()
        .args(["network", CONF, meeting_sim::example::TERMINAL, "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = report["participants"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["rating"], "good");
    assert_eq!(rows[0]["name"], "Board room TE50");
}

#[test]
fn where_a_number_is_a_meetings_region_and_its_attendees() {
    let sim = Sim::start();
    let out = sim
        .meeting()
        .args(["where", "+99111283190"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "+99111283190 is in no meeting in progress."
    );
    let out = sim
        .meeting()
        .args(["region", CONF, "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let region: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(region["ip"], meeting_sim::REGION_IP);
    assert_eq!(region["domain"], meeting_sim::REGION_URL);
    // The enterprise's resources: the meetings in progress as the simulator holds them.
    let out = sim
        .meeting()
        .args(["resources", "--provider", "--meeting", CONF, "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let resources: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let running = sim
        .handle
        .state()
        .conferences
        .iter()
        .filter(|c| c.state == ConferenceState::Ongoing)
        .count();
    assert_eq!(resources["meetings_in_progress"], running);
    assert_eq!(resources["provider_meetings_in_progress"], running);
    assert_eq!(resources["meeting"][1], meeting_sim::ENTERPRISE_ID);
    // The webinar rooms, by the ID that `webinar create --room` takes.
    let room = meeting_sim::example::WEBINAR_ROOM;
    let text = format!("{room}  Webinar room (500), an audience of 500\n");
    assert_eq!(sim.ok(&["rooms", "--webinar"]), text);
    assert_eq!(
        sim.ok(&["rooms", "--matching", "hall"]),
        "No meeting rooms.\n"
    );
    // The attendees with their join data: one JSON line each, as the simulator holds them.
    let out = sim
        .meeting()
        .args(["attendees", CONF, "--join-data", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let ids: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let a: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            assert!(a.get("number").is_some(), "{l}");
            a["id"].as_str().expect("an ID").to_owned()
        })
        .collect();
    let held: Vec<String> = sim
        .handle
        .conference(CONF)
        .expect("seeded")
        .participants
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, held);
}

#[test]
fn a_join_random_is_hidden_unless_asked() {
    let sim = Sim::start();
    let out = sim.meeting().args(["random", CONF]).output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.trim(),
        "A join random for meeting 914083136 (valid once)."
    );
    let out = sim
        .meeting()
        .args(["random", CONF, "--anonymous", "--show-random", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let random: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let value = random["random"].as_str().expect("shown when asked");
    assert!(sim.handle.issued_tokens().iter().any(|t| t == value));
    assert!(random["site_url"].as_str().is_some());
}

#[test]
fn token_hides_the_token_unless_asked() {
    let sim = Sim::start();
    let out = sim.meeting().args(["token", CONF]).output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("Control token for meeting 914083136: host, valid 30m, expires "),
        "{text}"
    );
    assert!(!text.contains("cnr"), "{text}");
    let out = sim
        .meeting()
        .args(["token", CONF, "--json"])
        .output()
        .expect("runs");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (value["role"].as_str(), value["valid_for_secs"].as_u64()),
        (Some("host"), Some(1800))
    );
    assert!(value.get("token").is_none());
    let out = sim
        .meeting()
        .args(["token", CONF, "--show-token", "--json"])
        .output()
        .expect("runs");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        value["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("cnr"))
    );
}

#[test]
fn login_says_who_and_until_when() {
    let sim = Sim::start();
    let out = sim.meeting().arg("login").output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("Logged in as meeting_admin; the token is valid for 12h, until "),
        "{text}"
    );
    assert!(!text.contains("stb"));
    let out = sim
        .meeting()
        .args(["login", "--json"])
        .output()
        .expect("runs");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(value["user_id"], "meeting_admin");
    // Wrong password: a service error.
    let out = sim
        .meeting()
        .arg("login")
        .env("MEETING_PASSWORD", "wrong")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("USG.000000001"));
}

#[test]
fn login_with_an_app_id_from_the_environment() {
    let sim = Sim::start();
    let out = sim
        .meeting()
        .env_remove("MEETING_ACCOUNT")
        .env("MEETING_APP_ID", "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c")
        .env("MEETING_APP_KEY", "sim-app-key-single")
        .env("MEETING_USER_ID", "third_user_001")
        .args(["login", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(value["user_id"], "third_user_001");
    assert_eq!(sim.handle.counters().app_logins, 1);
}

#[test]
fn secrets_from_files() {
    let sim = Sim::start();
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = temp.path();
    let host = dir.join("host");
    let password = dir.join("password");
    std::fs::write(&host, format!("{HOST_PASSWORD}\n")).expect("write");
    std::fs::write(&password, format!("{PASSWORD}\n")).expect("write");
    let out = sim
        .meeting()
        .env_remove("MEETING_HOST_PASSWORD")
        .args(["lock", CONF, "--host-password-file"])
        .arg(&host)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sim
        .meeting()
        .env_remove("MEETING_PASSWORD")
        .args(["login", "--password-file"])
        .arg(&password)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn bad_input_exits_2_and_sends_nothing() {
    let sim = Sim::start();
    let cases: Vec<Vec<&str>> = vec![
        vec!["lock", ""],
        vec!["lock", "   "],
        vec!["settings", CONF],
        vec!["settings", CONF, "--call-in", "nobody"],
        vec!["settings", CONF, "--lock-sharing", "maybe"],
        vec!["lock-view", CONF],
        vec!["lock-view", CONF, "--participant", ""],
        vec!["frobnicate"],
        vec!["lock", CONF, "--region", "mars-1"],
        vec!["lock", CONF, "--endpoint", "http://meeting.example.com"],
    ];
    for args in cases {
        let out = sim.meeting().args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
    let no_password = sim
        .meeting()
        .env_remove("MEETING_HOST_PASSWORD")
        .args(["lock", CONF])
        .output()
        .expect("runs");
    assert_eq!(no_password.status.code(), Some(2));
    assert!(stderr(&no_password).contains("MEETING_HOST_PASSWORD"));
    let no_credentials = sim
        .meeting()
        .env_remove("MEETING_ACCOUNT")
        .args(["cancel", CONF])
        .output()
        .expect("runs");
    assert_eq!(no_credentials.status.code(), Some(2));
    assert_eq!(sim.requests(), 0, "nothing was sent");
    let unknown = sim
        .meeting()
        .args(["settings", CONF, "--call-in", "nobody"])
        .output()
        .expect("runs");
    insta::assert_snapshot!("unknown_enum_value", stderr(&unknown));
    let empty = sim
        .meeting()
        .args(["settings", CONF, "--json"])
        .output()
        .expect("runs");
    insta::assert_snapshot!("no_setting_json", stderr(&empty));
}

#[test]
fn transport_failure_exits_3() {
    let sim = Sim::start();
    let endpoint = sim.handle.base_url().to_owned();
    drop(sim);
    let out = meeting_at(&endpoint)
        .args(["lock", CONF])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("transport failure"));
}

/// A secret of `len` random letters and digits (no two runs share one).
fn random_secret(len: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::new();
    while out.len() < len {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(out.len());
        let n = h.finish();
        out.push(ALPHABET[(n % ALPHABET.len() as u64) as usize] as char);
    }
    out
}

/// The text, and every text found by decoding its hex runs, Base64 runs and
/// percent-escapes, recursively: a leak may combine encodings (a frame dumped in hex
/// whose JSON holds `"Basic " + base64(token)`).
fn decoded_views(text: &str) -> Vec<String> {
    use base64::Engine;
    let runs = |text: &str, alphabet: fn(char) -> bool, least: usize| -> Vec<String> {
        text.split(|c: char| !alphabet(c))
            .filter(|run| run.len() >= least)
            .map(str::to_owned)
            .collect()
    };
    let mut views = vec![text.to_owned()];
    let mut next = 0;
    while next < views.len() && views.len() < 50_000 {
        let view = views[next].clone();
        next += 1;
        let mut found = Vec::new();
        for run in runs(&view, |c| c.is_ascii_hexdigit(), 16) {
            let even = &run[..run.len() - run.len() % 2];
            if let Ok(bytes) = hex::decode(even) {
                found.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        for run in runs(
            &view,
            |c| c.is_ascii_alphanumeric() || "+/=-_".contains(c),
            12,
        ) {
            let bare = run.trim_end_matches('=');
            for engine in [
                base64::engine::general_purpose::STANDARD_NO_PAD,
                base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                if let Ok(bytes) = engine.decode(bare) {
                    found.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
        if view.contains('%') {
            let unescaped: String = url_unescape(&view)
                .chars()
                .filter(|c| *c != '\u{fffd}')
                .collect();
            found.push(unescaped);
        }
        views.extend(found.into_iter().filter(|v| v.len() >= 8 && *v != view));
    }
    views
}

fn url_unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A background `meeting` whose stdout and stderr are read into one log as they come.
struct Background {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Background {
    fn start(mut cmd: std::process::Command) -> Self {
        use std::io::BufRead;
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts");
        let (send, lines) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let out: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().expect("piped"));
        let err: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().expect("piped"));
        for stream in [out, err] {
            let (send, log) = (send.clone(), log.clone());
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stream)
                    .lines()
                    .map_while(Result::ok)
                {
                    log.lock().unwrap().push_str(&format!("{line}\n"));
                    let _ = send.send(line);
                }
            });
        }
        Self { child, lines, log }
    }

    /// Waits for a line containing `what` (30 s at most).
    fn until(&self, what: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no line with {what:?}"));
            if line.contains(what) {
                return line;
            }
        }
    }

    /// Stops it with `signal`, waits for it, and returns all it wrote.
    fn stop(mut self, signal: &str) -> String {
        let _ = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        // The readers see the pipes close once the process is gone.
        std::thread::sleep(Duration::from_millis(1));
        while self.lines.recv_timeout(Duration::from_secs(5)).is_ok() {}
        self.log.lock().unwrap().clone()
    }
}

/// Every command that holds a secret, at `-vv` and again under `RUST_LOG=trace`: no
/// password, key or token (each at least 16 random characters, and every token the
/// simulator issued) appears in stdout or stderr, raw or after decoding the hex, Base64
/// and percent-escaped runs in them, recursively. The dependencies that log payloads
/// (the WebSocket's frames, the upgrade's URL) are capped whatever the filter says.
#[test]
fn no_secret_in_any_output_at_vv_or_under_rust_log_trace() {
    use std::os::unix::fs::PermissionsExt;
    let password = random_secret(20);
    let host_password = random_secret(16);
    let key = random_secret(24);
    let sim = Sim::with_secrets(&password, &host_password);
    let redis = meeting_sim::redis_server::RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let temp = tempfile::tempdir().expect("a temporary directory");
    let passwords = temp.path().join("host-passwords");
    std::fs::write(&passwords, format!("{CONF}={host_password}\n")).expect("written");
    std::fs::set_permissions(&passwords, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut everything = String::new();
    let mut tokens = Vec::new();
    for loud in [&["-vv"][..], &[][..]] {
        let command = |args: &[&str]| {
            let mut cmd = sim.process();
            cmd.args(loud)
                .args(args)
                .env("MEETING_WEBHOOK_KEY", &key)
                .env("MEETING_WEBHOOK_SUBSCRIBER_ID", SUBSCRIBER);
            if loud.is_empty() {
                cmd.env("RUST_LOG", "trace");
            }
            cmd
        };
        let mut run = |args: &[&str], everything: &mut String| {
            let out = command(args).output().expect("runs");
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            everything.push_str(&stdout(&out));
            everything.push_str(&stderr(&out));
            tokens.extend(sim.handle.issued_tokens());
        };
        run(&["login"], &mut everything);
        run(&["token", CONF], &mut everything);
        run(&["lock", CONF], &mut everything);
        run(&["unlock", CONF], &mut everything);
        run(&["role", "host", CONF, TERMINAL], &mut everything);
        run(&["role", "release", CONF, TERMINAL], &mut everything);
        run(
            &["webhook", "set", "--url", "http://127.0.0.1:9/hooks"],
            &mut everything,
        );
        run(&["--token-cache", &redis.url(2), "login"], &mut everything);
        run(
            &["--token-cache", &redis.url(2), "lock", CONF],
            &mut everything,
        );

        let watch = Background::start(command(&["watch", CONF, "--json"]));
        watch.until("participant_joined");
        everything.push_str(&watch.stop("INT"));
        tokens.extend(sim.handle.issued_tokens());

        let listen = Background::start(command(&["webhook", "listen", "--port", "0", "--json"]));
        let first = listen.until("listening on ");
        let authority = first
            .rsplit("listening on ")
            .next()
            .and_then(|url| url.strip_prefix("http://"))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_owned())
            .expect("an address");
        let at_ms = now_ms();
        let event = format!(
            r#"{{"event":"meeting.join","timestamp":{at_ms},"payload":{{"meetingInfo":{{"meetingID":"{CONF}"}},"attendeeInfo":{{"participantID":"p1","displayName":"P","joinTime":{at_ms},"leftTime":0,"role":"CHAIR"}}}}}}"#
        );
        let body = signed_push(&key, now_ms(), &random_secret(16), &event);
        assert_eq!(post_to(&authority, &body), 200);
        listen.until(CONF);
        everything.push_str(&listen.stop("INT"));

        let fleet = Background::start(command(&[
            "watch",
            "--all",
            "--publish",
            &redis.url(3),
            "--host-passwords",
            passwords.to_str().expect("a path"),
            "--enterprise",
            "secrets",
        ]));
        fleet.until(&format!("claimed {CONF}"));
        everything.push_str(&fleet.stop("TERM"));
        tokens.extend(sim.handle.issued_tokens());
    }
    assert!(everything.contains("TRACE"), "the runs logged at trace");
    assert!(
        everything.contains("meeting.operation"),
        "the calls were logged"
    );
    tokens.sort();
    tokens.dedup();
    assert!(tokens.len() > 10, "{} tokens", tokens.len());
    let views = decoded_views(&everything);
    for secret in tokens.iter().map(String::as_str).chain([
        password.as_str(),
        host_password.as_str(),
        key.as_str(),
    ]) {
        for view in &views {
            assert!(
                !view.contains(secret),
                "a secret leaked: {:.4}… in {:.200}",
                secret,
                &view[view.find(secret).unwrap_or(0).saturating_sub(100)..]
            );
        }
    }
}

#[test]
fn demo_runs_the_whole_flow() {
    let mut cmd = Command::cargo_bin("meeting").expect("binary built");
    let out = cmd
        .arg("demo")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for step in [
        " 0. log in",
        " 1. schedule a meeting",
        " 2. control token",
        " 3. who is in the meeting",
        " 4. lock, record",
        " 5. lock sharing, call-in",
        " 6. room video to speaker",
        " 7. mute all but the host",
        " 8. host to the board room",
        " 9. Alice's hand up, down",
        "10. admit from waiting room",
        "11. invite Carol",
        "12. hang up Carol",
        "13. prolong by 30 minutes",
        "14. stop the meeting",
        "15. cancel the scheduled one",
        "16. lock after the end",
        "what the event stream saw meanwhile",
        "+ Carol joined",
        "- Carol left",
        "simulator counters",
    ] {
        assert!(text.contains(step), "missing {step:?} in\n{text}");
    }
    assert!(text.contains("the meeting is locked") && text.contains("the meeting is ended"));
    assert!(text.contains("now held by Board room TE50") && text.contains("hand raised then down"));
    assert!(text.contains("1 waiting; Dave is in the meeting"), "{text}");
    assert!(
        text.contains("locked; recording") && text.contains("its recording stopped with it"),
        "{text}"
    );
    // The event stream saw the end of the meeting.
    assert!(
        text.lines()
            .any(|l| l.trim().starts_with("meeting ") && l.trim().ends_with(" ended")),
        "{text}"
    );
    assert!(!text.contains("Admin-pass-2026") && !text.contains("654321"));
}

#[test]
fn sim_subcommand_prints_its_url() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("meeting"))
        .args(["sim", "--port", "0", "--seed"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../meeting-sim/examples/seed.json"
        ))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("a line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
}

#[test]
fn help() {
    let out = Command::cargo_bin("meeting")
        .expect("binary built")
        .arg("--help")
        .output()
        .expect("runs");
    assert!(out.status.success());
    insta::assert_snapshot!("help", stdout(&out));
}

#[test]
fn completions_and_manual_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::cargo_bin("meeting")
            .expect("binary built")
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        assert!(
            script.contains("meeting") && script.contains("lock-view"),
            "{shell}"
        );
    }
    let out = Command::cargo_bin("meeting")
        .expect("binary built")
        .arg("man")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH meeting"),
        "{page:.200}"
    );
    assert!(page.contains("Exit codes"));
}

#[test]
fn the_live_meeting_commands() {
    let sim = Sim::start();
    let out = sim
        .meeting()
        .args(["participants", CONF, "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ids: Vec<&str> = value["participants"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, [TERMINAL, LAPTOP]);
    let out = sim
        .meeting()
        .args(["participants", CONF])
        .output()
        .expect("runs");
    assert!(stdout(&out).contains("Board room TE50"), "{}", stdout(&out));

    sim.ok(&["mute", CONF, "--allow-unmute", "off"]);
    let view = || sim.handle.conference(CONF).expect("seeded");
    assert!(view().participants.iter().all(|p| p.muted));
    assert_eq!(view().settings.allow_unmute_by_oneself, 0);
    sim.ok(&["unmute", CONF, "--participant", LAPTOP]);
    sim.ok(&["unmute", CONF]);
    assert!(view().participants.iter().all(|p| !p.muted));
    sim.ok(&[
        "invite",
        CONF,
        "--name",
        "Carol",
        "--phone",
        "+8613800000000",
    ]);
    let carol = view()
        .participants
        .into_iter()
        .find(|p| p.name.as_deref() == Some("Carol"))
        .expect("Carol joined");
    sim.ok(&["hang-up", CONF, "--participant", &carol.id]);
    assert_eq!(view().participants.len(), 2);
    // The meeting's password instead of a control token (MEETING_HOST_PASSWORD here).
    let grants = sim.handle.counters().control_token_grants;
    sim.ok(&["invite", CONF, "--phone", "+99111283190", "--with-password"]);
    assert_eq!(sim.handle.counters().control_token_grants, grants);
    let called = view()
        .participants
        .into_iter()
        .find(|p| p.phone.as_deref() == Some("+99111283190"));
    sim.ok(&[
        "hang-up",
        CONF,
        "--participant",
        &called.expect("called in").id,
    ]);
    assert_eq!(sim.ok(&["site-status"]), "The management site: normal.\n");
    let text = sim.ok(&["prolong", CONF, "--minutes", "30"]);
    assert_eq!(text, "Prolonged meeting 914083136 by 30 minutes.\n");
    assert_eq!(view().length_minutes, 90);
    sim.ok(&["stop", CONF]);
    assert_eq!(view().state, ConferenceState::Ended);

    // Usage errors send nothing; the service's refusal exits 1.
    let sent = sim.requests();
    for args in [
        vec!["prolong", CONF, "--minutes", "0"],
        vec![
            "mute",
            CONF,
            "--participant",
            LAPTOP,
            "--allow-unmute",
            "on",
        ],
        vec!["hang-up", CONF],
    ] {
        let out = sim.meeting().args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(sim.requests(), sent);
    let out = sim.meeting().args(["mute", CONF]).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the meeting is over: {}",
        stderr(&out)
    );
}

#[test]
fn create_and_show() {
    let sim = Sim::start();
    let out = sim
        .meeting()
        .args([
            "create",
            "--subject",
            "Board review",
            "--start",
            "2026-12-01 09:00",
            "--minutes",
            "60",
            "--invite",
            "Carol=+8613800000000",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let id = value["conference"].as_str().expect("an ID").to_owned();
    assert_eq!(value["end_time"], "2026-12-01 10:00");
    assert!(
        value.get("host_password").is_none(),
        "no password without --show-passwords"
    );
    let out = sim
        .meeting()
        .args(["create", "--subject", "Standup", "--show-passwords"])
        .output()
        .expect("runs");
    assert!(stdout(&out).contains("host password: "), "{}", stdout(&out));

    let out = sim.meeting().args(["show", &id]).output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Board review") && text.contains("state: scheduled"),
        "{text}"
    );

    let sent = sim.requests();
    for args in [
        vec!["create", "--subject", "x", "--minutes", "5"],
        vec!["create", "--subject", "x", "--invite", "Carol"],
    ] {
        let out = sim.meeting().args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(sim.requests(), sent);
    let out = sim
        .meeting()
        .args(["show", "123456789"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

/// A Redis URL with a password: refused on the command line of every flag that takes
/// one (exit 2, nothing sent, the message saying where to put it), taken from the
/// environment and from a private file, and never printed, not even at `-vv` or in the
/// error of a wrong password.
#[test]
fn redis_urls_with_a_password_come_from_the_environment_or_a_file_never_a_flag() {
    use std::os::unix::fs::PermissionsExt;
    let sim = Sim::start();
    let redis = meeting_sim::redis_server::RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let password = random_secret(20);
    let mut c = redis::Client::open(redis.url(0))
        .and_then(|c| c.get_connection())
        .expect("redis");
    let _: () = redis::cmd("CONFIG")
        .arg(&["SET", "requirepass", password.as_str()][..])
        .query(&mut c)
        .expect("CONFIG SET");
    let url = |db: u8| format!("redis://:{password}@{}/{db}", redis.addr());
    let temp = tempfile::tempdir().expect("a temporary directory");
    let private = |name: &str, text: &str| {
        let path = temp.path().join(name);
        std::fs::write(&path, text).expect("written");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        path
    };
    let host_passwords = private("host-passwords", &format!("{CONF}={HOST_PASSWORD}\n"));
    let requests = sim.requests();
    let mut everything = String::new();
    for (args, env, file) in [
        (
            vec!["--token-cache", &url(0), "login"],
            "MEETING_TOKEN_STORE",
            "--token-cache-file",
        ),
        (
            vec![
                "watch",
                "--all",
                "--publish",
                &url(1),
                "--host-passwords",
                "/x",
            ],
            "MEETING_PUBLISH",
            "--publish-file",
        ),
        (
            vec![
                "webhook",
                "listen",
                "--port",
                "0",
                "--subscriber-id",
                SUBSCRIBER,
                "--memory",
                &url(2),
            ],
            "MEETING_WEBHOOK_MEMORY",
            "--memory-file",
        ),
    ] {
        let out = sim.meeting().args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(said.contains(env) && said.contains(file), "{said}");
        everything.push_str(&said);
    }
    assert_eq!(sim.requests(), requests, "nothing was sent");

    // From the environment, and from a file.
    let out = sim
        .meeting()
        .args(["-vv", "login"])
        .env("MEETING_TOKEN_STORE", url(0))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    everything.push_str(&stdout(&out));
    everything.push_str(&stderr(&out));
    let stored: Vec<String> = redis::cmd("KEYS")
        .arg("meeting:access-*")
        .query(&mut c)
        .expect("KEYS");
    assert_eq!(
        stored.len(),
        1,
        "the token went to the password-protected Redis"
    );
    let store_file = private("token-store", &url(0));
    let out = sim
        .meeting()
        .args(["-vv", "--token-cache-file"])
        .arg(&store_file)
        .args(["lock", CONF])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    everything.push_str(&stderr(&out));

    let mut fleet = sim.process();
    fleet
        .args(["-vv", "watch", "--all", "--host-passwords"])
        .arg(&host_passwords)
        .env("MEETING_PUBLISH", url(1));
    let fleet = Background::start(fleet);
    fleet.until(&format!("claimed {CONF}"));
    everything.push_str(&fleet.stop("TERM"));

    // MEETING_PUBLISH in the environment is read with --all only: a single meeting's
    // watch beside it runs as ever (here: a meeting not in progress, exit 1).
    let out = sim
        .meeting()
        .args(["watch", "914087436"])
        .env("MEETING_PUBLISH", url(1))
        .env("MEETING_HOST_PASSWORD", "000000")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let memory_file = private("memory", &url(2));
    let mut listen = sim.process();
    listen
        .args(["-vv", "webhook", "listen", "--port", "0", "--memory-file"])
        .arg(&memory_file)
        .env("MEETING_WEBHOOK_KEY", random_secret(24))
        .env("MEETING_WEBHOOK_SUBSCRIBER_ID", SUBSCRIBER);
    let listen = Background::start(listen);
    listen.until("listening on ");
    everything.push_str(&listen.stop("INT"));

    // A wrong password: the error says so without quoting either.
    let wrong = format!("redis://:{}@{}/0", random_secret(20), redis.addr());
    let out = sim
        .meeting()
        .args(["login"])
        .env("MEETING_TOKEN_STORE", &wrong)
        .output()
        .expect("runs");
    let said = format!("{}{}", stdout(&out), stderr(&out));
    let wrong_password = wrong
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .expect("a password");
    assert!(!said.contains(wrong_password), "{said}");
    everything.push_str(&said);
    for view in decoded_views(&everything) {
        assert!(!view.contains(&password), "the Redis password leaked");
    }
}

/// `meeting thresholds` sets and shows; `meeting quality` draws each participant's
/// sparkline with the scripted minutes alarmed, then one participant's every series.
#[test]
fn quality_draws_the_alarmed_minutes_of_each_participant() {
    let sim = Sim::start();
    let laptop = meeting_sim::example::LAPTOP;
    sim.handle
        .degrade(
            CONF,
            meeting_sim::Degradation::new(laptop, meeting_sim::Direction::Up, 3..5)
                .loss_permille(80),
        )
        .expect("scripted");
    let set = sim
        .meeting()
        .args(["thresholds", "audio", "--loss", "5,5"])
        .output()
        .expect("runs");
    assert!(set.status.success(), "{}", stderr(&set));
    let shown = stdout(&set);
    assert!(
        shown.contains("packet loss  sending 5 %, receiving 5 % (defaults 10, 10)"),
        "{shown}"
    );
    let wrong = sim
        .meeting()
        .args(["thresholds", "cpu", "--loss", "5,5"])
        .output()
        .expect("runs");
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
    sim.handle
        .advance_clock(std::time::Duration::from_secs(7 * 60));

    let out = sim
        .meeting()
        .args(["quality", CONF])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.contains(laptop))
        .expect("the laptop's row");
    assert!(row.contains("audio-sent") && row.contains("▁!!▁"), "{row}");
    // The clock's times and the baseline's levels set aside.
    let steady: String = {
        let chars: Vec<char> = text.chars().collect();
        let time_at = |i: usize| {
            chars.get(i..i + 5).is_some_and(|w| {
                w[0].is_ascii_digit()
                    && w[1].is_ascii_digit()
                    && w[2] == ':'
                    && w[3].is_ascii_digit()
                    && w[4].is_ascii_digit()
            })
        };
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if time_at(i) {
                out.push_str("HH:MM");
                i += 5;
            } else {
                let c = chars[i];
                out.push(if "▂▃▄▅▆▇█".contains(c) {
                    '▁'
                } else {
                    c
                });
                i += 1;
            }
        }
        out
    };
    insta::assert_snapshot!("quality_table", steady);

    let one = sim
        .meeting()
        .args(["--json", "quality", CONF, laptop])
        .output()
        .expect("runs");
    assert!(one.status.success(), "{}", stderr(&one));
    let report: serde_json::Value = serde_json::from_slice(&one.stdout).expect("JSON");
    let series = report["series"].as_array().expect("series");
    assert_eq!(series.len(), 8, "four metrics each way for audio");
    let loss = series
        .iter()
        .find(|s| s["metric"] == "packet loss" && s["way"] == "sent")
        .expect("the sent loss");
    assert_eq!(loss["threshold"], 5);
    assert_eq!(loss["alarms"].as_array().map(Vec::len), Some(1), "{loss}");

    // The meetings with their alarms: in progress, then past.
    let live = sim.ok(&["quality"]);
    let ours = live
        .lines()
        .find(|l| l.contains(CONF))
        .expect("the meeting");
    assert!(ours.contains(" audio "), "{ours}");
    sim.ok(&["stop", CONF]);
    let now = jiff::Timestamp::from_millisecond(sim.handle.state().now_ms).expect("a time");
    // The day before to the day after: the meeting's day, even around midnight.
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (from, to) = (
        today.yesterday().expect("a day").to_string(),
        today.tomorrow().expect("a day").to_string(),
    );
    let past = sim.ok(&["--json", "quality", "--from", &from, "--to", &to]);
    let report: serde_json::Value = serde_json::from_str(&past).expect("JSON");
    let meetings = report["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), 1, "{past}");
    assert_eq!(meetings[0]["id"], CONF);
    assert_eq!(meetings[0]["alarms"], serde_json::json!(["audio"]));
}

/// `meeting dashboard`: the last seven days of meetings, today's counting the seeded
/// ones; the users; a period too long refused before sending.
#[test]
fn the_dashboard_counts_todays_meetings() {
    let sim = Sim::start();
    let now = jiff::Timestamp::from_millisecond(sim.handle.state().now_ms).expect("a time");
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let held = sim
        .handle
        .state()
        .conferences
        .iter()
        .filter(|c| c.state == meeting_sim::ConferenceState::Ongoing)
        .count();
    let report: serde_json::Value =
        serde_json::from_str(&sim.ok(&["--json", "dashboard", "--to", &today])).expect("JSON");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 7, "{report}");
    assert_eq!(rows[6][0], today.as_str());
    assert_eq!(
        rows[6][1][0],
        serde_json::json!(["meetings", held.to_string()])
    );
    let users = sim.ok(&[
        "dashboard",
        "--show",
        "users",
        "--from",
        &today,
        "--to",
        &today,
    ]);
    assert!(users.contains("Alice (laptop)"), "{users}");
    let long = sim
        .meeting()
        .args(["dashboard", "--from", "2026-01-01", "--to", "2026-12-31"])
        .output()
        .expect("runs");
    assert_eq!(long.status.code(), Some(2), "{}", stderr(&long));
    assert!(stderr(&long).contains("30 days"));
}
