//! The client: a cheap handle (one `Arc`) over the generated client, the credentials,
//! the token caches and the retry policy.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::Error;
use crate::clock::Clock;
use crate::config::ClientBuilder;
use crate::control::{Conference, ControlTokenInfo};
use crate::credentials::Credentials;
use crate::retry::RetryPolicy;
use crate::tokens::TokenCell;

/// A Huawei Cloud Meeting client. Clone it freely: clones share tokens and connections.
///
/// ```no_run
/// # async fn run() -> Result<(), meeting::Error> {
/// use meeting::{Client, Credentials, Region};
///
/// let client = Client::builder()
///     .region(Region::CnNorth4)
///     .credentials(Credentials::account("meeting_admin", "password"))
///     .build()?;
/// client.conference("914083136").with_host_password("654321").lock().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub api: meeting_api::Client,
    pub base_url: String,
    pub credentials: Option<Credentials>,
    pub access: TokenCell<AccessTokenInfo>,
    /// One control-token cache per conference.
    pub control: Mutex<HashMap<String, Arc<TokenCell<ControlTokenInfo>>>>,
    pub retry: RetryPolicy,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the defaults: cn-north-4, no credentials, 5 s connect and 30 s
    /// request timeouts, the default [`RetryPolicy`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The endpoint this client talks to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A handle on one conference. Nothing is sent until you call an operation on it.
    pub fn conference(&self, id: impl Into<String>) -> Conference {
        Conference::new(self.clone(), id.into())
    }

    /// The generated low-level client, for calls this crate does not wrap.
    pub fn api(&self) -> &meeting_api::Client {
        &self.inner.api
    }

    pub(crate) fn control_cell(&self, conference: &str) -> Arc<TokenCell<ControlTokenInfo>> {
        let mut cells = self.inner.control.lock().unwrap_or_else(|p| p.into_inner());
        cells.entry(conference.to_owned()).or_default().clone()
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }
}

/// What the service said about an access token (never the token itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessTokenInfo {
    /// The user the token acts for.
    pub user_id: Option<String>,
    /// The user's name.
    pub name: Option<String>,
    /// How long the token is valid from when it was issued.
    pub valid_for: Option<Duration>,
    /// When the client will consider it expired.
    pub expires_at: Option<SystemTime>,
}
