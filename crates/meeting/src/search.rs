//! Finding meetings with the access token: the scheduled and running ones
//! ([`Client::meetings`]), the running ones ([`Client::ongoing_meetings`]), and the
//! attendees of one ([`Conference::attendees`]); each a [`Listing`] that pages lazily.

use meeting_api::operations::{
    SEARCH_MEETINGS, SEARCH_ONLINE_MEETINGS, SHOW_ONLINE_MEETING_DETAIL,
};
use meeting_api::types::{
    SearchMeetingsQueryConfMode, SearchMeetingsSearchKey, SearchMeetingsSortType,
    SearchOnlineMeetingsSearchKey, ShowOnlineMeetingDetailSearchKey,
};

use crate::Client;
use crate::conference::Conference;
use crate::error::{Context, Error};
use crate::listing::{DEFAULT_PAGE_SIZE, Listing, Page, page_size_problem};
use crate::management::MeetingDetails;

/// How far ahead [`MeetingSearch::starting_within`] looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Within {
    /// A day.
    Day,
    /// A week.
    Week,
    /// A month.
    Month,
}

/// A search for meetings (see [`Client::meetings`]). Checked before anything is sent.
///
/// ```no_run
/// # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
/// use futures_util::TryStreamExt;
/// use meeting::Within;
///
/// let mut today = client.meetings().all_users().starting_within(Within::Day).list()?;
/// while let Some(meeting) = today.try_next().await? {
///     println!("{} {:?}", meeting.id, meeting.subject);
/// }
/// let running = client.ongoing_meetings().matching("board").list()?.collect_all().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct MeetingSearch {
    client: Client,
    ongoing: bool,
    search: Option<String>,
    all_users: bool,
    user: Option<String>,
    within: Option<Within>,
    newest_first: bool,
    page_size: u32,
    limit: Option<usize>,
}

impl Client {
    /// The meetings that have not ended (scheduled or running), by start time. Needs
    /// credentials; a user sees their own, an administrator the enterprise's with
    /// [`MeetingSearch::all_users`].
    pub fn meetings(&self) -> MeetingSearch {
        MeetingSearch::new(self.clone(), false)
    }

    /// The meetings in progress, by start time.
    pub fn ongoing_meetings(&self) -> MeetingSearch {
        MeetingSearch::new(self.clone(), true)
    }
}

impl MeetingSearch {
    fn new(client: Client, ongoing: bool) -> Self {
        MeetingSearch {
            client,
            ongoing,
            search: None,
            all_users: false,
            user: None,
            within: None,
            newest_first: false,
            page_size: DEFAULT_PAGE_SIZE,
            limit: None,
        }
    }

    /// Only those whose subject, organizer or ID contains `text` (1 to 128 characters).
    pub fn matching(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Every user's meetings (an administrator's search; others see their own).
    pub fn all_users(mut self) -> Self {
        self.all_users = true;
        self
    }

    /// This user's meetings (an administrator's search), by user UUID.
    pub fn of_user(mut self, user_uuid: impl Into<String>) -> Self {
        self.user = Some(user_uuid.into());
        self
    }

    /// Only those starting within a day, a week or a month (not with
    /// [`Client::ongoing_meetings`]: they have started).
    pub fn starting_within(mut self, within: Within) -> Self {
        self.within = Some(within);
        self
    }

    /// Latest start first (not with [`Client::ongoing_meetings`]).
    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// Entries per request (1 to 500; default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// At most this many meetings (the pages after them are not fetched).
    pub fn limit(mut self, max: usize) -> Self {
        self.limit = Some(max);
        self
    }

    fn problem(&self) -> Option<String> {
        if let Some(problem) = page_size_problem(self.page_size) {
            return Some(problem);
        }
        if let Some(problem) = self.search.as_deref().and_then(search_problem) {
            return Some(problem);
        }
        if self.ongoing && (self.within.is_some() || self.newest_first) {
            return Some("running meetings are listed by start time only".into());
        }
        None
    }

    /// The meetings, fetched page by page as they are read.
    pub fn list(self) -> Result<Listing<MeetingDetails>, Error> {
        let operation = if self.ongoing {
            &SEARCH_ONLINE_MEETINGS
        } else {
            &SEARCH_MEETINGS
        };
        if let Some(problem) = self.problem() {
            return Err(Error::invalid(&Context::new(operation.id, None), problem));
        }
        let (page_size, limit) = (self.page_size, self.limit);
        let search = std::sync::Arc::new(self);
        Ok(Listing::new(
            page_size,
            limit,
            |m: &MeetingDetails| m.id.clone(),
            move |offset, size| {
                let search = search.clone();
                async move { search.page(offset, size).await }
            },
        ))
    }

    async fn page(&self, offset: u32, size: u32) -> Result<Page<MeetingDetails>, Error> {
        let offset = i32::try_from(offset).unwrap_or(i32::MAX);
        let limit = std::num::NonZeroU32::new(size);
        let user = self.user.as_deref();
        let context = Context::new(
            if self.ongoing {
                SEARCH_ONLINE_MEETINGS.id
            } else {
                SEARCH_MEETINGS.id
            },
            None,
        );
        let answer = if self.ongoing {
            let key = self
                .search
                .as_deref()
                .map(SearchOnlineMeetingsSearchKey::try_from)
                .transpose();
            let key = &key.map_err(|e| Error::invalid(&context, e.to_string()))?;
            let api = self.client.api();
            self.client
                .call(&SEARCH_ONLINE_MEETINGS, &context, None, |t| async move {
                    api.search_online_meetings(
                        limit,
                        Some(offset),
                        Some(self.all_users),
                        key.as_ref(),
                        user,
                        t.access(),
                    )
                    .await
                })
                .await?
        } else {
            let key = self
                .search
                .as_deref()
                .map(SearchMeetingsSearchKey::try_from)
                .transpose();
            let key = &key.map_err(|e| Error::invalid(&context, e.to_string()))?;
            let mode = Some(match self.within {
                None => SearchMeetingsQueryConfMode::All,
                Some(Within::Day) => SearchMeetingsQueryConfMode::Aday,
                Some(Within::Week) => SearchMeetingsQueryConfMode::Aweek,
                Some(Within::Month) => SearchMeetingsQueryConfMode::Amonth,
            });
            let sort = Some(if self.newest_first {
                SearchMeetingsSortType::DscStartTime
            } else {
                SearchMeetingsSortType::AscStartTime
            });
            let api = self.client.api();
            self.client
                .call(&SEARCH_MEETINGS, &context, None, |t| async move {
                    api.search_meetings(
                        limit,
                        Some(offset),
                        Some(self.all_users),
                        mode,
                        key.as_ref(),
                        sort,
                        user,
                        t.access(),
                    )
                    .await
                })
                .await?
        };
        Ok(Page {
            total: answer.count.and_then(|c| usize::try_from(c).ok()),
            items: answer.data.into_iter().map(MeetingDetails::from).collect(),
        })
    }
}

/// `searchKey`: 1 to 128 characters.
fn search_problem(text: &str) -> Option<String> {
    let n = text.chars().count();
    (!(1..=128).contains(&n)).then(|| format!("search text is 1 to 128 characters, not {n}"))
}

/// An attendee of a running meeting (see [`Conference::attendees`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attendee {
    /// Its participant ID or number.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Whether it hosts.
    pub host: bool,
    /// Its state as the service says (`MEETTING`: in the meeting).
    pub state: Option<String>,
    /// Its kind (`normal`, `terminal`, …).
    pub kind: Option<String>,
}

impl Conference {
    /// The attendees of this running meeting whose name or number contains `search`
    /// (all with `None`), fetched page by page as they are read. Needs credentials.
    pub fn attendees(&self, search: Option<&str>) -> Result<Listing<Attendee>, Error> {
        let key = search
            .map(|text| match search_problem(text) {
                Some(problem) => Err(problem),
                None => ShowOnlineMeetingDetailSearchKey::try_from(text).map_err(|e| e.to_string()),
            })
            .transpose();
        let key = self.checked(&SHOW_ONLINE_MEETING_DETAIL, key)?;
        let (conference, key) = (self.clone(), std::sync::Arc::new(key));
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |a: &Attendee| a.id.clone(),
            move |offset, size| {
                let (conference, key) = (conference.clone(), key.clone());
                async move {
                    let offset = i32::try_from(offset).unwrap_or(i32::MAX);
                    let answer = conference
                        .send(&SHOW_ONLINE_MEETING_DETAIL, |t| {
                            let (conference, key) = (&conference, &key);
                            async move {
                                conference
                                    .api()
                                    .show_online_meeting_detail(
                                        conference.id(),
                                        std::num::NonZeroU32::new(size),
                                        Some(offset),
                                        key.as_ref().as_ref(),
                                        None,
                                        t.access(),
                                    )
                                    .await
                            }
                        })
                        .await?;
                    // No page: nobody to list.
                    let page = answer.data.unwrap_or_default();
                    Ok(Page {
                        total: page.count.and_then(|c| usize::try_from(c).ok()),
                        items: page
                            .data
                            .into_iter()
                            .filter_map(|p| {
                                Some(Attendee {
                                    id: p.participant_id?,
                                    name: p.name,
                                    host: p.role == Some(1),
                                    state: p.state,
                                    kind: p.attendee_type,
                                })
                            })
                            .collect(),
                    })
                }
            },
        ))
    }
}
