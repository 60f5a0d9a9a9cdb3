//! `meeting role`, `meeting rename`, `meeting hand` against the simulator, read back
//! with `meeting participants --json`; refusals exit 1 without the password.

use crate::common;

use common::*;
use serde_json::Value;

fn participants(sim: &Sim) -> Vec<Value> {
    let out = sim
        .meeting()
        .args(["participants", CONF, "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    list["participants"].as_array().expect("a list").clone()
}

fn row<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter().find(|r| r["id"] == id).expect("listed")
}

#[test]
fn roles_names_and_hands_change_as_the_commands_say() {
    let sim = Sim::start();
    assert!(
        sim.ok(&["role", "host", CONF, TERMINAL])
            .contains("holds the host role")
    );
    sim.ok(&["role", "cohost", CONF, LAPTOP]);
    sim.ok(&["rename", CONF, LAPTOP, "Carol's laptop"]);
    sim.ok(&["hand", "raise", CONF, LAPTOP, TERMINAL]);
    sim.ok(&["hand", "lower", CONF, TERMINAL]);
    let rows = participants(&sim);
    assert_eq!(row(&rows, TERMINAL)["role"], "host");
    assert_eq!(row(&rows, LAPTOP)["role"], "co-host");
    assert_eq!(row(&rows, LAPTOP)["name"], "Carol's laptop");
    assert_eq!(row(&rows, LAPTOP)["hand_raised"], true);
    assert_eq!(row(&rows, TERMINAL)["hand_raised"], false);

    // A second host: the service's refusal, exit 1.
    let held = sim
        .meeting()
        .args(["role", "host", CONF, LAPTOP])
        .output()
        .expect("runs");
    assert_eq!(held.status.code(), Some(1), "{}", stderr(&held));
    assert!(stderr(&held).contains("SIM.000000462"), "{}", stderr(&held));
    assert!(!stderr(&held).contains(HOST_PASSWORD));
    sim.ok(&["role", "release", CONF, TERMINAL]);
    sim.ok(&["role", "host", CONF, LAPTOP]);
    sim.ok(&["role", "cohost", CONF, LAPTOP, "--off"]);
    assert_eq!(row(&participants(&sim), LAPTOP)["role"], "host");

    let usage = sim
        .meeting()
        .args(["hand", "raise", CONF])
        .output()
        .expect("runs");
    assert_eq!(usage.status.code(), Some(2));
}
