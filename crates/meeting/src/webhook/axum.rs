//! The receiver as an axum [`Router`] (feature `axum`): 200 accepted (or a replay),
//! 400 malformed, 401 refused, 503 memory full or busy, 500 when the handler fails so
//! that the service retries.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::event::PushEvent;
use super::receiver::{Answer, Receiver};

/// A router that answers pushes POSTed to any path (nest it where the configured URL
/// points) and calls `handler` with each new event.
///
/// ```
/// use meeting::webhook::{Receiver, Verifier};
///
/// let receiver = Receiver::new(Verifier::new("12345678", "subscriber-key")?);
/// let app: axum::Router = axum::Router::new().nest(
///     "/openapi/meetingevent",
///     meeting::webhook::axum::router(receiver, |event| async move {
///         println!("{event}");
///         Ok::<(), std::io::Error>(())
///     }),
/// );
/// # Ok::<(), meeting::Error>(())
/// ```
pub fn router<H, Fut, E>(receiver: Receiver, handler: H) -> Router
where
    H: Fn(PushEvent) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let state = Arc::new((receiver, handler));
    Router::new()
        .fallback(receive::<H, Fut, E>)
        .with_state(state)
}

async fn receive<H, Fut, E>(State(state): State<Arc<(Receiver, H)>>, request: Request) -> Response
where
    H: Fn(PushEvent) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    if request.method() != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let (receiver, handler) = (&state.0, state.1.clone());
    let limit = receiver.verifier().body_limit();
    // Bounded: a body past the limit is refused unread, as malformed.
    let Ok(body) = axum::body::to_bytes(request.into_body(), limit).await else {
        tracing::warn!(target: "meeting::webhook", "push refused: the body is longer than {limit} bytes");
        return StatusCode::BAD_REQUEST.into_response();
    };
    into_response(receiver.handle(&body, handler).await)
}

/// An [`Answer`] as an HTTP response.
pub fn into_response(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match answer.body {
        Some(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            )],
            Body::from(body),
        )
            .into_response(),
        None => status.into_response(),
    }
}
