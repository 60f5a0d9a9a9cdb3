//! The signature and freshness check of a push, and the push it yields.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::Sha256;

use super::event::{EventInfoWire, PushEvent, decode, json_problem};
use crate::api::webhook::key_problem;
use crate::clock::{Clock, SystemClock};
use crate::error::Error;

/// Pushes older than this are refused by default: the service retries for 24 hours.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(25 * 3600);
/// Pushes stamped further ahead than this are refused.
pub const MAX_AHEAD: Duration = Duration::from_secs(5 * 60);
/// Bodies longer than this are refused unread by default (a push is a few hundred
/// bytes).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024;

/// Why a push was refused. Its text never quotes the push.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// Not a push: not JSON, a field missing or of the wrong type, or too long.
    #[error("malformed push: {0}")]
    Malformed(String),
    /// Signed for another subscriber ID.
    #[error("the push is for another subscriber")]
    WrongSubscriber,
    /// The signature does not match any key (or is not 64 hex digits).
    #[error("bad signature: {0}")]
    BadSignature(&'static str),
    /// Older than the verifier's window.
    #[error("the push is {age_s} s old (more than {max_s} s)")]
    TooOld {
        /// Its age.
        age_s: i64,
        /// The window.
        max_s: u64,
    },
    /// Stamped too far in the future.
    #[error("the push is stamped {ahead_s} s in the future")]
    InFuture {
        /// How far ahead.
        ahead_s: i64,
    },
}

impl Refused {
    /// The reason as a stable snake_case name (`malformed`, `wrong_subscriber`,
    /// `bad_signature`, `too_old`, `in_future`), for metrics and machine-readable output.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::WrongSubscriber => "wrong_subscriber",
            Self::BadSignature(_) => "bad_signature",
            Self::TooOld { .. } => "too_old",
            Self::InFuture { .. } => "in_future",
        }
    }

    /// Whether the body is not a push at all (answered 400; the rest 401).
    pub fn is_malformed(&self) -> bool {
        matches!(self, Self::Malformed(_))
    }
}

/// A verified push: authentic, fresh, and for this subscriber.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Push {
    /// The outer timestamp: when this attempt was signed (ms since the epoch).
    pub timestamp_ms: i64,
    /// The push's nonce.
    pub nonce: String,
    /// The event; none for the verification handshake.
    pub event: Option<PushEvent>,
    /// The signature, lowercase: what tells one delivery from another.
    signature: String,
    /// When the verifier stops accepting it.
    fresh_until: SystemTime,
}

impl Push {
    /// Whether it is the `meeting.verify` handshake.
    pub fn is_handshake(&self) -> bool {
        self.event.is_none()
    }

    /// The body to answer with: `{"event":"meeting.verify","nonce":…}` for the
    /// handshake, none for an event.
    pub fn reply(&self) -> Option<Vec<u8>> {
        self.is_handshake().then(|| {
            serde_json::json!({"event": "meeting.verify", "nonce": self.nonce})
                .to_string()
                .into_bytes()
        })
    }

    /// What the receiver remembers the push by: its signature (a replay carries the
    /// same; a retry signed anew does not, see [`PushEvent::dedup_key`]).
    pub fn replay_key(&self) -> &str {
        &self.signature
    }

    /// When the verifier that accepted it stops accepting it: its timestamp, the
    /// window ([`Verifier::max_age`]) and the allowed clock skew ([`MAX_AHEAD`]), by
    /// the verifier's clock. A replay memory keeps it until then.
    pub fn fresh_until(&self) -> SystemTime {
        self.fresh_until
    }
}

/// The latest time the freshness arithmetic uses (the end of year 9999): a window of
/// `Duration::MAX` turns the age check off without overflowing.
const LATEST_MS: i64 = 253_402_300_799_000;

/// Checks pushes: built from the subscriber ID and its keys (several while a key is
/// rotated). `Debug` shows no key.
///
/// ```
/// use meeting::webhook::Verifier;
///
/// let verifier = Verifier::new("1988692299", "123456")?;
/// let push = br#"{"appID":"1988692299","timestamp":1629183619116,"nonce":"85262798",
///   "signature":"262ccb5f8854f824c41ea5854ba1798bfa850706fbc85b2be9fd7535ed6b8ff3",
///   "eventInfo":{"event":"meeting.verify","timestamp":1629183619116}}"#;
/// // The pages' example is from 2021: too old for the default window.
/// assert!(verifier.verify(push).is_err());
/// let verifier = verifier.max_age(std::time::Duration::from_secs(u32::MAX.into()));
/// let push = verifier.verify(push)?;
/// assert!(push.is_handshake());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    subscriber_id: String,
    keys: Vec<SecretString>,
    max_age: Duration,
    max_body: usize,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("subscriber_id", &self.subscriber_id)
            .field("keys", &format_args!("[{} REDACTED]", self.keys.len()))
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "appID", borrow)]
    app_id: std::borrow::Cow<'a, str>,
    timestamp: i64,
    #[serde(borrow)]
    nonce: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    signature: std::borrow::Cow<'a, str>,
    #[serde(rename = "eventInfo", borrow)]
    event_info: &'a RawValue,
}

impl Verifier {
    /// Pushes for `subscriber_id`, signed with `key`. An empty subscriber ID, or a key
    /// [`key_problem`] refuses (empty, blank), is a configuration error: no verifier
    /// accepts pushes signed with an empty key.
    pub fn new(
        subscriber_id: impl Into<String>,
        key: impl Into<SecretString>,
    ) -> Result<Self, Error> {
        let subscriber_id = subscriber_id.into();
        if subscriber_id.trim().is_empty() {
            return Err(Error::config("the push subscriber ID is empty"));
        }
        let verifier = Self {
            subscriber_id,
            keys: Vec::new(),
            max_age: DEFAULT_MAX_AGE,
            max_body: DEFAULT_MAX_BODY,
            clock: Arc::new(SystemClock),
        };
        verifier.also_key(key)
    }

    /// Also accepts pushes signed with `key` (while a key change propagates); the same
    /// rule as [`Verifier::new`]'s.
    pub fn also_key(mut self, key: impl Into<SecretString>) -> Result<Self, Error> {
        let key = key.into();
        if let Some(problem) = key_problem(key.expose_secret()) {
            return Err(Error::config(problem));
        }
        self.keys.push(key);
        Ok(self)
    }

    /// Refuses pushes older than `max_age` (default 25 hours; `Duration::MAX` turns
    /// the age check off).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Refuses bodies longer than `bytes` (default 64 KiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The clock freshness is judged by (tests: `clock::ManualClock`, feature `test-util`).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The subscriber ID it accepts.
    pub fn subscriber_id(&self) -> &str {
        &self.subscriber_id
    }

    /// How old a push may be.
    pub fn window(&self) -> Duration {
        self.max_age
    }

    /// The clock freshness is judged by.
    pub(crate) fn clock_handle(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The largest body it reads.
    pub fn body_limit(&self) -> usize {
        self.max_body
    }

    /// Checks one push body: the subscriber, the signature (over `eventInfo` as it
    /// stands in the body, then over its compact form in the received key order),
    /// the freshness; then decodes it.
    pub fn verify(&self, body: &[u8]) -> Result<Push, Refused> {
        if body.len() > self.max_body {
            return Err(Refused::Malformed(format!(
                "the body is longer than {} bytes",
                self.max_body
            )));
        }
        let envelope: Envelope<'_> =
            serde_json::from_slice(body).map_err(|e| Refused::Malformed(describe(&e)))?;
        if envelope.app_id != self.subscriber_id {
            return Err(Refused::WrongSubscriber);
        }
        let signature = parse_signature(&envelope.signature)?;
        let raw = envelope.event_info.get();
        let prefix = format!(
            "{}{}{}",
            envelope.app_id, envelope.timestamp, envelope.nonce
        );
        if !self.signed(&prefix, raw.as_bytes(), &signature) {
            let compact = compact(raw).ok_or_else(|| {
                Refused::Malformed("eventInfo cannot be re-serialized".to_owned())
            })?;
            if compact == raw.as_bytes() || !self.signed(&prefix, &compact, &signature) {
                return Err(Refused::BadSignature("it matches no key"));
            }
        }
        let fresh_until = self.fresh(envelope.timestamp)?;
        let info: EventInfoWire = serde_json::from_str(raw)
            .map_err(|e| Refused::Malformed(format!("eventInfo: {}", describe(&e))))?;
        let event = if info.event == "meeting.verify" {
            None
        } else {
            Some(decode(info).map_err(Refused::Malformed)?)
        };
        Ok(Push {
            timestamp_ms: envelope.timestamp,
            nonce: envelope.nonce.into_owned(),
            event,
            signature: hex::encode(signature),
            fresh_until,
        })
    }

    /// Whether one of the keys signs `prefix ‖ event_info` as `signature` (compared
    /// in constant time).
    fn signed(&self, prefix: &str, event_info: &[u8], signature: &[u8; 32]) -> bool {
        self.keys.iter().any(|key| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.expose_secret().as_bytes()) else {
                return false;
            };
            mac.update(prefix.as_bytes());
            mac.update(event_info);
            mac.verify_slice(signature).is_ok()
        })
    }

    /// Checks a push's age; until when it stays fresh.
    fn fresh(&self, timestamp_ms: i64) -> Result<SystemTime, Refused> {
        let now_ms = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let age_ms = now_ms.saturating_sub(timestamp_ms);
        let max_age_ms = i64::try_from(self.max_age.as_millis()).unwrap_or(i64::MAX);
        if age_ms > max_age_ms {
            return Err(Refused::TooOld {
                age_s: age_ms / 1000,
                max_s: self.max_age.as_secs(),
            });
        }
        let ahead_ms = MAX_AHEAD.as_millis() as i64;
        if -age_ms > ahead_ms {
            return Err(Refused::InFuture {
                ahead_s: -age_ms / 1000,
            });
        }
        Ok(self.fresh_until_of(timestamp_ms))
    }

    /// Until when something stamped `timestamp_ms` is fresh: the timestamp, the window
    /// and the allowed skew.
    pub(crate) fn fresh_until_of(&self, timestamp_ms: i64) -> SystemTime {
        let max_age_ms = i64::try_from(self.max_age.as_millis()).unwrap_or(i64::MAX);
        let until_ms = timestamp_ms
            .saturating_add(max_age_ms)
            .saturating_add(MAX_AHEAD.as_millis() as i64)
            .clamp(0, LATEST_MS);
        UNIX_EPOCH + Duration::from_millis(until_ms.unsigned_abs())
    }
}

/// 64 hex digits, either case.
fn parse_signature(text: &str) -> Result<[u8; 32], Refused> {
    if text.len() != 64 {
        return Err(Refused::BadSignature("it is not 64 hex digits"));
    }
    let mut signature = [0u8; 32];
    hex::decode_to_slice(text, &mut signature)
        .map_err(|_| Refused::BadSignature("it is not 64 hex digits"))?;
    Ok(signature)
}

/// `eventInfo` re-serialized compact, keys in the received order.
fn compact(raw: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut deserializer = serde_json::Deserializer::from_str(raw);
    let mut serializer = serde_json::Serializer::new(&mut out);
    serde_transcode::transcode(&mut deserializer, &mut serializer).ok()?;
    Some(out)
}

/// A JSON error's position and kind, without the text it was about.
fn describe(error: &serde_json::Error) -> String {
    if error.line() == 0 {
        return json_problem(error);
    }
    format!(
        "{} at line {} column {}",
        json_problem(error),
        error.line(),
        error.column()
    )
}
