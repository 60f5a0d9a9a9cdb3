//! Where the client reads the time, for token expiry. Tests swap in a `ManualClock`
//! (feature `test-util`) to cross an expiry without sleeping.

use std::time::SystemTime;

#[cfg(any(test, feature = "test-util"))]
pub use manual::ManualClock;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

#[cfg(any(test, feature = "test-util"))]
mod manual {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, SystemTime};

    use super::Clock;

    /// The wall clock plus an offset that only moves when told to. For tests: enable
    /// the `test-util` feature.
    #[derive(Clone, Debug, Default)]
    pub struct ManualClock {
        offset: Arc<Mutex<Duration>>,
    }

    impl ManualClock {
        /// Moves the clock forward.
        pub fn advance(&self, by: Duration) {
            let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
            *offset += by;
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> SystemTime {
            let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
            SystemTime::now() + offset
        }
    }
}

/// `from + by`, saturated some thirty years ahead (tokio's own "far future"): a
/// `Duration` given to a builder, even `Duration::MAX`, never makes a deadline panic.
pub(crate) fn later(from: tokio::time::Instant, by: std::time::Duration) -> tokio::time::Instant {
    const FAR: std::time::Duration = std::time::Duration::from_secs(86_400 * 365 * 30);
    from.checked_add(by.min(FAR)).unwrap_or(from)
}
