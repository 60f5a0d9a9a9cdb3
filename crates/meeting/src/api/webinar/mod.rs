//! Webinars: an audience that watches and panelists who speak, scheduled on one of the
//! enterprise's webinar rooms (a VMR of the webinar mode). Schedule one
//! ([`Client::create_webinar`]), list them ([`Client::webinars`]), read, change and
//! cancel one and its room settings ([`Client::webinar`]), upload the images the room
//! shows (`Client::upload_webinar_image`, feature `uploads`).

use std::time::SystemTime;

use meeting_api::operations::{
    CREATE_WEBINAR, DELETE_WEBINAR, LIST_HISTORY_WEBINARS, LIST_ONGOING_WEBINARS,
    LIST_UP_COMING_WEBINARS, SHOW_ROOM_SETTING, SHOW_WEBINAR, UPDATE_ROOM_SETTING, UPDATE_WEBINAR,
};
use meeting_api::types::{
    OpenAttendeeEntity, OpenEditConfReq, OpenRoomSetting, OpenRoomSettingShowAudienceMode,
    OpenScheduleConfReq, StartOrder, WebinarFrom, WebinarId, WebinarInfo, WebinarSearchText,
    WebinarState, WebinarTo, YesNo,
};
use secrecy::{ExposeSecret, SecretString};

#[cfg(feature = "uploads")]
mod upload;
#[cfg(feature = "uploads")]
pub use upload::{UploadedImage, WebinarImage};

use crate::Client;
use crate::conference::{NO_INPUT, id_problem};
use crate::error::{Context, Error};
use crate::listing::{Listing, Page};
use crate::printable;

/// Panelists a webinar names at most.
pub const MAX_PANELISTS: usize = 100;

/// A panelist: someone who speaks in a webinar (the audience is never invited).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Panelist {
    name: Option<String>,
    account: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

impl Panelist {
    /// A user of the enterprise, by account.
    pub fn account(account: impl Into<String>) -> Self {
        Self {
            account: Some(account.into()),
            ..Self::default()
        }
    }

    /// Someone by name (give a phone or an email to reach them).
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            ..Self::default()
        }
    }

    /// Their phone (`+8613800000000`).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// Their email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    fn to_wire(&self) -> Result<OpenAttendeeEntity, String> {
        let fields = [&self.name, &self.account, &self.phone, &self.email];
        if fields
            .iter()
            .all(|f| f.as_deref().is_none_or(|f| f.trim().is_empty()))
        {
            return Err("a panelist has a name, an account, a phone or an email".into());
        }
        if let Some(problem) = fields
            .iter()
            .filter_map(|f| f.as_deref())
            .find_map(|f| id_problem("panelist's field", f))
        {
            return Err(problem);
        }
        Ok(OpenAttendeeEntity {
            user_name: self.name.clone(),
            user_account: self.account.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            ..OpenAttendeeEntity::default()
        })
    }
}

/// A webinar to schedule (see [`Client::create_webinar`]), or a scheduled one said again
/// ([`Webinar::update`]: the room stays as scheduled). Checked before sending.
///
/// ```no_run
/// # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
/// use std::time::Duration;
/// use meeting::{NewWebinar, Panelist};
///
/// let launch = NewWebinar::new("Product launch", "ff808081838b4f3f0183a8f4ef6a0201")
///     .starts_at("2030-03-02 15:00")
///     .time_zone("Europe/Madrid")
///     .lasts(Duration::from_secs(90 * 60))
///     .panelist(Panelist::named("Carol").phone("+8613800000000"));
/// let scheduled = client.create_webinar(&launch).await?;
/// println!("{} starts {:?}", scheduled.id, scheduled.start);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct NewWebinar {
    subject: String,
    room: String,
    description: Option<String>,
    start: Option<String>,
    minutes: u32,
    time_zone: Option<String>,
    panelists: Vec<Panelist>,
    guest_password: Option<SecretString>,
    audience_password: Option<SecretString>,
    recording: bool,
}

impl NewWebinar {
    /// A webinar about `subject` on the webinar room `room` (its VMR ID: the `id` of a
    /// VMR of the webinar mode), 60 minutes, starting at the next whole minute.
    pub fn new(subject: impl Into<String>, room: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            room: room.into(),
            description: None,
            start: None,
            minutes: 60,
            time_zone: None,
            panelists: Vec::new(),
            guest_password: None,
            audience_password: None,
            recording: false,
        }
    }

    /// What it is about (at most 1,000 characters).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// When it starts: `YYYY-MM-DD HH:MM` in [`NewWebinar::time_zone`] (UTC by default).
    pub fn starts_at(mut self, start: impl Into<String>) -> Self {
        self.start = Some(start.into());
        self
    }

    /// The time zone of the start: an IANA name (`Europe/Madrid`). The service is sent
    /// UTC.
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = Some(zone.into());
        self
    }

    /// How long it lasts (15 minutes to 24 hours, whole minutes).
    pub fn lasts(mut self, length: std::time::Duration) -> Self {
        self.minutes = u32::try_from(length.as_secs() / 60).unwrap_or(u32::MAX);
        self
    }

    /// Adds a panelist (at most [`MAX_PANELISTS`]).
    pub fn panelist(mut self, panelist: Panelist) -> Self {
        self.panelists.push(panelist);
        self
    }

    /// The panelists' password (4 to 16 digits; generated when not given).
    pub fn guest_password(mut self, password: SecretString) -> Self {
        self.guest_password = Some(password);
        self
    }

    /// The audience's password (4 to 16 digits; generated when not given).
    pub fn audience_password(mut self, password: SecretString) -> Self {
        self.audience_password = Some(password);
        self
    }

    /// Records it.
    pub fn recorded(mut self) -> Self {
        self.recording = true;
        self
    }

    /// The fields both calls send, checked.
    fn checked(&self) -> Result<Checked, String> {
        let subject = self.subject.trim();
        if subject.is_empty() || subject.chars().count() > 128 {
            return Err("the subject is 1 to 128 characters".into());
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 1000)
        {
            return Err("the description is at most 1000 characters".into());
        }
        if !(15..=1440).contains(&self.minutes) {
            return Err(format!(
                "a webinar lasts 15 to 1440 minutes, not {}",
                self.minutes
            ));
        }
        if self.panelists.len() > MAX_PANELISTS {
            return Err(format!("a webinar has at most {MAX_PANELISTS} panelists"));
        }
        let zone = crate::calendar::time_zone(self.time_zone.as_deref())?;
        let start = match &self.start {
            Some(text) => {
                let local = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", text.trim())
                    .map_err(|_| {
                        format!("the start is YYYY-MM-DD HH:MM, not {}", printable(text))
                    })?;
                crate::calendar::utc_minute(local, &zone)?
            }
            None => {
                let next = jiff::Timestamp::now()
                    .checked_add(jiff::SignedDuration::from_secs(60))
                    .map_err(|e| e.to_string())?;
                next.to_zoned(jiff::tz::TimeZone::UTC)
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            }
        };
        let panelists = self
            .panelists
            .iter()
            .map(Panelist::to_wire)
            .collect::<Result<Vec<_>, _>>()?;
        let password = |p: &Option<SecretString>, whose: &str| -> Result<Option<String>, String> {
            p.as_ref()
                .map(|p| {
                    let p = p.expose_secret();
                    if (4..=16).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) {
                        Ok(p.to_owned())
                    } else {
                        Err(format!("the {whose} password is 4 to 16 digits"))
                    }
                })
                .transpose()
        };
        Ok(Checked {
            start,
            duration: i32::try_from(self.minutes).unwrap_or(i32::MAX),
            panelists,
            guest: password(&self.guest_password, "panelists'")?,
            audience: password(&self.audience_password, "audience's")?,
        })
    }

    fn to_schedule(&self) -> Result<OpenScheduleConfReq, String> {
        if let Some(problem) = id_problem("webinar room", &self.room) {
            return Err(problem);
        }
        let checked = self.checked()?;
        Ok(OpenScheduleConfReq {
            subject: self.subject.trim().to_owned(),
            description: self.description.clone(),
            start_time: checked.start,
            duration: checked.duration,
            attendees: checked.panelists,
            vmr_id: self.room.clone(),
            guest_passwd: checked.guest,
            audience_passwd: checked.audience,
            enable_recording: self.recording.then_some(YesNo::Y),
            time_zone_id: None,
            notify_setting: None,
            call_restriction: None,
            scope: None,
            audience_scope: None,
            live_address: None,
            aux_address: None,
            live_url: None,
        })
    }

    fn to_edit(&self, id: &str) -> Result<OpenEditConfReq, String> {
        let checked = self.checked()?;
        Ok(OpenEditConfReq {
            conference_id: id.to_owned(),
            subject: self.subject.trim().to_owned(),
            description: self.description.clone(),
            start_time: checked.start,
            duration: checked.duration,
            attendees: checked.panelists,
            guest_passwd: checked.guest,
            audience_passwd: checked.audience,
            enable_recording: self.recording.then_some(YesNo::Y),
            time_zone_id: None,
            notify_setting: None,
            call_restriction: None,
            scope: None,
            audience_scope: None,
            live_address: None,
            aux_address: None,
            live_url: None,
        })
    }
}

/// What both calls send of a [`NewWebinar`], checked: the start in UTC, the length,
/// the panelists, the passwords.
struct Checked {
    start: String,
    duration: i32,
    panelists: Vec<OpenAttendeeEntity>,
    guest: Option<String>,
    audience: Option<String>,
}

/// Where a webinar is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebinarPhase {
    /// Scheduled, not started.
    Scheduled,
    /// In progress.
    InProgress,
    /// Over.
    Over,
    /// A state this version does not know, or none.
    Unknown,
}

/// A webinar as the service describes it (see [`Webinar::details`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WebinarDetails {
    /// Its ID.
    pub id: String,
    /// Its subject.
    pub subject: Option<String>,
    /// What it is about.
    pub description: Option<String>,
    /// When it starts.
    pub start: Option<SystemTime>,
    /// How long it lasts, minutes.
    pub minutes: Option<u32>,
    /// Where it is in its life.
    pub phase: WebinarPhase,
    /// Who scheduled it.
    pub organizer: Option<String>,
    /// Its webinar room's name.
    pub room: Option<String>,
    /// The panelists' names.
    pub panelists: Vec<String>,
    /// The host's join link.
    pub host_link: Option<String>,
    /// The panelists' join link.
    pub panelist_link: Option<String>,
    /// The audience's join link.
    pub audience_link: Option<String>,
    /// The host's password (a secret: never printed by `Debug`).
    pub host_password: Option<SecretString>,
    /// The panelists' password.
    pub panelist_password: Option<SecretString>,
    /// The audience's password.
    pub audience_password: Option<SecretString>,
    /// Whether it is recorded.
    pub recorded: bool,
}

/// `YYYY-MM-DD HH:MM` (UTC) as an instant.
fn utc_minute(text: Option<&str>) -> Option<SystemTime> {
    let civil = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", text?.trim()).ok()?;
    let instant = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(SystemTime::from(instant))
}

fn text(value: Option<String>) -> Option<String> {
    value.as_deref().map(printable)
}

fn secret(value: Option<String>) -> Option<SecretString> {
    value.filter(|v| !v.is_empty()).map(SecretString::from)
}

fn minutes(value: Option<i32>) -> Option<u32> {
    value.and_then(|m| u32::try_from(m).ok())
}

impl WebinarDetails {
    fn from_wire(w: WebinarInfo, context: &Context) -> Result<Self, Error> {
        let id = w
            .conference_id
            .as_deref()
            .filter(|id| id_problem("ID", id).is_none())
            .ok_or_else(|| Error::unexpected(context, "the answer holds no webinar ID"))?
            .to_owned();
        Ok(Self {
            id,
            start: utc_minute(w.start_time.as_deref()),
            minutes: minutes(w.duration),
            phase: match w.state {
                Some(WebinarState::Schedule) => WebinarPhase::Scheduled,
                Some(WebinarState::Created) => WebinarPhase::InProgress,
                Some(WebinarState::Destroyed) => WebinarPhase::Over,
                None => WebinarPhase::Unknown,
            },
            subject: text(w.subject),
            description: text(w.description),
            organizer: text(w.scheduser_name),
            room: text(w.vmr_pkg_name),
            panelists: w.attendees.iter().map(|a| printable(a)).collect(),
            host_link: text(w.chair_join_uri),
            panelist_link: text(w.guest_join_uri),
            audience_link: text(w.audience_join_uri),
            host_password: secret(w.chair_passwd),
            panelist_password: secret(w.guest_passwd),
            audience_password: secret(w.audience_passwd),
            recorded: w.enable_recording == Some(YesNo::Y),
        })
    }
}

/// One webinar of a list (see [`WebinarSearch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebinarSummary {
    /// Its ID.
    pub id: String,
    /// Its UUID (in progress and over).
    pub uuid: Option<String>,
    /// Its subject.
    pub subject: Option<String>,
    /// When it starts (or started).
    pub start: Option<SystemTime>,
    /// How long it lasts (or lasted), minutes.
    pub minutes: Option<u32>,
    /// Who scheduled it.
    pub organizer: Option<String>,
    /// Its webinar room's name.
    pub room: Option<String>,
    /// In progress: who is in it now. Over: how many attended.
    pub attendees: Option<u32>,
    /// Over: when it started.
    pub started: Option<SystemTime>,
    /// Over: when it ended.
    pub ended: Option<SystemTime>,
    /// The audience's join link (not over).
    pub audience_link: Option<String>,
}

/// The webinars of one kind, with the options the meeting searches share (see
/// [`Client::webinars`]).
#[derive(Clone, Debug)]
pub struct WebinarSearch {
    client: Client,
    search: Option<String>,
    newest_first: bool,
    dates: Option<(String, String)>,
    time_zone: Option<String>,
    page_size: u32,
}

/// A list's search text, and the UTC minutes bounding the start (history).
type Query = (Option<String>, Option<(String, String)>);

/// Which list.
#[derive(Clone, Copy)]
enum Kind {
    Upcoming,
    Ongoing,
    History,
}

impl WebinarSearch {
    /// Only those whose subject, organizer, ID or panelists match `text` (1 to 128
    /// characters).
    pub fn matching(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// The latest start first (default: the earliest).
    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// [`WebinarSearch::history`] only: those that started from day `from` to day `to`
    /// (`YYYY-MM-DD`, both included) in [`WebinarSearch::time_zone`].
    pub fn between(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.dates = Some((from.into(), to.into()));
        self
    }

    /// The time zone of the days of [`WebinarSearch::between`]: an IANA name (default
    /// UTC).
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = Some(zone.into());
        self
    }

    /// The page size (1 to 500; default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// The webinars not yet started.
    pub fn upcoming(&self) -> Result<Listing<WebinarSummary>, Error> {
        self.list(Kind::Upcoming, &LIST_UP_COMING_WEBINARS)
    }

    /// The webinars in progress.
    pub fn ongoing(&self) -> Result<Listing<WebinarSummary>, Error> {
        self.list(Kind::Ongoing, &LIST_ONGOING_WEBINARS)
    }

    /// The webinars that ended ([`WebinarSearch::between`] the days given).
    pub fn history(&self) -> Result<Listing<WebinarSummary>, Error> {
        self.list(Kind::History, &LIST_HISTORY_WEBINARS)
    }

    /// The query, checked: the search text, and (history) the UTC minutes bounding the
    /// start.
    fn checked(&self, kind: Kind) -> Result<Query, String> {
        if let Some(search) = &self.search
            && (search.is_empty() || search.chars().count() > 128)
        {
            return Err("the search text is 1 to 128 characters".into());
        }
        if !(1..=500).contains(&self.page_size) {
            return Err("the page size is 1 to 500".into());
        }
        let dates = match (&self.dates, kind) {
            (None, _) => None,
            (Some(_), Kind::Upcoming | Kind::Ongoing) => {
                return Err("only the history is searched between days".into());
            }
            (Some((from, to)), Kind::History) => {
                let zone = crate::calendar::time_zone(self.time_zone.as_deref())?;
                let (first, last) = (crate::calendar::date(from)?, crate::calendar::date(to)?);
                if last < first {
                    return Err("the last day is before the first".into());
                }
                let minute = |day: jiff::civil::Date, end: bool| -> Result<String, String> {
                    let at = if end {
                        day.at(23, 59, 0, 0)
                    } else {
                        day.at(0, 0, 0, 0)
                    };
                    crate::calendar::utc_minute(at, &zone)
                };
                Some((minute(first, false)?, minute(last, true)?))
            }
        };
        Ok((self.search.clone(), dates))
    }

    fn list(
        &self,
        kind: Kind,
        operation: &'static meeting_api::table::Operation,
    ) -> Result<Listing<WebinarSummary>, Error> {
        let (search, dates) = self
            .checked(kind)
            .map_err(|problem| Error::invalid(&Context::new(operation.id, None), problem))?;
        let descending = self.newest_first;
        Ok(Listing::new(
            self.page_size,
            None,
            |w: &WebinarSummary| w.id.clone(),
            (self.client.clone(), search, dates),
            move |(client, search, dates), offset, size| async move {
                fetch(
                    &client, kind, operation, search, dates, descending, offset, size,
                )
                .await
            },
        ))
    }
}

/// One page of a webinar list.
#[allow(clippy::too_many_arguments)]
async fn fetch(
    client: &Client,
    kind: Kind,
    operation: &'static meeting_api::table::Operation,
    search: Option<String>,
    dates: Option<(String, String)>,
    descending: bool,
    offset: u32,
    size: u32,
) -> Result<Page<WebinarSummary>, Error> {
    let offset = Some(i32::try_from(offset).unwrap_or(i32::MAX));
    let limit = std::num::NonZeroU32::new(size);
    let search = search
        .as_deref()
        .map(WebinarSearchText::try_from)
        .transpose()
        .map_err(|_| {
            Error::invalid(
                &Context::new(operation.id, None),
                "the search text is 1 to 128 characters",
            )
        })?;
    let search = search.as_ref();
    let sort = Some(if descending {
        StartOrder::DscStartTime
    } else {
        StartOrder::AscStartTime
    });
    let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
    match kind {
        Kind::Upcoming | Kind::Ongoing => {
            let answer = client
                .run(operation, NO_INPUT, |api, ()| async move {
                    match kind {
                        Kind::Ongoing => {
                            api.list_ongoing_webinars(limit, offset, search, sort).await
                        }
                        _ => {
                            api.list_up_coming_webinars(limit, offset, search, sort)
                                .await
                        }
                    }
                })
                .await?;
            let rows = answer
                .data
                .into_iter()
                .filter_map(|w| {
                    Some(WebinarSummary {
                        id: printable(w.conference_id.as_deref()?),
                        uuid: text(w.conf_uuid),
                        subject: text(w.subject),
                        start: utc_minute(w.start_time.as_deref()),
                        minutes: minutes(w.duration),
                        organizer: text(w.scheduser_name),
                        room: text(w.vmr_pkg_name),
                        attendees: count(w.online_attendee_count),
                        started: None,
                        ended: None,
                        audience_link: text(w.audience_join_uri),
                    })
                })
                .collect();
            Ok(Page::new(rows, answer.count))
        }
        Kind::History => {
            let bounds = dates
                .map(|(from, to)| {
                    Ok::<_, String>((
                        WebinarFrom::try_from(from).map_err(|e| e.to_string())?,
                        WebinarTo::try_from(to).map_err(|e| e.to_string())?,
                    ))
                })
                .transpose()
                .map_err(|problem| Error::invalid(&Context::new(operation.id, None), problem))?;
            let (from, to) = match &bounds {
                Some((from, to)) => (Some(from), Some(to)),
                None => (None, None),
            };
            let answer = client
                .run(operation, NO_INPUT, |api, ()| {
                    api.list_history_webinars(to, limit, offset, search, sort, from)
                })
                .await?;
            let rows = answer
                .data
                .into_iter()
                .filter_map(|w| {
                    Some(WebinarSummary {
                        id: printable(w.conference_id.as_deref()?),
                        uuid: text(w.conf_uuid),
                        subject: text(w.subject),
                        start: utc_minute(w.start_time.as_deref()),
                        minutes: minutes(w.actual_duration.or(w.duration)),
                        organizer: text(w.scheduser_name),
                        room: text(w.vmr_pkg_name),
                        attendees: count(w.attendee_count),
                        started: utc_minute(w.actual_start_time.as_deref()),
                        ended: utc_minute(w.end_time.as_deref()),
                        audience_link: None,
                    })
                })
                .collect();
            Ok(Page::new(rows, answer.count))
        }
    }
}

/// A webinar's room settings: what its audience sees (see [`Webinar::room_settings`],
/// [`Webinar::set_room_settings`]). Those left unset keep their value; checked before
/// sending.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct RoomSettings {
    /// The webinar's introduction (at most 2,000 characters).
    pub introduction: Option<String>,
    /// The enterprise logo: a file ID of [`Client::upload_webinar_image`].
    pub logo: Option<String>,
    /// The welcome cover: a file ID of [`Client::upload_webinar_image`].
    pub cover: Option<String>,
    /// Whether the audience's size is shown.
    pub show_audience: Option<bool>,
    /// Whether the audience shown is multiplied: `base_audience` plus the real
    /// audience times `multiple`.
    pub multiplied: Option<bool>,
    /// The audience shown when nobody is there (0 to 10,000).
    pub base_audience: Option<u32>,
    /// The real audience's factor (0 to 10, one decimal).
    pub multiple: Option<f64>,
}

impl RoomSettings {
    /// Nothing changed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The introduction.
    pub fn introduction(mut self, text: impl Into<String>) -> Self {
        self.introduction = Some(text.into());
        self
    }

    /// The logo's file ID.
    pub fn logo(mut self, file_id: impl Into<String>) -> Self {
        self.logo = Some(file_id.into());
        self
    }

    /// The cover's file ID.
    pub fn cover(mut self, file_id: impl Into<String>) -> Self {
        self.cover = Some(file_id.into());
        self
    }

    /// Shows the audience's size, or not.
    pub fn show_audience(mut self, shown: bool) -> Self {
        self.show_audience = Some(shown);
        self
    }

    /// The audience shown: `base` plus the real one times `multiple`.
    pub fn audience_shown(mut self, base: u32, multiple: f64) -> Self {
        self.multiplied = Some(true);
        self.base_audience = Some(base);
        self.multiple = Some(multiple);
        self
    }

    fn to_wire(&self) -> Result<OpenRoomSetting, String> {
        if self
            .introduction
            .as_ref()
            .is_some_and(|t| t.chars().count() > 2000)
        {
            return Err("the introduction is at most 2000 characters".into());
        }
        for (what, id) in [("logo", &self.logo), ("cover", &self.cover)] {
            if let Some(problem) = id
                .as_deref()
                .and_then(|id| id_problem(&format!("{what}'s file ID"), id))
            {
                return Err(problem);
            }
        }
        if self.base_audience.is_some_and(|n| n > 10_000) {
            return Err("the base audience is 0 to 10000".into());
        }
        if let Some(m) = self.multiple
            && !(m.is_finite()
                && (0.0..=10.0).contains(&m)
                && ((m * 10.0).round() - m * 10.0).abs() < 1e-9)
        {
            return Err(format!("the multiple is 0 to 10 with one decimal, not {m}"));
        }
        Ok(OpenRoomSetting {
            room_introduce: self.introduction.clone(),
            crop_logo_id: self.logo.clone(),
            cover_picture_id: self.cover.clone(),
            show_audience_mode: self.show_audience.map(|shown| {
                if shown {
                    OpenRoomSettingShowAudienceMode::RealTime
                } else {
                    OpenRoomSettingShowAudienceMode::None
                }
            }),
            is_redouble_open: self
                .multiplied
                .map(|on| if on { YesNo::Y } else { YesNo::N }),
            base_audience_count: self
                .base_audience
                .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            multiple: self.multiple,
        })
    }

    fn from_wire(s: OpenRoomSetting) -> Self {
        Self {
            introduction: text(s.room_introduce),
            logo: text(s.crop_logo_id),
            cover: text(s.cover_picture_id),
            show_audience: s
                .show_audience_mode
                .map(|m| m == OpenRoomSettingShowAudienceMode::RealTime),
            multiplied: s.is_redouble_open.map(|y| y == YesNo::Y),
            base_audience: s.base_audience_count.and_then(|n| u32::try_from(n).ok()),
            multiple: s.multiple.filter(|m| m.is_finite()),
        }
    }
}

/// A webinar, by ID (see [`Client::webinar`]).
#[derive(Clone, Debug)]
pub struct Webinar {
    client: Client,
    id: String,
}

impl Client {
    /// Schedules a webinar. Needs credentials (its organizer, or an administrator).
    pub async fn create_webinar(&self, webinar: &NewWebinar) -> Result<WebinarDetails, Error> {
        let body = webinar.to_schedule();
        let answer = self
            .run(&CREATE_WEBINAR, body.as_ref(), |api, body| {
                api.create_webinar(body)
            })
            .await?;
        WebinarDetails::from_wire(answer, &Context::new(CREATE_WEBINAR.id, None))
    }

    /// The enterprise's webinars: [`WebinarSearch::upcoming`], `ongoing`, `history`.
    pub fn webinars(&self) -> WebinarSearch {
        WebinarSearch {
            client: self.clone(),
            search: None,
            newest_first: false,
            dates: None,
            time_zone: None,
            page_size: 100,
        }
    }

    /// The webinar with this ID.
    pub fn webinar(&self, id: impl Into<String>) -> Webinar {
        Webinar {
            client: self.clone(),
            id: id.into(),
        }
    }
}

impl Webinar {
    /// Its ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The ID as the path takes it, checked.
    fn path_id(&self) -> Result<WebinarId, String> {
        if let Some(problem) = id_problem("webinar ID", &self.id) {
            return Err(problem);
        }
        WebinarId::try_from(self.id.as_str())
            .map_err(|_| "the webinar ID is 1 to 32 characters".to_owned())
    }

    /// What the service says of it, with its links and passwords.
    pub async fn details(&self) -> Result<WebinarDetails, Error> {
        let id = self.path_id();
        let answer = self
            .client
            .run(&SHOW_WEBINAR, id.as_ref(), |api, id| api.show_webinar(id))
            .await?;
        WebinarDetails::from_wire(answer, &Context::new(SHOW_WEBINAR.id, None))
    }

    /// Says the scheduled webinar again (its room stays): everything of `webinar`
    /// replaces what was scheduled. One that started cannot change.
    pub async fn update(&self, webinar: &NewWebinar) -> Result<(), Error> {
        let body = self.path_id().and_then(|_| webinar.to_edit(&self.id));
        self.client
            .run(&UPDATE_WEBINAR, body.as_ref(), |api, body| {
                api.update_webinar(body)
            })
            .await
    }

    /// Cancels it (one in progress ends); it is then gone, and a repeat fails.
    pub async fn delete(&self) -> Result<(), Error> {
        let id = self.path_id();
        self.client
            .run(&DELETE_WEBINAR, id.as_ref(), |api, id| {
                api.delete_webinar(id)
            })
            .await
    }

    /// Its room settings.
    pub async fn room_settings(&self) -> Result<RoomSettings, Error> {
        let id = self.path_id();
        let answer = self
            .client
            .run(&SHOW_ROOM_SETTING, id.as_ref(), |api, id| {
                api.show_room_setting(id)
            })
            .await?;
        Ok(RoomSettings::from_wire(answer))
    }

    /// Changes the room settings given; the others stay.
    pub async fn set_room_settings(&self, settings: &RoomSettings) -> Result<(), Error> {
        let checked = self.path_id().and_then(|id| Ok((id, settings.to_wire()?)));
        self.client
            .run(&UPDATE_ROOM_SETTING, checked.as_ref(), |api, (id, body)| {
                api.update_room_setting(id, body)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webinar_is_checked_before_sending() {
        let room = "ff808081838b4f3f0183a8f4ef6a0201";
        let ok = NewWebinar::new("Launch", room).starts_at("2030-03-02 15:00");
        let wire = ok
            .clone()
            .time_zone("Europe/Madrid")
            .to_schedule()
            .expect("valid");
        assert_eq!(
            wire.start_time, "2030-03-02 14:00",
            "Madrid is UTC+1 in March"
        );
        for (webinar, says) in [
            (NewWebinar::new(" ", room), "subject"),
            (
                ok.clone().lasts(std::time::Duration::from_secs(600)),
                "15 to 1440",
            ),
            (ok.clone().starts_at("2030-03-02T15:00"), "YYYY-MM-DD HH:MM"),
            (ok.clone().time_zone("Mars/Olympus"), "time zone"),
            (ok.clone().panelist(Panelist::default()), "a panelist has"),
            (
                ok.clone().audience_password(SecretString::from("12ab")),
                "audience's password",
            ),
            (NewWebinar::new("Launch", ""), "webinar room"),
        ] {
            let problem = webinar.to_schedule().expect_err(says);
            assert!(problem.contains(says), "{problem}");
        }
    }

    #[test]
    fn the_passwords_never_print() {
        let webinar =
            NewWebinar::new("Launch", "room").audience_password(SecretString::from("20260301"));
        assert!(!format!("{webinar:?}").contains("20260301"));
    }

    #[test]
    fn room_settings_are_checked() {
        assert!(
            RoomSettings::new()
                .audience_shown(100, 1.5)
                .to_wire()
                .is_ok()
        );
        for bad in [
            RoomSettings::new().audience_shown(100, 1.25),
            RoomSettings::new().audience_shown(100, 11.0),
            RoomSettings::new().audience_shown(10_001, 1.0),
            RoomSettings::new().audience_shown(1, f64::NAN),
            RoomSettings::new().logo("\u{7}"),
        ] {
            assert!(bad.to_wire().is_err(), "{bad:?}");
        }
    }
}
