//! Avro binary datums -> JSON, walking the writer schema that apache-avro parsed.
//!
//! apache-avro parses the schema (named types, references across subjects); the datum is read
//! here, straight into `serde_json::Value`, because apache-avro's own reader recurses without a
//! depth limit (a recursive schema and a hostile payload overflow the stack), loses map order,
//! and would need a second pass to apply the mapping (decimal scale, time formats).

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{InnerDecimalSchema, Name, ResolvedSchema, UuidSchema};
use base64::Engine as _;
use serde_json::{Map, Value};

use super::SchemaError;
use super::logical;

/// Values nested deeper than this are refused.
pub const MAX_DEPTH: usize = 64;

/// A parsed writer schema with its named types, ready to decode datums.
#[derive(Debug)]
pub struct AvroSchema {
    root: Schema,
    names: HashMap<Name, Schema>,
}

impl AvroSchema {
    /// Parses `text`, resolving named types from `references` (the referenced subjects' schemas,
    /// dependencies first).
    pub fn parse(text: &str, references: &[String]) -> Result<AvroSchema, SchemaError> {
        let bad = |e: apache_avro::Error| SchemaError::Schema(format!("invalid Avro schema: {e}"));
        let (root, refs) = if references.is_empty() {
            (Schema::parse_str(text).map_err(bad)?, Vec::new())
        } else {
            Schema::parse_str_with_list(text, references).map_err(bad)?
        };
        let mut all: Vec<&Schema> = refs.iter().collect();
        all.push(&root);
        let names = ResolvedSchema::new_with_schemata(all)
            .map_err(bad)?
            .get_names()
            .iter()
            .map(|(n, s)| (n.clone(), (*s).clone()))
            .collect();
        Ok(AvroSchema { root, names })
    }

    /// Decodes one datum. The whole payload must be used.
    pub fn decode(&self, payload: &[u8]) -> Result<Value, SchemaError> {
        let mut r = Datum {
            buf: payload,
            names: &self.names,
            // Each value costs at least one unit; a block of zero-byte items (nulls, empty
            // records) cannot expand into more values than this.
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn zz(v: i64) -> Vec<u8> {
        let mut u = ((v << 1) ^ (v >> 63)) as u64;
        let mut out = Vec::new();
        loop {
            let b = (u & 0x7f) as u8;
            u >>= 7;
            if u == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    }

    const LIST: &str = r#"{"type":"record","name":"Node","fields":[
        {"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}"#;

    #[test]
    fn recursive_records_and_the_depth_cap() {
        let s = AvroSchema::parse(LIST, &[]).unwrap();
        // v=1, next=Node{v=2, next=null}
        let bytes = [zz(1), zz(1), zz(2), zz(0)].concat();
        assert_eq!(
            s.decode(&bytes).unwrap(),
            json!({"v": 1, "next": {"v": 2, "next": null}})
        );
        // 100,000 levels: an error, not a stack overflow.
        let deep: Vec<u8> = std::iter::repeat_n([2u8, 2u8], 100_000).flatten().collect();
        assert_eq!(
            s.decode(&deep).unwrap_err().to_string(),
            "the Avro value nests deeper than 64 levels"
        );
    }

    #[test]
    fn hostile_lengths_and_counts() {
        let arr = AvroSchema::parse(r#"{"type":"array","items":"null"}"#, &[]).unwrap();
        // A block of i64::MAX nulls: refused before any item is read.
        let bomb = [zz(i64::MAX), zz(0)].concat();
        assert!(
            arr.decode(&bomb)
                .unwrap_err()
                .to_string()
                .starts_with("an Avro block declares 9223372036854775807 items")
        );
        // 1,000 nulls fit the budget of a 3-byte payload; 10,000 do not.
        assert_eq!(
            arr.decode(&[zz(1000), zz(0)].concat())
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            1000
        );
        assert!(arr.decode(&[zz(10_000), zz(0)].concat()).is_err());
        let s = AvroSchema::parse(r#""string""#, &[]).unwrap();
        assert_eq!(
            s.decode(&zz(1 << 40)).unwrap_err().to_string(),
            "a string declares 1099511627776 bytes but only 0 remain"
        );
        assert_eq!(
            s.decode(&zz(-3)).unwrap_err().to_string(),
            "a string has a negative length -3"
        );
        assert_eq!(
            s.decode(&[0x80; 11]).unwrap_err().to_string(),
            "an Avro number is longer than 10 bytes"
        );
        assert_eq!(
            s.decode(&[zz(1), b"ab".to_vec()].concat())
                .unwrap_err()
                .to_string(),
            "1 bytes left after the Avro value"
        );
        let u = AvroSchema::parse(r#"["null","int"]"#, &[]).unwrap();
        assert_eq!(
            u.decode(&zz(2)).unwrap_err().to_string(),
            "Avro union branch 2 does not exist (2 branches)"
        );
    }

    #[test]
    fn named_types_from_references() {
        let money = r#"{"type":"record","name":"Money","namespace":"pay","fields":[{"name":"cents","type":"long"}]}"#;
        let order = r#"{"type":"record","name":"Order","namespace":"pay","fields":[
            {"name":"total","type":"pay.Money"},{"name":"tip","type":["null","Money"]}]}"#;
        let s = AvroSchema::parse(order, &[money.to_string()]).unwrap();
        let bytes = [zz(500), zz(1), zz(7)].concat();
        assert_eq!(
            s.decode(&bytes).unwrap(),
            json!({"total": {"cents": 500}, "tip": {"cents": 7}})
        );
        assert!(
            AvroSchema::parse(order, &[])
                .unwrap_err()
                .to_string()
                .starts_with("invalid Avro schema:")
        );
    }
}
