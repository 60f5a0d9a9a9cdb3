//! Recording, live streaming and pause, with the control token.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    PauseConferenceReq, RestSetLiveReqBody, RestSetMmrLiveReqBody, RestSetMmrRecordReqBody,
    RestSetRecordReqBody,
};

use super::{ApiResult, Controlled, Done, Route};
use crate::Shared;
use crate::world::RecordingState;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::RECORD,
        handler: |m| on(m, record),
    },
    Route {
        operation: &operations::SET_MMR_RECORD,
        handler: |m| on(m, mmr_record),
    },
    Route {
        operation: &operations::LIVE,
        handler: |m| on(m, live),
    },
    Route {
        operation: &operations::SET_MMR_LIVE,
        handler: |m| on(m, mmr_live),
    },
    Route {
        operation: &operations::PAUSE_CONFERENCE,
        handler: |m| on(m, pause),
    },
];

async fn record(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSetRecordReqBody>,
) -> ApiResult<Done> {
    let to = if *request.body.is_record == 1 {
        RecordingState::On
    } else {
        RecordingState::Off
    };
    shared.world().set_recording(&request.id, to)?;
    Ok(Done)
}

async fn mmr_record(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSetMmrRecordReqBody>,
) -> ApiResult<Done> {
    let to = match *request.body.record_type {
        0 => RecordingState::Paused,
        1 => RecordingState::On,
        _ => RecordingState::Off,
    };
    shared.world().set_recording(&request.id, to)?;
    Ok(Done)
}

async fn live(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSetLiveReqBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .set_live(&request.id, *request.body.is_live == 1)?;
    Ok(Done)
}

async fn mmr_live(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSetMmrLiveReqBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .set_live(&request.id, *request.body.live_state == 1)?;
    Ok(Done)
}

async fn pause(
    State(shared): State<Arc<Shared>>,
    request: Controlled<PauseConferenceReq>,
) -> ApiResult<Done> {
    shared
        .world()
        .set_paused(&request.id, *request.body.pause == 1)?;
    Ok(Done)
}
