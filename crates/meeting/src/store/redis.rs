//! A store in Redis: for a fleet of processes on one account.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use super::protocol::{LockId, StoreError, StoredToken, TokenStore};

/// How long each command may take: a store slower than this is down, and the client
/// goes on with its own tokens.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long the first connection may take: TCP, a TLS handshake and Redis's greeting,
/// which on a loaded machine take longer than a command.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Removes a token only if it is still the refused one. Unreadable values are left.
const DISCARD: &str = r"
local held = redis.call('GET', KEYS[1])
if not held then return 0 end
local ok, value = pcall(cjson.decode, held)
if ok and type(value) == 'table' and value.token == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Releases a lock only for its holder.
const UNLOCK: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// Tokens in Redis, shared by every process that uses the same Redis and prefix.
/// Each token expires in Redis when it expires at the service; the fetch lock is
/// `SET NX PX`, released by a script that checks the holder. Connects on first use and
/// reconnects by itself; `Debug` shows the address without a password. Clones share
/// one connection.
///
/// ```no_run
/// use meeting::store::RedisStore;
///
/// let store = RedisStore::new("redis://127.0.0.1:6379/0")?;
/// let client = meeting::Client::builder().token_store(store).build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RedisStore {
    client: redis::Client,
    connection: Arc<OnceCell<ConnectionManager>>,
    prefix: Arc<str>,
    timeout: Duration,
    connect_timeout: Duration,
    shown: Arc<str>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.shown)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// `url` without its user info (a password may be in it).
fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if !parsed.username().is_empty() || parsed.password().is_some() {
                let _ = parsed.set_username("");
                let _ = parsed.set_password(None);
                return parsed.as_str().replacen("://", "://***@", 1);
            }
            parsed.into()
        }
        Err(_) => "(an unparsable URL)".into(),
    }
}

fn failed(what: &str) -> impl FnOnce(redis::RedisError) -> StoreError + '_ {
    move |e| StoreError::with_source(format!("Redis: {what}"), e)
}

impl RedisStore {
    /// A store at `url` (`redis://[:password@]host:port/db`, or `rediss://` for TLS),
    /// with keys under `meeting:`. Nothing is sent until the first use.
    pub fn new(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|e| {
            // The error may quote the URL, and the URL may hold a password.
            StoreError::new(format!(
                "not a Redis URL ({}): {}",
                shown(url),
                e.category()
            ))
        })?;
        // redis-rs takes its TLS provider from the process default.
        crate::client::tls::ensure_process_default();
        Ok(Self {
            client,
            connection: Arc::default(),
            prefix: "meeting:".into(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            shown: shown(url).into(),
        })
    }

    /// Trusts only the root certificates in `pem` (a private CA, say) for this store's
    /// `rediss://` connection, instead of the system's roots. A server whose certificate
    /// they do not vouch for is refused: the store fails, and nothing falls back to
    /// plain text.
    ///
    /// ```no_run
    /// let ca = std::fs::read("/etc/redis/ca.pem")?;
    /// let store = meeting::store::RedisStore::new("rediss://redis.internal:6380/0")?
    ///     .trust_root_certificates_pem(&ca)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trust_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, StoreError> {
        let certificates = redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(pem.to_vec()),
        };
        self.client =
            redis::Client::build_with_tls(self.client.get_connection_info().clone(), certificates)
                .map_err(|e| {
                    StoreError::new(format!(
                        "cannot trust these root certificates for {}: {}",
                        self.shown,
                        e.detail().unwrap_or(e.category())
                    ))
                })?;
        Ok(self)
    }

    /// Keeps the keys under `prefix` instead of `meeting:` (for several fleets, or
    /// several environments, in one Redis).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().into();
        self
    }

    /// How long each command may take (default 1 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take: TCP, TLS and Redis's greeting (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The Redis client, with its address and TLS settings (for the fleet).
    #[cfg(feature = "fleet")]
    pub(crate) fn redis_client(&self) -> redis::Client {
        self.client.clone()
    }

    /// The key prefix.
    #[cfg(feature = "fleet")]
    pub(crate) fn key_prefix(&self) -> &str {
        &self.prefix
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        // A failed first connection leaves the cell empty: the next use tries again.
        self.connection
            .get_or_try_init(|| ConnectionManager::new_with_config(self.client.clone(), config))
            .await
            .cloned()
            .map_err(|e| {
                // Said plainly: the usual cause is a private CA the client was not told of.
                let what = if e.to_string().contains("certificate") {
                    "cannot connect: the server's TLS certificate is not trusted \
                     (RedisStore::trust_root_certificates_pem; the CLI: MEETING_REDIS_CA_CERT)"
                } else {
                    "cannot connect"
                };
                failed(what)(e)
            })
    }

    /// Runs `script` (a compare-and-delete) on `key` with `arg`.
    async fn delete_if(
        &self,
        script: &str,
        key: String,
        arg: &str,
        what: &str,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection().await?;
        redis::Script::new(script)
            .key(key)
            .arg(arg)
            .invoke_async::<i64>(&mut connection)
            .await
            .map(drop)
            .map_err(failed(what))
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn lock_key(&self, key: &str) -> String {
        format!("{}lock:{key}", self.prefix)
    }
}

/// Milliseconds for `PX`: at least 1 (0 is refused by Redis).
fn px(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// `text` with Redis's glob characters escaped.
fn glob_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[async_trait::async_trait]
impl TokenStore for RedisStore {
    async fn connect(&self) -> Result<(), StoreError> {
        self.connection().await.map(drop)
    }

    async fn load(&self, key: &str) -> Result<Option<StoredToken>, StoreError> {
        let mut connection = self.connection().await?;
        let text: Option<String> = redis::cmd("GET")
            .arg(self.key(key))
            .query_async(&mut connection)
            .await
            .map_err(failed("GET failed"))?;
        // An unreadable value (another version, say) is as good as none.
        Ok(text.and_then(|t| StoredToken::decode(&t).ok()))
    }

    async fn save(&self, key: &str, token: &StoredToken, ttl: Duration) -> Result<(), StoreError> {
        let mut connection = self.connection().await?;
        redis::cmd("SET")
            .arg(self.key(key))
            .arg(token.encode().expose_secret())
            .arg("PX")
            .arg(px(ttl))
            .query_async::<()>(&mut connection)
            .await
            .map_err(failed("SET failed"))
    }

    async fn discard(&self, key: &str, token: &SecretString) -> Result<(), StoreError> {
        self.delete_if(
            DISCARD,
            self.key(key),
            token.expose_secret(),
            "discarding a token failed",
        )
        .await
    }

    async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>, StoreError> {
        let mut connection = self.connection().await?;
        let lock = LockId::random();
        let taken: Option<String> = redis::cmd("SET")
            .arg(self.lock_key(key))
            .arg(lock.as_str())
            .arg("NX")
            .arg("PX")
            .arg(px(ttl))
            .query_async(&mut connection)
            .await
            .map_err(failed("SET NX failed"))?;
        Ok(taken.map(|_| lock))
    }

    async fn unlock(&self, key: &str, lock: &LockId) -> Result<(), StoreError> {
        self.delete_if(
            UNLOCK,
            self.lock_key(key),
            lock.as_str(),
            "unlocking failed",
        )
        .await
    }

    async fn remove_prefix(&self, prefix: &str) -> Result<usize, StoreError> {
        let mut connection = self.connection().await?;
        let pattern = format!("{}*", glob_literal(&self.key(prefix)));
        let lock_prefix = self.lock_key("");
        let mut cursor = 0u64;
        let mut removed = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut connection)
                .await
                .map_err(failed("SCAN failed"))?;
            // Locks live under the prefix too, but are not tokens.
            let tokens: Vec<_> = keys
                .into_iter()
                .filter(|k| !k.starts_with(&lock_prefix))
                .collect();
            if !tokens.is_empty() {
                let count: usize = redis::cmd("DEL")
                    .arg(&tokens)
                    .query_async(&mut connection)
                    .await
                    .map_err(failed("DEL failed"))?;
                removed += count;
            }
            if next == 0 {
                return Ok(removed);
            }
            cursor = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let store = RedisStore::new("redis://:hunter2@127.0.0.1:6379/0").expect("parses");
        let shown = format!("{store:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("127.0.0.1:6379"),
            "{shown}"
        );
        let error = RedisStore::new("redis://:hunter2@[::1/0").expect_err("refused");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn globs_are_escaped() {
        assert_eq!(glob_literal("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}
