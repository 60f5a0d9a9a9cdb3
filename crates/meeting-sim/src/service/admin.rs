//! The admin API under `/_sim/`: seed, read state and counters, move the clock, faults,
//! reset. Never subject to injected faults.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::ApiResult;
use crate::Shared;
use crate::errors::{ApiError, codes};
use crate::faults::{FaultConfig, ScriptedFault};
use crate::model::{ConferenceView, Seed, StateView};
use crate::world::Counters;

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/state", get(state))
        .route("/conferences/{id}", get(conference))
        .route("/conferences/{id}/participants", post(join))
        .route("/conferences/{id}/waiting", post(wait))
        .route("/conferences/{id}/degradations", post(degrade))
        .route(
            "/conferences/{id}/participants/{participant}",
            axum::routing::delete(leave),
        )
        .route(
            "/conferences/{id}/speakers",
            axum::routing::put(set_speakers),
        )
        .route("/conferences/{id}/sockets", get(sockets))
        .route("/conferences/{id}/sockets/drop", post(drop_sockets))
        .route(
            "/conferences/{id}/sockets/faults",
            axum::routing::put(socket_faults),
        )
        .route("/sockets", get(all_sockets))
        .route("/changes", get(changes))
        .route("/meetings/start", post(start_meetings))
        .route("/traffic", post(start_traffic).delete(stop_traffic))
        .route("/counters", get(counters))
        .route("/webhook/deliveries", get(webhook_deliveries))
        .route("/seed", post(seed))
        .route("/reset", post(reset))
        .route("/clock/advance", post(advance_clock))
        .route("/tokens/expire", post(expire_tokens))
        .route("/faults", get(get_faults).put(set_faults))
        .route("/faults/next", post(fail_next))
}

async fn state(State(shared): State<Arc<Shared>>) -> Json<StateView> {
    Json(shared.state_view())
}

async fn conference(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Json<ConferenceView>> {
    shared.world().view(&id).map(Json).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "no such conference",
        )
    })
}

/// A participant joins; a scheduled meeting starts.
/// A scripted worsening of a participant's media quality.
async fn degrade(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(degradation): Json<crate::Degradation>,
) -> Result<Json<ConferenceView>, ApiError> {
    let mut world = shared.world();
    world.degrade(&id, degradation)?;
    world
        .view(&id)
        .map(Json)
        .ok_or_else(|| ApiError::meeting_not_found(&id))
}

async fn join(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(participant): Json<crate::model::ParticipantSeed>,
) -> Result<Json<crate::ConferenceView>, ApiError> {
    let mut world = shared.world();
    world.join(&id, participant)?;
    world
        .view(&id)
        .map(Json)
        .ok_or_else(|| ApiError::meeting_not_found(&id))
}

/// Someone enters the waiting room.
async fn wait(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(participant): Json<crate::model::ParticipantSeed>,
) -> Result<Json<ConferenceView>, ApiError> {
    let mut world = shared.world();
    world.wait(&id, participant)?;
    world
        .view(&id)
        .map(Json)
        .ok_or_else(|| ApiError::meeting_not_found(&id))
}

async fn leave(
    State(shared): State<Arc<Shared>>,
    Path((id, participant)): Path<(String, String)>,
) -> ApiResult<Json<ConferenceView>> {
    let mut world = shared.world();
    world.leave(&id, &participant)?;
    world
        .view(&id)
        .map(Json)
        .ok_or_else(|| ApiError::meeting_not_found(&id))
}

#[derive(Deserialize)]
struct SpeakerEntry {
    id: String,
    #[serde(default)]
    volume: i64,
}

/// Who is speaking: `[{"id": "…", "volume": 80}, …]` (an empty list: nobody).
async fn set_speakers(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(speakers): Json<Vec<SpeakerEntry>>,
) -> ApiResult<()> {
    let speakers: Vec<(String, i64)> = speakers.into_iter().map(|s| (s.id, s.volume)).collect();
    shared.world().set_speakers(&id, &speakers)
}

/// `{"open": n}`: the conference's open meeting-control WebSockets.
async fn sockets(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "open": shared.world().open_sockets(&id) }))
}

/// `{"ID": n, …}`: the open WebSockets of every conference that has one.
async fn all_sockets(
    State(shared): State<Arc<Shared>>,
) -> Json<std::collections::BTreeMap<String, usize>> {
    Json(shared.world().all_open_sockets())
}

#[derive(Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
}

/// `{"changes": […], "next": N, "missed": M}`: the changes after the first `since`.
async fn changes(
    State(shared): State<Arc<Shared>>,
    axum::extract::Query(Since { since }): axum::extract::Query<Since>,
) -> Json<serde_json::Value> {
    let (changes, next, missed) = shared.world().changes_since(since);
    Json(serde_json::json!({ "changes": changes, "next": next, "missed": missed }))
}

/// `{"first_id": N, "count": C, "host_password": "…"}` starts C meetings; their IDs.
async fn start_meetings(
    State(shared): State<Arc<Shared>>,
    Json(plan): Json<crate::StartMeetings>,
) -> Json<Vec<String>> {
    let (seed, ids) = plan.seed();
    shared.world().seed(seed);
    Json(ids)
}

/// Generates joins, leaves and mutes (a [`crate::Traffic`]), replacing what ran.
async fn start_traffic(
    State(shared): State<Arc<Shared>>,
    Json(traffic): Json<crate::Traffic>,
) -> ApiResult<()> {
    if let Some(problem) = traffic.problem() {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            codes::REQUEST_ERROR,
            problem,
        ));
    }
    crate::traffic::start(&shared, traffic);
    Ok(())
}

/// `{"stopped": bool}`: whether traffic was being generated.
async fn stop_traffic(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "stopped": crate::traffic::stop(&shared) }))
}

/// Closes the conference's WebSockets; `{"dropped": n}`.
async fn drop_sockets(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "dropped": shared.world().drop_sockets(&id) }))
}

/// Faults of the conference's WebSockets (see `SocketFaults`).
async fn socket_faults(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(faults): Json<crate::SocketFaults>,
) {
    shared.world().set_socket_faults(&id, faults);
}

async fn webhook_deliveries(State(shared): State<Arc<Shared>>) -> Json<Vec<crate::Delivery>> {
    Json(shared.world().webhook_deliveries())
}

async fn counters(State(shared): State<Arc<Shared>>) -> Json<Counters> {
    Json(shared.world().counters().clone())
}

async fn seed(State(shared): State<Arc<Shared>>, Json(seed): Json<Seed>) -> Json<StateView> {
    shared.world().seed(seed);
    Json(shared.state_view())
}

async fn reset(State(shared): State<Arc<Shared>>) {
    shared.reset();
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(
    State(shared): State<Arc<Shared>>,
    Json(advance): Json<Advance>,
) -> Json<StateView> {
    shared
        .clock
        .advance(std::time::Duration::from_secs(advance.seconds));
    Json(shared.state_view())
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) {
    shared.world().expire_tokens();
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<FaultConfig> {
    Json(shared.faults.config())
}

async fn set_faults(
    State(shared): State<Arc<Shared>>,
    Json(config): Json<FaultConfig>,
) -> Json<FaultConfig> {
    shared.faults.set_config(config);
    Json(shared.faults.config())
}

#[derive(Deserialize)]
struct Next {
    count: u32,
    fault: ScriptedFault,
}

async fn fail_next(State(shared): State<Arc<Shared>>, Json(next): Json<Next>) {
    shared.faults.fail_next(next.count, next.fault);
}
