//! Scheduling: create, cancel (or end), and the details of a meeting.

pub(super) mod resources;
pub(super) mod series;

use meeting_api::types::{ConferenceDetail, ConferenceInfo, RestScheduleConfDto};

use super::{Change, Conference, DEFAULT_LENGTH_MINUTES, Grant, World};
use crate::errors::{ApiError, Status, codes};
use crate::model::{ConferenceSeed, ConferenceState};

/// The public address of the simulator's one region (documentation's range, RFC 5737).
pub const REGION_IP: &str = "192.0.2.10";
/// Its public domain (a reserved name, RFC 2606).
pub const REGION_URL: &str = "region-1.meeting.example";

impl World {
    /// CancelMeeting: cancels a scheduled meeting, or with `end_ongoing` ends one in
    /// progress; its control tokens die with it.
    pub fn cancel(&mut self, id: &str, by: &Grant, end_ongoing: bool) -> Result<(), ApiError> {
        let conference = self
            .conferences
            .get_mut(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if !conference.managed_by(by) {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::NO_PERMISSION,
                format!("only the organizer or an administrator may cancel meeting {id}"),
            ));
        }
        conference.state = match conference.state {
            ConferenceState::Scheduled => ConferenceState::Cancelled,
            ConferenceState::Ongoing if end_ongoing => {
                conference.stop_broadcasting(self.now_ms);
                ConferenceState::Ended
            }
            ConferenceState::Ongoing => {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::REQUEST_ERROR,
                    format!("meeting {id} is in progress: pass type=1 to end it"),
                ));
            }
            ConferenceState::Ended | ConferenceState::Cancelled => {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::NOT_IN_PROGRESS,
                    format!("meeting {id} has already ended or been cancelled"),
                ));
            }
        };
        self.revoke_control(id);
        if conference_ended(self, id) {
            self.end_occurrence(id);
        }
        self.changed(Change::Ended(id.to_owned()));
        Ok(())
    }

    /// StartMeeting: a scheduled meeting starts, authorized by its host password (one in
    /// progress stays so); the public address of its region.
    pub fn start(&mut self, id: &str, password: &str) -> Result<&'static str, ApiError> {
        let conference = self
            .conferences
            .get(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if password.is_empty() || password != conference.host_password {
            return Err(ApiError::auth_failed("the host password is wrong"));
        }
        if self.begin(id)? {
            self.changed(Change::Meeting(id.to_owned()));
        }
        Ok(REGION_IP)
    }

    /// ShowRegionInfoOfMeeting: where a meeting in progress is held (its address and
    /// domain).
    pub fn region(&self, id: &str) -> Result<(&'static str, &'static str), ApiError> {
        self.conference(id)?;
        Ok((REGION_IP, REGION_URL))
    }

    /// A scheduled meeting starts (StartMeeting, or a first participant joining):
    /// whether it did now. One in progress stays so; one that is over cannot.
    pub(in crate::world) fn begin(&mut self, id: &str) -> Result<bool, ApiError> {
        let now_ms = self.now_ms;
        let conference = self
            .conferences
            .get_mut(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        match conference.state {
            ConferenceState::Scheduled => {
                conference.state = ConferenceState::Ongoing;
                conference.started_ms = now_ms;
                Ok(true)
            }
            ConferenceState::Ongoing => Ok(false),
            ConferenceState::Ended | ConferenceState::Cancelled => {
                Err(ApiError::not_in_progress(id))
            }
        }
    }

    /// CreateMeeting: a scheduled meeting with a new ID and host and guest passwords,
    /// organized by `by`.
    pub fn create_meeting(
        &mut self,
        by: &Grant,
        request: &RestScheduleConfDto,
        now_ms: i64,
    ) -> Result<ConferenceInfo, ApiError> {
        let length = request.length.unwrap_or(30);
        if !(15..=1440).contains(&length) {
            return Err(ApiError::bad_request("length must be 15 to 1440 minutes"));
        }
        if request.media_types.trim().is_empty() {
            return Err(ApiError::bad_request("mediaTypes is required"));
        }
        let start = match &request.start_time {
            Some(text) => crate::calendar::parse(text)
                .ok_or_else(|| ApiError::bad_request("startTime must be YYYY-MM-DD HH:MM (UTC)"))?,
            None => now_ms.div_euclid(60_000),
        };
        let id = loop {
            let id = rand::random_range(100_000_000u32..1_000_000_000).to_string();
            if !self.conferences.contains_key(&id) {
                break id;
            }
        };
        let password = || format!("{:06}", rand::random_range(0..1_000_000u32));
        let mut conference = Conference::from(ConferenceSeed::new(
            id.clone(),
            password(),
            ConferenceState::Scheduled,
        ));
        conference.organizer = Some(by.subject.clone());
        conference.length_minutes = u32::try_from(length).unwrap_or(DEFAULT_LENGTH_MINUTES);
        conference.subject = request.subject.as_ref().map(|s| s.to_string());
        conference.start_minutes = Some(start);
        conference.media_types = Some(request.media_types.clone());
        conference.guest_password = Some(password());
        conference.interpretation.offered =
            request.support_simultaneous_interpretation.unwrap_or(false);
        let info = conference.info(true);
        self.conferences.insert(id.clone(), conference);
        self.changed(Change::Scheduled(id));
        Ok(info)
    }

    /// ShowMeetingDetail: for its organizer or an administrator, with the passwords.
    pub fn detail(&self, id: &str, by: &Grant) -> Result<ConferenceDetail, ApiError> {
        let conference = self
            .conferences
            .get(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if !conference.managed_by(by) {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::NO_PERMISSION,
                format!("only the organizer or an administrator may see meeting {id}"),
            ));
        }
        Ok(ConferenceDetail {
            conference_data: Some(conference.info(true)),
        })
    }
}

/// Whether conference `id` ended (rather than being cancelled).
fn conference_ended(world: &World, id: &str) -> bool {
    world
        .conferences
        .get(id)
        .is_some_and(|c| c.state == ConferenceState::Ended)
}
