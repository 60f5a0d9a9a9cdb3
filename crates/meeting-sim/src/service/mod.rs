//! The HTTP surface: the seven operations, the admin API, and the layer that every
//! request passes (request id, faults, counters, one log line).

mod admin;
pub use admin::StateView;
mod auth;
mod control;
mod management;

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
use axum::routing::{MethodFilter, MethodRouter, on};
use base64::Engine;
use serde::de::DeserializeOwned;

use crate::Shared;
use crate::faults::Injected;

/// Bodies above this are refused with 400 (the service's bodies are tiny).
const BODY_LIMIT: usize = 64 * 1024;

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

/// An error answer: `{"error_code": …, "error_msg": …}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

/// The error code of an answer, for the counters.
#[derive(Clone, Debug)]
struct ErrorCode(&'static str);

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::REQUEST_ERROR, message)
    }
    pub fn meeting_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::MEETING_NOT_FOUND,
            format!("meeting {id} does not exist"),
        )
    }
    pub fn not_in_progress(id: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            codes::NOT_IN_PROGRESS,
            format!("meeting {id} is not in progress"),
        )
    }
    pub fn auth_failed(message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::MEETING_AUTH_FAILED,
            message,
        )
    }
    pub fn control_token_invalid() -> Self {
        Self::auth_failed("the control token is invalid or has expired")
    }
    pub fn login_failed(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::LOGIN_FAILED, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = meeting_api::types::ErrorBody {
            error_code: self.code.to_owned(),
            error_msg: self.message,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(self.code));
        response
    }
}

/// The error codes the simulator answers with. MMC/USG codes come from Huawei's error
/// code tables; where Huawei documents none, the code is the simulator's own choice
/// (the crate's README lists them).
pub(crate) mod codes {
    pub const REQUEST_ERROR: &str = "MMC.111070001";
    pub const NO_PERMISSION: &str = "MMC.111070002";
    pub const MEETING_AUTH_FAILED: &str = "MMC.111070004";
    pub const MEETING_NOT_FOUND: &str = "MMC.111070005";
    pub const PASSWORD_BLANK: &str = "MMC.111070009";
    pub const TOKEN_NULL: &str = "MMC.111070111";
    pub const NOT_IN_PROGRESS: &str = "MMC.111072005";
    pub const FLOW_CONTROL: &str = "MMC.100000429";
    pub const SYSTEM_FAILURE: &str = "MMC.111070003";
    pub const LOGIN_FAILED: &str = "USG.000000001";
    pub const LOGIN_BAD_BODY: &str = "USG.000000002";
    pub const ACCESS_TOKEN_INVALID: &str = "USG.000000004";
    /// Simulator's own: Huawei documents the statuses (412, 423) but not their codes.
    pub const ACCOUNT_DISABLED: &str = "USG.000000412";
    pub const ACCOUNT_LOCKED: &str = "USG.000000423";
    /// Simulator's own: unknown route or method.
    pub const NOT_FOUND: &str = "SIM.000000404";
}

type ApiResult<T> = Result<T, ApiError>;

/// Query parameters, decoded (order and percent-encoding do not matter).
pub(crate) type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

/// One operation the simulator serves: its method, path and operationId, and its handler.
struct Route {
    method: MethodFilter,
    path: &'static str,
    operation: &'static str,
    handler: fn(MethodFilter) -> MethodRouter<Arc<Shared>>,
}

/// Every operation, once: the router and the per-operation counters both read it.
static ROUTES: [Route; 16] = [
    Route {
        method: MethodFilter::POST,
        path: "/v1/usg/acs/auth/account",
        operation: "AuthenticateAccount",
        handler: |m| on(m, auth::account),
    },
    Route {
        method: MethodFilter::POST,
        path: "/v2/usg/acs/auth/appauth",
        operation: "AuthenticateAppId",
        handler: |m| on(m, auth::app_id),
    },
    Route {
        method: MethodFilter::GET,
        path: "/v1/mmc/control/conferences/token",
        operation: "CreateConfToken",
        handler: |m| on(m, control::token),
    },
    Route {
        method: MethodFilter::PUT,
        path: "/v1/mmc/control/conferences/lock",
        operation: "LockMeeting",
        handler: |m| on(m, control::lock),
    },
    Route {
        method: MethodFilter::PUT,
        path: "/v1/mmc/control/conferences/updateStartedConfConfig",
        operation: "UpdateStartedConfConfig",
        handler: |m| on(m, control::update_settings),
    },
    Route {
        method: MethodFilter::PUT,
        path: "/v1/mmc/control/conferences/lockView",
        operation: "LockView",
        handler: |m| on(m, control::lock_view),
    },
    Route {
        method: MethodFilter::DELETE,
        path: "/v1/mmc/management/conferences",
        operation: "CancelMeeting",
        handler: |m| on(m, management::cancel),
    },
    Route {
        method: MethodFilter::POST,
        path: "/v1/mmc/management/conferences",
        operation: "CreateMeeting",
        handler: |m| on(m, management::create),
    },
    Route {
        method: MethodFilter::GET,
        path: "/v1/mmc/management/conferences/confDetail",
        operation: "ShowMeetingDetail",
        handler: |m| on(m, management::detail),
    },
    Route {
        method: MethodFilter::GET,
        path: "/v1/mmc/control/conferences/realTimeInfo",
        operation: "ShowRealTimeInfoOfMeeting",
        handler: |m| on(m, control::live),
    },
    Route {
        method: MethodFilter::PUT,
        path: "/v1/mmc/control/conferences/mute",
        operation: "MuteMeeting",
        handler: |m| on(m, control::mute_all),
    },
    Route {
        method: MethodFilter::PUT,
        path: "/v1/mmc/control/conferences/participants/mute",
        operation: "MuteParticipant",
        handler: |m| on(m, control::mute_participant),
    },
    Route {
        method: MethodFilter::POST,
        path: "/v1/mmc/control/conferences/participants",
        operation: "InviteParticipant",
        handler: |m| on(m, control::invite),
    },
    Route {
        method: MethodFilter::POST,
        path: "/v1/mmc/control/conferences/participants/delete",
        operation: "HangUp",
        handler: |m| on(m, control::hang_up),
    },
    Route {
        method: MethodFilter::PUT,
        path: "/v1/mmc/control/conferences/duration",
        operation: "ProlongMeeting",
        handler: |m| on(m, control::prolong),
    },
    Route {
        method: MethodFilter::PUT,
        path: "/v1/mmc/control/conferences/stop",
        operation: "StopMeeting",
        handler: |m| on(m, control::stop),
    },
];

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for route in &ROUTES {
        router = router.route(route.path, (route.handler)(route.method));
    }
    router
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

/// The operation a request is for, by route.
fn operation(method: &Method, path: &str) -> &'static str {
    if path.starts_with("/_sim/") {
        return "admin";
    }
    let Ok(method) = MethodFilter::try_from(method.clone()) else {
        return "unknown";
    };
    ROUTES
        .iter()
        .find(|r| r.method == method && r.path == path)
        .map_or("unknown", |r| r.operation)
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
    let op = operation(&method, &path);
    let request_id = shared.next_request_id();

    let injected = if op == "admin" {
        None
    } else {
        shared.faults.decide().await
    };
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
        *world.counters.requests.entry(op.to_owned()).or_default() += 1;
        if let Some(code) = code {
            world.count_error(code);
        }
        if let Some(kind) = injected.map(|i| i.kind()) {
            *world.counters.faults.entry(kind.to_owned()).or_default() += 1;
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
