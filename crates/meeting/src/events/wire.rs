//! The frames of the meeting-control WebSocket as the reference pages define them:
//! what the client sends (Subscribe, HeartBeat) and how the service's frames decode.
//! Decoding is tolerant where the pages contradict themselves: numbers that arrive as
//! text, `returnDesc` with or without its trailing space, misspelled keys.

use std::borrow::Cow;
use std::cell::Cell;

use base64::Engine;
use serde::Deserialize;
use serde::de::{SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::model::{
    Media, MeetingInfo, MeetingStatus, MultiPictureStatus, ParticipantInfo, ParticipantRole,
    ParticipantState, Phase, PictureStatus, Speaker, Viewing, WaitingParticipant,
};

/// Where the socket is opened, below the prefix `wsURL` gives.
pub(crate) const PATH: &str = "/cms/open/websocket/confctl/increment/conn";

/// The actions of the frames the client sends, echoed in the service's answers.
pub(crate) const SUBSCRIBE: &str = "Subscribe";
pub(crate) const HEARTBEAT: &str = "HeartBeat";

/// A `sequence`: 30 digits, the milliseconds since the epoch zero-padded, as in every
/// example of the pages.
pub(crate) fn sequence(ms: u64) -> String {
    format!("{ms:030}")
}

/// The Subscribe frame. `data` is a JSON string, as in every example of the pages, and
/// the control token is sent as `Basic ` + Base64, as the examples send it.
pub(crate) fn subscribe(
    sequence: &str,
    conference: &str,
    types: &[&str],
    control_token: &str,
) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(control_token);
    let data = serde_json::json!({
        "conferenceID": conference,
        "subscribeType": types,
        "confToken": format!("Basic {token}"),
    });
    serde_json::json!({
        "action": SUBSCRIBE,
        "sequence": sequence,
        "data": data.to_string(),
    })
    .to_string()
}

/// The HeartBeat frame.
pub(crate) fn heartbeat(sequence: &str) -> String {
    serde_json::json!({ "action": HEARTBEAT, "sequence": sequence }).to_string()
}

/// The largest frame whose top-level payload (ConfBasicInfoNotify,
/// ConfDynamicInfoNotify, a Subscribe answer) is decoded: such frames are a few KiB.
pub(crate) const SMALL_FRAME: usize = 1 << 20;
/// The largest roster item (one participant) decoded: a real one is under 2 KiB.
pub(crate) const ITEM_LIMIT: usize = 16 << 10;
/// Participants (and, apart, waiting-room entries) kept at most: more than the
/// service's largest meeting holds.
pub(crate) const ROSTER_CAP: usize = 10_000;
/// The largest frame kept whole in [`super::EventKind::Unknown`]; of a larger one, only
/// its header is kept.
pub(crate) const UNKNOWN_RAW_LIMIT: usize = 64 << 10;

/// A frame from the service: its header decoded, its payload left as text and decoded
/// only as far as its type needs, within the limits above, so that a 16 MiB frame
/// never becomes a tree of a million values.
#[derive(Debug)]
pub(crate) struct Frame<'a> {
    pub action: String,
    pub sequence: Option<String>,
    /// Full (`msgMode` 0) or incremental (1).
    pub full: bool,
    pub version: Option<i64>,
    /// The whole frame.
    text: &'a str,
    data: Option<&'a RawValue>,
    /// Items and payloads left out for their size or the roster cap.
    pub skipped: Cell<u64>,
}

/// What is read of a frame before its type is known.
#[derive(Deserialize)]
struct Header<'a> {
    action: String,
    #[serde(default, borrow)]
    sequence: Option<&'a RawValue>,
    #[serde(default, borrow, rename = "msgMode")]
    msg_mode: Option<&'a RawValue>,
    #[serde(default, borrow)]
    version: Option<&'a RawValue>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

/// A small JSON value (a header field), decoded.
fn small(raw: &RawValue) -> Option<Value> {
    (raw.get().len() <= 256)
        .then(|| serde_json::from_str(raw.get()).ok())
        .flatten()
}

impl<'a> Frame<'a> {
    /// A text frame; `None` for anything but a JSON object with an `action`.
    pub fn parse(text: &'a str) -> Option<Self> {
        let header: Header<'a> = serde_json::from_str(text).ok()?;
        Some(Self {
            sequence: header.sequence.and_then(small).as_ref().and_then(text_of),
            // A frame without msgMode is taken as full: the pages call several types
            // "fixed full".
            full: header
                .msg_mode
                .and_then(small)
                .as_ref()
                .and_then(int_of)
                .unwrap_or(0)
                == 0,
            version: header.version.and_then(small).as_ref().and_then(int_of),
            action: header.action,
            text,
            data: header.data,
            skipped: Cell::new(0),
        })
    }

    fn skip(&self, n: u64) {
        self.skipped.set(self.skipped.get().saturating_add(n));
    }

    /// `data`'s JSON text: unquoted when it is a JSON string.
    fn data_text(&self) -> Option<Cow<'a, str>> {
        let raw = self.data?.get();
        if raw.starts_with('"') {
            serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(raw))
        }
    }

    /// `data`, decoded when it is small enough.
    pub fn data(&self) -> Option<Value> {
        let text = self.data_text()?;
        if text.len() > SMALL_FRAME {
            self.skip(1);
            return None;
        }
        serde_json::from_str(&text).ok()
    }

    /// The items of a list-type frame (`data` an array, or one object): at most
    /// [`ROSTER_CAP`], each at most [`ITEM_LIMIT`] long, read one at a time.
    pub fn items(&self) -> Vec<Value> {
        let Some(text) = self.data_text() else {
            return Vec::new();
        };
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            if trimmed.len() > ITEM_LIMIT {
                self.skip(1);
                return Vec::new();
            }
            return serde_json::from_str(trimmed).map_or_else(|_| Vec::new(), |item| vec![item]);
        }
        if !trimmed.starts_with('[') {
            return Vec::new();
        }
        let mut reader = serde_json::Deserializer::from_str(trimmed);
        match serde::Deserializer::deserialize_seq(&mut reader, Items) {
            Ok((items, skipped)) => {
                self.skip(skipped);
                items
            }
            Err(_) => Vec::new(),
        }
    }

    /// The payload of the types that carry it at the top level (ConfBasicInfoNotify,
    /// ConfDynamicInfoNotify), merged with `data` when a service sends it there.
    pub fn top_level(&self) -> Map<String, Value> {
        if self.text.len() > SMALL_FRAME {
            self.skip(1);
            return Map::new();
        }
        let Ok(Value::Object(raw)) = serde_json::from_str(self.text) else {
            return Map::new();
        };
        let mut payload: Map<String, Value> = raw
            .into_iter()
            .filter(|(key, _)| !HEADER.contains(&key.as_str()))
            .collect();
        if let Some(Value::Object(data)) = self.data() {
            payload.extend(data);
        }
        payload
    }

    /// The frame for an [`super::EventKind::Unknown`]: whole up to
    /// [`UNKNOWN_RAW_LIMIT`], its header alone beyond (and `true`: truncated).
    pub fn raw(&self) -> (Value, bool) {
        if self.text.len() <= UNKNOWN_RAW_LIMIT
            && let Ok(whole) = serde_json::from_str(self.text)
        {
            return (whole, false);
        }
        let mut header = Map::new();
        header.insert("action".into(), Value::String(self.action.clone()));
        if let Some(sequence) = &self.sequence {
            header.insert("sequence".into(), Value::String(sequence.clone()));
        }
        header.insert("msgMode".into(), Value::from(u8::from(!self.full)));
        if let Some(version) = self.version {
            header.insert("version".into(), Value::from(version));
        }
        (Value::Object(header), true)
    }

    /// For a Subscribe answer: `Ok` for `returnCode` 0, else the code and description.
    pub fn subscribe_result(&self) -> Result<(), String> {
        let data = self.data().unwrap_or(Value::Null);
        let code = data.get("returnCode").and_then(int_of);
        if code == Some(0) {
            return Ok(());
        }
        let description = data
            .get("returnDesc")
            .or_else(|| data.get("returnDesc "))
            .and_then(text_of)
            .unwrap_or_default();
        Err(format!(
            "the service refused the subscription (returnCode {}{}{})",
            code.map_or_else(|| "missing".to_owned(), |c| c.to_string()),
            if description.is_empty() { "" } else { ": " },
            crate::printable::printable_at_most(&description, 200)
        ))
    }
}

/// Reads a JSON array item by item, each as raw text first: the small ones decoded up
/// to the roster cap, the others only counted.
struct Items;

impl<'de> Visitor<'de> for Items {
    type Value = (Vec<Value>, u64);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        let mut skipped = 0u64;
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            let text = raw.get();
            if items.len() < ROSTER_CAP
                && text.len() <= ITEM_LIMIT
                && let Ok(item) = serde_json::from_str(text)
            {
                items.push(item);
            } else {
                skipped += 1;
            }
        }
        Ok((items, skipped))
    }
}

/// The header keys every push shares.
const HEADER: &[&str] = &[
    "action",
    "version",
    "createTime",
    "msgID",
    "msgMode",
    "confID",
    "sequence",
    "data",
];

/// A list item of ParticipantsNotify or WaitingListNotify: who, whether it is removed
/// (`mode` 1), and the keys it sets.
pub(crate) struct RosterItem<'a> {
    pub id: String,
    pub removed: bool,
    pub fields: Option<&'a Map<String, Value>>,
}

impl<'a> RosterItem<'a> {
    pub fn parse(item: &'a Value) -> Option<Self> {
        Some(Self {
            id: item.get("pid").and_then(text_of)?,
            removed: item.get("mode").and_then(int_of) == Some(1),
            fields: item.get("pinfoMap").and_then(Value::as_object),
        })
    }

    /// Its keys and their values (every value is text on the wire).
    pub fn fields(&self) -> impl Iterator<Item = (&'a str, String)> + use<'a> {
        self.fields
            .into_iter()
            .flatten()
            .filter_map(|(key, value)| Some((key.as_str(), text_of(value)?)))
    }
}

/// Sets the field a `pinfoMap` key names; a key this version does not know is kept in
/// `extra`. The login-type key is read spelled as the table spells it and as the
/// examples do.
pub(crate) fn set_participant(p: &mut ParticipantInfo, key: &str, value: String) {
    match key {
        "NAME" => p.name = Some(value),
        "TEL" => p.number = Some(value),
        "ROLE" => {
            p.role = Some(match value.as_str() {
                "1" => ParticipantRole::Host,
                "0" => ParticipantRole::Participant,
                "2" => ParticipantRole::Audience,
                _ => ParticipantRole::Other(value),
            })
        }
        "IS_COHOST" => p.co_host = flag(&value),
        "STATE" => {
            p.state = Some(match value.as_str() {
                "0" => ParticipantState::InMeeting,
                "1" => ParticipantState::Calling,
                _ => ParticipantState::Other(value),
            })
        }
        "MUTE" => p.muted = flag(&value),
        "HAND" => p.hand_raised = flag(&value),
        "BROADCAST" => p.broadcast = flag(&value),
        "ROLLCALL" => p.roll_call = flag(&value),
        "SHARE" => p.sharing = flag(&value),
        "VIDEO" => p.video = flag(&value),
        "CAMERASTATE" => p.camera_on = flag(&value),
        "ADDTIME" => p.joined_at_ms = value.trim().parse().ok(),
        "ANONYMOUS" => p.anonymous = flag(&value),
        "CLICENT_LOGIN_TYPE" | "CLIENT_LOGIN_TYPE" => p.client_type = Some(value),
        "ACCOUNT_ID" => p.account_id = Some(value),
        "LOCKED_VIEW" => p.view_locked_to = Some(value).filter(|v| !v.is_empty()),
        "VIEW_TYPE" => {
            p.viewing = Some(match value.as_str() {
                "0" => Viewing::Default,
                "1" => Viewing::MultiPicture,
                "2" => Viewing::Participant,
                _ => Viewing::Other(value),
            })
        }
        _ => {
            p.extra.insert(key.to_owned(), value);
        }
    }
}

/// Sets the field a waiting-room `pinfoMap` key names; the rest is kept in `extra`.
pub(crate) fn set_waiting(p: &mut WaitingParticipant, key: &str, value: String) {
    match key {
        "NAME" => p.name = Some(value),
        "ADDTIME" => p.joined_at_ms = value.trim().parse().ok(),
        "ANONYMOUS" => p.anonymous = flag(&value),
        "WAITINGSTATE" => p.admitted = flag(&value),
        _ => {
            p.extra.insert(key.to_owned(), value);
        }
    }
}

/// Sets what a ConfBasicInfoNotify key says; the rest is kept in `extra`.
pub(crate) fn set_info(info: &mut MeetingInfo, key: &str, value: &Value) {
    match key {
        "displayID" => info.display_id = text_of(value),
        "title" => info.title = text_of(value),
        "startTime" => info.start_time_ms = int_of(value),
        "scheduledStartTime" => info.scheduled_start_time_ms = int_of(value),
        "owner" => info.owner = text_of(value),
        "ownerID" => info.owner_id = text_of(value),
        "media" => {
            info.media = int_of(value).map(|media| match media {
                1 => Media::Voice,
                2 => Media::Video,
                other => Media::Other(other),
            })
        }
        "recType" => {
            let rec_type = int_of(value);
            info.recording = rec_type.map(|t| t == 1 || t == 2);
            info.live_streaming = rec_type.map(|t| t == 2 || t == 3);
        }
        _ => {
            info.extra.insert(key.to_owned(), value.clone());
        }
    }
}

/// Sets what a ConfDynamicInfoNotify key says; the rest is kept in `extra`.
pub(crate) fn set_status(status: &mut MeetingStatus, key: &str, value: &Value) {
    match key {
        "state" => {
            status.phase = text_of(value).map(|state| match state.as_str() {
                "Schedule" => Phase::Scheduled,
                "Created" => Phase::InProgress,
                "Destroyed" => Phase::Ended,
                _ => Phase::Other(state),
            })
        }
        "lock" => status.locked = flag_of(value),
        "mute" => status.muted = flag_of(value),
        "canUnmute" => status.can_unmute = flag_of(value),
        "lockSharing" => status.sharing_locked = flag_of(value),
        "recState" => status.recording = flag_of(value),
        "mode" => status.mode = text_of(value),
        "endTime" => status.end_time_ms = int_of(value),
        "forbiddenChat" => status.chat_forbidden = flag_of(value),
        "pause" => status.paused = flag_of(value),
        "vas" => status.voice_activated = flag_of(value),
        "chairView" => status.host_view_rotating = flag_of(value),
        "picNum" => status.pictures = int_of(value),
        "multiPic" if value.is_object() => status.multi_picture = Some(multi_picture(value)),
        "simultaneousInterpretation" => status.interpretation = flag_of(value),
        "lanChannels" if value.is_array() => {
            status.language_channels = value
                .as_array()
                .map(|items| items.iter().filter_map(text_of).collect())
        }
        _ => {
            status.extra.insert(key.to_owned(), value.clone());
        }
    }
}

/// `multiPic`: `{picInfos: [{index, id: [..], share}], picNum, period}`.
fn multi_picture(value: &Value) -> MultiPictureStatus {
    let pictures = value
        .get("picInfos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| PictureStatus {
            index: p.get("index").and_then(int_of),
            participants: p
                .get("id")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(text_of)
                .collect(),
            shared_stream: p.get("share").and_then(flag_of) == Some(true),
        })
        .collect();
    MultiPictureStatus {
        count: value.get("picNum").and_then(int_of),
        rotate_every_s: value.get("period").and_then(int_of),
        pictures,
    }
}

/// SpeakerChangeNotify's items (none when `data` is absent: nobody speaks).
pub(crate) fn speakers(items: &[Value]) -> Vec<Speaker> {
    items
        .iter()
        .filter_map(|item| {
            Some(Speaker {
                id: item.get("pid").and_then(text_of)?,
                volume: item.get("speakingVolume").and_then(int_of),
                name: item.get("name").and_then(text_of),
            })
        })
        .collect()
}

/// InviteResultNotify's items: the number called and the code (`errorCode` in the
/// table, `resultCode` in the example).
pub(crate) fn invite_results(items: &[Value]) -> Vec<super::model::InviteResult> {
    items
        .iter()
        .map(|item| super::model::InviteResult {
            number: item.get("callNumber").and_then(text_of),
            code: item
                .get("resultCode")
                .or_else(|| item.get("errorCode"))
                .and_then(text_of),
        })
        .collect()
}

/// A string, or a number written as one.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer, or one written as text.
fn int_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A 0/1 flag as a number, text or boolean.
fn flag_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        other => int_of(other).map(|n| n != 0),
    }
}

/// A `pinfoMap` flag: `"1"` or `"0"`.
fn flag(value: &str) -> Option<bool> {
    match value.trim() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ParticipantsNotify of `n` small participants, `data` inline or as a string.
    fn roster(n: usize, quoted: bool) -> String {
        let items: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"pid":"p{i}","pinfoMap":{{"NAME":"n{i}"}}}}"#))
            .collect();
        let data = format!("[{}]", items.join(","));
        let data = if quoted {
            serde_json::to_string(&data).expect("a string")
        } else {
            data
        };
        format!(r#"{{"action":"ParticipantsNotify","msgMode":0,"version":1,"data":{data}}}"#)
    }

    #[test]
    fn a_16_mib_roster_is_read_item_by_item_up_to_the_cap() {
        for quoted in [false, true] {
            let text = roster(400_000, quoted);
            assert!(text.len() > 16 << 20, "{}", text.len());
            let frame = Frame::parse(&text).expect("a frame");
            assert!(frame.full);
            let items = frame.items();
            assert_eq!(items.len(), ROSTER_CAP);
            assert_eq!(frame.skipped.get(), (400_000 - ROSTER_CAP) as u64);
            assert_eq!(items[0]["pid"], "p0");
        }
    }

    #[test]
    fn oversized_parts_are_left_out_and_counted() {
        let huge = "x".repeat(ITEM_LIMIT + 1);
        let text = format!(
            r#"{{"action":"ParticipantsNotify","msgMode":1,"version":2,"data":[{{"pid":"big","pinfoMap":{{"NAME":"{huge}"}}}},{{"pid":"ok"}}]}}"#
        );
        let frame = Frame::parse(&text).expect("a frame");
        let items = frame.items();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["pid"], "ok");
        assert_eq!(frame.skipped.get(), 1);

        let payload = "y".repeat(SMALL_FRAME);
        let text = format!(r#"{{"action":"ConfDynamicInfoNotify","lock":1,"pad":"{payload}"}}"#);
        let frame = Frame::parse(&text).expect("a frame");
        assert!(frame.top_level().is_empty());
        assert_eq!(frame.skipped.get(), 1);
    }

    #[test]
    fn an_unknown_frame_is_kept_whole_up_to_64_kib_then_its_header_alone() {
        let small = r#"{"action":"NetConditionNotify","sequence":"7","msgMode":1,"version":3,"data":{"x":1}}"#;
        let (raw, truncated) = Frame::parse(small).expect("a frame").raw();
        assert!(!truncated);
        assert_eq!(raw["data"]["x"], 1);
        let big = format!(
            r#"{{"action":"NetConditionNotify","sequence":"7","msgMode":1,"version":3,"data":"{}"}}"#,
            "z".repeat(UNKNOWN_RAW_LIMIT)
        );
        let (raw, truncated) = Frame::parse(&big).expect("a frame").raw();
        assert!(truncated);
        assert_eq!(
            raw,
            serde_json::json!({"action": "NetConditionNotify", "sequence": "7", "msgMode": 1, "version": 3})
        );
    }

    #[test]
    fn the_subscribe_frame_has_the_pages_shape() {
        let frame: Value = serde_json::from_str(&subscribe(
            "000000000000000001702459164879",
            "914083136",
            &["ConfBasicInfoNotify", "ParticipantsNotify"],
            "stbf6226eee8b48b9e58f4ddaf30ee1a9c7ef2ae58e9302434a",
        ))
        .expect("JSON");
        assert_eq!(frame["action"], "Subscribe");
        assert_eq!(frame["sequence"], "000000000000000001702459164879");
        // `data` is a string holding JSON, as in every example.
        let data: Value =
            serde_json::from_str(frame["data"].as_str().expect("a string")).expect("JSON inside");
        assert_eq!(data["conferenceID"], "914083136");
        assert_eq!(
            data["subscribeType"],
            serde_json::json!(["ConfBasicInfoNotify", "ParticipantsNotify"])
        );
        // The pages' example token decodes from `Basic c3RiZjYy…`.
        assert_eq!(
            data["confToken"],
            "Basic c3RiZjYyMjZlZWU4YjQ4YjllNThmNGRkYWYzMGVlMWE5YzdlZjJhZTU4ZTkzMDI0MzRh"
        );
    }

    #[test]
    fn heartbeat_sequences_are_thirty_digits() {
        let frame: Value =
            serde_json::from_str(&heartbeat(&sequence(1_611_993_655_770))).expect("JSON");
        assert_eq!(
            frame,
            serde_json::json!({"action": "HeartBeat", "sequence": "000000000000000001611993655770"})
        );
    }

    #[test]
    fn the_subscribe_answer_is_read_with_either_spelling() {
        for answer in [
            r#"{"action":"Subscribe","sequence":"000000000000000001611747313677","data":{"returnCode":0,"returnDesc ":"SUCCESS"}}"#,
            r#"{"action":"Subscribe","sequence":"1","data":"{\"returnCode\":\"0\",\"returnDesc\":\"SUCCESS\"}"}"#,
        ] {
            assert_eq!(
                Frame::parse(answer).expect("frame").subscribe_result(),
                Ok(())
            );
        }
        let refused = Frame::parse(
            r#"{"action":"Subscribe","sequence":"1","data":{"returnCode":111,"returnDesc ":"token invalid"}}"#,
        )
        .expect("frame");
        assert_eq!(
            refused.subscribe_result(),
            Err("the service refused the subscription (returnCode 111: token invalid)".into())
        );
    }

    fn participant_of(item: &Value) -> ParticipantInfo {
        let item = RosterItem::parse(item).expect("item");
        let mut p = ParticipantInfo {
            id: item.id.clone(),
            ..ParticipantInfo::default()
        };
        for (key, value) in item.fields() {
            set_participant(&mut p, key, value);
        }
        p
    }

    #[test]
    fn pinfo_maps_decode_with_both_spellings_and_keep_unknown_keys() {
        let p = participant_of(&serde_json::json!({
            "pid": "c8f7b5f0", "mode": 0,
            "pinfoMap": {"NAME": "Zhang", "ROLE": "1", "MUTE": "1", "HAND": "0",
                         "CLICENT_LOGIN_TYPE": "Desktop", "ADDTIME": "1611994784164",
                         "IS_COHOST": "0", "LOCKED_VIEW": "0"}
        }));
        assert_eq!(p.role, Some(ParticipantRole::Host));
        assert_eq!(p.muted, Some(true));
        assert_eq!(p.hand_raised, Some(false));
        assert_eq!(p.client_type.as_deref(), Some("Desktop"));
        assert_eq!(p.joined_at_ms, Some(1_611_994_784_164));
        assert_eq!(p.view_locked_to.as_deref(), Some("0"));
        assert!(p.extra.is_empty(), "{:?}", p.extra);
        let p = participant_of(&serde_json::json!({
            "pid": "c8f7b5f0", "pinfoMap": {"CLIENT_LOGIN_TYPE": "Mobile"}
        }));
        assert_eq!(p.client_type.as_deref(), Some("Mobile"));
    }

    #[test]
    fn numbers_may_arrive_as_text() {
        let frame = Frame::parse(
            r#"{"action":"RealTimeSubtitleNotify","version":"12","createTime":"1611993596126","msgMode":"1","data":{}}"#,
        )
        .expect("frame");
        assert_eq!(frame.version, Some(12));
        assert!(!frame.full);
        let mut status = MeetingStatus::default();
        let payload: Map<String, Value> =
            serde_json::from_str(r#"{"state":"Created","lock":"1","picNum":"16","pause":false}"#)
                .expect("JSON");
        for (key, value) in &payload {
            set_status(&mut status, key, value);
        }
        assert_eq!(status.pictures, Some(16));
        assert_eq!(status.phase, Some(Phase::InProgress));
        assert_eq!(status.locked, Some(true));
        assert_eq!(status.paused, Some(false));
    }
}
