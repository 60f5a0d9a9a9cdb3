//! Webinars: scheduled on the enterprise's webinar rooms (the seed's `webinar_rooms`),
//! upcoming until their start on the simulator's clock, then in progress as a meeting
//! the control operations reach (lock, mute, end with the chair password), then over
//! when their length has passed or their meeting ended; deleted for good. Their room
//! settings, and the images uploaded for them (what they are, not their pixels).

// The images arrive only with the `uploads` feature (the multipart parser).
#![cfg_attr(not(feature = "uploads"), allow(dead_code))]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use meeting_api::types::{
    CategorySuggestions, CorpVmr, ImageModerationResult, OpenAttendeeEntity, OpenEditConfReq,
    OpenNotifySetting, OpenRoomSetting, OpenRoomSettingShowAudienceMode, OpenScheduleConfReq,
    OpenWebinarHistoryInfo, OpenWebinarInfo, UploadFileResult, WebinarInfo, WebinarState, YesNo,
};

use super::management::resources::administrator;
use super::{Change, Conference, Grant, Page, World};
use crate::errors::{ApiError, Status, codes};
use crate::model::{ConferenceSeed, ConferenceState, WebinarRoomSeed};

/// Webinars the enterprise keeps (scheduled, running and past): a new one beyond
/// makes it forget the webinar that ended first (refused if none has).
pub const MAX_WEBINARS: usize = 10_000;

/// Images kept (the oldest forgotten first).
pub const MAX_IMAGES: usize = 1_000;

/// The largest image UploadFile takes, bytes (the simulator's choice: the pages state
/// no limit).
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// Panelists a webinar names at most.
pub const MAX_PANELISTS: usize = 100;

/// The webinars' page size when none is asked.
const DEFAULT_PAGE: i64 = 10;

/// Where a webinar is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Upcoming,
    Ongoing,
    Over,
}

/// One webinar.
#[derive(Clone, Debug)]
struct Webinar {
    id: String,
    uuid: String,
    organizer: String,
    request: OpenScheduleConfReq,
    /// Start, minutes since the epoch (UTC).
    start_minute: i64,
    phase: Phase,
    /// When it started and ended, ms since the epoch.
    started_ms: Option<i64>,
    ended_ms: Option<i64>,
    chair_password: String,
    guest_password: String,
    audience_password: String,
    room: OpenRoomSetting,
}

impl Webinar {
    fn start_ms(&self) -> i64 {
        self.start_minute.saturating_mul(60_000)
    }

    fn end_ms(&self) -> i64 {
        self.start_ms()
            .saturating_add(i64::from(self.request.duration).saturating_mul(60_000))
    }

    fn managed_by(&self, by: &Grant) -> bool {
        by.admin || self.organizer == by.subject
    }

    /// Matches a list's `searchKey`: the subject, the organizer, the ID, a panelist's
    /// account, name, phone or email.
    fn matches(&self, search: Option<&str>) -> bool {
        let Some(text) = search.map(str::to_lowercase) else {
            return true;
        };
        let has = |field: &str| field.to_lowercase().contains(&text);
        has(&self.request.subject)
            || has(&self.organizer)
            || has(&self.id)
            || self.request.attendees.iter().any(|a| {
                [&a.user_account, &a.user_name, &a.phone, &a.email]
                    .into_iter()
                    .flatten()
                    .any(|f| has(f))
            })
    }

    fn join_uri(&self, role: &str) -> String {
        format!(
            "https://meeting.example.invalid/webinar/{}?role={role}",
            self.id
        )
    }
}

/// The webinars, their rooms and the images uploaded.
#[derive(Debug, Default)]
pub(super) struct Webinars {
    rooms: Vec<WebinarRoomSeed>,
    by_id: BTreeMap<String, Webinar>,
    /// No webinar to come starts before this (ms; `None`: not known since a create or
    /// an update), so the clock's check on every request skips reading them all.
    next_start_ms: Option<i64>,
    /// The webinars in progress: few (a room holds one at a time), checked on every
    /// request for their end.
    ongoing: BTreeSet<String>,
    /// The IDs of the images uploaded (what they were is checked on upload; their
    /// pixels are not kept).
    images: VecDeque<String>,
}

/// What an uploaded file is, by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Bmp,
}

impl ImageKind {
    /// The kind of image `head` (a file's first bytes) starts, if any.
    pub fn of(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if head.starts_with(b"BM") {
            Some(Self::Bmp)
        } else {
            None
        }
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        Status::BadRequest,
        codes::MEETING_NOT_FOUND,
        format!("webinar {id} does not exist"),
    )
}

fn forbidden(id: &str) -> ApiError {
    ApiError::new(
        Status::Forbidden,
        codes::NO_PERMISSION,
        format!("only the organizer or an administrator may manage webinar {id}"),
    )
}

/// 4 to 16 digits, or generated (6) when not given.
fn password(given: Option<&str>, what: &str) -> Result<String, ApiError> {
    match given {
        None => Ok(format!("{:06}", rand::random_range(0..1_000_000u32))),
        Some(p) if (4..=16).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(p.to_owned())
        }
        Some(_) => Err(ApiError::bad_request(format!("{what} is 4 to 16 digits"))),
    }
}

/// The fields CreateWebinar and UpdateWebinar share, checked.
struct Schedule<'a> {
    subject: &'a str,
    description: Option<&'a str>,
    start_time: &'a str,
    duration: i32,
    attendees: &'a [OpenAttendeeEntity],
    scope: Option<i32>,
    audience_scope: Option<i32>,
}

impl Schedule<'_> {
    /// The start minute, or what is wrong.
    fn check(&self, now_ms: i64) -> Result<i64, ApiError> {
        let subject = self.subject.trim();
        if subject.is_empty() || subject.chars().count() > 128 {
            return Err(ApiError::bad_request("subject is 1 to 128 characters"));
        }
        if self.description.is_some_and(|d| d.chars().count() > 1000) {
            return Err(ApiError::bad_request(
                "description is at most 1000 characters",
            ));
        }
        if !(15..=1440).contains(&self.duration) {
            return Err(ApiError::bad_request("duration is 15 to 1440 minutes"));
        }
        let start = crate::calendar::parse(self.start_time)
            .ok_or_else(|| ApiError::bad_request("startTime is yyyy-MM-dd HH:mm (UTC)"))?;
        if start < now_ms.div_euclid(60_000) {
            return Err(ApiError::bad_request("startTime is in the past"));
        }
        if self.attendees.len() > MAX_PANELISTS {
            return Err(ApiError::bad_request(format!(
                "at most {MAX_PANELISTS} panelists"
            )));
        }
        let named = |a: &OpenAttendeeEntity| {
            [&a.user_account, &a.user_name, &a.phone, &a.email, &a.sms]
                .into_iter()
                .flatten()
                .any(|f| !f.trim().is_empty())
        };
        if !self.attendees.iter().all(named) {
            return Err(ApiError::bad_request(
                "a panelist has an account, a name, a phone or an email",
            ));
        }
        if self.scope.is_some_and(|s| ![0, 2, 3].contains(&s)) {
            return Err(ApiError::bad_request("scope is 0, 2 or 3"));
        }
        if self.audience_scope.is_some_and(|s| ![0, 2].contains(&s)) {
            return Err(ApiError::bad_request("audienceScope is 0 or 2"));
        }
        Ok(start)
    }
}

impl World {
    /// The seed's webinar rooms.
    pub(super) fn seed_webinar_rooms(&mut self, rooms: Vec<WebinarRoomSeed>) {
        for room in rooms {
            self.webinars.rooms.retain(|r| r.id != room.id);
            self.webinars.rooms.push(room);
        }
    }

    /// SearchCorpVmr, for an administrator: the enterprise's rooms of `mode` (1, the
    /// default: meeting rooms, which the simulator schedules without; 2: the webinar
    /// rooms) in `status` (all in service), whose name or ID holds `search`; their
    /// count and a page.
    pub fn corp_rooms(
        &self,
        by: &Grant,
        mode: Option<i64>,
        status: Option<i64>,
        search: Option<&str>,
        page: Page,
    ) -> Result<(usize, Vec<CorpVmr>), ApiError> {
        administrator(by, "the enterprise's cloud meeting rooms")?;
        let webinar = match mode {
            None | Some(1) => false,
            Some(2) => true,
            Some(_) => return Err(ApiError::bad_request("vmrMode is 1 or 2")),
        };
        if !matches!(status, None | Some(0..=2)) {
            return Err(ApiError::bad_request("status is 0, 1 or 2"));
        }
        let search = search.map(str::to_lowercase);
        let rooms: Vec<&WebinarRoomSeed> = (webinar && matches!(status, None | Some(0)))
            .then_some(&self.webinars.rooms)
            .into_iter()
            .flatten()
            .filter(|r| {
                search.as_ref().is_none_or(|s| {
                    r.name.to_lowercase().contains(s) || r.id.to_lowercase().contains(s)
                })
            })
            .collect();
        let data = page.take(rooms.iter()).into_iter().map(|r| CorpVmr {
            id: Some(r.id.clone()),
            vmr_name: Some(r.name.clone()),
            vmr_pkg_name: Some(r.name.clone()),
            max_audience_parties: i32::try_from(r.audience).ok(),
            status: Some(0),
            ..CorpVmr::default()
        });
        Ok((rooms.len(), data.collect()))
    }

    /// Moves the webinars along the clock: those whose start came begin (a meeting with
    /// the chair password appears), those whose length passed or whose meeting ended are
    /// over. Called before every webinar call and with each request's clock reading.
    pub(crate) fn advance_webinars(&mut self) {
        let now_ms = self.now_ms;
        if self
            .webinars
            .next_start_ms
            .is_none_or(|next| next <= now_ms)
        {
            let mut next = i64::MAX;
            let mut due = Vec::new();
            for w in self.webinars.by_id.values() {
                match w.phase {
                    Phase::Upcoming if w.start_ms() <= now_ms => due.push(w.id.clone()),
                    Phase::Upcoming => next = next.min(w.start_ms()),
                    Phase::Ongoing | Phase::Over => {}
                }
            }
            self.webinars.next_start_ms = Some(next);
            for id in due {
                self.start_webinar(&id);
            }
        }
        if self.webinars.ongoing.is_empty() {
            return;
        }
        for id in self.webinars.ongoing.clone() {
            let Some(w) = self.webinars.by_id.get(&id) else {
                self.webinars.ongoing.remove(&id);
                continue;
            };
            let running = self
                .conferences
                .get(&id)
                .is_some_and(|c| c.state == ConferenceState::Ongoing);
            if running && now_ms >= w.end_ms() {
                // Its length passed: its meeting ends as StopMeeting would end it.
                let _ = self.stop(&id);
            }
            let still = self
                .conferences
                .get(&id)
                .is_some_and(|c| c.state == ConferenceState::Ongoing);
            if !still && let Some(w) = self.webinars.by_id.get_mut(&id) {
                w.phase = Phase::Over;
                w.ended_ms = Some(now_ms.min(w.end_ms()));
                self.webinars.ongoing.remove(&id);
            }
        }
    }

    /// Starts webinar `id`: a meeting with the chair password appears.
    fn start_webinar(&mut self, id: &str) {
        let Some(w) = self.webinars.by_id.get_mut(id) else {
            return;
        };
        let seed = ConferenceSeed::new(
            id.to_owned(),
            w.chair_password.clone(),
            ConferenceState::Ongoing,
        )
        .organizer(w.organizer.clone());
        let mut conference = Conference::from(seed);
        conference.subject = Some(w.request.subject.clone());
        conference.started_ms = w.start_ms();
        conference.start_minutes = Some(w.start_minute);
        conference.length_minutes = u32::try_from(w.request.duration).unwrap_or(30);
        conference.guest_password = Some(w.guest_password.clone());
        conference.sync_attendance(self.now_ms);
        w.phase = Phase::Ongoing;
        w.started_ms = Some(w.start_ms());
        self.webinars.ongoing.insert(id.to_owned());
        self.conferences.insert(id.to_owned(), conference);
        // Announced as StartMeeting announces a meeting it starts.
        self.changed(Change::Meeting(id.to_owned()));
    }

    fn webinar(&self, id: &str, by: &Grant) -> Result<&Webinar, ApiError> {
        let w = self.webinars.by_id.get(id).ok_or_else(|| not_found(id))?;
        if !w.managed_by(by) {
            return Err(forbidden(id));
        }
        Ok(w)
    }

    /// The room `vmr_id` names, if it is one of the enterprise's webinar rooms.
    fn webinar_room(&self, vmr_id: &str) -> Result<&WebinarRoomSeed, ApiError> {
        self.webinars
            .rooms
            .iter()
            .find(|r| r.id == vmr_id)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "vmrID {} is not one of the enterprise's webinar rooms",
                    vmr_id.escape_debug()
                ))
            })
    }

    /// Whether another webinar not over holds `room` over the minutes `from..to`.
    fn room_taken(&self, room: &str, from: i64, to: i64, except: Option<&str>) -> bool {
        self.webinars.by_id.values().any(|w| {
            w.request.vmr_id == room
                && w.phase != Phase::Over
                && Some(w.id.as_str()) != except
                && w.start_minute < to
                && from < w.start_minute + i64::from(w.request.duration)
        })
    }

    /// CreateWebinar.
    pub fn create_webinar(
        &mut self,
        by: &Grant,
        request: &OpenScheduleConfReq,
    ) -> Result<WebinarInfo, ApiError> {
        self.advance_webinars();
        let start = Schedule {
            subject: &request.subject,
            description: request.description.as_deref(),
            start_time: &request.start_time,
            duration: request.duration,
            attendees: &request.attendees,
            scope: request.scope,
            audience_scope: request.audience_scope,
        }
        .check(self.now_ms)?;
        self.webinar_room(&request.vmr_id)?;
        let end = start + i64::from(request.duration);
        if self.room_taken(&request.vmr_id, start, end, None) {
            return Err(ApiError::bad_request(
                "the webinar room holds another webinar then",
            ));
        }
        if self.webinars.by_id.len() >= MAX_WEBINARS {
            // Full: the webinar that ended first is forgotten; with none over, refused.
            let oldest = self
                .webinars
                .by_id
                .values()
                .filter(|w| w.phase == Phase::Over)
                .min_by_key(|w| w.ended_ms)
                .map(|w| w.id.clone())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "the enterprise has {MAX_WEBINARS} webinars to come or in progress"
                    ))
                })?;
            self.webinars.by_id.remove(&oldest);
        }
        let id = loop {
            let id = rand::random_range(960_000_000u32..970_000_000).to_string();
            if !self.webinars.by_id.contains_key(&id) && !self.conferences.contains_key(&id) {
                break id;
            }
        };
        let webinar = Webinar {
            id: id.clone(),
            uuid: hex::encode(rand::random::<[u8; 16]>()),
            organizer: by.subject.clone(),
            guest_password: password(request.guest_passwd.as_deref(), "guestPasswd")?,
            audience_password: password(request.audience_passwd.as_deref(), "audiencePasswd")?,
            chair_password: password(None, "")?,
            request: request.clone(),
            start_minute: start,
            phase: Phase::Upcoming,
            started_ms: None,
            ended_ms: None,
            room: OpenRoomSetting {
                show_audience_mode: Some(OpenRoomSettingShowAudienceMode::RealTime),
                is_redouble_open: Some(YesNo::Y),
                base_audience_count: Some(0),
                multiple: Some(1.0),
                ..OpenRoomSetting::default()
            },
        };
        let info = self.webinar_info(&webinar);
        self.webinars.by_id.insert(id, webinar);
        self.webinars.next_start_ms = None;
        Ok(info)
    }

    /// UpdateWebinar: a webinar not yet started, said again.
    pub fn update_webinar(
        &mut self,
        by: &Grant,
        request: &OpenEditConfReq,
    ) -> Result<(), ApiError> {
        self.advance_webinars();
        let id = request.conference_id.as_str();
        let current = self.webinar(id, by)?;
        if current.phase != Phase::Upcoming {
            return Err(ApiError::bad_request(format!(
                "webinar {id} has started: it cannot change"
            )));
        }
        let start = Schedule {
            subject: &request.subject,
            description: request.description.as_deref(),
            start_time: &request.start_time,
            duration: request.duration,
            attendees: &request.attendees,
            scope: request.scope,
            audience_scope: request.audience_scope,
        }
        .check(self.now_ms)?;
        let room = current.request.vmr_id.clone();
        if self.room_taken(&room, start, start + i64::from(request.duration), Some(id)) {
            return Err(ApiError::bad_request(
                "the webinar room holds another webinar then",
            ));
        }
        let guest = request
            .guest_passwd
            .as_deref()
            .map(|p| password(Some(p), "guestPasswd"))
            .transpose()?;
        let audience = request
            .audience_passwd
            .as_deref()
            .map(|p| password(Some(p), "audiencePasswd"))
            .transpose()?;
        let Some(w) = self.webinars.by_id.get_mut(id) else {
            return Err(not_found(id));
        };
        w.request = OpenScheduleConfReq {
            subject: request.subject.clone(),
            description: request.description.clone(),
            start_time: request.start_time.clone(),
            duration: request.duration,
            time_zone_id: request.time_zone_id,
            attendees: request.attendees.clone(),
            notify_setting: request.notify_setting.clone(),
            vmr_id: room,
            guest_passwd: None,
            audience_passwd: None,
            call_restriction: request.call_restriction,
            scope: request.scope,
            audience_scope: request.audience_scope,
            enable_recording: request.enable_recording,
            live_address: request.live_address.clone(),
            aux_address: request.aux_address.clone(),
            live_url: request.live_url.clone(),
        };
        w.start_minute = start;
        self.webinars.next_start_ms = None;
        if let Some(guest) = guest {
            w.guest_password = guest;
        }
        if let Some(audience) = audience {
            w.audience_password = audience;
        }
        Ok(())
    }

    /// ShowWebinar.
    pub fn show_webinar(&mut self, by: &Grant, id: &str) -> Result<WebinarInfo, ApiError> {
        self.advance_webinars();
        let w = self.webinar(id, by)?;
        Ok(self.webinar_info(w))
    }

    /// DeleteWebinar: one that runs ends first; then it is gone, and a repeat fails.
    pub fn delete_webinar(&mut self, by: &Grant, id: &str) -> Result<(), ApiError> {
        self.advance_webinars();
        let phase = self.webinar(id, by)?.phase;
        if phase == Phase::Ongoing {
            self.stop(id)?;
        }
        self.webinars.by_id.remove(id);
        Ok(())
    }

    /// The webinars in `phase` the caller sees (an administrator: all; others: their
    /// own) matching `search`, by start time, and the page asked (past the end: the
    /// last one).
    fn webinars_in(
        &self,
        by: &Grant,
        phase: Phase,
        search: Option<&str>,
        descending: bool,
        page: (Option<i64>, Option<i64>),
        started: Option<(i64, i64)>,
    ) -> Result<(usize, Vec<&Webinar>), ApiError> {
        let page = Page::new(page.0, Some(page.1.unwrap_or(DEFAULT_PAGE)))?;
        let mut found: Vec<&Webinar> = self
            .webinars
            .by_id
            .values()
            .filter(|w| w.phase == phase && w.managed_by(by) && w.matches(search))
            .filter(|w| started.is_none_or(|(from, to)| (from..=to).contains(&w.start_minute)))
            .collect();
        found.sort_by_key(|w| (w.start_minute, w.id.clone()));
        if descending {
            found.reverse();
        }
        let count = found.len();
        let offset = if page.offset >= count && count > 0 {
            (count - 1) / page.limit * page.limit
        } else {
            page.offset
        };
        let page = Page {
            offset,
            limit: page.limit,
        };
        Ok((count, page.take(found.into_iter())))
    }

    /// ListUpComingWebinars and (`running`) ListOngoingWebinars: each list with its
    /// own fields (the length of those to come; who is online in those that run).
    pub fn webinar_list(
        &mut self,
        by: &Grant,
        running: bool,
        search: Option<&str>,
        descending: bool,
        page: (Option<i64>, Option<i64>),
    ) -> Result<(usize, Vec<OpenWebinarInfo>), ApiError> {
        self.advance_webinars();
        let phase = if running {
            Phase::Ongoing
        } else {
            Phase::Upcoming
        };
        let (count, found) = self.webinars_in(by, phase, search, descending, page, None)?;
        let data = found
            .into_iter()
            .map(|w| OpenWebinarInfo {
                conference_id: Some(w.id.clone()),
                conf_uuid: running.then(|| w.uuid.clone()),
                corp_id: Some(super::ENTERPRISE_ID.to_owned()),
                subject: Some(w.request.subject.clone()),
                description: w.request.description.clone(),
                start_time: Some(crate::calendar::format(w.start_minute)),
                duration: (!running).then_some(w.request.duration),
                time_zone_id: w.request.time_zone_id,
                scheduser_id: Some(w.organizer.clone()),
                dept_name: None,
                scheduser_name: Some(w.organizer.clone()),
                vmr_pkg_name: self.room_name(&w.request.vmr_id),
                online_attendee_count: running
                    .then(|| self.conferences.get(&w.id))
                    .flatten()
                    .map(|c| i32::try_from(c.participants.len()).unwrap_or(i32::MAX)),
                chair_join_uri: Some(w.join_uri("chair")),
                chair_passwd: Some(w.chair_password.clone()),
                guest_join_uri: Some(w.join_uri("guest")),
                guest_passwd: Some(w.guest_password.clone()),
                audience_join_uri: Some(w.join_uri("audience")),
                audience_passwd: Some(w.audience_password.clone()),
            })
            .collect();
        Ok((count, data))
    }

    /// ListHistoryWebinars: those over that started within `from..=to` (minutes since
    /// the epoch), when given.
    pub fn history_webinars(
        &mut self,
        by: &Grant,
        search: Option<&str>,
        descending: bool,
        page: (Option<i64>, Option<i64>),
        started: Option<(i64, i64)>,
    ) -> Result<(usize, Vec<OpenWebinarHistoryInfo>), ApiError> {
        self.advance_webinars();
        let (count, found) =
            self.webinars_in(by, Phase::Over, search, descending, page, started)?;
        let minute = |ms: i64| crate::calendar::format(ms.div_euclid(60_000));
        let data = found
            .into_iter()
            .map(|w| {
                let stays = self
                    .conferences
                    .get(&w.id)
                    .map_or(0, |c| c.attendance.len());
                let started = w.started_ms.unwrap_or(w.start_ms());
                let ended = w.ended_ms.unwrap_or(started);
                OpenWebinarHistoryInfo {
                    conference_id: Some(w.id.clone()),
                    conf_uuid: Some(w.uuid.clone()),
                    subject: Some(w.request.subject.clone()),
                    scheduser_name: Some(w.organizer.clone()),
                    moderator: Some(w.organizer.clone()),
                    dept_name: None,
                    time_zone_id: w.request.time_zone_id,
                    start_time: Some(crate::calendar::format(w.start_minute)),
                    duration: Some(w.request.duration),
                    actual_start_time: Some(minute(started)),
                    end_time: Some(minute(ended)),
                    actual_duration: i32::try_from((ended - started).max(0) / 60_000).ok(),
                    attendee_count: i32::try_from(stays).ok(),
                    chair_count: Some(0),
                    guest_count: i32::try_from(stays).ok(),
                    audience_count: Some(0),
                    vmr_id: Some(w.request.vmr_id.clone()),
                    vmr_pkg_audience_parties: self
                        .webinar_room(&w.request.vmr_id)
                        .ok()
                        .and_then(|r| i32::try_from(r.audience).ok()),
                    vmr_pkg_name: self.room_name(&w.request.vmr_id),
                }
            })
            .collect();
        Ok((count, data))
    }

    /// ShowRoomSetting.
    pub fn room_settings(&mut self, by: &Grant, id: &str) -> Result<OpenRoomSetting, ApiError> {
        self.advance_webinars();
        Ok(self.webinar(id, by)?.room.clone())
    }

    /// UpdateRoomSetting: the settings given replace those kept. The images must be
    /// files uploaded here; the figures within their ranges.
    pub fn set_room_settings(
        &mut self,
        by: &Grant,
        id: &str,
        settings: &OpenRoomSetting,
    ) -> Result<(), ApiError> {
        self.advance_webinars();
        self.webinar(id, by)?;
        for (name, file) in [
            ("cropLogoId", &settings.crop_logo_id),
            ("coverPictureId", &settings.cover_picture_id),
        ] {
            if let Some(file) = file
                && !self.webinars.images.contains(file)
            {
                return Err(ApiError::bad_request(format!(
                    "{name} {} is not a file uploaded (UploadFile)",
                    file.escape_debug()
                )));
            }
        }
        if settings
            .base_audience_count
            .is_some_and(|n| !(0..=10_000).contains(&n))
        {
            return Err(ApiError::bad_request("baseAudienceCount is 0 to 10000"));
        }
        if let Some(m) = settings.multiple
            && !(m.is_finite()
                && (0.0..=10.0).contains(&m)
                && ((m * 10.0).round() - m * 10.0).abs() < 1e-9)
        {
            return Err(ApiError::bad_request(
                "multiple is 0 to 10, with one decimal at most",
            ));
        }
        if settings
            .room_introduce
            .as_ref()
            .is_some_and(|t| t.chars().count() > 2000)
        {
            return Err(ApiError::bad_request(
                "roomIntroduce is at most 2000 characters",
            ));
        }
        let Some(w) = self.webinars.by_id.get_mut(id) else {
            return Err(not_found(id));
        };
        let kept = &mut w.room;
        let replace = |kept: &mut Option<_>, given: &Option<_>| {
            if given.is_some() {
                kept.clone_from(given);
            }
        };
        replace(&mut kept.room_introduce, &settings.room_introduce);
        replace(&mut kept.crop_logo_id, &settings.crop_logo_id);
        replace(&mut kept.cover_picture_id, &settings.cover_picture_id);
        if settings.show_audience_mode.is_some() {
            kept.show_audience_mode = settings.show_audience_mode;
        }
        if settings.is_redouble_open.is_some() {
            kept.is_redouble_open = settings.is_redouble_open;
        }
        if settings.base_audience_count.is_some() {
            kept.base_audience_count = settings.base_audience_count;
        }
        if settings.multiple.is_some() {
            kept.multiple = settings.multiple;
        }
        Ok(())
    }

    /// UploadFile: an image (its kind and size checked by the caller, [`ImageKind`],
    /// [`MAX_IMAGE_BYTES`]) is kept; its file ID, and a moderation that passes it.
    pub fn upload_image(&mut self) -> UploadFileResult {
        let id = hex::encode(rand::random::<[u8; 16]>());
        if self.webinars.images.len() >= MAX_IMAGES {
            self.webinars.images.pop_front();
        }
        self.webinars.images.push_back(id.clone());
        let pass = || Some("pass".to_owned());
        UploadFileResult {
            file_id: Some(id),
            image_moderation: Some(ImageModerationResult {
                suggestion: pass(),
                category_suggestions: Some(CategorySuggestions {
                    politics: pass(),
                    terrorism: pass(),
                    porn: pass(),
                }),
            }),
        }
    }

    fn room_name(&self, vmr_id: &str) -> Option<String> {
        self.webinar_room(vmr_id).ok().map(|r| r.name.clone())
    }

    fn webinar_info(&self, w: &Webinar) -> WebinarInfo {
        let r = &w.request;
        WebinarInfo {
            conference_id: Some(w.id.clone()),
            corp_id: Some(super::ENTERPRISE_ID.to_owned()),
            subject: Some(r.subject.clone()),
            description: r.description.clone(),
            start_time: Some(crate::calendar::format(w.start_minute)),
            duration: Some(r.duration),
            time_zone_id: r.time_zone_id,
            state: Some(match w.phase {
                Phase::Upcoming => WebinarState::Schedule,
                Phase::Ongoing => WebinarState::Created,
                Phase::Over => WebinarState::Destroyed,
            }),
            scheduser_id: Some(w.organizer.clone()),
            dept_name: None,
            scheduser_name: Some(w.organizer.clone()),
            vmr_pkg_name: self.room_name(&r.vmr_id),
            call_restriction: r.call_restriction,
            scope: r.scope,
            audience_scope: r.audience_scope,
            chair_join_uri: Some(w.join_uri("chair")),
            chair_passwd: Some(w.chair_password.clone()),
            guest_join_uri: Some(w.join_uri("guest")),
            guest_passwd: Some(w.guest_password.clone()),
            audience_join_uri: Some(w.join_uri("audience")),
            audience_passwd: Some(w.audience_password.clone()),
            enable_recording: r.enable_recording,
            live_address: r.live_address.clone(),
            aux_address: r.aux_address.clone(),
            live_url: r.live_url.clone(),
            notify_setting: r.notify_setting.clone().or(Some(OpenNotifySetting {
                enable_calendar: Some("N".to_owned()),
                enable_sms: Some("N".to_owned()),
                enable_email: Some("N".to_owned()),
            })),
            attendees: r
                .attendees
                .iter()
                .filter_map(|a| a.user_name.clone().or_else(|| a.user_account.clone()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{ADMIN, WEBINAR_ROOM};
    use crate::model::Seed;

    fn admin() -> Grant {
        Grant {
            subject: ADMIN.to_owned(),
            admin: true,
            expires_ms: i64::MAX,
        }
    }

    fn request(subject: &str, start: &str) -> OpenScheduleConfReq {
        OpenScheduleConfReq {
            subject: subject.to_owned(),
            description: None,
            start_time: start.to_owned(),
            duration: 30,
            time_zone_id: None,
            attendees: Vec::new(),
            notify_setting: None,
            vmr_id: WEBINAR_ROOM.to_owned(),
            guest_passwd: None,
            audience_passwd: None,
            call_restriction: None,
            scope: None,
            audience_scope: None,
            enable_recording: None,
            live_address: None,
            aux_address: None,
            live_url: None,
        }
    }

    /// A webinar starts and ends on the clock, at the start its last update gave it, and
    /// is over once its meeting ends; between starts the clock's check reads none.
    #[test]
    fn webinars_follow_the_clock() {
        let mut world = World::default();
        world.seed(Seed::example());
        let id = |info: WebinarInfo| info.conference_id.expect("an ID");
        let moved = id(world
            .create_webinar(&admin(), &request("Moved", "2030-01-01 10:00"))
            .expect("scheduled"));
        let start = world.webinars.by_id[&moved].start_ms();
        world.set_now(start - 7_200_000);
        world.advance_webinars();
        assert_eq!(world.webinars.next_start_ms, Some(start));

        let mut edit = serde_json::to_value(request("Moved", "2030-01-01 09:30")).expect("JSON");
        edit["conferenceId"] = moved.clone().into();
        let edit: OpenEditConfReq = serde_json::from_value(edit).expect("an edit");
        world.update_webinar(&admin(), &edit).expect("updated");
        let earlier = start - 1_800_000;
        world.set_now(earlier);
        world.advance_webinars();
        assert_eq!(world.webinars.by_id[&moved].phase, Phase::Ongoing);
        assert!(world.conferences.contains_key(&moved), "its meeting runs");
        assert_eq!(world.webinars.next_start_ms, Some(i64::MAX), "none to come");

        world.set_now(earlier + 30 * 60_000);
        world.advance_webinars();
        assert_eq!(world.webinars.by_id[&moved].phase, Phase::Over);
        assert!(world.webinars.ongoing.is_empty());

        // Ended by its meeting's end (StopMeeting), before its length passed.
        let stopped = id(world
            .create_webinar(&admin(), &request("Stopped", "2030-01-02 10:00"))
            .expect("scheduled"));
        let start = world.webinars.by_id[&stopped].start_ms();
        world.set_now(start);
        world.advance_webinars();
        assert_eq!(world.webinars.by_id[&stopped].phase, Phase::Ongoing);
        world.stop(&stopped).expect("stopped");
        world.set_now(start + 60_000);
        world.advance_webinars();
        let w = &world.webinars.by_id[&stopped];
        assert_eq!((w.phase, w.ended_ms), (Phase::Over, Some(start + 60_000)));
        assert!(world.webinars.ongoing.is_empty());
    }

    /// A full enterprise forgets the webinar that ended first to keep a new one; full
    /// of webinars not over, it refuses.
    #[test]
    fn the_webinars_kept_are_bounded() {
        let mut world = World::default();
        world.seed(Seed::example());
        let first = world
            .create_webinar(&admin(), &request("First", "2030-01-01 10:00"))
            .expect("scheduled");
        let template = world.webinars.by_id.values().next().cloned().expect("one");
        for i in 0..MAX_WEBINARS - 1 {
            let mut w = template.clone();
            w.id = format!("9{i:08}");
            w.phase = Phase::Over;
            w.ended_ms = Some(1_000 + i as i64);
            world.webinars.by_id.insert(w.id.clone(), w);
        }
        let oldest = "900000000";
        assert!(world.webinars.by_id.contains_key(oldest));
        world
            .create_webinar(&admin(), &request("Next", "2030-01-02 10:00"))
            .expect("kept");
        assert_eq!(world.webinars.by_id.len(), MAX_WEBINARS);
        assert!(
            !world.webinars.by_id.contains_key(oldest),
            "the first over is forgotten"
        );
        let first_id = first.conference_id.expect("an ID");
        assert!(
            world.webinars.by_id.contains_key(&first_id),
            "one to come stays"
        );
        for w in world.webinars.by_id.values_mut() {
            w.phase = Phase::Upcoming;
        }
        let refused = world
            .create_webinar(&admin(), &request("Refused", "2031-01-01 10:00"))
            .expect_err("full");
        assert!(
            refused.message.contains("to come or in progress"),
            "{}",
            refused.message
        );
    }
}
