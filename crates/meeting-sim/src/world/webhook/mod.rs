//! The enterprise's event push, in three parts: its configurations (SetWebHookConfig
//! and friends, `config`), the pushes the simulator's own changes cause (`changes`),
//! and their deliveries under the service's retry policy (`queue`). Signing and sending
//! them is `crate::push`'s; this module decides what is sent when.

mod changes;
mod config;
mod queue;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Notify;

use crate::push::Push;
pub use queue::{Attempt, Delivery, DeliveryState};

/// Enabled, disabled, locked: `status` of the configuration.
pub(crate) const ENABLED: i32 = 0;
const DISABLED: i32 = 1;

/// One event-push configuration (`Debug` shows no key: only tests format it).
#[derive(Clone)]
struct Config {
    id: String,
    subscriber_id: String,
    key: String,
    url: String,
    status: i32,
}

/// The push side of the world.
#[derive(Debug, Default)]
pub(crate) struct Webhooks {
    configs: Vec<Config>,
    deliveries: VecDeque<Delivery>,
    /// What each pending delivery sends, by delivery.
    outgoing: HashMap<u64, Push>,
    next_delivery: u64,
    /// Who is in each conference, as pushes describe them: kept apart from the
    /// conference because a `meeting.left` is sent after the participant is gone.
    rosters: HashMap<String, BTreeMap<String, Value>>,
    /// Conferences whose start was reported (or that were seeded in progress).
    started: HashSet<String>,
    /// Conferences being recorded (their record.finish is due when it stops).
    recording: HashSet<String>,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Webhooks {
    fn enabled(&self) -> impl Iterator<Item = &Config> {
        self.configs.iter().filter(|c| c.status == ENABLED)
    }
}

#[cfg(test)]
mod test_support {
    use meeting_api::types::WebHookConfigRequest;

    use super::ENABLED;
    use crate::model::Seed;
    use crate::world::{Grant, World};

    pub fn admin() -> Grant {
        Grant {
            subject: "admin".into(),
            admin: true,
            expires_ms: i64::MAX,
        }
    }

    pub fn config(url: &str) -> WebHookConfigRequest {
        WebHookConfigRequest {
            corp_id: None,
            sp_id: None,
            subscriber_id: "12345678".try_into().expect("valid"),
            subscriber_key: "key".try_into().expect("valid"),
            url: url.try_into().expect("valid"),
        }
    }

    pub fn enabled_world() -> World {
        let mut world = World::default();
        world.seed(Seed::example());
        world
            .set_webhook(&admin(), &config("http://127.0.0.1:9/hook"))
            .expect("set");
        let id = world.show_webhook(&admin()).expect("shown").id.expect("id");
        world
            .set_webhook_status(&admin(), &id, ENABLED)
            .expect("enabled");
        world
    }
}
