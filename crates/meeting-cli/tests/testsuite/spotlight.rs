//! `meeting roll-call`, `broadcast`, `ask`, `local-recording`, `audience`,
//! `guests-unmute`, `remove-attendees` against the simulator's state.

use crate::common;

use common::*;

#[test]
fn the_spotlight_and_requests_change_what_the_simulator_holds() {
    let sim = Sim::start();
    let flags = |pid: &str| {
        sim.handle
            .conference(CONF)
            .expect("seeded")
            .participants
            .into_iter()
            .find(|p| p.id == pid)
            .expect("in it")
            .flags
    };
    sim.ok(&["roll-call", CONF, LAPTOP]);
    sim.ok(&["broadcast", CONF, TERMINAL]);
    assert!(flags(LAPTOP).roll_call && flags(TERMINAL).broadcast);
    assert!(
        sim.ok(&["broadcast", CONF, "--cancel"])
            .contains("broadcast is over")
    );
    assert!(!flags(TERMINAL).broadcast);
    sim.ok(&["ask", "share", CONF, LAPTOP]);
    sim.ok(&["ask", "camera-off", CONF, LAPTOP]);
    sim.ok(&["local-recording", CONF, LAPTOP, "on"]);
    let f = flags(LAPTOP);
    assert!(f.sharing && f.camera_off && f.client_record);
    sim.ok(&["ask", "stop-sharing", CONF, LAPTOP]);
    sim.ok(&["ask", "camera-on", CONF, LAPTOP]);
    assert!(!flags(LAPTOP).sharing && !flags(LAPTOP).camera_off);
    sim.ok(&["audience", CONF, "on"]);
    sim.ok(&["guests-unmute", CONF, "off"]);
    let view = sim.handle.conference(CONF).expect("seeded");
    assert!(view.allow_audience);
    assert_eq!(view.settings.allow_unmute_by_oneself, 0);

    let missing = sim
        .meeting()
        .args(["remove-attendees", CONF, LAPTOP, "nobody"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    sim.ok(&["remove-attendees", CONF, LAPTOP]);
    assert_eq!(
        sim.handle
            .conference(CONF)
            .expect("seeded")
            .participants
            .len(),
        1
    );
    for usage in [
        &["remove-attendees", CONF][..],
        &["broadcast", CONF][..],
        &["broadcast", CONF, LAPTOP, "--cancel"][..],
    ] {
        let out = sim.meeting().args(usage).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{usage:?}");
    }
}

#[test]
fn the_waiting_room_admits_and_takes_back() {
    let sim = Sim::start();
    let waiting = || sim.handle.conference(CONF).expect("seeded").waiting;
    assert!(
        sim.handle
            .wait(CONF, meeting_sim::ParticipantSeed::client("late", "Late"))
    );
    let refused = sim
        .meeting()
        .args(["waiting-room", "admit", CONF, "nobody"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("SIM.000000463"),
        "{}",
        stderr(&refused)
    );
    assert!(
        sim.ok(&["waiting-room", "admit", CONF, "late"])
            .contains("Admitted late")
    );
    sim.ok(&["waiting-room", "move", CONF, LAPTOP]);
    sim.ok(&["waiting-room", "move", CONF, TERMINAL, "late"]);
    assert_eq!(waiting().len(), 3);
    sim.ok(&["waiting-room", "admit", CONF, "--all"]);
    assert!(waiting().is_empty());
    let usage = sim
        .meeting()
        .args(["waiting-room", "admit", CONF])
        .output()
        .expect("runs");
    assert_eq!(usage.status.code(), Some(2));
}
