//! Record batches (magic v2) -> our `Message` type.
//!
//! Framing is parsed here rather than with `kafka_protocol::records::RecordBatchDecoder`
//! because that decoder (0.18) merges headers with the same name (an `IndexMap`), hides the
//! batch's last offset delta (needed to skip gaps and to filter aborted transactions),
//! reserves a record count taken from the wire before checking it, and hands out slices
//! that keep the whole fetch frame alive. Decompression is in `codec`, capped.

use bytes::Bytes;

/// Compression codec of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Uncompressed.
    None,
    /// gzip.
    Gzip,
    /// Snappy (xerial framing or raw).
    Snappy,
    /// LZ4 frames.
    Lz4,
    /// Zstandard.
    Zstd,
}

impl Codec {
    /// The codec's lower-case name, as Kafka configs spell it.
    pub fn name(self) -> &'static str {
        match self {
            Codec::None => "none",
            Codec::Gzip => "gzip",
            Codec::Snappy => "snappy",
            Codec::Lz4 => "lz4",
            Codec::Zstd => "zstd",
        }
    }
}

/// What a record's timestamp means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    /// Set by the producer.
    CreateTime,
    /// Set by the broker when it appended the batch.
    LogAppendTime,
}

/// Facts about the batch a message came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchInfo {
    /// The batch's first offset.
    pub base_offset: i64,
    /// The batch's last offset.
    pub last_offset: i64,
    /// The compression codec.
    pub codec: Codec,
    /// True when written in a transaction.
    pub transactional: bool,
    /// The producer id (-1 when none).
    pub producer_id: i64,
    /// The producer epoch.
    pub producer_epoch: i16,
    /// The partition leader epoch when written.
    pub leader_epoch: i32,
}

/// One record header; header names may repeat and their order is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header's name, raw.
    pub name: Bytes,
    /// The header's value, raw; None when null.
    pub value: Option<Bytes>,
}

/// One Kafka record with everything a person may want to see about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The partition the record was read from.
    pub partition: i32,
    /// The record's offset.
    pub offset: i64,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// Whether the time is the producer's or the broker's.
    pub timestamp_type: TimestampType,
    /// The key, None when null.
    pub key: Option<Bytes>,
    /// The value, None when null.
    pub value: Option<Bytes>,
    /// Headers in record order.
    pub headers: Vec<Header>,
    /// The batch the record came in.
    pub batch: BatchInfo,
}

impl Message {
    /// Bytes of key, value and headers: the record's size as a person thinks of it.
    pub fn size(&self) -> usize {
        self.key.as_ref().map_or(0, |k| k.len())
            + self.value.as_ref().map_or(0, |v| v.len())
            + self
                .headers
                .iter()
                .map(|h| h.name.len() + h.value.as_ref().map_or(0, |v| v.len()))
                .sum::<usize>()
    }
}

/// Size of a v2 batch header up to and including the record count.
const BATCH_HEADER_LEN: usize = 61;
/// Bytes of a batch that follow its length field, before the records.
const BATCH_AFTER_LENGTH: usize = BATCH_HEADER_LEN - 12;
/// The smallest encoded record (all fields one byte): bounds allocations from a claimed count.
const MIN_RECORD_LEN: usize = 7;

/// A batch whose framing and checksum are verified but whose records are not decoded yet.
#[derive(Debug, Clone)]
pub struct RawBatch {
    /// The batch header.
    pub info: BatchInfo,
    /// True for a control batch (a transaction marker).
    pub control: bool,
    timestamp_type: TimestampType,
    base_timestamp: i64,
    max_timestamp: i64,
    record_count: i32,
    payload: Bytes,
}

/// A batch that failed its checksum or cannot be parsed. Its header (unverified) still says
/// which offsets it covered and whether it was a control batch, so a reader can report the
/// gap and go on after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchError {
    /// The bytes are not a valid batch; the string says what is wrong.
    Corrupt {
        /// The batch's base offset.
        offset: i64,
        /// The offset after the batch, as its header claims (at least `offset + 1`).
        next: i64,
        /// True when the header marks it a control batch (a transaction marker): no user
        /// records were lost with it.
        control: bool,
        /// What was wrong with it.
        reason: String,
    },
}

/// One batch of a fetch response, in log order: parsed, or corrupt.
pub type BatchItem = Result<RawBatch, BatchError>;

/// Splits a fetch response's `records` bytes into whole batches, in order. A batch cut off at
/// the end (the broker stops at max bytes) is not an error: it is left out and `truncated`
/// is set. A corrupt batch is an `Err` item; splitting goes on after it when its length
/// field is sane, and stops otherwise (the next batch's start is unknown).
pub fn split_batches(data: &Bytes) -> (Vec<BatchItem>, bool) {
    let mut items = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let rest = &data[pos..];
        if rest.len() < 12 {
            return (items, true);
        }
        let base_offset = i64::from_be_bytes(rest[0..8].try_into().unwrap_or_default());
        let batch_len = i32::from_be_bytes(rest[8..12].try_into().unwrap_or_default());
        let total = 12 + batch_len.max(0) as usize;
        let framed = batch_len >= BATCH_AFTER_LENGTH as i32;
        if framed && rest.len() < total {
            return (items, true);
        }
        let parsed = if framed {
            parse_batch(data.slice(pos..pos + total))
        } else {
            Err(format!("batch length {batch_len} is too small"))
        };
        match parsed {
            Ok(batch) => items.push(Ok(batch)),
            Err(reason) => {
                items.push(Err(corrupt_batch(rest, base_offset, reason)));
                if !framed {
                    return (items, false);
                }
            }
        }
        pos += total;
    }
    (items, false)
}

/// The error for a corrupt batch, with the extent and kind its (unverified) header claims.
fn corrupt_batch(bytes: &[u8], offset: i64, reason: String) -> BatchError {
    let at = |i: usize, n: usize| bytes.get(i..i + n);
    let delta = at(23, 4)
        .and_then(|b| b.try_into().ok())
        .map(i32::from_be_bytes)
        .filter(|d| *d >= 0)
        .unwrap_or(0);
    let control = at(21, 2)
        .and_then(|b| b.try_into().ok())
        .map(i16::from_be_bytes)
        .is_some_and(|a| a & (1 << 5) != 0);
    BatchError::Corrupt {
        offset,
        next: offset.saturating_add(delta as i64).saturating_add(1),
        control,
        reason,
    }
}

fn parse_batch(b: Bytes) -> Result<RawBatch, String> {
    let be_i64 = |at: usize| i64::from_be_bytes(b[at..at + 8].try_into().unwrap_or_default());
    let be_i32 = |at: usize| i32::from_be_bytes(b[at..at + 4].try_into().unwrap_or_default());
    let be_i16 = |at: usize| i16::from_be_bytes(b[at..at + 2].try_into().unwrap_or_default());
    let magic = b[16] as i8;
    if magic != 2 {
        return Err(format!(
            "message format v{magic} is not supported (only v2)"
        ));
    }
    let crc = be_i32(17) as u32;
    if crc32c::crc32c(&b[21..]) != crc {
        return Err("checksum mismatch".into());
    }
    let attributes = be_i16(21);
    let codec = match attributes & 0x7 {
        0 => Codec::None,
        1 => Codec::Gzip,
        2 => Codec::Snappy,
        3 => Codec::Lz4,
        4 => Codec::Zstd,
        other => return Err(format!("unknown compression codec {other}")),
    };
    let base_offset = be_i64(0);
    let last_offset_delta = be_i32(23);
    if last_offset_delta < 0 {
        return Err(format!("negative last offset delta {last_offset_delta}"));
    }
    let record_count = be_i32(57);
    if record_count < 0 {
        return Err(format!("negative record count {record_count}"));
    }
    Ok(RawBatch {
        info: BatchInfo {
            base_offset,
            last_offset: base_offset.saturating_add(last_offset_delta as i64),
            codec,
            transactional: attributes & (1 << 4) != 0,
            producer_id: be_i64(43),
            producer_epoch: be_i16(51),
            leader_epoch: be_i32(12),
        },
        control: attributes & (1 << 5) != 0,
        timestamp_type: if attributes & (1 << 3) != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        },
        base_timestamp: be_i64(27),
        max_timestamp: be_i64(35),
        record_count,
        payload: b.slice(BATCH_HEADER_LEN..),
    })
}

impl RawBatch {
    /// The records' bytes, decompressed; uncompressed payloads are copied so that kept
    /// messages hold this batch's bytes only, not the whole fetch frame.
    fn records_bytes(&self) -> Result<Bytes, String> {
        super::codec::decompress(
            self.info.codec,
            &self.payload,
            super::codec::MAX_DECOMPRESSED,
        )
    }

    /// For a control batch: true when it is an ABORT marker (control type 0).
    pub fn is_abort_marker(&self) -> bool {
        let Ok(bytes) = self.records_bytes() else {
            return false;
        };
        let mut cur = Cursor {
            data: &bytes,
            pos: 0,
        };
        match cur.record_key() {
            Ok(Some(key)) if key.len() >= 4 => i16::from_be_bytes([key[2], key[3]]) == 0,
            _ => false,
        }
    }

    /// Decodes the records at or after `min_offset` into `out`.
    pub fn decode_into(
        &self,
        partition: i32,
        min_offset: i64,
        out: &mut Vec<Message>,
    ) -> Result<(), String> {
        if self.info.last_offset < min_offset {
            return Ok(());
        }
        let bytes = self.records_bytes()?;
        let count = self.record_count as usize;
        out.reserve(count.min(bytes.len() / MIN_RECORD_LEN));
        let mut cur = Cursor {
            data: &bytes,
            pos: 0,
        };
        for _ in 0..count {
            let msg = cur.record(self, partition)?;
            if msg.offset >= min_offset {
                out.push(msg);
            }
        }
        Ok(())
    }
}

/// A position in a record buffer; every read is bounds-checked.
struct Cursor<'a> {
    data: &'a Bytes,
    pos: usize,
}

impl Cursor<'_> {
    fn varlong(&mut self) -> Result<i64, String> {
        let mut value: u64 = 0;
        for shift in (0..70).step_by(7) {
            let byte = *self
                .data
                .get(self.pos)
                .ok_or("record ends inside a varint")?;
            self.pos += 1;
            value |= ((byte & 0x7f) as u64) << shift;
            if byte & 0x80 == 0 {
                return Ok(((value >> 1) as i64) ^ -((value & 1) as i64));
            }
        }
        Err("varint longer than 10 bytes".into())
    }

    fn varint(&mut self) -> Result<i32, String> {
        let v = self.varlong()?;
        i32::try_from(v).map_err(|_| format!("varint {v} out of range"))
    }

    fn take(&mut self, len: usize) -> Result<Bytes, String> {
        let end = self.pos.checked_add(len).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| format!("field of {len} bytes runs past the record"))?;
        let out = self.data.slice(self.pos..end);
        self.pos = end;
        Ok(out)
    }

    /// A length-prefixed byte field where -1 means absent.
    fn nullable_bytes(&mut self) -> Result<Option<Bytes>, String> {
        match self.varint()? {
            -1 => Ok(None),
            len if len < 0 => Err(format!("negative field length {len}")),
            len => self.take(len as usize).map(Some),
        }
    }

    /// Only the key of the next record (for control records).
    fn record_key(&mut self) -> Result<Option<Bytes>, String> {
        let _len = self.varint()?;
        self.take(1)?;
        self.varlong()?;
        self.varint()?;
        self.nullable_bytes()
    }

    fn record(&mut self, batch: &RawBatch, partition: i32) -> Result<Message, String> {
        let len = self.varint()?;
        if len < 0 {
            return Err(format!("negative record length {len}"));
        }
        let end = self
            .pos
            .checked_add(len as usize)
            .filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| format!("record of {len} bytes runs past the batch"))?;
        self.take(1)?; // attributes: unused in v2
        let ts_delta = self.varlong()?;
        let offset_delta = self.varint()?;
        let key = self.nullable_bytes()?;
        let value = self.nullable_bytes()?;
        let header_count = self.varint()?;
        if header_count < 0 {
            return Err(format!("negative header count {header_count}"));
        }
        // The key and value may have run past the record's end; a header takes at least 2 bytes.
        let room = end.checked_sub(self.pos);
        let room = room.ok_or_else(|| format!("record length {len} does not match its fields"))?;
        let mut headers = Vec::with_capacity((header_count as usize).min(room / 2));
        for _ in 0..header_count {
            let name = self.nullable_bytes()?.ok_or("header without a name")?;
            let value = self.nullable_bytes()?;
            headers.push(Header { name, value });
        }
        if self.pos != end {
            return Err(format!("record length {len} does not match its fields"));
        }
        let (timestamp, timestamp_type) = match batch.timestamp_type {
            TimestampType::LogAppendTime => (batch.max_timestamp, TimestampType::LogAppendTime),
            TimestampType::CreateTime => (
                batch.base_timestamp.wrapping_add(ts_delta),
                TimestampType::CreateTime,
            ),
        };
        Ok(Message {
            partition,
            offset: batch.info.base_offset.wrapping_add(offset_delta as i64),
            timestamp,
            timestamp_type,
            key,
            value,
            headers,
            batch: batch.info,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::records::{
        Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType as KTs,
    };

    fn encode(records: &[Record], compression: Compression) -> Bytes {
        let mut buf = bytes::BytesMut::new();
        let opts = RecordEncodeOptions {
            version: 2,
            compression,
        };
        RecordBatchEncoder::encode(&mut buf, records, &opts).expect("encode");
        buf.freeze()
    }

    fn record(offset: i64, key: Option<&str>, value: Option<&[u8]>) -> Record {
        let mut headers = kafka_protocol::indexmap::IndexMap::new();
        headers.insert("h".into(), Some(Bytes::from_static(b"v")));
        Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: 0,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: KTs::Creation,
            offset,
            sequence: -1,
            timestamp: 1_700_000_000_000 + offset,
            key: key.map(|k| Bytes::copy_from_slice(k.as_bytes())),
            value: value.map(Bytes::copy_from_slice),
            headers,
        }
    }

    #[test]
    fn decodes_every_codec_byte_exact() {
        let recs = vec![
            record(10, Some("a"), Some(b"\x00\xff binary")),
            record(11, None, Some(b"")),
            record(12, Some(""), None),
        ];
        for c in [
            Compression::None,
            Compression::Gzip,
            Compression::Snappy,
            Compression::Lz4,
            Compression::Zstd,
        ] {
            let data = encode(&recs, c);
            let (batches, truncated) = split_batches(&data);
            assert!(!truncated, "{c:?}");
            let mut out = Vec::new();
            for b in &batches {
                b.as_ref()
                    .unwrap()
                    .decode_into(3, 11, &mut out)
                    .expect("decode");
            }
            assert_eq!(out.len(), 2);
            assert_eq!(out[0].offset, 11);
            assert_eq!(out[0].key, None);
            assert_eq!(out[0].value.as_deref(), Some(&b""[..]));
            assert_eq!(out[0].timestamp, 1_700_000_000_011);
            assert_eq!(out[1].key.as_deref(), Some(&b""[..]));
            assert_eq!(out[1].value, None);
            assert_eq!(out[1].headers[0].name.as_ref(), b"h");
            assert_eq!(out[1].partition, 3);
        }
    }

    #[test]
    fn cut_off_last_batch_is_left_out() {
        let mut data = encode(&[record(0, Some("k"), Some(b"v"))], Compression::None).to_vec();
        let one = data.len();
        data.extend_from_slice(&encode(
            &[record(1, Some("k"), Some(b"w"))],
            Compression::None,
        ));
        let cut = Bytes::from(data[..one + 20].to_vec());
        let (batches, truncated) = split_batches(&cut);
        assert_eq!((batches.len(), truncated), (1, true));
        assert!(batches[0].is_ok());
    }

    #[test]
    fn flipped_byte_is_a_checksum_error_and_splitting_goes_on() {
        // Three records with equal offset - sequence: one batch, offsets 0 to 2.
        let recs: Vec<Record> = (0..3)
            .map(|i| Record {
                sequence: i as i32,
                ..record(i, Some("k"), Some(b"v"))
            })
            .collect();
        let mut data = encode(&recs, Compression::None).to_vec();
        let last = data.len() - 2;
        data[last] ^= 0xff;
        data.extend_from_slice(&encode(
            &[record(3, Some("k"), Some(b"w"))],
            Compression::None,
        ));
        let (batches, truncated) = split_batches(&Bytes::from(data));
        assert!(!truncated);
        assert_eq!(batches.len(), 2);
        assert_eq!(
            batches[0].as_ref().unwrap_err(),
            &BatchError::Corrupt {
                offset: 0,
                next: 3,
                control: false,
                reason: "checksum mismatch".into()
            }
        );
        assert_eq!(batches[1].as_ref().unwrap().info.base_offset, 3);
    }

    #[test]
    fn bad_length_stops_the_split() {
        let mut data = encode(&[record(0, Some("k"), Some(b"v"))], Compression::None).to_vec();
        data[8..12].copy_from_slice(&3i32.to_be_bytes());
        let (batches, truncated) = split_batches(&Bytes::from(data));
        assert!(!truncated);
        assert_eq!(batches.len(), 1);
        assert_eq!(
            batches[0].as_ref().unwrap_err(),
            &BatchError::Corrupt {
                offset: 0,
                next: 1,
                control: false,
                reason: "batch length 3 is too small".into()
            }
        );
    }

    #[test]
    fn huge_claimed_record_count_does_not_allocate_it() {
        let mut data = encode(&[record(0, Some("k"), Some(b"v"))], Compression::None).to_vec();
        data[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
        let crc = crc32c::crc32c(&data[21..]);
        data[17..21].copy_from_slice(&crc.to_be_bytes());
        let (batches, _) = split_batches(&Bytes::from(data));
        let mut out = Vec::new();
        let res = batches[0].as_ref().unwrap().decode_into(0, 0, &mut out);
        assert_eq!(res, Err("record ends inside a varint".to_string()));
        assert!(out.capacity() < 16);
    }
}
