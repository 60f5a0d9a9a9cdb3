//! The service's `YYYY-MM-DD HH:MM` (UTC) times, to and from epoch minutes, for
//! scheduled meetings (civil-date arithmetic after Howard Hinnant's algorithms).

/// `2026-12-01 09:00` as minutes since the epoch; `None` if it is not that shape.
pub fn parse(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let shape = b.len() == 16 && b[4] == b'-' && b[7] == b'-' && b[10] == b' ' && b[13] == b':';
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    if !shape {
        return None;
    }
    let (y, m, d) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hh, mm) = (number(11..13)?, number(14..16)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 1440 + hh * 60 + mm)
}

/// Minutes since the epoch as `2026-12-01 09:00`.
pub fn format(minutes: i64) -> String {
    let days = minutes.div_euclid(1440);
    let rest = minutes.rem_euclid(1440);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", rest / 60, rest % 60)
}

/// `ms` since the epoch as `2026-12-01T09:00:05.250Z` (UTC, to the millisecond).
pub fn format_ms(ms: i64) -> String {
    let rest = ms.rem_euclid(60_000);
    let minute = format(ms.div_euclid(60_000)).replacen(' ', "T", 1);
    format!("{minute}:{:02}.{:03}Z", rest / 1000, rest % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_shapes() {
        assert_eq!(parse("1970-01-01 00:00"), Some(0));
        assert_eq!(parse("2026-12-01 09:00"), Some(29_935_260));
        for text in ["2026-12-01 09:00", "2000-02-29 23:59", "2026-01-01 00:00"] {
            assert_eq!(format(parse(text).expect("parses")), text);
        }
        for bad in [
            "2026-13-01 09:00",
            "2026-12-01T09:00",
            "soon",
            "2026-12-01 24:00",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
