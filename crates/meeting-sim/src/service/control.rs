//! The meeting-control calls: the control token, lock, settings, lockView.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use meeting_api::types::{
    ConfTokenResponse, RestLockReqBody, RestLockSiteViewReqBody, TokenInfo,
    UpdateStartedConfigReqBody,
};

use super::{ApiResult, Controlled, Done, QueryMap, header, required_query, unwrap_basic};
use crate::Shared;

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
        world.authorize_access(Some(access), now_ms)?;
    }
    let current = header(&headers, "x-conference-authorization")
        .filter(|v| !v.is_empty())
        .map(unwrap_basic);
    let token = world.control_token(
        id,
        current.as_deref(),
        header(&headers, "x-password"),
        header(&headers, "x-login-type"),
        now_ms,
        validity_ms,
    )?;
    drop(world);
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

/// `PUT …/lock`.
pub(super) async fn lock(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestLockReqBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .lock(&request.id, *request.body.is_lock == 1)?;
    Ok(Done)
}

/// `PUT …/updateStartedConfConfig`.
pub(super) async fn update_settings(
    State(shared): State<Arc<Shared>>,
    request: Controlled<UpdateStartedConfigReqBody>,
) -> ApiResult<Done> {
    shared.world().update_settings(&request.id, &request.body)?;
    Ok(Done)
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
