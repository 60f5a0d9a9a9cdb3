//! Clients sharing tokens through a store, against the simulator: one login per
//! validity and one control token per conference, however many clients; a refused
//! token replaced once; and, with a real Redis, a fleet of clients across validities
//! and a Redis that dies or hangs mid-run.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{CONF, HOST_PASSWORD, PASSWORD, sim};
use futures::future::join_all;
use meeting::Client;
use meeting::clock::ManualClock;
use meeting::store::{FileStore, MemoryStore, RedisStore, TokenStore};
use meeting_sim::redis_server::RedisServer;
use meeting_sim::{SimHandle, Simulator};

fn shared_client(sim: &SimHandle, store: Arc<dyn TokenStore>, clock: &ManualClock) -> Client {
    common::builder(sim)
        .shared_token_store(store)
        .clock(clock.clone())
        .build()
        .expect("client builds")
}

/// `n` clients sharing `store` and `clock`.
fn shared_clients(
    sim: &SimHandle,
    store: &Arc<dyn TokenStore>,
    clock: &ManualClock,
    n: usize,
) -> Vec<Client> {
    (0..n)
        .map(|_| shared_client(sim, store.clone(), clock))
        .collect()
}

/// Every client shows the meeting, all at once.
async fn show_all(clients: &[Client]) -> Vec<meeting::Result<()>> {
    let calls = clients
        .iter()
        .map(|c| async { c.conference(CONF).details().await.map(drop) });
    join_all(calls).await
}

/// Every client locks `conference`, all at once: the results and how long each took.
async fn lock_all(clients: &[Client], conference: &str) -> Vec<(meeting::Result<()>, Duration)> {
    let calls = clients.iter().map(|c| async move {
        let started = std::time::Instant::now();
        let result = c
            .conference(conference)
            .with_host_password(HOST_PASSWORD)
            .lock()
            .await;
        (result, started.elapsed())
    });
    join_all(calls).await
}

fn redis() -> RedisServer {
    RedisServer::start().unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sharing_a_store_log_in_once_and_get_one_control_token() {
    let sim = sim().await;
    let clock = ManualClock::default();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let clients = shared_clients(&sim, &store, &clock, 50);
    let locks = clients.iter().map(|c| async {
        c.conference(CONF)
            .with_host_password(HOST_PASSWORD)
            .lock()
            .await
    });
    for result in join_all(locks).await {
        result.expect("locks");
    }
    let counters = sim.counters();
    assert_eq!(counters.logins(), 1, "{counters:?}");
    assert_eq!(counters.control_token_grants, 1, "{counters:?}");
    assert_eq!(counters.requests_for("LockMeeting"), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_access_token_is_replaced_once_not_once_per_client() {
    let sim = sim().await;
    let clock = ManualClock::default();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let clients = shared_clients(&sim, &store, &clock, 20);
    for result in show_all(&clients).await {
        result.expect("shows");
    }
    assert_eq!(sim.counters().logins(), 1);
    // 64 logins elsewhere on the same account evict the shared token.
    let elsewhere = common::client(&sim);
    for _ in 0..64 {
        elsewhere.login().await.expect("logs in");
    }
    for result in show_all(&clients).await {
        result.expect("shows after the refusal");
    }
    let counters = sim.counters();
    assert_eq!(counters.logins(), 1 + 64 + 1, "{counters:?}");
    assert!(counters.errors.get("USG.000000004").copied().unwrap_or(0) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_stores_on_one_directory_share_across_clients_and_forget_on_logout() {
    let sim = sim().await;
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = temp.path().join("tokens");
    let clock = ManualClock::default();
    for _ in 0..5 {
        // A new store and client each time: as successive processes would.
        let store: Arc<dyn TokenStore> = Arc::new(FileStore::open(&dir).expect("opens"));
        let client = shared_client(&sim, store, &clock);
        let conference = client.conference(CONF).with_host_password(HOST_PASSWORD);
        conference.lock().await.expect("locks");
        conference.details().await.expect("shows");
    }
    let counters = sim.counters();
    assert_eq!((counters.logins(), counters.control_token_grants), (1, 1));

    let store: Arc<dyn TokenStore> = Arc::new(FileStore::open(&dir).expect("opens"));
    let client = shared_client(&sim, store, &clock);
    assert_eq!(
        client.forget_tokens().await.expect("forgets"),
        2,
        "access + control"
    );
    client.conference(CONF).details().await.expect("shows");
    assert_eq!(sim.counters().logins(), 2);
}

#[tokio::test]
async fn a_store_that_fails_is_bypassed_with_a_warning() {
    // Every operation of this store fails: the client must work as without one.
    #[derive(Debug)]
    struct Broken;
    #[async_trait::async_trait]
    impl TokenStore for Broken {
        async fn load(
            &self,
            _: &str,
        ) -> Result<Option<meeting::store::StoredToken>, meeting::store::StoreError> {
            Err(meeting::store::StoreError::new("broken"))
        }
        async fn save(
            &self,
            _: &str,
            _: &meeting::store::StoredToken,
            _: Duration,
        ) -> Result<(), meeting::store::StoreError> {
            Err(meeting::store::StoreError::new("broken"))
        }
        async fn discard(
            &self,
            _: &str,
            _: &secrecy::SecretString,
        ) -> Result<(), meeting::store::StoreError> {
            Err(meeting::store::StoreError::new("broken"))
        }
        async fn try_lock(
            &self,
            _: &str,
            _: Duration,
        ) -> Result<Option<meeting::store::LockId>, meeting::store::StoreError> {
            Err(meeting::store::StoreError::new("broken"))
        }
        async fn unlock(
            &self,
            _: &str,
            _: &meeting::store::LockId,
        ) -> Result<(), meeting::store::StoreError> {
            Err(meeting::store::StoreError::new("broken"))
        }
        async fn remove_prefix(&self, _: &str) -> Result<usize, meeting::store::StoreError> {
            Err(meeting::store::StoreError::new("broken"))
        }
    }
    let sim = sim().await;
    let logs = common::capture_logs();
    let client = shared_client(&sim, Arc::new(Broken), &ManualClock::default());
    let conference = client.conference(CONF).with_host_password(HOST_PASSWORD);
    for _ in 0..3 {
        conference.lock().await.expect("locks without the store");
    }
    let counters = sim.counters();
    assert_eq!((counters.logins(), counters.control_token_grants), (1, 1));
    let warnings = logs.text().matches("token store failed").count();
    assert_eq!(warnings, 1, "one warning for the outage:\n{}", logs.text());
}

/// What one run of the fleet workload counted.
#[derive(Debug, Default)]
struct Figures {
    logins: u64,
    grants_and_keepalives: u64,
    refused_access_tokens: u64,
    failed_calls: usize,
}

const FLEET: usize = 200;
const FLEET_CONFERENCES: [&str; 3] = ["900000000", "900000001", "900000002"];
const VALIDITY: Duration = Duration::from_secs(600);

async fn fleet_sim() -> SimHandle {
    Simulator::new()
        .seed(common::seed())
        .access_token_validity(VALIDITY)
        .control_token_validity(VALIDITY)
        .start()
        .await
        .expect("simulator starts")
}

/// Each validity: every client locks every conference, all at once, then once more
/// one client after another; then the clocks move past the tokens' expiry.
async fn fleet_run(sim: &SimHandle, clients: &[Client], clock: &ManualClock) -> Vec<Figures> {
    let clocks = common::Clocks {
        sim,
        client: clock.clone(),
    };
    let mut figures = Vec::new();
    for _ in 0..3 {
        let before = sim.counters();
        let lock = |client: &Client, conference: &str| {
            let conference = client
                .conference(conference)
                .with_host_password(HOST_PASSWORD);
            async move { conference.lock().await }
        };
        let mut failed = 0;
        let at_once = clients
            .iter()
            .flat_map(|c| FLEET_CONFERENCES.iter().map(move |id| lock(c, id)));
        failed += join_all(at_once)
            .await
            .iter()
            .filter(|r| r.is_err())
            .count();
        for client in clients {
            for id in FLEET_CONFERENCES {
                failed += usize::from(lock(client, id).await.is_err());
            }
        }
        let after = sim.counters();
        let refused =
            |c: &meeting_sim::Counters| c.errors.get("USG.000000004").copied().unwrap_or(0);
        figures.push(Figures {
            logins: after.logins() - before.logins(),
            grants_and_keepalives: after.control_token_grants + after.control_token_keepalives
                - before.control_token_grants
                - before.control_token_keepalives,
            refused_access_tokens: refused(&after) - refused(&before),
            failed_calls: failed,
        });
        clocks.advance(VALIDITY + Duration::from_secs(1));
    }
    figures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_sharing_redis_logs_in_once_per_validity_and_without_it_evicts_itself() {
    let redis = redis();
    let sim = fleet_sim().await;
    let clock = ManualClock::default();
    let store: Arc<dyn TokenStore> = Arc::new(RedisStore::new(&redis.url(0)).expect("parses"));
    let clients = shared_clients(&sim, &store, &clock, FLEET);
    let shared = fleet_run(&sim, &clients, &clock).await;

    let sim = fleet_sim().await;
    let clock = ManualClock::default();
    let clients: Vec<_> = (0..FLEET)
        .map(|_| {
            common::builder(&sim)
                .clock(clock.clone())
                .build()
                .expect("client builds")
        })
        .collect();
    let alone = fleet_run(&sim, &clients, &clock).await;

    let calls = FLEET * FLEET_CONFERENCES.len() * 2;
    println!(
        "{FLEET} clients, one account, {calls} lock calls per validity (half at once, half in turn):"
    );
    println!(
        "validity | store          | logins | grants+keep-alives | refused access tokens | failed calls"
    );
    for (i, (s, a)) in shared.iter().zip(&alone).enumerate() {
        println!(
            "{:>8} | Redis (shared) | {:>6} | {:>18} | {:>21} | {:>12}",
            i + 1,
            s.logins,
            s.grants_and_keepalives,
            s.refused_access_tokens,
            s.failed_calls
        );
        println!(
            "{:>8} | memory (each)  | {:>6} | {:>18} | {:>21} | {:>12}",
            i + 1,
            a.logins,
            a.grants_and_keepalives,
            a.refused_access_tokens,
            a.failed_calls
        );
    }
    for s in &shared {
        assert_eq!(s.logins, 1, "{shared:?}");
        assert_eq!(
            s.grants_and_keepalives,
            FLEET_CONFERENCES.len() as u64,
            "{shared:?}"
        );
        assert_eq!(
            (s.refused_access_tokens, s.failed_calls),
            (0, 0),
            "{shared:?}"
        );
    }
    for a in &alone {
        // Every client logs in; then the 136 whose tokens the last 64 logins evicted
        // log in again in the second round, each evicting another: the cascade.
        assert!(a.logins >= (FLEET + FLEET - 64) as u64, "{alone:?}");
        assert!(a.refused_access_tokens >= (FLEET - 64) as u64, "{alone:?}");
    }
}

#[tokio::test]
async fn redis_dying_or_hanging_mid_run_falls_back_to_memory_within_the_timeouts() {
    let mut redis = redis();
    let sim = sim().await;
    let logs = common::capture_logs();
    let clock = ManualClock::default();
    let store: Arc<dyn TokenStore> = Arc::new(
        RedisStore::new(&redis.url(0))
            .expect("parses")
            .timeout(Duration::from_millis(300)),
    );
    let clients = shared_clients(&sim, &store, &clock, 10);
    let check = |results: Vec<(meeting::Result<()>, Duration)>, what: &str| {
        for (result, took) in results {
            result.unwrap_or_else(|e| panic!("{what}: {e}"));
            // Far under the 30 s operation deadline: the store's 300 ms timeout, once.
            assert!(took < Duration::from_secs(10), "{what}: took {took:?}");
        }
    };
    check(lock_all(&clients, "900000000").await, "Redis up");
    assert_eq!(sim.counters().logins(), 1);

    // Hung: accepts nothing, answers nothing. New conferences need tokens.
    redis.pause().expect("pauses");
    check(lock_all(&clients, "900000001").await, "Redis hung");
    // Dead.
    redis.stop();
    check(lock_all(&clients, "900000002").await, "Redis down");
    let counters = sim.counters();
    println!(
        "Redis hung then down: 30 calls succeeded; {} logins, {} control-token grants",
        counters.logins(),
        counters.control_token_grants
    );
    assert!(
        logs.text().contains("token store failed"),
        "{}",
        logs.text()
    );
    assert!(!logs.text().contains(PASSWORD) && !logs.text().contains(HOST_PASSWORD));
}

#[tokio::test]
async fn a_refused_login_is_shared_until_it_is_forgotten() {
    let sim = sim().await;
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = temp.path().join("tokens");
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::open(&dir).expect("opens"));
    let with = |password: &str| {
        common::builder(&sim)
            .credentials(meeting::Credentials::account(common::ACCOUNT, password))
            .shared_token_store(store.clone())
            .build()
            .expect("client builds")
    };
    let wrong = with("Wrong-pass-2026");
    wrong
        .login()
        .await
        .expect_err("a wrong password is refused");
    // Another client (another process, say) does not try the login again meanwhile,
    // whatever its password: no fingerprint of the refused one is stored.
    let right = with(PASSWORD);
    let refused = right
        .conference(CONF)
        .details()
        .await
        .expect_err("the refusal is shared");
    assert!(
        refused
            .to_string()
            .contains("another client sharing the token store"),
        "{refused}"
    );
    assert_eq!(sim.counters().requests_for("AuthenticateAccount"), 1);
    // Logging out forgets it.
    wrong.forget_tokens().await.expect("forgets");
    right.conference(CONF).details().await.expect("logs in now");
    assert_eq!(sim.counters().requests_for("AuthenticateAccount"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_over_tls_shares_tokens_with_a_private_ca() {
    // This build has both rustls providers (aws-lc-rs through the dev-dependencies, ring
    // through the crate), as an application's may: rustls then cannot pick a default by
    // itself, and redis-rs takes its provider from the default.
    let _both = (
        rustls::crypto::aws_lc_rs::default_provider(),
        rustls::crypto::ring::default_provider(),
    );
    let redis = RedisServer::start_tls().unwrap_or_else(|e| panic!("{e}"));
    assert!(redis.url(0).starts_with("rediss://"));
    let ca = redis.ca_pem().expect("a TLS server has a CA");
    let store = RedisStore::new(&redis.url(0))
        .expect("url")
        .trust_root_certificates_pem(ca.as_bytes())
        .expect("a PEM CA");
    // The store works over TLS (the server has no plain-text port).
    assert!(
        store
            .load("nothing-here")
            .await
            .expect("answers over TLS")
            .is_none()
    );
    let sim = sim().await;
    let clock = ManualClock::default();
    let store: Arc<dyn TokenStore> = Arc::new(store);
    let clients = shared_clients(&sim, &store, &clock, 10);
    for (result, _) in lock_all(&clients, CONF).await {
        result.expect("locks");
    }
    let counters = sim.counters();
    assert_eq!(
        (counters.logins(), counters.control_token_grants),
        (1, 1),
        "{counters:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_redis_certificate_fails_clearly_and_never_falls_back_to_plain_text() {
    let redis = RedisServer::start_tls().unwrap_or_else(|e| panic!("{e}"));
    // The system's roots do not vouch for the test CA.
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let refused = store
        .load("anything")
        .await
        .expect_err("an untrusted certificate is refused");
    let text = format!("{refused:#}");
    println!("an untrusted Redis certificate: {text}");
    assert!(
        text.contains("certificate") || text.contains("Certificate") || text.contains("TLS"),
        "{text}"
    );
    // A client on it goes on with its own tokens, as for any failing store.
    let sim = sim().await;
    let store: Arc<dyn TokenStore> = Arc::new(store);
    let client = shared_client(&sim, store, &ManualClock::default());
    client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect("locks on in-memory tokens");
}
