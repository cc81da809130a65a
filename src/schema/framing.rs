//! Confluent's wire format: magic byte 0, a 4-byte big-endian schema id, then the payload; for
//! Protobuf a message-index list sits between the id and the message.

use super::SchemaError;

/// Indexes deeper than this are refused: no real schema nests messages this far.
const MAX_INDEXES: usize = 64;

/// A value in Confluent's framing: the schema id and what follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The registry's id of the writer schema.
    pub schema_id: u32,
    /// The bytes after the id.
    pub payload: &'a [u8],
}

/// Splits off the framing, or None when `bytes` does not start with magic byte 0 and an id.
pub fn frame(bytes: &[u8]) -> Option<Frame<'_>> {
    match bytes {
        [0, a, b, c, d, payload @ ..] => Some(Frame {
            schema_id: u32::from_be_bytes([*a, *b, *c, *d]),
            payload,
        }),
        _ => None,
    }
}

/// Reads the Protobuf message-index list: a zigzag varint count, then that many zigzag varint
/// indexes. A count of 0 means the first message (`[0]`). Returns the path and the message bytes.
pub fn message_indexes(payload: &[u8]) -> Result<(Vec<usize>, &[u8]), SchemaError> {
    let mut rest = payload;
    let count = zigzag(varint(&mut rest)?);
    if count == 0 {
        return Ok((vec![0], rest));
    }
    if count < 0 || count as usize > MAX_INDEXES {
        return Err(SchemaError::Payload(format!(
            "message-index count {count} is out of range (1 to {MAX_INDEXES})"
        )));
    }
    let mut path = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let i = zigzag(varint(&mut rest)?);
        if i < 0 || i > i64::from(u16::MAX) {
            return Err(SchemaError::Payload(format!(
                "message index {i} is out of range"
            )));
        }
        path.push(i as usize);
    }
    Ok((path, rest))
}

/// An unsigned LEB128 varint of at most 10 bytes.
fn varint(buf: &mut &[u8]) -> Result<u64, SchemaError> {
    let mut v: u64 = 0;
    for i in 0..10 {
        let Some((&b, rest)) = buf.split_first() else {
            return Err(SchemaError::Payload(
                "the message-index list is cut off".into(),
            ));
        };
        *buf = rest;
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(SchemaError::Payload(
        "a message-index varint is longer than 10 bytes".into(),
    ))
}

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(
            frame(&[0, 0, 0, 1, 2, 9, 8]),
            Some(Frame {
                schema_id: 258,
                payload: &[9, 8]
            })
        );
        assert_eq!(
            frame(&[0, 0, 0, 0, 7]),
            Some(Frame {
                schema_id: 7,
                payload: &[]
            })
        );
        assert_eq!(frame(&[0, 0, 0, 7]), None);
        assert_eq!(frame(&[1, 0, 0, 0, 7]), None);
        assert_eq!(frame(b"{\"a\":1}"), None);
    }

    #[test]
    fn indexes() {
        assert_eq!(message_indexes(&[0, 42]).unwrap(), (vec![0], &[42u8][..]));
        // Count 2 (zigzag 4), indexes 1 (2) and 0 (0).
        assert_eq!(
            message_indexes(&[4, 2, 0, 42]).unwrap(),
            (vec![1, 0], &[42u8][..])
        );
        // Index 150 (zigzag 300 = 0xac 0x02).
        assert_eq!(
            message_indexes(&[2, 0xac, 0x02]).unwrap(),
            (vec![150], &[][..])
        );
        for (bad, msg) in [
            (&[][..], "the message-index list is cut off"),
            (&[4, 2][..], "the message-index list is cut off"),
            (&[1][..], "message-index count -1 is out of range (1 to 64)"),
            (
                &[0xfe, 0x01][..],
                "message-index count 127 is out of range (1 to 64)",
            ),
            (&[2, 1][..], "message index -1 is out of range"),
            (
                &[0xff; 12][..],
                "a message-index varint is longer than 10 bytes",
            ),
        ] {
            assert_eq!(
                message_indexes(bad).unwrap_err().to_string(),
                msg,
                "{bad:?}"
            );
        }
    }
}
