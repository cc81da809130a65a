//! The JSON shape of Avro's logical types and special floats (README "Decoded values").

use chrono::{DateTime, NaiveDate};
use serde_json::{Map, Value};

use super::SchemaError;

/// Decimals longer than this many bytes are refused (38 digits need 16).
const MAX_DECIMAL_BYTES: usize = 128;

/// A finite float as a number; NaN and the infinities as strings.
pub fn float(f: f64, finite: Value) -> Value {
    if f.is_nan() {
        Value::String("NaN".into())
    } else if f.is_infinite() {
        Value::String(if f > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        finite
    }
}

/// A big-endian two's-complement unscaled integer as an exact decimal string with `scale`
/// fractional digits: `[0x01, 0xf4]` at scale 2 is `"5.00"`.
pub fn decimal(bytes: &[u8], scale: usize) -> Result<String, SchemaError> {
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
    let mut mag: Vec<u8> = bytes.to_vec();
    if negative {
        for b in &mut mag {
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
    // Repeated division by 10, least significant digit first.
    let mut digits = Vec::new();
    while mag.iter().any(|&b| b != 0) {
        let mut rem: u32 = 0;
        for b in &mut mag {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    while digits.len() <= scale {
        digits.push(b'0');
    }
    let mut s = String::with_capacity(digits.len() + 2);
    if negative {
        s.push('-');
    }
    for (i, d) in digits.iter().rev().enumerate() {
        if scale > 0 && i == digits.len() - scale {
            s.push('.');
        }
        s.push(char::from(*d));
    }
    Ok(s)
}

/// 16 bytes as a hyphenated UUID; other lengths as base64.
pub fn uuid(bytes: &[u8]) -> Value {
    match uuid::Uuid::from_slice(bytes) {
        Ok(u) => Value::String(u.hyphenated().to_string()),
        Err(_) => {
            use base64::Engine as _;
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
    }
}

/// Days since 1970-01-01 as `YYYY-MM-DD`; out of chrono's range as the number.
pub fn date(days: i32) -> Value {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(i64::from(days))))
        .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
        .unwrap_or_else(|| Value::from(days))
}

/// Units (milli- or microseconds, by `digits` 3 or 6) after midnight as `HH:MM:SS.fff`; outside
/// one day as the number.
pub fn time(units: i64, digits: u32) -> Value {
    let per_sec = 10i64.pow(digits);
    if !(0..86_400 * per_sec).contains(&units) {
        return Value::from(units);
    }
    let (secs, frac) = (units / per_sec, units % per_sec);
    Value::String(format!(
        "{:02}:{:02}:{:02}.{:0width$}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        frac,
        width = digits as usize
    ))
}

/// Units since the epoch (milli-, micro- or nanoseconds by `digits` 3, 6 or 9) as RFC 3339
/// with that many fractional digits, with `Z` when `utc`; out of chrono's range as the number.
pub fn timestamp(units: i64, digits: u32, utc: bool) -> Value {
    let per_sec = 10i64.pow(digits);
    let secs = units.div_euclid(per_sec);
    let frac = units.rem_euclid(per_sec);
    let nanos = (frac * 10i64.pow(9 - digits)) as u32;
    match DateTime::from_timestamp(secs, nanos) {
        Some(t) => {
            use chrono::{Datelike as _, Timelike as _};
            let zone = if utc { "Z" } else { "" };
            let width = digits as usize;
            // chrono's strftime parses its pattern on every call; years 0 to 9999 (all of
            // them in practice) are written directly, others as %Y writes them (a sign).
            Value::String(if (0..=9999).contains(&t.year()) {
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{frac:0width$}{zone}",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                )
            } else {
                format!("{}.{frac:0width$}{zone}", t.format("%Y-%m-%dT%H:%M:%S"))
            })
        }
        None => Value::from(units),
    }
}

/// Avro's 12-byte duration: little-endian months, days and milliseconds.
pub fn duration(bytes: &[u8]) -> Result<Value, SchemaError> {
    let [m0, m1, m2, m3, d0, d1, d2, d3, s0, s1, s2, s3] = bytes else {
        return Err(SchemaError::Schema(format!(
            "an Avro duration must be a fixed of 12 bytes, not {}",
            bytes.len()
        )));
    };
    let mut o = Map::new();
    o.insert(
        "months".into(),
        u32::from_le_bytes([*m0, *m1, *m2, *m3]).into(),
    );
    o.insert(
        "days".into(),
        u32::from_le_bytes([*d0, *d1, *d2, *d3]).into(),
    );
    o.insert(
        "millis".into(),
        u32::from_le_bytes([*s0, *s1, *s2, *s3]).into(),
    );
    Ok(Value::Object(o))
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
