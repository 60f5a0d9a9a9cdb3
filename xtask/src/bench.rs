//! `cargo xtask bench [--quick]`: the figures of BENCHMARKS.md in one run, side by side.
//!
//! Starts the release simulator (HTTPS and HTTP on one port), then measures: the
//! wrapper, and the generated client alone, against raw reqwest (the `hot_path` bench
//! of the `meeting` crate), peak RSS with calls in flight, the simulator's throughput
//! with wrk over HTTP and HTTPS beside Prism mocking the same spec, the event stream
//! (latency, decoding throughput, memory and idle CPU per watched meeting: the `events`
//! bench), the fleet (memory per watched meeting per replica, entries per second onto
//! the stream, takeover times: the CLI's `fleet` bench, full run only), and the official
//! Python SDK's calls per second. It reports; it asserts no timing.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::codegen::root;

struct Sizes {
    calls: usize,
    pairs: usize,
    in_flight: usize,
    wrk_seconds: u32,
    python_calls: usize,
    /// The event stream's figures.
    changes: usize,
    frames: usize,
    meetings: usize,
    idle_secs: u64,
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(quick: bool) -> Result<String> {
    let sizes = if quick {
        Sizes {
            calls: 2_000,
            pairs: 5,
            in_flight: 1_000,
            wrk_seconds: 2,
            python_calls: 200,
            changes: 1_000,
            frames: 50_000,
            meetings: 200,
            idle_secs: 2,
        }
    } else {
        Sizes {
            calls: 20_000,
            pairs: 5,
            in_flight: 1_000,
            wrk_seconds: 10,
            python_calls: 2_000,
            changes: 10_000,
            frames: 200_000,
            meetings: 1_000,
            idle_secs: 10,
        }
    };
    let started = Instant::now();
    let root = root();
    println!(
        "cargo xtask bench{}: {}",
        if quick { " --quick" } else { "" },
        machine()
    );
    let bins = Built::new(&root)?;
    let built = started.elapsed();
    println!(
        "(release builds of the simulator and the driver: {:.0} s)",
        built.as_secs_f64()
    );

    let (_sim, url, ca) = simulator(&bins, &[])?;
    let http_url = url.replacen("https://", "http://", 1);

    println!(
        "\n## wrapper / raw reqwest, and the generated client alone / raw reqwest \
         (lock calls, alternating runs, {} pairs)",
        sizes.pairs
    );
    for mode in ["ratio", "ratio-generated"] {
        for line in hot_path(
            &bins,
            &[
                mode,
                "--endpoint",
                &http_url,
                "--calls",
                &sizes.calls.to_string(),
                "--pairs",
                &sizes.pairs.to_string(),
            ],
        )? {
            println!("{line}");
        }
    }

    println!(
        "\n## peak RSS with {} calls in flight (simulator latency 300 ms)",
        sizes.in_flight
    );
    {
        let (_slow, slow_url, _) = simulator(&bins, &["--latency-ms", "300"])?;
        let slow_url = slow_url.replacen("https://", "http://", 1);
        for mode in ["rss-wrapper", "rss-raw"] {
            for line in hot_path(
                &bins,
                &[
                    mode,
                    "--endpoint",
                    &slow_url,
                    "--in-flight",
                    &sizes.in_flight.to_string(),
                ],
            )? {
                println!("{mode:<12} {line}");
            }
        }
    }

    println!(
        "\n## simulator throughput, wrk -t1 -c16 -d{}s, lock requests",
        sizes.wrk_seconds
    );
    let token = control_token(&http_url)?;
    for (name, target) in [
        ("meeting-sim http", http_url.as_str()),
        ("meeting-sim https", url.as_str()),
    ] {
        println!(
            "{name:<18} {}",
            wrk(&root, target, &token, sizes.wrk_seconds)?
        );
    }
    match prism(&root) {
        Ok((_prism, prism_url)) => {
            println!(
                "{:<18} {}",
                "prism mock",
                wrk(&root, &prism_url, &token, sizes.wrk_seconds)?
            )
        }
        Err(e) => println!("{:<18} not measured: {e:#}", "prism mock"),
    }

    println!("\n## the event stream (meeting-control WebSocket)");
    let event_runs: [(&str, Vec<String>); 4] = [
        (
            "latency",
            vec![
                "--endpoint".into(),
                http_url.clone(),
                "--changes".into(),
                sizes.changes.to_string(),
            ],
        ),
        (
            "throughput",
            vec!["--frames".into(), sizes.frames.to_string()],
        ),
        (
            "watchers",
            vec![
                "--endpoint".into(),
                url.clone(),
                "--ca".into(),
                ca.clone(),
                "--meetings".into(),
                sizes.meetings.to_string(),
                "--idle-secs".into(),
                sizes.idle_secs.to_string(),
            ],
        ),
        (
            "sockets",
            vec![
                "--endpoint".into(),
                http_url.clone(),
                "--meetings".into(),
                sizes.meetings.to_string(),
            ],
        ),
    ];
    for (mode, args) in &event_runs {
        let mut all = vec![*mode];
        all.extend(args.iter().map(String::as_str));
        for line in bench_lines(&bins, "events", &all)? {
            println!("{line}");
        }
    }

    println!("\n## the enterprise event push's receiver");
    let (pushes, seconds) = if quick {
        ("20000", "2")
    } else {
        ("200000", "10")
    };
    for line in bench_lines(
        &bins,
        "webhook",
        &["--pushes", pushes, "--seconds", seconds],
    )? {
        println!("{line}");
    }

    println!("\n## the push receiver's replay memory (InMemory, default settings)");
    let pushes = if quick { "1000000" } else { "9400000" };
    for line in bench_lines(&bins, "replay_memory", &["--pushes", pushes])? {
        println!("{line}");
    }

    println!("\n## TLS handshakes a second: ring (the crates' provider) and aws-lc-rs");
    let seconds = if quick { "1" } else { "3" };
    for line in bench_lines(&bins, "tls", &["--seconds", seconds])? {
        println!("{line}");
    }

    if !quick {
        // Not in the quick run: it builds the CLI in release and waits out a lease.
        println!(
            "\n## the fleet: `meeting watch --all --publish` replicas, Redis, the default lease"
        );
        for line in cli_bench_lines(
            &root,
            "fleet",
            &["--meetings", "200", "--replicas", "3", "--seconds", "10"],
        )? {
            println!("{line}");
        }
    }

    println!("\n## the official Python SDK (huaweicloudsdkmeeting), lock calls");
    match python_sdk(&root, &url, sizes.python_calls) {
        Ok(line) => println!("{line}"),
        Err(e) => println!("not measured: {e:#}"),
    }
    Ok(format!(
        "done in {:.0} s, {:.0} s of it measuring",
        started.elapsed().as_secs_f64(),
        (started.elapsed() - built).as_secs_f64()
    ))
}

/// `cargo xtask bench --instructions`: the instructions one lock call executes (valgrind's
/// callgrind) through the wrapper, the generated client alone and raw reqwest. Unlike
/// times, these do not move with the machine's load: the figure to compare from one
/// change to the next.
pub fn instructions() -> Result<String> {
    let started = Instant::now();
    let root = root();
    if Command::new("valgrind").arg("--version").output().is_err() {
        bail!("valgrind is not installed (Debian: apt-get install valgrind)");
    }
    let built = Built::new(&root)?;
    let executable = built.executable("hot_path")?.display().to_string();
    let (_sim, url, _) = simulator(&built, &[])?;
    let http_url = url.replacen("https://", "http://", 1);
    println!(
        "## instructions per lock call (callgrind; runs of 1,000 and 3,000 calls, the difference / 2,000)"
    );
    let mut per_call = Vec::new();
    for mode in ["load-raw", "load-generated", "load-wrapper"] {
        let small = callgrind(&executable, mode, &http_url, 1_000)?;
        let large = callgrind(&executable, mode, &http_url, 3_000)?;
        let instructions = large.saturating_sub(small) / 2_000;
        per_call.push(instructions as f64);
        println!("{:<10} {instructions:>8}", mode.trim_start_matches("load-"));
    }
    if let [raw, generated, wrapper] = per_call[..] {
        println!(
            "generated / raw {:.3}, wrapper / generated {:.3}, wrapper / raw {:.3}",
            generated / raw,
            wrapper / generated,
            wrapper / raw
        );
    }
    Ok(format!("done in {:.0} s", started.elapsed().as_secs_f64()))
}

/// Runs `command` and returns what it wrote on stderr, or fails with it.
fn stderr_of(command: &mut Command, what: &str) -> Result<String> {
    let output = command.output().with_context(|| what.to_owned())?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        bail!("{what} failed:\n{stderr}");
    }
    Ok(stderr)
}

/// The instructions a `hot_path` run executes, all threads, counted by callgrind.
fn callgrind(executable: &str, mode: &str, url: &str, calls: usize) -> Result<u64> {
    let stderr = stderr_of(
        Command::new("valgrind")
            .args([
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                executable,
            ])
            .args([mode, "--endpoint", url, "--calls", &calls.to_string()]),
        &format!("running {mode} under valgrind"),
    )?;
    stderr
        .lines()
        .find_map(|l| {
            l.split_once("Collected :")
                .map(|(_, n)| n.trim().to_owned())
        })
        .and_then(|n| n.parse().ok())
        .context("callgrind printed no instruction count")
}

pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    format!("{cpus} CPUs ({model})")
}

/// The release executables the figures come from: the simulator and the `meeting`
/// crate's benches, built by one cargo invocation. (Two invocations resolve features
/// apart, `-p meeting-sim` without the benches' dev-dependencies, and built some 80
/// shared crates twice: two minutes of CI on two cores.)
struct Built {
    root: std::path::PathBuf,
    executables: Vec<(String, std::path::PathBuf)>,
}

/// The benches of the `meeting` crate that the figures run.
const BENCHES: [&str; 5] = ["hot_path", "events", "webhook", "tls", "replay_memory"];

impl Built {
    fn new(root: &Path) -> Result<Self> {
        let mut args = vec![
            "build",
            "--release",
            "--quiet",
            "--message-format=json-render-diagnostics",
            "-p",
            "meeting",
            "-p",
            "meeting-sim",
            "--bin",
            "meeting-sim",
        ];
        for bench in BENCHES {
            args.extend(["--bench", bench]);
        }
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(&args)
            .current_dir(root)
            .stderr(Stdio::inherit())
            .output()
            .context("running cargo build --release")?;
        if !output.status.success() {
            bail!("cargo {} failed", args.join(" "));
        }
        // One JSON message a line; an artifact with an executable names its target.
        let executables = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|message| {
                let path = message["executable"].as_str()?;
                let name = message["target"]["name"].as_str()?;
                Some((name.to_owned(), std::path::PathBuf::from(path)))
            })
            .collect();
        Ok(Self {
            root: root.to_owned(),
            executables,
        })
    }

    /// The executable of the bench or binary `name`.
    fn executable(&self, name: &str) -> Result<&Path> {
        self.executables
            .iter()
            .find(|(target, _)| target == name)
            .map(|(_, path)| path.as_path())
            .with_context(|| format!("cargo built no executable named {name}"))
    }
}

/// Starts the release simulator with `--tls` (plain HTTP works on the same port): its
/// URL and the path of its CA's certificate.
fn simulator(built: &Built, extra: &[&str]) -> Result<(Running, String, String)> {
    let root = &built.root;
    // The CA's certificate goes under target/, not the system's temporary directory.
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = root.join("target/bench-sim");
    std::fs::create_dir_all(&dir).context("making target/bench-sim")?;
    let ca_out = dir.join(format!(
        "ca-{}-{}.pem",
        std::process::id(),
        STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let mut child = Command::new(built.executable("meeting-sim")?)
        .args(["--port", "0", "--tls", "--quiet", "--ca-cert-out"])
        .arg(&ca_out)
        .arg("--seed")
        .arg(root.join("crates/meeting-sim/examples/seed.json"))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the release meeting-sim")?;
    let stdout = child.stdout.take().context("the simulator's stdout")?;
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let url = words
        .next()
        .context("the simulator printed no URL")?
        .to_owned();
    let ca = words
        .next()
        .context("the simulator printed no CA path")?
        .to_owned();
    Ok((running, url, ca))
}

/// Runs the `hot_path` bench and returns its `bench:` lines.
fn hot_path(built: &Built, args: &[&str]) -> Result<Vec<String>> {
    bench_lines(built, "hot_path", args)
}

/// Runs a bench of the `meeting` crate and returns its `bench:` lines.
fn bench_lines(built: &Built, bench: &str, args: &[&str]) -> Result<Vec<String>> {
    run_bench(
        Command::new(built.executable(bench)?)
            .args(args)
            .current_dir(&built.root),
        bench,
    )
}

/// Runs a bench of the CLI through cargo (which builds it in release) and returns its
/// `bench:` lines.
fn cli_bench_lines(root: &Path, bench: &str, args: &[&str]) -> Result<Vec<String>> {
    run_bench(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "bench",
                "--quiet",
                "-p",
                "meeting-cli",
                "--bench",
                bench,
                "--",
            ])
            .args(args)
            .current_dir(root),
        bench,
    )
}

fn run_bench(command: &mut Command, bench: &str) -> Result<Vec<String>> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running the {bench} bench"))?;
    if !output.status.success() {
        bail!("the {bench} bench failed");
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("bench: "))
        .map(str::to_owned)
        .collect())
}

fn control_token(url: &str) -> Result<String> {
    let output = Command::new("curl")
        .args(["-fsS", "-H", "X-Password: 654321", "-H", "X-Login-Type: 1"])
        .arg(format!(
            "{url}/v1/mmc/control/conferences/token?conferenceID=914083136"
        ))
        .output()
        .context("running curl")?;
    let body = String::from_utf8_lossy(&output.stdout);
    body.split("\"token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .context("no control token in the simulator's answer")
}

/// `Requests/sec` (and any non-2xx count) of wrk against `url`.
fn wrk(root: &Path, url: &str, token: &str, seconds: u32) -> Result<String> {
    let output = Command::new("wrk")
        .args(["-t", "1", "-c", "16", "-d", &format!("{seconds}s"), "-s"])
        .arg(root.join("crates/meeting-sim/bench/lock.lua"))
        .arg(url)
        .env("MEETING_CONTROL_TOKEN", token)
        .output()
        .context("running wrk (Debian package `wrk`)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .map(|r| format!("{} requests/s", r.trim()))
        .context("wrk printed no rate")?;
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map(str::trim)
        .collect();
    Ok(if errors.is_empty() {
        rate
    } else {
        format!("{rate} ({})", errors.join("; "))
    })
}

/// Prism (`@stoplight/prism-cli` from npm, installed under target/bench-tools) mocking
/// openapi/meeting.yaml.
fn prism(root: &Path) -> Result<(Running, String)> {
    let tools = root.join("target/bench-tools");
    let bin = tools.join("node_modules/.bin/prism");
    if !bin.exists() {
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&tools)
            .arg("@stoplight/prism-cli@5.16.0")
            .status()
            .context("running npm")?;
        if !status.success() {
            bail!("npm could not install @stoplight/prism-cli");
        }
    }
    let port = free_port()?;
    let child = Command::new(&bin)
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(root.join("openapi/meeting.yaml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting prism")?;
    let running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("prism did not start within 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok((running, format!("http://127.0.0.1:{port}")))
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}

/// The official SDK from the project's venv (.ci/requirements.txt pins it).
fn python_sdk(root: &Path, url: &str, calls: usize) -> Result<String> {
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(root.join(".venv"))
            .status()?;
        if !status.success() {
            bail!("python3 -m venv failed");
        }
    }
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(root.join(".ci/requirements.txt"))
        .status()
        .context("installing the official SDK")?;
    if !status.success() {
        bail!("pip could not install .ci/requirements.txt");
    }
    let output = Command::new(&python)
        .arg(root.join("xtask/bench/official_sdk.py"))
        .args([url, &calls.to_string(), "8"])
        .output()
        .context("running xtask/bench/official_sdk.py")?;
    if !output.status.success() {
        bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
