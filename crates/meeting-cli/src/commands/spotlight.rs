//! The spotlight and requests to one participant (roll call, broadcast, sharing,
//! camera, local recording), and the meeting's audience, guests and attendees.

use clap::{Args, Subcommand};
use meeting::AttendeeRef;
use meeting_api::operations::{
    ALLOW_AUDIENCE_JOIN, ALLOW_CLIENT_RECORD, ALLOW_GUEST_UNMUTE, BROADCAST_PARTICIPANT,
    CANCEL_BROADCAST, DELETE_ATTENDEES, INVITE_OPERATE_VIDEO, INVITE_SHARE, ROLLCALL_PARTICIPANT,
};

use super::{Family, Run};
use crate::args::{Global, Switch, Target};
use crate::connect::conference;
use crate::output::{Done, Failure};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Spotlight and requests",
    commands: &[
        ("roll-call", &[&ROLLCALL_PARTICIPANT]),
        ("broadcast", &[&BROADCAST_PARTICIPANT, &CANCEL_BROADCAST]),
        ("ask", &[&INVITE_SHARE, &INVITE_OPERATE_VIDEO]),
        ("local-recording", &[&ALLOW_CLIENT_RECORD]),
        ("audience", &[&ALLOW_AUDIENCE_JOIN]),
        ("guests-unmute", &[&ALLOW_GUEST_UNMUTE]),
        ("remove-attendees", &[&DELETE_ATTENDEES]),
    ],
};

/// Call on a participant: everyone sees and hears them.
#[derive(Debug, Args)]
pub struct RollCall {
    #[command(flatten)]
    target: Target,
    /// The participant ID.
    participant: String,
}

impl Run for RollCall {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .participant(&self.participant)
            .roll_call()
            .await?;
        let text = format!("Called on {}.", self.participant);
        Ok(Done::new(
            "roll-call",
            &self.target.conference,
            meeting::printable(&text),
        ))
    }
}

/// Show a participant to everyone, or end the broadcast with --cancel.
#[derive(Debug, Args)]
pub struct Broadcast {
    #[command(flatten)]
    target: Target,
    /// The participant ID (not with --cancel).
    #[arg(required_unless_present = "cancel", conflicts_with = "cancel")]
    participant: Option<String>,
    /// End the broadcast.
    #[arg(long)]
    cancel: bool,
}

impl Run for Broadcast {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let meeting = conference(&self.target, global)?;
        let text = match &self.participant {
            Some(p) => {
                meeting.participant(p).broadcast().await?;
                format!("Broadcasting {p}.")
            }
            None => {
                meeting.cancel_broadcast().await?;
                "The broadcast is over.".to_owned()
            }
        };
        Ok(Done::new(
            "broadcast",
            &self.target.conference,
            meeting::printable(&text),
        ))
    }
}

/// Ask a participant to share or stop sharing, or to turn the camera on or off.
#[derive(Debug, Args)]
pub struct Ask {
    #[command(subcommand)]
    request: Request,
}

#[derive(Debug, Subcommand)]
enum Request {
    /// Invite the participant to share their screen.
    Share(OneParticipant),
    /// Withdraw the invitation to share.
    StopSharing(OneParticipant),
    /// Ask the participant to turn the camera on.
    CameraOn(OneParticipant),
    /// Ask the participant to turn the camera off.
    CameraOff(OneParticipant),
}

#[derive(Debug, Args)]
struct OneParticipant {
    #[command(flatten)]
    target: Target,
    /// The participant ID.
    participant: String,
}

impl Run for Ask {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        // What is asked: the share invitation or the camera, on or off.
        let (who, share, on, what) = match self.request {
            Request::Share(who) => (who, true, true, "share"),
            Request::StopSharing(who) => (who, true, false, "stop sharing"),
            Request::CameraOn(who) => (who, false, true, "turn the camera on"),
            Request::CameraOff(who) => (who, false, false, "turn the camera off"),
        };
        let meeting = conference(&who.target, global)?;
        let participant = meeting.participant(&who.participant);
        if share {
            participant.invite_to_share(on).await?;
        } else {
            participant.ask_camera(on).await?;
        }
        let text = format!("Asked {} to {what}.", who.participant);
        Ok(Done::new(
            "ask",
            &who.target.conference,
            meeting::printable(&text),
        ))
    }
}

/// Let a participant record the meeting on their client, or not.
#[derive(Debug, Args)]
pub struct LocalRecording {
    #[command(flatten)]
    target: Target,
    /// The participant ID.
    participant: String,
    /// on: allowed; off: not.
    #[arg(value_enum)]
    allowed: Switch,
}

impl Run for LocalRecording {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .participant(&self.participant)
            .allow_local_recording(self.allowed.on())
            .await?;
        let text = if self.allowed.on() {
            format!("{} may record locally.", self.participant)
        } else {
            format!("{} may not record locally.", self.participant)
        };
        Ok(Done::new(
            "local-recording",
            &self.target.conference,
            meeting::printable(&text),
        ))
    }
}

/// Let the audience (webinar viewers) join, or not.
#[derive(Debug, Args)]
pub struct Audience {
    #[command(flatten)]
    target: Target,
    /// on: the audience may join; off: not.
    #[arg(value_enum)]
    allowed: Switch,
}

impl Run for Audience {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .allow_audience(self.allowed.on())
            .await?;
        let text = if self.allowed.on() {
            "The audience may join."
        } else {
            "The audience may not join."
        };
        Ok(Done::new(
            "audience",
            &self.target.conference,
            text.to_owned(),
        ))
    }
}

/// Whether muted guests may unmute themselves.
#[derive(Debug, Args)]
pub struct GuestsUnmute {
    #[command(flatten)]
    target: Target,
    /// on: guests may unmute themselves; off: not.
    #[arg(value_enum)]
    allowed: Switch,
}

impl Run for GuestsUnmute {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        conference(&self.target, global)?
            .allow_guests_to_unmute(self.allowed.on())
            .await?;
        let text = if self.allowed.on() {
            "Guests may unmute themselves."
        } else {
            "Guests may not unmute themselves."
        };
        Ok(Done::new(
            "guests-unmute",
            &self.target.conference,
            text.to_owned(),
        ))
    }
}

/// Remove attendees from the meeting (all or none), by participant ID or --number.
#[derive(Debug, Args)]
pub struct RemoveAttendees {
    #[command(flatten)]
    target: Target,
    /// Participant IDs.
    participants: Vec<String>,
    /// An attendee by number (repeat for more).
    #[arg(long = "number", value_name = "NUMBER")]
    numbers: Vec<String>,
}

impl Run for RemoveAttendees {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let attendees: Vec<AttendeeRef> = self
            .participants
            .iter()
            .cloned()
            .map(AttendeeRef::Participant)
            .chain(self.numbers.iter().cloned().map(AttendeeRef::Number))
            .collect();
        if attendees.is_empty() {
            return Err(Failure::Usage(
                "name at least one participant or --number".into(),
            ));
        }
        conference(&self.target, global)?
            .remove_attendees(&attendees)
            .await?;
        let text = format!("Removed {} attendee(s).", attendees.len());
        Ok(Done::new("remove-attendees", &self.target.conference, text))
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    RollCall(RollCall),
    Broadcast(Broadcast),
    Ask(Ask),
    LocalRecording(LocalRecording),
    Audience(Audience),
    GuestsUnmute(GuestsUnmute),
    RemoveAttendees(RemoveAttendees),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::RollCall(c) => emit(global.json, &c.run(global).await?),
            Self::Broadcast(c) => emit(global.json, &c.run(global).await?),
            Self::Ask(c) => emit(global.json, &c.run(global).await?),
            Self::LocalRecording(c) => emit(global.json, &c.run(global).await?),
            Self::Audience(c) => emit(global.json, &c.run(global).await?),
            Self::GuestsUnmute(c) => emit(global.json, &c.run(global).await?),
            Self::RemoveAttendees(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
