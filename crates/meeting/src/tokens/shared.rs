//! A token cell's link to a [`TokenStore`]: what the cell does instead of fetching
//! when the client has a store. Reads the store first; when the stored token is
//! missing or due, one holder of the store's fetch lock fetches while the others use
//! the still-valid token or wait for the new one. A store that fails is left alone for
//! a while, with one warning, and the cell fetches by itself meanwhile.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use secrecy::SecretString;

use super::token::Token;
use crate::clock::Clock;
use crate::error::Error;
use crate::store::{LockId, StoreError, StoredToken, TokenStore};

/// How long a failed store is left alone.
const REST_AFTER_FAILURE: Duration = Duration::from_secs(5);
/// The longest one store operation may take once connected, whatever the store's own
/// timeouts.
const STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest the store's connection may take to open, apart from the operation: a
/// first TLS connection on a loaded machine may miss an operation's budget while the
/// store is healthy (a `RedisStore` gives up after its own 5 s).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first and the longest pause between looks at a lock somebody else holds.
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const LONGEST_PAUSE: Duration = Duration::from_millis(100);

/// A store operation's result, or a failure once `budget` has passed.
async fn within<T>(
    budget: Duration,
    what: &str,
    operation: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    tokio::time::timeout(budget, operation)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::new(format!(
                "{what} within {} s",
                budget.as_secs()
            )))
        })
}

/// `store`'s connection opened within [`CONNECT_TIMEOUT`], then `operation`'s result
/// within [`STORE_TIMEOUT`].
async fn bounded<T>(
    store: &dyn TokenStore,
    operation: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    within(CONNECT_TIMEOUT, "not connected", store.connect()).await?;
    within(STORE_TIMEOUT, "no answer", operation).await
}

/// What the service said about a token, as a store keeps it (never the token: that is
/// kept apart, as a secret).
pub(crate) trait StoredInfo: Sized {
    fn to_stored(&self) -> serde_json::Value;
    /// `None` if `value` is not what [`StoredInfo::to_stored`] writes.
    fn from_stored(value: &serde_json::Value, token: &SecretString) -> Option<Self>;
}

impl StoredInfo for () {
    fn to_stored(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    fn from_stored(_: &serde_json::Value, _: &SecretString) -> Option<Self> {
        Some(())
    }
}

impl<I: StoredInfo> Token<I> {
    fn to_stored(&self) -> StoredToken {
        StoredToken {
            token: self.secret.clone(),
            expires_at: self.expires_at,
            refresh_at: self.refresh_at,
            info: self.info.to_stored(),
        }
    }

    fn from_stored(stored: StoredToken) -> Option<Self> {
        let info = I::from_stored(&stored.info, &stored.token)?;
        Some(Self {
            secret: stored.token,
            expires_at: stored.expires_at,
            refresh_at: stored.refresh_at,
            info,
            // Read from the store: no host password was accepted for it here yet.
            accepted_for: std::sync::atomic::AtomicU64::new(0),
        })
    }
}

/// A client's store, with how it has been doing.
pub(crate) struct SharedStore {
    store: Arc<dyn TokenStore>,
    /// How long a fetch lock is held at most, and waited for at most.
    lock_ttl: Duration,
    /// Until when the store is left alone after a failure.
    resting_until: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedStore")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// One cell's key in a shared store.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub store: Arc<SharedStore>,
    pub key: Arc<str>,
    /// For a login: how long a refusal of the credentials is shared with the other
    /// clients of the store (none: a control token's refusal concerns one handle's
    /// host password, and is not shared).
    pub share_refusals: Option<Duration>,
}

/// Where a refusal of `key`'s credentials is kept: under the key, so that logging out
/// (which removes the key's prefix) forgets it too.
fn refusal_key(key: &str) -> String {
    format!("{key}-refused")
}

impl SharedStore {
    /// `lock_ttl`: the longest one operation may take (a fetch never outlives it).
    pub fn new(store: Arc<dyn TokenStore>, lock_ttl: Duration) -> Self {
        Self {
            store,
            lock_ttl: lock_ttl.clamp(Duration::from_secs(1), Duration::from_secs(60)),
            resting_until: Mutex::new(None),
        }
    }

    fn resting(&self) -> bool {
        let until = *self.resting_until.lock().unwrap_or_else(|p| p.into_inner());
        until.is_some_and(|until| Instant::now() < until)
    }

    /// Runs a store operation within [`STORE_TIMEOUT`]: its result, or `None` if it
    /// failed (noted).
    async fn call<T>(
        &self,
        operation: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Option<T> {
        self.noted(bounded(&*self.store, operation).await)
    }

    /// The result of a store operation, noting a failure (and warning at the first
    /// of a series) or a recovery.
    fn noted<T>(&self, result: Result<T, StoreError>) -> Option<T> {
        let mut resting = self.resting_until.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(value) => {
                if resting.take().is_some() {
                    tracing::info!(store = ?self.store, "token store reachable again: sharing tokens");
                }
                Some(value)
            }
            Err(error) => {
                if resting.is_none() {
                    tracing::warn!(
                        store = ?self.store,
                        error = %error,
                        "token store failed: using this client's own tokens, in memory, and trying the store again in {} s",
                        REST_AFTER_FAILURE.as_secs()
                    );
                }
                *resting = Some(Instant::now() + REST_AFTER_FAILURE);
                None
            }
        }
    }

    async fn load<I: StoredInfo>(&self, key: &str) -> Option<Option<Token<I>>> {
        let stored = self.call(self.store.load(key)).await?;
        Some(stored.and_then(Token::from_stored))
    }

    async fn save<I: StoredInfo>(&self, key: &str, token: &Token<I>, now: SystemTime) {
        let ttl = token.expires_at.duration_since(now).unwrap_or_default();
        if ttl.is_zero() {
            return;
        }
        self.call(self.store.save(key, &token.to_stored(), ttl))
            .await;
    }

    /// The refusal of `key`'s credentials that a client of the store met, while it is
    /// remembered.
    async fn refusal(&self, key: &str, clock: &dyn Clock) -> Option<Error> {
        let stored = self.call(self.store.load(&refusal_key(key))).await??;
        let now = clock.now();
        let left = stored.expires_at.duration_since(now).ok()?;
        let field = |name: &str| stored.info.get(name);
        let at = field("at_ms")
            .and_then(serde_json::Value::as_u64)
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))?;
        Some(Error::refused_elsewhere(
            field("status")
                .and_then(serde_json::Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(401),
            field("code")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(""),
            field("message")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(""),
            now.duration_since(at).unwrap_or_default(),
            left,
        ))
    }

    /// Shares a refusal of `key`'s credentials for `remember`. No fingerprint of the
    /// refused password is stored (a reader of the store could test guesses against it
    /// offline): while it lasts, any password for that login waits.
    async fn share_refusal(&self, key: &str, error: &Error, remember: Duration, clock: &dyn Clock) {
        let now = clock.now();
        let at_ms = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let refusal = StoredToken {
            // Not a token: the record of a refusal, under a key of its own.
            token: SecretString::from("refused"),
            expires_at: now + remember,
            refresh_at: now + remember,
            info: serde_json::json!({
                "at_ms": at_ms,
                "status": error.status(),
                "code": error.code(),
                "message": error.service_error().map(|e| e.message.as_str()),
            }),
        };
        self.call(self.store.save(&refusal_key(key), &refusal, remember))
            .await;
    }

    /// Removes every stored token whose key starts with `prefix`.
    pub async fn remove_prefix(&self, prefix: &str) -> Result<usize, StoreError> {
        bounded(&*self.store, self.store.remove_prefix(prefix)).await
    }

    /// Forgets `stale` in the store if the store still holds it (the service refused
    /// it): whoever replaced it already is left alone.
    pub async fn discard<I>(&self, key: &str, stale: &Token<I>) {
        if !self.resting() {
            self.call(self.store.discard(key, &stale.secret)).await;
        }
    }

    /// A token for `key`: the stored one if fresh; else one fetched by whoever holds
    /// the fetch lock (us, with `fetch`, or another client); a valid stored token while
    /// another client renews it. `force` fetches whatever the store holds, and stores
    /// the result.
    pub async fn obtain<I, F, Fut>(
        &self,
        link: &Link,
        clock: &dyn Clock,
        previous: Option<Arc<Token<I>>>,
        force: bool,
        fetch: F,
    ) -> Result<Token<I>, Error>
    where
        I: StoredInfo,
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, Error>>,
    {
        let key = &*link.key;
        if self.resting() {
            return fetch(previous).await;
        }
        // A login refused for another client of the store is not tried again: many
        // processes with a wrong password would otherwise each try it, and lock the
        // account. Checked before every fetch, and shared after a refusal.
        let shares = link.share_refusals;
        let fetch = |previous| async move {
            if shares.is_some()
                && let Some(refused) = self.refusal(key, clock).await
            {
                return Err(refused);
            }
            let result = fetch(previous).await;
            if let (Some(remember), Err(error)) = (shares, &result)
                && error.refuses_credentials()
            {
                self.share_refusal(key, error, remember, clock).await;
            }
            result
        };
        if force {
            let token = fetch(previous).await?;
            self.save(key, &token, clock.now()).await;
            return Ok(token);
        }
        let Some(mut stored) = self.load::<I>(key).await else {
            return fetch(previous).await;
        };
        let started = Instant::now();
        let mut pause = FIRST_PAUSE;
        loop {
            let now = clock.now();
            if let Some(token) = stored.take_if(|t| now < t.refresh_at) {
                return Ok(token);
            }
            let Some(lock) = self.call(self.store.try_lock(key, self.lock_ttl)).await else {
                return fetch(previous).await;
            };
            match lock {
                Some(lock) => return self.fetch_holding(key, clock, lock, previous, fetch).await,
                None => {
                    // Somebody else renews it: theirs is still good meanwhile.
                    if let Some(valid) = stored.take_if(|t| now < t.expires_at) {
                        return Ok(valid);
                    }
                    if started.elapsed() >= self.lock_ttl {
                        tracing::warn!(
                            "another client has held the token fetch lock for {} s: fetching without it",
                            self.lock_ttl.as_secs()
                        );
                        return fetch(previous).await;
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(LONGEST_PAUSE);
                    if shares.is_some()
                        && let Some(refused) = self.refusal(key, clock).await
                    {
                        return Err(refused);
                    }
                    let Some(again) = self.load::<I>(key).await else {
                        return fetch(previous).await;
                    };
                    stored = again;
                }
            }
        }
    }

    /// Fetches under the lock we hold, unless a fresh token arrived meanwhile, and
    /// stores what was fetched. The lock is released even if the caller gives up.
    async fn fetch_holding<I, F, Fut>(
        &self,
        key: &str,
        clock: &dyn Clock,
        lock: LockId,
        previous: Option<Arc<Token<I>>>,
        fetch: F,
    ) -> Result<Token<I>, Error>
    where
        I: StoredInfo,
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, Error>>,
    {
        let held = Held {
            store: self.store.clone(),
            key: key.to_owned(),
            lock: Some(lock),
        };
        let stored = self.load::<I>(key).await.flatten();
        let now = clock.now();
        let result = match stored {
            Some(token) if now < token.refresh_at => Ok(token),
            // The stored token, still valid, is the one to keep alive.
            Some(token) if now < token.expires_at => fetch(Some(Arc::new(token))).await,
            _ => fetch(previous).await,
        };
        if let Ok(token) = &result {
            self.save(key, token, clock.now()).await;
        }
        held.release().await;
        result
    }
}

/// A fetch lock we hold: released when done, or from a task if the caller gave up
/// (its future dropped at a deadline) so that the others need not wait for the lock
/// to expire.
struct Held {
    store: Arc<dyn TokenStore>,
    key: String,
    lock: Option<LockId>,
}

impl Held {
    async fn release(mut self) {
        if let Some(lock) = self.lock.take() {
            let unlock = self.store.unlock(&self.key, &lock);
            let _ = bounded(&*self.store, unlock).await;
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(lock) = self.lock.take() else { return };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (store, key) = (self.store.clone(), std::mem::take(&mut self.key));
            runtime.spawn(async move {
                let _ = bounded(&*store, store.unlock(&key, &lock)).await;
            });
        }
    }
}
