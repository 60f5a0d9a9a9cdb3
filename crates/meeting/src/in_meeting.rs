//! A meeting while it runs: who is in it, muting, inviting, hanging up, prolonging,
//! stopping. Control calls, with the control token (and the access token when the
//! client has credentials).

use std::num::NonZeroU32;

use meeting_api::types::{
    Attendee, RealTimeInfo, RestBulkHangUpReqBody, RestInviteReqBody, RestMuteParticipantReqBody,
    RestMuteReqBody, RestProlongDurReqBody,
};

use crate::control::{Conference, Participant, check_id, control_request};
use crate::error::{Context, Error};
use crate::retry::Idempotency;

/// Who is in a meeting now (see [`Conference::live`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LiveMeeting {
    /// The participants online: in the meeting, being called, or joining.
    pub participants: Vec<LiveParticipant>,
}

impl LiveMeeting {
    /// The host, if the service names one.
    pub fn host(&self) -> Option<&LiveParticipant> {
        self.participants.iter().find(|p| p.role == LiveRole::Host)
    }

    /// The first participant whose name is `name`.
    pub fn named(&self, name: &str) -> Option<&LiveParticipant> {
        self.participants
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
    }
}

/// A participant online.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LiveParticipant {
    /// The participant ID, what [`Conference::participant`] takes.
    pub id: String,
    /// The participant's name.
    pub name: Option<String>,
    /// The number it joined from or was called at.
    pub phone: Option<String>,
    /// Host, co-host or participant.
    pub role: LiveRole,
    /// Whether its microphone is muted, when the service says.
    pub muted: Option<bool>,
    /// Whether it has raised its hand, when the service says.
    pub hand_raised: Option<bool>,
    /// In the meeting, being called, or joining.
    pub state: LiveState,
}

/// A participant's role in the meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiveRole {
    /// The host (`confInfo.chairID`).
    Host,
    /// A co-host.
    CoHost,
    /// Anyone else.
    Participant,
}

/// Where a participant online is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiveState {
    /// In the meeting.
    InMeeting,
    /// Being called.
    Calling,
    /// Joining.
    Joining,
    /// A value this version does not know, or none.
    Other(Option<i32>),
}

impl LiveMeeting {
    fn from_answer(info: RealTimeInfo) -> Self {
        let chair = info.conf_info.as_ref().and_then(|c| c.chair_id.clone());
        let co_hosts = info.conf_info.map(|c| c.co_hosts).unwrap_or_default();
        let participants = info
            .participants
            .into_iter()
            .map(|p| LiveParticipant {
                role: if chair.as_deref() == Some(p.pid.as_str()) {
                    LiveRole::Host
                } else if co_hosts.contains(&p.pid) {
                    LiveRole::CoHost
                } else {
                    LiveRole::Participant
                },
                muted: p.mute.map(|m| m == 1),
                hand_raised: p.hand.map(|h| h == 1),
                state: match p.state {
                    Some(0) => LiveState::InMeeting,
                    Some(1) => LiveState::Calling,
                    Some(2) => LiveState::Joining,
                    other => LiveState::Other(other),
                },
                id: p.pid,
                name: p.name,
                phone: p.phone,
            })
            .collect();
        Self { participants }
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

impl Conference {
    /// Who is in the meeting now, with the participant IDs that [`Conference::participant`]
    /// takes.
    ///
    /// ```no_run
    /// # async fn run(meeting: meeting::Conference) -> Result<(), meeting::Error> {
    /// let live = meeting.live().await?;
    /// if let Some(room) = live.named("Board room TE50") {
    ///     meeting.participant(&room.id).lock_video().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn live(&self) -> Result<LiveMeeting, Error> {
        let context = self.context("ShowRealTimeInfoOfMeeting");
        self.check(&context)?;
        let info = self
            .control_call(&context, Idempotency::Idempotent, |tokens| {
                control_request!(self, tokens, show_real_time_info_of_meeting).send()
            })
            .await?;
        Ok(LiveMeeting::from_answer(info))
    }

    /// Mutes everyone but the host; with `allow_unmute` false they cannot unmute
    /// themselves.
    pub async fn mute_all(&self, allow_unmute: bool) -> Result<(), Error> {
        self.mute_meeting(true, Some(allow_unmute)).await
    }

    /// Unmutes everyone.
    pub async fn unmute_all(&self) -> Result<(), Error> {
        self.mute_meeting(false, None).await
    }

    async fn mute_meeting(&self, mute: bool, allow_unmute: Option<bool>) -> Result<(), Error> {
        let context = self.context("MuteMeeting");
        self.check(&context)?;
        let body = RestMuteReqBody {
            is_mute: switch(&context, mute)?,
            allow_unmute_by_oneself: allow_unmute.map(|a| switch(&context, a)).transpose()?,
        };
        self.control_call(&context, Idempotency::Idempotent, |tokens| {
            control_request!(self, tokens, mute_meeting)
                .body(body.clone())
                .send()
        })
        .await
    }

    /// Calls these people into the meeting. Not retried: a repeated invitation calls
    /// twice.
    pub async fn invite(&self, invitees: &[Invitee]) -> Result<(), Error> {
        let context = self.context("InviteParticipant");
        self.check(&context)?;
        if invitees.is_empty() {
            return Err(Error::invalid(&context, "invite at least one person"));
        }
        for invitee in invitees {
            check_id(&context, "invitee's phone", &invitee.phone)?;
        }
        let body = RestInviteReqBody {
            attendees: invitees.iter().map(Invitee::to_attendee).collect(),
        };
        self.control_call(&context, Idempotency::Never, |tokens| {
            control_request!(self, tokens, invite_participant)
                .body(body.clone())
                .send()
        })
        .await
    }

    /// Moves the end of the meeting `minutes` later (1 to 1440). Not retried: a repeat
    /// would prolong twice.
    pub async fn prolong(&self, minutes: u32) -> Result<(), Error> {
        let context = self.context("ProlongMeeting");
        if !(1..=1440).contains(&minutes) {
            return Err(Error::invalid(
                &context,
                format!("prolong by 1 to 1440 minutes, not {minutes}"),
            ));
        }
        self.prolong_meeting(&context, false, NonZeroU32::new(minutes))
            .await
    }

    /// Lets the service prolong the meeting by itself when it nears its end.
    pub async fn prolong_automatically(&self) -> Result<(), Error> {
        let context = self.context("ProlongMeeting");
        self.prolong_meeting(&context, true, None).await
    }

    async fn prolong_meeting(
        &self,
        context: &Context,
        auto: bool,
        minutes: Option<NonZeroU32>,
    ) -> Result<(), Error> {
        self.check(context)?;
        let body = RestProlongDurReqBody {
            auto: switch(context, auto)?,
            duration: minutes,
        };
        self.control_call(context, Idempotency::Never, |tokens| {
            control_request!(self, tokens, prolong_meeting)
                .body(body.clone())
                .send()
        })
        .await
    }

    /// Ends the meeting for everyone (its control tokens stop working). Retried only
    /// with [`crate::RetryPolicy::retry_cancel`], as cancelling is.
    pub async fn stop(&self) -> Result<(), Error> {
        let context = self.context("StopMeeting");
        self.check(&context)?;
        self.control_call(&context, Idempotency::Cancel, |tokens| {
            control_request!(self, tokens, stop_meeting).send()
        })
        .await
    }
}

impl Participant<'_> {
    /// Mutes this participant.
    pub async fn mute(&self) -> Result<(), Error> {
        self.set_muted(true).await
    }

    /// Unmutes this participant.
    pub async fn unmute(&self) -> Result<(), Error> {
        self.set_muted(false).await
    }

    async fn set_muted(&self, mute: bool) -> Result<(), Error> {
        let conference = self.conference();
        let context = conference.context("MuteParticipant");
        conference.check(&context)?;
        check_id(&context, "participant id", self.id())?;
        let body = RestMuteParticipantReqBody {
            is_mute: switch(&context, mute)?,
        };
        conference
            .control_call(&context, Idempotency::Idempotent, |tokens| {
                control_request!(conference, tokens, mute_participant)
                    .participant_id(self.id())
                    .body(body.clone())
                    .send()
            })
            .await
    }

    /// Removes this participant from the meeting. Not retried: after a hang-up whose
    /// answer was lost, a repeat fails (the participant is gone).
    pub async fn hang_up(&self) -> Result<(), Error> {
        let conference = self.conference();
        let context = conference.context("HangUp");
        conference.check(&context)?;
        check_id(&context, "participant id", self.id())?;
        let body = RestBulkHangUpReqBody {
            bulk_hang_up_participants: vec![
                self.id()
                    .try_into()
                    .map_err(|_| Error::invalid(&context, "invalid participant id"))?,
            ],
        };
        conference
            .control_call(&context, Idempotency::Never, |tokens| {
                control_request!(conference, tokens, hang_up)
                    .body(body.clone())
                    .send()
            })
            .await
    }
}

/// An on/off value of the wire (`0`/`1`) in its generated type.
fn switch<T: TryFrom<i32>>(context: &Context, on: bool) -> Result<T, Error> {
    T::try_from(i32::from(on)).map_err(|_| Error::invalid(context, "not a 0/1 value"))
}
