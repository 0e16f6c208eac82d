//! Durations as the Verify API writes them: `"2s"`, `"1m30s"`, `"500ms"`, `"90d"`.

use std::time::Duration;

use thiserror::Error;

/// The longest duration accepted anywhere (`time_to_live`'s documented values go to 90 days).
/// A cap keeps `Instant + duration` from overflowing on hostile input.
pub const MAX: Duration = Duration::from_secs(400 * 24 * 3600);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DurationError {
    #[error("empty duration")]
    Empty,
    #[error(
        "{0:?} is not a duration: expected numbers with units ms, s, m, h or d, e.g. \"1m30s\""
    )]
    Syntax(String),
    #[error("{0:?} is longer than 400 days")]
    TooLong(String),
}

/// Parses a sequence of `<integer><unit>` terms with units `ms`, `s`, `m`, `h`, `d`, summed.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    let syntax = || DurationError::Syntax(text.to_owned());
    let mut total_ms: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(syntax());
        }
        let value: u128 = rest[..digits].parse().map_err(|_| syntax())?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit_ms: u128 = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(syntax()),
        };
        rest = &rest[unit_len..];
        total_ms = value
            .checked_mul(unit_ms)
            .and_then(|v| v.checked_add(total_ms))
            .ok_or_else(|| DurationError::TooLong(text.to_owned()))?;
        if total_ms > MAX.as_millis() {
            return Err(DurationError::TooLong(text.to_owned()));
        }
    }
    // total_ms <= MAX, which fits in u64.
    Ok(Duration::from_millis(total_ms as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert_eq!(parse(" 1h2m3s4ms "), Ok(Duration::from_millis(3_723_004)));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse(""), Err(DurationError::Empty));
        for bad in ["5", "s", "1.5s", "-1s", "1x", "1 s", "1s2", "ms"] {
            assert!(matches!(parse(bad), Err(DurationError::Syntax(_))), "{bad}");
        }
        assert!(matches!(parse("401d"), Err(DurationError::TooLong(_))));
        assert!(matches!(
            parse("99999999999999999999999999999999999999d"),
            Err(DurationError::Syntax(_) | DurationError::TooLong(_))
        ));
    }
}
