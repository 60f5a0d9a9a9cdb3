//! The meeting as a stream knows it, and how frames change it: a full message replaces
//! its type's part, an incremental one merges the keys it carries; either way the
//! events say what changed. Two snapshots compare into the same events (what changed
//! while the stream was away).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{
    EventKind, MeetingInfo, MeetingStatus, Notification, ParticipantField, ParticipantInfo,
    Speaker, StatusField, WaitingParticipant,
};
use super::wire::{self, Frame, RosterItem};

/// The meeting as the stream currently knows it (see
/// [`crate::events::EventStream::snapshot`]): what the events read so far add up to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Snapshot {
    /// Subject, times, scheduler.
    pub info: Option<MeetingInfo>,
    /// Lock, mute, recording, phase.
    pub status: Option<MeetingStatus>,
    /// Who is online, by participant ID.
    pub participants: BTreeMap<String, ParticipantInfo>,
    /// The loudest speakers.
    pub speakers: Vec<Speaker>,
    /// Who is in the waiting room, by participant ID.
    pub waiting: BTreeMap<String, WaitingParticipant>,
}

impl Snapshot {
    /// Whether the meeting's state says it ended.
    pub fn ended(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|s| s.phase == Some(super::model::Phase::Ended))
    }

    /// The snapshot after `event`: how a consumer of stored events (the fleet's
    /// stream, say) rebuilds the meeting, applying them in order.
    pub fn apply(&mut self, event: &EventKind) {
        match event {
            EventKind::Info { info } => self.info = Some(info.clone()),
            EventKind::Status { status, .. } => self.status = Some(status.clone()),
            EventKind::ParticipantJoined { participant }
            | EventKind::ParticipantChanged { participant, .. } => {
                self.participants
                    .insert(participant.id.clone(), participant.clone());
            }
            EventKind::ParticipantLeft { participant } => {
                self.participants.remove(&participant.id);
            }
            EventKind::SpeakersChanged { speakers } => self.speakers = speakers.clone(),
            EventKind::WaitingJoined { participant }
            | EventKind::WaitingChanged { participant } => {
                self.waiting
                    .insert(participant.id.clone(), participant.clone());
            }
            EventKind::WaitingLeft { participant } => {
                self.waiting.remove(&participant.id);
            }
            _ => {}
        }
    }

    /// The events that turn this snapshot into `newer`.
    pub(crate) fn changes_to(&self, newer: &Snapshot, out: &mut Vec<EventKind>) {
        if newer.info.is_some() && self.info != newer.info {
            out.extend(newer.info.clone().map(|info| EventKind::Info { info }));
        }
        if let Some(status) = &newer.status {
            status_changes(self.status.as_ref(), status, out);
        }
        for change in roster_changes(&self.participants, &newer.participants) {
            out.push(participant_event(change));
        }
        if self.speakers != newer.speakers {
            out.push(EventKind::SpeakersChanged {
                speakers: newer.speakers.clone(),
            });
        }
        for change in roster_changes(&self.waiting, &newer.waiting) {
            out.push(waiting_event(change));
        }
    }
}

/// What the stream's connection knows: the snapshot, changed frame by frame. Frames
/// are merged into the typed values directly (no copy of the service's raw fields is
/// kept: a thousand idle streams must stay small).
#[derive(Debug, Default)]
pub(crate) struct State {
    typed: Snapshot,
}

impl From<Snapshot> for State {
    fn from(typed: Snapshot) -> Self {
        Self { typed }
    }
}

impl State {
    pub fn snapshot(&self) -> &Snapshot {
        &self.typed
    }

    /// Applies a frame (already checked for duplicates and gaps) and says what changed.
    pub fn apply(&mut self, frame: &Frame, out: &mut Vec<EventKind>) {
        match Notification::from_wire(&frame.action) {
            Notification::BasicInfo => {
                let mut info = match (&self.typed.info, frame.full) {
                    (Some(known), false) => known.clone(),
                    _ => MeetingInfo::default(),
                };
                for (key, value) in &frame.top_level() {
                    wire::set_info(&mut info, key, value);
                }
                if self.typed.info.as_ref() != Some(&info) {
                    self.typed.info = Some(info.clone());
                    out.push(EventKind::Info { info });
                }
            }
            Notification::Status => {
                let mut status = match (&self.typed.status, frame.full) {
                    (Some(known), false) => known.clone(),
                    _ => MeetingStatus::default(),
                };
                for (key, value) in &frame.top_level() {
                    wire::set_status(&mut status, key, value);
                }
                status_changes(self.typed.status.as_ref(), &status, out);
                self.typed.status = Some(status);
            }
            Notification::Participants => {
                let changes = merge_roster(
                    &mut self.typed.participants,
                    frame,
                    |id| ParticipantInfo {
                        id: id.to_owned(),
                        ..ParticipantInfo::default()
                    },
                    wire::set_participant,
                );
                out.extend(changes.into_iter().map(participant_event));
            }
            Notification::WaitingList => {
                let changes = merge_roster(
                    &mut self.typed.waiting,
                    frame,
                    |id| WaitingParticipant {
                        id: id.to_owned(),
                        ..WaitingParticipant::default()
                    },
                    wire::set_waiting,
                );
                out.extend(changes.into_iter().map(waiting_event));
            }
            Notification::Speakers => {
                let speakers = wire::speakers(&frame.items());
                if speakers != self.typed.speakers {
                    self.typed.speakers = speakers.clone();
                    out.push(EventKind::SpeakersChanged { speakers });
                }
            }
            Notification::InviteResults => out.extend(
                wire::invite_results(&frame.items())
                    .into_iter()
                    .map(|result| EventKind::InviteResult { result }),
            ),
            Notification::Other(action) => {
                let (raw, truncated) = frame.raw();
                out.push(EventKind::Unknown {
                    action,
                    raw,
                    truncated,
                })
            }
        }
    }
}

/// What happened to one entry of a roster.
enum RosterChange<T> {
    Joined(T),
    Changed { old: T, new: T },
    Left(T),
}

/// A roster frame merged into the roster: a full message replaces it, an incremental
/// one adds, changes (only the keys it carries) or removes its items.
fn merge_roster<T: Clone + PartialEq>(
    roster: &mut BTreeMap<String, T>,
    frame: &Frame,
    new: fn(&str) -> T,
    set: fn(&mut T, &str, String),
) -> Vec<RosterChange<T>> {
    let items = frame.items();
    let items = items.iter().filter_map(RosterItem::parse);
    let decode = |item: &RosterItem<'_>, entry: &mut T| {
        for (key, value) in item.fields() {
            set(entry, key, value);
        }
    };
    if frame.full {
        let mut fresh = BTreeMap::new();
        for item in items.filter(|item| !item.removed) {
            let mut entry = new(&item.id);
            decode(&item, &mut entry);
            fresh.insert(item.id, entry);
        }
        let changes = roster_changes(roster, &fresh);
        *roster = fresh;
        return changes;
    }
    let mut changes = Vec::new();
    for item in items {
        if item.removed {
            if let Some(old) = roster.remove(&item.id) {
                changes.push(RosterChange::Left(old));
            }
            continue;
        }
        let full = roster.len() >= wire::ROSTER_CAP;
        match roster.get_mut(&item.id) {
            Some(entry) => {
                let old = entry.clone();
                decode(&item, entry);
                if *entry != old {
                    changes.push(RosterChange::Changed {
                        old,
                        new: entry.clone(),
                    });
                }
            }
            // Past the cap, newcomers are not tracked (and counted as skipped).
            None if full => frame.skipped.set(frame.skipped.get() + 1),
            None => {
                let mut entry = new(&item.id);
                decode(&item, &mut entry);
                changes.push(RosterChange::Joined(entry.clone()));
                roster.insert(item.id, entry);
            }
        }
    }
    changes
}

/// What turns roster `old` into `new`: leaves first, then joins and changes.
fn roster_changes<T: Clone + PartialEq>(
    old: &BTreeMap<String, T>,
    new: &BTreeMap<String, T>,
) -> Vec<RosterChange<T>> {
    let mut changes: Vec<RosterChange<T>> = old
        .iter()
        .filter(|(id, _)| !new.contains_key(*id))
        .map(|(_, entry)| RosterChange::Left(entry.clone()))
        .collect();
    for (id, entry) in new {
        match old.get(id) {
            None => changes.push(RosterChange::Joined(entry.clone())),
            Some(before) if before != entry => changes.push(RosterChange::Changed {
                old: before.clone(),
                new: entry.clone(),
            }),
            Some(_) => {}
        }
    }
    changes
}

fn participant_event(change: RosterChange<ParticipantInfo>) -> EventKind {
    match change {
        RosterChange::Joined(participant) => EventKind::ParticipantJoined { participant },
        RosterChange::Changed { old, new } => EventKind::ParticipantChanged {
            changed: participant_fields(&old, &new),
            participant: new,
        },
        RosterChange::Left(participant) => EventKind::ParticipantLeft { participant },
    }
}

fn waiting_event(change: RosterChange<WaitingParticipant>) -> EventKind {
    match change {
        RosterChange::Joined(participant) => EventKind::WaitingJoined { participant },
        RosterChange::Changed { new, .. } => EventKind::WaitingChanged { participant: new },
        RosterChange::Left(participant) => EventKind::WaitingLeft { participant },
    }
}

/// Which fields differ between two states of a participant.
fn participant_fields(old: &ParticipantInfo, new: &ParticipantInfo) -> Vec<ParticipantField> {
    use ParticipantField as F;
    let mut changed = Vec::new();
    let mut differs = |field: F, differs: bool| {
        if differs {
            changed.push(field);
        }
    };
    differs(F::Name, old.name != new.name);
    differs(F::Number, old.number != new.number);
    differs(F::Role, old.role != new.role);
    differs(F::CoHost, old.co_host != new.co_host);
    differs(F::State, old.state != new.state);
    differs(F::Muted, old.muted != new.muted);
    differs(F::HandRaised, old.hand_raised != new.hand_raised);
    differs(F::Broadcast, old.broadcast != new.broadcast);
    differs(F::RollCall, old.roll_call != new.roll_call);
    differs(F::Sharing, old.sharing != new.sharing);
    differs(F::Video, old.video != new.video);
    differs(F::CameraOn, old.camera_on != new.camera_on);
    differs(F::JoinedAt, old.joined_at_ms != new.joined_at_ms);
    differs(F::Anonymous, old.anonymous != new.anonymous);
    differs(F::ClientType, old.client_type != new.client_type);
    differs(F::AccountId, old.account_id != new.account_id);
    differs(F::Viewing, old.viewing != new.viewing);
    differs(F::ViewLocked, old.view_locked_to != new.view_locked_to);
    differs(F::Other, old.extra != new.extra);
    changed
}

/// The status event for `new`, if it differs from `old` (every field it has when
/// nothing was known before).
fn status_changes(old: Option<&MeetingStatus>, new: &MeetingStatus, out: &mut Vec<EventKind>) {
    use StatusField as F;
    let empty = MeetingStatus::default();
    let old = old.unwrap_or(&empty);
    let mut changed = Vec::new();
    let mut differs = |field: F, differs: bool| {
        if differs {
            changed.push(field);
        }
    };
    differs(F::Phase, old.phase != new.phase);
    differs(F::Locked, old.locked != new.locked);
    differs(F::Muted, old.muted != new.muted);
    differs(F::CanUnmute, old.can_unmute != new.can_unmute);
    differs(F::SharingLocked, old.sharing_locked != new.sharing_locked);
    differs(F::Recording, old.recording != new.recording);
    differs(F::Mode, old.mode != new.mode);
    differs(F::EndTime, old.end_time_ms != new.end_time_ms);
    differs(F::ChatForbidden, old.chat_forbidden != new.chat_forbidden);
    differs(F::Paused, old.paused != new.paused);
    differs(
        F::VoiceActivated,
        old.voice_activated != new.voice_activated,
    );
    differs(
        F::HostViewRotating,
        old.host_view_rotating != new.host_view_rotating,
    );
    differs(F::Pictures, old.pictures != new.pictures);
    differs(F::MultiPicture, old.multi_picture != new.multi_picture);
    differs(F::Interpretation, old.interpretation != new.interpretation);
    differs(
        F::LanguageChannels,
        old.language_channels != new.language_channels,
    );
    differs(F::Other, old.extra != new.extra);
    if !changed.is_empty() {
        out.push(EventKind::Status {
            status: new.clone(),
            changed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::ParticipantRole;

    fn frame(text: &str) -> Frame<'_> {
        Frame::parse(text).expect("a frame")
    }

    fn apply(state: &mut State, text: &str) -> Vec<EventKind> {
        let mut out = Vec::new();
        state.apply(&frame(text), &mut out);
        out
    }

    #[test]
    fn a_full_roster_replaces_and_an_incremental_one_merges_keys() {
        let mut state = State::default();
        let events = apply(
            &mut state,
            r#"{"action":"ParticipantsNotify","version":1611993595063,"msgMode":0,"confID":"9","data":[
                {"pid":"a","mode":0,"pinfoMap":{"NAME":"Ann","MUTE":"0","ROLE":"1"}},
                {"pid":"b","mode":0,"pinfoMap":{"NAME":"Bo","MUTE":"1"}}]}"#,
        );
        assert_eq!(events.len(), 2, "two joined: {events:?}");
        let events = apply(
            &mut state,
            r#"{"action":"ParticipantsNotify","version":1,"msgMode":1,"data":[
                {"pid":"a","mode":0,"pinfoMap":{"MUTE":"1","HAND":"1"}},
                {"pid":"b","mode":1,"pinfoMap":{}}]}"#,
        );
        match &events[..] {
            [
                EventKind::ParticipantChanged {
                    participant,
                    changed,
                },
                EventKind::ParticipantLeft { participant: left },
            ] => {
                assert_eq!(participant.name.as_deref(), Some("Ann"), "kept");
                assert_eq!(participant.role, Some(ParticipantRole::Host), "kept");
                assert_eq!(participant.muted, Some(true));
                assert_eq!(
                    changed,
                    &[ParticipantField::Muted, ParticipantField::HandRaised]
                );
                assert_eq!(left.name.as_deref(), Some("Bo"));
            }
            other => panic!("unexpected {other:?}"),
        }
        // A full message that no longer lists `a` means `a` left.
        let events = apply(
            &mut state,
            r#"{"action":"ParticipantsNotify","version":1611993599999,"msgMode":0,"data":[]}"#,
        );
        assert!(matches!(&events[..], [EventKind::ParticipantLeft { .. }]));
        assert!(state.snapshot().participants.is_empty());
    }

    #[test]
    fn snapshots_compare_into_the_events_that_apply_them() {
        let mut state = State::default();
        let mut consumer = Snapshot::default();
        for text in [
            r#"{"action":"ConfDynamicInfoNotify","version":1,"msgMode":0,"state":"Created","lock":0,"mute":0}"#,
            r#"{"action":"ParticipantsNotify","version":1,"msgMode":0,"data":[{"pid":"a","mode":0,"pinfoMap":{"NAME":"Ann"}}]}"#,
        ] {
            for event in apply(&mut state, text) {
                consumer.apply(&event);
            }
        }
        assert_eq!(&consumer, state.snapshot());
        let before = consumer.clone();
        apply(
            &mut state,
            r#"{"action":"ConfDynamicInfoNotify","version":2,"msgMode":0,"state":"Created","lock":1,"mute":0}"#,
        );
        apply(
            &mut state,
            r#"{"action":"ParticipantsNotify","version":1,"msgMode":1,"data":[{"pid":"a","mode":1},{"pid":"c","mode":0,"pinfoMap":{"NAME":"Cy"}}]}"#,
        );
        let mut diff = Vec::new();
        before.changes_to(state.snapshot(), &mut diff);
        assert!(matches!(
            &diff[..],
            [
                EventKind::Status { changed, .. },
                EventKind::ParticipantLeft { .. },
                EventKind::ParticipantJoined { .. }
            ] if changed == &[StatusField::Locked]
        ));
        for event in &diff {
            consumer.apply(event);
        }
        assert_eq!(&consumer, state.snapshot());
    }

    #[test]
    fn nobody_speaks_when_data_is_absent_and_unknown_types_pass_through() {
        let mut state = State::default();
        let events = apply(
            &mut state,
            r#"{"action":"SpeakerChangeNotify","version":1,"msgMode":0,"data":[{"pid":"a","speakingVolume":80,"name":"Ann"}]}"#,
        );
        assert!(
            matches!(&events[..], [EventKind::SpeakersChanged { speakers }] if speakers.len() == 1)
        );
        let events = apply(
            &mut state,
            r#"{"action":"SpeakerChangeNotify","version":2,"msgMode":0}"#,
        );
        assert!(
            matches!(&events[..], [EventKind::SpeakersChanged { speakers }] if speakers.is_empty())
        );
        let events = apply(
            &mut state,
            r#"{"action":"CustomMultiPicNotify","version":2,"msgMode":0,"data":{"x":1}}"#,
        );
        assert!(
            matches!(&events[..], [EventKind::Unknown { action, raw, truncated: false }] if action == "CustomMultiPicNotify" && raw["data"]["x"] == 1)
        );
    }

    #[test]
    fn the_pages_example_frames_decode() {
        let mut state = State::default();
        // WaitingListNotify as the page's example has it: incremental, `delType` next
        // to `mode`, `TEL`, and the login-type key spelled correctly.
        let events = apply(
            &mut state,
            r#"{"action":"WaitingListNotify","version":1,"createTime":1668754928409,"msgID":"4f0d3b5b0a1c4c4f9d3a8f2e1b6c7d8e","msgMode":1,"confID":"982487046","data":[{"pid":"a2c4e6","mode":0,"delType":0,"pinfoMap":{"NAME":"Guest","TEL":"+991117","ADDTIME":"1668754928409","ANONYMOUS":"1","CLIENT_LOGIN_TYPE":"Mobile","WAITINGSTATE":"0"}}]}"#,
        );
        match &events[..] {
            [EventKind::WaitingJoined { participant }] => {
                assert_eq!(participant.name.as_deref(), Some("Guest"));
                assert_eq!(participant.admitted, Some(false));
                assert_eq!(participant.anonymous, Some(true));
                assert_eq!(
                    participant.extra.get("TEL").map(String::as_str),
                    Some("+991117")
                );
            }
            other => panic!("{other:?}"),
        }
        // InviteResultNotify: `resultCode` in the example, `errorCode` in the table.
        let events = apply(
            &mut state,
            r#"{"action":"InviteResultNotify","version":1611993595063,"msgMode":0,"data":[{"callNumber":"+8657112345","resultCode":"0"},{"callNumber":"+8657154321","errorCode":"11076010"}]}"#,
        );
        match &events[..] {
            [
                EventKind::InviteResult { result: ok },
                EventKind::InviteResult { result: left },
            ] => {
                assert!(ok.succeeded());
                assert_eq!(left.describe(), Some("the endpoint hung up"));
            }
            other => panic!("{other:?}"),
        }
        // ConfBasicInfoNotify: fields at the top level, times as strings of ms.
        let events = apply(
            &mut state,
            r#"{"action":"ConfBasicInfoNotify","version":1611993595029,"createTime":1611993595029,"msgID":"x","msgMode":0,"confID":"982487046","displayID":"982487046","title":"Weekly","startTime":"1611994784164","pwds":[{"role":"chair","pwd":"******"}],"recType":2,"media":2,"owner":"Zhang","ownerID":"u-1","webinar":false,"supportWaitingRoom":true}"#,
        );
        match &events[..] {
            [EventKind::Info { info }] => {
                assert_eq!(info.title.as_deref(), Some("Weekly"));
                assert_eq!(info.start_time_ms, Some(1_611_994_784_164));
                assert_eq!(
                    (info.recording, info.live_streaming),
                    (Some(true), Some(true))
                );
                assert_eq!(info.media, Some(crate::events::model::Media::Video));
            }
            other => panic!("{other:?}"),
        }
        // NetConditionNotify (no longer in the 2025 tables): passed through whole.
        let events = apply(
            &mut state,
            r#"{"action":"NetConditionNotify","version":39,"createTime":1611993596126,"msgMode":1,"data":[{"participantID":"p","mode":0,"netInfo":"good","bandwidth":61440}]}"#,
        );
        assert!(
            matches!(&events[..], [EventKind::Unknown { action, .. }] if action == "NetConditionNotify")
        );
    }

    #[test]
    fn participants_past_the_cap_are_not_tracked_and_counted() {
        let mut state = State::default();
        let mut out = Vec::new();
        let items: Vec<String> = (0..wire::ROSTER_CAP + 5)
            .map(|i| format!(r#"{{"pid":"p{i}"}}"#))
            .collect();
        let text = format!(
            r#"{{"action":"ParticipantsNotify","msgMode":1,"version":1,"data":[{}]}}"#,
            items.join(",")
        );
        let f = frame(&text);
        state.apply(&f, &mut out);
        assert_eq!(state.snapshot().participants.len(), wire::ROSTER_CAP);
        assert_eq!(out.len(), wire::ROSTER_CAP);
        assert_eq!(f.skipped.get(), 5);
        // One leaving makes room for one more.
        let f = frame(
            r#"{"action":"ParticipantsNotify","msgMode":1,"version":2,"data":[{"pid":"p0","mode":1},{"pid":"late"}]}"#,
        );
        out.clear();
        state.apply(&f, &mut out);
        assert_eq!(out.len(), 2);
        assert!(state.snapshot().participants.contains_key("late"));
    }
}
