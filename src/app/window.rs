//! `MessageWindow`: the bounded run of records the message pane holds.
//!
//! Records are kept in offset order. The window never holds more than `capacity` records or
//! about `max_bytes` bytes; adding at one end evicts from the other and reports how many
//! records fell out, so the pane can keep its selection on the same record.

use std::collections::VecDeque;

use crate::kafka::Message;

/// Default byte budget: enough for 10,000 records of 50 KiB.
pub const DEFAULT_MAX_BYTES: usize = 512 << 20;

/// A bounded, offset-ordered run of one partition's records.
#[derive(Debug, Clone)]
pub struct MessageWindow {
    records: VecDeque<Message>,
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
}

impl MessageWindow {
    /// An empty window for at most `capacity` records (at least 1) and about `max_bytes` bytes.
    pub fn new(capacity: usize, max_bytes: usize) -> MessageWindow {
        MessageWindow {
            records: VecDeque::new(),
            capacity: capacity.max(1),
            max_bytes,
            bytes: 0,
        }
    }

    /// Most records the window holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records held now.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no record is held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Bytes of keys, values and headers held now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// True when the record or byte budget is used up.
    pub fn is_full(&self) -> bool {
        self.records.len() >= self.capacity || self.bytes >= self.max_bytes
    }

    /// The record at `index`.
    pub fn get(&self, index: usize) -> Option<&Message> {
        self.records.get(index)
    }

    /// Records `start..end` (clamped), for drawing the visible rows.
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &Message> {
        let end = end.min(self.records.len());
        self.records.range(start.min(end)..end)
    }

    /// Offset of the first record.
    pub fn first_offset(&self) -> Option<i64> {
        self.records.front().map(|m| m.offset)
    }

    /// Offset of the last record.
    pub fn last_offset(&self) -> Option<i64> {
        self.records.back().map(|m| m.offset)
    }

    /// Index of the first record at or after `offset`.
    pub fn index_at_or_after(&self, offset: i64) -> usize {
        self.records.partition_point(|m| m.offset < offset)
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.records.clear();
        self.bytes = 0;
    }

    /// Appends records newer than the last one; returns how many were evicted at the front.
    pub fn push_back(&mut self, messages: impl IntoIterator<Item = Message>) -> usize {
        let mut evicted = 0;
        for m in messages {
            if self.last_offset().is_some_and(|last| m.offset <= last) {
                continue;
            }
            self.bytes += m.size();
            self.records.push_back(m);
            while self.over_budget() {
                if let Some(old) = self.records.pop_front() {
                    self.bytes -= old.size();
                    evicted += 1;
                }
            }
        }
        evicted
    }

    /// Puts records older than the first one in front (they must be in offset order);
    /// returns (how many were added, how many were evicted at the back).
    pub fn prepend(&mut self, messages: Vec<Message>) -> (usize, usize) {
        let first = self.first_offset().unwrap_or(i64::MAX);
        let older: Vec<Message> = messages.into_iter().filter(|m| m.offset < first).collect();
        let added = older.len();
        for m in older.into_iter().rev() {
            self.bytes += m.size();
            self.records.push_front(m);
        }
        let mut evicted = 0;
        while self.over_budget() {
            if let Some(old) = self.records.pop_back() {
                self.bytes -= old.size();
                evicted += 1;
            }
        }
        (added, evicted)
    }

    fn over_budget(&self) -> bool {
        self.records.len() > 1
            && (self.records.len() > self.capacity || self.bytes > self.max_bytes)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kafka::{BatchInfo, Codec, TimestampType};
    use bytes::Bytes;

    /// A record for tests: key `k<offset>`, value `v<offset>`.
    pub fn msg(offset: i64) -> Message {
        Message {
            partition: 0,
            offset,
            timestamp: 1_700_000_000_000 + offset,
            timestamp_type: TimestampType::CreateTime,
            key: Some(Bytes::from(format!("k{offset}"))),
            value: Some(Bytes::from(format!("v{offset}"))),
            headers: Vec::new(),
            batch: BatchInfo {
                base_offset: offset,
                last_offset: offset,
                codec: Codec::None,
                transactional: false,
                producer_id: -1,
                producer_epoch: -1,
                leader_epoch: 0,
            },
        }
    }

    #[test]
    fn push_back_evicts_the_oldest() {
        let mut w = MessageWindow::new(3, DEFAULT_MAX_BYTES);
        assert_eq!(w.push_back((0..5).map(msg)), 2);
        assert_eq!((w.first_offset(), w.last_offset()), (Some(2), Some(4)));
        // Duplicates and older records are ignored.
        assert_eq!(w.push_back([msg(3), msg(5)]), 1);
        assert_eq!((w.first_offset(), w.last_offset()), (Some(3), Some(5)));
    }

    #[test]
    fn prepend_keeps_order_and_evicts_the_newest() {
        let mut w = MessageWindow::new(4, DEFAULT_MAX_BYTES);
        w.push_back((10..13).map(msg));
        assert_eq!(w.prepend((7..11).map(msg).collect()), (3, 2));
        let offsets: Vec<i64> = w.range(0, 10).map(|m| m.offset).collect();
        assert_eq!(offsets, vec![7, 8, 9, 10]);
        assert_eq!(w.index_at_or_after(9), 2);
    }

    #[test]
    fn byte_budget_bounds_the_window() {
        let mut w = MessageWindow::new(100, 8);
        w.push_back((0..10).map(msg)); // 4 bytes each
        assert_eq!(w.len(), 2);
        assert!(w.is_full());
        assert_eq!(w.bytes(), 8);
    }
}
