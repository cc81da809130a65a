//! Avro binary datums -> JSON, walking the writer schema that apache-avro parsed.
//!
//! apache-avro parses the schema (named types, references across subjects); the datum is read
//! here, because apache-avro's own reader recurses without a depth limit (a recursive schema
//! and a hostile payload overflow the stack), loses map order, and would need a second pass to
//! apply the mapping (decimal scale, time formats). The schema is flattened once into a walk
//! plan (`plan`), and one walker (`walk`) reads a datum into either a `serde_json::Value` or
//! JSON text written straight to an output buffer.

mod plan;
#[cfg(test)]
mod reference;
mod sink;
#[cfg(test)]
mod tests_json;
mod walk;

use std::cell::Cell;
use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{Name, ResolvedSchema};
use serde_json::Value;

use super::SchemaError;
use plan::Plan;
use sink::{JsonSink, Sink, ValueSink};
use walk::{Reader, Stop, Walk};

/// Values nested deeper than this are refused.
pub const MAX_DEPTH: usize = 64;

/// A parsed writer schema, flattened into its walk plan, ready to decode datums.
#[derive(Debug)]
pub struct AvroSchema {
    plan: Box<Plan>,
}

/// Where the keys of the maps being walked lie in the datum (see `walk::Walk::keys`).
type MapKeys = Vec<(usize, usize)>;

thread_local! {
    /// The map keys of the JSON walk, kept between datums so that walking allocates nothing.
    static MAP_KEYS: Cell<MapKeys> = const { Cell::new(Vec::new()) };
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
        let names: HashMap<Name, Schema> = ResolvedSchema::new_with_schemata(all)
            .map_err(bad)?
            .get_names()
            .iter()
            .map(|(n, s)| (n.clone(), (*s).clone()))
            .collect();
        Ok(AvroSchema {
            plan: Box::new(Plan::new(&root, &names)),
        })
    }

    /// Walks `payload` into `sink`; gives back `keys` for the next walk.
    fn walk<S: Sink>(
        &self,
        payload: &[u8],
        sink: &mut S,
        keys: MapKeys,
    ) -> (Result<S::Out, Stop>, MapKeys) {
        let mut w = Walk {
            r: Reader { buf: payload },
            plan: &self.plan,
            budget: payload.len().saturating_mul(8).saturating_add(4096),
            whole: payload,
            keys,
        };
        let v = w.value(sink, self.plan.root, 0).and_then(|v| {
            if w.r.buf.is_empty() {
                Ok(v)
            } else {
                Err(Stop::Error(SchemaError::Payload(format!(
                    "{} bytes left after the Avro value",
                    w.r.buf.len()
                ))))
            }
        });
        (v, w.keys)
    }

    /// Decodes one datum. The whole payload must be used.
    pub fn decode(&self, payload: &[u8]) -> Result<Value, SchemaError> {
        match self.walk(payload, &mut ValueSink, Vec::new()).0 {
            Ok(v) => Ok(v),
            Err(Stop::Error(e)) => Err(e),
            // The value sink never stops for this.
            Err(Stop::Fallback) => Err(SchemaError::Payload(
                "the Avro value could not be decoded".into(),
            )),
        }
    }

    /// Appends one datum to `out` as compact JSON text, the same bytes as printing `decode`'s
    /// value with `render::json_value_into`, without building the value. On an error `out` is
    /// left as it was.
    pub fn write_json(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), SchemaError> {
        let start = out.len();
        let mut keys = MAP_KEYS.take();
        keys.clear();
        let (r, keys) = self.walk(payload, &mut JsonSink { out: &mut *out }, keys);
        MAP_KEYS.set(keys);
        match r {
            Ok(()) => Ok(()),
            Err(Stop::Error(e)) => {
                out.truncate(start);
                Err(e)
            }
            Err(Stop::Fallback) => {
                out.truncate(start);
                let v = self.decode(payload)?;
                crate::render::json_value_into(&v, out);
                Ok(())
            }
        }
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
