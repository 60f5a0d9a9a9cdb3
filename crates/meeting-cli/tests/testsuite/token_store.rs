//! Tokens kept between invocations: the file store by default, Redis for many
//! processes at once, `none` to keep nothing, and `meeting logout`. The hundred-process
//! waves are in `token_store_waves.rs`.

use crate::common;

use common::*;
use meeting_sim::redis_server::RedisServer;

fn logins(sim: &Sim) -> u64 {
    sim.handle.counters().logins()
}

fn run(mut cmd: Command) -> std::process::Output {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

#[test]
fn fifty_sequential_invocations_log_in_once_with_the_file_store() {
    let sim = Sim::start();
    for _ in 0..50 {
        let mut show = sim.meeting();
        show.args(["show", CONF]);
        run(show);
    }
    let with_file_store = logins(&sim);
    for _ in 0..10 {
        let mut lock = sim.meeting();
        lock.args(["lock", CONF]);
        run(lock);
    }
    let counters = sim.handle.counters();
    let mut alone = 0;
    for _ in 0..5 {
        let before = logins(&sim);
        let mut show = sim.meeting();
        show.args(["show", CONF, "--token-cache", "none"]);
        run(show);
        alone += logins(&sim) - before;
    }
    println!(
        "50 sequential `meeting show`: {with_file_store} login with the file store; \
         5 with --token-cache none: {alone} logins"
    );
    assert_eq!(with_file_store, 1);
    assert_eq!(
        counters.logins(),
        1,
        "the 10 locks used the stored access token"
    );
    // A stored control token serves a process once the service has accepted its host
    // password there: one grant per invocation (see the crate README's trust model).
    assert_eq!(
        counters.control_token_grants, 10,
        "a grant per process, which checks its host password"
    );
    assert_eq!(alone, 5);
}

#[cfg(unix)]
#[test]
fn the_token_files_are_private_and_hold_no_password() {
    use std::os::unix::fs::PermissionsExt;
    let sim = Sim::start();
    let mut lock = sim.meeting();
    lock.args(["lock", CONF]);
    run(lock);
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&sim.tokens), 0o700);
    let mut tokens = 0;
    for entry in std::fs::read_dir(&sim.tokens).expect("lists").flatten() {
        assert_eq!(mode(&entry.path()), 0o600, "{:?}", entry.file_name());
        let text = std::fs::read_to_string(entry.path()).expect("reads");
        assert!(!text.contains(PASSWORD) && !text.contains(HOST_PASSWORD));
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !name.contains("meeting_admin") && !name.contains(CONF),
            "{name}"
        );
        tokens += usize::from(name.ends_with(".json"));
    }
    assert_eq!(tokens, 2, "the access token and the control token");
}

#[test]
fn logout_forgets_and_the_next_invocation_logs_in_again() {
    let sim = Sim::start();
    let show = || {
        let mut show = sim.meeting();
        show.args(["show", CONF]);
        show
    };
    run(show());
    let mut lock = sim.meeting();
    lock.args(["lock", CONF]);
    run(lock);
    let mut logout = sim.meeting();
    logout
        .args(["logout", "--json"])
        .env_remove("MEETING_PASSWORD");
    let out = run(logout);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        value["forgotten"], 2,
        "access and control token, no password needed"
    );
    run(show());
    assert_eq!(logins(&sim), 2);
    let mut all = sim.meeting();
    all.args(["logout", "--all"]);
    assert_eq!(
        stdout(&run(all)),
        "Forgot 1 stored token: 1 access, 0 control (refusal records included).\n"
    );
}

#[test]
fn a_wrong_host_password_is_refused_although_an_invocation_stored_a_token() {
    // Both invocations share the file store in the user's token directory.
    let sim = Sim::start();
    let mut right = sim.meeting();
    right.args(["lock", CONF]);
    run(right);
    let mut wrong = sim.meeting();
    wrong
        .args(["unlock", CONF])
        .env("MEETING_HOST_PASSWORD", "000000");
    let out = wrong.output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("MMC.111070004"), "{}", stderr(&out));
    assert!(sim.handle.conference(CONF).is_some_and(|c| c.locked));
}

#[test]
fn redis_unreachable_the_command_still_works_with_a_warning() {
    let sim = Sim::start();
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut lock = sim.meeting();
    lock.args(["lock", CONF]).env(
        "MEETING_TOKEN_STORE",
        format!("redis://:s3cret@127.0.0.1:{port}/0"),
    );
    let out = run(lock);
    let err = stderr(&out);
    assert!(err.contains("token store failed"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    assert!(sim.handle.conference(CONF).expect("seeded").locked);

    // Logging out cannot be done without the store: a transport failure, exit 3.
    let mut logout = sim.meeting();
    logout.args(["logout"]).env(
        "MEETING_TOKEN_STORE",
        format!("redis://:s3cret@127.0.0.1:{port}/0"),
    );
    let out = logout.output().expect("runs");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains("s3cret"), "{}", stderr(&out));
}

#[test]
fn a_bad_token_store_exits_2_without_quoting_a_password() {
    let sim = Sim::start();
    for store in ["redis://:s3cret@[::1/0", "ftp://x", "file:"] {
        let mut lock = sim.meeting();
        lock.args(["lock", CONF]).env("MEETING_TOKEN_STORE", store);
        let out = lock.output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{store}: {}", stderr(&out));
        assert!(!stderr(&out).contains("s3cret"), "{}", stderr(&out));
    }
    assert_eq!(sim.requests(), 0);
}

#[test]
fn a_redis_store_over_tls_with_a_private_ca() {
    let redis = RedisServer::start_tls().unwrap_or_else(|e| panic!("{e}"));
    let temp = tempfile::tempdir().expect("a temporary directory");
    let ca = temp.path().join("ca.pem");
    std::fs::write(&ca, redis.ca_pem().expect("a CA")).expect("writes the CA");
    let sim = Sim::start();
    for _ in 0..3 {
        let mut show = sim.meeting();
        show.args(["show", CONF])
            .env("MEETING_TOKEN_STORE", redis.url(0))
            .env("MEETING_REDIS_CA_CERT", &ca);
        let out = run(show);
        assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    }
    assert_eq!(
        sim.handle.counters().logins(),
        1,
        "the token was shared over TLS"
    );
    // Without the CA the certificate is not trusted: the command says so and goes on
    // with its own token (never a plain-text connection: the server has none).
    let mut show = sim.meeting();
    show.args(["show", CONF])
        .env("MEETING_TOKEN_STORE", redis.url(0));
    let out = run(show);
    assert!(
        stderr(&out).contains("TLS certificate is not trusted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sim.handle.counters().logins(), 2);
}
