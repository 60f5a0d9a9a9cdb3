//! The enterprise's dashboard (an administrator's): per day or month (the service's
//! days, UTC), its meetings, who attended, the resources used and its users' logins.

use std::time::SystemTime;

use meeting_api::operations::{
    SEARCH_STATISTIC_CONFERENCE_INFO, SEARCH_STATISTIC_CONFERENCE_PARTICIPANT,
    SEARCH_STATISTIC_RESOURCE_INFO, SEARCH_STATISTIC_USER_INFO,
};
use meeting_api::types::{
    SearchStatisticConferenceInfoCategory as MeetingsWire,
    SearchStatisticConferenceInfoTimeUnit as MeetingsUnit,
    SearchStatisticConferenceParticipantCategory as AttendanceWire,
    SearchStatisticConferenceParticipantTimeUnit as AttendanceUnit,
    SearchStatisticResourceInfoCategory as ResourceWire,
    SearchStatisticResourceInfoTimeUnit as ResourceUnit,
    SearchStatisticUserInfoCategory as UsersWire, SearchStatisticUserInfoTimeUnit as UsersUnit,
    StatisticEnd, StatisticStart,
};

use crate::client::Client;
use crate::conference::NO_INPUT;
use crate::error::{Context, Error};
use crate::listing::{DEFAULT_PAGE_SIZE, Listing, Page};
use crate::printable;

/// The dashboard's period: days (at most 31) or months (at most 12), first and last
/// included; or the hours of one day. Checked before sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Period {
    /// `YYYY-MM-DD` to `YYYY-MM-DD`.
    Days(String, String),
    /// `YYYY-MM` to `YYYY-MM`.
    Months(String, String),
    /// The 24 hours of `YYYY-MM-DD` (meetings only).
    Hours(String),
}

impl Period {
    /// `(day or month, start, end)` as sent, or what is wrong.
    fn wire(&self) -> Result<(bool, StatisticStart, StatisticEnd), String> {
        let day = |text: &str| -> Result<jiff::civil::Date, String> {
            text.parse()
                .ok()
                .filter(|_| text.len() == 10)
                .ok_or_else(|| format!("{} is not a day (YYYY-MM-DD)", printable(text)))
        };
        let month = |text: &str| -> Result<jiff::civil::Date, String> {
            day(&format!("{text}-01"))
                .ok()
                .filter(|_| text.len() == 7)
                .ok_or_else(|| format!("{} is not a month (YYYY-MM)", printable(text)))
        };
        let (daily, from, to) = match self {
            Self::Days(from, to) => {
                let (first, last) = (day(from)?, day(to)?);
                let days = (last - first).get_days();
                if !(0..=30).contains(&days) {
                    return Err("the last day is 0 to 30 days after the first".to_owned());
                }
                (true, from, to)
            }
            Self::Months(from, to) => {
                let (first, last) = (month(from)?, month(to)?);
                let months = (i32::from(last.year()) - i32::from(first.year())) * 12
                    + i32::from(last.month())
                    - i32::from(first.month());
                if !(0..=11).contains(&months) {
                    return Err("the last month is 0 to 11 months after the first".to_owned());
                }
                (false, from, to)
            }
            Self::Hours(on) => {
                day(on)?;
                (true, on, on)
            }
        };
        Ok((
            daily,
            StatisticStart(from.clone()),
            StatisticEnd(to.clone()),
        ))
    }
}

/// The stretch of time one dashboard record counts: a day, a month, or an hour of
/// [`Period::Hours`]'s day, as the service labels it and as the instants it starts and
/// ends (the service's calendar is UTC's); show them in any IANA zone.
///
/// ```
/// # fn shown(period: &meeting::StatsPeriod) -> Option<()> {
/// let zone = jiff::tz::TimeZone::get("Europe/Madrid").ok()?;
/// let start = jiff::Timestamp::try_from(period.start()?).ok()?;
/// println!("{} from {}", period, start.to_zoned(zone).strftime("%Y-%m-%d %H:%M %Z"));
/// # Some(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatsPeriod {
    label: String,
    bounds: Option<(SystemTime, SystemTime)>,
}

impl StatsPeriod {
    /// The record's label as the service sent it (`YYYY-MM-DD`, `YYYY-MM`, `HH`).
    fn new(label: Option<String>, hours_of: Option<jiff::civil::Date>) -> Self {
        let label = label.as_deref().map(printable).unwrap_or_default();
        let text = label.trim();
        let start = match (hours_of, text.len()) {
            (Some(day), _) => text
                .parse::<i8>()
                .ok()
                .filter(|h| (0..24).contains(h))
                .and_then(|h| day.at(h, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).ok())
                .map(|z| (z, jiff::Span::new().hours(1))),
            (None, 10) => text
                .parse::<jiff::civil::Date>()
                .ok()
                .map(|d| (d, 1))
                .and_then(|(d, days)| {
                    let z = d.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
                    Some((z, jiff::Span::new().days(days)))
                }),
            (None, 7) => format!("{text}-01")
                .parse::<jiff::civil::Date>()
                .ok()
                .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
                .map(|z| (z, jiff::Span::new().months(1))),
            _ => None,
        };
        let bounds = start.and_then(|(z, length)| {
            let end = z.checked_add(length).ok()?;
            Some((
                SystemTime::from(z.timestamp()),
                SystemTime::from(end.timestamp()),
            ))
        });
        Self { label, bounds }
    }

    /// The label as the service sent it: `YYYY-MM-DD`, `YYYY-MM`, or the hour `HH`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// When it starts, if the label is one of the service's.
    pub fn start(&self) -> Option<SystemTime> {
        self.bounds.map(|b| b.0)
    }

    /// When it ends (the next one's start).
    pub fn end(&self) -> Option<SystemTime> {
        self.bounds.map(|b| b.1)
    }
}

impl std::fmt::Display for StatsPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// A figure the service sends as text: a count, or none.
fn number(text: Option<String>) -> Option<u64> {
    text?.trim().parse().ok()
}

fn label(text: Option<String>) -> String {
    text.as_deref().map(printable).unwrap_or_default()
}

/// The meetings of one period (see [`Client::meeting_statistics`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeetingStats {
    /// The day, month or hour.
    pub period: StatsPeriod,
    /// Meetings held.
    pub meetings: Option<u64>,
    /// Attendances.
    pub attendances: Option<u64>,
    /// Their length, seconds (not per hour).
    pub seconds: Option<u64>,
    /// The most meetings at once (not per hour).
    pub most_at_once: Option<u64>,
}

/// Whom [`Client::attendance_statistics`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttendanceBy {
    /// Each user.
    User,
    /// Each hardware terminal.
    Terminal,
    /// Each kind of device.
    Device,
}

/// One user's, terminal's or kind of device's attendance in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttendanceStats {
    /// The day or month.
    pub period: StatsPeriod,
    /// The user's or terminal's name, or the kind of device.
    pub name: String,
    /// The user's account or the terminal's user ID.
    pub id: Option<String>,
    /// Meetings attended (users, terminals) or attendances (devices).
    pub count: Option<u64>,
    /// Time in them, seconds (users, terminals).
    pub seconds: Option<u64>,
}

/// Which resource [`Client::resource_statistics`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// Meeting rooms: parties and the most in use at once.
    Rooms,
    /// The most live streams at once.
    Live,
    /// Recording storage.
    Recording,
    /// Phone minutes.
    Phone,
}

/// The resources used in one period (the fields of the kind asked).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ResourceStats {
    /// The day or month.
    pub period: StatsPeriod,
    /// Parties in meeting rooms.
    pub parties: Option<u64>,
    /// The most meeting rooms in use at once.
    pub rooms_at_once: Option<u64>,
    /// The most live streams at once.
    pub live_at_once: Option<u64>,
    /// Recording storage, GB.
    pub recording_gb: Option<f64>,
    /// Phone minutes.
    pub phone_minutes: Option<u64>,
}

/// Which users [`Client::user_statistics`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatsKind {
    /// Users who logged in.
    Logins,
    /// Users activated.
    Activations,
    /// Logins per device.
    Devices,
}

/// The users of one period (the fields of the kind asked).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserStats {
    /// The day or month.
    pub period: StatsPeriod,
    /// Users who logged in.
    pub logins: Option<u64>,
    /// … on a PC.
    pub pc_logins: Option<u64>,
    /// … on a mobile.
    pub mobile_logins: Option<u64>,
    /// Users activated.
    pub activated: Option<u64>,
    /// A device.
    pub device: Option<String>,
    /// Logins from it.
    pub device_logins: Option<u64>,
}

/// `offset` and `limit` as the generated calls take them.
fn page(offset: u32, size: u32) -> (Option<i32>, Option<std::num::NonZeroU32>) {
    (
        Some(i32::try_from(offset).unwrap_or(i32::MAX)),
        std::num::NonZeroU32::new(size),
    )
}

/// The period as sent, checked before anything is.
fn checked(
    operation: &'static meeting_api::table::Operation,
    period: &Period,
) -> Result<(bool, StatisticStart, StatisticEnd), Error> {
    period
        .wire()
        .map_err(|problem| Error::invalid(&Context::new(operation.id, None), problem))
}

impl Client {
    /// The enterprise's meetings per day or month (held, attendances, length, the most
    /// at once), or per hour of one day ([`Period::Hours`]). Needs an administrator's
    /// credentials.
    pub fn meeting_statistics(&self, period: &Period) -> Result<Listing<MeetingStats>, Error> {
        let (daily, from, to) = checked(&SEARCH_STATISTIC_CONFERENCE_INFO, period)?;
        let hourly = matches!(period, Period::Hours(_));
        // The hours' labels are `HH` of the day asked.
        let hours_of = match period {
            Period::Hours(day) => day.parse::<jiff::civil::Date>().ok(),
            _ => None,
        };
        let category = if hourly {
            MeetingsWire::ConferenceHourlyInfo
        } else {
            MeetingsWire::ConferenceInfo
        };
        let unit = if daily {
            MeetingsUnit::D
        } else {
            MeetingsUnit::M
        };
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |m: &MeetingStats| m.period.clone(),
            (self.clone(), from, to),
            move |(client, from, to), offset, size| async move {
                let (offset, limit) = page(offset, size);
                let answer = client
                    .run(&SEARCH_STATISTIC_CONFERENCE_INFO, NO_INPUT, |api, ()| {
                        api.search_statistic_conference_info(
                            category, &to, limit, offset, &from, unit,
                        )
                    })
                    .await?;
                let rows = answer
                    .data
                    .into_iter()
                    .map(|r| MeetingStats {
                        period: StatsPeriod::new(r.time, hours_of),
                        meetings: number(r.conf_count.or(r.conf24h_count)),
                        attendances: number(r.attendee_count.or(r.conf24h_attendee_count)),
                        seconds: number(r.conf_duration),
                        most_at_once: number(r.conf_concurrent_used_count),
                    })
                    .collect();
                Ok(Page::new(rows, answer.count))
            },
        ))
    }

    /// Who attended the enterprise's meetings per day or month: each user, terminal
    /// or kind of device. Needs an administrator's credentials.
    pub fn attendance_statistics(
        &self,
        period: &Period,
        by: AttendanceBy,
    ) -> Result<Listing<AttendanceStats>, Error> {
        let (daily, from, to) = checked(&SEARCH_STATISTIC_CONFERENCE_PARTICIPANT, period)?;
        let category = match by {
            AttendanceBy::User => AttendanceWire::UserParticipateInfo,
            AttendanceBy::Terminal => AttendanceWire::HardTerminalParticipateInfo,
            AttendanceBy::Device => AttendanceWire::ParticipantTypeInfo,
        };
        let unit = if daily {
            AttendanceUnit::D
        } else {
            AttendanceUnit::M
        };
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |a: &AttendanceStats| (a.period.clone(), a.name.clone(), a.id.clone()),
            (self.clone(), from, to),
            move |(client, from, to), offset, size| async move {
                let (offset, limit) = page(offset, size);
                let answer = client
                    .run(
                        &SEARCH_STATISTIC_CONFERENCE_PARTICIPANT,
                        NO_INPUT,
                        |api, ()| {
                            api.search_statistic_conference_participant(
                                category, &to, limit, offset, &from, unit,
                            )
                        },
                    )
                    .await?;
                let rows = answer
                    .data
                    .into_iter()
                    .map(|r| AttendanceStats {
                        period: StatsPeriod::new(r.time, None),
                        name: label(
                            r.conf_user_name
                                .or(r.conf_hard_terminal_name)
                                .or(r.device_type),
                        ),
                        id: r
                            .conf_user_account
                            .or(r.conf_hard_terminal_user_id)
                            .as_deref()
                            .map(printable),
                        count: number(
                            r.conf_user_count
                                .or(r.conf_hard_terminal_count)
                                .or(r.device_attendance_count),
                        ),
                        seconds: number(r.conf_user_duration.or(r.conf_hard_terminal_duration)),
                    })
                    .collect();
                Ok(Page::new(rows, answer.count))
            },
        ))
    }

    /// What the enterprise used of one resource per day or month. Needs an
    /// administrator's credentials.
    pub fn resource_statistics(
        &self,
        period: &Period,
        kind: ResourceKind,
    ) -> Result<Listing<ResourceStats>, Error> {
        let (daily, from, to) = checked(&SEARCH_STATISTIC_RESOURCE_INFO, period)?;
        let category = match kind {
            ResourceKind::Rooms => ResourceWire::UsedVmrInfo,
            ResourceKind::Live => ResourceWire::UsedLiveInfo,
            ResourceKind::Recording => ResourceWire::UsedRecordInfo,
            ResourceKind::Phone => ResourceWire::UsedPstnInfo,
        };
        let unit = if daily {
            ResourceUnit::D
        } else {
            ResourceUnit::M
        };
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |r: &ResourceStats| r.period.clone(),
            (self.clone(), from, to),
            move |(client, from, to), offset, size| async move {
                let (offset, limit) = page(offset, size);
                let answer = client
                    .run(&SEARCH_STATISTIC_RESOURCE_INFO, NO_INPUT, |api, ()| {
                        api.search_statistic_resource_info(
                            category, &to, limit, offset, &from, unit,
                        )
                    })
                    .await?;
                let rows = answer
                    .data
                    .into_iter()
                    .map(|r| ResourceStats {
                        period: StatsPeriod::new(r.time, None),
                        parties: number(r.vmr_parties),
                        rooms_at_once: number(r.max_concurrency_vmr_count),
                        live_at_once: number(r.live_port_used_count),
                        recording_gb: r
                            .record_used_size
                            .and_then(|gb| gb.trim().parse().ok())
                            .filter(|gb: &f64| gb.is_finite()),
                        phone_minutes: number(r.pstn_used_duration),
                    })
                    .collect();
                Ok(Page::new(rows, answer.count))
            },
        ))
    }

    /// The enterprise's users per day or month: logins, activations or logins per
    /// device. Needs an administrator's credentials.
    pub fn user_statistics(
        &self,
        period: &Period,
        kind: UserStatsKind,
    ) -> Result<Listing<UserStats>, Error> {
        let (daily, from, to) = checked(&SEARCH_STATISTIC_USER_INFO, period)?;
        let category = match kind {
            UserStatsKind::Logins => UsersWire::UserLoginInfo,
            UserStatsKind::Activations => UsersWire::UserActivateInfo,
            UserStatsKind::Devices => UsersWire::UserLoginDeviceInfo,
        };
        let unit = if daily { UsersUnit::D } else { UsersUnit::M };
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |u: &UserStats| (u.period.clone(), u.device.clone()),
            (self.clone(), from, to),
            move |(client, from, to), offset, size| async move {
                let (offset, limit) = page(offset, size);
                let answer = client
                    .run(&SEARCH_STATISTIC_USER_INFO, NO_INPUT, |api, ()| {
                        api.search_statistic_user_info(category, &to, limit, offset, &from, unit)
                    })
                    .await?;
                let rows = answer
                    .data
                    .into_iter()
                    .map(|r| UserStats {
                        period: StatsPeriod::new(r.time, None),
                        logins: number(r.user_login_count),
                        pc_logins: number(r.user_pc_login_count),
                        mobile_logins: number(r.user_mobile_login_count),
                        activated: number(r.user_activated_count),
                        device: r.user_login_devices_name.as_deref().map(printable),
                        device_logins: number(r.user_login_devices_count),
                    })
                    .collect();
                Ok(Page::new(rows, answer.count))
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(period: &StatsPeriod) -> Option<u64> {
        Some(
            period
                .end()?
                .duration_since(period.start()?)
                .ok()?
                .as_secs()
                / 3600,
        )
    }

    #[test]
    fn a_records_label_gives_its_instants() {
        let month = StatsPeriod::new(Some("2028-02".into()), None);
        assert_eq!((month.label(), hours(&month)), ("2028-02", Some(29 * 24)));
        let day = StatsPeriod::new(Some("2026-12-01".into()), None);
        assert_eq!(hours(&day), Some(24));
        let of = "2026-12-01".parse().ok();
        assert_eq!(hours(&StatsPeriod::new(Some("23".into()), of)), Some(1));
        for unknown in ["24", "-1", "2026-13", "yesterday", ""] {
            let period = StatsPeriod::new(Some(unknown.into()), of.filter(|_| unknown.len() <= 2));
            assert_eq!(period.start(), None, "{unknown}");
            assert_eq!(period.label(), unknown);
        }
        // A label with control characters loses them.
        assert_eq!(
            StatsPeriod::new(Some("\u{1b}[2J".into()), None).label(),
            "[2J"
        );
    }
}
