//! What an operation authenticates with, as the call pipeline sees it: each kind
//! answers "your tokens" and "renew after this error".

use std::sync::Arc;

use meeting_api::secrets::{InvalidSecret, Secrets};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::access::{AccessTokenInfo, AccessTokens};
use super::control::{ControlAuth, ControlTokenInfo};
use super::token::Token;
use crate::error::{Context, Error, ErrorKind};
use crate::runtime::Runtime;

/// The tokens an operation sends.
pub(crate) enum Auth<'a> {
    /// The access token (management calls).
    Access(&'a AccessTokens),
    /// A conference's control token, and the access token when the client has
    /// credentials (control calls).
    Control(&'a AccessTokens, &'a ControlAuth),
    /// The access token, and the meeting's password the handle holds (the join
    /// randoms).
    AccessAndPassword(&'a AccessTokens, &'a ControlAuth),
}

/// The tokens one attempt sends (cheap to clone: shared pointers).
#[derive(Clone)]
pub(crate) struct Tokens {
    access: Option<Arc<Token<AccessTokenInfo>>>,
    control: Option<Arc<Token<ControlTokenInfo>>>,
    password: Option<SecretString>,
}

impl Tokens {
    /// What the attempts send in their headers. A token from the service was checked
    /// when it was cached, and one of the caller's when it was given.
    pub fn secrets(&self) -> Result<Secrets, InvalidSecret> {
        let mut secrets = Secrets::new();
        if let Some(access) = &self.access {
            secrets = secrets.access_token(access.expose())?;
        }
        if let Some(control) = &self.control {
            secrets = secrets.control_token(control.expose())?;
        }
        if let Some(password) = &self.password {
            secrets = secrets.host_password(password.expose_secret())?;
        }
        Ok(secrets)
    }
}

impl Auth<'_> {
    /// The tokens to send, obtained or renewed as needed.
    pub async fn tokens(
        &self,
        rt: &Runtime,
        context: &Context,
        deadline: Instant,
    ) -> Result<Tokens, Error> {
        Ok(match self {
            Self::Access(access) => Tokens {
                access: Some(access.token(rt, context, deadline).await?),
                control: None,
                password: None,
            },
            Self::AccessAndPassword(access, handle) => Tokens {
                access: Some(access.token(rt, context, deadline).await?),
                control: None,
                password: handle.host_password().cloned(),
            },
            Self::Control(access, control) => {
                let (access, control) =
                    control.tokens(rt, access, context, deadline, false).await?;
                Tokens {
                    access,
                    control: Some(control),
                    password: None,
                }
            }
        })
    }

    /// After `error` answered an attempt that sent `sent`: forgets the refused token if
    /// another can be had, and says whether it was. A 401 with a `USG.` code refuses the
    /// access token; any other 401 on a control call refuses the control token.
    pub async fn renew(&self, sent: &Tokens, error: &Error) -> bool {
        if error.kind() != ErrorKind::Authentication {
            return false;
        }
        let access = match self {
            Self::Access(access)
            | Self::Control(access, _)
            | Self::AccessAndPassword(access, _) => access,
        };
        if error.refuses_access_token() {
            return access.renew_after(error, sent.access.as_ref()).await;
        }
        match (self, &sent.control) {
            (Self::Control(_, control), Some(token)) => control.renew_after(token).await,
            _ => false,
        }
    }
}
