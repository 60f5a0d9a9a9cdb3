//! The event stream end to end against the simulator: what a meeting's changes look
//! like as events, reconnects, repaired gaps, a lagging consumer, the end of the
//! meeting, and a meeting that has not started. Nothing here waits on a timer that a
//! slow machine could lose: the simulator's clock is moved instead, and waits are for
//! events that must come.

use crate::common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use meeting::ErrorKind;
use meeting::events::{
    EventKind, EventStream, Notification, ParticipantField, Phase, ResyncCause, StatusField,
};
use meeting_sim::{ParticipantSeed, SocketFaults};

/// The next event, within 10 s (a generous bound: a failing test fails, it does not hang).
async fn next(events: &mut EventStream) -> EventKind {
    match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
        Ok(Some(Ok(event))) => event.kind,
        Ok(Some(Err(e))) => panic!("the stream failed: {e}"),
        Ok(None) => panic!("the stream ended"),
        Err(_) => panic!("no event within 10 s"),
    }
}

/// Events until one matches, returning those before it and the match.
async fn until(
    events: &mut EventStream,
    want: impl Fn(&EventKind) -> bool,
) -> (Vec<EventKind>, EventKind) {
    let mut seen = Vec::new();
    loop {
        let event = next(events).await;
        if want(&event) {
            return (seen, event);
        }
        seen.push(event);
    }
}

async fn watch(sim: &meeting_sim::SimHandle) -> EventStream {
    client(sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .events()
        .await
        .expect("the stream starts")
}

/// Reads until the initial snapshot is in (both participants known).
async fn settled(events: &mut EventStream, participants: usize) {
    while events.snapshot().participants.len() < participants || events.snapshot().status.is_none()
    {
        next(events).await;
    }
}

#[tokio::test]
async fn a_meetings_changes_arrive_as_typed_events_until_it_ends() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("starts");

    assert_eq!(
        next(&mut events).await,
        EventKind::Connected { resumed: false }
    );
    // The initial snapshot, behind a Resynced marker per type.
    let (before, _) = until(
        &mut events,
        |e| matches!(e, EventKind::ParticipantJoined { participant } if participant.id == LAPTOP),
    )
    .await;
    assert!(before.contains(&EventKind::Resynced {
        cause: ResyncCause::Subscribed
    }));
    assert!(before.iter().any(
        |e| matches!(e, EventKind::Info { info } if info.display_id.as_deref() == Some(CONF))
    ));
    let snapshot = events.snapshot();
    assert_eq!(snapshot.participants.len(), 2);
    assert_eq!(
        snapshot.status.as_ref().and_then(|s| s.phase.clone()),
        Some(Phase::InProgress)
    );

    meeting.lock().await.expect("locks");
    let (_, locked) = until(&mut events, |e| matches!(e, EventKind::Status { .. })).await;
    assert!(
        matches!(&locked, EventKind::Status { status, changed } if status.locked == Some(true) && changed == &[StatusField::Locked]),
        "{locked:?}"
    );

    meeting.participant(LAPTOP).mute().await.expect("mutes");
    let (_, muted) = until(&mut events, |e| {
        matches!(e, EventKind::ParticipantChanged { .. })
    })
    .await;
    assert!(
        matches!(&muted, EventKind::ParticipantChanged { participant, changed } if participant.id == LAPTOP && participant.muted == Some(true) && changed == &[ParticipantField::Muted]),
        "{muted:?}"
    );

    assert!(sim.join(CONF, ParticipantSeed::client("guest-1", "Guest")));
    let (_, joined) = until(&mut events, |e| {
        matches!(e, EventKind::ParticipantJoined { .. })
    })
    .await;
    assert!(
        matches!(&joined, EventKind::ParticipantJoined { participant } if participant.name.as_deref() == Some("Guest"))
    );

    assert!(sim.set_speakers(CONF, &[("guest-1", 70), (LAPTOP, 90)]));
    let (_, speakers) = until(&mut events, |e| {
        matches!(e, EventKind::SpeakersChanged { .. })
    })
    .await;
    match speakers {
        EventKind::SpeakersChanged { speakers } => {
            assert_eq!(
                speakers.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
                [LAPTOP, "guest-1"],
                "loudest first"
            );
        }
        other => panic!("{other:?}"),
    }

    assert!(sim.leave(CONF, "guest-1"));
    let (_, left) = until(&mut events, |e| {
        matches!(e, EventKind::ParticipantLeft { .. })
    })
    .await;
    assert!(
        matches!(&left, EventKind::ParticipantLeft { participant } if participant.id == "guest-1" && participant.name.as_deref() == Some("Guest"))
    );

    meeting.stop().await.expect("stops");
    let (_, ended) = until(&mut events, |e| matches!(e, EventKind::Ended)).await;
    assert_eq!(ended, EventKind::Ended);
    assert!(events.snapshot().ended());
    assert!(
        tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("ends")
            .is_none(),
        "nothing after Ended"
    );
    assert_eq!(sim.open_sockets(CONF), 0);
}

#[tokio::test]
async fn a_socket_silent_for_180_s_of_the_simulators_clock_is_closed_and_the_stream_reconnects() {
    let sim = sim().await;
    let mut events = watch(&sim).await;
    settled(&mut events, 2).await;
    sim.advance_clock(Duration::from_secs(181));
    let (_, reconnecting) =
        until(&mut events, |e| matches!(e, EventKind::Reconnecting { .. })).await;
    assert!(
        matches!(&reconnecting, EventKind::Reconnecting { reason, attempt: 1 } if reason.contains("closed")),
        "{reconnecting:?}"
    );
    let (_, connected) = until(&mut events, |e| matches!(e, EventKind::Connected { .. })).await;
    assert_eq!(connected, EventKind::Connected { resumed: true });
    assert_eq!(events.stats().reconnects, 1);
    assert_eq!(sim.open_sockets(CONF), 1);
}

#[tokio::test]
async fn a_heartbeat_without_echo_counts_as_a_dead_connection() {
    let sim = sim().await;
    sim.set_socket_faults(
        CONF,
        SocketFaults {
            silent_heartbeats: true,
            ..SocketFaults::default()
        },
    );
    let mut events = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .events()
        .heartbeat(Duration::from_millis(20))
        .echo_timeout(Duration::from_millis(50))
        .await
        .expect("starts");
    let (_, reconnecting) =
        until(&mut events, |e| matches!(e, EventKind::Reconnecting { .. })).await;
    assert!(
        matches!(&reconnecting, EventKind::Reconnecting { reason, .. } if reason.contains("no echo of HeartBeat")),
        "{reconnecting:?}"
    );
    sim.set_socket_faults(CONF, SocketFaults::default());
    until(&mut events, |e| {
        matches!(e, EventKind::Connected { resumed: true })
    })
    .await;
}

#[tokio::test]
async fn what_changed_while_the_connection_was_down_arrives_behind_resynced() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("starts");
    settled(&mut events, 2).await;
    // Dropped, and changed at once: the reconnect's backoff is at least 50 ms, so these
    // changes reach no socket.
    assert_eq!(sim.drop_sockets(CONF), 1);
    assert!(sim.leave(CONF, LAPTOP));
    assert!(sim.join(CONF, ParticipantSeed::client("late-1", "Late")));
    let (_, _) = until(&mut events, |e| {
        matches!(e, EventKind::Connected { resumed: true })
    })
    .await;
    let (_, marker) = until(&mut events, |e| matches!(e, EventKind::Resynced { .. })).await;
    assert_eq!(
        marker,
        EventKind::Resynced {
            cause: ResyncCause::Reconnected
        }
    );
    let left = next(&mut events).await;
    let joined = next(&mut events).await;
    assert!(
        matches!(&left, EventKind::ParticipantLeft { participant } if participant.id == LAPTOP),
        "{left:?}"
    );
    assert!(
        matches!(&joined, EventKind::ParticipantJoined { participant } if participant.id == "late-1"),
        "{joined:?}"
    );
    let ids: Vec<&str> = events
        .snapshot()
        .participants
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(ids, [TERMINAL, "late-1"]);
}

#[tokio::test]
async fn duplicates_are_dropped_and_gaps_are_repaired_by_subscribing_again() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting
        .events()
        .resubscribe_interval(Duration::ZERO)
        .await
        .expect("starts");
    settled(&mut events, 2).await;

    sim.set_socket_faults(
        CONF,
        SocketFaults {
            duplicate: 1,
            ..SocketFaults::default()
        },
    );
    meeting.participant(LAPTOP).mute().await.expect("mutes");
    meeting.participant(TERMINAL).mute().await.expect("mutes");
    // Both changes arrive once each.
    let (_, first) = until(&mut events, |e| {
        matches!(e, EventKind::ParticipantChanged { .. })
    })
    .await;
    let (between, second) = until(&mut events, |e| {
        matches!(e, EventKind::ParticipantChanged { .. })
    })
    .await;
    assert!(between.is_empty(), "{between:?}");
    assert!(
        matches!(&first, EventKind::ParticipantChanged { participant, .. } if participant.id == LAPTOP)
    );
    assert!(
        matches!(&second, EventKind::ParticipantChanged { participant, .. } if participant.id == TERMINAL)
    );
    assert_eq!(events.stats().duplicates, 1);

    // A skipped version is a gap: the stream subscribes again and the full snapshot
    // brings it back in line.
    sim.set_socket_faults(
        CONF,
        SocketFaults {
            skip: 1,
            ..SocketFaults::default()
        },
    );
    meeting.participant(LAPTOP).unmute().await.expect("unmutes");
    // Applied at once (it is newer than anything known), then repaired.
    let (_, unmuted) = until(&mut events, |e| {
        matches!(e, EventKind::ParticipantChanged { .. })
    })
    .await;
    assert!(
        matches!(&unmuted, EventKind::ParticipantChanged { participant, .. } if participant.muted == Some(false))
    );
    eventually(|| events.stats().resubscribes == 1).await;
    assert_eq!(events.stats().gaps, 1);

    // Reordered frames: the later one sets the baseline; the earlier one arrives late,
    // is dropped, and the new subscription's snapshot brings it.
    sim.set_socket_faults(
        CONF,
        SocketFaults {
            reorder: 1,
            ..SocketFaults::default()
        },
    );
    assert!(sim.join(CONF, ParticipantSeed::client("r-1", "R1")));
    assert!(sim.join(CONF, ParticipantSeed::client("r-2", "R2")));
    let (_, joined) = until(&mut events, |e| {
        matches!(e, EventKind::ParticipantJoined { .. })
    })
    .await;
    assert!(
        matches!(&joined, EventKind::ParticipantJoined { participant } if participant.id == "r-2"),
        "{joined:?}"
    );
    let (_, marker) = until(&mut events, |e| matches!(e, EventKind::Resynced { .. })).await;
    assert_eq!(
        marker,
        EventKind::Resynced {
            cause: ResyncCause::Gap
        }
    );
    let repaired = next(&mut events).await;
    assert!(
        matches!(&repaired, EventKind::ParticipantJoined { participant } if participant.id == "r-1"),
        "{repaired:?}"
    );
    assert_eq!(events.stats().gaps, 2);
    assert_eq!(events.stats().duplicates, 1);
    let live = meeting.live().await.expect("live");
    let mut from_service: Vec<&str> = live.participants.iter().map(|p| p.id.as_str()).collect();
    from_service.sort_unstable();
    let from_stream: Vec<&str> = events
        .snapshot()
        .participants
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(from_stream, from_service);
}

#[tokio::test]
async fn a_consumer_that_does_not_read_gets_lagged_then_what_changed() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().buffer(8).await.expect("starts");
    settled(&mut events, 2).await;
    for i in 0..100 {
        assert!(sim.join(
            CONF,
            ParticipantSeed::client(format!("p-{i:03}"), format!("P{i}"))
        ));
    }
    assert!(sim.leave(CONF, LAPTOP));
    // Wait until the connection has taken every frame in (without reading events).
    while events.stats().frames < 5 + 101 {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let stats = events.stats();
    assert!(stats.skipped > 0, "{stats:?}");
    let mut queued = 0;
    let skipped = loop {
        match next(&mut events).await {
            EventKind::Lagged { skipped } => break skipped,
            _ => queued += 1,
        }
    };
    assert_eq!(queued, 8, "the buffer's worth");
    assert_eq!(skipped, stats.skipped);
    assert_eq!(
        next(&mut events).await,
        EventKind::Resynced {
            cause: ResyncCause::Lagged
        }
    );
    // Then the snapshot catches up with the service.
    let live = meeting.live().await.expect("live");
    while events.snapshot().participants.len() != live.participants.len()
        || events.snapshot().participants.contains_key(LAPTOP)
    {
        next(&mut events).await;
    }
    assert_eq!(events.snapshot().participants.len(), 101);
}

#[tokio::test]
async fn a_meeting_that_has_not_started_fails_clearly_or_is_waited_for() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(SCHEDULED)
        .with_host_password("000000");
    let error = meeting.events().await.expect_err("not started");
    assert_eq!(error.code(), Some("MMC.111072005"), "{error}");
    assert!(error.to_string().contains("not in progress"), "{error}");

    let waiting = tokio::spawn({
        let meeting = meeting.clone();
        async move {
            meeting
                .events()
                .wait_for_start(Duration::from_millis(10))
                .await
        }
    });
    // Its first polls are refused; then the meeting starts.
    while sim.counters().requests_for("CreateConfToken") < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(sim.join(SCHEDULED, ParticipantSeed::client("first", "First")));
    let mut events = waiting.await.expect("joins").expect("started");
    assert_eq!(
        next(&mut events).await,
        EventKind::Connected { resumed: false }
    );
    settled(&mut events, 1).await;
}

#[tokio::test]
async fn bad_settings_are_refused_before_anything_is_sent() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    for builder in [
        meeting.events().heartbeat(Duration::ZERO),
        meeting.events().heartbeat(Duration::from_secs(180)),
        meeting.events().echo_timeout(Duration::ZERO),
        meeting.events().buffer(0),
        meeting.events().notifications([]),
        meeting
            .events()
            .notifications([Notification::Other("Bad Type".into())]),
    ] {
        let error = builder.await.expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    }
    assert_eq!(sim.counters().requests.values().sum::<u64>(), 0);
    let error = client(&sim)
        .conference(CONF)
        .with_host_password("wrong")
        .events()
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Authentication, "{error}");
}

#[tokio::test]
async fn reconnecting_gives_up_after_its_window_and_a_stopped_meeting_ends_the_stream() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting
        .events()
        .reconnect_for(Duration::from_millis(300))
        .await
        .expect("starts");
    settled(&mut events, 2).await;
    // Every WebSocket upgrade fails from now on.
    sim.set_faults(meeting_sim::FaultConfig {
        server_error_rate: 1.0,
        ..meeting_sim::FaultConfig::default()
    });
    sim.drop_sockets(CONF);
    let error = loop {
        match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(error))) => break error,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(error.kind(), ErrorKind::Disconnected, "{error}");
    assert!(events.next().await.is_none());
    sim.set_faults(meeting_sim::FaultConfig::default());

    // A meeting stopped while the stream was away: the reconnect learns it ended.
    let mut events = meeting.events().await.expect("starts");
    settled(&mut events, 2).await;
    sim.drop_sockets(CONF);
    meeting.stop().await.expect("stops");
    until(&mut events, |e| matches!(e, EventKind::Ended)).await;
}

#[tokio::test]
async fn a_thousand_participants_joining_in_bursts_are_all_seen_once() {
    let sim = sim().await;
    let mut events = watch(&sim).await;
    settled(&mut events, 2).await;
    let mut joined = std::collections::BTreeSet::new();
    for burst in 0..10 {
        for i in 0..100 {
            let id = format!("b{burst}-{i:03}");
            assert!(sim.join(
                CONF,
                ParticipantSeed::client(id, format!("Burst {burst} #{i}"))
            ));
        }
        while joined.len() < (burst + 1) * 100 {
            if let EventKind::ParticipantJoined { participant } = next(&mut events).await {
                assert!(joined.insert(participant.id), "seen twice");
            }
        }
    }
    assert_eq!(events.snapshot().participants.len(), 1002);
    let stats = events.stats();
    assert_eq!(
        (stats.gaps, stats.duplicates, stats.skipped),
        (0, 0, 0),
        "{stats:?}"
    );
}

#[tokio::test]
async fn over_tls_with_the_clients_own_roots() {
    let sim = meeting_sim::Simulator::new()
        .tls(true)
        .seed(seed())
        .start()
        .await
        .expect("starts");
    let client = builder(&sim)
        .add_root_certificate_pem(sim.ca_certificate_pem().expect("a CA").as_bytes())
        .expect("a PEM")
        .build()
        .expect("builds");
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    let info = meeting.control_token_info().await.expect("over HTTPS");
    assert!(
        info.ws_url
            .as_deref()
            .is_some_and(|u| u.starts_with("wss://")),
        "{info:?}"
    );
    let mut events = meeting.events().await.expect("over wss");
    settled(&mut events, 2).await;
    meeting.lock().await.expect("locks");
    until(&mut events, |e| matches!(e, EventKind::Status { .. })).await;

    // A client that does not trust the simulator's CA fails on the WebSocket as on HTTP.
    let untrusting = builder(&sim).build().expect("builds");
    let error = untrusting
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .events()
        .await
        .expect_err("untrusted");
    assert!(
        matches!(error.kind(), ErrorKind::Tls | ErrorKind::Transport),
        "{error}"
    );
}

#[tokio::test]
async fn dropping_the_stream_closes_its_socket() {
    let sim = sim().await;
    let mut events = watch(&sim).await;
    settled(&mut events, 2).await;
    assert_eq!(sim.open_sockets(CONF), 1);
    drop(events);
    eventually(|| sim.open_sockets(CONF) == 0).await;
}

#[tokio::test]
async fn the_control_token_is_kept_alive_while_the_stream_runs() {
    // Tokens valid 3 s: kept alive every second (a third of that).
    let sim = meeting_sim::Simulator::new()
        .seed(seed())
        .control_token_validity(Duration::from_secs(3))
        .start()
        .await
        .expect("starts");
    let mut events = watch(&sim).await;
    settled(&mut events, 2).await;
    let before = sim.counters();
    eventually(|| sim.counters().control_token_keepalives >= before.control_token_keepalives + 3)
        .await;
    // Past its first validity, the same grant still serves: no new one was needed.
    assert_eq!(
        sim.counters().control_token_grants,
        before.control_token_grants
    );
    sim.drop_sockets(CONF);
    until(&mut events, |e| {
        matches!(e, EventKind::Connected { resumed: true })
    })
    .await;
    assert_eq!(
        sim.counters().control_token_grants,
        before.control_token_grants
    );
}

/// A server that answers Subscribe and closes at once (a load balancer dropping
/// upgraded connections): the attempts count on, never reset by a connection that did
/// not prove itself, so the wait grows to its cap; the stream ends with `Disconnected`
/// when its window closes; and the service sees at most one control-token and one
/// WebSocket-token call per attempt.
#[tokio::test]
async fn a_server_that_closes_after_subscribe_meets_a_growing_backoff_then_the_window() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let window = Duration::from_secs(2);
    let (first, cap) = (Duration::from_millis(5), Duration::from_millis(80));
    let mut events = meeting
        .events()
        .reconnect_backoff(first, cap)
        .reconnect_for(window)
        .await
        .expect("starts");
    settled(&mut events, 2).await;
    sim.set_socket_faults(
        CONF,
        SocketFaults {
            close_after_subscribe: true,
            ..SocketFaults::default()
        },
    );
    let calls = |sim: &meeting_sim::SimHandle| {
        let counters = sim.counters();
        (
            counters.requests_for("CreateConfToken"),
            counters.requests_for("CreateWebSocketToken"),
        )
    };
    let before = calls(&sim);
    sim.drop_sockets(CONF);
    let mut attempts = Vec::new();
    let mut connected = 0;
    let error = loop {
        match tokio::time::timeout(Duration::from_secs(20), events.next()).await {
            Ok(Some(Ok(event))) => match event.kind {
                EventKind::Reconnecting { attempt, .. } => attempts.push(attempt),
                EventKind::Connected { .. } => connected += 1,
                _ => {}
            },
            Ok(Some(Err(error))) => break error,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(error.kind(), ErrorKind::Disconnected, "{error}");
    assert!(events.next().await.is_none());
    // One outage from the first loss to the end: 1, 2, 3, … never back to 1.
    let expected: Vec<u32> = (1..=attempts.len() as u32).collect();
    assert_eq!(attempts, expected);
    assert!(connected > 0, "the server did accept the connections");
    // The waits double to the cap (the fifth attempt here) and are at least half of
    // their step: at most 5 attempts, then one per half cap, within the window.
    let most = 5 + (window.as_millis() / (cap / 2).as_millis()) as usize + 1;
    assert!(
        attempts.len() <= most,
        "{} attempts in {window:?} (at most {most})",
        attempts.len()
    );
    let after = calls(&sim);
    let (control, websocket) = (after.0 - before.0, after.1 - before.1);
    assert!(
        control <= attempts.len() as u64 && websocket <= attempts.len() as u64,
        "{control} control-token and {websocket} WebSocket-token calls for {} attempts",
        attempts.len()
    );
}

/// Every `Duration` a builder takes, even `Duration::MAX`, is refused or saturates:
/// nothing panics later in the stream's task.
#[tokio::test]
async fn durations_as_large_as_they_come_do_not_panic() {
    let sim = sim().await;
    let mut events = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .events()
        .echo_timeout(Duration::MAX)
        .reconnect_for(Duration::MAX)
        .resubscribe_interval(Duration::MAX)
        .reconnect_backoff(Duration::from_millis(1), Duration::MAX)
        .await
        .expect("starts");
    settled(&mut events, 2).await;
    // A reconnect and a gap repair run through every deadline the settings make.
    sim.drop_sockets(CONF);
    until(&mut events, |e| {
        matches!(e, EventKind::Connected { resumed: true })
    })
    .await;
    sim.set_socket_faults(
        CONF,
        SocketFaults {
            skip: 1,
            ..SocketFaults::default()
        },
    );
    assert!(sim.join(CONF, ParticipantSeed::client("carol-1", "Carol")));
    until(&mut events, |e| {
        matches!(e, EventKind::ParticipantJoined { .. })
    })
    .await;
    let refused = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .events()
        .reconnect_backoff(Duration::ZERO, Duration::MAX)
        .await
        .expect_err("a zero backoff is refused");
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
}
