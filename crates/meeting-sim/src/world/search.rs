//! Finding meetings: the scheduled and running ones, the running ones, and the attendees
//! of one, each a page at a time with the service's limits; the running one a number is
//! in.

use meeting_api::types::{
    ConferenceInfo, OnlineAttendeeRecordInfo, OnlineMeetingDetail, PageParticipant, ParticipantInfo,
};

use super::{Conference, Grant, Participant, World};
use crate::errors::ApiError;
use crate::model::ConferenceState;

/// The service's page limit, and its default.
pub const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 20;

/// A page: where it starts and how long it is (the service's defaults filled in).
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

impl Page {
    /// `offset` (default 0), `limit` (default 20, 1 to 500).
    pub fn new(offset: Option<i64>, limit: Option<i64>) -> Result<Page, ApiError> {
        let offset = usize::try_from(offset.unwrap_or(0))
            .map_err(|_| ApiError::bad_request("offset must not be negative"))?;
        let limit = match limit {
            None => DEFAULT_PAGE,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| ApiError::bad_request(format!("limit must be 1 to {MAX_PAGE}")))?,
        };
        Ok(Page { offset, limit })
    }

    pub(super) fn take<T>(&self, items: impl Iterator<Item = T>) -> Vec<T> {
        items.skip(self.offset).take(self.limit).collect()
    }
}

/// What SearchMeetings and SearchOnlineMeetings ask for.
#[derive(Clone, Debug, Default)]
pub struct MeetingQuery {
    /// Text the subject, the organizer or the ID contains (any case).
    pub search: Option<String>,
    /// An administrator's: every user's meetings.
    pub all_users: bool,
    /// An administrator's: this user's meetings.
    pub user: Option<String>,
    /// Only those starting before now plus this many minutes.
    pub within_minutes: Option<i64>,
    /// Latest start first.
    pub newest_first: bool,
    /// Only the running ones.
    pub running_only: bool,
}

impl Conference {
    /// Its start in minutes since the epoch: as scheduled, or when it was seeded.
    fn start_minute(&self) -> i64 {
        self.start_minutes
            .unwrap_or_else(|| self.started_ms.div_euclid(60_000))
    }

    pub(super) fn matches(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        let contains =
            |s: &Option<String>| s.as_ref().is_some_and(|s| s.to_lowercase().contains(&text));
        self.id.contains(&text) || contains(&self.subject) || contains(&self.organizer)
    }
}

impl World {
    /// CheckCallNumberInConf: the meeting in progress, of those `by` manages, that
    /// `number` (a participant's phone) is in; the lowest ID when there are several.
    pub fn meeting_of_number(&self, by: &Grant, number: &str) -> Option<&str> {
        self.conferences
            .values()
            .filter(|c| c.state == ConferenceState::Ongoing && c.managed_by(by))
            .find(|c| {
                c.participants
                    .iter()
                    .any(|p| p.phone.as_deref() == Some(number))
            })
            .map(|c| c.id.as_str())
    }

    /// The conferences `by` may list: their own (a meeting seeded without organizer is
    /// anyone's), an administrator's choice of user, or with `all_users` every one;
    /// matching the query's text.
    pub(super) fn visible<'s: 'q, 'q>(
        &'s self,
        by: &'q Grant,
        query: &'q MeetingQuery,
    ) -> impl Iterator<Item = &'s Conference> + 'q {
        let owner = match (&query.user, by.admin) {
            (Some(user), true) => Some(user.as_str()),
            _ if by.admin && query.all_users => None,
            _ => Some(by.subject.as_str()),
        };
        self.conferences
            .values()
            .filter(move |c| {
                owner.is_none_or(|o| c.organizer.as_deref().is_none_or(|org| org == o))
            })
            .filter(|c| query.search.as_deref().is_none_or(|text| c.matches(text)))
    }

    /// SearchMeetings (`running_only` false) and SearchOnlineMeetings: those not over,
    /// the caller's own (an administrator's with `all_users`, or another user's), by
    /// start then ID; how many match and the page.
    pub fn search_meetings(
        &self,
        by: &Grant,
        query: &MeetingQuery,
        page: Page,
        now_ms: i64,
    ) -> (usize, Vec<ConferenceInfo>) {
        let now_minute = now_ms.div_euclid(60_000);
        let mut found: Vec<&Conference> = self
            .visible(by, query)
            .filter(|c| match c.state {
                ConferenceState::Ongoing => true,
                ConferenceState::Scheduled => !query.running_only,
                ConferenceState::Ended | ConferenceState::Cancelled => false,
            })
            .filter(|c| {
                query
                    .within_minutes
                    .is_none_or(|within| c.start_minute() <= now_minute + within)
            })
            .collect();
        found.sort_by(|a, b| (a.start_minute(), &a.id).cmp(&(b.start_minute(), &b.id)));
        if query.newest_first {
            found.reverse();
        }
        let count = found.len();
        (count, page.take(found.into_iter().map(|c| c.info(false))))
    }

    /// A running meeting (for its organizer or an administrator) and its participants
    /// whose name, ID or number contains `search`.
    fn online_participants(
        &self,
        id: &str,
        by: &Grant,
        search: Option<&str>,
    ) -> Result<(&Conference, Vec<&Participant>), ApiError> {
        let conference = self.conference(id)?;
        if !conference.managed_by(by) {
            return Err(ApiError::meeting_not_found(id));
        }
        let search = search.map(str::to_lowercase);
        let matches = |p: &&Participant| {
            search.as_deref().is_none_or(|text| {
                p.seed.id.contains(text)
                    || p.phone.as_ref().is_some_and(|n| n.contains(text))
                    || p.seed
                        .name
                        .as_ref()
                        .is_some_and(|n| n.to_lowercase().contains(text))
            })
        };
        let participants = conference.participants.iter().filter(matches).collect();
        Ok((conference, participants))
    }

    /// ListOnlineConfAttendee: a page of a running meeting's attendees, with their
    /// numbers and roles, and how many match.
    pub fn online_attendees(
        &self,
        id: &str,
        by: &Grant,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<OnlineAttendeeRecordInfo>, usize), ApiError> {
        let (_, attendees) = self.online_participants(id, by, search)?;
        let count = attendees.len();
        let data = page.take(attendees.into_iter().map(|p| OnlineAttendeeRecordInfo {
            participant_id: Some(p.seed.id.clone()),
            name: p.seed.name.clone(),
            call_number: p.phone.clone(),
            role: Some(i32::from(p.seed.host)),
            third_account: None,
            account: None,
            user_id: None,
        }));
        Ok((data, count))
    }

    /// ShowOnlineMeetingDetail: a running meeting (for its organizer or an
    /// administrator) and a page of its attendees, whose name, ID or number contains
    /// `search`.
    pub fn online_detail(
        &self,
        id: &str,
        by: &Grant,
        search: Option<&str>,
        page: Page,
    ) -> Result<OnlineMeetingDetail, ApiError> {
        let (conference, attendees) = self.online_participants(id, by, search)?;
        let count = attendees.len();
        let data = page.take(attendees.into_iter().map(|p| {
            ParticipantInfo {
                participant_id: Some(p.seed.id.clone()),
                name: p.seed.name.clone(),
                role: Some(i32::from(p.seed.host)),
                state: Some("MEETTING".to_owned()),
                attendee_type: Some(
                    if p.seed.professional_terminal {
                        "terminal"
                    } else {
                        "normal"
                    }
                    .to_owned(),
                ),
                account_id: None,
                user_uuid: None,
            }
        }));
        Ok(OnlineMeetingDetail {
            conference_data: Some(conference.info(true)),
            data: Some(PageParticipant {
                offset: i32::try_from(page.offset).ok(),
                limit: i32::try_from(page.limit).ok(),
                count: i32::try_from(count).ok(),
                data,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConferenceSeed, Seed};

    fn admin() -> Grant {
        Grant {
            subject: "meeting_admin".into(),
            admin: true,
            expires_ms: i64::MAX,
        }
    }

    #[test]
    fn pages_cover_every_meeting_once_in_order() {
        let mut world = World::default();
        world.seed(Seed {
            conferences: (0..1000)
                .map(|i| {
                    ConferenceSeed::new(
                        format!("{:09}", 100_000_000 + i),
                        "1",
                        ConferenceState::Scheduled,
                    )
                    .organizer("alice")
                })
                .collect(),
            ..Seed::example()
        });
        let query = MeetingQuery {
            all_users: true,
            ..MeetingQuery::default()
        };
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = Page::new(Some(offset), Some(500)).expect("a page");
            let (count, data) = world.search_meetings(&admin(), &query, page, 0);
            assert_eq!(count, 1000);
            if data.is_empty() {
                break;
            }
            offset += data.len() as i64;
            seen.extend(data.into_iter().map(|c| c.conference_id));
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!((seen.len(), sorted.len()), (1000, 1000));
        assert!(Page::new(None, Some(501)).is_err());
        assert!(Page::new(Some(-1), None).is_err());
    }

    #[test]
    fn a_user_sees_their_own_and_search_matches_subject_organizer_or_id() {
        let mut world = World::default();
        world.seed(Seed::example());
        let alice = Grant {
            subject: "alice".into(),
            admin: false,
            expires_ms: i64::MAX,
        };
        let bob = Grant {
            subject: "bob".into(),
            ..alice.clone()
        };
        let page = Page::new(None, None).expect("default");
        let all = MeetingQuery::default();
        assert_eq!(world.search_meetings(&alice, &all, page, 0).0, 3);
        assert_eq!(world.search_meetings(&bob, &all, page, 0).0, 0);
        let running = MeetingQuery {
            running_only: true,
            ..MeetingQuery::default()
        };
        assert_eq!(world.search_meetings(&alice, &running, page, 0).0, 2);
        let by_id = MeetingQuery {
            search: Some("4087".into()),
            ..MeetingQuery::default()
        };
        let (_, found) = world.search_meetings(&alice, &by_id, page, 0);
        assert_eq!(found[0].conference_id, "914087436");
        let detail = world
            .online_detail("914083136", &alice, Some("laptop"), page)
            .expect("running");
        assert_eq!(detail.data.map(|d| d.count), Some(Some(1)));
    }
}
