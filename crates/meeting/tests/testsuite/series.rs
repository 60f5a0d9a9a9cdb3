//! A weekly series end to end against the simulator: scheduled in a time zone, one
//! occurrence cancelled, listed, edited, one occurrence held and found in history with
//! its attendance and recording; the event push tells the edits and that occurrence's
//! end, and not the series' conclusion.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use meeting::webhook::{PushEvent, Receiver, Verifier};
use meeting::{Day, MeetingState, NewMeeting, Recurrence};
use meeting_sim::{DeliveryState, ParticipantSeed};

use meeting_sim::example::SUBSCRIBER;
const KEY: &str = "series-webhook-key";

/// A receiver on a loopback port that keeps what it is pushed.
async fn receiver() -> (String, Arc<Mutex<Vec<PushEvent>>>) {
    let seen: Arc<Mutex<Vec<PushEvent>>> = Arc::default();
    let app = meeting::webhook::axum::router(
        Receiver::new(Verifier::new(SUBSCRIBER, KEY).expect("a usable key")),
        {
            let seen = seen.clone();
            move |event| {
                let seen = seen.clone();
                async move {
                    seen.lock().expect("lock").push(event);
                    Ok::<(), &str>(())
                }
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// Next week's Monday, as `YYYY-MM-DD`, and the day `weeks` later, in `zone`.
fn next_monday(sim: &meeting_sim::SimHandle, zone: &str, weeks: i64) -> (String, String) {
    let now = jiff::Timestamp::from_millisecond(sim.state().now_ms).expect("a time");
    let today = now
        .to_zoned(jiff::tz::TimeZone::get(zone).expect("a zone"))
        .date();
    let ahead = 7 + (8 - i64::from(today.weekday().to_monday_one_offset())) % 7;
    let monday = today
        .checked_add(jiff::Span::new().days(ahead))
        .expect("a day");
    let last = monday
        .checked_add(jiff::Span::new().days(7 * weeks - 1))
        .expect("a day");
    (monday.to_string(), last.to_string())
}

#[tokio::test]
async fn a_weekly_series_is_scheduled_edited_held_and_found_in_history() {
    let sim = sim().await;
    let (url, pushed) = receiver().await;
    let client = client(&sim);
    enable_webhook(&client, &url, SUBSCRIBER, KEY).await;

    // Mondays and Wednesdays at 08:30 in Madrid, for three weeks.
    let zone = "Europe/Madrid";
    let (monday, last) = next_monday(&sim, zone, 3);
    let weekly = |subject: &str, until: &str| {
        NewMeeting::new(subject)
            .time_zone(zone)
            .starts_at(format!("{monday} 08:30"))
            .lasts(Duration::from_secs(45 * 60))
            .repeats(Recurrence::weekly([Day::Monday, Day::Wednesday]).until(until))
    };
    let created = client
        .create_meeting(&weekly("Standing sync", &last))
        .await
        .expect("scheduled");
    let series = created.conference();
    let details = series.details().await.expect("details");
    assert_eq!(details.occurrences.len(), 6);
    // 08:30 in Madrid is 07:30 UTC in winter, 06:30 in summer.
    assert!(
        details.occurrences[0]
            .start_time
            .as_deref()
            .is_some_and(|t| t.ends_with("07:30") || t.ends_with("06:30"))
    );

    let skipped = details.occurrences[1].id.clone();
    series
        .cancel_occurrences([skipped.clone()], false)
        .await
        .expect("one cancelled");
    let listed = client
        .meetings()
        .all_users()
        .matching(&created.id)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(listed.len(), 1, "a series is one meeting");
    assert_eq!(listed[0].occurrences.len(), 5);

    // A fourth week: the cancelled occurrence stays cancelled.
    let (_, longer) = next_monday(&sim, zone, 4);
    let edited = series
        .update(&weekly("Standing sync (moved)", &longer))
        .await
        .expect("edited");
    assert_eq!(edited.subject.as_deref(), Some("Standing sync (moved)"));
    assert_eq!(edited.occurrences.len(), 7);
    assert!(!edited.occurrences.iter().any(|o| o.id == skipped));

    // The first occurrence runs, is recorded and ends.
    assert!(sim.join(&created.id, ParticipantSeed::client("p-frank", "Frank")));
    series.start_recording().await.expect("records");
    sim.advance_clock(Duration::from_secs(40));
    series.stop().await.expect("the occurrence ends");
    let after = series.details().await.expect("details");
    assert_eq!(after.state, MeetingState::Scheduled, "the series goes on");
    assert_eq!(after.occurrences.len(), 6);

    let past = client
        .past_meetings()
        .all_users()
        .matching(&created.id)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(past.len(), 1, "the occurrence held");
    let uuid = past[0].uuid.clone().expect("a uuid");
    let stays = client
        .past_meeting(&uuid)
        .attendance(None)
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(stays.len(), 1);
    assert_eq!(stays[0].name.as_deref(), Some("Frank"));
    let recordings = client
        .recordings()
        .all_users()
        .matching(&created.id)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(recordings.len(), 1);
    assert_eq!(recordings[0].uuid, uuid);
    assert_eq!(recordings[0].seconds, Some(40));

    series
        .cancel_series(false)
        .await
        .expect("the rest cancelled");
    assert_eq!(
        series.details().await.expect("details").state,
        MeetingState::Over
    );

    eventually(|| {
        let deliveries = sim.webhook_deliveries();
        deliveries.len() >= 9
            && deliveries
                .iter()
                .all(|d| d.state == DeliveryState::Delivered)
    })
    .await;
    let kinds: Vec<String> = pushed
        .lock()
        .expect("lock")
        .iter()
        .map(|e| e.kind.wire_name().to_owned())
        .collect();
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(count("meeting.create"), 1, "{kinds:?}");
    assert_eq!(
        count("meeting.modify"),
        2,
        "the cancelled occurrence and the edit"
    );
    assert_eq!(count("meeting.end"), 1, "the occurrence's end");
    assert_eq!(
        count("meeting.conclude"),
        0,
        "an occurrence does not conclude the series"
    );
    assert_eq!(count("record.finish"), 1);
    assert_eq!(count("meeting.cancel"), 1);
}

/// One occurrence moved and lengthened in the series' time zone: the others stay as
/// they were, the push says the series was modified, and bad input is refused before
/// anything is sent.
#[tokio::test]
async fn one_occurrence_moves_without_the_rest() {
    use meeting::{ErrorKind, OccurrenceUpdate};
    let sim = sim().await;
    let (url, pushed) = receiver().await;
    let client = client(&sim);
    enable_webhook(&client, &url, SUBSCRIBER, KEY).await;
    let zone = "Europe/Madrid";
    let (monday, last) = next_monday(&sim, zone, 2);
    let created = client
        .create_meeting(
            &NewMeeting::new("Standing sync")
                .time_zone(zone)
                .starts_at(format!("{monday} 08:30"))
                .lasts(Duration::from_secs(45 * 60))
                .repeats(Recurrence::weekly([Day::Monday, Day::Wednesday]).until(&last)),
        )
        .await
        .expect("scheduled");
    let series = created.conference();
    let before = series.details().await.expect("details").occurrences;
    assert_eq!(before.len(), 4);
    let moved = before[1].id.clone();
    // The Wednesday's day at 10:00 in Madrid: 09:00 UTC in winter, 08:00 in summer.
    let day = &before[1].start_time.as_deref().expect("a start")[..10];
    series
        .update_occurrence(
            &moved,
            &OccurrenceUpdate::new()
                .time_zone(zone)
                .starts_at(format!("{day} 10:00"))
                .lasts(Duration::from_secs(90 * 60)),
        )
        .await
        .expect("moved");
    let after = series.details().await.expect("details").occurrences;
    let changed = after.iter().find(|o| o.id == moved).expect("still there");
    let start = changed.start_time.as_deref().expect("a start");
    assert!(
        start.ends_with("09:00") || start.ends_with("08:00"),
        "{start}"
    );
    let minutes = |o: &meeting::Occurrence| {
        let at = |t: &Option<String>| {
            let t = t.as_deref().expect("a time").replacen(' ', "T", 1);
            t.parse::<jiff::civil::DateTime>().expect("a time")
        };
        (at(&o.end_time) - at(&o.start_time))
            .total(jiff::Unit::Minute)
            .expect("minutes")
    };
    assert_eq!(minutes(changed), 90.0);
    for (b, a) in before.iter().zip(&after).filter(|(b, _)| b.id != moved) {
        assert_eq!((b, minutes(b)), (a, 45.0), "the others as they were");
    }

    let requests = sim.counters().requests_for("UpdateRecurringSubMeeting");
    for bad in [
        OccurrenceUpdate::new(),
        OccurrenceUpdate::new().lasts(Duration::from_secs(5 * 60)),
        OccurrenceUpdate::new().starts_at("tomorrow"),
    ] {
        let err = series
            .update_occurrence(&moved, &bad)
            .await
            .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }
    assert_eq!(
        sim.counters().requests_for("UpdateRecurringSubMeeting"),
        requests
    );
    let err = series
        .update_occurrence(
            "0123456789abcdef0123456789abcdef",
            &OccurrenceUpdate::new().lasts(Duration::from_secs(60 * 60)),
        )
        .await
        .expect_err("no such occurrence");
    assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");

    eventually(|| {
        pushed
            .lock()
            .expect("lock")
            .iter()
            .any(|e| e.kind.wire_name() == "meeting.modify")
    })
    .await;
}
