//! Management with the access token: schedule a meeting or a series, edit, show,
//! start, the region of one in progress, cancel (or end in progress with `type=1`); the
//! enterprise's resources in use and its rooms.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    ConfOrg, ConferenceDetail, ConferenceInfo, CorpVmrList, OrgResources, RegionInfo,
    RestCancelSingleRecordCycleConfListReqBody, RestScheduleConfDto, RestScheduleCycleConfDto,
    SpResources, StartMeetingResponse, StartRequest,
};

use super::search::{granted, int_query, search_key};
use super::{ApiResult, Done, QueryMap, Route, header, json_body, optional_query, required_query};
use crate::Shared;
use crate::errors::ApiError;
use crate::world::Page;

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
        operation: &operations::UPDATE_RECURRING_SUB_MEETING,
        handler: |m| on(m, update_occurrence),
    },
    Route {
        operation: &operations::START_MEETING,
        handler: |m| on(m, start),
    },
    Route {
        operation: &operations::SHOW_REGION_INFO_OF_MEETING,
        handler: |m| on(m, region),
    },
    Route {
        operation: &operations::SHOW_ORG_RES,
        handler: |m| on(m, org_resources),
    },
    Route {
        operation: &operations::SHOW_SP_RES,
        handler: |m| on(m, sp_resources),
    },
    Route {
        operation: &operations::SEARCH_CORP_VMR,
        handler: |m| on(m, rooms),
    },
    Route {
        operation: &operations::SHOW_CONF_ORG,
        handler: |m| on(m, conference_org),
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

/// `POST /v1/mmc/management/conferences/start`: the access token, and the meeting's
/// host password in the body.
async fn start(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<StartMeetingResponse>> {
    let request: StartRequest = json_body(body)?;
    let mut world = shared.world();
    world.authorize_access(header(&headers, "x-access-token"), shared.clock.now_ms())?;
    let region_ip = world.start(&request.conference_id, &request.password)?;
    Ok(Json(StartMeetingResponse {
        uuid: None,
        region_ip: Some(region_ip.to_owned()),
    }))
}

/// `GET /v1/mmc/management/conferences/region/info`.
async fn region(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<RegionInfo>> {
    let id = required_query(&query, "conferenceID")?;
    let world = shared.world();
    world.authorize_access(header(&headers, "x-access-token"), shared.clock.now_ms())?;
    let (ip, url) = world.region(id)?;
    Ok(Json(RegionInfo {
        region_ip: Some(ip.to_owned()),
        region_url: Some(url.to_owned()),
    }))
}

/// `GET /v1/mmc/management/orgRes`.
async fn org_resources(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult<Json<OrgResources>> {
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.org_resources(&grant)?))
}

/// `GET /v1/mmc/management/spRes`.
async fn sp_resources(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult<Json<SpResources>> {
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.sp_resources(&grant)?))
}

/// `GET /v1/mmc/management/conferences/confOrg`.
async fn conference_org(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<ConfOrg>> {
    let id = required_query(&query, "conferenceID")?;
    let (world, grant) = granted(&shared, &headers)?;
    let org = world.conference_org(id, &grant)?;
    Ok(Json(ConfOrg {
        org_id: Some(org.to_owned()),
    }))
}

/// `GET /v1/usg/dcs/corp/vmr`: the enterprise's rooms, a page at a time.
async fn rooms(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<CorpVmrList>> {
    let (offset, limit) = (int_query(&query, "offset")?, int_query(&query, "limit")?);
    let page = Page::new(offset, Some(limit.unwrap_or(10)))?;
    let (mode, status) = (int_query(&query, "vmrMode")?, int_query(&query, "status")?);
    let search = search_key(&query, "searchKey")?;
    let (world, grant) = granted(&shared, &headers)?;
    let (count, data) = world.corp_rooms(&grant, mode, status, search, page)?;
    let int = |n: usize| i32::try_from(n).ok();
    Ok(Json(CorpVmrList {
        offset: int(page.offset),
        limit: int(page.limit),
        count: int(count),
        data,
    }))
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
/// `PUT /v1/mmc/management/conferences/cyclesubconf`.
async fn update_occurrence(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let id = required_query(&query, "conferenceID")?;
    let request: RestScheduleCycleConfDto = json_body(body)?;
    let now_ms = shared.clock.now_ms();
    let mut world = shared.world();
    let grant = world.authorize_access(header(&headers, "x-access-token"), now_ms)?;
    world.update_occurrence(id, &grant, &request, now_ms)?;
    Ok(Done)
}

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
