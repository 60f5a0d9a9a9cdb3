//! Finding meetings with the access token: the scheduled, running and past ones, and a
//! running one's attendees; a page at a time; the running one a number is in. The paging and search helpers here serve
//! `history` and `archive` too.

use std::sync::{Arc, MutexGuard};

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    CallNumberInConf, OnlineAttendeePage, OnlineMeetingDetail, SearchMeetingsResponse,
};

use super::{ApiResult, QueryMap, Route, header, optional_query, required_query};
use crate::Shared;
use crate::errors::ApiError;
use crate::world::{Grant, MeetingQuery, Page, World};

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
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
        operation: &operations::CHECK_CALL_NUMBER_IN_CONF,
        handler: |m| on(m, number),
    },
    Route {
        operation: &operations::LIST_ONLINE_CONF_ATTENDEE,
        handler: |m| on(m, online_attendees),
    },
];

/// `GET /v1/mmc/management/conferences/online/conf-attendee`.
async fn online_attendees(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<OnlineAttendeePage>> {
    let id = required_query(&query, "conf_id")?;
    let (page, search) = (page(&query)?, search_key(&query, "search_key")?);
    let (world, grant) = granted(&shared, &headers)?;
    let (data, count) = world.online_attendees(id, &grant, search, page)?;
    Ok(Json(OnlineAttendeePage {
        offset: i32::try_from(page.offset).ok(),
        limit: i32::try_from(page.limit).ok(),
        count: i32::try_from(count).ok(),
        data,
    }))
}

/// `GET /v2/mms/ncms/conferences/online/check-callnumber-in-conf`.
async fn number(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<CallNumberInConf>> {
    let number = required_query(&query, "call_number")?;
    let (world, grant) = granted(&shared, &headers)?;
    let conference = world.meeting_of_number(&grant, number);
    Ok(Json(CallNumberInConf {
        in_conf: Some(conference.is_some()),
        conf_id: conference.map(str::to_owned),
    }))
}

/// The world, and whom the request's access token was granted to.
pub(super) fn granted<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
) -> ApiResult<(MutexGuard<'a, World>, Grant)> {
    let now_ms = shared.clock.now_ms();
    let world = shared.world();
    let grant = world.authorize_access(header(headers, "x-access-token"), now_ms)?;
    Ok((world, grant))
}

/// `startDate` and `endDate`, ms since the epoch, when given.
pub(super) fn dates(query: &QueryMap) -> ApiResult<(Option<i64>, Option<i64>)> {
    Ok((int_query(query, "startDate")?, int_query(query, "endDate")?))
}

/// An integer query parameter, if present.
pub(super) fn int_query(query: &QueryMap, name: &str) -> ApiResult<Option<i64>> {
    optional_query(query, name)?
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| ApiError::bad_request(format!("{name} must be an integer, not {v:?}")))
        })
        .transpose()
}

/// A boolean query parameter (default false).
pub(super) fn flag_query(query: &QueryMap, name: &str) -> ApiResult<bool> {
    match optional_query(query, name)? {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

/// `searchKey`: 1 to 128 characters when present.
pub(super) fn search_key<'q>(query: &'q QueryMap, name: &str) -> ApiResult<Option<&'q str>> {
    match optional_query(query, name)? {
        Some(key) if key.is_empty() || key.chars().count() > 128 => Err(ApiError::bad_request(
            format!("{name} must be 1 to 128 characters"),
        )),
        key => Ok(key),
    }
}

pub(super) fn page(query: &QueryMap) -> ApiResult<Page> {
    Page::new(int_query(query, "offset")?, int_query(query, "limit")?)
}

pub(super) fn meeting_query(query: &QueryMap, running_only: bool) -> ApiResult<MeetingQuery> {
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
        search: search_key(query, "searchKey")?.map(str::to_owned),
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
    let (world, grant) = granted(shared, headers)?;
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
    let (page, search) = (page(&query)?, search_key(&query, "searchKey")?);
    let (world, grant) = granted(&shared, &headers)?;
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
    let dates = dates(&query)?;
    let (world, grant) = granted(&shared, &headers)?;
    let (count, data) = world.search_history(&grant, &wanted, dates, page)?;
    Ok(Json(SearchMeetingsResponse {
        offset: i32::try_from(page.offset).ok(),
        limit: i32::try_from(page.limit).ok(),
        count: i32::try_from(count).ok(),
        data,
    }))
}
