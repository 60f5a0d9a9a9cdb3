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
        .route("/counters", get(counters))
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
