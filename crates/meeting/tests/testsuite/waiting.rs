//! The waiting room against the simulator: someone waits (the admin API stands in for
//! their device), is admitted, is moved back, everyone is admitted; the stream's
//! waiting-room events and the refusals.

use crate::common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use meeting::ErrorKind;
use meeting::events::{EventKind, EventStream};
use meeting_sim::ParticipantSeed;

/// Events until one matches (10 s at most).
async fn until(events: &mut EventStream, matches: impl Fn(&EventKind) -> bool) -> EventKind {
    let wait = async {
        while let Some(event) = events.next().await {
            let kind = event.expect("an event").kind;
            if matches(&kind) {
                return kind;
            }
        }
        panic!("the stream ended");
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("within 10 s")
}

fn waiting(sim: &meeting_sim::SimHandle) -> Vec<String> {
    sim.conference(CONF).expect("seeded").waiting
}

#[tokio::test]
async fn participants_wait_are_admitted_and_moved_back() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");

    assert!(sim.wait(CONF, ParticipantSeed::client("late", "Late guest")));
    until(
        &mut events,
        |e| matches!(e, EventKind::WaitingJoined { participant } if participant.id == "late"),
    )
    .await;
    let refused = meeting
        .participant("nobody")
        .admit()
        .await
        .expect_err("not waiting");
    assert_eq!(refused.kind(), ErrorKind::BadRequest);
    assert_eq!(refused.refusal(), Some(meeting::Refusal::NotWaiting));

    meeting.participant("late").admit().await.expect("admitted");
    until(
        &mut events,
        |e| matches!(e, EventKind::ParticipantJoined { participant } if participant.id == "late"),
    )
    .await;
    assert!(waiting(&sim).is_empty());
    let again = meeting
        .participant("late")
        .admit()
        .await
        .expect_err("admitted already: a repeat fails");
    assert_eq!(again.code(), Some("SIM.000000463"));

    meeting
        .participant(LAPTOP)
        .to_waiting_room()
        .await
        .expect("moved");
    until(
        &mut events,
        |e| matches!(e, EventKind::ParticipantLeft { participant } if participant.id == LAPTOP),
    )
    .await;
    let partly = meeting
        .to_waiting_room(&[TERMINAL, "nobody"])
        .await
        .expect_err("all or none");
    assert_eq!(
        partly.refusal(),
        Some(meeting::Refusal::ParticipantNotInMeeting)
    );
    meeting
        .to_waiting_room(&[TERMINAL, "late"])
        .await
        .expect("moved");
    assert_eq!(waiting(&sim), [LAPTOP, TERMINAL, "late"]);
    meeting.admit_all().await.expect("everyone");
    assert!(waiting(&sim).is_empty());
    assert_eq!(sim.conference(CONF).expect("seeded").participants.len(), 3);
    assert_eq!(
        meeting
            .to_waiting_room(&[])
            .await
            .expect_err("checked")
            .kind(),
        ErrorKind::InvalidInput
    );
}
