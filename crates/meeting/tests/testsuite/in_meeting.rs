//! A running meeting through the wrapper against the simulator: who is in it, mute,
//! invite, hang up, prolong, stop; the simulator's state after each.

use crate::common;

use common::*;
use meeting::{ErrorKind, Invitee, LiveState, SiteStatus};
use meeting_sim::{ConferenceState, FaultConfig, ScriptedFault};

#[tokio::test]
async fn the_live_meeting_from_participants_to_stop() {
    let sim = sim().await;
    let client = client(&sim);
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    let view = || sim.conference(CONF).expect("seeded");

    let live = meeting.live().await.expect("live");
    let ids: Vec<&str> = live.participants.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, [TERMINAL, LAPTOP]);
    let room = live.named("Board room TE50").expect("the terminal");
    assert_eq!(room.state, LiveState::InMeeting);
    assert_eq!(room.muted, Some(false));

    meeting.mute_all(false).await.expect("mutes");
    assert!(view().participants.iter().all(|p| p.muted));
    assert_eq!(view().settings.allow_unmute_by_oneself, 0);
    meeting
        .participant(LAPTOP)
        .unmute()
        .await
        .expect("unmutes one");
    let laptop = |v: &meeting_sim::ConferenceView| {
        v.participants
            .iter()
            .find(|p| p.id == LAPTOP)
            .map(|p| p.muted)
    };
    assert_eq!(laptop(&view()), Some(false));
    meeting.unmute_all().await.expect("unmutes all");
    assert!(view().participants.iter().all(|p| !p.muted));

    meeting
        .invite(&[Invitee::phone("+8613800000000").name("Carol")])
        .await
        .expect("invites");
    let live = meeting.live().await.expect("live");
    let carol = live.named("Carol").expect("Carol joined");
    assert_eq!(carol.phone.as_deref(), Some("+8613800000000"));
    meeting
        .participant(&carol.id)
        .hang_up()
        .await
        .expect("hangs up");
    assert_eq!(meeting.live().await.expect("live").participants.len(), 2);

    meeting.prolong(15).await.expect("prolongs");
    assert_eq!(view().length_minutes, 75);
    meeting.prolong_automatically().await.expect("auto");
    assert!(view().auto_prolong);

    meeting.stop().await.expect("stops");
    assert_eq!(view().state, ConferenceState::Ended);
    let err = meeting.lock().await.expect_err("over");
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

#[tokio::test]
async fn wrong_participants_and_bad_input_change_nothing() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.live().await.expect("warm");
    let before = sim.conference(CONF).expect("seeded");
    let requests = || sim.counters().requests.values().sum::<u64>();
    let sent = requests();
    for err in [
        meeting.prolong(0).await.expect_err("0 minutes"),
        meeting.prolong(1441).await.expect_err("a day and a minute"),
        meeting.invite(&[]).await.expect_err("nobody"),
        meeting
            .invite(&[Invitee::phone(" ")])
            .await
            .expect_err("no number"),
        meeting.participant("").mute().await.expect_err("no id"),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }
    assert_eq!(requests(), sent, "nothing was sent");
    for err in [
        meeting
            .participant("nobody")
            .mute()
            .await
            .expect_err("unknown"),
        meeting
            .participant("nobody")
            .hang_up()
            .await
            .expect_err("unknown"),
    ] {
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");
    }
    assert_eq!(sim.conference(CONF).expect("seeded"), before);
}

#[tokio::test]
async fn invitations_hang_ups_and_prolongations_are_not_retried() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.live().await.expect("warm");
    sim.fail_next(1, ScriptedFault::Status { status: 503 });
    let err = meeting
        .invite(&[Invitee::phone("+8613800000000")])
        .await
        .expect_err("503, not retried");
    assert_eq!(err.kind(), ErrorKind::ServerError);
    assert_eq!(sim.counters().requests_for("InviteParticipant"), 1);
    sim.fail_next(1, ScriptedFault::Status { status: 503 });
    meeting.prolong(10).await.expect_err("503, not retried");
    assert_eq!(sim.counters().requests_for("ProlongMeeting"), 1);
    assert_eq!(sim.conference(CONF).expect("seeded").length_minutes, 60);
    // Mute is idempotent: retried.
    sim.fail_next(1, ScriptedFault::Status { status: 503 });
    meeting.mute_all(true).await.expect("retried");
    assert_eq!(sim.counters().requests_for("MuteMeeting"), 2);
}

#[tokio::test]
async fn a_meeting_from_scheduling_to_its_end() {
    use meeting::{MeetingState, NewMeeting};
    use meeting_sim::ParticipantSeed;
    use std::time::Duration;

    let sim = sim().await;
    let client = client(&sim);
    let created = client
        .create_meeting(
            &NewMeeting::new("Board review")
                .starts_at("2026-12-01 09:00")
                .lasts(Duration::from_secs(3600))
                .invite(Invitee::phone("+8613800000000").name("Carol")),
        )
        .await
        .expect("scheduled");
    assert_eq!(created.id.len(), 9);
    assert_eq!(created.end_time.as_deref(), Some("2026-12-01 10:00"));
    let host = created.expose_host_password().expect("a host password");
    assert!(!format!("{created:?}").contains(host), "Debug redacts");
    let details = created.conference().details().await.expect("details");
    assert_eq!(details.state, MeetingState::Scheduled);
    assert_eq!(details.subject.as_deref(), Some("Board review"));

    // Someone joins: the meeting starts, and its host controls it with the password.
    assert!(sim.join(&created.id, ParticipantSeed::client("p1", "Dana")));
    let meeting = created.conference();
    assert_eq!(meeting.live().await.expect("live").participants.len(), 1);
    meeting.stop().await.expect("stops");
    let details = meeting.details().await.expect("details");
    assert_eq!(details.state, MeetingState::Over);

    for bad in [
        NewMeeting::new(" "),
        NewMeeting::new("x").lasts(Duration::from_secs(60)),
        NewMeeting::new("x").starts_at("tomorrow"),
    ] {
        let err = client.create_meeting(&bad).await.expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }
    assert_eq!(sim.counters().requests_for("CreateMeeting"), 1);
}

#[tokio::test]
async fn the_meetings_password_calls_someone_in_without_a_control_token() {
    let sim = sim().await;
    let client = client(&sim);
    let meeting = client.conference(CONF);
    let wrong = meeting
        .invite_with_password("+99111283190", "000000")
        .await
        .expect_err("a wrong password");
    assert_eq!(wrong.kind(), ErrorKind::Authentication, "{wrong}");
    meeting
        .invite_with_password("+99111283190", HOST_PASSWORD)
        .await
        .expect("invites");
    let called = sim.conference(CONF).expect("seeded").participants;
    assert!(
        called
            .iter()
            .any(|p| p.phone.as_deref() == Some("+99111283190"))
    );
    assert_eq!(sim.counters().control_token_grants, 0, "no control token");
}

#[tokio::test]
async fn the_management_site_is_at_fault_while_the_service_fails() {
    let sim = sim().await;
    let client = client(&sim);
    let status = client.management_site_status().await.expect("status");
    assert_eq!(status, SiteStatus::Normal);
    // A rate that fails no request of this test (the draws are seeded), but a failing
    // service all the same.
    sim.set_faults(FaultConfig {
        server_error_rate: 1e-9,
        ..FaultConfig::default()
    });
    let status = client.management_site_status().await.expect("status");
    assert!(matches!(status, SiteStatus::Fault { .. }), "{status:?}");
}

/// Join randoms: issued for the meeting's password, each lets one person in once,
/// into its own meeting, before it expires; without a password nothing is sent.
#[tokio::test]
async fn a_join_random_lets_one_in_once_before_it_expires() {
    use meeting_sim::ParticipantSeed;
    let sim = sim().await;
    let client = client(&sim);
    let requests = || sim.counters().requests_for("CreateAuthRandom");
    let err = client
        .conference(CONF)
        .join_random(false)
        .await
        .expect_err("no password");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(requests(), 0, "refused before sending");
    let err = client
        .conference(CONF)
        .with_host_password("999999")
        .join_random(false)
        .await
        .expect_err("a wrong password");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");

    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    let random = meeting.join_random(true).await.expect("a random");
    assert_eq!(random.needs_password, Some(false));
    assert!(!format!("{random:?}").contains(random.expose_random()));
    let guest = || ParticipantSeed::client("p-guest", "Guest");
    assert!(!sim.join_with_random("900244663", random.expose_random(), guest()));
    let again = meeting.join_random(false).await.expect("a random");
    assert!(sim.join_with_random(CONF, again.expose_random(), guest()));
    assert!(
        !sim.join_with_random(CONF, again.expose_random(), guest()),
        "used"
    );

    let anonymous = meeting.anonymous_join_random().await.expect("a random");
    assert!(anonymous.site_url.is_some());
    sim.advance_clock(std::time::Duration::from_secs(11 * 60));
    assert!(
        !sim.join_with_random(CONF, anonymous.expose_random(), guest()),
        "expired"
    );
}
