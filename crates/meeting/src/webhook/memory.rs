//! What a receiver remembers of the pushes it accepted, so that a replay is answered
//! without reaching the handler: bounded, in memory by default, or in a token store
//! shared by a fleet of receivers.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use secrecy::SecretString;

use crate::store::{LockId, StoredToken, TokenStore};

/// Pushes the in-memory default remembers (and is handling) at once.
pub const DEFAULT_CAPACITY: usize = 65_536;

/// Where a push stands in a memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Neither remembered nor being handled: it is this receiver's to handle now.
    New,
    /// Accepted before: answer 200 without handling it again.
    Seen,
    /// Another receiver (or request) is handling it now: answer 503 so the service
    /// retries, rather than handle it twice.
    InFlight,
}

/// Why a memory cannot tell.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// Full: it cannot hold one more push.
    #[error("the push memory is full")]
    Full,
    /// The store behind it failed.
    #[error("the push memory failed: {0}")]
    Failed(String),
}

/// What a receiver remembers pushes with (keys are [`super::Push::replay_key`]s: 64
/// lowercase hex digits). A push is claimed before it is handled, remembered once the
/// handler accepted it, released when it failed.
#[async_trait::async_trait]
pub trait PushMemory: fmt::Debug + Send + Sync + 'static {
    /// Claims `key` for handling, for at most `ttl` (a receiver that dies must not
    /// block the push for longer).
    async fn claim(&self, key: &str, ttl: Duration) -> Result<Claim, MemoryError>;
    /// The push under `key` was handled: remember it for `ttl`.
    async fn remember(&self, key: &str, ttl: Duration) -> Result<(), MemoryError>;
    /// The push under `key` was not handled: forget the claim, so that the service's
    /// retry is handled.
    async fn release(&self, key: &str) -> Result<(), MemoryError>;
}

#[derive(Debug)]
enum Entry {
    Claimed(Instant),
    Seen(Instant),
}

impl Entry {
    fn until(&self) -> Instant {
        match self {
            Self::Claimed(until) | Self::Seen(until) => *until,
        }
    }
}

/// The default memory: one process, at most `capacity` pushes (expired ones make
/// room); full, it refuses, and the receiver answers 503.
#[derive(Debug)]
pub struct InMemory {
    entries: Mutex<Entries>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, Entry>,
    /// No entry expires before this (set when the map was last swept), so that a
    /// full memory with nothing expired refuses without a sweep.
    no_expiry_before: Option<Instant>,
}

impl Default for InMemory {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl InMemory {
    /// At most `capacity` pushes.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            capacity,
        }
    }

    /// How many pushes it holds (remembered or being handled).
    pub fn len(&self) -> usize {
        self.entries().map.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        // Every change is one insert or remove: a poisoned lock holds a whole map.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl PushMemory for InMemory {
    async fn claim(&self, key: &str, ttl: Duration) -> Result<Claim, MemoryError> {
        let now = Instant::now();
        let mut entries = self.entries();
        match entries.map.get(key) {
            Some(entry) if entry.until() > now => {
                return Ok(match entry {
                    Entry::Seen(_) => Claim::Seen,
                    Entry::Claimed(_) => Claim::InFlight,
                });
            }
            _ => {}
        }
        if entries.map.len() >= self.capacity && !entries.map.contains_key(key) {
            if entries.no_expiry_before.is_some_and(|t| now < t) {
                return Err(MemoryError::Full);
            }
            entries.map.retain(|_, entry| entry.until() > now);
            entries.no_expiry_before = entries.map.values().map(Entry::until).min();
            if entries.map.len() >= self.capacity {
                return Err(MemoryError::Full);
            }
        }
        let until = now + ttl;
        entries.no_expiry_before = entries.no_expiry_before.map(|t| t.min(until));
        entries.map.insert(key.to_owned(), Entry::Claimed(until));
        Ok(Claim::New)
    }

    async fn remember(&self, key: &str, ttl: Duration) -> Result<(), MemoryError> {
        let until = Instant::now() + ttl;
        let mut entries = self.entries();
        entries.no_expiry_before = entries.no_expiry_before.map(|t| t.min(until));
        entries.map.insert(key.to_owned(), Entry::Seen(until));
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), MemoryError> {
        let mut entries = self.entries();
        if matches!(entries.map.get(key), Some(Entry::Claimed(_))) {
            entries.map.remove(key);
        }
        Ok(())
    }
}

/// A memory in a [`TokenStore`] (a [`crate::store::FileStore`], a `RedisStore`),
/// shared by a fleet of receivers: a remembered push is a marker under
/// `push-<key>`, a claim is the store's lock of that key. Bounded by the store.
pub struct InStore<S> {
    store: S,
    /// The locks this receiver holds, to release them.
    claims: Mutex<HashMap<String, LockId>>,
}

impl<S: fmt::Debug> fmt::Debug for InStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InStore")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl<S: TokenStore> InStore<S> {
    /// Pushes remembered in `store`.
    pub fn new(store: S) -> Self {
        Self {
            store,
            claims: Mutex::new(HashMap::new()),
        }
    }

    fn claims(&self) -> std::sync::MutexGuard<'_, HashMap<String, LockId>> {
        self.claims.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The store key of a push key (store keys are letters, digits and `-`).
fn store_key(key: &str) -> Result<String, MemoryError> {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(MemoryError::Failed(
            "a push key is letters and digits".into(),
        ));
    }
    Ok(format!("push-{key}"))
}

fn failed(error: crate::store::StoreError) -> MemoryError {
    MemoryError::Failed(error.to_string())
}

#[async_trait::async_trait]
impl<S: TokenStore> PushMemory for InStore<S> {
    async fn claim(&self, key: &str, ttl: Duration) -> Result<Claim, MemoryError> {
        let store_key = store_key(key)?;
        if let Some(marker) = self.store.load(&store_key).await.map_err(failed)?
            && marker.expires_at > SystemTime::now()
        {
            return Ok(Claim::Seen);
        }
        match self.store.try_lock(&store_key, ttl).await.map_err(failed)? {
            Some(lock) => {
                self.claims().insert(key.to_owned(), lock);
                Ok(Claim::New)
            }
            None => Ok(Claim::InFlight),
        }
    }

    async fn remember(&self, key: &str, ttl: Duration) -> Result<(), MemoryError> {
        let store_key = store_key(key)?;
        let now = SystemTime::now();
        let marker = StoredToken {
            // A marker: what matters is that one is there, until when.
            token: SecretString::from("seen"),
            expires_at: now + ttl,
            refresh_at: now + ttl,
            info: serde_json::Value::Null,
        };
        self.store
            .save(&store_key, &marker, ttl)
            .await
            .map_err(failed)?;
        self.release(key).await
    }

    async fn release(&self, key: &str) -> Result<(), MemoryError> {
        let lock = self.claims().remove(key);
        match lock {
            Some(lock) => self
                .store
                .unlock(&store_key(key)?, &lock)
                .await
                .map_err(failed),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    const KEY: &str = "262ccb5f8854f824c41ea5854ba1798bfa850706fbc85b2be9fd7535ed6b8ff3";
    const TTL: Duration = Duration::from_secs(60);

    async fn claims_then_remembers(memory: &dyn PushMemory) {
        assert_eq!(memory.claim(KEY, TTL).await, Ok(Claim::New));
        assert_eq!(memory.claim(KEY, TTL).await, Ok(Claim::InFlight));
        memory.release(KEY).await.expect("released");
        assert_eq!(memory.claim(KEY, TTL).await, Ok(Claim::New));
        memory.remember(KEY, TTL).await.expect("remembered");
        assert_eq!(memory.claim(KEY, TTL).await, Ok(Claim::Seen));
    }

    #[tokio::test]
    async fn a_claim_is_exclusive_until_released_or_remembered() {
        claims_then_remembers(&InMemory::default()).await;
        claims_then_remembers(&InStore::new(MemoryStore::new())).await;
    }

    #[tokio::test]
    async fn a_full_memory_refuses_until_entries_expire() {
        let memory = InMemory::new(2);
        memory.claim("a", TTL).await.expect("a");
        memory.claim("b", Duration::ZERO).await.expect("b");
        // b's claim has expired: it makes room.
        assert_eq!(memory.claim("c", TTL).await, Ok(Claim::New));
        assert_eq!(memory.claim("d", TTL).await, Err(MemoryError::Full));
        assert_eq!(memory.len(), 2);
    }
}
