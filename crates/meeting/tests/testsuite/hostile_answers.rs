//! Every hostile answer a scripted server can give, one after another in one test (so
//! that this binary's allocation counter sees only it): each ends in the right error
//! kind, within the time budget, with bounded memory, without a panic, and without
//! sending a secret anywhere else.

use crate::common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use meeting::{Client, Credentials, Error, ErrorKind};
use meeting_sim::scripted::{RecordedRequest, Reply, ScriptedServer};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded to the system allocator with the caller's layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The time budget of every call here.
const BUDGET: Duration = Duration::from_secs(2);

/// What the scenario's call does.
#[derive(Clone, Copy)]
enum Call {
    Login,
    Lock,
}

fn token_answer() -> Reply {
    Reply::json(200, r#"{"data":{"token":"stbcontrol","role":1}}"#)
}

fn is_token_request(request: &RecordedRequest) -> bool {
    request
        .path
        .starts_with("/v1/mmc/control/conferences/token")
}

/// Answers control-token requests well, everything else with `reply`.
fn after_token(reply: Reply) -> impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static {
    move |request| {
        if is_token_request(request) {
            token_answer()
        } else {
            reply.clone()
        }
    }
}

async fn run(server: &ScriptedServer, call: Call) -> Result<(), Error> {
    let mut builder = Client::builder()
        .endpoint(server.base_url())
        .retry_policy(quick_retries().max_elapsed(BUDGET));
    // The control call alone, with the host password; the login alone.
    if matches!(call, Call::Login) {
        builder = builder.credentials(Credentials::account(ACCOUNT, PASSWORD));
    }
    let client = builder.build().expect("builds");
    match call {
        Call::Login => client.login().await.map(|_| ()),
        Call::Lock => {
            client
                .conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .lock()
                .await
        }
    }
}

struct Outcome {
    error: Error,
    requests: Vec<RecordedRequest>,
}

async fn scenario(
    name: &str,
    call: Call,
    script: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
) -> Outcome {
    let server = ScriptedServer::start(script).await.expect("server");
    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let started = Instant::now();
    let result = run(&server, call).await;
    let elapsed = started.elapsed();
    let peak_growth = PEAK.load(Ordering::Relaxed).saturating_sub(baseline);
    let error = result.expect_err(name);
    println!(
        "{name:<32} {:<20} {:>6} ms  peak +{:>5} KiB  {} requests",
        error.kind().as_str(),
        elapsed.as_millis(),
        peak_growth / 1024,
        server.requests().len()
    );
    assert!(
        elapsed < BUDGET + Duration::from_secs(3),
        "{name}: {elapsed:?}"
    );
    assert!(
        peak_growth < 16 << 20,
        "{name}: {} MiB at the peak",
        peak_growth >> 20
    );
    Outcome {
        error,
        requests: server.requests(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_answer_ends_in_the_right_error_in_time_and_memory() {
    use ErrorKind::*;
    let json = |status, body: &str| Reply::json(status, body);
    let table: Vec<(&str, Call, Reply, ErrorKind)> = vec![
        (
            "HTML 502",
            Call::Lock,
            Reply::Http {
                status: 502,
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<html><body>Bad Gateway</body></html>".to_vec(),
            },
            UnexpectedResponse,
        ),
        (
            "truncated JSON",
            Call::Login,
            json(200, r#"{"accessToken":"stbx","validPer"#),
            UnexpectedResponse,
        ),
        (
            "non-JSON 200",
            Call::Login,
            json(200, "OK"),
            UnexpectedResponse,
        ),
        (
            "JSON of the wrong shape",
            Call::Login,
            json(200, r#"{"accessToken":["a"],"validPeriod":"x"}"#),
            UnexpectedResponse,
        ),
        (
            "empty token",
            Call::Login,
            json(200, r#"{"accessToken":""}"#),
            UnexpectedResponse,
        ),
        ("endless body", Call::Lock, Reply::Flood, UnexpectedResponse),
        (
            "a trickle of one byte a second",
            Call::Lock,
            Reply::Trickle {
                body: b"{}".repeat(50),
                interval: Duration::from_secs(1),
            },
            Timeout,
        ),
        ("no answer at all", Call::Lock, Reply::Silence, Timeout),
        (
            "connection closed mid-body",
            Call::Login,
            Reply::Truncated {
                announced: 4096,
                sent: br#"{"accessToken":"stb"#.to_vec(),
            },
            Transport,
        ),
        (
            "malformed status line",
            Call::Lock,
            Reply::Raw(b"HTTP/1.1 two hundred\r\n\r\n".to_vec()),
            Transport,
        ),
        (
            "100 KB header",
            Call::Lock,
            json(503, r#"{"error_code":"MMC.111070003","error_msg":"busy"}"#)
                .with_header("x-request-id", &"h".repeat(100 * 1024)),
            ServerError,
        ),
        (
            "huge Retry-After",
            Call::Lock,
            json(429, r#"{"error_code":"MMC.100000429","error_msg":"slow"}"#)
                .with_header("retry-after", "18446744073709551615"),
            RateLimited,
        ),
        (
            "garbage Retry-After",
            Call::Lock,
            json(429, r#"{"error_code":"MMC.100000429","error_msg":"slow"}"#)
                .with_header("retry-after", "soon, maybe"),
            RateLimited,
        ),
    ];
    for (name, call, reply, kind) in table {
        let outcome = match call {
            Call::Lock => scenario(name, call, after_token(reply)).await,
            Call::Login => scenario(name, call, move |_| reply.clone()).await,
        };
        assert_eq!(outcome.error.kind(), kind, "{name}: {}", outcome.error);
        let shown = format!("{} {:?}", outcome.error, outcome.error);
        assert!(
            !shown.contains(PASSWORD) && !shown.contains("stbcontrol"),
            "{name}: {shown}"
        );
        assert!(!shown.chars().any(|c| c.is_control()), "{name}");
        if name == "huge Retry-After" {
            assert_eq!(outcome.requests.len(), 2, "not waited for, not retried");
        }
    }

    // A 401 on every control call: one renewal, then the error; no loop.
    let outcome = scenario(
        "401 on every call",
        Call::Lock,
        after_token(json(
            401,
            r#"{"error_code":"MMC.111070004","error_msg":"auth failed"}"#,
        )),
    )
    .await;
    assert_eq!(outcome.error.kind(), Authentication);
    assert_eq!(outcome.requests.len(), 4, "token, lock, new token, lock");

    // Token validities of 0, -1 and 10^18 are covered by `hostile.rs`; a 0 here too.
    let other = ScriptedServer::start(|_| Reply::json(200, "{}"))
        .await
        .expect("server");
    let elsewhere = format!("{}/v1/usg/acs/auth/account", other.base_url());
    for call in [Call::Login, Call::Lock] {
        let location = elsewhere.clone();
        let outcome = scenario("redirect to another origin", call, move |request| {
            if is_token_request(request) && matches!(call, Call::Lock) {
                token_answer()
            } else {
                Reply::Http {
                    status: 307,
                    headers: vec![("location".into(), location.clone())],
                    body: Vec::new(),
                }
            }
        })
        .await;
        assert_eq!(outcome.error.kind(), UnexpectedResponse);
        assert_eq!(outcome.error.status(), Some(307));
    }
    assert!(
        other.requests().is_empty(),
        "nothing (no token, no password) reached the other origin"
    );
}
