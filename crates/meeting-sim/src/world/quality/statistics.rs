//! The enterprise's dashboard: per day, month or hour (UTC), figures counted from the
//! meetings, stays, recordings and logins the simulator held in that period.

use std::collections::{BTreeMap, HashSet};

use meeting_api::types::{
    StatisticConferenceDataItem, StatisticParticipateDataItem, StatisticResourceDataItem,
    StatisticUserDataItem,
};

use crate::errors::ApiError;
use crate::model::ConferenceState;
use crate::world::management::resources::administrator;
use crate::world::{Conference, Grant, Page, World};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Logins the dashboard remembers (the oldest go first).
pub const MAX_LOGINS_KEPT: usize = 100_000;

/// One period of the dashboard: its label and its span, `from_ms..to_ms`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    label: String,
    from_ms: i64,
    to_ms: i64,
}

/// `timeUnit`, `startTime` and `endTime` as buckets: days (at most 31), months (at
/// most 12), or with `hourly` the 24 hours of one day.
pub fn buckets(unit: &str, start: &str, end: &str, hourly: bool) -> Result<Vec<Bucket>, ApiError> {
    let day_ms = |day: &str| -> Result<i64, ApiError> {
        crate::calendar::parse(&format!("{day} 00:00"))
            .filter(|_| day.len() == 10)
            .map(|minutes| minutes * 60_000)
            .ok_or_else(|| ApiError::bad_request(format!("{day:?} is not a day (yyyy-MM-dd)")))
    };
    let month = |text: &str| -> Result<(i64, i64), ApiError> {
        let bad = || ApiError::bad_request(format!("{text:?} is not a month (yyyy-MM)"));
        let (y, m) = text.split_once('-').ok_or_else(bad)?;
        let (y, m) = (
            y.parse::<i64>().map_err(|_| bad())?,
            m.parse::<i64>().map_err(|_| bad())?,
        );
        if text.len() != 7 || !(1..=12).contains(&m) || !(1970..=9999).contains(&y) {
            return Err(bad());
        }
        Ok((y, m))
    };
    let month_ms = |(y, m): (i64, i64)| day_ms(&format!("{y:04}-{m:02}-01"));
    let next = |(y, m): (i64, i64)| if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    match unit {
        "D" => {
            let (first, last) = (day_ms(start)?, day_ms(end)?);
            let days = (last - first) / DAY_MS + 1;
            if last < first || days > 31 || (hourly && days != 1) {
                return Err(ApiError::bad_request(if hourly {
                    "the hourly figures are of one day: startTime and endTime the same"
                } else {
                    "endTime is 0 to 30 days after startTime"
                }));
            }
            if hourly {
                return Ok((0..24)
                    .map(|h| Bucket {
                        label: format!("{h:02}"),
                        from_ms: first + h * HOUR_MS,
                        to_ms: first + (h + 1) * HOUR_MS,
                    })
                    .collect());
            }
            Ok((0..days)
                .map(|d| {
                    let from_ms = first + d * DAY_MS;
                    Bucket {
                        label: crate::calendar::format(from_ms / 60_000)[..10].to_owned(),
                        from_ms,
                        to_ms: from_ms + DAY_MS,
                    }
                })
                .collect())
        }
        "M" if !hourly => {
            let (mut at, last) = (month(start)?, month(end)?);
            let mut buckets = Vec::new();
            while at <= last {
                if buckets.len() == 12 {
                    return Err(ApiError::bad_request(
                        "endTime is 0 to 11 months after startTime",
                    ));
                }
                let (from_ms, to_ms) = (month_ms(at)?, month_ms(next(at))?);
                buckets.push(Bucket {
                    label: format!("{:04}-{:02}", at.0, at.1),
                    from_ms,
                    to_ms,
                });
                at = next(at);
            }
            if buckets.is_empty() {
                return Err(ApiError::bad_request("endTime is before startTime"));
            }
            Ok(buckets)
        }
        "M" => Err(ApiError::bad_request(
            "the hourly figures are of one day (timeUnit D)",
        )),
        _ => Err(ApiError::bad_request("timeUnit is D or M")),
    }
}

/// The overlap of `from..to` with the bucket, ms.
fn overlap(b: &Bucket, from: i64, to: i64) -> i64 {
    (to.min(b.to_ms) - from.max(b.from_ms)).max(0)
}

impl Conference {
    /// Whether it was held (started, in progress or ended).
    fn held(&self) -> bool {
        matches!(
            self.state,
            ConferenceState::Ongoing | ConferenceState::Ended
        )
    }

    /// When it ran: its start to now or to the last stay's end.
    fn span(&self, now_ms: i64) -> (i64, i64) {
        let end = match self.state {
            ConferenceState::Ongoing => now_ms,
            _ => self
                .attendance
                .iter()
                .filter_map(|a| a.left_ms)
                .max()
                .unwrap_or(self.started_ms),
        };
        (self.started_ms, end.max(self.started_ms))
    }
}

/// The most of `spans` overlapping at once within the bucket.
fn most_at_once(b: &Bucket, spans: &[(i64, i64)]) -> usize {
    let mut edges: Vec<(i64, i32)> = spans
        .iter()
        .filter(|(from, to)| {
            overlap(b, *from, *to) > 0 || (from == to && (b.from_ms..b.to_ms).contains(from))
        })
        .flat_map(|(from, to)| {
            [
                ((*from).max(b.from_ms), 1),
                ((*to).min(b.to_ms).max(*from), -1),
            ]
        })
        .collect();
    // An end before a start at the same instant: back to back is not at once.
    edges.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    usize::try_from(most).unwrap_or(0)
}

fn text(n: impl ToString) -> Option<String> {
    Some(n.to_string())
}

impl World {
    /// The meetings held, for the dashboard.
    fn held(&self) -> impl Iterator<Item = &Conference> {
        self.conferences.values().filter(|c| c.held())
    }

    /// A login, for the dashboard (bounded: the oldest are forgotten first).
    pub(in crate::world) fn remember_login(&mut self, subject: &str) {
        if self.logins.len() >= MAX_LOGINS_KEPT {
            self.logins.pop_front();
        }
        self.logins.push_back((self.now_ms, subject.to_owned()));
    }

    /// SearchStatisticConferenceInfo: per period, the meetings that started in it,
    /// their length, the stays begun in it and the most meetings at once; per hour
    /// (`conference_hourly_info`) the meetings and stays only.
    pub fn conference_statistics(
        &self,
        by: &Grant,
        buckets: &[Bucket],
        category: &str,
        page: Page,
    ) -> Result<(usize, Vec<StatisticConferenceDataItem>), ApiError> {
        administrator(by, "the dashboard")?;
        let hourly = category == "conference_hourly_info";
        let rows: Vec<_> = buckets
            .iter()
            .map(|b| {
                let started: Vec<&Conference> = self
                    .held()
                    .filter(|c| (b.from_ms..b.to_ms).contains(&c.started_ms))
                    .collect();
                let stays = self
                    .held()
                    .flat_map(|c| &c.attendance)
                    .filter(|a| (b.from_ms..b.to_ms).contains(&a.joined_ms))
                    .count();
                let mut row = StatisticConferenceDataItem {
                    time: Some(b.label.clone()),
                    ..Default::default()
                };
                if hourly {
                    row.conf24h_count = text(started.len());
                    row.conf24h_attendee_count = text(stays);
                } else {
                    let spans: Vec<(i64, i64)> = self.held().map(|c| c.span(self.now_ms)).collect();
                    let seconds: i64 = started
                        .iter()
                        .map(|c| {
                            let (from, to) = c.span(self.now_ms);
                            (to - from) / 1000
                        })
                        .sum();
                    row.conf_count = text(started.len());
                    row.conf_duration = text(seconds);
                    row.attendee_count = text(stays);
                    row.conf_concurrent_used_count = text(most_at_once(b, &spans));
                }
                row
            })
            .collect();
        Ok((rows.len(), page.take(rows.into_iter())))
    }

    /// SearchStatisticConferenceParticipant: per period, each user's (or terminal's)
    /// meetings and time in them, or the attendances per kind of device.
    pub fn participant_statistics(
        &self,
        by: &Grant,
        buckets: &[Bucket],
        category: &str,
        page: Page,
    ) -> Result<(usize, Vec<StatisticParticipateDataItem>), ApiError> {
        administrator(by, "the dashboard")?;
        let mut rows = Vec::new();
        for b in buckets {
            // (name or device, ID) -> (meetings, seconds).
            let mut per: BTreeMap<(String, String), (HashSet<&str>, i64)> = BTreeMap::new();
            for c in self.held() {
                for a in c
                    .attendance
                    .iter()
                    .filter(|a| (b.from_ms..b.to_ms).contains(&a.joined_ms))
                {
                    let key = match category {
                        "user_participate_info" if !a.terminal => {
                            (a.name.clone().unwrap_or_default(), a.participant.clone())
                        }
                        "hard_terminal_participate_info" if a.terminal => {
                            (a.name.clone().unwrap_or_default(), a.participant.clone())
                        }
                        "participant_type_info" => {
                            let device = if a.terminal { "TE50" } else { "PC" };
                            (device.to_owned(), String::new())
                        }
                        _ => continue,
                    };
                    let entry = per.entry(key).or_default();
                    entry.0.insert(c.uuid.as_str());
                    entry.1 += (a.left_ms.unwrap_or(self.now_ms) - a.joined_ms).max(0) / 1000;
                }
            }
            for ((name, id), (meetings, seconds)) in per {
                let mut row = StatisticParticipateDataItem {
                    time: Some(b.label.clone()),
                    ..Default::default()
                };
                match category {
                    "user_participate_info" => {
                        row.conf_user_name = Some(name);
                        row.conf_user_account = Some(id);
                        row.conf_user_count = text(meetings.len());
                        row.conf_user_duration = text(seconds);
                    }
                    "hard_terminal_participate_info" => {
                        row.conf_hard_terminal_name = Some(name);
                        row.conf_hard_terminal_model = Some("TE50".to_owned());
                        row.conf_hard_terminal_user_id = Some(id);
                        row.conf_hard_terminal_count = text(meetings.len());
                        row.conf_hard_terminal_duration = text(seconds);
                    }
                    _ => {
                        let stays = self
                            .held()
                            .flat_map(|c| &c.attendance)
                            .filter(|a| (b.from_ms..b.to_ms).contains(&a.joined_ms))
                            .filter(|a| (if a.terminal { "TE50" } else { "PC" }) == name)
                            .count();
                        row.device_type = Some(name);
                        row.device_version = Some("sim".to_owned());
                        row.device_attendance_count = text(stays);
                    }
                }
                rows.push(row);
            }
        }
        Ok((rows.len(), page.take(rows.into_iter())))
    }

    /// SearchStatisticResourceInfo: per period, the meeting rooms' parties and the most
    /// in use at once, the most live streams at once, recording storage, phone minutes.
    pub fn resource_statistics(
        &self,
        by: &Grant,
        buckets: &[Bucket],
        category: &str,
        page: Page,
    ) -> Result<(usize, Vec<StatisticResourceDataItem>), ApiError> {
        administrator(by, "the dashboard")?;
        let rows: Vec<_> = buckets
            .iter()
            .map(|b| {
                let mut row = StatisticResourceDataItem {
                    time: Some(b.label.clone()),
                    ..Default::default()
                };
                let in_bucket = |c: &&Conference| {
                    let (from, to) = c.span(self.now_ms);
                    overlap(b, from, to) > 0 || (b.from_ms..b.to_ms).contains(&from)
                };
                match category {
                    "used_vmr_info" => {
                        let spans: Vec<(i64, i64)> =
                            self.held().map(|c| c.span(self.now_ms)).collect();
                        let parties = self
                            .held()
                            .flat_map(|c| &c.attendance)
                            .filter(|a| (b.from_ms..b.to_ms).contains(&a.joined_ms))
                            .count();
                        row.vmr_parties = text(parties);
                        row.max_concurrency_vmr_count = text(most_at_once(b, &spans));
                    }
                    "used_live_info" => {
                        let live: Vec<(i64, i64)> = self
                            .held()
                            .filter(|c| c.broadcasting.live)
                            .filter(in_bucket)
                            .map(|c| c.span(self.now_ms))
                            .collect();
                        row.live_port_used_count = text(most_at_once(b, &live));
                    }
                    "used_record_info" => {
                        let seconds: i64 = self
                            .held()
                            .flat_map(|c| &c.recordings)
                            .map(|s| overlap(b, s.started_ms, s.stopped_ms) / 1000)
                            .sum();
                        let mb = seconds / crate::world::archive::SECONDS_PER_MB;
                        row.record_used_size = Some(format!("{:.2}", mb as f64 / 1024.0));
                    }
                    _ => {
                        // Phone participants join under their number.
                        let seconds: i64 = self
                            .held()
                            .flat_map(|c| &c.attendance)
                            .filter(|a| a.participant.starts_with('+'))
                            .map(|a| {
                                overlap(b, a.joined_ms, a.left_ms.unwrap_or(self.now_ms)) / 1000
                            })
                            .sum();
                        row.pstn_used_duration = text(seconds.div_euclid(60));
                    }
                }
                row
            })
            .collect();
        Ok((rows.len(), page.take(rows.into_iter())))
    }

    /// SearchStatisticUserInfo: per period, the users who logged in (every login
    /// through the API counts as a PC's), the accounts activated (the simulator's are
    /// when they were seeded), the logins per device.
    pub fn user_statistics(
        &self,
        by: &Grant,
        buckets: &[Bucket],
        category: &str,
        page: Page,
    ) -> Result<(usize, Vec<StatisticUserDataItem>), ApiError> {
        administrator(by, "the dashboard")?;
        let rows: Vec<_> = buckets
            .iter()
            .map(|b| {
                let logins: Vec<&str> = self
                    .logins
                    .iter()
                    .filter(|(at, _)| (b.from_ms..b.to_ms).contains(at))
                    .map(|(_, who)| who.as_str())
                    .collect();
                let mut row = StatisticUserDataItem {
                    time: Some(b.label.clone()),
                    ..Default::default()
                };
                match category {
                    "user_login_info" => {
                        let users = logins.iter().collect::<HashSet<_>>().len();
                        row.user_login_count = text(users);
                        row.user_pc_login_count = text(users);
                        row.user_mobile_login_count = text(0);
                    }
                    "user_activate_info" => {
                        let activated = self
                            .activated
                            .values()
                            .filter(|at| (b.from_ms..b.to_ms).contains(*at))
                            .count();
                        row.user_activated_count = text(activated);
                    }
                    _ => {
                        row.user_login_devices_name = Some("API".to_owned());
                        row.user_login_devices_count = text(logins.len());
                    }
                }
                row
            })
            .collect();
        Ok((rows.len(), page.take(rows.into_iter())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_days_months_or_hours_within_the_limits() {
        let days = buckets("D", "2026-12-01", "2026-12-06", false).unwrap();
        assert_eq!(days.len(), 6);
        assert_eq!(
            (days[0].label.as_str(), days[5].label.as_str()),
            ("2026-12-01", "2026-12-06")
        );
        assert_eq!(days[1].from_ms - days[0].from_ms, DAY_MS);
        let months = buckets("M", "2026-11", "2027-02", false).unwrap();
        let labels: Vec<&str> = months.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2026-11", "2026-12", "2027-01", "2027-02"]);
        assert_eq!(
            buckets("D", "2026-12-06", "2026-12-06", true)
                .unwrap()
                .len(),
            24
        );
        for (unit, from, to, hourly) in [
            ("D", "2026-12-01", "2027-01-01", false),
            ("D", "2026-12-06", "2026-12-01", false),
            ("M", "2026-01", "2027-01", false),
            ("D", "2026-12-01", "2026-12-02", true),
            ("D", "2026-12", "2026-12", false),
            ("W", "2026-12-01", "2026-12-01", false),
        ] {
            assert!(
                buckets(unit, from, to, hourly).is_err(),
                "{unit} {from} {to}"
            );
        }
    }

    #[test]
    fn at_once_counts_overlaps_not_neighbours() {
        let b = Bucket {
            label: String::new(),
            from_ms: 0,
            to_ms: 100,
        };
        assert_eq!(most_at_once(&b, &[(0, 10), (10, 20), (15, 30)]), 2);
        assert_eq!(most_at_once(&b, &[(0, 10), (10, 20)]), 1);
        assert_eq!(most_at_once(&b, &[(200, 300)]), 0);
    }
}
