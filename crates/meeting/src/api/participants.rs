//! One participant at a time: the video source of a terminal, muting, hanging up,
//! and calling someone in. Control calls, with the control token (and the access token
//! when the client has credentials). And the one-use join randoms, with the access
//! token and the meeting's password.

use meeting_api::operations::{
    CREATE_ANONYMOUS_AUTH_RANDOM, CREATE_AUTH_RANDOM, HANG_UP, INVITE_PARTICIPANT, INVITE_WITH_PWD,
    LOCK_VIEW, MUTE_PARTICIPANT,
};
use meeting_api::types::{
    Attendee, CreateAuthRandomGuestWaiting, RestBulkHangUpReqBody, RestInviteReqBody,
    RestInviteWithPwdReqBody, RestLockSiteViewReqBody, RestMuteParticipantReqBody,
};
use secrecy::{ExposeSecret, SecretString};

use crate::api::control::switch;
use crate::conference::{Conference, Participant, id_problem};
use crate::error::Error;

/// A one-use join credential (see [`Conference::join_random`]). `Debug` redacts the
/// random.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JoinRandom {
    random: SecretString,
    /// Where an anonymous join continues.
    pub site_url: Option<String>,
    /// The meeting's subject.
    pub subject: Option<String>,
    /// `COMMON` (an MCU meeting) or `RTC` (an MMR meeting).
    pub mode: Option<String>,
    /// Whether it is a webinar.
    pub webinar: Option<bool>,
    /// Whether joining also needs the meeting's password.
    pub needs_password: Option<bool>,
}

impl JoinRandom {
    /// The random: a secret that lets one person in, once, for a short while.
    pub fn expose_random(&self) -> &str {
        self.random.expose_secret()
    }
}

impl Conference {
    /// The handle's password (as the randoms need it), or what is missing.
    fn password_problem(&self) -> Result<(), &'static str> {
        match self.host_password() {
            Some(_) => Ok(()),
            None => Err("a join random needs the meeting's password (with_host_password)"),
        }
    }

    /// A one-use join credential for this meeting and what the meeting is
    /// (CreateAuthRandom), authorized by the handle's password (the host's, or the
    /// guests', given to [`Conference::with_host_password`]); `guest_waiting`: the
    /// client shows guests a waiting page first. Needs credentials.
    pub async fn join_random(&self, guest_waiting: bool) -> Result<JoinRandom, Error> {
        let waiting = CreateAuthRandomGuestWaiting::try_from(i32::from(guest_waiting))
            .map_err(|e| e.to_string());
        let input = self.password_problem().map_err(str::to_owned).and(waiting);
        let answer = self
            .run(&CREATE_AUTH_RANDOM, input.as_ref(), |api, waiting| {
                api.create_auth_random(self.id(), Some(waiting))
            })
            .await?;
        let text = |t: Option<String>| t.map(|t| crate::printable(&t));
        Ok(JoinRandom {
            random: self.random(&CREATE_AUTH_RANDOM, answer.random)?,
            site_url: None,
            subject: text(answer.subject),
            mode: text(answer.conf_mode),
            webinar: answer.webinar,
            needs_password: answer.need_password,
        })
    }

    /// A one-use join credential for someone without an account
    /// (CreateAnonymousAuthRandom), authorized by the handle's password, and where the
    /// join continues. Needs credentials.
    pub async fn anonymous_join_random(&self) -> Result<JoinRandom, Error> {
        let answer = self
            .run(
                &CREATE_ANONYMOUS_AUTH_RANDOM,
                self.password_problem(),
                |api, ()| api.create_anonymous_auth_random(self.id()),
            )
            .await?;
        Ok(JoinRandom {
            random: self.random(&CREATE_ANONYMOUS_AUTH_RANDOM, answer.random)?,
            site_url: answer.site_url.map(|url| crate::printable(&url)),
            subject: None,
            mode: None,
            webinar: None,
            needs_password: None,
        })
    }

    /// The random of an answer: an answer without one is the service's fault.
    fn random(
        &self,
        operation: &'static meeting_api::table::Operation,
        random: Option<String>,
    ) -> Result<SecretString, Error> {
        random
            .filter(|r| !r.is_empty())
            .map(SecretString::from)
            .ok_or_else(|| {
                Error::unexpected(&self.context(operation), "the answer holds no random")
            })
    }
}

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
