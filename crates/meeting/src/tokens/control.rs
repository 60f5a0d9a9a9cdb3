//! The conference control token: obtained with the host password, kept alive before it
//! expires, cached per client and conference.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use meeting_api::operations::CREATE_CONF_TOKEN;
use meeting_api::secrets::{InvalidSecret, Secrets};
use meeting_api::types::{CreateConfTokenXLoginType, TokenInfo};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::access::{
    AccessTokenInfo, AccessTokens, stored_time, text_from_stored, time_from_stored,
};
use super::cell::{Asker, TokenCell, fingerprint};
use super::token::{Token, checked_secret, validity};
use crate::error::{Context, Error};
use crate::runtime::{Runtime, within};

const NEEDS_CONTROL_TOKEN: &str = "a control token is needed: give the host password \
    (Conference::with_host_password) or a control token (Conference::with_control_token)";

/// The documented validity of a control token, used when the answer says nothing.
const DEFAULT_CONTROL_VALIDITY: Duration = Duration::from_secs(30 * 60);

/// The control-token half of a conference handle: the host password or the caller's
/// own control token, and the client's cache of this conference's token.
#[derive(Clone, Debug)]
pub(crate) struct ControlAuth {
    conference: Arc<str>,
    host_password: Option<SecretString>,
    control_token: Option<SecretString>,
    /// Who asks for the control token (the host password's fingerprint), computed once.
    asker: Asker,
    remember_refusals: Duration,
    /// The client's control-token cache for this conference, looked up once.
    cell: Arc<TokenCell<ControlTokenInfo>>,
}

/// Which host passwords the service accepted in this process for which control token,
/// as fingerprints (keyed per process: see `fingerprint`). A cached or stored token
/// serves a handle only if its host password is among those accepted for that token:
/// another password (a wrong one, say), or a token another process stored, is first
/// confirmed with the service, by a grant for that password. Process-wide, so that the
/// clients of one process sharing a store confirm a password once, not once each.
mod accepted {
    use std::collections::HashMap;
    use std::sync::{Mutex, MutexGuard, OnceLock};

    /// Tokens remembered at most (a token lives 30 minutes; the oldest half goes first).
    const LIMIT: usize = 4096;

    #[derive(Default)]
    struct Accepted {
        /// Token fingerprint -> (when it was added, password fingerprints).
        tokens: HashMap<u64, (u64, Vec<u64>)>,
        added: u64,
    }

    fn accepted() -> MutexGuard<'static, Accepted> {
        static ACCEPTED: OnceLock<Mutex<Accepted>> = OnceLock::new();
        // A panic cannot leave a map of integers half-written.
        ACCEPTED
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the service accepted `password` for `token` in this process.
    pub fn accepts(token: u64, password: u64) -> bool {
        accepted()
            .tokens
            .get(&token)
            .is_some_and(|(_, passwords)| passwords.contains(&password))
    }

    /// The service granted `token` for `password`.
    pub fn granted(token: u64, password: u64) {
        add(token, &[password]);
    }

    /// `previous` was kept alive as `token` (the password is not checked then): the
    /// passwords accepted for the one are accepted for the other, and no more.
    pub fn kept_alive(previous: u64, token: u64) {
        let passwords = accepted().tokens.get(&previous).map(|(_, p)| p.clone());
        if let Some(passwords) = passwords {
            add(token, &passwords);
        }
    }

    fn add(token: u64, passwords: &[u64]) {
        let mut accepted = accepted();
        if accepted.tokens.len() >= LIMIT {
            let mut ages: Vec<u64> = accepted.tokens.values().map(|(at, _)| *at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            accepted.tokens.retain(|_, (at, _)| *at > cut);
        }
        accepted.added += 1;
        let added = accepted.added;
        let entry = accepted.tokens.entry(token).or_insert((added, Vec::new()));
        for password in passwords {
            if !entry.1.contains(password) {
                entry.1.push(*password);
            }
        }
    }
}

/// The tokens a control call sends: the access token when the client has credentials,
/// and the control token.
pub(crate) type ControlTokens = (
    Option<Arc<Token<AccessTokenInfo>>>,
    Arc<Token<ControlTokenInfo>>,
);

impl ControlAuth {
    pub fn new(
        conference: Arc<str>,
        cell: Arc<TokenCell<ControlTokenInfo>>,
        remember_refusals: Duration,
    ) -> Self {
        Self {
            conference,
            host_password: None,
            control_token: None,
            asker: Asker::new(None, remember_refusals).for_control_token(),
            remember_refusals,
            cell,
        }
    }

    pub fn set_host_password(&mut self, password: SecretString) {
        self.asker = Asker::new(Some(&password), self.remember_refusals).for_control_token();
        self.host_password = Some(password);
    }

    pub fn set_control_token(&mut self, token: SecretString) {
        self.control_token = Some(token);
    }

    /// The host password this handle was given, if any.
    pub fn host_password(&self) -> Option<&SecretString> {
        self.host_password.as_ref()
    }

    /// The secrets this handle was given, by name, for the checks made once.
    pub fn secrets(&self) -> [(&'static str, Option<&SecretString>); 2] {
        [
            ("host password", self.host_password.as_ref()),
            ("control token", self.control_token.as_ref()),
        ]
    }

    fn context(&self) -> Context {
        Context {
            operation: CREATE_CONF_TOKEN.id,
            conference: Some(self.conference.clone()),
        }
    }

    /// Obtains control-token information now (keeping the cached token alive, or
    /// obtaining one with the host password) and caches the token.
    pub async fn info(
        &self,
        rt: &Runtime,
        access: &AccessTokens,
    ) -> Result<ControlTokenInfo, Error> {
        let context = self.context();
        let deadline = rt.deadline();
        within(deadline, &context, async {
            let (_, token) = self.tokens(rt, access, &context, deadline, true).await?;
            Ok(token.info.clone())
        })
        .await
    }

    /// The tokens a control call sends: the access token if the client has credentials
    /// (the official SDKs always send it), and the control token, the caller's own or
    /// the cached one, obtained, kept alive or (with `force`) renewed first. An access
    /// token the service refuses there is renewed once.
    pub async fn tokens(
        &self,
        rt: &Runtime,
        access: &AccessTokens,
        context: &Context,
        deadline: Instant,
        force: bool,
    ) -> Result<ControlTokens, Error> {
        // Refused before a login is spent on it: a handle without a host password or a
        // token of its own has no claim to the meeting, even if a token is cached.
        if self.control_token.is_none() && self.host_password.is_none() {
            return Err(Error::invalid(context, NEEDS_CONTROL_TOKEN));
        }
        let sent = access.token_if_any(rt, context, deadline).await?;
        match self
            .control_token(rt, deadline, sent.as_deref(), force)
            .await
        {
            Err(e) if access.renew_after(&e, sent.as_ref()).await => {
                // Boxed: a rare path, kept out of every call's future.
                Box::pin(async {
                    let access = access.token_if_any(rt, context, deadline).await?;
                    let control = self
                        .control_token(rt, deadline, access.as_deref(), force)
                        .await?;
                    Ok((access, control))
                })
                .await
            }
            other => other.map(|control| (sent, control)),
        }
    }

    /// After the service refused `sent` (a 401 that is not about the access token):
    /// forgets it if another can be had (not the caller's own, and there is a host
    /// password), and says whether it was.
    pub async fn renew_after(&self, sent: &Arc<Token<ControlTokenInfo>>) -> bool {
        if self.control_token.is_some() || self.host_password.is_none() {
            return false;
        }
        tracing::info!(
            conference = &*self.conference,
            "control token refused: obtaining a new one and trying once more"
        );
        self.cell.invalidate(sent).await;
        true
    }

    async fn control_token(
        &self,
        rt: &Runtime,
        deadline: Instant,
        access: Option<&Token<AccessTokenInfo>>,
        force: bool,
    ) -> Result<Arc<Token<ControlTokenInfo>>, Error> {
        if let Some(token) = &self.control_token {
            if !force {
                return Ok(Arc::new(Token::fixed(
                    token.clone(),
                    ControlTokenInfo::supplied(token.clone()),
                )));
            }
            // Boxed, like every fetch: see `TokenCell::get`.
            let fresh =
                Box::pin(self.request_control_token(rt, Some(token), None, access, deadline))
                    .await?;
            return Ok(Arc::new(fresh));
        }
        let fetch = |previous| self.fetch_control_token(rt, previous, access, deadline);
        let cell = &self.cell;
        let token = if force {
            cell.fetch_now(&*rt.clock, self.asker, fetch).await?
        } else {
            cell.get(&*rt.clock, self.asker, fetch).await?
        };
        let password = self.asker.credential;
        if token.accepted_for.load(Ordering::Relaxed) == password {
            return Ok(token);
        }
        if !accepted::accepts(fingerprint(Some(token.expose())), password) {
            // Cached for another host password, or stored by another process: this
            // password must mean something, so the service checks it once, by granting
            // a token for it (a keep-alive would not check it). Boxed: a rare path.
            let granted = Box::pin(
                cell.fetch_now(&*rt.clock, self.asker, |_| self.grant(rt, access, deadline)),
            )
            .await?;
            granted.accepted_for.store(password, Ordering::Relaxed);
            return Ok(granted);
        }
        token.accepted_for.store(password, Ordering::Relaxed);
        Ok(token)
    }

    /// A new token for the host password alone, which the service checks.
    async fn grant(
        &self,
        rt: &Runtime,
        access: Option<&Token<AccessTokenInfo>>,
        deadline: Instant,
    ) -> Result<Token<ControlTokenInfo>, Error> {
        let Some(password) = &self.host_password else {
            return Err(Error::invalid(&self.context(), NEEDS_CONTROL_TOKEN));
        };
        let token = self
            .request_control_token(rt, None, Some(password), access, deadline)
            .await?;
        accepted::granted(fingerprint(Some(token.expose())), self.asker.credential);
        Ok(token)
    }

    /// Keeps `previous` alive if there is one (sending the password too, so that an
    /// expired session is re-authenticated in the same call), else uses the password.
    async fn fetch_control_token(
        &self,
        rt: &Runtime,
        previous: Option<Arc<Token<ControlTokenInfo>>>,
        access: Option<&Token<AccessTokenInfo>>,
        deadline: Instant,
    ) -> Result<Token<ControlTokenInfo>, Error> {
        let Some(previous) = previous else {
            return self.grant(rt, access, deadline).await;
        };
        let token = self
            .request_control_token(
                rt,
                Some(&previous.secret),
                self.host_password.as_ref(),
                access,
                deadline,
            )
            .await?;
        accepted::kept_alive(
            fingerprint(Some(previous.expose())),
            fingerprint(Some(token.expose())),
        );
        Ok(token)
    }

    async fn request_control_token(
        &self,
        rt: &Runtime,
        current: Option<&SecretString>,
        password: Option<&SecretString>,
        access: Option<&Token<AccessTokenInfo>>,
        deadline: Instant,
    ) -> Result<Token<ControlTokenInfo>, Error> {
        let context = &self.context();
        // `X-Login-Type: 1` goes with the password.
        let login_type = password
            .map(|_| CreateConfTokenXLoginType::try_from(1))
            .transpose()
            .map_err(|e| Error::invalid(context, e.to_string()))?;
        let secrets = (|| {
            let mut secrets = Secrets::new();
            if let Some(access) = access {
                secrets = secrets.access_token(access.expose())?;
            }
            if let Some(current) = current {
                secrets = secrets.control_token(current.expose_secret())?;
            }
            if let Some(password) = password {
                secrets = secrets.host_password(password.expose_secret())?;
            }
            Ok(secrets)
        })()
        .map_err(|e: InvalidSecret| Error::invalid(context, e.to_string()))?;
        let response = rt
            .attempts(&CREATE_CONF_TOKEN, context, deadline, &secrets, || {
                rt.api
                    .create_conf_token(&self.conference, login_type.as_ref(), None)
            })
            .await?;
        let mut data = response.data;
        let secret = checked_secret(context, "control token", std::mem::take(&mut data.token))?;
        let now = rt.now();
        // `confTokenExpireTime` in seconds, else `expireTime` in epoch milliseconds,
        // else the documented 30 minutes.
        let expires = data
            .expire_time
            .and_then(|ms| u64::try_from(ms).ok())
            .and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms)));
        let validity = validity(
            now,
            data.conf_token_expire_time,
            expires,
            DEFAULT_CONTROL_VALIDITY,
        );
        let info = ControlTokenInfo::from_response(data, secret.clone(), now, validity);
        Ok(Token::new(secret, now, validity, info))
    }
}

/// The holder's role in the meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// The host.
    Host,
    /// An ordinary participant.
    Participant,
    /// A value this version does not know.
    Other(i32),
    /// Not said.
    Unknown,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Host => f.write_str("host"),
            Self::Participant => f.write_str("participant"),
            Self::Other(code) => write!(f, "role {code}"),
            Self::Unknown => f.write_str("unknown"),
        }
    }
}

impl Role {
    /// The role the service's code means (1 host, 0 participant).
    fn from_code(code: Option<i32>) -> Self {
        match code {
            Some(1) => Self::Host,
            Some(0) => Self::Participant,
            Some(other) => Self::Other(other),
            None => Self::Unknown,
        }
    }

    fn code(self) -> Option<i32> {
        match self {
            Self::Host => Some(1),
            Self::Participant => Some(0),
            Self::Other(other) => Some(other),
            Self::Unknown => None,
        }
    }
}

/// A meeting control token and what the service said about it. `Debug` redacts the
/// token; [`ControlTokenInfo::expose_token`] gives it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ControlTokenInfo {
    token: SecretString,
    /// The holder's role.
    pub role: Role,
    /// How long the token is valid from when it was issued or kept alive (at most 7
    /// days: a longer validity in the answer is taken as 7 days).
    pub valid_for: Option<Duration>,
    /// When the client considers it expired.
    pub expires_at: Option<SystemTime>,
    /// The WebSocket URL for meeting events (`wsURL`: its origin, `wss://host:port`).
    pub ws_url: Option<String>,
    /// The notification types the meeting's WebSocket supports (`supportNotifyType`).
    pub supported_notifications: Vec<String>,
    /// A WebSocket token that came with the control token (`tmpWsToken`). Like the
    /// one [`crate::Conference::websocket_token`] obtains it opens the socket once,
    /// so it is not kept in a shared token store.
    pub tmp_ws_token: Option<SecretString>,
    /// The meeting's scheduler.
    pub user_id: Option<String>,
    /// The enterprise.
    pub org_id: Option<String>,
}

impl ControlTokenInfo {
    fn from_response(
        data: TokenInfo,
        token: SecretString,
        now: SystemTime,
        validity: Duration,
    ) -> Self {
        Self {
            token,
            role: Role::from_code(data.role),
            valid_for: Some(validity),
            expires_at: now.checked_add(validity),
            ws_url: data.ws_url,
            supported_notifications: data.support_notify_type,
            tmp_ws_token: data.tmp_ws_token.map(SecretString::from),
            user_id: data.user_id,
            org_id: data.org_id,
        }
    }

    fn supplied(token: SecretString) -> Self {
        Self {
            token,
            role: Role::Unknown,
            valid_for: None,
            expires_at: None,
            ws_url: None,
            supported_notifications: Vec::new(),
            tmp_ws_token: None,
            user_id: None,
            org_id: None,
        }
    }

    /// The token itself. Treat it as a secret.
    pub fn expose_token(&self) -> &str {
        self.token.expose_secret()
    }
}

impl super::shared::StoredInfo for ControlTokenInfo {
    fn to_stored(&self) -> serde_json::Value {
        serde_json::json!({
            "role": self.role.code(),
            "valid_for_ms": self.valid_for.map(|d| d.as_millis() as u64),
            "expires_at_ms": stored_time(self.expires_at),
            "ws_url": self.ws_url,
            "supported_notifications": self.supported_notifications,
            "user_id": self.user_id,
            "org_id": self.org_id,
        })
    }

    fn from_stored(value: &serde_json::Value, token: &SecretString) -> Option<Self> {
        let value = value.as_object()?;
        let field = |name: &str| value.get(name).unwrap_or(&serde_json::Value::Null);
        Some(Self {
            token: token.clone(),
            role: Role::from_code(field("role").as_i64().and_then(|r| i32::try_from(r).ok())),
            valid_for: field("valid_for_ms").as_u64().map(Duration::from_millis),
            expires_at: time_from_stored(field("expires_at_ms")),
            ws_url: text_from_stored(field("ws_url")),
            supported_notifications: field("supported_notifications")
                .as_array()
                .map(|types| {
                    types
                        .iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            tmp_ws_token: None,
            user_id: text_from_stored(field("user_id")),
            org_id: text_from_stored(field("org_id")),
        })
    }
}
