//! The enterprise's resources in use, counted from its meetings as they are now and
//! as they were today (the simulator's clock, UTC days): ShowOrgRes, ShowSpRes,
//! ShowConfOrg.

use std::collections::HashSet;

use meeting_api::types::{OrgResources, SpResources};

use crate::errors::{ApiError, Status, codes};
use crate::model::ConferenceState;
use crate::world::archive::SECONDS_PER_MB;
use crate::world::{Conference, Grant, World};

const DAY_MS: i64 = 86_400_000;

/// The simulator's one enterprise (it is also its own service provider).
pub const ENTERPRISE_ID: &str = "sim-enterprise";

impl Conference {
    /// How long it has run by `now_ms`: to now while in progress, else to the last
    /// participant's leaving (the end closes every stay).
    fn length_ms(&self, now_ms: i64) -> i64 {
        let end = match self.state {
            ConferenceState::Ongoing => now_ms,
            ConferenceState::Ended => self
                .attendance
                .iter()
                .filter_map(|a| a.left_ms)
                .max()
                .unwrap_or(self.started_ms),
            ConferenceState::Scheduled | ConferenceState::Cancelled => self.started_ms,
        };
        (end - self.started_ms).max(0)
    }
}

pub(in crate::world) fn administrator(by: &Grant, what: &str) -> Result<(), ApiError> {
    if by.admin {
        Ok(())
    } else {
        Err(ApiError::new(
            Status::Forbidden,
            codes::NO_PERMISSION,
            format!("only an administrator may see {what}"),
        ))
    }
}

impl World {
    fn in_progress(&self) -> impl Iterator<Item = &Conference> {
        self.conferences
            .values()
            .filter(|c| c.state == ConferenceState::Ongoing)
    }

    /// ShowOrgRes: the meetings in progress and their live streams, the recordings'
    /// storage, and today's meetings, minutes and attendees.
    pub fn org_resources(&self, by: &Grant) -> Result<OrgResources, ApiError> {
        administrator(by, "the enterprise's resources")?;
        let now = self.now_ms;
        let today = now - now.rem_euclid(DAY_MS);
        let held_today: Vec<&Conference> = self
            .conferences
            .values()
            .filter(|c| matches!(c.state, ConferenceState::Ongoing | ConferenceState::Ended))
            .filter(|c| c.started_ms >= today)
            .collect();
        let minutes: i64 = held_today.iter().map(|c| c.length_ms(now) / 60_000).sum();
        let stays: Vec<&str> = held_today
            .iter()
            .flat_map(|c| &c.attendance)
            .filter(|a| a.joined_ms >= today)
            .map(|a| a.participant.as_str())
            .collect();
        let distinct: HashSet<&str> = stays.iter().copied().collect();
        let recorded_mb: i64 = self
            .conferences
            .values()
            .map(|c| c.recorded_seconds() / SECONDS_PER_MB)
            .sum();
        let count = |n: usize| i32::try_from(n).ok();
        Ok(OrgResources {
            used_rec_storage: Some(recorded_mb as f32 / 1024.0),
            used_accounts_count: count(self.in_progress().count()),
            used_live_count: count(self.in_progress().filter(|c| c.broadcasting.live).count()),
            conf_count: count(held_today.len()),
            conf_length: i32::try_from(minutes).ok(),
            active_attendee_count: count(distinct.len()),
            total_attendee_count: count(stays.len()),
        })
    }

    /// ShowSpRes: the meetings in progress of every enterprise of the provider (the
    /// simulator's one).
    pub fn sp_resources(&self, by: &Grant) -> Result<SpResources, ApiError> {
        administrator(by, "the service provider's resources")?;
        Ok(SpResources {
            used_accounts_count: i32::try_from(self.in_progress().count()).ok(),
        })
    }

    /// ShowConfOrg: the enterprise meeting `id` (in any state) belongs to.
    pub fn conference_org(&self, id: &str, by: &Grant) -> Result<&'static str, ApiError> {
        administrator(by, "which enterprise a meeting belongs to")?;
        self.conferences
            .get(id)
            .map(|_| ENTERPRISE_ID)
            .ok_or_else(|| ApiError::meeting_not_found(id))
    }
}
