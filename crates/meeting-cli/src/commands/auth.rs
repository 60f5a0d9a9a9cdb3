//! The login: check the credentials, and forget stored tokens.

use clap::Args;
use meeting::Credentials;
use meeting_api::operations::{AUTHENTICATE_ACCOUNT, AUTHENTICATE_APP_ID};
use serde::Serialize;

use super::{Family, Run};
use crate::args::{Connection, Global};
use crate::connect::{app, client, credentials, token_store};
use crate::output::{self, Failure, Report};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Login",
    commands: &[
        ("login", &[&AUTHENTICATE_ACCOUNT, &AUTHENTICATE_APP_ID]),
        ("logout", &[]),
    ],
};

/// Check the credentials: log in and say who and until when.
#[derive(Debug, Args)]
// Its name is the login flags' group's too.
#[group(skip)]
pub struct Login {
    #[command(flatten)]
    connection: Connection,
}

/// Who the client is, and until when.
#[derive(Debug, Serialize)]
pub struct LoggedIn {
    user_id: Option<String>,
    name: Option<String>,
    valid_for_secs: Option<u64>,
    expires_at: Option<u64>,
    #[serde(skip)]
    until: Option<(String, String)>,
}

impl Report for LoggedIn {
    fn text(&self) -> String {
        let name = self
            .user_id
            .as_deref()
            .or(self.name.as_deref())
            .map_or_else(|| "(default administrator)".into(), meeting::printable);
        let mut text = format!("Logged in as {name}");
        if let Some((valid, until)) = &self.until {
            text.push_str(&format!("; the token is valid for {valid}, until {until}"));
        }
        text.push('.');
        text
    }
}

impl Run for Login {
    type Report = LoggedIn;
    async fn run(self, global: &Global) -> Result<LoggedIn, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let who = client(&self.connection.endpoint, global, login)?
            .login()
            .await?;
        Ok(LoggedIn {
            valid_for_secs: who.valid_for.map(|d| d.as_secs()),
            expires_at: who.expires_at.map(output::epoch),
            until: who
                .valid_for
                .zip(who.expires_at)
                .map(|(valid, until)| (output::duration(valid), output::timestamp(until))),
            user_id: who.user_id,
            name: who.name,
        })
    }
}

/// Forget the stored tokens of this endpoint and login (see --token-cache).
///
/// They stay valid at the service until they expire.
#[derive(Debug, Args)]
pub struct Logout {
    #[command(flatten)]
    connection: Connection,
    /// Forget every stored token, of every endpoint and login: access and control
    /// tokens (and records of refused logins), nothing else the store holds (a fleet's
    /// leases and stream, a listener's push memory).
    #[arg(long)]
    all: bool,
}

/// How many stored tokens were forgotten, by kind.
#[derive(Debug, Serialize)]
pub struct Forgotten {
    forgotten: usize,
    /// With --all: the access tokens and the control tokens among them (each count
    /// includes the records of refusals).
    #[serde(skip_serializing_if = "Option::is_none")]
    access: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    control: Option<usize>,
}

impl Report for Forgotten {
    fn text(&self) -> String {
        let total = match self.forgotten {
            1 => "Forgot 1 stored token".to_owned(),
            n => format!("Forgot {n} stored tokens"),
        };
        match (self.access, self.control) {
            (Some(access), Some(control)) => {
                format!("{total}: {access} access, {control} control (refusal records included).")
            }
            _ => format!("{total}."),
        }
    }
}

impl Run for Logout {
    type Report = Forgotten;
    /// Forgets every stored token with `--all`, else those of this endpoint and login.
    /// Who logs in is needed, not the password: none is asked for.
    async fn run(self, global: &Global) -> Result<Forgotten, Failure> {
        if self.all {
            let (mut access, mut control) = (0, 0);
            if let Some(store) = token_store(global)? {
                // By the tokens' own prefixes: the store may hold others' keys.
                access = store
                    .remove_prefix(meeting::store::ACCESS_TOKEN_PREFIX)
                    .await
                    .map_err(Failure::Store)?;
                control = store
                    .remove_prefix(meeting::store::CONTROL_TOKEN_PREFIX)
                    .await
                    .map_err(Failure::Store)?;
            }
            return Ok(Forgotten {
                forgotten: access + control,
                access: Some(access),
                control: Some(control),
            });
        }
        let forgotten = {
            let login = &self.connection.login;
            let identity = match (&login.account, &login.app_id) {
                (Some(account), _) => Some(Credentials::account(account, String::new())),
                (None, Some(app_id)) => {
                    Some(Credentials::app_id(app(login, app_id, String::new())))
                }
                (None, None) => None,
            };
            client(&self.connection.endpoint, global, identity)?
                .forget_tokens()
                .await
                .map_err(Failure::Store)?
        };
        Ok(Forgotten {
            forgotten,
            access: None,
            control: None,
        })
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Login(Login),
    Logout(Logout),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::Login(c) => emit(global.json, &c.run(global).await?),
            Self::Logout(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
