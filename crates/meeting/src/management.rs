//! Managing meetings with the access token: schedule one, see its details, cancel a
//! scheduled meeting, end one in progress.

use std::time::Duration;

use meeting_api::types::{CancelMeetingType, ConferenceInfo, PasswordEntry, RestScheduleConfDto};
use secrecy::{ExposeSecret, SecretString};

use meeting_api::operations::{CANCEL_MEETING, CREATE_MEETING, SHOW_MEETING_DETAIL};

use crate::Client;
use crate::conference::{Conference, id_problem};
use crate::error::{Context, Error};
use crate::participants::Invitee;

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
        // `type=1`: end the meeting if it is in progress.
        let end = end_ongoing
            .then(|| CancelMeetingType::try_from(1).map_err(|e| e.to_string()))
            .transpose();
        let end = &self.checked(&CANCEL_MEETING, end)?;
        self.send(&CANCEL_MEETING, |t| async move {
            self.api()
                .cancel_meeting(self.id(), end.as_ref(), None, t.access(), None, None)
                .await
        })
        .await
    }
}

/// A meeting to schedule (see [`Client::create_meeting`]).
///
/// ```no_run
/// # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
/// use std::time::Duration;
/// use meeting::{Invitee, NewMeeting};
///
/// let created = client
///     .create_meeting(
///         &NewMeeting::new("Board review")
///             .starts_at("2026-12-01 09:00")
///             .lasts(Duration::from_secs(3600))
///             .invite(Invitee::phone("+8613800000000").name("Carol")),
///     )
///     .await?;
/// let meeting = created.conference(); // with its host password
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMeeting {
    subject: String,
    start: Option<String>,
    minutes: Option<u32>,
    media_types: String,
    invitees: Vec<Invitee>,
    interpretation: bool,
}

impl NewMeeting {
    /// A meeting about `subject`, starting now, 30 minutes, voice and video.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            start: None,
            minutes: None,
            media_types: "Voice,Video".into(),
            invitees: Vec::new(),
            interpretation: false,
        }
    }

    /// When it starts: `YYYY-MM-DD HH:MM`, UTC.
    pub fn starts_at(mut self, start: impl Into<String>) -> Self {
        self.start = Some(start.into());
        self
    }

    /// How long it lasts (15 minutes to 24 hours, whole minutes).
    pub fn lasts(mut self, length: Duration) -> Self {
        self.minutes = Some(u32::try_from(length.as_secs() / 60).unwrap_or(u32::MAX));
        self
    }

    /// The media: `Voice`, `Video`, `HDVideo`, `Data`, comma-separated (default
    /// `Voice,Video`).
    pub fn media_types(mut self, media: impl Into<String>) -> Self {
        self.media_types = media.into();
        self
    }

    /// Invites someone.
    pub fn invite(mut self, invitee: Invitee) -> Self {
        self.invitees.push(invitee);
        self
    }

    /// Offers simultaneous interpretation (see [`Conference::set_interpreter_groups`]);
    /// without it, the service refuses the interpretation calls.
    pub fn with_interpretation(mut self) -> Self {
        self.interpretation = true;
        self
    }
}

/// A meeting just scheduled. `Debug` redacts the passwords.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreatedMeeting {
    /// The new meeting's ID.
    pub id: String,
    /// Its start, `YYYY-MM-DD HH:MM`, when the service says.
    pub start_time: Option<String>,
    /// Its end, when the service says.
    pub end_time: Option<String>,
    host_password: Option<SecretString>,
    guest_password: Option<SecretString>,
    client: Client,
}

impl CreatedMeeting {
    /// The host password. Treat it as a secret.
    pub fn expose_host_password(&self) -> Option<&str> {
        self.host_password.as_ref().map(|p| p.expose_secret())
    }

    /// The guests' password. Treat it as a secret.
    pub fn expose_guest_password(&self) -> Option<&str> {
        self.guest_password.as_ref().map(|p| p.expose_secret())
    }

    /// A handle on the new meeting, with its host password when the service gave one.
    pub fn conference(&self) -> Conference {
        let conference = self.client.conference(&self.id);
        match &self.host_password {
            Some(password) => conference.with_host_password(password.expose_secret()),
            None => conference,
        }
    }
}

/// What the service says of a meeting (see [`Conference::details`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeetingDetails {
    /// The meeting ID.
    pub id: String,
    /// Its UUID, which history and recordings take.
    pub uuid: Option<String>,
    /// Its subject.
    pub subject: Option<String>,
    /// Who scheduled it.
    pub organizer: Option<String>,
    /// Where it is in its life.
    pub state: MeetingState,
    /// Its start, `YYYY-MM-DD HH:MM`.
    pub start_time: Option<String>,
    /// Its end, `YYYY-MM-DD HH:MM`.
    pub end_time: Option<String>,
    /// Its media types.
    pub media_types: Option<String>,
    /// The number to dial in.
    pub access_number: Option<String>,
    /// The guests' join link.
    pub guest_join_uri: Option<String>,
    /// Whether it offers simultaneous interpretation, when the service says.
    pub interpretation: Option<bool>,
}

/// Where a meeting is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MeetingState {
    /// Scheduled, not started.
    Scheduled,
    /// Starting.
    Starting,
    /// In progress.
    InProgress,
    /// Over (ended or cancelled).
    Over,
    /// A value this version does not know, or none.
    Other(Option<String>),
}

/// The password of `role` (`chair`, `general`) in an answer.
fn password(entries: &[PasswordEntry], role: &str) -> Option<SecretString> {
    entries
        .iter()
        .find(|e| e.conference_role.as_deref() == Some(role))
        .and_then(|e| e.password.clone())
        .filter(|p| !p.is_empty())
        .map(SecretString::from)
}

impl Client {
    /// Schedules a meeting. Needs credentials. Not retried: a repeat would schedule two.
    pub async fn create_meeting(&self, meeting: &NewMeeting) -> Result<CreatedMeeting, Error> {
        let context = Context::new(CREATE_MEETING.id, None);
        if meeting.subject.trim().is_empty() {
            return Err(Error::invalid(&context, "the subject must not be empty"));
        }
        if let Some(minutes) = meeting.minutes.filter(|m| !(15..=1440).contains(m)) {
            return Err(Error::invalid(
                &context,
                format!("a meeting lasts 15 to 1440 minutes, not {minutes}"),
            ));
        }
        if let Some(start) = meeting.start.as_deref().filter(|s| !is_minute_time(s)) {
            return Err(Error::invalid(
                &context,
                format!("the start must be YYYY-MM-DD HH:MM (UTC), not {start:?}"),
            ));
        }
        if let Some(problem) = meeting
            .invitees
            .iter()
            .find_map(|i| id_problem("invitee's phone", i.phone_number()))
        {
            return Err(Error::invalid(&context, problem));
        }
        let body = RestScheduleConfDto {
            attendees: meeting.invitees.iter().map(Invitee::to_attendee).collect(),
            length: meeting.minutes.map(|m| m as i32),
            media_types: meeting.media_types.clone(),
            start_time: meeting.start.clone(),
            support_simultaneous_interpretation: meeting.interpretation.then_some(true),
            subject: Some(meeting.subject.as_str().try_into().map_err(|_| {
                Error::invalid(&context, "the subject is longer than 128 characters")
            })?),
        };
        let body = &body;
        let mut created = self
            .call(&CREATE_MEETING, &context, None, |t| async move {
                self.api().create_meeting(t.access(), body).await
            })
            .await?;
        let Some(info) = created.pop().filter(|_| created.is_empty()) else {
            return Err(Error::UnexpectedResponse {
                context,
                status: Some(200),
                request_id: None,
                detail: "the answer does not hold exactly one meeting".into(),
            });
        };
        Ok(CreatedMeeting {
            host_password: password(&info.password_entry, "chair"),
            guest_password: password(&info.password_entry, "general"),
            id: info.conference_id,
            start_time: info.start_time,
            end_time: info.end_time,
            client: self.clone(),
        })
    }
}

impl Conference {
    /// What the service says of this meeting: subject, state, times, join details.
    /// Needs credentials.
    pub async fn details(&self) -> Result<MeetingDetails, Error> {
        let detail = self
            .send(&SHOW_MEETING_DETAIL, |t| async move {
                self.api().show_meeting_detail(self.id(), t.access()).await
            })
            .await?;
        let context = self.context(&SHOW_MEETING_DETAIL);
        let Some(info) = detail.conference_data else {
            return Err(Error::UnexpectedResponse {
                context,
                status: Some(200),
                request_id: None,
                detail: "the answer holds no conferenceData".into(),
            });
        };
        Ok(MeetingDetails::from(info))
    }
}

impl From<ConferenceInfo> for MeetingDetails {
    /// What an answer says of a meeting; its passwords are left out.
    fn from(info: ConferenceInfo) -> Self {
        MeetingDetails {
            state: match info.conference_state.as_deref() {
                Some("Schedule") => MeetingState::Scheduled,
                Some("Creating") => MeetingState::Starting,
                Some("Created") => MeetingState::InProgress,
                Some("Destroyed") => MeetingState::Over,
                other => MeetingState::Other(other.map(str::to_owned)),
            },
            id: info.conference_id,
            uuid: info.conf_uuid,
            subject: info.subject,
            organizer: info.scheduser_name,
            start_time: info.start_time,
            end_time: info.end_time,
            media_types: info.media_types,
            access_number: info.access_number,
            guest_join_uri: info.guest_join_uri,
            interpretation: info.support_simultaneous_interpretation,
        }
    }
}

/// `YYYY-MM-DD HH:MM`, digits where digits go.
fn is_minute_time(text: &str) -> bool {
    text.len() == 16
        && text.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 => c == ':',
            _ => c.is_ascii_digit(),
        })
}
