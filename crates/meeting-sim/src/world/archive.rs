//! Recordings: what a recording that stops leaves (its segments, from the recording
//! calls), found by the meeting's start, with short-lived download links, deleted.

use meeting_api::types::{
    RecordDownloadInfoBo, RecordDownloadUrlDo, RecordResultDo, RecordingDownloadUrls,
};
use serde::{Deserialize, Serialize};

use super::{Conference, Grant, World};
use crate::errors::ApiError;
use crate::world::{MeetingQuery, Page};

/// One recorded stretch: from a start to a stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// When it started, ms since the epoch.
    pub started_ms: i64,
    /// When it stopped.
    pub stopped_ms: i64,
}

/// The simulator's recording size: 1 MB per 10 seconds.
const SECONDS_PER_MB: i64 = 10;

impl Conference {
    /// A recording stopped: its segment is kept (from the last start to `now_ms`).
    pub(super) fn keep_recording(&mut self, now_ms: i64) {
        let started_ms = self.broadcasting.recording_started_ms.unwrap_or(now_ms);
        self.recordings.push(Segment {
            started_ms,
            stopped_ms: now_ms.max(started_ms),
        });
    }

    fn recorded_seconds(&self) -> i64 {
        self.recordings
            .iter()
            .map(|s| (s.stopped_ms - s.started_ms) / 1000)
            .sum()
    }

    fn recording(&self, links: Vec<String>) -> RecordResultDo {
        let seconds = self.recorded_seconds();
        RecordResultDo {
            conf_uuid: Some(self.uuid.clone()),
            conf_id: Some(self.id.clone()),
            url: links,
            rcd_time: i32::try_from(seconds).ok(),
            rcd_size: i32::try_from(seconds / SECONDS_PER_MB + 1).ok(),
            subject: self.subject.clone(),
            scheduser_name: self.organizer.clone(),
            start_time: self.info(false).start_time,
            is_decode_finish: Some(true),
            decode_end_time: self.recordings.last().map(|s| s.stopped_ms),
            available: Some(true),
            record_auth_type: Some(1),
        }
    }
}

/// A link with a one-use token: a secret the simulator makes up for each answer.
fn link(uuid: &str, file: &str) -> (String, String) {
    let token = hex::encode(rand::random::<[u8; 16]>());
    let url = format!("https://127.0.0.1/sim/records/{uuid}/{file}?token={token}");
    (url, token)
}

impl World {
    /// SearchRecordings: the visible meetings with a recording, by the meeting's start.
    pub fn search_recordings(
        &self,
        by: &Grant,
        query: &MeetingQuery,
        dates: (Option<i64>, Option<i64>),
        page: Page,
    ) -> Result<(usize, Vec<RecordResultDo>), ApiError> {
        let (count, meetings) =
            self.find_past(by, query, dates, page, |c| !c.recordings.is_empty())?;
        Ok((
            count,
            meetings
                .into_iter()
                .map(|c| c.recording(Vec::new()))
                .collect(),
        ))
    }

    /// The meeting with this UUID and a recording, for its organizer or an administrator.
    fn recorded(&self, uuid: &str, by: &Grant) -> Result<&Conference, ApiError> {
        self.conferences
            .values()
            .find(|c| c.uuid == uuid && !c.recordings.is_empty() && c.managed_by(by))
            .ok_or_else(|| ApiError::meeting_not_found(uuid))
    }

    /// ShowRecordingDetail, with a watch link.
    pub fn recording_detail(&self, uuid: &str, by: &Grant) -> Result<RecordResultDo, ApiError> {
        let conference = self.recorded(uuid, by)?;
        Ok(conference.recording(vec![link(uuid, "play").0]))
    }

    /// ShowRecordingFileDownloadUrls: an HD and an SD file, each with a fresh token.
    pub fn download_urls(&self, uuid: &str, by: &Grant) -> Result<RecordingDownloadUrls, ApiError> {
        self.recorded(uuid, by)?;
        let urls = ["Hd", "Sd"]
            .into_iter()
            .map(|file| {
                let (url, token) = link(uuid, file);
                RecordDownloadUrlDo {
                    token: Some(token),
                    file_type: Some(file.to_owned()),
                    url: Some(url),
                }
            })
            .collect();
        Ok(RecordingDownloadUrls {
            record_urls: vec![RecordDownloadInfoBo {
                conf_uuid: Some(uuid.to_owned()),
                urls,
            }],
        })
    }

    /// DeleteRecordings: every one named, or none if one is not there.
    pub fn delete_recordings(&mut self, uuids: &[&str], by: &Grant) -> Result<(), ApiError> {
        if uuids.is_empty() {
            return Err(ApiError::bad_request("confUUIDs must name a meeting"));
        }
        for uuid in uuids {
            self.recorded(uuid, by)?;
        }
        for c in self.conferences.values_mut() {
            if uuids.contains(&c.uuid.as_str()) {
                c.recordings.clear();
            }
        }
        Ok(())
    }
}
