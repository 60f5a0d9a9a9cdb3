//! `--metrics-port`: what a long-running command (`watch`, `watch --all`, `webhook
//! listen`) says to its supervisor: `/metrics` in Prometheus's text format (the
//! `meeting` crate's metrics, recorded by metrics-exporter-prometheus) and `/healthz`,
//! 200 while the process can do its job and 503 with the reason when it cannot.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use clap::Args;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::output::Failure;

/// Where to serve the metrics and the health check.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Serve `/metrics` (Prometheus text) and `/healthz` on this port (0: any free
    /// one, printed on stderr).
    #[arg(long, value_name = "PORT")]
    metrics_port: Option<u16>,
    /// The address to serve them on: loopback unless said otherwise.
    #[arg(long, value_name = "ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), requires = "metrics_port")]
    metrics_bind: IpAddr,
}

/// Whether the process can do its job: `Err` says why not.
pub type Health = Arc<dyn Fn() -> Result<(), String> + Send + Sync>;

/// How often the histograms' buckets are folded (the exporter's upkeep): what keeps
/// its memory bounded.
const UPKEEP: Duration = Duration::from_secs(5);

impl MetricsArgs {
    /// Binds the port and installs the Prometheus recorder, when `--metrics-port` asks
    /// for them: first thing, so that everything the command does is counted.
    pub async fn start(&self) -> Result<Option<Metrics>, Failure> {
        let Some(port) = self.metrics_port else {
            return Ok(None);
        };
        let socket = tokio::net::TcpListener::bind(SocketAddr::new(self.metrics_bind, port))
            .await
            .map_err(|e| {
                Failure::Usage(format!(
                    "cannot serve metrics on {}:{port}: {e}",
                    self.metrics_bind
                ))
            })?;
        let handle = PrometheusBuilder::new()
            .install_recorder()
            .map_err(|e| Failure::Usage(format!("cannot record metrics: {e}")))?;
        meeting::telemetry::describe();
        let upkeep = handle.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(UPKEEP);
            loop {
                every.tick().await;
                upkeep.run_upkeep();
            }
        });
        Ok(Some(Metrics { socket, handle }))
    }
}

/// The recorder installed and the port bound ([`MetricsArgs::start`]), not served yet.
pub struct Metrics {
    socket: tokio::net::TcpListener,
    handle: PrometheusHandle,
}

impl Metrics {
    /// Serves `/metrics` and `/healthz` (answered by `health`) in the background, and
    /// says where on stderr.
    pub fn serve(self, health: Health) -> Result<(), Failure> {
        let addr = self
            .socket
            .local_addr()
            .map_err(|e| Failure::Usage(format!("cannot serve metrics: {e}")))?;
        let router = axum::Router::new()
            .route("/metrics", axum::routing::get(metrics))
            .route("/healthz", axum::routing::get(healthz))
            .with_state(Endpoints {
                handle: self.handle,
                health,
            });
        say!("metrics on http://{addr}/metrics, health on http://{addr}/healthz");
        tokio::spawn(crate::serve::serve(
            self.socket,
            router,
            None,
            crate::serve::Limits {
                connections: 64,
                ..crate::serve::Limits::default()
            },
        ));
        Ok(())
    }
}

#[derive(Clone)]
struct Endpoints {
    handle: PrometheusHandle,
    health: Health,
}

async fn metrics(State(endpoints): State<Endpoints>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        endpoints.handle.render(),
    )
}

async fn healthz(State(endpoints): State<Endpoints>) -> impl IntoResponse {
    match (endpoints.health)() {
        Ok(()) => (StatusCode::OK, "ok\n".to_owned()),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")),
    }
}
