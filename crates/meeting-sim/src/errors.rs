//! The service's error answers and their codes, below both the domain (`world`) and the
//! HTTP layer (`service`), which both refuse with them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What kind of refusal an answer is: the domain says which, the HTTP layer turns it
/// into a status (`IntoResponse`), so the world needs nothing of HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// The request is wrong (400).
    BadRequest,
    /// Who asks is not known, or their token is not valid (401).
    Unauthorized,
    /// Who asks may not do this, or not now (403).
    Forbidden,
    /// A condition of the request does not hold (412).
    PreconditionFailed,
    /// What the request changes is locked (423).
    Locked,
    /// Any other status, from the HTTP layer itself (404, 405, injected faults).
    Http(u16),
}

impl Status {
    /// The HTTP status.
    pub fn code(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::PreconditionFailed => 412,
            Self::Locked => 423,
            Self::Http(code) => code,
        }
    }
}

impl From<StatusCode> for Status {
    fn from(status: StatusCode) -> Self {
        Self::Http(status.as_u16())
    }
}

/// An error answer: `{"error_code": …, "error_msg": …}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: Status,
    pub code: &'static str,
    pub message: String,
}

/// The error code of an answer, for the counters.
#[derive(Clone, Debug)]
pub(crate) struct ErrorCode(pub &'static str);

impl ApiError {
    pub fn new(status: impl Into<Status>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: status.into(),
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Status::BadRequest, codes::REQUEST_ERROR, message)
    }
    pub fn meeting_not_found(id: &str) -> Self {
        Self::new(
            Status::BadRequest,
            codes::MEETING_NOT_FOUND,
            format!("meeting {id} does not exist"),
        )
    }
    pub fn participant_not_found(id: &str, participant: &str) -> Self {
        Self::new(
            Status::BadRequest,
            codes::PARTICIPANT_NOT_FOUND,
            format!("participant {participant} is not in meeting {id}"),
        )
    }
    pub fn not_in_progress(id: &str) -> Self {
        Self::new(
            Status::Forbidden,
            codes::NOT_IN_PROGRESS,
            format!("meeting {id} is not in progress"),
        )
    }
    pub fn auth_failed(message: &str) -> Self {
        Self::new(Status::Unauthorized, codes::MEETING_AUTH_FAILED, message)
    }
    pub fn control_token_invalid() -> Self {
        Self::auth_failed("the control token is invalid or has expired")
    }
    pub fn login_failed(message: &str) -> Self {
        Self::new(Status::Unauthorized, codes::LOGIN_FAILED, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = meeting_api::types::ErrorBody {
            error_code: self.code.to_owned(),
            error_msg: self.message,
        };
        let status =
            StatusCode::from_u16(self.status.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(body)).into_response();
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
    /// Simulator's own: a WebSocket token that is unknown, used or expired (the pages
    /// document no code for the upgrade's refusal).
    pub const WS_TOKEN_INVALID: &str = "SIM.000000401";
    /// Simulator's own: unknown route or method.
    pub const NOT_FOUND: &str = "SIM.000000404";
    /// SetRole: the host password given to take the host role is wrong.
    pub const HOST_PASSWORD_WRONG: &str = "SIM.000000461";
    /// SetRole: another participant holds the host role.
    pub const HOST_TAKEN: &str = "SIM.000000462";
    /// A call naming a participant who is not in the meeting (the pages document the
    /// refusal, not its code).
    pub const PARTICIPANT_NOT_FOUND: &str = "SIM.000000464";
    /// Record or SetMmrRecord where the enterprise has no recording resource.
    pub const NO_RECORDING_RESOURCE: &str = "SIM.000000465";
    /// A multi-picture layout with more pictures than the layout holds, or pictures
    /// numbered outside it.
    pub const TOO_MANY_PICTURES: &str = "SIM.000000466";
    /// SaveLayout or DeleteLayout naming a layout UUID that is not saved.
    pub const LAYOUT_UNKNOWN: &str = "SIM.000000467";
    /// Interpretation calls in a meeting scheduled without simultaneous interpretation.
    pub const NO_INTERPRETATION: &str = "SIM.000000468";
    /// SetAttendeeLanChannel with a channel no interpreter group offers.
    pub const CHANNEL_UNKNOWN: &str = "SIM.000000469";
    /// AllowWaitingParticipant for someone who is not in the waiting room.
    pub const NOT_WAITING: &str = "SIM.000000463";
    /// SetWebHookConfig with a URL that is not http(s) on a loopback address.
    pub const WEBHOOK_URL_REFUSED: &str = "SIM.000000451";
    /// Enabling the push: the receiver did not answer the handshake with its nonce
    /// within 5 s.
    pub const WEBHOOK_HANDSHAKE_FAILED: &str = "SIM.000000452";
}
