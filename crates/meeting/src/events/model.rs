//! What the stream reports, as Rust values: the events, the meeting they describe, and
//! their one serialized form (a `type` tag, the meeting, the fields), which
//! `meeting watch --json` prints.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A notification type of the meeting-control WebSocket (its `subscribeType`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Notification {
    /// `ConfBasicInfoNotify`: subject, times, scheduler ([`MeetingInfo`]).
    BasicInfo,
    /// `ConfDynamicInfoNotify`: lock, mute, recording, state ([`MeetingStatus`]).
    Status,
    /// `ParticipantsNotify`: who is online ([`ParticipantInfo`]).
    Participants,
    /// `SpeakerChangeNotify`: the loudest speakers ([`Speaker`]).
    Speakers,
    /// `InviteResultNotify`: the outcome of calls and why participants left.
    InviteResults,
    /// `WaitingListNotify`: who is in the waiting room ([`WaitingParticipant`]).
    WaitingList,
    /// A type this version does not decode (its frames arrive as
    /// [`EventKind::Unknown`]).
    Other(String),
}

impl Notification {
    /// The types this version decodes, in the order they are subscribed.
    pub const KNOWN: [Notification; 6] = [
        Self::BasicInfo,
        Self::Status,
        Self::Participants,
        Self::Speakers,
        Self::InviteResults,
        Self::WaitingList,
    ];

    /// Its name on the wire (`ParticipantsNotify`, …).
    pub fn wire_name(&self) -> &str {
        match self {
            Self::BasicInfo => "ConfBasicInfoNotify",
            Self::Status => "ConfDynamicInfoNotify",
            Self::Participants => "ParticipantsNotify",
            Self::Speakers => "SpeakerChangeNotify",
            Self::InviteResults => "InviteResultNotify",
            Self::WaitingList => "WaitingListNotify",
            Self::Other(name) => name,
        }
    }

    /// The type named `name` on the wire.
    pub fn from_wire(name: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|known| known.wire_name() == name)
            .unwrap_or_else(|| Self::Other(name.to_owned()))
    }

    /// Whether this version decodes it.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

impl Serialize for Notification {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.wire_name())
    }
}

impl<'de> Deserialize<'de> for Notification {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| Self::from_wire(&name))
    }
}

/// One event of a meeting: which meeting, and what happened.
///
/// Serialized (`meeting watch --json`) as one object: `type` (the kind, in snake case),
/// `meeting` (the conference ID), `version` when a frame caused it, and the kind's
/// fields, for example
/// `{"type":"participant_joined","meeting":"914083136","version":7,"participant":{"id":"…",…}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The conference ID.
    pub meeting: String,
    /// The `version` of the service's frame this event came from: a full message's
    /// timestamp or an incremental message's number on this connection. `None` for
    /// what the stream says itself (connected, lagged, a diff after lagging) and for
    /// frames without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened in a meeting (see [`Event`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The stream subscribed (again, with `resumed`, after a reconnect).
    Connected {
        /// Whether this follows a lost connection.
        resumed: bool,
    },
    /// The connection was lost; the stream reconnects.
    Reconnecting {
        /// Why the connection was given up.
        reason: String,
        /// The reconnection attempt that follows (1 for the first).
        attempt: u32,
    },
    /// The events that follow, up to the next live one, come from comparing the
    /// meeting as the service now reports it with the meeting as the consumer last saw
    /// it: what changed while the stream was away, not one change at a time.
    Resynced {
        /// Why the stream compared states.
        cause: ResyncCause,
    },
    /// The consumer read too slowly and `skipped` events were dropped; a
    /// [`EventKind::Resynced`] with what changed follows.
    Lagged {
        /// How many events were dropped.
        skipped: u64,
    },
    /// The meeting's basic information changed (or is first known).
    Info {
        /// The information now.
        info: MeetingInfo,
    },
    /// The meeting's state changed: lock, mute, recording, …
    Status {
        /// The state now.
        status: MeetingStatus,
        /// What changed.
        changed: Vec<StatusField>,
    },
    /// A participant came online.
    ParticipantJoined {
        /// The participant.
        participant: ParticipantInfo,
    },
    /// A participant changed: muted, hand raised, role, name, …
    ParticipantChanged {
        /// The participant now.
        participant: ParticipantInfo,
        /// What changed.
        changed: Vec<ParticipantField>,
    },
    /// A participant left (or was hung up).
    ParticipantLeft {
        /// The participant as last known.
        participant: ParticipantInfo,
    },
    /// Who is speaking changed.
    SpeakersChanged {
        /// The loudest speakers now (at most three; none when nobody speaks).
        speakers: Vec<Speaker>,
    },
    /// A call's outcome, or why a participant left.
    InviteResult {
        /// The outcome.
        result: InviteResult,
    },
    /// Someone entered the waiting room.
    WaitingJoined {
        /// Who.
        participant: WaitingParticipant,
    },
    /// Someone in the waiting room changed (was admitted, say).
    WaitingChanged {
        /// Who, now.
        participant: WaitingParticipant,
    },
    /// Someone left the waiting room (admitted, refused, or gone).
    WaitingLeft {
        /// Who, as last known.
        participant: WaitingParticipant,
    },
    /// A frame of a type this version does not decode.
    Unknown {
        /// Its `action`.
        action: String,
        /// The whole frame, up to 64 KiB; of a larger one, its header alone
        /// (`action`, `sequence`, `msgMode`, `version`), with `truncated` set.
        raw: serde_json::Value,
        /// Whether `raw` holds the header alone: the frame was over 64 KiB.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        truncated: bool,
    },
    /// The meeting ended: the stream ends after this.
    Ended,
}

/// Why a stream compared states (see [`EventKind::Resynced`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResyncCause {
    /// The first snapshot after subscribing: who and what was there already.
    Subscribed,
    /// The snapshot after a reconnect.
    Reconnected,
    /// The snapshot after re-subscribing because incremental messages were missing.
    Gap,
    /// The consumer lagged and events were dropped.
    Lagged,
    /// The stream started from a snapshot it was given
    /// ([`crate::events::EventsBuilder::resume_from`]): what changed since.
    Resumed,
}

impl ResyncCause {
    /// Its snake_case name, as in JSON (`subscribed`, `reconnected`, `gap`, `lagged`,
    /// `resumed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subscribed => "subscribed",
            Self::Reconnected => "reconnected",
            Self::Gap => "gap",
            Self::Lagged => "lagged",
            Self::Resumed => "resumed",
        }
    }
}

/// The meeting's basic information (`ConfBasicInfoNotify`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MeetingInfo {
    /// The meeting ID as shown to users.
    pub display_id: Option<String>,
    /// The subject.
    pub title: Option<String>,
    /// When it started, in ms since the epoch.
    pub start_time_ms: Option<i64>,
    /// When it was scheduled to start, in ms since the epoch.
    pub scheduled_start_time_ms: Option<i64>,
    /// Who scheduled it.
    pub owner: Option<String>,
    /// The scheduler's user UUID.
    pub owner_id: Option<String>,
    /// Voice only, or video.
    pub media: Option<Media>,
    /// Whether the meeting is being recorded (`recType` 1 or 2).
    pub recording: Option<bool>,
    /// Whether the meeting is being streamed live (`recType` 2 or 3).
    pub live_streaming: Option<bool>,
    /// Keys this version does not decode, as the service sent them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Voice or video.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Media {
    /// Voice only.
    Voice,
    /// Video.
    Video,
    /// A value this version does not know.
    Other(i64),
}

/// The meeting's state (`ConfDynamicInfoNotify`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MeetingStatus {
    /// Scheduled, in progress or ended.
    pub phase: Option<Phase>,
    /// Whether the meeting is locked.
    pub locked: Option<bool>,
    /// Whether everyone is muted.
    pub muted: Option<bool>,
    /// Whether participants may unmute themselves while everyone is muted.
    pub can_unmute: Option<bool>,
    /// Whether sharing is locked.
    pub sharing_locked: Option<bool>,
    /// Whether the meeting is being recorded.
    pub recording: Option<bool>,
    /// What everyone sees: free, fixed, roll call, broadcast.
    pub mode: Option<String>,
    /// When it ends, in ms since the epoch.
    pub end_time_ms: Option<i64>,
    /// Whether chat is forbidden.
    pub chat_forbidden: Option<bool>,
    /// Whether the meeting is paused.
    pub paused: Option<bool>,
    /// Whether the picture follows the speaker (voice-activated switching).
    pub voice_activated: Option<bool>,
    /// Whether the host's view rotates through the participants.
    pub host_view_rotating: Option<bool>,
    /// How many pictures the meeting shows.
    pub pictures: Option<i64>,
    /// The multi-picture shown.
    pub multi_picture: Option<MultiPictureStatus>,
    /// Whether simultaneous interpretation runs.
    pub interpretation: Option<bool>,
    /// The language channels the interpreter groups offer (`zh`, `en`, …).
    pub language_channels: Option<Vec<String>>,
    /// Keys this version does not decode, as the service sent them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The multi-picture a meeting shows (`multiPic`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MultiPictureStatus {
    /// How many pictures the layout holds.
    pub count: Option<i64>,
    /// Seconds per participant in a picture that shows several.
    pub rotate_every_s: Option<i64>,
    /// The pictures that show someone.
    pub pictures: Vec<PictureStatus>,
}

/// One picture of a [`MultiPictureStatus`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PictureStatus {
    /// Its number, from 1.
    pub index: Option<i64>,
    /// Who it shows.
    pub participants: Vec<String>,
    /// Whether it shows the shared (auxiliary) stream.
    pub shared_stream: bool,
}

/// Where a meeting is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Phase {
    /// Scheduled, not started (`Schedule`).
    Scheduled,
    /// In progress (`Created`).
    InProgress,
    /// Ended (`Destroyed`).
    Ended,
    /// A value this version does not know.
    Other(String),
}

/// A field of [`MeetingStatus`] (what an [`EventKind::Status`] changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum StatusField {
    Phase,
    Locked,
    Muted,
    CanUnmute,
    SharingLocked,
    Recording,
    Mode,
    EndTime,
    ChatForbidden,
    Paused,
    VoiceActivated,
    HostViewRotating,
    Pictures,
    MultiPicture,
    Interpretation,
    LanguageChannels,
    /// A key this version does not decode.
    Other,
}

/// A participant online (`ParticipantsNotify`). The service sends every value as
/// text, with some keys misspelled; here they are typed, and keys this version does
/// not know are kept in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantInfo {
    /// The participant ID, what [`crate::Conference::participant`] takes.
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// The number it joined from or was called at.
    pub number: Option<String>,
    /// Host, participant or audience.
    pub role: Option<ParticipantRole>,
    /// Whether it is a co-host.
    pub co_host: Option<bool>,
    /// In the meeting, or being called.
    pub state: Option<ParticipantState>,
    /// Whether its microphone is muted.
    pub muted: Option<bool>,
    /// Whether it raised its hand.
    pub hand_raised: Option<bool>,
    /// Whether it is being shown to everyone.
    pub broadcast: Option<bool>,
    /// Whether it is being called on (roll call).
    pub roll_call: Option<bool>,
    /// Whether it is sharing.
    pub sharing: Option<bool>,
    /// Whether it is a video endpoint.
    pub video: Option<bool>,
    /// Whether its camera is on.
    pub camera_on: Option<bool>,
    /// When it joined, in ms since the epoch.
    pub joined_at_ms: Option<i64>,
    /// Whether it joined anonymously.
    pub anonymous: Option<bool>,
    /// The kind of client: `Desktop`, `Mobile`, `Pad`, `OtherType`.
    pub client_type: Option<String>,
    /// Its account's user UUID.
    pub account_id: Option<String>,
    /// What it watches.
    pub viewing: Option<Viewing>,
    /// Whether, or to whom, this terminal's view is locked (`LOCKED_VIEW`, set with
    /// [`crate::Participant::lock_video_to`]), as the service sends it: the pages show
    /// the key only in an example (`"0"`), so the value is kept as text (`None` for an
    /// empty one). The simulator sends the ID of the participant the view is locked to,
    /// empty when unlocked.
    pub view_locked_to: Option<String>,
    /// Keys this version does not know, as the service sent them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

/// A participant's role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParticipantRole {
    /// The host.
    Host,
    /// An ordinary participant.
    Participant,
    /// The audience of a webinar.
    Audience,
    /// A value this version does not know.
    Other(String),
}

/// What a participant watches (`VIEW_TYPE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Viewing {
    /// Nothing chosen: what everyone sees.
    Default,
    /// The multi-picture.
    MultiPicture,
    /// One participant (set with [`crate::Participant::watch`]).
    Participant,
    /// A value this version does not know.
    Other(String),
}

/// Where a participant online is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParticipantState {
    /// In the meeting.
    InMeeting,
    /// Being called.
    Calling,
    /// A value this version does not know.
    Other(String),
}

/// A field of [`ParticipantInfo`] (what an [`EventKind::ParticipantChanged`] changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ParticipantField {
    Name,
    Number,
    Role,
    CoHost,
    State,
    Muted,
    HandRaised,
    Broadcast,
    RollCall,
    Sharing,
    Video,
    CameraOn,
    JoinedAt,
    Anonymous,
    ClientType,
    AccountId,
    Viewing,
    ViewLocked,
    /// A key this version does not know.
    Other,
}

/// One of the loudest speakers (`SpeakerChangeNotify`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Speaker {
    /// The participant ID.
    pub id: String,
    /// How loud.
    pub volume: Option<i64>,
    /// The name, when the service sends it.
    pub name: Option<String>,
}

/// A call's outcome, or why a participant left (`InviteResultNotify`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InviteResult {
    /// The number called.
    pub number: Option<String>,
    /// `0` for a call that succeeded; otherwise why it failed or why the participant
    /// left (see [`InviteResult::describe`]).
    pub code: Option<String>,
}

impl InviteResult {
    /// Whether the call succeeded.
    pub fn succeeded(&self) -> bool {
        self.code.as_deref() == Some("0")
    }

    /// The documented meaning of the code, if it has one.
    pub fn describe(&self) -> Option<&'static str> {
        Some(match self.code.as_deref()? {
            "0" => "the call succeeded",
            "11111001" => "the media server received no stream (network)",
            "11111002" => "the endpoint sent no stream (network or client)",
            "11111003" => "SIP signalling timed out",
            "11111004" => "the WebSocket timed out",
            "11076002" => "hung up by the host",
            "11076010" => "the endpoint hung up",
            "11076016" => "hung up by the portal",
            _ => return None,
        })
    }
}

/// Someone in the waiting room (`WaitingListNotify`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WaitingParticipant {
    /// The participant ID.
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// When it arrived, in ms since the epoch.
    pub joined_at_ms: Option<i64>,
    /// Whether it is anonymous.
    pub anonymous: Option<bool>,
    /// Whether it was admitted and is joining.
    pub admitted: Option<bool>,
    /// Keys this version does not know, as the service sent them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}
