//! The retry policy: which failures, how long to wait, when to stop. The loop that
//! applies it is the client's call pipeline (`client::call`).

use std::time::Duration;

use rand::Rng;

use crate::error::Error;

/// When and how often a failed call is tried again.
///
/// Only transient failures are retried (429, 500, 502, 503, 504, transport errors,
/// timeouts), and only for calls that are safe to repeat: the PUTs, the control-token
/// GET and the logins. Cancelling a meeting is retried only with
/// [`RetryPolicy::retry_cancel`]. The wait before attempt *n* is a random duration
/// between zero and `initial_backoff · 2ⁿ⁻²`, capped at `max_backoff` (full jitter), or
/// the `Retry-After` the service asked for if longer. `max_elapsed` is the deadline of a
/// whole operation: its attempts, its waits and the token fetches it triggers; no
/// retry starts whose wait would end past it, and an attempt still running then is
/// abandoned with [`crate::ErrorKind::Timeout`].
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

    /// The longest an operation may take: all its attempts, waits and token fetches.
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

    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn max_elapsed_budget(&self) -> Duration {
        self.max_elapsed
    }

    /// Whether a call of this kind is retried at all.
    pub(crate) fn retries(&self, idempotency: Idempotency) -> bool {
        match idempotency {
            Idempotency::Idempotent => true,
            Idempotency::Cancel => self.retry_cancel,
        }
    }

    /// The wait before attempt `attempt + 1`.
    pub(crate) fn delay(&self, attempt: u32, error: &Error) -> Duration {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceError;

    fn throttled(retry_after: Option<u64>) -> Error {
        Error::Service(Box::new(ServiceError {
            context: crate::error::Context {
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
