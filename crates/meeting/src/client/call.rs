//! The one way every operation runs: under one deadline, with the tokens the table of
//! operations says it sends, with the retries its retry class allows, in one span, and
//! with one renewal of a token the service refuses.

use std::fmt::Display;
use std::future::Future;

use meeting_api::secrets::Secrets;
use meeting_api::table::{Auth as AuthKind, Operation};

use super::handle::Client;
use crate::error::{Context, Error, ErrorKind};
use crate::runtime::{ApiResult, within};
use crate::tokens::auth::{Auth, Tokens};
use crate::tokens::control::ControlAuth;

impl Client {
    /// Runs a management `operation` that belongs to no handle (scheduling, searches,
    /// the push configuration): `input` checked before anything is sent, then sent with
    /// the access token as [`Client::call`] sends.
    pub(crate) async fn run<'a, B: Copy, E: Display, T, Fut>(
        &'a self,
        operation: &'static Operation,
        input: Result<B, E>,
        send: impl Fn(&'a meeting_api::Client, B) -> Fut,
    ) -> Result<T, Error>
    where
        Fut: Future<Output = ApiResult<T>>,
    {
        let context = Context::new(operation.id, None);
        let input = input.map_err(|problem| Error::invalid(&context, problem.to_string()))?;
        let api = self.api();
        self.call(operation, &context, None, || send(api, input))
            .await
    }

    /// Runs `operation`: obtains the tokens it sends (`control` for a control call),
    /// sends with retries, and if the service refuses a token (401) and the client can
    /// get another, gets one and tries once more. All of it within one deadline.
    ///
    /// The deadline costs no timer of its own when it can be met without one: a cached
    /// token is at hand at once, and an attempt that the HTTP client's request timeout
    /// ends before the deadline needs nothing more.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        operation: &'static Operation,
        context: &Context,
        control: Option<&ControlAuth>,
        send: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let rt = &self.inner.runtime;
        let access = &self.inner.access;
        let auth = match (operation.auth, control) {
            (AuthKind::Control | AuthKind::ConfToken, Some(control)) => {
                Auth::Control(access, control)
            }
            (AuthKind::Access, _) => Auth::Access(access),
            (AuthKind::AccessAndPassword, Some(handle)) => Auth::AccessAndPassword(access, handle),
            _ => {
                return Err(Error::invalid(
                    context,
                    "this operation is not sent through a handle that holds its tokens",
                ));
            }
        };
        let deadline = rt.deadline();
        let tokens = within(deadline, context, auth.tokens(rt, context, deadline)).await?;
        match rt
            .attempts(
                operation,
                context,
                deadline,
                &secrets(context, &tokens)?,
                &send,
            )
            .await
        {
            // Boxed: a rare path, kept out of every call's future.
            Err(error) if error.kind() == ErrorKind::Authentication => {
                Box::pin(within(deadline, context, async {
                    if !auth.renew(&tokens, &error).await {
                        return Err(error);
                    }
                    let tokens = auth.tokens(rt, context, deadline).await?;
                    rt.attempts(
                        operation,
                        context,
                        deadline,
                        &secrets(context, &tokens)?,
                        &send,
                    )
                    .await
                }))
                .await
            }
            other => other,
        }
    }
}

fn secrets(context: &Context, tokens: &Tokens) -> Result<Secrets, Error> {
    tokens
        .secrets()
        .map_err(|e| Error::invalid(context, e.to_string()))
}
