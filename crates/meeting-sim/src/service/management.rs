//! Management with the access token: schedule a meeting or a series, edit, show,
//! cancel (or end in progress with `type=1`), find meetings, history and recordings.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    AttendanceRecords, ConferenceDetail, ConferenceInfo, OnlineMeetingDetail, RecordResultDo,
    RecordingDownloadUrls, RestCancelSingleRecordCycleConfListReqBody, RestScheduleConfDto,
    SearchMeetingsResponse, SearchRecordingsResponse,
};

use super::{ApiResult, Done, QueryMap, Route, header, json_body, optional_query, required_query};
use crate::Shared;
use crate::errors::ApiError;
use crate::world::{MeetingQuery, Page};

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
    Route {
        operation: &operations::SEARCH_MEETINGS,
        handler: |m| on(m, search),
    },
    Route {
        operation: &operations::SEARCH_ONLINE_MEETINGS,
        handler: |m| on(m, search_online),
    },
    Route {
        operation: &operations::SHOW_ONLINE_MEETING_DETAIL,
        handler: |m| on(m, online_detail),
    },
    Route {
        operation: &operations::SEARCH_HIS_MEETINGS,
        handler: |m| on(m, search_history),
    },
    Route {
        operation: &operations::SHOW_HIS_MEETING_DETAIL,
        handler: |m| on(m, past_detail),
    },
    Route {
        operation: &operations::SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING,
        handler: |m| on(m, attendance),
    },
    Route {
        operation: &operations::UPDATE_MEETING,
        handler: |m| on(m, update),
    },
    Route {
        operation: &operations::CREATE_RECURRING_MEETING,
        handler: |m| on(m, create_series),
    },
    Route {
        operation: &operations::UPDATE_RECURRING_MEETING,
        handler: |m| on(m, update_series),
    },
    Route {
        operation: &operations::CANCEL_RECURRING_MEETING,
        handler: |m| on(m, cancel_series),
    },
    Route {
        operation: &operations::CANCEL_RECURRING_SUB_MEETING,
        handler: |m| on(m, cancel_occurrences),
    },
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

/// An integer query parameter, if present.
fn int_query(query: &QueryMap, name: &str) -> ApiResult<Option<i64>> {
    optional_query(query, name)?
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| ApiError::bad_request(format!("{name} must be an integer, not {v:?}")))
        })
        .transpose()
}

/// A boolean query parameter (default false).
fn flag_query(query: &QueryMap, name: &str) -> ApiResult<bool> {
    match optional_query(query, name)? {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

/// `searchKey`: 1 to 128 characters when present.
fn search_key(query: &QueryMap) -> ApiResult<Option<&str>> {
    match optional_query(query, "searchKey")? {
        Some(key) if key.is_empty() || key.chars().count() > 128 => Err(ApiError::bad_request(
            "searchKey must be 1 to 128 characters",
        )),
        key => Ok(key),
    }
}

fn page(query: &QueryMap) -> ApiResult<Page> {
    Page::new(int_query(query, "offset")?, int_query(query, "limit")?)
}

fn meeting_query(query: &QueryMap, running_only: bool) -> ApiResult<MeetingQuery> {
    let within_minutes = match optional_query(query, "queryConfMode")? {
        None | Some("ALL") => None,
        Some("ADAY") => Some(24 * 60),
        Some("AWEEK") => Some(7 * 24 * 60),
        Some("AMONTH") => Some(31 * 24 * 60),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "queryConfMode must be ADAY, AWEEK, AMONTH or ALL, not {other:?}"
            )));
        }
    };
    let newest_first = match optional_query(query, "sortType")? {
        None | Some("ASC_StartTIME") => false,
        Some("DSC_StartTIME") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "sortType must be ASC_StartTIME or DSC_StartTIME, not {other:?}"
            )));
        }
    };
    Ok(MeetingQuery {
        search: search_key(query)?.map(str::to_owned),
        all_users: flag_query(query, "queryAll")?,
        user: optional_query(query, "userUUID")?
            .filter(|u| !u.trim().is_empty())
            .map(str::to_owned),
        within_minutes,
        newest_first,
        running_only,
    })
}

async fn searched(
    shared: &Shared,
    headers: &HeaderMap,
    query: &QueryMap,
    running_only: bool,
) -> ApiResult<Json<SearchMeetingsResponse>> {
    let (page, wanted) = (page(query)?, meeting_query(query, running_only)?);
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(headers, "x-access-token"), now_ms)?;
    let (count, data) = world.search_meetings(&grant, &wanted, page, now_ms);
    Ok(Json(SearchMeetingsResponse {
        offset: i32::try_from(page.offset).ok(),
        limit: i32::try_from(page.limit).ok(),
        count: i32::try_from(count).ok(),
        data,
    }))
}

/// `GET /v1/mmc/management/conferences`.
async fn search(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<SearchMeetingsResponse>> {
    searched(&shared, &headers, &query, false).await
}

/// `GET /v1/mmc/management/conferences/online`.
async fn search_online(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<SearchMeetingsResponse>> {
    searched(&shared, &headers, &query, true).await
}

/// `GET /v1/mmc/management/conferences/online/confDetail`.
async fn online_detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<OnlineMeetingDetail>> {
    let id = required_query(&query, "conferenceID")?;
    let (page, search) = (page(&query)?, search_key(&query)?);
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    Ok(Json(world.online_detail(id, &grant, search, page)?))
}

/// `GET /v1/mmc/management/conferences/history`.
async fn search_history(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<SearchMeetingsResponse>> {
    let (page, wanted) = (page(&query)?, meeting_query(&query, false)?);
    if optional_query(&query, "queryConfMode")?.is_some() {
        return Err(ApiError::bad_request(
            "queryConfMode is not a history parameter",
        ));
    }
    let dates = (
        int_query(&query, "startDate")?,
        int_query(&query, "endDate")?,
    );
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    let (count, data) = world.search_history(&grant, &wanted, dates, page)?;
    Ok(Json(SearchMeetingsResponse {
        offset: i32::try_from(page.offset).ok(),
        limit: i32::try_from(page.limit).ok(),
        count: i32::try_from(count).ok(),
        data,
    }))
}

/// `GET /v1/mmc/management/conferences/history/confDetail`.
async fn past_detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<OnlineMeetingDetail>> {
    let uuid = required_query(&query, "confUUID")?;
    let (page, search) = (page(&query)?, search_key(&query)?);
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    Ok(Json(world.past_detail(uuid, &grant, search, page)?))
}

/// `GET /v1/mmc/management/conferences/history/confAttendeeRecord`.
async fn attendance(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<AttendanceRecords>> {
    let uuid = required_query(&query, "confUUID")?;
    let (page, search) = (page(&query)?, search_key(&query)?);
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    Ok(Json(world.attendance(uuid, &grant, search, page)?))
}

/// `GET /v1/mmc/management/record/files`.
async fn search_recordings(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<SearchRecordingsResponse>> {
    let (page, wanted) = (page(&query)?, meeting_query(&query, false)?);
    let dates = (
        int_query(&query, "startDate")?,
        int_query(&query, "endDate")?,
    );
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
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
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
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
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
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
    let now_ms = shared.clock.now_ms();
    let mut world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    world.delete_recordings(&uuids, &grant)?;
    Ok(Done)
}

/// `type`: absent, or 1 to end a meeting in progress.
fn end_ongoing(query: &QueryMap) -> ApiResult<bool> {
    match optional_query(query, "type")? {
        None => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "type must be 1, not {other:?}"
        ))),
    }
}

async fn edited(
    shared: &Shared,
    headers: &HeaderMap,
    query: &QueryMap,
    body: Result<Bytes, BytesRejection>,
    recurring: bool,
) -> ApiResult<Json<Vec<ConferenceInfo>>> {
    let id = required_query(query, "conferenceID")?;
    let now_ms = shared.clock.now_ms();
    let grant = shared
        .world()
        .authorize_access(header(headers, "x-access-token"), now_ms)?;
    let request: RestScheduleConfDto = json_body(body)?;
    let info = shared
        .world()
        .update_meeting(id, &grant, &request, recurring, now_ms)?;
    Ok(Json(vec![info]))
}

/// `PUT /v1/mmc/management/conferences`.
async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Vec<ConferenceInfo>>> {
    edited(&shared, &headers, &query, body, false).await
}

/// `PUT /v1/mmc/management/cycleconferences`.
async fn update_series(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Vec<ConferenceInfo>>> {
    edited(&shared, &headers, &query, body, true).await
}

/// `POST /v1/mmc/management/cycleconferences`.
async fn create_series(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Vec<ConferenceInfo>>> {
    let now_ms = shared.clock.now_ms();
    let grant = shared
        .world()
        .authorize_access(header(&headers, "x-access-token"), now_ms)?;
    let request: RestScheduleConfDto = json_body(body)?;
    let info = shared.world().create_series(&grant, &request, now_ms)?;
    Ok(Json(vec![info]))
}

/// `DELETE /v1/mmc/management/cycleconferences`.
async fn cancel_series(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let end = end_ongoing(&query)?;
    let now_ms = shared.clock.now_ms();
    let mut world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    world.cancel_series(id, &grant, end)?;
    Ok(Done)
}

/// `DELETE /v1/mmc/management/conferences/cyclesubconf`, with a body.
async fn cancel_occurrences(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let end = end_ongoing(&query)?;
    let request: RestCancelSingleRecordCycleConfListReqBody = json_body(body)?;
    if request.cycle_sub_conf_i_ds.is_empty() {
        return Err(ApiError::bad_request(
            "cycleSubConfIDs must name an occurrence",
        ));
    }
    let now_ms = shared.clock.now_ms();
    let mut world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    world.cancel_occurrences(id, &grant, &request.cycle_sub_conf_i_ds, end)?;
    Ok(Done)
}
