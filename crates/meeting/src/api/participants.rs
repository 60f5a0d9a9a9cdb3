//! One participant at a time: the video source of a terminal, muting, hanging up,
//! and calling someone in. Control calls, with the control token (and the access token
//! when the client has credentials).

use meeting_api::operations::{
    HANG_UP, INVITE_PARTICIPANT, INVITE_WITH_PWD, LOCK_VIEW, MUTE_PARTICIPANT,
};
use meeting_api::types::{
    Attendee, RestBulkHangUpReqBody, RestInviteReqBody, RestInviteWithPwdReqBody,
    RestLockSiteViewReqBody, RestMuteParticipantReqBody,
};

use crate::api::control::switch;
use crate::conference::{Conference, Participant, id_problem};
use crate::error::Error;

impl Participant<'_> {
    /// Locks this terminal's view to its own video source.
    pub async fn lock_video(&self) -> Result<(), Error> {
        self.lock_view(true, self.id()).await
    }

    /// Locks this terminal's view to the video source of participant `source`.
    pub async fn lock_video_to(&self, source: &str) -> Result<(), Error> {
        self.lock_view(true, source).await
    }

    /// Unlocks this terminal's view.
    pub async fn unlock_video(&self) -> Result<(), Error> {
        self.lock_view(false, self.id()).await
    }

    async fn lock_view(&self, lock: bool, source: &str) -> Result<(), Error> {
        let body = match id_problem("video source participant id", source) {
            Some(problem) => Err(problem),
            None => source
                .try_into()
                .map_err(|_| "invalid video source participant id".to_owned())
                .and_then(|participant_id| {
                    Ok(RestLockSiteViewReqBody {
                        participant_id,
                        status: switch(lock)?,
                    })
                }),
        };
        self.run(&LOCK_VIEW, body.as_ref(), |api, body| {
            api.lock_view(self.conference().id(), self.wire_id(), body)
        })
        .await
    }

    /// Mutes this participant.
    pub async fn mute(&self) -> Result<(), Error> {
        self.set_muted(true).await
    }

    /// Unmutes this participant.
    pub async fn unmute(&self) -> Result<(), Error> {
        self.set_muted(false).await
    }

    async fn set_muted(&self, mute: bool) -> Result<(), Error> {
        let body = switch(mute).map(|is_mute| RestMuteParticipantReqBody { is_mute });
        self.run(&MUTE_PARTICIPANT, body.as_ref(), |api, body| {
            api.mute_participant(self.conference().id(), self.wire_id(), body)
        })
        .await
    }

    /// Removes this participant from the meeting.
    pub async fn hang_up(&self) -> Result<(), Error> {
        let body = self
            .id()
            .try_into()
            .map(|id| RestBulkHangUpReqBody {
                bulk_hang_up_participants: vec![id],
            })
            .map_err(|_| "invalid participant id".to_owned());
        self.run(&HANG_UP, body.as_ref(), |api, body| {
            api.hang_up(self.conference().id(), body)
        })
        .await
    }
}

impl Conference {
    /// Calls these people into the meeting.
    pub async fn invite(&self, invitees: &[Invitee]) -> Result<(), Error> {
        let body = if invitees.is_empty() {
            Err("invite at least one person".to_owned())
        } else if let Some(problem) = invitees
            .iter()
            .find_map(|i| id_problem("invitee's phone", &i.phone))
        {
            Err(problem)
        } else {
            Ok(RestInviteReqBody {
                attendees: invitees.iter().map(Invitee::to_attendee).collect(),
            })
        };
        self.run(&INVITE_PARTICIPANT, body.as_ref(), |api, body| {
            api.invite_participant(self.id(), body)
        })
        .await
    }

    /// Calls the SIP number `number` into the meeting, authorized by the meeting's
    /// password (the host's or the guests') instead of a control token. Needs
    /// credentials.
    pub async fn invite_with_password(&self, number: &str, password: &str) -> Result<(), Error> {
        let body = id_problem("number", number)
            .or_else(|| {
                password
                    .is_empty()
                    .then(|| "the password must not be empty".into())
            })
            .map_or_else(
                || {
                    Ok(RestInviteWithPwdReqBody {
                        call_num: number.to_owned(),
                        conf_id: self.id().to_owned(),
                        pwd: password.to_owned(),
                        org_id: None,
                        num_belongs_type: None,
                        is_not_overlay_pid_name: None,
                    })
                },
                Err,
            );
        self.run(&INVITE_WITH_PWD, body.as_ref(), |api, body| {
            api.invite_with_pwd(self.id(), body)
        })
        .await
    }
}

/// Someone to call into a meeting (see [`Conference::invite`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    name: Option<String>,
    phone: String,
}

impl Invitee {
    /// Someone reached at `phone` (a number or a SIP URI).
    pub fn phone(phone: impl Into<String>) -> Self {
        Self {
            name: None,
            phone: phone.into(),
        }
    }

    /// The name shown in the meeting.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub(crate) fn phone_number(&self) -> &str {
        &self.phone
    }

    pub(crate) fn to_attendee(&self) -> Attendee {
        Attendee {
            name: self.name.clone(),
            phone: Some(self.phone.clone()),
            ..Attendee::default()
        }
    }
}
