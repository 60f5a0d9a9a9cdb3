//! `meeting record`, `meeting live`, `meeting pause` against the simulator.

mod common;

use common::*;
use meeting_sim::RecordingState;

#[test]
fn recording_live_and_pause_follow_the_commands() {
    let sim = Sim::start();
    let ok = |args: &[&str]| {
        let out = sim.meeting().args(args).output().expect("runs");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let state = || sim.handle.conference(CONF).expect("seeded").broadcasting;
    assert!(ok(&["record", "start", CONF]).contains("Recording"));
    assert_eq!(state().recording, RecordingState::On);
    let usage = sim
        .meeting()
        .args(["record", "pause", CONF])
        .output()
        .expect("runs");
    assert_eq!(usage.status.code(), Some(2), "pausing needs --mmr");
    ok(&["record", "pause", CONF, "--mmr"]);
    assert_eq!(state().recording, RecordingState::Paused);
    ok(&["record", "stop", CONF]);
    ok(&["live", CONF, "on", "--mmr"]);
    ok(&["pause", CONF, "on"]);
    let b = state();
    assert!(b.live && b.paused && b.recording == RecordingState::Off);
    ok(&["live", CONF, "off"]);
    ok(&["pause", CONF, "off"]);
    assert!(!state().live && !state().paused);
}
