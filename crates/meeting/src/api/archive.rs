//! Recordings with the access token: find them ([`Client::recordings`]), see one, get
//! its download links, its segments and files ([`Client::recording_segments`]), delete
//! them. Watch and download links are short-lived secrets:
//! they are kept in [`SecretString`]s, never in `Debug` output or logs.

use meeting_api::operations::{
    DELETE_RECORDINGS, SEARCH_RECORDINGS, SHOW_RECORD_INFO, SHOW_RECORDING_DETAIL,
    SHOW_RECORDING_FILE_DOWNLOAD_URLS,
};
use meeting_api::types::{
    DeleteRecordingsConfUuiDs, RecordInfoReq, RecordInfoReqConfUuid, RecordResultDo,
    SearchRecordingsSearchKey, SearchRecordingsSortType, SegmentDo, SegmentFileDo,
};
use secrecy::{ExposeSecret, SecretString};

use crate::Client;
use crate::api::search::{Found, Kind, MeetingSearch, Period};
use crate::conference::{id_problem, ids_problem};
use crate::error::Error;
use crate::listing::{DEFAULT_PAGE_SIZE, Listing, Page};

/// A meeting's recording.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Recording {
    /// The meeting's UUID, what [`Client::recording`] and the others take.
    pub uuid: String,
    /// The meeting ID.
    pub meeting: Option<String>,
    /// The meeting's subject.
    pub subject: Option<String>,
    /// Who scheduled it.
    pub organizer: Option<String>,
    /// The meeting's start, `YYYY-MM-DD HH:MM`.
    pub start_time: Option<String>,
    /// Its length in seconds.
    pub seconds: Option<i32>,
    /// Its size in MB.
    pub size_mb: Option<i32>,
    /// Whether it can be watched.
    pub available: Option<bool>,
    /// Links to watch it (secrets; [`Client::recording`] gives them, lists do not).
    pub watch_urls: Vec<SecretString>,
}

/// A file of a recording to download (see [`Client::recording_downloads`]). `Debug`
/// redacts the URL and the token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RecordingFile {
    /// `Hd` (the video), `Sd` (video and shared screen composed), `Aux` (the screen).
    pub kind: Option<String>,
    url: SecretString,
    token: Option<SecretString>,
}

impl RecordingFile {
    /// The download URL: a secret, valid for an hour, usable once.
    pub fn expose_url(&self) -> &str {
        self.url.expose_secret()
    }

    /// The token the download authenticates with, when the service gives one apart.
    pub fn expose_token(&self) -> Option<&str> {
        self.token.as_ref().map(|t| t.expose_secret())
    }
}

/// One stretch of a recording, from a start to its stop, as the recording service holds
/// it (see [`Client::recording_segments`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RecordingSegment {
    /// Which start of the recording it is, from 1.
    pub order: i32,
    /// Its files' total size in bytes.
    pub size_bytes: Option<u64>,
    /// Its files: one per three hours.
    pub files: Vec<SegmentFile>,
}

/// A file of a [`RecordingSegment`]. `Debug` redacts its links.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SegmentFile {
    /// `AUDIO`, `SPEAKER_VIDEO`, `SHARE_VIDEO` or `SPEAKER_SHARE_VIDEO`.
    pub kind: Option<String>,
    /// When it begins, ms since the epoch.
    pub begin_ms: Option<i64>,
    /// When it ends, ms since the epoch.
    pub end_ms: Option<i64>,
    /// Its length in seconds.
    pub seconds: Option<i64>,
    /// Its size in bytes.
    pub size_bytes: Option<i64>,
    /// The SHA-256 of its content, in hex.
    pub sha256: Option<String>,
    play_url: Option<SecretString>,
    download_url: Option<SecretString>,
}

impl SegmentFile {
    /// Where to watch it: a secret, valid for an hour.
    pub fn expose_play_url(&self) -> Option<&str> {
        self.play_url.as_ref().map(|u| u.expose_secret())
    }

    /// Where to download it: a secret, valid for an hour.
    pub fn expose_download_url(&self) -> Option<&str> {
        self.download_url.as_ref().map(|u| u.expose_secret())
    }
}

impl From<SegmentFileDo> for SegmentFile {
    fn from(f: SegmentFileDo) -> Self {
        let text = |t: Option<String>| t.map(|t| crate::printable(&t));
        SegmentFile {
            kind: text(f.record_type),
            begin_ms: f.begin_time,
            end_ms: f.end_time,
            seconds: f.duration,
            size_bytes: f.file_size,
            sha256: text(f.sha256),
            play_url: f.play_url.map(SecretString::from),
            download_url: f.download_url.map(SecretString::from),
        }
    }
}

impl RecordingSegment {
    /// A segment as the answer gives it (none without its order).
    fn from_do(s: SegmentDo) -> Option<Self> {
        Some(RecordingSegment {
            order: s.manual_order?,
            size_bytes: s.segment_size.and_then(|n| n.trim().parse().ok()),
            files: s.file_list.into_iter().map(SegmentFile::from).collect(),
        })
    }
}

impl From<RecordResultDo> for Recording {
    fn from(r: RecordResultDo) -> Self {
        Recording {
            uuid: r.conf_uuid.unwrap_or_default(),
            meeting: r.conf_id,
            subject: r.subject,
            organizer: r.scheduser_name,
            start_time: r.start_time,
            seconds: r.rcd_time,
            size_mb: r.rcd_size,
            available: r.available,
            watch_urls: r.url.into_iter().map(SecretString::from).collect(),
        }
    }
}

impl Found for Recording {
    fn key(&self) -> String {
        self.uuid.clone()
    }

    async fn fetch(
        search: &MeetingSearch<Self>,
        offset: u32,
        size: u32,
        (from, to): &Period,
    ) -> Result<Page<Self>, Error> {
        let q = search.query();
        let key = q
            .search
            .map(SearchRecordingsSearchKey::try_from)
            .transpose();
        let key = key.map_err(|e| e.to_string());
        let sort = Some(if q.newest_first {
            SearchRecordingsSortType::DscStartTime
        } else {
            SearchRecordingsSortType::AscStartTime
        });
        let offset = i32::try_from(offset).unwrap_or(i32::MAX);
        let (from, to) = (from.as_ref(), to.as_ref());
        let answer = q
            .client
            .run(&SEARCH_RECORDINGS, key.as_ref(), |api, key| {
                api.search_recordings(
                    to,
                    std::num::NonZeroU32::new(size),
                    Some(offset),
                    Some(q.all_users),
                    key.as_ref(),
                    sort,
                    from,
                    q.user,
                )
            })
            .await?;
        Ok(Page::new(
            answer.data.into_iter().map(Recording::from).collect(),
            answer.count,
        ))
    }
}

/// The meeting UUID an operation names, if it is one.
fn checked_uuid(uuid: &str) -> Result<&str, String> {
    id_problem("meeting uuid", uuid).map_or(Ok(uuid), Err)
}

impl Client {
    /// The meetings that have a recording, by start time; [`MeetingSearch::between`]
    /// dates in [`MeetingSearch::time_zone`] bound their start.
    pub fn recordings(&self) -> MeetingSearch<Recording> {
        MeetingSearch::new(self.clone(), Kind::Recordings)
    }

    /// The recording of the meeting with this UUID, with its watch links.
    pub async fn recording(&self, uuid: &str) -> Result<Recording, Error> {
        let answer = self
            .run(&SHOW_RECORDING_DETAIL, checked_uuid(uuid), |api, uuid| {
                api.show_recording_detail(uuid, None)
            })
            .await?;
        Ok(Recording::from(answer))
    }

    /// The files of the recording of the meeting with this UUID, each with its
    /// download link (secrets, valid for an hour, usable once).
    pub async fn recording_downloads(&self, uuid: &str) -> Result<Vec<RecordingFile>, Error> {
        let operation = &SHOW_RECORDING_FILE_DOWNLOAD_URLS;
        let answer = self
            .run(operation, checked_uuid(uuid), |api, uuid| async move {
                let size = std::num::NonZeroU32::new(crate::listing::DEFAULT_PAGE_SIZE);
                api.show_recording_file_download_urls(uuid, size, Some(0))
                    .await
            })
            .await?;
        Ok(answer
            .record_urls
            .into_iter()
            .flat_map(|info| info.urls)
            .filter_map(|file| {
                Some(RecordingFile {
                    kind: file.file_type,
                    url: SecretString::from(file.url?),
                    token: file.token.map(SecretString::from),
                })
            })
            .collect())
    }

    /// The segments of the recording of the meeting with this UUID (one per start of
    /// the recording) and their files, with their digests and links, fetched page by
    /// page as they are read (ShowRecordInfo, from the recording service).
    pub fn recording_segments(&self, uuid: &str) -> Result<Listing<RecordingSegment>, Error> {
        let context = crate::error::Context::new(SHOW_RECORD_INFO.id, None);
        let uuid = checked_uuid(uuid)
            .and_then(|u| RecordInfoReqConfUuid::try_from(u).map_err(|e| e.to_string()))
            .map_err(|problem| Error::invalid(&context, problem))?;
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |s: &RecordingSegment| s.order,
            (self.clone(), uuid),
            |(client, conf_uuid), offset, size| async move {
                let body = RecordInfoReq {
                    conf_uuid,
                    segment_offset: Some(i32::try_from(offset).unwrap_or(i32::MAX)),
                    segment_limit: std::num::NonZeroU32::new(size),
                };
                let answer = client
                    .run(&SHOW_RECORD_INFO, Ok::<_, String>(&body), |api, body| {
                        api.show_record_info(body)
                    })
                    .await?;
                let data = answer.data.unwrap_or_default();
                let segments = data
                    .segment_list
                    .into_iter()
                    .filter_map(RecordingSegment::from_do)
                    .collect();
                Ok(Page::new(segments, data.segment_count))
            },
        ))
    }

    /// Deletes the recordings of the meetings with these UUIDs (all or none). Like
    /// ending a meeting, not repeated unless the retry policy says so.
    pub async fn delete_recordings<I, S>(&self, uuids: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let uuids: Vec<String> = uuids.into_iter().map(|u| u.as_ref().to_owned()).collect();
        let joined = ids_problem("meeting", "meeting uuid", uuids.iter().map(String::as_str))
            .and_then(|()| match uuids.iter().any(|u| u.contains(',')) {
                true => Err("a meeting uuid has no comma".to_owned()),
                false => {
                    DeleteRecordingsConfUuiDs::try_from(uuids.join(",")).map_err(|e| e.to_string())
                }
            });
        self.run(&DELETE_RECORDINGS, joined.as_ref(), |api, joined| {
            api.delete_recordings(joined, None)
        })
        .await
    }
}
