//! How a recurring meeting repeats, written in the meeting's own time zone and sent as
//! the service takes it: the start in UTC, and the series' days and end moved to the
//! UTC day on which each occurrence starts.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use meeting_api::types::{CycleParams, CycleParamsCycle};

/// The service's limits on a series.
const MAX_OCCURRENCES: usize = 50;
const MAX_SPAN_DAYS: i32 = 366;

/// A day of the week, for [`Recurrence::weekly`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<Day> for Weekday {
    fn from(day: Day) -> Weekday {
        match day {
            Day::Monday => Weekday::Monday,
            Day::Tuesday => Weekday::Tuesday,
            Day::Wednesday => Weekday::Wednesday,
            Day::Thursday => Weekday::Thursday,
            Day::Friday => Weekday::Friday,
            Day::Saturday => Weekday::Saturday,
            Day::Sunday => Weekday::Sunday,
        }
    }
}

impl std::str::FromStr for Day {
    type Err = String;

    /// `mon`, `Monday`, … in any case.
    fn from_str(text: &str) -> Result<Day, String> {
        const DAYS: [(Day, &str); 7] = [
            (Day::Monday, "monday"),
            (Day::Tuesday, "tuesday"),
            (Day::Wednesday, "wednesday"),
            (Day::Thursday, "thursday"),
            (Day::Friday, "friday"),
            (Day::Saturday, "saturday"),
            (Day::Sunday, "sunday"),
        ];
        let text = text.trim().to_lowercase();
        DAYS.into_iter()
            .find(|(_, name)| text.len() >= 3 && name.starts_with(&text))
            .map(|(day, _)| day)
            .ok_or_else(|| format!("{text:?} is not a day of the week (mon, tue, …)"))
    }
}

/// How a meeting repeats (see [`crate::NewMeeting::repeats`]): daily, weekly on given
/// days, or monthly on given days of the month, every `n` of them, until a date or a
/// number of times. Checked before sending.
///
/// ```
/// use meeting::{Day, Recurrence};
///
/// let standing = Recurrence::weekly([Day::Monday, Day::Wednesday]).until("2027-03-31");
/// let board = Recurrence::monthly([1]).every(3).times(4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    rule: Rule,
    every: u8,
    end: End,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Rule {
    Daily,
    Weekly(Vec<Weekday>),
    Monthly(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum End {
    Open,
    Until(String),
    Times(u32),
}

impl Recurrence {
    /// Every day.
    pub fn daily() -> Self {
        Self::of(Rule::Daily)
    }

    /// On these days of the week.
    pub fn weekly(days: impl IntoIterator<Item = Day>) -> Self {
        Self::of(Rule::Weekly(days.into_iter().map(Weekday::from).collect()))
    }

    /// On these days of the month (1 to 31; a month without that day has it on its
    /// last day).
    pub fn monthly(days: impl IntoIterator<Item = u8>) -> Self {
        Self::of(Rule::Monthly(days.into_iter().collect()))
    }

    fn of(rule: Rule) -> Self {
        Recurrence {
            rule,
            every: 1,
            end: End::Open,
        }
    }

    /// Every `n` days (1 to 15), weeks (1 to 5) or months (1 to 3).
    pub fn every(mut self, n: u8) -> Self {
        self.every = n;
        self
    }

    /// Until this day (`YYYY-MM-DD`, included, in the meeting's time zone).
    pub fn until(mut self, date: impl Into<String>) -> Self {
        self.end = End::Until(date.into());
        self
    }

    /// This many times (1 to 50).
    pub fn times(mut self, count: u32) -> Self {
        self.end = End::Times(count);
        self
    }

    /// Whether the rule falls on `day`, counting from `first`.
    fn falls_on(&self, first: Date, day: Date) -> bool {
        let every = i64::from(self.every);
        match &self.rule {
            Rule::Daily => i64::from((day - first).get_days()) % every == 0,
            Rule::Weekly(days) => {
                let week = |d: Date| {
                    let back = i64::from(d.weekday().to_sunday_zero_offset());
                    d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
                };
                let weeks = i64::from((week(day) - week(first)).get_days()) / 7;
                weeks % every == 0 && days.contains(&day.weekday())
            }
            Rule::Monthly(days) => {
                let months = (i64::from(day.year()) - i64::from(first.year())) * 12
                    + i64::from(day.month())
                    - i64::from(first.month());
                let last = day.days_in_month();
                months % every == 0
                    && days
                        .iter()
                        .any(|&d| i8::try_from(d).unwrap_or(i8::MAX).min(last) == day.day())
            }
        }
    }

    /// The local days of the occurrences from `first` to `last`, at most `limit`.
    fn days(&self, first: Date, last: Date, limit: usize) -> Vec<Date> {
        first
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= last)
            .filter(|d| self.falls_on(first, *d))
            .take(limit)
            .collect()
    }

    /// What CreateRecurringMeeting takes for a series whose first occurrence starts at
    /// `start` in `zone`: the start in UTC and the cycle in UTC days.
    pub(crate) fn to_wire(
        &self,
        start: DateTime,
        zone: &TimeZone,
    ) -> Result<(String, CycleParams), String> {
        let (cycle, most) = match self.rule {
            Rule::Daily => (CycleParamsCycle::Day, 15),
            Rule::Weekly(_) => (CycleParamsCycle::Week, 5),
            Rule::Monthly(_) => (CycleParamsCycle::Month, 3),
        };
        if !(1..=most).contains(&self.every) {
            return Err(format!(
                "this cycle repeats every 1 to {most}, not {}",
                self.every
            ));
        }
        match &self.rule {
            Rule::Weekly(days) if days.is_empty() => return Err("name the days of the week".into()),
            Rule::Monthly(days)
                if days.is_empty() || days.iter().any(|d| !(1..=31).contains(d)) =>
            {
                return Err("days of the month are 1 to 31".into());
            }
            _ => {}
        }
        let first = start.date();
        let latest = first
            .checked_add(jiff::Span::new().days(MAX_SPAN_DAYS - 1))
            .map_err(|e| e.to_string())?;
        let last = match &self.end {
            End::Open => return Err("a recurring meeting ends: until(date) or times(n)".into()),
            End::Until(date) => crate::calendar::date(date)?,
            End::Times(n) if !(1..=MAX_OCCURRENCES as u32).contains(n) => {
                return Err(format!(
                    "a series has 1 to {MAX_OCCURRENCES} occurrences, not {n}"
                ));
            }
            End::Times(n) => *self
                .days(first, latest, *n as usize)
                .last()
                .ok_or("the rule falls on no day within a year")?,
        };
        if last < first {
            return Err(format!(
                "the series ends ({last}) before it starts ({first})"
            ));
        }
        if last > latest {
            return Err("a series runs at most a year".into());
        }
        if self.days(first, last, 1).is_empty() {
            return Err("the rule falls on no day of the series".into());
        }
        // The occurrence's start in UTC may fall on the day before or after.
        let utc = zone
            .to_zoned(start)
            .map_err(|e| e.to_string())?
            .with_time_zone(TimeZone::UTC)
            .datetime();
        let shift = (utc.date() - first).get_days();
        let moved = |d: Date| {
            d.checked_add(jiff::Span::new().days(shift))
                .map(|d| d.to_string())
                .map_err(|e| e.to_string())
        };
        let point = match &self.rule {
            Rule::Daily => Vec::new(),
            Rule::Weekly(days) => days
                .iter()
                .map(|d| (i32::from(d.to_sunday_zero_offset()) + shift).rem_euclid(7))
                .collect(),
            // A day moved past either end of a month is approximated by the month's
            // last or first day.
            Rule::Monthly(days) => days
                .iter()
                .map(|d| match i32::from(*d) + shift {
                    0 => 31,
                    32 => 1,
                    n => n,
                })
                .collect(),
        };
        Ok((
            utc.strftime("%Y-%m-%d %H:%M").to_string(),
            CycleParams {
                start_date: moved(first)?,
                end_date: moved(last)?,
                cycle,
                interval: std::num::NonZeroU32::new(u32::from(self.every)),
                point,
                pre_remind_days: None,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime {
        text.parse().expect("a date-time")
    }

    #[test]
    fn a_weekly_series_in_a_zone_goes_out_in_utc_days() {
        let shanghai = TimeZone::get("Asia/Shanghai").expect("a zone");
        // Monday and Wednesday at 07:00 in Shanghai: Sunday and Tuesday 23:00 UTC.
        let weekly = Recurrence::weekly([Day::Monday, Day::Wednesday]).until("2030-01-30");
        let (start, params) = weekly
            .to_wire(at("2030-01-07T07:00"), &shanghai)
            .expect("valid");
        assert_eq!(start, "2030-01-06 23:00");
        assert_eq!(params.start_date, "2030-01-06");
        assert_eq!(params.end_date, "2030-01-29");
        assert_eq!(params.point, [0, 2]);
        // In UTC nothing moves.
        let (start, params) = weekly
            .to_wire(at("2030-01-07T01:00"), &TimeZone::UTC)
            .expect("valid");
        assert_eq!(
            (start.as_str(), params.point.as_slice()),
            ("2030-01-07 01:00", &[1, 3][..])
        );
    }

    #[test]
    fn a_count_ends_the_series_on_its_last_occurrence() {
        let four = Recurrence::weekly([Day::Monday, Day::Wednesday]).times(4);
        let (_, params) = four
            .to_wire(at("2030-01-07T09:00"), &TimeZone::UTC)
            .expect("valid");
        assert_eq!(params.end_date, "2030-01-16");
        let monthly = Recurrence::monthly([31]).times(3);
        let (_, params) = monthly
            .to_wire(at("2030-01-31T09:00"), &TimeZone::UTC)
            .expect("valid");
        assert_eq!(
            params.end_date, "2030-03-31",
            "February's falls on its last day"
        );
    }

    #[test]
    fn the_services_limits_are_checked() {
        let utc = TimeZone::UTC;
        let start = at("2030-01-07T09:00");
        for (rule, expected) in [
            (Recurrence::daily(), "ends"),
            (Recurrence::daily().every(16).times(2), "every 1 to 15"),
            (Recurrence::weekly([]).times(2), "days of the week"),
            (Recurrence::monthly([32]).times(2), "1 to 31"),
            (Recurrence::daily().times(51), "1 to 50"),
            (Recurrence::daily().until("2031-02-01"), "at most a year"),
            (Recurrence::daily().until("2030-01-06"), "before it starts"),
            (Recurrence::daily().until("soon"), "YYYY-MM-DD"),
        ] {
            let problem = rule.to_wire(start, &utc).expect_err(expected);
            assert!(problem.contains(expected), "{problem}");
        }
    }
}
