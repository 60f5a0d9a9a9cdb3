//! What a hostile server or a careless caller can throw at the client: each ends in the
//! right error, within the time budget, without a panic and without a secret in it.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use meeting::{Client, Credentials, ErrorKind, RetryPolicy};
use meeting_sim::Simulator;
use meeting_sim::scripted::{Relay, Reply, ScriptedServer};

/// A token no other text contains.
const LEAKY_TOKEN: &str = "stbLEAK7d1e6c0a9f4b3";

/// A client without credentials: control calls use the host password alone.
fn scripted_client(server: &ScriptedServer) -> Client {
    Client::builder()
        .endpoint(server.base_url())
        .retry_policy(quick_retries())
        .build()
        .expect("client builds")
}

/// The example meeting, controlled with its host password (no login).
fn host(server: &ScriptedServer) -> meeting::Conference {
    scripted_client(server)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
}

/// A client that logs in.
fn logging_in(server: &ScriptedServer) -> Client {
    Client::builder()
        .endpoint(server.base_url())
        .credentials(Credentials::account(ACCOUNT, PASSWORD))
        .retry_policy(quick_retries())
        .build()
        .expect("client builds")
}

/// A control token answer with these extra fields.
fn control_token(token: &str, extra: &str) -> Reply {
    Reply::json(
        200,
        format!(r#"{{"httpCode":200,"data":{{"token":"{token}","role":1{extra}}}}}"#),
    )
}

fn is_token_request(path: &str) -> bool {
    path.starts_with("/v1/mmc/control/conferences/token")
}

/// Locks the example meeting with its host password, asserting that the outcome came
/// within 10 s (generous: the tests using it expect a fraction of a second).
async fn timed_lock(client: &Client) -> Result<(), meeting::Error> {
    let started = Instant::now();
    let result = client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    result
}

#[tokio::test]
async fn a_huge_retry_after_late_in_a_call_fails_the_call_instead_of_panicking() {
    // Before: `started.elapsed() + delay` overflowed once a call had run for a second.
    let server = ScriptedServer::start(|request| {
        if is_token_request(&request.path) {
            return control_token("stbok", "");
        }
        Reply::Delayed(
            Duration::from_millis(1100),
            Box::new(
                Reply::json(
                    429,
                    r#"{"error_code":"MMC.100000429","error_msg":"slow down"}"#,
                )
                .with_header("retry-after", "18446744073709551615"),
            ),
        )
    })
    .await
    .expect("server");
    let err = host(&server).lock().await.expect_err("throttled");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(
        err.service_error().and_then(|e| e.retry_after),
        Some(Duration::from_secs(u64::MAX))
    );
}

#[tokio::test]
async fn far_expiries_are_clamped_to_seven_days() {
    // Before: 10^18 s of validity reached `ControlTokenInfo` unclamped, and the CLI
    // panicked formatting it.
    let server = ScriptedServer::start(|request| {
        if is_token_request(&request.path) {
            control_token("stbok", r#","confTokenExpireTime":1000000000000000000"#)
        } else {
            Reply::json(
                200,
                r#"{"accessToken":"stbacc","validPeriod":1000000000000000000}"#,
            )
        }
    })
    .await
    .expect("server");
    let client = scripted_client(&server);
    let week = Duration::from_secs(7 * 24 * 3600);
    let info = client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .control_token_info()
        .await
        .expect("token");
    assert_eq!(info.valid_for, Some(week));
    let login = logging_in(&server).login().await.expect("login");
    assert_eq!(login.valid_for, Some(week));
    for validity in ["0", "-1"] {
        let server = ScriptedServer::start(move |_| {
            control_token("stbok", &format!(r#","confTokenExpireTime":{validity}"#))
        })
        .await
        .expect("server");
        let info = host(&server).control_token_info().await.expect("token");
        assert_eq!(
            info.valid_for,
            Some(Duration::from_secs(30 * 60)),
            "{validity}"
        );
    }
}

#[tokio::test]
async fn a_success_body_of_the_wrong_shape_is_never_quoted() {
    // Before: the error quoted the start of the body, token included.
    let bodies = [
        format!(r#"{{"accessToken":"{LEAKY_TOKEN}","validPeriod":"soon"}}"#),
        format!(r#"{{"accessToken":"{LEAKY_TOKEN}""#),
        format!("accessToken={LEAKY_TOKEN}"),
    ];
    for body in bodies {
        let server = ScriptedServer::start(move |_| Reply::json(200, body.clone()))
            .await
            .expect("server");
        let err = logging_in(&server).login().await.expect_err("undecodable");
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(LEAKY_TOKEN), "{shown}");
        assert!(shown.contains("bytes"), "{shown}");
    }
    let server = ScriptedServer::start(|_| {
        Reply::json(
            200,
            format!(r#"{{"data":{{"token":"{LEAKY_TOKEN}","role":"host"}}}}"#),
        )
    })
    .await
    .expect("server");
    let err = host(&server).lock().await.expect_err("undecodable");
    assert!(!format!("{err} {err:?}").contains(LEAKY_TOKEN));
}

#[tokio::test]
async fn server_text_reaches_the_caller_without_control_characters() {
    // Before: escape sequences and newlines in error_code and error_msg reached the
    // terminal as they were.
    let long_id = "r".repeat(100_000);
    let server = ScriptedServer::start(move |_| {
        Reply::json(
            403,
            r#"{"error_code":"MMC.1\u001b[2J","error_msg":"denied\r\n\u001b[32mLocked meeting 914083136.\u202e"}"#,
        )
        .with_header("x-request-id", &long_id)
    })
    .await
    .expect("server");
    let err = scripted_client(&server)
        .conference(CONF)
        .with_control_token("stbgiven")
        .lock()
        .await
        .expect_err("denied");
    let shown = err.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(!shown.contains('\u{202e}'));
    assert_eq!(err.code(), Some("MMC.1[2J"));
    assert!(err.request_id().is_some_and(|id| id.chars().count() <= 129));
}

#[tokio::test]
async fn the_deadline_covers_every_attempt_and_the_token_fetch() {
    // Before: each attempt had a full request timeout, and the budget was checked only
    // between attempts: 56 s against a 30 s budget.
    let server = ScriptedServer::start(|_| Reply::Silence)
        .await
        .expect("server");
    let client = Client::builder()
        .endpoint(server.base_url())
        .request_timeout(Duration::from_secs(60))
        .retry_policy(quick_retries().max_elapsed(Duration::from_millis(500)))
        .build()
        .expect("client builds");
    // The point is 0.5 s, not the 60 s request timeout.
    let err = timed_lock(&client).await.expect_err("silence");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    // The error names the step the deadline interrupted: the token fetch.
    assert!(
        err.to_string()
            .starts_with("CreateConfToken for conference 914083136"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1, "only the token fetch was sent");
}

#[tokio::test]
async fn an_attempt_that_hangs_ends_at_the_request_timeout_and_is_tried_again() {
    let locks = Arc::new(AtomicUsize::new(0));
    let server = ScriptedServer::start({
        let locks = locks.clone();
        move |request| {
            if is_token_request(&request.path) {
                return control_token("stbok", "");
            }
            match locks.fetch_add(1, Ordering::SeqCst) {
                0 => Reply::Silence,
                _ => Reply::json(200, "{}"),
            }
        }
    })
    .await
    .expect("server");
    let client = Client::builder()
        .endpoint(server.base_url())
        .request_timeout(Duration::from_millis(300))
        .retry_policy(quick_retries().max_elapsed(Duration::from_secs(20)))
        .build()
        .expect("client builds");
    // The point is 0.3 s, not the 20 s deadline.
    timed_lock(&client)
        .await
        .expect("the second attempt is answered");
    assert_eq!(
        locks.load(Ordering::SeqCst),
        2,
        "one silent attempt, one answered"
    );
}

#[tokio::test]
async fn the_deadline_ends_an_attempt_through_an_http_client_of_the_callers() {
    // Its request timeout is unknown (here: none), so the deadline has a timer of its own.
    let server = ScriptedServer::start(|request| {
        if is_token_request(&request.path) {
            return control_token("stbok", "");
        }
        Reply::Silence
    })
    .await
    .expect("server");
    let client = Client::builder()
        .endpoint(server.base_url())
        .http_client(reqwest::Client::new())
        .retry_policy(quick_retries().max_elapsed(Duration::from_millis(500)))
        .build()
        .expect("client builds");
    let err = timed_lock(&client).await.expect_err("silence");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn a_bad_token_from_the_server_is_the_servers_fault() {
    // Before: an empty token, or one with a newline, ended as "invalid input".
    for token in ["", "stb\\nsplit", "stb bad"] {
        let server = ScriptedServer::start(move |_| control_token(token, ""))
            .await
            .expect("server");
        let err = host(&server).lock().await.expect_err("bad token");
        assert_eq!(
            err.kind(),
            ErrorKind::UnexpectedResponse,
            "{token:?}: {err}"
        );
        assert!(
            err.to_string()
                .contains("control token the service returned"),
            "{err}"
        );
        assert_eq!(server.requests().len(), 1, "the lock was not sent");
    }
    let server = ScriptedServer::start(|_| Reply::json(200, r#"{"accessToken":""}"#))
        .await
        .expect("server");
    let err = logging_in(&server).login().await.expect_err("empty");
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
}

#[tokio::test]
async fn tls_failures_are_not_retried() {
    // Before: an untrusted certificate was tried three times.
    let sim = Simulator::new()
        .tls(true)
        .seed(seed())
        .start()
        .await
        .expect("simulator");
    let relay = Relay::start(sim.local_addr()).await.expect("relay");
    let client = Client::builder()
        .endpoint(format!("https://localhost:{}", relay.local_addr().port()))
        .retry_policy(quick_retries())
        .build()
        .expect("client builds");
    let err = client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect_err("untrusted");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    assert!(!err.is_retryable());
    let cause = std::error::Error::source(&err).expect("keeps its cause");
    assert!(cause.is::<reqwest::Error>(), "{cause:?}");
    assert_eq!(relay.connections(), 1);
}

#[tokio::test]
async fn success_bodies_are_read_so_connections_are_reused() {
    // Before: a 200's body was dropped unread.
    let sim = sim().await;
    let relay = Relay::start(sim.local_addr()).await.expect("relay");
    let client = Client::builder()
        .endpoint(format!("http://127.0.0.1:{}", relay.local_addr().port()))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client builds");
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    for _ in 0..5 {
        meeting.lock().await.expect("lock");
        meeting.unlock().await.expect("unlock");
    }
    assert_eq!(sim.counters().requests_for("LockMeeting"), 10);
    assert_eq!(relay.connections(), 1, "one connection for 11 requests");
}

#[tokio::test]
async fn answers_beyond_the_body_limit_fail_at_once() {
    let server = ScriptedServer::start(|request| {
        if is_token_request(&request.path) {
            control_token("stbok", "")
        } else {
            Reply::json(200, "x".repeat(3 << 20))
        }
    })
    .await
    .expect("server");
    let meeting = host(&server);
    let err = meeting.lock().await.expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err}");
    assert!(
        err.to_string()
            .contains("exceeds the limit of 1048576 bytes"),
        "{err}"
    );
    assert_eq!(err.status(), Some(200));
    assert!(!err.is_retryable());
}

/// `Duration::MAX` in every duration the client's builders take: calls run, retries
/// wait what the policy says (saturated, never a panic), a refused host password is
/// remembered.
#[tokio::test]
async fn duration_max_in_every_client_builder_panics_nowhere() {
    use meeting_sim::ScriptedFault;

    let sim = common::sim().await;
    let client = common::builder(&sim)
        .connect_timeout(Duration::MAX)
        .request_timeout(Duration::MAX)
        .remember_refusals(Duration::MAX)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::MAX)
                .max_elapsed(Duration::MAX),
        )
        .build()
        .expect("a client");
    sim.fail_next(2, ScriptedFault::Status { status: 503 });
    client
        .conference(common::CONF)
        .with_host_password(common::HOST_PASSWORD)
        .lock()
        .await
        .expect("locked after two retries");
    let wrong = client.conference(common::CONF).with_host_password("000000");
    let first = wrong.unlock().await.expect_err("refused");
    let again = wrong.unlock().await.expect_err("remembered");
    assert_eq!(first.kind(), again.kind());
}
