//! Management with the access token: schedule a meeting, show its details, cancel it
//! (or end it in progress with `type=1`).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{ConferenceDetail, ConferenceInfo, RestScheduleConfDto};

use super::{ApiResult, Done, QueryMap, Route, header, json_body, optional_query, required_query};
use crate::Shared;
use crate::errors::ApiError;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::CANCEL_MEETING,
        handler: |m| on(m, cancel),
    },
    Route {
        operation: &operations::CREATE_MEETING,
        handler: |m| on(m, create),
    },
    Route {
        operation: &operations::SHOW_MEETING_DETAIL,
        handler: |m| on(m, detail),
    },
];

pub(super) async fn cancel(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let end_ongoing = match optional_query(&query, "type")? {
        None => false,
        Some("1") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "type must be 1, not {other:?}"
            )));
        }
    };
    let now_ms = shared.clock.now_ms();
    let mut world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    world.cancel(id, &grant, end_ongoing)?;
    Ok(Done)
}

/// `POST /v1/mmc/management/conferences`.
pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Vec<ConferenceInfo>>> {
    let now_ms = shared.clock.now_ms();
    let grant = shared
        .world()
        .authorize_access(header(&headers, "x-access-token"), now_ms)?;
    let request: RestScheduleConfDto = json_body(body)?;
    let info = shared.world().create_meeting(&grant, &request, now_ms)?;
    Ok(Json(vec![info]))
}

/// `GET /v1/mmc/management/conferences/confDetail`.
pub(super) async fn detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<ConferenceDetail>> {
    let id = required_query(&query, "conferenceID")?;
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    Ok(Json(world.detail(id, &grant)?))
}
