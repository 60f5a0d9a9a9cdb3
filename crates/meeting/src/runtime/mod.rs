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
    /// end past `deadline`. Runs in a span that records operation, conference,
    /// attempt, status, request id and duration (never a header or a body).
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
            "meeting.call",
            operation = context.operation,
            conference = context.conference.as_deref().unwrap_or(""),
            attempt = Empty,
            status = Empty,
            request_id = Empty,
            duration_ms = Empty,
        );
        let retries = policy.retries(operation.repeat);
        let budget = &self.retry_budget;
        async move {
            let span = tracing::Span::current();
            // Timed only for a subscriber that records the span.
            let started = (!span.is_disabled()).then(Instant::now);
            let duration_ms = || started.map_or(0, |at| at.elapsed().as_millis() as u64);
            let mut attempt = 0;
            let mut spent = 0;
            loop {
                attempt += 1;
                span.record("attempt", attempt);
                // Boxed: the generated request future is large, and every layer
                // around it (task-local, span, deadline) would otherwise copy it.
                let observed = meeting_api::call::observe(
                    body_limit,
                    secrets.clone(),
                    Box::pin(send()),
                );
                let outcome = if self.outlives(deadline) {
                    tokio::time::timeout_at(deadline, observed).await.ok()
                } else {
                    Some(observed.await)
                };
                let error = match outcome {
                    Some((result, exchange)) => {
                        if let Some(exchange) = &exchange {
                            span.record("status", exchange.status.as_u16());
                            span.record("request_id", exchange.request_id().unwrap_or(""));
                        }
                        match result {
                            Ok(response) => {
                                budget.succeeded(spent);
                                span.record("duration_ms", duration_ms());
                                tracing::debug!("call succeeded");
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
                if retries && error.is_retryable() && attempt < policy.attempts() {
                    let delay = policy.delay(attempt, &error);
                    // Checked: a server's Retry-After may be as large as it likes.
                    let in_time = Instant::now()
                        .checked_add(delay)
                        .is_some_and(|end| end <= deadline);
                    match in_time.then(|| budget.spend(&error)).flatten() {
                        Some(cost) => {
                            spent += cost;
                            tracing::info!(delay_ms = delay.as_millis() as u64, error = %error, "retrying");
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        None if in_time => tracing::debug!("retry budget spent: not retrying"),
                        None => {}
                    }
                }
                span.record("duration_ms", duration_ms());
                tracing::debug!(error = %error, "call failed");
                return Err(error);
            }
        }
        .instrument(span)
        .await
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
