//! `meeting record`, `meeting live`, `meeting pause` against the simulator.

use crate::common;

use common::*;
use meeting_sim::RecordingState;

#[test]
fn recording_live_and_pause_follow_the_commands() {
    let sim = Sim::start();
    let state = || sim.handle.conference(CONF).expect("seeded").broadcasting;
    assert!(sim.ok(&["record", "start", CONF]).contains("Recording"));
    assert_eq!(state().recording, RecordingState::On);
    let usage = sim
        .meeting()
        .args(["record", "pause", CONF])
        .output()
        .expect("runs");
    assert_eq!(usage.status.code(), Some(2), "pausing needs --mmr");
    sim.ok(&["record", "pause", CONF, "--mmr"]);
    assert_eq!(state().recording, RecordingState::Paused);
    sim.ok(&["record", "stop", CONF]);
    sim.ok(&["live", CONF, "on", "--mmr"]);
    sim.ok(&["pause", CONF, "on"]);
    let b = state();
    assert!(b.live && b.paused && b.recording == RecordingState::Off);
    sim.ok(&["live", CONF, "off"]);
    sim.ok(&["pause", CONF, "off"]);
    assert!(!state().live && !state().paused);
}
