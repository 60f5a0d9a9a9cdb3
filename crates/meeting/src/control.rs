//! Controlling a meeting in progress: the conference handle, lock, settings and the
//! video-source lock of a terminal. The control token they send is handled in
//! `tokens::control`.

use meeting_api::types::{RestLockReqBody, RestLockSiteViewReqBody};
use secrecy::{ExposeSecret, SecretString};

use std::sync::Arc;

use crate::client::Auth;
use crate::error::Context;
use crate::retry::Idempotency;
use crate::settings::SettingsUpdate;
use crate::tokens::{Asker, ControlTokenInfo, TokenCell};
use crate::{Client, Error};

/// The generated builder of a control operation with the conference ID and the tokens
/// set: the control token, and the access token when the client has credentials.
macro_rules! control_request {
    ($conference:expr, $tokens:expr, $operation:ident) => {{
        let request = $conference
            .client()
            .api()
            .$operation()
            .conference_id($conference.id())
            .x_conference_authorization($tokens.control());
        match $tokens.access_if_any() {
            Some(access) => request.x_access_token(access),
            None => request,
        }
    }};
}
pub(crate) use control_request;

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
#[derive(Clone, Debug)]
pub struct Conference {
    client: Client,
    /// Shared with every error's context, without a copy per call.
    id: Arc<str>,
    host_password: Option<SecretString>,
    control_token: Option<SecretString>,
    /// Who asks for the control token (the host password's fingerprint), computed once.
    asker: Asker,
    /// The client's control-token cache for this conference, looked up once.
    cell: Arc<TokenCell<ControlTokenInfo>>,
}

impl Conference {
    pub(crate) fn new(client: Client, id: String) -> Self {
        let asker = client.asker(None).for_control_token();
        let cell = client.control_cell(&id);
        Self {
            client,
            id: id.into(),
            host_password: None,
            control_token: None,
            asker,
            cell,
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
        let password = SecretString::from(password.into());
        self.asker = self.client.asker(Some(&password)).for_control_token();
        self.host_password = Some(password);
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
        self.control_call(&context, Idempotency::Idempotent, |tokens| {
            control_request!(self, tokens, lock_meeting)
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
        self.control_call(&context, Idempotency::Idempotent, |tokens| {
            control_request!(self, tokens, update_started_conf_config)
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

    pub(crate) fn context(&self, operation: &'static str) -> Context {
        Context {
            operation,
            conference: Some(self.id.clone()).filter(|id| !id.trim().is_empty()),
        }
    }

    /// Who asks for this conference's control token.
    pub(crate) fn asker(&self) -> Asker {
        self.asker
    }

    /// The client's control-token cache for this conference.
    pub(crate) fn control_cell(&self) -> &TokenCell<ControlTokenInfo> {
        &self.cell
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
                if !sendable_in_a_header(value) {
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

    /// Runs a control call: the tokens, retries (if `idempotency` allows), one renewal
    /// on a 401.
    pub(crate) async fn control_call<T, F, Fut>(
        &self,
        context: &Context,
        idempotency: Idempotency,
        send: F,
    ) -> Result<T, Error>
    where
        F: Fn(&crate::client::Tokens) -> Fut,
        Fut: std::future::Future<
                Output = Result<
                    meeting_api::ResponseValue<T>,
                    meeting_api::Error<meeting_api::types::ErrorBody>,
                >,
            >,
    {
        self.client
            .call(context, idempotency, Auth::Control(self), send)
            .await
    }

    /// Whether a refused control token can be replaced: not the caller's own, and
    /// there is a host password to obtain another.
    pub(crate) fn can_renew_control_token(&self) -> bool {
        self.control_token.is_none() && self.host_password.is_some()
    }

    pub(crate) fn host_password(&self) -> Option<&SecretString> {
        self.host_password.as_ref()
    }

    /// A control token the caller supplied.
    pub(crate) fn supplied_control_token(&self) -> Option<&SecretString> {
        self.control_token.as_ref()
    }
}

/// A participant of a conference (see [`Conference::participant`]).
#[derive(Debug)]
pub struct Participant<'a> {
    conference: &'a Conference,
    id: String,
}

impl<'a> Participant<'a> {
    /// The participant ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn conference(&self) -> &'a Conference {
        self.conference
    }
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
            .control_call(&context, Idempotency::Idempotent, |tokens| {
                control_request!(conference, tokens, lock_view)
                    .participant_id(self.id.as_str())
                    .body(body.clone())
                    .send()
            })
            .await
    }
}

/// What `HeaderValue::from_str` accepts (visible ASCII, space, tab, and bytes from
/// 0x80), checked without building one.
fn sendable_in_a_header(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
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
