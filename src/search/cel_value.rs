//! Record parts -> CEL values: JSON when the bytes are JSON, else a string, else bytes.

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};

use crate::kafka::Header;

/// The CEL value of a key or value: null, decoded JSON, a UTF-8 string, or bytes.
pub(super) fn decode(bytes: Option<&[u8]>) -> Value {
    let Some(b) = bytes else {
        return Value::Null;
    };
    if may_be_json(b)
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(b)
    {
        return json(v);
    }
    match std::str::from_utf8(b) {
        Ok(s) => Value::String(Arc::new(s.to_string())),
        Err(_) => Value::Bytes(Arc::new(b.to_vec())),
    }
}

/// JSON text starts (after white space) with one of these; anything else skips the parser.
fn may_be_json(b: &[u8]) -> bool {
    b.iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|c| {
            matches!(
                c,
                b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
            )
        })
}

fn json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::UInt(u)
            } else {
                n.as_f64().map_or(Value::Null, Value::Float)
            }
        }
        serde_json::Value::String(s) => Value::String(Arc::new(s)),
        serde_json::Value::Array(a) => Value::List(Arc::new(a.into_iter().map(json).collect())),
        serde_json::Value::Object(o) => {
            let map: HashMap<Key, Value> = o
                .into_iter()
                .map(|(k, v)| (Key::String(Arc::new(k)), json(v)))
                .collect();
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// `headers`: name -> value as text; a repeated name keeps its last value.
pub(super) fn headers(hs: &[Header]) -> Value {
    let map: HashMap<Key, Value> = hs
        .iter()
        .map(|h| {
            let name = String::from_utf8_lossy(&h.name).into_owned();
            let value = h.value.as_ref().map_or(Value::Null, |v| {
                Value::String(Arc::new(String::from_utf8_lossy(v).into_owned()))
            });
            (Key::String(Arc::new(name)), value)
        })
        .collect();
    Value::Map(Map { map: Arc::new(map) })
}

/// `timestamp`: the record's milliseconds as a CEL timestamp (null when out of range).
pub(super) fn timestamp(millis: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(millis)
        .map_or(Value::Null, |t| Value::Timestamp(t.fixed_offset()))
}
