//! Logging in: the access token for management calls, obtained lazily, cached, and
//! renewed ahead of its expiry with one login at a time.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use meeting_api::types::{AccountAuthRequest, AppAuthRequest, AuthResponse};
use secrecy::ExposeSecret;
use tokio::time::Instant;

use super::{Token, checked_secret, validity};
use crate::client::within;
use crate::credentials::{AppId, Kind};
use crate::error::Context;
use crate::retry::Idempotency;
use crate::{Client, Error};

/// The service's documented minimum validity, used when the answer says nothing.
const DEFAULT_ACCESS_VALIDITY: Duration = Duration::from_secs(12 * 3600);
/// How long an App ID signature stays valid (the official SDK's choice).
const SIGNATURE_VALIDITY: Duration = Duration::from_secs(600);
/// clientType 72: an API caller, allowed 64 live tokens.
const API_CLIENT: i32 = 72;

impl Client {
    /// Logs in now (even if a token is cached), replaces the cached token, and says who
    /// the client is and until when. Use it to check credentials.
    pub async fn login(&self) -> Result<AccessTokenInfo, Error> {
        let deadline = self.deadline();
        let context = Context::new("Authenticate", None);
        let token = within(
            deadline,
            &context,
            self.access_cell()
                .fetch_now(self.clock(), self.asker(None), |_| {
                    self.authenticate(deadline)
                }),
        )
        .await?;
        Ok(token.info.clone())
    }

    /// The cached access token, logging in first if there is none or it is about to
    /// expire.
    pub(crate) async fn access_token(
        &self,
        context: &Context,
        deadline: Instant,
    ) -> Result<Arc<Token<AccessTokenInfo>>, Error> {
        if self.credentials().is_none() {
            return Err(Error::invalid(
                context,
                "this call needs credentials (ClientBuilder::credentials, or MEETING_ACCOUNT/MEETING_PASSWORD, \
                 MEETING_APP_ID/MEETING_APP_KEY or MEETING_ACCESS_TOKEN)",
            ));
        }
        self.access_cell()
            .get(self.clock(), self.asker(None), |_| {
                self.authenticate(deadline)
            })
            .await
    }

    /// The access token if the client has credentials, else `None`.
    pub(crate) async fn access_token_if_any(
        &self,
        context: &Context,
        deadline: Instant,
    ) -> Result<Option<Arc<Token<AccessTokenInfo>>>, Error> {
        match self.credentials() {
            Some(_) => self.access_token(context, deadline).await.map(Some),
            None => Ok(None),
        }
    }

    async fn authenticate(&self, deadline: Instant) -> Result<Token<AccessTokenInfo>, Error> {
        let credentials = self.credentials().map(|c| &c.0);
        let (context, response) = match credentials {
            Some(Kind::Account { account, password }) => {
                let context = Context::new("AuthenticateAccount", None);
                let response = self
                    .login_account(&context, account, password, deadline)
                    .await?;
                (context, response)
            }
            Some(Kind::AppId(app)) => {
                let context = Context::new("AuthenticateAppId", None);
                let response = self.login_app_id(&context, app, deadline).await?;
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
        let now = self.now();
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
        self.attempts(context, Idempotency::Idempotent, deadline, || {
            self.api()
                .authenticate_account()
                .authorization(basic.as_str())
                .body(body.clone())
                .send()
        })
        .await
    }

    async fn login_app_id(
        &self,
        context: &Context,
        app: &AppId,
        deadline: Instant,
    ) -> Result<AuthResponse, Error> {
        if app.app_id.trim().is_empty() {
            return Err(Error::invalid(context, "the App ID must not be empty"));
        }
        // Refuses unusable credentials before anything is sent; signing again for a
        // retry then cannot fail.
        self.signed_app_request(context, app)?;
        self.attempts(context, Idempotency::Idempotent, deadline, || {
            // A new nonce and expiry for every attempt: a signature is never replayed.
            let request = self.signed_app_request(context, app);
            async move {
                let (authorization, body) =
                    request.map_err(|e| meeting_api::Error::InvalidRequest(e.to_string()))?;
                self.api()
                    .authenticate_app_id()
                    .authorization(authorization)
                    .body(body)
                    .send()
                    .await
            }
        })
        .await
    }

    fn signed_app_request(
        &self,
        context: &Context,
        app: &AppId,
    ) -> Result<(String, AppAuthRequest), Error> {
        let now = self.now().duration_since(UNIX_EPOCH).unwrap_or_default();
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

impl super::StoredInfo for AccessTokenInfo {
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
