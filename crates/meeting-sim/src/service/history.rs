//! A past meeting's details, attendance and control records.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{AttendanceRecords, ControlRecords, OnlineMeetingDetail};

use super::search::{granted, page, search_key};
use super::{ApiResult, QueryMap, Route, required_query};
use crate::Shared;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::SHOW_HIS_MEETING_DETAIL,
        handler: |m| on(m, past_detail),
    },
    Route {
        operation: &operations::SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING,
        handler: |m| on(m, attendance),
    },
    Route {
        operation: &operations::SEARCH_CTL_RECORDS_OF_HIS_MEETING,
        handler: |m| on(m, control_records),
    },
];

/// `GET /v1/mmc/management/conferences/history/confCtlRecord`.
async fn control_records(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<ControlRecords>> {
    let uuid = required_query(&query, "confUUID")?;
    let page = page(&query)?;
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.control_records(uuid, &grant, page)?))
}

/// `GET /v1/mmc/management/conferences/history/confDetail`.
async fn past_detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<OnlineMeetingDetail>> {
    let uuid = required_query(&query, "confUUID")?;
    let (page, search) = (page(&query)?, search_key(&query, "searchKey")?);
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.past_detail(uuid, &grant, search, page)?))
}

/// `GET /v1/mmc/management/conferences/history/confAttendeeRecord`.
async fn attendance(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<AttendanceRecords>> {
    let uuid = required_query(&query, "confUUID")?;
    let (page, search) = (page(&query)?, search_key(&query, "searchKey")?);
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.attendance(uuid, &grant, search, page)?))
}
