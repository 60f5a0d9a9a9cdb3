//! Replicas of a fleet sharing an enterprise's meetings through a real Redis, against
//! the simulator with generated traffic: never two sockets for one meeting, every
//! meeting watched, the share balanced, meetings moved by a clean stop and taken over
//! after a crash, each event published once, and the stream rebuilding the service's
//! state.

use crate::common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use meeting::events::{EventKind, ResyncCause, Snapshot};
use meeting::fleet::{Fleet, FleetReport, HostPasswords, StreamEntry};
use meeting::store::RedisStore;
use meeting_sim::redis_server::RedisServer;
use meeting_sim::{Change, Seed, SimHandle, Simulator, Traffic};
use secrecy::SecretString;

const MEETINGS: u32 = 30;
const PASSWORD: &str = "112233";
const LEASE: Duration = Duration::from_secs(2);

fn replica(
    sim: &SimHandle,
    store: &RedisStore,
    name: &str,
    passwords: impl HostPasswords,
) -> meeting::fleet::FleetBuilder {
    Fleet::builder(common::client(sim), store, "corp", passwords)
        .watcher(name)
        .lease(LEASE)
        .claim_every(Duration::from_millis(100))
        .discover_every(Duration::from_millis(500))
}

/// A Redis, the simulator with the example seed, and `count` meetings started from ID
/// `first` with [`PASSWORD`].
async fn fixture(first: u64, count: u32) -> (RedisServer, SimHandle, Vec<String>) {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulator::new()
        .seed(Seed::example())
        .start()
        .await
        .expect("sim");
    let ids = sim.start_meetings(first, count, PASSWORD);
    (redis, sim, ids)
}

/// The same host password for each of `ids`.
fn passwords(ids: &[String]) -> HashMap<String, SecretString> {
    ids.iter()
        .map(|id| (id.clone(), SecretString::from(PASSWORD)))
        .collect()
}

/// Samples the open sockets until every one of `ids` has exactly one, failing at once
/// if a meeting ever has two; how long it took.
async fn until_each_watched_once(sim: &SimHandle, ids: &[String], within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let open = sim.all_open_sockets();
        if let Some((id, n)) = open.iter().find(|(_, n)| **n > 1) {
            panic!("meeting {id} has {n} sockets");
        }
        if ids.iter().all(|id| open.get(id) == Some(&1)) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "not every meeting watched within {within:?}: {open:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Who holds the leases of `ids`, by watcher.
async fn holders(redis: &RedisServer, ids: &[String]) -> BTreeMap<String, usize> {
    let client = redis::Client::open(redis.url(0)).expect("url");
    let mut c = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("meeting:fleet:{corp}:lease:*")
        .query_async(&mut c)
        .await
        .expect("KEYS");
    let mut by = BTreeMap::new();
    for key in keys {
        if !ids.iter().any(|id| key.ends_with(&format!(":{id}"))) {
            continue;
        }
        let token: Option<String> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut c)
            .await
            .expect("GET");
        if let Some((watcher, _)) = token.as_deref().and_then(|t| t.rsplit_once(':')) {
            *by.entry(watcher.to_owned()).or_default() += 1;
        }
    }
    by
}

/// How many of `watcher`'s meetings it has not published to yet (their publication mark
/// is someone else's, or none).
async fn unpublished(redis: &RedisServer, watcher: &str, ids: &[String]) -> usize {
    let client = redis::Client::open(redis.url(0)).expect("url");
    let mut c = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let marks: HashMap<String, String> = redis::cmd("HGETALL")
        .arg("meeting:fleet:{corp}:published")
        .query_async(&mut c)
        .await
        .expect("HGETALL");
    let mine = format!("{watcher}:");
    let mut unpublished = 0;
    for id in ids {
        let lease: Option<String> = redis::cmd("GET")
            .arg(format!("meeting:fleet:{{corp}}:lease:{id}"))
            .query_async(&mut c)
            .await
            .expect("GET");
        if lease.is_some_and(|l| l.starts_with(&mine))
            && !marks.get(id).is_some_and(|m| m.starts_with(&mine))
        {
            unpublished += 1;
        }
    }
    unpublished
}

async fn stream(redis: &RedisServer) -> Vec<StreamEntry> {
    let client = redis::Client::open(redis.url(0)).expect("url");
    let mut c = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let raw: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg("meeting:fleet:{corp}:events")
        .arg("-")
        .arg("+")
        .query_async(&mut c)
        .await
        .expect("XRANGE");
    raw.iter()
        .map(|(id, fields)| {
            StreamEntry::parse(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .unwrap_or_else(|| panic!("entry {id} does not parse"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_meetings_take_over_and_publish_each_event_once() {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulator::new()
        .seed(Seed::example())
        .start()
        .await
        .expect("sim");
    let ids = sim.start_meetings(700_000_001, MEETINGS, PASSWORD);
    sim.start_traffic(Traffic {
        rate: 150.0,
        conferences: ids.clone(),
        max_participants: 6,
        seed: 26,
    })
    .expect("traffic");
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let mut fleets = Vec::new();
    for i in 0..3 {
        fleets.push(
            replica(&sim, &store, &format!("w{i}"), passwords(&ids))
                .start()
                .await
                .expect("starts"),
        );
    }
    // Start-up: the first lease after Redis starts empty is for former holders only.
    let startup = until_each_watched_once(&sim, &ids, Duration::from_secs(15)).await;
    let share = holders(&redis, &ids).await;
    let fair = (MEETINGS as usize).div_ceil(3);
    assert_eq!(
        share.values().sum::<usize>(),
        MEETINGS as usize,
        "{share:?}"
    );
    assert!(
        share.values().all(|n| *n <= 2 * fair),
        "unbalanced: {share:?}"
    );
    // The example seed's two meetings have no password here: reported, not watched.
    let mut refused = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while refused.len() < 2 && Instant::now() < deadline {
        for fleet in &mut fleets {
            while let Ok(Some(report)) =
                tokio::time::timeout(Duration::from_millis(20), fleet.next_report()).await
            {
                if let FleetReport::Refused { meeting, .. } = report {
                    refused.insert(meeting);
                }
            }
        }
    }
    assert!(
        refused.contains("914083136") && refused.contains("900244663"),
        "{refused:?}"
    );
    assert!(sim.open_sockets("914083136") == 0);

    // A clean stop: its meetings move within a second.
    let mut stopped = fleets.remove(0);
    let moved_at = Instant::now();
    let stats = stopped.stop().await;
    assert!(stats.claimed > 0 && stats.taken_over == 0, "{stats:?}");
    let moved = until_each_watched_once(&sim, &ids, Duration::from_secs(5)).await;
    assert!(moved < Duration::from_secs(1), "{moved:?}");
    let _ = moved_at;

    // A crash once it has published to each of its meetings: nothing given back; the
    // lease runs out and the survivor takes over, and says so of each meeting.
    let crashed = fleets.remove(0);
    let published = Instant::now();
    while unpublished(&redis, "w1", &ids).await > 0 {
        assert!(
            published.elapsed() < Duration::from_secs(5),
            "w1 published nothing"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let lost = holders(&redis, &ids).await.get("w1").copied().unwrap_or(0);
    let crashed_at = Instant::now();
    drop(crashed);
    loop {
        let all = holders(&redis, &ids).await.get("w2") == Some(&(MEETINGS as usize));
        if all {
            until_each_watched_once(&sim, &ids, Duration::from_secs(5)).await;
            break;
        }
        assert!(
            crashed_at.elapsed() < Duration::from_secs(10),
            "no takeover"
        );
        let open = sim.all_open_sockets();
        assert!(open.values().all(|n| *n <= 1), "{open:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let takeover = crashed_at.elapsed();
    assert!(
        lost > 0 && takeover < LEASE + Duration::from_secs(1),
        "{takeover:?}"
    );
    println!(
        "start-up {startup:?}, clean stop moved in {moved:?}, takeover of {lost} in {takeover:?}"
    );

    // Quiet: every change made has reached the stream.
    sim.stop_traffic();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let entries = stream(&redis).await;
    let mut seqs = HashSet::new();
    for entry in &entries {
        assert!(
            seqs.insert(entry.seq.clone()),
            "published twice: {}",
            entry.seq
        );
    }
    let (changes, _, missed) = sim.changes_since(0);
    assert_eq!(missed, 0);
    let changed: HashSet<(&str, &str, bool)> =
        changes.iter().filter_map(Change::participant).collect();
    let mut rebuilt: BTreeMap<String, Snapshot> = BTreeMap::new();
    let mut resumed: HashMap<String, usize> = HashMap::new();
    for entry in &entries {
        let kind = &entry.event.kind;
        match kind {
            EventKind::ParticipantJoined { participant }
            | EventKind::ParticipantChanged { participant, .. } => {
                // Entries from the start of a stream describe seeded hosts too.
                let seeded = participant.id.ends_with(&entry.meeting);
                assert!(
                    seeded
                        || changed.contains(&(
                            entry.meeting.as_str(),
                            participant.id.as_str(),
                            false
                        )),
                    "{kind:?} not in the simulator's changes"
                );
            }
            EventKind::ParticipantLeft { participant } => {
                assert!(
                    changed.contains(&(entry.meeting.as_str(), participant.id.as_str(), true)),
                    "{kind:?} not in the simulator's changes"
                );
            }
            EventKind::Resynced {
                cause: ResyncCause::Resumed,
            } => *resumed.entry(entry.meeting.clone()).or_default() += 1,
            _ => {}
        }
        rebuilt
            .entry(entry.meeting.clone())
            .or_default()
            .apply(kind);
    }
    // Every meeting changed hands at least once (stop, crash): each has a Resynced.
    assert!(
        ids.iter()
            .all(|id| resumed.get(id).copied().unwrap_or(0) >= 1),
        "{resumed:?}"
    );
    for id in &ids {
        let view = sim.conference(id).expect("conference");
        let expected: BTreeMap<String, bool> = view
            .participants
            .iter()
            .map(|p| (p.id.clone(), p.muted))
            .collect();
        let got: BTreeMap<String, bool> = rebuilt[id]
            .participants
            .values()
            .map(|p| (p.id.clone(), p.muted.unwrap_or(false)))
            .collect();
        assert_eq!(got, expected, "meeting {id}");
    }
    // Only the crashed replica's meetings were taken over; the stopped one's were given.
    let mut last = fleets.remove(0);
    let stats = last.stop().await;
    assert_eq!(stats.taken_over, lost as u64, "{stats:?}");
    assert!(holders(&redis, &ids).await.is_empty());
}

/// A meeting started with StartMeeting: the simulator's signed `meeting.started` push,
/// through the axum receiver, hands it to the fleet: claimed at the next claim round, long before the next discovery
/// (an hour away here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_start_is_claimed_without_waiting_for_discovery() {
    use meeting::webhook::{PushKind, Receiver, Verifier};
    use std::sync::{Arc, Mutex};

    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulator::new()
        .seed(Seed::example())
        .start()
        .await
        .expect("sim");
    let client = common::client(&sim);
    let created: Arc<Mutex<HashMap<String, SecretString>>> = Arc::default();
    let passwords = {
        let created = created.clone();
        move |id: &str| created.lock().expect("lock").get(id).cloned()
    };
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let mut fleet = replica(&sim, &store, "w0", passwords)
        .discover_every(Duration::from_secs(3600))
        .start()
        .await
        .expect("starts");

    // The push receiver, on a loopback port, telling the fleet of starts.
    let (subscriber, key) = ("12345678", "fleet-webhook-key");
    let starts = fleet.starts();
    let pushes = meeting::webhook::axum::router(
        Receiver::new(Verifier::new(subscriber, key).expect("a usable key")),
        move |event| {
            let starts = starts.clone();
            async move {
                if event.kind == PushKind::MeetingStarted {
                    starts.meeting_started(event.meeting);
                }
                Ok::<(), std::convert::Infallible>(())
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
    tokio::spawn(
        async move { axum::serve(listener, axum::Router::new().nest("/hooks", pushes)).await },
    );
    common::enable_webhook(&client, &url, subscriber, key).await;

    // The first lease after Redis starts empty is for former holders only: once the
    // seed's two meetings (no password here) are refused, the fleet claims freely.
    let mut refused = 0;
    while refused < 2 {
        match tokio::time::timeout(Duration::from_secs(10), fleet.next_report()).await {
            Ok(Some(FleetReport::Refused { .. })) => refused += 1,
            Ok(Some(_)) => {}
            other => panic!("the seed's meetings were not refused: {other:?}"),
        }
    }

    // A meeting created, then started with StartMeeting: the push does the rest.
    let meeting = client
        .create_meeting(&meeting::NewMeeting::new("Pushed"))
        .await
        .expect("created");
    let password = meeting.expose_host_password().expect("a host password");
    created
        .lock()
        .expect("lock")
        .insert(meeting.id.clone(), SecretString::from(password.to_owned()));
    let joined = Instant::now();
    let region = meeting
        .conference()
        .with_host_password(password)
        .start()
        .await
        .expect("started");
    assert_eq!(region.as_deref(), Some(meeting_sim::REGION_IP));
    let ids = [meeting.id.clone()];
    let took = until_each_watched_once(&sim, &ids, Duration::from_secs(5)).await;
    assert!(took < Duration::from_secs(1), "{took:?}");
    loop {
        match tokio::time::timeout(Duration::from_secs(5), fleet.next_report()).await {
            Ok(Some(FleetReport::Claimed { meeting: id, .. })) if id == meeting.id => break,
            Ok(Some(_)) => {}
            other => panic!("no claim of {} reported: {other:?}", meeting.id),
        }
    }
    assert!(joined.elapsed() < Duration::from_secs(5));
    fleet.stop().await;
}

/// Redis's clock in ms.
async fn redis_now_ms(c: &mut redis::aio::MultiplexedConnection) -> i64 {
    let (secs, micros): (i64, i64) = redis::cmd("TIME").query_async(c).await.expect("TIME");
    secs * 1000 + micros / 1000
}

async fn redis_connection(redis: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url(0))
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("redis")
}

/// Reads `fleet`'s reports until one matches, within `within`.
async fn report_until(
    fleet: &mut Fleet,
    within: Duration,
    want: impl Fn(&FleetReport) -> bool,
) -> FleetReport {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, fleet.next_report()).await {
            Ok(Some(report)) if want(&report) => return report,
            Ok(Some(_)) => {}
            other => panic!("no such report within {within:?}: {other:?}"),
        }
    }
}

/// Why `fleet` released `meeting`, from its reports, within `within`.
async fn released(fleet: &mut Fleet, meeting: &str, within: Duration) -> String {
    let report = report_until(
        fleet,
        within,
        |r| matches!(r, FleetReport::Released { meeting: m, .. } if m == meeting),
    )
    .await;
    match report {
        FleetReport::Released { why, .. } => why,
        other => panic!("not a release: {other:?}"),
    }
}

/// Entries of `meeting` on the stream whose event matches.
async fn entries_of(
    redis: &RedisServer,
    meeting: &str,
    want: impl Fn(&EventKind) -> bool,
) -> usize {
    stream(redis)
        .await
        .iter()
        .filter(|e| e.meeting == meeting && want(&e.event.kind))
        .count()
}

/// A meeting ended and started again five times (personal meeting IDs are reused):
/// every occurrence is watched again and its events reach the stream, whether the
/// replicas hear of the start by a push (which clears the end's skip) or by discovery
/// (the end's skip lasts two discoveries, not ten minutes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_ended_and_started_again_is_watched_every_time() {
    let (redis, sim, ids) = fixture(730_000_001, 3).await;
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let mut fleets = Vec::new();
    for i in 0..3 {
        fleets.push(
            replica(&sim, &store, &format!("w{i}"), passwords(&ids))
                .start()
                .await
                .expect("starts"),
        );
    }
    until_each_watched_once(&sim, &ids, Duration::from_secs(15)).await;
    let id = ids[0].clone();
    let conference = common::client(&sim)
        .conference(id.clone())
        .with_host_password(PASSWORD);
    let number: u64 = id.parse().expect("a number");
    let started = Instant::now();
    for round in 0..5u32 {
        conference.stop().await.expect("stops");
        let ended = Instant::now();
        while entries_of(&redis, &id, |k| matches!(k, EventKind::Ended)).await <= round as usize {
            assert!(ended.elapsed() < Duration::from_secs(5), "no end published");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            sim.start_meetings(number, 1, PASSWORD),
            std::slice::from_ref(&id)
        );
        if round % 2 == 0 {
            for fleet in &fleets {
                fleet.meeting_started(id.clone());
            }
        }
        let again = until_each_watched_once(&sim, &ids, Duration::from_secs(10)).await;
        let who = format!("round-{round}");
        assert!(sim.join(&id, meeting_sim::ParticipantSeed::client(who.clone(), "R")));
        let joined = Instant::now();
        while entries_of(
            &redis,
            &id,
            |k| matches!(k, EventKind::ParticipantJoined { participant } if participant.id == who),
        )
        .await
            == 0
        {
            assert!(
                joined.elapsed() < Duration::from_secs(5),
                "round {round}: the join did not reach the stream"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        println!(
            "round {round}: watched again {again:?} after the start ({})",
            if round % 2 == 0 {
                "pushed"
            } else {
                "discovered"
            }
        );
    }
    assert!(started.elapsed() < Duration::from_secs(60));
    for fleet in &mut fleets {
        let stats = fleet.stop().await;
        assert_eq!(stats.lapsed, 0, "{stats:?}");
        while let Some(report) = fleet.next_report().await {
            if let FleetReport::Refused { meeting, why } = report {
                assert_ne!(meeting, id, "refused: {why}");
            }
        }
    }
}

/// A start pushed before the service reports the meeting in progress (MMC.111072005):
/// tried again with backoff, not taken as a refusal; watched once it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_pushed_before_the_meeting_runs_is_tried_again() {
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulator::new()
        .seed(Seed::example())
        .start()
        .await
        .expect("sim");
    // The example's scheduled meeting and its host password.
    let id = "914087436".to_owned();
    let passwords: HashMap<String, SecretString> =
        HashMap::from([(id.clone(), SecretString::from("000000"))]);
    let store = RedisStore::new(&redis.url(0)).expect("url");
    // Durations as large as they come: a lease is refused, a discovery interval
    // saturates (one discovery at the start, then pushes alone).
    let refused = replica(&sim, &store, "w0", passwords.clone())
        .lease(Duration::MAX)
        .start()
        .await
        .expect_err("refused");
    assert!(refused.to_string().contains("at most 10 min"), "{refused}");
    let mut fleet = replica(&sim, &store, "w0", passwords)
        .discover_every(Duration::MAX)
        .start()
        .await
        .expect("starts");
    fleet.meeting_started(id.clone());
    let why = released(&mut fleet, &id, Duration::from_secs(10)).await;
    assert!(why.contains("not in progress yet (try 1 of 6)"), "{why}");
    // Now it runs: the next try, a second or two later, watches it.
    assert!(sim.join(&id, meeting_sim::ParticipantSeed::client("alice", "Alice")));
    until_each_watched_once(&sim, std::slice::from_ref(&id), Duration::from_secs(10)).await;
    fleet.stop().await;
    let mut claims = 0;
    while let Some(report) = fleet.next_report().await {
        match report {
            FleetReport::Claimed { meeting, .. } if meeting == id => claims += 1,
            FleetReport::Refused { meeting, why } if meeting == id => panic!("refused: {why}"),
            _ => {}
        }
    }
    assert_eq!(claims, 1, "claimed once more, when it ran");
}

/// An epoch ahead of Redis's clock (a failover to a server whose clock is behind, a
/// clock stepped back) does not keep the fleet "young": a replica that never held a
/// meeting claims at once, and the epoch moves back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_epoch_ahead_of_the_redis_clock_does_not_block_claims() {
    let (redis, sim, ids) = fixture(740_000_001, 3).await;
    let mut c = redis_connection(&redis).await;
    let ahead = redis_now_ms(&mut c).await + 3_600_000;
    let _: () = redis::cmd("SET")
        .arg("meeting:fleet:{corp}:epoch")
        .arg(ahead)
        .query_async(&mut c)
        .await
        .expect("SET");
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let mut fleet = replica(&sim, &store, "fresh", passwords(&ids))
        .start()
        .await
        .expect("starts");
    // Young, it could not claim for an hour; the lease is 2 s.
    until_each_watched_once(&sim, &ids, Duration::from_secs(5)).await;
    let epoch: i64 = redis::cmd("GET")
        .arg("meeting:fleet:{corp}:epoch")
        .query_async(&mut c)
        .await
        .expect("GET");
    assert!(epoch <= redis_now_ms(&mut c).await, "{epoch} {ahead}");
    fleet.stop().await;
}

/// A stream key of another type (WRONGTYPE on every publication): the publisher gives
/// the meeting up after the fence window, says why, and every replica leaves it alone
/// for a while instead of holding it with nothing published.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publisher_that_cannot_publish_gives_its_meeting_up_and_says_why() {
    let (redis, sim, ids) = fixture(750_000_001, 1).await;
    let mut c = redis_connection(&redis).await;
    let _: () = redis::cmd("SET")
        .arg("meeting:fleet:{corp}:events")
        .arg("not a stream")
        .query_async(&mut c)
        .await
        .expect("SET");
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let mut fleet = replica(&sim, &store, "w0", passwords(&ids))
        .start()
        .await
        .expect("starts");
    let id = ids[0].clone();
    let why = released(&mut fleet, &id, Duration::from_secs(15)).await;
    assert!(why.contains("publishing failed for"), "{why}");
    assert!(why.contains("WRONGTYPE"), "{why}");
    // Its lease given back, a skip saying why in its place, for a short while.
    let given_back = Instant::now();
    while !holders(&redis, &ids).await.is_empty() {
        assert!(given_back.elapsed() < Duration::from_secs(2), "still held");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let skip_key = format!("meeting:fleet:{{corp}}:skip:{id}");
    let reason: String = redis::cmd("GET")
        .arg(&skip_key)
        .query_async(&mut c)
        .await
        .expect("GET");
    assert!(reason.starts_with("failed: publishing failed"), "{reason}");
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&skip_key)
        .query_async(&mut c)
        .await
        .expect("PTTL");
    assert!(ttl > 0 && ttl <= 5_000, "{ttl}");
    assert_eq!(sim.all_open_sockets().get(&id), None);
    fleet.stop().await;
}

/// A stream stuck in a reconnection that does not come back (its socket stops
/// answering heartbeats, and the service takes 30 s to answer the reconnection's token
/// call): its lease is not renewed past the stall window, and the meeting is let go,
/// saying why, rather than held with nothing watched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_stream_lets_its_meeting_go() {
    let (redis, sim, ids) = fixture(780_000_001, 1).await;
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let mut fleet = replica(&sim, &store, "w0", passwords(&ids))
        .heartbeat(Duration::from_millis(300))
        .reconnect_backoff(Duration::from_millis(50), Duration::from_millis(200))
        .start()
        .await
        .expect("starts");
    until_each_watched_once(&sim, &ids, Duration::from_secs(15)).await;
    let id = ids[0].clone();
    sim.set_socket_faults(
        &id,
        meeting_sim::SocketFaults {
            silent_heartbeats: true,
            ..meeting_sim::SocketFaults::default()
        },
    );
    sim.set_faults(meeting_sim::FaultConfig {
        latency_ms: 30_000,
        ..meeting_sim::FaultConfig::default()
    });
    let report = report_until(&mut fleet, Duration::from_secs(10), |r| {
        matches!(r, FleetReport::Released { meeting, why } if *meeting == id && why.contains("no sign of life"))
    })
    .await;
    sim.set_faults(meeting_sim::FaultConfig::default());
    let stats = fleet.stop().await;
    assert!(stats.stalled >= 1, "{stats:?} after {report:?}");
    assert_eq!(stats.lapsed, 0, "{stats:?}");
}

/// A server that answers Subscribe and closes at once, for every meeting of a fleet:
/// each stream backs off (never starting over at the first step), so the service sees
/// WebSocket-token and control-token calls per meeting no faster than the backoff
/// allows: its first steps, then one per half of its cap at most.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_against_a_server_that_closes_after_subscribe_backs_off() {
    let (redis, sim, ids) = fixture(790_000_001, 3).await;
    let store = RedisStore::new(&redis.url(0)).expect("url");
    let (first, cap) = (Duration::from_millis(10), Duration::from_millis(160));
    let mut fleet = replica(&sim, &store, "w0", passwords(&ids))
        .reconnect_backoff(first, cap)
        .start()
        .await
        .expect("starts");
    until_each_watched_once(&sim, &ids, Duration::from_secs(15)).await;
    let calls = |sim: &SimHandle| {
        let counters = sim.counters();
        (
            counters.requests_for("CreateConfToken"),
            counters.requests_for("CreateWebSocketToken"),
        )
    };
    for id in &ids {
        sim.set_socket_faults(
            id,
            meeting_sim::SocketFaults {
                close_after_subscribe: true,
                ..meeting_sim::SocketFaults::default()
            },
        );
    }
    let before = calls(&sim);
    let started = Instant::now();
    for id in &ids {
        sim.drop_sockets(id);
    }
    // An observation window: the bound below is an upper one, which a slow machine
    // only makes easier to meet.
    let window = Duration::from_secs(3);
    tokio::time::sleep(window).await;
    let after = calls(&sim);
    let elapsed = started.elapsed();
    // Five doubling steps to the cap, then one attempt per half cap at most.
    let per_meeting = 5 + (elapsed.as_millis() / (cap / 2).as_millis()) as u64 + 1;
    let most = per_meeting * ids.len() as u64;
    let (control, websocket) = (after.0 - before.0, after.1 - before.1);
    assert!(
        websocket <= most && control <= most,
        "{websocket} WebSocket-token and {control} control-token calls in {elapsed:?} for {} meetings (at most {most})",
        ids.len()
    );
    assert!(websocket >= ids.len() as u64, "the streams did try again");
    println!(
        "{websocket} WebSocket-token and {control} control-token calls in {elapsed:?} for {} meetings (bound {most})",
        ids.len()
    );
    let stats = fleet.stop().await;
    assert_eq!(stats.lapsed, 0, "{stats:?}");
}

/// A replica's metrics say what it did: its claims as its stats count them, the leases
/// it holds (none once stopped), and as many entries published as the stream has; its
/// health check fails while Redis does not answer.
#[test]
fn a_replica_counts_its_claims_leases_and_entries_and_says_when_it_is_unhealthy() {
    use metrics_util::debugging::DebugValue;
    fn value<'a>(snapshot: &'a HashMap<String, DebugValue>, name: &str) -> &'a DebugValue {
        snapshot
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {snapshot:?}"))
    }
    common::recording(async |recorded| {
        let (redis, sim, ids) = fixture(790_000_001, 3).await;
        let store = RedisStore::new(&redis.url(0)).expect("url");
        let mut fleet = replica(&sim, &store, "w0", passwords(&ids))
            .start()
            .await
            .expect("starts");
        until_each_watched_once(&sim, &ids, Duration::from_secs(10)).await;
        // Each meeting's whole state is published once it is watched.
        let started = Instant::now();
        while stream(&redis).await.len() < ids.len() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nothing published"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let running = recorded.read();
        let DebugValue::Gauge(held) = value(&running, "meeting.fleet.leases.held{}") else {
            panic!("held is a gauge");
        };
        // The example's own meetings are claimed too (and let go: no password).
        assert!(held.into_inner() >= 3.0, "{held:?}");
        // Healthy while Redis answers; not once it has not for a lease; healthy
        // again when it answers again; not once stopped.
        let health = fleet.health();
        assert_eq!(health.check(), Ok(()));
        redis.pause().expect("paused");
        let paused = Instant::now();
        while health.check().is_ok() {
            assert!(paused.elapsed() < LEASE * 3, "still healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Renewed every third of a lease: the last answer came at most that long
        // before the pause.
        assert!(paused.elapsed() >= LEASE * 2 / 3, "unhealthy too early");
        let unhealthy = health.check().expect_err("unhealthy");
        assert!(unhealthy.contains("Redis has not answered"), "{unhealthy}");
        redis.resume().expect("resumed");
        let resumed = Instant::now();
        while health.check().is_err() {
            assert!(resumed.elapsed() < LEASE * 3, "still unhealthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let stats = fleet.stop().await;
        assert_eq!(health.check(), Err("the replica stopped".to_owned()));
        let entries = stream(&redis).await.len() as u64;
        let stopped = recorded.read();
        // A snapshot takes the counts since the one before.
        let counted = |name: &str| {
            [&running, &stopped]
                .iter()
                .flat_map(|snapshot| snapshot.iter())
                .map(|(key, value)| match value {
                    DebugValue::Counter(n) if key == name => *n,
                    _ => 0,
                })
                .sum::<u64>()
        };
        assert_eq!(
            counted("meeting.fleet.leases{event=claimed}"),
            stats.claimed
        );
        assert_eq!(
            value(&stopped, "meeting.fleet.leases.held{}"),
            &DebugValue::Gauge(0.0.into())
        );
        // Exact unless a publication was given up while Redis was paused: Redis may
        // still have run that call once it resumed.
        let (published, abandoned) = (
            counted("meeting.fleet.published{}"),
            counted("meeting.fleet.publish.abandoned{}"),
        );
        assert!(
            published <= entries && entries <= published + abandoned,
            "{published} published, {abandoned} abandoned, {entries} in the stream"
        );
        let DebugValue::Histogram(lags) = value(&running, "meeting.fleet.publish.lag{}") else {
            panic!("the lag is a histogram");
        };
        assert!(!lags.is_empty() && lags.iter().all(|s| s.into_inner() < 10.0));
    });
}
