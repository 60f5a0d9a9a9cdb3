//! Events in words: one line per event, as people read them in a log or a terminal.

use super::{
    Event, EventKind, MeetingStatus, ParticipantField, ParticipantInfo, ParticipantRole, Phase,
    ResyncCause, Snapshot, StatusField, Viewing,
};
use crate::printable;

/// `event` in a line of words, as `meeting watch` and `meeting demo` print it; names
/// are looked up in `snapshot` (the stream's, after the event), and every text from the
/// service is made printable.
///
/// ```
/// use meeting::events::{describe, Event, Snapshot};
///
/// fn log(event: &Event, snapshot: &Snapshot) {
///     println!("{}", describe(event, snapshot));
/// }
/// ```
pub fn describe(event: &Event, snapshot: &Snapshot) -> String {
    let meeting = &event.meeting;
    match &event.kind {
        EventKind::Connected { resumed: false } => format!("watching meeting {meeting}"),
        EventKind::Connected { resumed: true } => format!("reconnected to meeting {meeting}"),
        EventKind::Reconnecting { reason, attempt } => {
            format!("connection lost ({reason}); reconnecting, attempt {attempt}")
        }
        EventKind::Resynced { cause } => match cause {
            ResyncCause::Subscribed => "-- the meeting as it is now --",
            ResyncCause::Reconnected => "-- what changed while disconnected --",
            ResyncCause::Gap => "-- what changed in messages that were lost --",
            ResyncCause::Lagged => "-- what changed in the events missed --",
            _ => "-- what changed --",
        }
        .to_owned(),
        EventKind::Lagged { skipped } => {
            format!("{skipped} events were missed (reading too slowly); resynchronizing")
        }
        EventKind::Info { info } => format!(
            "meeting {meeting}: {:?}, scheduled by {}",
            printable(info.title.as_deref().unwrap_or("")),
            printable(info.owner.as_deref().unwrap_or("?"))
        ),
        // A new phase (the first status among them): the whole state.
        EventKind::Status { status, changed } if changed.contains(&StatusField::Phase) => {
            format!("meeting {meeting}: {}", status_summary(status))
        }
        EventKind::Status { status, changed } => {
            let what: Vec<String> = changed.iter().map(|f| status_field(status, *f)).collect();
            format!("meeting {meeting}: {}", what.join(", "))
        }
        EventKind::ParticipantJoined { participant } => {
            format!(
                "+ {} joined ({})",
                participant_name(participant),
                participant_role(participant)
            )
        }
        EventKind::ParticipantChanged {
            participant,
            changed,
        } => {
            let what: Vec<String> = changed
                .iter()
                .map(|f| participant_field(participant, *f, snapshot))
                .collect();
            format!("~ {}: {}", participant_name(participant), what.join(", "))
        }
        EventKind::ParticipantLeft { participant } => {
            format!("- {} left", participant_name(participant))
        }
        EventKind::SpeakersChanged { speakers } if speakers.is_empty() => {
            "nobody is speaking".to_owned()
        }
        EventKind::SpeakersChanged { speakers } => {
            let who: Vec<String> = speakers
                .iter()
                .map(|s| {
                    snapshot
                        .participants
                        .get(&s.id)
                        .map(participant_name)
                        .or_else(|| s.name.as_deref().map(printable))
                        .unwrap_or_else(|| printable(&s.id))
                })
                .collect();
            format!("speaking: {}", who.join(", "))
        }
        EventKind::InviteResult { result } => format!(
            "call to {}: {}",
            printable(result.number.as_deref().unwrap_or("?")),
            result
                .describe()
                .map(str::to_owned)
                .unwrap_or_else(|| format!(
                    "code {}",
                    printable(result.code.as_deref().unwrap_or("?"))
                ))
        ),
        EventKind::WaitingJoined { participant } => format!(
            "waiting room: + {}",
            printable(participant.name.as_deref().unwrap_or(&participant.id))
        ),
        EventKind::WaitingChanged { participant } => format!(
            "waiting room: ~ {}{}",
            printable(participant.name.as_deref().unwrap_or(&participant.id)),
            if participant.admitted == Some(true) {
                " admitted"
            } else {
                ""
            }
        ),
        EventKind::WaitingLeft { participant } => format!(
            "waiting room: - {}",
            printable(participant.name.as_deref().unwrap_or(&participant.id))
        ),
        EventKind::Unknown { action, .. } => {
            format!("a {} notification (not decoded)", printable(action))
        }
        EventKind::Ended => format!("meeting {meeting} ended"),
    }
}

fn phase(phase: Option<&Phase>) -> String {
    match phase {
        Some(Phase::InProgress) => "in progress".to_owned(),
        Some(Phase::Scheduled) => "scheduled".to_owned(),
        Some(Phase::Ended) => "ended".to_owned(),
        Some(Phase::Other(other)) => printable(other),
        _ => "state unknown".to_owned(),
    }
}

/// The meeting's phase and the flags that are on: `in progress · locked · recording`.
pub fn status_summary(status: &MeetingStatus) -> String {
    let mut parts = vec![phase(status.phase.as_ref())];
    for (on, word) in [
        (status.locked, "locked"),
        (status.muted, "everyone muted"),
        (status.sharing_locked, "sharing locked"),
        (status.recording, "recording"),
        (status.paused, "paused"),
    ] {
        if on == Some(true) {
            parts.push(word.to_owned());
        }
    }
    parts.join(" · ")
}

fn status_field(status: &MeetingStatus, field: StatusField) -> String {
    let flag = |name: &str, on: Option<bool>| format!("{name} {}", yes_no(on));
    match field {
        StatusField::Phase => phase(status.phase.as_ref()),
        StatusField::Locked => flag("locked", status.locked),
        StatusField::Muted => flag("everyone muted", status.muted),
        StatusField::CanUnmute => flag("may unmute", status.can_unmute),
        StatusField::SharingLocked => flag("sharing locked", status.sharing_locked),
        StatusField::Recording => flag("recording", status.recording),
        StatusField::Mode => format!(
            "mode {}",
            printable(status.mode.as_deref().unwrap_or("unknown"))
        ),
        StatusField::EndTime => "end time moved".to_owned(),
        StatusField::ChatForbidden => flag("chat forbidden", status.chat_forbidden),
        StatusField::Paused => flag("paused", status.paused),
        _ => "changed".to_owned(),
    }
}

fn participant_field(p: &ParticipantInfo, field: ParticipantField, snapshot: &Snapshot) -> String {
    let flag = |name: &str, on: Option<bool>| format!("{name} {}", yes_no(on));
    match field {
        ParticipantField::Name => format!("renamed to {}", participant_name(p)),
        ParticipantField::Role => format!("now {}", participant_role(p)),
        ParticipantField::Muted => flag("muted", p.muted),
        ParticipantField::HandRaised => flag("hand raised", p.hand_raised),
        ParticipantField::Sharing => flag("sharing", p.sharing),
        ParticipantField::Broadcast => flag("broadcast", p.broadcast),
        ParticipantField::RollCall => flag("called on", p.roll_call),
        ParticipantField::CoHost => flag("co-host", p.co_host),
        ParticipantField::CameraOn => flag("camera on", p.camera_on),
        ParticipantField::Video => flag("video", p.video),
        ParticipantField::State => "state changed".to_owned(),
        ParticipantField::ViewLocked => match p.view_locked_to.as_deref() {
            Some("" | "0") | None => "view unlocked".to_owned(),
            Some("1") => "view locked".to_owned(),
            Some(id) => match snapshot.participants.get(id) {
                Some(to) => format!("view locked to {}", participant_name(to)),
                None => format!("view locked ({})", printable(id)),
            },
        },
        ParticipantField::Viewing => match &p.viewing {
            Some(Viewing::Default) => "watches the default view".to_owned(),
            Some(Viewing::MultiPicture) => "watches the multi-picture".to_owned(),
            Some(Viewing::Participant) => "watches one participant".to_owned(),
            _ => "watches something else".to_owned(),
        },
        ParticipantField::Number => "number changed".to_owned(),
        _ => "details changed".to_owned(),
    }
}

/// The participant's name, or its ID when it has none, printable.
pub fn participant_name(p: &ParticipantInfo) -> String {
    printable(p.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&p.id))
}

/// The participant's role in a word: `host`, `co-host`, `participant`, `audience`.
pub fn participant_role(p: &ParticipantInfo) -> String {
    match &p.role {
        Some(ParticipantRole::Host) => "host".to_owned(),
        Some(ParticipantRole::Audience) => "audience".to_owned(),
        Some(ParticipantRole::Other(other)) => format!("role {}", printable(other)),
        _ if p.co_host == Some(true) => "co-host".to_owned(),
        _ => "participant".to_owned(),
    }
}

/// `yes`, `no`, or `?` when unknown.
pub fn yes_no(on: Option<bool>) -> &'static str {
    match on {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}
