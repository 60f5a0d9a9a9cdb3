//! The deliveries: queued per enabled configuration, retried 30 s after each of the
//! first three failures, then every 30 minutes, until 24 hours after the first attempt.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::Webhooks;
use crate::push::Push;
use crate::world::World;

/// A failed push is retried this long after the failure, for the first failures...
const QUICK_RETRY_MS: i64 = 30_000;
/// ...this many of them...
const QUICK_RETRIES: usize = 3;
/// ...then at this interval...
const SLOW_RETRY_MS: i64 = 30 * 60_000;
/// ...until this long after the first attempt.
const GIVE_UP_AFTER_MS: i64 = 24 * 3_600_000;
/// Deliveries the admin API lists (the oldest finished ones are forgotten first).
const MAX_DELIVERIES_KEPT: usize = 4096;

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet answered with a 2xx; retried when due.
    Pending,
    /// Answered with a 2xx.
    Delivered,
    /// No success within 24 hours of the first attempt: dropped, as the service drops it.
    GaveUp,
}

/// One attempt at a delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When, on the simulator's clock (ms since the epoch).
    pub at_ms: i64,
    /// The answer's status, or none (no answer within 5 s, or no connection).
    pub status: Option<u16>,
    /// What went wrong, when something did.
    pub error: Option<String>,
}

/// One push and what became of it, as `GET /_sim/webhook/deliveries` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Its sequence number.
    pub id: u64,
    /// The configuration it was for.
    pub config: String,
    /// The event type (`meeting.join`, …).
    pub event: String,
    /// The meeting ID.
    pub meeting: String,
    /// The participant ID, for `meeting.join` and `meeting.left`.
    pub participant: Option<String>,
    /// Where it stands.
    pub state: DeliveryState,
    /// When the next attempt is due, while pending.
    pub next_attempt_ms: Option<i64>,
    /// Every attempt so far.
    pub attempts: Vec<Attempt>,
}

impl Webhooks {
    /// Ends a pending delivery.
    pub(super) fn finish(&mut self, at: usize, state: DeliveryState) {
        if let Some(delivery) = self.deliveries.get_mut(at) {
            delivery.state = state;
            delivery.next_attempt_ms = None;
            self.outgoing.remove(&delivery.id);
        }
    }
}

impl World {
    pub(super) fn queue_push(
        &mut self,
        event: &str,
        meeting: &str,
        participant: Option<String>,
        event_info: &str,
    ) {
        let now_ms = self.now_ms;
        let hooks = &mut self.webhooks;
        let pushes: Vec<(String, Push)> = hooks
            .enabled()
            .map(|c| {
                (
                    c.id.clone(),
                    Push {
                        url: c.url.clone(),
                        subscriber_id: c.subscriber_id.clone(),
                        key: c.key.clone(),
                        event_info: event_info.to_owned(),
                    },
                )
            })
            .collect();
        for (config, push) in pushes {
            if hooks.deliveries.len() >= MAX_DELIVERIES_KEPT {
                // Forget the oldest finished one; if every one is pending, the oldest.
                let at = hooks
                    .deliveries
                    .iter()
                    .position(|d| d.state != DeliveryState::Pending)
                    .unwrap_or(0);
                if let Some(forgotten) = hooks.deliveries.remove(at) {
                    hooks.outgoing.remove(&forgotten.id);
                }
            }
            hooks.next_delivery += 1;
            hooks.outgoing.insert(hooks.next_delivery, push);
            hooks.deliveries.push_back(Delivery {
                id: hooks.next_delivery,
                config,
                event: event.to_owned(),
                meeting: meeting.to_owned(),
                participant: participant.clone(),
                state: DeliveryState::Pending,
                next_attempt_ms: Some(now_ms),
                attempts: Vec::new(),
            });
        }
        hooks.wake.notify_one();
    }

    /// Notified when a push is queued: the deliverer waits on it.
    pub fn webhook_wake(&self) -> Arc<Notify> {
        self.webhooks.wake.clone()
    }

    /// The deliveries due at `now_ms`, with what to send.
    pub fn due_pushes(&self, now_ms: i64) -> Vec<(u64, Push)> {
        self.webhooks
            .deliveries
            .iter()
            .filter(|d| d.next_attempt_ms.is_some_and(|due| due <= now_ms))
            .filter_map(|d| Some((d.id, self.webhooks.outgoing.get(&d.id)?.clone())))
            .collect()
    }

    /// When the next delivery is due.
    pub fn next_push_due(&self) -> Option<i64> {
        self.webhooks
            .deliveries
            .iter()
            .filter_map(|d| d.next_attempt_ms)
            .min()
    }

    /// Records an attempt: delivered on a 2xx; otherwise retried 30 s later for the
    /// first three failures in a row, then every 30 minutes, until 24 hours after the
    /// first attempt.
    pub fn record_push_attempt(&mut self, id: u64, attempt: Attempt) {
        let hooks = &mut self.webhooks;
        let Some(at) = hooks.deliveries.iter().position(|d| d.id == id) else {
            return;
        };
        let delivery = &mut hooks.deliveries[at];
        if delivery.state != DeliveryState::Pending {
            return;
        }
        let at_ms = attempt.at_ms;
        let ok = attempt.status.is_some_and(|s| (200..300).contains(&s));
        delivery.attempts.push(attempt);
        if ok {
            hooks.finish(at, DeliveryState::Delivered);
            return;
        }
        let first = delivery.attempts.first().map_or(at_ms, |a| a.at_ms);
        let wait = if delivery.attempts.len() <= QUICK_RETRIES {
            QUICK_RETRY_MS
        } else {
            SLOW_RETRY_MS
        };
        let next = at_ms + wait;
        if next > first + GIVE_UP_AFTER_MS {
            hooks.finish(at, DeliveryState::GaveUp);
        } else {
            delivery.next_attempt_ms = Some(next);
        }
    }

    /// Every delivery kept, oldest first.
    pub fn webhook_deliveries(&self) -> Vec<Delivery> {
        self.webhooks.deliveries.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn failures_are_retried_at_30_s_three_times_then_every_30_min_for_24_h() {
        let mut world = enabled_world();
        world.lock("914083136", true).expect("lock");
        world.stop("914083136").expect("stop");
        let (id, push) = world.due_pushes(world.now_ms).remove(0);
        assert!(push.body(1, "00000001").contains(r#""appID":"12345678""#));
        let mut now = world.now_ms;
        let mut gaps = Vec::new();
        loop {
            world.record_push_attempt(
                id,
                Attempt {
                    at_ms: now,
                    status: Some(500),
                    error: None,
                },
            );
            let delivery = world
                .webhook_deliveries()
                .into_iter()
                .find(|d| d.id == id)
                .expect("kept");
            let Some(next) = delivery.next_attempt_ms else {
                assert_eq!(delivery.state, DeliveryState::GaveUp);
                break;
            };
            gaps.push(next - now);
            now = next;
        }
        assert_eq!(&gaps[..4], [30_000, 30_000, 30_000, SLOW_RETRY_MS]);
        assert!(gaps[3..].iter().all(|g| *g == SLOW_RETRY_MS));
        let attempts = gaps.len() + 1;
        // 3 quick retries and the slow ones within 24 h of the first attempt.
        assert_eq!(
            attempts,
            1 + 3 + ((GIVE_UP_AFTER_MS - 90_000) / SLOW_RETRY_MS) as usize
        );
    }
}
