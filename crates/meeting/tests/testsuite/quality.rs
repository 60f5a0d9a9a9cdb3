//! Media quality against the simulator: a scripted degradation is seen exactly over its
//! minutes, in its direction; what a participant sends follows it; the input is
//! checked before anything is sent.

use crate::common;

use std::time::Duration;

use common::*;
use meeting::{ErrorKind, NetRating};
use meeting_sim::{Degradation, Direction};

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_scripted_uplink_loss_shows_over_its_minutes_only() {
    let sim = sim().await;
    sim.degrade(
        CONF,
        Degradation {
            participant: LAPTOP.into(),
            direction: Direction::Up,
            medium: None,
            loss_permille: 80,
            delay_ms: 0,
            jitter_ms: 0,
            from_minute: 3,
            to_minute: 5,
        },
    )
    .expect("scripted");
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);

    let mut seen = Vec::new();
    for minute in 0..7 {
        let mut answer = meeting
            .network_quality([TERMINAL, LAPTOP])
            .await
            .expect("the quality");
        assert_eq!(answer.len(), 2);
        let (terminal, laptop) = (answer.remove(0), answer.remove(0));
        assert_eq!(
            (terminal.participant.as_str(), laptop.participant.as_str()),
            (TERMINAL, LAPTOP)
        );
        assert_eq!(terminal.rating, Some(NetRating::Good), "minute {minute}");
        let sent_loss = laptop.sent_loss_permille.expect("a loss figure");
        assert!(laptop.received_loss_permille.expect("a loss figure") < 5);
        // Every stream it sends carries the loss, not only the total.
        let streams = laptop.audio.sent.iter().chain(&laptop.video.sent);
        assert!(streams.clone().count() == 2);
        let degraded = streams.clone().all(|s| s.loss_permille >= Some(80));
        assert_eq!(degraded, sent_loss >= 80, "minute {minute}");
        seen.push((minute, laptop.rating == Some(NetRating::Bad) && degraded));
        sim.advance_clock(MINUTE);
    }
    let bad: Vec<u32> = seen
        .iter()
        .filter(|(_, bad)| *bad)
        .map(|(m, _)| *m)
        .collect();
    assert_eq!(bad, [3, 4], "{seen:?}");
}

#[tokio::test]
async fn what_a_participant_sends_follows_it() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.participant(LAPTOP).mute().await.expect("muted");
    let laptop = meeting
        .network_quality([LAPTOP])
        .await
        .expect("the quality");
    let laptop = &laptop[0];
    assert!(laptop.audio.sent.is_empty(), "muted: no voice sent");
    assert_eq!(laptop.audio.received.len(), 1);
    let watched = &laptop.video.received[0];
    assert_eq!(watched.source.as_deref(), Some(TERMINAL));
    assert_eq!(watched.resolution, Some((1280, 720)));

    assert!(sim.leave(CONF, LAPTOP));
    let gone = meeting
        .network_quality([TERMINAL, LAPTOP])
        .await
        .expect("the quality");
    assert_eq!(gone.len(), 1, "who left is left out");
    assert_eq!(gone[0].participant, TERMINAL);
}

#[tokio::test]
async fn the_participants_are_checked_before_sending() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let too_many: Vec<String> = (0..51).map(|i| format!("p{i}")).collect();
    for (participants, says) in [
        (Vec::new(), "at least one"),
        (vec![String::new()], "participant id"),
        (too_many, "at most 50"),
    ] {
        let refused = meeting
            .network_quality(participants)
            .await
            .expect_err("refused");
        assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
        assert!(refused.to_string().contains(says), "{refused}");
    }
    assert_eq!(sim.counters().requests_for("ListNetworkQuality"), 0);
}
