//! Retries, driven by the simulator's scripted faults.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use meeting::{ErrorKind, RetryPolicy};
use meeting_sim::ScriptedFault;

#[tokio::test]
async fn transient_server_errors_are_retried_for_idempotent_calls() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("warm");
    sim.fail_next(2, ScriptedFault::Status { status: 503 });
    meeting.unlock().await.expect("third attempt succeeds");
    assert!(!sim.conference(CONF).expect("seeded").locked);
    assert_eq!(sim.counters().requests_for("LockMeeting"), 4);

    sim.fail_next(3, ScriptedFault::Status { status: 502 });
    let err = meeting.lock().await.expect_err("3 attempts, all failed");
    assert_eq!(err.kind(), ErrorKind::ServerError);
    assert_eq!(err.status(), Some(502));
    assert!(err.request_id().is_some_and(|id| id.len() == 32));
    assert!(err.is_retryable());
    assert!(
        !sim.conference(CONF).expect("seeded").locked,
        "failed calls changed nothing"
    );
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("warm");
    sim.fail_next(1, ScriptedFault::Drop);
    meeting.unlock().await.expect("the retry succeeds");
    assert_eq!(sim.counters().faults["drop"], 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("warm");
    sim.fail_next(
        1,
        ScriptedFault::Throttle {
            retry_after_secs: 1,
        },
    );
    let started = Instant::now();
    meeting.unlock().await.expect("succeeds after waiting");
    // A lower bound only: the client waits at least what the service asked.
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_retry_after_beyond_the_time_budget_is_not_waited_for() {
    let sim = sim().await;
    let client = builder(&sim)
        .retry_policy(quick_retries().max_elapsed(Duration::from_secs(2)))
        .build()
        .expect("builds");
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("warm");
    sim.fail_next(
        1,
        ScriptedFault::Throttle {
            retry_after_secs: 60,
        },
    );
    let err = meeting.unlock().await.expect_err("not worth waiting");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.code(), Some("MMC.100000429"));
    assert_eq!(
        err.service_error().and_then(|e| e.retry_after),
        Some(Duration::from_secs(60))
    );
}

#[tokio::test]
async fn cancel_is_retried_only_when_asked() {
    let sim = sim().await;
    let client = client(&sim);
    client.login().await.expect("warm");
    sim.fail_next(1, ScriptedFault::Status { status: 503 });
    let err = client
        .conference("800000000")
        .cancel()
        .await
        .expect_err("not retried by default");
    assert_eq!(err.status(), Some(503));
    assert_eq!(sim.counters().requests_for("CancelMeeting"), 1);

    let retrying = builder(&sim)
        .retry_policy(quick_retries().retry_cancel(true))
        .build()
        .expect("builds");
    retrying.login().await.expect("warm");
    sim.fail_next(1, ScriptedFault::Status { status: 503 });
    retrying
        .conference("800000000")
        .cancel()
        .await
        .expect("retried");
    assert_eq!(sim.counters().requests_for("CancelMeeting"), 3);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    let sim = sim().await;
    let client = client(&sim);
    let err = client
        .conference(CONF)
        .with_host_password("000000")
        .lock()
        .await
        .expect_err("wrong password");
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.code(), Some("MMC.111070004"));
    assert_eq!(sim.counters().requests_for("CreateConfToken"), 1);
    let err = client
        .conference("404")
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect_err("no such meeting");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(sim.counters().requests_for("CreateConfToken"), 2);
}

#[tokio::test]
async fn no_retries_with_the_never_policy() {
    let sim = sim().await;
    let client = builder(&sim)
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("builds");
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("warm");
    sim.fail_next(1, ScriptedFault::Status { status: 500 });
    assert!(meeting.unlock().await.is_err());
    assert_eq!(sim.counters().requests_for("LockMeeting"), 2);
}

#[tokio::test]
async fn transport_failures_are_errors_of_their_own_kind() {
    // A port nothing listens on (the simulator is stopped first).
    let sim = sim().await;
    let endpoint = sim.base_url().to_owned();
    sim.shutdown().await;
    let client = meeting::Client::builder()
        .endpoint(endpoint)
        .retry_policy(quick_retries())
        .build()
        .expect("builds");
    let err = client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect_err("nothing listens");
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(
        err.to_string()
            .contains("CreateConfToken for conference 914083136"),
        "{err}"
    );
}
