//! The scope of one call of the generated client: the secrets its requests carry
//! ([`with_secrets`]), the most of a body it reads, and the last response it received
//! ([`observe`]).
//!
//! `Error::InvalidResponsePayload` (an error body that is not the documented JSON, such
//! as a gateway's HTML page) keeps the body but not the status or the `X-Request-Id`.
//! Wrap a call in [`observe`] to get them back: the client's `exec` hook records every
//! response of the calls made inside it, per task, so concurrent calls never see each
//! other's.
//!
//! The same hook reads every body (success or not) up to the limit given to
//! [`observe`] ([`DEFAULT_BODY_LIMIT`] outside it), so that a server cannot make the
//! client buffer an unbounded answer, and so that a success body the generated code
//! would leave unread is drained and the connection can be reused. A body over the
//! limit fails the call with a transport error whose source is [`BodyTooLarge`].

use std::cell::RefCell;
use std::future::Future;

use reqwest::ResponseBuilderExt;

use crate::exchange::{BodyTooLarge, Exchange, DEFAULT_BODY_LIMIT};
use crate::secrets::Secrets;

/// What one observed call knows: its body limit, its secrets, and the last response it
/// received.
struct Observed {
    limit: usize,
    secrets: Secrets,
    last: RefCell<Option<Exchange>>,
}

tokio::task_local! {
    // One task-local for both, so that the call's future is moved into one scope only.
    static OBSERVED: Observed;
}

/// Runs `call`, reading no body beyond `body_limit` bytes and sending `secrets`
/// (see [`crate::secrets`]), and returns its output with the last response it
/// received, if any.
pub async fn observe<F: Future>(
    body_limit: usize,
    secrets: Secrets,
    call: F,
) -> (F::Output, Option<Exchange>) {
    let observed = Observed {
        limit: body_limit,
        secrets,
        last: RefCell::new(None),
    };
    OBSERVED
        .scope(observed, async {
            let output = call.await;
            let last = OBSERVED.with(|o| o.last.borrow_mut().take());
            (output, last)
        })
        .await
}

/// Sets the headers of the call's secrets on `headers` of a request of the generated
/// `method`; `None` outside [`observe`].
pub(crate) fn authorize(headers: &mut http::HeaderMap, method: &str) -> Option<()> {
    OBSERVED.try_with(|o| o.secrets.apply(headers, method)).ok()
}

pub(crate) fn record(exchange: Exchange) {
    // Outside `observe` there is nowhere to record to, and nothing is lost.
    let _ = OBSERVED.try_with(|o| *o.last.borrow_mut() = Some(exchange));
}

/// Reads the whole body (up to the limit) and hands back an equivalent response.
pub(crate) async fn buffer(mut response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let limit = OBSERVED.try_with(|o| o.limit).unwrap_or(DEFAULT_BODY_LIMIT);
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return too_large(limit).await;
    }
    // Most answers arrive in one chunk: kept as it is, without a copy.
    let mut body = match response.chunk().await? {
        Some(first) if first.len() > limit => return too_large(limit).await,
        Some(first) => first,
        None => Default::default(),
    };
    if let Some(second) = response.chunk().await? {
        let mut joined = Vec::with_capacity(body.len() + second.len());
        joined.extend_from_slice(&body);
        joined.extend_from_slice(&second);
        while let Some(chunk) = response.chunk().await? {
            if joined.len() + chunk.len() > limit {
                return too_large(limit).await;
            }
            joined.extend_from_slice(&chunk);
        }
        if joined.len() > limit {
            return too_large(limit).await;
        }
        body = joined.into();
    }
    // Rebuilt with its URL: without one, reqwest parses a placeholder URL each time.
    let rebuilt = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone())
        .body(reqwest::Body::from(body.clone()));
    let mut buffered = rebuilt.unwrap_or_else(|_| http::Response::new(reqwest::Body::from(body)));
    *buffered.headers_mut() = std::mem::take(response.headers_mut());
    Ok(reqwest::Response::from(buffered))
}

/// Fails the call with a `reqwest::Error` whose source is [`BodyTooLarge`]: reqwest has
/// no public constructor for one, but reading a body stream that fails yields it.
async fn too_large(limit: usize) -> reqwest::Result<reqwest::Response> {
    let failing = || {
        let stream = futures_util::stream::iter([Err::<Vec<u8>, _>(BodyTooLarge { limit })]);
        reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)))
    };
    failing().bytes().await?;
    // Not reached (the only item is an error); if it were, the body still fails to read.
    Ok(failing())
}

/// Runs `call` (one or more operations of the generated client) sending `secrets`
/// with each request. A request made outside it for an operation that needs a secret
/// fails before it is sent.
pub async fn with_secrets<F: Future>(secrets: Secrets, call: F) -> F::Output {
    observe(DEFAULT_BODY_LIMIT, secrets, call).await.0
}
