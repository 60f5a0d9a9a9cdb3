//! The recordings of past meetings.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    RecordInfoReq, RecordResultDo, RecordingDownloadUrls, SearchRecordingsResponse,
    ShowRecordInfoResponse,
};

use super::search::{dates, granted, meeting_query, page};
use super::{ApiResult, Done, QueryMap, Route, json_body, required_query};
use crate::Shared;
use crate::world::Page;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::SEARCH_RECORDINGS,
        handler: |m| on(m, search_recordings),
    },
    Route {
        operation: &operations::SHOW_RECORDING_DETAIL,
        handler: |m| on(m, recording_detail),
    },
    Route {
        operation: &operations::SHOW_RECORDING_FILE_DOWNLOAD_URLS,
        handler: |m| on(m, download_urls),
    },
    Route {
        operation: &operations::DELETE_RECORDINGS,
        handler: |m| on(m, delete_recordings),
    },
    Route {
        operation: &operations::SHOW_RECORD_INFO,
        handler: |m| on(m, record_info),
    },
];

/// `POST /v1/mmc/rlm/record/info`: the recording service's answer, wrapped in its
/// `code` and `message`.
async fn record_info(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ShowRecordInfoResponse>> {
    let request: RecordInfoReq = json_body(body)?;
    let page = Page::new(
        request.segment_offset.map(i64::from),
        request.segment_limit.map(|n| i64::from(n.get())),
    )?;
    let (world, grant) = granted(&shared, &headers)?;
    let data = world.record_info(&request.conf_uuid, &grant, page)?;
    Ok(Json(ShowRecordInfoResponse {
        code: Some("0".to_owned()),
        message: Some("success".to_owned()),
        data: Some(data),
    }))
}

/// `GET /v1/mmc/management/record/files`.
async fn search_recordings(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<SearchRecordingsResponse>> {
    let (page, wanted) = (page(&query)?, meeting_query(&query, false)?);
    let dates = dates(&query)?;
    let (world, grant) = granted(&shared, &headers)?;
    let (count, data) = world.search_recordings(&grant, &wanted, dates, page)?;
    Ok(Json(SearchRecordingsResponse {
        offset: i32::try_from(page.offset).ok(),
        limit: i32::try_from(page.limit).ok(),
        count: i32::try_from(count).ok(),
        data,
    }))
}

/// `GET /v1/mmc/management/conferences/record/files`.
async fn recording_detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<RecordResultDo>> {
    let uuid = required_query(&query, "confUUID")?;
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.recording_detail(uuid, &grant)?))
}

/// `GET /v1/mmc/management/record/downloadurls`.
async fn download_urls(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<RecordingDownloadUrls>> {
    let uuid = required_query(&query, "confUUID")?;
    page(&query)?;
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.download_urls(uuid, &grant)?))
}

/// `DELETE /v1/mmc/management/record/files`.
async fn delete_recordings(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Done> {
    let uuids: Vec<&str> = required_query(&query, "confUUIDs")?
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    let (mut world, grant) = granted(&shared, &headers)?;
    world.delete_recordings(&uuids, &grant)?;
    Ok(Done)
}
