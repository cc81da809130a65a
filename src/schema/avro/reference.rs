//! The walker as it was before the walk plan (commit 11be89a): `serde_json::Value` built
//! straight from apache-avro's schema tree. Tests check that the plan's walk gives the same
//! values, errors and JSON text.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{InnerDecimalSchema, Name, ResolvedSchema, UuidSchema};
use base64::Engine as _;
use serde_json::{Map, Value};

use super::MAX_DEPTH;
use crate::schema::SchemaError;

/// A schema parsed as `AvroSchema::parse` does, kept as apache-avro's tree.
pub struct Reference {
    root: Schema,
    names: HashMap<Name, Schema>,
}

impl Reference {
    pub fn parse(text: &str, references: &[String]) -> Reference {
        let (root, refs) = if references.is_empty() {
            (Schema::parse_str(text).unwrap(), Vec::new())
        } else {
            Schema::parse_str_with_list(text, references).unwrap()
        };
        let mut all: Vec<&Schema> = refs.iter().collect();
        all.push(&root);
        let names = ResolvedSchema::new_with_schemata(all)
            .unwrap()
            .get_names()
            .iter()
            .map(|(n, s)| (n.clone(), (*s).clone()))
            .collect();
        Reference { root, names }
    }

    /// apache-avro's tree of the schema and its named types (the random datums are drawn
    /// from it).
    pub fn tree(&self) -> (&Schema, &HashMap<Name, Schema>) {
        (&self.root, &self.names)
    }

    pub fn decode(&self, payload: &[u8]) -> Result<Value, SchemaError> {
        let mut r = Datum {
            buf: payload,
            names: &self.names,
            budget: payload.len().saturating_mul(8).saturating_add(4096),
        };
        let v = r.value(&self.root, 0)?;
        if !r.buf.is_empty() {
            return Err(SchemaError::Payload(format!(
                "{} bytes left after the Avro value",
                r.buf.len()
            )));
        }
        Ok(v)
    }
}

struct Datum<'a> {
    buf: &'a [u8],
    names: &'a HashMap<Name, Schema>,
    budget: usize,
}

fn short(what: &str) -> SchemaError {
    SchemaError::Payload(format!("the Avro value is cut off in {what}"))
}

impl<'a> Datum<'a> {
    fn long(&mut self) -> Result<i64, SchemaError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let (&b, rest) = self.buf.split_first().ok_or_else(|| short("a number"))?;
            self.buf = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(((v >> 1) as i64) ^ -((v & 1) as i64));
            }
        }
        Err(SchemaError::Payload(
            "an Avro number is longer than 10 bytes".into(),
        ))
    }

    fn int(&mut self) -> Result<i32, SchemaError> {
        let v = self.long()?;
        i32::try_from(v)
            .map_err(|_| SchemaError::Payload(format!("Avro int {v} does not fit in 32 bits")))
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], SchemaError> {
        if n > self.buf.len() {
            return Err(SchemaError::Payload(format!(
                "{what} declares {n} bytes but only {} remain",
                self.buf.len()
            )));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn len_prefixed(&mut self, what: &str) -> Result<&'a [u8], SchemaError> {
        let n = self.long()?;
        let n = usize::try_from(n)
            .map_err(|_| SchemaError::Payload(format!("{what} has a negative length {n}")))?;
        self.take(n, what)
    }

    fn string(&mut self) -> Result<String, SchemaError> {
        let b = self.len_prefixed("a string")?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| SchemaError::Payload("an Avro string is not UTF-8".into()))
    }

    fn float(&mut self) -> Result<Value, SchemaError> {
        let b = self.take(4, "a float")?;
        let f = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        Ok(logical::float(f64::from(f), Value::from(f)))
    }

    fn double(&mut self) -> Result<Value, SchemaError> {
        let b = self.take(8, "a double")?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        let f = f64::from_le_bytes(a);
        Ok(logical::float(f, Value::from(f)))
    }

    /// The item count of the next array or map block; 0 ends the list.
    fn block(&mut self) -> Result<usize, SchemaError> {
        let n = self.long()?;
        let count = if n < 0 {
            // A negative count is followed by the block's size in bytes.
            self.long()?;
            n.unsigned_abs()
        } else {
            n as u64
        };
        if count > self.budget as u64 {
            return Err(SchemaError::Payload(format!(
                "an Avro block declares {count} items, more than the payload can hold"
            )));
        }
        Ok(count as usize)
    }

    fn value(&mut self, schema: &Schema, depth: usize) -> Result<Value, SchemaError> {
        if depth > MAX_DEPTH {
            return Err(SchemaError::Payload(format!(
                "the Avro value nests deeper than {MAX_DEPTH} levels"
            )));
        }
        self.budget = self.budget.checked_sub(1).ok_or_else(|| {
            SchemaError::Payload("the Avro value holds more items than its size allows".into())
        })?;
        let b64 = |b: &[u8]| Value::String(base64::engine::general_purpose::STANDARD.encode(b));
        Ok(match schema {
            Schema::Null => Value::Null,
            Schema::Boolean => match self.take(1, "a boolean")?[0] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => {
                    return Err(SchemaError::Payload(format!(
                        "invalid Avro boolean byte {b}"
                    )));
                }
            },
            Schema::Int => Value::from(self.int()?),
            Schema::Long => Value::from(self.long()?),
            Schema::Float => self.float()?,
            Schema::Double => self.double()?,
            Schema::Bytes => b64(self.len_prefixed("bytes")?),
            Schema::String => Value::String(self.string()?),
            Schema::Fixed(f) => b64(self.take(f.size, "a fixed")?),
            Schema::Array(a) => {
                let mut items = Vec::new();
                loop {
                    let n = self.block()?;
                    if n == 0 {
                        break;
                    }
                    for _ in 0..n {
                        items.push(self.value(&a.items, depth + 1)?);
                    }
                }
                Value::Array(items)
            }
            Schema::Map(m) => {
                let mut obj = Map::new();
                loop {
                    let n = self.block()?;
                    if n == 0 {
                        break;
                    }
                    for _ in 0..n {
                        let k = self.string()?;
                        let v = self.value(&m.types, depth + 1)?;
                        obj.insert(k, v);
                    }
                }
                Value::Object(obj)
            }
            Schema::Union(u) => {
                let i = self.long()?;
                let branch = usize::try_from(i)
                    .ok()
                    .and_then(|i| u.variants().get(i))
                    .ok_or_else(|| {
                        SchemaError::Payload(format!(
                            "Avro union branch {i} does not exist ({} branches)",
                            u.variants().len()
                        ))
                    })?;
                self.value(branch, depth + 1)?
            }
            Schema::Record(r) => {
                let mut obj = Map::with_capacity(r.fields.len());
                for f in &r.fields {
                    let v = self.value(&f.schema, depth + 1)?;
                    obj.insert(f.name.clone(), v);
                }
                Value::Object(obj)
            }
            Schema::Enum(e) => {
                let i = self.int()?;
                let sym = usize::try_from(i)
                    .ok()
                    .and_then(|i| e.symbols.get(i))
                    .ok_or_else(|| {
                        SchemaError::Payload(format!(
                            "Avro enum index {i} does not exist ({} symbols)",
                            e.symbols.len()
                        ))
                    })?;
                Value::String(sym.clone())
            }
            Schema::Decimal(d) => {
                let bytes = match &d.inner {
                    InnerDecimalSchema::Bytes => self.len_prefixed("a decimal")?,
                    InnerDecimalSchema::Fixed(f) => self.take(f.size, "a decimal")?,
                };
                Value::String(logical::decimal(bytes, d.scale)?)
            }
            Schema::BigDecimal => {
                // The bytes hold a length-prefixed unscaled integer, then the scale.
                let mut inner = Datum {
                    buf: self.len_prefixed("a big-decimal")?,
                    names: self.names,
                    budget: 2,
                };
                let unscaled = inner.len_prefixed("a big-decimal")?;
                let scale = inner.long()?;
                let scale = usize::try_from(scale).map_err(|_| {
                    SchemaError::Payload(format!("big-decimal scale {scale} is negative"))
                })?;
                Value::String(logical::decimal(unscaled, scale)?)
            }
            Schema::Uuid(u) => match u {
                UuidSchema::String => Value::String(self.string()?),
                UuidSchema::Bytes => logical::uuid(self.len_prefixed("a uuid")?),
                UuidSchema::Fixed(f) => logical::uuid(self.take(f.size, "a uuid")?),
            },
            Schema::Date => logical::date(self.int()?),
            Schema::TimeMillis => logical::time(i64::from(self.int()?), 3),
            Schema::TimeMicros => logical::time(self.long()?, 6),
            Schema::TimestampMillis => logical::timestamp(self.long()?, 3, true),
            Schema::TimestampMicros => logical::timestamp(self.long()?, 6, true),
            Schema::TimestampNanos => logical::timestamp(self.long()?, 9, true),
            Schema::LocalTimestampMillis => logical::timestamp(self.long()?, 3, false),
            Schema::LocalTimestampMicros => logical::timestamp(self.long()?, 6, false),
            Schema::LocalTimestampNanos => logical::timestamp(self.long()?, 9, false),
            Schema::Duration(f) => logical::duration(self.take(f.size, "a duration")?)?,
            Schema::Ref { name } => {
                let names = self.names;
                let target = names.get(name).ok_or_else(|| {
                    SchemaError::Schema(format!("the Avro schema names an unknown type {name}"))
                })?;
                self.value(target, depth + 1)?
            }
        })
    }
}

/// logical.rs as it was (commit 11be89a).
mod logical {
    #![allow(dead_code)]
    use chrono::{DateTime, NaiveDate};
    use serde_json::{Map, Value};

    use crate::schema::SchemaError;

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
}
