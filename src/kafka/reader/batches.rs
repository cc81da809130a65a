//! What one fetch's batches give a reader: runs of records, separated by corrupt batches
//! that are reported and stepped over, with control batches and aborted transactions left
//! out.

use std::collections::HashSet;

use super::ReaderEventKind;
use crate::kafka::records::{BatchError, BatchItem, Message};

/// The events one fetch's batches make, in log order, and where reading goes on.
pub(super) struct Walked {
    /// `Messages` and `Corrupt` events in log order.
    pub events: Vec<ReaderEventKind>,
    /// The offset after the last batch seen.
    pub next: i64,
}

/// Walks `items` (one fetch's batches) from offset `next`: records below `next` or at/after
/// `end` are dropped; `aborted` lists (producer id, first offset) of aborted transactions,
/// sorted by first offset (empty under read_uncommitted).
pub(super) fn walk(
    items: &[BatchItem],
    partition: i32,
    next: i64,
    end: Option<i64>,
    aborted: &[(i64, i64)],
) -> Walked {
    let mut events = Vec::new();
    let mut active: HashSet<i64> = HashSet::new();
    let mut ai = 0;
    let mut messages: Vec<Message> = Vec::new();
    let mut after = next;
    let before_end = |offset: i64| end.is_none_or(|e| offset < e);
    for item in items {
        let batch = match item {
            Ok(b) => b,
            Err(BatchError::Corrupt {
                offset,
                next: to,
                control,
                reason,
            }) => {
                let from = (*offset).max(next);
                let to = (*to).max(from + 1);
                if before_end(from) && to > after {
                    flush(&mut events, &mut messages);
                    events.push(ReaderEventKind::Corrupt {
                        from: from.max(after),
                        to,
                        control: *control,
                        reason: reason.clone(),
                    });
                }
                after = after.max(to);
                continue;
            }
        };
        let info = batch.info;
        while ai < aborted.len() && aborted[ai].1 <= info.last_offset {
            active.insert(aborted[ai].0);
            ai += 1;
        }
        if batch.control {
            if active.contains(&info.producer_id) && batch.is_abort_marker() {
                active.remove(&info.producer_id);
            }
        } else if !(info.transactional && active.contains(&info.producer_id)) {
            let kept = messages.len();
            if let Err(reason) = batch.decode_into(partition, next, &mut messages) {
                // A batch with a good checksum whose records do not decode: none of it is kept.
                messages.truncate(kept);
                let from = info.base_offset.max(next);
                if before_end(from) {
                    flush(&mut events, &mut messages);
                    events.push(ReaderEventKind::Corrupt {
                        from,
                        to: info.last_offset + 1,
                        control: false,
                        reason,
                    });
                }
            }
        }
        after = after.max(info.last_offset + 1);
    }
    flush(&mut events, &mut messages);
    if let Some(end) = end {
        for ev in &mut events {
            if let ReaderEventKind::Messages(m) = ev {
                m.retain(|m| m.offset < end);
            }
        }
        events.retain(|ev| !matches!(ev, ReaderEventKind::Messages(m) if m.is_empty()));
    }
    Walked {
        events,
        next: after,
    }
}

fn flush(events: &mut Vec<ReaderEventKind>, messages: &mut Vec<Message>) {
    if !messages.is_empty() {
        events.push(ReaderEventKind::Messages(std::mem::take(messages)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::records::split_batches;
    use bytes::{Bytes, BytesMut};
    use kafka_protocol::records::{
        Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
    };

    /// One batch of `records` at `offsets`, encoded by kafka-protocol; a control batch holds
    /// a COMMIT marker.
    fn batch(offsets: std::ops::Range<i64>, control: bool) -> Vec<u8> {
        let records: Vec<Record> = offsets
            .map(|offset| Record {
                transactional: control,
                control,
                delete_horizon: false,
                partition_leader_epoch: 0,
                producer_id: if control { 7 } else { -1 },
                producer_epoch: 0,
                timestamp_type: TimestampType::Creation,
                offset,
                // offset - sequence is the same for every record: one batch.
                sequence: offset as i32,
                timestamp: 1_700_000_000_000 + offset,
                key: Some(if control {
                    Bytes::from_static(&[0, 0, 0, 1])
                } else {
                    Bytes::from(format!("k{offset}"))
                }),
                value: Some(Bytes::from(format!("v{offset}"))),
                headers: Default::default(),
            })
            .collect();
        let mut buf = BytesMut::new();
        let opts = RecordEncodeOptions {
            version: 2,
            compression: Compression::None,
        };
        RecordBatchEncoder::encode(&mut buf, &records, &opts).unwrap();
        buf.to_vec()
    }

    fn zero_crc(b: &mut [u8]) {
        b[17..21].copy_from_slice(&[0; 4]);
    }

    /// The events as words: `M0-2` (records 0 to 2), `X3-5c` (corrupt 3..5, control).
    fn words(w: &Walked) -> Vec<String> {
        w.events
            .iter()
            .map(|e| match e {
                ReaderEventKind::Messages(m) => {
                    format!("M{}-{}", m[0].offset, m[m.len() - 1].offset)
                }
                ReaderEventKind::Corrupt {
                    from, to, control, ..
                } => format!("X{from}-{to}{}", if *control { "c" } else { "" }),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_marker_with_checksum_0_is_stepped_over() {
        let mut data = batch(0..3, false);
        let mut marker = batch(3..4, true);
        zero_crc(&mut marker);
        data.extend(marker);
        data.extend(batch(4..6, false));
        let (items, _) = split_batches(&Bytes::from(data));
        let w = walk(&items, 0, 0, None, &[]);
        assert_eq!(words(&w), vec!["M0-2", "X3-4c", "M4-5"]);
        assert_eq!(w.next, 6);
    }

    #[test]
    fn a_corrupt_data_batch_is_reported_between_the_records_around_it() {
        let mut data = batch(0..2, false);
        let mut bad = batch(2..5, false);
        let last = bad.len() - 1;
        bad[last] ^= 1;
        data.extend(bad);
        data.extend(batch(5..7, false));
        let (items, _) = split_batches(&Bytes::from(data));
        // Starting inside the corrupt batch: only the offsets from the start are lost.
        let w = walk(&items, 0, 3, None, &[]);
        assert_eq!(words(&w), vec!["X3-5", "M5-6"]);
        // Records at or after the end are dropped, and so is a corrupt batch past it.
        let w = walk(&items, 0, 0, Some(2), &[]);
        assert_eq!(words(&w), vec!["M0-1"]);
        assert_eq!(w.next, 7);
    }

    #[test]
    fn records_that_do_not_decode_are_all_left_out() {
        let mut bad = batch(0..3, false);
        // Claim one record more than the batch holds, then re-seal it.
        bad[57..61].copy_from_slice(&4i32.to_be_bytes());
        let crc = crc32c::crc32c(&bad[21..]);
        bad[17..21].copy_from_slice(&crc.to_be_bytes());
        bad.extend(batch(3..4, false));
        let (items, _) = split_batches(&Bytes::from(bad));
        let w = walk(&items, 0, 0, None, &[]);
        assert_eq!(words(&w), vec!["X0-3", "M3-3"]);
    }
}
