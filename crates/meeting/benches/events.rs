//! The event stream's figures. `cargo xtask bench` runs each mode in a fresh process
//! against a release simulator; alone, a mode without `--endpoint` starts one in this
//! process (its work is then in the figures).
//!
//! Modes (first argument):
//! - `latency`: `--changes` sequential changes (mute, unmute) of one participant; for
//!   each, the time from sending its REST request to its event reaching the consumer.
//!   Prints p50, p99 and the largest, in microseconds.
//! - `throughput`: a replayer in this process (the token calls and a WebSocket on
//!   loopback, no simulator) sends `--frames` pre-encoded incremental participant
//!   frames; prints the frames decoded and merged per second, and the events the
//!   consumer read per second.
//! - `watchers`: `--meetings` meetings of 5 participants each, seeded into the
//!   simulator (`--ca FILE` for its TLS certificate), all watched at once by this
//!   process; prints its memory per watched meeting and its CPU while idle for
//!   `--idle-secs` (heartbeats only).
//! - `sockets`: `--meetings` bare WebSockets to the simulator, opened by tungstenite
//!   with its default buffers and with the stream's: what the defaults would cost.
//!
//! Output lines start with `bench:` and are JSON after it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use meeting::events::{EventKind, EventStream};
use meeting::{Client, Credentials};
use meeting_sim::{ConferenceSeed, ConferenceState, ParticipantSeed, Seed, Simulator};

/// Counts the bytes allocated and not freed, to tell what the streams hold from what
/// the allocator keeps.
struct Counting;

static LIVE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        LIVE.fetch_add(size as i64 - layout.size() as i64, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { std::alloc::System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;
use meeting_sim::example::{CONFERENCE as CONF, LAPTOP};

struct Options {
    mode: String,
    endpoint: Option<String>,
    ca: Option<String>,
    changes: usize,
    frames: usize,
    meetings: usize,
    idle_secs: u64,
}

fn options() -> Options {
    let mut options = Options {
        mode: "latency".into(),
        endpoint: None,
        ca: None,
        changes: 10_000,
        frames: 200_000,
        meetings: 1_000,
        idle_secs: 10,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(arg) = args.next() {
        let mut number =
            |default: usize| args.next().and_then(|v| v.parse().ok()).unwrap_or(default);
        match arg.as_str() {
            "--endpoint" => options.endpoint = args.next(),
            "--ca" => options.ca = args.next(),
            "--changes" => options.changes = number(options.changes),
            "--frames" => options.frames = number(options.frames),
            "--meetings" => options.meetings = number(options.meetings),
            "--idle-secs" => options.idle_secs = number(options.idle_secs as usize) as u64,
            mode if !mode.starts_with('-') => options.mode = mode.to_owned(),
            _ => {}
        }
    }
    options
}

fn client(endpoint: &str, ca: Option<&str>) -> Client {
    let mut builder = Client::builder()
        .endpoint(endpoint)
        .credentials(Credentials::account("meeting_admin", "Admin-pass-2026"));
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).expect("the simulator's CA");
        builder = builder.add_root_certificate_pem(&pem).expect("a PEM");
    }
    builder.build().expect("a client")
}

/// Reads until the initial snapshot is in.
async fn settle(events: &mut EventStream, participants: usize) {
    while events.snapshot().participants.len() < participants || events.snapshot().status.is_none()
    {
        match events.next().await {
            Some(Ok(_)) => {}
            other => panic!("the stream stopped: {other:?}"),
        }
    }
}

async fn latency(endpoint: &str, changes: usize) {
    let meeting = client(endpoint, None)
        .conference(CONF)
        .with_host_password("654321");
    let mut events = meeting.events().await.expect("starts");
    settle(&mut events, 2).await;
    let laptop = meeting.participant(LAPTOP);
    let mut micros = Vec::with_capacity(changes);
    for i in 0..changes {
        let started = Instant::now();
        let muted = i % 2 == 0;
        let (sent, seen) = tokio::join!(
            async {
                if muted {
                    laptop.mute().await
                } else {
                    laptop.unmute().await
                }
            },
            async {
                loop {
                    match events.next().await {
                        Some(Ok(event)) => {
                            if let EventKind::ParticipantChanged { participant, .. } = event.kind
                                && participant.muted == Some(muted)
                            {
                                return started.elapsed();
                            }
                        }
                        other => panic!("the stream stopped: {other:?}"),
                    }
                }
            }
        );
        sent.expect("the change");
        micros.push(seen.as_micros() as u64);
    }
    micros.sort_unstable();
    let at = |q: f64| micros[((micros.len() as f64 * q) as usize).min(micros.len() - 1)];
    println!(
        "bench: {{\"mode\":\"latency\",\"changes\":{changes},\"p50_us\":{},\"p99_us\":{},\"max_us\":{}}}",
        at(0.5),
        at(0.99),
        micros.last().copied().unwrap_or(0)
    );
}

/// A stand-in for the service that only replays: the control token (with its wsURL),
/// the WebSocket token, and a socket that answers Subscribe and then sends `frames`.
mod replayer {
    use std::sync::Arc;

    use axum::Router;
    use axum::extract::ws::{Message, WebSocketUpgrade};
    use axum::routing::get;
    use serde_json::json;

    pub async fn start(frames: Arc<Vec<String>>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let origin = format!("127.0.0.1:{}", listener.local_addr().expect("addr").port());
        let ws_url = format!("ws://{origin}");
        let app = Router::new()
            .route(
                "/v1/mmc/control/conferences/token",
                get(move || {
                    let ws_url = ws_url.clone();
                    async move {
                        axum::Json(json!({"data": {
                            "token": "replayer-control-token", "wsURL": ws_url, "role": 1,
                            "confTokenExpireTime": 1800, "supportNotifyType": ["ParticipantsNotify"],
                        }}))
                    }
                }),
            )
            .route(
                "/v1/mmc/control/conferences/wsToken",
                get(|| async { axum::Json(json!({"webSocketToken": "replayer-ws-token"})) }),
            )
            .route(
                "/cms/open/websocket/confctl/increment/conn",
                get(move |upgrade: WebSocketUpgrade| {
                    let frames = frames.clone();
                    async move {
                        upgrade.on_upgrade(move |mut socket| async move {
                            // Subscribe, answered; then the full roster and the frames.
                            let Some(Ok(Message::Text(subscribe))) = socket.recv().await else {
                                return;
                            };
                            let sequence = serde_json::from_str::<serde_json::Value>(&subscribe)
                                .ok()
                                .and_then(|v| v["sequence"].as_str().map(str::to_owned))
                                .unwrap_or_default();
                            let ack = json!({"action": "Subscribe", "sequence": sequence,
                                "data": {"returnCode": 0, "returnDesc ": "SUCCESS"}});
                            let _ = socket.send(Message::Text(ack.to_string().into())).await;
                            for frame in frames.iter() {
                                if socket.send(Message::Text(frame.as_str().into())).await.is_err() {
                                    return;
                                }
                            }
                            // Keep the socket open until the client closes it.
                            while let Some(Ok(_)) = socket.recv().await {}
                        })
                    }
                }),
            );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{origin}")
    }
}

/// The full roster of 1,000 participants, then `frames` incremental changes to them.
fn replay_frames(frames: usize) -> Vec<String> {
    let roster: Vec<serde_json::Value> = (0..1000)
        .map(|i| {
            serde_json::json!({"pid": format!("p{i:04}"), "mode": 0, "pinfoMap": {
                "NAME": format!("Participant {i}"), "ROLE": "0", "MUTE": "0", "HAND": "0",
                "STATE": "0", "ADDTIME": "1764646260000", "CLICENT_LOGIN_TYPE": "Desktop"}})
        })
        .collect();
    let mut all = vec![
        serde_json::json!({"action": "ParticipantsNotify", "version": 1_764_646_260_000_i64,
            "createTime": 1_764_646_260_000_i64, "msgID": "0", "msgMode": 0, "confID": CONF,
            "data": roster})
        .to_string(),
    ];
    all.extend((0..frames).map(|n| {
        serde_json::json!({"action": "ParticipantsNotify", "version": n + 1,
            "createTime": 1_764_646_260_000_i64 + n as i64, "msgID": format!("{n:032x}"),
            "msgMode": 1, "confID": CONF,
            "data": [{"pid": format!("p{:04}", n % 1000), "mode": 0,
                "pinfoMap": {"MUTE": if (n / 1000) % 2 == 0 { "1" } else { "0" }}}]})
        .to_string()
    }));
    all
}

async fn throughput(frames: usize) {
    let endpoint = replayer::start(Arc::new(replay_frames(frames))).await;
    // No credentials: the replayer has no login.
    let meeting = Client::builder()
        .endpoint(&endpoint)
        .build()
        .expect("a client")
        .conference(CONF)
        .with_control_token("replayer-control-token");
    let mut events = meeting
        .events()
        .buffer(frames + 2_000)
        .await
        .expect("starts");
    // The replayer sends no meeting status: the roster is enough.
    while events.snapshot().participants.len() < 1000 {
        events.next().await;
    }
    let started = Instant::now();
    let mut read = 0usize;
    while read < frames {
        match events.next().await {
            Some(Ok(event)) if matches!(event.kind, EventKind::ParticipantChanged { .. }) => {
                read += 1;
            }
            Some(Ok(_)) => {}
            other => panic!("the stream stopped: {other:?}"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = events.stats();
    println!(
        "bench: {{\"mode\":\"throughput\",\"frames\":{frames},\"seconds\":{elapsed:.3},\"frames_per_s\":{:.0},\"gaps\":{},\"duplicates\":{}}}",
        frames as f64 / elapsed,
        stats.gaps,
        stats.duplicates
    );
}

/// The process's resident memory, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The CPU time this process has used so far (all threads, user and system).
fn cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid `timespec` for the call to fill.
    let read = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) } == 0;
    match (read, u64::try_from(now.tv_sec), u32::try_from(now.tv_nsec)) {
        (true, Ok(seconds), Ok(nanos)) => Duration::new(seconds, nanos),
        _ => Duration::ZERO,
    }
}

fn meeting_id(i: usize) -> String {
    format!("97{i:07}")
}

/// Seeds `meetings` ongoing meetings of 5 participants each, through the admin API (in
/// chunks: the simulator takes bodies of at most 64 KiB).
async fn seed(endpoint: &str, ca: Option<&str>, meetings: usize) {
    let mut http = reqwest::Client::builder();
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).expect("the CA");
        http = http.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM"));
    }
    let http = http.build().expect("a client");
    let all: Vec<usize> = (0..meetings).collect();
    for chunk in all.chunks(50) {
        let seed = Seed {
            conferences: chunk
                .iter()
                .map(|&i| {
                    (0..5).fold(
                        ConferenceSeed::new(meeting_id(i), "654321", ConferenceState::Ongoing),
                        |c, p| {
                            c.participant(ParticipantSeed::client(
                                format!("m{i}-p{p}"),
                                format!("Person {p}"),
                            ))
                        },
                    )
                })
                .collect(),
            ..Seed::default()
        };
        let answer = http
            .post(format!("{endpoint}/_sim/seed"))
            .json(&seed)
            .send()
            .await
            .expect("seeds");
        assert!(answer.status().is_success(), "seeding: {}", answer.status());
    }
}

async fn watchers(endpoint: &str, ca: Option<&str>, meetings: usize, idle_secs: u64) {
    seed(endpoint, ca, meetings).await;
    let client = client(endpoint, ca);
    client.login().await.expect("logs in");
    let before = rss_kib();
    let heap_before = LIVE.load(Ordering::Relaxed);
    let started = Instant::now();
    let opened = Arc::new(AtomicUsize::new(0));
    // 32 at a time: a fleet coming up, not a thundering herd.
    let streams: Vec<EventStream> = futures::stream::iter(0..meetings)
        .map(|i| {
            let meeting = client
                .conference(meeting_id(i))
                .with_host_password("654321");
            let opened = opened.clone();
            async move {
                let mut events = meeting.events().await.expect("starts");
                settle(&mut events, 5).await;
                opened.fetch_add(1, Ordering::Relaxed);
                events
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let connect_secs = started.elapsed().as_secs_f64();
    let after = rss_kib();
    let heap = (LIVE.load(Ordering::Relaxed) - heap_before) as f64 / 1024.0 / streams.len() as f64;
    let cpu_before = cpu_time();
    let idle_started = Instant::now();
    tokio::time::sleep(Duration::from_secs(idle_secs)).await;
    let idle_cpu = (cpu_time() - cpu_before).as_secs_f64() / idle_started.elapsed().as_secs_f64();
    let per_meeting = (after.saturating_sub(before)) as f64 / streams.len() as f64;
    println!(
        "bench: {{\"mode\":\"watchers\",\"meetings\":{},\"tls\":{},\"connect_seconds\":{connect_secs:.1},\"rss_before_kib\":{before},\"rss_after_kib\":{after},\"heap_kib_per_meeting\":{heap:.1},\"kib_per_meeting\":{per_meeting:.1},\"idle_cpu_percent\":{:.2},\"idle_seconds\":{idle_secs}}}",
        streams.len(),
        endpoint.starts_with("https"),
        idle_cpu * 100.0
    );
    drop(streams);
}

/// Bare sockets to the simulator, with tungstenite's default buffers and with the
/// stream's: what each costs in this process's memory.
async fn sockets(endpoint: &str, meetings: usize) {
    use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
    let origin = endpoint.replacen("http", "ws", 1);
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .get(format!(
            "{endpoint}/v1/mmc/control/conferences/token?conferenceID={CONF}"
        ))
        .header("X-Password", "654321")
        .header("X-Login-Type", "1")
        .send()
        .await
        .expect("a control token")
        .json()
        .await
        .expect("JSON");
    let control = token["data"]["token"].as_str().expect("a token").to_owned();
    let ours = WebSocketConfig::default()
        .read_buffer_size(4 << 10)
        .write_buffer_size(0);
    for (name, config) in [
        ("tungstenite defaults", WebSocketConfig::default()),
        ("the stream's", ours),
    ] {
        let before = rss_kib();
        let mut open = Vec::with_capacity(meetings);
        for _ in 0..meetings {
            let ws: serde_json::Value = http
                .get(format!(
                    "{endpoint}/v1/mmc/control/conferences/wsToken?conferenceID={CONF}"
                ))
                .header("X-Conference-Authorization", &control)
                .send()
                .await
                .expect("a WebSocket token")
                .json()
                .await
                .expect("JSON");
            let url = format!(
                "{origin}/cms/open/websocket/confctl/increment/conn?confID={CONF}&tmpToken={}",
                ws["webSocketToken"].as_str().expect("a token")
            );
            let tcp = tokio::net::TcpStream::connect(
                origin
                    .trim_start_matches("ws://")
                    .split('/')
                    .next()
                    .expect("host"),
            )
            .await
            .expect("connects");
            let (mut socket, _) =
                tokio_tungstenite::client_async_with_config(url, tcp, Some(config))
                    .await
                    .expect("upgrades");
            // A frame each way, as a subscribed socket has had.
            let _ = socket
                .send(tokio_tungstenite::tungstenite::Message::Text(
                    r#"{"action":"HeartBeat","sequence":"1"}"#.into(),
                ))
                .await;
            let _ = socket.next().await;
            open.push(socket);
        }
        let after = rss_kib();
        println!(
            "bench: {{\"mode\":\"sockets\",\"config\":\"{name}\",\"sockets\":{meetings},\"kib_per_socket\":{:.1}}}",
            after.saturating_sub(before) as f64 / meetings as f64
        );
        for mut socket in open {
            let _ = socket.close(None).await;
        }
    }
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let embedded = match (&options.endpoint, options.mode.as_str()) {
            (_, "throughput") | (Some(_), _) => None,
            (None, _) => Some(
                Simulator::new()
                    .seed(Seed::example())
                    .start()
                    .await
                    .expect("a simulator"),
            ),
        };
        let endpoint = options
            .endpoint
            .clone()
            .or_else(|| embedded.as_ref().map(|sim| sim.base_url().to_owned()))
            .unwrap_or_default();
        match options.mode.as_str() {
            "latency" => latency(&endpoint, options.changes).await,
            "throughput" => throughput(options.frames).await,
            "watchers" => {
                watchers(
                    &endpoint,
                    options.ca.as_deref(),
                    options.meetings,
                    options.idle_secs,
                )
                .await
            }
            "sockets" => sockets(&endpoint, options.meetings).await,
            other => eprintln!("unknown mode {other:?}"),
        }
    });
}
