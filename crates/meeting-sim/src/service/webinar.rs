//! Webinars: scheduling, the three lists, room settings, and the images uploaded for
//! them (multipart, with the `uploads` feature).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    OpenEditConfReq, OpenRoomSetting, OpenScheduleConfReq, UploadFileResult, WebinarHistoryList,
    WebinarInfo, WebinarList,
};

use super::search::{granted, int_query, search_key};
use super::{ApiResult, Done, QueryMap, Route, json_body, optional_query};
use crate::Shared;
use crate::errors::ApiError;

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::CREATE_WEBINAR,
        handler: |m| on(m, create),
    },
    Route {
        operation: &operations::UPDATE_WEBINAR,
        handler: |m| on(m, update),
    },
    Route {
        operation: &operations::SHOW_WEBINAR,
        handler: |m| on(m, show),
    },
    Route {
        operation: &operations::DELETE_WEBINAR,
        handler: |m| on(m, delete),
    },
    Route {
        operation: &operations::LIST_UP_COMING_WEBINARS,
        handler: |m| on(m, upcoming),
    },
    Route {
        operation: &operations::LIST_ONGOING_WEBINARS,
        handler: |m| on(m, ongoing),
    },
    Route {
        operation: &operations::LIST_HISTORY_WEBINARS,
        handler: |m| on(m, history),
    },
    Route {
        operation: &operations::SHOW_ROOM_SETTING,
        handler: |m| on(m, room),
    },
    Route {
        operation: &operations::UPDATE_ROOM_SETTING,
        handler: |m| on(m, set_room),
    },
    Route {
        operation: &operations::UPLOAD_FILE,
        // The image is read as a stream and counted, not kept: no body limit here.
        handler: |m| on(m, upload::upload).layer(axum::extract::DefaultBodyLimit::disable()),
    },
];

/// The `{conference_id}` of the path.
fn webinar_id(path: Result<Path<String>, PathRejection>) -> ApiResult<String> {
    let Path(id) = path.map_err(|e| ApiError::bad_request(format!("the webinar ID: {e}")))?;
    Ok(id)
}

async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<WebinarInfo>> {
    let request: OpenScheduleConfReq = json_body(body)?;
    let (mut world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.create_webinar(&grant, &request)?))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let request: OpenEditConfReq = json_body(body)?;
    let (mut world, grant) = granted(&shared, &headers)?;
    world.update_webinar(&grant, &request)?;
    Ok(Done)
}

async fn show(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<WebinarInfo>> {
    let id = webinar_id(path)?;
    let (mut world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.show_webinar(&grant, &id)?))
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult<Done> {
    let id = webinar_id(path)?;
    let (mut world, grant) = granted(&shared, &headers)?;
    world.delete_webinar(&grant, &id)?;
    Ok(Done)
}

/// `offset` and `limit`, as asked.
type PageAsked = (Option<i64>, Option<i64>);

/// A list's `searchKey`, `sortType` (descending?) and page.
fn listing(query: &QueryMap) -> ApiResult<(Option<&str>, bool, PageAsked)> {
    let descending = match optional_query(query, "sortType")? {
        None | Some("ASC_StartTIME") => false,
        Some("DSC_StartTIME") => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "sortType is ASC_StartTIME or DSC_StartTIME",
            ));
        }
    };
    let page = (int_query(query, "offset")?, int_query(query, "limit")?);
    Ok((search_key(query, "searchKey")?, descending, page))
}

/// The page fields of an answer.
fn paged(page: PageAsked, count: usize) -> [Option<i32>; 3] {
    [
        Some(page.0.unwrap_or(0)),
        Some(page.1.unwrap_or(10)),
        i64::try_from(count).ok(),
    ]
    .map(|n| n.and_then(|n| i32::try_from(n).ok()))
}

async fn upcoming(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<WebinarList>> {
    list(&shared, &headers, &query, false)
}

async fn ongoing(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<WebinarList>> {
    list(&shared, &headers, &query, true)
}

/// The webinars to come, or (`running`) those in progress.
fn list(
    shared: &Shared,
    headers: &HeaderMap,
    query: &QueryMap,
    running: bool,
) -> ApiResult<Json<WebinarList>> {
    let (search, descending, page) = listing(query)?;
    let (mut world, grant) = granted(shared, headers)?;
    let (count, data) = world.webinar_list(&grant, running, search, descending, page)?;
    let [offset, limit, count] = paged(page, count);
    Ok(Json(WebinarList {
        offset,
        limit,
        count,
        data,
    }))
}

async fn history(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<WebinarHistoryList>> {
    let (search, descending, page) = listing(&query)?;
    let minute = |name| -> ApiResult<Option<i64>> {
        optional_query(&query, name)?
            .map(|text| {
                crate::calendar::parse(text).ok_or_else(|| {
                    ApiError::bad_request(format!("{name} is yyyy-MM-dd HH:mm (UTC)"))
                })
            })
            .transpose()
    };
    let started = match (minute("startTime")?, minute("endTime")?) {
        (None, None) => None,
        (from, to) => Some((from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX))),
    };
    let (mut world, grant) = granted(&shared, &headers)?;
    let (count, data) = world.history_webinars(&grant, search, descending, page, started)?;
    let [offset, limit, count] = paged(page, count);
    Ok(Json(WebinarHistoryList {
        offset,
        limit,
        count,
        data,
    }))
}

async fn room(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<OpenRoomSetting>> {
    let id = webinar_id(path)?;
    let (mut world, grant) = granted(&shared, &headers)?;
    Ok(Json(world.room_settings(&grant, &id)?))
}

async fn set_room(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Done> {
    let id = webinar_id(path)?;
    let settings: OpenRoomSetting = json_body(body)?;
    let (mut world, grant) = granted(&shared, &headers)?;
    world.set_room_settings(&grant, &id, &settings)?;
    Ok(Done)
}

#[cfg(feature = "uploads")]
mod upload {
    use axum::extract::Multipart;
    use axum::extract::multipart::MultipartRejection;

    use super::*;
    use crate::world::{ImageKind, MAX_IMAGE_BYTES};

    /// What is read of a file far over the limit before answering (the rest, if any,
    /// is not waited for).
    const DRAINED_AT_MOST: u64 = 16 * MAX_IMAGE_BYTES;

    fn unreadable(e: impl std::fmt::Display) -> ApiError {
        ApiError::bad_request(format!("unreadable multipart/form-data body: {e}"))
    }

    /// The part `file`, read as it comes: its first bytes (what it is) and its size.
    pub(super) async fn upload(
        State(shared): State<Arc<Shared>>,
        headers: HeaderMap,
        multipart: Result<Multipart, MultipartRejection>,
    ) -> ApiResult<Json<UploadFileResult>> {
        // Who asks, before anything is read.
        drop(granted(&shared, &headers)?);
        let mut multipart = multipart.map_err(unreadable)?;
        let mut file = None;
        while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
            let wanted = field.name() == Some("file") && file.is_none();
            let (mut head, mut size) = (Vec::with_capacity(16), 0u64);
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                size = size.saturating_add(chunk.len() as u64);
                let room = 16usize.saturating_sub(head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..room]);
                if size > DRAINED_AT_MOST {
                    break;
                }
            }
            if wanted {
                file = Some((head, size));
            }
            if size > DRAINED_AT_MOST {
                break;
            }
        }
        let (head, size) =
            file.ok_or_else(|| ApiError::bad_request("the part `file` (the image) is missing"))?;
        if size > MAX_IMAGE_BYTES {
            return Err(ApiError::bad_request(format!(
                "the image is {}{size} bytes: at most {MAX_IMAGE_BYTES} (10 MiB)",
                if size > DRAINED_AT_MOST { "over " } else { "" }
            )));
        }
        if ImageKind::of(&head).is_none() {
            return Err(ApiError::bad_request(
                "the file is not an image (PNG, JPEG, GIF or BMP)",
            ));
        }
        let (mut world, _) = granted(&shared, &headers)?;
        Ok(Json(world.upload_image()))
    }
}

#[cfg(not(feature = "uploads"))]
mod upload {
    use super::*;

    /// Built without multipart parsing (the demo's embedded simulator).
    pub(super) async fn upload() -> ApiResult<Json<UploadFileResult>> {
        Err(ApiError::bad_request(
            "this simulator was built without uploads (meeting-sim's `uploads` feature)",
        ))
    }
}
