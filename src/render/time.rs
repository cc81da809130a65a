//! Timestamps as a person reads them (`2024-05-01 12:00:00.000`), local or UTC, for the TUI
//! and the CLI.

use chrono::{Local, TimeZone as _};

/// How times are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    /// The machine's local time zone.
    Local,
    /// UTC.
    Utc,
}

/// A timestamp as `YYYY-MM-DD HH:MM:SS.mmm`, local or UTC.
pub fn format_time(tz: TimeZone, ms: i64) -> String {
    match tz {
        TimeZone::Local => format_local(ms),
        TimeZone::Utc => match chrono::DateTime::from_timestamp_millis(ms) {
            Some(t) => t.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            None => format!("{ms}ms"),
        },
    }
}

/// A timestamp as local `YYYY-MM-DD HH:MM:SS.mmm`.
pub fn format_local(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        None => format!("{ms}ms"),
    }
}

/// Formats many timestamps as local time quickly: the zone's offset is looked up once per
/// hour of timestamps instead of once per record.
#[derive(Debug, Default)]
pub struct TimeFormatter {
    hour: i64,
    offset_ms: i64,
    known: bool,
}

impl TimeFormatter {
    /// Appends `ms` as local `YYYY-MM-DD HH:MM:SS.mmm`.
    pub fn format_into(&mut self, ms: i64, out: &mut String) {
        use std::fmt::Write as _;
        let hour = ms.div_euclid(3_600_000);
        if !self.known || hour != self.hour {
            match Local.timestamp_millis_opt(ms).single() {
                Some(t) => self.offset_ms = t.offset().local_minus_utc() as i64 * 1000,
                None => {
                    let _ = write!(out, "{ms}ms");
                    return;
                }
            }
            self.hour = hour;
            self.known = true;
        }
        let local = ms + self.offset_ms;
        let days = local.div_euclid(86_400_000);
        let in_day = local.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let _ = write!(
            out,
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}",
            in_day / 3_600_000,
            in_day / 60_000 % 60,
            in_day / 1000 % 60,
            in_day % 1000
        );
    }
}

/// Days since 1970-01-01 -> (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_have_milliseconds() {
        assert_eq!(
            format_time(TimeZone::Utc, 1_714_564_800_123),
            "2024-05-01 12:00:00.123"
        );
    }

    #[test]
    fn fast_formatter_matches_chrono() {
        let mut f = TimeFormatter::default();
        for ms in [0, 1_700_000_000_123, 951_782_400_000, 4_102_444_799_999, -1] {
            let mut s = String::new();
            f.format_into(ms, &mut s);
            assert_eq!(s, format_local(ms), "{ms}");
        }
    }
}
