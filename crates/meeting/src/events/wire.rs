//! The frames of the meeting-control WebSocket as the reference pages define them:
//! what the client sends (Subscribe, HeartBeat) and how the service's frames decode.
//! Decoding is tolerant where the pages contradict themselves: numbers that arrive as
//! text, `returnDesc` with or without its trailing space, misspelled keys.

use base64::Engine;
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

/// A frame from the service, its header decoded and its payload kept as JSON.
#[derive(Debug)]
pub(crate) struct Frame {
    pub action: String,
    pub sequence: Option<String>,
    /// Full (`msgMode` 0) or incremental (1).
    pub full: bool,
    pub version: Option<i64>,
    /// The whole frame.
    pub raw: Map<String, Value>,
}

impl Frame {
    /// A text frame; `None` for anything but a JSON object with an `action`.
    pub fn parse(text: &str) -> Option<Self> {
        let Value::Object(raw) = serde_json::from_str(text).ok()? else {
            return None;
        };
        let action = raw.get("action")?.as_str()?.to_owned();
        Some(Self {
            sequence: raw.get("sequence").and_then(text_of),
            // A frame without msgMode is taken as full: the pages call several types
            // "fixed full".
            full: raw.get("msgMode").and_then(int_of).unwrap_or(0) == 0,
            version: raw.get("version").and_then(int_of),
            action,
            raw,
        })
    }

    /// `data`, decoded when it is a JSON string.
    pub fn data(&self) -> Option<Value> {
        match self.raw.get("data")? {
            Value::String(text) => serde_json::from_str(text).ok(),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }

    /// The items of a list-type frame (`data` an array).
    pub fn items(&self) -> Vec<Value> {
        match self.data() {
            Some(Value::Array(items)) => items,
            Some(item @ Value::Object(_)) => vec![item],
            _ => Vec::new(),
        }
    }

    /// The payload of the types that carry it at the top level (ConfBasicInfoNotify,
    /// ConfDynamicInfoNotify), merged with `data` when a service sends it there.
    pub fn top_level(&self) -> Map<String, Value> {
        let mut payload: Map<String, Value> = self
            .raw
            .iter()
            .filter(|(key, _)| !HEADER.contains(&key.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(Value::Object(data)) = self.data() {
            payload.extend(data);
        }
        payload
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
            crate::error::printable_at_most(&description, 200)
        ))
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
