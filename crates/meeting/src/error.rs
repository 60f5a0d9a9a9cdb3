//! The one error type. How the generated client's failures map onto it is beside the
//! runtime (`runtime::failure`); the filter for text a server chose is `printable`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::printable::printable_at_most;

/// Longest service error code and message kept (a server chooses them).
const CODE_LIMIT: usize = 64;
pub(crate) const MESSAGE_LIMIT: usize = 512;

/// The result of every call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a call is: the operation and, when there is one, the conference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The operation, as the spec names it (`LockMeeting`, `CancelMeeting`, …).
    pub operation: &'static str,
    /// The conference ID, for calls about one.
    pub conference: Option<Arc<str>>,
}

impl Context {
    pub(crate) fn new(operation: &'static str, conference: Option<&str>) -> Self {
        Self {
            operation,
            conference: conference.map(Arc::from),
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation)?;
        if let Some(conference) = &self.conference {
            write!(f, " for conference {conference}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong. Cheap to clone (one failed token fetch is handed to
/// every call that waited for it). Secrets never appear in it, and the text a server
/// chose (code, message, request id, a piece of an error body) is kept free of control
/// characters and capped in length, so that printing an error is safe on a terminal.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input was refused before anything was sent.
    InvalidInput {
        /// Which call.
        context: Context,
        /// What is wrong.
        message: String,
    },
    /// The client could not be built from its configuration.
    Config(ConfigError),
    /// The service answered with an error.
    Service(Box<ServiceError>),
    /// The request could not be sent or its answer not received.
    Transport {
        /// Which call.
        context: Context,
        /// What failed (connection refused, reset, …), with its causes.
        message: String,
        /// The HTTP client's error.
        source: Option<Arc<reqwest::Error>>,
    },
    /// The TLS connection failed (an untrusted or invalid certificate, no common
    /// protocol): trying again would fail the same way.
    Tls {
        /// Which call.
        context: Context,
        /// What failed, with its causes.
        message: String,
        /// The HTTP client's error.
        source: Arc<reqwest::Error>,
    },
    /// A meeting's event stream lost its connection and could not restore it within
    /// the time it was given.
    Disconnected {
        /// The stream (`MeetingEvents` and its conference).
        context: Context,
        /// Why the last attempt failed.
        message: String,
    },
    /// The call took longer than the configured timeout.
    Timeout {
        /// Which call.
        context: Context,
    },
    /// The service answered with something the API does not describe.
    UnexpectedResponse {
        /// Which call.
        context: Context,
        /// The HTTP status, when known.
        status: Option<u16>,
        /// The `X-Request-Id`, when known.
        request_id: Option<String>,
        /// What was wrong with it. For an error status, the start of the body (at
        /// most 256 bytes); for a success, which may carry tokens, only where and how
        /// the body failed to decode, never its text.
        detail: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { context, message } => {
                write!(f, "{context}: invalid input: {message}")
            }
            Self::Config(e) => e.fmt(f),
            Self::Service(e) => e.fmt(f),
            Self::Transport {
                context, message, ..
            } => write!(f, "{context}: transport failure: {message}"),
            Self::Tls {
                context, message, ..
            } => write!(f, "{context}: TLS failure: {message}"),
            Self::Timeout { context } => write!(f, "{context}: timed out"),
            Self::Disconnected { context, message } => {
                write!(f, "{context}: disconnected: {message}")
            }
            Self::UnexpectedResponse {
                context,
                status,
                detail,
                ..
            } => {
                write!(f, "{context}: unexpected response")?;
                if let Some(status) = status {
                    write!(f, " (HTTP {status})")?;
                }
                write!(f, ": {detail}")
            }
        }
    }
}

impl std::error::Error for Error {
    /// The HTTP client's error for transport and TLS failures (downcast it to
    /// `reqwest::Error`), the cause of a configuration error.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Config(e) => e.source(),
            Self::Transport { source, .. } => source.as_deref().map(|e| e as _),
            Self::Tls { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

/// What is wrong with a client's configuration, and the error that revealed it (an
/// unreadable file, a URL parser's complaint, …) as its source.
#[derive(Clone, Debug)]
pub struct ConfigError {
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.message)
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The shared error itself, not the `Arc` around it, so that callers can
        // downcast it.
        self.source.as_deref().map(|e| e as _)
    }
}

impl ConfigError {
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// An error answer from the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// Which call.
    pub context: Context,
    /// The HTTP status.
    pub status: u16,
    /// The service's code (`MMC.111070004`, `USG.000000004`, …).
    pub code: String,
    /// The service's message.
    pub message: String,
    /// The `X-Request-Id` response header: quote it to Huawei support.
    pub request_id: Option<String>,
    /// For 429: how long the service asked to wait. For a login refused for another
    /// client sharing the token store: how long that refusal is shared.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: HTTP {} {}: {}",
            self.context, self.status, self.code, self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl ErrorKind {
    /// A stable snake_case name, for logs and machine-readable output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::Config => "config",
            Self::Authentication => "authentication",
            Self::PermissionDenied => "permission_denied",
            Self::NotFound => "not_found",
            Self::BadRequest => "bad_request",
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::OtherService => "other_service",
            Self::Transport => "transport",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::Disconnected => "disconnected",
            Self::UnexpectedResponse => "unexpected_response",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of failure an [`Error`] is, for callers that branch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Refused on the client side; nothing was sent.
    InvalidInput,
    /// The client's configuration is unusable.
    Config,
    /// Credentials or a token were refused (401).
    Authentication,
    /// Not allowed, or not in this state of the meeting (403).
    PermissionDenied,
    /// The meeting (or participant) does not exist.
    NotFound,
    /// The service refused the request as invalid (400).
    BadRequest,
    /// Flow control (429).
    RateLimited,
    /// The service failed (5xx).
    ServerError,
    /// Another error status.
    OtherService,
    /// Connection-level failure.
    Transport,
    /// The TLS connection failed (certificate, protocol); not worth retrying.
    Tls,
    /// Timed out.
    Timeout,
    /// An event stream lost its connection for longer than it may reconnect.
    Disconnected,
    /// An answer the API does not describe.
    UnexpectedResponse,
}

/// A refusal of the service that a caller may want to act on, told apart by its code
/// (see [`Error::refusal`]). The codes are the simulator's where the reference pages
/// document the refusal but not its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The participant named is not in the meeting.
    ParticipantNotInMeeting,
    /// The host password given to take the host role is wrong.
    WrongHostPassword,
    /// Another participant holds the host role: release it first.
    HostRoleTaken,
    /// The participant to admit is not in the waiting room.
    NotWaiting,
    /// The enterprise has no recording resource.
    NoRecordingResource,
    /// A multi-picture with more pictures than its layout holds.
    TooManyPictures,
    /// No layout with that UUID is saved.
    UnknownLayout,
    /// The meeting was scheduled without simultaneous interpretation.
    NoInterpretation,
    /// No interpreter group offers that language channel.
    UnknownChannel,
}

impl Error {
    /// Which refusal this is, for the ones this version tells apart; `None` for any
    /// other error (look at [`Error::kind`] then).
    pub fn refusal(&self) -> Option<Refusal> {
        let Self::Service(e) = self else { return None };
        Some(match e.code.as_str() {
            "SIM.000000464" => Refusal::ParticipantNotInMeeting,
            "SIM.000000461" => Refusal::WrongHostPassword,
            "SIM.000000462" => Refusal::HostRoleTaken,
            "SIM.000000463" => Refusal::NotWaiting,
            "SIM.000000465" => Refusal::NoRecordingResource,
            "SIM.000000466" => Refusal::TooManyPictures,
            "SIM.000000467" => Refusal::UnknownLayout,
            "SIM.000000468" => Refusal::NoInterpretation,
            "SIM.000000469" => Refusal::UnknownChannel,
            _ => return None,
        })
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Config(_) => ErrorKind::Config,
            Self::Transport { .. } => ErrorKind::Transport,
            Self::Tls { .. } => ErrorKind::Tls,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Disconnected { .. } => ErrorKind::Disconnected,
            Self::UnexpectedResponse { .. } => ErrorKind::UnexpectedResponse,
            Self::Service(e) => match (e.status, e.code.as_str()) {
                (_, "MMC.111070005") | (404, _) => ErrorKind::NotFound,
                (401, _) => ErrorKind::Authentication,
                (403, _) => ErrorKind::PermissionDenied,
                (429, _) => ErrorKind::RateLimited,
                (400, _) => ErrorKind::BadRequest,
                (500..=599, _) => ErrorKind::ServerError,
                _ => ErrorKind::OtherService,
            },
        }
    }

    /// Whether trying the same call again may succeed: rate limiting, 500/502/503/504,
    /// transport failures and timeouts.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Service(e) => matches!(e.status, 429 | 500 | 502 | 503 | 504),
            Self::UnexpectedResponse { status, .. } => {
                matches!(status, Some(429 | 500 | 502 | 503 | 504))
            }
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::InvalidInput { .. }
            | Self::Config(_)
            | Self::Tls { .. }
            | Self::Disconnected { .. } => false,
        }
    }

    /// The service's error code, for service errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service(e) => Some(&e.code),
            _ => None,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Service(e) => Some(e.status),
            Self::UnexpectedResponse { status, .. } => *status,
            _ => None,
        }
    }

    /// The `X-Request-Id` of the answer, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Service(e) => e.request_id.as_deref(),
            Self::UnexpectedResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The service error, if this is one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Self::Service(e) => Some(e),
            _ => None,
        }
    }

    /// A login's credentials themselves were refused (a wrong password, an unknown app,
    /// a bad signature, a disabled or locked account): asking again with them cannot
    /// succeed, and asking often locks the account.
    pub(crate) fn refuses_credentials(&self) -> bool {
        self.kind() == ErrorKind::Authentication || matches!(self.status(), Some(412 | 423))
    }

    /// The refusal of a login that another client sharing the token store met
    /// `age` ago, as the service answered it then.
    pub(crate) fn refused_elsewhere(
        status: u16,
        code: &str,
        message: &str,
        age: Duration,
        left: Duration,
    ) -> Self {
        let message = format!(
            "{} (refused {} s ago for another client sharing the token store; not tried \
             again for {} s, or until Client::forget_tokens / `meeting logout`)",
            printable_at_most(message, MESSAGE_LIMIT),
            age.as_secs(),
            left.as_secs().max(1)
        );
        Self::service(
            Context::new("Authenticate", None),
            status,
            code,
            &message,
            None,
            Some(left),
        )
    }

    /// A refusal another client met, read from the token store ([`Error::refused_elsewhere`]):
    /// the store is asked again, so it is not remembered as this client's own.
    pub(crate) fn is_refused_elsewhere(&self) -> bool {
        self.refuses_credentials()
            && self
                .service_error()
                .is_some_and(|e| e.status != 429 && e.retry_after.is_some())
    }

    /// A 401 with a `USG.` code: the access token was refused (not a host password or
    /// a control token).
    pub(crate) fn refuses_access_token(&self) -> bool {
        self.kind() == ErrorKind::Authentication
            && self.code().is_some_and(|c| c.starts_with("USG."))
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config(ConfigError {
            message: message.into(),
            source: None,
        })
    }

    pub(crate) fn config_with(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Config(ConfigError {
            message: message.into(),
            source: Some(Arc::new(source)),
        })
    }

    /// A success answer the client cannot use: `detail` says what it lacks.
    pub(crate) fn unexpected(context: &Context, detail: impl Into<String>) -> Self {
        Self::UnexpectedResponse {
            context: context.clone(),
            status: Some(200),
            request_id: None,
            detail: detail.into(),
        }
    }

    pub(crate) fn invalid(context: &Context, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            context: context.clone(),
            message: message.into(),
        }
    }

    /// A service error, its server-chosen text made safe to print.
    pub(crate) fn service(
        context: Context,
        status: u16,
        code: &str,
        message: &str,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        Self::Service(Box::new(ServiceError {
            context,
            status,
            code: printable_at_most(code, CODE_LIMIT),
            message: printable_at_most(message, MESSAGE_LIMIT),
            request_id,
            retry_after,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            operation: "LockMeeting",
            conference: Some("914083136".into()),
        }
    }

    fn service(status: u16, code: &str) -> Error {
        Error::Service(Box::new(ServiceError {
            context: context(),
            status,
            code: code.into(),
            message: "m".into(),
            request_id: Some("abc".into()),
            retry_after: None,
        }))
    }

    #[test]
    fn kinds_and_retryability() {
        assert_eq!(
            service(401, "MMC.111070004").kind(),
            ErrorKind::Authentication
        );
        assert_eq!(service(400, "MMC.111070005").kind(), ErrorKind::NotFound);
        assert_eq!(
            service(403, "MMC.111070002").kind(),
            ErrorKind::PermissionDenied
        );
        assert_eq!(service(400, "MMC.111070001").kind(), ErrorKind::BadRequest);
        assert_eq!(service(429, "MMC.100000429").kind(), ErrorKind::RateLimited);
        assert_eq!(service(503, "x").kind(), ErrorKind::ServerError);
        assert!(service(429, "x").is_retryable() && service(502, "x").is_retryable());
        assert!(!service(401, "x").is_retryable() && !service(400, "x").is_retryable());
        assert!(!service(501, "x").is_retryable());
    }

    #[test]
    fn messages_name_operation_conference_code_and_request_id() {
        let text = service(401, "MMC.111070004").to_string();
        assert_eq!(
            text,
            "LockMeeting for conference 914083136 failed: HTTP 401 MMC.111070004: m (request id abc)"
        );
    }

    #[test]
    fn server_text_in_an_error_is_made_printable() {
        let error = Error::service(context(), 403, "E\x1b]0;x\x07", "a\nb", None, None);
        assert_eq!(error.code(), Some("E]0;x"));
        assert_eq!(error.to_string().lines().count(), 1);
    }
}
