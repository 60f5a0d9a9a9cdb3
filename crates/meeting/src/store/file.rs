//! A store in files: for the processes of one user, e.g. successive CLI invocations.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use secrecy::{ExposeSecret, SecretString};

use super::protocol::{LockId, StoreError, StoredToken, TokenStore};
use crate::clock::{Clock, SystemClock};

/// How long a save or discard waits for another process's save or discard of the
/// same key (each takes microseconds).
const MUTEX_WAIT: Duration = Duration::from_secs(2);
/// How often, at most, a save sweeps the directory of what has expired.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// The key prefix of a push memory's markers ([`crate::webhook::InStore`]), whose lock
/// files a sweep may remove: nobody claims a push once it is stale.
const PUSH_PREFIX: &str = "push-";
/// How long a push's lock file is kept without a live marker (a claim released, or
/// never remembered): longer than any push stays fresh by default.
const PUSH_LOCK_KEPT: Duration = Duration::from_secs(26 * 3600);

/// Tokens in a directory only its owner can read (0700, files 0600): one file per
/// key, replaced atomically (written aside, then renamed), changed under a file lock
/// so that concurrent processes never lose or resurrect a token. The fetch lock is a
/// file lock too: a holder that dies releases it at once, so the `ttl` of
/// [`TokenStore::try_lock`] is not needed.
///
/// Bounded: at most once a minute (the first a minute after opening) a save removes
/// the entries that have expired (by
/// the store's clock), and the lock files of push markers that are stale or were never
/// kept (after 26 hours), so a push memory's directory holds three files per live
/// marker and the tokens', however long it runs.
///
/// ```no_run
/// use meeting::store::FileStore;
///
/// let store = FileStore::user_default()?; // ~/.cache/meeting/tokens on Linux
/// let client = meeting::Client::builder().token_store(store).build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct FileStore {
    dir: Arc<PathBuf>,
    /// The fetch locks this process holds, by id: dropping the file releases it.
    held: Arc<Mutex<HashMap<LockId, File>>>,
    clock: Arc<dyn Clock>,
    /// When the directory was last swept.
    swept: Arc<Mutex<Option<SystemTime>>>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl FileStore {
    /// A store in `dir`, created (mode 0700) if missing; an existing directory that
    /// others can read or enter is restricted to its owner.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        let failed =
            |what: &str, e| StoreError::with_source(format!("cannot {what} {}", dir.display()), e);
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|e| failed("create", e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&dir)
                .map_err(|e| failed("read", e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                    .map_err(|e| failed("restrict the permissions of", e))?;
            }
        }
        Ok(Self {
            dir: Arc::new(dir),
            held: Arc::default(),
            clock: Arc::new(SystemClock),
            // The first sweep comes a minute after opening: a short-lived process (a
            // command) never pays for one.
            swept: Arc::new(Mutex::new(Some(SystemTime::now()))),
        })
    }

    /// The clock that says what has expired (tests: `clock::ManualClock`).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Removes what has expired by `now`: entries past their expiry, and the lock
    /// files of push markers that are gone or stale (kept [`PUSH_LOCK_KEPT`] when there
    /// was never a marker). Another process's entries are removed under their change
    /// lock, as a save would.
    fn sweep(&self, now: SystemTime) {
        let Ok(entries) = fs::read_dir(self.dir.as_path()) else {
            return;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort_unstable();
        let mut expired = std::collections::HashSet::new();
        for name in &names {
            let Some(key) = name.strip_suffix(".json") else {
                continue;
            };
            let Ok(path) = self.path(key, "json") else {
                continue;
            };
            let removed = self.changing(key, || {
                let stale = read(&path)?.is_some_and(|t| t.expires_at() <= now);
                Ok(stale && fs::remove_file(&path).is_ok())
            });
            if removed.unwrap_or(false) {
                expired.insert(key);
            }
        }
        for name in &names {
            let Some((key, extension)) = name.rsplit_once('.') else {
                continue;
            };
            if !key.starts_with(PUSH_PREFIX) || !matches!(extension, "lock" | "mutex") {
                continue;
            }
            let Ok(marker) = self.path(key, "json") else {
                continue;
            };
            let path = self.dir.join(name);
            let old = fs::metadata(&path)
                .and_then(|m| m.modified())
                .is_ok_and(|made| now.duration_since(made).unwrap_or_default() > PUSH_LOCK_KEPT);
            if !(expired.contains(key) || (old && !marker.exists())) {
                continue;
            }
            // Not while somebody holds it; a stale push is claimed by nobody.
            if let Ok(file) = open_private(&path)
                && file.try_lock().is_ok()
            {
                let _ = fs::remove_file(&path);
            }
        }
    }

    /// Sweeps if the last sweep is [`SWEEP_EVERY`] old.
    fn sweep_now_and_then(&self) {
        let now = self.clock.now();
        {
            let mut swept = self.swept.lock().unwrap_or_else(|p| p.into_inner());
            if swept.is_some_and(|at| now.duration_since(at).unwrap_or_default() < SWEEP_EVERY) {
                return;
            }
            *swept = Some(now);
        }
        self.sweep(now);
    }

    /// The user's cache directory's `meeting/tokens` (`$XDG_CACHE_HOME` or
    /// `~/.cache` on Linux, `~/Library/Caches` on macOS).
    pub fn user_default() -> Result<Self, StoreError> {
        let cache = dirs::cache_dir()
            .ok_or_else(|| StoreError::new("this system has no cache directory for the user"))?;
        Self::open(cache.join("meeting").join("tokens"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str, extension: &str) -> Result<PathBuf, StoreError> {
        // Keys are ASCII letters, digits and dashes; anything else could leave the
        // directory.
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(StoreError::new(
                "a key with characters a file name cannot hold",
            ));
        }
        Ok(self.dir.join(format!("{key}.{extension}")))
    }

    /// Runs blocking file work off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Self) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|e| StoreError::with_source("the file store's worker failed", e))?
    }

    /// Holds `key`'s change lock while `change` runs.
    fn changing<T>(
        &self,
        key: &str,
        change: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let file = open_private(&self.path(key, "mutex")?)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < MUTEX_WAIT => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::new("another process holds a token file's lock"));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(StoreError::with_source("cannot lock a token file", e));
                }
            }
        }
        // The lock goes with `file` at the end of this function.
        change()
    }
}

/// Opens (creating) a file only its owner can read and write.
fn open_private(path: &Path) -> Result<File, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| StoreError::with_source(format!("cannot open {}", path.display()), e))
}

fn read(path: &Path) -> Result<Option<StoredToken>, StoreError> {
    match fs::read_to_string(path) {
        // An unreadable entry (a crash mid-write, another version) is as good as none:
        // the next fetch replaces it.
        Ok(text) => Ok(StoredToken::decode(&text).ok()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::with_source(
            format!("cannot read {}", path.display()),
            e,
        )),
    }
}

#[async_trait::async_trait]
impl TokenStore for FileStore {
    async fn load(&self, key: &str) -> Result<Option<StoredToken>, StoreError> {
        let path = self.path(key, "json")?;
        self.blocking(move |_| read(&path)).await
    }

    async fn save(&self, key: &str, token: &StoredToken, _ttl: Duration) -> Result<(), StoreError> {
        let (key, text) = (key.to_owned(), token.encode());
        self.blocking(move |store| {
            let path = store.path(&key, "json")?;
            let aside = store.path(&key, &format!("{}.tmp", LockId::random().as_str()))?;
            store.changing(&key, || {
                let written = (|| {
                    let mut options = OpenOptions::new();
                    options.write(true).create_new(true);
                    #[cfg(unix)]
                    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                    let mut file = options.open(&aside)?;
                    file.write_all(text.expose_secret().as_bytes())?;
                    fs::rename(&aside, &path)
                })();
                written.map_err(|e| {
                    let _ = fs::remove_file(&aside);
                    StoreError::with_source(format!("cannot write {}", path.display()), e)
                })
            })?;
            store.sweep_now_and_then();
            Ok(())
        })
        .await
    }

    async fn discard(&self, key: &str, token: &SecretString) -> Result<(), StoreError> {
        let (key, token) = (key.to_owned(), token.clone());
        self.blocking(move |store| {
            let path = store.path(&key, "json")?;
            store.changing(&key, || {
                let held = read(&path)?;
                if held.is_some_and(|t| t.expose_token() == token.expose_secret()) {
                    match fs::remove_file(&path) {
                        Err(e) if e.kind() != ErrorKind::NotFound => {
                            return Err(StoreError::with_source(
                                format!("cannot remove {}", path.display()),
                                e,
                            ));
                        }
                        _ => {}
                    }
                }
                Ok(())
            })
        })
        .await
    }

    async fn try_lock(&self, key: &str, _ttl: Duration) -> Result<Option<LockId>, StoreError> {
        let key = key.to_owned();
        self.blocking(move |store| {
            let file = open_private(&store.path(&key, "lock")?)?;
            match file.try_lock() {
                Ok(()) => {
                    let lock = LockId::random();
                    store
                        .held
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(lock.clone(), file);
                    Ok(Some(lock))
                }
                Err(fs::TryLockError::WouldBlock) => Ok(None),
                Err(fs::TryLockError::Error(e)) => {
                    Err(StoreError::with_source("cannot lock a token file", e))
                }
            }
        })
        .await
    }

    async fn unlock(&self, _key: &str, lock: &LockId) -> Result<(), StoreError> {
        // Closing the file releases the lock.
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(lock);
        Ok(())
    }

    async fn remove_prefix(&self, prefix: &str) -> Result<usize, StoreError> {
        let prefix = prefix.to_owned();
        self.blocking(move |store| {
            let entries = fs::read_dir(store.dir.as_path()).map_err(|e| {
                StoreError::with_source(format!("cannot list {}", store.dir.display()), e)
            })?;
            let mut removed = 0;
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(key) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                    continue;
                };
                if !key.starts_with(&prefix) {
                    continue;
                }
                let path = entry.path();
                let gone = store.changing(key, || {
                    fs::remove_file(&path).map_err(|e| {
                        StoreError::with_source(format!("cannot remove {}", path.display()), e)
                    })
                });
                if gone.is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(secret: &str) -> StoredToken {
        StoredToken::for_test(secret)
    }

    /// A directory that does not exist yet, inside one removed when the guard drops.
    fn temp_dir(name: &str) -> (tempfile::TempDir, PathBuf) {
        let temp = tempfile::tempdir().expect("a temporary directory");
        let dir = temp.path().join(name);
        (temp, dir)
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn only_the_owner_can_read_and_a_wide_directory_is_narrowed() {
        use std::os::unix::fs::PermissionsExt;
        let (_temp, dir) = temp_dir("modes");
        fs::create_dir_all(&dir).expect("creates");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("widens");
        let store = FileStore::open(&dir).expect("opens");
        let ttl = Duration::from_secs(60);
        store
            .save("access-1", &token("t"), ttl)
            .await
            .expect("saves");
        let mode = |path: &Path| fs::metadata(path).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("access-1.json")), 0o600);
        let names: Vec<_> = fs::read_dir(&dir)
            .expect("lists")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[tokio::test]
    async fn two_stores_on_one_directory_share_tokens_and_locks() {
        let (_temp, dir) = temp_dir("shared");
        let (a, b) = (
            FileStore::open(&dir).expect("opens"),
            FileStore::open(&dir).expect("opens"),
        );
        let ttl = Duration::from_secs(60);
        a.save("access-1", &token("first"), ttl)
            .await
            .expect("saves");
        let seen = b.load("access-1").await.expect("loads").expect("shared");
        assert_eq!(seen.expose_token(), "first");
        assert_eq!(seen.info, serde_json::json!({"user_id": "u"}));

        let held = a
            .try_lock("access-1", ttl)
            .await
            .expect("locks")
            .expect("free");
        assert!(b.try_lock("access-1", ttl).await.expect("locks").is_none());
        a.unlock("access-1", &held).await.expect("unlocks");
        assert!(b.try_lock("access-1", ttl).await.expect("locks").is_some());

        b.save("access-1", &token("second"), ttl)
            .await
            .expect("saves");
        a.discard("access-1", &SecretString::from("first"))
            .await
            .expect("discards");
        assert_eq!(
            a.load("access-1")
                .await
                .expect("loads")
                .expect("kept")
                .expose_token(),
            "second"
        );
        assert_eq!(a.remove_prefix("access-").await.expect("removes"), 1);
        assert!(b.load("access-1").await.expect("loads").is_none());
        assert!(
            a.load("../etc/passwd").await.is_err(),
            "keys cannot leave the directory"
        );
    }
}
