//! Numbers and times as a person reads them: `1,234,567`, `2024-05-01 12:00:00.000`.

/// How times are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    /// The machine's local time zone.
    Local,
    /// UTC.
    Utc,
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A timestamp as `YYYY-MM-DD HH:MM:SS.mmm`, local or UTC.
pub fn format_time(tz: TimeZone, ms: i64) -> String {
    match tz {
        TimeZone::Local => crate::position::format_local(ms),
        TimeZone::Utc => match chrono::DateTime::from_timestamp_millis(ms) {
            Some(t) => t.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            None => format!("{ms}ms"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_and_keeps_the_sign() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn utc_times_have_milliseconds() {
        assert_eq!(
            format_time(TimeZone::Utc, 1_714_564_800_123),
            "2024-05-01 12:00:00.123"
        );
    }
}
