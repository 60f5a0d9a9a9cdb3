//! The client: a cheap handle (one `Arc`) over the runtime (the generated client,
//! retries, timeouts), the access token, the control-token caches and the token store.
//! Its builder lives in [`builder`], and the one pipeline every operation runs through
//! in [`call`].

mod builder;
mod call;
mod handle;
pub(crate) mod tls;

pub use builder::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY, DEFAULT_REMEMBER_REFUSALS,
    DEFAULT_REQUEST_TIMEOUT, Region,
};
pub use handle::Client;
#[cfg(feature = "events")]
pub(crate) use tls::WebSocketSettings;
