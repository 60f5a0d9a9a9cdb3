//! What goes on the stream: an event in the event stream's serialized form, and how it
//! changes the meeting's published state (from which a watcher that takes a meeting
//! over starts, so that its first events are the difference).

use std::collections::HashMap;

use super::redis::{Entry, StateOp};
use crate::events::{Event, EventKind, Snapshot};

/// One entry of the fleet's stream, as a consumer reads it (see [`StreamEntry::parse`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StreamEntry {
    /// The conference ID.
    pub meeting: String,
    /// The watcher's connection it came through: `<watcher>:<fence>/<reconnects>`.
    pub connection: String,
    /// The version of the service's frame it came from, if any.
    pub version: Option<i64>,
    /// Unique per entry: `<watcher>:<fence>|<n>`, `n` counting from 1 per lease.
    pub seq: String,
    /// The event.
    pub event: Event,
}

impl StreamEntry {
    /// Reads an entry from its stream fields (`XRANGE`/`XREADGROUP`'s field-value
    /// pairs); `None` if one is missing or the event does not decode.
    pub fn parse<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Self> {
        let fields: HashMap<&str, &str> = fields.into_iter().collect();
        Some(Self {
            meeting: (*fields.get("meeting")?).to_owned(),
            connection: (*fields.get("connection")?).to_owned(),
            version: fields.get("version").and_then(|v| v.parse().ok()),
            seq: (*fields.get("seq")?).to_owned(),
            event: serde_json::from_str(fields.get("event")?).ok()?,
        })
    }
}

/// The entry for `event`, through `connection`.
pub(crate) fn entry(event: &Event, connection: &str) -> Result<Entry, serde_json::Error> {
    let op = match &event.kind {
        EventKind::Info { info } => StateOp::Set("info".into(), serde_json::to_string(info)?),
        EventKind::Status { status, .. } => {
            StateOp::Set("status".into(), serde_json::to_string(status)?)
        }
        EventKind::ParticipantJoined { participant }
        | EventKind::ParticipantChanged { participant, .. } => StateOp::Set(
            format!("p:{}", participant.id),
            serde_json::to_string(participant)?,
        ),
        EventKind::ParticipantLeft { participant } => {
            StateOp::Delete(format!("p:{}", participant.id))
        }
        EventKind::SpeakersChanged { speakers } => {
            StateOp::Set("speakers".into(), serde_json::to_string(speakers)?)
        }
        EventKind::WaitingJoined { participant } | EventKind::WaitingChanged { participant } => {
            StateOp::Set(
                format!("w:{}", participant.id),
                serde_json::to_string(participant)?,
            )
        }
        EventKind::WaitingLeft { participant } => StateOp::Delete(format!("w:{}", participant.id)),
        EventKind::Ended => StateOp::Clear,
        _ => StateOp::None,
    };
    Ok(Entry {
        event: serde_json::to_string(event)?,
        connection: connection.to_owned(),
        version: event.version.map(|v| v.to_string()).unwrap_or_default(),
        op,
    })
}

/// The published state, field by field, as a snapshot; fields that do not decode (of
/// another version, say) are left out, and the stream's difference restores them.
pub(crate) fn snapshot(fields: Vec<(String, String)>) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for (field, value) in fields {
        match field.as_str() {
            "info" => snapshot.info = serde_json::from_str(&value).ok(),
            "status" => snapshot.status = serde_json::from_str(&value).ok(),
            "speakers" => snapshot.speakers = serde_json::from_str(&value).unwrap_or_default(),
            _ => {
                if let Some(id) = field.strip_prefix("p:")
                    && let Ok(p) = serde_json::from_str(&value)
                {
                    snapshot.participants.insert(id.to_owned(), p);
                } else if let Some(id) = field.strip_prefix("w:")
                    && let Ok(w) = serde_json::from_str(&value)
                {
                    snapshot.waiting.insert(id.to_owned(), w);
                }
            }
        }
    }
    snapshot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::ParticipantInfo;

    #[test]
    fn entries_keep_the_state_a_takeover_starts_from() {
        let alice = ParticipantInfo {
            id: "p1".into(),
            name: Some("Alice".into()),
            ..ParticipantInfo::default()
        };
        let events = [
            EventKind::ParticipantJoined {
                participant: alice.clone(),
            },
            EventKind::ParticipantJoined {
                participant: ParticipantInfo {
                    id: "p2".into(),
                    ..ParticipantInfo::default()
                },
            },
            EventKind::ParticipantLeft { participant: alice },
        ];
        let mut fields: HashMap<String, String> = HashMap::new();
        let mut expected = Snapshot::default();
        for (n, kind) in events.into_iter().enumerate() {
            let event = Event {
                meeting: "914083136".into(),
                version: Some(n as i64 + 1),
                kind,
            };
            expected.apply(&event.kind);
            let entry = entry(&event, "w1:3/0").unwrap();
            match entry.op {
                StateOp::Set(f, v) => drop(fields.insert(f, v)),
                StateOp::Delete(f) => drop(fields.remove(&f)),
                _ => {}
            }
            let read = StreamEntry::parse([
                ("meeting", "914083136"),
                ("connection", entry.connection.as_str()),
                ("version", entry.version.as_str()),
                ("seq", "w1:3|1"),
                ("event", entry.event.as_str()),
            ])
            .unwrap();
            assert_eq!(read.event, event);
            assert_eq!(read.version, Some(n as i64 + 1));
        }
        assert_eq!(snapshot(fields.into_iter().collect()), expected);
        assert!(StreamEntry::parse([("meeting", "1")]).is_none());
    }
}
