//! The handles operations are called on: a [`Conference`] and a [`Participant`] of it,
//! and their one entry point into the call pipeline ([`Conference::run`]). The
//! operations themselves live with their family, in `crate::api`.

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use meeting_api::table::Operation;
use meeting_api::types::ParticipantId;
use secrecy::{ExposeSecret, SecretString};

use crate::Client;
use crate::error::{Context, Error};
use crate::runtime::ApiResult;
use crate::tokens::control::{ControlAuth, ControlTokenInfo};
use crate::tokens::token::sendable_in_a_header;

impl Client {
    /// A handle on one conference. Nothing is sent until you call an operation on it.
    pub fn conference(&self, id: impl Into<String>) -> Conference {
        Conference::new(self.clone(), id.into())
    }
}

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
    /// The host password or control token, and the client's cache of the token.
    auth: ControlAuth,
    /// What is wrong with the ID or the secrets, found once when they were given.
    problem: Option<String>,
}

impl Conference {
    fn new(client: Client, id: String) -> Self {
        let id: Arc<str> = id.into();
        let auth = client.control_auth(id.clone());
        let mut conference = Self {
            client,
            id,
            auth,
            problem: None,
        };
        conference.problem = conference.find_problem();
        conference
    }

    /// The conference ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The host password: the client exchanges it for a control token when needed, and
    /// again when the token expires or is refused. Control tokens are cached per client
    /// and conference, so every handle on the same conference shares one.
    pub fn with_host_password(mut self, password: impl Into<String>) -> Self {
        self.auth
            .set_host_password(SecretString::from(password.into()));
        self.problem = self.find_problem();
        self
    }

    /// A control token obtained elsewhere, used as it is (it cannot be renewed without
    /// a host password).
    pub fn with_control_token(mut self, token: impl Into<String>) -> Self {
        self.auth
            .set_control_token(SecretString::from(token.into()));
        self.problem = self.find_problem();
        self
    }

    /// A participant of this conference, by the ID [`Conference::live`] lists.
    pub fn participant(&self, id: impl Into<String>) -> Participant<'_> {
        let id = id.into();
        let problem = id_problem("participant id", &id);
        Participant {
            conference: self,
            id: ParticipantId(id),
            problem,
        }
    }

    /// Obtains control-token information now (keeping the cached token alive, or
    /// obtaining one with the host password) and caches the token.
    pub async fn control_token_info(&self) -> Result<ControlTokenInfo, Error> {
        if let Some(problem) = &self.problem {
            let context = self.context(&meeting_api::operations::CREATE_CONF_TOKEN);
            return Err(Error::invalid(&context, problem.clone()));
        }
        self.client.control_token_info(&self.auth).await
    }

    /// The host password this handle was given, if any.
    pub(crate) fn host_password(&self) -> Option<&SecretString> {
        self.auth.host_password()
    }

    /// The client this handle sends through.
    #[cfg_attr(not(feature = "events"), allow(dead_code))]
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The generated client the operations' requests are built with.
    pub(crate) fn api(&self) -> &meeting_api::Client {
        self.client.api()
    }

    pub(crate) fn context(&self, operation: &'static Operation) -> Context {
        Context {
            operation: operation.id,
            conference: Some(self.id.clone()).filter(|id| !id.trim().is_empty()),
        }
    }

    /// Runs `operation` on this conference, the one way every operation of a handle
    /// runs: `input` (the body, or what is wrong with the arguments) and the handle's
    /// own values are checked before anything is sent, then `send` makes each attempt
    /// with the generated client, under the tokens the table names, with the retries
    /// its retry class allows and one renewal of a refused token.
    ///
    /// The input is `Copy` (a reference to the caller's body, or none): `send` then
    /// returns the generated call's future itself. (An `AsyncFn` taking the input by
    /// reference would be higher-ranked, and the compiler cannot yet prove such a
    /// closure's future `Send`.)
    pub(crate) async fn run<'a, B: Copy, E: Display, T, Fut>(
        &'a self,
        operation: &'static Operation,
        input: Result<B, E>,
        send: impl Fn(&'a meeting_api::Client, B) -> Fut,
    ) -> Result<T, Error>
    where
        Fut: Future<Output = ApiResult<T>>,
    {
        let input = self.checked(operation, input.map_err(|e| e.to_string()))?;
        let context = self.context(operation);
        let api = self.api();
        self.client
            .call(operation, &context, Some(&self.auth), || send(api, input))
            .await
    }

    /// The checked input of `operation`: refused if the handle's values or the input
    /// (its arguments, or what is wrong with them) are invalid.
    pub(crate) fn checked<B>(
        &self,
        operation: &'static Operation,
        input: Result<B, String>,
    ) -> Result<B, Error> {
        match &self.problem {
            Some(problem) => Err(problem.clone()),
            None => input,
        }
        .map_err(|problem| Error::invalid(&self.context(operation), problem))
    }

    /// Input the service would refuse, found before anything is sent.
    fn find_problem(&self) -> Option<String> {
        if let Some(problem) = id_problem("conference id", &self.id) {
            return Some(problem);
        }
        self.auth.secrets().into_iter().find_map(|(what, secret)| {
            let value = secret?.expose_secret();
            if value.is_empty() {
                Some(format!("the {what} must not be empty"))
            } else if !sendable_in_a_header(value) {
                // Never quote the value: it is a secret.
                Some(format!(
                    "the {what} has characters that cannot be sent in an HTTP header"
                ))
            } else {
                None
            }
        })
    }
}

/// A participant of a conference (see [`Conference::participant`]).
#[derive(Debug)]
pub struct Participant<'a> {
    conference: &'a Conference,
    id: ParticipantId,
    /// What is wrong with the ID, found once.
    problem: Option<String>,
}

impl Participant<'_> {
    /// The participant ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The participant ID as the generated client takes it.
    pub(crate) fn wire_id(&self) -> &ParticipantId {
        &self.id
    }

    /// Runs `operation` like [`Conference::run`], refused first if the participant ID
    /// is invalid.
    pub(crate) async fn run<'a, B: Copy, E: Display, T, Fut>(
        &'a self,
        operation: &'static Operation,
        input: Result<B, E>,
        send: impl Fn(&'a meeting_api::Client, B) -> Fut,
    ) -> Result<T, Error>
    where
        Fut: Future<Output = ApiResult<T>>,
    {
        let input = match &self.problem {
            Some(problem) => Err(problem.clone()),
            None => input.map_err(|e| e.to_string()),
        };
        self.conference.run(operation, input, send).await
    }

    pub(crate) fn conference(&self) -> &Conference {
        self.conference
    }
}

/// The input of an operation that has none (see [`Conference::run`]).
pub(crate) const NO_INPUT: Result<(), String> = Ok(());

/// What is wrong with an id, if anything: it must be non-empty and printable.
pub(crate) fn id_problem(what: &str, id: &str) -> Option<String> {
    if id.trim().is_empty() {
        Some(format!("the {what} must not be empty"))
    } else if id.chars().any(char::is_control) {
        Some(format!("the {what} has control characters"))
    } else {
        None
    }
}

/// What is wrong with a list of IDs, if anything: it must name at least one `noun`,
/// each a valid `what` (see [`id_problem`]).
pub(crate) fn ids_problem<'a>(
    noun: &str,
    what: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    let mut ids = ids.into_iter().peekable();
    if ids.peek().is_none() {
        return Err(format!("name at least one {noun}"));
    }
    ids.find_map(|id| id_problem(what, id)).map_or(Ok(()), Err)
}
