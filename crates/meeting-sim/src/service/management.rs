//! `CancelMeeting`: cancel a scheduled meeting, or end one in progress with `type=1`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;

use super::{ApiError, ApiResult, Done, QueryMap, header, optional_query, required_query};
use crate::Shared;

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
