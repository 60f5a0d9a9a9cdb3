//! Logins, access and control tokens, and the WebSocket tokens.

use super::{ControlGrant, Grant, TOKENS_PER_SUBJECT, World, new_token};
use crate::errors::{ApiError, Status, codes};
use crate::model::AppSeed;

impl World {
    /// Grants an access token, evicting the subject's oldest beyond the limit.
    fn grant_access(&mut self, subject: &str, admin: bool, expires_ms: i64) -> String {
        let token = new_token("stb");
        self.access_tokens.insert(
            token.clone(),
            Grant {
                subject: subject.to_owned(),
                admin,
                expires_ms,
            },
        );
        let live = self
            .tokens_by_subject
            .entry(subject.to_owned())
            .or_default();
        live.push_back(token.clone());
        while live.len() > TOKENS_PER_SUBJECT {
            if let Some(oldest) = live.pop_front() {
                self.access_tokens.remove(&oldest);
            }
        }
        token
    }

    /// The grant behind a live access token.
    pub(super) fn access(&self, token: &str, now_ms: i64) -> Option<&Grant> {
        self.access_tokens
            .get(token)
            .filter(|grant| grant.expires_ms > now_ms)
    }

    fn grant_control(&mut self, conference: &str, expires_ms: i64) -> String {
        let token = new_token("cnr");
        self.control_tokens.insert(
            token.clone(),
            ControlGrant {
                conference: conference.to_owned(),
                expires_ms,
            },
        );
        token
    }

    /// Ends every control token of a conference (it ended).
    pub(super) fn revoke_control(&mut self, conference: &str) {
        self.control_tokens
            .retain(|_, g| g.conference != conference);
    }

    /// Expires every token now (the admin API's `tokens/expire`).
    pub fn expire_tokens(&mut self) {
        for grant in self.access_tokens.values_mut() {
            grant.expires_ms = i64::MIN;
        }
        for grant in self.control_tokens.values_mut() {
            grant.expires_ms = i64::MIN;
        }
    }

    /// A login with account and password: an access token (none with `issue_token`
    /// false) and whether the account is an administrator.
    pub fn login_account(
        &mut self,
        account: &str,
        password: &str,
        issue_token: bool,
        expires_ms: i64,
    ) -> Result<(String, bool), ApiError> {
        let seed = match self.accounts.get(account) {
            Some(seed) if seed.password == password => seed.clone(),
            _ => return Err(ApiError::login_failed("account or password is wrong")),
        };
        if seed.disabled {
            return Err(ApiError::new(
                Status::PreconditionFailed,
                codes::ACCOUNT_DISABLED,
                "the account is disabled",
            ));
        }
        if seed.locked {
            return Err(ApiError::new(
                Status::Locked,
                codes::ACCOUNT_LOCKED,
                "the account is locked",
            ));
        }
        let token = if issue_token {
            self.grant_access(account, seed.admin, expires_ms)
        } else {
            String::new()
        };
        self.counters.account_logins += 1;
        self.remember_login(account);
        Ok((token, seed.admin))
    }

    /// A known app.
    pub fn app(&self, app_id: &str) -> Result<AppSeed, ApiError> {
        self.apps
            .get(app_id)
            .cloned()
            .ok_or_else(|| ApiError::login_failed("unknown App ID"))
    }

    /// A login with a verified App ID signature: an access token for `subject`.
    pub fn login_app(&mut self, subject: &str, admin: bool, expires_ms: i64) -> String {
        self.counters.app_logins += 1;
        self.remember_login(subject);
        self.grant_access(subject, admin, expires_ms)
    }

    /// The grant behind `X-Access-Token`, which must be live.
    pub fn authorize_access(&self, token: Option<&str>, now_ms: i64) -> Result<Grant, ApiError> {
        let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
            ApiError::new(
                Status::Unauthorized,
                codes::ACCESS_TOKEN_INVALID,
                "X-Access-Token is required",
            )
        })?;
        self.access(token, now_ms).cloned().ok_or_else(|| {
            ApiError::new(
                Status::Unauthorized,
                codes::ACCESS_TOKEN_INVALID,
                "the access token is invalid or has expired",
            )
        })
    }

    /// Checks `X-Conference-Authorization` (already unwrapped from `Basic`) for
    /// conference `id`, which must be in progress.
    pub fn authorize_control(
        &self,
        token: Option<&str>,
        id: &str,
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(ApiError::new(
                Status::Unauthorized,
                codes::TOKEN_NULL,
                "X-Conference-Authorization (the control token) is required",
            ));
        };
        if !self.control_token_valid(token, id, now_ms) {
            return Err(ApiError::control_token_invalid());
        }
        self.conference(id).map(|_| ())
    }

    fn control_token_valid(&self, token: &str, id: &str, now_ms: i64) -> bool {
        self.control_tokens
            .get(token)
            .is_some_and(|g| g.conference == id && g.expires_ms > now_ms)
    }

    /// `GET …/token`: keeps `current` alive if it is live for this conference (the
    /// password is not checked then), else grants a new token for the host password.
    pub fn control_token(
        &mut self,
        id: &str,
        current: Option<&str>,
        password: Option<&str>,
        login_type: Option<&str>,
        now_ms: i64,
        validity_ms: i64,
    ) -> Result<String, ApiError> {
        let host_password = self.conference(id)?.host_password.clone();
        if let Some(token) = current.filter(|t| self.control_token_valid(t, id, now_ms)) {
            if let Some(grant) = self.control_tokens.get_mut(token) {
                grant.expires_ms = now_ms + validity_ms;
            }
            self.counters.control_token_keepalives += 1;
            return Ok(token.to_owned());
        }
        match password.filter(|p| !p.is_empty()) {
            Some(_) if login_type != Some("1") => Err(ApiError::bad_request(
                "X-Login-Type must be 1 with X-Password",
            )),
            Some(password) if password != host_password => {
                Err(ApiError::auth_failed("the host password is wrong"))
            }
            Some(_) => {
                self.counters.control_token_grants += 1;
                Ok(self.grant_control(id, now_ms + validity_ms))
            }
            None if current.is_some() => Err(ApiError::control_token_invalid()),
            None => Err(ApiError::new(
                Status::BadRequest,
                codes::PASSWORD_BLANK,
                "X-Password (the host password) or X-Conference-Authorization is required",
            )),
        }
    }

    /// CreateWebSocketToken: a one-use token for conference `id`'s event WebSocket,
    /// valid `validity_ms` (one minute at the service). Expired ones are dropped here.
    pub fn grant_ws_token(
        &mut self,
        id: &str,
        now_ms: i64,
        validity_ms: i64,
    ) -> Result<String, ApiError> {
        self.conference(id)?;
        self.ws_tokens.retain(|_, g| g.expires_ms > now_ms);
        let token = new_token("ws");
        if self.ws_issued.len() >= 1024 {
            self.ws_issued.pop_front();
        }
        self.ws_issued.push_back(token.clone());
        self.ws_tokens.insert(
            token.clone(),
            ControlGrant {
                conference: id.to_owned(),
                expires_ms: now_ms + validity_ms,
            },
        );
        Ok(token)
    }
}
