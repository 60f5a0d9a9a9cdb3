//! The meeting-control WebSocket: `GET /cms/open/websocket/confctl/increment/conn`
//! with `confID` and a one-use `tmpToken`, on the port that serves HTTP (plain and
//! TLS). Subscribe is answered with a full message of each subscribed type, then the
//! world's changes arrive as frames; HeartBeat is echoed; a socket without a heartbeat
//! for 180 s on the simulator's clock is closed, and so is every socket of a meeting
//! that ends.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{QueryMap, required_query, unwrap_basic};
use crate::Shared;
use crate::world::{Opened, Outgoing};

/// Where the socket is opened (the reference pages' path).
pub(super) const PATH: &str = "/cms/open/websocket/confctl/increment/conn";

/// The service closes a socket that sent no heartbeat for this long.
const HEARTBEAT_LIMIT_MS: i64 = 180_000;

/// The upgrade: refused with 401 (and the service's error body) for a WebSocket token
/// that is unknown, used, expired or for another meeting, before any socket exists.
pub(super) async fn open(
    State(shared): State<Arc<Shared>>,
    query: QueryMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let opened = (|| {
        let id = required_query(&query, "confID")?.to_owned();
        let token = required_query(&query, "tmpToken")?;
        let opened = shared.world().open_socket(&id, token)?;
        Ok::<_, crate::errors::ApiError>((id, opened))
    })();
    match opened {
        Err(error) => error.into_response(),
        Ok((id, opened)) => upgrade
            .read_buffer_size(4 << 10)
            .write_buffer_size(0)
            .max_message_size(64 << 10)
            .on_upgrade(move |socket| serve(shared, id, opened, socket)),
    }
}

/// One socket, until it closes.
async fn serve(shared: Arc<Shared>, id: String, opened: Opened, mut socket: WebSocket) {
    let Opened {
        id: socket_id,
        mut frames,
    } = opened;
    let mut clock = shared.clock.watch();
    let mut stopping = shared.stopping.clone();
    let mut last_heartbeat_ms = shared.clock.now_ms();
    // A flood fault's frames still to send, and the frame (built once, shared).
    let mut flood: Option<(u32, axum::extract::ws::Utf8Bytes)> = None;
    let reason: &'static str = loop {
        let quiet_ms = last_heartbeat_ms + HEARTBEAT_LIMIT_MS - shared.clock.now_ms();
        if quiet_ms <= 0 {
            break "no heartbeat for 180 s";
        }
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let reply = client_frame(&shared, &id, socket_id, &text, &mut last_heartbeat_ms);
                    if text.contains("\"Subscribe\"") {
                        let faults = shared.world().socket_faults(&id);
                        if faults.flood_frames > 0 {
                            flood = Some((faults.flood_frames, faults.flood_frame().into()));
                        }
                    }
                    if let Some(reply) = reply
                        && socket.send(Message::Text(reply.into())).await.is_err()
                    {
                        break "";
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break "",
                Some(Ok(_)) => {}
            },
            outgoing = frames.recv() => match outgoing {
                Some(Outgoing::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break "";
                    }
                }
                Some(Outgoing::Close(reason)) => break reason,
                // The world forgot the socket (a full queue, a reset).
                None => break "closed by the simulator",
            },
            _ = async {}, if flood.is_some() => {
                if let Some((left, frame)) = flood.take() {
                    if socket.send(Message::Text(frame.clone())).await.is_err() {
                        break "";
                    }
                    shared.world().count_fault("flood");
                    if left > 1 {
                        flood = Some((left - 1, frame));
                    }
                }
            }
            // Real time passing, or the simulator's clock moved: look again.
            _ = tokio::time::sleep(Duration::from_millis(quiet_ms.unsigned_abs())) => {}
            _ = clock.changed() => {}
            _ = async { let _ = stopping.wait_for(|stopping| *stopping).await; } => {
                break "the simulator is stopping";
            }
        }
    };
    shared.world().close_socket(&id, socket_id);
    if !reason.is_empty() {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: axum::extract::ws::close_code::NORMAL,
                reason: reason.into(),
            })))
            .await;
    }
}

/// A frame from the client: Subscribe (answered through the world, in order with the
/// full messages), HeartBeat (the echo, returned), anything else ignored.
fn client_frame(
    shared: &Shared,
    id: &str,
    socket: u64,
    text: &str,
    last_heartbeat_ms: &mut i64,
) -> Option<String> {
    let frame: Value = serde_json::from_str(text).ok()?;
    let sequence = frame.get("sequence").and_then(Value::as_str).unwrap_or("");
    match frame.get("action").and_then(Value::as_str)? {
        "HeartBeat" => {
            *last_heartbeat_ms = shared.clock.now_ms();
            let echo = shared.world().echoes_heartbeats(id);
            echo.then(|| {
                serde_json::json!({"action": "HeartBeat", "sequence": sequence}).to_string()
            })
        }
        "Subscribe" => {
            // `data` is a JSON string in the pages' examples and an object in their
            // table: both are taken.
            let data = match frame.get("data") {
                Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
                Some(other) => other.clone(),
                None => Value::Null,
            };
            let types: Vec<String> = data
                .get("subscribeType")
                .and_then(Value::as_array)
                .map(|types| {
                    types
                        .iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            // The token as it is or as `Basic ` + Base64; `conferenceID`, when given,
            // must be this socket's.
            let token = data
                .get("confToken")
                .and_then(Value::as_str)
                .map(unwrap_basic)
                .filter(|_| {
                    data.get("conferenceID")
                        .and_then(Value::as_str)
                        .is_none_or(|conference| conference == id)
                });
            shared
                .world()
                .subscribe(id, socket, sequence, types, token.as_deref());
            None
        }
        _ => None,
    }
}
