//! Roles and hands against the simulator's state: the host role handed over with the
//! host password (and refused while held, or with a wrong password), co-hosts, names,
//! hands one by one and in a batch; each seen in `live()` and on the event stream.

use crate::common;

use common::*;
use meeting::events::ParticipantField;
use meeting::{ErrorKind, LiveRole, Refusal};

#[tokio::test]
async fn the_host_role_moves_with_the_password_and_is_refused_while_held() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");

    meeting
        .participant(TERMINAL)
        .make_host(HOST_PASSWORD)
        .await
        .expect("takes the host role");
    assert!(
        next_change(&mut events, TERMINAL)
            .await
            .contains(&ParticipantField::Role)
    );
    let live = meeting.live().await.expect("live");
    assert_eq!(live.host().map(|p| p.id.as_str()), Some(TERMINAL));

    let held = meeting
        .participant(LAPTOP)
        .make_host(HOST_PASSWORD)
        .await
        .expect_err("a second host");
    assert_eq!(held.kind(), ErrorKind::PermissionDenied);
    assert_eq!(held.refusal(), Some(Refusal::HostRoleTaken));
    let wrong = meeting
        .participant(LAPTOP)
        .make_host("not-the-password")
        .await
        .expect_err("a wrong password");
    assert_eq!(wrong.refusal(), Some(Refusal::WrongHostPassword));
    assert!(!format!("{wrong} {wrong:?}").contains("not-the-password"));
    let absent = meeting
        .participant("nobody")
        .make_host(HOST_PASSWORD)
        .await
        .expect_err("not in the meeting");
    assert_eq!(absent.kind(), ErrorKind::BadRequest);
    assert_eq!(absent.refusal(), Some(Refusal::ParticipantNotInMeeting));
    let empty = meeting
        .participant(LAPTOP)
        .make_host("")
        .await
        .expect_err("checked before sending");
    assert_eq!(empty.kind(), ErrorKind::InvalidInput);

    meeting
        .participant(TERMINAL)
        .release_host()
        .await
        .expect("released");
    meeting
        .participant(LAPTOP)
        .make_host(HOST_PASSWORD)
        .await
        .expect("handed over");
    meeting
        .participant(TERMINAL)
        .co_host(true)
        .await
        .expect("co-host");
    let live = meeting.live().await.expect("live");
    assert_eq!(live.host().map(|p| p.id.as_str()), Some(LAPTOP));
    let terminal = live
        .participants
        .iter()
        .find(|p| p.id == TERMINAL)
        .expect("in it");
    assert_eq!(terminal.role, LiveRole::CoHost);
}

#[tokio::test]
async fn names_and_hands_change_one_by_one_or_all_at_once() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");

    meeting
        .participant(LAPTOP)
        .rename("Carol's laptop")
        .await
        .expect("renamed");
    assert!(
        next_change(&mut events, LAPTOP)
            .await
            .contains(&ParticipantField::Name)
    );
    meeting
        .participant(LAPTOP)
        .raise_hand()
        .await
        .expect("raised");
    assert!(
        next_change(&mut events, LAPTOP)
            .await
            .contains(&ParticipantField::HandRaised)
    );
    meeting.raise_hands(&[TERMINAL]).await.expect("raised");
    let live = meeting.live().await.expect("live");
    assert!(
        live.participants
            .iter()
            .all(|p| p.hand_raised == Some(true))
    );
    assert_eq!(
        live.named("Carol's laptop").map(|p| p.id.as_str()),
        Some(LAPTOP)
    );

    let partly = meeting
        .lower_hands(&[LAPTOP, "nobody"])
        .await
        .expect_err("all or none");
    assert_eq!(partly.kind(), ErrorKind::BadRequest);
    assert!(
        meeting
            .live()
            .await
            .expect("live")
            .participants
            .iter()
            .all(|p| p.hand_raised == Some(true)),
        "none lowered"
    );
    meeting
        .lower_hands(&[LAPTOP, TERMINAL])
        .await
        .expect("lowered");
    meeting
        .participant(TERMINAL)
        .lower_hand()
        .await
        .expect("already down: the same state");
    let live = meeting.live().await.expect("live");
    assert!(
        live.participants
            .iter()
            .all(|p| p.hand_raised == Some(false))
    );
    for bad in [
        meeting.lower_hands(&[]).await,
        meeting.participant(LAPTOP).rename(&"x".repeat(65)).await,
    ] {
        assert_eq!(bad.expect_err("checked").kind(), ErrorKind::InvalidInput);
    }
}
