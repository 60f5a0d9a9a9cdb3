//! The lowest layer of a call: the generated client, sent to with retries from the
//! table of operations, under one deadline, in one span, with the credentials it is
//! given. The token layer (`tokens`) and the call pipeline (`client::call`) both send
//! through it; it knows nothing of where tokens come from.

mod failure;

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, SystemTime};

use meeting_api::ResponseValue;
use meeting_api::secrets::Secrets;
use meeting_api::table::Operation;
use meeting_api::types::ErrorBody;
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use crate::clock::Clock;
use crate::error::{Context, Error};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::telemetry;

/// What the generated client answers.
pub(crate) type ApiResult<T> = Result<ResponseValue<T>, meeting_api::Error<ErrorBody>>;

/// The generated client and how to send with it: retries, their budget, timeouts, the
/// body limit and the clock tokens are timed by.
pub(crate) struct Runtime {
    pub api: meeting_api::Client,
    pub retry: RetryPolicy,
    /// The HTTP client's timeout of one attempt, if the client built it.
    pub request_timeout: Option<Duration>,
    /// Shared by a client and its clones.
    pub retry_budget: RetryBudget,
    pub body_limit: usize,
    pub clock: Arc<dyn Clock>,
    /// Where the calls go, for the spans.
    pub server: Server,
}

/// The host and port of the endpoint (OpenTelemetry's `server.address`, `server.port`).
pub(crate) struct Server {
    pub address: Box<str>,
    pub port: u16,
}

impl Server {
    /// Of a checked endpoint (an `http` or `https` URL).
    pub fn of(base_url: &str) -> Self {
        let url = url::Url::parse(base_url).ok();
        Self {
            address: url
                .as_ref()
                .and_then(|u| u.host_str())
                .unwrap_or_default()
                .into(),
            port: url
                .as_ref()
                .and_then(|u| u.port_or_known_default())
                .unwrap_or(443),
        }
    }
}

impl Runtime {
    /// When an operation starting now must be over: every attempt, every wait and every
    /// token fetch it triggers happen before it.
    pub fn deadline(&self) -> Instant {
        let budget = self.retry.max_elapsed_budget();
        crate::clock::later(Instant::now(), budget)
    }

    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Sends `operation` with retries (as its retry class and the policy allow) until
    /// success, a failure not worth retrying, the last attempt, or a wait that would
    /// end past `deadline`.
    ///
    /// Traced as OpenTelemetry's HTTP client conventions expect: a span
    /// `meeting.operation` named by the operation ID (`otel.name`), and in it one span
    /// `meeting.attempt` per request (`{method} {url.template}`) with
    /// `http.request.method`, `url.template` (the spec's path, never a URL with query
    /// values), `server.address`, `server.port`, `http.request.resend_count`,
    /// `http.response.status_code`, `error.type`, and the service's `meeting.request_id`
    /// and `meeting.error_code`. Never a header, a body or a token.
    pub async fn attempts<T, F, Fut>(
        &self,
        operation: &'static Operation,
        context: &Context,
        deadline: Instant,
        secrets: &Secrets,
        mut send: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let policy = &self.retry;
        let body_limit = self.body_limit;
        let span = tracing::info_span!(
            "meeting.operation",
            otel.name = operation.id,
            otel.kind = "client",
            meeting.operation = operation.id,
            meeting.conference_id = context.conference.as_deref(),
            meeting.attempts = Empty,
            error.type = Empty,
        );
        let retries = policy.retries(operation.repeat);
        let budget = &self.retry_budget;
        async move {
            let span = tracing::Span::current();
            let started = std::time::Instant::now();
            let mut attempt: u32 = 0;
            let mut spent = 0;
            loop {
                attempt += 1;
                span.record("meeting.attempts", attempt);
                let attempt_span = self.attempt_span(operation, attempt);
                // Boxed: the generated request future is large, and every layer
                // around it (task-local, span, deadline) would otherwise copy it.
                let observed = meeting_api::call::observe(
                    body_limit,
                    secrets.clone(),
                    Box::pin(send()),
                )
                .instrument(attempt_span.clone());
                let outcome = if self.outlives(deadline) {
                    tokio::time::timeout_at(deadline, observed).await.ok()
                } else {
                    Some(observed.await)
                };
                let error = match outcome {
                    Some((result, exchange)) => {
                        if let Some(exchange) = &exchange {
                            attempt_span
                                .record("http.response.status_code", exchange.status.as_u16());
                            if let Some(id) = exchange.request_id() {
                                attempt_span.record("meeting.request_id", id);
                            }
                        }
                        match result {
                            Ok(response) => {
                                budget.succeeded(spent);
                                telemetry::call_ended(operation, started.elapsed(), Ok(()));
                                tracing::debug!(parent: &attempt_span, "call succeeded");
                                return Ok(response.into_inner());
                            }
                            Err(e) => Error::from_api(context, e, exchange),
                        }
                    }
                    // The deadline came before the answer.
                    None => Error::Timeout {
                        context: context.clone(),
                    },
                };
                attempt_span.record("error.type", error.kind().as_str());
                if let Some(code) = error.code() {
                    attempt_span.record("meeting.error_code", code);
                }
                drop(attempt_span);
                if retries && error.is_retryable() && attempt < policy.attempts() {
                    let delay = policy.delay(attempt, &error);
                    // Checked: a server's Retry-After may be as large as it likes.
                    let in_time = Instant::now()
                        .checked_add(delay)
                        .is_some_and(|end| end <= deadline);
                    match in_time.then(|| budget.spend(&error)).flatten() {
                        Some(cost) => {
                            spent += cost;
                            telemetry::retried(operation);
                            tracing::info!(delay_ms = delay.as_millis() as u64, error = %error, "retrying");
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        None if in_time => tracing::debug!("retry budget spent: not retrying"),
                        None => {}
                    }
                }
                span.record("error.type", error.kind().as_str());
                telemetry::call_ended(operation, started.elapsed(), Err(&error));
                tracing::debug!(error = %error, "call failed");
                return Err(error);
            }
        }
        .instrument(span)
        .await
    }

    /// The span of one request: an HTTP client span in OpenTelemetry's terms. Its
    /// fields are computed only when a subscriber records it.
    fn attempt_span(&self, operation: &'static Operation, attempt: u32) -> tracing::Span {
        tracing::info_span!(
            "meeting.attempt",
            otel.name = %format_args!("{} {}", operation.method.as_str(), operation.path),
            otel.kind = "client",
            http.request.method = operation.method.as_str(),
            url.template = operation.path,
            server.address = &*self.server.address,
            server.port = self.server.port,
            // OpenTelemetry: set on resends only.
            http.request.resend_count = (attempt > 1).then(|| attempt - 1),
            http.response.status_code = Empty,
            error.type = Empty,
            meeting.request_id = Empty,
            meeting.error_code = Empty,
        )
    }

    /// Whether an attempt starting now could run past `deadline`: the HTTP client's
    /// request timeout would not end it first (or is unknown: a client of the
    /// caller's). Only then does the attempt need a timer of its own.
    fn outlives(&self, deadline: Instant) -> bool {
        self.request_timeout.is_none_or(|timeout| {
            Instant::now()
                .checked_add(timeout)
                .is_none_or(|end| end > deadline)
        })
    }
}

/// Runs `operation`, or fails with [`Error::Timeout`] once `deadline` has passed. An
/// operation that finishes at once (a cached token) costs no timer.
pub(crate) async fn within<T>(
    deadline: Instant,
    context: &Context,
    operation: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let mut operation = std::pin::pin!(operation);
    let at_once = std::future::poll_fn(|cx| {
        Poll::Ready(match operation.as_mut().poll(cx) {
            Poll::Ready(output) => Some(output),
            Poll::Pending => None,
        })
    })
    .await;
    match at_once {
        Some(output) => output,
        None => tokio::time::timeout_at(deadline, operation)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Timeout {
                    context: context.clone(),
                })
            }),
    }
}
