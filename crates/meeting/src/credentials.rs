//! Who the client is: an account and password, an App ID and app key, or an access token
//! obtained elsewhere. Secrets are held as [`SecretString`]: `Debug` redacts them, and
//! nothing in this crate formats them.

use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::Error;

/// How the client obtains its access token. `Debug` redacts the secrets.
#[derive(Clone, Debug)]
pub struct Credentials(pub(crate) Kind);

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Account {
        account: String,
        password: SecretString,
    },
    AppId(AppId),
    AccessToken(SecretString),
}

impl Credentials {
    /// An account and its password (`POST /v1/usg/acs/auth/account`).
    pub fn account(account: impl Into<String>, password: impl Into<String>) -> Self {
        Self(Kind::Account {
            account: account.into(),
            password: SecretString::from(password.into()),
        })
    }

    /// An App ID and its app key (`POST /v2/usg/acs/auth/appauth`).
    pub fn app_id(app: AppId) -> Self {
        Self(Kind::AppId(app))
    }

    /// An access token obtained elsewhere. It is used as it is: the client cannot
    /// refresh it, so an expired one ends in an authentication error.
    pub fn access_token(token: impl Into<String>) -> Self {
        Self(Kind::AccessToken(SecretString::from(token.into())))
    }

    /// From the environment, the first complete set of:
    /// `MEETING_ACCOUNT` + `MEETING_PASSWORD`;
    /// `MEETING_APP_ID` + `MEETING_APP_KEY` (with `MEETING_USER_ID` and, for a service
    /// provider, `MEETING_CORP_ID`); `MEETING_ACCESS_TOKEN`.
    /// `Ok(None)` when none is set.
    pub fn from_env() -> Result<Option<Self>, Error> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, Error> {
        match (get("MEETING_ACCOUNT"), get("MEETING_PASSWORD")) {
            (Some(account), Some(password)) => return Ok(Some(Self::account(account, password))),
            (Some(_), None) => {
                return Err(Error::config(
                    "MEETING_ACCOUNT is set but MEETING_PASSWORD is not",
                ));
            }
            _ => {}
        }
        match (get("MEETING_APP_ID"), get("MEETING_APP_KEY")) {
            (Some(app_id), Some(app_key)) => {
                let mut app = match get("MEETING_CORP_ID") {
                    Some(corp) => AppId::service_provider(app_id, app_key, corp),
                    None => AppId::single_enterprise(app_id, app_key),
                };
                if let Some(user) = get("MEETING_USER_ID") {
                    app = app.user_id(user);
                }
                return Ok(Some(Self::app_id(app)));
            }
            (Some(_), None) => {
                return Err(Error::config(
                    "MEETING_APP_ID is set but MEETING_APP_KEY is not",
                ));
            }
            _ => {}
        }
        Ok(get("MEETING_ACCESS_TOKEN").map(Self::access_token))
    }

    /// Who these credentials log in as, for keys in a token store (never a secret):
    /// `None` for a caller-supplied access token, which is not stored.
    pub(crate) fn identity(&self) -> Option<String> {
        match &self.0 {
            Kind::Account { account, .. } => Some(format!("account\n{account}")),
            Kind::AppId(app) => Some(format!(
                "app\n{}\n{}\n{}",
                app.app_id,
                app.corp_id.as_deref().unwrap_or("\u{0}"),
                app.user_id.as_deref().unwrap_or("")
            )),
            Kind::AccessToken(_) => None,
        }
    }

    /// Whether the client can log in again by itself (not a caller-supplied token).
    pub fn can_refresh(&self) -> bool {
        !matches!(self.0, Kind::AccessToken(_))
    }
}

/// App ID credentials, for one enterprise or for a service provider (multi-tenant).
/// `Debug` redacts the app key.
#[derive(Clone, Debug)]
pub struct AppId {
    pub(crate) app_id: String,
    pub(crate) app_key: SecretString,
    pub(crate) user_id: Option<String>,
    /// `Some` for a service provider: the corpId is signed (empty for the SP's default
    /// administrator).
    pub(crate) corp_id: Option<String>,
}

impl AppId {
    /// An App ID of one enterprise: signs `appId:userId:expireTime:nonce`.
    pub fn single_enterprise(app_id: impl Into<String>, app_key: impl Into<String>) -> Self {
        Self {
            app_id: app_id.into(),
            app_key: SecretString::from(app_key.into()),
            user_id: None,
            corp_id: None,
        }
    }

    /// An App ID of a service provider acting for enterprise `corp_id` (empty: the
    /// provider's default administrator): signs `appId:corpId:userId:expireTime:nonce`.
    pub fn service_provider(
        app_id: impl Into<String>,
        app_key: impl Into<String>,
        corp_id: impl Into<String>,
    ) -> Self {
        Self {
            corp_id: Some(corp_id.into()),
            ..Self::single_enterprise(app_id, app_key)
        }
    }

    /// Acts as this third-party user; without it, as the enterprise's default
    /// administrator.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// The `Authorization` header for a request signed at `expire_time` (epoch seconds)
    /// with `nonce`: `HMAC-SHA256 signature=<HEX>,access=<base64(appId)>`, with the
    /// signature in upper-case hex as the official SDK sends it.
    pub(crate) fn authorization(&self, expire_time: i64, nonce: &str) -> Result<String, Error> {
        let user = self.user_id.as_deref().unwrap_or("");
        let signed = match &self.corp_id {
            None => format!("{}:{user}:{expire_time}:{nonce}", self.app_id),
            Some(corp) => format!("{}:{corp}:{user}:{expire_time}:{nonce}", self.app_id),
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(self.app_key.expose_secret().as_bytes())
            .map_err(|e| Error::config_with("the app key cannot key HMAC-SHA256", e))?;
        mac.update(signed.as_bytes());
        let signature = hex::encode_upper(mac.finalize().into_bytes());
        let access = base64::engine::general_purpose::STANDARD.encode(&self.app_id);
        Ok(format!("HMAC-SHA256 signature={signature},access={access}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Pinned values from the official SDK itself (huaweicloudsdkmeeting 3.1.219,
    // `MeetingCredentials._sign_hmac256` with these inputs), not recomputed here.
    #[test]
    fn signature_matches_the_official_sdk() {
        let app = AppId::single_enterprise("app1", "key1").user_id("u1");
        let header = app
            .authorization(1795313834, "b941cc32-5178-47f5-83c1-7705cf82cb1a")
            .expect("signs");
        assert_eq!(
            header,
            "HMAC-SHA256 signature=0F227C42165A7E0B9BA43FD3BCA4B42A7DAA570C19AEEB7AA77FC3AC028FAC65,\
             access=YXBwMQ=="
        );
    }

    #[test]
    fn service_provider_signature_matches_the_official_sdk() {
        // MULTI_TENANT with corp_id "corp9" and no user id.
        let app = AppId::service_provider("app1", "key1", "corp9");
        let header = app.authorization(0, "n").expect("signs");
        assert_eq!(
            header,
            "HMAC-SHA256 signature=8E9BFBC9E3F53145993E5A3148D23F0C3EFDA024DFC377A644D8C21DD17FC15C,\
             access=YXBwMQ=="
        );
    }

    #[test]
    fn debug_redacts_secrets() {
        let shown = format!(
            "{:?} {:?} {:?}",
            Credentials::account("alice", "pa55word"),
            Credentials::app_id(AppId::single_enterprise("app", "s3cretkey")),
            Credentials::access_token("stbTOKEN")
        );
        for secret in ["pa55word", "s3cretkey", "stbTOKEN"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("alice") && shown.contains("[REDACTED]"));
    }

    #[test]
    fn from_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let account =
            Credentials::from_lookup(env(&[("MEETING_ACCOUNT", "a"), ("MEETING_PASSWORD", "p")]));
        assert!(matches!(
            account,
            Ok(Some(Credentials(Kind::Account { .. })))
        ));
        let app = Credentials::from_lookup(env(&[
            ("MEETING_APP_ID", "id"),
            ("MEETING_APP_KEY", "k"),
            ("MEETING_CORP_ID", "c"),
            ("MEETING_USER_ID", "u"),
        ]));
        let Ok(Some(Credentials(Kind::AppId(app)))) = app else {
            panic!("app credentials")
        };
        assert_eq!(
            (app.corp_id.as_deref(), app.user_id.as_deref()),
            (Some("c"), Some("u"))
        );
        assert!(Credentials::from_lookup(env(&[("MEETING_ACCOUNT", "a")])).is_err());
        assert!(matches!(Credentials::from_lookup(env(&[])), Ok(None)));
        let token = Credentials::from_lookup(env(&[("MEETING_ACCESS_TOKEN", "t")]));
        assert!(matches!(token, Ok(Some(c)) if !c.can_refresh()));
    }
}
