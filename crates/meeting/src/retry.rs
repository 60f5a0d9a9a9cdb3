//! The retry policy: which failures, how long to wait, when to stop. The loop that
//! applies it is the client's call pipeline (`client::call`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rand::Rng;

use meeting_api::table::Repeat;

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
    budget: Option<u32>,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms initial backoff, 5 s cap, 30 s in all, cancel not retried, a
    /// retry budget of 500.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
            retry_cancel: false,
            budget: Some(DEFAULT_RETRY_BUDGET),
        }
    }
}

/// The default capacity of the retry budget: 100 retries (50 after timeouts) when full.
pub const DEFAULT_RETRY_BUDGET: u32 = 500;
/// What a retry costs from the budget…
const RETRY_COST: u32 = 5;
/// …or after a timeout, which holds the service's capacity longer.
const TIMEOUT_RETRY_COST: u32 = 10;
/// What a call that succeeds at once earns back.
const SUCCESS_REWARD: u32 = 1;

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

    /// The retry budget a client and its clones share: a token bucket of `capacity`
    /// (default 500). A retry costs 5 (10 after a timeout); a call that succeeds at once
    /// earns 1 back, and one that succeeds after retries earns their cost back. When
    /// the budget is spent, failures are not retried: during an outage the client sends
    /// about one request per call instead of `max_attempts`, and retries resume as
    /// calls succeed again.
    pub fn retry_budget(mut self, capacity: u32) -> Self {
        self.budget = Some(capacity);
        self
    }

    /// No retry budget: every retryable failure is retried up to `max_attempts`.
    pub fn unlimited_retries(mut self) -> Self {
        self.budget = None;
        self
    }

    /// Also retry CancelMeeting and StopMeeting. Off by default: if one was applied but
    /// its answer lost, the retry fails with "already ended" instead of succeeding.
    /// (Invitations, hang-ups and prolongations are never retried.)
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

    /// Whether an operation of this retry class (the spec's `x-meeting-repeat`) is
    /// retried at all.
    pub(crate) fn retries(&self, repeat: Repeat) -> bool {
        match repeat {
            Repeat::Safe => true,
            Repeat::Terminal => self.retry_cancel,
            Repeat::Never => false,
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

/// The shared state of [`RetryPolicy::retry_budget`].
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: Option<u32>,
    /// Lock-free: every successful call touches it.
    tokens: AtomicU32,
}

impl RetryBudget {
    pub fn new(policy: &RetryPolicy) -> Self {
        Self {
            capacity: policy.budget,
            tokens: AtomicU32::new(policy.budget.unwrap_or(0)),
        }
    }

    /// Takes the cost of retrying after `error` from the budget, if it holds that
    /// much; returns what it took (0 without a budget), or `None` to stop retrying.
    pub fn spend(&self, error: &Error) -> Option<u32> {
        if self.capacity.is_none() {
            return Some(0);
        }
        let cost = if matches!(error, Error::Timeout { .. }) {
            TIMEOUT_RETRY_COST
        } else {
            RETRY_COST
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// A call succeeded after its retries cost `spent`.
    pub fn succeeded(&self, spent: u32) {
        if let Some(capacity) = self.capacity {
            let earned = if spent == 0 { SUCCESS_REWARD } else { spent };
            // Full most of the time: then there is nothing to write.
            let _ = self
                .tokens
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                    (t < capacity).then(|| t.saturating_add(earned).min(capacity))
                });
        }
    }

    /// What is left, for tests and figures.
    #[cfg(test)]
    fn left(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
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
    fn the_budget_stops_retries_when_spent_and_refills_on_success() {
        let budget = RetryBudget::new(&RetryPolicy::default().retry_budget(12));
        let error = throttled(None);
        assert_eq!(budget.spend(&error), Some(5));
        assert_eq!(budget.spend(&error), Some(5));
        assert_eq!(budget.spend(&error), None, "2 left, a retry costs 5");
        budget.succeeded(10);
        assert_eq!(budget.left(), 12, "refunded, never above capacity");
        let timeout = Error::Timeout {
            context: crate::error::Context::new("LockMeeting", None),
        };
        assert_eq!(budget.spend(&timeout), Some(10));
        budget.succeeded(0);
        assert_eq!(budget.left(), 3);
        let unlimited = RetryBudget::new(&RetryPolicy::default().unlimited_retries());
        for _ in 0..1000 {
            assert_eq!(unlimited.spend(&error), Some(0));
        }
    }

    #[test]
    fn builder_bounds() {
        let policy = RetryPolicy::default().max_attempts(0);
        assert_eq!(policy.max_attempts, 1);
        assert!(!RetryPolicy::default().retry_cancel);
        assert!(RetryPolicy::default().retry_cancel(true).retry_cancel);
    }
}
