//! How the generated client's failures map onto the one error type: the service's
//! error answers (in every spelling the official SDK accepts), unreadable bodies
//! (quoted only when they are not a success body, which may hold a token), transport,
//! TLS and timeouts.

use std::sync::Arc;
use std::time::Duration;

use meeting_api::exchange::{BodyTooLarge, Exchange};
use meeting_api::types::ErrorBody;

use crate::error::{Context, Error, MESSAGE_LIMIT};
use crate::printable::printable_at_most;

/// Longest piece of an unexpected error body kept in an error.
const SNIPPET_LIMIT: usize = 256;
/// Longest request id kept (a server chooses it).
const REQUEST_ID_LIMIT: usize = 128;

impl Error {
    /// Maps the generated client's error; `exchange` is what the hook saw of the last
    /// response (the generated error drops status and request id for unreadable bodies).
    pub(crate) fn from_api(
        context: &Context,
        error: meeting_api::Error<ErrorBody>,
        exchange: Option<Exchange>,
    ) -> Self {
        use meeting_api::Error as Api;
        let context = context.clone();
        let status = exchange.as_ref().map(|e| e.status.as_u16());
        let request_id = exchange
            .as_ref()
            .and_then(Exchange::request_id)
            .map(|id| printable_at_most(id, REQUEST_ID_LIMIT));
        match error {
            Api::ErrorResponse(response) => {
                let retry_after = header(response.headers(), "retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let status = response.status().as_u16();
                let body = response.into_inner();
                Error::service(
                    context,
                    status,
                    &body.error_code,
                    &body.error_msg,
                    request_id,
                    retry_after,
                )
            }
            Api::InvalidResponsePayload(bytes, decoding) => {
                match (status, lenient_error_body(&bytes)) {
                    // Like the official SDK, accept the other spellings of code and message.
                    (Some(status @ 400..), Some((code, message))) => {
                        Error::service(context, status, &code, &message, request_id, None)
                    }
                    (Some(400..), None) => Self::UnexpectedResponse {
                        context,
                        status,
                        request_id,
                        detail: snippet(&bytes),
                    },
                    // A success body may hold a token: say how it failed, quote nothing.
                    _ => Self::UnexpectedResponse {
                        context,
                        status,
                        request_id,
                        detail: undecodable(bytes.len(), &decoding),
                    },
                }
            }
            Api::UnexpectedResponse(response) => Self::UnexpectedResponse {
                context,
                status: Some(response.status().as_u16()),
                request_id,
                detail: "a status the API does not describe".into(),
            },
            Api::InvalidRequest(message) => Self::InvalidInput { context, message },
            Api::CommunicationError(e) | Api::ResponseBodyError(e) | Api::InvalidUpgrade(e) => {
                if let Some(too_large) = cause::<BodyTooLarge>(&e) {
                    Self::UnexpectedResponse {
                        context,
                        status,
                        request_id,
                        detail: too_large.to_string(),
                    }
                } else if e.is_timeout() {
                    Self::Timeout { context }
                } else if cause::<rustls::Error>(&e).is_some() {
                    Self::Tls {
                        context,
                        message: transport_message(&e),
                        source: Arc::new(e),
                    }
                } else {
                    Self::Transport {
                        context,
                        message: transport_message(&e),
                        source: Some(Arc::new(e)),
                    }
                }
            }
            Api::Custom(message) => Self::Transport {
                context,
                message,
                source: None,
            },
        }
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The first cause of type `E` in `error`'s chain, looking inside `io::Error`s too
/// (their `source()` skips the error they wrap, which may be another `io::Error`).
fn cause<E: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&E> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = next {
        if let Some(found) = current.downcast_ref::<E>() {
            return Some(found);
        }
        next = match current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    None
}

/// A transport error's chain of causes, without the URL (which carries ids, not
/// secrets, but makes messages long).
fn transport_message(error: &reqwest::Error) -> String {
    let mut message = if error.is_connect() {
        "cannot connect".to_owned()
    } else if error.is_request() {
        "request failed".to_owned()
    } else if error.is_body() || error.is_decode() {
        "reading the answer failed".to_owned()
    } else {
        "HTTP failure".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&printable_at_most(&cause.to_string(), MESSAGE_LIMIT));
        source = cause.source();
    }
    message
}

/// `error_code`/`error_msg`, `errorCode`/`errorMsg` or `code`/`message`, as the official
/// SDK looks for them.
fn lenient_error_body(bytes: &[u8]) -> Option<(String, String)> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    [
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
    ]
    .iter()
    .find_map(|(c, m)| {
        Some((
            text(value.get(c)?)?,
            text(value.get(m)?).unwrap_or_default(),
        ))
    })
}

/// Where and how a body failed to decode, without quoting it (serde's own message may
/// quote a value).
fn undecodable(len: usize, error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Syntax => "is not JSON",
        Category::Eof => "is truncated JSON",
        Category::Data => "is JSON of the wrong shape",
        Category::Io => "could not be read",
    };
    format!(
        "the answer ({len} bytes) {what} (line {}, column {})",
        error.line(),
        error.column()
    )
}

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(SNIPPET_LIMIT)]);
    let mut out = printable_at_most(&text, SNIPPET_LIMIT);
    if bytes.len() > SNIPPET_LIMIT && !out.ends_with('…') {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_bodies_and_snippets() {
        assert_eq!(
            lenient_error_body(br#"{"errorCode":"E1","errorMsg":"bad"}"#),
            Some(("E1".into(), "bad".into()))
        );
        assert_eq!(
            lenient_error_body(br#"{"code":429,"message":"slow"}"#),
            Some(("429".into(), "slow".into()))
        );
        assert_eq!(lenient_error_body(b"<html>"), None);
        let long = vec![b'x'; 1000];
        assert_eq!(snippet(&long).chars().count(), SNIPPET_LIMIT + 1);
        assert_eq!(snippet(b"a\nb"), "ab");
    }
}
