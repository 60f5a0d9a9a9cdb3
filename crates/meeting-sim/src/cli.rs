//! Command-line options of the `meeting-sim` binary, shared with `meeting sim`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::{FaultConfig, Seed, Simulator};

/// Options of a simulator run from the command line.
#[derive(Clone, Debug, clap::Args)]
pub struct SimArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind. Loopback unless you mean otherwise.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Serve HTTPS (plain HTTP is still accepted on the same port) with a certificate
    /// made at start-up; the CA's PEM is written to --ca-cert-out.
    #[arg(long)]
    pub tls: bool,
    /// Where to write the CA certificate under --tls [default: a file in the temp dir].
    #[arg(long, value_name = "FILE")]
    pub ca_cert_out: Option<PathBuf>,
    /// Accounts, apps and conferences to load (JSON; see the crate's README).
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Validity of access tokens, in seconds.
    #[arg(long, default_value_t = 12 * 3600, value_name = "SECONDS")]
    pub access_token_validity: u64,
    /// Validity of control tokens, in seconds.
    #[arg(long, default_value_t = 30 * 60, value_name = "SECONDS")]
    pub control_token_validity: u64,
    /// Seed of the fault generator (same seed, same faults).
    #[arg(long, default_value_t = 0)]
    pub fault_seed: u64,
    /// Fraction of requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub server_error_rate: f64,
    /// Fraction of requests answered 429 with Retry-After.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub throttle_rate: f64,
    /// Retry-After of injected 429s, in seconds.
    #[arg(long, default_value_t = 1, value_name = "SECONDS")]
    pub retry_after: u32,
    /// Fraction of connections dropped without an answer.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub drop_rate: f64,
    /// Fraction of requests before which every token expires.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub expire_tokens_rate: f64,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Do not log requests.
    #[arg(long, short)]
    pub quiet: bool,
}

impl SimArgs {
    /// The log filter these options ask for when `RUST_LOG` says nothing: one line per
    /// request, or only warnings with --quiet.
    pub fn log_filter(&self) -> &'static str {
        if self.quiet { "warn" } else { "info" }
    }

    /// The simulator these options describe (the seed file is read here).
    pub fn simulator(&self) -> anyhow::Result<Simulator> {
        for (name, rate) in [
            ("--server-error-rate", self.server_error_rate),
            ("--throttle-rate", self.throttle_rate),
            ("--drop-rate", self.drop_rate),
            ("--expire-tokens-rate", self.expire_tokens_rate),
        ] {
            anyhow::ensure!(
                (0.0..=1.0).contains(&rate),
                "{name} must be between 0 and 1, not {rate}"
            );
        }
        let seed = match &self.seed {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the seed file {}", path.display()))?;
                serde_json::from_str::<Seed>(&text)
                    .with_context(|| format!("the seed file {} is not valid", path.display()))?
            }
            None => Seed::default(),
        };
        Ok(Simulator::new()
            .bind(SocketAddr::new(self.bind, self.port))
            .tls(self.tls)
            .access_token_validity(Duration::from_secs(self.access_token_validity))
            .control_token_validity(Duration::from_secs(self.control_token_validity))
            .faults(FaultConfig {
                seed: self.fault_seed,
                server_error_rate: self.server_error_rate,
                throttle_rate: self.throttle_rate,
                retry_after_secs: self.retry_after,
                drop_rate: self.drop_rate,
                expire_tokens_rate: self.expire_tokens_rate,
                latency_ms: self.latency_ms,
            })
            .seed(seed))
    }

    /// Runs until Ctrl-C: prints `<base-url>` (and ` <ca-pem-path>` under --tls) as one
    /// line on stdout, then serves.
    pub async fn run(&self) -> anyhow::Result<()> {
        let handle = self
            .simulator()?
            .start()
            .await
            .context("starting the simulator")?;
        let mut line = handle.base_url().to_owned();
        if let Some(pem) = handle.ca_certificate_pem() {
            let path = self.ca_cert_out.clone().unwrap_or_else(|| {
                std::env::temp_dir()
                    .join(format!("meeting-sim-ca-{}.pem", handle.local_addr().port()))
            });
            std::fs::write(&path, pem).with_context(|| format!("writing {}", path.display()))?;
            line = format!("{line} {}", path.display());
        }
        println!("{line}");
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        handle.shutdown().await;
        Ok(())
    }
}
