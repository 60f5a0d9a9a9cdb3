//! Managing meetings with the access token: cancel a scheduled meeting, end one in
//! progress.

use crate::Error;
use crate::client::Auth;
use crate::control::Conference;
use crate::retry::Idempotency;

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
        client
            .call(&context, Idempotency::Cancel, Auth::Access, |tokens| {
                let mut request = client
                    .api()
                    .cancel_meeting()
                    .conference_id(self.id())
                    .x_access_token(tokens.access());
                if end_ongoing {
                    request = request.type_(1);
                }
                request.send()
            })
            .await
    }
}
