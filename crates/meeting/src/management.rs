//! Managing meetings with the access token: cancel a scheduled meeting, end one in
//! progress.

use crate::Error;
use crate::control::Conference;
use crate::error::ErrorKind;
use crate::retry::{self, Idempotency};

impl Conference {
    /// Cancels a meeting that has not started. A meeting in progress is refused by the
    /// service; use [`Conference::end`] for that. Needs credentials.
    pub async fn cancel(&self) -> Result<(), Error> {
        self.cancel_meeting(false).await
    }

    /// Ends a meeting in progress (or cancels it if it has not started). Needs
    /// credentials.
    pub async fn end(&self) -> Result<(), Error> {
        self.cancel_meeting(true).await
    }

    async fn cancel_meeting(&self, end_ongoing: bool) -> Result<(), Error> {
        let context = self.context("CancelMeeting");
        self.check(&context)?;
        let client = self.client();
        let send = |token: String| {
            let mut request = client
                .inner
                .api
                .cancel_meeting()
                .conference_id(self.id())
                .x_access_token(token);
            if end_ongoing {
                request = request.type_(1);
            }
            request.send()
        };
        let token = client.access_token(&context).await?;
        let policy = &client.inner.retry;
        let result = retry::run(policy, &context, Idempotency::Cancel, || {
            send(token.expose().to_owned())
        })
        .await;
        // A 401 with a USG code says the access token is invalid: log in again, once.
        let refused = |e: &Error| {
            e.kind() == ErrorKind::Authentication && e.code().is_some_and(|c| c.starts_with("USG."))
        };
        match result {
            Err(e)
                if refused(&e)
                    && client
                        .inner
                        .credentials
                        .as_ref()
                        .is_some_and(|c| c.can_refresh()) =>
            {
                tracing::info!("access token refused: logging in again and trying once more");
                client.inner.access.invalidate(&token).await;
                let token = client.access_token(&context).await?;
                retry::run(policy, &context, Idempotency::Cancel, || {
                    send(token.expose().to_owned())
                })
                .await
            }
            other => other,
        }
    }
}
