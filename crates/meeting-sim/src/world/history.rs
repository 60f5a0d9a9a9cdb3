//! History: a meeting that ends keeps who attended (each stay with its join and leave
//! times), every control action taken in it, and its times, found by start date and by
//! its UUID.

use meeting_api::types::{
    AttendanceRecords, ConfAttendeeRecordInfo, ConfCtlRecordInfo, ConferenceInfo, ControlRecords,
    OnlineMeetingDetail, PageParticipant, ParticipantInfo,
};
use serde::{Deserialize, Serialize};

use super::{Conference, Grant, World};
use crate::errors::ApiError;
use crate::model::ConferenceState;
use crate::world::{MeetingQuery, Page};

/// The control records a meeting keeps: the latest ones past this.
pub const MAX_CONTROL_RECORDS: usize = 10_000;

/// One control action: when, by whom, what (the operation), on whom, how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlRecord {
    /// Its number among the world's records, to settle it by.
    pub seq: u64,
    pub at_ms: i64,
    pub operator: String,
    pub operation: &'static str,
    pub object: Option<String>,
    /// `None` for success, else the error code.
    pub refused: Option<&'static str>,
}

/// One stay of one participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// The participant ID.
    pub participant: String,
    /// Its name.
    pub name: Option<String>,
    /// Whether it is a professional terminal.
    pub terminal: bool,
    /// When it joined, ms since the epoch.
    pub joined_ms: i64,
    /// When it left (`None` while it is there).
    pub left_ms: Option<i64>,
}

impl Conference {
    /// Opens a stay for each participant present without one and closes the stays of
    /// those gone: called at every change of the conference, so every join and leave
    /// lands here whichever call made it.
    pub(super) fn sync_attendance(&mut self, now_ms: i64) {
        // Everyone leaves a meeting that ended, however it was ended.
        let over = matches!(
            self.state,
            ConferenceState::Ended | ConferenceState::Cancelled
        );
        for p in self.participants.iter().filter(|_| !over) {
            let open = self
                .attendance
                .iter()
                .any(|a| a.participant == p.seed.id && a.left_ms.is_none());
            if !open {
                self.attendance.push(Attendance {
                    participant: p.seed.id.clone(),
                    name: p.seed.name.clone(),
                    terminal: p.seed.professional_terminal,
                    joined_ms: p.joined_ms,
                    left_ms: None,
                });
            }
        }
        let participants = &self.participants;
        for a in self.attendance.iter_mut().filter(|a| a.left_ms.is_none()) {
            if over || !participants.iter().any(|p| p.seed.id == a.participant) {
                a.left_ms = Some(now_ms);
            }
        }
        self.sync_sharing(over, now_ms);
    }

    /// When it started, ms since the epoch: when it did, or as scheduled.
    fn started_at_ms(&self) -> i64 {
        if self.started_ms > 0 {
            self.started_ms
        } else {
            self.start_minutes.map_or(0, |m| m * 60_000)
        }
    }

    fn attended_by(&self, search: Option<&str>) -> impl Iterator<Item = &Attendance> {
        let search = search.map(str::to_lowercase);
        self.attendance.iter().filter(move |a| {
            search.as_deref().is_none_or(|text| {
                a.participant.contains(text)
                    || a.name
                        .as_ref()
                        .is_some_and(|n| n.to_lowercase().contains(text))
            })
        })
    }
}

impl World {
    /// SearchHisMeetings: meetings that ended (not cancelled ones), started within
    /// `from_ms..=to_ms`.
    pub fn search_history(
        &self,
        by: &Grant,
        query: &MeetingQuery,
        dates: (Option<i64>, Option<i64>),
        page: Page,
    ) -> Result<(usize, Vec<ConferenceInfo>), ApiError> {
        let ended = |c: &Conference| c.state == ConferenceState::Ended;
        let (count, found) = self.find_past(by, query, dates, page, ended)?;
        Ok((count, found.into_iter().map(|c| c.info(false)).collect()))
    }

    /// The visible conferences `keep` keeps that started within `from_ms..=to_ms`, by
    /// start: how many, and the page.
    pub(super) fn find_past(
        &self,
        by: &Grant,
        query: &MeetingQuery,
        (from_ms, to_ms): (Option<i64>, Option<i64>),
        page: Page,
        keep: impl Fn(&Conference) -> bool,
    ) -> Result<(usize, Vec<&Conference>), ApiError> {
        if let (Some(from), Some(to)) = (from_ms, to_ms)
            && from > to
        {
            return Err(ApiError::bad_request("startDate must not be after endDate"));
        }
        let mut found: Vec<&Conference> = self
            .visible(by, query)
            .filter(|c| keep(c))
            .filter(|c| {
                let start = c.started_at_ms();
                from_ms.is_none_or(|f| start >= f) && to_ms.is_none_or(|t| start <= t)
            })
            .collect();
        found.sort_by(|a, b| (a.started_at_ms(), &a.id).cmp(&(b.started_at_ms(), &b.id)));
        if query.newest_first {
            found.reverse();
        }
        let count = found.len();
        Ok((count, page.take(found.into_iter())))
    }

    /// The ended meeting with this UUID, for its organizer or an administrator.
    /// A control call reaches meeting `id`, before its handler runs: recorded (as a
    /// success until [`World::settle_control`] says otherwise) with its operator (the
    /// access token's subject when the call carried a valid one, else `host`: the
    /// control token's holder) and the participant it names. Recorded first so that a
    /// meeting the call ends (and a series' occurrence it moves to history) keeps it.
    /// The record's number, or none for a meeting that does not exist.
    pub fn begin_control(
        &mut self,
        id: &str,
        operation: &'static str,
        object: Option<String>,
        access_token: Option<&str>,
    ) -> Option<u64> {
        let now_ms = self.now_ms;
        let operator = access_token
            .and_then(|t| self.access(t, now_ms))
            .map_or_else(|| "host".to_owned(), |grant| grant.subject.clone());
        self.control_seq += 1;
        let seq = self.control_seq;
        let conference = self.conferences.get_mut(id)?;
        if conference.control_records.len() >= MAX_CONTROL_RECORDS {
            conference.control_records.pop_front();
        }
        conference.control_records.push_back(ControlRecord {
            seq,
            at_ms: now_ms,
            operator,
            operation,
            object,
            refused: None,
        });
        Some(seq)
    }

    /// How control record `seq` of meeting `id` ended: refused with `code`, or not
    /// an action at all (`None`: its control token was refused, or a fault was
    /// injected before the handler ran), which removes it.
    pub fn settle_control(&mut self, id: &str, seq: u64, outcome: Option<&'static str>) {
        let Some(conference) = self.conferences.get_mut(id) else {
            return;
        };
        let records = &mut conference.control_records;
        let Some(at) = records.iter().rposition(|r| r.seq == seq) else {
            return;
        };
        match outcome {
            Some(code) => records[at].refused = Some(code),
            None => {
                records.remove(at);
            }
        }
    }

    /// SearchCtlRecordsOfHisMeeting: a page of a past meeting's control records, in
    /// the order taken.
    pub fn control_records(
        &self,
        uuid: &str,
        by: &Grant,
        page: Page,
    ) -> Result<ControlRecords, ApiError> {
        let conference = self.past(uuid, by)?;
        let data = page.take(
            conference
                .control_records
                .iter()
                .map(|r| ConfCtlRecordInfo {
                    operate_time: Some(r.at_ms),
                    operate_source: Some("openapi".to_owned()),
                    operator: Some(r.operator.clone()),
                    operate_code: Some(r.operation.to_owned()),
                    operation_object: r.object.clone(),
                    operate_result: Some(r.refused.unwrap_or("success").to_owned()),
                    detail: None,
                }),
        );
        Ok(ControlRecords {
            offset: i32::try_from(page.offset).ok(),
            limit: i32::try_from(page.limit).ok(),
            count: i32::try_from(conference.control_records.len()).ok(),
            data,
        })
    }

    fn past(&self, uuid: &str, by: &Grant) -> Result<&Conference, ApiError> {
        self.conferences
            .values()
            .find(|c| c.uuid == uuid && c.state == ConferenceState::Ended && c.managed_by(by))
            .ok_or_else(|| ApiError::meeting_not_found(uuid))
    }

    /// ShowHisMeetingDetail: the meeting and who attended (each once).
    pub fn past_detail(
        &self,
        uuid: &str,
        by: &Grant,
        search: Option<&str>,
        page: Page,
    ) -> Result<OnlineMeetingDetail, ApiError> {
        let conference = self.past(uuid, by)?;
        let mut attendees: Vec<&Attendance> = Vec::new();
        for a in conference.attended_by(search) {
            if !attendees.iter().any(|b| b.participant == a.participant) {
                attendees.push(a);
            }
        }
        let count = attendees.len();
        let data = page.take(attendees.into_iter().map(|a| ParticipantInfo {
            participant_id: Some(a.participant.clone()),
            name: a.name.clone(),
            role: Some(0),
            state: Some("LEFT".to_owned()),
            attendee_type: Some(if a.terminal { "terminal" } else { "normal" }.to_owned()),
            account_id: None,
            user_uuid: None,
        }));
        Ok(OnlineMeetingDetail {
            conference_data: Some(conference.info(false)),
            data: Some(PageParticipant {
                offset: i32::try_from(page.offset).ok(),
                limit: i32::try_from(page.limit).ok(),
                count: i32::try_from(count).ok(),
                data,
            }),
        })
    }

    /// SearchAttendanceRecordsOfHisMeeting: every stay, in the order they began.
    pub fn attendance(
        &self,
        uuid: &str,
        by: &Grant,
        search: Option<&str>,
        page: Page,
    ) -> Result<AttendanceRecords, ApiError> {
        let conference = self.past(uuid, by)?;
        let stays: Vec<&Attendance> = conference.attended_by(search).collect();
        let count = stays.len();
        let data = page.take(stays.into_iter().map(|a| ConfAttendeeRecordInfo {
            display_name: a.name.clone(),
            call_number: Some(a.participant.clone()),
            device_type: Some(if a.terminal { "TE" } else { "PC" }.to_owned()),
            join_time: Some(a.joined_ms),
            left_time: a.left_ms,
            media_type: Some("Video".to_owned()),
            dept_name: None,
        }));
        Ok(AttendanceRecords {
            offset: i32::try_from(page.offset).ok(),
            limit: i32::try_from(page.limit).ok(),
            count: i32::try_from(count).ok(),
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CONFERENCE as CONF, LAPTOP};
    use crate::model::{ParticipantSeed, Seed};

    #[test]
    fn a_stopped_meeting_is_in_history_with_every_stay() {
        let mut world = World::default();
        world.set_now(1_000);
        world.seed(Seed::example());
        world.set_now(2_000);
        world.leave(CONF, LAPTOP).expect("leaves");
        world.set_now(3_000);
        world
            .join(CONF, ParticipantSeed::client(LAPTOP, "Alice (laptop)"))
            .expect("back");
        world.set_now(4_000);
        world.stop(CONF).expect("stops");
        let admin = Grant {
            subject: "meeting_admin".into(),
            admin: true,
            expires_ms: i64::MAX,
        };
        let query = MeetingQuery {
            all_users: true,
            ..MeetingQuery::default()
        };
        let page = Page::new(None, None).expect("default");
        let (count, found) = world
            .search_history(&admin, &query, (Some(1_000), Some(1_000)), page)
            .expect("found");
        assert_eq!(count, 1);
        let uuid = found[0].conf_uuid.clone().expect("a uuid");
        let (none, _) = world
            .search_history(&admin, &query, (Some(1_001), None), page)
            .expect("searched");
        assert_eq!(none, 0);
        let stays = world
            .attendance(&uuid, &admin, None, page)
            .expect("records");
        let laptop: Vec<_> = stays
            .data
            .iter()
            .filter(|r| r.call_number.as_deref() == Some(LAPTOP))
            .map(|r| (r.join_time, r.left_time))
            .collect();
        assert_eq!(
            laptop,
            [(Some(1_000), Some(2_000)), (Some(3_000), Some(4_000))]
        );
        let detail = world
            .past_detail(&uuid, &admin, None, page)
            .expect("detail");
        assert_eq!(
            detail.data.and_then(|d| d.count),
            Some(2),
            "each attendee once"
        );
    }
}
