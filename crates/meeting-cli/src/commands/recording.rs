//! Recording, live streaming and pause.

use clap::{Args, Subcommand};
use meeting::MmrRecording;
use meeting_api::operations::{LIVE, PAUSE_CONFERENCE, RECORD, SET_MMR_LIVE, SET_MMR_RECORD};

use super::{Family, Run};
use crate::args::{Global, Switch, Target};
use crate::connect::conference;
use crate::output::{Done, Failure};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Recording and live streaming",
    commands: &[
        ("record", &[&RECORD, &SET_MMR_RECORD]),
        ("live", &[&LIVE, &SET_MMR_LIVE]),
        ("pause", &[&PAUSE_CONFERENCE]),
    ],
};

/// Start, pause (MMR meetings) or stop recording a meeting.
#[derive(Debug, Args)]
pub struct Record {
    #[command(subcommand)]
    action: RecordAction,
}

#[derive(Debug, Subcommand)]
enum RecordAction {
    /// Start recording.
    Start(Recorded),
    /// Pause the recording (MMR meetings: needs --mmr).
    Pause(Recorded),
    /// Stop recording.
    Stop(Recorded),
}

#[derive(Debug, Args)]
struct Recorded {
    #[command(flatten)]
    target: Target,
    /// An MMR (cloud) meeting: SetMmrRecord instead of Record.
    #[arg(long)]
    mmr: bool,
}

impl Run for Record {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let (recorded, action) = match self.action {
            RecordAction::Start(r) => (r, MmrRecording::Start),
            RecordAction::Pause(r) => (r, MmrRecording::Pause),
            RecordAction::Stop(r) => (r, MmrRecording::Stop),
        };
        if action == MmrRecording::Pause && !recorded.mmr {
            return Err(Failure::Usage(
                "only an MMR meeting's recording pauses: add --mmr".into(),
            ));
        }
        let meeting = conference(&recorded.target, global)?;
        match (recorded.mmr, action) {
            (true, action) => meeting.mmr_recording(action).await?,
            (false, MmrRecording::Start) => meeting.start_recording().await?,
            (false, _) => meeting.stop_recording().await?,
        }
        let text = match action {
            MmrRecording::Start => "Recording.",
            MmrRecording::Pause => "The recording is paused.",
            MmrRecording::Stop => "The recording is stopped.",
        };
        Ok(Done::new(
            "record",
            &recorded.target.conference,
            text.to_owned(),
        ))
    }
}

/// Start or stop a meeting's live stream.
#[derive(Debug, Args)]
pub struct Live {
    #[command(flatten)]
    target: Target,
    /// on: start the stream; off: stop it.
    #[arg(value_enum)]
    state: Switch,
    /// An MMR (cloud) meeting: SetMmrLive instead of Live.
    #[arg(long)]
    mmr: bool,
}

impl Run for Live {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let meeting = conference(&self.target, global)?;
        if self.mmr {
            meeting.mmr_live_stream(self.state.on()).await?;
        } else {
            meeting.live_stream(self.state.on()).await?;
        }
        let text = if self.state.on() {
            "Streaming live."
        } else {
            "The live stream is stopped."
        };
        Ok(Done::new("live", &self.target.conference, text.to_owned()))
    }
}

/// Pause a meeting (everyone muted, a pause screen) or resume it.
#[derive(Debug, Args)]
pub struct Pause {
    #[command(flatten)]
    target: Target,
    /// on: pause; off: resume.
    #[arg(value_enum)]
    state: Switch,
}

impl Run for Pause {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .pause(self.state.on())
            .await?;
        let text = if self.state.on() {
            "The meeting is paused."
        } else {
            "The meeting is resumed."
        };
        Ok(Done::new("pause", &self.target.conference, text.to_owned()))
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Record(Record),
    Live(Live),
    Pause(Pause),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::Record(c) => emit(global.json, &c.run(global).await?),
            Self::Live(c) => emit(global.json, &c.run(global).await?),
            Self::Pause(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
