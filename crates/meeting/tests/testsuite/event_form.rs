//! The one serialized form of an event (`meeting watch --json` prints it; the webhook
//! receiver and the fleet use it too), pinned: a change here is a change for every
//! consumer of that JSON, and shows in review.

use meeting::events::Event;

/// One event of each kind the stream emits, read back from JSON as the consumers of
/// `meeting watch --json` would write them.
const EVENTS: &str = r#"[
  {"type":"connected","meeting":"914083136","resumed":false},
  {"type":"reconnecting","meeting":"914083136","reason":"no echo of HeartBeat within 10s","attempt":1},
  {"type":"resynced","meeting":"914083136","cause":"reconnected"},
  {"type":"lagged","meeting":"914083136","skipped":12},
  {"type":"info","meeting":"914083136","info":{"display_id":"914083136","title":"Board review","start_time_ms":1764646200000,"scheduled_start_time_ms":1764646200000,"owner":"alice","owner_id":"alice","media":"video","recording":false,"live_streaming":false}},
  {"type":"status","meeting":"914083136","status":{"phase":"in_progress","locked":true,"muted":false,"can_unmute":true,"sharing_locked":false,"recording":false,"mode":"FREE","end_time_ms":1764649800000,"chat_forbidden":false,"paused":null},"changed":["locked"]},
  {"type":"participant_joined","meeting":"914083136","participant":{"id":"f131536e21ff11eab12735e1cddf6d01","name":"Alice (laptop)","number":null,"role":"participant","co_host":false,"state":"in_meeting","muted":false,"hand_raised":false,"broadcast":false,"roll_call":false,"sharing":false,"video":false,"camera_on":null,"joined_at_ms":1764646260000,"anonymous":false,"client_type":"Desktop","account_id":null,"extra":{"ORG_ID":"sim-org"}}},
  {"type":"participant_changed","meeting":"914083136","participant":{"id":"f131536e21ff11eab12735e1cddf6d01","name":"Alice (laptop)","number":null,"role":"participant","co_host":false,"state":"in_meeting","muted":true,"hand_raised":true,"broadcast":false,"roll_call":false,"sharing":false,"video":false,"camera_on":null,"joined_at_ms":1764646260000,"anonymous":false,"client_type":"Desktop","account_id":null},"changed":["muted","hand_raised"]},
  {"type":"participant_left","meeting":"914083136","participant":{"id":"f131536e21ff11eab12735e1cddf6d01","name":"Alice (laptop)","number":null,"role":null,"co_host":null,"state":null,"muted":null,"hand_raised":null,"broadcast":null,"roll_call":null,"sharing":null,"video":null,"camera_on":null,"joined_at_ms":null,"anonymous":null,"client_type":null,"account_id":null}},
  {"type":"speakers_changed","meeting":"914083136","speakers":[{"id":"f131536e21ff11eab12735e1cddf6d01","volume":90,"name":"Alice (laptop)"}]},
  {"type":"invite_result","meeting":"914083136","result":{"number":"+8613800000000","code":"0"}},
  {"type":"waiting_joined","meeting":"914083136","participant":{"id":"w1","name":"Guest","joined_at_ms":null,"anonymous":true,"admitted":false}},
  {"type":"unknown","meeting":"914083136","action":"CustomMultiPicNotify","raw":{"action":"CustomMultiPicNotify","msgMode":0}},
  {"type":"ended","meeting":"914083136"}
]"#;

#[test]
fn the_serialized_form_of_events_is_pinned() {
    let events: Vec<Event> = serde_json::from_str(EVENTS).expect("every documented kind reads");
    assert_eq!(events.len(), 14);
    insta::assert_json_snapshot!("events", events);
    // It reads back as it was written.
    let again: Vec<Event> =
        serde_json::from_str(&serde_json::to_string(&events).expect("writes")).expect("reads");
    assert_eq!(again, events);
}
