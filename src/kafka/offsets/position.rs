//! User-typed positions: `beginning`, `end`, `N`, `-N`, `@TIME` -> `StartAt`. The language of
//! `consume -o` and the TUI's jump prompt; it lives with `StartAt`, below both `cli/` and `app/`.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Whether times typed without a zone (`2024-05-01 12:00`, `12:00`) are UTC (`--utc`)
/// rather than local: the same zone the times are shown in.
static INPUT_UTC: AtomicBool = AtomicBool::new(false);

/// Reads times typed without a zone as UTC (`--utc`), or as local time.
pub fn set_input_utc(utc: bool) {
    INPUT_UTC.store(utc, Ordering::Relaxed);
}

use super::StartAt;

/// Parses a position as typed on the command line or in the jump prompt.
/// `now_ms` makes relative times (`@-15m`) testable.
pub fn parse_position(input: &str, now_ms: i64) -> Result<StartAt, String> {
    let s = input.trim();
    match s {
        "beginning" | "begin" | "start" | "earliest" => return Ok(StartAt::Beginning),
        "end" | "latest" => return Ok(StartAt::End),
        _ => {}
    }
    if let Some(t) = s.strip_prefix('@') {
        return parse_time(t, now_ms).map(StartAt::Timestamp);
    }
    if let Some(n) = s.strip_prefix('-') {
        return match n.parse::<i64>() {
            Ok(n) => Ok(StartAt::FromEnd(n)),
            Err(_) => Err(bad_position(input)),
        };
    }
    match s.strip_prefix('+').unwrap_or(s).parse::<i64>() {
        Ok(n) => Ok(StartAt::Offset(n)),
        Err(_) => Err(bad_position(input)),
    }
}

fn bad_position(input: &str) -> String {
    format!(
        "invalid offset '{input}': expected beginning, end, N, -N (N before the end), \
         @MILLIS, @RFC3339, @'YYYY-MM-DD HH:MM[:SS]' or @-15m/-2h/-1d"
    )
}

/// Parses a time: epoch millis, RFC3339, local `YYYY-MM-DD[ HH:MM[:SS]]`, or relative `-15m`.
pub fn parse_time(input: &str, now_ms: i64) -> Result<i64, String> {
    parse_time_in(input, now_ms, INPUT_UTC.load(Ordering::Relaxed))
}

/// `parse_time` with times written without a zone read as UTC (`utc`) or local.
fn parse_time_in(input: &str, now_ms: i64, utc: bool) -> Result<i64, String> {
    let local_ms = |naive: NaiveDateTime| zoned_ms(naive, utc);
    let s = input.trim();
    let bad = || {
        format!(
            "invalid time '{s}': expected MILLIS, RFC3339 (2024-05-01T12:00:00Z), \
             'YYYY-MM-DD HH:MM[:SS]' or HH:MM[:SS] today (local, UTC with --utc) or relative \
             like -15m, -2h, -1d"
        )
    };
    if let Some(rel) = s.strip_prefix('-') {
        let (num, unit) =
            rel.split_at(rel.find(|c: char| !c.is_ascii_digit()).unwrap_or(rel.len()));
        let n: i64 = num.parse().map_err(|_| bad())?;
        let unit_ms: i64 = match unit {
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            _ => return Err(bad()),
        };
        return Ok(now_ms.saturating_sub(n.saturating_mul(unit_ms)));
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| bad());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return local_ms(naive).ok_or_else(bad);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).and_then(local_ms).ok_or_else(bad);
    }
    // A time of day alone (`12:00`, as the jump prompt's help writes it): today.
    for fmt in ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"] {
        if let Ok(t) = NaiveTime::parse_from_str(s, fmt) {
            return today(now_ms, utc)
                .map(|d| d.and_time(t))
                .and_then(local_ms)
                .ok_or_else(bad);
        }
    }
    Err(bad())
}

/// A time written without a zone, in UTC or local time.
fn zoned_ms(naive: NaiveDateTime, utc: bool) -> Option<i64> {
    if utc {
        return Some(Utc.from_utc_datetime(&naive).timestamp_millis());
    }
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
}

/// The date `now_ms` falls on, in UTC or local time.
fn today(now_ms: i64, utc: bool) -> Option<NaiveDate> {
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms)?;
    Some(if utc {
        now.date_naive()
    } else {
        now.with_timezone(&Local).date_naive()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_of_day_is_today_and_utc_input_follows_the_flag() {
        // 2026-11-26 15:30:00 UTC.
        let now = 1_795_707_000_000;
        assert_eq!(parse_time_in("12:00", now, true), Ok(1_795_694_400_000));
        assert_eq!(
            parse_time_in("12:00:30.5", now, true),
            Ok(1_795_694_430_500)
        );
        assert_eq!(
            parse_time_in("2026-11-26 12:00", now, true),
            Ok(1_795_694_400_000)
        );
        assert!(parse_time_in("25:00", now, true).is_err());
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_position("beginning", 0), Ok(StartAt::Beginning));
        assert_eq!(parse_position("end", 0), Ok(StartAt::End));
        assert_eq!(parse_position("500", 0), Ok(StartAt::Offset(500)));
        assert_eq!(parse_position("-10", 0), Ok(StartAt::FromEnd(10)));
        assert_eq!(
            parse_position("@1700000000000", 0),
            Ok(StartAt::Timestamp(1_700_000_000_000))
        );
        assert_eq!(
            parse_position("@2023-11-14T22:13:20Z", 0),
            Ok(StartAt::Timestamp(1_700_000_000_000))
        );
        assert_eq!(
            parse_position("@-15m", 1_000_000),
            Ok(StartAt::Timestamp(100_000))
        );
        assert!(parse_position("@2024-01-02 03:04", 0).is_ok());
    }

    #[test]
    fn malformed_offsets_say_what_is_expected() {
        let err = parse_position("abc", 0).unwrap_err();
        assert!(
            err.starts_with("invalid offset 'abc': expected beginning, end"),
            "{err}"
        );
        assert!(parse_position("-x", 0).is_err());
        assert!(
            parse_position("@yesterday", 0)
                .unwrap_err()
                .starts_with("invalid time 'yesterday'")
        );
        assert!(parse_position("@-5q", 0).is_err());
    }
}
