//! The push receiver: the signature vectors written by a script from the pages
//! (`xtask/oracle/webhook_vectors.py`), freshness, replays, failing handlers, bounds,
//! the axum router's answers, the events' form, and no key in `Debug`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hmac::{Hmac, Mac};
use meeting::clock::Clock;
use meeting::webhook::{InMemory, Incoming, PushKind, Receiver, Refused, Verifier, WebhookSetup};
use serde_json::Value;
use sha2::Sha256;
use tower::ServiceExt;

use meeting_sim::example::SUBSCRIBER;
const KEY: &str = "sim-webhook-key";

/// A clock stopped at one instant.
#[derive(Debug)]
struct At(i64);

impl Clock for At {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.0 as u64)
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}

/// A push as the service sends it, signed with `key`.
fn push(key: &str, timestamp: i64, nonce: &str, event_info: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key");
    mac.update(format!("{SUBSCRIBER}{timestamp}{nonce}{event_info}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!(
        r#"{{"appID":"{SUBSCRIBER}","timestamp":{timestamp},"nonce":"{nonce}","signature":"{signature}","eventInfo":{event_info}}}"#
    )
    .into_bytes()
}

fn join_info(at: i64, participant: &str) -> String {
    format!(
        r#"{{"event":"meeting.join","timestamp":{at},"payload":{{"meetingInfo":{{"meetingID":"987446316","meetingUUID":"0307e040dde8"}},"attendeeInfo":{{"participantID":"{participant}","displayName":"Alice","joinTime":{at},"leftTime":0,"role":"CHAIR"}}}}}}"#
    )
}

fn verifier(clock_ms: i64) -> Verifier {
    Verifier::new(SUBSCRIBER, KEY)
        .expect("a usable key")
        .clock(Arc::new(At(clock_ms)))
}

#[test]
fn the_scripts_vectors_are_accepted_or_refused_as_it_says() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/webhook-vectors.json"
    );
    let vectors: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON");
    assert!(vectors.len() >= 15);
    for v in &vectors {
        let name = v["name"].as_str().expect("name");
        let keys: Vec<String> = v["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k.as_str().expect("key").to_owned())
            .collect();
        let mut verifier = Verifier::new(v["subscriber_id"].as_str().expect("id"), keys[0].clone())
            .expect("a usable key")
            .clock(Arc::new(At(v["now_ms"].as_i64().expect("now"))));
        for key in &keys[1..] {
            verifier = verifier.also_key(key.clone()).expect("a usable key");
        }
        let outcome = verifier.verify(v["body"].as_str().expect("body").as_bytes());
        match (v["expect"].as_str().expect("expect"), outcome) {
            ("accepted", Ok(push)) => {
                let event = push
                    .event
                    .as_ref()
                    .map_or("meeting.verify", |e| e.kind.wire_name());
                assert_eq!(Some(event), v["event"].as_str(), "{name}");
            }
            ("bad_signature", Err(Refused::BadSignature(_)))
            | ("wrong_subscriber", Err(Refused::WrongSubscriber))
            | ("malformed", Err(Refused::Malformed(_))) => {}
            (expected, outcome) => panic!("{name}: expected {expected}, got {outcome:?}"),
        }
    }
}

#[test]
fn pushes_older_than_25_hours_or_over_5_minutes_ahead_are_refused() {
    let now = now_ms();
    let hour = 3_600_000;
    let check = |stamp: i64| verifier(now).verify(&push(KEY, stamp, "1", &join_info(stamp, "p")));
    assert!(check(now - 25 * hour + 1000).is_ok());
    assert!(matches!(
        check(now - 25 * hour - 1000),
        Err(Refused::TooOld { .. })
    ));
    assert!(check(now + 4 * 60_000).is_ok());
    assert!(matches!(
        check(now + 5 * 60_000 + 1000),
        Err(Refused::InFuture { .. })
    ));
    // A shorter window, for receivers that want one.
    let strict = verifier(now).max_age(Duration::from_secs(60));
    assert!(matches!(
        strict.verify(&push(KEY, now - 61_000, "1", &join_info(now, "p"))),
        Err(Refused::TooOld { .. })
    ));
}

#[test]
fn what_is_not_a_push_is_malformed_and_nothing_of_it_is_quoted() {
    let v = verifier(now_ms());
    let secretish = br#"{"appID":"12345678","timestamp":"hunter2-not-a-number","nonce":"1","signature":"00","eventInfo":{}}"#;
    for body in [
        b"not json".as_slice(),
        b"{}".as_slice(),
        br#"{"appID":"12345678","timestamp":1,"nonce":"1","signature":"00"}"#.as_slice(),
        secretish.as_slice(),
        b"[1,2,3]".as_slice(),
    ] {
        let refused = v.verify(body).expect_err("malformed");
        assert!(refused.is_malformed(), "{refused:?}");
        assert!(!refused.to_string().contains("hunter2"), "{refused}");
    }
    let huge = vec![b' '; 64 * 1024 + 1];
    assert!(v.verify(&huge).expect_err("too long").is_malformed());
    let mut signed = push(KEY, now_ms(), "1", &join_info(now_ms(), "p"));
    signed.extend(std::iter::repeat_n(b' ', 64 * 1024));
    assert!(v.verify(&signed).expect_err("bounded").is_malformed());
}

#[tokio::test]
async fn a_replay_is_answered_200_without_reaching_the_handler() {
    let receiver = Receiver::new(verifier(now_ms()));
    let body = push(KEY, now_ms(), "42", &join_info(now_ms(), "p1"));
    let calls = AtomicUsize::new(0);
    for _ in 0..3 {
        let answer = receiver
            .handle(&body, |_| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<(), String>(())
            })
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, None);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_handler_that_fails_once_gets_the_retry_and_its_effect_happens_once() {
    let receiver = Receiver::new(verifier(now_ms()));
    let at = now_ms();
    let info = join_info(at, "p1");
    let first = push(KEY, at, "1", &info);
    // The service's retry may be signed anew: another nonce and outer timestamp.
    let retry = push(KEY, at + 30_000, "2", &info);
    let attempts = AtomicUsize::new(0);
    let effects = std::sync::Mutex::new(std::collections::HashSet::new());
    let handle = |body: Vec<u8>| {
        let (attempts, effects, receiver) = (&attempts, &effects, &receiver);
        async move {
            receiver
                .handle(&body, |event| async move {
                    if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                        return Err("the database is down");
                    }
                    // The application's deduplication: its key, not the signature.
                    effects.lock().expect("lock").insert(event.dedup_key());
                    Ok(())
                })
                .await
        }
    };
    assert_eq!(handle(first.clone()).await.status, 500);
    assert_eq!(
        handle(first.clone()).await.status,
        200,
        "the retry reaches it"
    );
    assert_eq!(handle(first).await.status, 200, "a replay does not");
    assert_eq!(
        handle(retry).await.status,
        200,
        "signed anew: the handler dedups"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(effects.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn the_handshake_is_answered_with_its_nonce_and_a_full_memory_never_refuses() {
    let now = now_ms();
    let receiver =
        Receiver::new(verifier(now)).memory(Arc::new(InMemory::new(1).clock(Arc::new(At(now)))));
    let verify = push(
        KEY,
        now,
        "85262798",
        &format!(r#"{{"event":"meeting.verify","timestamp":{now}}}"#),
    );
    let answer = receiver
        .handle(&verify, |_| async {
            Err::<(), _>("not called for the handshake")
        })
        .await;
    assert_eq!(answer.status, 200);
    let reply: Value = serde_json::from_slice(&answer.body.expect("a body")).expect("JSON");
    assert_eq!(
        reply,
        serde_json::json!({"event":"meeting.verify","nonce":"85262798"})
    );

    let handled = AtomicUsize::new(0);
    let ok = |_| async {
        handled.fetch_add(1, Ordering::Relaxed);
        Ok::<(), String>(())
    };
    let a = push(KEY, now, "1", &join_info(now, "a"));
    let b = push(KEY, now, "2", &join_info(now, "b"));
    assert_eq!(receiver.handle(&a, ok).await.status, 200);
    assert_eq!(
        receiver.handle(&b, ok).await.status,
        200,
        "past its capacity a memory forgets older generations, never refuses"
    );
    for replay in [&a, &b] {
        assert_eq!(receiver.handle(replay, ok).await.status, 200);
    }
    assert_eq!(
        handled.load(Ordering::Relaxed),
        2,
        "the newest generation is kept whole: both replays are known"
    );
}

#[test]
fn no_verifier_accepts_pushes_signed_with_an_empty_key() {
    for key in ["", " ", "\n", "\t \r\n"] {
        let error = Verifier::new(SUBSCRIBER, key).expect_err("refused");
        assert_eq!(error.kind(), meeting::ErrorKind::Config, "{key:?}");
        assert!(error.to_string().contains("subscriber key"), "{error}");
        let rotated = Verifier::new(SUBSCRIBER, KEY).and_then(|v| v.also_key(key));
        assert!(rotated.is_err(), "also_key({key:?})");
    }
    assert!(Verifier::new(" ", KEY).is_err(), "an empty subscriber ID");
    assert_eq!(meeting::webhook::key_problem(KEY), None);
}

/// Two receivers of a fleet on one memory: a push in flight at one is 503 at the
/// other; failed, it is the other's to handle; accepted, a replay at both.
async fn a_fleet_handles_a_push_once(store: &str, one: Receiver, two: Receiver) {
    let now = now_ms();
    let body = push(KEY, now, "7", &join_info(now, "fleet"));
    let Incoming::Event(pending) = one.receive(&body).await else {
        panic!("{store}: new to the first");
    };
    let second = two.receive(&body).await;
    assert!(
        matches!(second, Incoming::Unavailable(None, ref a) if a.status == 503),
        "{store}: in flight at the other: 503, not {second:?}"
    );
    assert_eq!(pending.fail().await.status, 500);
    // Released: the service's retry is the other's. A file lock can outlive its release
    // for an instant (a process forked meanwhile holds the descriptor until it execs):
    // the receiver then answers 503 and the service retries, as here.
    let mut retries = 0;
    let pending = loop {
        match two.receive(&body).await {
            Incoming::Event(pending) => break pending,
            Incoming::Unavailable(None, _) if retries < 100 => {
                retries += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            other => panic!("{store}: released, the retry is the other's, not {other:?}"),
        }
    };
    assert_eq!(pending.accept().await.status, 200);
    assert!(matches!(one.receive(&body).await, Incoming::Replay(_)));
    assert!(matches!(two.receive(&body).await, Incoming::Replay(_)));
}

fn in_store<S: meeting::store::TokenStore>(store: S) -> Receiver {
    Receiver::new(verifier(now_ms())).memory(Arc::new(meeting::webhook::InStore::new(store)))
}

#[tokio::test]
async fn a_fleet_on_one_token_store_memory_files_or_redis_handles_a_push_once() {
    let memory = meeting::store::MemoryStore::new();
    a_fleet_handles_a_push_once("memory", in_store(memory.clone()), in_store(memory)).await;

    let temp = tempfile::tempdir().expect("a temporary directory");
    let file = || in_store(meeting::store::FileStore::open(temp.path()).expect("opens"));
    a_fleet_handles_a_push_once("files", file(), file()).await;

    let redis = meeting_sim::redis_server::RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let redis_store = || meeting::store::RedisStore::new(&redis.url(0)).expect("url");
    a_fleet_handles_a_push_once("redis", in_store(redis_store()), in_store(redis_store())).await;
}

#[tokio::test]
async fn the_axum_router_answers_200_400_401_and_500() {
    let now = now_ms();
    let receiver = Receiver::new(verifier(now));
    let app = meeting::webhook::axum::router(receiver, |event| async move {
        match event
            .kind
            .attendee()
            .and_then(|a| a.participant_id.as_deref())
        {
            Some("fails") => Err("the handler failed"),
            _ => Ok(()),
        }
    });
    let post = |body: Vec<u8>| {
        let app = app.clone();
        async move {
            let request = Request::post("/openapi/meetingevent")
                .body(Body::from(body))
                .expect("request");
            app.oneshot(request).await.expect("infallible").status()
        }
    };
    assert_eq!(
        post(push(KEY, now, "1", &join_info(now, "a"))).await,
        StatusCode::OK
    );
    assert_eq!(post(b"{".to_vec()).await, StatusCode::BAD_REQUEST);
    assert_eq!(post(vec![b'x'; 70_000]).await, StatusCode::BAD_REQUEST);
    assert_eq!(
        post(push("another key", now, "1", &join_info(now, "a"))).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(push(KEY, now, "2", &join_info(now, "fails"))).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        post(push(KEY, now, "3", &join_info(now, "b"))).await,
        StatusCode::OK
    );
    assert_eq!(
        post(push(KEY, now, "3", &join_info(now, "b"))).await,
        StatusCode::OK,
        "a replay: answered, not handled"
    );
    let get = Request::get("/").body(Body::empty()).expect("request");
    assert_eq!(
        app.oneshot(get).await.expect("infallible").status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[test]
fn events_have_the_event_streams_form_and_a_key_that_survives_a_new_signature() {
    let now = now_ms();
    let v = verifier(now);
    let info = join_info(1_671_523_596_351, "ebbe4e6c");
    let one = v.verify(&push(KEY, now, "1", &info)).expect("valid");
    let two = v.verify(&push(KEY, now + 1, "2", &info)).expect("valid");
    assert_ne!(one.replay_key(), two.replay_key());
    let (one, two) = (one.event.expect("event"), two.event.expect("event"));
    assert_eq!(one.dedup_key(), two.dedup_key());
    assert_eq!(
        one.dedup_key(),
        "meeting.join|0307e040dde8|1671523596351|ebbe4e6c"
    );
    assert!(matches!(one.kind, PushKind::ParticipantJoined { .. }));
    insta::assert_json_snapshot!(one, @r#"
    {
      "meeting": "987446316",
      "meeting_uuid": "0307e040dde8",
      "at_ms": 1671523596351,
      "type": "participant_joined",
      "attendee": {
        "participant_id": "ebbe4e6c",
        "display_name": "Alice",
        "user_uuid": null,
        "account": null,
        "user_agent": null,
        "role": "CHAIR",
        "call_number": null,
        "join_time_ms": 1671523596351,
        "left_time_ms": null
      }
    }
    "#);
    assert_eq!(
        one.to_string(),
        "meeting.join 987446316 Alice (participant ebbe4e6c)"
    );
    let back: meeting::webhook::PushEvent =
        serde_json::from_value(serde_json::to_value(&one).expect("serializes"))
            .expect("reads back");
    assert_eq!(back, one);
}

#[test]
fn no_key_appears_in_debug() {
    let verifier = Verifier::new(SUBSCRIBER, "key-one-s3cret")
        .and_then(|v| v.also_key("key-two-s3cret"))
        .expect("usable keys");
    let receiver = Receiver::new(verifier.clone());
    let setup = WebhookSetup::new("https://127.0.0.1/hook", SUBSCRIBER, "key-one-s3cret");
    for text in [
        format!("{verifier:?}"),
        format!("{receiver:?}"),
        format!("{setup:?}"),
    ] {
        assert!(!text.contains("s3cret"), "{text}");
    }
}

/// `eventInfo`s with a marker in every field the service fills, each malformed in one
/// of the ways the decoder refuses, for `now`.
fn malformed_infos(now: i64) -> Vec<String> {
    let m = "MARKER-7f3a";
    vec![
        format!(
            r#"{{"event":"meeting.join","timestamp":{now},"payload":{{"meetingInfo":{{"meetingID":"{m}","meetingUUID":"{m}"}},"attendeeInfo":{{"participantID":"{m}","displayName":"{m}","joinTime":"{m}"}}}}}}"#
        ),
        format!(
            r#"{{"event":"meeting.end","timestamp":{now},"payload":{{"meetingInfo":{{"meetingUUID":"{m}","{m}":"{m}"}}}}}}"#
        ),
        format!(r#"{{"event":"meeting.started","timestamp":{now},"payload":"{m}"}}"#),
        format!(
            r#"{{"event":"meeting.end","timestamp":{now},"payload":{{"meetingInfo":{{"meetingID":["{m}"]}}}}}}"#
        ),
        format!(
            r#"{{"event":"meeting.end","timestamp":"{m}","payload":{{"meetingInfo":{{"meetingID":"{m}"}}}}}}"#
        ),
        format!(r#"{{"event":{{"{m}":"{m}"}},"timestamp":{now}}}"#),
        format!(
            r#"{{"event":"meeting.join","timestamp":{now},"payload":{{"meetingInfo":{{"meetingID":"{m}"}}}}}}"#
        ),
        format!(
            r#"{{"event":"meeting.left","timestamp":{now},"payload":{{"meetingInfo":{{"meetingID":"{m}"}},"attendeeInfo":{{"participantID":{{"{m}":1}},"role":"{m}"}}}}}}"#
        ),
    ]
}

#[test]
fn a_refusal_never_quotes_a_value_of_the_push() {
    let now = now_ms();
    let v = verifier(now);
    let m = "MARKER-7f3a";
    let mut bodies: Vec<Vec<u8>> = malformed_infos(now)
        .iter()
        .map(|info| push(KEY, now, m, info))
        .collect();
    let info = join_info(now, m);
    bodies.extend([
        format!(r#"{{"appID":"{SUBSCRIBER}","timestamp":"{m}","nonce":"{m}","signature":"{m}","eventInfo":{info}}}"#).into_bytes(),
        format!(r#"{{"appID":{{"{m}":1}},"timestamp":{now},"nonce":"{m}","signature":"{m}","eventInfo":{info}}}"#).into_bytes(),
        format!(r#"{{"appID":"{m}","timestamp":{now},"nonce":"{m}","signature":"{m}","eventInfo":{info}}}"#).into_bytes(),
        format!(r#"{{"appID":"{SUBSCRIBER}","timestamp":{now},"nonce":"{m}","signature":"{m}","eventInfo":{info}}}"#).into_bytes(),
        format!(r#"{{"{m}": "{m}""#).into_bytes(),
    ]);
    for body in &bodies {
        let refused = v.verify(body).expect_err("refused");
        let text = format!("{refused} {refused:?}");
        assert!(!text.contains(m), "{text}");
    }
}

#[tokio::test]
async fn endless_durations_neither_panic_nor_forget() {
    let now = now_ms();
    let endless = || verifier(now).max_age(Duration::MAX);
    let in_store = meeting::webhook::InStore::new(meeting::store::MemoryStore::new());
    let receivers = [
        Receiver::new(endless()).claim_ttl(Duration::MAX),
        Receiver::new(endless())
            .claim_ttl(Duration::MAX)
            .memory(Arc::new(in_store)),
        Receiver::new(endless()).memory(Arc::new(InMemory::new(0).clock(Arc::new(At(now))))),
    ];
    for receiver in receivers {
        let handled = AtomicUsize::new(0);
        let count = |_| async {
            handled.fetch_add(1, Ordering::Relaxed);
            Ok::<(), String>(())
        };
        // The age check is off: a push from 1970 is as good as a new one.
        for at in [now, 1] {
            let body = push(KEY, at, "1", &join_info(at, "a"));
            assert_eq!(receiver.handle(&body, count).await.status, 200);
            assert_eq!(receiver.handle(&body, count).await.status, 200, "a replay");
        }
        assert_eq!(handled.load(Ordering::Relaxed), 2);
    }
}

/// Two receivers on one Redis, every push sent to both at once: exactly one handles
/// it, whichever order their looks and locks come in, and a retry is a replay at both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_receivers_on_one_redis_handle_each_push_once() {
    let redis = meeting_sim::redis_server::RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let now = now_ms();
    let receiver = || {
        let store = meeting::store::RedisStore::new(&redis.url(0)).expect("a Redis URL");
        Receiver::new(verifier(now)).memory(Arc::new(meeting::webhook::InStore::new(store)))
    };
    let (one, two) = (receiver(), receiver());
    let handled = AtomicUsize::new(0);
    let count = |_| async {
        handled.fetch_add(1, Ordering::Relaxed);
        Ok::<(), String>(())
    };
    for n in 0..1_000 {
        let body = push(KEY, now, &n.to_string(), &join_info(now, &format!("p{n}")));
        let before = handled.load(Ordering::Relaxed);
        let (a, b) = tokio::join!(one.handle(&body, count), two.handle(&body, count));
        assert_eq!(handled.load(Ordering::Relaxed) - before, 1, "push {n}");
        for status in [a.status, b.status] {
            assert!(status == 200 || status == 503, "push {n}: {status}");
        }
        for receiver in [&one, &two] {
            assert_eq!(receiver.handle(&body, count).await.status, 200, "push {n}");
        }
        assert_eq!(handled.load(Ordering::Relaxed) - before, 1, "push {n}");
    }
}

/// A file store as a push memory stays bounded: once the pushes are stale, a save
/// sweeps their markers and lock files away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_store_memory_removes_what_went_stale() {
    let temp = tempfile::tempdir().expect("a temporary directory");
    let clock = meeting::clock::ManualClock::default();
    let now = now_ms();
    let store = meeting::store::FileStore::open(temp.path())
        .expect("opens")
        .clock(Arc::new(clock.clone()));
    let receiver = Receiver::new(
        Verifier::new(SUBSCRIBER, KEY)
            .expect("a usable key")
            .clock(Arc::new(clock.clone())),
    )
    .memory(Arc::new(meeting::webhook::InStore::new(store)));
    let ok = |_| async { Ok::<(), String>(()) };
    for n in 0..10_000 {
        let body = push(KEY, now, &n.to_string(), &join_info(now, &format!("p{n}")));
        assert_eq!(receiver.handle(&body, ok).await.status, 200);
    }
    let files = || std::fs::read_dir(temp.path()).expect("lists").count();
    let full = files();
    assert!(full >= 10_000, "{full} files for 10,000 markers");
    // Past the window: the next push's save sweeps the stale markers and their locks.
    clock.advance(
        meeting::webhook::DEFAULT_MAX_AGE + meeting::webhook::MAX_AHEAD + Duration::from_secs(120),
    );
    let later = now
        + (clock
            .now()
            .duration_since(SystemTime::now())
            .unwrap_or_default()
            .as_millis() as i64);
    let body = push(KEY, later, "last", &join_info(later, "last"));
    assert_eq!(receiver.handle(&body, ok).await.status, 200);
    let left = files();
    println!("file-store push memory: {full} files for 10,000 live markers, {left} once stale");
    assert!(
        left <= 3,
        "{left} files left: the new marker, its lock and its mutex at most"
    );
}

#[tokio::test]
async fn once_per_event_knows_a_retry_signed_anew() {
    let now = now_ms();
    let info = join_info(now, "retried");
    let (first, retry) = (
        push(KEY, now, "1", &info),
        push(KEY, now + 1_000, "2", &info),
    );
    for (once, expected) in [(true, 1), (false, 2)] {
        let receiver = Receiver::new(verifier(now + 1_000)).once_per_event(once);
        let handled = AtomicUsize::new(0);
        let count = |_| async {
            handled.fetch_add(1, Ordering::Relaxed);
            Ok::<(), String>(())
        };
        for body in [&first, &retry, &first, &retry] {
            assert_eq!(receiver.handle(body, count).await.status, 200);
        }
        assert_eq!(
            handled.load(Ordering::Relaxed),
            expected,
            "once_per_event({once})"
        );
    }
}

/// A retry signed anew 30 seconds, half an hour or most of a day after the event (the
/// service retries for 24 hours) is known by its event, with the default memory that
/// files keys by time in 10-minute generations.
#[tokio::test]
async fn once_per_event_knows_a_retry_up_to_a_day_later() {
    let now = now_ms();
    let info = join_info(now, "retried");
    for gap_ms in [30_000, 30 * 60_000, 23 * 3_600_000] {
        let receiver = Receiver::new(verifier(now + gap_ms)).once_per_event(true);
        let handled = AtomicUsize::new(0);
        let count = |_| async {
            handled.fetch_add(1, Ordering::Relaxed);
            Ok::<(), String>(())
        };
        let first = push(KEY, now, "1", &info);
        let retry = push(KEY, now + gap_ms, "2", &info);
        for body in [&first, &retry] {
            assert_eq!(receiver.handle(body, count).await.status, 200);
        }
        assert_eq!(
            handled.load(Ordering::Relaxed),
            1,
            "a retry {gap_ms} ms later"
        );
    }
}

/// The receiver counts each push by outcome, and each refusal by its reason.
#[test]
fn pushes_are_counted_by_outcome_and_refusal_reason() {
    use metrics_util::debugging::DebugValue;
    let now = now_ms();
    let recorded = crate::common::recording(async |recorded| {
        let receiver = Receiver::new(verifier(now));
        let join = push(KEY, now, "n1", &join_info(now, "p1"));
        let handled = |_| async { Ok::<(), String>(()) };
        assert_eq!(receiver.handle(&join, handled).await.status, 200);
        assert_eq!(receiver.handle(&join, handled).await.status, 200);
        let failing = push(KEY, now, "n2", &join_info(now, "p2"));
        let failed = |_| async { Err::<(), String>("the handler failed".into()) };
        assert_eq!(receiver.handle(&failing, failed).await.status, 500);
        let forged = push("another-key", now, "n3", &join_info(now, "p3"));
        assert_eq!(receiver.handle(&forged, handled).await.status, 401);
        let stale = push(KEY, now - 26 * 3_600_000, "n4", &join_info(now, "p4"));
        assert_eq!(receiver.handle(&stale, handled).await.status, 401);
        assert_eq!(receiver.handle(b"{", handled).await.status, 400);
        recorded.read()
    });
    let mut counted: Vec<(String, u64)> = recorded
        .iter()
        .filter_map(|(key, value)| match *value {
            DebugValue::Counter(n) => key
                .strip_prefix("meeting.webhook.pushes{")
                .map(|labels| (labels.trim_end_matches('}').to_owned(), n)),
            _ => None,
        })
        .collect();
    // The memory holds the accepted push; the failed one's claim was released.
    let held = recorded.get("meeting.webhook.memory.entries{}");
    assert_eq!(held, Some(&DebugValue::Gauge(1.0.into())));
    counted.sort();
    let expected = [
        ("outcome=accepted", 1),
        ("outcome=failed", 1),
        ("outcome=refused,reason=bad_signature", 1),
        ("outcome=refused,reason=malformed", 1),
        ("outcome=refused,reason=too_old", 1),
        ("outcome=replayed", 1),
    ]
    .map(|(labels, n)| (labels.to_owned(), n));
    assert_eq!(counted, expected);
}
