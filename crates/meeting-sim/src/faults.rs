//! Injected faults, for reliability tests.
//!
//! Two ways in, both deterministic: rates drawn from a generator seeded with
//! [`FaultConfig::seed`] (the same seed and the same request order give the same
//! faults), and a script of faults for the next N requests. Faults are decided before a
//! request reaches its handler, so an answer with an injected error has no effect.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Rates of injected faults. All rates are fractions of requests, from 0.0 to 1.0.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Seed of the generator that draws the faults.
    pub seed: u64,
    /// Answered with 500, 502 or 503 (in equal parts).
    pub server_error_rate: f64,
    /// Answered with 429 and `Retry-After`.
    pub throttle_rate: f64,
    /// The `Retry-After` of injected 429s, in seconds.
    pub retry_after_secs: u32,
    /// Connection dropped without an answer.
    pub drop_rate: f64,
    /// Every live token expires just before the request is handled.
    pub expire_tokens_rate: f64,
    /// Added to every request before it is handled, in milliseconds.
    pub latency_ms: u64,
}

/// One scripted fault, for [`crate::SimHandle::fail_next`].
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ScriptedFault {
    /// Answer with this status (500, 502, 503, …) and the service's error body.
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// Answer 429 with this `Retry-After`, in seconds.
    Throttle {
        /// The `Retry-After` value.
        retry_after_secs: u32,
    },
    /// Drop the connection without answering.
    Drop,
    /// Expire every live token before handling the request.
    ExpireTokens,
}

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Injected {
    Status {
        status: StatusCode,
        retry_after: Option<u32>,
    },
    Drop,
    ExpireTokens,
}

impl Injected {
    pub fn kind(self) -> &'static str {
        match self {
            Self::Status { status, .. } => match status.as_u16() {
                429 => "429",
                500 => "500",
                502 => "502",
                503 => "503",
                _ => "status",
            },
            Self::Drop => "drop",
            Self::ExpireTokens => "expire",
        }
    }
}

impl From<ScriptedFault> for Injected {
    fn from(fault: ScriptedFault) -> Self {
        match fault {
            ScriptedFault::Status { status } => Self::Status {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                retry_after: None,
            },
            ScriptedFault::Throttle { retry_after_secs } => Self::Status {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(retry_after_secs),
            },
            ScriptedFault::Drop => Self::Drop,
            ScriptedFault::ExpireTokens => Self::ExpireTokens,
        }
    }
}

struct State {
    config: FaultConfig,
    rng: StdRng,
    script: VecDeque<ScriptedFault>,
}

/// The fault injector shared by all connections.
pub(crate) struct Faults {
    state: Mutex<State>,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Self {
        Self {
            state: Mutex::new(State {
                rng: StdRng::seed_from_u64(config.seed),
                config,
                script: VecDeque::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave it inconsistent: use it anyway.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Replaces the rates and restarts the generator from the new seed.
    pub fn set_config(&self, config: FaultConfig) {
        let mut state = self.lock();
        state.rng = StdRng::seed_from_u64(config.seed);
        state.config = config;
    }

    pub fn fail_next(&self, count: u32, fault: ScriptedFault) {
        let mut state = self.lock();
        state
            .script
            .extend(std::iter::repeat_n(fault, count as usize));
    }

    pub fn clear(&self) {
        let mut state = self.lock();
        state.script.clear();
        let seed = state.config.seed;
        state.config = FaultConfig {
            seed,
            ..FaultConfig::default()
        };
        state.rng = StdRng::seed_from_u64(seed);
    }

    /// Decides the fate of one request, waiting out the configured latency first.
    pub async fn decide(&self) -> Option<Injected> {
        let (latency, injected) = {
            let mut state = self.lock();
            let latency = state.config.latency_ms;
            let injected = match state.script.pop_front() {
                Some(fault) => Some(fault.into()),
                None => draw(&mut state),
            };
            (latency, injected)
        };
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        injected
    }
}

fn draw(state: &mut State) -> Option<Injected> {
    let c = state.config.clone();
    if c.server_error_rate + c.throttle_rate + c.drop_rate + c.expire_tokens_rate <= 0.0 {
        return None;
    }
    let roll: f64 = state.rng.random();
    let mut edge = c.server_error_rate;
    if roll < edge {
        let status = [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::SERVICE_UNAVAILABLE,
        ][state.rng.random_range(0..3)];
        return Some(Injected::Status {
            status,
            retry_after: None,
        });
    }
    edge += c.throttle_rate;
    if roll < edge {
        return Some(Injected::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(c.retry_after_secs),
        });
    }
    edge += c.drop_rate;
    if roll < edge {
        return Some(Injected::Drop);
    }
    edge += c.expire_tokens_rate;
    (roll < edge).then_some(Injected::ExpireTokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(config: FaultConfig, n: usize) -> Vec<Option<&'static str>> {
        let faults = Faults::new(config);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        (0..n)
            .map(|_| runtime.block_on(faults.decide()).map(Injected::kind))
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let config = FaultConfig {
            seed: 7,
            server_error_rate: 0.3,
            throttle_rate: 0.2,
            drop_rate: 0.1,
            ..FaultConfig::default()
        };
        let first = sequence(config.clone(), 200);
        assert_eq!(first, sequence(config, 200));
        for kind in ["429", "drop"] {
            assert!(first.contains(&Some(kind)), "{kind} never drawn");
        }
        let errors = first
            .iter()
            .filter(|k| matches!(k, Some("500" | "502" | "503")))
            .count();
        assert!(
            (30..=90).contains(&errors),
            "{errors} server errors in 200 at a rate of 0.3"
        );
    }

    #[test]
    fn no_rates_no_faults() {
        assert!(
            sequence(FaultConfig::default(), 50)
                .iter()
                .all(Option::is_none)
        );
    }

    #[test]
    fn scripted_faults_come_first_and_run_out() {
        let faults = Faults::new(FaultConfig::default());
        faults.fail_next(
            2,
            ScriptedFault::Throttle {
                retry_after_secs: 3,
            },
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let expected = Injected::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(3),
        };
        assert_eq!(runtime.block_on(faults.decide()), Some(expected));
        assert_eq!(runtime.block_on(faults.decide()), Some(expected));
        assert_eq!(runtime.block_on(faults.decide()), None);
    }
}
