//! The demo's calls traced to an OpenTelemetry collector over OTLP/HTTP: each operation
//! a span named by its operation ID, each attempt a child span with OpenTelemetry's HTTP
//! client attributes (see the `meeting` crate's README, "Tracing").
//!
//! ```text
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 cargo run -p meeting-otlp-example
//! ```
//!
//! The exporter reads OpenTelemetry's standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, …); without
//! them it sends to `http://localhost:4318/v1/traces`.

use std::process::ExitCode;

// README: otlp
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Sends the `meeting` crate's spans (and no other) to the collector in batches.
fn install_tracing() -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()?;
    let provider = SdkTracerProvider::builder()
        .with_resource(
            Resource::builder()
                .with_service_name("meeting-back-end")
                .build(),
        )
        .with_batch_exporter(exporter)
        .build();
    let spans = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("meeting"))
        .with_filter(Targets::new().with_target("meeting", LevelFilter::INFO));
    tracing_subscriber::registry().with(spans).init();
    Ok(provider)
}
// README: end

#[tokio::main]
async fn main() -> ExitCode {
    // HTTPS to a collector, or to the service, needs a TLS provider: the SDK leaves the
    // choice to the application.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let provider = match install_tracing() {
        Ok(provider) => provider,
        Err(e) => {
            eprintln!("error: cannot set up the OTLP exporter: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = meeting_demo::run().await;
    // Sends what the batch still holds before the process ends.
    if let Err(e) = provider.shutdown() {
        eprintln!("warning: the last spans were not exported: {e}");
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::FAILURE
        }
    }
}
