//! Controlling a meeting in progress: the conference handle, its control token, lock,
//! settings and the video-source lock of a terminal.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use meeting_api::ResponseValue;
use meeting_api::types::{ErrorBody, RestLockReqBody, RestLockSiteViewReqBody, TokenInfo};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Context, ErrorKind};
use crate::retry::{self, Idempotency};
use crate::settings::SettingsUpdate;
use crate::tokens::Token;
use crate::{Client, Error};

/// The documented validity of a control token, used when the answer says nothing.
const DEFAULT_CONTROL_VALIDITY: Duration = Duration::from_secs(30 * 60);

/// One conference. Obtain it with [`Client::conference`], give it the host password
/// (the client then obtains, caches and keeps alive the control token) or a control
/// token of your own, and call operations on it.
///
/// ```no_run
/// # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
/// use meeting::{CallInRestriction, SettingsUpdate};
///
/// let meeting = client.conference("914083136").with_host_password("654321");
/// meeting.lock().await?;
/// meeting
///     .update_settings(&SettingsUpdate::new().lock_sharing(true).call_in(CallInRestriction::InvitedUsers))
///     .await?;
/// meeting.participant("6a1acfe867f211eaa1cd59f41ff47e04").lock_video().await?;
/// meeting.end().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Conference {
    client: Client,
    id: String,
    host_password: Option<SecretString>,
    control_token: Option<SecretString>,
}

impl fmt::Debug for Conference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conference")
            .field("id", &self.id)
            .field(
                "host_password",
                &self.host_password.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "control_token",
                &self.control_token.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

impl Conference {
    pub(crate) fn new(client: Client, id: String) -> Self {
        Self {
            client,
            id,
            host_password: None,
            control_token: None,
        }
    }

    /// The conference ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The host password: the client exchanges it for a control token when needed, and
    /// again when the token expires or is refused. Control tokens are cached per client
    /// and conference, so every handle on the same conference shares one.
    pub fn with_host_password(mut self, password: impl Into<String>) -> Self {
        self.host_password = Some(SecretString::from(password.into()));
        self
    }

    /// A control token obtained elsewhere, used as it is (it cannot be renewed without
    /// a host password).
    pub fn with_control_token(mut self, token: impl Into<String>) -> Self {
        self.control_token = Some(SecretString::from(token.into()));
        self
    }

    /// Locks the meeting: users can no longer join by themselves (the host can still
    /// invite them, and the host password or link still works).
    pub async fn lock(&self) -> Result<(), Error> {
        self.set_locked(true).await
    }

    /// Unlocks the meeting.
    pub async fn unlock(&self) -> Result<(), Error> {
        self.set_locked(false).await
    }

    async fn set_locked(&self, locked: bool) -> Result<(), Error> {
        let context = self.context("LockMeeting");
        self.check(&context)?;
        let body = RestLockReqBody {
            is_lock: i32::from(locked)
                .try_into()
                .map_err(|e| Error::invalid(&context, format!("{e}")))?,
        };
        self.control_call(&context, |token| {
            self.client
                .inner
                .api
                .lock_meeting()
                .conference_id(self.id.as_str())
                .x_conference_authorization(token)
                .body(body.clone())
                .send()
        })
        .await
    }

    /// Changes settings of the meeting in progress: only what `update` sets.
    pub async fn update_settings(&self, update: &SettingsUpdate) -> Result<(), Error> {
        let context = self.context("UpdateStartedConfConfig");
        self.check(&context)?;
        if update.is_empty() {
            return Err(Error::invalid(
                &context,
                "the settings update is empty: set at least one setting",
            ));
        }
        let body = update.to_body().map_err(|e| Error::invalid(&context, e))?;
        self.control_call(&context, |token| {
            self.client
                .inner
                .api
                .update_started_conf_config()
                .conference_id(self.id.as_str())
                .x_conference_authorization(token)
                .body(body.clone())
                .send()
        })
        .await
    }

    /// A participant of this conference, for the video-source lock.
    pub fn participant(&self, id: impl Into<String>) -> Participant<'_> {
        Participant {
            conference: self,
            id: id.into(),
        }
    }

    /// Obtains control-token information now (keeping the cached token alive, or
    /// obtaining one with the host password) and caches the token.
    pub async fn control_token_info(&self) -> Result<ControlTokenInfo, Error> {
        let context = self.context("CreateConfToken");
        self.check(&context)?;
        if let Some(token) = &self.control_token {
            let fresh = self
                .request_control_token(&context, Some(token), None)
                .await?;
            return Ok(fresh.info);
        }
        let token = self
            .client
            .control_cell(&self.id)
            .fetch_now(&*self.client.inner.clock, |previous| {
                self.fetch_control_token(&context, previous)
            })
            .await?;
        Ok(token.info.clone())
    }

    pub(crate) fn context(&self, operation: &'static str) -> Context {
        Context {
            operation,
            conference: Some(self.id.clone()).filter(|id| !id.trim().is_empty()),
        }
    }

    /// Input the service would refuse, refused before anything is sent.
    pub(crate) fn check(&self, context: &Context) -> Result<(), Error> {
        check_id(context, "conference id", &self.id)?;
        for (what, secret) in [
            ("host password", &self.host_password),
            ("control token", &self.control_token),
        ] {
            if let Some(secret) = secret {
                let value = secret.expose_secret();
                if value.is_empty() {
                    return Err(Error::invalid(
                        context,
                        format!("the {what} must not be empty"),
                    ));
                }
                if reqwest::header::HeaderValue::from_str(value).is_err() {
                    // Never quote the value: it is a secret.
                    return Err(Error::invalid(
                        context,
                        format!("the {what} has characters that cannot be sent in an HTTP header"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Runs a control call with the control token; if the service refuses the token
    /// (401) and the client can get another, gets one and tries once more.
    async fn control_call<F, Fut>(&self, context: &Context, send: F) -> Result<(), Error>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<()>, meeting_api::Error<ErrorBody>>>,
    {
        let retry = &self.client.inner.retry;
        let token = self.control_token(context).await?;
        let result = retry::run(retry, context, Idempotency::Idempotent, || {
            send(token.expose().to_owned())
        })
        .await;
        match result {
            Err(e) if e.kind() == ErrorKind::Authentication && self.can_renew_control_token() => {
                tracing::info!(conference = %self.id, "control token refused: obtaining a new one and trying once more");
                self.client.control_cell(&self.id).invalidate(&token).await;
                let token = self.control_token(context).await?;
                retry::run(retry, context, Idempotency::Idempotent, || {
                    send(token.expose().to_owned())
                })
                .await
            }
            other => other,
        }
    }

    fn can_renew_control_token(&self) -> bool {
        self.control_token.is_none() && self.host_password.is_some()
    }

    async fn control_token(
        &self,
        context: &Context,
    ) -> Result<Arc<Token<ControlTokenInfo>>, Error> {
        if let Some(token) = &self.control_token {
            return Ok(Arc::new(Token::fixed(
                token.clone(),
                ControlTokenInfo::supplied(token.clone()),
            )));
        }
        let cell = self.client.control_cell(&self.id);
        cell.get(&*self.client.inner.clock, |previous| {
            self.fetch_control_token(context, previous)
        })
        .await
    }

    /// Keeps `previous` alive if there is one (sending the password too, so that an
    /// expired session is re-authenticated in the same call), else uses the password.
    async fn fetch_control_token(
        &self,
        context: &Context,
        previous: Option<Arc<Token<ControlTokenInfo>>>,
    ) -> Result<Token<ControlTokenInfo>, Error> {
        let current = previous.as_ref().map(|t| &t.secret);
        if current.is_none() && self.host_password.is_none() {
            return Err(Error::invalid(
                context,
                "a control token is needed: give the host password (Conference::with_host_password) \
                 or a control token (Conference::with_control_token)",
            ));
        }
        let context = self.context("CreateConfToken");
        self.request_control_token(&context, current, self.host_password.as_ref())
            .await
    }

    async fn request_control_token(
        &self,
        context: &Context,
        current: Option<&SecretString>,
        password: Option<&SecretString>,
    ) -> Result<Token<ControlTokenInfo>, Error> {
        let response = retry::run(
            &self.client.inner.retry,
            context,
            Idempotency::Idempotent,
            || {
                let mut request = self
                    .client
                    .inner
                    .api
                    .create_conf_token()
                    .conference_id(self.id.as_str());
                if let Some(current) = current {
                    request = request.x_conference_authorization(current.expose_secret());
                }
                if let Some(password) = password {
                    request = request.x_password(password.expose_secret()).x_login_type(1);
                }
                request.send()
            },
        )
        .await?;
        let now = self.client.now();
        let validity = control_validity(&response.data, now);
        let secret = SecretString::from(response.data.token.clone());
        let info = ControlTokenInfo::from_response(response.data, secret.clone(), now, validity);
        Ok(Token::new(secret, now, validity, info))
    }
}

/// A participant of a conference (see [`Conference::participant`]).
#[derive(Debug)]
pub struct Participant<'a> {
    conference: &'a Conference,
    id: String,
}

impl Participant<'_> {
    /// Locks this terminal's view to its own video source.
    pub async fn lock_video(&self) -> Result<(), Error> {
        self.lock_view(1, &self.id).await
    }

    /// Locks this terminal's view to the video source of participant `source`.
    pub async fn lock_video_to(&self, source: &str) -> Result<(), Error> {
        self.lock_view(1, source).await
    }

    /// Unlocks this terminal's view.
    pub async fn unlock_video(&self) -> Result<(), Error> {
        self.lock_view(0, &self.id).await
    }

    async fn lock_view(&self, status: i32, source: &str) -> Result<(), Error> {
        let conference = self.conference;
        let context = conference.context("LockView");
        conference.check(&context)?;
        check_id(&context, "participant id", &self.id)?;
        check_id(&context, "video source participant id", source)?;
        let body = RestLockSiteViewReqBody {
            participant_id: source
                .try_into()
                .map_err(|_| Error::invalid(&context, "invalid video source participant id"))?,
            status: status
                .try_into()
                .map_err(|e| Error::invalid(&context, format!("{e}")))?,
        };
        conference
            .control_call(&context, |token| {
                conference
                    .client
                    .inner
                    .api
                    .lock_view()
                    .conference_id(conference.id.as_str())
                    .participant_id(self.id.as_str())
                    .x_conference_authorization(token)
                    .body(body.clone())
                    .send()
            })
            .await
    }
}

/// An id must be non-empty and printable.
pub(crate) fn check_id(context: &Context, what: &str, id: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        return Err(Error::invalid(
            context,
            format!("the {what} must not be empty"),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(Error::invalid(
            context,
            format!("the {what} has control characters"),
        ));
    }
    Ok(())
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

/// A meeting control token and what the service said about it. `Debug` redacts the
/// token; [`ControlTokenInfo::expose_token`] gives it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ControlTokenInfo {
    token: SecretString,
    /// The holder's role.
    pub role: Role,
    /// How long the token is valid from when it was issued or kept alive.
    pub valid_for: Option<Duration>,
    /// When the client considers it expired.
    pub expires_at: Option<SystemTime>,
    /// The WebSocket URL for meeting events.
    pub ws_url: Option<String>,
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
            role: match data.role {
                Some(1) => Role::Host,
                Some(0) => Role::Participant,
                Some(other) => Role::Other(other),
                None => Role::Unknown,
            },
            valid_for: Some(validity),
            expires_at: now.checked_add(validity),
            ws_url: data.ws_url,
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
            user_id: None,
            org_id: None,
        }
    }

    /// The token itself. Treat it as a secret.
    pub fn expose_token(&self) -> &str {
        self.token.expose_secret()
    }
}

/// How long a control token lives: `confTokenExpireTime` (seconds), else `expireTime`
/// (epoch milliseconds), else the documented 30 minutes.
fn control_validity(data: &TokenInfo, now: SystemTime) -> Duration {
    if let Some(seconds) = data.conf_token_expire_time.filter(|s| *s > 0) {
        return Duration::from_secs(seconds as u64);
    }
    let now_ms = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as i64;
    match data.expire_time {
        Some(expire) if expire > now_ms => Duration::from_millis((expire - now_ms) as u64),
        _ => DEFAULT_CONTROL_VALIDITY,
    }
}
