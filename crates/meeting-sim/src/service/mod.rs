//! The HTTP surface: every operation of the table (`meeting_api::operations`), the
//! admin API, and the layer that every request passes (request id, faults, counters,
//! one log line).

// The families (the spec's tags), then the rest: the admin API and the event WebSocket.
mod archive;
mod auth;
mod control;
mod display;
mod history;
mod interpretation;
mod management;
mod participants;
mod quality;
mod recording;
mod roles;
mod search;
mod spotlight;
mod waiting;
mod webhook;
mod webinar;

mod admin;
mod events;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use base64::Engine;
use serde::de::DeserializeOwned;

use meeting_api::table::{Auth, Method as TableMethod, Operation};

use crate::Shared;
use crate::errors::{ApiError, ErrorCode, codes};
use crate::faults::Injected;

/// Bodies above this are refused with 400 (the service's bodies are tiny).
const BODY_LIMIT: usize = 64 * 1024;

/// Whether the request came over TLS (set by the connection, read by handlers that
/// answer URLs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Secure(pub bool);

/// Marks a response whose connection the server must drop without answering.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropConnection;

/// The success answer of an operation that returns no fields. The service sends a short
/// body there (39 bytes in Huawei's example) whose fields it does not document, so the
/// simulator sends an empty JSON object: clients must read (and may ignore) a body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Done;

impl IntoResponse for Done {
    fn into_response(self) -> Response {
        (
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            Bytes::from_static(b"{}"),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Query parameters, decoded (order and percent-encoding do not matter).
pub(crate) type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

/// One operation the simulator serves: its row of the table of operations (method,
/// path, operationId) and its handler.
pub(crate) struct Route {
    pub operation: &'static Operation,
    pub handler: fn(MethodFilter) -> MethodRouter<Arc<Shared>>,
}

/// Every operation's route, family by family (each family's module lists its own next
/// to its handlers): the router and the per-operation counters both read them, and a
/// test checks them against the table (every operation of the spec is served, once).
fn routes() -> impl Iterator<Item = &'static Route> {
    auth::ROUTES
        .iter()
        .chain(control::ROUTES)
        .chain(participants::ROUTES)
        .chain(roles::ROUTES)
        .chain(spotlight::ROUTES)
        .chain(waiting::ROUTES)
        .chain(recording::ROUTES)
        .chain(display::ROUTES)
        .chain(interpretation::ROUTES)
        .chain(management::ROUTES)
        .chain(search::ROUTES)
        .chain(history::ROUTES)
        .chain(archive::ROUTES)
        .chain(webhook::ROUTES)
        .chain(quality::ROUTES)
        .chain(webinar::ROUTES)
}

/// The method filter of an operation of the table.
fn method_filter(operation: &Operation) -> MethodFilter {
    match operation.method {
        TableMethod::Get => MethodFilter::GET,
        TableMethod::Put => MethodFilter::PUT,
        TableMethod::Post => MethodFilter::POST,
        TableMethod::Delete => MethodFilter::DELETE,
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for route in routes() {
        let operation = route.operation;
        router = router.route(operation.path, (route.handler)(method_filter(operation)));
    }
    router
        .route(events::PATH, axum::routing::get(events::open))
        .nest("/_sim", admin::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            every_request,
        ))
        .with_state(shared)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such API")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::NOT_FOUND,
        "method not allowed on this API",
    )
}

/// The operation a request is for, by route: its name, and its row of the table.
fn operation(method: &Method, path: &str) -> (&'static str, Option<&'static Operation>) {
    if path.starts_with("/_sim/") {
        return ("admin", None);
    }
    if path == events::PATH {
        return ("MeetingEvents", None);
    }
    let found = routes()
        .map(|r| r.operation)
        .find(|op| op.path == path && op.method.as_str() == method.as_str())
        .or_else(|| {
            // A path with a parameter (`/conferences/{conference_id}`), looked for only
            // when no path of the spec's own is the one sent.
            Operation::by_route(method.as_str(), path)
        });
    (found.map_or("unknown", |op| op.id), found)
}

/// What a control action acts on, for the meeting's control records: its meeting, the
/// participant it names, and the access token it carried (who sent it).
struct ControlTarget {
    conference: String,
    participant: Option<String>,
    access_token: Option<String>,
}

impl ControlTarget {
    fn of(operation: Option<&Operation>, request: &Request) -> Option<Self> {
        // Actions only: a control call that reads (GET) changes nothing to record.
        operation.filter(|op| op.auth == Auth::Control && op.method != TableMethod::Get)?;
        let Query(query) = Query::<HashMap<String, String>>::try_from_uri(request.uri()).ok()?;
        Some(Self {
            conference: query.get("conferenceID")?.clone(),
            participant: query.get("participantID").cloned(),
            access_token: header(request.headers(), "x-access-token").map(str::to_owned),
        })
    }
}

/// Request id, faults, counters and the log line. Faults are decided before the handler
/// runs, so a request answered with an injected error changes nothing.
async fn every_request(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let (op, row) = operation(&method, &path);
    let request_id = shared.next_request_id();

    let injected = if op == "admin" {
        None
    } else {
        shared.faults.decide().await
    };
    // A control action is recorded before its handler runs and settled after.
    let mut control = None;
    let mut response = match injected {
        Some(Injected::Drop) => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Some(Injected::Status {
            status,
            retry_after,
        }) => {
            let code = if status == StatusCode::TOO_MANY_REQUESTS {
                codes::FLOW_CONTROL
            } else {
                codes::SYSTEM_FAILURE
            };
            let mut response = ApiError::new(status, code, "injected fault").into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from(seconds));
            }
            response
        }
        Some(Injected::ExpireTokens) | None => {
            if matches!(injected, Some(Injected::ExpireTokens)) {
                shared.world().expire_tokens();
            }
            control = ControlTarget::of(row, &request).and_then(|target| {
                let seq = shared.world().begin_control(
                    &target.conference,
                    op,
                    target.participant,
                    target.access_token.as_deref(),
                )?;
                Some((target.conference, seq))
            });
            next.run(request).await
        }
    };

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status();
    let code = response.extensions().get::<ErrorCode>().map(|c| c.0);
    {
        let mut world = shared.world();
        world.count_request(op, code, injected.map(|i| i.kind()));
        // Refused: with its code; refused its control token: not an action at all.
        if let Some((conference, seq)) = control
            && code.is_some()
        {
            let outcome = code.filter(|_| status != StatusCode::UNAUTHORIZED);
            world.settle_control(&conference, seq, outcome);
        }
    }
    tracing::info!(
        target: "meeting_sim::request",
        "{method} {path} {op} -> {} {} {request_id} {:.3}ms",
        status.as_u16(),
        code.unwrap_or("-"),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

// ---- what the handlers share ----

/// What every control call starts with: `conferenceID` from the query and a control
/// token valid for that conference in progress. Refused in that order.
pub(crate) struct Authorized {
    /// The conference ID.
    pub id: String,
    /// The whole query, for the operations with more parameters.
    pub query: QueryMap,
}

impl FromRequestParts<Arc<Shared>> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> ApiResult<Self> {
        let query: QueryMap = Query::from_request_parts(parts, shared).await;
        let id = required_query(&query, "conferenceID")?.to_owned();
        let token = header(&parts.headers, "x-conference-authorization").map(unwrap_basic);
        shared
            .world()
            .authorize_control(token.as_deref(), &id, shared.clock.now_ms())?;
        Ok(Self { id, query })
    }
}

/// A control call with a JSON body of type `T` (one of meeting-api's generated types,
/// which validate ranges): [`Authorized`], then the body.
pub(crate) struct Controlled<T> {
    /// The conference ID.
    pub id: String,
    /// The whole query, for the operations with more parameters.
    pub query: QueryMap,
    /// The body.
    pub body: T,
}

impl<T: DeserializeOwned> FromRequest<Arc<Shared>> for Controlled<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, shared: &Arc<Shared>) -> ApiResult<Self> {
        let (mut parts, body) = request.into_parts();
        let Authorized { id, query } = Authorized::from_request_parts(&mut parts, shared).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), shared).await;
        Ok(Self {
            body: json_body(bytes)?,
            id,
            query,
        })
    }
}

/// A required, non-empty query parameter.
pub(crate) fn required_query<'a>(query: &'a QueryMap, name: &str) -> ApiResult<&'a str> {
    let query = query
        .as_ref()
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?;
    match query.get(name).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(v),
        Some(_) => Err(ApiError::bad_request(format!("{name} must not be empty"))),
        None => Err(ApiError::bad_request(format!("{name} is required"))),
    }
}

/// An optional query parameter.
pub(crate) fn optional_query<'a>(query: &'a QueryMap, name: &str) -> ApiResult<Option<&'a str>> {
    let query = query
        .as_ref()
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?;
    Ok(query.get(name).map(String::as_str))
}

/// A header's value, if present and text.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// A JSON body parsed into one of meeting-api's generated types, which validate ranges.
pub(crate) fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> ApiResult<T> {
    let body = body.map_err(|e| ApiError::bad_request(format!("unreadable request body: {e}")))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("a JSON request body is required"));
    }
    serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))
}

/// Decodes `Basic base64(x)`; anything else is returned as it is.
pub(crate) fn unwrap_basic(value: &str) -> String {
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return value.to_owned();
    };
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_modules_are_the_spec_families() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/service");
        // Not families: the admin API, the event WebSocket.
        let checked = meeting_api::table::check_family_modules(&dir, &[], &["admin", "events"]);
        assert_eq!(checked, Ok(()));
    }

    use super::*;
    use meeting_api::operations;

    #[test]
    fn every_operation_of_the_spec_has_exactly_one_route() {
        for operation in operations::ALL {
            let served = routes().filter(|r| r.operation == operation).count();
            assert_eq!(served, 1, "{} has {served} routes", operation.id);
        }
        assert_eq!(routes().count(), operations::ALL.len());
    }
}
