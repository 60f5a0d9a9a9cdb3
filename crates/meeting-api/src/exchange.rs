//! What the last response of a call looked like, for the cases where the generated
//! error drops it.
//!
//! `Error::InvalidResponsePayload` (an error body that is not the documented JSON, such
//! as a gateway's HTML page) keeps the body but not the status or the `X-Request-Id`.
//! Wrap a call in [`observe`] to get them back: the client's `exec` hook records every
//! response of the calls made inside it, per task, so concurrent calls never see each
//! other's.

use std::cell::RefCell;
use std::future::Future;

/// Status and request id of one HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// HTTP status.
    pub status: reqwest::StatusCode,
    /// The `X-Request-Id` response header, when present.
    pub request_id: Option<String>,
}

impl Exchange {
    /// Reads status and request id from a response.
    pub fn of(response: &reqwest::Response) -> Self {
        Self {
            status: response.status(),
            request_id: response
                .headers()
                .get(crate::REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}

tokio::task_local! {
    static LAST: RefCell<Option<Exchange>>;
}

/// Runs `call` and returns its output with the last response it received, if any.
pub async fn observe<F: Future>(call: F) -> (F::Output, Option<Exchange>) {
    LAST.scope(RefCell::new(None), async {
        let output = call.await;
        let last = LAST.with(|slot| slot.borrow_mut().take());
        (output, last)
    })
    .await
}

pub(crate) fn record(exchange: Exchange) {
    // Outside `observe` there is nowhere to record to, and nothing is lost.
    let _ = LAST.try_with(|slot| *slot.borrow_mut() = Some(exchange));
}
