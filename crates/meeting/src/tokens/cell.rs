//! The cache every token lives in: one [`TokenCell`] for the access token and one per
//! conference for control tokens, with single-flight renewal and the memory of a
//! refused credential ([`Asker`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::shared::{Link, StoredInfo};
use super::token::Token;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::telemetry;

/// Who asks for a token, as far as remembering a refusal goes: a fingerprint of the
/// credential the fetch would use (a host password, say), so that a refusal of one
/// credential is never held against another, and how long a refusal is remembered.
#[derive(Clone, Copy)]
pub(crate) struct Asker {
    pub credential: u64,
    pub remember_refusals: Duration,
    /// A conference's control token, not a login: a 401 with a `USG.` code there
    /// refuses the access token sent beside it, not the host password.
    pub control: bool,
}

impl std::fmt::Debug for Asker {
    // The fingerprint is derived from a secret: not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Asker")
            .field("remember_refusals", &self.remember_refusals)
            .finish_non_exhaustive()
    }
}

/// A keyed digest of a secret (SipHash with a random key made once per process): equal
/// secrets give equal fingerprints within the process, and since the key never leaves
/// it, a fingerprint tells nothing outside it and cannot be tested offline.
pub(crate) fn fingerprint(secret: Option<&str>) -> u64 {
    use std::hash::BuildHasher;
    static KEYS: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(Default::default).hash_one(secret)
}

impl Asker {
    /// An asker with `credential` fingerprinted (see [`fingerprint`]).
    pub fn new(credential: Option<&SecretString>, remember_refusals: Duration) -> Self {
        Self {
            credential: fingerprint(credential.map(|c| c.expose_secret())),
            remember_refusals,
            control: false,
        }
    }

    /// The same asker, for a conference's control token.
    pub fn for_control_token(self) -> Self {
        Self {
            control: true,
            ..self
        }
    }
}

/// The last fetch that failed.
struct Failure {
    error: Error,
    /// Which fetch (the count of fetches when it ended).
    fetch: u64,
    credential: u64,
    /// For a refused credential: when it was refused.
    refused_at: Option<SystemTime>,
}

/// The fetches so far, and the last failure if the last fetch failed.
#[derive(Default)]
struct Fetches {
    count: u64,
    failure: Option<Failure>,
}

/// One cached token with single-flight refresh: one fetch at a time however many calls
/// wait; a failed fetch is handed to every call that waited for it (one attempt per
/// wave of callers, not one each), and a refused credential is remembered for a while
/// so that a caller's own retry loop cannot lock the account.
pub(crate) struct TokenCell<I> {
    /// A plain lock: held only to clone or swap the `Arc`, never across an await.
    current: std::sync::RwLock<Option<Arc<Token<I>>>>,
    /// Held while fetching, so that one fetch runs at a time.
    refresh: Mutex<Fetches>,
    /// `Fetches::count`, readable without waiting for the fetch under way.
    fetched: AtomicU64,
    /// The store shared with other clients, if any, and this cell's key there.
    link: Option<Link>,
}

impl<I> std::fmt::Debug for TokenCell<I> {
    // The token is a secret, and what else the cell holds says nothing useful.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCell").finish_non_exhaustive()
    }
}

impl<I> Default for TokenCell<I> {
    fn default() -> Self {
        Self {
            current: std::sync::RwLock::new(None),
            refresh: Mutex::default(),
            fetched: AtomicU64::new(0),
            link: None,
        }
    }
}

/// A failure that says the credential itself is wrong (a wrong password or host
/// password, an unknown app, a bad signature, a disabled or locked account): asking
/// again with it cannot succeed, and asking often locks the account. Not a 5xx or a
/// transport failure, nor, for a control token, a refused access token.
fn is_refusal(asker: &Asker, error: &Error) -> bool {
    if asker.control {
        return error.kind() == ErrorKind::Authentication && !error.refuses_access_token();
    }
    error.refuses_credentials() && !error.is_refused_elsewhere()
}

impl<I: StoredInfo> TokenCell<I> {
    /// A cell that shares its token through `link` (without one: an empty cell).
    pub fn linked(link: Option<Link>) -> Self {
        Self {
            link,
            ..Self::default()
        }
    }

    /// A cell holding `token` from the start.
    pub fn preset(token: Token<I>) -> Self {
        Self {
            current: std::sync::RwLock::new(Some(Arc::new(token))),
            ..Self::default()
        }
    }

    /// The cached token if fresh; otherwise the result of `fetch`, called by one caller
    /// at a time with the token it replaces (for keep-alive), if that is still valid.
    pub async fn get<F, Fut>(
        &self,
        clock: &dyn Clock,
        asker: Asker,
        fetch: F,
    ) -> Result<Arc<Token<I>>, Error>
    where
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, Error>>,
    {
        if let Some(token) = self.fresh(clock.now()) {
            return Ok(token);
        }
        // Boxed: inline, the fetch's state would be part of (and copied with) every
        // call's future, though almost every call finds its token fresh.
        Box::pin(self.get_or_fetch(clock, asker, false, fetch)).await
    }

    /// Like [`TokenCell::get`], but fetches even when the cached token is fresh.
    pub async fn fetch_now<F, Fut>(
        &self,
        clock: &dyn Clock,
        asker: Asker,
        fetch: F,
    ) -> Result<Arc<Token<I>>, Error>
    where
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, Error>>,
    {
        Box::pin(self.get_or_fetch(clock, asker, true, fetch)).await
    }

    async fn get_or_fetch<F, Fut>(
        &self,
        clock: &dyn Clock,
        asker: Asker,
        force: bool,
        fetch: F,
    ) -> Result<Arc<Token<I>>, Error>
    where
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, Error>>,
    {
        let seen = self.fetched.load(Ordering::Acquire);
        let mut fetches = self.refresh.lock().await;
        let now = clock.now();
        if let Some(failure) = fetches
            .failure
            .as_ref()
            .filter(|f| f.credential == asker.credential)
        {
            // A fetch for the same credential failed while we waited (our wave), or
            // the credential was refused a moment ago: that answer is ours too.
            let remembered = failure
                .refused_at
                .and_then(|at| at.checked_add(asker.remember_refusals))
                .is_some_and(|until| now < until);
            if remembered {
                telemetry::token_refused(telemetry::token_kind(asker.control));
            }
            if failure.fetch > seen || remembered {
                return Err(failure.error.clone());
            }
        }
        // Whoever held the lock before us may have fetched already.
        if !force && let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        let previous = self.load().filter(|t| now < t.expires_at);
        let result = match &self.link {
            Some(link) => link.store.obtain(link, clock, previous, force, fetch).await,
            None => fetch(previous).await,
        };
        fetches.count += 1;
        self.fetched.store(fetches.count, Ordering::Release);
        let kind = telemetry::token_kind(asker.control);
        telemetry::token_fetched(kind, result.as_ref().map(|_| ()));
        match result {
            Ok(token) => {
                fetches.failure = None;
                let token = Arc::new(token);
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
                Ok(token)
            }
            Err(error) => {
                fetches.failure = Some(Failure {
                    error: error.clone(),
                    fetch: fetches.count,
                    credential: asker.credential,
                    refused_at: is_refusal(&asker, &error).then_some(now),
                });
                Err(error)
            }
        }
    }

    /// The cached token, whatever its age.
    fn load(&self) -> Option<Arc<Token<I>>> {
        // A panic cannot leave an `Option<Arc>` half-written: a poisoned lock is fine.
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn fresh(&self, now: SystemTime) -> Option<Arc<Token<I>>> {
        self.load().filter(|t| t.is_fresh(now))
    }

    /// Forgets the cached token (logging out).
    pub fn forget(&self) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Forgets `stale` (the service refused it), here and in the shared store, unless
    /// another call already replaced it.
    pub async fn invalidate(&self, stale: &Arc<Token<I>>) {
        {
            let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
            if current.as_ref().is_some_and(|t| Arc::ptr_eq(t, stale)) {
                *current = None;
            }
        }
        if let Some(link) = &self.link {
            link.store.discard(&link.key, stale).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::clock::ManualClock;
    use crate::error::Context;

    fn asker() -> Asker {
        Asker::new(None, Duration::from_secs(30))
    }

    fn refused() -> Error {
        Error::Service(Box::new(crate::error::ServiceError {
            context: Context::new("AuthenticateAccount", None),
            status: 401,
            code: "USG.000000001".into(),
            message: "wrong".into(),
            request_id: None,
            retry_after: None,
        }))
    }

    #[tokio::test]
    async fn one_fetch_for_many_waiters_then_refresh_ahead_of_expiry() {
        let clock = ManualClock::default();
        let cell = Arc::new(TokenCell::<()>::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let get = |cell: Arc<TokenCell<()>>, fetches: Arc<AtomicUsize>, clock: ManualClock| async move {
            cell.get(&clock, asker(), |_| async {
                fetches.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok(Token::new(
                    SecretString::from("t"),
                    clock.now(),
                    Duration::from_secs(60),
                    (),
                ))
            })
            .await
        };
        let calls: Vec<_> = (0..50)
            .map(|_| tokio::spawn(get(cell.clone(), fetches.clone(), clock.clone())))
            .collect();
        for call in calls {
            call.await.expect("joins").expect("token");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_secs(49));
        get(cell.clone(), fetches.clone(), clock.clone())
            .await
            .expect("token");
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            1,
            "still fresh 11 s before expiry"
        );
        clock.advance(Duration::from_secs(2));
        get(cell.clone(), fetches.clone(), clock.clone())
            .await
            .expect("token");
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            2,
            "refreshed 10 s ahead of expiry"
        );
    }

    #[tokio::test]
    async fn invalidate_forgets_only_the_stale_token() {
        let clock = ManualClock::default();
        let cell = TokenCell::default();
        let first = cell
            .get(&clock, asker(), |_| async {
                Ok(Token::fixed(SecretString::from("a"), ()))
            })
            .await
            .expect("token");
        let second = cell
            .fetch_now(&clock, asker(), |_| async {
                Ok(Token::fixed(SecretString::from("b"), ()))
            })
            .await
            .expect("token");
        cell.invalidate(&first).await;
        assert_eq!(
            cell.fresh(clock.now()).map(|t| t.expose().to_owned()),
            Some("b".into())
        );
        cell.invalidate(&second).await;
        assert!(cell.fresh(clock.now()).is_none());
    }

    #[tokio::test]
    async fn a_failed_fetch_answers_its_wave_and_a_refusal_is_remembered() {
        let clock = ManualClock::default();
        let cell = Arc::new(TokenCell::<()>::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let get = |asker: Asker, error: Error| {
            let (cell, fetches, clock) = (cell.clone(), fetches.clone(), clock.clone());
            async move {
                cell.get(&clock, asker, |_| async {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    Err::<Token<()>, _>(error)
                })
                .await
            }
        };
        let wave: Vec<_> = (0..50)
            .map(|_| tokio::spawn(get(asker(), refused())))
            .collect();
        for call in wave {
            assert!(call.await.expect("joins").is_err());
        }
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            1,
            "one attempt for the wave"
        );
        assert!(get(asker(), refused()).await.is_err());
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            1,
            "the refusal is remembered"
        );
        let other = Asker::new(
            Some(&SecretString::from("another")),
            Duration::from_secs(30),
        );
        assert!(get(other, refused()).await.is_err());
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            2,
            "not held against another credential"
        );
        clock.advance(Duration::from_secs(31));
        assert!(get(asker(), refused()).await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 3, "forgotten after 30 s");

        let off = Asker::new(None, Duration::ZERO);
        assert!(get(off, refused()).await.is_err());
        assert!(get(off, refused()).await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 5, "zero turns it off");
        clock.advance(Duration::from_secs(31));
        let unavailable = Error::Timeout {
            context: Context::new("AuthenticateAccount", None),
        };
        assert!(get(asker(), unavailable.clone()).await.is_err());
        assert!(get(asker(), unavailable).await.is_err());
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            7,
            "a timeout is not remembered"
        );
    }
}
