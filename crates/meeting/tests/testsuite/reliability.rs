//! What production throws at the client, counted by the simulator: a fault soak, a full
//! outage against the retry budget, and the login and control-token herds that a wrong
//! credential would cause. Each test prints its figures (`--nocapture` shows them).
//!
//! The soaks run 5,000 and 2,000 calls here; `MEETING_SOAK_CALLS=10000` runs the full
//! ones.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use meeting::clock::ManualClock;
use meeting::{Client, Credentials, Error, ErrorKind, RetryPolicy};
use meeting_sim::{FaultConfig, ScriptedFault, SimHandle};

const CONCURRENCY: usize = 32;

/// The soak's faults: 20% 5xx, 2% 429 with `Retry-After`, 5% dropped connections.
fn soak_faults(retry_after_secs: u32) -> FaultConfig {
    FaultConfig {
        seed: 20261122,
        server_error_rate: 0.20,
        throttle_rate: 0.02,
        retry_after_secs,
        drop_rate: 0.05,
        ..FaultConfig::default()
    }
}

struct Soak {
    calls: usize,
    failures: Vec<Error>,
    requests: u64,
    faults: BTreeMap<String, u64>,
    elapsed: Duration,
}

/// `calls` lock/unlock calls from `workers` workers, each owning one conference and
/// calling it one call after another, so that "the last successful call" of a
/// conference is defined; then checks the simulator's state against it.
async fn soak(
    sim: &SimHandle,
    policy: RetryPolicy,
    calls: usize,
    workers: usize,
    faults: FaultConfig,
) -> Soak {
    let client = builder(sim).retry_policy(policy).build().expect("builds");
    // Control tokens first, so that every faulted request below is a lock.
    let conferences: Vec<String> = (0..workers).map(|i| format!("9000000{i:02}")).collect();
    for id in &conferences {
        client
            .conference(id)
            .with_host_password(HOST_PASSWORD)
            .control_token_info()
            .await
            .expect("token");
    }
    let before = sim.counters().requests_for("LockMeeting");
    sim.set_faults(faults);
    let started = Instant::now();
    let workers: Vec<_> = conferences
        .iter()
        .enumerate()
        .map(|(w, id)| {
            let meeting = client.conference(id).with_host_password(HOST_PASSWORD);
            let share = calls / workers + usize::from(w < calls % workers);
            tokio::spawn(async move {
                let mut last_success = None;
                let mut failures = Vec::new();
                for i in 0..share {
                    let lock = (i * 7 + w) % 3 != 0;
                    let result = if lock {
                        meeting.lock().await
                    } else {
                        meeting.unlock().await
                    };
                    match result {
                        Ok(()) => last_success = Some(lock),
                        Err(e) => failures.push(e),
                    }
                }
                (meeting.id().to_owned(), last_success, failures)
            })
        })
        .collect();
    let mut failures = Vec::new();
    for worker in workers {
        let (id, last_success, mut failed) = worker.await.expect("joins");
        if let Some(locked) = last_success {
            assert_eq!(
                sim.conference(&id).expect("seeded").locked,
                locked,
                "conference {id} is as its last successful call left it"
            );
        }
        failures.append(&mut failed);
    }
    let elapsed = started.elapsed();
    sim.set_faults(FaultConfig::default());
    let counters = sim.counters();
    Soak {
        calls,
        failures,
        requests: counters.requests_for("LockMeeting") - before,
        faults: counters.faults,
        elapsed,
    }
}

/// `MEETING_SOAK_CALLS`, else `default`.
fn soak_calls(default: usize) -> Option<usize> {
    match std::env::var("MEETING_SOAK_CALLS") {
        Ok(n) => n.parse().ok(),
        Err(_) => Some(default),
    }
}

fn full_soak() -> bool {
    std::env::var_os("MEETING_SOAK_CALLS").is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_soak_fails_no_more_than_theory_and_every_failure_is_typed() {
    let sim = sim().await;
    // 5,000 calls: enough that the failure count's spread (±2%) stays far from the bound.
    let calls = soak_calls(5_000).expect("MEETING_SOAK_CALLS is a number");
    let run = soak(
        &sim,
        RetryPolicy::default(),
        calls,
        CONCURRENCY,
        soak_faults(1),
    )
    .await;
    let per_attempt = 0.20 + 0.02 + 0.05;
    let theory = f64::powi(per_attempt, 3);
    let rate = run.failures.len() as f64 / run.calls as f64;
    println!(
        "soak, default policy: {} calls, {} requests ({:.3} per call, {} retries), faults {:?}, \
         {} failures ({:.2}%; theory {:.2}%, bound {:.2}%), {:.1} s",
        run.calls,
        run.requests,
        run.requests as f64 / run.calls as f64,
        run.requests - run.calls as u64,
        run.faults,
        run.failures.len(),
        rate * 100.0,
        theory * 100.0,
        theory * 150.0,
        run.elapsed.as_secs_f64()
    );
    assert!(rate <= 1.5 * theory, "failure rate {rate} > 1.5 × {theory}");
    for failure in &run.failures {
        assert!(failure.is_retryable(), "{failure}");
        assert!(
            matches!(
                failure.kind(),
                ErrorKind::ServerError | ErrorKind::RateLimited | ErrorKind::Transport
            ),
            "{failure}"
        );
    }
}

/// With 8 attempts, every call succeeds. One worker, so that the simulator's seeded
/// faults fall on the same requests every run (with 32 workers they fall by timing, and
/// the chance that one call meets 8 in a row, 2,000 × 0.27⁸, is 6%); `Retry-After: 0`
/// keeps the sequential run short. `MEETING_SOAK_CALLS=10000` runs it with 32 workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_soak_with_eight_attempts_succeeds_every_call() {
    let sim = sim().await;
    let policy = RetryPolicy::default()
        .max_attempts(8)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2));
    let calls = soak_calls(2_000).expect("MEETING_SOAK_CALLS is a number");
    let (workers, retry_after) = if full_soak() {
        (CONCURRENCY, 1)
    } else {
        (1, 0)
    };
    let run = soak(&sim, policy, calls, workers, soak_faults(retry_after)).await;
    println!(
        "soak, 8 attempts, {workers} workers: {} calls, {} requests ({:.3} per call), faults {:?}, \
         {} failures, {:.1} s",
        run.calls,
        run.requests,
        run.requests as f64 / run.calls as f64,
        run.faults,
        run.failures.len(),
        run.elapsed.as_secs_f64()
    );
    assert!(run.failures.is_empty(), "{:?}", run.failures.first());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_outage_spends_the_retry_budget_then_sends_one_request_per_call() {
    let sim = sim().await;
    let client = builder(&sim)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .expect("builds");
    let token = client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .control_token_info()
        .await
        .expect("token");
    // Clones share the budget: each worker has its own.
    let meeting = client
        .clone()
        .conference(CONF)
        .with_control_token(token.expose_token());
    let calls = soak_calls(2_000).expect("MEETING_SOAK_CALLS is a number");
    sim.set_faults(FaultConfig {
        server_error_rate: 1.0,
        ..FaultConfig::default()
    });
    let before = sim.counters().requests_for("LockMeeting");
    let meeting = Arc::new(meeting);
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|w| {
            let meeting = meeting.clone();
            let share = calls / CONCURRENCY + usize::from(w < calls % CONCURRENCY);
            tokio::spawn(async move {
                for _ in 0..share {
                    let err = meeting.lock().await.expect_err("outage");
                    assert_eq!(err.kind(), ErrorKind::ServerError);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("joins");
    }
    let requests = sim.counters().requests_for("LockMeeting") - before;
    let per_call = requests as f64 / calls as f64;
    println!(
        "outage: {calls} calls, {requests} requests, {per_call:.3} per call (budget 500: 100 retries)"
    );
    assert!(per_call <= 1.1, "{per_call} requests per call");
    assert_eq!(
        requests,
        calls as u64 + 100,
        "exactly the budget's 100 retries"
    );

    // The service recovers: successes refill the budget, and retries resume.
    sim.set_faults(FaultConfig::default());
    for _ in 0..10 {
        meeting.lock().await.expect("recovered");
    }
    sim.fail_next(1, ScriptedFault::Status { status: 503 });
    let before = sim.counters().requests_for("LockMeeting");
    meeting.lock().await.expect("retried once more");
    assert_eq!(sim.counters().requests_for("LockMeeting") - before, 2);
}

/// 200 calls at once on a client whose `credentials` the service refuses.
/// 200 concurrent cancels that must fail: their errors.
async fn failing_cancels(client: &Client) -> Vec<Error> {
    herd(client, |client| {
        tokio::spawn(async move {
            client
                .conference(SCHEDULED)
                .cancel()
                .await
                .expect_err("the cancel fails")
        })
    })
    .await
}

async fn herd(
    client: &Client,
    call: impl Fn(Client) -> tokio::task::JoinHandle<Error>,
) -> Vec<Error> {
    let calls: Vec<_> = (0..200).map(|_| call(client.clone())).collect();
    let mut errors = Vec::new();
    for call in calls {
        errors.push(call.await.expect("joins"));
    }
    errors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_makes_one_login_attempt_per_thirty_seconds() {
    let sim = sim().await;
    let clock = ManualClock::default();
    let client = builder(&sim)
        .credentials(Credentials::account(ACCOUNT, "not-the-password"))
        .clock(clock.clone())
        .build()
        .expect("builds");
    let errors = failing_cancels(&client).await;
    assert!(errors.iter().all(|e| e.kind() == ErrorKind::Authentication));
    let logins = || sim.counters().requests_for("AuthenticateAccount");
    println!(
        "wrong password: 200 concurrent calls, {} login attempts",
        logins()
    );
    assert_eq!(logins(), 1, "one attempt for the whole wave");
    // The caller's own retry loop.
    for _ in 0..20 {
        assert!(client.login().await.is_err());
    }
    assert_eq!(logins(), 1, "the refusal is remembered");
    clock.advance(Duration::from_secs(31));
    assert!(client.login().await.is_err());
    assert_eq!(logins(), 2, "and forgotten after 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_host_password_makes_one_control_token_request() {
    let sim = sim().await;
    let client = client(&sim);
    let errors = herd(&client, |client| {
        tokio::spawn(async move {
            client
                .conference(CONF)
                .with_host_password("not-the-host-password")
                .lock()
                .await
                .expect_err("refused")
        })
    })
    .await;
    assert!(errors.iter().all(|e| e.kind() == ErrorKind::Authentication));
    let requests = || sim.counters().requests_for("CreateConfToken");
    println!(
        "wrong host password: 200 concurrent calls, {} control-token requests",
        requests()
    );
    assert_eq!(requests(), 1);
    // The right password on the same conference is not held to the wrong one's refusal.
    client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect("the right password works at once");
    assert_eq!(requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_login_is_shared_by_its_wave_but_not_remembered() {
    let sim = sim().await;
    let client = builder(&sim)
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("builds");
    // Every answer is a 5xx, after 300 ms: all 200 calls are waiting for the first.
    sim.set_faults(FaultConfig {
        server_error_rate: 1.0,
        latency_ms: 300,
        ..FaultConfig::default()
    });
    let errors = failing_cancels(&client).await;
    assert!(errors.iter().all(|e| e.kind() == ErrorKind::ServerError));
    let logins = || sim.counters().requests_for("AuthenticateAccount");
    println!(
        "5xx login: 200 concurrent calls, {} login attempts",
        logins()
    );
    assert_eq!(logins(), 1, "one attempt for the whole wave");
    let wave = logins();
    sim.set_faults(FaultConfig::default());
    client
        .conference(SCHEDULED)
        .cancel()
        .await
        .expect("a 5xx is not remembered");
    assert_eq!(logins(), wave + 1);
}
