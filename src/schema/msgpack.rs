//! MessagePack -> JSON with rmpv: `bin` as base64, ext as `{"type": n, "base64": ...}`.

use base64::Engine as _;
use rmpv::Value as Mp;
use serde_json::{Map, Value};

use super::SchemaError;
use super::logical;

/// Values nested deeper than this are refused.
const MAX_DEPTH: usize = 64;

/// Decodes one MessagePack value that fills `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Value, SchemaError> {
    let mut rd = bytes;
    // rmpv caps its preallocation and reads arrays item by item, so a huge declared length
    // fails at the end of the input instead of allocating.
    let v = rmpv::decode::read_value_with_max_depth(&mut rd, MAX_DEPTH)
        .map_err(|e| SchemaError::Payload(format!("not MessagePack: {e}")))?;
    if !rd.is_empty() {
        return Err(SchemaError::Payload(format!(
            "{} bytes left after the MessagePack value",
            rd.len()
        )));
    }
    json(v)
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn json(v: Mp) -> Result<Value, SchemaError> {
    Ok(match v {
        Mp::Nil => Value::Null,
        Mp::Boolean(b) => Value::Bool(b),
        Mp::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(n), _) => Value::from(n),
            (None, Some(n)) => Value::from(n),
            _ => Value::Null,
        },
        Mp::F32(f) => logical::float(f64::from(f), Value::from(f)),
        Mp::F64(f) => logical::float(f, Value::from(f)),
        Mp::String(s) => match s.into_str() {
            Some(s) => Value::String(s),
            None => Value::Null,
        },
        Mp::Binary(b) => Value::String(b64(&b)),
        Mp::Array(items) => Value::Array(items.into_iter().map(json).collect::<Result<_, _>>()?),
        Mp::Map(pairs) => {
            let mut o = Map::new();
            for (k, v) in pairs {
                // A JSON key is text: a scalar key becomes its JSON text. An array or map key
                // would be escaped once more at every level of nesting (its size doubling each
                // time), so it is refused.
                if matches!(k, Mp::Array(_) | Mp::Map(_)) {
                    return Err(SchemaError::Payload(
                        "a MessagePack map key is an array or a map, which JSON cannot show".into(),
                    ));
                }
                let key = match json(k)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                o.insert(key, json(v)?);
            }
            Value::Object(o)
        }
        Mp::Ext(ty, data) => {
            let mut o = Map::new();
            o.insert("type".into(), Value::from(ty));
            o.insert("base64".into(), Value::String(b64(&data)));
            Value::Object(o)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values() {
        // {"a": [1, -2, true, nil], "b": bin[1,2], 7: 1.5, "e": ext(5, [9])}
        let bytes = [
            0x84, 0xa1, b'a', 0x94, 0x01, 0xfe, 0xc3, 0xc0, 0xa1, b'b', 0xc4, 0x02, 1, 2, 0x07,
            0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xa1, b'e', 0xd4, 0x05, 0x09,
        ];
        assert_eq!(
            decode(&bytes).unwrap(),
            json!({"a": [1, -2, true, null], "b": "AQI=", "7": 1.5, "e": {"type": 5, "base64": "CQ=="}})
        );
        assert_eq!(
            decode(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap(),
            json!(u64::MAX)
        );
    }

    #[test]
    fn hostile() {
        // An array declaring 2^32-1 items, a bin declaring 4 GiB: errors, no allocation.
        assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
        assert!(decode(&[0xc6, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
        // 100 nested arrays.
        assert!(decode(&[0x91; 100]).is_err());
        // Map keys that are maps, nested: refused, not escaped again at every level.
        let mut nested = vec![0x92];
        nested.extend([0x81; 30]);
        nested.extend([0xff; 31]);
        assert!(decode(&nested).is_err());
        assert_eq!(
            decode(&[0x01, 0x02]).unwrap_err().to_string(),
            "1 bytes left after the MessagePack value"
        );
    }
}
