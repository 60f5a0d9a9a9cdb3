//! The secrets a call sends in its headers: the access token (`X-Access-Token`), the
//! meeting control token (`X-Conference-Authorization`, or `confToken` for the quality
//! calls) and the host password (`X-Password`).
//!
//! They are not arguments of the generated methods: an operation's `security` in the
//! spec says which it takes, and the client's hook sets them on every request made
//! within [`crate::call::with_secrets`]. A token therefore cannot be passed where a conference ID
//! goes (both would be `&str`), and it reaches the request as a header marked
//! sensitive, which the HTTP stack never logs.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use meeting_api::call::with_secrets;
//! use meeting_api::secrets::Secrets;
//! use meeting_api::types::RestLockReqBody;
//!
//! let client = meeting_api::Client::new(meeting_api::CN_NORTH_4);
//! let control = Secrets::new().control_token("stbaf8fa2ea8a1b0e3ab2e007a85a75f88c5")?;
//! let lock = RestLockReqBody { is_lock: 1.try_into()? }; // 1 locks, 0 unlocks
//! with_secrets(control, client.lock_meeting("914083136", &lock)).await?;
//! # Ok(()) }
//! ```

use std::fmt;

use http::header::HeaderName;
use http::HeaderValue;

use crate::table::{Auth, Operation};

const ACCESS_TOKEN: HeaderName = HeaderName::from_static("x-access-token");
const CONTROL_TOKEN: HeaderName = HeaderName::from_static("x-conference-authorization");
const CONF_TOKEN: HeaderName = HeaderName::from_static("conftoken");
const HOST_PASSWORD: HeaderName = HeaderName::from_static("x-password");

/// The secrets of one call (see the [module](self)). Cheap to clone; its `Debug` shows
/// which secrets it holds, never their values.
#[derive(Clone, Default)]
pub struct Secrets {
    access: Option<HeaderValue>,
    control: Option<HeaderValue>,
    password: Option<HeaderValue>,
}

/// A secret that cannot be sent in an HTTP header (empty, or with control characters).
/// It names the secret, never its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidSecret {
    /// Which secret: "access token", "control token" or "host password".
    pub what: &'static str,
}

impl fmt::Display for InvalidSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} is empty or has characters that cannot be sent in an HTTP header",
            self.what
        )
    }
}

impl std::error::Error for InvalidSecret {}

fn header(what: &'static str, value: &str) -> Result<HeaderValue, InvalidSecret> {
    if value.is_empty() {
        return Err(InvalidSecret { what });
    }
    let mut header = HeaderValue::from_str(value).map_err(|_| InvalidSecret { what })?;
    header.set_sensitive(true);
    Ok(header)
}

impl Secrets {
    /// No secrets: what the login operations (their `Authorization` is an argument) send.
    pub fn new() -> Self {
        Self::default()
    }

    /// With the access token (management operations; control operations send it too
    /// when there is one).
    pub fn access_token(mut self, token: &str) -> Result<Self, InvalidSecret> {
        self.access = Some(header("access token", token)?);
        Ok(self)
    }

    /// With the meeting control token (control operations; CreateConfToken keeps a
    /// token alive with it).
    pub fn control_token(mut self, token: &str) -> Result<Self, InvalidSecret> {
        self.control = Some(header("control token", token)?);
        Ok(self)
    }

    /// With the host password (CreateConfToken, with `X-Login-Type: 1`).
    pub fn host_password(mut self, password: &str) -> Result<Self, InvalidSecret> {
        self.password = Some(header("host password", password)?);
        Ok(self)
    }

    /// Whether these secrets hold what `operation` authenticates with.
    pub fn suffice_for(&self, operation: &Operation) -> bool {
        match operation.auth {
            Auth::Login => true,
            Auth::HostPassword => self.password.is_some() || self.control.is_some(),
            Auth::Access => self.access.is_some(),
            Auth::Control | Auth::ConfToken => self.control.is_some(),
            Auth::AccessAndPassword => self.access.is_some() && self.password.is_some(),
        }
    }

    /// Sets the headers of the secrets held on a request of the generated method
    /// `method` (the control token's header depends on it).
    pub(crate) fn apply(&self, headers: &mut http::HeaderMap, method: &str) {
        let control = if crate::operations::CONF_TOKEN_METHODS.contains(&method) {
            CONF_TOKEN
        } else {
            CONTROL_TOKEN
        };
        let secrets = [
            (ACCESS_TOKEN, &self.access),
            (control, &self.control),
            (HOST_PASSWORD, &self.password),
        ];
        for (name, value) in secrets {
            if let Some(value) = value {
                headers.insert(name, value.clone());
            }
        }
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = |secret: &Option<HeaderValue>| secret.as_ref().map(|_| "<redacted>");
        f.debug_struct("Secrets")
            .field("access_token", &held(&self.access))
            .field("control_token", &held(&self.control))
            .field("host_password", &held(&self.password))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{AUTHENTICATE_ACCOUNT, CREATE_CONF_TOKEN, LOCK_MEETING};

    #[test]
    fn debug_names_the_secrets_held_never_their_values() {
        let secrets = Secrets::new()
            .control_token("control-secret")
            .and_then(|c| c.host_password("654321"));
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("control-secret") && !shown.contains("654321"));
        assert!(
            shown.contains("control_token: Some(\"<redacted>\")"),
            "{shown}"
        );
        assert!(shown.contains("access_token: None"), "{shown}");
    }

    #[test]
    fn a_secret_that_cannot_be_a_header_is_refused_by_name() {
        for bad in ["", "line\nbreak", "nul\0"] {
            let error = Secrets::new().access_token(bad).unwrap_err();
            assert_eq!(error.what, "access token");
            assert!(!error.to_string().contains(bad) || bad.is_empty());
        }
    }

    #[test]
    fn the_headers_set_are_the_secrets_held_and_sensitive() {
        let secrets = Secrets::new().control_token("t0k").unwrap();
        let mut headers = http::HeaderMap::new();
        secrets.apply(&mut headers, "lock_meeting");
        assert_eq!(headers.len(), 1);
        let control = &headers[CONTROL_TOKEN];
        assert_eq!(control, "t0k");
        assert!(control.is_sensitive());
    }

    #[test]
    fn the_quality_calls_send_the_control_token_as_conf_token() {
        let secrets = Secrets::new().control_token("t0k").unwrap();
        let mut headers = http::HeaderMap::new();
        secrets.apply(&mut headers, "list_network_quality");
        assert_eq!(headers.len(), 1);
        assert_eq!(headers[CONF_TOKEN], "t0k");
        assert!(headers[CONF_TOKEN].is_sensitive());
        assert!(secrets.suffice_for(&crate::operations::LIST_NETWORK_QUALITY));
    }

    #[test]
    fn what_suffices_follows_the_table() {
        let none = Secrets::new();
        let control = Secrets::new().control_token("t").unwrap();
        assert!(none.suffice_for(&AUTHENTICATE_ACCOUNT));
        assert!(!none.suffice_for(&LOCK_MEETING));
        assert!(control.suffice_for(&LOCK_MEETING));
        assert!(control.suffice_for(&CREATE_CONF_TOKEN));
        let password = Secrets::new().host_password("654321").unwrap();
        assert!(password.suffice_for(&CREATE_CONF_TOKEN));
        assert!(!password.suffice_for(&LOCK_MEETING));
    }
}
