//! What an operation authenticates with, as the call pipeline sees it: each kind
//! answers "your tokens" and "renew after this error".

use std::sync::Arc;

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
}

/// The tokens one attempt sends (cheap to clone: two shared pointers).
#[derive(Clone)]
pub(crate) struct Tokens {
    access: Option<Arc<Token<AccessTokenInfo>>>,
    control: Option<Arc<Token<ControlTokenInfo>>>,
}

impl Tokens {
    /// The access token (empty if the operation does not send one).
    pub fn access(&self) -> &str {
        self.access.as_ref().map_or("", |t| t.expose())
    }

    /// The access token, when the client has credentials (control calls send it then).
    pub fn access_if_any(&self) -> Option<&str> {
        self.access.as_ref().map(|t| t.expose())
    }

    /// The control token (empty if the operation does not send one).
    pub fn control(&self) -> &str {
        self.control.as_ref().map_or("", |t| t.expose())
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
            },
            Self::Control(access, control) => {
                let (access, control) =
                    control.tokens(rt, access, context, deadline, false).await?;
                Tokens {
                    access,
                    control: Some(control),
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
            Self::Access(access) | Self::Control(access, _) => access,
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
