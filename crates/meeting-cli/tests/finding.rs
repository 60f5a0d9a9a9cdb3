//! `meeting list` and `meeting attendees` against the simulator.

mod common;

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
