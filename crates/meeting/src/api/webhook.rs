//! The event push's four configuration calls, with the access token of an enterprise
//! administrator: register the URL, read the configuration back, enable or disable
//! it, delete it.

use meeting_api::operations::{
    DELETE_WEB_HOOK_CONFIG, SET_WEB_HOOK_CONFIG, SHOW_WEB_HOOK_CONFIG,
    UPDATE_WEB_HOOK_CONFIG_STATUS,
};
use meeting_api::table::Operation;
use meeting_api::types::{
    DeleteWebHookConfigId, SpId, UpdateWebHookConfigStatusId, UpdateWebHookConfigStatusStatus,
    WebHookConfigRequest,
};
use secrecy::{ExposeSecret, SecretString};

use crate::Client;
use crate::conference::NO_INPUT;
use crate::error::{Context, Error};

/// Whose push configuration: the enterprise the credentials belong to, another
/// enterprise (`corpId`), or an SP (`spId`, multi-tenant set-ups).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookScope {
    /// The credentials' own enterprise (neither `corpId` nor `spId` is sent).
    #[default]
    Own,
    /// The enterprise with this ID.
    Corp(String),
    /// The SP with this ID.
    Sp(String),
}

impl WebhookScope {
    fn ids(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Self::Own => (None, None),
            Self::Corp(id) => (Some(id), None),
            Self::Sp(id) => (None, Some(id)),
        }
    }
}

/// An event-push configuration to register (see [`Client::set_webhook`]). `Debug`
/// redacts the subscriber key.
///
/// ```no_run
/// # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
/// use meeting::webhook::WebhookSetup;
///
/// let setup = WebhookSetup::new(
///     "https://hooks.example.com/meeting",
///     "12345678",
///     std::env::var("MEETING_WEBHOOK_KEY").unwrap_or_default(),
/// );
/// client.set_webhook(&setup).await?;
/// let config = client.webhook_config(&Default::default()).await?;
/// client.enable_webhook(&config.id).await?; // the service sends the handshake first
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WebhookSetup {
    url: String,
    subscriber_id: String,
    key: SecretString,
    scope: WebhookScope,
}

impl std::fmt::Debug for WebhookSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSetup")
            .field("url", &self.url)
            .field("subscriber_id", &self.subscriber_id)
            .field("key", &"[REDACTED]")
            .field("scope", &self.scope)
            .finish()
    }
}

impl WebhookSetup {
    /// Pushes to `url` (the service requires HTTPS), as `subscriber_id`, signed with
    /// `key`.
    pub fn new(
        url: impl Into<String>,
        subscriber_id: impl Into<String>,
        key: impl Into<SecretString>,
    ) -> Self {
        Self {
            url: url.into(),
            subscriber_id: subscriber_id.into(),
            key: key.into(),
            scope: WebhookScope::Own,
        }
    }

    /// For another enterprise or an SP.
    pub fn scope(mut self, scope: WebhookScope) -> Self {
        self.scope = scope;
        self
    }
}

/// The event-push configuration, as the service shows it (the key is never returned).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookConfig {
    /// The configuration's record ID, for enabling, disabling and deleting.
    pub id: String,
    /// The subscriber ID (pushes carry it as `appID`).
    pub subscriber_id: Option<String>,
    /// The push URL.
    pub url: Option<String>,
    /// Whether pushes are sent.
    pub status: WebhookStatus,
}

/// Whether the service pushes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookStatus {
    /// Pushes are sent.
    Enabled,
    /// No pushes (also: configured, not started).
    Disabled,
    /// Locked by the service.
    Locked,
    /// A value this version does not know, or none.
    Other(Option<i32>),
}

/// An ID the service will refuse, known before sending.
fn id_problem(what: &str, id: &str) -> Option<String> {
    if id.trim().is_empty() {
        Some(format!("the {what} must not be empty"))
    } else if id.chars().any(char::is_control) {
        Some(format!("the {what} must not hold control characters"))
    } else {
        None
    }
}

impl Client {
    /// Registers (or replaces) the event-push configuration: URL, subscriber ID and
    /// key. Pushes start once it is enabled ([`Client::enable_webhook`]). Needs the
    /// credentials of an enterprise administrator.
    pub async fn set_webhook(&self, setup: &WebhookSetup) -> Result<(), Error> {
        let context = Context::new(SET_WEB_HOOK_CONFIG.id, None);
        let problem = id_problem("subscriber ID", &setup.subscriber_id)
            .or_else(|| id_problem("push URL", &setup.url))
            .or_else(|| key_problem(setup.key.expose_secret()).map(str::to_owned))
            .or_else(|| match url::Url::parse(&setup.url) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => None,
                _ => Some(format!(
                    "the push URL must be an http(s) URL, not {:?}",
                    setup.url
                )),
            });
        if let Some(problem) = problem {
            return Err(Error::invalid(&context, problem));
        }
        let (corp_id, sp_id) = setup.scope.ids();
        let invalid = |what: &str| Error::invalid(&context, format!("the {what} is invalid"));
        let body = WebHookConfigRequest {
            corp_id: corp_id.map(str::to_owned),
            sp_id: sp_id.map(str::to_owned),
            subscriber_id: setup
                .subscriber_id
                .as_str()
                .try_into()
                .map_err(|_| invalid("subscriber ID"))?,
            // The generated type derives Debug: this value is never formatted.
            subscriber_key: setup
                .key
                .expose_secret()
                .try_into()
                .map_err(|_| invalid("subscriber key"))?,
            url: setup
                .url
                .as_str()
                .try_into()
                .map_err(|_| invalid("push URL"))?,
        };
        self.run(&SET_WEB_HOOK_CONFIG, NO_INPUT, |api, ()| {
            api.set_web_hook_config(&body)
        })
        .await
    }

    /// The event-push configuration of `scope` (`&Default::default()`: the
    /// credentials' enterprise).
    pub async fn webhook_config(&self, scope: &WebhookScope) -> Result<WebhookConfig, Error> {
        let (corp_id, sp_id) = scope.ids();
        let sp_id = NO_INPUT.map(|()| sp_id.map(|id| SpId(id.to_owned())));
        let shown = self
            .run(&SHOW_WEB_HOOK_CONFIG, sp_id.as_ref(), |api, sp_id| {
                api.show_web_hook_config(corp_id, sp_id.as_ref())
            })
            .await?;
        let Some(id) = shown.id.filter(|id| !id.is_empty()) else {
            let context = Context::new(SHOW_WEB_HOOK_CONFIG.id, None);
            return Err(Error::unexpected(
                &context,
                "the answer holds no configuration id",
            ));
        };
        Ok(WebhookConfig {
            id,
            subscriber_id: shown.subscriber_id,
            url: shown.url,
            status: match shown.status {
                Some(0) => WebhookStatus::Enabled,
                Some(1) => WebhookStatus::Disabled,
                Some(2) => WebhookStatus::Locked,
                other => WebhookStatus::Other(other),
            },
        })
    }

    /// Enables the push of configuration `id`. The service first sends the signed
    /// `meeting.verify` push to the URL and enables only if the receiver answers it
    /// (a [`crate::webhook::Verifier`] behind any receiver does).
    pub async fn enable_webhook(&self, id: &str) -> Result<(), Error> {
        self.webhook_status(id, 0).await
    }

    /// Disables the push of configuration `id`.
    pub async fn disable_webhook(&self, id: &str) -> Result<(), Error> {
        self.webhook_status(id, 1).await
    }

    async fn webhook_status(&self, id: &str, status: i32) -> Result<(), Error> {
        let operation: &'static Operation = &UPDATE_WEB_HOOK_CONFIG_STATUS;
        let context = Context::new(operation.id, None);
        let record = checked_id::<UpdateWebHookConfigStatusId>(&context, id)?;
        let status = UpdateWebHookConfigStatusStatus::try_from(status)
            .map_err(|e| Error::invalid(&context, e.to_string()))?;
        self.run(operation, NO_INPUT, |api, ()| {
            api.update_web_hook_config_status(&record, &status)
        })
        .await
    }

    /// Deletes configuration `id`: the pushes stop.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        let context = Context::new(DELETE_WEB_HOOK_CONFIG.id, None);
        let record = checked_id::<DeleteWebHookConfigId>(&context, id)?;
        self.run(&DELETE_WEB_HOOK_CONFIG, NO_INPUT, |api, ()| {
            api.delete_web_hook_config(&record)
        })
        .await
    }
}

/// A configuration ID, checked before sending.
fn checked_id<'a, T: TryFrom<&'a str>>(context: &Context, id: &'a str) -> Result<T, Error> {
    if let Some(problem) = id_problem("configuration ID", id) {
        return Err(Error::invalid(context, problem));
    }
    T::try_from(id).map_err(|_| Error::invalid(context, "the configuration ID is invalid"))
}

/// Why `key` cannot be a subscriber key, if it cannot: the one rule for the key a
/// configuration sends ([`WebhookSetup`]) and the keys a [`crate::webhook::Verifier`] checks
/// with. The pages give no rule but that it is the push configuration's password; an
/// empty (or blank) key would let anyone who knows the subscriber ID, which every push
/// carries, sign pushes.
pub fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("the subscriber key is empty")
    } else if key.trim().is_empty() {
        Some("the subscriber key is only white space")
    } else {
        None
    }
}
