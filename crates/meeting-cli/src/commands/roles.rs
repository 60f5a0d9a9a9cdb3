//! Roles and hands: the host role handed over, co-hosts, names, raised hands.

use clap::{Args, Subcommand};
use meeting_api::operations::{BATCH_HAND, HAND, RENAME_PARTICIPANT, SET_COHOST, SET_ROLE};

use super::{Family, Run};
use crate::args::{Global, Target};
use crate::connect::conference;
use crate::output::{Done, Failure};
use crate::secrets;

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Roles and hands",
    commands: &[
        ("role", &[&SET_ROLE, &SET_COHOST]),
        ("rename", &[&RENAME_PARTICIPANT]),
        ("hand", &[&HAND, &BATCH_HAND]),
    ],
};

/// A participant's role: give or release the host role, name or revoke a co-host.
#[derive(Debug, Args)]
pub struct Role {
    #[command(subcommand)]
    command: RoleCommand,
}

#[derive(Debug, Subcommand)]
enum RoleCommand {
    /// Give a participant the host role (the host password is sent with it; refused
    /// while another participant holds it).
    Host(OneParticipant),
    /// Release a participant's host role.
    Release(OneParticipant),
    /// Make a participant a co-host (--off revokes it).
    Cohost {
        #[command(flatten)]
        who: OneParticipant,
        /// Revoke the co-host role instead.
        #[arg(long)]
        off: bool,
    },
}

/// A conference and one of its participants.
#[derive(Debug, Args)]
struct OneParticipant {
    #[command(flatten)]
    target: Target,
    /// The participant ID (`meeting participants`).
    participant: String,
}

impl Run for Role {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let (who, text) = match self.command {
            RoleCommand::Host(who) => {
                // Sent in the body even when a control token authorizes the call.
                let password = secrets::require(
                    "host password",
                    "MEETING_HOST_PASSWORD",
                    who.target.host_password.host_password_file.as_deref(),
                    "--host-password-file",
                )?;
                conference(&who.target, global)?
                    .participant(&who.participant)
                    .make_host(password)
                    .await?;
                let text = format!("{} holds the host role.", who.participant);
                (who, text)
            }
            RoleCommand::Release(who) => {
                conference(&who.target, global)?
                    .participant(&who.participant)
                    .release_host()
                    .await?;
                let text = format!("{} released the host role.", who.participant);
                (who, text)
            }
            RoleCommand::Cohost { who, off } => {
                conference(&who.target, global)?
                    .participant(&who.participant)
                    .co_host(!off)
                    .await?;
                let text = if off {
                    format!("{} is no longer a co-host.", who.participant)
                } else {
                    format!("{} is a co-host.", who.participant)
                };
                (who, text)
            }
        };
        Ok(Done::new(
            "role",
            &who.target.conference,
            meeting::printable(&text),
        ))
    }
}

/// Change a participant's display name.
#[derive(Debug, Args)]
pub struct Rename {
    #[command(flatten)]
    target: Target,
    /// The participant ID.
    participant: String,
    /// The new name (1 to 64 characters).
    name: String,
}

impl Run for Rename {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .participant(&self.participant)
            .rename(&self.name)
            .await?;
        let text = format!("{} is now {:?}.", self.participant, self.name);
        Ok(Done::new(
            "rename",
            &self.target.conference,
            meeting::printable(&text),
        ))
    }
}

/// Raise or lower participants' hands.
#[derive(Debug, Args)]
pub struct Hand {
    #[command(subcommand)]
    command: HandCommand,
}

#[derive(Debug, Subcommand)]
enum HandCommand {
    /// Raise the hands of these participants (all or none).
    Raise(Hands),
    /// Lower the hands of these participants (all or none).
    Lower(Hands),
}

#[derive(Debug, Args)]
struct Hands {
    #[command(flatten)]
    target: Target,
    /// The participant IDs.
    #[arg(required = true)]
    participants: Vec<String>,
}

impl Run for Hand {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let (hands, raise) = match self.command {
            HandCommand::Raise(hands) => (hands, true),
            HandCommand::Lower(hands) => (hands, false),
        };
        let meeting = conference(&hands.target, global)?;
        match hands.participants.as_slice() {
            [one] if raise => meeting.participant(one).raise_hand().await?,
            [one] => meeting.participant(one).lower_hand().await?,
            many => {
                let ids: Vec<&str> = many.iter().map(String::as_str).collect();
                if raise {
                    meeting.raise_hands(&ids).await?;
                } else {
                    meeting.lower_hands(&ids).await?;
                }
            }
        }
        let verb = if raise { "Raised" } else { "Lowered" };
        let text = format!("{verb} the hand of {}.", hands.participants.join(", "));
        Ok(Done::new(
            "hand",
            &hands.target.conference,
            meeting::printable(&text),
        ))
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Role(Role),
    Rename(Rename),
    Hand(Hand),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::Role(c) => emit(global.json, &c.run(global).await?),
            Self::Rename(c) => emit(global.json, &c.run(global).await?),
            Self::Hand(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
