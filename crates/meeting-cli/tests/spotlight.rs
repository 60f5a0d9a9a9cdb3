//! `meeting roll-call`, `broadcast`, `ask`, `local-recording`, `audience`,
//! `guests-unmute`, `remove-attendees` against the simulator's state.

mod common;

use common::*;

#[test]
fn the_spotlight_and_requests_change_what_the_simulator_holds() {
    let sim = Sim::start();
    let ok = |args: &[&str]| {
        let out = sim.meeting().args(args).output().expect("runs");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
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
    ok(&["roll-call", CONF, LAPTOP]);
    ok(&["broadcast", CONF, TERMINAL]);
    assert!(flags(LAPTOP).roll_call && flags(TERMINAL).broadcast);
    assert!(ok(&["broadcast", CONF, "--cancel"]).contains("broadcast is over"));
    assert!(!flags(TERMINAL).broadcast);
    ok(&["ask", "share", CONF, LAPTOP]);
    ok(&["ask", "camera-off", CONF, LAPTOP]);
    ok(&["local-recording", CONF, LAPTOP, "on"]);
    let f = flags(LAPTOP);
    assert!(f.sharing && f.camera_off && f.client_record);
    ok(&["ask", "stop-sharing", CONF, LAPTOP]);
    ok(&["ask", "camera-on", CONF, LAPTOP]);
    assert!(!flags(LAPTOP).sharing && !flags(LAPTOP).camera_off);
    ok(&["audience", CONF, "on"]);
    ok(&["guests-unmute", CONF, "off"]);
    let view = sim.handle.conference(CONF).expect("seeded");
    assert!(view.allow_audience);
    assert_eq!(view.settings.allow_unmute_by_oneself, 0);

    let missing = sim
        .meeting()
        .args(["remove-attendees", CONF, LAPTOP, "nobody"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    ok(&["remove-attendees", CONF, LAPTOP]);
    assert_eq!(sim.handle.conference(CONF).expect("seeded").participants.len(), 1);
    for usage in [
        &["remove-attendees", CONF][..],
        &["broadcast", CONF][..],
        &["broadcast", CONF, LAPTOP, "--cancel"][..],
    ] {
        let out = sim.meeting().args(usage).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{usage:?}");
    }
}
