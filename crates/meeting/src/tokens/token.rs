//! A token as the caches hold it: the secret, when it expires and when to renew it,
//! and what the service said about it; and the checks every token from the service
//! passes before it is cached.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};

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
    /// For a control token: the fingerprint of the host password last found accepted
    /// for it in this process (0: none yet), so that the common case costs one load.
    pub accepted_for: AtomicU64,
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
        || !sendable_in_a_header(&token)
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

/// What `HeaderValue::from_str` accepts (visible ASCII, space, tab, and bytes from
/// 0x80), checked without building one.
pub(crate) fn sendable_in_a_header(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
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
            accepted_for: AtomicU64::new(0),
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
            accepted_for: AtomicU64::new(0),
        }
    }

    pub fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    pub fn is_fresh(&self, now: SystemTime) -> bool {
        now < self.refresh_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
