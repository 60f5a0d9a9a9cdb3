//! `meeting watch --all --publish`: five replica processes sharing fifty meetings with
//! generated traffic through a real Redis, two killed with SIGKILL, one stopped with
//! SIGTERM, one paused past its lease, Redis restarted; never two sockets for a meeting
//! (but for the paused replica's, until it runs again), every event once on the stream,
//! and the stream rebuilding the simulator's state after each disruption.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Sim;
use meeting::events::{EventKind, ResyncCause, Snapshot};
use meeting::fleet::StreamEntry;
use meeting_sim::redis_server::RedisServer;
use meeting_sim::{Change, Traffic};

const MEETINGS: u32 = 50;
const HOST: &str = "112233";
const LEASE: Duration = Duration::from_secs(2);

struct Replica {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    /// Where its `/metrics` and `/healthz` are.
    metrics: String,
}

impl Replica {
    /// Its claims (`event` `claimed`), or those that took a meeting over (`taken_over`),
    /// as its `/metrics` counts them and as its lines say.
    fn claims(&self, event: &str) -> (f64, usize) {
        let (status, scrape) = common::get(&self.metrics, "/metrics");
        assert_eq!(status, 200);
        let label = format!("event=\"{event}\"");
        let counted = common::metric(&scrape, "meeting_fleet_leases", &[&label]);
        let said = self
            .lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("claimed "))
            .filter(|l| event == "claimed" || l.ends_with(", taken over"))
            .count();
        (counted, said)
    }

    /// Its claims as its metrics and its lines count them, once both agree (a claim is
    /// counted before its line is printed).
    fn agreed_claims(&self, event: &str) -> usize {
        let asked = Instant::now();
        let (mut counted, mut said) = self.claims(event);
        while counted != said as f64 && asked.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
            (counted, said) = self.claims(event);
        }
        assert_eq!(counted, said as f64, "{event}: {}", self.metrics);
        said
    }
}

/// A failed assertion leaves no replica running behind it.
impl Drop for Replica {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Stops the log reader when dropped, also while a failed assertion unwinds (the scope
/// would otherwise wait for the reader forever).
struct StopReading<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for StopReading<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

fn replica(sim: &Sim, redis: &RedisServer, passwords: &std::path::Path, name: &str) -> Replica {
    replica_with(sim, redis, passwords, name, &[])
}

fn replica_with(
    sim: &Sim,
    redis: &RedisServer,
    passwords: &std::path::Path,
    name: &str,
    extra: &[&str],
) -> Replica {
    let mut child = sim
        .process()
        .env("MEETING_TOKEN_STORE", redis.url(1))
        .args([
            "watch",
            "--all",
            "--publish",
            &redis.url(0),
            "--host-passwords",
        ])
        .arg(passwords)
        .args(["--enterprise", "corp", "--watcher", name, "--lease", "2s"])
        .args(["--discover-every", "500ms", "--metrics-port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("meeting runs");
    // The address of its metrics, from stderr (the rest of which is not read).
    let (found, metrics) = std::sync::mpsc::channel();
    let err = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if line.starts_with("metrics on ")
                && let Some(found) = found.take()
            {
                let _ = found.send(common::metrics_authority(&line));
            }
        }
    });
    let metrics = metrics
        .recv_timeout(Duration::from_secs(20))
        .expect("the metrics line within 20 s");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let out = child.stdout.take().expect("stdout");
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Replica {
        child,
        lines,
        metrics,
    }
}

/// A private host-passwords file in `dir` with [`HOST`] for each of `ids`.
fn host_passwords(dir: &std::path::Path, ids: &[String]) -> std::path::PathBuf {
    let path = dir.join("host-passwords");
    let lines: String = ids.iter().map(|id| format!("{id}={HOST}\n")).collect();
    std::fs::write(&path, lines).expect("written");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path
}

fn signal(replica: &Replica, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &replica.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn redis_connection(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(redis.url(0))
        .and_then(|c| c.get_connection())
        .expect("redis")
}

/// Who holds the leases of the started meetings, by watcher.
fn holders(redis: &RedisServer) -> BTreeMap<String, usize> {
    let mut c = redis_connection(redis);
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("meeting:fleet:{corp}:lease:7*")
        .query(&mut c)
        .expect("KEYS");
    let mut by = BTreeMap::new();
    for key in keys {
        let token: Option<String> = redis::cmd("GET").arg(&key).query(&mut c).expect("GET");
        if let Some((watcher, _)) = token.as_deref().and_then(|t| t.rsplit_once(':')) {
            *by.entry(watcher.to_owned()).or_default() += 1;
        }
    }
    by
}

/// Waits until every meeting has one socket, held by `among` only; fails if a meeting
/// has two sockets (unless `tolerate` says for how long that is allowed). How long it
/// took, and the longest any meeting had two.
fn until_watched_by(
    sim: &Sim,
    redis: &RedisServer,
    ids: &[String],
    among: &[&str],
    within: Duration,
    tolerate: Duration,
) -> (Duration, Duration) {
    let started = Instant::now();
    let mut doubled_since: Option<Instant> = None;
    let mut longest = Duration::ZERO;
    loop {
        let open = sim.handle.all_open_sockets();
        if open.values().any(|n| *n > 1) {
            let since = *doubled_since.get_or_insert_with(Instant::now);
            longest = longest.max(since.elapsed());
            assert!(
                longest <= tolerate,
                "two sockets for a meeting for {longest:?}: {open:?}"
            );
        } else {
            doubled_since = None;
        }
        let held = holders(redis);
        let by_them: usize = among.iter().filter_map(|w| held.get(*w)).sum();
        if by_them == ids.len() && ids.iter().all(|id| open.get(id) == Some(&1)) {
            return (started.elapsed(), longest);
        }
        assert!(
            started.elapsed() < within,
            "not watched within {within:?}: {held:?} {open:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn five_replicas_kill_stop_pause_and_a_redis_restart() {
    let mut redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Sim::start();
    let ids = sim.handle.start_meetings(700_000_001, MEETINGS, HOST);
    let temp = tempfile::tempdir().expect("a temporary directory");
    let passwords = host_passwords(temp.path(), &ids);
    let traffic = Traffic {
        rate: 100.0,
        conferences: ids.clone(),
        max_participants: 6,
        seed: 5,
    };
    sim.handle.start_traffic(traffic.clone()).expect("traffic");
    // The log of changes, read as it grows (the simulator keeps the latest 4,096).
    let log = Arc::new(Mutex::new(Vec::<Change>::new()));
    let reading = Arc::new(std::sync::atomic::AtomicBool::new(true));
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut since = 0u64;
            while reading.load(std::sync::atomic::Ordering::Relaxed) {
                let (changes, next, missed) = sim.handle.changes_since(since);
                assert_eq!(missed, 0, "changes were lost before they were read");
                since = next;
                log.lock().unwrap().extend(changes);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let stop_reading = StopReading(&reading);
        // After each disruption: the traffic stopped and the stream settled, the state
        // rebuilt from the stream equals the simulator's (the Resynced diffs included);
        // then traffic again. How many meetings were resumed so far.
        let quiet = |redis: &RedisServer| {
            sim.handle.stop_traffic();
            let entries = until_consistent(redis, &ids, &sim);
            check(&entries, &log.lock().unwrap(), &ids, Some(&sim));
            sim.handle.start_traffic(traffic.clone()).expect("traffic");
            resumed(&entries)
        };
        let mut replicas: Vec<Replica> = (0..5)
            .map(|i| replica(&sim, &redis, &passwords, &format!("w{i}")))
            .collect();
        let all = ["w0", "w1", "w2", "w3", "w4"];
        let (startup, _) = until_watched_by(
            &sim,
            &redis,
            &ids,
            &all,
            Duration::from_secs(20),
            Duration::ZERO,
        );
        let share = holders(&redis);
        let fair = (MEETINGS as usize).div_ceil(5);
        assert!(
            share.values().all(|n| *n <= 2 * fair),
            "unbalanced: {share:?}"
        );

        // Two killed, once they have published to each of their meetings (a meeting
        // never published to has no former holder to tell of): their meetings are taken
        // over within the lease.
        let resumed_before = resumed(&stream(&redis));
        let published = Instant::now();
        while ["w0", "w1"].iter().any(|w| unpublished(&redis, w) > 0) {
            assert!(
                published.elapsed() < Duration::from_secs(5),
                "not published"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        for replica in &mut replicas[..2] {
            replica.child.kill().expect("killed");
            replica.child.wait().expect("reaped");
        }
        // Their leases outlive them by up to a lease.
        let share = holders(&redis);
        let lost = share.get("w0").unwrap_or(&0) + share.get("w1").unwrap_or(&0);
        let share_of_survivors: usize = ["w2", "w3", "w4"]
            .iter()
            .map(|w| share.get(*w).unwrap_or(&0))
            .sum();
        let (takeover, _) = until_watched_by(
            &sim,
            &redis,
            &ids,
            &all[2..],
            Duration::from_secs(10),
            Duration::ZERO,
        );
        assert!(
            takeover <= LEASE + Duration::from_secs(1),
            "takeover took {takeover:?}"
        );
        // The survivors' metrics count the claims and the takeovers as their lines do,
        // the takeovers are the killed replicas' meetings, and the survivors are healthy.
        let (mut claimed, mut taken_over) = (0, 0);
        for replica in &replicas[2..] {
            claimed += replica.agreed_claims("claimed");
            taken_over += replica.agreed_claims("taken_over");
            assert_eq!(
                common::get(&replica.metrics, "/healthz"),
                (200, "ok\n".to_owned())
            );
        }
        assert!(
            claimed >= share_of_survivors + lost,
            "{claimed} claims, {share_of_survivors} held before and {lost} taken over"
        );
        assert_eq!(taken_over, lost, "takeovers");
        let share = holders(&redis);
        assert!(
            share
                .values()
                .all(|n| *n <= 2 * (MEETINGS as usize).div_ceil(3)),
            "{share:?}"
        );
        let resumed_after = quiet(&redis);
        assert!(
            resumed_after - resumed_before >= lost,
            "{resumed_after} {resumed_before} {lost}"
        );

        // One stopped cleanly: its meetings move within a second, and it says so.
        let moving = share.get("w2").copied().unwrap_or(0);
        signal(&replicas[2], "TERM");
        let (moved, _) = until_watched_by(
            &sim,
            &redis,
            &ids,
            &all[3..],
            Duration::from_secs(5),
            Duration::ZERO,
        );
        let status = replicas[2].child.wait().expect("exits");
        assert!(status.success(), "{status}");
        assert!(moved < Duration::from_secs(1), "moved in {moved:?}");
        let said = replicas[2].lines.lock().unwrap().clone();
        assert!(said.iter().any(|l| l.starts_with("claimed 7")), "{said:?}");
        assert!(
            said.iter()
                .any(|l| l.starts_with("released 7") && l.ends_with("the watcher stopped")),
            "{said:?}"
        );
        let resumed_before = resumed_after;
        let resumed_after = quiet(&redis);
        assert!(resumed_after - resumed_before >= moving);

        // One paused past its lease: the other takes its meetings; the paused one's sockets
        // stay open until it runs again, then close, and it publishes nothing meanwhile.
        let pausing = holders(&redis).get("w3").copied().unwrap_or(0);
        signal(&replicas[3], "STOP");
        std::thread::sleep(LEASE + Duration::from_secs(1));
        let doubled_while_paused = until_taken_from_paused(&sim, &redis, &ids);
        signal(&replicas[3], "CONT");
        let resumed = Instant::now();
        while sim.handle.all_open_sockets().values().any(|n| *n > 1) {
            assert!(
                resumed.elapsed() < LEASE,
                "the paused replica kept its sockets after it resumed"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let doubled_after_resume = resumed.elapsed();
        until_watched_by(
            &sim,
            &redis,
            &ids,
            &all[3..],
            Duration::from_secs(10),
            Duration::ZERO,
        );
        let resumed_before = resumed_after;
        assert!(quiet(&redis) - resumed_before >= pausing);

        // Redis restarted with nothing kept: the holders claim their meetings again and the
        // stream starts over with the whole state.
        let before_restart = stream(&redis);
        redis.restart().expect("redis restarts");
        let (after_restart, _) = until_watched_by(
            &sim,
            &redis,
            &ids,
            &all[3..],
            Duration::from_secs(15),
            Duration::ZERO,
        );
        // The stream starts over: every meeting resumed in it.
        assert!(quiet(&redis) >= ids.len());

        sim.handle.stop_traffic();
        until_consistent(&redis, &ids, &sim);
        // Every metric the dashboard's fleet panels query, in the replicas' scrapes.
        let scraped: BTreeSet<String> = replicas[3..]
            .iter()
            .flat_map(|r| common::scraped(&common::get(&r.metrics, "/metrics").1))
            .collect();
        for (metric, panel) in common::dashboard_metrics() {
            if !metric.starts_with("meeting_webhook_") {
                assert!(
                    scraped.contains(&metric),
                    "{panel}: {metric} not in {scraped:?}"
                );
            }
        }
        for replica in &replicas[3..] {
            signal(replica, "TERM");
        }
        for replica in &mut replicas[3..] {
            assert!(replica.child.wait().expect("exits").success());
        }
        drop(stop_reading);
        reader.join().expect("reader");

        println!(
            "start-up {startup:?}; takeover after SIGKILL {takeover:?}; clean stop moved in {moved:?}; \
         {doubled_while_paused} meetings with two sockets while a replica was paused, for at most {doubled_after_resume:?} after it resumed; \
         watched again {after_restart:?} after a Redis restart; {} entries before it",
            before_restart.len()
        );

        let log = log.lock().unwrap().clone();
        for entries in [&before_restart, &stream(&redis)] {
            check(entries, &log, &ids, None);
        }
        check(&stream(&redis), &log, &ids, Some(&sim));
    });
}

/// Waits until `w4` holds every meeting while `w3` is paused (two sockets allowed: the
/// paused one's); how many meetings have two sockets then.
fn until_taken_from_paused(sim: &Sim, redis: &RedisServer, ids: &[String]) -> usize {
    let started = Instant::now();
    loop {
        let held = holders(redis);
        let open = sim.handle.all_open_sockets();
        if held.get("w4") == Some(&ids.len())
            && ids.iter().all(|id| open.get(id).is_some_and(|n| *n >= 1))
        {
            return open.values().filter(|n| **n > 1).count();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no takeover of a paused replica: {held:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The stream once nothing was added to it for half a second.
/// How many of `watcher`'s meetings it has not published to yet (their publication mark
/// is someone else's, or none).
fn unpublished(redis: &RedisServer, watcher: &str) -> usize {
    let mut c = redis_connection(redis);
    let marks: HashMap<String, String> = redis::cmd("HGETALL")
        .arg("meeting:fleet:{corp}:published")
        .query(&mut c)
        .expect("HGETALL");
    let mine = format!("{watcher}:");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("meeting:fleet:{corp}:lease:7*")
        .query(&mut c)
        .expect("KEYS");
    let mut unpublished = 0;
    for key in keys {
        let lease: Option<String> = redis::cmd("GET").arg(&key).query(&mut c).expect("GET");
        let meeting = key.rsplit(':').next().unwrap_or_default();
        if lease.is_some_and(|l| l.starts_with(&mine))
            && !marks.get(meeting).is_some_and(|m| m.starts_with(&mine))
        {
            unpublished += 1;
        }
    }
    unpublished
}

fn settled(redis: &RedisServer) -> Vec<StreamEntry> {
    let mut c = redis_connection(redis);
    let started = Instant::now();
    let (mut length, mut since) = (0u64, Instant::now());
    while since.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(20));
        let now: u64 = redis::cmd("XLEN")
            .arg("meeting:fleet:{corp}:events")
            .query(&mut c)
            .expect("XLEN");
        if now != length {
            (length, since) = (now, Instant::now());
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the stream did not settle"
        );
    }
    stream(redis)
}

/// The stream once settled and rebuilding the simulator's state (the traffic stopped).
/// A replica that has just claimed a meeting publishes its state once its socket is up,
/// which on a loaded machine can come after the stream was quiet for half a second.
fn until_consistent(redis: &RedisServer, ids: &[String], sim: &Sim) -> Vec<StreamEntry> {
    let started = Instant::now();
    loop {
        let entries = settled(redis);
        let Some(difference) = state_difference(&entries, ids, sim) else {
            return entries;
        };
        assert!(started.elapsed() < Duration::from_secs(20), "{difference}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How many `Resynced { cause: Resumed }` entries: a watcher starting from the
/// published state.
fn resumed(entries: &[StreamEntry]) -> usize {
    entries
        .iter()
        .filter(|e| {
            matches!(
                e.event.kind,
                EventKind::Resynced {
                    cause: ResyncCause::Resumed
                }
            )
        })
        .count()
}

fn stream(redis: &RedisServer) -> Vec<StreamEntry> {
    let mut c = redis_connection(redis);
    let raw: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg("meeting:fleet:{corp}:events")
        .arg("-")
        .arg("+")
        .query(&mut c)
        .expect("XRANGE");
    raw.iter()
        .map(|(id, fields)| {
            StreamEntry::parse(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .unwrap_or_else(|| panic!("entry {id} does not parse"))
        })
        .collect()
}

/// No entry twice, each participant change in the simulator's log, and (with `sim`)
/// the state rebuilt from the entries equal to the simulator's.
fn check(entries: &[StreamEntry], log: &[Change], ids: &[String], sim: Option<&Sim>) {
    let mut seqs = HashSet::new();
    for entry in entries {
        assert!(
            seqs.insert(entry.seq.clone()),
            "published twice: {}",
            entry.seq
        );
    }
    let changed: HashSet<(&str, &str, bool)> = log.iter().filter_map(Change::participant).collect();
    for entry in entries {
        match &entry.event.kind {
            EventKind::ParticipantJoined { participant }
            | EventKind::ParticipantChanged { participant, .. } => {
                let host = participant.id.ends_with(&entry.meeting);
                assert!(
                    host || changed.contains(&(
                        entry.meeting.as_str(),
                        participant.id.as_str(),
                        false
                    )),
                    "{:?} is not in the simulator's log",
                    entry.event
                );
            }
            EventKind::ParticipantLeft { participant } => {
                assert!(
                    changed.contains(&(entry.meeting.as_str(), participant.id.as_str(), true)),
                    "{:?} is not in the simulator's log",
                    entry.event
                );
            }
            _ => {}
        }
    }
    if let Some(difference) = sim.and_then(|sim| state_difference(entries, ids, sim)) {
        panic!("{difference}");
    }
}

/// How the state rebuilt from `entries` first differs from the simulator's, if it does.
fn state_difference(entries: &[StreamEntry], ids: &[String], sim: &Sim) -> Option<String> {
    let mut rebuilt: HashMap<&str, Snapshot> = HashMap::new();
    for entry in entries {
        rebuilt
            .entry(entry.meeting.as_str())
            .or_default()
            .apply(&entry.event.kind);
    }
    for id in ids {
        let view = sim.handle.conference(id).expect("conference");
        let expected: BTreeMap<&str, bool> = view
            .participants
            .iter()
            .map(|p| (p.id.as_str(), p.muted))
            .collect();
        let got: BTreeMap<&str, bool> = rebuilt
            .get(id.as_str())
            .map(|s| {
                s.participants
                    .values()
                    .map(|p| (p.id.as_str(), p.muted.unwrap_or(false)))
                    .collect()
            })
            .unwrap_or_default();
        if got != expected {
            return Some(format!(
                "meeting {id}: rebuilt from the stream {got:?}, the simulator's {expected:?}"
            ));
        }
    }
    None
}

/// The service slow for everyone, scaled to the test's 2 s lease (fence window 1.6 s)
/// and 3 s request timeout: first every request answered after 6 s (no discovery
/// completes), then after 2.5 s (discoveries complete, slowly, each request longer than
/// the fence window). Leases renew through Redis alone: no lease lapses, no meeting
/// is taken over, each keeps exactly one socket throughout; and a meeting started while
/// the service is slow is claimed once a discovery completes.
#[test]
fn a_slow_service_makes_no_lease_lapse() {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Sim::start();
    let ids = sim.handle.start_meetings(760_000_001, MEETINGS, HOST);
    let late = "760000051".to_owned();
    let temp = tempfile::tempdir().expect("a temporary directory");
    let mut everyone = ids.clone();
    everyone.push(late.clone());
    let passwords = host_passwords(temp.path(), &everyone);
    let replicas: Vec<Replica> = (0..5)
        .map(|i| {
            replica_with(
                &sim,
                &redis,
                &passwords,
                &format!("w{i}"),
                &["--timeout", "3s"],
            )
        })
        .collect();
    let all = ["w0", "w1", "w2", "w3", "w4"];
    until_watched_by(
        &sim,
        &redis,
        &ids,
        &all,
        Duration::from_secs(20),
        Duration::ZERO,
    );
    let said = |replicas: &[Replica]| -> Vec<String> {
        replicas
            .iter()
            .flat_map(|r| r.lines.lock().unwrap().clone())
            .collect()
    };
    assert_eq!(
        said(&replicas)
            .iter()
            .filter(|l| l.starts_with("claimed 76"))
            .count(),
        ids.len()
    );
    // Each meeting keeps exactly one socket, sampled while the service is slow.
    let steady = |for_: Duration| {
        let started = Instant::now();
        while started.elapsed() < for_ {
            let open = sim.handle.all_open_sockets();
            for id in &ids {
                assert_eq!(open.get(id), Some(&1), "meeting {id}: {open:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let slow = |ms: u64| meeting_sim::FaultConfig {
        latency_ms: ms,
        ..meeting_sim::FaultConfig::default()
    };
    sim.handle.set_faults(slow(6_000));
    steady(Duration::from_secs(12));
    sim.handle.set_faults(slow(2_500));
    assert_eq!(
        sim.handle.start_meetings(760_000_051, 1, HOST),
        std::slice::from_ref(&late)
    );
    steady(Duration::from_secs(4));
    let (claimed_late, _) = until_watched_by(
        &sim,
        &redis,
        &everyone,
        &all,
        Duration::from_secs(20),
        Duration::ZERO,
    );
    steady(Duration::from_secs(4));
    sim.handle.set_faults(meeting_sim::FaultConfig::default());
    let lines = said(&replicas);
    let released: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("released 76"))
        .collect();
    assert!(released.is_empty(), "{released:?}");
    let claims = lines.iter().filter(|l| l.starts_with("claimed 76")).count();
    assert_eq!(claims, everyone.len(), "takeovers: {lines:?}");
    println!(
        "6 s then 2.5 s per request: 0 lapses, 0 takeovers; the meeting started meanwhile watched {:?} after its start",
        claimed_late + Duration::from_secs(4)
    );
    for replica in &replicas {
        signal(replica, "TERM");
    }
    for mut replica in replicas {
        assert!(replica.child.wait().expect("exits").success());
    }
}

/// `meeting logout --all` on the Redis that a fleet of two replicas and a listener's
/// push memory share with the token store: it forgets the tokens and nothing else (the
/// stream, its consumer group, the leases, the published state, the push markers, key
/// by key), says how many of each kind, and the fleet goes on without a takeover.
#[test]
fn logout_all_forgets_tokens_and_leaves_the_fleet_and_the_push_memory_alone() {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Sim::start();
    let ids = sim.handle.start_meetings(770_000_001, 6, HOST);
    let temp = tempfile::tempdir().expect("a temporary directory");
    let passwords = host_passwords(temp.path(), &ids);
    let shared = redis.url(0);
    let replicas: Vec<Replica> = (0..2)
        .map(|i| {
            replica_with(
                &sim,
                &redis,
                &passwords,
                &format!("w{i}"),
                &["--token-cache", &shared],
            )
        })
        .collect();
    until_watched_by(
        &sim,
        &redis,
        &ids,
        &["w0", "w1"],
        Duration::from_secs(20),
        Duration::ZERO,
    );
    // A listener remembering pushes in the same Redis, one push accepted.
    let key = "logout-test-webhook-key";
    let mut listener = sim
        .process()
        .args(["webhook", "listen", "--port", "0", "--memory", &shared])
        .env("MEETING_WEBHOOK_KEY", key)
        .env("MEETING_WEBHOOK_SUBSCRIBER_ID", common::SUBSCRIBER)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("listens");
    let mut said = BufReader::new(listener.stderr.take().expect("piped")).lines();
    let first = said
        .next()
        .and_then(Result::ok)
        .expect("the listening line");
    let authority = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .expect("an address")
        .to_owned();
    let at_ms = common::now_ms();
    let event = format!(
        r#"{{"event":"meeting.join","timestamp":{at_ms},"payload":{{"meetingInfo":{{"meetingID":"{}"}},"attendeeInfo":{{"participantID":"p1","displayName":"P","joinTime":{at_ms},"leftTime":0,"role":"CHAIR"}}}}}}"#,
        ids[0]
    );
    let body = common::signed_push(key, at_ms, "logout-nonce-1", &event);
    assert_eq!(common::post_to(&authority, &body), 200);
    let mut c = redis_connection(&redis);
    let _: () = redis::cmd("XGROUP")
        .arg(
            &[
                "CREATE",
                "meeting:fleet:{corp}:events",
                "readers",
                "$",
                "MKSTREAM",
            ][..],
        )
        .query(&mut c)
        .expect("XGROUP");
    let keys = |c: &mut redis::Connection| -> Vec<String> {
        let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(c).expect("KEYS");
        keys.sort();
        keys
    };
    let is_token = |k: &str| k.starts_with("meeting:access-") || k.starts_with("meeting:control-");
    let before = keys(&mut c);
    assert!(before.iter().any(|k| is_token(k)), "{before:?}");
    assert!(
        before.iter().any(|k| k.starts_with("meeting:push-")),
        "{before:?}"
    );
    // What must stay: every key but the tokens and the short-lived ones (a lock, a skip).
    let kept: Vec<&String> = before
        .iter()
        .filter(|k| !is_token(k))
        .filter(|k| {
            let ttl: i64 = redis::cmd("PTTL")
                .arg(k.as_str())
                .query(&mut c)
                .expect("PTTL");
            !(0..=10_000).contains(&ttl)
        })
        .collect();
    // (The leases, renewed every lease, are checked by their holders below.)
    for wanted in ["events", "fence", "epoch", "members", "published", "state:"] {
        assert!(
            kept.iter()
                .any(|k| k.starts_with(&format!("meeting:fleet:{{corp}}:{wanted}"))),
            "no {wanted} key: {kept:?}"
        );
    }

    let out = sim
        .process()
        .args(["logout", "--all", "--token-cache", &shared, "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(report["access"].as_u64() >= Some(1), "{report}");
    assert_eq!(
        report["forgotten"].as_u64(),
        Some(report["access"].as_u64().unwrap_or(0) + report["control"].as_u64().unwrap_or(0))
    );
    for k in &kept {
        let exists: bool = redis::cmd("EXISTS")
            .arg(k.as_str())
            .query(&mut c)
            .expect("EXISTS");
        assert!(exists, "logout --all removed {k}");
    }
    let groups: Vec<redis::Value> = redis::cmd("XINFO")
        .arg(&["GROUPS", "meeting:fleet:{corp}:events"][..])
        .query(&mut c)
        .expect("XINFO");
    assert_eq!(groups.len(), 1, "the consumer group survives");
    assert_eq!(holders(&redis).values().sum::<usize>(), ids.len());
    // The fleet goes on: two leases' time later, every meeting still watched by the
    // same replicas, nothing released.
    std::thread::sleep(2 * LEASE);
    until_watched_by(
        &sim,
        &redis,
        &ids,
        &["w0", "w1"],
        Duration::from_secs(5),
        Duration::ZERO,
    );
    for replica in &replicas {
        let lines = replica.lines.lock().unwrap().clone();
        assert!(
            !lines.iter().any(|l| l.starts_with("released 77")),
            "{lines:?}"
        );
    }
    listener.kill().ok();
    listener.wait().ok();
    for replica in &replicas {
        signal(replica, "TERM");
    }
}
