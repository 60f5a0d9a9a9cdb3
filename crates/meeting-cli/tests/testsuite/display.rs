//! `meeting view`, `meeting layout`, `meeting interpretation` against the simulator.

use crate::common;

use common::*;
use meeting_sim::{DisplayMode, HostView};

#[test]
fn views_follow_the_commands() {
    let sim = Sim::start();
    let view = || sim.handle.conference(CONF).expect("seeded");
    sim.ok(&["view", "host", CONF, "--participant", LAPTOP]);
    assert_eq!(
        view().display.host_view,
        HostView::Participant(LAPTOP.into())
    );
    sim.ok(&["view", "host", CONF, "--rotate", "15"]);
    assert_eq!(view().display.host_view, HostView::Rotating { every_s: 15 });
    let usage = sim
        .meeting()
        .args(["view", "host", CONF, "--rotate", "5"])
        .output()
        .expect("runs");
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
    assert!(stderr(&usage).contains("10 to 120"));
    sim.ok(&["view", "terminal", CONF, TERMINAL, LAPTOP]);
    let terminal = view().participants.into_iter().find(|p| p.id == TERMINAL);
    assert_eq!(terminal.and_then(|p| p.watching).as_deref(), Some(LAPTOP));
    sim.ok(&["view", "mode", CONF, "speaker-multi"]);
    assert_eq!(
        view().display.mode,
        DisplayMode::VoiceActivated {
            multi_picture: true
        }
    );
}

#[test]
fn layouts_are_set_saved_listed_and_deleted() {
    let sim = Sim::start();
    let display = || sim.handle.conference(CONF).expect("seeded").display;
    let two = [
        "--picture",
        LAPTOP,
        "--picture",
        &format!("shared:{TERMINAL}"),
    ];
    let set = [&["layout", "set", CONF, "Two"][..], &two[..]].concat();
    assert!(sim.ok(&set).contains("Two"));
    let shown = display().multi_picture.expect("set by hand");
    assert_eq!(shown.layout, "Two");
    assert!(shown.pictures[1].assist_stream);

    // A grid of its own goes through SetCustomMultiPicture.
    let grid = [
        &["layout", "set", CONF, "Three-2", "--picture", LAPTOP][..],
        &[
            "--grid", "3x2", "--cell", "0,0,2,2", "--cell", "2,0,1,1", "--cell", "2,1,1,1",
        ],
    ]
    .concat();
    sim.ok(&grid);
    assert_eq!(
        display()
            .multi_picture
            .and_then(|p| p.grid)
            .map(|g| g.cells.len()),
        Some(3)
    );

    // Three pictures in two: refused before anything is sent.
    let before = sim.requests();
    let too_many = sim
        .meeting()
        .args([
            "layout",
            "set",
            CONF,
            "Two",
            "--picture",
            "a",
            "--picture",
            "b",
            "--picture",
            "c",
        ])
        .output()
        .expect("runs");
    assert_eq!(too_many.status.code(), Some(2));
    assert!(stderr(&too_many).contains("3 pictures, the layout Two holds 2"));
    assert_eq!(sim.requests(), before);
    // Someone not in the meeting: the service's refusal.
    let absent = sim
        .meeting()
        .args(["layout", "set", CONF, "Single", "--picture", "gone"])
        .output()
        .expect("runs");
    assert_eq!(absent.status.code(), Some(1), "{}", stderr(&absent));

    sim.ok(&["layout", "set", CONF, "auto"]);
    assert_eq!(display().multi_picture, None);

    sim.ok(&[&["layout", "save", CONF, "Panel", "Two"][..], &two[..]].concat());
    let listed = sim.ok(&["layout", "list", CONF, "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("JSON");
    let uuid = listed["layouts"][0]["uuid"]
        .as_str()
        .expect("a uuid")
        .to_owned();
    assert_eq!(listed["layouts"][0]["name"], "Panel");
    assert!(sim.ok(&["layout", "list", CONF]).contains("Panel"));
    sim.ok(&["layout", "delete", CONF, &uuid]);
    assert!(display().saved_layouts.is_empty());
    let unknown = sim
        .meeting()
        .args(["layout", "delete", CONF, &uuid])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("SIM.000000467"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn interpretation_follows_the_commands() {
    let sim = Sim::start();
    let state = || sim.handle.conference(CONF).expect("seeded").interpretation;
    sim.ok(&[
        "interpretation",
        "groups",
        CONF,
        "--group",
        "zh-en=alice,uuid:6e72b5c3",
    ]);
    let groups = state().groups;
    assert_eq!(groups[0].languages, ["zh".to_owned(), "en".to_owned()]);
    assert_eq!(groups[0].interpreters.len(), 2);
    sim.ok(&[
        "interpretation",
        "channel",
        CONF,
        LAPTOP,
        "--listen",
        "en",
        "--original-voice",
    ]);
    let channel = &state().channels[LAPTOP];
    assert!(channel.listen == "en" && channel.speak == "en" && channel.original_voice);
    let unknown = sim
        .meeting()
        .args(["interpretation", "channel", CONF, LAPTOP, "--listen", "fr"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(1));
    sim.ok(&["interpretation", "start", CONF]);
    assert!(state().running);
    sim.ok(&["interpretation", "stop", CONF]);
    assert!(!state().running);
    // The other seeded meeting was scheduled without interpretation.
    let refused = sim
        .meeting()
        .args(["interpretation", "start", "900244663"])
        .env("MEETING_HOST_PASSWORD", "123456")
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("without simultaneous interpretation"));
}
