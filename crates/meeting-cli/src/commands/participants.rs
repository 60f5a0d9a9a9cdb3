//! One participant at a time, and who is in the meeting: the participant list, muting,
//! inviting, hanging up, and a terminal's video source.

use clap::Args;
use meeting::{Invitee, LiveMeeting, LiveRole};
use meeting_api::operations::{
    CREATE_ANONYMOUS_AUTH_RANDOM, CREATE_AUTH_RANDOM, HANG_UP, INVITE_PARTICIPANT, INVITE_WITH_PWD,
    LOCK_VIEW, MUTE_MEETING, MUTE_PARTICIPANT, SHOW_REAL_TIME_INFO_OF_MEETING,
};
use serde::Serialize;

use super::{Family, Run};
use crate::args::{Global, Switch, Target};
use crate::connect::{client, conference, credentials, host_password};
use crate::output::{Done, Failure, Report};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Participants",
    commands: &[
        ("participants", &[&SHOW_REAL_TIME_INFO_OF_MEETING]),
        ("mute", &[&MUTE_MEETING, &MUTE_PARTICIPANT]),
        ("unmute", &[&MUTE_MEETING, &MUTE_PARTICIPANT]),
        ("invite", &[&INVITE_PARTICIPANT, &INVITE_WITH_PWD]),
        ("hang-up", &[&HANG_UP]),
        ("lock-view", &[&LOCK_VIEW]),
        ("unlock-view", &[&LOCK_VIEW]),
        (
            "random",
            &[&CREATE_AUTH_RANDOM, &CREATE_ANONYMOUS_AUTH_RANDOM],
        ),
    ],
};

/// Show who is in a meeting in progress: participant IDs, names, roles, mute.
#[derive(Debug, Args)]
pub struct Participants {
    #[command(flatten)]
    target: Target,
}

/// Who is in a meeting.
#[derive(Debug, Serialize)]
pub struct ParticipantList {
    conference: String,
    participants: Vec<ParticipantRow>,
}

/// One participant online.
#[derive(Debug, Serialize)]
struct ParticipantRow {
    id: String,
    name: Option<String>,
    phone: Option<String>,
    role: &'static str,
    muted: Option<bool>,
    hand_raised: Option<bool>,
}

impl ParticipantList {
    fn new(conference: String, live: LiveMeeting) -> Self {
        let participants = live
            .participants
            .into_iter()
            .map(|p| ParticipantRow {
                role: match p.role {
                    LiveRole::Host => "host",
                    LiveRole::CoHost => "co-host",
                    _ => "participant",
                },
                id: p.id,
                name: p.name,
                phone: p.phone,
                muted: p.muted,
                hand_raised: p.hand_raised,
            })
            .collect();
        Self {
            conference,
            participants,
        }
    }
}

impl Report for ParticipantList {
    fn text(&self) -> String {
        let mut text = format!(
            "{} participant(s) in meeting {}:",
            self.participants.len(),
            self.conference
        );
        for p in &self.participants {
            text.push_str(&format!(
                "\n  {:<34} {:<12} {:<6} {}",
                p.id,
                p.role,
                if p.muted == Some(true) { "muted" } else { "" },
                meeting::printable(p.name.as_deref().unwrap_or(""))
            ));
        }
        text
    }
}

impl Run for Participants {
    type Report = ParticipantList;
    async fn run(self, global: &Global) -> Result<ParticipantList, Failure> {
        let live = conference(&self.target, global)?.live().await?;
        Ok(ParticipantList::new(self.target.conference, live))
    }
}

/// Mute everyone but the host, or one participant with --participant.
#[derive(Debug, Args)]
pub struct Mute {
    #[command(flatten)]
    target: Target,
    /// Mute only this participant.
    #[arg(long, value_name = "ID")]
    participant: Option<String>,
    /// Whether the muted may unmute themselves (everyone only; default on).
    #[arg(long, value_name = "on|off", conflicts_with = "participant")]
    allow_unmute: Option<Switch>,
}

impl Run for Mute {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let meeting = conference(&self.target, global)?;
        let id = &self.target.conference;
        let text = match &self.participant {
            Some(p) => {
                meeting.participant(p).mute().await?;
                format!("Muted participant {p} in meeting {id}.")
            }
            None => {
                let allow = self.allow_unmute.is_none_or(Switch::on);
                meeting.mute_all(allow).await?;
                format!("Muted everyone but the host in meeting {id}.")
            }
        };
        Ok(Done::new("mute", id, text))
    }
}

/// Unmute everyone, or one participant with --participant.
#[derive(Debug, Args)]
pub struct Unmute {
    #[command(flatten)]
    target: Target,
    /// Unmute only this participant.
    #[arg(long, value_name = "ID")]
    participant: Option<String>,
}

impl Run for Unmute {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let meeting = conference(&self.target, global)?;
        let id = &self.target.conference;
        let text = match &self.participant {
            Some(p) => {
                meeting.participant(p).unmute().await?;
                format!("Unmuted participant {p} in meeting {id}.")
            }
            None => {
                meeting.unmute_all().await?;
                format!("Unmuted everyone in meeting {id}.")
            }
        };
        Ok(Done::new("unmute", id, text))
    }
}

/// Call someone into a meeting in progress.
#[derive(Debug, Args)]
pub struct Invite {
    #[command(flatten)]
    target: Target,
    /// The number (or SIP URI) to call.
    #[arg(long)]
    phone: String,
    /// The name shown in the meeting.
    #[arg(long, conflicts_with = "with_password")]
    name: Option<String>,
    /// Send the meeting's password (the host's or the guests', given as the host
    /// password is) with the access token instead of a control token.
    #[arg(long)]
    with_password: bool,
}

impl Run for Invite {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        if self.with_password {
            let password = host_password(&self.target)?;
            conference(&self.target, global)?
                .invite_with_password(&self.phone, &password)
                .await?;
            let (id, phone) = (&self.target.conference, &self.phone);
            return Ok(Done::new(
                "invite",
                id,
                format!("Called {phone} into meeting {id}."),
            ));
        }
        let mut invitee = Invitee::phone(&self.phone);
        if let Some(name) = &self.name {
            invitee = invitee.name(name);
        }
        conference(&self.target, global)?.invite(&[invitee]).await?;
        let id = &self.target.conference;
        let text = format!("Called {} into meeting {id}.", self.phone);
        Ok(Done::new("invite", id, text))
    }
}

/// Hang up a participant.
#[derive(Debug, Args)]
pub struct HangUp {
    #[command(flatten)]
    target: Target,
    /// The participant (see `meeting participants`).
    #[arg(long, value_name = "ID")]
    participant: String,
}

impl Run for HangUp {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .participant(&self.participant)
            .hang_up()
            .await?;
        let id = &self.target.conference;
        let text = format!("Hung up participant {} in meeting {id}.", self.participant);
        Ok(Done::new("hang-up", id, text))
    }
}

/// Lock a professional terminal's view to a video source.
#[derive(Debug, Args)]
pub struct LockView {
    #[command(flatten)]
    target: Target,
    /// The professional terminal.
    #[arg(long, value_name = "ID")]
    participant: String,
    /// Whose video source to lock to (default: the terminal's own).
    #[arg(long, value_name = "ID")]
    source: Option<String>,
}

impl Run for LockView {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let source = self.source.as_deref().unwrap_or(&self.participant);
        conference(&self.target, global)?
            .participant(&self.participant)
            .lock_video_to(source)
            .await?;
        let id = &self.target.conference;
        let text = format!(
            "Locked the view of terminal {} in meeting {id} to the video of {source}.",
            self.participant
        );
        Ok(Done::new("lock-view", id, text))
    }
}

/// Unlock a professional terminal's view.
#[derive(Debug, Args)]
pub struct UnlockView {
    #[command(flatten)]
    target: Target,
    /// The professional terminal.
    #[arg(long, value_name = "ID")]
    participant: String,
}

impl Run for UnlockView {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .participant(&self.participant)
            .unlock_video()
            .await?;
        let id = &self.target.conference;
        let text = format!(
            "Unlocked the view of terminal {} in meeting {id}.",
            self.participant
        );
        Ok(Done::new("unlock-view", id, text))
    }
}

/// Issue a one-time join credential (a random) for a meeting, with its password (the
/// host's or the guests', given as the host password is).
#[derive(Debug, Args)]
pub struct Random {
    #[command(flatten)]
    target: Target,
    /// For someone without an account (CreateAnonymousAuthRandom).
    #[arg(long)]
    anonymous: bool,
    /// Guests see a waiting page before the meeting.
    #[arg(long, conflicts_with = "anonymous")]
    guest_waiting: bool,
    /// Also print the random itself (a secret).
    #[arg(long)]
    show_random: bool,
}

/// A random issued. No `Debug`: it may hold the random.
#[derive(Serialize)]
pub struct RandomReport {
    conference: String,
    site_url: Option<String>,
    subject: Option<String>,
    needs_password: Option<bool>,
    /// Only with --show-random.
    #[serde(skip_serializing_if = "Option::is_none")]
    random: Option<String>,
}

impl Report for RandomReport {
    fn text(&self) -> String {
        let mut text = format!(
            "A join random for meeting {} (valid once).",
            meeting::printable(&self.conference)
        );
        if let Some(url) = &self.site_url {
            text.push_str(&format!(
                " The join continues at {}.",
                meeting::printable(url)
            ));
        }
        if let Some(random) = &self.random {
            text.push_str(&format!("\n{random}"));
        }
        text
    }
}

impl Run for Random {
    type Report = RandomReport;
    async fn run(self, global: &Global) -> Result<RandomReport, Failure> {
        let login = Some(credentials(&self.target.login)?);
        let meeting = client(&self.target.endpoint, global, login)?
            .conference(&self.target.conference)
            .with_host_password(host_password(&self.target)?);
        let random = if self.anonymous {
            meeting.anonymous_join_random().await?
        } else {
            meeting.join_random(self.guest_waiting).await?
        };
        Ok(RandomReport {
            conference: self.target.conference,
            site_url: random.site_url.clone(),
            subject: random.subject.clone(),
            needs_password: random.needs_password,
            random: self.show_random.then(|| random.expose_random().to_owned()),
        })
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    LockView(LockView),
    UnlockView(UnlockView),
    Participants(Participants),
    Mute(Mute),
    Unmute(Unmute),
    Invite(Invite),
    HangUp(HangUp),
    Random(Random),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::LockView(c) => emit(global.json, &c.run(global).await?),
            Self::UnlockView(c) => emit(global.json, &c.run(global).await?),
            Self::Participants(c) => emit(global.json, &c.run(global).await?),
            Self::Mute(c) => emit(global.json, &c.run(global).await?),
            Self::Unmute(c) => emit(global.json, &c.run(global).await?),
            Self::Invite(c) => emit(global.json, &c.run(global).await?),
            Self::HangUp(c) => emit(global.json, &c.run(global).await?),
            Self::Random(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
