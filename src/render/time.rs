//! Timestamps as a person reads them (`2024-05-01 12:00:00.000 +01:00`), local or UTC, for
//! the TUI and the CLI. A time shown alone carries its zone; a column of times names the zone
//! once, in its header (`zone_label`).

use chrono::{Local, Offset as _, TimeZone as _};

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

/// A timestamp with its zone: `YYYY-MM-DD HH:MM:SS.mmm +01:00`, or `… UTC`.
pub fn format_time_zoned(tz: TimeZone, ms: i64) -> String {
    let mut s = format_time(tz, ms);
    if chrono::DateTime::from_timestamp_millis(ms).is_some() {
        s.push(' ');
        s.push_str(&zone_label(tz, ms));
    }
    s
}

/// The zone a time is shown in: `UTC`, or the local offset at that moment (`+01:00`).
pub fn zone_label(tz: TimeZone, ms: i64) -> String {
    match tz {
        TimeZone::Utc => "UTC".to_string(),
        TimeZone::Local => match Local.timestamp_millis_opt(ms).single() {
            Some(t) => offset_label(t.offset().fix().local_minus_utc()),
            None => "local".to_string(),
        },
    }
}

/// `+01:00`, `-03:30`, `+00:00` for an offset in seconds east of UTC.
fn offset_label(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// A timestamp as local `YYYY-MM-DD HH:MM:SS.mmm`.
pub fn format_local(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        None => format!("{ms}ms"),
    }
}

/// Formats many timestamps quickly: the zone's offset is looked up once per hour of
/// timestamps instead of once per record.
#[derive(Debug, Default)]
pub struct TimeFormatter {
    utc: bool,
    hour: i64,
    offset_ms: i64,
    zone: String,
    known: bool,
}

impl TimeFormatter {
    /// A formatter for times in `tz`.
    pub fn new(tz: TimeZone) -> TimeFormatter {
        TimeFormatter {
            utc: tz == TimeZone::Utc,
            ..TimeFormatter::default()
        }
    }

    /// Appends `ms` as `YYYY-MM-DD HH:MM:SS.mmm` and its zone: ` +01:00` or ` UTC`.
    pub fn format_zoned_into(&mut self, ms: i64, out: &mut String) {
        if self.format_into(ms, out) {
            out.push(' ');
            out.push_str(&self.zone);
        }
    }

    /// Appends `ms` as `YYYY-MM-DD HH:MM:SS.mmm`; false (and `{ms}ms` appended) when it is
    /// out of the calendar's range.
    pub fn format_into(&mut self, ms: i64, out: &mut String) -> bool {
        use std::fmt::Write as _;
        let hour = ms.div_euclid(3_600_000);
        if !self.known || hour != self.hour {
            let offset = if self.utc {
                chrono::DateTime::from_timestamp_millis(ms).map(|_| 0)
            } else {
                Local
                    .timestamp_millis_opt(ms)
                    .single()
                    .map(|t| t.offset().local_minus_utc())
            };
            match offset {
                Some(secs) => {
                    self.offset_ms = secs as i64 * 1000;
                    self.zone = if self.utc {
                        "UTC".to_string()
                    } else {
                        offset_label(secs)
                    };
                }
                None => {
                    let _ = write!(out, "{ms}ms");
                    return false;
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
        true
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
        let mut f = TimeFormatter::new(TimeZone::Local);
        for ms in [0, 1_700_000_000_123, 951_782_400_000, 4_102_444_799_999] {
            let mut s = String::new();
            f.format_zoned_into(ms, &mut s);
            assert_eq!(s, format_time_zoned(TimeZone::Local, ms), "{ms}");
        }
    }

    #[test]
    fn times_carry_their_zone() {
        assert_eq!(
            format_time_zoned(TimeZone::Utc, 1_714_564_800_123),
            "2024-05-01 12:00:00.123 UTC"
        );
        let mut f = TimeFormatter::new(TimeZone::Utc);
        let mut s = String::new();
        f.format_zoned_into(1_714_564_800_123, &mut s);
        assert_eq!(s, "2024-05-01 12:00:00.123 UTC");
        assert_eq!(zone_label(TimeZone::Utc, 0), "UTC");
        // Out of the calendar's range: the number, without a zone.
        assert_eq!(
            format_time_zoned(TimeZone::Utc, i64::MAX),
            format!("{}ms", i64::MAX)
        );
    }

    #[test]
    fn offsets_are_written_with_sign_hours_and_minutes() {
        assert_eq!(offset_label(3600), "+01:00");
        assert_eq!(offset_label(-12_600), "-03:30");
        assert_eq!(offset_label(0), "+00:00");
        assert_eq!(offset_label(19_800), "+05:30");
    }
}
