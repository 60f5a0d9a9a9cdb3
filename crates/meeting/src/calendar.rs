//! Dates and time zones as users write them (`YYYY-MM-DD`, IANA names), turned into
//! the instants the service takes.

use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The zone named `name` (IANA, e.g. `Asia/Shanghai`); UTC when `None`.
pub(crate) fn time_zone(name: Option<&str>) -> Result<TimeZone, String> {
    match name {
        None => Ok(TimeZone::UTC),
        Some(name) => TimeZone::get(name.trim())
            .map_err(|_| format!("{name:?} is not a time zone (an IANA name: Europe/Madrid, …)")),
    }
}

/// A `YYYY-MM-DD` date.
pub(crate) fn date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let well_formed = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    well_formed
        .then(|| text.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| format!("a date is YYYY-MM-DD, not {text:?}"))
}

/// The first millisecond of `day` in `zone`, since the epoch.
pub(crate) fn day_start_ms(day: Date, zone: &TimeZone) -> Result<i64, String> {
    day.to_zoned(zone.clone())
        .map(|start| start.timestamp().as_millisecond())
        .map_err(|e| format!("{day} has no start in that time zone: {e}"))
}

/// A local `start` in `zone` as the service's UTC `YYYY-MM-DD HH:MM`.
pub(crate) fn utc_minute(start: jiff::civil::DateTime, zone: &TimeZone) -> Result<String, String> {
    zone.to_zoned(start)
        .map(|z| {
            z.with_time_zone(TimeZone::UTC)
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .map_err(|e| format!("{start} is not a time in that zone: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_in_its_zone() {
        let day = date("2026-12-01").expect("a date");
        assert_eq!(day_start_ms(day, &TimeZone::UTC), Ok(1_796_083_200_000));
        let shanghai = time_zone(Some("Asia/Shanghai")).expect("a zone");
        assert_eq!(
            day_start_ms(day, &shanghai),
            Ok(1_796_083_200_000 - 8 * 3_600_000)
        );
        assert!(time_zone(Some("Mars/Olympus")).is_err());
        let nine: jiff::civil::DateTime = "2026-12-01T09:00".parse().expect("a time");
        assert_eq!(
            utc_minute(nine, &shanghai).as_deref(),
            Ok("2026-12-01 01:00")
        );
        let madrid = time_zone(Some("Europe/Madrid")).expect("a zone");
        let summer: jiff::civil::DateTime = "2026-07-01T00:30".parse().expect("a time");
        assert_eq!(
            utc_minute(summer, &madrid).as_deref(),
            Ok("2026-06-30 22:30")
        );
        for bad in ["2026-13-01", "2026-2-1", "yesterday", "2026-02-30"] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }
}
