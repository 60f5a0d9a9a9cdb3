//! The client: a cheap handle (one `Arc`) over the generated client, the credentials,
//! the token caches and the retry policy. Its builder lives in [`builder`], and the one
//! pipeline every operation runs through in [`call`].

mod builder;
mod call;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use secrecy::SecretString;

pub use builder::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY, DEFAULT_REMEMBER_REFUSALS,
    DEFAULT_REQUEST_TIMEOUT, Region,
};
pub(crate) use call::{Auth, Tokens, within};

use crate::Error;
use crate::clock::Clock;
use crate::control::Conference;
use crate::credentials::Credentials;
use crate::retry::{RetryBudget, RetryPolicy};
use crate::store::{Scope, StoreError};
use crate::tokens::{AccessTokenInfo, Asker, ControlTokenInfo, Link, SharedStore, TokenCell};

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
    inner: Arc<ClientInner>,
}

struct ClientInner {
    api: meeting_api::Client,
    base_url: String,
    credentials: Option<Credentials>,
    access: TokenCell<AccessTokenInfo>,
    /// One control-token cache per conference.
    control: Mutex<HashMap<String, Arc<TokenCell<ControlTokenInfo>>>>,
    retry: RetryPolicy,
    /// The HTTP client's timeout of one attempt, if the client built it.
    request_timeout: Option<Duration>,
    /// Shared by the client and its clones.
    retry_budget: RetryBudget,
    body_limit: usize,
    remember_refusals: Duration,
    clock: Arc<dyn Clock>,
    /// The store the client shares its tokens through, if any.
    shared: Option<Shared>,
}

/// A client's token store and its keys there.
struct Shared {
    store: Arc<SharedStore>,
    scope: Scope,
}

impl Shared {
    fn link(&self, key: String) -> Link {
        Link {
            store: self.store.clone(),
            key: key.into(),
        }
    }
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
    /// A builder with the defaults: cn-north-4, no credentials, 5 s connect and 10 s
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

    pub(crate) fn credentials(&self) -> Option<&Credentials> {
        self.inner.credentials.as_ref()
    }

    pub(crate) fn access_cell(&self) -> &TokenCell<AccessTokenInfo> {
        &self.inner.access
    }

    pub(crate) fn control_cell(&self, conference: &str) -> Arc<TokenCell<ControlTokenInfo>> {
        let mut cells = self.inner.control.lock().unwrap_or_else(|p| p.into_inner());
        // Looked up first: the owned key is made only for a conference seen first.
        if let Some(cell) = cells.get(conference) {
            return cell.clone();
        }
        let link = self
            .inner
            .shared
            .as_ref()
            .map(|s| s.link(s.scope.control_key(conference)));
        cells
            .entry(conference.to_owned())
            .or_insert_with(|| Arc::new(TokenCell::linked(link)))
            .clone()
    }

    /// Forgets every token this client holds: its own, and the ones its token store
    /// keeps for its endpoint and identity (control tokens included), which other
    /// clients sharing the store then fetch anew. Says how many the store removed.
    /// The tokens stay valid at the service until they expire.
    /// A caller-supplied access token is kept: it is all the client has.
    pub async fn forget_tokens(&self) -> Result<usize, StoreError> {
        if self.credentials().is_none_or(|c| c.can_refresh()) {
            self.inner.access.forget();
        }
        // The cells stay: conference handles made before keep using theirs.
        for cell in self
            .inner
            .control
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
        {
            cell.forget();
        }
        let Some(shared) = &self.inner.shared else {
            return Ok(0);
        };
        let mut removed = 0;
        for prefix in shared.scope.prefixes() {
            removed += shared.store.remove_prefix(&prefix).await?;
        }
        Ok(removed)
    }

    /// Who asks for a token with `credential` (none: the client's own credentials).
    pub(crate) fn asker(&self, credential: Option<&SecretString>) -> Asker {
        Asker::new(credential, self.inner.remember_refusals)
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }
}
