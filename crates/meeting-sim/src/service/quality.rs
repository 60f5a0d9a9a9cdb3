//! Media quality: the network quality of a meeting in progress (the control token in
//! `confToken`), and the metrics an administrator reads with the access token.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    NetworkQualityList, QosConferenceList, QosParticipantDetail, QosParticipantList, QosThresholds,
    RestQosRequestDto, SetQosThresholdReq, StatisticConferenceList, StatisticParticipateList,
    StatisticResourceList, StatisticUserList,
};

use super::search::{granted, int_query, page};
use super::{
    ApiResult, Done, QueryMap, Route, header, json_body, optional_query, required_query,
    unwrap_basic,
};
use crate::Shared;
use crate::errors::ApiError;
use crate::world::{Bucket, Grant, Page, ThresholdKind, World, buckets};

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::LIST_NETWORK_QUALITY,
        handler: |m| on(m, network_quality),
    },
    Route {
        operation: &operations::SEARCH_QOS_ONLINE_MEETINGS,
        handler: |m| on(m, online_meetings),
    },
    Route {
        operation: &operations::SEARCH_QOS_HISTORY_MEETINGS,
        handler: |m| on(m, history_meetings),
    },
    Route {
        operation: &operations::SEARCH_QOS_PARTICIPANTS,
        handler: |m| on(m, participants),
    },
    Route {
        operation: &operations::SEARCH_QOS_PARTICIPANT_DETAIL,
        handler: |m| on(m, participant_detail),
    },
    Route {
        operation: &operations::SET_QOS_THRESHOLD,
        handler: |m| on(m, set_thresholds),
    },
    Route {
        operation: &operations::SHOW_QOS_THRESHOLD,
        handler: |m| on(m, thresholds),
    },
    Route {
        operation: &operations::SEARCH_STATISTIC_CONFERENCE_INFO,
        handler: |m| on(m, conference_statistics),
    },
    Route {
        operation: &operations::SEARCH_STATISTIC_CONFERENCE_PARTICIPANT,
        handler: |m| on(m, participant_statistics),
    },
    Route {
        operation: &operations::SEARCH_STATISTIC_RESOURCE_INFO,
        handler: |m| on(m, resource_statistics),
    },
    Route {
        operation: &operations::SEARCH_STATISTIC_USER_INFO,
        handler: |m| on(m, user_statistics),
    },
];

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

/// `searchKey`, 1 to 512 characters when given.
fn search_key(query: &QueryMap) -> ApiResult<Option<&str>> {
    match optional_query(query, "searchKey")? {
        Some(key) if key.is_empty() || key.chars().count() > 512 => {
            Err(ApiError::bad_request("searchKey is 1 to 512 characters"))
        }
        other => Ok(other),
    }
}

/// `confType`: whether the meeting is in progress (`online`) or over (`history`).
fn online(query: &QueryMap) -> ApiResult<bool> {
    match required_query(query, "confType")? {
        "online" => Ok(true),
        "history" => Ok(false),
        _ => Err(ApiError::bad_request("confType is online or history")),
    }
}

fn threshold_kind(query: &QueryMap) -> ApiResult<ThresholdKind> {
    ThresholdKind::parse(required_query(query, "thresholdType")?)
}

/// The page fields of an answer.
fn paged(page: crate::world::Page, count: usize) -> (Option<i32>, Option<i32>, Option<i32>) {
    (
        i32::try_from(page.offset).ok(),
        i32::try_from(page.limit).ok(),
        i32::try_from(count).ok(),
    )
}

async fn online_meetings(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<QosConferenceList>> {
    let (page, search) = (page(&query)?, search_key(&query)?);
    let (world, grant) = granted(&shared, &headers)?;
    let (count, data) = world.qos_meetings(&grant, search, None, page)?;
    let (offset, limit, count) = paged(page, count);
    Ok(Json(QosConferenceList {
        offset,
        limit,
        count,
        data,
    }))
}

async fn history_meetings(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<QosConferenceList>> {
    let (page, search) = (page(&query)?, search_key(&query)?);
    let required = |name| {
        int_query(&query, name)?.ok_or_else(|| ApiError::bad_request(format!("{name} is required")))
    };
    let dates = (required("startDate")?, required("endDate")?);
    let (world, grant) = granted(&shared, &headers)?;
    let (count, data) = world.qos_meetings(&grant, search, Some(dates), page)?;
    let (offset, limit, count) = paged(page, count);
    Ok(Json(QosConferenceList {
        offset,
        limit,
        count,
        data,
    }))
}

async fn participants(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<QosParticipantList>> {
    let (uuid, online) = (required_query(&query, "confUUID")?, online(&query)?);
    let (page, search) = (page(&query)?, search_key(&query)?);
    let (world, grant) = granted(&shared, &headers)?;
    let (count, data) = world.qos_participants(&grant, uuid, online, search, page)?;
    let (offset, limit, count) = paged(page, count);
    Ok(Json(QosParticipantList {
        offset,
        limit,
        count,
        data,
    }))
}

async fn participant_detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<QosParticipantDetail>> {
    let (uuid, online) = (required_query(&query, "confUUID")?, online(&query)?);
    let participant = required_query(&query, "participantID")?;
    let kind = match required_query(&query, "qosType")? {
        "audio" => ThresholdKind::parse("AUDIO")?,
        "video" => ThresholdKind::parse("VIDEO")?,
        "screen" => ThresholdKind::parse("SCREEN")?,
        "cpu" => ThresholdKind::Cpu,
        _ => {
            return Err(ApiError::bad_request(
                "qosType is audio, video, screen or cpu",
            ));
        }
    };
    let (world, grant) = granted(&shared, &headers)?;
    let (user, qos) = world.qos_participant_detail(&grant, uuid, online, participant, kind)?;
    Ok(Json(QosParticipantDetail {
        user: Some(user),
        qos: Some(qos),
    }))
}

async fn set_thresholds(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let kind = threshold_kind(&query)?;
    let request: SetQosThresholdReq = json_body(body)?;
    let (mut world, grant) = granted(&shared, &headers)?;
    world.set_qos_thresholds(&grant, kind, &request)?;
    Ok(Done)
}

async fn thresholds(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<QosThresholds>> {
    let kind = threshold_kind(&query)?;
    let (world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.qos_thresholds(&grant, kind)?))
}

/// What a dashboard call counts: the rows of one category over the periods, paged.
type Count<T> = fn(&World, &Grant, &[Bucket], &str, Page) -> ApiResult<(usize, Vec<T>)>;

/// A dashboard call: its `category` (one of `categories`), its periods (`timeUnit`,
/// `startTime`, `endTime`) and page from the query, the rows `count` answers, and the
/// page fields of the answer.
fn dashboard<T>(
    shared: &Shared,
    headers: &HeaderMap,
    query: &QueryMap,
    categories: &[&str],
    count: Count<T>,
) -> ApiResult<Paged<T>> {
    let category = required_query(query, "category")?;
    if !categories.contains(&category) {
        return Err(ApiError::bad_request(format!(
            "category is one of {}",
            categories.join(", ")
        )));
    }
    let buckets = buckets(
        required_query(query, "timeUnit")?,
        required_query(query, "startTime")?,
        required_query(query, "endTime")?,
        category == "conference_hourly_info",
    )?;
    let page = page(query)?;
    let (world, grant) = granted(shared, headers)?;
    let (total, rows) = count(&world, &grant, &buckets, category, page)?;
    let (offset, limit, count) = paged(page, total);
    Ok(Paged {
        offset,
        limit,
        count,
        data: rows,
    })
}

/// A page of rows and the answer's page fields.
struct Paged<T> {
    offset: Option<i32>,
    limit: Option<i32>,
    count: Option<i32>,
    data: Vec<T>,
}

async fn conference_statistics(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<StatisticConferenceList>> {
    let categories = ["conference_info", "conference_hourly_info"];
    let p = dashboard(
        &shared,
        &headers,
        &query,
        &categories,
        World::conference_statistics,
    )?;
    Ok(Json(StatisticConferenceList {
        offset: p.offset,
        limit: p.limit,
        count: p.count,
        data: p.data,
    }))
}

async fn participant_statistics(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<StatisticParticipateList>> {
    let categories = [
        "user_participate_info",
        "hard_terminal_participate_info",
        "participant_type_info",
    ];
    let p = dashboard(
        &shared,
        &headers,
        &query,
        &categories,
        World::participant_statistics,
    )?;
    Ok(Json(StatisticParticipateList {
        offset: p.offset,
        limit: p.limit,
        count: p.count,
        data: p.data,
    }))
}

async fn resource_statistics(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<StatisticResourceList>> {
    let categories = [
        "used_vmr_info",
        "used_live_info",
        "used_record_info",
        "used_pstn_info",
    ];
    let p = dashboard(
        &shared,
        &headers,
        &query,
        &categories,
        World::resource_statistics,
    )?;
    Ok(Json(StatisticResourceList {
        offset: p.offset,
        limit: p.limit,
        count: p.count,
        data: p.data,
    }))
}

async fn user_statistics(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<StatisticUserList>> {
    let categories = [
        "user_login_info",
        "user_activate_info",
        "user_login_device_info",
    ];
    let p = dashboard(
        &shared,
        &headers,
        &query,
        &categories,
        World::user_statistics,
    )?;
    Ok(Json(StatisticUserList {
        offset: p.offset,
        limit: p.limit,
        count: p.count,
        data: p.data,
    }))
}
