//! Simultaneous interpretation: interpreter groups, language channels, start and stop.

use clap::{Args, Subcommand};
use meeting::{Interpreter, InterpreterGroup, Language, LanguageChannel};
use meeting_api::operations::{
    RESUME_SIMULTANEOUS_INTERPRETATION, SET_ATTENDEE_LAN_CHANNEL, SET_INTERPRETER_GROUP,
};

use super::{Family, Run};
use crate::args::{Global, Target};
use crate::connect::conference;
use crate::output::{Done, Failure};

/// This family in the help: the command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Simultaneous interpretation",
    commands: &[(
        "interpretation",
        &[
            &SET_INTERPRETER_GROUP,
            &SET_ATTENDEE_LAN_CHANNEL,
            &RESUME_SIMULTANEOUS_INTERPRETATION,
        ],
    )],
};

/// Simultaneous interpretation (in a meeting scheduled with it).
#[derive(Debug, Args)]
pub struct Interpretation {
    #[command(subcommand)]
    command: InterpretationCommand,
}

#[derive(Debug, Subcommand)]
enum InterpretationCommand {
    /// Set the interpreter groups (replacing the ones set before).
    Groups {
        #[command(flatten)]
        target: Target,
        /// A group: LANG-LANG=INTERPRETER[,INTERPRETER…], each interpreter a login
        /// account or `uuid:USER-UUID` (e.g. zh-en=alice,uuid:6e72…).
        #[arg(long = "group", value_name = "GROUP", required = true)]
        groups: Vec<String>,
    },
    /// Put participants on a language channel.
    Channel {
        #[command(flatten)]
        target: Target,
        /// The participant IDs.
        #[arg(required = true)]
        participants: Vec<String>,
        /// The language they hear (a code: zh, en, fr, …).
        #[arg(long)]
        listen: String,
        /// The language they speak into (default: the one they hear).
        #[arg(long)]
        speak: Option<String>,
        /// With the original voice underneath.
        #[arg(long)]
        original_voice: bool,
    },
    /// Start simultaneous interpretation.
    Start {
        #[command(flatten)]
        target: Target,
    },
    /// Stop it.
    Stop {
        #[command(flatten)]
        target: Target,
    },
}

fn language(code: &str) -> Result<Language, Failure> {
    code.parse()
        .map_err(|e: meeting::UnknownLanguage| Failure::Usage(e.to_string()))
}

/// `zh-en=alice,uuid:6e72…`.
fn group(text: &str) -> Result<InterpreterGroup, Failure> {
    let usage = || {
        Failure::Usage(format!(
            "--group is LANG-LANG=INTERPRETER[,INTERPRETER…], not {:?}",
            meeting::printable(text)
        ))
    };
    let (languages, interpreters) = text.split_once('=').ok_or_else(usage)?;
    let (first, second) = languages.split_once('-').ok_or_else(usage)?;
    let mut group = InterpreterGroup::new(language(first)?, language(second)?);
    for who in interpreters.split(',').map(str::trim) {
        group = group.interpreter(match who.strip_prefix("uuid:") {
            Some(uuid) => Interpreter::user(uuid),
            None => Interpreter::account(who),
        });
    }
    Ok(group)
}

impl Run for Interpretation {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        match self.command {
            InterpretationCommand::Groups { target, groups } => {
                let groups = groups
                    .iter()
                    .map(|g| group(g))
                    .collect::<Result<Vec<_>, _>>()?;
                conference(&target, global)?
                    .set_interpreter_groups(&groups)
                    .await?;
                let text = format!("Set {} interpreter group(s).", groups.len());
                Ok(Done::new("interpretation-groups", &target.conference, text))
            }
            InterpretationCommand::Channel {
                target,
                participants,
                listen,
                speak,
                original_voice,
            } => {
                let heard = language(&listen)?;
                let mut channel = LanguageChannel::new(heard);
                if let Some(speak) = &speak {
                    channel = channel.speaking(language(speak)?);
                }
                if original_voice {
                    channel = channel.with_original_voice();
                }
                conference(&target, global)?
                    .set_language_channel(&participants, channel)
                    .await?;
                let text = format!(
                    "{} participant(s) hear {}.",
                    participants.len(),
                    heard.name()
                );
                Ok(Done::new(
                    "interpretation-channel",
                    &target.conference,
                    text,
                ))
            }
            InterpretationCommand::Start { target } => {
                conference(&target, global)?.start_interpretation().await?;
                let text = "Simultaneous interpretation started.".to_owned();
                Ok(Done::new("interpretation-start", &target.conference, text))
            }
            InterpretationCommand::Stop { target } => {
                conference(&target, global)?.stop_interpretation().await?;
                let text = "Simultaneous interpretation stopped.".to_owned();
                Ok(Done::new("interpretation-stop", &target.conference, text))
            }
        }
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Interpretation(Interpretation),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::Interpretation(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
