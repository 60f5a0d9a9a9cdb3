//! The fleet's figures: release `meeting watch --all --publish` processes as replicas,
//! a real Redis (Debian's `redis-server` on a loopback port) and the simulator in this
//! process, every setting at its default (a 5 s lease) but the discovery interval.
//!
//! In one run, printed as they are measured:
//! - `memory`: one replica's resident memory watching nothing, then watching
//!   `--meetings` meetings; the difference per meeting.
//! - `throughput`: `--replicas` replicas share the meetings; the simulator makes
//!   `--rate` changes per second for `--seconds`; the entries added to the stream per
//!   second while it does, the changes actually made per second, and how long the
//!   stream took to catch up after the traffic stopped.
//! - `takeover`: one replica killed (SIGKILL), then one stopped (SIGTERM): how long
//!   until each of their meetings is held and watched by a survivor.
//!
//! Output lines start with `bench:` and are JSON after it. It reports; it asserts no
//! timing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use meeting_sim::redis_server::RedisServer;
use meeting_sim::{Seed, SimHandle, Simulator, Traffic};

const HOST: &str = "112233";
const ENTERPRISE: &str = "bench";
const STREAM: &str = "meeting:fleet:{bench}:events";
const FIRST_ID: u64 = 700_000_001;

struct Options {
    meetings: u32,
    replicas: usize,
    rate: f64,
    seconds: u64,
}

fn options() -> Options {
    let mut options = Options {
        meetings: 200,
        replicas: 3,
        rate: 40_000.0,
        seconds: 10,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match arg {
            "--meetings" => options.meetings = value().parse().expect("--meetings N"),
            "--replicas" => options.replicas = value().parse().expect("--replicas N"),
            "--rate" => options.rate = value().parse().expect("--rate CHANGES_PER_SECOND"),
            "--seconds" => options.seconds = value().parse().expect("--seconds N"),
            // What `cargo bench` passes to every bench.
            "--bench" => {}
            other => panic!("unknown argument {other:?}"),
        }
    }
    assert!(options.replicas >= 3, "the takeover needs three replicas");
    options
}

/// A replica process, killed when dropped.
struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Replica {
    fn start(sim: &SimHandle, redis: &RedisServer, passwords: &Path, name: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meeting"))
            .env_clear()
            .env("MEETING_ENDPOINT", sim.base_url())
            .env("MEETING_ACCOUNT", "meeting_admin")
            .env("MEETING_PASSWORD", "Admin-pass-2026")
            .env("MEETING_TOKEN_STORE", redis.url(1))
            .args(["watch", "--all", "--publish", &redis.url(0)])
            .arg("--host-passwords")
            .arg(passwords)
            .args(["--enterprise", ENTERPRISE, "--watcher", name])
            .args(["--discover-every", "1s"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("target/release/meeting runs");
        // Its lines are read (and dropped) so that it never blocks on a full pipe.
        let out = child.stdout.take().expect("its stdout");
        std::thread::spawn(move || BufReader::new(out).lines().map_while(Result::ok).count());
        Self(child)
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.0.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }
}

fn redis_connection(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(redis.url(0))
        .and_then(|c| c.get_connection())
        .expect("redis")
}

/// Who holds the leases of the started meetings, by watcher.
fn holders(c: &mut redis::Connection) -> BTreeMap<String, usize> {
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("meeting:fleet:{bench}:lease:7*")
        .query(c)
        .expect("KEYS");
    let mut by = BTreeMap::new();
    for key in keys {
        let token: Option<String> = redis::cmd("GET").arg(&key).query(c).expect("GET");
        if let Some((watcher, _)) = token.as_deref().and_then(|t| t.rsplit_once(':')) {
            *by.entry(watcher.to_owned()).or_default() += 1;
        }
    }
    by
}

fn stream_length(c: &mut redis::Connection) -> u64 {
    redis::cmd("XLEN").arg(STREAM).query(c).expect("XLEN")
}

/// Waits until every one of `ids` has one socket and `among` hold all their leases,
/// `fair` each at most twice; how long that took.
fn until_watched(
    sim: &SimHandle,
    c: &mut redis::Connection,
    ids: &[String],
    among: &[&str],
    fair: usize,
) -> Duration {
    let started = Instant::now();
    loop {
        let open = sim.all_open_sockets();
        let held = holders(c);
        let by_them: usize = among.iter().filter_map(|w| held.get(*w)).sum();
        if by_them == ids.len()
            && held.values().all(|n| *n <= 2 * fair)
            && ids.iter().all(|id| open.get(id) == Some(&1))
        {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not watched within two minutes: {held:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let sim = runtime
        .block_on(Simulator::new().seed(Seed::example()).start())
        .expect("a simulator");
    let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let mut c = redis_connection(&redis);
    let dir = std::env::temp_dir().join(format!("meeting-fleet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let passwords = dir.join("host-passwords");
    let ids: Vec<String> = (0..u64::from(options.meetings))
        .map(|i| format!("{}", FIRST_ID + i))
        .collect();
    let lines: String = ids.iter().map(|id| format!("{id}={HOST}\n")).collect();
    std::fs::write(&passwords, lines).expect("written");
    std::fs::set_permissions(&passwords, std::fs::Permissions::from_mode(0o600))
        .expect("chmod 600");
    let names: Vec<String> = (0..options.replicas).map(|i| format!("r{i}")).collect();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();

    // Memory: one replica before the meetings start (it watches nothing), then with all.
    let mut replicas = vec![Replica::start(&sim, &redis, &passwords, all[0])];
    std::thread::sleep(Duration::from_secs(3));
    let idle = replicas[0].rss_kib();
    let started = sim.start_meetings(FIRST_ID, options.meetings, HOST);
    assert_eq!(started, ids);
    let alone = until_watched(&sim, &mut c, &ids, &all[..1], ids.len());
    std::thread::sleep(Duration::from_secs(2));
    let watching = replicas[0].rss_kib();
    println!(
        "bench: {{\"mode\":\"memory\",\"meetings\":{},\"watched_after_s\":{:.2},\"rss_idle_kib\":{idle},\"rss_watching_kib\":{watching},\"kib_per_meeting\":{:.1}}}",
        ids.len(),
        alone.as_secs_f64(),
        watching.saturating_sub(idle) as f64 / ids.len() as f64
    );

    // Throughput: the meetings shared, then traffic.
    for name in &all[1..] {
        replicas.push(Replica::start(&sim, &redis, &passwords, name));
    }
    let fair = ids.len().div_ceil(options.replicas);
    let shared = until_watched(&sim, &mut c, &ids, &all, fair);
    let before = stream_length(&mut c);
    let changes_before = sim.counters().changes;
    let traffic = |rate: f64| Traffic {
        rate,
        conferences: ids.clone(),
        max_participants: 8,
        seed: 26,
    };
    sim.start_traffic(traffic(options.rate)).expect("traffic");
    let window = Instant::now();
    std::thread::sleep(Duration::from_secs(options.seconds));
    let added = stream_length(&mut c) - before;
    let made = sim.counters().changes - changes_before;
    let elapsed = window.elapsed().as_secs_f64();
    sim.stop_traffic();
    let stopped = Instant::now();
    let (mut last, mut still_since) = (stream_length(&mut c), Instant::now());
    while still_since.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(10));
        let now = stream_length(&mut c);
        if now != last {
            (last, still_since) = (now, Instant::now());
        }
    }
    let caught_up = still_since.duration_since(stopped);
    let rss: Vec<u64> = replicas.iter().map(Replica::rss_kib).collect();
    println!(
        "bench: {{\"mode\":\"throughput\",\"replicas\":{},\"meetings\":{},\"shared_after_s\":{:.2},\"rate_asked\":{},\"changes_per_s\":{:.0},\"entries_per_s\":{:.0},\"entries_total\":{},\"changes_total\":{},\"caught_up_after_ms\":{},\"replica_rss_kib\":{rss:?}}}",
        options.replicas,
        ids.len(),
        shared.as_secs_f64(),
        options.rate,
        made as f64 / elapsed,
        added as f64 / elapsed,
        last - before,
        sim.counters().changes - changes_before,
        caught_up.as_millis(),
    );

    // Takeover with the default lease, under light traffic.
    sim.start_traffic(traffic(200.0)).expect("traffic");
    replicas[1].signal("KILL");
    let killed = until_watched(
        &sim,
        &mut c,
        &ids,
        &[&[all[0]], &all[2..]].concat(),
        ids.len(),
    );
    replicas[2].signal("TERM");
    let stopped = until_watched(
        &sim,
        &mut c,
        &ids,
        &[&[all[0]], &all[3..]].concat(),
        ids.len(),
    );
    let exited = replicas[2].0.wait().expect("it exits");
    sim.stop_traffic();
    println!(
        "bench: {{\"mode\":\"takeover\",\"lease_s\":5,\"after_sigkill_s\":{:.2},\"after_sigterm_s\":{:.2},\"sigterm_exit\":\"{exited}\"}}",
        killed.as_secs_f64(),
        stopped.as_secs_f64()
    );
    drop(replicas);
    std::fs::remove_dir_all(&dir).ok();
}
