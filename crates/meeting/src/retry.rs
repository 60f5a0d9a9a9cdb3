//! Retries: which failures, how long to wait, when to stop. And the tracing span every
//! call runs in.

use std::future::Future;
use std::time::{Duration, Instant};

use meeting_api::ResponseValue;
use meeting_api::types::ErrorBody;
use rand::Rng;
use tracing::Instrument;
use tracing::field::Empty;

use crate::error::{Context, Error};

/// When and how often a failed call is tried again.
///
/// Only transient failures are retried (429, 500, 502, 503, 504, transport errors,
/// timeouts), and only for calls that are safe to repeat: the PUTs, the control-token
/// GET and the logins. Cancelling a meeting is retried only with
/// [`RetryPolicy::retry_cancel`]. The wait before attempt *n* is a random duration
/// between zero and `initial_backoff · 2ⁿ⁻²`, capped at `max_backoff` (full jitter), or
/// the `Retry-After` the service asked for if longer; no retry starts once
/// `max_elapsed` would be exceeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    retry_cancel: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms initial backoff, 5 s cap, 30 s in all, cancel not retried.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
            retry_cancel: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry (before jitter).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff (before jitter).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest a call may take with its retries.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Also retry CancelMeeting. Off by default: if a cancel was applied but its answer
    /// lost, the retry fails with "already ended" instead of succeeding.
    pub fn retry_cancel(mut self, on: bool) -> Self {
        self.retry_cancel = on;
        self
    }

    /// The wait before attempt `attempt + 1`.
    fn delay(&self, attempt: u32, error: &Error) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let jitter = if ceiling.is_zero() {
            Duration::ZERO
        } else {
            rand::rng().random_range(Duration::ZERO..=ceiling)
        };
        let asked = error.service_error().and_then(|e| e.retry_after);
        asked.map_or(jitter, |asked| asked.max(jitter))
    }
}

/// Whether a call may be repeated without changing its effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Idempotency {
    Idempotent,
    /// CancelMeeting: retried only when the policy says so.
    Cancel,
}

/// Runs one operation with retries, in a span that records operation, conference,
/// attempt, status, request id and duration (never a header or a body).
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    context: &Context,
    idempotency: Idempotency,
    mut send: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, meeting_api::Error<ErrorBody>>>,
{
    let span = tracing::info_span!(
        "meeting.call",
        operation = context.operation,
        conference = context.conference.as_deref().unwrap_or(""),
        attempt = Empty,
        status = Empty,
        request_id = Empty,
        duration_ms = Empty,
    );
    let retries = match idempotency {
        Idempotency::Idempotent => true,
        Idempotency::Cancel => policy.retry_cancel,
    };
    async move {
        let started = Instant::now();
        let span = tracing::Span::current();
        let mut attempt = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let (result, exchange) = meeting_api::exchange::observe(send()).await;
            if let Some(exchange) = &exchange {
                span.record("status", exchange.status.as_u16());
                span.record("request_id", exchange.request_id.as_deref().unwrap_or(""));
            }
            let error = match result {
                Ok(response) => {
                    span.record("duration_ms", started.elapsed().as_millis() as u64);
                    tracing::debug!("call succeeded");
                    return Ok(response.into_inner());
                }
                Err(e) => Error::from_api(context, e, exchange),
            };
            if retries && error.is_retryable() && attempt < policy.max_attempts {
                let delay = policy.delay(attempt, &error);
                if started.elapsed() + delay <= policy.max_elapsed {
                    tracing::info!(delay_ms = delay.as_millis() as u64, error = %error, "retrying");
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            tracing::debug!(error = %error, "call failed");
            return Err(error);
        }
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceError;

    fn throttled(retry_after: Option<u64>) -> Error {
        Error::Service(Box::new(ServiceError {
            context: Context {
                operation: "LockMeeting",
                conference: None,
            },
            status: 429,
            code: "MMC.100000429".into(),
            message: String::new(),
            request_id: None,
            retry_after: retry_after.map(Duration::from_secs),
        }))
    }

    #[test]
    fn full_jitter_stays_under_the_exponential_ceiling() {
        let policy = RetryPolicy::default();
        for attempt in 1..10 {
            let ceiling =
                Duration::from_millis(200 * (1 << (attempt - 1))).min(Duration::from_secs(5));
            for _ in 0..50 {
                assert!(policy.delay(attempt, &throttled(None)) <= ceiling);
            }
        }
    }

    #[test]
    fn retry_after_is_honoured() {
        let policy = RetryPolicy::default();
        assert!(policy.delay(1, &throttled(Some(3))) >= Duration::from_secs(3));
    }

    #[test]
    fn builder_bounds() {
        let policy = RetryPolicy::default().max_attempts(0);
        assert_eq!(policy.max_attempts, 1);
        assert!(!RetryPolicy::default().retry_cancel);
        assert!(RetryPolicy::default().retry_cancel(true).retry_cancel);
    }
}
