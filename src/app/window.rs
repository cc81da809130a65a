//! `MessageWindow`: the bounded run of rows the message pane holds: records, and marker rows
//! for the offsets between them that hold no record (a gap).
//!
//! Rows are kept in offset order. The window never holds more than `capacity` rows or about
//! `max_bytes` bytes; adding at one end evicts from the other and reports how many rows fell
//! out, so the pane can keep its selection on the same row.

use std::collections::VecDeque;

use crate::kafka::Message;

/// Default byte budget: enough for 10,000 records of 50 KiB.
pub const DEFAULT_MAX_BYTES: usize = 512 << 20;

/// Why offsets hold no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapKind {
    /// Deleted (retention, delete-records) before they were read.
    Deleted,
    /// Missing between two records (log compaction, or an aborted transaction).
    Missing,
    /// Left out because their batch was corrupt.
    Corrupt {
        /// What was wrong with the batch.
        reason: String,
    },
}

/// Offsets `from..to` that hold no record the pane can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The first offset of the gap.
    pub from: i64,
    /// The offset after the gap.
    pub to: i64,
    /// Why there is no record.
    pub kind: GapKind,
}

/// One row of the message table.
#[derive(Debug, Clone)]
pub enum Row {
    /// A record.
    Record(Message),
    /// A marker for offsets without records.
    Gap(Gap),
}

impl Row {
    /// The first offset the row stands for.
    pub fn first(&self) -> i64 {
        match self {
            Row::Record(m) => m.offset,
            Row::Gap(g) => g.from,
        }
    }

    /// The last offset the row stands for.
    pub fn last(&self) -> i64 {
        match self {
            Row::Record(m) => m.offset,
            Row::Gap(g) => g.to - 1,
        }
    }

    /// The record, when the row is one.
    pub fn record(&self) -> Option<&Message> {
        match self {
            Row::Record(m) => Some(m),
            Row::Gap(_) => None,
        }
    }

    fn size(&self) -> usize {
        self.record().map_or(0, Message::size)
    }
}

/// The compaction gap between two neighbouring records, if any. Offsets a transaction took
/// (its markers, aborted records) are not compaction: no marker when either side was
/// written in a transaction.
fn missing_between(prev: &Row, next: &Message) -> Option<Gap> {
    let Row::Record(prev) = prev else {
        return None;
    };
    let transactional = prev.batch.transactional || next.batch.transactional;
    (next.offset > prev.offset + 1 && !transactional).then(|| Gap {
        from: prev.offset + 1,
        to: next.offset,
        kind: GapKind::Missing,
    })
}

/// A bounded, offset-ordered run of one partition's rows.
#[derive(Debug, Clone)]
pub struct MessageWindow {
    rows: VecDeque<Row>,
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    /// False in a filter view: offsets between matches are not missing, only not shown.
    mark_missing: bool,
}

impl MessageWindow {
    /// An empty window for at most `capacity` rows (at least 1) and about `max_bytes` bytes.
    pub fn new(capacity: usize, max_bytes: usize) -> MessageWindow {
        MessageWindow {
            rows: VecDeque::new(),
            capacity: capacity.max(1),
            max_bytes,
            bytes: 0,
            mark_missing: true,
        }
    }

    /// Whether offsets between two records get a "missing" marker (not in a filter view).
    pub fn set_mark_missing(&mut self, mark: bool) {
        self.mark_missing = mark;
    }

    /// Most rows the window holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Rows held now (records and gap markers).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no row is held.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Bytes of keys, values and headers held now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// True when the row or byte budget is used up.
    pub fn is_full(&self) -> bool {
        self.rows.len() >= self.capacity || self.bytes >= self.max_bytes
    }

    /// The record at row `index`; None for a gap marker.
    pub fn get(&self, index: usize) -> Option<&Message> {
        self.rows.get(index).and_then(Row::record)
    }

    /// The row at `index`.
    pub fn row(&self, index: usize) -> Option<&Row> {
        self.rows.get(index)
    }

    /// Rows `start..end` (clamped), for drawing the visible rows.
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &Row> {
        let end = end.min(self.rows.len());
        self.rows.range(start.min(end)..end)
    }

    /// The first offset the window stands for (a record's, or a gap's start).
    pub fn first_offset(&self) -> Option<i64> {
        self.rows.front().map(Row::first)
    }

    /// The last offset the window stands for (a record's, or a gap's end).
    pub fn last_offset(&self) -> Option<i64> {
        self.rows.back().map(Row::last)
    }

    /// Index of the first row that reaches `offset` or later.
    pub fn index_at_or_after(&self, offset: i64) -> usize {
        self.rows.partition_point(|r| r.last() < offset)
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.bytes = 0;
    }

    /// Appends records newer than the last row, with a marker before each one that leaves
    /// offsets missing; returns how many rows were evicted at the front.
    pub fn push_back(&mut self, messages: impl IntoIterator<Item = Message>) -> usize {
        let mut evicted = 0;
        for m in messages {
            if self.last_offset().is_some_and(|last| m.offset <= last) {
                continue;
            }
            if let Some(gap) = self
                .rows
                .back()
                .filter(|_| self.mark_missing)
                .and_then(|r| missing_between(r, &m))
            {
                evicted += self.push_row(Row::Gap(gap));
            }
            evicted += self.push_row(Row::Record(m));
        }
        evicted
    }

    /// Appends a gap marker after the last row (ignored when it does not reach past it);
    /// returns how many rows were evicted at the front.
    pub fn push_gap(&mut self, gap: Gap) -> usize {
        if self.last_offset().is_some_and(|last| gap.to - 1 <= last) {
            return 0;
        }
        self.push_row(Row::Gap(gap))
    }

    fn push_row(&mut self, row: Row) -> usize {
        self.bytes += row.size();
        self.rows.push_back(row);
        let mut evicted = 0;
        while self.over_budget() {
            if let Some(old) = self.rows.pop_front() {
                self.bytes -= old.size();
                evicted += 1;
            }
        }
        evicted
    }

    /// Puts rows older than the first one in front (they must be in offset order), with
    /// markers where records leave offsets missing; returns (how many rows were added, how
    /// many were evicted at the back).
    pub fn prepend(&mut self, rows: Vec<Row>) -> (usize, usize) {
        let first = self.first_offset().unwrap_or(i64::MAX);
        let mark = self.mark_missing;
        let gap_between = |prev: &Row, m: &Message| {
            if mark { missing_between(prev, m) } else { None }
        };
        let mut older: Vec<Row> = Vec::with_capacity(rows.len());
        for row in rows.into_iter().filter(|r| r.last() < first) {
            if let (Some(prev), Row::Record(m)) = (older.last(), &row)
                && let Some(gap) = gap_between(prev, m)
            {
                older.push(Row::Gap(gap));
            }
            older.push(row);
        }
        if let (Some(prev), Some(Row::Record(m))) = (older.last(), self.rows.front())
            && let Some(gap) = gap_between(prev, m)
        {
            older.push(Row::Gap(gap));
        }
        let added = older.len();
        for row in older.into_iter().rev() {
            self.bytes += row.size();
            self.rows.push_front(row);
        }
        let mut evicted = 0;
        while self.over_budget() {
            if let Some(old) = self.rows.pop_back() {
                self.bytes -= old.size();
                evicted += 1;
            }
        }
        (added, evicted)
    }

    fn over_budget(&self) -> bool {
        self.rows.len() > 1 && (self.rows.len() > self.capacity || self.bytes > self.max_bytes)
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
        assert_eq!(
            w.prepend((7..11).map(msg).map(Row::Record).collect()),
            (3, 2)
        );
        let offsets: Vec<i64> = w.range(0, 10).map(Row::first).collect();
        assert_eq!(offsets, vec![7, 8, 9, 10]);
        assert_eq!(w.index_at_or_after(9), 2);
    }

    #[test]
    fn missing_offsets_get_a_marker_row_except_around_transactions() {
        let mut w = MessageWindow::new(10, DEFAULT_MAX_BYTES);
        w.push_back([msg(0), msg(1), msg(4)]);
        let mut txn = msg(6);
        txn.batch.transactional = true;
        w.push_back([txn, msg(8)]);
        let rows: Vec<(i64, i64, bool)> = w
            .range(0, 10)
            .map(|r| (r.first(), r.last(), r.record().is_some()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (0, 0, true),
                (1, 1, true),
                (2, 3, false),
                (4, 4, true),
                (6, 6, true),
                (8, 8, true)
            ]
        );
        assert_eq!(w.get(2), None);
        assert_eq!(w.index_at_or_after(3), 2);
        // A deleted range, then records after it: no second marker for the same offsets.
        w.push_gap(Gap {
            from: 9,
            to: 20,
            kind: GapKind::Deleted,
        });
        w.push_back([msg(20)]);
        assert_eq!(w.len(), 8);
        assert_eq!(w.last_offset(), Some(20));
        // Backward pages get markers too, also where they meet the window.
        let mut w = MessageWindow::new(10, DEFAULT_MAX_BYTES);
        w.push_back([msg(10)]);
        w.prepend(vec![Row::Record(msg(5)), Row::Record(msg(7))]);
        let rows: Vec<(i64, i64)> = w.range(0, 10).map(|r| (r.first(), r.last())).collect();
        assert_eq!(rows, vec![(5, 5), (6, 6), (7, 7), (8, 9), (10, 10)]);
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
