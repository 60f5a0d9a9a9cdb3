//! A handle's host password means something: a cached or stored control token serves
//! only a handle whose host password the service accepted for it in this process. A
//! wrong password is refused although a token for the conference is cached, in memory,
//! in a file store and in Redis; a handle with neither a password nor a token of its
//! own gets none.

use crate::common;

use std::sync::Arc;

use common::{CONF, HOST_PASSWORD, sim};
use meeting::store::{FileStore, RedisStore, TokenStore};
use meeting::{Client, ErrorKind};
use meeting_sim::SimHandle;
use meeting_sim::redis_server::RedisServer;

const WRONG: &str = "000000";

fn sharing(sim: &SimHandle, store: &Arc<dyn TokenStore>) -> Client {
    common::builder(sim)
        .shared_token_store(store.clone())
        .build()
        .expect("client builds")
}

/// `first` locks with the right password; `second` then fails with a wrong one,
/// although a token for the conference is at hand; `first` still works.
async fn right_then_wrong(sim: &SimHandle, first: &Client, second: &Client) {
    first
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect("the right host password locks");
    let refused = second
        .conference(CONF)
        .with_host_password(WRONG)
        .unlock()
        .await
        .expect_err("a wrong host password must not use the cached token");
    assert_eq!(refused.kind(), ErrorKind::Authentication, "{refused}");
    assert_eq!(refused.code(), Some("MMC.111070004"), "{refused}");
    let view = sim.conference(CONF).expect("conference");
    assert!(view.locked, "the refused handle changed nothing");
    first
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .unlock()
        .await
        .expect("the right host password still works");
    let counters = sim.counters();
    assert_eq!(counters.control_token_grants, 1, "{counters:?}");
    assert_eq!(counters.requests_for("LockMeeting"), 2, "{counters:?}");
}

#[tokio::test]
async fn in_memory_a_wrong_password_is_refused_although_a_token_is_cached() {
    let sim = sim().await;
    let client = common::client(&sim);
    right_then_wrong(&sim, &client, &client).await;
}

#[tokio::test]
async fn in_a_file_store_a_wrong_password_is_refused_although_a_token_is_stored() {
    let sim = sim().await;
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = temp.path().join("tokens");
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::open(&dir).expect("opens"));
    right_then_wrong(&sim, &sharing(&sim, &store), &sharing(&sim, &store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_redis_a_wrong_password_is_refused_although_a_token_is_stored() {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = sim().await;
    let store: Arc<dyn TokenStore> = Arc::new(RedisStore::new(&redis.url(0)).expect("url"));
    right_then_wrong(&sim, &sharing(&sim, &store), &sharing(&sim, &store)).await;
}

#[tokio::test]
async fn many_handles_with_the_right_password_share_one_grant() {
    let sim = sim().await;
    let client = common::client(&sim);
    for _ in 0..50 {
        client
            .conference(CONF)
            .with_host_password(HOST_PASSWORD)
            .lock()
            .await
            .expect("locks");
    }
    assert_eq!(sim.counters().control_token_grants, 1);
}

#[tokio::test]
async fn a_handle_without_a_password_or_token_gets_no_cached_token() {
    let sim = sim().await;
    let client = common::client(&sim);
    client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect("locks");
    let before = sim.counters().requests.values().sum::<u64>();
    let refused = client
        .conference(CONF)
        .unlock()
        .await
        .expect_err("no password, no token: no control");
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
    assert_eq!(
        sim.counters().requests.values().sum::<u64>(),
        before,
        "nothing was sent"
    );
}
