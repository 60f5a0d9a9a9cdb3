//! `CancelMeeting`: cancel a scheduled meeting, or end one in progress with `type=1`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::{ApiError, ApiResult, Done, QueryMap, codes, header, optional_query, required_query};
use crate::Shared;
use crate::model::ConferenceState;

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
    let token = header(&headers, "x-access-token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::ACCESS_TOKEN_INVALID,
                "X-Access-Token is required",
            )
        })?;
    let grant = world.access(token, now_ms).cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::ACCESS_TOKEN_INVALID,
            "the access token is invalid or has expired",
        )
    })?;
    let conference = world.conferences.get_mut(id).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::MEETING_NOT_FOUND,
            format!("meeting {id} does not exist"),
        )
    })?;
    let may_cancel = grant.admin
        || conference
            .organizer
            .as_ref()
            .is_none_or(|o| *o == grant.subject);
    if !may_cancel {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::NO_PERMISSION,
            format!("only the organizer or an administrator may cancel meeting {id}"),
        ));
    }
    match conference.state {
        ConferenceState::Scheduled => conference.state = ConferenceState::Cancelled,
        ConferenceState::Ongoing if end_ongoing => conference.state = ConferenceState::Ended,
        ConferenceState::Ongoing => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                codes::REQUEST_ERROR,
                format!("meeting {id} is in progress: pass type=1 to end it"),
            ));
        }
        ConferenceState::Ended | ConferenceState::Cancelled => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                codes::NOT_IN_PROGRESS,
                format!("meeting {id} has already ended or been cancelled"),
            ));
        }
    }
    world.revoke_control(id);
    Ok(Done)
}
