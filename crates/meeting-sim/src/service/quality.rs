//! Media quality, with the control token in `confToken`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{NetworkQualityList, RestQosRequestDto};

use super::{ApiResult, QueryMap, Route, header, json_body, required_query, unwrap_basic};
use crate::Shared;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[Route {
    operation: &operations::LIST_NETWORK_QUALITY,
    handler: |m| on(m, network_quality),
}];

/// The meeting's ID is `conferenceid` here, the control token `confToken`.
async fn network_quality(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<NetworkQualityList>> {
    let id = required_query(&query, "conferenceid")?;
    let token = header(&headers, "conftoken").map(unwrap_basic);
    let world = shared.world();
    world.authorize_control(token.as_deref(), id, shared.clock.now_ms())?;
    let request: RestQosRequestDto = json_body(body)?;
    let named: Vec<&str> = request.users.iter().map(|u| u.pid.as_str()).collect();
    let qos_list = world.network_quality(id, &named)?;
    Ok(Json(NetworkQualityList {
        return_code: Some(0),
        return_desc: Some("success".to_owned()),
        qos_list,
    }))
}
