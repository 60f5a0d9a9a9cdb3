//! A simulator seeded for the wrapper's end-to-end tests, and a client pointed at it
//! whose clock moves with the simulator's.

use std::collections::HashMap;
use std::time::Duration;

use meeting::clock::ManualClock;
use meeting::{AppId, Client, ClientBuilder, Credentials, RetryPolicy};
pub use meeting_sim::example::{
    ADMIN as ACCOUNT, ADMIN_PASSWORD as PASSWORD, APP_ID, APP_KEY, CONFERENCE as CONF,
    HOST_PASSWORD, LAPTOP, SCHEDULED, SP_APP_ID, SP_APP_KEY, TERMINAL,
};
use meeting_sim::{ConferenceSeed, ConferenceState, Seed, SimHandle, Simulator};

/// The example seed, with no organizers (any test subject may cancel), plus ongoing
/// conferences `9000000NN` and scheduled `8000000NN` (host password `654321`).
pub fn seed() -> Seed {
    let mut seed = Seed::example();
    for conference in &mut seed.conferences {
        conference.organizer = None;
    }
    seed.conferences.extend((0..40).flat_map(|i| {
        [
            ConferenceSeed::new(
                format!("9000000{i:02}"),
                HOST_PASSWORD,
                ConferenceState::Ongoing,
            ),
            ConferenceSeed::new(
                format!("8000000{i:02}"),
                HOST_PASSWORD,
                ConferenceState::Scheduled,
            ),
        ]
    }));
    seed
}

pub async fn sim() -> SimHandle {
    Simulator::new()
        .seed(seed())
        .start()
        .await
        .expect("simulator starts")
}

/// Fast retries, so retry tests take milliseconds.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

pub fn builder(sim: &SimHandle) -> ClientBuilder {
    Client::builder()
        .endpoint(sim.base_url())
        .credentials(Credentials::account(ACCOUNT, PASSWORD))
        .retry_policy(quick_retries())
}

pub fn client(sim: &SimHandle) -> Client {
    builder(sim).build().expect("client builds")
}

/// Registers `url` for the enterprise's event push and enables it (the service's
/// handshake reaches the receiver there).
pub async fn enable_webhook(client: &Client, url: &str, subscriber: &str, key: &str) {
    client
        .set_webhook(&meeting::webhook::WebhookSetup::new(url, subscriber, key))
        .await
        .expect("set");
    let config = client
        .webhook_config(&Default::default())
        .await
        .expect("shown");
    client.enable_webhook(&config.id).await.expect("enabled");
}

pub fn app_client(sim: &SimHandle) -> Client {
    builder(sim)
        .credentials(Credentials::app_id(
            AppId::single_enterprise(APP_ID, APP_KEY).user_id("third_user_001"),
        ))
        .build()
        .expect("client builds")
}

/// Moves the simulator's clock and the client's together.
pub struct Clocks<'a> {
    pub sim: &'a SimHandle,
    pub client: ManualClock,
}

impl Clocks<'_> {
    pub fn advance(&self, by: Duration) {
        self.sim.advance_clock(by);
        self.client.advance(by);
    }
}

/// Log lines written while a [`Logs`] lives, on this thread (use a current-thread
/// runtime so that every task logs here).
pub struct Logs {
    captured: Captured,
    _guard: tracing::subscriber::DefaultGuard,
    /// Keeps a second dispatcher registered while the capture lives: with one only,
    /// tracing caches a callsite's interest from whichever thread hits it first, and a
    /// sibling test without a subscriber would cache "never" for the spans captured
    /// here. With two, every callsite asks both, and the capture's counts.
    _anchor: tracing::Dispatch,
}

impl Logs {
    pub fn text(&self) -> String {
        let bytes = self.captured.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line, down to TRACE, without colours, and every field of every
/// span as it is opened or recorded (`span.name field=value`, one per line): a field
/// the log lines would not show still reaches an exporter.
pub fn capture_logs() -> Logs {
    use tracing_subscriber::layer::SubscriberExt;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(move || writer.clone())
                .with_ansi(false),
        )
        .with(SpanFields(captured.clone()));
    let anchor = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let guard = tracing::subscriber::set_default(subscriber);
    // Heals a callsite a sibling test already cached as "never".
    tracing::callsite::rebuild_interest_cache();
    Logs {
        captured,
        _guard: guard,
        _anchor: anchor,
    }
}

/// Writes every span field, as opened and as recorded later, to the capture.
struct SpanFields(Captured);

impl<S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>>
    tracing_subscriber::Layer<S> for SpanFields
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        attrs.record(&mut FieldWriter(&self.0, attrs.metadata().name()));
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        cx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let name = cx.span(id).map_or("?", |span| span.name());
        values.record(&mut FieldWriter(&self.0, name));
    }
}

struct FieldWriter<'a>(&'a Captured, &'static str);

impl tracing::field::Visit for FieldWriter<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::io::Write;
        let _ = writeln!(self.0.clone(), "{} {}={value:?}", self.1, field.name());
    }
}

/// Waits (polling, at most 10 s) for a condition on what another task counts: for
/// outcomes that are certain but land a moment later (a delivery recorded after its
/// answer, an event counted after it arrived).
pub async fn eventually(condition: impl Fn() -> bool) {
    for _ in 0..10_000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("not within 10 s");
}

/// The next change of `participant` on an event stream, with what changed (10 s at
/// most).
pub async fn next_change(
    events: &mut meeting::events::EventStream,
    participant: &str,
) -> Vec<meeting::events::ParticipantField> {
    use futures::StreamExt;
    let wait = async {
        while let Some(event) = events.next().await {
            if let meeting::events::EventKind::ParticipantChanged {
                participant: p,
                changed,
            } = event.expect("an event").kind
                && p.id == participant
            {
                return changed;
            }
        }
        panic!("the stream ended");
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("within 10 s")
}

/// The meeting's status at the first status event on which `wanted` holds (10 s at
/// most).
pub async fn next_status(
    events: &mut meeting::events::EventStream,
    wanted: impl Fn(&meeting::events::MeetingStatus) -> bool,
) -> meeting::events::MeetingStatus {
    use futures::StreamExt;
    let wait = async {
        while let Some(event) = events.next().await {
            if let meeting::events::EventKind::Status { status, .. } = event.expect("an event").kind
                && wanted(&status)
            {
                return status;
            }
        }
        panic!("the stream ended");
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("within 10 s")
}

/// What metrics-util's debugging recorder recorded, read during a [`recording`] test.
pub struct Recorded(metrics_util::debugging::Snapshotter);

impl Recorded {
    /// Every metric recorded since the last read (counters and histograms start over
    /// at each read), by `name{key=value,…}`.
    pub fn read(&self) -> HashMap<String, metrics_util::debugging::DebugValue> {
        self.0
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let key = key.key();
                let labels: Vec<String> = key
                    .labels()
                    .map(|l| format!("{}={}", l.key(), l.value()))
                    .collect();
                (format!("{}{{{}}}", key.name(), labels.join(",")), value)
            })
            .collect()
    }
}

/// Runs `test` on a current-thread runtime with metrics-util's debugging recorder
/// recording for this thread, which runs every task of that runtime.
pub fn recording<F: std::future::Future>(test: impl FnOnce(Recorded) -> F) -> F::Output {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let recorded = Recorded(recorder.snapshotter());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    metrics::with_local_recorder(&recorder, || runtime.block_on(test(recorded)))
}
