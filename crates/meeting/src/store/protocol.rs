//! What a token store is: the trait, what it keeps, its keys and its errors.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where tokens are shared. Implement it to share tokens through a store this crate
/// does not provide: keep [`StoredToken::encode`]'s text under the key, and make
/// [`TokenStore::try_lock`] exclusive across every process that shares the store.
///
/// Keys are short ASCII strings (`access-…`, `control-…-…`: letters, digits, `-`).
#[async_trait::async_trait]
pub trait TokenStore: fmt::Debug + Send + Sync + 'static {
    /// Opens the store's connection if it has none (nothing to do for a store without
    /// one, the default). The client calls it before each operation with a budget of
    /// its own, longer than an operation's: a first TCP and TLS connection on a busy
    /// machine may take longer than a healthy store takes to answer.
    async fn connect(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// The token under `key`, if any. An expired one may be returned: the client
    /// checks the expiry itself.
    async fn load(&self, key: &str) -> Result<Option<StoredToken>, StoreError>;

    /// Keeps `token` under `key`, replacing any other, for `ttl` (after which it has
    /// expired and may be dropped).
    async fn save(&self, key: &str, token: &StoredToken, ttl: Duration) -> Result<(), StoreError>;

    /// Removes the token under `key` if it is still `token` (the service refused it);
    /// leaves a replacement alone.
    async fn discard(&self, key: &str, token: &SecretString) -> Result<(), StoreError>;

    /// Takes the fetch lock of `key` if nobody holds it, for at most `ttl` (a holder
    /// that dies must not block the others for longer). `None`: somebody holds it.
    async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>, StoreError>;

    /// Releases a lock taken with [`TokenStore::try_lock`] (if it has not expired and
    /// been taken by another since).
    async fn unlock(&self, key: &str, lock: &LockId) -> Result<(), StoreError>;

    /// Removes every token whose key starts with `prefix` (all of them for `""`), and
    /// says how many. `meeting logout` uses it.
    async fn remove_prefix(&self, prefix: &str) -> Result<usize, StoreError>;
}

/// Who holds a fetch lock: a random id, so that only the holder releases it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LockId(String);

impl LockId {
    /// A new random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// The id as text (what a store keeps under the lock's key).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LockId({})", self.0)
    }
}

/// A token as a store keeps it: the token, when it expires, when it is due for
/// renewal, and what the service said about it. `Debug` redacts the token.
#[derive(Clone, Debug)]
pub struct StoredToken {
    pub(crate) token: SecretString,
    pub(crate) expires_at: SystemTime,
    pub(crate) refresh_at: SystemTime,
    pub(crate) info: serde_json::Value,
}

#[cfg(test)]
impl StoredToken {
    /// A token for the stores' tests: due and expiring now.
    pub(crate) fn for_test(secret: &str) -> Self {
        Self {
            token: SecretString::from(secret.to_owned()),
            expires_at: SystemTime::now(),
            refresh_at: SystemTime::now(),
            info: serde_json::json!({"user_id": "u"}),
        }
    }
}

/// The stored text's layout (version 1).
#[derive(Serialize, Deserialize)]
struct Encoded<'a> {
    v: u32,
    token: std::borrow::Cow<'a, str>,
    expires_at_ms: u64,
    refresh_at_ms: u64,
    info: std::borrow::Cow<'a, serde_json::Value>,
}

const VERSION: u32 = 1;

fn millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn from_millis(ms: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .unwrap_or(UNIX_EPOCH)
}

impl StoredToken {
    /// The token itself. Treat it as a secret.
    pub fn expose_token(&self) -> &str {
        self.token.expose_secret()
    }

    /// When the token stops being accepted.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// When clients start renewing it.
    pub fn refresh_at(&self) -> SystemTime {
        self.refresh_at
    }

    /// The text a store keeps (JSON, holding the token: a secret).
    pub fn encode(&self) -> SecretString {
        let encoded = Encoded {
            v: VERSION,
            token: self.token.expose_secret().into(),
            expires_at_ms: millis(self.expires_at),
            refresh_at_ms: millis(self.refresh_at),
            info: std::borrow::Cow::Borrowed(&self.info),
        };
        // A struct of strings, numbers and a JSON value always serializes.
        SecretString::from(serde_json::to_string(&encoded).unwrap_or_default())
    }

    /// Reads what [`StoredToken::encode`] wrote. The error never quotes the text.
    pub fn decode(text: &str) -> Result<Self, StoreError> {
        let encoded: Encoded<'_> = serde_json::from_str(text)
            .map_err(|e| StoreError::new(format!("a stored token is not readable ({e:#})")))?;
        if encoded.v != VERSION {
            return Err(StoreError::new(format!(
                "a stored token has layout version {} (this client reads {VERSION})",
                encoded.v
            )));
        }
        Ok(Self {
            token: SecretString::from(encoded.token.into_owned()),
            expires_at: from_millis(encoded.expires_at_ms),
            refresh_at: from_millis(encoded.refresh_at_ms),
            info: encoded.info.into_owned(),
        })
    }
}

/// A store failed: unreachable, too slow, or holding something unreadable. Never
/// quotes a token.
#[derive(Debug)]
pub struct StoreError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure described by `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "token store: {}: {source}", self.message),
            None => write!(f, "token store: {}", self.message),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// 128 bits of SHA-256 over `parts`, in hex: long enough never to collide, short
/// enough for a file name.
fn digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

/// The key prefix of every access token (and the record of a refused login) a client
/// keeps in a store, whatever its endpoint and identity.
pub const ACCESS_TOKEN_PREFIX: &str = "access-";
/// The key prefix of every control token (and the record of a refused host password).
pub const CONTROL_TOKEN_PREFIX: &str = "control-";

/// The keys of one client: its endpoint and identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope(String);

impl Scope {
    /// `identity`: the account, or the App ID with its corpId and user; `None` for a
    /// client without credentials of its own.
    pub fn new(endpoint: &str, identity: Option<&str>) -> Self {
        Self(digest(&[
            endpoint.trim_end_matches('/'),
            identity.unwrap_or(""),
        ]))
    }

    /// The access token's key.
    pub fn access_key(&self) -> String {
        format!("{ACCESS_TOKEN_PREFIX}{}", self.0)
    }

    /// A conference's control-token key.
    pub fn control_key(&self, conference: &str) -> String {
        format!("{CONTROL_TOKEN_PREFIX}{}-{}", self.0, digest(&[conference]))
    }

    /// The prefixes of every key of this scope (what logging out removes).
    pub fn prefixes(&self) -> [String; 2] {
        [
            self.access_key(),
            format!("{CONTROL_TOKEN_PREFIX}{}-", self.0),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_never_shows_the_token_in_debug() {
        let token = StoredToken {
            token: SecretString::from("stb-secret".to_owned()),
            expires_at: from_millis(1_800_000_000_123),
            refresh_at: from_millis(1_800_000_000_000),
            info: serde_json::json!({"user_id": "u1"}),
        };
        let text = token.encode();
        let back = StoredToken::decode(text.expose_secret()).expect("decodes");
        assert_eq!(back.expose_token(), "stb-secret");
        assert_eq!(back.expires_at(), token.expires_at);
        assert_eq!(back.refresh_at(), token.refresh_at);
        assert_eq!(back.info, token.info);
        assert_eq!(back.encode().expose_secret(), text.expose_secret());
        assert!(!format!("{back:?}").contains("stb-secret"));
    }

    #[test]
    fn unreadable_text_is_an_error_that_does_not_quote_it() {
        for text in ["stb-secret", r#"{"v":2,"token":"stb-secret"}"#] {
            let error = StoredToken::decode(text).expect_err("refused").to_string();
            assert!(!error.contains("stb-secret"), "{error}");
        }
    }

    #[test]
    fn keys_separate_endpoints_identities_and_conferences() {
        let a = Scope::new("https://a.example", Some("alice"));
        assert_eq!(a, Scope::new("https://a.example/", Some("alice")));
        assert_ne!(a, Scope::new("https://b.example", Some("alice")));
        assert_ne!(a, Scope::new("https://a.example", Some("bob")));
        assert_ne!(a, Scope::new("https://a.example", None));
        assert_ne!(a.control_key("1"), a.control_key("2"));
        let key = a.control_key("914083136");
        assert!(key.starts_with(&a.prefixes()[1]) && !key.contains("914083136"));
        assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
