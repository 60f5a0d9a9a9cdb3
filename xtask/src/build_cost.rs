//! `cargo xtask bench --build`: what the API surface costs to build, for users (clean
//! debug and release builds of the `meeting` crate, and what its optional features
//! add; the clean builds of the demo and of the command line, with their largest
//! units) and for maintainers (the rebuild after a small spec edit, the generated lines
//! per operation, `meeting-api`'s share of the build).
//!
//! Builds go to their own target directory (`target/bench-build`), emptied first, so the
//! figures are clean builds whatever the workspace's own target holds. It reports; it
//! asserts nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::codegen::{copy_path, root, spec_path};

/// The spec edit a maintainer makes most: one optional field added to one schema (an
/// answer's, which the wrapper reads and does not build, so the edit compiles as is).
const EDIT_ANCHOR: &str = "    TokenInfo:\n      type: object\n      description: A meeting control token and its context.\n      required: [token]\n      properties:\n";
const EDIT: &str = "        benchNote:\n          type: string\n          description: A field added by `cargo xtask bench --build`.\n";

pub fn run() -> Result<String> {
    let started = Instant::now();
    let root = root();
    println!("cargo xtask bench --build: {}", crate::bench::machine());

    println!("\n## generated code");
    let generated = generated_lines()?;
    println!(
        "{} lines for {} operations and {} schemas: {:.0} lines per operation \
         ({:.0} of methods, {:.0} of types, per operation)",
        generated.total,
        generated.operations,
        generated.schemas,
        generated.total as f64 / generated.operations as f64,
        generated.methods as f64 / generated.operations as f64,
        generated.types as f64 / generated.operations as f64,
    );

    let target = root.join("target/bench-build");
    println!("\n## clean builds of `meeting` (default features), target/bench-build");
    let _ = std::fs::remove_dir_all(&target);
    let debug = timed(&root, &target, &["build", "-p", "meeting", "--timings"])?;
    println!("debug    {debug:>6.1} s");
    let api = unit_seconds(&target, &["meeting-api"])?;
    let generator = unit_seconds(&target, GENERATOR)?;
    println!(
        "         of which meeting-api {api:.1} s (generating and compiling it), and the \
         generator's own crates, build-time only, {generator:.1} s of compile time"
    );
    let redis = timed(
        &root,
        &target,
        &["build", "-p", "meeting", "--features", "redis"],
    )?;
    println!("feature `redis` adds {redis:.1} s to the debug build (redis-rs and its TLS)");

    let edit = rebuild_after_spec_edit(&root, &target)?;
    println!(
        "\n## the rebuild of `meeting` (debug) after one optional field is added to one schema\n\
         {edit:.1} s"
    );

    let release = timed(&root, &target, &["build", "--release", "-p", "meeting"])?;
    println!("\n## clean release build of `meeting`\n{release:>6.1} s");

    println!("\n## clean debug builds of what a first user runs, and its largest units");
    for (package, what) in [
        (
            "meeting-demo",
            "the README's first command (`cargo run -p meeting-demo`)",
        ),
        ("meeting-cli", "the `meeting` command line"),
    ] {
        let _ = std::fs::remove_dir_all(&target);
        let seconds = timed(&root, &target, &["build", "-p", package, "--timings"])?;
        println!("{package:<13}{seconds:>6.1} s  {what}");
        let (total, largest) = largest_units(&target, 6)?;
        let largest: Vec<String> = largest
            .iter()
            .map(|(name, s)| format!("{name} {s:.1}"))
            .collect();
        println!(
            "             {total:.0} s of compile time on {} cores; largest: {}",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            largest.join(", ")
        );
    }
    Ok(format!(
        "done in {:.0} s (target/bench-build can be removed)",
        started.elapsed().as_secs_f64()
    ))
}

struct Generated {
    total: usize,
    methods: usize,
    types: usize,
    operations: usize,
    schemas: usize,
}

/// The reviewable copy of the generated code, by part: the `types` module, and the
/// client's methods (everything from `pub struct Client` to the `prelude`).
fn generated_lines() -> Result<Generated> {
    let code = std::fs::read_to_string(copy_path()).context("reading the generated copy")?;
    let lines: Vec<&str> = code.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(needle))
            .with_context(|| format!("no `{needle}` in the generated copy"))
    };
    let (types, client, prelude) = (
        at("pub mod types")?,
        at("pub struct Client")?,
        at("pub mod prelude")?,
    );
    let spec = meeting_codegen::load_spec(&spec_path())?;
    Ok(Generated {
        total: lines.len(),
        methods: prelude.saturating_sub(client),
        types: client.saturating_sub(types),
        operations: meeting_codegen::table::rows(&spec)?.len(),
        schemas: meeting_codegen::table::components(&spec).len(),
    })
}

/// Runs cargo with `args` in `target`, and says how long it took.
fn timed(root: &Path, target: &Path, args: &[&str]) -> Result<f64> {
    let started = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .args(["--quiet", "--target-dir"])
        .arg(target)
        .current_dir(root)
        .env("CARGO_INCREMENTAL", "1")
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Adds one optional field to one schema, rebuilds, and puts the spec back (also if
/// the build fails), then rebuilds again so the target matches the spec.
fn rebuild_after_spec_edit(root: &Path, target: &Path) -> Result<f64> {
    let spec = spec_path();
    let original = std::fs::read_to_string(&spec)?;
    let Some(at) = original.find(EDIT_ANCHOR) else {
        bail!("the spec edit's anchor (TokenInfo's properties) is not in the spec");
    };
    let edited = format!(
        "{}{EDIT}{}",
        &original[..at + EDIT_ANCHOR.len()],
        &original[at + EDIT_ANCHOR.len()..]
    );
    let restore = Restore {
        path: spec.clone(),
        text: original,
    };
    std::fs::write(&spec, edited)?;
    let seconds = timed(root, target, &["build", "-p", "meeting"]);
    drop(restore);
    timed(root, target, &["build", "-p", "meeting"])?;
    seconds
}

/// Puts a file's text back when dropped.
struct Restore {
    path: PathBuf,
    text: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Err(e) = std::fs::write(&self.path, &self.text) {
            eprintln!("error: could not restore {}: {e}", self.path.display());
        }
    }
}

/// The crates only the generation at build time needs (`meeting-api`'s build script).
const GENERATOR: &[&str] = &[
    "meeting-codegen",
    "progenitor",
    "progenitor-impl",
    "typify",
    "typify-impl",
    "typify-macro",
    "openapiv3",
    "serde_yaml",
    "unsafe-libyaml",
    "regress",
    "prettyplease",
    "heck",
    "unicode-ident",
];

/// How long the units of `packages` took in the last `--timings` report (build
/// scripts' runs included), in seconds of compile time (units overlap on 2 cores).
fn unit_seconds(target: &Path, packages: &[&str]) -> Result<f64> {
    let seconds = units(target)?
        .iter()
        .filter(|u| u["name"].as_str().is_some_and(|n| packages.contains(&n)))
        .filter_map(|u| u["duration"].as_f64())
        .sum::<f64>();
    Ok(seconds)
}

/// The compile time of the last `--timings` report, and its `n` longest units
/// (a build script's run named as such).
fn largest_units(target: &Path, n: usize) -> Result<(f64, Vec<(String, f64)>)> {
    let units = units(target)?;
    let mut timed: Vec<(String, f64)> = units
        .iter()
        .filter_map(|u| {
            let name = u["name"].as_str()?;
            let target = u["target"].as_str().unwrap_or("").trim();
            let name = if target.is_empty() {
                name.to_owned()
            } else {
                format!("{name} ({target})")
            };
            Some((name, u["duration"].as_f64()?))
        })
        .collect();
    let total = timed.iter().map(|(_, s)| s).sum();
    timed.sort_by(|a, b| b.1.total_cmp(&a.1));
    timed.truncate(n);
    Ok((total, timed))
}

/// The units of the last `--timings` report in `target`.
fn units(target: &Path) -> Result<Vec<serde_json::Value>> {
    let report = target.join("cargo-timings/cargo-timing.html");
    let html = std::fs::read_to_string(&report)
        .with_context(|| format!("reading {}", report.display()))?;
    let Some(start) = html.find("const UNIT_DATA = ") else {
        bail!("{} has no unit data", report.display());
    };
    let data = &html[start + "const UNIT_DATA = ".len()..];
    let end = data.find(";\n").unwrap_or(data.len());
    let units: Vec<serde_json::Value> = serde_json::from_str(&data[..end])?;
    Ok(units)
}
