//! What a receiver remembers of the pushes it accepted, so that a replay is answered
//! without reaching the handler: bounded, in memory by default, or in a token store
//! shared by a fleet of receivers.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::clock::{Clock, SystemClock};
use crate::store::{LockId, StoredToken, TokenStore};
use crate::telemetry;

/// Pushes the in-memory default remembers at most (about 500 MiB): 100 pushes a second
/// for the whole default window fit with room to spare. Past it, the pushes that stop
/// being fresh soonest are forgotten first.
pub const DEFAULT_CAPACITY: usize = 16_777_216;

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
    /// The store behind it failed.
    #[error("the push memory failed: {0}")]
    Failed(String),
}

/// What a receiver remembers pushes with (keys are [`super::Push::replay_key`]s: 64
/// lowercase hex digits). A push is claimed before it is handled, remembered once the
/// handler accepted it, released when it failed. `fresh_until` is when the verifier
/// stops accepting the push ([`super::Push::fresh_until`]: its own timestamp, the
/// window and the allowed clock skew): a memory keeps it at least until then, since
/// until then a replay would pass every other check.
#[async_trait::async_trait]
pub trait PushMemory: fmt::Debug + Send + Sync + 'static {
    /// Claims `key` for handling, for at most `claim` (a receiver that dies must not
    /// block the push for longer).
    async fn claim(
        &self,
        key: &str,
        fresh_until: SystemTime,
        claim: Duration,
    ) -> Result<Claim, MemoryError>;
    /// The push under `key` was handled: remember it until `fresh_until`.
    async fn remember(&self, key: &str, fresh_until: SystemTime) -> Result<(), MemoryError>;
    /// The push under `key` was not handled: forget the claim, so that the service's
    /// retry is handled.
    async fn release(&self, key: &str) -> Result<(), MemoryError>;
}

/// A push as the in-memory default keeps it: 96 bits of its key. Keys are HMAC-SHA256
/// signatures (uniform, and unforgeable without the subscriber key), so the first 12
/// bytes are as good as the whole for telling pushes apart: the chance that a new
/// push is taken for one remembered in its generation is below 2^-72 even with 9.4
/// million in that one generation. An exact key, not a filter: a false "seen" would
/// answer a new push 200 without handling it.
type Key = [u8; 12];

/// Seconds of `fresh_until` one generation covers: its pushes are all forgotten at
/// its end, at most this long after each stopped being fresh.
const GENERATION_SECS: u64 = 600;

/// The in-memory key of a push key: its first 12 bytes when it is a signature's 64 hex
/// digits, else the first 12 bytes of its SHA-256.
fn key_of(key: &str) -> Key {
    let mut out = [0u8; 12];
    if key.len() == 64 && hex::decode_to_slice(&key[..24], &mut out).is_ok() {
        return out;
    }
    out.copy_from_slice(&Sha256::digest(key.as_bytes())[..12]);
    out
}

/// Seconds since the epoch (0 before it).
fn epoch_secs(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Hashes a [`Key`] by its own bytes: they are uniform already (see [`Key`]), so no
/// keyed hash is needed to spread them, and none is paid for per claim.
#[derive(Clone, Copy, Default)]
struct KeyHash;

impl BuildHasher for KeyHash {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(0)
    }
}

struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
        }
    }
}

/// The default memory: one process, the pushes grouped into generations by when they
/// stop being fresh (10 minutes each); a generation is dropped whole once its pushes
/// are all stale. A claim looks in the one generation its push belongs to. Never full
/// for a fresh push: at [`DEFAULT_CAPACITY`] (or the capacity given), the generation
/// that goes stale soonest is forgotten to make room (the newest pushes keep their
/// guarantee; a replay of a forgotten one is handled again, and
/// [`super::PushEvent::dedup_key`] tells it apart), with a warning.
///
/// About 26 bytes a remembered push, 30 at most (12 of key, a control byte, and the
/// hash table's free slots): 9.4 million pushes take 234 MiB (BENCHMARKS.md).
pub struct InMemory {
    inner: Mutex<Generations>,
    capacity: usize,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for InMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemory")
            .field("entries", &*self.inner())
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Generations {
    /// Remembered pushes, by generation (`fresh_until`'s seconds / [`GENERATION_SECS`]).
    seen: BTreeMap<u64, HashSet<Key, KeyHash>>,
    /// How many `seen` holds.
    remembered: usize,
    /// Pushes being handled, until their claim runs out.
    claimed: HashMap<Key, Instant, KeyHash>,
    /// `claimed`'s size after its last sweep: it is swept when it doubles.
    swept_at: usize,
    /// Whether the capacity was reached (warned once).
    warned: bool,
}

impl fmt::Debug for Generations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generations")
            .field("generations", &self.seen.len())
            .field("remembered", &self.remembered)
            .field("claimed", &self.claimed.len())
            .finish()
    }
}

impl Generations {
    /// Drops the generations whose pushes are all stale at `now`.
    fn expire(&mut self, now: SystemTime) {
        let current = epoch_secs(now) / GENERATION_SECS;
        while let Some(entry) = self.seen.first_entry() {
            if *entry.key() >= current {
                break;
            }
            self.remembered -= entry.remove().len();
        }
    }

    /// Forgets whole generations, soonest stale first, until at most `capacity` pushes
    /// remain or one generation does (the newest pushes are never forgotten for room).
    fn fit(&mut self, capacity: usize) {
        while self.remembered > capacity && self.seen.len() > 1 {
            let Some((_, dropped)) = self.seen.pop_first() else {
                break;
            };
            self.remembered -= dropped.len();
            if !self.warned {
                self.warned = true;
                tracing::warn!(
                    target: "meeting::webhook",
                    capacity,
                    "the push memory is at its capacity: it forgets the pushes that go stale \
                     soonest, whose replays would be handled again"
                );
            }
        }
    }
}

impl Default for InMemory {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl InMemory {
    /// At most `capacity` remembered pushes, or one generation's (10 minutes of
    /// pushes) if that is more.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Generations::default()),
            capacity,
            clock: Arc::new(SystemClock),
        }
    }

    /// The clock that says which pushes are stale: the verifier's (a [`super::Receiver`]
    /// gives its memory the verifier's clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How many pushes it holds (remembered or being handled).
    pub fn len(&self) -> usize {
        let inner = self.inner();
        inner.remembered + inner.claimed.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Generations> {
        // Every change leaves the maps whole: a poisoned lock holds usable ones.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl PushMemory for InMemory {
    async fn claim(
        &self,
        key: &str,
        fresh_until: SystemTime,
        claim: Duration,
    ) -> Result<Claim, MemoryError> {
        let (key, now) = (key_of(key), Instant::now());
        let generation = epoch_secs(fresh_until) / GENERATION_SECS;
        let wall = self.clock.now();
        let mut inner = self.inner();
        inner.expire(wall);
        if inner
            .seen
            .get(&generation)
            .is_some_and(|g| g.contains(&key))
        {
            return Ok(Claim::Seen);
        }
        if inner.claimed.get(&key).is_some_and(|until| *until > now) {
            return Ok(Claim::InFlight);
        }
        // Claims that ran out (a handler that never answered) are swept as they pile up.
        if inner.claimed.len() >= 1024 && inner.claimed.len() >= 2 * inner.swept_at {
            inner.claimed.retain(|_, until| *until > now);
            inner.swept_at = inner.claimed.len();
        }
        let until = now
            .checked_add(claim)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400));
        inner.claimed.insert(key, until);
        telemetry::push_memory(inner.remembered + inner.claimed.len());
        Ok(Claim::New)
    }

    async fn remember(&self, key: &str, fresh_until: SystemTime) -> Result<(), MemoryError> {
        let key = key_of(key);
        let generation = epoch_secs(fresh_until) / GENERATION_SECS;
        let wall = self.clock.now();
        let mut inner = self.inner();
        inner.claimed.remove(&key);
        inner.expire(wall);
        if generation < epoch_secs(wall) / GENERATION_SECS {
            // Stale already: the verifier refuses its replays.
            return Ok(());
        }
        if inner.seen.entry(generation).or_default().insert(key) {
            inner.remembered += 1;
        }
        let capacity = self.capacity;
        inner.fit(capacity);
        telemetry::push_memory(inner.remembered + inner.claimed.len());
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), MemoryError> {
        let mut inner = self.inner();
        inner.claimed.remove(&key_of(key));
        telemetry::push_memory(inner.remembered + inner.claimed.len());
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
    async fn claim(
        &self,
        key: &str,
        _fresh_until: SystemTime,
        claim: Duration,
    ) -> Result<Claim, MemoryError> {
        let store_key = store_key(key)?;
        if self.remembered(&store_key).await? {
            return Ok(Claim::Seen);
        }
        let Some(lock) = self
            .store
            .try_lock(&store_key, claim)
            .await
            .map_err(failed)?
        else {
            return Ok(Claim::InFlight);
        };
        // Another receiver may have remembered it between the look and the lock.
        if self.remembered(&store_key).await? {
            self.store.unlock(&store_key, &lock).await.map_err(failed)?;
            return Ok(Claim::Seen);
        }
        self.claims().insert(key.to_owned(), lock);
        Ok(Claim::New)
    }

    async fn remember(&self, key: &str, fresh_until: SystemTime) -> Result<(), MemoryError> {
        let store_key = store_key(key)?;
        let ttl = fresh_until
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        if !ttl.is_zero() {
            let marker = StoredToken {
                // A marker: what matters is that one is there, until when.
                token: SecretString::from("seen"),
                expires_at: fresh_until,
                refresh_at: fresh_until,
                info: serde_json::Value::Null,
            };
            self.store
                .save(&store_key, &marker, ttl)
                .await
                .map_err(failed)?;
        }
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

impl<S: TokenStore> InStore<S> {
    /// Whether a marker of the push is in the store, not yet stale.
    async fn remembered(&self, store_key: &str) -> Result<bool, MemoryError> {
        let marker = self.store.load(store_key).await.map_err(failed)?;
        Ok(marker.is_some_and(|m| m.expires_at > SystemTime::now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::store::MemoryStore;

    const KEY: &str = "262ccb5f8854f824c41ea5854ba1798bfa850706fbc85b2be9fd7535ed6b8ff3";
    const CLAIM: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(3600);

    async fn claims_then_remembers(memory: &dyn PushMemory) {
        let until = SystemTime::now() + HOUR;
        assert_eq!(memory.claim(KEY, until, CLAIM).await, Ok(Claim::New));
        assert_eq!(memory.claim(KEY, until, CLAIM).await, Ok(Claim::InFlight));
        memory.release(KEY).await.expect("released");
        assert_eq!(memory.claim(KEY, until, CLAIM).await, Ok(Claim::New));
        memory.remember(KEY, until).await.expect("remembered");
        assert_eq!(memory.claim(KEY, until, CLAIM).await, Ok(Claim::Seen));
    }

    #[tokio::test]
    async fn a_claim_is_exclusive_until_released_or_remembered() {
        claims_then_remembers(&InMemory::default()).await;
        claims_then_remembers(&InStore::new(MemoryStore::new())).await;
    }

    /// `n` distinct keys, as signatures are: 64 hex digits.
    fn key(n: u64) -> String {
        hex::encode(Sha256::digest(n.to_le_bytes()))
    }

    #[tokio::test]
    async fn a_push_is_remembered_until_it_is_stale_then_forgotten() {
        let clock = ManualClock::default();
        let memory = InMemory::default().clock(Arc::new(clock.clone()));
        let until = clock.now() + HOUR;
        memory.claim(KEY, until, CLAIM).await.expect("claims");
        memory.remember(KEY, until).await.expect("remembers");
        clock.advance(HOUR - Duration::from_secs(1));
        assert_eq!(memory.claim(KEY, until, CLAIM).await, Ok(Claim::Seen));
        // A generation outlives its pushes' freshness by at most its length.
        clock.advance(Duration::from_secs(GENERATION_SECS + 1));
        memory
            .claim(&key(1), clock.now() + HOUR, CLAIM)
            .await
            .expect("sweeps");
        assert_eq!(memory.len(), 1, "only the new claim");
    }

    #[tokio::test]
    async fn a_full_memory_forgets_the_soonest_stale_and_never_refuses() {
        let clock = ManualClock::default();
        let memory = InMemory::new(100).clock(Arc::new(clock.clone()));
        let now = clock.now();
        // 300 pushes over three generations: the two soonest stale are forgotten.
        for n in 0..300u64 {
            let until = now + HOUR + Duration::from_secs(GENERATION_SECS * (n / 100));
            assert_eq!(memory.claim(&key(n), until, CLAIM).await, Ok(Claim::New));
            memory.remember(&key(n), until).await.expect("remembers");
        }
        assert_eq!(memory.len(), 100);
        let newest = now + HOUR + Duration::from_secs(GENERATION_SECS * 2);
        assert_eq!(
            memory.claim(&key(299), newest, CLAIM).await,
            Ok(Claim::Seen)
        );
        assert_eq!(
            memory.claim(&key(0), now + HOUR, CLAIM).await,
            Ok(Claim::New)
        );
    }

    #[tokio::test]
    async fn stale_pushes_and_endless_durations_neither_stay_nor_panic() {
        let memory = InMemory::default();
        let past = SystemTime::now() - HOUR;
        memory
            .claim(KEY, past, Duration::MAX)
            .await
            .expect("claims");
        memory
            .remember(KEY, past)
            .await
            .expect("nothing to remember");
        assert!(memory.is_empty());
        let far = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
        memory.claim(KEY, far, Duration::MAX).await.expect("claims");
        memory.remember(KEY, far).await.expect("remembers");
        assert_eq!(memory.claim(KEY, far, Duration::MAX).await, Ok(Claim::Seen));
        let store = InStore::new(MemoryStore::new());
        store.claim(KEY, far, Duration::MAX).await.expect("claims");
        store.remember(KEY, far).await.expect("remembers");
        assert_eq!(store.claim(KEY, far, Duration::MAX).await, Ok(Claim::Seen));
    }

    #[test]
    fn keys_are_the_signatures_first_bytes_and_anything_else_is_hashed() {
        assert_eq!(
            key_of(KEY),
            *b"\x26\x2c\xcb\x5f\x88\x54\xf8\x24\xc4\x1e\xa5\x85"
        );
        assert_ne!(key_of("not hex"), key_of("not hex either"));
    }
}
