//! The token stores under a hundred processes at once: one login for all of them, and
//! a wrong password tried at most twice. A test binary of its own: `cargo test` runs
//! binaries one after another, so these waves never share the machine with the timing
//! of a single process (a TLS store's first connection, say), as no user's would.

// The suite's helpers, of which this test uses a few.
#[allow(dead_code, unused_imports)]
#[path = "testsuite/common.rs"]
mod common;

use std::process::Stdio;

use common::*;
use meeting_sim::example::{OTHER_CONFERENCE as OTHER_CONF, OTHER_HOST_PASSWORD};
use meeting_sim::redis_server::RedisServer;

#[test]
fn a_hundred_concurrent_processes_sharing_redis_log_in_once() {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Sim::start();
    let processes: Vec<_> = (0..100)
        .map(|i| {
            let (conference, host_password) = if i % 2 == 0 {
                (CONF, HOST_PASSWORD)
            } else {
                (OTHER_CONF, OTHER_HOST_PASSWORD)
            };
            let mut lock = sim.process();
            lock.args(["lock", conference])
                .env("MEETING_HOST_PASSWORD", host_password)
                .env("MEETING_TOKEN_STORE", redis.url(0));
            lock
        })
        .collect();
    for out in all_at_once(processes) {
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let counters = sim.handle.counters();
    println!(
        "100 concurrent `meeting lock` processes on 2 conferences, Redis store: \
         {} login, {} control-token grants",
        counters.logins(),
        counters.control_token_grants
    );
    assert_eq!(counters.requests_for("LockMeeting"), 100);
    assert_eq!(counters.logins(), 1);
    // One grant per process: each checks its own host password with the service before
    // it uses a stored token.
    assert_eq!(counters.control_token_grants, 100, "one per process");
}

/// Starts every command at once, then waits for each: their outputs, in order.
fn all_at_once(commands: Vec<std::process::Command>) -> Vec<std::process::Output> {
    let running: Vec<_> = commands
        .into_iter()
        .map(|mut command| {
            command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts")
        })
        .collect();
    running
        .into_iter()
        .map(|process| process.wait_with_output().expect("ends"))
        .collect()
}

/// 100 processes at once with a wrong account password, sharing `store`: how many login
/// attempts reached the service. Every process fails with exit code 1.
fn wrong_password_wave(sim: &Sim, store: &str) -> u64 {
    let processes: Vec<_> = (0..100)
        .map(|_| {
            let mut show = sim.process();
            show.args(["show", CONF])
                .env("MEETING_PASSWORD", "Wrong-pass-2026")
                .env("MEETING_TOKEN_STORE", store);
            show
        })
        .collect();
    for out in all_at_once(processes) {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(!stderr(&out).contains("Wrong-pass-2026"));
    }
    sim.handle.counters().requests_for("AuthenticateAccount")
}

#[test]
fn a_hundred_processes_with_a_wrong_password_try_it_at_most_twice() {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Sim::start();
    let on_redis = wrong_password_wave(&sim, &redis.url(0));
    let sim = Sim::start();
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = temp.path().join("tokens");
    let on_files = wrong_password_wave(&sim, &format!("file:{}", dir.display()));
    let sim = Sim::start();
    let alone = wrong_password_wave(&sim, "none");
    println!(
        "100 concurrent processes with a wrong password: {on_redis} login attempts sharing \
         Redis, {on_files} sharing a file store, {alone} without a store"
    );
    assert!(on_redis <= 2, "{on_redis} attempts with Redis");
    assert!(on_files <= 2, "{on_files} attempts with the file store");
    assert_eq!(alone, 100);
}
