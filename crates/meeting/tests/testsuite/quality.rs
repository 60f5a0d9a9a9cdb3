//! Media quality against the simulator: a scripted degradation is seen exactly over its
//! minutes, in its direction; what a participant sends follows it; the input is
//! checked before anything is sent.

use crate::common;

use std::time::Duration;

use common::*;
use meeting::{
    AttendanceBy, ErrorKind, Held, Metric, NetRating, Period, QosKind, QosThresholdsUpdate,
    ResourceKind, UserStatsKind, Way,
};
use meeting_sim::{Degradation, Direction};

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_scripted_uplink_loss_shows_over_its_minutes_only() {
    let sim = sim().await;
    sim.degrade(
        CONF,
        Degradation::new(LAPTOP, Direction::Up, 3..5).loss_permille(80),
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

/// The quality metrics: a scripted loss over minutes 3 and 4, a threshold under it, and
/// the participant's series alarms exactly there, in progress and after the meeting.
#[tokio::test]
async fn the_series_alarm_exactly_over_a_scripted_degradation() {
    let sim = sim().await;
    sim.degrade(
        CONF,
        Degradation::new(LAPTOP, Direction::Up, 3..5).loss_permille(80),
    )
    .expect("scripted");
    let client = client(&sim);
    let defaults = client
        .qos_thresholds(QosKind::Audio)
        .await
        .expect("thresholds");
    let loss = defaults.packet_loss_percent.expect("a loss threshold");
    assert_eq!((loss.sending, loss.sending_default), (Some(10), Some(10)));
    client
        .set_qos_thresholds(
            QosKind::Audio,
            &QosThresholdsUpdate::new().packet_loss(5, 5),
        )
        .await
        .expect("set");
    let set = client
        .qos_thresholds(QosKind::Audio)
        .await
        .expect("thresholds");
    let loss = set.packet_loss_percent.expect("a loss threshold");
    assert_eq!((loss.sending, loss.sending_default), (Some(5), Some(10)));
    sim.advance_clock(7 * MINUTE);

    let meetings = client
        .qos_meetings(None)
        .expect("listed")
        .collect_all()
        .await
        .expect("meetings");
    let ours = meetings
        .iter()
        .find(|m| m.id.as_deref() == Some(CONF))
        .expect("the meeting in progress");
    assert!(
        ours.alarms.of(QosKind::Audio) && !ours.alarms.of(QosKind::Cpu),
        "{ours:?}"
    );
    let start = ours.start.expect("its start");

    let stays = client
        .qos_participants(&ours.uuid, Held::Now, None)
        .expect("listed")
        .collect_all()
        .await
        .expect("participants");
    let laptop = stays.iter().find(|p| p.id == LAPTOP).expect("the laptop");
    assert_eq!(
        (laptop.alarms.sent[0], laptop.alarms.received[0]),
        (true, false)
    );
    let terminal = stays
        .iter()
        .find(|p| p.id == TERMINAL)
        .expect("the terminal");
    assert!(!terminal.alarms.any, "{terminal:?}");

    let alarmed_minutes = |detail: &meeting::QosDetail, way| -> Vec<u64> {
        let loss = detail
            .series
            .iter()
            .find(|s| s.metric == Metric::PacketLoss && s.way == Some(way))
            .expect("a loss series");
        assert_eq!(loss.points.len(), 8, "minutes 0 to 7");
        loss.points
            .iter()
            .filter(|p| p.alarm)
            .map(|p| {
                assert!(p.value >= 8 && p.threshold == Some(5), "{p:?}");
                p.at.duration_since(start)
                    .expect("after the start")
                    .as_secs()
                    / 60
            })
            .collect()
    };
    let live = client
        .qos_series(&ours.uuid, Held::Now, LAPTOP, QosKind::Audio)
        .await
        .expect("the series");
    assert_eq!(alarmed_minutes(&live, Way::Sent), [3, 4]);
    assert!(alarmed_minutes(&live, Way::Received).is_empty());
    assert_eq!(live.participant.map(|p| p.id).as_deref(), Some(LAPTOP));

    // After the meeting: the same series, in history.
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    meeting.stop().await.expect("stopped");
    let past = client
        .qos_past_meetings(start, start + 60 * MINUTE, Some(CONF))
        .expect("listed")
        .collect_all()
        .await
        .expect("past meetings");
    assert_eq!(past.len(), 1);
    assert_eq!(
        (past[0].uuid.as_str(), past[0].held),
        (ours.uuid.as_str(), Held::Before)
    );
    let after = client
        .qos_series(&ours.uuid, Held::Before, LAPTOP, QosKind::Audio)
        .await
        .expect("the series");
    assert_eq!(alarmed_minutes(&after, Way::Sent), [3, 4]);
    let cpu = client
        .qos_series(&ours.uuid, Held::Before, LAPTOP, QosKind::Cpu)
        .await
        .expect("the CPU");
    let metrics: Vec<Metric> = cpu.series.iter().map(|s| s.metric).collect();
    assert_eq!(metrics, [Metric::AppCpu, Metric::SystemCpu]);
}

#[tokio::test]
async fn thresholds_are_checked_before_sending() {
    let sim = sim().await;
    let client = client(&sim);
    for (kind, update, says) in [
        (QosKind::Audio, QosThresholdsUpdate::new(), "at least one"),
        (
            QosKind::Audio,
            QosThresholdsUpdate::new().app_cpu(50),
            "latency, jitter",
        ),
        (
            QosKind::Cpu,
            QosThresholdsUpdate::new().packet_loss(5, 5),
            "app_cpu",
        ),
        (
            QosKind::Video,
            QosThresholdsUpdate::new().packet_loss(101, 5),
            "100 %",
        ),
        (
            QosKind::Screen,
            QosThresholdsUpdate::new().latency(Duration::from_secs(11), Duration::ZERO),
            "10 s",
        ),
    ] {
        let refused = client
            .set_qos_thresholds(kind, &update)
            .await
            .expect_err("refused");
        assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
        assert!(refused.to_string().contains(says), "{refused}");
    }
    assert_eq!(sim.counters().requests_for("SetQosThreshold"), 0);
}

/// The dashboard counts what the simulator held: today's meetings and their stays, the
/// users who logged in, and nothing on the day before.
#[tokio::test]
async fn the_dashboard_counts_the_meetings_held() {
    let sim = sim().await;
    let client = client(&sim);
    let now = jiff::Timestamp::from_millisecond(sim.state().now_ms).expect("a time");
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let yesterday = today.yesterday().expect("a day").to_string();
    let today = today.to_string();
    let days = Period::Days(yesterday.clone(), today.clone());
    let held = sim
        .state()
        .conferences
        .iter()
        .filter(|c| c.state == meeting_sim::ConferenceState::Ongoing)
        .count() as u64;
    let stays: u64 = sim
        .state()
        .conferences
        .iter()
        .map(|c| c.attendance.len() as u64)
        .sum();

    let meetings = client
        .meeting_statistics(&days)
        .expect("listed")
        .collect_all()
        .await
        .expect("rows");
    assert_eq!(meetings.len(), 2);
    assert_eq!(
        (meetings[0].period.label(), meetings[0].meetings),
        (yesterday.as_str(), Some(0))
    );
    let day = &meetings[1];
    assert_eq!(day.period.label(), today);
    // Its instants: the UTC day, shown here in Madrid.
    let instant = |t: Option<std::time::SystemTime>| {
        jiff::Timestamp::try_from(t.expect("an instant")).expect("a time")
    };
    let madrid = jiff::tz::TimeZone::get("Europe/Madrid").expect("a zone");
    let (start, end) = (instant(day.period.start()), instant(day.period.end()));
    assert_eq!(end.duration_since(start).as_hours(), 24);
    assert_eq!(
        start.to_zoned(jiff::tz::TimeZone::UTC).date().to_string(),
        today
    );
    assert_eq!(
        start.to_zoned(madrid.clone()).strftime("%H:%M").to_string(),
        "01:00",
        "midnight UTC is 01:00 in Madrid in winter"
    );
    assert_eq!((day.meetings, day.attendances), (Some(held), Some(stays)));
    assert_eq!(
        day.most_at_once,
        Some(held),
        "the seeded meetings run side by side"
    );

    let users = client
        .attendance_statistics(&days, AttendanceBy::User)
        .expect("listed")
        .collect_all()
        .await
        .expect("rows");
    assert!(
        users
            .iter()
            .any(|u| u.id.as_deref() == Some(LAPTOP) && u.count == Some(1)),
        "{users:?}"
    );
    let logins = client
        .user_statistics(&days, UserStatsKind::Logins)
        .expect("listed")
        .collect_all()
        .await
        .expect("rows");
    assert_eq!(logins[1].logins, Some(1), "the test's own login");
    let rooms = client
        .resource_statistics(&days, ResourceKind::Rooms)
        .expect("listed")
        .collect_all()
        .await
        .expect("rows");
    assert_eq!(rooms[1].parties, Some(stays));

    // Per hour of today: each hour's own instants.
    let hours = client
        .meeting_statistics(&Period::Hours(today.clone()))
        .expect("listed")
        .collect_all()
        .await
        .expect("rows");
    assert_eq!(hours.len(), 24, "{hours:?}");
    let nine = hours
        .iter()
        .find(|h| h.period.label() == "09")
        .expect("nine o'clock");
    assert_eq!(
        instant(nine.period.start())
            .to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        format!("{today} 09:00")
    );
    assert_eq!(
        instant(nine.period.end())
            .duration_since(instant(nine.period.start()))
            .as_hours(),
        1
    );

    let refused = client
        .meeting_statistics(&Period::Days(today.clone(), "2099-01-01".into()))
        .expect_err("too long");
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
    assert!(
        client
            .meeting_statistics(&Period::Months("2026-13".into(), "2026-12".into()))
            .is_err()
    );
    assert_eq!(
        sim.counters().requests_for("SearchStatisticConferenceInfo"),
        2
    );
}
