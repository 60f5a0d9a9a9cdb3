//! The one way every operation runs: under one deadline, with the tokens it needs,
//! with retries, in one span, and with one renewal of a token the service refuses.

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

use meeting_api::ResponseValue;
use meeting_api::types::ErrorBody;
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use super::Client;
use crate::control::Conference;
use crate::error::{Context, Error, ErrorKind};
use crate::retry::Idempotency;
use crate::tokens::{AccessTokenInfo, ControlTokenInfo, Token};

/// What the generated client answers.
type ApiResult<T> = Result<ResponseValue<T>, meeting_api::Error<ErrorBody>>;

/// Which token an operation sends.
pub(crate) enum Auth<'a> {
    /// The access token (management calls).
    Access,
    /// The conference's control token (control calls).
    Control(&'a Conference),
}

/// The tokens one attempt sends.
pub(crate) struct Tokens {
    access: Option<Arc<Token<AccessTokenInfo>>>,
    control: Option<Arc<Token<ControlTokenInfo>>>,
}

impl Tokens {
    /// The access token (empty if the operation does not send one).
    pub fn access(&self) -> &str {
        self.access.as_ref().map_or("", |t| t.expose())
    }

    /// The access token, when the client has credentials (control calls send it then).
    pub fn access_if_any(&self) -> Option<&str> {
        self.access.as_ref().map(|t| t.expose())
    }

    /// The control token (empty if the operation does not send one).
    pub fn control(&self) -> &str {
        self.control.as_ref().map_or("", |t| t.expose())
    }
}

impl Client {
    /// When an operation starting now must be over: every attempt, every wait and every
    /// token fetch it triggers happen before it.
    pub(crate) fn deadline(&self) -> Instant {
        let budget = self.inner.retry.max_elapsed_budget();
        Instant::now()
            .checked_add(budget)
            .unwrap_or_else(far_future)
    }

    /// Runs an operation that sends a token: obtains it, sends with retries, and if the
    /// service refuses the token (401) and the client can get another, gets one and
    /// tries once more. All of it within one deadline.
    ///
    /// The deadline costs no timer of its own when it can be met without one: a cached
    /// token is at hand at once, and an attempt that the HTTP client's request timeout
    /// ends before the deadline needs nothing more (see [`Client::attempts`]).
    pub(crate) async fn call<T, F, Fut>(
        &self,
        context: &Context,
        idempotency: Idempotency,
        auth: Auth<'_>,
        send: F,
    ) -> Result<T, Error>
    where
        F: Fn(&Tokens) -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let deadline = self.deadline();
        let tokens = within(deadline, context, self.tokens(context, &auth, deadline)).await?;
        match self
            .attempts(context, idempotency, deadline, || send(&tokens))
            .await
        {
            // Boxed: a rare path, kept out of every call's future.
            Err(error) if error.kind() == ErrorKind::Authentication => {
                Box::pin(within(deadline, context, async {
                    if !self.renew(&auth, &tokens, &error).await {
                        return Err(error);
                    }
                    let tokens = self.tokens(context, &auth, deadline).await?;
                    self.attempts(context, idempotency, deadline, || send(&tokens))
                        .await
                }))
                .await
            }
            other => other,
        }
    }

    async fn tokens(
        &self,
        context: &Context,
        auth: &Auth<'_>,
        deadline: Instant,
    ) -> Result<Tokens, Error> {
        Ok(match auth {
            Auth::Access => Tokens {
                access: Some(self.access_token(context, deadline).await?),
                control: None,
            },
            Auth::Control(conference) => {
                let (access, control) = conference.tokens(context, deadline, false).await?;
                Tokens {
                    access,
                    control: Some(control),
                }
            }
        })
    }

    /// Forgets the refused token if another can be had, and says whether it was.
    /// A 401 with a `USG.` code refuses the access token; any other 401 on a control
    /// call refuses the control token.
    async fn renew(&self, auth: &Auth<'_>, tokens: &Tokens, error: &Error) -> bool {
        if error.kind() != ErrorKind::Authentication {
            return false;
        }
        if let (true, Some(token)) = (error.refuses_access_token(), &tokens.access) {
            if self.credentials().is_some_and(|c| c.can_refresh()) {
                tracing::info!("access token refused: logging in again and trying once more");
                self.access_cell().invalidate(token).await;
                return true;
            }
            return false;
        }
        match (auth, &tokens.control) {
            (Auth::Control(conference), Some(token)) if conference.can_renew_control_token() => {
                tracing::info!(
                    conference = conference.id(),
                    "control token refused: obtaining a new one and trying once more"
                );
                conference.control_cell().invalidate(token).await;
                true
            }
            _ => false,
        }
    }

    /// Sends with retries until success, a failure not worth retrying, the last attempt,
    /// or a wait that would end past `deadline`. Runs in a span that records operation,
    /// conference, attempt, status, request id and duration (never a header or a body).
    pub(crate) async fn attempts<T, F, Fut>(
        &self,
        context: &Context,
        idempotency: Idempotency,
        deadline: Instant,
        mut send: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let policy = &self.inner.retry;
        let body_limit = self.inner.body_limit;
        let span = tracing::info_span!(
            "meeting.call",
            operation = context.operation,
            conference = context.conference.as_deref().unwrap_or(""),
            attempt = Empty,
            status = Empty,
            request_id = Empty,
            duration_ms = Empty,
        );
        let retries = policy.retries(idempotency);
        let budget = &self.inner.retry_budget;
        async move {
            let span = tracing::Span::current();
            // Timed only for a subscriber that records the span.
            let started = (!span.is_disabled()).then(Instant::now);
            let duration_ms = || started.map_or(0, |at| at.elapsed().as_millis() as u64);
            let mut attempt = 0;
            let mut spent = 0;
            loop {
                attempt += 1;
                span.record("attempt", attempt);
                // Boxed: the generated request future is large, and every layer
                // around it (task-local, span, deadline) would otherwise copy it.
                let observed = meeting_api::exchange::observe(body_limit, Box::pin(send()));
                let outcome = if self.outlives(deadline) {
                    tokio::time::timeout_at(deadline, observed).await.ok()
                } else {
                    Some(observed.await)
                };
                let error = match outcome {
                    Some((result, exchange)) => {
                        if let Some(exchange) = &exchange {
                            span.record("status", exchange.status.as_u16());
                            span.record("request_id", exchange.request_id().unwrap_or(""));
                        }
                        match result {
                            Ok(response) => {
                                budget.succeeded(spent);
                                span.record("duration_ms", duration_ms());
                                tracing::debug!("call succeeded");
                                return Ok(response.into_inner());
                            }
                            Err(e) => Error::from_api(context, e, exchange),
                        }
                    }
                    // The deadline came before the answer.
                    None => Error::Timeout {
                        context: context.clone(),
                    },
                };
                if retries && error.is_retryable() && attempt < policy.attempts() {
                    let delay = policy.delay(attempt, &error);
                    // Checked: a server's Retry-After may be as large as it likes.
                    let in_time = Instant::now()
                        .checked_add(delay)
                        .is_some_and(|end| end <= deadline);
                    match in_time.then(|| budget.spend(&error)).flatten() {
                        Some(cost) => {
                            spent += cost;
                            tracing::info!(delay_ms = delay.as_millis() as u64, error = %error, "retrying");
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        None if in_time => tracing::debug!("retry budget spent: not retrying"),
                        None => {}
                    }
                }
                span.record("duration_ms", duration_ms());
                tracing::debug!(error = %error, "call failed");
                return Err(error);
            }
        }
        .instrument(span)
        .await
    }

    /// Whether an attempt starting now could run past `deadline`: the HTTP client's
    /// request timeout would not end it first (or is unknown: a client of the
    /// caller's). Only then does the attempt need a timer of its own.
    fn outlives(&self, deadline: Instant) -> bool {
        self.inner.request_timeout.is_none_or(|timeout| {
            Instant::now()
                .checked_add(timeout)
                .is_none_or(|end| end > deadline)
        })
    }
}

/// Runs `operation`, or fails with [`Error::Timeout`] once `deadline` has passed. An
/// operation that finishes at once (a cached token) costs no timer.
pub(crate) async fn within<T>(
    deadline: Instant,
    context: &Context,
    operation: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let mut operation = std::pin::pin!(operation);
    let at_once = std::future::poll_fn(|cx| {
        Poll::Ready(match operation.as_mut().poll(cx) {
            Poll::Ready(output) => Some(output),
            Poll::Pending => None,
        })
    })
    .await;
    match at_once {
        Some(output) => output,
        None => tokio::time::timeout_at(deadline, operation)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Timeout {
                    context: context.clone(),
                })
            }),
    }
}

/// A deadline no operation reaches (about 30 years ahead).
fn far_future() -> Instant {
    Instant::now() + std::time::Duration::from_secs(86400 * 365 * 30)
}
