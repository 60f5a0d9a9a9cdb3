//! What the last response of a call looked like ([`Exchange`], recorded by
//! [`crate::call::observe`]), and the error of a body over the limit ([`BodyTooLarge`]).

use std::fmt;

/// [`crate::REQUEST_ID_HEADER`], parsed once.
const REQUEST_ID: http::HeaderName = http::HeaderName::from_static(crate::REQUEST_ID_HEADER);

/// The body limit outside [`crate::call::observe`]: 1 MiB, far above any answer this API describes.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// Status and request id of one HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// HTTP status.
    pub status: reqwest::StatusCode,
    /// The `X-Request-Id` response header, as received (cloning it copies nothing).
    pub request_id_header: Option<reqwest::header::HeaderValue>,
}

impl Exchange {
    /// Reads status and request id from a response.
    pub fn of(response: &reqwest::Response) -> Self {
        Self {
            status: response.status(),
            request_id_header: response.headers().get(&REQUEST_ID).cloned(),
        }
    }

    /// The `X-Request-Id`, if present and text.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id_header
            .as_ref()
            .and_then(|v| v.to_str().ok())
    }
}

/// The answer's body was longer than the limit; reading stopped there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyTooLarge {
    /// The limit, in bytes.
    pub limit: usize,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the answer's body exceeds the limit of {} bytes",
            self.limit
        )
    }
}

impl std::error::Error for BodyTooLarge {}
