//! A store in this process's memory: for several clients of one process (one per
//! tenant, say) that use the same account.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use super::protocol::{LockId, StoreError, StoredToken, TokenStore};

/// Tokens shared by the clients of one process. Clones share the same tokens.
///
/// ```
/// use meeting::{Client, Credentials, store::MemoryStore};
///
/// let store = MemoryStore::new();
/// let clients: Vec<Client> = (0..4)
///     .map(|_| {
///         Client::builder()
///             .credentials(Credentials::account("meeting_admin", "password"))
///             .token_store(store.clone())
///             .build()
///     })
///     .collect::<Result<_, _>>()?;
/// # Ok::<(), meeting::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, (StoredToken, Instant)>,
    locks: HashMap<String, (LockId, Instant)>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // Every change is one insert or remove: a panic cannot leave it half-made.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn until(ttl: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(ttl)
        .unwrap_or(now + Duration::from_secs(86400 * 365))
}

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn load(&self, key: &str) -> Result<Option<StoredToken>, StoreError> {
        let mut inner = self.inner();
        match inner.tokens.get(key) {
            Some((token, until)) if Instant::now() < *until => Ok(Some(token.clone())),
            Some(_) => {
                inner.tokens.remove(key);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn save(&self, key: &str, token: &StoredToken, ttl: Duration) -> Result<(), StoreError> {
        self.inner()
            .tokens
            .insert(key.to_owned(), (token.clone(), until(ttl)));
        Ok(())
    }

    async fn discard(&self, key: &str, token: &SecretString) -> Result<(), StoreError> {
        let mut inner = self.inner();
        if inner
            .tokens
            .get(key)
            .is_some_and(|(t, _)| t.expose_token() == token.expose_secret())
        {
            inner.tokens.remove(key);
        }
        Ok(())
    }

    async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>, StoreError> {
        let mut inner = self.inner();
        if inner
            .locks
            .get(key)
            .is_some_and(|(_, until)| Instant::now() < *until)
        {
            return Ok(None);
        }
        let lock = LockId::random();
        inner
            .locks
            .insert(key.to_owned(), (lock.clone(), until(ttl)));
        Ok(Some(lock))
    }

    async fn unlock(&self, key: &str, lock: &LockId) -> Result<(), StoreError> {
        let mut inner = self.inner();
        if inner.locks.get(key).is_some_and(|(held, _)| held == lock) {
            inner.locks.remove(key);
        }
        Ok(())
    }

    async fn remove_prefix(&self, prefix: &str) -> Result<usize, StoreError> {
        let mut inner = self.inner();
        let before = inner.tokens.len();
        inner.tokens.retain(|key, _| !key.starts_with(prefix));
        Ok(before - inner.tokens.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(secret: &str) -> StoredToken {
        StoredToken::for_test(secret)
    }

    #[tokio::test]
    async fn discard_leaves_a_replacement_and_locks_are_exclusive_until_they_expire() {
        let store = MemoryStore::new();
        let ttl = Duration::from_secs(60);
        store.save("k", &token("a"), ttl).await.expect("saves");
        store.save("k", &token("b"), ttl).await.expect("saves");
        store
            .discard("k", &SecretString::from("a"))
            .await
            .expect("discards");
        let kept = store.load("k").await.expect("loads").expect("kept");
        assert_eq!(kept.expose_token(), "b");
        store
            .discard("k", &SecretString::from("b"))
            .await
            .expect("discards");
        assert!(store.load("k").await.expect("loads").is_none());

        let held = store
            .try_lock("k", ttl)
            .await
            .expect("locks")
            .expect("free");
        assert!(store.try_lock("k", ttl).await.expect("locks").is_none());
        store.unlock("k", &LockId::random()).await.expect("unlocks");
        assert!(
            store.try_lock("k", ttl).await.expect("locks").is_none(),
            "not the holder"
        );
        store.unlock("k", &held).await.expect("unlocks");
        let expiring = store.try_lock("k", Duration::ZERO).await.expect("locks");
        assert!(expiring.is_some());
        assert!(
            store.try_lock("k", ttl).await.expect("locks").is_some(),
            "expired"
        );
    }

    #[tokio::test]
    async fn remove_prefix_counts() {
        let store = MemoryStore::new();
        let ttl = Duration::from_secs(60);
        for key in ["access-1", "control-1-a", "control-1-b", "control-2-a"] {
            store.save(key, &token("t"), ttl).await.expect("saves");
        }
        assert_eq!(store.remove_prefix("control-1-").await.expect("removes"), 2);
        assert_eq!(store.remove_prefix("").await.expect("removes"), 2);
    }
}
