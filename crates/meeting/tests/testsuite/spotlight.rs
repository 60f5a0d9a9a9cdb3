//! The spotlight and requests to one participant against the simulator's state, and
//! the meeting's audience, guests and attendees: each seen in `live()`, the
//! simulator's view, or on the event stream.

use crate::common;

use common::*;
use meeting::events::ParticipantField;
use meeting::{AttendeeRef, ErrorKind};

fn flags(sim: &meeting_sim::SimHandle, pid: &str) -> meeting_sim::ParticipantFlags {
    sim.conference(CONF)
        .expect("seeded")
        .participants
        .into_iter()
        .find(|p| p.id == pid)
        .expect("in the meeting")
        .flags
}

#[tokio::test]
async fn broadcast_and_roll_call_move_from_one_participant_to_the_next() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");

    meeting
        .participant(LAPTOP)
        .broadcast()
        .await
        .expect("broadcast");
    assert!(
        next_change(&mut events, LAPTOP)
            .await
            .contains(&ParticipantField::Broadcast)
    );
    meeting
        .participant(TERMINAL)
        .broadcast()
        .await
        .expect("moved");
    assert!(!flags(&sim, LAPTOP).broadcast && flags(&sim, TERMINAL).broadcast);
    meeting.cancel_broadcast().await.expect("cancelled");
    meeting
        .cancel_broadcast()
        .await
        .expect("nobody broadcast: the same state");
    assert!(!flags(&sim, TERMINAL).broadcast);

    meeting
        .participant(LAPTOP)
        .roll_call()
        .await
        .expect("called on");
    assert!(flags(&sim, LAPTOP).roll_call);
    let absent = meeting
        .participant("nobody")
        .roll_call()
        .await
        .expect_err("not in the meeting");
    assert_eq!(
        absent.refusal(),
        Some(meeting::Refusal::ParticipantNotInMeeting)
    );
    assert!(flags(&sim, LAPTOP).roll_call, "a refusal changes nothing");
}

#[tokio::test]
async fn sharing_camera_and_local_recording_are_the_participants_own() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");
    let laptop = meeting.participant(LAPTOP);

    laptop.invite_to_share(true).await.expect("invited");
    assert!(
        next_change(&mut events, LAPTOP)
            .await
            .contains(&ParticipantField::Sharing)
    );
    laptop.ask_camera(false).await.expect("asked");
    assert!(
        next_change(&mut events, LAPTOP)
            .await
            .contains(&ParticipantField::CameraOn)
    );
    laptop.allow_local_recording(true).await.expect("allowed");
    let f = flags(&sim, LAPTOP);
    assert!(f.sharing && f.camera_off && f.client_record);
    laptop.invite_to_share(false).await.expect("withdrawn");
    laptop.ask_camera(true).await.expect("asked");
    let f = flags(&sim, LAPTOP);
    assert!(!f.sharing && !f.camera_off);
}

#[tokio::test]
async fn the_audience_guests_and_attendees() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.allow_audience(true).await.expect("audience");
    assert!(sim.conference(CONF).expect("seeded").allow_audience);
    meeting.allow_guests_to_unmute(false).await.expect("guests");
    assert_eq!(
        sim.conference(CONF)
            .expect("seeded")
            .settings
            .allow_unmute_by_oneself,
        0
    );

    let partly = meeting
        .remove_attendees(&[
            AttendeeRef::Participant(LAPTOP.into()),
            AttendeeRef::Participant("nobody".into()),
        ])
        .await
        .expect_err("all or none");
    assert_eq!(partly.kind(), ErrorKind::BadRequest);
    assert_eq!(sim.conference(CONF).expect("seeded").participants.len(), 2);
    meeting
        .remove_attendees(&[AttendeeRef::Participant(LAPTOP.into())])
        .await
        .expect("removed");
    assert_eq!(sim.conference(CONF).expect("seeded").participants.len(), 1);
    let again = meeting
        .remove_attendees(&[AttendeeRef::Participant(LAPTOP.into())])
        .await
        .expect_err("gone: not retried, refused");
    assert_eq!(again.kind(), ErrorKind::BadRequest);
    assert_eq!(
        meeting
            .remove_attendees(&[])
            .await
            .expect_err("checked")
            .kind(),
        ErrorKind::InvalidInput
    );
}
