//! The pushes the simulator's own changes cause: meeting.create, cancel, started,
//! join, left, end, conclude and record.finish, each with the payload the pages show.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::model::ConferenceState;
use crate::world::{Change, Conference, Participant, RecordingState, World};

/// `meetingUUID`: stable per meeting and unguessable-looking, as the service's.
fn meeting_uuid(id: &str) -> String {
    hex::encode(&Sha256::digest(format!("meeting-uuid:{id}").as_bytes())[..16])
}

/// `attendeeInfo` of a participant at `now_ms`.
fn attendee(participant: &Participant) -> Value {
    let seed = &participant.seed;
    let name = seed.name.clone().unwrap_or_else(|| seed.id.clone());
    json!({
        "userUUID": meeting_uuid(&format!("user:{}", seed.id)),
        "userAgent": "meeting-sim",
        "account": name,
        "participantID": seed.id,
        "displayName": name,
        "joinTime": participant.joined_ms,
        "leftTime": 0,
        "role": if seed.host { "CHAIR" } else { "GENERAL" },
        "callNumber": participant.phone.clone().unwrap_or_default(),
    })
}

/// `attendeeInfo` with `leftTime` set.
fn left(mut info: Value, now_ms: i64) -> Value {
    info["leftTime"] = now_ms.into();
    info
}

impl World {
    /// Seeded conferences: their participants are known to later `meeting.left` pushes,
    /// and one seeded in progress has started (no push: nothing was configured yet).
    pub(in crate::world) fn webhook_seeded(&mut self, conference: &Conference) {
        let roster = conference
            .participants
            .iter()
            .map(|p| (p.seed.id.clone(), attendee(p)))
            .collect();
        self.webhooks.rosters.insert(conference.id.clone(), roster);
        if conference.state == ConferenceState::Ongoing {
            self.webhooks.started.insert(conference.id.clone());
        }
    }

    /// The pushes a change causes: create, cancel, started, join, left, end and
    /// conclude.
    pub(in crate::world) fn webhook_change(&mut self, change: &Change) {
        let id = change.conference();
        let Some(conference) = self.conferences.get(id) else {
            return;
        };
        let hooks = &mut self.webhooks;
        let mut events: Vec<(&str, Option<(String, Value)>)> = Vec::new();
        match change {
            Change::Scheduled(_) => events.push(("meeting.create", None)),
            Change::Modified(_) => events.push(("meeting.modify", None)),
            Change::Meeting(_) => {
                // Checked before inserting: most changes (a lock, a mute) are not a
                // start, and the lock call's hot path should not allocate for them.
                if conference.state == ConferenceState::Ongoing && !hooks.started.contains(id) {
                    hooks.started.insert(id.to_owned());
                    events.push(("meeting.started", None));
                }
                // A recording that stops is what record.finish reports.
                let recording = conference.broadcasting.recording != RecordingState::Off;
                if recording && !hooks.recording.contains(id) {
                    hooks.recording.insert(id.to_owned());
                } else if !recording && hooks.recording.remove(id) {
                    events.push(("record.finish", None));
                }
            }
            Change::Participant { participant, .. } => {
                let known = hooks
                    .rosters
                    .get(id)
                    .is_some_and(|r| r.contains_key(participant));
                if !known
                    && let Some(p) = conference
                        .participants
                        .iter()
                        .find(|p| p.seed.id == *participant)
                {
                    let info = attendee(p);
                    hooks
                        .rosters
                        .entry(id.to_owned())
                        .or_default()
                        .insert(participant.clone(), info.clone());
                    events.push(("meeting.join", Some((participant.clone(), info))));
                }
            }
            Change::Left { participant, .. } => {
                if let Some(info) = hooks
                    .rosters
                    .get_mut(id)
                    .and_then(|r| r.remove(participant))
                {
                    events.push((
                        "meeting.left",
                        Some((participant.clone(), left(info, self.now_ms))),
                    ));
                }
            }
            Change::Ended(_) => {
                let roster = hooks.rosters.remove(id).unwrap_or_default();
                hooks.started.remove(id);
                if conference.state == ConferenceState::Cancelled {
                    events.push(("meeting.cancel", None));
                } else {
                    if hooks.recording.remove(id) {
                        events.push(("record.finish", None));
                    }
                    for (participant, info) in roster {
                        events.push(("meeting.left", Some((participant, left(info, self.now_ms)))));
                    }
                    events.push(("meeting.end", None));
                    // An ordinary meeting is over and closed; an occurrence of a series
                    // that goes on only ends (EVENTS.md §3.5).
                    if conference.state != ConferenceState::Scheduled {
                        events.push(("meeting.conclude", None));
                    }
                }
            }
            Change::Speakers(_) | Change::Invited { .. } | Change::Waiting { .. } => {}
        }
        if events.is_empty() || hooks.enabled().next().is_none() {
            return;
        }
        let uuid = meeting_uuid(id);
        for (event, attendee) in events {
            let mut payload = json!({"meetingInfo": {"meetingID": id, "meetingUUID": uuid}});
            let participant = attendee.map(|(pid, info)| {
                payload["attendeeInfo"] = info;
                pid
            });
            let event_info =
                json!({"event": event, "timestamp": self.now_ms, "payload": payload}).to_string();
            self.queue_push(event, id, participant, &event_info);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::model::{ParticipantSeed, Seed};

    #[test]
    fn a_meetings_life_becomes_its_pushes_and_nothing_is_pushed_while_disabled() {
        let mut world = World::default();
        world.seed(Seed::example());
        world.lock("914083136", true).expect("lock");
        assert!(world.webhook_deliveries().is_empty());

        let mut world = enabled_world();
        let alice = ParticipantSeed {
            id: "alice".into(),
            name: Some("Alice".into()),
            professional_terminal: false,
            host: false,
        };
        world.join("914083136", alice).expect("joins");
        world.leave("914083136", "alice").expect("leaves");
        world.lock("914083136", true).expect("lock pushes nothing");
        world.stop("914083136").expect("stops");
        let events: Vec<(String, Option<String>)> = world
            .webhook_deliveries()
            .into_iter()
            .map(|d| (d.event, d.participant))
            .collect();
        let seeded_left = world.conferences["914083136"].participants.len();
        assert_eq!(seeded_left, 0);
        assert_eq!(events[0], ("meeting.join".into(), Some("alice".into())));
        assert_eq!(events[1], ("meeting.left".into(), Some("alice".into())));
        // The seeded participants leave when the meeting ends, then end and conclude.
        let tail: Vec<&str> = events[2..].iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(tail.last(), Some(&"meeting.conclude"));
        assert_eq!(tail[tail.len() - 2], "meeting.end");
        assert!(tail[..tail.len() - 2].iter().all(|e| *e == "meeting.left"));
    }
}
