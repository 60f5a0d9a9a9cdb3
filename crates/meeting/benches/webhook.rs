//! The push receiver's figures: pushes verified and parsed per second on one core (a
//! 600-byte `meeting.join`), and the axum receiver under load from a second thread
//! (pre-signed unique pushes with fresh timestamps, a tenth of them forged, cycled;
//! each accepted event written to /dev/null), accepted and refused per second apart.
//! Prints `bench:` lines; asserts nothing on timing.
//!
//! `cargo bench -p meeting --bench webhook -- [--pushes N] [--seconds S]`

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use meeting::webhook::{InMemory, Receiver, Verifier};
use sha2::Sha256;

use meeting_sim::example::SUBSCRIBER;
const KEY: &str = "bench-webhook-key";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A signed `meeting.join` of about 600 bytes, unique by `n`.
fn join(n: u64, key: &str) -> Vec<u8> {
    let at = now_ms();
    let info = format!(
        r#"{{"event":"meeting.join","timestamp":{at},"payload":{{"meetingInfo":{{"meetingID":"987446316","meetingUUID":"0307e040a1b2c3d4e5f60718293adde8","meetingCycleSubID":"5c3d9e2a7b8f4e1d9c0a6b5e4d3c2b1a"}},"attendeeInfo":{{"userUUID":"f39228ec0a1b2c3d4e5f60718293a2952","userAgent":"WeLink-desktop","account":"yangtest01","participantID":"ebbe4e6c{n:024}","displayName":"yangtest01","joinTime":{at},"leftTime":0,"role":"CHAIR","callNumber":"+86571264265330456"}}}}}}"#
    );
    let nonce = format!("{:08}", n % 100_000_000);
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key");
    mac.update(format!("{SUBSCRIBER}{at}{nonce}{info}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!(
        r#"{{"appID":"{SUBSCRIBER}","timestamp":{at},"nonce":"{nonce}","signature":"{signature}","eventInfo":{info}}}"#
    )
    .into_bytes()
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let pushes = arg("--pushes", 20_000);
    let seconds = arg("--seconds", 2);

    // One core, no I/O: verify and decode.
    let verifier = Verifier::new(SUBSCRIBER, KEY).expect("a usable key");
    let body = join(1, KEY);
    let rounds = 200_000u32;
    let started = Instant::now();
    for _ in 0..rounds {
        let push = verifier.verify(std::hint::black_box(&body)).expect("valid");
        std::hint::black_box(push);
    }
    let per_s = f64::from(rounds) / started.elapsed().as_secs_f64();
    println!(
        "bench: webhook verify+parse: {per_s:.0} pushes/s on one core ({}-byte meeting.join; goal >= 200000)",
        body.len()
    );

    // The axum receiver on one thread, the load from another.
    let accepted = Arc::new(AtomicU64::new(0));
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..pushes)
            .map(|n| join(n, if n % 10 == 9 { "forged" } else { KEY }))
            .collect(),
    );
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let counted = accepted.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let sink = Arc::new(std::sync::Mutex::new(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/null")
                    .expect("/dev/null"),
            ));
            // Room for every push: the default (65,536) would answer 503 past it.
            let receiver = Receiver::new(Verifier::new(SUBSCRIBER, KEY).expect("a usable key"))
                .memory(Arc::new(InMemory::new(pushes as usize)));
            let app = meeting::webhook::axum::router(receiver, move |event| {
                let (sink, counted) = (sink.clone(), counted.clone());
                async move {
                    let line = serde_json::to_string(&event).map_err(|e| e.to_string())?;
                    let mut out = sink.lock().map_err(|_| "poisoned".to_owned())?;
                    writeln!(out, "{line}").map_err(|e| e.to_string())?;
                    counted.fetch_add(1, Ordering::Relaxed);
                    Ok::<(), String>(())
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("binds");
            addr_tx
                .send(listener.local_addr().expect("addr"))
                .expect("sent");
            axum::serve(listener, app).await.expect("serves");
        });
    });
    let addr = addr_rx.recv().expect("the receiver started");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!("http://{addr}/");
    // Each push once: the accepted and refused rates.
    let (ok, refused, other, elapsed) = runtime.block_on(load(&client, &url, &bodies, Load::Once));
    let secs = elapsed.as_secs_f64();
    let accepted_n = accepted.load(Ordering::Relaxed);
    println!(
        "bench: webhook receiver (axum on one thread; load from another, 32 connections, {pushes} pre-signed unique pushes, 1 in 10 forged; events written to /dev/null): {:.0} accepted/s, {:.0} refused/s ({accepted_n} accepted, {refused} refused, {} other answers; goal >= 30000 accepted/s)",
        accepted_n as f64 / secs,
        refused as f64 / secs,
        other + ok.saturating_sub(accepted_n),
    );
    // The same pushes again, cycled: every one a replay (or refused).
    let (ok, refused, _, elapsed) = runtime.block_on(load(
        &client,
        &url,
        &bodies,
        Load::For(Duration::from_secs(seconds)),
    ));
    let secs = elapsed.as_secs_f64();
    println!(
        "bench: webhook receiver, the same pushes cycled for {seconds} s: {:.0} replays/s answered 200 without the handler, {:.0} refused/s ({} more accepted)",
        ok as f64 / secs,
        refused as f64 / secs,
        accepted.load(Ordering::Relaxed) - accepted_n,
    );
}

#[derive(Clone, Copy)]
enum Load {
    /// Every body once.
    Once,
    /// The bodies cycled for this long.
    For(Duration),
}

/// POSTs `bodies` from 32 connections; the 200s, 401s and other answers, and the time.
async fn load(
    client: &reqwest::Client,
    url: &str,
    bodies: &Arc<Vec<Vec<u8>>>,
    load: Load,
) -> (u64, u64, u64, Duration) {
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (client, url, bodies, next) =
            (client.clone(), url.to_owned(), bodies.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut refused, mut other) = (0u64, 0u64, 0u64);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed) as usize;
                let done = match load {
                    Load::Once => n >= bodies.len(),
                    Load::For(length) => started.elapsed() >= length,
                };
                if done {
                    break;
                }
                match client
                    .post(&url)
                    .body(bodies[n % bodies.len()].clone())
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 200 => ok += 1,
                    Ok(r) if r.status() == 401 => refused += 1,
                    _ => other += 1,
                }
            }
            (ok, refused, other)
        }));
    }
    let mut totals = (0, 0, 0);
    for task in tasks {
        let (ok, refused, other) = task.await.expect("task");
        totals = (totals.0 + ok, totals.1 + refused, totals.2 + other);
    }
    (totals.0, totals.1, totals.2, started.elapsed())
}
