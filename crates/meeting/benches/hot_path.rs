//! The hot path: `conference.lock()` through the wrapper (cached control token, call
//! pipeline, span, generated builder, error mapping) against the identical request sent
//! with raw reqwest (a client with the wrapper's settings: the same headers, body and
//! timeouts). `cargo xtask bench` runs it against a release simulator; alone,
//! `cargo bench -p meeting --bench hot_path` starts one in this process.
//!
//! Modes (first argument):
//! - `ratio` (default): alternating wrapper/raw runs of `--calls` lock calls each,
//!   `--pairs` times (each side first in every other pair), at concurrency 1 and 64;
//!   prints the ratios of elapsed time and of the client's CPU time (median, min,
//!   max) and heap allocations per call.
//! - `ratio-generated`: the same, with the generated client alone (`Client::api()`, the
//!   wrapper's HTTP client and hooks, the token at hand) in the wrapper's place: how
//!   much of the wrapper's cost is the generated send path it builds on.
//! - `rss-wrapper` / `rss-raw`: `--in-flight` calls at once (against a simulator with
//!   latency, so that they are all in flight together); prints the process's peak RSS.
//! - `load-wrapper` / `load-generated` / `load-raw`: `--calls` calls at concurrency 64,
//!   one way only (to profile one side, e.g. under `perf record`, or to count its
//!   instructions under callgrind: `cargo xtask bench --instructions`).
//!
//! Options: `--endpoint URL` (a running simulator seeded with `Seed::example()`),
//! `--calls N`, `--pairs N`, `--in-flight N`. Output lines start with `bench:` and are
//! JSON after it, for `cargo xtask bench` to read.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use meeting::{Client, Conference};
use meeting_api::call::with_secrets;
use meeting_api::secrets::Secrets;
use meeting_api::types::RestLockReqBody;
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

use meeting_sim::example::CONFERENCE as CONF;

struct Options {
    mode: String,
    endpoint: Option<String>,
    calls: usize,
    pairs: usize,
    in_flight: usize,
}

fn options() -> Options {
    let mut options = Options {
        mode: "ratio".into(),
        endpoint: None,
        calls: 20_000,
        pairs: 5,
        in_flight: 1_000,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(arg) = args.next() {
        let mut number =
            |default: usize| args.next().and_then(|v| v.parse().ok()).unwrap_or(default);
        match arg.as_str() {
            "--endpoint" => options.endpoint = args.next(),
            "--calls" => options.calls = number(options.calls),
            "--pairs" => options.pairs = number(options.pairs),
            "--in-flight" => options.in_flight = number(options.in_flight),
            mode if !mode.starts_with('-') => options.mode = mode.to_owned(),
            _ => {}
        }
    }
    options
}

/// The same lock request, three ways.
#[derive(Clone)]
enum Caller {
    Wrapper(Conference),
    /// The generated client alone (`Client::api()`: the same HTTP client and hooks as the
    /// wrapper), with the token at hand: what the wrapper builds on.
    Generated {
        client: Client,
        secrets: Secrets,
        bodies: [RestLockReqBody; 2],
    },
    Raw {
        http: reqwest::Client,
        url: Arc<str>,
        token: Arc<str>,
    },
}

impl Caller {
    async fn lock(&self, i: usize) {
        let lock = i.is_multiple_of(2);
        match self {
            Self::Wrapper(meeting) => {
                let result = if lock {
                    meeting.lock().await
                } else {
                    meeting.unlock().await
                };
                if let Err(e) = result {
                    eprintln!("wrapper call failed: {e}");
                }
            }
            Self::Generated {
                client,
                secrets,
                bodies,
            } => {
                let call = client.api().lock_meeting(CONF, &bodies[usize::from(lock)]);
                let sent = with_secrets(secrets.clone(), call).await;
                if let Err(e) = sent {
                    eprintln!("generated call failed: {e}");
                }
            }
            Self::Raw { http, url, token } => {
                let body = if lock {
                    r#"{"isLock":1}"#
                } else {
                    r#"{"isLock":0}"#
                };
                let sent = http
                    .put(&**url)
                    .header("accept", "application/json")
                    .header("content-type", "application/json")
                    .header("x-conference-authorization", &**token)
                    .body(body)
                    .send()
                    .await;
                match sent {
                    // Read the body, as the wrapper does.
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                    }
                    Ok(response) => eprintln!("raw call answered {}", response.status()),
                    Err(e) => eprintln!("raw call failed: {e}"),
                }
            }
        }
    }
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

/// What one run of calls cost.
struct Run {
    elapsed: Duration,
    /// The client's CPU time (the simulator runs in another process under `--endpoint`).
    cpu: Duration,
    allocations_per_call: f64,
}

/// `calls` calls from `concurrency` tasks.
async fn run(caller: &Caller, calls: usize, concurrency: usize) -> Run {
    let allocations = ALLOCATIONS.load(Ordering::Relaxed);
    let cpu = cpu_time();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let caller = caller.clone();
            let share = calls / concurrency + usize::from(t < calls % concurrency);
            tokio::spawn(async move {
                for i in 0..share {
                    caller.lock(i).await;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    Run {
        elapsed: started.elapsed(),
        cpu: cpu_time().saturating_sub(cpu),
        allocations_per_call: (ALLOCATIONS.load(Ordering::Relaxed) - allocations) as f64
            / calls as f64,
    }
}

/// Median, min and max.
fn spread(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let last = values.len().saturating_sub(1);
    (values[values.len() / 2], values[0], values[last])
}

/// `wrapper` against `raw`, named `compared` in the output.
async fn ratio(compared: &str, wrapper: &Caller, raw: &Caller, options: &Options) {
    let calls = options.calls as f64;
    for concurrency in [1, 64] {
        // Warm both: connections, caches, the simulator's allocator.
        run(wrapper, 500, concurrency).await;
        run(raw, 500, concurrency).await;
        let (mut time, mut cpu) = (Vec::new(), Vec::new());
        let (mut wrapper_us, mut raw_us) = (Vec::new(), Vec::new());
        let (mut wrapper_cpu_us, mut raw_cpu_us) = (Vec::new(), Vec::new());
        let mut allocations = (0.0, 0.0);
        for pair in 0..options.pairs.max(1) {
            // Each side goes first in every other pair, so that a drift of the machine
            // during a pair does not always favour the same side.
            let (w, r) = if pair % 2 == 0 {
                let w = run(wrapper, options.calls, concurrency).await;
                (w, run(raw, options.calls, concurrency).await)
            } else {
                let r = run(raw, options.calls, concurrency).await;
                (run(wrapper, options.calls, concurrency).await, r)
            };
            time.push(w.elapsed.as_secs_f64() / r.elapsed.as_secs_f64());
            cpu.push(w.cpu.as_secs_f64() / r.cpu.as_secs_f64());
            wrapper_us.push(w.elapsed.as_secs_f64() * 1e6 / calls);
            raw_us.push(r.elapsed.as_secs_f64() * 1e6 / calls);
            wrapper_cpu_us.push(w.cpu.as_secs_f64() * 1e6 / calls);
            raw_cpu_us.push(r.cpu.as_secs_f64() * 1e6 / calls);
            allocations = (w.allocations_per_call, r.allocations_per_call);
        }
        let (ratio, ratio_min, ratio_max) = spread(&mut time);
        let (cpu_ratio, cpu_ratio_min, cpu_ratio_max) = spread(&mut cpu);
        println!(
            "bench: {{\"compared\":\"{compared}\",\"concurrency\":{concurrency},\"calls\":{},\"pairs\":{},\
             \"ratio_median\":{ratio:.4},\"ratio_min\":{ratio_min:.4},\"ratio_max\":{ratio_max:.4},\
             \"cpu_ratio_median\":{cpu_ratio:.4},\"cpu_ratio_min\":{cpu_ratio_min:.4},\"cpu_ratio_max\":{cpu_ratio_max:.4},\
             \"wrapper_us\":{:.2},\"raw_us\":{:.2},\"wrapper_cpu_us\":{:.2},\"raw_cpu_us\":{:.2},\
             \"wrapper_allocs\":{:.1},\"raw_allocs\":{:.1}}}",
            options.calls,
            options.pairs.max(1),
            spread(&mut wrapper_us).0,
            spread(&mut raw_us).0,
            spread(&mut wrapper_cpu_us).0,
            spread(&mut raw_cpu_us).0,
            allocations.0,
            allocations.1
        );
    }
}

/// The process's peak resident set, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

async fn rss(caller: &Caller, in_flight: usize) {
    caller.lock(0).await;
    let before = peak_rss_kib();
    let started = Instant::now();
    let tasks: Vec<_> = (0..in_flight)
        .map(|i| {
            let caller = caller.clone();
            tokio::spawn(async move { caller.lock(i).await })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    println!(
        "bench: {{\"in_flight\":{in_flight},\"rss_before_kib\":{before},\"peak_rss_kib\":{},\"seconds\":{:.2}}}",
        peak_rss_kib(),
        started.elapsed().as_secs_f64()
    );
}

fn block_on<F: Future>(future: F) -> std::io::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    Ok(runtime.block_on(future))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = options();
    block_on(async {
        // Without --endpoint, a simulator in this process (its work is then in the figures).
        let embedded = match &options.endpoint {
            Some(_) => None,
            None => Some(Simulator::new().seed(Seed::example()).start().await?),
        };
        let endpoint = options
            .endpoint
            .clone()
            .or_else(|| embedded.as_ref().map(|sim| sim.base_url().to_owned()))
            .unwrap_or_default();
        let client = Client::builder().endpoint(&endpoint).build()?;
        let meeting = client.conference(CONF).with_host_password("654321");
        let token: Arc<str> = meeting.control_token_info().await?.expose_token().into();
        let generated = Caller::Generated {
            client: client.clone(),
            secrets: Secrets::new().control_token(&token)?,
            bodies: [
                RestLockReqBody {
                    is_lock: 0.try_into()?,
                },
                RestLockReqBody {
                    is_lock: 1.try_into()?,
                },
            ],
        };
        let wrapper = Caller::Wrapper(meeting);
        // Built as the wrapper builds its own, so that both send the same bytes and
        // bound each request the same way: the ratio is then the wrapper's own work.
        let http = reqwest::Client::builder()
            .connect_timeout(meeting::DEFAULT_CONNECT_TIMEOUT)
            .timeout(meeting::DEFAULT_REQUEST_TIMEOUT)
            .user_agent(concat!("meeting/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let raw = Caller::Raw {
            http,
            url: format!("{endpoint}/v1/mmc/control/conferences/lock?conferenceID={CONF}").into(),
            token,
        };
        match options.mode.as_str() {
            "ratio-generated" => ratio("generated/raw", &generated, &raw, &options).await,
            "rss-wrapper" => rss(&wrapper, options.in_flight).await,
            "rss-raw" => rss(&raw, options.in_flight).await,
            "load-wrapper" | "load-generated" | "load-raw" => {
                let caller = match options.mode.as_str() {
                    "load-raw" => &raw,
                    "load-generated" => &generated,
                    _ => &wrapper,
                };
                let load = run(caller, options.calls, 64).await;
                println!(
                    "bench: {{\"mode\":\"{}\",\"us_per_call\":{:.2},\"cpu_us_per_call\":{:.2},\"allocs\":{:.1}}}",
                    options.mode,
                    load.elapsed.as_secs_f64() * 1e6 / options.calls as f64,
                    load.cpu.as_secs_f64() * 1e6 / options.calls as f64,
                    load.allocations_per_call
                );
            }
            _ => {
                if let Caller::Wrapper(meeting) = &wrapper {
                    // Every layer a call passes through moves its future: its size is
                    // a cost of its own.
                    let future = meeting.lock();
                    println!(
                        "bench: {{\"lock_future_bytes\":{}}}",
                        std::mem::size_of_val(&future)
                    );
                }
                ratio("wrapper/raw", &wrapper, &raw, &options).await
            }
        }
        if let Some(sim) = embedded {
            sim.shutdown().await;
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })?
}
