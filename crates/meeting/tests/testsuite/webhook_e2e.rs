//! End to end: the simulator pushes, signed, to the axum receiver while the wrapper
//! schedules, starts, joins, leaves, ends and cancels meetings; every event arrives
//! once; a receiver that answers 500 gets the retry on the simulator's clock.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use meeting::NewMeeting;
use meeting::clock::ManualClock;
use meeting::webhook::{PushEvent, Receiver, Verifier, WebhookSetup, WebhookStatus};
use meeting_sim::{DeliveryState, ParticipantSeed, SimHandle};

use meeting_sim::example::SUBSCRIBER;
const KEY: &str = "e2e-webhook-key";

type Seen = Arc<Mutex<Vec<PushEvent>>>;

/// An axum receiver on a loopback port whose handler fails its first `fail_first`
/// events; its clock moves with the simulator's.
async fn receiver(fail_first: usize, clock: ManualClock) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let failures = Arc::new(AtomicUsize::new(fail_first));
    let verifier = Verifier::new(SUBSCRIBER, KEY)
        .expect("a usable key")
        .clock(Arc::new(clock));
    let app = axum::Router::new().nest(
        "/openapi/meetingevent",
        meeting::webhook::axum::router(Receiver::new(verifier), {
            let seen = seen.clone();
            move |event| {
                let (seen, failures) = (seen.clone(), failures.clone());
                async move {
                    if failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                    {
                        return Err("the handler failed");
                    }
                    seen.lock().expect("lock").push(event);
                    Ok(())
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!(
        "http://{}/openapi/meetingevent",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn enable(sim: &SimHandle, url: &str) -> meeting::Client {
    let client = client(sim);
    client
        .set_webhook(&WebhookSetup::new(url, SUBSCRIBER, KEY))
        .await
        .expect("set");
    let config = client
        .webhook_config(&Default::default())
        .await
        .expect("shown");
    assert_eq!(config.status, WebhookStatus::Disabled);
    client.enable_webhook(&config.id).await.expect("handshake");
    let config = client
        .webhook_config(&Default::default())
        .await
        .expect("shown");
    assert_eq!(config.status, WebhookStatus::Enabled);
    client
}

fn kinds(seen: &Seen) -> Vec<String> {
    let mut kinds: Vec<String> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|e| e.kind.wire_name().to_owned())
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn every_event_of_a_meetings_life_arrives_once() {
    let sim = sim().await;
    let (url, seen) = receiver(0, ManualClock::default()).await;
    let client = enable(&sim, &url).await;

    let created = client
        .create_meeting(&NewMeeting::new("Webhook review"))
        .await
        .expect("created");
    assert!(sim.join(&created.id, ParticipantSeed::client("alice", "Alice")));
    assert!(sim.leave(&created.id, "alice"));
    created.conference().end().await.expect("ended");
    let other = client
        .create_meeting(&NewMeeting::new("Cancelled"))
        .await
        .expect("created");
    other.conference().cancel().await.expect("cancelled");

    eventually(|| seen.lock().expect("lock").len() >= 8).await;
    eventually(|| {
        sim.webhook_deliveries()
            .iter()
            .all(|d| d.state == DeliveryState::Delivered)
    })
    .await;
    let mut expected = vec![
        "meeting.create",
        "meeting.started",
        "meeting.join",
        "meeting.left",
        "meeting.end",
        "meeting.conclude",
        "meeting.create",
        "meeting.cancel",
    ];
    expected.sort();
    assert_eq!(kinds(&seen), expected);
    let events = seen.lock().expect("lock").clone();
    let keys: std::collections::HashSet<String> = events.iter().map(|e| e.dedup_key()).collect();
    assert_eq!(keys.len(), events.len(), "each once");
    let deliveries = sim.webhook_deliveries();
    assert_eq!(deliveries.len(), 8);
    assert!(deliveries.iter().all(|d| d.attempts.len() == 1));
    let join = events
        .iter()
        .find_map(|e| {
            e.kind
                .attendee()
                .filter(|_| e.kind.wire_name() == "meeting.join")
        })
        .expect("a join");
    assert_eq!(join.display_name.as_deref(), Some("Alice"));
    assert!(
        events
            .iter()
            .all(|e| e.meeting == created.id || e.meeting == other.id)
    );
}

#[tokio::test]
async fn a_receiver_that_answers_500_gets_the_retry_on_the_simulators_clock() {
    let sim = sim().await;
    let clock = ManualClock::default();
    let (url, seen) = receiver(1, clock.clone()).await;
    let client = enable(&sim, &url).await;
    client
        .create_meeting(&NewMeeting::new("Retried"))
        .await
        .expect("created");
    let attempts = |sim: &SimHandle| {
        sim.webhook_deliveries()
            .first()
            .map_or(0, |d| d.attempts.len())
    };
    eventually(|| attempts(&sim) == 1).await;
    let delivery = sim.webhook_deliveries().remove(0);
    assert_eq!(delivery.attempts[0].status, Some(500));
    assert_eq!(delivery.state, DeliveryState::Pending);
    let due = delivery.next_attempt_ms.expect("a retry is due");
    assert_eq!(due - delivery.attempts[0].at_ms, 30_000);
    assert!(seen.lock().expect("lock").is_empty());

    // Nothing happens until the simulator's clock reaches the retry.
    sim.advance_clock(Duration::from_secs(29));
    clock.advance(Duration::from_secs(29));
    tokio::task::yield_now().await;
    assert_eq!(attempts(&sim), 1, "not due yet");
    sim.advance_clock(Duration::from_secs(1));
    clock.advance(Duration::from_secs(1));
    eventually(|| seen.lock().expect("lock").len() == 1).await;
    eventually(|| sim.webhook_deliveries()[0].state == DeliveryState::Delivered).await;
    let delivery = sim.webhook_deliveries().remove(0);
    let statuses: Vec<Option<u16>> = delivery.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(200)]);
    assert_eq!(kinds(&seen), ["meeting.create"]);
}

#[tokio::test]
async fn enabling_fails_with_the_documented_code_when_nobody_answers_the_handshake() {
    let sim = sim().await;
    // A loopback port with nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let client = client(&sim);
    client
        .set_webhook(&WebhookSetup::new(
            format!("http://127.0.0.1:{port}/hook"),
            SUBSCRIBER,
            KEY,
        ))
        .await
        .expect("set");
    let config = client
        .webhook_config(&Default::default())
        .await
        .expect("shown");
    let refused = client
        .enable_webhook(&config.id)
        .await
        .expect_err("no handshake");
    assert_eq!(
        refused.service_error().map(|s| s.code.as_str()),
        Some("SIM.000000452"),
        "{refused}"
    );
    let refused = client
        .set_webhook(&WebhookSetup::new(
            "https://example.com/hook",
            SUBSCRIBER,
            KEY,
        ))
        .await
        .expect_err("not loopback");
    assert_eq!(
        refused.service_error().map(|s| s.code.as_str()),
        Some("SIM.000000451")
    );
    let invalid = client
        .set_webhook(&WebhookSetup::new("not a url", SUBSCRIBER, KEY))
        .await
        .expect_err("checked before sending");
    assert_eq!(invalid.kind(), meeting::ErrorKind::InvalidInput);
    client.delete_webhook(&config.id).await.expect("deleted");
    assert!(client.webhook_config(&Default::default()).await.is_err());
}

#[tokio::test]
async fn stopping_a_recording_pushes_record_finish() {
    let sim = sim().await;
    let (url, seen) = receiver(0, ManualClock::default()).await;
    let client = enable(&sim, &url).await;
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    meeting.start_recording().await.expect("records");
    meeting.stop_recording().await.expect("stops");
    eventually(|| !seen.lock().expect("lock").is_empty()).await;
    eventually(|| {
        sim.webhook_deliveries()
            .iter()
            .all(|d| d.state == DeliveryState::Delivered)
    })
    .await;
    assert_eq!(kinds(&seen), ["record.finish"]);
    let event = seen.lock().expect("lock")[0].clone();
    assert_eq!(event.meeting, CONF);
    assert!(matches!(
        event.kind,
        meeting::webhook::PushKind::RecordingFinished
    ));
}
