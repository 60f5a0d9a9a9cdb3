//! `meeting`: the command-line tool. See `meeting --help`.

/// A line on stderr. A closed stderr (its reader gone: a pipe closed, a supervisor
/// restarted) loses the line, where `eprintln!` would panic: a listener or a fleet
/// replica that runs for months must not die of its log.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod chart;
mod commands;
mod connect;
mod help;
mod observe;
mod output;
mod secrets;
mod serve;

use std::process::ExitCode;

use clap::{FromArgMatches, Parser};

/// Operate Huawei Cloud Meeting meetings: schedule, find and end them, control one in
/// progress and its participants, watch its events, configure the event push, run a
/// fleet that watches them all. `meeting demo` shows it on a simulator.
///
/// Secrets (passwords, app key, tokens) are read from the environment, from a file
/// (--*-file), or from a prompt; never from a plain flag.
///
/// Exit codes: 0 success; 1 the service answered with an error; 2 usage or invalid
/// input (nothing was sent); 3 transport failure or timeout.
#[derive(Debug, Parser)]
#[command(name = "meeting", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: crate::commands::Command,
    #[command(flatten)]
    pub global: args::Global,
}

fn main() -> ExitCode {
    let matches = help::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Some(message) = args::secret_on_command_line(&matches) {
        return ExitCode::from(output::report(
            &output::Failure::Usage(message),
            cli.global.json,
        ));
    }
    let default_filter = match &cli.command {
        // `meeting sim` logs as `meeting-sim` does: a line per request unless --quiet.
        commands::Command::Sim(sim) if cli.global.verbose == 0 => sim.log_filter(),
        _ => log_filter(cli.global.verbose),
    };
    init_logging(default_filter, cli.global.verbose);
    match &cli.command {
        commands::Command::Completions { shell } => {
            let mut command = help::command();
            clap_complete::generate(*shell, &mut command, "meeting", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
        commands::Command::Man => {
            let rendered = clap_mangen::Man::new(help::command()).render(&mut std::io::stdout());
            return match rendered {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => ExitCode::from(output::report(
                    &output::Failure::Usage(format!("cannot write the manual page: {e}")),
                    cli.global.json,
                )),
            };
        }
        _ => {}
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            say!("error: cannot start the async runtime: {e}");
            return ExitCode::from(output::EXIT_TRANSPORT);
        }
    };
    let json = cli.global.json;
    let result = runtime.block_on(commands::run(cli.command, &cli.global));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => ExitCode::from(output::report(&failure, json)),
    }
}

/// What is logged by default: only this tool's warnings (the error message says what
/// failed; the HTTP and TLS libraries' own lines are noise there), each call's span
/// with -v, everything with -vv.
fn log_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn,rustls=off,hyper=off,hyper_util=off,h2=off,reqwest=off",
        1 => "warn,meeting=info,meeting_api=info,meeting_sim=info",
        _ => "trace",
    }
}

/// Logs to stderr, with colour only on a terminal. `RUST_LOG` overrides the filter;
/// whatever it says, the dependencies that log payloads (the WebSocket's frames with the
/// control token, HTTP frames, Redis URLs) are capped at `info`: no verbosity writes a
/// secret (see `meeting::logging`).
fn init_logging(default: &str, verbose: u8) {
    use std::io::IsTerminal;
    use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::layer::{Layer, SubscriberExt};
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let cap = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(
            meeting::logging::SECRET_BEARING_TARGETS
                .iter()
                .map(|target| (*target, LevelFilter::INFO)),
        );
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_span_events(if verbose > 0 {
            FmtSpan::CLOSE
        } else {
            FmtSpan::NONE
        })
        .with_filter(filter.and(cap));
    tracing_subscriber::registry().with(layer).init();
}
