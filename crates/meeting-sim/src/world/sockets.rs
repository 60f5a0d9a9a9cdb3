//! The meeting-control WebSocket as the world sees it: each conference's sockets, what
//! they subscribed to, and the frames every change makes (from [`World::changed`], the
//! one place every change passes). Frames are written here with `serde_json` from the
//! reference pages' field tables, independently of the client's decoder, so that a
//! mistake on one side shows in the tests of the other.
//!
//! Full messages carry a timestamp as `version`; incremental ones are numbered per
//! socket and type from 1 after each full message. Faults (duplicate, reorder, skip a
//! version) apply to incremental messages.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use super::{Change, Conference, DisplayMode, HostView, Participant, RecordingState, World};
use crate::errors::{ApiError, Status, codes};
use crate::model::ConferenceState;

/// The notification types the simulator pushes (its control tokens'
/// `supportNotifyType`).
pub(crate) const NOTIFY_TYPES: &[&str] = &[
    BASIC,
    DYNAMIC,
    PARTICIPANTS,
    ATTENDEES,
    SPEAKERS,
    INVITE_RESULTS,
    WAITING_LIST,
];

const BASIC: &str = "ConfBasicInfoNotify";
const DYNAMIC: &str = "ConfDynamicInfoNotify";
const PARTICIPANTS: &str = "ParticipantsNotify";
const ATTENDEES: &str = "AttendeesNotify";
const SPEAKERS: &str = "SpeakerChangeNotify";
const INVITE_RESULTS: &str = "InviteResultNotify";
const WAITING_LIST: &str = "WaitingListNotify";

/// Frames waiting for a slow client, per socket; past that the socket is closed.
const QUEUE: usize = 4096;

/// What the connection task of a socket sends.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Text(String),
    /// Close the socket, for this reason.
    Close(&'static str),
}

/// A socket just opened: its id and the frames the world sends it.
pub(crate) struct Opened {
    pub id: u64,
    pub frames: mpsc::Receiver<Outgoing>,
}

struct Socket {
    id: u64,
    /// Subscribed notification types.
    types: Vec<String>,
    /// The last incremental version sent, per type.
    versions: HashMap<String, u64>,
    frames: mpsc::Sender<Outgoing>,
    /// A frame held back by a reorder fault, sent after the next one.
    held: Option<String>,
}

impl Socket {
    fn send(&mut self, text: String) -> bool {
        self.frames.try_send(Outgoing::Text(text)).is_ok()
    }
}

/// Faults of a conference's sockets, set through the admin API: the next `duplicate`
/// incremental frames are sent twice, the next `reorder` are sent after the frame that
/// follows them, the next `skip` leave out a version number; with `silent_heartbeats`
/// heartbeats are not echoed; with `close_after_subscribe` every Subscribe is answered
/// with success and the socket closed at once (a load balancer that drops upgraded
/// connections).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SocketFaults {
    /// Incremental frames to send twice.
    pub duplicate: u32,
    /// Incremental frames to send after the next frame.
    pub reorder: u32,
    /// Incremental frames whose version skips a number.
    pub skip: u32,
    /// Heartbeats are not echoed.
    pub silent_heartbeats: bool,
    /// Subscribe is answered with success, then the socket is closed.
    pub close_after_subscribe: bool,
    /// After each Subscribe, this many frames of an action no client decodes
    /// (`FloodNotify`), as fast as the socket takes them: a hostile or broken server.
    pub flood_frames: u32,
    /// The flood's frames' length in bytes (up to 16 MiB, what clients accept).
    pub flood_bytes: u32,
    /// The flood's shape: one huge string (false) or a list of small objects (true),
    /// which costs a client that decodes it far more.
    pub flood_small_objects: bool,
}

impl SocketFaults {
    /// One frame of the flood these faults describe.
    pub(crate) fn flood_frame(&self) -> String {
        let size = (self.flood_bytes as usize).min(16 << 20);
        let head = r#"{"action":"FloodNotify","msgMode":0,"data":"#;
        let mut frame = String::with_capacity(size + 64);
        frame.push_str(head);
        if self.flood_small_objects {
            frame.push('[');
            let mut n = 0u64;
            while frame.len() + 16 < size {
                if n > 0 {
                    frame.push(',');
                }
                frame.push_str(&format!(r#"{{"k":{n}}}"#));
                n += 1;
            }
            frame.push(']');
        } else {
            frame.push('"');
            let fill = size.saturating_sub(head.len() + 3);
            frame.extend(std::iter::repeat_n('x', fill));
            frame.push('"');
        }
        frame.push('}');
        frame
    }
}

#[derive(Default)]
pub(crate) struct Sockets {
    next_id: u64,
    by_conference: HashMap<String, Vec<Socket>>,
    faults: HashMap<String, SocketFaults>,
}

impl std::fmt::Debug for Sockets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sockets")
            .field(
                "open",
                &self.by_conference.values().map(Vec::len).sum::<usize>(),
            )
            .finish()
    }
}

/// A frame to publish: full (the same text for every socket) or incremental (its
/// version set per socket).
enum Publish {
    Full(String),
    Incremental(Map<String, Value>),
}

impl Sockets {
    /// The open sockets of every conference that has one.
    pub(super) fn all_open(&self) -> std::collections::BTreeMap<String, usize> {
        self.by_conference
            .iter()
            .filter(|(_, open)| !open.is_empty())
            .map(|(id, open)| (id.clone(), open.len()))
            .collect()
    }
}

impl World {
    /// Opens a socket of conference `id` with a one-use WebSocket token.
    pub fn open_socket(&mut self, id: &str, ws_token: &str) -> Result<Opened, ApiError> {
        let now_ms = self.now_ms;
        let valid = self
            .ws_tokens
            .get(ws_token)
            .is_some_and(|grant| grant.conference == id && grant.expires_ms > now_ms);
        if !valid {
            return Err(ApiError::new(
                Status::Unauthorized,
                codes::WS_TOKEN_INVALID,
                "the WebSocket token is invalid, used or expired",
            ));
        }
        self.ws_tokens.remove(ws_token);
        self.conference(id)?;
        let (frames, receiver) = mpsc::channel(QUEUE);
        self.sockets.next_id += 1;
        let socket_id = self.sockets.next_id;
        self.sockets
            .by_conference
            .entry(id.to_owned())
            .or_default()
            .push(Socket {
                id: socket_id,
                types: Vec::new(),
                versions: HashMap::new(),
                frames,
                held: None,
            });
        Ok(Opened {
            id: socket_id,
            frames: receiver,
        })
    }

    /// A Subscribe frame on socket `socket`: answered, then a full message of every
    /// subscribed type the simulator pushes. A refused one is answered and closes the
    /// socket.
    pub fn subscribe(
        &mut self,
        id: &str,
        socket: u64,
        sequence: &str,
        types: Vec<String>,
        control_token: Option<&str>,
    ) {
        let authorized = self.authorize_control(control_token, id, self.now_ms);
        let now_ms = self.now_ms;
        let fulls: Vec<String> = match self.conferences.get(id) {
            Some(conference) if authorized.is_ok() => types
                .iter()
                .filter_map(|kind| full_frame(kind, conference, now_ms))
                .collect(),
            _ => Vec::new(),
        };
        let close_after = self
            .sockets
            .faults
            .get(id)
            .is_some_and(|f| f.close_after_subscribe);
        let Some(entry) = self.socket_mut(id, socket) else {
            return;
        };
        let answer = |code: i64, description: &str| {
            json!({
                "action": "Subscribe",
                "sequence": sequence,
                // With the trailing space every version of the page prints.
                "data": {"returnCode": code, "returnDesc ": description},
            })
            .to_string()
        };
        if let Err(error) = authorized {
            entry.send(answer(1, &format!("{}: {}", error.code, error.message)));
            let _ = entry
                .frames
                .try_send(Outgoing::Close("subscription refused"));
            self.close_socket(id, socket);
            return;
        }
        entry.types = types;
        entry.versions.clear();
        entry.send(answer(0, "SUCCESS"));
        if close_after {
            let _ = entry
                .frames
                .try_send(Outgoing::Close("closed after Subscribe"));
            self.close_socket(id, socket);
            return;
        }
        for frame in fulls {
            entry.send(frame);
        }
    }

    /// The socket closed (by the client, or after its heartbeats stopped).
    pub fn close_socket(&mut self, id: &str, socket: u64) {
        if let Some(sockets) = self.sockets.by_conference.get_mut(id) {
            sockets.retain(|s| s.id != socket);
            if sockets.is_empty() {
                self.sockets.by_conference.remove(id);
            }
        }
    }

    /// Closes every socket of conference `id` (a fault); how many there were.
    pub fn drop_sockets(&mut self, id: &str) -> usize {
        let sockets = self.sockets.by_conference.remove(id).unwrap_or_default();
        for socket in &sockets {
            let _ = socket
                .frames
                .try_send(Outgoing::Close("dropped by the simulator"));
        }
        sockets.len()
    }

    /// Open sockets of conference `id`.
    pub fn open_sockets(&self, id: &str) -> usize {
        self.sockets.by_conference.get(id).map_or(0, Vec::len)
    }

    /// Sets the faults of conference `id`'s sockets.
    pub fn set_socket_faults(&mut self, id: &str, faults: SocketFaults) {
        self.sockets.faults.insert(id.to_owned(), faults);
    }

    /// The faults of conference `id`'s sockets not yet used up.
    pub fn socket_faults(&self, id: &str) -> SocketFaults {
        self.sockets.faults.get(id).copied().unwrap_or_default()
    }

    /// Whether heartbeats on conference `id`'s sockets are echoed.
    pub fn echoes_heartbeats(&self, id: &str) -> bool {
        !self
            .sockets
            .faults
            .get(id)
            .is_some_and(|f| f.silent_heartbeats)
    }

    fn socket_mut(&mut self, id: &str, socket: u64) -> Option<&mut Socket> {
        self.sockets
            .by_conference
            .get_mut(id)?
            .iter_mut()
            .find(|s| s.id == socket)
    }

    /// The frames of `change` to the sockets of its conference.
    pub(super) fn publish(&mut self, change: &Change) {
        let id = change.conference();
        if !self.sockets.by_conference.contains_key(id) {
            return;
        }
        let now_ms = self.now_ms;
        let Some(conference) = self.conferences.get(id) else {
            return;
        };
        let mut frames: Vec<(&str, Publish)> = Vec::new();
        match change {
            Change::Meeting(_) => {
                frames.push((BASIC, Publish::Full(basic(conference, now_ms))));
                frames.push((DYNAMIC, Publish::Full(dynamic(conference, now_ms))));
            }
            Change::Participant { participant, .. } => {
                if let Some(p) = conference
                    .participants
                    .iter()
                    .find(|p| p.seed.id == *participant)
                {
                    let item = participant_item(p);
                    frames.push((
                        PARTICIPANTS,
                        incremental(PARTICIPANTS, id, now_ms, json!([item])),
                    ));
                }
            }
            Change::Left { participant, .. } => {
                let item = json!({"pid": participant, "mode": 1, "pinfoMap": {}});
                frames.push((
                    PARTICIPANTS,
                    incremental(PARTICIPANTS, id, now_ms, json!([item])),
                ));
            }
            Change::Speakers(_) => {
                frames.push((SPEAKERS, Publish::Full(speakers(conference, now_ms))));
            }
            Change::Invited { number, .. } => {
                let item = json!({"callNumber": number, "resultCode": "0"});
                frames.push((
                    INVITE_RESULTS,
                    incremental(INVITE_RESULTS, id, now_ms, json!([item])),
                ));
            }
            Change::Ended(_) => {
                frames.push((DYNAMIC, Publish::Full(dynamic(conference, now_ms))));
            }
            Change::Waiting { participant, .. } => {
                let item = match conference
                    .waiting
                    .iter()
                    .find(|w| w.seed.id == *participant)
                {
                    Some(w) => waiting_item(w),
                    None => json!({"pid": participant, "mode": 1, "pinfoMap": {}}),
                };
                frames.push((
                    WAITING_LIST,
                    incremental(WAITING_LIST, id, now_ms, json!([item])),
                ));
            }
            Change::Scheduled(_) | Change::Modified(_) => {}
        }
        let ended = matches!(change, Change::Ended(_));
        let id = id.to_owned();
        for (kind, frame) in frames {
            self.send(&id, kind, frame);
        }
        if ended {
            for socket in self.sockets.by_conference.remove(&id).unwrap_or_default() {
                let _ = socket.frames.try_send(Outgoing::Close("the meeting ended"));
            }
        }
    }

    /// Sends a frame to every socket of conference `id` subscribed to `kind`, with the
    /// conference's faults; a socket whose queue is full is closed.
    fn send(&mut self, id: &str, kind: &str, frame: Publish) {
        let incremental = matches!(frame, Publish::Incremental(_));
        let faults = self.sockets.faults.get(id).copied().unwrap_or_default();
        let (duplicate, reorder, skip) = (
            incremental && faults.duplicate > 0,
            incremental && faults.reorder > 0,
            incremental && faults.skip > 0,
        );
        let Some(sockets) = self.sockets.by_conference.get_mut(id) else {
            return;
        };
        let mut sent = false;
        sockets.retain_mut(|socket| {
            if !socket.types.iter().any(|t| t == kind) {
                return true;
            }
            sent = true;
            let text = match &frame {
                Publish::Full(text) => {
                    socket.versions.insert(kind.to_owned(), 0);
                    text.clone()
                }
                Publish::Incremental(map) => {
                    let version = socket.versions.entry(kind.to_owned()).or_insert(0);
                    *version += if skip { 2 } else { 1 };
                    let mut map = map.clone();
                    map.insert("version".into(), json!(*version));
                    Value::Object(map).to_string()
                }
            };
            if reorder && socket.held.is_none() {
                socket.held = Some(text);
                return true;
            }
            let mut open = socket.send(text.clone());
            if duplicate {
                open &= socket.send(text);
            }
            if let Some(held) = socket.held.take() {
                open &= socket.send(held);
            }
            open
        });
        if sent
            && (duplicate || reorder || skip)
            && let Some(f) = self.sockets.faults.get_mut(id)
        {
            f.duplicate -= u32::from(duplicate);
            f.reorder -= u32::from(reorder);
            f.skip -= u32::from(skip);
        }
    }
}

/// The full message of type `kind` for a new subscription, if the simulator pushes it.
fn full_frame(kind: &str, conference: &Conference, now_ms: i64) -> Option<String> {
    Some(match kind {
        BASIC => basic(conference, now_ms),
        DYNAMIC => dynamic(conference, now_ms),
        PARTICIPANTS => {
            let items: Vec<Value> = conference
                .participants
                .iter()
                .map(participant_item)
                .collect();
            with_header(
                PARTICIPANTS,
                &conference.id,
                now_ms,
                true,
                json!({"data": items}),
            )
        }
        SPEAKERS => speakers(conference, now_ms),
        WAITING_LIST => {
            let items: Vec<Value> = conference.waiting.iter().map(waiting_item).collect();
            with_header(kind, &conference.id, now_ms, true, json!({"data": items}))
        }
        ATTENDEES => with_header(kind, &conference.id, now_ms, true, json!({"data": []})),
        _ => return None,
    })
}

/// A push: the common header (`version` a timestamp for a full message) and `payload`'s
/// fields.
fn header(action: &str, id: &str, now_ms: i64, full: bool) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("action".into(), json!(action));
    map.insert("version".into(), json!(now_ms));
    map.insert("createTime".into(), json!(now_ms));
    map.insert(
        "msgID".into(),
        json!(hex::encode(rand::random::<[u8; 16]>())),
    );
    map.insert("msgMode".into(), json!(if full { 0 } else { 1 }));
    map.insert("confID".into(), json!(id));
    map
}

fn with_header(action: &str, id: &str, now_ms: i64, full: bool, payload: Value) -> String {
    let mut map = header(action, id, now_ms, full);
    if let Value::Object(fields) = payload {
        map.extend(fields);
    }
    Value::Object(map).to_string()
}

fn incremental(action: &str, id: &str, now_ms: i64, data: Value) -> Publish {
    let mut map = header(action, id, now_ms, false);
    map.insert("data".into(), data);
    Publish::Incremental(map)
}

/// `ConfBasicInfoNotify`: its fields at the top level, times as strings of ms.
fn basic(c: &Conference, now_ms: i64) -> String {
    let start_ms = c.start_minutes.map_or(c.started_ms, |m| m * 60_000);
    with_header(
        BASIC,
        &c.id,
        now_ms,
        true,
        json!({
            "displayID": c.id,
            "title": c.subject.clone().unwrap_or_else(|| format!("Meeting {}", c.id)),
            "startTime": c.started_ms.to_string(),
            "scheduledStartTime": start_ms.to_string(),
            "pwds": [{"role": "chair", "pwd": "******"}],
            "recType": 0,
            "media": if c.media_types.as_deref().is_some_and(|m| !m.contains("Video")) { 1 } else { 2 },
            "owner": c.organizer.clone().unwrap_or_default(),
            "ownerID": c.organizer.clone().unwrap_or_default(),
            "userType": 2,
            "supportWatermark": 0,
            "callInRestriction": c.settings.call_in_restriction,
            "confMode": "COMMON",
            "realTimeSubtitle": 0,
        }),
    )
}

/// `ConfDynamicInfoNotify`: its fields at the top level, flags as 0/1.
fn dynamic(c: &Conference, now_ms: i64) -> String {
    let state = match c.state {
        ConferenceState::Scheduled => "Schedule",
        ConferenceState::Ongoing => "Created",
        ConferenceState::Ended | ConferenceState::Cancelled => "Destroyed",
    };
    let end_ms = c.started_ms + i64::from(c.length_minutes) * 60_000;
    // The multi-picture as shown: none while only saved, or composed by the service.
    let shown = c.display.multi_picture.as_ref().filter(|p| p.applied);
    let pictures = shown
        .and_then(|p| super::display::capacity(&p.layout))
        .unwrap_or(1);
    let multi_pic = json!({
        "picNum": pictures,
        "period": shown.and_then(|p| p.switch_s).unwrap_or(0),
        "picInfos": shown.map(|p| p.pictures.iter().map(|pic| json!({
            "index": pic.index,
            "id": pic.participants,
            "share": i32::from(pic.assist_stream),
        })).collect::<Vec<_>>()).unwrap_or_default(),
    });
    with_header(
        DYNAMIC,
        &c.id,
        now_ms,
        true,
        json!({
            "endTime": end_ms.to_string(),
            "mode": if c.display.mode == DisplayMode::Fixed { "FIXED" } else { "FREE" },
            "state": state,
            "vas": i32::from(matches!(c.display.mode, DisplayMode::VoiceActivated { .. })),
            "lock": i32::from(c.locked),
            "mute": i32::from(c.all_muted),
            "lockSharing": c.settings.lock_sharing,
            "canUnmute": c.settings.allow_unmute_by_oneself,
            "chairView": i32::from(matches!(c.display.host_view, HostView::Rotating { .. })),
            "picNum": pictures,
            "multiPic": multi_pic,
            "simultaneousInterpretation": i32::from(c.interpretation.running),
            "lanChannels": c.interpretation.languages(),
            "recState": i32::from(c.broadcasting.recording != RecordingState::Off),
            "pause": i32::from(c.broadcasting.paused),
            "liveState": i32::from(c.broadcasting.live),
            "forbiddenChat": i32::from(c.settings.chat_permission == 1),
        }),
    )
}

/// `SpeakerChangeNotify`: no `data` when nobody speaks.
fn speakers(c: &Conference, now_ms: i64) -> String {
    let payload = if c.speakers.is_empty() {
        json!({})
    } else {
        let items: Vec<Value> = c
            .speakers
            .iter()
            .map(|(pid, volume)| {
                let name = c
                    .participants
                    .iter()
                    .find(|p| p.seed.id == *pid)
                    .and_then(|p| p.seed.name.clone());
                json!({"pid": pid, "speakingVolume": volume, "name": name})
            })
            .collect();
        json!({"data": items})
    };
    with_header(SPEAKERS, &c.id, now_ms, true, payload)
}

/// A `ParticipantsNotify` item: every value a string, as the pages define them (the
/// login-type key spelled as the field table spells it).
/// A waiting-room item, as `WaitingListNotify` lists it.
fn waiting_item(w: &super::waiting::Waiting) -> Value {
    json!({"pid": w.seed.id, "mode": 0, "pinfoMap": {
        "NAME": w.seed.name.clone().unwrap_or_default(),
        "ADDTIME": w.since_ms.to_string(),
        "ANONYMOUS": "0",
        "WAITINGSTATE": "0",
    }})
}

fn participant_item(p: &Participant) -> Value {
    let flag = |on: bool| if on { "1" } else { "0" };
    let mut info = json!({
        "NAME": p.seed.name.clone().unwrap_or_default(),
        "ROLE": flag(p.seed.host),
        "STATE": "0",
        "HAND": flag(p.flags.hand_raised),
        "BROADCAST": flag(p.flags.broadcast),
        "ROLLCALL": flag(p.flags.roll_call),
        "SHARE": flag(p.flags.sharing),
        "ADDTIME": p.joined_ms.to_string(),
        "MUTE": flag(p.muted),
        "VIDEO": flag(p.seed.professional_terminal),
        "CAMERASTATE": flag(!p.flags.camera_off),
        "ANONYMOUS": "0",
        "CLICENT_LOGIN_TYPE": if p.seed.professional_terminal { "OtherType" } else { "Desktop" },
        "IS_COHOST": flag(p.flags.co_host),
        "LOCKED_VIEW": p.view_locked_to.clone().unwrap_or_default(),
        "VIEW_TYPE": if p.watching.is_some() { "2" } else { "0" },
        "ORG_ID": "sim-org",
    });
    if let (Some(phone), Some(map)) = (&p.phone, info.as_object_mut()) {
        map.insert("TEL".into(), json!(phone));
    }
    json!({"pid": p.seed.id, "mode": 0, "pinfoMap": info})
}
