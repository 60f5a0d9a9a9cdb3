//! What the client measures, through the `metrics` facade (feature `metrics`): the
//! application installs a recorder (a Prometheus exporter, OpenTelemetry's bridge), or
//! nothing is recorded. Without the feature each function here is empty.
//!
//! Every label value is a `&'static str` of a small set, and every key is built from
//! static parts: recording allocates nothing, whether a recorder is installed or not.

use std::time::Duration;

use meeting_api::table::Operation;

use crate::error::Error;
#[cfg(feature = "metrics")]
use crate::error::ErrorKind;

/// One metric: its name, kind, unit (UCUM, as OpenTelemetry writes it) and what it
/// counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    /// The name, in OpenTelemetry's dotted form.
    pub name: &'static str,
    /// Counter, gauge or histogram.
    pub kind: Kind,
    /// `s`, or a count of what it counts (`{push}`).
    pub unit: &'static str,
    /// What it measures, and its labels.
    pub description: &'static str,
}

/// How a [`Metric`] is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up.
    Counter,
    /// A value set now and then.
    Gauge,
    /// A distribution of values.
    Histogram,
}

/// Every metric this crate records: the README's table and the exporters' `# HELP`
/// lines.
pub const METRICS: &[Metric] = &[
    Metric {
        name: OPERATION_DURATION,
        kind: Kind::Histogram,
        unit: "s",
        description: "Duration of a call, retries and token fetches included, by operation and outcome",
    },
    Metric {
        name: RETRIES,
        kind: Kind::Counter,
        unit: "{retry}",
        description: "Requests sent again after a failure, by operation",
    },
    Metric {
        name: TOKEN_FETCHES,
        kind: Kind::Counter,
        unit: "{fetch}",
        description: "Token fetches (a login, a control token, or one another client shared), by kind and outcome",
    },
    Metric {
        name: TOKEN_REFUSALS,
        kind: Kind::Counter,
        unit: "{refusal}",
        description: "Token fetches answered with a remembered refusal, nothing sent, by kind",
    },
    Metric {
        name: STREAM_CONNECTS,
        kind: Kind::Counter,
        unit: "{connect}",
        description: "Event sockets opened and subscribed (the first and every reconnect)",
    },
    Metric {
        name: STREAM_RECONNECTS,
        kind: Kind::Counter,
        unit: "{reconnect}",
        description: "Event stream reconnect attempts after a lost socket",
    },
    Metric {
        name: STREAM_RESYNCS,
        kind: Kind::Counter,
        unit: "{resync}",
        description: "Event streams rebuilt from a full state, by cause: subscribed, reconnected, gap, lagged, resumed",
    },
    Metric {
        name: STREAM_SKIPPED,
        kind: Kind::Counter,
        unit: "{event}",
        description: "Events a consumer too slow for its stream's buffer skipped (its lag)",
    },
    Metric {
        name: FLEET_LEASES,
        kind: Kind::Counter,
        unit: "{lease}",
        description: "Lease changes of this replica, by event: claimed, taken_over (a claim whose last holder died or lost its lease), lapsed (not renewed in time), fenced (another's), reclaimed (set again after Redis lost it), rebalanced, stalled",
    },
    Metric {
        name: FLEET_HELD,
        kind: Kind::Gauge,
        unit: "{lease}",
        description: "Leases this replica holds",
    },
    Metric {
        name: FLEET_PUBLISHED,
        kind: Kind::Counter,
        unit: "{entry}",
        description: "Entries this replica added to the fleet's stream",
    },
    Metric {
        name: FLEET_ABANDONED,
        kind: Kind::Counter,
        unit: "{entry}",
        description: "Entries whose publication this replica gave up after the fence window; Redis may have added them still (a call it ran after its answer was given up on)",
    },
    Metric {
        name: FLEET_PUBLISH_LAG,
        kind: Kind::Histogram,
        unit: "s",
        description: "From a batch of events read from a meeting's stream to its entries in Redis, retries included",
    },
    Metric {
        name: PUSH_MEMORY,
        kind: Kind::Gauge,
        unit: "{push}",
        description: "Pushes an in-process replay memory holds, remembered or being handled",
    },
    Metric {
        name: PUSHES,
        kind: Kind::Counter,
        unit: "{push}",
        description: "Event pushes received, by outcome: accepted, failed (the handler), replayed, handshake, unavailable (503), refused (with its reason)",
    },
];

const OPERATION_DURATION: &str = "meeting.client.operation.duration";
const RETRIES: &str = "meeting.client.operation.retries";
const TOKEN_FETCHES: &str = "meeting.client.token.fetches";
const TOKEN_REFUSALS: &str = "meeting.client.token.refusals";
const PUSHES: &str = "meeting.webhook.pushes";
const PUSH_MEMORY: &str = "meeting.webhook.memory.entries";
const FLEET_LEASES: &str = "meeting.fleet.leases";
const FLEET_HELD: &str = "meeting.fleet.leases.held";
const FLEET_PUBLISHED: &str = "meeting.fleet.published";
const FLEET_PUBLISH_LAG: &str = "meeting.fleet.publish.lag";
const FLEET_ABANDONED: &str = "meeting.fleet.publish.abandoned";
const STREAM_CONNECTS: &str = "meeting.events.connects";
const STREAM_RECONNECTS: &str = "meeting.events.reconnects";
const STREAM_RESYNCS: &str = "meeting.events.resyncs";
const STREAM_SKIPPED: &str = "meeting.events.skipped";

/// The outcome label of a call: `ok` or the error's kind.
#[cfg(feature = "metrics")]
fn outcome(result: Result<(), &Error>) -> &'static str {
    result.map_or_else(|e| e.kind().as_str(), |()| "ok")
}

/// The kind label of a token: `access` or `control`.
pub(crate) fn token_kind(control: bool) -> &'static str {
    if control { "control" } else { "access" }
}

/// Describes the metrics to the installed recorder (units, help texts), for exporters
/// that print them: call it once, after installing the recorder.
pub fn describe() {
    #[cfg(feature = "metrics")]
    for metric in METRICS {
        let unit = if metric.unit == "s" {
            metrics::Unit::Seconds
        } else {
            metrics::Unit::Count
        };
        match metric.kind {
            Kind::Counter => metrics::describe_counter!(metric.name, unit, metric.description),
            Kind::Gauge => metrics::describe_gauge!(metric.name, unit, metric.description),
            Kind::Histogram => {
                metrics::describe_histogram!(metric.name, unit, metric.description)
            }
        }
    }
}

/// A call of `operation` ended after `elapsed`.
pub(crate) fn call_ended(
    operation: &'static Operation,
    elapsed: Duration,
    result: Result<(), &Error>,
) {
    #[cfg(feature = "metrics")]
    {
        let labels = labels::operation(operation, outcome(result));
        let key = metrics::Key::from_static_parts(OPERATION_DURATION, labels);
        metrics::with_recorder(|r| r.register_histogram(&key, &labels::METADATA))
            .record(elapsed.as_secs_f64());
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, elapsed, result);
}

/// `operation` is sent again.
pub(crate) fn retried(operation: &'static Operation) {
    #[cfg(feature = "metrics")]
    {
        let key = metrics::Key::from_static_parts(RETRIES, labels::operation(operation, ""));
        metrics::with_recorder(|r| r.register_counter(&key, &labels::METADATA)).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = operation;
}

/// A token fetch ended.
pub(crate) fn token_fetched(kind: &'static str, result: Result<(), &Error>) {
    #[cfg(feature = "metrics")]
    {
        let labels = labels::token(kind, outcome(result));
        let key = metrics::Key::from_static_parts(TOKEN_FETCHES, labels);
        metrics::with_recorder(|r| r.register_counter(&key, &labels::METADATA)).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (kind, result);
}

/// A token fetch was answered with a remembered refusal.
pub(crate) fn token_refused(kind: &'static str) {
    #[cfg(feature = "metrics")]
    {
        let labels = labels::token(kind, "");
        let key = metrics::Key::from_static_parts(TOKEN_REFUSALS, labels);
        metrics::with_recorder(|r| r.register_counter(&key, &labels::METADATA)).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = kind;
}

/// An event socket was opened and subscribed.
#[cfg(feature = "events")]
pub(crate) fn stream_connected() {
    #[cfg(feature = "metrics")]
    metrics::counter!(STREAM_CONNECTS).increment(1);
}

/// An event stream tries again after losing its socket.
#[cfg(feature = "events")]
pub(crate) fn stream_reconnecting() {
    #[cfg(feature = "metrics")]
    metrics::counter!(STREAM_RECONNECTS).increment(1);
}

/// A consumer skipped `events` it was too slow for.
#[cfg(feature = "events")]
pub(crate) fn stream_lagged(events: u64) {
    #[cfg(feature = "metrics")]
    metrics::counter!(STREAM_SKIPPED).increment(events);
    #[cfg(not(feature = "metrics"))]
    let _ = events;
}

/// An event stream was rebuilt from a full state, for `cause`
/// (`ResyncCause::as_str`).
#[cfg(feature = "events")]
pub(crate) fn stream_resynced(cause: &'static str) {
    #[cfg(feature = "metrics")]
    {
        let counter = match cause {
            "subscribed" => metrics::counter!(STREAM_RESYNCS, "cause" => "subscribed"),
            "reconnected" => metrics::counter!(STREAM_RESYNCS, "cause" => "reconnected"),
            "gap" => metrics::counter!(STREAM_RESYNCS, "cause" => "gap"),
            "lagged" => metrics::counter!(STREAM_RESYNCS, "cause" => "lagged"),
            _ => metrics::counter!(STREAM_RESYNCS, "cause" => "resumed"),
        };
        counter.increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = cause;
}

/// What happened to one of the fleet's leases.
#[cfg(feature = "fleet")]
#[derive(Clone, Copy)]
pub(crate) enum Lease {
    Claimed,
    /// A claim whose last holder did not give the meeting back.
    TakenOver,
    Lapsed,
    Fenced,
    Reclaimed,
    Rebalanced,
    Stalled,
}

/// A lease of this replica changed; it now holds `held`.
#[cfg(feature = "fleet")]
pub(crate) fn lease(event: Lease) {
    #[cfg(feature = "metrics")]
    {
        let counter = match event {
            Lease::Claimed => metrics::counter!(FLEET_LEASES, "event" => "claimed"),
            Lease::TakenOver => metrics::counter!(FLEET_LEASES, "event" => "taken_over"),
            Lease::Lapsed => metrics::counter!(FLEET_LEASES, "event" => "lapsed"),
            Lease::Fenced => metrics::counter!(FLEET_LEASES, "event" => "fenced"),
            Lease::Reclaimed => metrics::counter!(FLEET_LEASES, "event" => "reclaimed"),
            Lease::Rebalanced => metrics::counter!(FLEET_LEASES, "event" => "rebalanced"),
            Lease::Stalled => metrics::counter!(FLEET_LEASES, "event" => "stalled"),
        };
        counter.increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = event;
}

/// This replica holds `held` leases.
#[cfg(feature = "fleet")]
pub(crate) fn leases_held(held: usize) {
    #[cfg(feature = "metrics")]
    metrics::gauge!(FLEET_HELD).set(held as f64);
    #[cfg(not(feature = "metrics"))]
    let _ = held;
}

/// `entries` were published, `lag` after their batch was read.
#[cfg(feature = "fleet")]
pub(crate) fn published(entries: usize, lag: Duration) {
    #[cfg(feature = "metrics")]
    {
        metrics::counter!(FLEET_PUBLISHED).increment(entries as u64);
        metrics::histogram!(FLEET_PUBLISH_LAG).record(lag.as_secs_f64());
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (entries, lag);
}

/// The publication of `entries` was given up: they may or may not be in the stream.
#[cfg(feature = "fleet")]
pub(crate) fn publish_abandoned(entries: usize) {
    #[cfg(feature = "metrics")]
    metrics::counter!(FLEET_ABANDONED).increment(entries as u64);
    #[cfg(not(feature = "metrics"))]
    let _ = entries;
}

/// A push was received and not refused: `outcome` is one of the metric's outcomes.
pub(crate) fn push(outcome: &'static str) {
    #[cfg(feature = "metrics")]
    match outcome {
        "accepted" => metrics::counter!(PUSHES, "outcome" => "accepted").increment(1),
        "failed" => metrics::counter!(PUSHES, "outcome" => "failed").increment(1),
        "replayed" => metrics::counter!(PUSHES, "outcome" => "replayed").increment(1),
        "handshake" => metrics::counter!(PUSHES, "outcome" => "handshake").increment(1),
        _ => metrics::counter!(PUSHES, "outcome" => "unavailable").increment(1),
    }
    #[cfg(not(feature = "metrics"))]
    let _ = outcome;
}

/// An in-process replay memory holds `entries` pushes.
pub(crate) fn push_memory(entries: usize) {
    #[cfg(feature = "metrics")]
    metrics::gauge!(PUSH_MEMORY).set(entries as f64);
    #[cfg(not(feature = "metrics"))]
    let _ = entries;
}

/// A push was refused, for `reason` ([`crate::webhook::Refused::reason`]).
pub(crate) fn push_refused(reason: &'static str) {
    #[cfg(feature = "metrics")]
    match reason {
        "malformed" => {
            metrics::counter!(PUSHES, "outcome" => "refused", "reason" => "malformed").increment(1)
        }
        "wrong_subscriber" => {
            metrics::counter!(PUSHES, "outcome" => "refused", "reason" => "wrong_subscriber")
                .increment(1)
        }
        "bad_signature" => {
            metrics::counter!(PUSHES, "outcome" => "refused", "reason" => "bad_signature")
                .increment(1)
        }
        "too_old" => {
            metrics::counter!(PUSHES, "outcome" => "refused", "reason" => "too_old").increment(1)
        }
        _ => {
            metrics::counter!(PUSHES, "outcome" => "refused", "reason" => "in_future").increment(1)
        }
    }
    #[cfg(not(feature = "metrics"))]
    let _ = reason;
}

/// Static label sets, made once: a key built from them costs no allocation.
#[cfg(feature = "metrics")]
mod labels {
    use std::sync::OnceLock;

    use meeting_api::table::Operation;
    use metrics::Label;

    use crate::error::ErrorKind;

    pub static METADATA: metrics::Metadata<'static> =
        metrics::Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));

    /// Every outcome label: `ok`, each error kind, and none (a metric without outcome).
    const OUTCOMES: usize = super::ERROR_KINDS.len() + 2;

    fn outcome_index(outcome: &str) -> usize {
        match outcome {
            "" => 0,
            "ok" => 1,
            kind => super::ERROR_KINDS
                .iter()
                .position(|k| k.as_str() == kind)
                .map_or(0, |i| i + 2),
        }
    }

    fn outcome_label(index: usize) -> Option<&'static str> {
        match index {
            0 => None,
            1 => Some("ok"),
            i => super::ERROR_KINDS
                .get(i - 2)
                .map(|k: &ErrorKind| k.as_str()),
        }
    }

    fn set(first: Label, outcome: usize) -> &'static [Label] {
        let mut labels = vec![first];
        if let Some(outcome) = outcome_label(outcome) {
            labels.push(Label::from_static_parts("outcome", outcome));
        }
        labels.leak()
    }

    /// `operation` (and `outcome` unless empty) for an operation of the table.
    pub fn operation(operation: &'static Operation, outcome: &str) -> &'static [Label] {
        static SETS: OnceLock<Vec<&'static [Label]>> = OnceLock::new();
        let all = meeting_api::operations::ALL;
        let sets = SETS.get_or_init(|| {
            all.iter()
                .flat_map(|op| {
                    (0..OUTCOMES).map(|o| set(Label::from_static_parts("operation", op.id), o))
                })
                .collect()
        });
        // Every operation is the table's; one that were not would go unlabelled rather
        // than under another's name.
        all.iter()
            .position(|op| std::ptr::eq(*op, operation))
            .and_then(|i| sets.get(i * OUTCOMES + outcome_index(outcome)))
            .copied()
            .unwrap_or_default()
    }

    /// `kind` (`access` or `control`) and `outcome` unless empty.
    pub fn token(kind: &'static str, outcome: &str) -> &'static [Label] {
        static SETS: OnceLock<Vec<&'static [Label]>> = OnceLock::new();
        let sets = SETS.get_or_init(|| {
            ["access", "control"]
                .into_iter()
                .flat_map(|k| {
                    (0..OUTCOMES).map(move |o| set(Label::from_static_parts("kind", k), o))
                })
                .collect()
        });
        let kind = usize::from(kind == "control");
        sets.get(kind * OUTCOMES + outcome_index(outcome))
            .copied()
            .unwrap_or_default()
    }
}

/// Every error kind, for the static label sets.
#[cfg(feature = "metrics")]
const ERROR_KINDS: [ErrorKind; 14] = [
    ErrorKind::InvalidInput,
    ErrorKind::Config,
    ErrorKind::Authentication,
    ErrorKind::PermissionDenied,
    ErrorKind::NotFound,
    ErrorKind::BadRequest,
    ErrorKind::RateLimited,
    ErrorKind::ServerError,
    ErrorKind::OtherService,
    ErrorKind::Transport,
    ErrorKind::Tls,
    ErrorKind::Timeout,
    ErrorKind::Disconnected,
    ErrorKind::UnexpectedResponse,
];

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_its_outcome_label() {
        // Exhaustive: a new kind fails to compile here until ERROR_KINDS has it.
        let listed = |kind: ErrorKind| match kind {
            ErrorKind::InvalidInput
            | ErrorKind::Config
            | ErrorKind::Authentication
            | ErrorKind::PermissionDenied
            | ErrorKind::NotFound
            | ErrorKind::BadRequest
            | ErrorKind::RateLimited
            | ErrorKind::ServerError
            | ErrorKind::OtherService
            | ErrorKind::Transport
            | ErrorKind::Tls
            | ErrorKind::Timeout
            | ErrorKind::Disconnected
            | ErrorKind::UnexpectedResponse => ERROR_KINDS.contains(&kind),
        };
        assert!(ERROR_KINDS.into_iter().all(listed));
        let op = &meeting_api::operations::LOCK_MEETING;
        for kind in ERROR_KINDS {
            let labels = labels::operation(op, kind.as_str());
            assert_eq!(labels[0].value(), "LockMeeting");
            assert_eq!(labels[1].value(), kind.as_str());
        }
        assert_eq!(labels::operation(op, "ok")[1].value(), "ok");
        assert_eq!(labels::operation(op, "").len(), 1);
        let refused = labels::token("control", "");
        assert_eq!((refused.len(), refused[0].value()), (1, "control"));
        assert_eq!(labels::token("access", "timeout")[1].value(), "timeout");
    }
}

#[cfg(test)]
mod readme {
    /// The README's table lists exactly these metrics, with their units.
    #[test]
    fn the_readme_table_is_the_list() {
        let readme = include_str!("../README.md");
        let rows: Vec<&str> = readme
            .lines()
            .filter(|l| l.starts_with("| `meeting."))
            .collect();
        assert_eq!(rows.len(), super::METRICS.len(), "{rows:#?}");
        for metric in super::METRICS {
            let row = rows
                .iter()
                .find(|r| r.starts_with(&format!("| `{}` |", metric.name)))
                .unwrap_or_else(|| panic!("{} is not in the README's table", metric.name));
            let kind = match metric.kind {
                super::Kind::Counter => "counter",
                super::Kind::Gauge => "gauge",
                super::Kind::Histogram => "histogram, s",
            };
            assert!(row.contains(&format!("| {kind} |")), "{row}");
        }
    }

    /// The README's OpenTelemetry set-up is the example's, which CI compiles (the
    /// example is read from the workspace: a packaged crate has no sibling to compare).
    #[test]
    fn the_readme_otlp_set_up_is_the_example() {
        let readme = include_str!("../README.md");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../meeting-otlp-example/src/main.rs"
        );
        let example = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let region = example
            .split_once("// README: otlp\n")
            .and_then(|(_, rest)| rest.split_once("// README: end\n"))
            .map(|(region, _)| region)
            .unwrap_or_else(|| panic!("{path} marks no README region"));
        assert!(
            readme.contains(&format!("```rust,ignore\n{region}```")),
            "the README's OTLP block differs from {path}"
        );
    }
}
