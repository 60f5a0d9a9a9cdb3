//! The wrapper's request for each operation equals what the official Python SDK sends:
//! `tests/fixtures/official-sdk/*.json`, recorded by `xtask/oracle/official_sdk.py
//! record` from the SDK itself. Compared: method, path, query, the API's headers and the
//! JSON body; token values, nonce, expireTime and signature aside (placeholders on both
//! sides), header case and order aside, `Content-Type` on a request without a body
//! aside, and a JSON `null` the same as an absent field.

use crate::common;

use std::collections::BTreeMap;
use std::future::Future;

use common::*;
use std::time::Duration;

use meeting::webhook::{WebhookScope, WebhookSetup, WebhookStatus};
use meeting::{
    AppId, AttendanceBy, AttendeeRef, CallInRestriction, Client, Credentials, Day, DisplayMode,
    Grid, Held, HostView, Interpreter, InterpreterGroup, Invitee, Language, LanguageChannel,
    Layout, MmrRecording, MultiPicture, NewMeeting, NewWebinar, Panelist, Period, Picture, QosKind,
    QosThresholdsUpdate, Recurrence, ResourceKind, RoomKind, RoomSettings, SettingsUpdate,
    UserStatsKind, WebinarImage,
};
use meeting_sim::example::{LAPTOP as LAPTOP_ID, TERMINAL as TERMINAL_ID};
use meeting_sim::scripted::{RecordedRequest, Reply, ScriptedServer};
use serde_json::Value;

/// A request reduced to what the fixtures compare.
#[derive(Debug, PartialEq)]
struct Wire {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    headers: BTreeMap<String, String>,
    body: Option<Value>,
}

fn fixture(operation: &str) -> Wire {
    let path = format!(
        "{}/tests/fixtures/official-sdk/{operation}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let value: Value = serde_json::from_str(&text).expect("fixture JSON");
    let strings = |v: &Value| -> BTreeMap<String, String> {
        v.as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect()
    };
    normalize(Wire {
        method: value["method"].as_str().unwrap_or_default().to_owned(),
        path: value["path"].as_str().unwrap_or_default().to_owned(),
        query: strings(&value["query"]),
        headers: strings(&value["headers"]),
        body: Some(value["body"].clone()).filter(|b| !b.is_null()),
    })
}

/// The same reduction the recorder applies: the API's headers only, secrets and
/// per-call values replaced by placeholders, nulls dropped.
fn wire(request: &RecordedRequest) -> Wire {
    let (path, query) = request
        .path
        .split_once('?')
        .unwrap_or((request.path.as_str(), ""));
    let query = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let headers = request
        .headers
        .iter()
        .filter(|(name, _)| {
            name == "authorization"
                || name == "conftoken"
                || name == "content-type"
                || name.starts_with("x-")
        })
        .map(|(name, value)| {
            let value = match name.as_str() {
                "x-access-token" => "<access-token>".to_owned(),
                "x-conference-authorization" | "conftoken" => "<control-token>".to_owned(),
                "authorization" if value.starts_with("HMAC-SHA256") => {
                    let access = value.split("access=").nth(1).unwrap_or_default();
                    format!("HMAC-SHA256 signature=<signature>,access={access}")
                }
                _ => value.clone(),
            };
            (name.clone(), value)
        })
        .collect();
    let media = request
        .headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    let body = if media.starts_with("multipart/form-data") {
        Some(multipart_parts(media, &request.body))
    } else {
        (!request.body.is_empty())
            .then(|| serde_json::from_slice::<Value>(&request.body).expect("JSON body"))
            .map(mask)
    };
    let mut headers: BTreeMap<String, String> = headers;
    if media.starts_with("multipart/form-data") {
        headers.insert(
            "content-type".to_owned(),
            "multipart/form-data; boundary=<boundary>".to_owned(),
        );
    }
    normalize(Wire {
        method: request.method.clone(),
        path: path.to_owned(),
        query,
        headers,
        body,
    })
}

/// A multipart body as the fixtures hold it: each part's name, file name, media type
/// and size (as the recorder reduces the SDK's).
fn multipart_parts(media: &str, body: &[u8]) -> Value {
    let boundary = media
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .trim_matches('"');
    let delimiter = format!("\r\n--{boundary}");
    // The first delimiter has no line break before it.
    let mut rest = [b"\r\n".as_slice(), body].concat();
    let mut parts = Vec::new();
    while let Some(at) = find(&rest, delimiter.as_bytes()) {
        rest.drain(..at + delimiter.len());
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(&rest, delimiter.as_bytes()).expect("a closing delimiter");
        let part = &rest[..end];
        let split = find(part, b"\r\n\r\n").expect("the part's headers");
        let head = String::from_utf8_lossy(&part[2..split]).to_string();
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or_default();
        let param = |name: &str| {
            disposition
                .split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix(&format!("{name}=")))
                .map(|v| v.trim_matches('"').to_owned())
        };
        let content_type = head.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        });
        parts.push(serde_json::json!({
            "name": param("name"),
            "filename": param("filename"),
            "content-type": content_type,
            "size": part.len() - split - 4,
        }));
    }
    serde_json::json!({ "multipart": parts })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn mask(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if k == "nonce" || k == "expireTime" {
                        Value::String(format!("<{k}>"))
                    } else {
                        mask(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask).collect()),
        other => other,
    }
}

/// What the comparison sets aside on both sides.
fn normalize(mut wire: Wire) -> Wire {
    if wire.body.is_none() {
        wire.headers.remove("content-type");
    }
    fn drop_nulls(value: &mut Value) {
        if let Value::Object(map) = value {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
    }
    if let Some(body) = wire.body.as_mut() {
        drop_nulls(body);
    }
    wire
}

async fn server() -> ScriptedServer {
    ScriptedServer::start(|request| {
        if request
            .path
            .starts_with("/v1/mmc/control/conferences/token")
        {
            Reply::json(200, r#"{"data":{"token":"cnrSCRIPTED","role":1}}"#)
        } else if request
            .path
            .starts_with("/v1/mmc/control/conferences/wsToken")
        {
            Reply::json(200, r#"{"webSocketToken":"wsSCRIPTED"}"#)
        } else if matches!(
            request.path.split('?').next(),
            Some("/v1/mmc/management/conferences" | "/v1/mmc/management/cycleconferences")
        ) && matches!(request.method.as_str(), "POST" | "PUT")
        {
            Reply::json(200, r#"[{"conferenceID":"914083136"}]"#)
        } else if request
            .path
            .starts_with("/v1/mmc/management/conferences/confDetail")
        {
            Reply::json(200, r#"{"conferenceData":{"conferenceID":"914083136"}}"#)
        } else if request
            .path
            .starts_with("/v1/mmc/management/webhook/link-config")
            && request.method == "GET"
        {
            Reply::json(
                200,
                r#"{"id":"b958adc3639b11ecb310e97279c39e66","subscriberId":"12345678","status":1}"#,
            )
        } else if request
            .path
            .starts_with("/v1/wss/webinar/open/conferences/960000001")
            || (request.path == "/v1/wss/webinar/open/conferences" && request.method == "POST")
        {
            Reply::json(200, r#"{"conferenceId":"960000001"}"#)
        } else if request.path.starts_with("/v1/wss/webinar/open/res/file") {
            Reply::json(200, r#"{"fileId":"b1946ac92492d2347c6235b4d2611184"}"#)
        } else if request.path.contains("/auth/random") || request.path.contains("/anonymous/auth")
        {
            Reply::json(200, r#"{"random":"rndSCRIPTED"}"#)
        } else if request.path.starts_with("/v1/usg/") || request.path.starts_with("/v2/usg/") {
            Reply::json(200, r#"{"accessToken":"stbSCRIPTED","validPeriod":43200}"#)
        } else {
            Reply::json(200, "{}")
        }
    })
    .await
    .expect("server")
}

fn with(server: &ScriptedServer, credentials: Credentials) -> Client {
    Client::builder()
        .endpoint(server.base_url())
        .credentials(credentials)
        .build()
        .expect("client builds")
}

/// The operations whose request differs from the official SDK's, all reported at the
/// end: one mismatch does not hide the others.
#[derive(Default)]
struct Mismatches(Vec<String>);

impl Mismatches {
    /// Runs `call` on a fresh server and checks the request of `operation` it sent.
    async fn check<F, Fut>(&mut self, operation: &str, credentials: Credentials, call: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<(), meeting::Error>>,
    {
        let server = server().await;
        if let Err(error) = call(with(&server, credentials)).await {
            self.0
                .push(format!("{operation}: the call failed: {error}"));
            return;
        }
        let expected = fixture(operation);
        let sent: Vec<Wire> = server.requests().iter().map(wire).collect();
        match sent
            .iter()
            .find(|w| w.method == expected.method && w.path == expected.path)
        {
            None => self.0.push(format!("{operation} was not sent: {sent:#?}")),
            Some(found) if found != &expected => self.0.push(format!(
                "{operation} differs from the official SDK's request:\n  sent {found:#?}\n  the SDK's {expected:#?}"
            )),
            Some(_) => {}
        }
    }

    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} operations differ from the official SDK's requests:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

fn account() -> Credentials {
    Credentials::account(ACCOUNT, PASSWORD)
}

#[tokio::test]
async fn every_request_is_the_official_sdks() {
    let mut mismatches = Mismatches::default();
    mismatches
        .check("AuthenticateAccount", account(), |c| async move {
            c.login().await.map(|_| ())
        })
        .await;
    let app = AppId::single_enterprise(APP_ID, APP_KEY).user_id("third_user_001");
    mismatches
        .check(
            "AuthenticateAppId",
            Credentials::app_id(app),
            |c| async move { c.login().await.map(|_| ()) },
        )
        .await;
    mismatches
        .check("CreateConfToken", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .control_token_info()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("LockMeeting", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .lock()
                .await
        })
        .await;
    mismatches
        .check("UpdateStartedConfConfig", account(), |c| async move {
            let update = SettingsUpdate::new()
                .lock_sharing(true)
                .call_in(CallInRestriction::EnterpriseUsers);
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .update_settings(&update)
                .await
        })
        .await;
    mismatches
        .check("LockView", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(TERMINAL_ID)
                .lock_video_to(LAPTOP_ID)
                .await
        })
        .await;
    mismatches
        .check("CancelMeeting", account(), |c| async move {
            c.conference(SCHEDULED).end().await
        })
        .await;
    mismatches
        .check("ShowRealTimeInfoOfMeeting", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .live()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("ListNetworkQuality", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .network_quality([TERMINAL_ID, LAPTOP_ID])
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("SetRole", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(TERMINAL_ID)
                .make_host(HOST_PASSWORD)
                .await
        })
        .await;
    mismatches
        .check("SetCohost", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .co_host(true)
                .await
        })
        .await;
    mismatches
        .check("RenameParticipant", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .rename("Carol's laptop")
                .await
        })
        .await;
    mismatches
        .check("Hand", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .raise_hand()
                .await
        })
        .await;
    mismatches
        .check("BatchHand", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .lower_hands(&[LAPTOP_ID])
                .await
        })
        .await;
    mismatches
        .check("RollcallParticipant", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .roll_call()
                .await
        })
        .await;
    mismatches
        .check("BroadcastParticipant", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .broadcast()
                .await
        })
        .await;
    mismatches
        .check("CancelBroadcast", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .cancel_broadcast()
                .await
        })
        .await;
    mismatches
        .check("InviteShare", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .invite_to_share(true)
                .await
        })
        .await;
    mismatches
        .check("InviteOperateVideo", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .ask_camera(true)
                .await
        })
        .await;
    mismatches
        .check("AllowClientRecord", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .allow_local_recording(true)
                .await
        })
        .await;
    mismatches
        .check("AllowAudienceJoin", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .allow_audience(true)
                .await
        })
        .await;
    mismatches
        .check("AllowGuestUnmute", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .allow_guests_to_unmute(false)
                .await
        })
        .await;
    mismatches
        .check("DeleteAttendees", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .remove_attendees(&[AttendeeRef::Number("+8613800000000".into())])
                .await
        })
        .await;
    mismatches
        .check("AllowWaitingParticipant", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .admit()
                .await
        })
        .await;
    mismatches
        .check("MoveToWaitingRoom", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .to_waiting_room()
                .await
        })
        .await;
    mismatches
        .check("BatchMoveToWaitingRoom", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .to_waiting_room(&[LAPTOP_ID])
                .await
        })
        .await;
    mismatches
        .check("Record", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .start_recording()
                .await
        })
        .await;
    mismatches
        .check("SetMmrRecord", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .mmr_recording(MmrRecording::Start)
                .await
        })
        .await;
    mismatches
        .check("Live", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .live_stream(true)
                .await
        })
        .await;
    mismatches
        .check("SetMmrLive", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .mmr_live_stream(true)
                .await
        })
        .await;
    mismatches
        .check("PauseConference", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .pause(true)
                .await
        })
        .await;
    let host = |c: &Client| c.conference(CONF).with_host_password(HOST_PASSWORD);
    mismatches
        .check("SetHostView", account(), |c| async move {
            host(&c)
                .set_host_view(&HostView::Participant(LAPTOP_ID.into()))
                .await
        })
        .await;
    mismatches
        .check("SetParticipantView", account(), |c| async move {
            host(&c).participant(TERMINAL_ID).watch(LAPTOP_ID).await
        })
        .await;
    let two = || {
        MultiPicture::builder(Layout::TWO)
            .picture(Picture::of([LAPTOP_ID]))
            .picture(Picture::of([TERMINAL_ID]))
            .rotate_every(Duration::from_secs(10))
    };
    mismatches
        .check("SetMultiPicture", account(), |c| async move {
            host(&c).set_multi_picture(&two().build()?).await
        })
        .await;
    mismatches
        .check("SetCustomMultiPicture", account(), |c| async move {
            let grid = Grid::new(2, 1).cell(0, 0, 1, 1).cell(1, 0, 1, 1);
            host(&c).set_multi_picture(&two().grid(grid).build()?).await
        })
        .await;
    mismatches
        .check("SwitchMode", account(), |c| async move {
            host(&c)
                .set_display_mode(DisplayMode::FollowSpeakerMultiPicture)
                .await
        })
        .await;
    mismatches
        .check("SaveLayout", account(), |c| async move {
            host(&c).save_layout("Panel", &two().build()?).await
        })
        .await;
    mismatches
        .check("ShowLayout", account(), |c| async move {
            host(&c).layouts().await.map(|_| ())
        })
        .await;
    mismatches
        .check("DeleteLayout", account(), |c| async move {
            host(&c).delete_layout("<layout-uuid>").await
        })
        .await;
    mismatches
        .check("SetInterpreterGroup", account(), |c| async move {
            let group = InterpreterGroup::new(Language::Chinese, Language::English)
                .interpreter(Interpreter::user("6e72b5c3b8654d9e8b1a0c4f1d2e3a4b").name("Alice"));
            host(&c).set_interpreter_groups(&[group]).await
        })
        .await;
    mismatches
        .check("SetAttendeeLanChannel", account(), |c| async move {
            let channel = LanguageChannel::new(Language::English).with_original_voice();
            host(&c).set_language_channel([LAPTOP_ID], channel).await
        })
        .await;
    mismatches
        .check(
            "ResumeSimultaneousInterpretation",
            account(),
            |c| async move { host(&c).start_interpretation().await },
        )
        .await;
    mismatches
        .check("MuteMeeting", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .mute_all(false)
                .await
        })
        .await;
    mismatches
        .check("MuteParticipant", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .mute()
                .await
        })
        .await;
    mismatches
        .check("InviteParticipant", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .invite(&[Invitee::phone("+8613800000000").name("Carol")])
                .await
        })
        .await;
    mismatches
        .check("InviteWithPwd", account(), |c| async move {
            let meeting = c.conference(CONF);
            meeting
                .invite_with_password("+99111283190", HOST_PASSWORD)
                .await
        })
        .await;
    mismatches
        .check("ShowMgmtSiteStatus", account(), |c| async move {
            c.management_site_status().await.map(|_| ())
        })
        .await;
    mismatches
        .check("HangUp", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .participant(LAPTOP_ID)
                .hang_up()
                .await
        })
        .await;
    mismatches
        .check("ProlongMeeting", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .prolong(15)
                .await
        })
        .await;
    mismatches
        .check("CreateMeeting", account(), |c| async move {
            let meeting = NewMeeting::new("Board review")
                .starts_at("2026-12-01 09:00")
                .lasts(Duration::from_secs(3600))
                .invite(Invitee::phone("+8613800000000").name("Carol"));
            c.create_meeting(&meeting).await.map(|_| ())
        })
        .await;
    mismatches
        .check("SearchMeetings", account(), |c| async move {
            c.meetings()
                .all_users()
                .matching("Board")
                .limit(1)
                .list()?
                .collect_all()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("SearchOnlineMeetings", account(), |c| async move {
            c.ongoing_meetings()
                .all_users()
                .list()?
                .collect_all()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("ShowOnlineMeetingDetail", account(), |c| async move {
            c.conference("900244663")
                .attendees(None)?
                .collect_all()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("ListOnlineConfAttendee", account(), |c| async move {
            c.conference("900244663")
                .online_attendees(Some("Board"))?
                .collect_all()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("SearchHisMeetings", account(), |c| async move {
            c.past_meetings()
                .all_users()
                .matching(CONF)
                .between("1970-01-01", "2099-12-31")
                .newest_first()
                .list()?
                .collect_all()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("ShowHisMeetingDetail", account(), |c| async move {
            c.past_meeting("<conf-uuid>")
                .attendees(None)?
                .collect_all()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check(
            "SearchAttendanceRecordsOfHisMeeting",
            account(),
            |c| async move {
                c.past_meeting("<conf-uuid>")
                    .attendance(None)?
                    .collect_all()
                    .await
                    .map(|_| ())
            },
        )
        .await;
    mismatches
        .check("SearchCtlRecordsOfHisMeeting", account(), |c| async move {
            let records = c.past_meeting("<conf-uuid>").control_records()?;
            records.collect_all().await.map(|_| ())
        })
        .await;
    // The quality metrics, as the oracle calls them.
    mismatches
        .check("SetQosThreshold", account(), |c| async move {
            let ms = Duration::from_millis;
            let update = QosThresholdsUpdate::new()
                .latency(ms(400), ms(400))
                .jitter(ms(100), ms(100))
                .packet_loss(5, 5);
            c.set_qos_thresholds(QosKind::Audio, &update).await
        })
        .await;
    mismatches
        .check("ShowQosThreshold", account(), |c| async move {
            c.qos_thresholds(QosKind::Audio).await.map(|_| ())
        })
        .await;
    mismatches
        .check("SearchQosOnlineMeetings", account(), |c| async move {
            let found = c.qos_meetings(Some("900244663"))?;
            found.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("SearchQosHistoryMeetings", account(), |c| async move {
            let to = std::time::UNIX_EPOCH + Duration::from_millis(4_102_444_799_999);
            let found = c.qos_past_meetings(std::time::UNIX_EPOCH, to, None)?;
            found.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("SearchQosParticipants", account(), |c| async move {
            let found = c.qos_participants("<conf-uuid>", Held::Before, None)?;
            found.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("SearchQosParticipantDetail", account(), |c| async move {
            c.qos_series("<conf-uuid>", Held::Before, TERMINAL_ID, QosKind::Audio)
                .await
                .map(|_| ())
        })
        .await;
    let december = || Period::Days("2026-12-01".into(), "2026-12-31".into());
    let this_year = || Period::Months("2026-01".into(), "2026-12".into());
    mismatches
        .check("SearchStatisticConferenceInfo", account(), |c| async move {
            let rows = c.meeting_statistics(&december())?;
            rows.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check(
            "SearchStatisticConferenceParticipant",
            account(),
            |c| async move {
                let rows = c.attendance_statistics(&december(), AttendanceBy::User)?;
                rows.collect_all().await.map(|_| ())
            },
        )
        .await;
    mismatches
        .check("SearchStatisticResourceInfo", account(), |c| async move {
            let rows = c.resource_statistics(&this_year(), ResourceKind::Rooms)?;
            rows.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("SearchStatisticUserInfo", account(), |c| async move {
            let rows = c.user_statistics(&this_year(), UserStatsKind::Logins)?;
            rows.collect_all().await.map(|_| ())
        })
        .await;
    webinar_requests(&mut mismatches).await;
    mismatches
        .check("SearchRecordings", account(), |c| async move {
            c.recordings()
                .all_users()
                .matching(CONF)
                .between("1970-01-01", "2099-12-31")
                .list()?
                .collect_all()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("ShowRecordingDetail", account(), |c| async move {
            c.recording("<conf-uuid>").await.map(|_| ())
        })
        .await;
    mismatches
        .check("ShowRecordingFileDownloadUrls", account(), |c| async move {
            c.recording_downloads("<conf-uuid>").await.map(|_| ())
        })
        .await;
    mismatches
        .check("ShowRecordInfo", account(), |c| async move {
            let segments = c.recording_segments("<conf-uuid>")?;
            segments.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("DeleteRecordings", account(), |c| async move {
            c.delete_recordings(["<conf-uuid>"]).await
        })
        .await;
    mismatches
        .check("UpdateMeeting", account(), |c| async move {
            let moved = NewMeeting::new("Board review (moved)")
                .starts_at("2030-01-07 10:00")
                .lasts(Duration::from_secs(90 * 60));
            c.conference("914087436").update(&moved).await.map(|_| ())
        })
        .await;
    let weekly = |subject: &str, until: &str| {
        NewMeeting::new(subject)
            .starts_at("2030-01-07 01:00")
            .lasts(Duration::from_secs(3600))
            .repeats(Recurrence::weekly([Day::Monday, Day::Wednesday]).until(until))
    };
    mismatches
        .check("CreateRecurringMeeting", account(), |c| async move {
            c.create_meeting(&weekly("Weekly sync", "2030-01-30"))
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("UpdateRecurringMeeting", account(), |c| async move {
            c.conference("<series-id>")
                .update(&weekly("Weekly sync (moved)", "2030-02-27"))
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("UpdateRecurringSubMeeting", account(), |c| async move {
            let update = meeting::OccurrenceUpdate::new()
                .starts_at("2030-01-07 02:00")
                .lasts(Duration::from_secs(90 * 60));
            c.conference("<series-id>")
                .update_occurrence("<occurrence-id>", &update)
                .await
        })
        .await;
    mismatches
        .check("CancelRecurringSubMeeting", account(), |c| async move {
            c.conference("<series-id>")
                .cancel_occurrences(["<occurrence-id>"], true)
                .await
        })
        .await;
    mismatches
        .check("CancelRecurringMeeting", account(), |c| async move {
            c.conference("<series-id>").cancel_series(true).await
        })
        .await;
    mismatches
        .check("StartMeeting", account(), |c| async move {
            let meeting = c.conference(CONF).with_host_password(HOST_PASSWORD);
            meeting.start().await.map(|_| ())
        })
        .await;
    mismatches
        .check("ShowRegionInfoOfMeeting", account(), |c| async move {
            c.conference(CONF).region().await.map(|_| ())
        })
        .await;
    mismatches
        .check("CreateAuthRandom", account(), |c| async move {
            let meeting = c.conference(CONF).with_host_password(HOST_PASSWORD);
            meeting.join_random(true).await.map(|_| ())
        })
        .await;
    mismatches
        .check("CreateAnonymousAuthRandom", account(), |c| async move {
            let meeting = c.conference(CONF).with_host_password(HOST_PASSWORD);
            meeting.anonymous_join_random().await.map(|_| ())
        })
        .await;
    mismatches
        .check("ShowOrgRes", account(), |c| async move {
            c.resources().await.map(|_| ())
        })
        .await;
    mismatches
        .check("ShowSpRes", account(), |c| async move {
            c.provider_meetings_in_progress().await.map(|_| ())
        })
        .await;
    mismatches
        .check("SearchCorpVmr", account(), |c| async move {
            c.rooms(RoomKind::Webinar, None)?
                .collect_all()
                .await
                .map(drop)
        })
        .await;
    mismatches
        .check("ShowConfOrg", account(), |c| async move {
            c.conference(CONF).enterprise().await.map(|_| ())
        })
        .await;
    mismatches
        .check("CheckCallNumberInConf", account(), |c| async move {
            c.meeting_of_number("+99111283190").await.map(|_| ())
        })
        .await;
    mismatches
        .check("ShowMeetingDetail", account(), |c| async move {
            c.conference(CONF).details().await.map(|_| ())
        })
        .await;
    mismatches
        .check("CreateWebSocketToken", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .websocket_token()
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("SetWebHookConfig", account(), |c| async move {
            let setup = WebhookSetup::new(
                "https://127.0.0.1:8443/openapi/meetingevent",
                "12345678",
                "sim-webhook-key",
            )
            .scope(WebhookScope::Corp("sim-corp".into()));
            c.set_webhook(&setup).await
        })
        .await;
    mismatches
        .check("ShowWebHookConfig", account(), |c| async move {
            let shown = c
                .webhook_config(&WebhookScope::Corp("sim-corp".into()))
                .await?;
            assert_eq!(shown.id, "b958adc3639b11ecb310e97279c39e66");
            assert_eq!(shown.status, WebhookStatus::Disabled);
            Ok(())
        })
        .await;
    mismatches
        .check("UpdateWebHookConfigStatus", account(), |c| async move {
            c.enable_webhook("b958adc3639b11ecb310e97279c39e66").await
        })
        .await;
    mismatches
        .check("DeleteWebHookConfig", account(), |c| async move {
            c.delete_webhook("b958adc3639b11ecb310e97279c39e66").await
        })
        .await;
    mismatches
        .check("StopMeeting", account(), |c| async move {
            c.conference(CONF)
                .with_host_password(HOST_PASSWORD)
                .stop()
                .await
        })
        .await;
    mismatches.assert_none();
}

/// Without credentials, control calls still work with the host password alone, and send
/// no access token.
#[tokio::test]
async fn without_credentials_control_calls_send_no_access_token() {
    let server = server().await;
    let client = Client::builder()
        .endpoint(server.base_url())
        .build()
        .expect("builds");
    client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect("locks");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "token and lock, no login");
    assert!(
        requests
            .iter()
            .all(|r| r.header("x-access-token").is_none())
    );
}

/// The webinar operations, as `xtask/oracle/official_sdk.py` calls them.
async fn webinar_requests(mismatches: &mut Mismatches) {
    const WEBINAR: &str = "960000001";
    let minutes = |m: u64| Duration::from_secs(m * 60);
    mismatches
        .check("CreateWebinar", account(), |c| async move {
            let launch = NewWebinar::new("Product launch", meeting_sim::example::WEBINAR_ROOM)
                .starts_at("2030-03-02 14:00")
                .lasts(minutes(90))
                .audience_password("202603".into())
                .panelist(Panelist::named("Carol").phone("+8613800000000"));
            c.create_webinar(&launch).await.map(|_| ())
        })
        .await;
    mismatches
        .check("ShowWebinar", account(), |c| async move {
            c.webinar(WEBINAR).details().await.map(|_| ())
        })
        .await;
    mismatches
        .check("UpdateWebinar", account(), |c| async move {
            let moved = NewWebinar::new("Product launch (moved)", "")
                .starts_at("2030-03-03 14:00")
                .lasts(minutes(120));
            c.webinar(WEBINAR).update(&moved).await
        })
        .await;
    mismatches
        .check("ListUpComingWebinars", account(), |c| async move {
            let found = c.webinars().matching("launch").upcoming()?;
            found.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("ListOngoingWebinars", account(), |c| async move {
            c.webinars().ongoing()?.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("ListHistoryWebinars", account(), |c| async move {
            let past = c
                .webinars()
                .newest_first()
                .between("2026-01-01", "2030-12-31")
                .history()?;
            past.collect_all().await.map(|_| ())
        })
        .await;
    mismatches
        .check("UploadFile", account(), |c| async move {
            let dir = tempfile::tempdir().expect("a directory");
            let cover = dir.path().join("cover.png");
            std::fs::write(&cover, png_1x1()).expect("written");
            c.upload_webinar_image(WebinarImage::path(&cover))
                .await
                .map(|_| ())
        })
        .await;
    mismatches
        .check("UpdateRoomSetting", account(), |c| async move {
            let settings = RoomSettings::new()
                .introduction("Our spring launch")
                .show_audience(true)
                .audience_shown(100, 1.5);
            c.webinar(WEBINAR).set_room_settings(&settings).await
        })
        .await;
    mismatches
        .check("ShowRoomSetting", account(), |c| async move {
            c.webinar(WEBINAR).room_settings().await.map(|_| ())
        })
        .await;
    mismatches
        .check("DeleteWebinar", account(), |c| async move {
            c.webinar(WEBINAR).delete().await
        })
        .await;
}

/// The 1×1 PNG the official SDK uploads (as `xtask/oracle/official_sdk.py` spells it).
fn png_1x1() -> Vec<u8> {
    hex::decode(concat!(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000",
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    ))
    .expect("hex")
}
