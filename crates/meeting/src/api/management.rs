//! Managing meetings with the access token: schedule one, see its details, start,
//! cancel a scheduled meeting, end one in progress; the enterprise's resources in use and
//! its rooms.

use std::time::Duration;

use meeting_api::types::{
    CancelMeetingType, CancelRecurringMeetingType, CancelRecurringSubMeetingType, ConferenceInfo,
    CorpVmr, PasswordEntry, RestCancelSingleRecordCycleConfListReqBody, RestScheduleConfDto,
    RestScheduleCycleConfDto, SearchCorpVmrSearchKey, SearchCorpVmrVmrMode, StartRequest,
};
use secrecy::{ExposeSecret, SecretString};

use meeting_api::operations::{
    CANCEL_MEETING, CANCEL_RECURRING_MEETING, CANCEL_RECURRING_SUB_MEETING, CREATE_MEETING,
    CREATE_RECURRING_MEETING, SEARCH_CORP_VMR, SHOW_CONF_ORG, SHOW_MEETING_DETAIL, SHOW_ORG_RES,
    SHOW_REGION_INFO_OF_MEETING, SHOW_SP_RES, START_MEETING, UPDATE_MEETING,
    UPDATE_RECURRING_MEETING, UPDATE_RECURRING_SUB_MEETING,
};

use crate::Client;
use crate::api::participants::Invitee;
use crate::conference::{Conference, NO_INPUT, id_problem, ids_problem};
use crate::error::{Context, Error};
use crate::listing::{DEFAULT_PAGE_SIZE, Listing, Page};
use crate::recurrence::Recurrence;

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

    /// Replaces what was scheduled for this meeting (not started yet) with `meeting`:
    /// UpdateMeeting, or for a series (`meeting` repeats) UpdateRecurringMeeting, whose
    /// occurrences move to the new rule. Needs credentials.
    pub async fn update(&self, meeting: &MeetingUpdate) -> Result<MeetingDetails, Error> {
        let operation = if meeting.is_recurring() {
            &UPDATE_RECURRING_MEETING
        } else {
            &UPDATE_MEETING
        };
        let mut updated = self
            .run(
                operation,
                meeting.to_wire().as_ref(),
                |api, body| async move {
                    if meeting.is_recurring() {
                        api.update_recurring_meeting(self.id(), None, body).await
                    } else {
                        api.update_meeting(self.id(), None, body).await
                    }
                },
            )
            .await?;
        match updated.pop().filter(|_| updated.is_empty()) {
            Some(info) => Ok(MeetingDetails::from(info)),
            None => Err(Error::unexpected(
                &self.context(operation),
                "the answer does not hold exactly one meeting",
            )),
        }
    }

    /// Cancels every occurrence of this recurring meeting not yet held; with
    /// `end_ongoing`, one in progress ends first (else the service refuses).
    pub async fn cancel_series(&self, end_ongoing: bool) -> Result<(), Error> {
        let end = end_ongoing
            .then(|| CancelRecurringMeetingType::try_from(1).map_err(|e| e.to_string()))
            .transpose();
        self.run(&CANCEL_RECURRING_MEETING, end.as_ref(), |api, end| {
            api.cancel_recurring_meeting(self.id(), end.as_ref(), None)
        })
        .await
    }

    /// Moves or lengthens one occurrence of this recurring meeting (its ID from
    /// [`MeetingDetails::occurrences`]) and keeps the rest of the series as it is.
    /// Needs credentials.
    pub async fn update_occurrence(
        &self,
        occurrence: &str,
        update: &OccurrenceUpdate,
    ) -> Result<(), Error> {
        let body = update.to_wire(occurrence);
        self.run(&UPDATE_RECURRING_SUB_MEETING, body.as_ref(), |api, body| {
            api.update_recurring_sub_meeting(self.id(), None, body)
        })
        .await
    }

    /// Cancels these occurrences (IDs from [`MeetingDetails::occurrences`]) and keeps
    /// the rest of the series; with `end_ongoing`, one in progress ends first.
    pub async fn cancel_occurrences<I, S>(
        &self,
        occurrences: I,
        end_ongoing: bool,
    ) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids: Vec<String> = occurrences.into_iter().map(Into::into).collect();
        let input = ids_problem(
            "occurrence",
            "occurrence id",
            ids.iter().map(String::as_str),
        )
        .and_then(|()| {
            end_ongoing
                .then(|| CancelRecurringSubMeetingType::try_from(1).map_err(|e| e.to_string()))
                .transpose()
        })
        .map(|end| {
            let body = RestCancelSingleRecordCycleConfListReqBody {
                cycle_sub_conf_i_ds: ids,
            };
            (end, body)
        });
        self.run(
            &CANCEL_RECURRING_SUB_MEETING,
            input.as_ref(),
            |api, (end, body)| {
                api.cancel_recurring_sub_meeting(self.id(), end.as_ref(), None, body)
            },
        )
        .await
    }

    async fn cancel_meeting(&self, end_ongoing: bool) -> Result<(), Error> {
        // `type=1`: end the meeting if it is in progress.
        let end = end_ongoing
            .then(|| CancelMeetingType::try_from(1).map_err(|e| e.to_string()))
            .transpose();
        self.run(&CANCEL_MEETING, end.as_ref(), |api, end| {
            api.cancel_meeting(self.id(), end.as_ref(), None, None, None)
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
    time_zone: Option<String>,
    repeat: Option<Recurrence>,
}

/// An edit of a scheduled meeting (see [`Conference::update`]): the service replaces
/// what was scheduled, so an edit says the whole meeting again.
pub type MeetingUpdate = NewMeeting;

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
            time_zone: None,
            repeat: None,
        }
    }

    /// When it starts: `YYYY-MM-DD HH:MM`, in [`NewMeeting::time_zone`] (UTC by
    /// default).
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

    /// The time zone of the start and of a recurrence's days and end: an IANA name such
    /// as `Europe/Madrid` (default UTC). The service is sent UTC.
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = Some(zone.into());
        self
    }

    /// Repeats: a series of occurrences from the start (which it needs), sent as
    /// CreateRecurringMeeting (or UpdateRecurringMeeting by [`Conference::update`]).
    pub fn repeats(mut self, recurrence: Recurrence) -> Self {
        self.repeat = Some(recurrence);
        self
    }

    /// Whether it repeats.
    pub fn is_recurring(&self) -> bool {
        self.repeat.is_some()
    }

    /// The body the service takes, or what is wrong with the meeting.
    pub(crate) fn to_wire(&self) -> Result<RestScheduleConfDto, String> {
        if self.subject.trim().is_empty() {
            return Err("the subject must not be empty".into());
        }
        if let Some(minutes) = self.minutes.filter(|m| !(15..=1440).contains(m)) {
            return Err(format!("a meeting lasts 15 to 1440 minutes, not {minutes}"));
        }
        if let Some(problem) = self
            .invitees
            .iter()
            .find_map(|i| id_problem("invitee's phone", i.phone_number()))
        {
            return Err(problem);
        }
        let zone = crate::calendar::time_zone(self.time_zone.as_deref())?;
        let local = self.start.as_deref().map(local_time).transpose()?;
        let (start_time, cycle_params) = match (&self.repeat, local) {
            (Some(_), None) => return Err("a recurring meeting needs its start".into()),
            (Some(rule), Some(local)) => {
                let (start, cycle) = rule.to_wire(local, &zone)?;
                (Some(start), Some(cycle))
            }
            (None, Some(local)) => (Some(crate::calendar::utc_minute(local, &zone)?), None),
            (None, None) => (None, None),
        };
        Ok(RestScheduleConfDto {
            attendees: self.invitees.iter().map(Invitee::to_attendee).collect(),
            cycle_params,
            length: self.minutes.map(|m| m as i32),
            media_types: self.media_types.clone(),
            start_time,
            support_simultaneous_interpretation: self.interpretation.then_some(true),
            subject: Some(
                self.subject
                    .as_str()
                    .try_into()
                    .map_err(|_| "the subject is longer than 128 characters".to_owned())?,
            ),
        })
    }

    /// Offers simultaneous interpretation (see [`Conference::set_interpreter_groups`]);
    /// without it, the service refuses the interpretation calls.
    pub fn with_interpretation(mut self) -> Self {
        self.interpretation = true;
        self
    }
}

/// What changes in one occurrence of a recurring meeting (see
/// [`Conference::update_occurrence`]): its start, in [`OccurrenceUpdate::time_zone`]
/// as the series was scheduled, and its length.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OccurrenceUpdate {
    start: Option<String>,
    time_zone: Option<String>,
    minutes: Option<u32>,
}

impl OccurrenceUpdate {
    /// Nothing changed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Its new start: `YYYY-MM-DD HH:MM` in the time zone (UTC by default).
    pub fn starts_at(mut self, start: impl Into<String>) -> Self {
        self.start = Some(start.into());
        self
    }

    /// The time zone of the start: an IANA name such as `Europe/Madrid`. The service is
    /// sent UTC.
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = Some(zone.into());
        self
    }

    /// Its new length (15 minutes to 24 hours, whole minutes).
    pub fn lasts(mut self, length: Duration) -> Self {
        self.minutes = Some(u32::try_from(length.as_secs() / 60).unwrap_or(u32::MAX));
        self
    }

    /// The body the service takes for `occurrence`, or what is wrong.
    fn to_wire(&self, occurrence: &str) -> Result<RestScheduleCycleConfDto, String> {
        if let Some(problem) = id_problem("occurrence id", occurrence) {
            return Err(problem);
        }
        if self.start.is_none() && self.minutes.is_none() {
            return Err("an occurrence update changes its start or its length".into());
        }
        if let Some(minutes) = self.minutes.filter(|m| !(15..=1440).contains(m)) {
            return Err(format!("a meeting lasts 15 to 1440 minutes, not {minutes}"));
        }
        let zone = crate::calendar::time_zone(self.time_zone.as_deref())?;
        let start_time = self
            .start
            .as_deref()
            .map(|start| crate::calendar::utc_minute(local_time(start)?, &zone))
            .transpose()?;
        Ok(RestScheduleCycleConfDto {
            cycle_sub_conf_id: occurrence
                .try_into()
                .map_err(|_| "the occurrence id must not be empty".to_owned())?,
            start_time,
            length: self.minutes.and_then(|m| i32::try_from(m).ok()),
            media_types: None,
            is_auto_record: None,
            record_auth_type: None,
            description: None,
        })
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
    /// A recurring meeting's occurrences not yet held nor cancelled.
    pub occurrences: Vec<Occurrence>,
}

/// An occurrence of a recurring meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Occurrence {
    /// Its ID, what [`Conference::cancel_occurrences`] takes.
    pub id: String,
    /// Its start, `YYYY-MM-DD HH:MM` (UTC).
    pub start_time: Option<String>,
    /// Its end.
    pub end_time: Option<String>,
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
    /// Schedules a meeting. Needs credentials.
    pub async fn create_meeting(&self, meeting: &NewMeeting) -> Result<CreatedMeeting, Error> {
        let operation = if meeting.is_recurring() {
            &CREATE_RECURRING_MEETING
        } else {
            &CREATE_MEETING
        };
        let mut created = self
            .run(
                operation,
                meeting.to_wire().as_ref(),
                |api, body| async move {
                    if meeting.is_recurring() {
                        api.create_recurring_meeting(None, body).await
                    } else {
                        api.create_meeting(body).await
                    }
                },
            )
            .await?;
        let Some(info) = created.pop().filter(|_| created.is_empty()) else {
            return Err(Error::unexpected(
                &Context::new(operation.id, None),
                "the answer does not hold exactly one meeting",
            ));
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
    /// Starts this scheduled meeting now, with the handle's host password
    /// ([`Conference::with_host_password`]), so that the meeting-control calls work
    /// before anyone joins; a meeting in progress stays as it is. The public address
    /// of the meeting's region, when the service gives it. Needs credentials.
    pub async fn start(&self) -> Result<Option<String>, Error> {
        let body = match self.host_password() {
            Some(password) => Ok(StartRequest {
                conference_id: self.id().to_owned(),
                password: password.expose_secret().to_owned(),
            }),
            None => Err("starting a meeting needs its host password (with_host_password)"),
        };
        let started = self
            .run(&START_MEETING, body.as_ref(), |api, body| {
                api.start_meeting(body)
            })
            .await?;
        Ok(started.region_ip.map(|ip| crate::printable(&ip)))
    }

    /// Where this meeting in progress is held. Needs credentials.
    pub async fn region(&self) -> Result<Region, Error> {
        let answer = self
            .run(&SHOW_REGION_INFO_OF_MEETING, NO_INPUT, |api, ()| {
                api.show_region_info_of_meeting(self.id())
            })
            .await?;
        Ok(Region {
            ip: answer.region_ip.map(|ip| crate::printable(&ip)),
            domain: answer.region_url.map(|url| crate::printable(&url)),
        })
    }

    /// What the service says of this meeting: subject, state, times, join details.
    /// Needs credentials.
    pub async fn details(&self) -> Result<MeetingDetails, Error> {
        let detail = self
            .run(&SHOW_MEETING_DETAIL, NO_INPUT, |api, ()| {
                api.show_meeting_detail(self.id())
            })
            .await?;
        let Some(info) = detail.conference_data else {
            let context = self.context(&SHOW_MEETING_DETAIL);
            return Err(Error::unexpected(
                &context,
                "the answer holds no conferenceData",
            ));
        };
        Ok(MeetingDetails::from(info))
    }
}

impl Conference {
    /// The enterprise this meeting belongs to, as a service provider's administrator
    /// asks. Needs such credentials.
    pub async fn enterprise(&self) -> Result<Option<String>, Error> {
        let answer = self
            .run(&SHOW_CONF_ORG, NO_INPUT, |api, ()| {
                api.show_conf_org(self.id())
            })
            .await?;
        Ok(answer.org_id.map(|id| crate::printable(&id)))
    }
}

impl Client {
    /// What the enterprise uses of its resources, now and today. Needs an
    /// administrator's credentials.
    pub async fn resources(&self) -> Result<Resources, Error> {
        let r = self
            .run(&SHOW_ORG_RES, NO_INPUT, |api, ()| api.show_org_res())
            .await?;
        let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
        Ok(Resources {
            meetings_in_progress: count(r.used_accounts_count),
            live_streams: count(r.used_live_count),
            recording_storage_gb: r
                .used_rec_storage
                .map(f64::from)
                .filter(|gb| gb.is_finite()),
            meetings_today: count(r.conf_count),
            minutes_today: count(r.conf_length),
            active_users_today: count(r.active_attendee_count),
            attendees_today: count(r.total_attendee_count),
        })
    }

    /// The meetings in progress of every enterprise of this service provider. Needs a
    /// service provider administrator's credentials.
    pub async fn provider_meetings_in_progress(&self) -> Result<Option<u32>, Error> {
        let r = self
            .run(&SHOW_SP_RES, NO_INPUT, |api, ()| api.show_sp_res())
            .await?;
        Ok(r.used_accounts_count.and_then(|n| u32::try_from(n).ok()))
    }

    /// The enterprise's cloud meeting rooms of `kind` whose name or meeting ID holds
    /// `matching` (1 to 128 characters) if given, fetched page by page as they are
    /// read. Needs an administrator's credentials.
    pub fn rooms(&self, kind: RoomKind, matching: Option<&str>) -> Result<Listing<Room>, Error> {
        let search = matching
            .map(|text| match text.is_empty() {
                true => Err(()),
                false => SearchCorpVmrSearchKey::try_from(text).map_err(drop),
            })
            .transpose()
            .map_err(|()| {
                let context = Context::new(SEARCH_CORP_VMR.id, None);
                Error::invalid(&context, "the search text is 1 to 128 characters")
            })?;
        let mode = SearchCorpVmrVmrMode::try_from(kind as i32).ok();
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |room: &Room| room.id.clone(),
            (self.clone(), search, mode),
            |(client, search, mode), offset, size| async move {
                let page = client
                    .run(&SEARCH_CORP_VMR, NO_INPUT, |api, ()| {
                        let offset = Some(i32::try_from(offset).unwrap_or(i32::MAX));
                        let size = std::num::NonZeroU32::new(size);
                        api.search_corp_vmr(size, offset, search.as_ref(), None, mode.as_ref())
                    })
                    .await?;
                let rooms = page.data.into_iter().filter_map(Room::from_wire).collect();
                Ok(Page::new(rooms, page.count))
            },
        ))
    }
}

/// The kind of a cloud meeting room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomKind {
    /// Where meetings are held.
    Meeting = 1,
    /// Where webinars are held ([`NewWebinar`](crate::NewWebinar)'s room).
    Webinar = 2,
}

/// One of the enterprise's cloud meeting rooms (see [`Client::rooms`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Room {
    /// What a meeting or webinar scheduled in it names (`vmrID`).
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its own meeting ID.
    pub meeting_id: Option<String>,
    /// How many can meet in it at once.
    pub capacity: Option<u32>,
    /// A webinar room's largest audience.
    pub audience: Option<u32>,
    /// Whether it is in service (not disabled, and assigned).
    pub in_service: bool,
}

impl Room {
    fn from_wire(room: CorpVmr) -> Option<Self> {
        let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
        Some(Room {
            id: crate::printable(room.id.as_deref().filter(|id| !id.is_empty())?),
            name: room.vmr_name.as_deref().map(crate::printable),
            meeting_id: room.vmr_id.as_deref().map(crate::printable),
            capacity: count(room.vmr_pkg_parties),
            audience: count(room.max_audience_parties),
            in_service: room.status == Some(0),
        })
    }
}

/// What an enterprise uses of its resources (see [`Client::resources`]); "today" is the
/// service's day.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Resources {
    /// Meetings in progress now: the concurrency in use.
    pub meetings_in_progress: Option<u32>,
    /// Live streams now.
    pub live_streams: Option<u32>,
    /// Recording storage in use, in GB.
    pub recording_storage_gb: Option<f64>,
    /// Meetings held today.
    pub meetings_today: Option<u32>,
    /// Their total length so far, in minutes.
    pub minutes_today: Option<u32>,
    /// Distinct attendees today.
    pub active_users_today: Option<u32>,
    /// Attendees today, each join counted.
    pub attendees_today: Option<u32>,
}

/// Where a meeting is held (see [`Conference::region`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Region {
    /// The region's public IP address.
    pub ip: Option<String>,
    /// The region's public domain.
    pub domain: Option<String>,
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
            occurrences: info
                .sub_confs
                .into_iter()
                .filter_map(|o| {
                    Some(Occurrence {
                        id: o.cycle_sub_conf_id?,
                        start_time: o.start_time,
                        end_time: o.end_time,
                    })
                })
                .collect(),
        }
    }
}

/// `YYYY-MM-DD HH:MM` as a wall-clock time, or what is wrong with it.
fn local_time(start: &str) -> Result<jiff::civil::DateTime, String> {
    if !is_minute_time(start) {
        return Err(format!("the start must be YYYY-MM-DD HH:MM, not {start:?}"));
    }
    start
        .replacen(' ', "T", 1)
        .parse()
        .map_err(|_| format!("{start:?} is not a time"))
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
