//! Roles and hands, with the control token: take or release the host role, name
//! co-hosts, rename, raise and lower hands.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    RestBatchHandsUpReqBody, RestChairTokenReqBody, RestHandsUpReqBody, RestRenamePartReqBody,
    RestSetCohostBody,
};

use super::{ApiResult, Controlled, Done, Route, required_query};
use crate::Shared;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::SET_ROLE,
        handler: |m| on(m, set_role),
    },
    Route {
        operation: &operations::SET_COHOST,
        handler: |m| on(m, set_cohost),
    },
    Route {
        operation: &operations::RENAME_PARTICIPANT,
        handler: |m| on(m, rename),
    },
    Route {
        operation: &operations::HAND,
        handler: |m| on(m, hand),
    },
    Route {
        operation: &operations::BATCH_HAND,
        handler: |m| on(m, batch_hand),
    },
];

async fn set_role(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestChairTokenReqBody>,
) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    let body = &request.body;
    shared.world().set_role(
        &request.id,
        participant,
        *body.apply_chair == 1,
        body.chairman_pwd.as_deref(),
    )?;
    Ok(Done)
}

async fn set_cohost(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSetCohostBody>,
) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    shared
        .world()
        .set_cohost(&request.id, participant, *request.body.is_cohost == 1)?;
    Ok(Done)
}

async fn rename(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestRenamePartReqBody>,
) -> ApiResult<Done> {
    let body = &request.body;
    shared
        .world()
        .rename(&request.id, &body.participant_id, &body.new_name)?;
    Ok(Done)
}

async fn hand(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestHandsUpReqBody>,
) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    shared
        .world()
        .set_hands(&request.id, &[participant], *request.body.hands_state == 1)?;
    Ok(Done)
}

async fn batch_hand(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestBatchHandsUpReqBody>,
) -> ApiResult<Done> {
    let body = &request.body;
    let pids: Vec<&str> = body.pids.iter().map(String::as_str).collect();
    shared
        .world()
        .set_hands(&request.id, &pids, *body.hands_state == 1)?;
    Ok(Done)
}
