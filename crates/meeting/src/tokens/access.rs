//! Logging in: the access token for management calls, obtained lazily, cached, and
//! renewed ahead of its expiry with one login at a time.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use meeting_api::secrets::Secrets;
use meeting_api::types::{AccountAuthRequest, AppAuthRequest, AuthResponse};
use secrecy::ExposeSecret;
use tokio::time::Instant;

use meeting_api::operations::{AUTHENTICATE_ACCOUNT, AUTHENTICATE_APP_ID};

use super::cell::{Asker, TokenCell};
use super::token::{Token, checked_secret, validity};
use crate::credentials::{AppId, Credentials, Kind};
use crate::error::{Context, Error};
use crate::runtime::{Runtime, within};

/// The service's documented minimum validity, used when the answer says nothing.
const DEFAULT_ACCESS_VALIDITY: Duration = Duration::from_secs(12 * 3600);
/// How long an App ID signature stays valid (the official SDK's choice).
const SIGNATURE_VALIDITY: Duration = Duration::from_secs(600);
/// clientType 72: an API caller, allowed 64 live tokens.
const API_CLIENT: i32 = 72;

/// The client's access token: its credentials, its cache, and how it logs in.
pub(crate) struct AccessTokens {
    credentials: Option<Credentials>,
    cell: TokenCell<AccessTokenInfo>,
    asker: Asker,
}

impl AccessTokens {
    pub fn new(
        credentials: Option<Credentials>,
        cell: TokenCell<AccessTokenInfo>,
        remember_refusals: Duration,
    ) -> Self {
        Self {
            credentials,
            cell,
            asker: Asker::new(None, remember_refusals),
        }
    }

    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Whether a refused token can be replaced: the client can log in again.
    fn can_refresh(&self) -> bool {
        self.credentials.as_ref().is_some_and(|c| c.can_refresh())
    }

    /// Logs in now (even if a token is cached), replaces the cached token, and says who
    /// the client is and until when.
    pub async fn login(&self, rt: &Runtime) -> Result<AccessTokenInfo, Error> {
        let deadline = rt.deadline();
        let context = Context::new("Authenticate", None);
        let token = within(
            deadline,
            &context,
            self.cell
                .fetch_now(&*rt.clock, self.asker, |_| self.authenticate(rt, deadline)),
        )
        .await?;
        Ok(token.info.clone())
    }

    /// The cached access token, logging in first if there is none or it is about to
    /// expire.
    pub async fn token(
        &self,
        rt: &Runtime,
        context: &Context,
        deadline: Instant,
    ) -> Result<Arc<Token<AccessTokenInfo>>, Error> {
        if self.credentials.is_none() {
            return Err(Error::invalid(
                context,
                "this call needs credentials (ClientBuilder::credentials, or MEETING_ACCOUNT/MEETING_PASSWORD, \
                 MEETING_APP_ID/MEETING_APP_KEY or MEETING_ACCESS_TOKEN)",
            ));
        }
        self.cell
            .get(&*rt.clock, self.asker, |_| self.authenticate(rt, deadline))
            .await
    }

    /// The access token if the client has credentials, else `None`.
    pub async fn token_if_any(
        &self,
        rt: &Runtime,
        context: &Context,
        deadline: Instant,
    ) -> Result<Option<Arc<Token<AccessTokenInfo>>>, Error> {
        match self.credentials {
            Some(_) => self.token(rt, context, deadline).await.map(Some),
            None => Ok(None),
        }
    }

    /// After `error` answered a call that sent `sent`: if the service refused the
    /// access token (a 401 with a `USG.` code) and the client can log in again, forgets
    /// it and says so, for one more try. The one place that rule is applied.
    pub async fn renew_after(
        &self,
        error: &Error,
        sent: Option<&Arc<Token<AccessTokenInfo>>>,
    ) -> bool {
        let Some(sent) = sent else { return false };
        if !error.refuses_access_token() || !self.can_refresh() {
            return false;
        }
        tracing::info!("access token refused: logging in again and trying once more");
        self.cell.invalidate(sent).await;
        true
    }

    /// Forgets the cached token (logging out); a caller-supplied token is kept: it is
    /// all the client has.
    pub fn forget(&self) {
        if self.credentials.as_ref().is_none_or(|c| c.can_refresh()) {
            self.cell.forget();
        }
    }

    async fn authenticate(
        &self,
        rt: &Runtime,
        deadline: Instant,
    ) -> Result<Token<AccessTokenInfo>, Error> {
        let credentials = self.credentials.as_ref().map(|c| &c.0);
        let (context, response) = match credentials {
            Some(Kind::Account { account, password }) => {
                let context = Context::new(AUTHENTICATE_ACCOUNT.id, None);
                let response = self
                    .login_account(rt, &context, account, password, deadline)
                    .await?;
                (context, response)
            }
            Some(Kind::AppId(app)) => {
                let context = Context::new(AUTHENTICATE_APP_ID.id, None);
                let response = self.login_app_id(rt, &context, app, deadline).await?;
                (context, response)
            }
            Some(Kind::AccessToken(_)) => {
                return Err(Error::invalid(
                    &Context::new("Authenticate", None),
                    "the client was given an access token, not credentials to log in with: \
                     supply account or App ID credentials to log in",
                ));
            }
            None => {
                return Err(Error::invalid(
                    &Context::new("Authenticate", None),
                    "no credentials to log in with",
                ));
            }
        };
        let secret = checked_secret(&context, "access token", response.access_token.clone())?;
        let now = rt.now();
        // `validPeriod` in seconds, else `expireTime` in epoch seconds, else the
        // documented minimum of 12 hours.
        let expires = response
            .expire_time
            .and_then(|s| u64::try_from(s).ok())
            .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)));
        let validity = validity(now, response.valid_period, expires, DEFAULT_ACCESS_VALIDITY);
        let info = AccessTokenInfo {
            user_id: response.user.as_ref().and_then(|u| u.user_id.clone()),
            name: response.user.as_ref().and_then(|u| u.name.clone()),
            valid_for: Some(validity),
            expires_at: now.checked_add(validity),
        };
        Ok(Token::new(secret, now, validity, info))
    }

    async fn login_account(
        &self,
        rt: &Runtime,
        context: &Context,
        account: &str,
        password: &secrecy::SecretString,
        deadline: Instant,
    ) -> Result<AuthResponse, Error> {
        if account.trim().is_empty() {
            return Err(Error::invalid(context, "the account must not be empty"));
        }
        if password.expose_secret().is_empty() {
            return Err(Error::invalid(context, "the password must not be empty"));
        }
        let body = AccountAuthRequest {
            account: account
                .try_into()
                .map_err(|_| Error::invalid(context, "the account must be 1 to 255 characters"))?,
            client_type: API_CLIENT
                .try_into()
                .map_err(|e| Error::invalid(context, format!("{e}")))?,
            create_token_type: None,
            ha2: None,
        };
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{account}:{}", password.expose_secret()))
        );
        // The login's secret is its `Authorization` argument: no token.
        let none = Secrets::new();
        rt.attempts(&AUTHENTICATE_ACCOUNT, context, deadline, &none, || {
            rt.api.authenticate_account(None, &basic, None, &body)
        })
        .await
    }

    async fn login_app_id(
        &self,
        rt: &Runtime,
        context: &Context,
        app: &AppId,
        deadline: Instant,
    ) -> Result<AuthResponse, Error> {
        if app.app_id.trim().is_empty() {
            return Err(Error::invalid(context, "the App ID must not be empty"));
        }
        // Refuses unusable credentials before anything is sent; signing again for a
        // retry then cannot fail.
        self.signed_app_request(rt, context, app)?;
        let none = Secrets::new();
        rt.attempts(&AUTHENTICATE_APP_ID, context, deadline, &none, || {
            // A new nonce and expiry for every attempt: a signature is never replayed.
            let request = self.signed_app_request(rt, context, app);
            async move {
                let (authorization, body) =
                    request.map_err(|e| meeting_api::Error::InvalidRequest(e.to_string()))?;
                rt.api
                    .authenticate_app_id(None, &authorization, None, None, &body)
                    .await
            }
        })
        .await
    }

    fn signed_app_request(
        &self,
        rt: &Runtime,
        context: &Context,
        app: &AppId,
    ) -> Result<(String, AppAuthRequest), Error> {
        let now = rt.now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let expire_time = (now + SIGNATURE_VALIDITY).as_secs() as i64;
        let nonce = uuid::Uuid::new_v4().to_string();
        let bad =
            |what: &str| Error::invalid(context, format!("App ID credentials: invalid {what}"));
        let authorization = app
            .authorization(expire_time, &nonce)
            .map_err(|_| bad("app key"))?;
        let body = AppAuthRequest {
            app_id: app.app_id.as_str().try_into().map_err(|_| bad("App ID"))?,
            client_type: API_CLIENT.try_into().map_err(|_| bad("client type"))?,
            // Only a service provider sends corpId: a single enterprise that sends one
            // fails authentication.
            corp_id: app.corp_id.clone(),
            dept_code: None,
            expire_time,
            nonce: nonce.as_str().try_into().map_err(|_| bad("nonce"))?,
            user_email: None,
            // The official SDK sends "" for no user, and signs the same.
            user_id: Some(app.user_id.clone().unwrap_or_default()),
            user_name: None,
            user_phone: None,
        };
        Ok((authorization, body))
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
    /// How long the token is valid from when it was issued (at most 7 days: a longer
    /// validity in the answer is taken as 7 days).
    pub valid_for: Option<Duration>,
    /// When the client will consider it expired.
    pub expires_at: Option<SystemTime>,
}

/// Milliseconds since the epoch, as stored.
pub(super) fn stored_time(at: Option<SystemTime>) -> Option<u64> {
    at?.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_millis()).ok())
}

/// The time [`stored_time`] wrote.
pub(super) fn time_from_stored(value: &serde_json::Value) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(value.as_u64()?))
}

/// A stored text field.
pub(super) fn text_from_stored(value: &serde_json::Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

impl super::shared::StoredInfo for AccessTokenInfo {
    fn to_stored(&self) -> serde_json::Value {
        serde_json::json!({
            "user_id": self.user_id,
            "name": self.name,
            "valid_for_ms": self.valid_for.map(|d| d.as_millis() as u64),
            "expires_at_ms": stored_time(self.expires_at),
        })
    }

    fn from_stored(value: &serde_json::Value, _: &secrecy::SecretString) -> Option<Self> {
        let value = value.as_object()?;
        let field = |name: &str| value.get(name).unwrap_or(&serde_json::Value::Null);
        Some(Self {
            user_id: text_from_stored(field("user_id")),
            name: text_from_stored(field("name")),
            valid_for: field("valid_for_ms").as_u64().map(Duration::from_millis),
            expires_at: time_from_stored(field("expires_at_ms")),
        })
    }
}
