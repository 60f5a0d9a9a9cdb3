//! What a push reports, as Rust values, in the event stream's serialized form: a
//! `type` tag, the meeting, the kind's fields.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One event of the enterprise's push: which meeting, when, and what happened.
///
/// Serialized (`meeting webhook listen --json`) like the event stream's events: one
/// object with `type` (the kind, in snake case), `meeting` and the kind's fields, for
/// example `{"type":"participant_joined","meeting":"987446316","meeting_uuid":"…",
/// "at_ms":1671523596351,"attendee":{…}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushEvent {
    /// The meeting ID (`meetingID`).
    pub meeting: String,
    /// The meeting's UUID (`meetingUUID`), one per occurrence of a meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_uuid: Option<String>,
    /// The UUID of the sub-meeting of a recurring series (`meetingCycleSubID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle_sub_id: Option<String>,
    /// When it happened (`eventInfo.timestamp`, ms since the epoch).
    pub at_ms: i64,
    /// What happened.
    #[serde(flatten)]
    pub kind: PushKind,
}

/// What happened (see [`PushEvent`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PushKind {
    /// `meeting.started`: the meeting started.
    MeetingStarted,
    /// `meeting.end`: the meeting ended; it can be rejoined until its scheduled end.
    MeetingEnded,
    /// `meeting.conclude`: the meeting is closed; it can no longer be joined.
    MeetingConcluded,
    /// `record.finish`: the meeting's recording finished.
    RecordingFinished,
    /// `meeting.create`: a meeting was scheduled.
    MeetingCreated,
    /// `meeting.modify`: a meeting was edited.
    MeetingModified,
    /// `meeting.cancel`: a meeting was cancelled.
    MeetingCancelled,
    /// `meeting.join`: someone joined.
    ParticipantJoined {
        /// Who.
        attendee: Attendee,
    },
    /// `meeting.left`: someone left.
    ParticipantLeft {
        /// Who.
        attendee: Attendee,
    },
    /// A type this version does not know: accepted, with its payload as sent.
    Unknown {
        /// The `event` on the wire.
        event: String,
        /// Its payload, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<Value>,
    },
}

/// Who joined or left (`attendeeInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attendee {
    /// The participant ID (`participantID`).
    pub participant_id: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The user's UUID.
    pub user_uuid: Option<String>,
    /// The account.
    pub account: Option<String>,
    /// The client (`WeLink-desktop`, …).
    pub user_agent: Option<String>,
    /// The role in the meeting (`CHAIR`, …).
    pub role: Option<String>,
    /// The number called.
    pub call_number: Option<String>,
    /// When it joined (ms since the epoch).
    pub join_time_ms: Option<i64>,
    /// When it left (ms since the epoch); none while it is in the meeting.
    pub left_time_ms: Option<i64>,
}

impl PushKind {
    /// The `event` on the wire (`meeting.join`, …).
    pub fn wire_name(&self) -> &str {
        match self {
            Self::MeetingStarted => "meeting.started",
            Self::MeetingEnded => "meeting.end",
            Self::MeetingConcluded => "meeting.conclude",
            Self::RecordingFinished => "record.finish",
            Self::MeetingCreated => "meeting.create",
            Self::MeetingModified => "meeting.modify",
            Self::MeetingCancelled => "meeting.cancel",
            Self::ParticipantJoined { .. } => "meeting.join",
            Self::ParticipantLeft { .. } => "meeting.left",
            Self::Unknown { event, .. } => event,
        }
    }

    /// The attendee, for joins and leaves.
    pub fn attendee(&self) -> Option<&Attendee> {
        match self {
            Self::ParticipantJoined { attendee } | Self::ParticipantLeft { attendee } => {
                Some(attendee)
            }
            _ => None,
        }
    }
}

impl PushEvent {
    /// A key for the application's own deduplication: the event type, the meeting's
    /// UUID (its ID without one), the event's timestamp and the participant. The
    /// service may sign a retried push anew, so a push seen twice can differ in
    /// signature; this key does not.
    pub fn dedup_key(&self) -> String {
        let participant = self
            .kind
            .attendee()
            .and_then(|a| a.participant_id.as_deref())
            .unwrap_or("");
        format!(
            "{}|{}|{}|{participant}",
            self.kind.wire_name(),
            self.meeting_uuid.as_deref().unwrap_or(&self.meeting),
            self.at_ms
        )
    }

    /// [`PushEvent::dedup_key`] as a replay memory keeps it: 64 hex digits of its
    /// SHA-256.
    pub(crate) fn dedup_memory_key(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.dedup_key().as_bytes()))
    }
}

impl std::fmt::Display for PushEvent {
    /// One line: `meeting.join 987446316 Alice (participant …)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.wire_name(), self.meeting)?;
        if let Some(attendee) = self.kind.attendee() {
            let name = attendee.display_name.as_deref().unwrap_or("?");
            let id = attendee.participant_id.as_deref().unwrap_or("?");
            write!(f, " {} (participant {id})", crate::printable(name))?;
        }
        Ok(())
    }
}

// ---- the wire ----

#[derive(Deserialize)]
pub(super) struct EventInfoWire {
    pub event: String,
    pub timestamp: i64,
    #[serde(default)]
    pub payload: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayloadWire {
    meeting_info: MeetingInfoWire,
    #[serde(default)]
    attendee_info: Option<AttendeeWire>,
}

#[derive(Deserialize)]
struct MeetingInfoWire {
    #[serde(rename = "meetingID")]
    meeting_id: String,
    #[serde(rename = "meetingUUID", default)]
    meeting_uuid: Option<String>,
    #[serde(rename = "meetingCycleSubID", default)]
    cycle_sub_id: Option<String>,
}

#[derive(Deserialize)]
struct AttendeeWire {
    #[serde(rename = "userUUID", default)]
    user_uuid: Option<String>,
    #[serde(rename = "userAgent", default)]
    user_agent: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(rename = "participantID", default)]
    participant_id: Option<String>,
    #[serde(rename = "displayName", default)]
    display_name: Option<String>,
    #[serde(rename = "joinTime", default)]
    join_time: Option<i64>,
    #[serde(rename = "leftTime", default)]
    left_time: Option<i64>,
    #[serde(default)]
    role: Option<String>,
    #[serde(rename = "callNumber", default)]
    call_number: Option<String>,
}

impl From<AttendeeWire> for Attendee {
    fn from(wire: AttendeeWire) -> Self {
        Self {
            participant_id: wire.participant_id,
            display_name: wire.display_name,
            user_uuid: wire.user_uuid,
            account: wire.account,
            user_agent: wire.user_agent,
            role: wire.role,
            call_number: wire.call_number,
            join_time_ms: wire.join_time.filter(|t| *t > 0),
            left_time_ms: wire.left_time.filter(|t| *t > 0),
        }
    }
}

/// The typed event of an `eventInfo` other than `meeting.verify`, or what is wrong
/// with it.
pub(super) fn decode(info: EventInfoWire) -> Result<PushEvent, String> {
    let EventInfoWire {
        event,
        timestamp,
        payload,
    } = info;
    let unknown = || PushKind::Unknown {
        event: event.clone(),
        payload: payload.clone(),
    };
    let kind = match event.as_str() {
        "meeting.started" => Some(PushKind::MeetingStarted),
        "meeting.end" => Some(PushKind::MeetingEnded),
        "meeting.conclude" => Some(PushKind::MeetingConcluded),
        "record.finish" => Some(PushKind::RecordingFinished),
        "meeting.create" => Some(PushKind::MeetingCreated),
        "meeting.modify" => Some(PushKind::MeetingModified),
        "meeting.cancel" => Some(PushKind::MeetingCancelled),
        "meeting.join" | "meeting.left" => None,
        _ => {
            // A later type: its meeting if it names one the known way.
            let meeting = payload
                .as_ref()
                .and_then(|p| p.pointer("/meetingInfo/meetingID"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            return Ok(PushEvent {
                meeting,
                meeting_uuid: None,
                cycle_sub_id: None,
                at_ms: timestamp,
                kind: unknown(),
            });
        }
    };
    let payload = payload.ok_or_else(|| format!("{event} without a payload"))?;
    let payload: PayloadWire = serde_json::from_value(payload).map_err(|e| {
        // Never the error's own text: it quotes values from the push.
        format!("{event}'s payload: {}", json_problem(&e))
    })?;
    let kind = match kind {
        Some(kind) => kind,
        None => {
            let attendee = payload
                .attendee_info
                .ok_or_else(|| format!("{event} without attendeeInfo"))?
                .into();
            if event == "meeting.join" {
                PushKind::ParticipantJoined { attendee }
            } else {
                PushKind::ParticipantLeft { attendee }
            }
        }
    };
    Ok(PushEvent {
        meeting: payload.meeting_info.meeting_id,
        meeting_uuid: payload.meeting_info.meeting_uuid,
        cycle_sub_id: payload.meeting_info.cycle_sub_id,
        at_ms: timestamp,
        kind,
    })
}

/// What is wrong, in words that never quote the push: serde_json's messages quote
/// values (`invalid type: string "…"`) and unknown names (`unknown variant `…``), so
/// only what the decoder expected is kept (a missing field's name; the expected type,
/// which serde appends last).
pub(crate) fn json_problem(error: &serde_json::Error) -> String {
    match error.classify() {
        serde_json::error::Category::Io => "unreadable".to_owned(),
        serde_json::error::Category::Syntax => "not JSON".to_owned(),
        serde_json::error::Category::Eof => "the JSON ends early".to_owned(),
        serde_json::error::Category::Data => {
            let text = error.to_string();
            // The position serde_json appends, if any, is not part of the message.
            let text = text.split(" at line ").next().unwrap_or_default();
            if let Some(field) = text
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                format!("the field {field} is missing")
            } else if let Some((_, expected)) = text.rsplit_once(", expected ") {
                format!("a value is not what is expected ({expected})")
            } else {
                "a field is of the wrong type".to_owned()
            }
        }
    }
}
