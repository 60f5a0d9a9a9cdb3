//! The meeting in progress as a whole: lock, settings, who is in it, muting everyone,
//! prolonging, stopping.

use meeting_api::types::{
    RealTimeConfInfo, RealTimeInfo, RealTimeParticipant, UpdateStartedConfigReqBody,
};

use super::{Change, DEFAULT_PROLONG_MINUTES, World};
use crate::errors::ApiError;
use crate::model::ConferenceState;

impl World {
    /// LockMeeting.
    pub fn lock(&mut self, id: &str, locked: bool) -> Result<(), ApiError> {
        self.ongoing_mut(id)?.locked = locked;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// UpdateStartedConfConfig: only the fields the update sets.
    pub fn update_settings(
        &mut self,
        id: &str,
        update: &UpdateStartedConfigReqBody,
    ) -> Result<(), ApiError> {
        if *update == UpdateStartedConfigReqBody::default() {
            return Err(ApiError::bad_request(
                "no setting given: send at least one field",
            ));
        }
        let conference = self.ongoing_mut(id)?;
        conference.settings = conference.settings.updated(update)?;
        if let Some(is_lock) = &update.is_lock {
            conference.locked = **is_lock == 1;
        }
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// ShowRealTimeInfoOfMeeting: who is online, who was invited, who hosts.
    pub fn live(&self, id: &str) -> Result<RealTimeInfo, ApiError> {
        let conference = self.conference(id)?;
        let participants = conference
            .participants
            .iter()
            .map(|p| RealTimeParticipant {
                pid: p.seed.id.clone(),
                name: p.seed.name.clone(),
                phone: p.phone.clone(),
                state: Some(0),
                video: Some(i32::from(!p.flags.camera_off)),
                mute: Some(i32::from(p.muted)),
                hand: Some(i32::from(p.flags.hand_raised)),
            })
            .collect();
        let chair = conference.participants.iter().find(|p| p.seed.host);
        Ok(RealTimeInfo {
            participants,
            attendees: Vec::new(),
            conf_info: Some(RealTimeConfInfo {
                chair_id: chair.map(|p| p.seed.id.clone()),
                co_hosts: conference
                    .participants
                    .iter()
                    .filter(|p| p.flags.co_host)
                    .map(|p| p.seed.id.clone())
                    .collect(),
            }),
        })
    }

    /// MuteMeeting: everyone but the host; `allow_unmute` (when muting) says whether
    /// participants may unmute themselves.
    pub fn mute_all(
        &mut self,
        id: &str,
        mute: bool,
        allow_unmute: Option<bool>,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        let mut changed = Vec::new();
        for participant in conference.participants.iter_mut().filter(|p| !p.seed.host) {
            if participant.muted != mute {
                participant.muted = mute;
                changed.push(participant.seed.id.clone());
            }
        }
        conference.all_muted = mute;
        if mute {
            conference.settings.allow_unmute_by_oneself = i32::from(allow_unmute.unwrap_or(true));
        }
        self.changed(Change::Meeting(id.to_owned()));
        for participant in changed {
            self.changed(Change::Participant {
                conference: id.to_owned(),
                participant,
            });
        }
        Ok(())
    }

    /// ProlongMeeting: `auto` turns automatic prolonging on; otherwise the meeting is
    /// prolonged by `minutes` (15 by default, at most 1440).
    pub fn prolong(&mut self, id: &str, auto: bool, minutes: Option<u32>) -> Result<(), ApiError> {
        if minutes.is_some_and(|m| m > 1440) {
            return Err(ApiError::bad_request("duration must be 1 to 1440 minutes"));
        }
        let conference = self.ongoing_mut(id)?;
        if auto {
            conference.auto_prolong = true;
        } else {
            conference.length_minutes = conference
                .length_minutes
                .saturating_add(minutes.unwrap_or(DEFAULT_PROLONG_MINUTES));
        }
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// StopMeeting: the meeting ends for everyone, and its control tokens with it.
    pub fn stop(&mut self, id: &str) -> Result<(), ApiError> {
        let now_ms = self.now_ms;
        let conference = self.ongoing_mut(id)?;
        conference.state = ConferenceState::Ended;
        conference.stop_broadcasting(now_ms);
        conference.participants.clear();
        conference.speakers.clear();
        self.revoke_control(id);
        self.end_occurrence(id);
        self.changed(Change::Ended(id.to_owned()));
        Ok(())
    }
}
