//! The hot path: `conference.lock()` through the wrapper (cached control token, retry
//! layer, span, generated builder, error mapping) against the same request sent with
//! raw reqwest, both to a simulator on loopback. Prints latency, throughput and heap
//! allocations per call. Run: `cargo bench -p meeting --bench hot_path`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use meeting::Client;
use meeting_sim::{Seed, Simulator};

/// Counts heap allocations, to report allocations and bytes per call.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const CONF: &str = "914083136";
const CALLS: u32 = 3000;

struct Figures {
    per_call: Duration,
    allocations: f64,
    bytes: f64,
}

async fn measure<F, Fut>(mut call: F) -> Figures
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for i in 0..200 {
        call(i).await; // warm the connection pool and caches
    }
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    let started = Instant::now();
    for i in 0..CALLS {
        call(i).await;
    }
    let elapsed = started.elapsed();
    let (a1, b1) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    Figures {
        per_call: elapsed / CALLS,
        allocations: (a1 - a0) as f64 / CALLS as f64,
        bytes: (b1 - b0) as f64 / CALLS as f64,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let sim = Simulator::new().seed(Seed::example()).start().await?;
        let client = Client::builder().endpoint(sim.base_url()).build()?;
        let meeting = client.conference(CONF).with_host_password("654321");
        let token = meeting
            .control_token_info()
            .await?
            .expose_token()
            .to_owned();

        let wrapper = measure(|i| {
            let meeting = &meeting;
            async move {
                let result = if i % 2 == 0 {
                    meeting.lock().await
                } else {
                    meeting.unlock().await
                };
                if let Err(e) = result {
                    eprintln!("wrapper call failed: {e}");
                }
            }
        })
        .await;

        let raw_client = reqwest::Client::new();
        let url = format!(
            "{}/v1/mmc/control/conferences/lock?conferenceID={CONF}",
            sim.base_url()
        );
        let raw = measure(|i| {
            let (raw_client, url, token) = (&raw_client, &url, &token);
            async move {
                let body = if i % 2 == 0 {
                    r#"{"isLock":1}"#
                } else {
                    r#"{"isLock":0}"#
                };
                let sent = raw_client
                    .put(url)
                    .header("content-type", "application/json")
                    .header("x-conference-authorization", token)
                    .body(body)
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().is_success() => {}
                    Ok(response) => eprintln!("raw call answered {}", response.status()),
                    Err(e) => eprintln!("raw call failed: {e}"),
                }
            }
        })
        .await;

        println!("hot path: {CALLS} sequential lock/unlock calls to a simulator on loopback");
        println!("(the figures include the simulator's own work: both run in this process)\n");
        println!(
            "{:<10} {:>12} {:>12} {:>14} {:>14}",
            "", "per call", "calls/s", "allocs/call", "bytes/call"
        );
        for (name, f) in [("wrapper", &wrapper), ("raw", &raw)] {
            println!(
                "{name:<10} {:>10.1}µs {:>12.0} {:>14.1} {:>14.0}",
                f.per_call.as_secs_f64() * 1e6,
                1.0 / f.per_call.as_secs_f64(),
                f.allocations,
                f.bytes
            );
        }
        let overhead = wrapper.per_call.as_secs_f64() / raw.per_call.as_secs_f64() - 1.0;
        println!(
            "\nwrapper overhead: {:+.1}% time, {:+.1} allocations per call",
            overhead * 100.0,
            wrapper.allocations - raw.allocations
        );
        sim.shutdown().await;
        Ok(())
    })
}
