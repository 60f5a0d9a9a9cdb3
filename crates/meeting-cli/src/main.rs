//! `meeting`: the command-line tool. See `meeting --help`.

mod args;
mod commands;
mod demo;
mod output;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(output::EXIT_TRANSPORT);
        }
    };
    let json = cli.global.json;
    let result = runtime.block_on(commands::run(cli.command, json));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => ExitCode::from(output::report(&failure, json)),
    }
}

/// Logs to stderr: nothing by default, each call's span with -v, everything with -vv.
/// `RUST_LOG` overrides.
fn init_logging(verbose: u8) {
    use tracing_subscriber::fmt::format::FmtSpan;
    let default = match verbose {
        0 => "warn",
        1 => "warn,meeting=info,meeting_api=info,meeting_sim=info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_span_events(if verbose > 0 {
            FmtSpan::CLOSE
        } else {
            FmtSpan::NONE
        })
        .init();
}
