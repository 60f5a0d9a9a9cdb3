//! The meeting-control calls: the control token, lock, settings, lockView.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use meeting_api::types::{
    ConfTokenResponse, RestLockReqBody, RestLockSiteViewReqBody, TokenInfo,
    UpdateStartedConfigReqBody,
};

use super::{
    ApiError, ApiResult, Done, QueryMap, codes, header, json_body, required_query, unwrap_basic,
};
use crate::Shared;
use crate::model::ConferenceState;
use std::sync::MutexGuard;

use crate::world::World;

fn auth_failed(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::MEETING_AUTH_FAILED,
        message,
    )
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        codes::MEETING_NOT_FOUND,
        format!("meeting {id} does not exist"),
    )
}

fn not_in_progress(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        codes::NOT_IN_PROGRESS,
        format!("meeting {id} is not in progress"),
    )
}

/// `GET …/token`: grant a control token for the host password, or keep one alive.
pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<ConfTokenResponse>> {
    let id = required_query(&query, "conferenceID")?;
    let now_ms = shared.clock.now_ms();
    let validity_ms = shared.config.control_token_validity.as_millis() as i64;
    let mut world = shared.world();
    if let Some(access) = header(&headers, "x-access-token") {
        // Optional here, but the official SDKs always send it: if present it must be live.
        if world.access(access, now_ms).is_none() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::ACCESS_TOKEN_INVALID,
                "the access token is invalid or has expired",
            ));
        }
    }
    let conference = world.conferences.get(id).ok_or_else(|| not_found(id))?;
    if conference.state != ConferenceState::Ongoing {
        return Err(not_in_progress(id));
    }
    let host_password = conference.host_password.clone();

    let current = header(&headers, "x-conference-authorization")
        .filter(|v| !v.is_empty())
        .map(unwrap_basic);
    let live = current.as_ref().filter(|token| {
        world
            .control_tokens
            .get(token.as_str())
            .is_some_and(|g| g.conference == id && g.expires_ms > now_ms)
    });
    let token = if let Some(token) = live.cloned() {
        // Keep-alive: the password is not checked.
        if let Some(grant) = world.control_tokens.get_mut(&token) {
            grant.expires_ms = now_ms + validity_ms;
        }
        world.counters.control_token_keepalives += 1;
        token
    } else if let Some(password) = header(&headers, "x-password").filter(|p| !p.is_empty()) {
        if header(&headers, "x-login-type") != Some("1") {
            return Err(ApiError::bad_request(
                "X-Login-Type must be 1 with X-Password",
            ));
        }
        if password != host_password {
            return Err(auth_failed("the host password is wrong"));
        }
        world.counters.control_token_grants += 1;
        world.grant_control(id, now_ms + validity_ms)
    } else if current.is_some() {
        return Err(auth_failed("the control token is invalid or has expired"));
    } else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::PASSWORD_BLANK,
            "X-Password (the host password) or X-Conference-Authorization is required",
        ));
    };

    Ok(Json(ConfTokenResponse {
        data: TokenInfo {
            token,
            conf_token_expire_time: Some(validity_ms / 1000),
            expire_time: Some(now_ms + validity_ms),
            org_id: Some("sim-org".to_owned()),
            participant_id: None,
            role: Some(1),
            support_notify_type: vec!["ConfInfo".to_owned(), "ParticipantInfo".to_owned()],
            tmp_ws_token: Some(format!("ws{}", &id)),
            user_id: Some("sim-scheduler".to_owned()),
            vmr_current_conf_id: None,
            ws_url: Some(format!(
                "wss://127.0.0.1/cms/open/websocket/confctl/increment/conn?confID={id}"
            )),
        },
        address_token: Some("sim-address-token".to_owned()),
        gloabl_public_ip: Some("127.0.0.1".to_owned()),
    }))
}

/// Locks the world and checks `X-Conference-Authorization` for conference `id`, which
/// must be in progress.
fn authorize<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
    id: &str,
) -> ApiResult<MutexGuard<'a, World>> {
    let Some(value) = header(headers, "x-conference-authorization").filter(|v| !v.is_empty())
    else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::TOKEN_NULL,
            "X-Conference-Authorization (the control token) is required",
        ));
    };
    let token = unwrap_basic(value);
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let valid = world
        .control_tokens
        .get(&token)
        .is_some_and(|g| g.conference == id && g.expires_ms > now_ms);
    if !valid {
        return Err(auth_failed("the control token is invalid or has expired"));
    }
    match world.conferences.get(id) {
        None => Err(not_found(id)),
        Some(c) if c.state != ConferenceState::Ongoing => Err(not_in_progress(id)),
        Some(_) => Ok(world),
    }
}

/// `PUT …/lock`.
pub(super) async fn lock(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let mut world = authorize(&shared, &headers, id)?;
    let request: RestLockReqBody = json_body(body)?;
    if let Some(conference) = world.conferences.get_mut(id) {
        conference.locked = *request.is_lock == 1;
    }
    Ok(Done)
}

/// `PUT …/updateStartedConfConfig`.
pub(super) async fn update_settings(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let mut world = authorize(&shared, &headers, id)?;
    let request: UpdateStartedConfigReqBody = json_body(body)?;
    if request == UpdateStartedConfigReqBody::default() {
        return Err(ApiError::bad_request(
            "no setting given: send at least one field",
        ));
    }
    let Some(conference) = world.conferences.get_mut(id) else {
        return Err(not_found(id));
    };
    let s = &mut conference.settings;
    let set = |slot: &mut i32, value: Option<i32>| {
        if let Some(value) = value {
            *slot = value;
        }
    };
    set(&mut s.lock_sharing, request.lock_sharing.map(|v| *v));
    set(
        &mut s.call_in_restriction,
        request.call_in_restriction.map(|v| *v),
    );
    set(
        &mut s.allow_unmute_by_oneself,
        request.allow_unmute_by_oneself.map(|v| *v),
    );
    set(&mut s.chat_permission, request.chat_permission.map(|v| *v));
    set(
        &mut s.audience_call_in_restriction,
        request.audience_call_in_restriction.map(|v| *v),
    );
    set(&mut s.client_rec_mode, request.client_rec_mode.map(|v| *v));
    set(
        &mut s.allow_open_camera,
        request.allow_open_camera.map(|v| *v),
    );
    set(&mut s.allow_rename, request.allow_rename.map(|v| *v));
    set(&mut s.free_share, request.free_share.map(|v| *v));
    if let Some(is_lock) = request.is_lock {
        conference.locked = *is_lock == 1;
    }
    Ok(Done)
}

/// `PUT …/lockView`: lock the view of terminal `participantID` (query) to the video
/// source of `participantID` (body).
pub(super) async fn lock_view(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let terminal = required_query(&query, "participantID")?;
    let mut world = authorize(&shared, &headers, id)?;
    let request: RestLockSiteViewReqBody = json_body(body)?;
    let source: &str = &request.participant_id;
    let Some(conference) = world.conferences.get_mut(id) else {
        return Err(not_found(id));
    };
    if conference.participant_mut(source).is_none() {
        return Err(ApiError::bad_request(format!(
            "participant {source} is not in meeting {id}"
        )));
    }
    let Some(participant) = conference.participant_mut(terminal) else {
        return Err(ApiError::bad_request(format!(
            "participant {terminal} is not in meeting {id}"
        )));
    };
    if !participant.seed.professional_terminal {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::NO_PERMISSION,
            format!("participant {terminal} is not a professional terminal"),
        ));
    }
    participant.view_locked_to = (*request.status == 1).then(|| source.to_owned());
    Ok(Done)
}
