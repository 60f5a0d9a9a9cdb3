//! The simulator's meeting-control WebSocket as a raw client sees it, written from the
//! reference pages (not through the wrapper): one-use, one-minute tokens, every form
//! of Subscribe the pages show, the frames' field names and value types, the heartbeat
//! echo and the 180 s rule on the simulator's clock.

use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use meeting_sim::example::{CONFERENCE as CONF, HOST_PASSWORD};
use meeting_sim::{ParticipantSeed, Seed, SimHandle, Simulator};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, Message};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn sim() -> SimHandle {
    Simulator::new()
        .seed(Seed::example())
        .start()
        .await
        .expect("starts")
}

/// The control token and the wsURL of its answer.
async fn control_token(sim: &SimHandle) -> (String, Value) {
    let answer: Value = reqwest::Client::new()
        .get(format!(
            "{}/v1/mmc/control/conferences/token?conferenceID={CONF}",
            sim.base_url()
        ))
        .header("X-Password", HOST_PASSWORD)
        .header("X-Login-Type", "1")
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    (
        answer["data"]["token"].as_str().expect("token").to_owned(),
        answer,
    )
}

async fn ws_token(sim: &SimHandle, control: &str) -> String {
    let answer: Value = reqwest::Client::new()
        .get(format!(
            "{}/v1/mmc/control/conferences/wsToken?conferenceID={CONF}",
            sim.base_url()
        ))
        .header("X-Conference-Authorization", control)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    answer["webSocketToken"]
        .as_str()
        .expect("a token")
        .to_owned()
}

async fn open(origin: &str, token: &str) -> Result<Socket, tungstenite::Error> {
    let url = format!(
        "{origin}/cms/open/websocket/confctl/increment/conn?confID={CONF}&tmpToken={token}"
    );
    tokio_tungstenite::connect_async(url).await.map(|(s, _)| s)
}

/// The next text frame as JSON (10 s at most).
async fn frame(socket: &mut Socket) -> Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).expect("JSON"),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            other => panic!("no frame: {other:?}"),
        }
    }
}

fn subscribe(sequence: &str, data: Value) -> Message {
    Message::Text(
        json!({"action": "Subscribe", "sequence": sequence, "data": data})
            .to_string()
            .into(),
    )
}

#[tokio::test]
async fn the_control_token_answers_the_socket_origin_and_the_real_type_names() {
    let sim = sim().await;
    let (_, answer) = control_token(&sim).await;
    let origin = answer["data"]["wsURL"].as_str().expect("wsURL");
    assert_eq!(
        origin,
        sim.base_url().replacen("http", "ws", 1),
        "a prefix, no path"
    );
    let types: Vec<&str> = answer["data"]["supportNotifyType"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for name in [
        "ConfBasicInfoNotify",
        "ConfDynamicInfoNotify",
        "ParticipantsNotify",
        "SpeakerChangeNotify",
    ] {
        assert!(types.contains(&name), "{types:?}");
    }
    assert!(answer["data"]["tmpWsToken"].is_string());
}

#[tokio::test]
async fn a_websocket_token_opens_one_socket_within_one_minute() {
    let sim = sim().await;
    let (control, answer) = control_token(&sim).await;
    let origin = answer["data"]["wsURL"].as_str().expect("wsURL").to_owned();
    let token = ws_token(&sim, &control).await;
    let socket = open(&origin, &token).await.expect("opens");
    match open(&origin, &token).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("a used token opened a socket: {:?}", other.map(|_| ())),
    }
    drop(socket);
    let stale = ws_token(&sim, &control).await;
    sim.advance_clock(Duration::from_secs(61));
    match open(&origin, &stale).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("an expired token opened a socket: {:?}", other.map(|_| ())),
    }
    match open(&origin, "nonsense").await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn subscribe_in_every_form_then_frames_as_the_pages_define_them() {
    let sim = sim().await;
    let (control, answer) = control_token(&sim).await;
    let origin = answer["data"]["wsURL"].as_str().expect("wsURL").to_owned();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(&control)
    );
    // `data` as a string holding JSON with the Basic token and no conferenceID (the
    // pages' examples), and as an object with the raw token and conferenceID (their
    // table).
    for data in [
        Value::String(
            json!({"subscribeType": ["ConfDynamicInfoNotify", "ParticipantsNotify"], "confToken": basic}).to_string(),
        ),
        json!({"conferenceID": CONF, "subscribeType": ["ConfDynamicInfoNotify", "ParticipantsNotify"], "confToken": control}),
    ] {
        let mut socket = open(&origin, &ws_token(&sim, &control).await).await.expect("opens");
        socket
            .send(subscribe("000000000000000001611747313677", data))
            .await
            .expect("sent");
        let ack = frame(&mut socket).await;
        assert_eq!(ack["action"], "Subscribe");
        assert_eq!(ack["sequence"], "000000000000000001611747313677");
        assert_eq!(ack["data"]["returnCode"], 0);
        assert!(ack["data"]["returnDesc "].is_string(), "the pages' spelling: {ack}");

        let dynamic = frame(&mut socket).await;
        assert_eq!(dynamic["action"], "ConfDynamicInfoNotify");
        assert_eq!(dynamic["msgMode"], 0);
        assert!(dynamic["version"].is_i64() && dynamic["createTime"].is_i64());
        assert!(dynamic["msgID"].is_string() && dynamic["confID"] == CONF);
        // Top-level payload: state a string, flags numbers, times strings of ms.
        assert_eq!(dynamic["state"], "Created");
        assert!(dynamic["lock"].is_i64() && dynamic["mute"].is_i64());
        assert!(dynamic["endTime"].as_str().is_some_and(|t| t.parse::<i64>().is_ok()));
        assert!(dynamic.get("data").is_none());

        let participants = frame(&mut socket).await;
        assert_eq!(participants["action"], "ParticipantsNotify");
        assert_eq!(participants["msgMode"], 0);
        let items = participants["data"].as_array().expect("a list");
        assert_eq!(items.len(), 2);
        for item in items {
            assert!(item["pid"].is_string());
            assert_eq!(item["mode"], 0);
            let info = item["pinfoMap"].as_object().expect("a map");
            assert!(info.values().all(Value::is_string), "every value a string: {info:?}");
            for key in ["NAME", "ROLE", "MUTE", "HAND", "STATE", "ADDTIME", "CLICENT_LOGIN_TYPE"] {
                assert!(info.contains_key(key), "{key} in {info:?}");
            }
        }
        // A change: an incremental frame numbered from 1, with only that participant.
        assert!(sim.join(CONF, ParticipantSeed::client("new-one", "New")));
        let joined = frame(&mut socket).await;
        assert_eq!(joined["msgMode"], 1);
        assert_eq!(joined["version"], 1);
        assert_eq!(joined["data"][0]["pid"], "new-one");
        assert!(sim.leave(CONF, "new-one"));
        let left = frame(&mut socket).await;
        assert_eq!(left["version"], 2);
        assert_eq!(left["data"][0]["mode"], 1);
    }
}

#[tokio::test]
async fn a_wrong_token_in_subscribe_is_refused_and_the_socket_closed() {
    let sim = sim().await;
    let (control, answer) = control_token(&sim).await;
    let origin = answer["data"]["wsURL"].as_str().expect("wsURL").to_owned();
    let mut socket = open(&origin, &ws_token(&sim, &control).await)
        .await
        .expect("opens");
    socket
        .send(subscribe(
            "1",
            json!({"subscribeType": ["ParticipantsNotify"], "confToken": "wrong"}),
        ))
        .await
        .expect("sent");
    let ack = frame(&mut socket).await;
    assert_ne!(ack["data"]["returnCode"], 0, "{ack}");
    assert!(matches!(
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await,
        Ok(Some(Ok(Message::Close(_))) | None)
    ));
    assert_eq!(sim.open_sockets(CONF), 0);
}

#[tokio::test]
async fn heartbeats_are_echoed_and_silence_for_180_s_closes_the_socket() {
    let sim = sim().await;
    let (control, answer) = control_token(&sim).await;
    let origin = answer["data"]["wsURL"].as_str().expect("wsURL").to_owned();
    let mut socket = open(&origin, &ws_token(&sim, &control).await)
        .await
        .expect("opens");
    let beat = json!({"sequence": "000000000000000001611993655770", "action": "HeartBeat"});
    socket
        .send(Message::Text(beat.to_string().into()))
        .await
        .expect("sent");
    assert_eq!(frame(&mut socket).await, beat);
    // 179 s: still open (a heartbeat echo proves it), then 180 s more of silence.
    sim.advance_clock(Duration::from_secs(179));
    socket
        .send(Message::Text(beat.to_string().into()))
        .await
        .expect("sent");
    assert_eq!(frame(&mut socket).await, beat);
    sim.advance_clock(Duration::from_secs(181));
    match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
        Ok(Some(Ok(Message::Close(Some(close))))) => {
            assert!(close.reason.contains("180"), "{close:?}");
        }
        other => panic!("not closed: {other:?}"),
    }
    assert_eq!(sim.open_sockets(CONF), 0);
    // A stopped meeting closes its sockets after saying so.
    let mut socket = open(&origin, &ws_token(&sim, &control).await)
        .await
        .expect("opens");
    socket
        .send(subscribe(
            "2",
            json!({"subscribeType": ["ConfDynamicInfoNotify"], "confToken": control}),
        ))
        .await
        .expect("sent");
    frame(&mut socket).await;
    frame(&mut socket).await;
    reqwest::Client::new()
        .put(format!(
            "{}/v1/mmc/control/conferences/stop?conferenceID={CONF}",
            sim.base_url()
        ))
        .header("X-Conference-Authorization", &control)
        .send()
        .await
        .expect("stops");
    let last = frame(&mut socket).await;
    assert_eq!(last["state"], "Destroyed");
    assert!(matches!(
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await,
        Ok(Some(Ok(Message::Close(_))) | None)
    ));
}
