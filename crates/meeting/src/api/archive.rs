//! Recordings with the access token: find them ([`Client::recordings`]), see one, get
//! its download links, delete them. Watch and download links are short-lived secrets:
//! they are kept in [`SecretString`]s, never in `Debug` output or logs.

use meeting_api::operations::{
    DELETE_RECORDINGS, SEARCH_RECORDINGS, SHOW_RECORDING_DETAIL, SHOW_RECORDING_FILE_DOWNLOAD_URLS,
};
use meeting_api::types::{
    DeleteRecordingsConfUuiDs, RecordResultDo, SearchRecordingsSearchKey, SearchRecordingsSortType,
};
use secrecy::{ExposeSecret, SecretString};

use crate::Client;
use crate::api::search::{Found, Kind, MeetingSearch, Period};
use crate::conference::{id_problem, ids_problem};
use crate::error::Error;
use crate::listing::Page;

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
