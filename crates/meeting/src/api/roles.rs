//! Roles and hands: the host role handed over, co-hosts, names, raised hands. Control
//! calls, with the control token (and the access token when the client has
//! credentials).

use meeting_api::operations::{BATCH_HAND, HAND, RENAME_PARTICIPANT, SET_COHOST, SET_ROLE};
use meeting_api::types::{
    RestBatchHandsUpReqBody, RestChairTokenReqBody, RestHandsUpReqBody, RestRenamePartReqBody,
    RestSetCohostBody,
};
use secrecy::{ExposeSecret, SecretString};

use crate::api::control::switch;
use crate::conference::{Conference, Participant, id_problem, ids_problem};
use crate::error::Error;

impl Participant<'_> {
    /// Gives this participant the host role, with the meeting's host password. The
    /// service refuses while another participant holds it: release that one first
    /// ([`Participant::release_host`]).
    pub async fn make_host(&self, host_password: impl Into<SecretString>) -> Result<(), Error> {
        let password: SecretString = host_password.into();
        let body = match id_problem("host password", password.expose_secret()) {
            Some(problem) => Err(problem),
            None => switch(true).map(|apply_chair| RestChairTokenReqBody {
                apply_chair,
                // The generated body derives Debug: it is never formatted.
                chairman_pwd: Some(password.expose_secret().to_owned()),
            }),
        };
        self.set_role(body).await
    }

    /// Releases this participant's host role.
    pub async fn release_host(&self) -> Result<(), Error> {
        let body = switch(false).map(|apply_chair| RestChairTokenReqBody {
            apply_chair,
            chairman_pwd: None,
        });
        self.set_role(body).await
    }

    async fn set_role(&self, body: Result<RestChairTokenReqBody, String>) -> Result<(), Error> {
        self.run(&SET_ROLE, body.as_ref(), |api, body| {
            api.set_role(self.conference().id(), self.wire_id(), body)
        })
        .await
    }

    /// Makes this participant a co-host (`true`) or revokes it (`false`).
    pub async fn co_host(&self, on: bool) -> Result<(), Error> {
        let body = switch(on).map(|is_cohost| RestSetCohostBody { is_cohost });
        self.run(&SET_COHOST, body.as_ref(), |api, body| {
            api.set_cohost(self.conference().id(), self.wire_id(), body)
        })
        .await
    }

    /// Changes this participant's display name (1 to 64 characters).
    pub async fn rename(&self, name: &str) -> Result<(), Error> {
        let body = match id_problem("new name", name) {
            Some(problem) => Err(problem),
            None => name
                .try_into()
                .map_err(|_| "the new name is longer than 64 characters".to_owned())
                .and_then(|new_name| {
                    Ok(RestRenamePartReqBody {
                        new_name,
                        number: None,
                        participant_id: self
                            .id()
                            .try_into()
                            .map_err(|_| "invalid participant id".to_owned())?,
                    })
                }),
        };
        self.run(&RENAME_PARTICIPANT, body.as_ref(), |api, body| {
            api.rename_participant(self.conference().id(), body)
        })
        .await
    }

    /// Raises this participant's hand.
    pub async fn raise_hand(&self) -> Result<(), Error> {
        self.hand(true).await
    }

    /// Lowers this participant's hand.
    pub async fn lower_hand(&self) -> Result<(), Error> {
        self.hand(false).await
    }

    async fn hand(&self, raised: bool) -> Result<(), Error> {
        let body = switch(raised).map(|hands_state| RestHandsUpReqBody { hands_state });
        self.run(&HAND, body.as_ref(), |api, body| {
            api.hand(self.conference().id(), self.wire_id(), body)
        })
        .await
    }
}

impl Conference {
    /// Lowers the hands of these participants: all of them, or none if one is not in
    /// the meeting.
    pub async fn lower_hands(&self, participants: &[&str]) -> Result<(), Error> {
        self.hands(participants, false).await
    }

    /// Raises the hands of these participants (all or none).
    pub async fn raise_hands(&self, participants: &[&str]) -> Result<(), Error> {
        self.hands(participants, true).await
    }

    async fn hands(&self, participants: &[&str], raised: bool) -> Result<(), Error> {
        let body = ids_problem(
            "participant",
            "participant id",
            participants.iter().copied(),
        )
        .and_then(|()| switch(raised))
        .map(|hands_state| RestBatchHandsUpReqBody {
            hands_state,
            pids: participants.iter().map(|p| (*p).to_owned()).collect(),
        });
        self.run(&BATCH_HAND, body.as_ref(), |api, body| {
            api.batch_hand(self.id(), body)
        })
        .await
    }
}
