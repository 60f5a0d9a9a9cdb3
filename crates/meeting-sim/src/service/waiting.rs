//! The waiting room: admitting, and moving participants back into it.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    RestAllowWaitingParticipantReqBody, RestBatchMoveToWaitingRoomReqBody,
    RestMoveToWaitingRoomReqBody,
};

use super::{ApiResult, Controlled, Done, Route};
use crate::Shared;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::ALLOW_WAITING_PARTICIPANT,
        handler: |m| on(m, admit),
    },
    Route {
        operation: &operations::MOVE_TO_WAITING_ROOM,
        handler: |m| on(m, to_waiting_room),
    },
    Route {
        operation: &operations::BATCH_MOVE_TO_WAITING_ROOM,
        handler: |m| on(m, batch_to_waiting_room),
    },
];

async fn admit(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestAllowWaitingParticipantReqBody>,
) -> ApiResult<Done> {
    let body = &request.body;
    shared.world().admit(
        &request.id,
        body.participant_id.as_deref(),
        body.allow_all.unwrap_or(false),
    )?;
    Ok(Done)
}

async fn to_waiting_room(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestMoveToWaitingRoomReqBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .move_to_waiting_room(&request.id, &[&request.body.participant_id])?;
    Ok(Done)
}

async fn batch_to_waiting_room(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestBatchMoveToWaitingRoomReqBody>,
) -> ApiResult<Done> {
    let pids: Vec<&str> = request
        .body
        .batch_participants
        .iter()
        .map(String::as_str)
        .collect();
    shared.world().move_to_waiting_room(&request.id, &pids)?;
    Ok(Done)
}
