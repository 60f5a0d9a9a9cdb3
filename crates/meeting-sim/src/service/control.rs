//! The meeting as a whole: the control token, lock, settings, the live state, muting
//! everyone, prolonging, the WebSocket token, stopping; and the management site's state.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    ConfTokenResponse, MgmtSiteStatus, RealTimeInfo, RestLockReqBody, RestMuteReqBody,
    RestProlongDurReqBody, TokenInfo, UpdateStartedConfigReqBody, WebSocketTokenResponse,
};

use super::{
    ApiResult, Authorized, Controlled, Done, QueryMap, Route, Secure, header, required_query,
    unwrap_basic,
};
use crate::Shared;
use crate::world::NOTIFY_TYPES;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::CREATE_CONF_TOKEN,
        handler: |m| on(m, token),
    },
    Route {
        operation: &operations::LOCK_MEETING,
        handler: |m| on(m, lock),
    },
    Route {
        operation: &operations::UPDATE_STARTED_CONF_CONFIG,
        handler: |m| on(m, update_settings),
    },
    Route {
        operation: &operations::SHOW_REAL_TIME_INFO_OF_MEETING,
        handler: |m| on(m, live),
    },
    Route {
        operation: &operations::MUTE_MEETING,
        handler: |m| on(m, mute_all),
    },
    Route {
        operation: &operations::PROLONG_MEETING,
        handler: |m| on(m, prolong),
    },
    Route {
        operation: &operations::CREATE_WEB_SOCKET_TOKEN,
        handler: |m| on(m, ws_token),
    },
    Route {
        operation: &operations::STOP_MEETING,
        handler: |m| on(m, stop),
    },
    Route {
        operation: &operations::SHOW_MGMT_SITE_STATUS,
        handler: |m| on(m, site_status),
    },
];

/// `GET …/token`: grant a control token for the host password, or keep one alive.
pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    Extension(Secure(secure)): Extension<Secure>,
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
    // Like the one from …/wsToken: one use, one minute.
    let tmp_ws_token = world.grant_ws_token(id, now_ms, WS_TOKEN_VALIDITY_MS)?;
    drop(world);
    Ok(Json(ConfTokenResponse {
        data: TokenInfo {
            token,
            conf_token_expire_time: Some(validity_ms / 1000),
            expire_time: Some(now_ms + validity_ms),
            org_id: Some("sim-org".to_owned()),
            participant_id: None,
            role: Some(1),
            support_notify_type: NOTIFY_TYPES.iter().map(|t| (*t).to_owned()).collect(),
            tmp_ws_token: Some(tmp_ws_token),
            user_id: Some("sim-scheduler".to_owned()),
            vmr_current_conf_id: None,
            // The origin of the socket, as the service gives it: the client appends
            // the path. The scheme is the one this request came with.
            ws_url: Some(format!(
                "{}://{}",
                if secure { "wss" } else { "ws" },
                shared.authority
            )),
        },
        address_token: Some("sim-address-token".to_owned()),
        gloabl_public_ip: Some("127.0.0.1".to_owned()),
    }))
}

/// How long a WebSocket token opens the event stream (the service's documented minute).
const WS_TOKEN_VALIDITY_MS: i64 = 60_000;

/// `GET …/wsToken`: a one-use token for the meeting's event WebSocket.
pub(super) async fn ws_token(
    State(shared): State<Arc<Shared>>,
    request: Authorized,
) -> ApiResult<Json<WebSocketTokenResponse>> {
    let now_ms = shared.clock.now_ms();
    let web_socket_token =
        shared
            .world()
            .grant_ws_token(&request.id, now_ms, WS_TOKEN_VALIDITY_MS)?;
    Ok(Json(WebSocketTokenResponse { web_socket_token }))
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

/// `GET …/realTimeInfo`.
pub(super) async fn live(
    State(shared): State<Arc<Shared>>,
    request: Authorized,
) -> ApiResult<Json<RealTimeInfo>> {
    Ok(Json(shared.world().live(&request.id)?))
}

/// `PUT …/mute`.
pub(super) async fn mute_all(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestMuteReqBody>,
) -> ApiResult<Done> {
    let allow = request
        .body
        .allow_unmute_by_oneself
        .as_deref()
        .map(|v| *v == 1);
    shared
        .world()
        .mute_all(&request.id, *request.body.is_mute == 1, allow)?;
    Ok(Done)
}

/// `PUT …/duration`.
pub(super) async fn prolong(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestProlongDurReqBody>,
) -> ApiResult<Done> {
    let minutes = request.body.duration.map(std::num::NonZeroU32::get);
    shared
        .world()
        .prolong(&request.id, *request.body.auto == 1, minutes)?;
    Ok(Done)
}

/// `PUT …/stop`.
pub(super) async fn stop(
    State(shared): State<Arc<Shared>>,
    request: Authorized,
) -> ApiResult<Done> {
    shared.world().stop(&request.id)?;
    Ok(Done)
}

/// `GET …/confmaintain/queryMgmtSiteStatus`: `FAULT` while the simulator injects server
/// errors or drops connections (its fault rates), the failing site the call reports.
async fn site_status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult<Json<MgmtSiteStatus>> {
    let now_ms = shared.clock.now_ms();
    shared
        .world()
        .authorize_access(header(&headers, "x-access-token"), now_ms)?;
    let faults = shared.faults.config();
    let failing = faults.server_error_rate > 0.0 || faults.drop_rate > 0.0;
    Ok(Json(MgmtSiteStatus {
        status: Some(if failing { "FAULT" } else { "NORMAL" }.to_owned()),
        redirect_join_url: None,
    }))
}
