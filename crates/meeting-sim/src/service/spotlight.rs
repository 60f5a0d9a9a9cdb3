//! The spotlight and requests to one participant (roll call, broadcast, sharing,
//! camera, local recording), and the meeting's audience, guests' unmuting and
//! attendees, with the control token.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    InviteShareDto, RestAllowAudienceReqBody, RestAllowClientRecordReqBody, RestAllowUnMuteReqBody,
    RestBulkDelAttendReqBody, RestVideoBody,
};

use super::{ApiResult, Authorized, Controlled, Done, Route, required_query};
use crate::Shared;
use crate::world::Spotlight;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::ROLLCALL_PARTICIPANT,
        handler: |m| on(m, roll_call),
    },
    Route {
        operation: &operations::BROADCAST_PARTICIPANT,
        handler: |m| on(m, broadcast),
    },
    Route {
        operation: &operations::CANCEL_BROADCAST,
        handler: |m| on(m, cancel_broadcast),
    },
    Route {
        operation: &operations::INVITE_SHARE,
        handler: |m| on(m, invite_share),
    },
    Route {
        operation: &operations::INVITE_OPERATE_VIDEO,
        handler: |m| on(m, video),
    },
    Route {
        operation: &operations::ALLOW_CLIENT_RECORD,
        handler: |m| on(m, client_record),
    },
    Route {
        operation: &operations::DELETE_ATTENDEES,
        handler: |m| on(m, delete_attendees),
    },
    Route {
        operation: &operations::ALLOW_AUDIENCE_JOIN,
        handler: |m| on(m, audience),
    },
    Route {
        operation: &operations::ALLOW_GUEST_UNMUTE,
        handler: |m| on(m, guest_unmute),
    },
];

async fn roll_call(State(shared): State<Arc<Shared>>, request: Authorized) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    shared
        .world()
        .spotlight(&request.id, Spotlight::RollCall, Some(participant))?;
    Ok(Done)
}

async fn broadcast(State(shared): State<Arc<Shared>>, request: Authorized) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    shared
        .world()
        .spotlight(&request.id, Spotlight::Broadcast, Some(participant))?;
    Ok(Done)
}

async fn cancel_broadcast(
    State(shared): State<Arc<Shared>>,
    request: Authorized,
) -> ApiResult<Done> {
    shared
        .world()
        .spotlight(&request.id, Spotlight::Broadcast, None)?;
    Ok(Done)
}

async fn invite_share(
    State(shared): State<Arc<Shared>>,
    request: Controlled<InviteShareDto>,
) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    let on = *request.body.share == 1;
    shared
        .world()
        .set_flag(&request.id, participant, |f| f.sharing = on)?;
    Ok(Done)
}

async fn video(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestVideoBody>,
) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    let off = *request.body.status == 1;
    shared
        .world()
        .set_flag(&request.id, participant, |f| f.camera_off = off)?;
    Ok(Done)
}

async fn client_record(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestAllowClientRecordReqBody>,
) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    let on = *request.body.allow_client_record == 1;
    shared
        .world()
        .set_flag(&request.id, participant, |f| f.client_record = on)?;
    Ok(Done)
}

async fn delete_attendees(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestBulkDelAttendReqBody>,
) -> ApiResult<Done> {
    let attendees: Vec<(Option<&str>, Option<&str>)> = request
        .body
        .bulk_del_attend_info
        .iter()
        .map(|a| (a.participant_id.as_deref(), a.number.as_deref()))
        .collect();
    shared.world().delete_attendees(&request.id, &attendees)?;
    Ok(Done)
}

async fn audience(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestAllowAudienceReqBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .allow_audience(&request.id, *request.body.allow_audience == 1)?;
    Ok(Done)
}

async fn guest_unmute(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestAllowUnMuteReqBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .allow_guest_unmute(&request.id, *request.body.allow_unmute_by_oneself == 1)?;
    Ok(Done)
}
