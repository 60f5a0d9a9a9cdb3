//! Past meetings against the simulator: a meeting that ran is found by its date in a
//! time zone, with who attended and each stay.

use crate::common;

use std::time::Duration;

use common::*;
use meeting::{MeetingState, NewMeeting};
use meeting_sim::ParticipantSeed;

/// The simulator's today and tomorrow in `zone`, as `YYYY-MM-DD`.
fn days_in(sim: &meeting_sim::SimHandle, zone: &str) -> (String, String) {
    let now = jiff::Timestamp::from_millisecond(sim.state().now_ms).expect("a time");
    let today = now
        .to_zoned(jiff::tz::TimeZone::get(zone).expect("a zone"))
        .date();
    let tomorrow = today.tomorrow().expect("a day");
    (today.to_string(), tomorrow.to_string())
}

#[tokio::test]
async fn a_meeting_that_ran_is_found_with_its_attendance() {
    let sim = sim().await;
    let client = client(&sim);
    let created = client
        .create_meeting(&NewMeeting::new("Quarterly review"))
        .await
        .expect("created");
    let id = created.id.clone();
    assert!(sim.join(&id, ParticipantSeed::client("p-carol", "Carol")));
    assert!(sim.join(&id, ParticipantSeed::client("p-dave", "Dave")));
    sim.advance_clock(Duration::from_secs(60));
    assert!(sim.leave(&id, "p-carol"));
    sim.advance_clock(Duration::from_secs(60));
    assert!(sim.join(&id, ParticipantSeed::client("p-carol", "Carol")));
    sim.advance_clock(Duration::from_secs(60));
    created.conference().stop().await.expect("stopped");

    let zone = "Asia/Tokyo";
    let (today, tomorrow) = days_in(&sim, zone);
    let found = client
        .past_meetings()
        .all_users()
        .between(&today, &today)
        .time_zone(zone)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    let past = found.iter().find(|m| m.id == id).expect("in history");
    assert_eq!(past.state, MeetingState::Over);
    let later = client
        .past_meetings()
        .all_users()
        .between(&tomorrow, &tomorrow)
        .time_zone(zone)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert!(!later.iter().any(|m| m.id == id));
    let running = client
        .meetings()
        .all_users()
        .matching(&id)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert!(
        running.is_empty(),
        "an ended meeting is not listed as upcoming"
    );

    let meeting = client.past_meeting(past.uuid.clone().expect("a uuid"));
    assert_eq!(meeting.details().await.expect("details").id, id);
    let attendees = meeting
        .attendees(None)
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    let mut names: Vec<_> = attendees.iter().filter_map(|a| a.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["Carol", "Dave"]);
    let carol = meeting
        .attendance(Some("Carol"))
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(carol.len(), 2, "Carol left and came back: {carol:?}");
    assert!(carol.iter().all(|r| r.joined_at_ms < r.left_at_ms));
    assert!(carol[0].left_at_ms < carol[1].joined_at_ms);
}

#[tokio::test]
async fn dates_and_zones_are_checked_before_sending() {
    let sim = sim().await;
    let client = client(&sim);
    let before = sim.counters().requests_for("SearchHisMeetings");
    for search in [
        client.past_meetings().between("2026-12-02", "2026-12-01"),
        client
            .past_meetings()
            .between("2026-12-01", "2026-12-02")
            .time_zone("Mars/Olympus"),
        client.past_meetings().between("12/01/2026", "2026-12-02"),
        client.meetings().between("2026-12-01", "2026-12-02"),
    ] {
        assert!(search.list().is_err());
    }
    assert!(client.past_meeting(" ").attendance(None).is_err());
    assert_eq!(sim.counters().requests_for("SearchHisMeetings"), before);
}

/// A meeting driven by twenty different control actions, one of them refused (and
/// reads, which change nothing and are not recorded): its control records list each,
/// in the order taken, with the account that took it, on whom, and how it ended.
#[tokio::test]
async fn the_control_records_list_every_action_in_order_with_its_actor() {
    let sim = sim().await;
    let client = client(&sim);
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    let laptop = meeting.participant(LAPTOP);
    meeting.lock().await.expect("LockMeeting");
    meeting
        .update_settings(&meeting::SettingsUpdate::new().lock_sharing(true))
        .await
        .expect("UpdateStartedConfConfig");
    meeting.live().await.expect("a read");
    meeting
        .participant(TERMINAL)
        .lock_video_to(LAPTOP)
        .await
        .expect("LockView");
    meeting.mute_all(true).await.expect("MuteMeeting");
    laptop.mute().await.expect("MuteParticipant");
    meeting
        .invite(&[meeting::Invitee::phone("+8613800000077")])
        .await
        .expect("InviteParticipant");
    laptop.rename("Laptop").await.expect("RenameParticipant");
    laptop.raise_hand().await.expect("Hand");
    meeting.raise_hands(&[LAPTOP]).await.expect("BatchHand");
    laptop.roll_call().await.expect("RollcallParticipant");
    laptop.broadcast().await.expect("BroadcastParticipant");
    meeting.cancel_broadcast().await.expect("CancelBroadcast");
    laptop.invite_to_share(true).await.expect("InviteShare");
    laptop.co_host(true).await.expect("SetCohost");
    meeting
        .allow_audience(true)
        .await
        .expect("AllowAudienceJoin");
    meeting
        .allow_guests_to_unmute(true)
        .await
        .expect("AllowGuestUnmute");
    meeting.start_recording().await.expect("Record");
    meeting.live_stream(true).await.expect("Live");
    meeting.pause(true).await.expect("PauseConference");
    meeting.prolong(15).await.expect("ProlongMeeting");
    let refused = meeting
        .participant("f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0")
        .mute()
        .await
        .expect_err("nobody of that ID");
    meeting.stop().await.expect("StopMeeting");

    let found = client
        .past_meetings()
        .all_users()
        .matching(CONF)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    let uuid = found[0].uuid.clone().expect("a uuid");
    let records = client
        .past_meeting(uuid)
        .control_records()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    let actions: Vec<&str> = records.iter().filter_map(|r| r.action.as_deref()).collect();
    assert_eq!(
        actions,
        [
            "LockMeeting",
            "UpdateStartedConfConfig",
            "LockView",
            "MuteMeeting",
            "MuteParticipant",
            "InviteParticipant",
            "RenameParticipant",
            "Hand",
            "BatchHand",
            "RollcallParticipant",
            "BroadcastParticipant",
            "CancelBroadcast",
            "InviteShare",
            "SetCohost",
            "AllowAudienceJoin",
            "AllowGuestUnmute",
            "Record",
            "Live",
            "PauseConference",
            "ProlongMeeting",
            "MuteParticipant",
            "StopMeeting",
        ]
    );
    // Each by the account; each a success but the refused one, with its code.
    let results: Vec<&str> = records.iter().filter_map(|r| r.result.as_deref()).collect();
    assert_eq!(Some(results[20]), refused.code(), "{results:?}");
    assert_eq!(results.iter().filter(|r| **r == "success").count(), 21);
    assert!(
        records
            .iter()
            .all(|r| r.operator.as_deref() == Some(ACCOUNT)),
        "{records:#?}"
    );
    assert!(records.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    let on_laptop = records
        .iter()
        .filter(|r| r.object.as_deref() == Some(LAPTOP))
        .count();
    assert!(on_laptop >= 6, "{records:#?}");
}
