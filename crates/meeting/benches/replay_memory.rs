//! The push receiver's replay memory at a large enterprise's size (`cargo xtask bench`):
//! 9.4 million pushes accepted over 25 hours (about 104 a second, every one still
//! fresh at the end), through `InMemory` with the default settings, on a manual clock.
//! Prints the bytes it holds per remembered push (allocated bytes, counted by this
//! bench's allocator, table slack and the peak of a resize included), the claims a
//! second, and the chance of a false "seen". Asserts nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use meeting::clock::{Clock, ManualClock};
use meeting::webhook::{Claim, DEFAULT_MAX_AGE, InMemory, MAX_AHEAD, PushMemory};
use sha2::{Digest, Sha256};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's layout, as GlobalAlloc requires.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as allocated above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn arg(name: &str, default: u64) -> u64 {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let pushes = arg("--pushes", 9_400_000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(run(pushes));
}

async fn run(pushes: u64) {
    let clock = ManualClock::default();
    let memory = InMemory::default().clock(Arc::new(clock.clone()));
    // Every push still fresh at the end: spread over the window, less a margin.
    let span = DEFAULT_MAX_AGE - Duration::from_secs(3600);
    let step = span / u32::try_from(pushes.max(1)).unwrap_or(u32::MAX);
    let key = |n: u64| hex::encode(Sha256::digest(n.to_le_bytes()));
    let claim = Duration::from_secs(60);
    // The keys are made outside the timing and the counting.
    let keys: Vec<String> = (0..pushes).map(key).collect();
    let start = clock.now();
    let (base, started) = (CURRENT.load(Ordering::Relaxed), Instant::now());
    PEAK.store(base, Ordering::Relaxed);
    for (n, key) in keys.iter().enumerate() {
        let at = start + step * u32::try_from(n).unwrap_or(u32::MAX);
        let fresh_until = at + DEFAULT_MAX_AGE + MAX_AHEAD;
        if n % 1024 == 0 {
            clock.advance(step * 1024);
        }
        let _ = memory.claim(key, fresh_until, claim).await;
        let _ = memory.remember(key, fresh_until).await;
    }
    let took = started.elapsed();
    let held = memory.len();
    let bytes = CURRENT.load(Ordering::Relaxed) - base;
    let peak = PEAK.load(Ordering::Relaxed) - base;
    println!(
        "bench: replay memory, {held} pushes remembered: {:.1} bytes a push held, {:.1} at the peak (resizes included); {:.0} MiB",
        bytes as f64 / held as f64,
        peak as f64 / held as f64,
        bytes as f64 / (1 << 20) as f64
    );
    println!(
        "bench: replay memory, claim + remember of new pushes: {:.0} a second",
        pushes as f64 / took.as_secs_f64()
    );
    // Replays of remembered pushes: what a retry storm costs.
    let started = Instant::now();
    let mut seen = 0;
    for (n, key) in keys.iter().enumerate().step_by(7).take(1_000_000) {
        let at = start + step * u32::try_from(n).unwrap_or(u32::MAX);
        if memory
            .claim(key, at + DEFAULT_MAX_AGE + MAX_AHEAD, claim)
            .await
            == Ok(Claim::Seen)
        {
            seen += 1;
        }
    }
    println!(
        "bench: replay memory, claims of remembered pushes at {held}: {:.0} a second ({seen} seen)",
        f64::from(seen) / started.elapsed().as_secs_f64()
    );
    // A false "seen" needs 96 bits equal to a push's in the same 10-minute generation.
    let per_generation = held as f64 / (span.as_secs_f64() / 600.0);
    println!(
        "bench: replay memory, false-seen chance per push: 2^{:.0} (about {per_generation:.0} pushes a generation, 96-bit keys)",
        (per_generation / 2f64.powi(96)).log2()
    );
}
