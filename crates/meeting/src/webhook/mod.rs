//! The enterprise's event push: the service POSTs signed events (a meeting was
//! scheduled, started, ended, someone joined…) to a URL the enterprise registers.
//!
//! - Configure it with [`Client::set_webhook`](crate::Client::set_webhook),
//!   [`webhook_config`](crate::Client::webhook_config),
//!   [`enable_webhook`](crate::Client::enable_webhook) (the service sends the
//!   `meeting.verify` handshake first), `disable_webhook`, `delete_webhook`.
//! - Receive it with a [`Verifier`] (signature, subscriber, freshness), a
//!   [`Receiver`] (the handshake answered, replays kept from the handler, a failed
//!   handler answered 500 so that the service retries), or the ready axum router
//!   (`webhook::axum::router`, feature `axum`).
//!
//! The signature is HMAC-SHA256, keyed with the subscriber key, over `appID`, the
//! outer `timestamp` in decimal, the `nonce` and the `eventInfo` JSON, as 64 hex
//! digits: checked over `eventInfo` exactly as it stands in the body, then over its
//! compact re-serialization in the received key order; either hex case; in constant
//! time. The pages set no replay window: a push older than 25 hours (the service
//! retries for 24) or more than 5 minutes ahead is refused.

#[cfg(feature = "axum")]
pub mod axum;
mod event;
mod memory;
mod receiver;
mod verify;

pub use crate::api::webhook::{
    WebhookConfig, WebhookScope, WebhookSetup, WebhookStatus, key_problem,
};
pub use event::{Attendee, PushEvent, PushKind};
pub use memory::{Claim, DEFAULT_CAPACITY, InMemory, InStore, MemoryError, PushMemory};
pub use receiver::{Answer, DEFAULT_CLAIM_TTL, Incoming, PendingEvent, Receiver};
pub use verify::{DEFAULT_MAX_AGE, DEFAULT_MAX_BODY, MAX_AHEAD, Push, Refused, Verifier};
