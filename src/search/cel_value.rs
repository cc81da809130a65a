//! Record parts -> CEL values: JSON when the bytes are JSON, else a string, else bytes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::kafka::Header;

/// The CEL value of a key or value: null, decoded JSON, a UTF-8 string, or bytes.
/// `fields`: when the expression only reads these top-level fields of the part, the others
/// of a JSON object are skipped instead of built.
pub(super) fn decode(bytes: Option<&[u8]>, fields: Option<&[String]>) -> Value {
    let Some(b) = bytes else {
        return Value::Null;
    };
    if may_be_json(b) {
        let mut de = serde_json::Deserializer::from_slice(b);
        if let Ok(v) = de.deserialize_any(JsonToCel { keep: fields })
            && de.end().is_ok()
        {
            return v;
        }
    }
    match std::str::from_utf8(b) {
        Ok(s) => Value::String(Arc::new(s.to_string())),
        Err(_) => Value::Bytes(Arc::new(b.to_vec())),
    }
}

/// JSON text starts (after white space) with one of these; anything else skips the parser.
pub(super) fn may_be_json(b: &[u8]) -> bool {
    b.iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|c| {
            matches!(
                c,
                b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
            )
        })
}

/// Builds the CEL value straight from the parser's events (no `serde_json::Value` between).
#[derive(Clone, Copy)]
struct JsonToCel<'k> {
    /// Top-level fields to build (None: all); nested values are always built whole.
    keep: Option<&'k [String]>,
}

const ALL: JsonToCel<'static> = JsonToCel { keep: None };

/// How serde_json (with `arbitrary_precision`, which this crate enables) hands a number to a
/// visitor: a one-entry map from this key to the number's text.
pub(super) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

pub(super) fn number(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        Value::Int(i)
    } else if let Ok(u) = text.parse::<u64>() {
        Value::UInt(u)
    } else {
        text.parse::<f64>().map_or(Value::Null, Value::Float)
    }
}

impl<'de> DeserializeSeed<'de> for JsonToCel<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonToCel<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::UInt(u), Value::Int))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(Value::Float(x))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(Arc::new(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(Arc::new(s)))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(ALL)? {
            items.push(v);
        }
        Ok(Value::List(Arc::new(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out: HashMap<Key, Value> = HashMap::new();
        let mut first = true;
        while let Some(k) = map.next_key_seed(KeySeed)? {
            if first && k == NUMBER_TOKEN {
                let text: String = map.next_value()?;
                return Ok(number(&text));
            }
            first = false;
            if let Some(keep) = self.keep
                && !keep.iter().any(|f| *f == k)
            {
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            }
            let v = map.next_value_seed(ALL)?;
            out.insert(Key::String(Arc::new(k.into_owned())), v);
        }
        Ok(Value::Map(Map { map: Arc::new(out) }))
    }
}

/// An object's key, borrowed from the input when it holds no escape: the keys of fields the
/// expression skips are never copied.
pub(super) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s))
    }
}

/// The CEL value of a value a schema decoded (Avro, Protobuf, MessagePack, JSON Schema);
/// `fields` as in `decode`: other top-level fields of an object are left out.
pub(super) fn from_json(v: &serde_json::Value, fields: Option<&[String]>) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => number(&n.to_string()),
        J::String(s) => Value::String(Arc::new(s.clone())),
        J::Array(items) => {
            Value::List(Arc::new(items.iter().map(|i| from_json(i, None)).collect()))
        }
        J::Object(o) => {
            let map: HashMap<Key, Value> = o
                .iter()
                .filter(|(k, _)| fields.is_none_or(|keep| keep.contains(k)))
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), from_json(v, None)))
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
