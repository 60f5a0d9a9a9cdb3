//! The enterprise's event push: its configurations (SetWebHookConfig and friends), the
//! pushes the simulator's own changes cause, and their deliveries under the service's
//! retry policy. Sending them is `crate::push`'s; this module decides what is sent when.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use tokio::sync::Notify;

use axum::http::StatusCode;
use hmac::{Hmac, Mac};
use meeting_api::types::{WebHookConfig, WebHookConfigRequest};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Change, Conference, Grant, Participant, RecordingState, World};
use crate::errors::{ApiError, codes};
use crate::model::ConferenceState;

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

/// A push to send: where, signed with what, and the `eventInfo` it carries.
#[derive(Clone)]
pub(crate) struct Push {
    pub url: String,
    pub subscriber_id: String,
    pub key: String,
    /// The compact JSON of `eventInfo`, as it is signed and sent.
    pub event_info: String,
}

impl std::fmt::Debug for Push {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Push")
            .field("url", &self.url)
            .field("subscriber_id", &self.subscriber_id)
            .field("key", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl Push {
    /// The body of one attempt at `now_ms`: signed anew each time, as the service's
    /// retries may be (the outer timestamp and the nonce are the attempt's).
    pub fn body(&self, now_ms: i64, nonce: &str) -> String {
        let signature = sign(
            &self.key,
            &self.subscriber_id,
            now_ms,
            nonce,
            &self.event_info,
        );
        format!(
            r#"{{"appID":{},"timestamp":{now_ms},"nonce":"{nonce}","signature":"{signature}","eventInfo":{}}}"#,
            Value::from(self.subscriber_id.as_str()),
            self.event_info
        )
    }
}

/// `hex(HMAC-SHA256(key, appID ‖ timestamp ‖ nonce ‖ eventInfo))`, lowercase.
pub(crate) fn sign(
    key: &str,
    app_id: &str,
    timestamp: i64,
    nonce: &str,
    event_info: &str,
) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(app_id.as_bytes());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(nonce.as_bytes());
    mac.update(event_info.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Eight random digits, like the service's nonces.
pub(crate) fn nonce() -> String {
    format!("{:08}", rand::random_range(0..100_000_000u32))
}

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
    /// Ends a pending delivery.
    fn finish(&mut self, at: usize, state: DeliveryState) {
        if let Some(delivery) = self.deliveries.get_mut(at) {
            delivery.state = state;
            delivery.next_attempt_ms = None;
            self.outgoing.remove(&delivery.id);
        }
    }

    fn enabled(&self) -> impl Iterator<Item = &Config> {
        self.configs.iter().filter(|c| c.status == ENABLED)
    }
}

/// `meetingUUID`: stable per meeting and unguessable-looking, as the service's.
fn meeting_uuid(id: &str) -> String {
    hex::encode(&Sha256::digest(format!("meeting-uuid:{id}").as_bytes())[..16])
}

/// `attendeeInfo` of a participant at `now_ms`.
fn attendee(participant: &Participant) -> Value {
    let seed = &participant.seed;
    let name = seed.name.clone().unwrap_or_else(|| seed.id.clone());
    json!({
        "userUUID": meeting_uuid(&format!("user:{}", seed.id)),
        "userAgent": "meeting-sim",
        "account": name,
        "participantID": seed.id,
        "displayName": name,
        "joinTime": participant.joined_ms,
        "leftTime": 0,
        "role": if seed.host { "CHAIR" } else { "GENERAL" },
        "callNumber": participant.phone.clone().unwrap_or_default(),
    })
}

/// The loopback URL a configuration may name, or why not.
fn check_url(url: &str) -> Result<(), ApiError> {
    let refused = |why: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::WEBHOOK_URL_REFUSED,
            format!("the simulator pushes only to http(s) URLs on a loopback address: {why}"),
        )
    };
    let parsed = url::Url::parse(url).map_err(|e| refused(&format!("not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(refused("the scheme is neither http nor https"));
    }
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if !loopback {
        return Err(refused("the host is not loopback"));
    }
    Ok(())
}

fn no_permission() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        codes::NO_PERMISSION,
        "only an enterprise administrator may configure the event push",
    )
}

fn no_config(id: &str) -> ApiError {
    ApiError::bad_request(format!("there is no event-push configuration {id}"))
}

impl World {
    /// SetWebHookConfig: the configuration for (`corpId`, `spId`), created disabled or
    /// replaced (keeping its ID and status).
    pub fn set_webhook(
        &mut self,
        by: &Grant,
        request: &WebHookConfigRequest,
    ) -> Result<(), ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        check_url(&request.url)?;
        let (subscriber_id, key, url) = (
            request.subscriber_id.to_string(),
            request.subscriber_key.to_string(),
            request.url.to_string(),
        );
        // The simulator is one enterprise: one configuration, whatever corpId or spId.
        match self.webhooks.configs.first_mut() {
            Some(config) => {
                config.subscriber_id = subscriber_id;
                config.key = key;
                config.url = url;
            }
            None => {
                let id = hex::encode(rand::random::<[u8; 16]>());
                self.webhooks.configs.push(Config {
                    id,
                    subscriber_id,
                    key,
                    url,
                    status: DISABLED,
                });
            }
        }
        Ok(())
    }

    /// ShowWebHookConfig.
    pub fn show_webhook(&self, by: &Grant) -> Result<WebHookConfig, ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        let config = self
            .webhooks
            .configs
            .first()
            .ok_or_else(|| ApiError::bad_request("no event-push configuration is set"))?;
        Ok(WebHookConfig {
            id: Some(config.id.clone()),
            subscriber_id: Some(config.subscriber_id.clone()),
            url: Some(config.url.clone()),
            status: Some(config.status),
            return_code: None,
            return_desc: None,
        })
    }

    /// UpdateWebHookConfigStatus, first half: what enabling configuration `id` must
    /// send its handshake to (the caller sends it without holding the world).
    pub fn webhook_handshake(&self, by: &Grant, id: &str) -> Result<Push, ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        let config = self.webhook(id)?;
        Ok(Push {
            url: config.url.clone(),
            subscriber_id: config.subscriber_id.clone(),
            key: config.key.clone(),
            event_info: format!(
                r#"{{"event":"meeting.verify","timestamp":{}}}"#,
                self.now_ms
            ),
        })
    }

    /// UpdateWebHookConfigStatus: sets the status (enabling only after the handshake).
    pub fn set_webhook_status(
        &mut self,
        by: &Grant,
        id: &str,
        status: i32,
    ) -> Result<(), ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        if !(0..=2).contains(&status) {
            return Err(ApiError::bad_request("status must be 0, 1 or 2"));
        }
        self.webhook(id)?;
        if let Some(config) = self.webhooks.configs.iter_mut().find(|c| c.id == id) {
            config.status = status;
        }
        Ok(())
    }

    /// DeleteWebHookConfig: the configuration and its pending deliveries go.
    pub fn delete_webhook(&mut self, by: &Grant, id: &str) -> Result<(), ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        self.webhook(id)?;
        self.webhooks.configs.retain(|c| c.id != id);
        let hooks = &mut self.webhooks;
        for at in 0..hooks.deliveries.len() {
            if hooks.deliveries[at].config == id
                && hooks.deliveries[at].state == DeliveryState::Pending
            {
                hooks.finish(at, DeliveryState::GaveUp);
            }
        }
        Ok(())
    }

    fn webhook(&self, id: &str) -> Result<&Config, ApiError> {
        self.webhooks
            .configs
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| no_config(id))
    }

    /// Seeded conferences: their participants are known to later `meeting.left` pushes,
    /// and one seeded in progress has started (no push: nothing was configured yet).
    pub(super) fn webhook_seeded(&mut self, conference: &Conference) {
        let roster = conference
            .participants
            .iter()
            .map(|p| (p.seed.id.clone(), attendee(p)))
            .collect();
        self.webhooks.rosters.insert(conference.id.clone(), roster);
        if conference.state == ConferenceState::Ongoing {
            self.webhooks.started.insert(conference.id.clone());
        }
    }

    /// The pushes a change causes: create, cancel, started, join, left, end and
    /// conclude.
    pub(super) fn webhook_change(&mut self, change: &Change) {
        let id = change.conference();
        let Some(conference) = self.conferences.get(id) else {
            return;
        };
        let hooks = &mut self.webhooks;
        let mut events: Vec<(&str, Option<(String, Value)>)> = Vec::new();
        match change {
            Change::Scheduled(_) => events.push(("meeting.create", None)),
            Change::Modified(_) => events.push(("meeting.modify", None)),
            Change::Meeting(_) => {
                // Checked before inserting: most changes (a lock, a mute) are not a
                // start, and the lock call's hot path should not allocate for them.
                if conference.state == ConferenceState::Ongoing && !hooks.started.contains(id) {
                    hooks.started.insert(id.to_owned());
                    events.push(("meeting.started", None));
                }
                // A recording that stops is what record.finish reports.
                let recording = conference.broadcasting.recording != RecordingState::Off;
                if recording && !hooks.recording.contains(id) {
                    hooks.recording.insert(id.to_owned());
                } else if !recording && hooks.recording.remove(id) {
                    events.push(("record.finish", None));
                }
            }
            Change::Participant { participant, .. } => {
                let known = hooks
                    .rosters
                    .get(id)
                    .is_some_and(|r| r.contains_key(participant));
                if !known
                    && let Some(p) = conference
                        .participants
                        .iter()
                        .find(|p| p.seed.id == *participant)
                {
                    let info = attendee(p);
                    hooks
                        .rosters
                        .entry(id.to_owned())
                        .or_default()
                        .insert(participant.clone(), info.clone());
                    events.push(("meeting.join", Some((participant.clone(), info))));
                }
            }
            Change::Left { participant, .. } => {
                if let Some(info) = hooks
                    .rosters
                    .get_mut(id)
                    .and_then(|r| r.remove(participant))
                {
                    events.push((
                        "meeting.left",
                        Some((participant.clone(), left(info, self.now_ms))),
                    ));
                }
            }
            Change::Ended(_) => {
                let roster = hooks.rosters.remove(id).unwrap_or_default();
                hooks.started.remove(id);
                if conference.state == ConferenceState::Cancelled {
                    events.push(("meeting.cancel", None));
                } else {
                    if hooks.recording.remove(id) {
                        events.push(("record.finish", None));
                    }
                    for (participant, info) in roster {
                        events.push(("meeting.left", Some((participant, left(info, self.now_ms)))));
                    }
                    events.push(("meeting.end", None));
                    // An ordinary meeting is over and closed; an occurrence of a series
                    // that goes on only ends (EVENTS.md §3.5).
                    if conference.state != ConferenceState::Scheduled {
                        events.push(("meeting.conclude", None));
                    }
                }
            }
            Change::Speakers(_) | Change::Invited { .. } | Change::Waiting { .. } => {}
        }
        if events.is_empty() || hooks.enabled().next().is_none() {
            return;
        }
        let uuid = meeting_uuid(id);
        for (event, attendee) in events {
            let mut payload = json!({"meetingInfo": {"meetingID": id, "meetingUUID": uuid}});
            let participant = attendee.map(|(pid, info)| {
                payload["attendeeInfo"] = info;
                pid
            });
            let event_info =
                json!({"event": event, "timestamp": self.now_ms, "payload": payload}).to_string();
            self.queue_push(event, id, participant, &event_info);
        }
    }

    fn queue_push(
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

/// `attendeeInfo` with `leftTime` set.
fn left(mut info: Value, now_ms: i64) -> Value {
    info["leftTime"] = now_ms.into();
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ParticipantSeed, Seed};

    fn admin() -> Grant {
        Grant {
            subject: "admin".into(),
            admin: true,
            expires_ms: i64::MAX,
        }
    }

    fn config(url: &str) -> WebHookConfigRequest {
        WebHookConfigRequest {
            corp_id: None,
            sp_id: None,
            subscriber_id: "12345678".try_into().expect("valid"),
            subscriber_key: "key".try_into().expect("valid"),
            url: url.try_into().expect("valid"),
        }
    }

    fn enabled_world() -> World {
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

    #[test]
    fn the_pages_verification_example_is_signed_as_they_say() {
        assert_eq!(
            sign(
                "123456",
                "1988692299",
                1629183619116,
                "85262798",
                r#"{"event":"meeting.verify","timestamp":1629183619116}"#
            ),
            "262ccb5f8854f824c41ea5854ba1798bfa850706fbc85b2be9fd7535ed6b8ff3"
        );
    }

    #[test]
    fn only_loopback_urls_are_accepted_and_only_administrators_configure() {
        let mut world = World::default();
        for url in [
            "https://example.com/hook",
            "ftp://127.0.0.1/x",
            "http://10.0.0.1/",
            "nonsense",
        ] {
            let refused = world.set_webhook(&admin(), &config(url)).expect_err(url);
            assert_eq!(refused.code, codes::WEBHOOK_URL_REFUSED, "{url}");
        }
        for url in [
            "http://127.0.0.1:1/a",
            "https://localhost:8443/",
            "http://[::1]:80/",
        ] {
            world.set_webhook(&admin(), &config(url)).expect(url);
        }
        let user = Grant {
            admin: false,
            ..admin()
        };
        assert_eq!(
            world
                .set_webhook(&user, &config("http://127.0.0.1/"))
                .expect_err("user")
                .code,
            codes::NO_PERMISSION
        );
    }

    #[test]
    fn a_meetings_life_becomes_its_pushes_and_nothing_is_pushed_while_disabled() {
        let mut world = World::default();
        world.seed(Seed::example());
        world.lock("914083136", true).expect("lock");
        assert!(world.webhook_deliveries().is_empty());

        let mut world = enabled_world();
        let alice = ParticipantSeed {
            id: "alice".into(),
            name: Some("Alice".into()),
            professional_terminal: false,
            host: false,
        };
        world.join("914083136", alice).expect("joins");
        world.leave("914083136", "alice").expect("leaves");
        world.lock("914083136", true).expect("lock pushes nothing");
        world.stop("914083136").expect("stops");
        let events: Vec<(String, Option<String>)> = world
            .webhook_deliveries()
            .into_iter()
            .map(|d| (d.event, d.participant))
            .collect();
        let seeded_left = world.conferences["914083136"].participants.len();
        assert_eq!(seeded_left, 0);
        assert_eq!(events[0], ("meeting.join".into(), Some("alice".into())));
        assert_eq!(events[1], ("meeting.left".into(), Some("alice".into())));
        // The seeded participants leave when the meeting ends, then end and conclude.
        let tail: Vec<&str> = events[2..].iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(tail.last(), Some(&"meeting.conclude"));
        assert_eq!(tail[tail.len() - 2], "meeting.end");
        assert!(tail[..tail.len() - 2].iter().all(|e| *e == "meeting.left"));
    }

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
