//! A past meeting, by its UUID (from [`Client::past_meetings`] or
//! [`crate::MeetingDetails::uuid`]): its details, who attended, each stay with its
//! join and leave times, and every control action taken in it. Needs credentials.

use meeting_api::operations::{
    SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING, SEARCH_CTL_RECORDS_OF_HIS_MEETING,
    SHOW_HIS_MEETING_DETAIL,
};
use meeting_api::types::{
    SearchAttendanceRecordsOfHisMeetingSearchKey, ShowHisMeetingDetailSearchKey,
};

use crate::Client;
use crate::api::management::MeetingDetails;
use crate::api::search::{Attendee, search_key};
use crate::conference::{NO_INPUT, id_problem};
use crate::error::{Context, Error};
use crate::listing::{DEFAULT_PAGE_SIZE, Listing, Page};

/// A meeting that ended (see [`Client::past_meeting`]).
#[derive(Clone, Debug)]
pub struct PastMeeting {
    client: Client,
    uuid: String,
}

/// One stay of one attendee in a past meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttendanceRecord {
    /// The attendee's name.
    pub name: Option<String>,
    /// Its number or participant ID.
    pub number: Option<String>,
    /// Its device (`PC`, `TE`, …).
    pub device: Option<String>,
    /// When it joined, ms since the epoch.
    pub joined_at_ms: Option<i64>,
    /// When it left, ms since the epoch.
    pub left_at_ms: Option<i64>,
}

/// One control action taken in a past meeting (see [`PastMeeting::control_records`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ControlRecord {
    /// When, ms since the epoch.
    pub at_ms: Option<i64>,
    /// Who took it.
    pub operator: Option<String>,
    /// What was done.
    pub action: Option<String>,
    /// On whom, when on someone.
    pub object: Option<String>,
    /// `success`, or how it was refused.
    pub result: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// More, as the service says.
    pub detail: Option<String>,
}

impl Client {
    /// The past meeting with this UUID.
    pub fn past_meeting(&self, uuid: impl Into<String>) -> PastMeeting {
        PastMeeting {
            client: self.clone(),
            uuid: uuid.into(),
        }
    }
}

/// A search text (1 to 128 characters) as the generated type `K`, checked.
fn key<K: for<'a> TryFrom<&'a str, Error: std::fmt::Display>>(
    context: &Context,
    uuid: &str,
    search: Option<&str>,
) -> Result<Option<K>, Error> {
    if let Some(problem) = id_problem("meeting uuid", uuid) {
        return Err(Error::invalid(context, problem));
    }
    search_key(search).map_err(|problem| Error::invalid(context, problem))
}

impl PastMeeting {
    /// Its UUID.
    pub fn uuid(&self) -> &str {
        &self.uuid
    }

    fn context(&self, operation: &'static meeting_api::table::Operation) -> Context {
        Context::new(operation.id, None)
    }

    /// What the service says of it.
    pub async fn details(&self) -> Result<MeetingDetails, Error> {
        let context = self.context(&SHOW_HIS_MEETING_DETAIL);
        key::<ShowHisMeetingDetailSearchKey>(&context, &self.uuid, None)?;
        let answer = self
            .client
            .run(&SHOW_HIS_MEETING_DETAIL, NO_INPUT, |api, ()| async move {
                let one = std::num::NonZeroU32::new(1);
                api.show_his_meeting_detail(&self.uuid, one, Some(0), None, None)
                    .await
            })
            .await?;
        answer
            .conference_data
            .map(MeetingDetails::from)
            .ok_or_else(|| Error::unexpected(&context, "the answer holds no conferenceData"))
    }

    /// Who attended (each once), whose name or number contains `search`, fetched page
    /// by page as they are read.
    pub fn attendees(&self, search: Option<&str>) -> Result<Listing<Attendee>, Error> {
        let context = self.context(&SHOW_HIS_MEETING_DETAIL);
        let key = key::<ShowHisMeetingDetailSearchKey>(&context, &self.uuid, search)?;
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |a: &Attendee| a.id.clone(),
            (self.clone(), key),
            |(this, key), offset, size| async move {
                let (uuid, limit) = (&this.uuid, std::num::NonZeroU32::new(size));
                let offset = Some(i32::try_from(offset).unwrap_or(i32::MAX));
                let answer = this
                    .client
                    .run(&SHOW_HIS_MEETING_DETAIL, NO_INPUT, |api, ()| {
                        api.show_his_meeting_detail(uuid, limit, offset, key.as_ref(), None)
                    })
                    .await?;
                Ok(Attendee::page(answer.data))
            },
        ))
    }

    /// Every stay of every attendee (a participant who left and came back has two),
    /// whose name or number contains `search`, fetched page by page as they are read.
    pub fn attendance(&self, search: Option<&str>) -> Result<Listing<AttendanceRecord>, Error> {
        let context = self.context(&SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING);
        let key =
            key::<SearchAttendanceRecordsOfHisMeetingSearchKey>(&context, &self.uuid, search)?;
        // A record has no ID of its own: a stay is its number and join time.
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |r: &AttendanceRecord| (r.number.clone(), r.name.clone(), r.joined_at_ms),
            (self.clone(), key),
            |(this, key), offset, size| async move {
                let operation = &SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING;
                let (uuid, limit) = (&this.uuid, std::num::NonZeroU32::new(size));
                let offset = Some(i32::try_from(offset).unwrap_or(i32::MAX));
                let key = key.as_ref();
                let answer = this
                    .client
                    .run(operation, NO_INPUT, |api, ()| {
                        api.search_attendance_records_of_his_meeting(uuid, limit, offset, key, None)
                    })
                    .await?;
                Ok(Page::new(
                    answer
                        .data
                        .into_iter()
                        .map(|r| AttendanceRecord {
                            name: r.display_name,
                            number: r.call_number,
                            device: r.device_type,
                            joined_at_ms: r.join_time,
                            left_at_ms: r.left_time,
                        })
                        .collect(),
                    answer.count,
                ))
            },
        ))
    }
}

impl PastMeeting {
    /// Every control action taken in the meeting, in the order taken, fetched page by
    /// page as they are read.
    pub fn control_records(&self) -> Result<Listing<ControlRecord>, Error> {
        let context = self.context(&SEARCH_CTL_RECORDS_OF_HIS_MEETING);
        if let Some(problem) = id_problem("meeting uuid", &self.uuid) {
            return Err(Error::invalid(&context, problem));
        }
        // A record has no ID of its own: it is its time, action, object and operator.
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |r: &ControlRecord| {
                (
                    r.at_ms,
                    r.action.clone(),
                    r.object.clone(),
                    r.operator.clone(),
                )
            },
            self.clone(),
            |this, offset, size| async move {
                let (uuid, limit) = (&this.uuid, std::num::NonZeroU32::new(size));
                let offset = Some(i32::try_from(offset).unwrap_or(i32::MAX));
                let answer = this
                    .client
                    .run(&SEARCH_CTL_RECORDS_OF_HIS_MEETING, NO_INPUT, |api, ()| {
                        api.search_ctl_records_of_his_meeting(uuid, limit, offset, None)
                    })
                    .await?;
                let text = |t: Option<String>| t.map(|t| crate::printable(&t));
                let records = answer
                    .data
                    .into_iter()
                    .map(|r| ControlRecord {
                        at_ms: r.operate_time,
                        operator: text(r.operator),
                        action: text(r.operate_code),
                        object: text(r.operation_object),
                        result: text(r.operate_result),
                        source: text(r.operate_source),
                        detail: text(r.detail),
                    })
                    .collect();
                Ok(Page::new(records, answer.count))
            },
        ))
    }
}
