//! One participant at a time: lockView, muting one, inviting (with a control token or
//! the meeting's password), hanging up; the one-use join randoms.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    AnonymousAuthRandom, AuthRandom, RestBulkHangUpReqBody, RestInviteReqBody,
    RestInviteWithPwdReqBody, RestLockSiteViewReqBody, RestMuteParticipantReqBody,
};

use super::{
    ApiResult, Controlled, Done, QueryMap, Route, header, json_body, optional_query, required_query,
};
use crate::Shared;
use crate::errors::ApiError;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::LOCK_VIEW,
        handler: |m| on(m, lock_view),
    },
    Route {
        operation: &operations::MUTE_PARTICIPANT,
        handler: |m| on(m, mute_participant),
    },
    Route {
        operation: &operations::INVITE_PARTICIPANT,
        handler: |m| on(m, invite),
    },
    Route {
        operation: &operations::INVITE_WITH_PWD,
        handler: |m| on(m, invite_with_password),
    },
    Route {
        operation: &operations::HANG_UP,
        handler: |m| on(m, hang_up),
    },
    Route {
        operation: &operations::CREATE_ANONYMOUS_AUTH_RANDOM,
        handler: |m| on(m, anonymous_random),
    },
    Route {
        operation: &operations::CREATE_AUTH_RANDOM,
        handler: |m| on(m, random),
    },
];

/// A join random for meeting `id`: the access token, and the meeting's password in
/// `X-Password`; with the meeting's subject.
fn issue_random(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
) -> ApiResult<(String, Option<String>)> {
    let mut world = shared.world();
    world.authorize_access(header(headers, "x-access-token"), shared.clock.now_ms())?;
    let password = header(headers, "x-password").unwrap_or_default();
    world.issue_random(id, password)
}

/// `GET …/conferences/anonymous/auth`.
async fn anonymous_random(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<AnonymousAuthRandom>> {
    let id = required_query(&query, "conferenceID")?;
    let (random, _) = issue_random(&shared, &headers, id)?;
    Ok(Json(AnonymousAuthRandom {
        site_url: Some(format!("https://{}/join", crate::REGION_URL)),
        random: Some(random),
    }))
}

/// `GET /v2/mms/ncms/conferences/auth/random`.
async fn random(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<AuthRandom>> {
    let id = required_query(&query, "conf_id")?;
    match optional_query(&query, "guest_waiting")? {
        None | Some("0" | "1") => {}
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "guest_waiting must be 0 or 1, not {other:?}"
            )));
        }
    }
    let (random, subject) = issue_random(&shared, &headers, id)?;
    Ok(Json(AuthRandom {
        random: Some(random),
        subject,
        conf_mode: Some("RTC".to_owned()),
        webinar: Some(false),
        need_password: Some(false),
        support_applets: Some(false),
    }))
}

/// `PUT …/lockView`: lock the view of terminal `participantID` (query) to the video
/// source of `participantID` (body).
pub(super) async fn lock_view(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestLockSiteViewReqBody>,
) -> ApiResult<Done> {
    let terminal = required_query(&request.query, "participantID")?;
    shared.world().lock_view(
        &request.id,
        terminal,
        &request.body.participant_id,
        *request.body.status == 1,
    )?;
    Ok(Done)
}

/// `PUT …/participants/mute`.
pub(super) async fn mute_participant(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestMuteParticipantReqBody>,
) -> ApiResult<Done> {
    let participant = required_query(&request.query, "participantID")?;
    shared
        .world()
        .mute_participant(&request.id, participant, *request.body.is_mute == 1)?;
    Ok(Done)
}

/// `POST …/participants`.
pub(super) async fn invite(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestInviteReqBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .invite(&request.id, &request.body.attendees)?;
    Ok(Done)
}

/// `POST …/inviteWithPwd`: the access token, and the meeting's password in the body.
async fn invite_with_password(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let body: RestInviteWithPwdReqBody = json_body(body)?;
    let mut world = shared.world();
    world.authorize_access(header(&headers, "x-access-token"), shared.clock.now_ms())?;
    world.invite_with_password(id, &body.conf_id, &body.call_num, &body.pwd)?;
    Ok(Done)
}

/// `POST …/participants/delete`.
pub(super) async fn hang_up(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestBulkHangUpReqBody>,
) -> ApiResult<Done> {
    let participants: Vec<&str> = request
        .body
        .bulk_hang_up_participants
        .iter()
        .map(|p| p.as_str())
        .collect();
    shared.world().hang_up(&request.id, &participants)?;
    Ok(Done)
}
