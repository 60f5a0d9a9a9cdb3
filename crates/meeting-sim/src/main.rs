//! `meeting-sim`: run the simulator from a shell.

use clap::Parser;
use meeting_sim::cli::SimArgs;

/// A stateful local simulator of the Huawei Cloud Meeting server API.
///
/// Prints its base URL on stdout (and the CA certificate's path under --tls), then logs
/// one line per request on stderr until Ctrl-C.
#[derive(Parser)]
#[command(name = "meeting-sim", version)]
struct Cli {
    #[command(flatten)]
    sim: SimArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = cli.sim.log_filter();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    cli.sim.run().await
}
