//! The JSON shape of Avro's logical types and special floats (README "Decoded values").

use chrono::{DateTime, NaiveDate};
use serde_json::{Map, Value};

use super::SchemaError;

/// Decimals longer than this many bytes are refused (38 digits need 16).
const MAX_DECIMAL_BYTES: usize = 128;

/// A finite float as a number; NaN and the infinities as strings.
pub fn float(f: f64, finite: Value) -> Value {
    match special_float(f) {
        Some(s) => Value::String(s.into()),
        None => finite,
    }
}

/// What NaN and the infinities are shown as; None for a finite float.
pub fn special_float(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f.is_infinite() {
        Some(if f > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        None
    }
}

/// A big-endian two's-complement unscaled integer as an exact decimal string with `scale`
/// fractional digits: `[0x01, 0xf4]` at scale 2 is `"5.00"`.
pub fn decimal(bytes: &[u8], scale: usize) -> Result<String, SchemaError> {
    let mut s = String::with_capacity(decimal_len(bytes.len(), scale));
    write_decimal(bytes, scale, &mut s)?;
    Ok(s)
}

/// At most how many characters `write_decimal` writes for `len` bytes at `scale`.
pub fn decimal_len(len: usize, scale: usize) -> usize {
    // 8 bits hold less than 3 decimal digits; a sign and a point.
    (len.saturating_mul(3))
        .max(scale.saturating_add(1))
        .saturating_add(2)
}

/// `decimal`, written into `out` without allocating.
pub fn write_decimal(
    bytes: &[u8],
    scale: usize,
    out: &mut impl std::fmt::Write,
) -> Result<(), SchemaError> {
    if bytes.len() > MAX_DECIMAL_BYTES {
        return Err(SchemaError::Payload(format!(
            "a decimal of {} bytes is longer than {MAX_DECIMAL_BYTES}",
            bytes.len()
        )));
    }
    if scale > 4 * MAX_DECIMAL_BYTES {
        return Err(SchemaError::Schema(format!(
            "decimal scale {scale} is too large"
        )));
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    // The magnitude, big-endian.
    let mut whole = [0u8; MAX_DECIMAL_BYTES];
    let mag = &mut whole[..bytes.len()];
    mag.copy_from_slice(bytes);
    if negative {
        for b in mag.iter_mut() {
            *b = !*b;
        }
        for b in mag.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    // Repeated division by 10, least significant digit first; 128 bytes hold at most 309
    // digits.
    let mut digits = [0u8; 3 * MAX_DECIMAL_BYTES];
    let mut n = 0;
    let mut first = 0;
    loop {
        while mag.get(first) == Some(&0) {
            first += 1;
        }
        let Some(rest) = mag.get_mut(first..).filter(|r| !r.is_empty()) else {
            break;
        };
        let mut rem: u32 = 0;
        for b in rest {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        if let Some(d) = digits.get_mut(n) {
            *d = b'0' + rem as u8;
            n += 1;
        }
    }
    let len = n.max(scale + 1);
    if negative {
        let _ = out.write_char('-');
    }
    for j in (0..len).rev() {
        if scale > 0 && j + 1 == scale {
            let _ = out.write_char('.');
        }
        let d = if j < n { digits[j] } else { b'0' };
        let _ = out.write_char(char::from(d));
    }
    Ok(())
}

/// 16 bytes as a hyphenated UUID; other lengths as base64.
pub fn uuid(bytes: &[u8]) -> Value {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    match hyphenated_uuid(bytes, &mut buf) {
        Some(s) => Value::String(s.to_string()),
        None => {
            use base64::Engine as _;
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
    }
}

/// 16 bytes as a hyphenated UUID in `buf`; None for other lengths (shown as base64).
pub fn hyphenated_uuid<'b>(
    bytes: &[u8],
    buf: &'b mut [u8; uuid::fmt::Hyphenated::LENGTH],
) -> Option<&'b str> {
    uuid::Uuid::from_slice(bytes)
        .ok()
        .map(|u| &*u.hyphenated().encode_lower(buf))
}

/// Days since 1970-01-01 as `YYYY-MM-DD`; out of chrono's range as the number.
pub fn date(days: i32) -> Value {
    let mut s = String::new();
    if write_date(days, &mut s) {
        Value::String(s)
    } else {
        Value::from(days)
    }
}

/// `date` written into `out`; false (nothing written) when out of chrono's range.
pub fn write_date(days: i32, out: &mut impl std::fmt::Write) -> bool {
    use chrono::Datelike as _;
    let Some(d) = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(i64::from(days))))
    else {
        return false;
    };
    let _ = if (0..=9999).contains(&d.year()) {
        write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        write!(out, "{}", d.format("%Y-%m-%d"))
    };
    true
}

/// Units (milli- or microseconds, by `digits` 3 or 6) after midnight as `HH:MM:SS.fff`; outside
/// one day as the number.
pub fn time(units: i64, digits: u32) -> Value {
    let mut s = String::new();
    if write_time(units, digits, &mut s) {
        Value::String(s)
    } else {
        Value::from(units)
    }
}

/// `time` written into `out`; false (nothing written) outside one day.
pub fn write_time(units: i64, digits: u32, out: &mut impl std::fmt::Write) -> bool {
    let per_sec = 10i64.pow(digits);
    if !(0..86_400 * per_sec).contains(&units) {
        return false;
    }
    let (secs, frac) = (units / per_sec, units % per_sec);
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}.{:0width$}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        frac,
        width = digits as usize
    );
    true
}

/// Units since the epoch (milli-, micro- or nanoseconds by `digits` 3, 6 or 9) as RFC 3339
/// with that many fractional digits, with `Z` when `utc`; out of chrono's range as the number.
pub fn timestamp(units: i64, digits: u32, utc: bool) -> Value {
    let mut s = String::new();
    if write_timestamp(units, digits, utc, &mut s) {
        Value::String(s)
    } else {
        Value::from(units)
    }
}

/// `timestamp` written into `out`; false (nothing written) out of chrono's range.
pub fn write_timestamp(units: i64, digits: u32, utc: bool, out: &mut impl std::fmt::Write) -> bool {
    let per_sec = 10i64.pow(digits);
    let secs = units.div_euclid(per_sec);
    let frac = units.rem_euclid(per_sec);
    let nanos = (frac * 10i64.pow(9 - digits)) as u32;
    let Some(t) = DateTime::from_timestamp(secs, nanos) else {
        return false;
    };
    use chrono::{Datelike as _, Timelike as _};
    let zone = if utc { "Z" } else { "" };
    let width = digits as usize;
    // chrono's strftime parses its pattern on every call; years 0 to 9999 (all of them in
    // practice) are written directly, others as %Y writes them (a sign).
    let _ = if (0..=9999).contains(&t.year()) {
        // Digits placed directly: this runs for every timestamp of every record.
        let mut b = [0u8; 34];
        let mut n = digits_into(&mut b, 0, t.year() as u64, 4);
        for (sep, v) in [
            (b'-', t.month()),
            (b'-', t.day()),
            (b'T', t.hour()),
            (b':', t.minute()),
            (b':', t.second()),
        ] {
            b[n] = sep;
            n = digits_into(&mut b, n + 1, u64::from(v), 2);
        }
        b[n] = b'.';
        n = digits_into(&mut b, n + 1, frac as u64, width);
        if utc {
            b[n] = b'Z';
            n += 1;
        }
        out.write_str(std::str::from_utf8(&b[..n]).unwrap_or_default())
    } else {
        write!(
            out,
            "{}.{frac:0width$}{zone}",
            t.format("%Y-%m-%dT%H:%M:%S")
        )
    };
    true
}

/// Writes `v` as exactly `width` decimal digits (zero-padded, the highest cut off) at `at`;
/// returns the index after them.
fn digits_into(b: &mut [u8], at: usize, mut v: u64, width: usize) -> usize {
    for i in (at..at + width).rev() {
        if let Some(d) = b.get_mut(i) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
    }
    at + width
}

/// The names of a duration's parts, in the order `duration_parts` gives them.
pub const DURATION_FIELDS: [&str; 3] = ["months", "days", "millis"];

/// Avro's 12-byte duration: little-endian months, days and milliseconds.
pub fn duration(bytes: &[u8]) -> Result<Value, SchemaError> {
    let parts = duration_parts(bytes)?;
    let mut o = Map::new();
    for (name, v) in DURATION_FIELDS.iter().zip(parts) {
        o.insert((*name).into(), v.into());
    }
    Ok(Value::Object(o))
}

/// A duration's months, days and milliseconds.
pub fn duration_parts(bytes: &[u8]) -> Result<[u32; 3], SchemaError> {
    let [m0, m1, m2, m3, d0, d1, d2, d3, s0, s1, s2, s3] = bytes else {
        return Err(SchemaError::Schema(format!(
            "an Avro duration must be a fixed of 12 bytes, not {}",
            bytes.len()
        )));
    };
    Ok([
        u32::from_le_bytes([*m0, *m1, *m2, *m3]),
        u32::from_le_bytes([*d0, *d1, *d2, *d3]),
        u32::from_le_bytes([*s0, *s1, *s2, *s3]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(decimal(&[0x01, 0xf4], 2).unwrap(), "5.00");
        assert_eq!(decimal(&[0xfe, 0x0c], 2).unwrap(), "-5.00");
        assert_eq!(decimal(&[0x07], 3).unwrap(), "0.007");
        assert_eq!(decimal(&[0xff], 3).unwrap(), "-0.001");
        assert_eq!(decimal(&[], 2).unwrap(), "0.00");
        assert_eq!(decimal(&[0x00], 0).unwrap(), "0");
        assert_eq!(decimal(&[0x80], 0).unwrap(), "-128");
        assert_eq!(decimal(&[0x30, 0x39], 0).unwrap(), "12345");
        // 2^127 - 1 (16 bytes) at scale 10.
        let mut max = vec![0xffu8; 16];
        max[0] = 0x7f;
        assert_eq!(
            decimal(&max, 10).unwrap(),
            "17014118346046923173168730371.5884105727"
        );
        assert_eq!(
            decimal(&[0; 129], 0).unwrap_err().to_string(),
            "a decimal of 129 bytes is longer than 128"
        );
    }

    #[test]
    fn times() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(i32::MAX), Value::from(i32::MAX));
        assert_eq!(time(45_296_789, 3), "12:34:56.789");
        assert_eq!(time(45_296_000_001, 6), "12:34:56.000001");
        assert_eq!(time(-1, 3), Value::from(-1));
        assert_eq!(time(86_400_000, 3), Value::from(86_400_000));
        assert_eq!(timestamp(1_500, 3, true), "1970-01-01T00:00:01.500Z");
        assert_eq!(timestamp(-1, 3, true), "1969-12-31T23:59:59.999Z");
        assert_eq!(timestamp(-1, 6, false), "1969-12-31T23:59:59.999999");
        assert_eq!(timestamp(1, 9, true), "1970-01-01T00:00:00.000000001Z");
        assert_eq!(timestamp(i64::MAX, 3, true), Value::from(i64::MAX));
        // Outside years 0 to 9999, as chrono's %Y writes them.
        assert_eq!(
            timestamp(253_402_300_800_000, 3, true),
            "+10000-01-01T00:00:00.000Z"
        );
        assert_eq!(
            timestamp(-62_167_219_200_001, 3, false),
            "-0001-12-31T23:59:59.999"
        );
        assert_eq!(
            timestamp(253_402_300_799_999, 3, true),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            duration(&[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]).unwrap(),
            serde_json::json!({"months": 1, "days": 2, "millis": 3})
        );
        assert_eq!(float(f64::NAN, Value::Null), "NaN");
        assert_eq!(float(f64::NEG_INFINITY, Value::Null), "-Infinity");
        assert_eq!(float(f64::INFINITY, Value::Null), "Infinity");
    }
}
