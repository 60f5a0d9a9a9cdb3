//! Maintainer tasks for the workspace. Run `cargo xtask --help`.

mod bench;
mod build_cost;
mod circles;
mod codegen;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Maintainer tasks for the Huawei Cloud Meeting SDK workspace.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the import circles between the modules of each crate (two files that name
    /// each other, parents and children aside); fails when there is one.
    Circles,
    /// Regenerate the reviewable copy of the generated client
    /// (crates/meeting-api/generated/meeting_api.rs) and the insta snapshot of its public
    /// surface (xtask/src/snapshots/surface.snap) from openapi/meeting.yaml.
    ///
    /// Workflow: edit the spec, run `cargo xtask codegen`, review the diff of both files,
    /// commit them with the spec.
    Codegen {
        /// Change nothing; fail with a diff if the committed copy or snapshot is stale.
        #[arg(long)]
        check: bool,
    },
    /// Every test of the workspace (`cargo test --workspace`), after installing what the
    /// tests need when it can: Debian's redis-server (the token-store tests run a real
    /// one) when apt-get is there and this runs as root; elsewhere it stops first and
    /// says what to install. Without arguments the test binaries run side by side;
    /// with arguments, `cargo test --workspace ARGS` runs as given.
    Test {
        /// Passed to `cargo test` (a filter, `--no-fail-fast`, `-- --nocapture`, …).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Benchmarks, side by side: the wrapper (and the generated client alone) against
    /// raw reqwest, peak RSS with calls in flight, the release simulator's throughput
    /// with wrk (HTTP, HTTPS) beside Prism mocking the same spec, and the official
    /// Python SDK. Needs wrk, npm and python3; see BENCHMARKS.md.
    Bench {
        /// Smaller runs (under a minute), for CI.
        #[arg(long)]
        quick: bool,
        /// Instead: the instructions one lock call executes through the wrapper, the
        /// generated client and raw reqwest (needs valgrind), which do not vary with the
        /// machine's load.
        #[arg(long, conflicts_with = "quick")]
        instructions: bool,
        /// Instead: what the API surface costs to build: clean debug and release builds
        /// of the `meeting` crate, what its `redis` feature adds, the rebuild after a
        /// one-field spec edit, the generated lines per operation, `meeting-api`'s share
        /// (several minutes; builds in target/bench-build).
        #[arg(long, conflicts_with_all = ["quick", "instructions"])]
        build: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Circles => circles::run(&codegen::root()),
        Command::Codegen { check: false } => codegen::write(),
        Command::Codegen { check: true } => codegen::check(),
        Command::Test { args } => test::run(&codegen::root(), &args),
        Command::Bench { build: true, .. } => build_cost::run(),
        Command::Bench {
            instructions: true, ..
        } => bench::instructions(),
        Command::Bench { quick, .. } => bench::run(quick),
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
