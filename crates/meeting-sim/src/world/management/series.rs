//! Recurring meetings: a series (one conference ID) and its occurrences, each with its
//! own ID; an occurrence cancelled alone, an edit that moves the series, and an
//! occurrence that ends going to history while the series goes on. Dates are UTC.

use meeting_api::types::{CycleParams, CycleParamsCycle, CycleSubConf, RestScheduleConfDto};
use serde::{Deserialize, Serialize};

use crate::calendar;
use crate::errors::{ApiError, Status, codes};
use crate::model::ConferenceState;
use crate::world::{Change, Conference, Grant, World};

/// The service's limit on a series' occurrences (more move its end date earlier).
const MAX_OCCURRENCES: usize = 50;
/// The longest a series may run, in days.
const MAX_SPAN_DAYS: i64 = 366;

/// How a series repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    /// Every `interval` days.
    Day,
    /// On `points` weekdays (0 Sunday) every `interval` weeks.
    Week,
    /// On `points` days of the month every `interval` months.
    Month,
}

/// One occurrence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// Its ID (`cycleSubConfID`).
    pub id: String,
    /// Its start, minutes since the epoch (UTC).
    pub start_minute: i64,
    /// Cancelled alone (CancelRecurringSubMeeting).
    pub cancelled: bool,
    /// Held: it ran and is in history.
    pub held: bool,
    /// Its own length in minutes, when UpdateRecurringSubMeeting set one (else the
    /// series').
    #[serde(default)]
    pub length_minutes: Option<u32>,
}

/// A recurring meeting's rule and occurrences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// How it repeats.
    pub cycle: Cycle,
    /// Every how many days, weeks or months.
    pub interval: u32,
    /// Weekdays or days of the month.
    pub points: Vec<u32>,
    /// The first day, in days since the epoch (UTC).
    pub first_day: i64,
    /// The last day.
    pub last_day: i64,
    /// The occurrences, in order.
    pub occurrences: Vec<Occurrence>,
}

fn day_of(text: &str) -> Option<i64> {
    calendar::parse(&format!("{text} 00:00")).map(|m| m.div_euclid(1440))
}

fn date_of(day: i64) -> String {
    calendar::format(day * 1440)[..10].to_owned()
}

/// (year, month) of an epoch day, and how many days that month has.
fn month_of(day: i64) -> ((i64, i64), i64) {
    let text = date_of(day);
    let (y, m) = (
        text[..4].parse().unwrap_or(1970),
        text[5..7].parse().unwrap_or(1),
    );
    let first = day - text[8..10].parse::<i64>().unwrap_or(1) + 1;
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let next = day_of(&format!("{ny:04}-{nm:02}-01")).unwrap_or(first + 31);
    ((y, m), next - first)
}

impl Series {
    /// The series CreateRecurringMeeting or UpdateRecurringMeeting describes, starting
    /// at `minute_of_day` on each day it falls on; refused as the service refuses.
    fn from_request(
        params: &CycleParams,
        minute_of_day: i64,
        today: i64,
    ) -> Result<Self, ApiError> {
        let bad = |m: &str| ApiError::bad_request(m.to_owned());
        let first_day = day_of(&params.start_date).ok_or_else(|| bad("startDate is YYYY-MM-DD"))?;
        let last_day = day_of(&params.end_date).ok_or_else(|| bad("endDate is YYYY-MM-DD"))?;
        if first_day < today {
            return Err(bad("startDate must not be before today"));
        }
        if last_day < first_day || last_day - first_day > MAX_SPAN_DAYS {
            return Err(bad("endDate must be within a year after startDate"));
        }
        let interval = params.interval.map_or(1, |i| i.get());
        let (cycle, most, points) = match params.cycle {
            CycleParamsCycle::Day => (Cycle::Day, 15, 0..=0),
            CycleParamsCycle::Week => (Cycle::Week, 5, 0..=6),
            CycleParamsCycle::Month => (Cycle::Month, 3, 1..=31),
        };
        if interval > most {
            return Err(bad(&format!("interval must be 1 to {most} for this cycle")));
        }
        let mut wanted: Vec<u32> = Vec::new();
        for p in &params.point {
            let p = u32::try_from(*p).map_err(|_| bad("point values must not be negative"))?;
            if !points.contains(&p) {
                return Err(bad(&format!("point {p} is out of range for this cycle")));
            }
            if !wanted.contains(&p) {
                wanted.push(p);
            }
        }
        if cycle != Cycle::Day && wanted.is_empty() {
            return Err(bad("point is required for a weekly or monthly cycle"));
        }
        wanted.sort_unstable();
        let mut series = Series {
            cycle,
            interval,
            points: wanted,
            first_day,
            last_day,
            occurrences: Vec::new(),
        };
        series.occurrences = series
            .days()
            .into_iter()
            .take(MAX_OCCURRENCES)
            .map(|day| Occurrence {
                id: hex::encode(rand::random::<[u8; 16]>()),
                start_minute: day * 1440 + minute_of_day,
                cancelled: false,
                held: false,
                length_minutes: None,
            })
            .collect();
        if series.occurrences.is_empty() {
            return Err(bad("the cycle has no day between startDate and endDate"));
        }
        Ok(series)
    }

    /// The days the rule falls on, in order.
    fn days(&self) -> Vec<i64> {
        let interval = i64::from(self.interval);
        let weekday = |day: i64| (day + 4).rem_euclid(7);
        let week_start = |day: i64| day - weekday(day);
        let ((y0, m0), _) = month_of(self.first_day);
        (self.first_day..=self.last_day)
            .filter(|&day| match self.cycle {
                Cycle::Day => (day - self.first_day) % interval == 0,
                Cycle::Week => {
                    let weeks = (week_start(day) - week_start(self.first_day)) / 7;
                    weeks % interval == 0 && self.points.contains(&(weekday(day) as u32))
                }
                Cycle::Month => {
                    let ((y, m), length) = month_of(day);
                    let months = (y - y0) * 12 + (m - m0);
                    let dom = day - day_of(&format!("{y:04}-{m:02}-01")).unwrap_or(day) + 1;
                    // A point past the month's end falls on its last day.
                    months % interval == 0
                        && self.points.iter().any(|&p| i64::from(p).min(length) == dom)
                }
            })
            .collect()
    }

    /// The next occurrence not cancelled nor held.
    pub fn next(&self) -> Option<&Occurrence> {
        self.occurrences.iter().find(|o| !o.cancelled && !o.held)
    }

    pub(in crate::world) fn params(&self) -> CycleParams {
        CycleParams {
            start_date: date_of(self.first_day),
            end_date: date_of(self.last_day),
            cycle: match self.cycle {
                Cycle::Day => CycleParamsCycle::Day,
                Cycle::Week => CycleParamsCycle::Week,
                Cycle::Month => CycleParamsCycle::Month,
            },
            interval: std::num::NonZeroU32::new(self.interval),
            point: self.points.iter().map(|p| *p as i32).collect(),
            pre_remind_days: None,
        }
    }

    pub(in crate::world) fn sub_confs(
        &self,
        id: &str,
        length: u32,
        media: Option<&str>,
    ) -> Vec<CycleSubConf> {
        self.occurrences
            .iter()
            .filter(|o| !o.cancelled && !o.held)
            .map(|o| CycleSubConf {
                cycle_sub_conf_id: Some(o.id.clone()),
                conference_id: Some(id.to_owned()),
                media_type: media.map(str::to_owned),
                start_time: Some(calendar::format(o.start_minute)),
                end_time: Some(calendar::format(
                    o.start_minute + i64::from(o.length_minutes.unwrap_or(length)),
                )),
            })
            .collect()
    }
}

fn cancelled(id: &str) -> ApiError {
    ApiError::new(
        Status::Forbidden,
        codes::NOT_IN_PROGRESS,
        format!("meeting {id} has already ended or been cancelled"),
    )
}

impl World {
    /// CancelRecurringMeeting: every occurrence not yet held; one in progress needs
    /// `end_ongoing` and ends first.
    pub fn cancel_series(
        &mut self,
        id: &str,
        by: &Grant,
        end_ongoing: bool,
    ) -> Result<(), ApiError> {
        let conference = self.managed_series(id, by)?;
        match conference.state {
            ConferenceState::Ended | ConferenceState::Cancelled => return Err(cancelled(id)),
            ConferenceState::Ongoing if !end_ongoing => {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::REQUEST_ERROR,
                    format!("meeting {id} is in progress: pass type=1 to end it"),
                ));
            }
            ConferenceState::Ongoing => self.stop(id)?,
            ConferenceState::Scheduled => {}
        }
        let Some(conference) = self.conferences.get_mut(id) else {
            return Ok(());
        };
        if conference.state != ConferenceState::Scheduled {
            return Ok(());
        }
        if let Some(series) = conference.series.as_mut() {
            for o in series.occurrences.iter_mut().filter(|o| !o.held) {
                o.cancelled = true;
            }
        }
        conference.state = ConferenceState::Cancelled;
        self.revoke_control(id);
        self.changed(Change::Ended(id.to_owned()));
        Ok(())
    }

    /// A series `by` may change that is not over: it, whether an occurrence runs now,
    /// and the occurrence next (or running).
    fn live_series(
        &mut self,
        id: &str,
        by: &Grant,
    ) -> Result<(&mut Conference, bool, Option<String>), ApiError> {
        let conference = self.managed_series(id, by)?;
        if matches!(
            conference.state,
            ConferenceState::Ended | ConferenceState::Cancelled
        ) {
            return Err(cancelled(id));
        }
        let running = conference.state == ConferenceState::Ongoing;
        let current = conference
            .series
            .as_ref()
            .and_then(Series::next)
            .map(|o| o.id.clone());
        Ok((conference, running, current))
    }

    fn managed_series(&mut self, id: &str, by: &Grant) -> Result<&mut Conference, ApiError> {
        let conference = self
            .conferences
            .get_mut(id)
            .filter(|c| c.series.is_some())
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if !conference.managed_by(by) {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::NO_PERMISSION,
                format!("only the organizer or an administrator may change meeting {id}"),
            ));
        }
        Ok(conference)
    }

    /// CreateRecurringMeeting: a scheduled series starting at its first occurrence.
    pub fn create_series(
        &mut self,
        by: &Grant,
        request: &RestScheduleConfDto,
        now_ms: i64,
    ) -> Result<meeting_api::types::ConferenceInfo, ApiError> {
        let params = request
            .cycle_params
            .as_ref()
            .ok_or_else(|| ApiError::bad_request("cycleParams is required"))?;
        let minute_of_day = request
            .start_time
            .as_deref()
            .and_then(calendar::parse)
            .map_or(now_ms.div_euclid(60_000), |m| m)
            .rem_euclid(1440);
        let series = Series::from_request(params, minute_of_day, now_ms.div_euclid(86_400_000))?;
        let info = self.create_meeting(by, request, now_ms)?;
        let id = info.conference_id.clone();
        if let Some(c) = self.conferences.get_mut(&id) {
            c.start_minutes = series.next().map(|o| o.start_minute);
            c.series = Some(series);
        }
        Ok(self.conferences.get(&id).map_or(info, |c| c.info(true)))
    }

    /// UpdateMeeting (a single meeting) and UpdateRecurringMeeting (a series): the new
    /// subject, start, length and media; a series' occurrences move to the new rule,
    /// those cancelled alone stay cancelled where they remain.
    pub fn update_meeting(
        &mut self,
        id: &str,
        by: &Grant,
        request: &RestScheduleConfDto,
        recurring: bool,
        now_ms: i64,
    ) -> Result<meeting_api::types::ConferenceInfo, ApiError> {
        let length = request.length.unwrap_or(30);
        if !(15..=1440).contains(&length) {
            return Err(ApiError::bad_request("length must be 15 to 1440 minutes"));
        }
        let start = request
            .start_time
            .as_deref()
            .map(|t| {
                calendar::parse(t).ok_or_else(|| {
                    ApiError::bad_request("startTime must be YYYY-MM-DD HH:MM (UTC)")
                })
            })
            .transpose()?;
        let conference = if recurring {
            self.managed_series(id, by)?
        } else {
            let conference = self
                .conferences
                .get_mut(id)
                .ok_or_else(|| ApiError::meeting_not_found(id))?;
            if conference.series.is_some() {
                return Err(ApiError::bad_request(format!(
                    "meeting {id} is recurring: UpdateRecurringMeeting edits it"
                )));
            }
            if !conference.managed_by(by) {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::NO_PERMISSION,
                    format!("only the organizer or an administrator may change meeting {id}"),
                ));
            }
            conference
        };
        match conference.state {
            ConferenceState::Scheduled => {}
            ConferenceState::Ongoing => {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::REQUEST_ERROR,
                    format!("meeting {id} is in progress: it can no longer be edited"),
                ));
            }
            ConferenceState::Ended | ConferenceState::Cancelled => return Err(cancelled(id)),
        }
        if let Some(old) = &conference.series {
            let params = request
                .cycle_params
                .as_ref()
                .ok_or_else(|| ApiError::bad_request("cycleParams is required"))?;
            let minute_of_day = start
                .or(conference.start_minutes)
                .unwrap_or(0)
                .rem_euclid(1440);
            let mut new =
                Series::from_request(params, minute_of_day, now_ms.div_euclid(86_400_000))?;
            for o in &mut new.occurrences {
                if let Some(before) = old
                    .occurrences
                    .iter()
                    .find(|b| b.start_minute == o.start_minute)
                {
                    o.id = before.id.clone();
                    o.cancelled = before.cancelled;
                    o.held = before.held;
                }
            }
            conference.start_minutes = new.next().map(|o| o.start_minute);
            conference.series = Some(new);
        } else if let Some(start) = start {
            conference.start_minutes = Some(start);
        }
        conference.length_minutes = u32::try_from(length).unwrap_or(30);
        if let Some(subject) = &request.subject {
            conference.subject = Some(subject.to_string());
        }
        conference.media_types = Some(request.media_types.clone());
        conference.interpretation.offered =
            request.support_simultaneous_interpretation.unwrap_or(false);
        let info = conference.info(true);
        self.changed(Change::Modified(id.to_owned()));
        Ok(info)
    }

    /// UpdateRecurringSubMeeting: one occurrence moved (a start in the future, UTC) or
    /// lengthened, the others as they are; one held, cancelled or in progress is
    /// refused. The series' occurrences stay in start order.
    pub fn update_occurrence(
        &mut self,
        id: &str,
        by: &Grant,
        request: &meeting_api::types::RestScheduleCycleConfDto,
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let start = request
            .start_time
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| {
                calendar::parse(t).ok_or_else(|| {
                    ApiError::bad_request("startTime must be YYYY-MM-DD HH:MM (UTC)")
                })
            })
            .transpose()?;
        if start.is_some_and(|minute| minute * 60_000 <= now_ms) {
            return Err(ApiError::bad_request("startTime must be in the future"));
        }
        let length = request.length.map(|n| u32::try_from(n).unwrap_or(30));
        let (conference, running, current) = self.live_series(id, by)?;
        let series = conference
            .series
            .as_mut()
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        let wanted = request.cycle_sub_conf_id.as_str();
        let Some(occurrence) = series.occurrences.iter_mut().find(|o| o.id == wanted) else {
            return Err(ApiError::bad_request(format!(
                "meeting {id} has no occurrence {wanted}"
            )));
        };
        if occurrence.cancelled || occurrence.held {
            return Err(cancelled(wanted));
        }
        if running && current.as_deref() == Some(wanted) {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::REQUEST_ERROR,
                format!("occurrence {wanted} is in progress: it can no longer be edited"),
            ));
        }
        if let Some(start) = start {
            occurrence.start_minute = start;
        }
        if length.is_some() {
            occurrence.length_minutes = length;
        }
        series.occurrences.sort_by_key(|o| o.start_minute);
        if !running {
            conference.start_minutes = series.next().map(|o| o.start_minute);
        }
        self.changed(Change::Modified(id.to_owned()));
        Ok(())
    }

    /// CancelRecurringSubMeeting: those occurrences only (all named, or none); one in
    /// progress needs `end_ongoing`. A series left with none is cancelled.
    pub fn cancel_occurrences(
        &mut self,
        id: &str,
        by: &Grant,
        occurrences: &[String],
        end_ongoing: bool,
    ) -> Result<(), ApiError> {
        let (conference, running, current) = self.live_series(id, by)?;
        let series = conference
            .series
            .as_mut()
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        for wanted in occurrences {
            let Some(o) = series.occurrences.iter().find(|o| o.id == *wanted) else {
                return Err(ApiError::bad_request(format!(
                    "meeting {id} has no occurrence {wanted}"
                )));
            };
            if o.cancelled || o.held {
                return Err(cancelled(wanted));
            }
            if running && current.as_deref() == Some(wanted.as_str()) && !end_ongoing {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::REQUEST_ERROR,
                    format!("occurrence {wanted} is in progress: pass type=1 to end it"),
                ));
            }
        }
        let ends_current = running && current.as_ref().is_some_and(|c| occurrences.contains(c));
        if ends_current {
            // It ran: it ends (to history, held), and the rest are cancelled.
            self.stop(id)?;
        }
        let Some(conference) = self.conferences.get_mut(id) else {
            return Ok(());
        };
        if let Some(series) = conference.series.as_mut() {
            for o in series
                .occurrences
                .iter_mut()
                .filter(|o| occurrences.contains(&o.id) && !o.held)
            {
                o.cancelled = true;
            }
            conference.start_minutes = series.next().map(|o| o.start_minute);
            if series.next().is_none() && conference.state == ConferenceState::Scheduled {
                conference.state = ConferenceState::Cancelled;
                self.revoke_control(id);
                self.changed(Change::Ended(id.to_owned()));
                return Ok(());
            }
        }
        self.changed(Change::Modified(id.to_owned()));
        Ok(())
    }

    /// The occurrence in progress ends: a copy of the series as it ran goes to
    /// history (its attendance, recordings, times, a UUID of its own), and the series
    /// waits for its next occurrence, or is over after its last. Called where a
    /// meeting ends, before the change is told.
    pub(in crate::world) fn end_occurrence(&mut self, id: &str) {
        let now_ms = self.now_ms;
        let Some(conference) = self.conferences.get_mut(id) else {
            return;
        };
        let mut past = conference.clone();
        let Some(series) = conference.series.as_mut() else {
            return;
        };
        let Some(current) = series
            .occurrences
            .iter_mut()
            .find(|o| !o.cancelled && !o.held)
        else {
            return;
        };
        current.held = true;
        let key = format!("{id}#{}", current.id);
        past.state = ConferenceState::Ended;
        past.start_minutes = Some(current.start_minute);
        past.length_minutes = current.length_minutes.unwrap_or(past.length_minutes);
        past.participants.clear();
        past.series = None;
        past.sync_attendance(now_ms);
        let next = series.next().map(|o| o.start_minute);
        if let Some(next) = next {
            // The series goes on: a fresh meeting, as it was scheduled.
            conference.state = ConferenceState::Scheduled;
            conference.start_minutes = Some(next);
            conference.uuid = hex::encode(rand::random::<[u8; 16]>());
            conference.participants.clear();
            conference.speakers.clear();
            conference.attendance.clear();
            conference.sharing.clear();
            conference.control_records.clear();
            conference.recordings.clear();
            conference.broadcasting = Default::default();
        }
        self.conferences.insert(key, past);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(
        start: &str,
        end: &str,
        cycle: CycleParamsCycle,
        interval: u32,
        point: &[i32],
    ) -> CycleParams {
        CycleParams {
            start_date: start.into(),
            end_date: end.into(),
            cycle,
            interval: std::num::NonZeroU32::new(interval),
            point: point.to_vec(),
            pre_remind_days: None,
        }
    }

    fn dates(series: &Series) -> Vec<String> {
        series
            .occurrences
            .iter()
            .map(|o| calendar::format(o.start_minute))
            .collect()
    }

    #[test]
    fn the_rules_fall_on_their_days() {
        // 2030-01-07 is a Monday.
        let weekly = Series::from_request(
            &params(
                "2030-01-07",
                "2030-01-20",
                CycleParamsCycle::Week,
                1,
                &[1, 3],
            ),
            9 * 60,
            0,
        )
        .expect("weekly");
        assert_eq!(
            dates(&weekly),
            [
                "2030-01-07 09:00",
                "2030-01-09 09:00",
                "2030-01-14 09:00",
                "2030-01-16 09:00"
            ]
        );
        let fortnightly = Series::from_request(
            &params("2030-01-07", "2030-02-03", CycleParamsCycle::Week, 2, &[0]),
            0,
            0,
        )
        .expect("every other Sunday");
        assert_eq!(
            dates(&fortnightly),
            ["2030-01-20 00:00", "2030-02-03 00:00"]
        );
        let monthly = Series::from_request(
            &params(
                "2030-01-31",
                "2030-04-30",
                CycleParamsCycle::Month,
                1,
                &[31],
            ),
            0,
            0,
        )
        .expect("monthly");
        assert_eq!(
            dates(&monthly),
            [
                "2030-01-31 00:00",
                "2030-02-28 00:00",
                "2030-03-31 00:00",
                "2030-04-30 00:00"
            ],
            "a day past the month's end falls on its last day"
        );
        let daily = Series::from_request(
            &params("2030-01-01", "2030-12-31", CycleParamsCycle::Day, 1, &[]),
            0,
            0,
        )
        .expect("daily");
        assert_eq!(daily.occurrences.len(), MAX_OCCURRENCES);
        for refused in [
            params("2030-01-07", "2031-02-01", CycleParamsCycle::Day, 1, &[]),
            params("2030-01-07", "2030-01-08", CycleParamsCycle::Week, 6, &[1]),
            params("2030-01-07", "2030-01-08", CycleParamsCycle::Week, 1, &[]),
            params("2030-01-07", "2030-01-08", CycleParamsCycle::Week, 1, &[7]),
            params("2030-01-09", "2030-01-08", CycleParamsCycle::Day, 1, &[]),
        ] {
            assert!(Series::from_request(&refused, 0, 0).is_err(), "{refused:?}");
        }
        let today = day_of("2030-01-08").expect("a day");
        assert!(
            Series::from_request(
                &params("2030-01-07", "2030-01-09", CycleParamsCycle::Day, 1, &[]),
                0,
                today
            )
            .is_err(),
            "a series does not start in the past"
        );
    }
}
