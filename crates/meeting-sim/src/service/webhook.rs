//! The event push's configuration, with the access token of an administrator: set,
//! show, enable or disable (enabling waits for the receiver's handshake), delete.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{WebHookConfig, WebHookConfigRequest};

use super::{ApiResult, Done, QueryMap, Route, header, json_body, required_query};
use crate::Shared;
use crate::errors::{ApiError, codes};
use crate::world::{Grant, WEBHOOK_ENABLED};

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::SET_WEB_HOOK_CONFIG,
        handler: |m| on(m, set),
    },
    Route {
        operation: &operations::SHOW_WEB_HOOK_CONFIG,
        handler: |m| on(m, show),
    },
    Route {
        operation: &operations::DELETE_WEB_HOOK_CONFIG,
        handler: |m| on(m, delete),
    },
    Route {
        operation: &operations::UPDATE_WEB_HOOK_CONFIG_STATUS,
        handler: |m| on(m, change_status),
    },
];

fn grant(shared: &Shared, headers: &HeaderMap) -> ApiResult<Grant> {
    let now_ms = shared.clock.now_ms();
    shared
        .world()
        .authorize_access(header(headers, "x-access-token"), now_ms)
}

async fn set(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let grant = grant(&shared, &headers)?;
    let request: WebHookConfigRequest = json_body(body)?;
    shared.world().set_webhook(&grant, &request)?;
    Ok(Done)
}

async fn show(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult<Json<WebHookConfig>> {
    let grant = grant(&shared, &headers)?;
    Ok(Json(shared.world().show_webhook(&grant)?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Done> {
    let id = required_query(&query, "id")?;
    let grant = grant(&shared, &headers)?;
    shared.world().delete_webhook(&grant, id)?;
    Ok(Done)
}

/// Enabling sends the handshake without holding the world, then enables.
async fn change_status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Done> {
    let id = required_query(&query, "id")?;
    let status: i32 = required_query(&query, "status")?
        .parse()
        .map_err(|_| ApiError::bad_request("status must be 0, 1 or 2"))?;
    let grant = grant(&shared, &headers)?;
    if status == WEBHOOK_ENABLED {
        let push = shared.world().webhook_handshake(&grant, id)?;
        crate::push::handshake(&shared.push_client, &push, shared.clock.now_ms())
            .await
            .map_err(|why| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    codes::WEBHOOK_HANDSHAKE_FAILED,
                    format!("the push was not enabled: the verification push failed ({why})"),
                )
            })?;
    }
    shared.world().set_webhook_status(&grant, id, status)?;
    Ok(Done)
}
