//! The meeting as a whole: lock, settings, prolong, stop, and its control token.

use clap::Args;
use meeting::{
    AudienceCallInRestriction, CallInRestriction, ChatPermission, LocalRecording, SettingsUpdate,
};
use meeting_api::operations::{
    CREATE_CONF_TOKEN, LOCK_MEETING, PROLONG_MEETING, SHOW_MGMT_SITE_STATUS, STOP_MEETING,
    UPDATE_STARTED_CONF_CONFIG,
};
use serde::Serialize;

use super::{Family, Run};
use crate::args::{Connection, Global, Switch, Target, setting};
use crate::connect::{client, conference, credentials};
use crate::output::{self, Done, Failure, Report};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "The meeting",
    commands: &[
        ("lock", &[&LOCK_MEETING]),
        ("unlock", &[&LOCK_MEETING]),
        ("settings", &[&UPDATE_STARTED_CONF_CONFIG]),
        ("prolong", &[&PROLONG_MEETING]),
        ("stop", &[&STOP_MEETING]),
        ("token", &[&CREATE_CONF_TOKEN]),
        ("site-status", &[&SHOW_MGMT_SITE_STATUS]),
    ],
};

/// Lock a meeting: users can no longer join by themselves.
#[derive(Debug, Args)]
pub struct Lock {
    #[command(flatten)]
    target: Target,
}

impl Run for Lock {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?.lock().await?;
        let id = &self.target.conference;
        Ok(Done::new("lock", id, format!("Locked meeting {id}.")))
    }
}

/// Unlock a meeting.
#[derive(Debug, Args)]
pub struct Unlock {
    #[command(flatten)]
    target: Target,
}

impl Run for Unlock {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?.unlock().await?;
        let id = &self.target.conference;
        Ok(Done::new("unlock", id, format!("Unlocked meeting {id}.")))
    }
}

/// Change settings of a meeting in progress (at least one).
#[derive(Debug, Args)]
pub struct Settings {
    #[command(flatten)]
    target: Target,
    /// Sharing: on locks it to the host, off lets participants share.
    #[arg(long, value_name = "on|off")]
    lock_sharing: Option<Switch>,
    /// Who may join.
    #[arg(long, value_name = "WHO", value_parser = setting!(CallInRestriction))]
    call_in: Option<CallInRestriction>,
    /// Participants unmuting themselves: on allows it, off forbids it.
    #[arg(long, value_name = "on|off")]
    allow_unmute: Option<Switch>,
    /// What participants may chat.
    #[arg(long, value_name = "WHAT", value_parser = setting!(ChatPermission))]
    chat: Option<ChatPermission>,
    /// Who of a webinar's audience may join.
    #[arg(long, value_name = "WHO", value_parser = setting!(AudienceCallInRestriction))]
    audience_call_in: Option<AudienceCallInRestriction>,
    /// Who may record locally.
    #[arg(long, value_name = "WHO", value_parser = setting!(LocalRecording))]
    local_recording: Option<LocalRecording>,
    /// Participants' cameras: on lets them turn theirs on, off forbids it.
    #[arg(long, value_name = "on|off")]
    allow_camera: Option<Switch>,
    /// Renaming: on lets participants rename themselves, off forbids it.
    #[arg(long, value_name = "on|off")]
    allow_rename: Option<Switch>,
    /// The meeting's lock: on locks it (no one joins by themselves), off unlocks it.
    #[arg(long = "lock", value_name = "on|off")]
    locked: Option<Switch>,
    /// Taking over sharing: on lets anyone take it, off keeps it to host and co-hosts.
    #[arg(long, value_name = "on|off")]
    free_share: Option<Switch>,
}

impl Settings {
    /// The update the flags describe.
    fn update(&self) -> Result<SettingsUpdate, Failure> {
        let mut update = SettingsUpdate::new();
        if let Some(v) = self.lock_sharing {
            update = update.lock_sharing(v.on());
        }
        if let Some(v) = self.call_in {
            update = update.call_in(v);
        }
        if let Some(v) = self.allow_unmute {
            update = update.allow_unmute(v.on());
        }
        if let Some(v) = self.chat {
            update = update.chat(v);
        }
        if let Some(v) = self.audience_call_in {
            update = update.audience_call_in(v);
        }
        if let Some(v) = self.local_recording {
            update = update.local_recording(v);
        }
        if let Some(v) = self.allow_camera {
            update = update.allow_camera(v.on());
        }
        if let Some(v) = self.allow_rename {
            update = update.allow_rename(v.on());
        }
        if let Some(v) = self.locked {
            update = update.locked(v.on());
        }
        if let Some(v) = self.free_share {
            update = update.free_share(v.on());
        }
        if update.is_empty() {
            return Err(Failure::Usage(
                "no setting given: pass at least one of --lock-sharing, --call-in, --allow-unmute, --chat, \
                 --audience-call-in, --local-recording, --allow-camera, --allow-rename, --lock, --free-share"
                    .into(),
            ));
        }
        Ok(update)
    }
}

impl Run for Settings {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let update = self.update()?;
        conference(&self.target, global)?
            .update_settings(&update)
            .await?;
        let id = &self.target.conference;
        let text = format!("Updated meeting {id}: {update}.");
        Ok(Done::new("settings", id, text))
    }
}

/// Prolong a meeting in progress.
#[derive(Debug, Args)]
pub struct Prolong {
    #[command(flatten)]
    target: Target,
    /// Minutes to add, 1 to 1440.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1440))]
    minutes: u32,
}

impl Run for Prolong {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .prolong(self.minutes)
            .await?;
        let id = &self.target.conference;
        let text = format!("Prolonged meeting {id} by {} minutes.", self.minutes);
        Ok(Done::new("prolong", id, text))
    }
}

/// End a meeting in progress for everyone.
#[derive(Debug, Args)]
pub struct Stop {
    #[command(flatten)]
    target: Target,
}

impl Run for Stop {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?.stop().await?;
        let id = &self.target.conference;
        Ok(Done::new(
            "stop",
            id,
            format!("Ended meeting {id} for everyone."),
        ))
    }
}

/// Show the meeting control token's role and expiry (the token only with --show-token).
#[derive(Debug, Args)]
pub struct Token {
    #[command(flatten)]
    target: Target,
    /// Also print the token itself (a secret).
    #[arg(long)]
    show_token: bool,
}

/// What the service said about a control token. No `Debug`: it may hold the token.
#[derive(Serialize)]
pub struct TokenReport {
    conference: String,
    role: String,
    valid_for_secs: Option<u64>,
    expires_at: Option<u64>,
    ws_url: Option<String>,
    /// Only with --show-token.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(skip)]
    expires: Option<String>,
    #[serde(skip)]
    valid: Option<String>,
}

impl Run for Token {
    type Report = TokenReport;
    async fn run(self, global: &Global) -> Result<TokenReport, Failure> {
        let info = conference(&self.target, global)?
            .control_token_info()
            .await?;
        Ok(TokenReport {
            conference: self.target.conference,
            role: info.role.to_string(),
            valid_for_secs: info.valid_for.map(|d| d.as_secs()),
            expires_at: info.expires_at.map(output::epoch),
            ws_url: info.ws_url.clone(),
            token: self.show_token.then(|| info.expose_token().to_owned()),
            expires: info.expires_at.map(output::timestamp),
            valid: info.valid_for.map(output::duration),
        })
    }
}

impl Report for TokenReport {
    fn text(&self) -> String {
        let mut text = format!(
            "Control token for meeting {}: {}",
            self.conference, self.role
        );
        if let Some(valid) = &self.valid {
            text.push_str(&format!(", valid {valid}"));
        }
        if let Some(expires) = &self.expires {
            text.push_str(&format!(", expires {expires}"));
        }
        text.push('.');
        if let Some(token) = &self.token {
            text.push_str(&format!("\ntoken: {token}"));
        }
        text
    }
}

/// Show whether the service's management site is failing, and where joins go then.
#[derive(Debug, Args)]
pub struct SiteStatus {
    #[command(flatten)]
    connection: Connection,
}

/// The management site's state: `normal`, `fault` or what the service said.
#[derive(Debug, Serialize)]
pub struct Site {
    status: String,
    redirect_join_url: Option<String>,
}

impl Report for Site {
    fn text(&self) -> String {
        match &self.redirect_join_url {
            Some(url) => format!("The management site: {} (joins go to {url}).", self.status),
            None => format!("The management site: {}.", self.status),
        }
    }
}

impl Run for SiteStatus {
    type Report = Site;
    async fn run(self, global: &Global) -> Result<Site, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let (status, redirect_join_url) = match client.management_site_status().await? {
            meeting::SiteStatus::Normal => ("normal".to_owned(), None),
            meeting::SiteStatus::Fault { redirect_join_url } => {
                ("fault".to_owned(), redirect_join_url)
            }
            meeting::SiteStatus::Other(status) => {
                (status.unwrap_or_else(|| "unknown".into()), None)
            }
            _ => ("unknown".to_owned(), None),
        };
        Ok(Site {
            status,
            redirect_join_url,
        })
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Lock(Lock),
    Unlock(Unlock),
    Settings(Settings),
    Prolong(Prolong),
    Stop(Stop),
    Token(Token),
    SiteStatus(SiteStatus),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::Lock(c) => emit(global.json, &c.run(global).await?),
            Self::Unlock(c) => emit(global.json, &c.run(global).await?),
            Self::Settings(c) => emit(global.json, &c.run(global).await?),
            Self::Prolong(c) => emit(global.json, &c.run(global).await?),
            Self::Stop(c) => emit(global.json, &c.run(global).await?),
            Self::Token(c) => emit(global.json, &c.run(global).await?),
            Self::SiteStatus(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
