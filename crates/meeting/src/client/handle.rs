//! The client itself: one `Arc` over the runtime, the tokens and the token store.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::Error;
use crate::runtime::Runtime;
use crate::store::{Scope, StoreError};
use crate::tokens::access::{AccessTokenInfo, AccessTokens};
use crate::tokens::cell::TokenCell;
use crate::tokens::control::{ControlAuth, ControlTokenInfo};
use crate::tokens::shared::{Link, SharedStore};

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
    pub(super) inner: Arc<ClientInner>,
}

pub(super) struct ClientInner {
    pub(super) runtime: Runtime,
    pub(super) base_url: String,
    /// How the event WebSockets connect (the HTTP client's TLS configuration).
    #[cfg_attr(not(feature = "events"), allow(dead_code))]
    pub(super) websocket: super::tls::WebSocketSettings,
    pub(super) access: AccessTokens,
    /// One control-token cache per conference.
    pub(super) control: Mutex<ControlCells>,
    pub(super) remember_refusals: Duration,
    /// The store the client shares its tokens through, if any.
    pub(super) shared: Option<Shared>,
}

/// Control-token cells kept while no handle uses them, at most: past that, idle cells
/// are dropped (a conference used again fetches its token again, from the token store
/// when there is one), so that a process that watched a hundred thousand meetings does
/// not keep a cell for each.
const IDLE_CELLS: usize = 1024;

/// The control-token caches by conference, swept of idle ones as they grow.
#[derive(Default)]
pub(super) struct ControlCells {
    cells: HashMap<String, Arc<TokenCell<ControlTokenInfo>>>,
    /// The size at which the next sweep runs (twice the size after the last one).
    sweep_at: usize,
}

impl ControlCells {
    /// Drops idle cells beyond [`IDLE_CELLS`]: each sweep at least halves what the
    /// map may grow to before the next, so its cost per new cell stays constant.
    fn sweep(&mut self) {
        let mut idle = 0;
        self.cells.retain(|_, cell| {
            Arc::strong_count(cell) > 1 || {
                idle += 1;
                idle <= IDLE_CELLS
            }
        });
        self.sweep_at = (2 * self.cells.len()).max(2 * IDLE_CELLS);
    }
}

/// A client's token store and its keys there.
pub(super) struct Shared {
    pub(super) store: Arc<SharedStore>,
    pub(super) scope: Scope,
}

impl Shared {
    /// The link of a cell to `key`; `share_refusals` for a login (see `Link`).
    pub(super) fn link(&self, key: String, share_refusals: Option<Duration>) -> Link {
        Link {
            store: self.store.clone(),
            key: key.into(),
            share_refusals,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.access.credentials())
            .field("retry", &self.inner.runtime.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The endpoint this client talks to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// How this client's event WebSockets connect.
    #[cfg(feature = "events")]
    pub(crate) fn websocket(&self) -> &super::tls::WebSocketSettings {
        &self.inner.websocket
    }

    /// The generated low-level client, for calls this crate does not wrap.
    pub fn api(&self) -> &meeting_api::Client {
        &self.inner.runtime.api
    }

    /// Logs in now (even if a token is cached), replaces the cached token, and says who
    /// the client is and until when. Use it to check credentials.
    pub async fn login(&self) -> Result<AccessTokenInfo, Error> {
        self.inner.access.login(&self.inner.runtime).await
    }

    /// The control-token half of a handle on `conference`, sharing this client's cache
    /// of that conference's token.
    pub(crate) fn control_auth(&self, conference: Arc<str>) -> ControlAuth {
        let cell = self.control_cell(&conference);
        ControlAuth::new(conference, cell, self.inner.remember_refusals)
    }

    /// Obtains control-token information now for `auth`'s conference.
    pub(crate) async fn control_token_info(
        &self,
        auth: &ControlAuth,
    ) -> Result<ControlTokenInfo, Error> {
        auth.info(&self.inner.runtime, &self.inner.access).await
    }

    fn control_cell(&self, conference: &str) -> Arc<TokenCell<ControlTokenInfo>> {
        let mut control = self.inner.control.lock().unwrap_or_else(|p| p.into_inner());
        // Looked up first: the owned key is made only for a conference seen first.
        if let Some(cell) = control.cells.get(conference) {
            return cell.clone();
        }
        if control.cells.len() >= control.sweep_at {
            control.sweep();
        }
        let link = self
            .inner
            .shared
            .as_ref()
            .map(|s| s.link(s.scope.control_key(conference), None));
        control
            .cells
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
        self.inner.access.forget();
        // The cells stay: conference handles made before keep using theirs.
        for cell in self
            .inner
            .control
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .cells
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Client, Credentials};

    fn cells(client: &Client) -> usize {
        client
            .inner
            .control
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .cells
            .len()
    }

    #[test]
    fn idle_control_token_cells_are_dropped_and_used_ones_kept() {
        let client = Client::builder()
            .endpoint("http://127.0.0.1:9")
            .credentials(Credentials::account("admin", "secret"))
            .build()
            .expect("a client");
        // Conferences in use: their handles hold their cells.
        let held: Vec<_> = (0..100)
            .map(|n| client.control_auth(Arc::from(format!("held{n}").as_str())))
            .collect();
        // Ten thousand conferences used once, their handles gone.
        for n in 0..10_000 {
            drop(client.control_auth(Arc::from(n.to_string().as_str())));
        }
        let count = cells(&client);
        assert!(
            count <= 2 * (IDLE_CELLS + held.len()),
            "{count} cells kept for 100 conferences in use"
        );
        let inner = client
            .inner
            .control
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for n in 0..100 {
            assert!(inner.cells.contains_key(&format!("held{n}")));
        }
        drop(inner);
        // The same conference keeps its cell while a handle holds it.
        let again = client.control_auth(Arc::from("held7"));
        drop(again);
        assert_eq!(held.len(), 100);
    }
}
