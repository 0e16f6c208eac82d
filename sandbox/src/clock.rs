//! Wall-clock timestamps and dates in the API's ISO 8601 form, without a date-time crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `2023-12-27T11:59:07.420Z`: UTC with milliseconds, as the API's examples show.
pub fn rfc3339(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since.as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// A calendar date at midnight UTC, in the same form.
pub fn date(y: i64, m: u32, d: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}T00:00:00.000Z")
}

/// Today's date (UTC) as (year, month, day).
pub fn today(now: SystemTime) -> (i64, u32, u32) {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    civil_from_days((secs / 86_400) as i64)
}

/// Reads the `YYYY-MM-DD` at the start of an ISO 8601 string.
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let y = s.get(0..4)?.parse().ok()?;
    let m = s.get(5..7)?.parse().ok()?;
    let d = s.get(8..10)?.parse().ok()?;
    (s.get(4..5)? == "-" && s.get(7..8)? == "-" && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then_some((y, m, d))
}

/// Whole years from `birth` to `today`.
pub fn age(birth: (i64, u32, u32), today: (i64, u32, u32)) -> i64 {
    let had_birthday = (today.1, today.2) >= (birth.1, birth.2);
    today.0 - birth.0 - i64::from(!had_birthday)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_703_678_347_420);
        assert_eq!(rfc3339(t), "2023-12-27T11:59:07.420Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn dates_and_ages() {
        assert_eq!(parse_date("1867-11-07T00:00:00.000Z"), Some((1867, 11, 7)));
        assert_eq!(parse_date("1867-13-07"), None);
        assert_eq!(parse_date("nope"), None);
        assert_eq!(age((1990, 4, 12), (2026, 4, 11)), 35);
        assert_eq!(age((1990, 4, 12), (2026, 4, 12)), 36);
        assert_eq!(date(2031, 5, 1), "2031-05-01T00:00:00.000Z");
    }
}
