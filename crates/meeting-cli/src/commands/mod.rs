//! The commands, one module per family, each command a type that runs and answers a
//! value ([`Report`]) printed as text or, with --json, as JSON.
//!
//! Naming: a command is `meeting <verb>` when it acts on the meeting as a whole or is
//! the one command of its kind (`lock`, `stop`, `create`), and `meeting <noun> <verb>`
//! for a family of several operations on one thing (`meeting record start|stop`,
//! `meeting layout set|save|list|delete`, `meeting webhook …`). Today's flat names stay.
//! The help lists the commands by family ([`FAMILIES`]).

// The families (the spec's tags), then the commands that are not an operation's: the
// event stream and the fleet.
mod archive;
mod auth;
mod control;
mod display;
mod history;
mod interpretation;
mod management;
mod participants;
mod quality;
mod recording;
mod roles;
mod search;
mod spotlight;
mod waiting;
mod webhook;
mod webinar;

mod events;
mod fleet;

use clap::Subcommand;
use meeting_api::table::Operation;
use meeting_sim::cli::SimArgs;

use crate::args::Global;
use crate::output::{Failure, Report};

/// A command: runs with the global options and answers what it did.
pub trait Run {
    /// What the command answers.
    type Report: Report;
    /// Runs the command.
    async fn run(self, global: &Global) -> Result<Self::Report, Failure>;
}

/// A family of commands: its heading in the help, and each command with the operations
/// of the spec it sends (beyond the login and the control token any command may need).
pub struct Family {
    pub heading: &'static str,
    pub commands: &'static [(&'static str, &'static [&'static Operation])],
}

/// The commands by family, in the order the help lists them.
pub const FAMILIES: &[Family] = &[
    control::FAMILY,
    participants::FAMILY,
    roles::FAMILY,
    spotlight::FAMILY,
    waiting::FAMILY,
    recording::FAMILY,
    display::FAMILY,
    interpretation::FAMILY,
    management::FAMILY,
    search::FAMILY,
    quality::FAMILY,
    webinar::FAMILY,
    events::FAMILY,
    webhook::FAMILY,
    auth::FAMILY,
    Family {
        heading: "Tools",
        commands: &[
            ("sim", &[]),
            ("demo", &[]),
            ("completions", &[]),
            ("man", &[]),
            ("help", &[]),
        ],
    },
];

#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(flatten)]
    Control(control::Commands),
    #[command(flatten)]
    Participants(participants::Commands),
    #[command(flatten)]
    Management(management::Commands),
    #[command(flatten)]
    Roles(roles::Commands),
    #[command(flatten)]
    Spotlight(spotlight::Commands),
    #[command(flatten)]
    Waiting(waiting::Commands),
    #[command(flatten)]
    Recording(recording::Commands),
    #[command(flatten)]
    Display(display::Commands),
    #[command(flatten)]
    Interpretation(interpretation::Commands),
    #[command(flatten)]
    Search(search::Commands),
    #[command(flatten)]
    History(history::Commands),
    #[command(flatten)]
    Archive(archive::Commands),
    #[command(flatten)]
    Quality(quality::Commands),
    #[command(flatten)]
    Events(events::Commands),
    #[command(flatten)]
    Webhook(webhook::Commands),
    #[command(flatten)]
    Webinar(webinar::Commands),
    #[command(flatten)]
    Auth(auth::Commands),
    /// Run the simulator (the same options as `meeting-sim`).
    Sim(SimArgs),
    /// Run the whole flow on an embedded simulator, printing each step.
    Demo,
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `meeting man > meeting.1`.
    Man,
}

/// Runs `command` and prints what it answers.
pub async fn run(command: Command, global: &Global) -> Result<(), Failure> {
    match command {
        Command::Control(c) => c.run(global).await?,
        Command::Participants(c) => c.run(global).await?,
        Command::Management(c) => c.run(global).await?,
        Command::Roles(c) => c.run(global).await?,
        Command::Spotlight(c) => c.run(global).await?,
        Command::Waiting(c) => c.run(global).await?,
        Command::Recording(c) => c.run(global).await?,
        Command::Display(c) => c.run(global).await?,
        Command::Interpretation(c) => c.run(global).await?,
        Command::Search(c) => c.run(global).await?,
        Command::Webinar(c) => c.run(global).await?,
        Command::History(c) => c.run(global).await?,
        Command::Archive(c) => c.run(global).await?,
        Command::Quality(c) => c.run(global).await?,
        Command::Events(c) => c.run(global).await?,
        Command::Webhook(c) => c.run(global).await?,
        Command::Auth(c) => c.run(global).await?,
        Command::Sim(args) => args
            .run()
            .await
            .map_err(|e| Failure::Usage(format!("{e:#}")))?,
        Command::Demo => meeting_demo::run().await.map_err(|failure| match failure {
            meeting_demo::Failure::Call(error) => Failure::Call(error),
            meeting_demo::Failure::Usage(what) => Failure::Usage(what),
        })?,
        // Printed by `main` from the help's command, before a runtime starts.
        Command::Completions { .. } | Command::Man => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_modules_are_the_spec_families() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
        // Not families: the event stream (`watch`) and the fleet.
        let checked = meeting_api::table::check_family_modules(&dir, &[], &["events", "fleet"]);
        assert_eq!(checked, Ok(()));
    }
}
