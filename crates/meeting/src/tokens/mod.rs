//! Tokens: how each is obtained ([`access`]: logging in; [`control`]: the conference
//! control token) and the cache both share, [`TokenCell`]: one for the access token and
//! one per conference for control tokens. Each refreshes ahead of expiry, with one fetch
//! at a time however many calls wait for it (single flight), and forgets a token the
//! service refused.

mod access;
mod control;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{Mutex, RwLock};

pub use access::AccessTokenInfo;
pub use control::{ControlTokenInfo, Role};

use crate::clock::Clock;
use crate::error::{Context, Error};

/// Refresh this long before expiry at most…
const MAX_MARGIN: Duration = Duration::from_secs(5 * 60);
/// …and at most this share of the validity (a 60 s token refreshes 10 s early).
const MARGIN_DIVISOR: u32 = 6;
/// A validity beyond this is taken as this (a server's bad answer must not overflow).
const MAX_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);

/// A token, when it stops being usable, and what the service said about it (`I`).
#[derive(Debug)]
pub(crate) struct Token<I> {
    pub secret: SecretString,
    pub expires_at: SystemTime,
    /// When to fetch a new one (before `expires_at`).
    pub refresh_at: SystemTime,
    pub info: I,
}

/// How long a token from the service lives: `seconds` if positive, else until
/// `expires_at` if that is ahead of `now`, else `default`; at most 7 days, so that a
/// hostile answer cannot overflow a time or a formatter.
pub(crate) fn validity(
    now: SystemTime,
    seconds: Option<i64>,
    expires_at: Option<SystemTime>,
    default: Duration,
) -> Duration {
    let from_seconds = seconds
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs);
    let until_expiry = expires_at
        .and_then(|at| at.duration_since(now).ok())
        .filter(|d| !d.is_zero());
    from_seconds
        .or(until_expiry)
        .unwrap_or(default)
        .min(MAX_VALIDITY)
}

/// A token from the service, checked before it is cached: the server's fault (an empty
/// token, or one that cannot be sent in a header) must read as the server's, not as
/// the caller's invalid input.
pub(crate) fn checked_secret(
    context: &Context,
    what: &str,
    token: String,
) -> Result<SecretString, Error> {
    let problem = if token.is_empty() {
        Some("is empty")
    } else if token.chars().any(|c| c.is_whitespace() || c.is_control())
        || reqwest::header::HeaderValue::from_str(&token).is_err()
    {
        Some("has characters that cannot be sent in an HTTP header")
    } else {
        None
    };
    match problem {
        None => Ok(SecretString::from(token)),
        // Never quote the token.
        Some(problem) => Err(Error::UnexpectedResponse {
            context: context.clone(),
            status: Some(200),
            request_id: None,
            detail: format!("the {what} the service returned {problem}"),
        }),
    }
}

impl<I> Token<I> {
    /// A token valid for `validity` from `now`.
    pub fn new(secret: SecretString, now: SystemTime, validity: Duration, info: I) -> Self {
        let validity = validity.min(MAX_VALIDITY);
        let margin = (validity / MARGIN_DIVISOR).min(MAX_MARGIN);
        let expires_at = now.checked_add(validity).unwrap_or(now);
        Self {
            secret,
            expires_at,
            refresh_at: expires_at.checked_sub(margin).unwrap_or(now),
            info,
        }
    }

    /// A token that never needs refreshing (supplied by the caller).
    pub fn fixed(secret: SecretString, info: I) -> Self {
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(u32::MAX as u64);
        Self {
            secret,
            expires_at: far,
            refresh_at: far,
            info,
        }
    }

    pub fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    fn is_fresh(&self, now: SystemTime) -> bool {
        now < self.refresh_at
    }
}

/// One cached token with single-flight refresh.
pub(crate) struct TokenCell<I> {
    current: RwLock<Option<Arc<Token<I>>>>,
    /// Held while fetching, so that one fetch runs at a time.
    refresh: Mutex<()>,
}

impl<I> Default for TokenCell<I> {
    fn default() -> Self {
        Self {
            current: RwLock::new(None),
            refresh: Mutex::new(()),
        }
    }
}

impl<I> TokenCell<I> {
    /// A cell holding `token` from the start.
    pub fn preset(token: Token<I>) -> Self {
        Self {
            current: RwLock::new(Some(Arc::new(token))),
            refresh: Mutex::new(()),
        }
    }

    /// The cached token if fresh; otherwise the result of `fetch`, called by one caller
    /// at a time with the token it replaces (for keep-alive), if that is still valid.
    pub async fn get<F, Fut, E>(&self, clock: &dyn Clock, fetch: F) -> Result<Arc<Token<I>>, E>
    where
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, E>>,
    {
        self.get_or_fetch(clock, false, fetch).await
    }

    /// Like [`TokenCell::get`], but fetches even when the cached token is fresh.
    pub async fn fetch_now<F, Fut, E>(
        &self,
        clock: &dyn Clock,
        fetch: F,
    ) -> Result<Arc<Token<I>>, E>
    where
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, E>>,
    {
        self.get_or_fetch(clock, true, fetch).await
    }

    async fn get_or_fetch<F, Fut, E>(
        &self,
        clock: &dyn Clock,
        force: bool,
        fetch: F,
    ) -> Result<Arc<Token<I>>, E>
    where
        F: FnOnce(Option<Arc<Token<I>>>) -> Fut,
        Fut: std::future::Future<Output = Result<Token<I>, E>>,
    {
        if !force && let Some(token) = self.fresh(clock.now()).await {
            return Ok(token);
        }
        let _one_at_a_time = self.refresh.lock().await;
        // Whoever held the lock before us may have fetched already.
        let now = clock.now();
        if !force && let Some(token) = self.fresh(now).await {
            return Ok(token);
        }
        let previous = self
            .current
            .read()
            .await
            .clone()
            .filter(|t| now < t.expires_at);
        let token = Arc::new(fetch(previous).await?);
        *self.current.write().await = Some(token.clone());
        Ok(token)
    }

    async fn fresh(&self, now: SystemTime) -> Option<Arc<Token<I>>> {
        self.current
            .read()
            .await
            .as_ref()
            .filter(|t| t.is_fresh(now))
            .cloned()
    }

    /// Forgets `stale` (the service refused it), unless another call already replaced it.
    pub async fn invalidate(&self, stale: &Arc<Token<I>>) {
        let mut current = self.current.write().await;
        if current.as_ref().is_some_and(|t| Arc::ptr_eq(t, stale)) {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn one_fetch_for_many_waiters_then_refresh_ahead_of_expiry() {
        let clock = ManualClock::default();
        let cell = Arc::new(TokenCell::<()>::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let get = |cell: Arc<TokenCell<()>>, fetches: Arc<AtomicUsize>, clock: ManualClock| async move {
            cell.get(&clock, |_| async {
                fetches.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok::<_, ()>(Token::new(
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

    #[test]
    fn validity_from_seconds_then_expiry_then_default() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let default = Duration::from_secs(1800);
        let ahead = now + Duration::from_secs(600);
        assert_eq!(
            validity(now, Some(60), Some(ahead), default),
            Duration::from_secs(60)
        );
        assert_eq!(
            validity(now, Some(0), Some(ahead), default),
            Duration::from_secs(600)
        );
        assert_eq!(validity(now, Some(-1), None, default), default);
        assert_eq!(
            validity(now, None, Some(now - Duration::from_secs(1)), default),
            default
        );
        assert_eq!(validity(now, Some(i64::MAX), None, default), MAX_VALIDITY);
    }

    #[tokio::test]
    async fn invalidate_forgets_only_the_stale_token() {
        let clock = ManualClock::default();
        let cell = TokenCell::default();
        let first = cell
            .get(&clock, |_| async {
                Ok::<_, ()>(Token::fixed(SecretString::from("a"), ()))
            })
            .await
            .expect("token");
        let second = cell
            .fetch_now(&clock, |_| async {
                Ok::<_, ()>(Token::fixed(SecretString::from("b"), ()))
            })
            .await
            .expect("token");
        cell.invalidate(&first).await;
        assert_eq!(
            cell.fresh(clock.now()).await.map(|t| t.expose().to_owned()),
            Some("b".into())
        );
        cell.invalidate(&second).await;
        assert!(cell.fresh(clock.now()).await.is_none());
    }
}
