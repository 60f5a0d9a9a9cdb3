//! The waiting room: admit participants (one, or all), move participants into it.

use clap::{Args, Subcommand};
use meeting_api::operations::{
    ALLOW_WAITING_PARTICIPANT, BATCH_MOVE_TO_WAITING_ROOM, MOVE_TO_WAITING_ROOM,
};

use super::{Family, Run};
use crate::args::{Global, Target};
use crate::connect::conference;
use crate::output::{Done, Failure};

/// This family in the help: the command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Waiting room",
    commands: &[(
        "waiting-room",
        &[
            &ALLOW_WAITING_PARTICIPANT,
            &MOVE_TO_WAITING_ROOM,
            &BATCH_MOVE_TO_WAITING_ROOM,
        ],
    )],
};

/// The waiting room: admit participants from it, or move participants into it.
#[derive(Debug, Args)]
pub struct WaitingRoom {
    #[command(subcommand)]
    command: WaitingCommand,
}

#[derive(Debug, Subcommand)]
enum WaitingCommand {
    /// Let a participant in from the waiting room (--all: everyone waiting).
    Admit {
        #[command(flatten)]
        target: Target,
        /// The participant ID (not with --all).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        participant: Option<String>,
        /// Everyone waiting.
        #[arg(long)]
        all: bool,
    },
    /// Move participants from the meeting into the waiting room (all or none).
    Move {
        #[command(flatten)]
        target: Target,
        /// The participant IDs.
        #[arg(required = true)]
        participants: Vec<String>,
    },
}

impl Run for WaitingRoom {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        match self.command {
            WaitingCommand::Admit {
                target,
                participant,
                ..
            } => {
                let meeting = conference(&target, global)?;
                let text = match &participant {
                    Some(p) => {
                        meeting.participant(p).admit().await?;
                        format!("Admitted {p}.")
                    }
                    None => {
                        meeting.admit_all().await?;
                        "Admitted everyone waiting.".to_owned()
                    }
                };
                Ok(Done::new(
                    "admit",
                    &target.conference,
                    meeting::printable(&text),
                ))
            }
            WaitingCommand::Move {
                target,
                participants,
            } => {
                let meeting = conference(&target, global)?;
                match participants.as_slice() {
                    [one] => meeting.participant(one).to_waiting_room().await?,
                    many => {
                        let ids: Vec<&str> = many.iter().map(String::as_str).collect();
                        meeting.to_waiting_room(&ids).await?;
                    }
                }
                let text = format!("Moved {} to the waiting room.", participants.join(", "));
                Ok(Done::new(
                    "move",
                    &target.conference,
                    meeting::printable(&text),
                ))
            }
        }
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    WaitingRoom(WaitingRoom),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::WaitingRoom(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
