//! Finding meetings with the access token: the scheduled and running ones
//! ([`Client::meetings`]), the running ones ([`Client::ongoing_meetings`]), the past
//! ones ([`Client::past_meetings`]), and the attendees of one
//! ([`Conference::attendees`]); each a [`Listing`] that pages lazily. And the running
//! meeting a number is in ([`Client::meeting_of_number`]).

use meeting_api::operations::{
    CHECK_CALL_NUMBER_IN_CONF, LIST_ONLINE_CONF_ATTENDEE, SEARCH_HIS_MEETINGS, SEARCH_MEETINGS,
    SEARCH_ONLINE_MEETINGS, SEARCH_RECORDINGS, SHOW_ONLINE_MEETING_DETAIL,
};
use meeting_api::table::Operation;
use meeting_api::types::{
    PeriodEnd, PeriodStart, SearchHisMeetingsSearchKey, SearchHisMeetingsSortType,
    SearchMeetingsQueryConfMode, SearchMeetingsSearchKey, SearchMeetingsSortType,
    SearchOnlineMeetingsSearchKey,
};

use std::future::Future;
use std::marker::PhantomData;

use crate::Client;
use crate::api::management::MeetingDetails;
use crate::conference::{Conference, NO_INPUT, id_problem};
use crate::error::{Context, Error};
use crate::listing::{DEFAULT_PAGE_SIZE, Listing, Page, page_size_problem};

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
pub struct MeetingSearch<T = MeetingDetails> {
    found: PhantomData<fn() -> T>,
    client: Client,
    kind: Kind,
    search: Option<String>,
    all_users: bool,
    user: Option<String>,
    within: Option<Within>,
    newest_first: bool,
    dates: Option<(String, String)>,
    time_zone: Option<String>,
    page_size: u32,
    limit: Option<usize>,
}

/// Which meetings a search lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Not over: SearchMeetings.
    Upcoming,
    /// Running: SearchOnlineMeetings.
    Ongoing,
    /// Over: SearchHisMeetings.
    Past,
    /// With a recording: SearchRecordings.
    Recordings,
}

impl Kind {
    fn operation(self) -> &'static Operation {
        match self {
            Kind::Upcoming => &SEARCH_MEETINGS,
            Kind::Ongoing => &SEARCH_ONLINE_MEETINGS,
            Kind::Past => &SEARCH_HIS_MEETINGS,
            Kind::Recordings => &SEARCH_RECORDINGS,
        }
    }
}

impl Client {
    /// The meeting in progress that `number` (a terminal's, a phone's) is in, if any
    /// of those this client may manage. Needs credentials.
    pub async fn meeting_of_number(&self, number: &str) -> Result<Option<Conference>, Error> {
        let input = id_problem("number", number).map_or(Ok(number), Err);
        let answer = self
            .run(&CHECK_CALL_NUMBER_IN_CONF, input, |api, number| {
                api.check_call_number_in_conf(number)
            })
            .await?;
        match (answer.in_conf, answer.conf_id) {
            (Some(true), Some(id)) if id_problem("conference id", &id).is_none() => {
                Ok(Some(self.conference(crate::printable(&id))))
            }
            (Some(true), _) => Err(Error::unexpected(
                &Context::new(CHECK_CALL_NUMBER_IN_CONF.id, None),
                "the number is in a meeting, but the answer names none",
            )),
            _ => Ok(None),
        }
    }

    /// The meetings that have not ended (scheduled or running), by start time. Needs
    /// credentials; a user sees their own, an administrator the enterprise's with
    /// [`MeetingSearch::all_users`].
    pub fn meetings(&self) -> MeetingSearch {
        MeetingSearch::new(self.clone(), Kind::Upcoming)
    }

    /// The meetings in progress, by start time.
    pub fn ongoing_meetings(&self) -> MeetingSearch {
        MeetingSearch::new(self.clone(), Kind::Ongoing)
    }

    /// The meetings that ended, by start time; [`MeetingSearch::between`] dates in
    /// [`MeetingSearch::time_zone`] bound their start.
    pub fn past_meetings(&self) -> MeetingSearch {
        MeetingSearch::new(self.clone(), Kind::Past)
    }
}

/// What a [`MeetingSearch`] lists: a meeting or a recording, each with the call that
/// fetches a page of them.
pub trait Found: Clone + std::fmt::Debug + Send + Sized + 'static {
    /// The entry's ID, by which repeats are dropped.
    #[doc(hidden)]
    fn key(&self) -> String;
    /// A page of entries.
    #[doc(hidden)]
    fn fetch(
        search: &MeetingSearch<Self>,
        offset: u32,
        size: u32,
        dates: &Period,
    ) -> impl Future<Output = Result<Page<Self>, Error>> + Send;
}

/// The first and last millisecond a search's dates bound, as the service takes them.
pub(crate) type Period = (Option<PeriodStart>, Option<PeriodEnd>);

impl<T> MeetingSearch<T> {
    pub(crate) fn new(client: Client, kind: Kind) -> Self {
        MeetingSearch {
            found: PhantomData,
            client,
            kind,
            search: None,
            all_users: false,
            user: None,
            within: None,
            newest_first: false,
            dates: None,
            time_zone: None,
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

    /// Past meetings that started from `from` to `to` (`YYYY-MM-DD`, both included),
    /// the dates in the search's time zone.
    pub fn between(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.dates = Some((from.into(), to.into()));
        self
    }

    /// The time zone of [`MeetingSearch::between`]'s dates: an IANA name such as
    /// `Asia/Shanghai` (default UTC).
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = Some(zone.into());
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
        if self.kind == Kind::Ongoing && (self.within.is_some() || self.newest_first) {
            return Some("running meetings are listed by start time only".into());
        }
        let dated = matches!(self.kind, Kind::Past | Kind::Recordings);
        if dated && self.within.is_some() {
            return Some("past meetings are bounded with between(), not starting_within()".into());
        }
        if !dated && (self.dates.is_some() || self.time_zone.is_some()) {
            return Some("dates and a time zone bound past meetings and recordings only".into());
        }
        None
    }

    /// The dates as the service takes them: from the first to the last millisecond of
    /// the two days in the time zone.
    fn date_range(&self) -> Result<Period, String> {
        let Some((from, to)) = &self.dates else {
            return Ok((None, None));
        };
        let zone = crate::calendar::time_zone(self.time_zone.as_deref())?;
        let (from, to) = (crate::calendar::date(from)?, crate::calendar::date(to)?);
        if from > to {
            return Err(format!("the dates run backwards: {from} is after {to}"));
        }
        let first = crate::calendar::day_start_ms(from, &zone)?;
        let next = to.tomorrow().map_err(|e| e.to_string())?;
        let last = crate::calendar::day_start_ms(next, &zone)? - 1;
        Ok((Some(PeriodStart(first)), Some(PeriodEnd(last))))
    }
}

/// What a search asks, for the calls that fetch its pages.
pub(crate) struct Query<'a> {
    pub client: &'a Client,
    pub search: Option<&'a str>,
    pub all_users: bool,
    pub user: Option<&'a str>,
    pub newest_first: bool,
}

impl<T> MeetingSearch<T> {
    pub(crate) fn query(&self) -> Query<'_> {
        Query {
            client: &self.client,
            search: self.search.as_deref(),
            all_users: self.all_users,
            user: self.user.as_deref(),
            newest_first: self.newest_first,
        }
    }
}

impl<T: Found> MeetingSearch<T> {
    /// The entries, fetched page by page as they are read.
    pub fn list(self) -> Result<Listing<T>, Error> {
        let context = Context::new(self.kind.operation().id, None);
        let checked = self.problem().map_or_else(|| self.date_range(), Err);
        let dates = checked.map_err(|problem| Error::invalid(&context, problem))?;
        let (page_size, limit) = (self.page_size, self.limit);
        let search = std::sync::Arc::new((self, dates));
        Ok(Listing::new(
            page_size,
            limit,
            T::key,
            search,
            |search, offset, size| async move { T::fetch(&search.0, offset, size, &search.1).await },
        ))
    }
}

impl Found for MeetingDetails {
    /// Its UUID: one ID can run many times (a series' occurrences), each a past meeting.
    fn key(&self) -> String {
        self.uuid.clone().unwrap_or_else(|| self.id.clone())
    }

    async fn fetch(
        this: &MeetingSearch<Self>,
        offset: u32,
        size: u32,
        (from, to): &Period,
    ) -> Result<Page<MeetingDetails>, Error> {
        let offset = i32::try_from(offset).unwrap_or(i32::MAX);
        let limit = std::num::NonZeroU32::new(size);
        let user = this.user.as_deref();
        let answer = if this.kind == Kind::Past {
            let key = this
                .search
                .as_deref()
                .map(SearchHisMeetingsSearchKey::try_from)
                .transpose();
            let sort = Some(if this.newest_first {
                SearchHisMeetingsSortType::DscStartTime
            } else {
                SearchHisMeetingsSortType::AscStartTime
            });
            let (from, to) = (from.as_ref(), to.as_ref());
            let key = key.map_err(|e| e.to_string());
            this.client
                .run(&SEARCH_HIS_MEETINGS, key.as_ref(), |api, key| {
                    api.search_his_meetings(
                        to,
                        limit,
                        Some(offset),
                        Some(this.all_users),
                        key.as_ref(),
                        sort,
                        from,
                        user,
                    )
                })
                .await?
        } else if this.kind == Kind::Ongoing {
            let key = this
                .search
                .as_deref()
                .map(SearchOnlineMeetingsSearchKey::try_from)
                .transpose();
            let key = key.map_err(|e| e.to_string());
            this.client
                .run(&SEARCH_ONLINE_MEETINGS, key.as_ref(), |api, key| {
                    api.search_online_meetings(
                        limit,
                        Some(offset),
                        Some(this.all_users),
                        key.as_ref(),
                        user,
                    )
                })
                .await?
        } else {
            let key = this
                .search
                .as_deref()
                .map(SearchMeetingsSearchKey::try_from)
                .transpose();
            let key = key.map_err(|e| e.to_string());
            let mode = Some(match this.within {
                None => SearchMeetingsQueryConfMode::All,
                Some(Within::Day) => SearchMeetingsQueryConfMode::Aday,
                Some(Within::Week) => SearchMeetingsQueryConfMode::Aweek,
                Some(Within::Month) => SearchMeetingsQueryConfMode::Amonth,
            });
            let sort = Some(if this.newest_first {
                SearchMeetingsSortType::DscStartTime
            } else {
                SearchMeetingsSortType::AscStartTime
            });
            this.client
                .run(&SEARCH_MEETINGS, key.as_ref(), |api, key| {
                    api.search_meetings(
                        limit,
                        Some(offset),
                        Some(this.all_users),
                        mode,
                        key.as_ref(),
                        sort,
                        user,
                    )
                })
                .await?
        };
        Ok(Page::new(
            answer.data.into_iter().map(MeetingDetails::from).collect(),
            answer.count,
        ))
    }
}

/// `searchKey`: 1 to 128 characters.
pub(crate) fn search_problem(text: &str) -> Option<String> {
    let n = text.chars().count();
    (!(1..=128).contains(&n)).then(|| format!("search text is 1 to 128 characters, not {n}"))
}

/// A search text as an operation's key type, checked.
pub(crate) fn search_key<'a, K>(search: Option<&'a str>) -> Result<Option<K>, String>
where
    K: TryFrom<&'a str, Error: std::fmt::Display>,
{
    search
        .map(|text| match search_problem(text) {
            Some(problem) => Err(problem),
            None => K::try_from(text).map_err(|e| e.to_string()),
        })
        .transpose()
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

impl Attendee {
    /// The attendees of a page of an answer; no page: nobody to list.
    pub(crate) fn page(page: Option<meeting_api::types::PageParticipant>) -> Page<Attendee> {
        let page = page.unwrap_or_default();
        let items = page
            .data
            .into_iter()
            .filter_map(Attendee::from_info)
            .collect();
        Page::new(items, page.count)
    }

    /// An attendee as an answer lists it (none without an ID).
    fn from_info(p: meeting_api::types::ParticipantInfo) -> Option<Attendee> {
        Some(Attendee {
            id: p.participant_id?,
            name: p.name,
            host: p.role == Some(1),
            state: p.state,
            kind: p.attendee_type,
        })
    }
}

impl Conference {
    /// The attendees of this running meeting whose name or number contains `search`
    /// (all with `None`), fetched page by page as they are read. Needs credentials.
    pub fn attendees(&self, search: Option<&str>) -> Result<Listing<Attendee>, Error> {
        let key = self.checked(&SHOW_ONLINE_MEETING_DETAIL, search_key(search))?;
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |a: &Attendee| a.id.clone(),
            (self.clone(), key),
            |(conference, key), offset, size| async move {
                let offset = i32::try_from(offset).unwrap_or(i32::MAX);
                let conference = &conference;
                let answer = conference
                    .run(&SHOW_ONLINE_MEETING_DETAIL, NO_INPUT, |api, ()| {
                        api.show_online_meeting_detail(
                            conference.id(),
                            std::num::NonZeroU32::new(size),
                            Some(offset),
                            key.as_ref(),
                            None,
                        )
                    })
                    .await?;
                Ok(Attendee::page(answer.data))
            },
        ))
    }
}

/// An attendee of a running meeting with its join data (see
/// [`Conference::online_attendees`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OnlineAttendee {
    /// Its participant ID in the meeting.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// The number it was called at or called from.
    pub number: Option<String>,
    /// Whether it hosts.
    pub host: bool,
    /// Its Huawei Cloud Meeting account.
    pub account: Option<String>,
    /// Its third-party account (App ID logins).
    pub third_account: Option<String>,
    /// Its user UUID.
    pub user_id: Option<String>,
}

impl OnlineAttendee {
    /// An attendee as an answer lists it (none without an ID).
    fn from_info(p: meeting_api::types::OnlineAttendeeRecordInfo) -> Option<Self> {
        let text = |t: Option<String>| t.map(|t| crate::printable(&t));
        Some(Self {
            id: crate::printable(&p.participant_id?),
            name: text(p.name),
            number: text(p.call_number),
            host: p.role == Some(1),
            account: text(p.account),
            third_account: text(p.third_account),
            user_id: text(p.user_id),
        })
    }
}

impl Conference {
    /// The attendees of this running meeting with their numbers, roles and accounts,
    /// whose name or number contains `search` (all with `None`), fetched page by page
    /// as they are read (ListOnlineConfAttendee). Needs credentials.
    pub fn online_attendees(&self, search: Option<&str>) -> Result<Listing<OnlineAttendee>, Error> {
        let key = self.checked(&LIST_ONLINE_CONF_ATTENDEE, search_key(search))?;
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |a: &OnlineAttendee| a.id.clone(),
            (self.clone(), key),
            |(conference, key), offset, size| async move {
                let offset = i32::try_from(offset).unwrap_or(i32::MAX);
                let conference = &conference;
                let answer = conference
                    .run(&LIST_ONLINE_CONF_ATTENDEE, NO_INPUT, |api, ()| {
                        api.list_online_conf_attendee(
                            conference.id(),
                            std::num::NonZeroU32::new(size),
                            Some(offset),
                            key.as_ref(),
                        )
                    })
                    .await?;
                let items = answer
                    .data
                    .into_iter()
                    .filter_map(OnlineAttendee::from_info)
                    .collect();
                Ok(Page::new(items, answer.count))
            },
        ))
    }
}
