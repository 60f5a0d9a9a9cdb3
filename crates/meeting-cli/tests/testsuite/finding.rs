//! `meeting list` and `meeting attendees` against the simulator.

use crate::common;

use common::*;

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn meetings_are_listed_as_a_table_or_json_lines() {
    let sim = Sim::start();
    let table = sim.ok(&["list", "--all-users"]);
    let mut lines = table.lines();
    assert!(lines.next().is_some_and(|h| h.starts_with("ID")));
    let rows: Vec<_> = lines.collect();
    assert_eq!(rows.len(), 3, "{table}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("914087436") && r.contains("scheduled"))
    );

    let running = json_lines(&sim.ok(&["--json", "list", "--ongoing", "--all-users"]));
    assert_eq!(running.len(), 2);
    assert!(running.iter().all(|m| m["state"] == "in progress"));

    let one = json_lines(&sim.ok(&[
        "--json",
        "list",
        "--all-users",
        "--limit",
        "1",
        "--page-size",
        "1",
    ]));
    assert_eq!(one.len(), 1);
    let found = json_lines(&sim.ok(&["--json", "list", "--all-users", "--search", "4087"]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["conference"], "914087436");

    let refused = sim
        .meeting()
        .args(["list", "--page-size", "501"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("1 to 500"));
}

#[test]
fn a_running_meetings_attendees_are_listed() {
    let sim = Sim::start();
    let all = sim.ok(&["attendees", CONF]);
    assert_eq!(all.lines().count(), 2, "{all}");
    let laptop = json_lines(&sim.ok(&["--json", "attendees", CONF, "--search", "laptop"]));
    assert_eq!(laptop.len(), 1);
    assert_eq!(laptop[0]["id"], LAPTOP);
}

#[test]
fn a_stopped_meeting_is_listed_in_history_with_its_attendance() {
    let sim = Sim::start();
    sim.ok(&["lock", CONF]);
    sim.ok(&["stop", CONF]);
    // Its control records: the lock and the stop, in order, by the account.
    let trail = json_lines(&sim.ok(&["--json", "audit", CONF]));
    let actions: Vec<_> = trail.iter().map(|r| r["action"].clone()).collect();
    assert_eq!(actions, ["LockMeeting", "StopMeeting"]);
    assert!(trail.iter().all(|r| r["operator"] == "meeting_admin"));
    let text = sim.ok(&["audit", CONF, "--time-zone", "Asia/Shanghai"]);
    assert!(text.contains("LockMeeting"), "{text}");
    let past = json_lines(&sim.ok(&["--json", "list", "--history", "--all-users"]));
    let ours = past
        .iter()
        .find(|m| m["conference"] == CONF)
        .expect("in history");
    assert_eq!(ours["state"], "over");
    // Its day in a zone far ahead of UTC, and the day after: found, then not.
    let now = jiff::Timestamp::from_millisecond(sim.handle.state().now_ms).expect("a time");
    let zone = "Pacific/Kiritimati";
    let today = now
        .to_zoned(jiff::tz::TimeZone::get(zone).expect("a zone"))
        .date();
    let (today, tomorrow) = (
        today.to_string(),
        today.tomorrow().expect("a day").to_string(),
    );
    let on = |day: &str| {
        json_lines(&sim.ok(&[
            "--json",
            "list",
            "--history",
            "--all-users",
            "--from",
            day,
            "--to",
            day,
            "--time-zone",
            zone,
        ]))
    };
    assert!(on(&today).iter().any(|m| m["conference"] == CONF));
    assert!(!on(&tomorrow).iter().any(|m| m["conference"] == CONF));

    let stays = json_lines(&sim.ok(&["--json", "attendance", CONF]));
    assert_eq!(stays.len(), 2);
    assert!(
        stays
            .iter()
            .all(|s| s["joined_at_ms"].as_i64() <= s["left_at_ms"].as_i64())
    );
    let table = sim.ok(&["attendance", CONF, "--time-zone", "Asia/Shanghai"]);
    assert!(table.contains("Alice (laptop)"), "{table}");
    let attendees = sim.ok(&["attendees", CONF, "--past"]);
    assert_eq!(attendees.lines().count(), 2, "{attendees}");
    let unknown = sim
        .meeting()
        .args(["attendance", "900244663"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("has ended"));
}

#[test]
fn a_recording_is_listed_linked_and_deleted() {
    let sim = Sim::start();
    sim.ok(&["record", "start", CONF]);
    sim.ok(&["record", "stop", CONF]);
    let all = json_lines(&sim.ok(&["--json", "recordings"]));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["conference"], CONF);
    let one = sim.ok(&["recordings", CONF]);
    assert!(one.contains(CONF), "{one}");
    let links = json_lines(&sim.ok(&["--json", "recordings", CONF, "--urls"]));
    assert_eq!(links.len(), 2);
    assert!(
        links
            .iter()
            .all(|l| l["url"].as_str().is_some_and(|u| u.starts_with("https://")))
    );
    // Its one segment and file, without links unless asked.
    let files = json_lines(&sim.ok(&["--json", "recordings", CONF, "--segments"]));
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["segment"], 1);
    assert!(files[0]["play_url"].is_null(), "{}", files[0]);
    let linked = json_lines(&sim.ok(&["--json", "recordings", CONF, "--segments", "--urls"]));
    assert!(
        linked[0]["download_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    sim.ok(&["recordings", CONF, "--delete"]);
    assert!(sim.ok(&["--json", "recordings"]).trim().is_empty());
    let none = sim
        .meeting()
        .args(["recordings", CONF])
        .output()
        .expect("runs");
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no recording"));
}

#[test]
fn a_series_is_created_shown_edited_and_cancelled() {
    let sim = Sim::start();
    let now = jiff::Timestamp::from_millisecond(sim.handle.state().now_ms).expect("a time");
    let monday = {
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let ahead = 7 + (8 - i64::from(today.weekday().to_monday_one_offset())) % 7;
        today
            .checked_add(jiff::Span::new().days(ahead))
            .expect("a day")
    };
    let start = format!("{monday} 09:00");
    let created: serde_json::Value = serde_json::from_str(&sim.ok(&[
        "--json",
        "create",
        "--subject",
        "Standing sync",
        "--start",
        &start,
        "--time-zone",
        "Asia/Shanghai",
        "--repeat",
        "weekly:mon,wed",
        "--times",
        "4",
    ]))
    .expect("JSON");
    let id = created["conference"].as_str().expect("an ID").to_owned();
    let shown: serde_json::Value =
        serde_json::from_str(&sim.ok(&["--json", "show", &id])).expect("JSON");
    let occurrences = shown["occurrences"].as_array().expect("occurrences");
    assert_eq!(occurrences.len(), 4);
    // 09:00 in Shanghai is 01:00 UTC.
    assert!(
        occurrences[0][1]
            .as_str()
            .is_some_and(|t| t.ends_with("01:00"))
    );
    let first = occurrences[0][0].as_str().expect("an ID").to_owned();
    sim.ok(&["cancel", &id, "--occurrence", &first]);
    let edited: serde_json::Value = serde_json::from_str(&sim.ok(&[
        "--json",
        "update",
        &id,
        "--subject",
        "Standing sync (moved)",
        "--start",
        &start,
        "--time-zone",
        "Asia/Shanghai",
        "--repeat",
        "weekly:mon,wed",
        "--times",
        "6",
    ]))
    .expect("JSON");
    assert_eq!(edited["subject"], "Standing sync (moved)");
    assert_eq!(
        edited["occurrences"].as_array().map(Vec::len),
        Some(5),
        "one stays cancelled"
    );
    // One occurrence lengthened alone; without --subject, nothing else is an update.
    let second = edited["occurrences"][1][0]
        .as_str()
        .expect("an ID")
        .to_owned();
    let moved: serde_json::Value = serde_json::from_str(&sim.ok(&[
        "--json",
        "update",
        &id,
        "--occurrence",
        &second,
        "--minutes",
        "90",
    ]))
    .expect("JSON");
    let ends = |o: &serde_json::Value| o[2].as_str().map(str::to_owned);
    let occurrences = moved["occurrences"].as_array().expect("occurrences");
    assert_ne!(ends(&occurrences[1]), ends(&edited["occurrences"][1]));
    assert_eq!(ends(&occurrences[2]), ends(&edited["occurrences"][2]));
    let no_subject = sim
        .meeting()
        .args(["update", &id, "--minutes", "90"])
        .output()
        .expect("runs");
    assert_eq!(no_subject.status.code(), Some(2));
    let bad = sim
        .meeting()
        .args([
            "create",
            "--subject",
            "x",
            "--start",
            &start,
            "--repeat",
            "fortnightly",
        ])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    sim.ok(&["cancel", &id, "--series"]);
    let over: serde_json::Value =
        serde_json::from_str(&sim.ok(&["--json", "show", &id])).expect("JSON");
    assert_eq!(over["state"], "over");
}

/// A series that ran twice: its ID names no one run, so `audit` lists both runs and
/// exits 2; each UUID names its own trail.
#[test]
fn an_id_that_ended_twice_is_listed_not_guessed() {
    let sim = Sim::start();
    let created: serde_json::Value = serde_json::from_str(&sim.ok(&[
        "--json",
        "create",
        "--subject",
        "Weekly review",
        "--start",
        "2030-01-07 09:00",
        "--repeat",
        "weekly:mon",
        "--times",
        "3",
        "--show-passwords",
    ]))
    .expect("JSON");
    let id = created["conference"].as_str().expect("an ID").to_owned();
    let host = created["host_password"]
        .as_str()
        .expect("a password")
        .to_owned();
    for run in ["first", "second"] {
        let guest = meeting_sim::ParticipantSeed::client(run, run);
        assert!(sim.handle.join(&id, guest), "the {run} occurrence starts");
        let stopped = sim
            .meeting()
            .env("MEETING_HOST_PASSWORD", &host)
            .args(["stop", &id])
            .output()
            .expect("runs");
        assert!(stopped.status.success(), "{}", stderr(&stopped));
    }
    let ambiguous = sim.meeting().args(["audit", &id]).output().expect("runs");
    assert_eq!(ambiguous.status.code(), Some(2));
    let listed = stderr(&ambiguous);
    assert!(listed.contains("ended 2 times"), "{listed}");
    let uuids: Vec<&str> = listed
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(uuids.len(), 2, "{listed}");
    for uuid in uuids {
        let trail = json_lines(&sim.ok(&["--json", "audit", uuid]));
        let actions: Vec<_> = trail.iter().map(|r| r["action"].clone()).collect();
        assert_eq!(actions, ["StopMeeting"], "{uuid}");
    }
}
