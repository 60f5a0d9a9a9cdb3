//! Recordings: what a recording that stops leaves (its segments, from the recording
//! calls), found by the meeting's start, with short-lived download links, its segments
//! and files as the recording service tells them, deleted.

use meeting_api::types::{
    RecordDownloadInfoBo, RecordDownloadUrlDo, RecordInfoDo, RecordResultDo, RecordingDownloadUrls,
    SegmentDo, SegmentFileDo,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
pub(in crate::world) const SECONDS_PER_MB: i64 = 10;
/// The recording service cuts a segment into files of at most three hours.
const FILE_MS: i64 = 3 * 3600 * 1000;

impl Conference {
    /// A recording stopped: its segment is kept (from the last start to `now_ms`).
    pub(super) fn keep_recording(&mut self, now_ms: i64) {
        let started_ms = self.broadcasting.recording_started_ms.unwrap_or(now_ms);
        self.recordings.push(Segment {
            started_ms,
            stopped_ms: now_ms.max(started_ms),
        });
    }

    pub(in crate::world) fn recorded_seconds(&self) -> i64 {
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

impl Segment {
    /// Its files, as the recording service cuts them: one per three hours, each with
    /// its size at the simulator's rate and a digest of what it would hold.
    fn files(&self, uuid: &str, manual_order: usize) -> Vec<SegmentFileDo> {
        let mut files = Vec::new();
        let mut begin = self.started_ms;
        while begin < self.stopped_ms || files.is_empty() {
            let end = (begin + FILE_MS).min(self.stopped_ms).max(begin);
            let seconds = (end - begin) / 1000;
            let name = format!("{manual_order}-{}", files.len() + 1);
            let digest = Sha256::digest(format!("{uuid}/{name}/{begin}/{end}"));
            files.push(SegmentFileDo {
                record_type: Some("SPEAKER_VIDEO".to_owned()),
                begin_time: Some(begin),
                end_time: Some(end),
                duration: Some(seconds),
                file_size: Some(seconds * 1_000_000 / SECONDS_PER_MB),
                sha256: Some(hex::encode(digest)),
                play_url: Some(link(uuid, &format!("{name}/play")).0),
                download_url: Some(link(uuid, &format!("{name}/download")).0),
            });
            begin = end;
            if end == self.stopped_ms {
                break;
            }
        }
        files
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

    /// ShowRecordInfo: a page of the recording's segments (one per start), each with
    /// its files and fresh links.
    pub fn record_info(
        &self,
        uuid: &str,
        by: &Grant,
        page: Page,
    ) -> Result<RecordInfoDo, ApiError> {
        let conference = self.recorded(uuid, by)?;
        let segments = conference
            .recordings
            .iter()
            .enumerate()
            .map(|(i, segment)| {
                let files = segment.files(uuid, i + 1);
                let size: i64 = files.iter().filter_map(|f| f.file_size).sum();
                SegmentDo {
                    manual_order: i32::try_from(i + 1).ok(),
                    segment_order: i32::try_from(files.len()).ok(),
                    segment_size: Some(size.to_string()),
                    file_list: files,
                }
            });
        Ok(RecordInfoDo {
            subject: conference.subject.clone(),
            begin_time: conference
                .recordings
                .first()
                .map(|s| s.started_ms.to_string()),
            segment_offset: i32::try_from(page.offset).ok(),
            segment_limit: i32::try_from(page.limit).ok(),
            segment_count: i32::try_from(conference.recordings.len()).ok(),
            segment_list: page.take(segments),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment is cut every three hours; an empty one still has its one file.
    #[test]
    fn segments_are_cut_into_files_of_three_hours() {
        let hour = 3600 * 1000;
        let long = Segment {
            started_ms: 0,
            stopped_ms: 7 * hour,
        };
        let files = long.files("u", 1);
        let spans: Vec<_> = files.iter().map(|f| (f.begin_time, f.end_time)).collect();
        assert_eq!(
            spans,
            [
                (Some(0), Some(3 * hour)),
                (Some(3 * hour), Some(6 * hour)),
                (Some(6 * hour), Some(7 * hour))
            ]
        );
        assert_eq!(files[2].file_size, Some(3600 * 1_000_000 / SECONDS_PER_MB));
        assert_ne!(files[0].sha256, files[1].sha256);
        let empty = Segment {
            started_ms: 5,
            stopped_ms: 5,
        };
        assert_eq!(empty.files("u", 2).len(), 1);
    }
}
