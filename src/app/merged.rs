//! `MergedPane`: all of a topic's partitions in one time-ordered table (issue 13 §1), in a
//! bounded window that pages both ways.
//!
//! The window covers, per partition, one contiguous run of offsets `lo..hi`. Paging forward
//! reads a chunk from each partition's `hi`, paging backward a chunk before each `lo`; the
//! chunks go through the same k-way merge as `consume --merge time` ([`TimeMerge`], exact:
//! a record goes out only while every partition that may still hold an earlier one has one
//! queued), forward or in reverse, and only the first `page` merged records are kept. So a
//! record can neither appear twice nor be skipped at an edge, whatever the timestamps are;
//! with timestamps that rise within each partition the order is exactly (timestamp,
//! partition, offset), across every edge, in both directions.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use crate::kafka::merge::TimeMerge;
use crate::kafka::{Error, Message, ReaderEvent, ReaderEventKind, StartAt, Watermarks};
use crate::render::{Outside, Safe};

use super::Effect;
use super::cursor::Cursor;
use super::decoding::RecordDecoding;
use super::search::{PaneFilter, PaneSearch, Query};

/// Records a merged page holds at most (a page is also what each partition reads for it).
pub const MAX_PAGE: usize = 1000;

/// Which way a load reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Later records, from each partition's `hi`.
    Forward,
    /// Earlier records, before each partition's `lo`.
    Backward,
}

/// What to read from one partition for a merged page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRequest {
    /// The partition.
    pub partition: i32,
    /// Where its reader starts.
    pub start: StartAt,
    /// Backward: the offset the chunk ends before (None: the end of the log at start).
    pub below: Option<i64>,
}

/// A merged page to load: one chunk per partition, read in parallel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedRequest {
    /// The pane's generation: answers to older requests are dropped.
    pub generation: u64,
    /// The topic.
    pub topic: String,
    /// Which way.
    pub direction: Direction,
    /// Records per chunk at most (forward: the first ones; backward: the last ones).
    pub count: usize,
    /// The chunks.
    pub parts: Vec<ChunkRequest>,
    /// The filter view's query: chunks hold only the records that match it.
    pub filter: Option<Query>,
}

/// What was read from one partition.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// The partition.
    pub partition: i32,
    /// The offset the reader started at.
    pub start: i64,
    /// The offset after the range the chunk stands for.
    pub end: i64,
    /// The watermarks as the reader found them.
    pub watermarks: Watermarks,
    /// The records, in offset order.
    pub records: Vec<Message>,
    /// Nothing more that way: forward, the end of the log; backward, its beginning.
    pub exhausted: bool,
}

/// A load's answer.
#[derive(Debug)]
pub struct MergedLoaded {
    /// The request's generation.
    pub generation: u64,
    /// The request's direction.
    pub direction: Direction,
    /// The chunks, or why they could not be read.
    pub result: Result<Vec<Chunk>, Error>,
    /// What the schema decoders made of the chunks' records, by (partition, offset).
    pub decoded: Vec<((i32, i64), Arc<RecordDecoding>)>,
}

/// Turns one reader's events into a [`Chunk`]; the runtime feeds it until it is done.
#[derive(Debug)]
pub struct ChunkCollector {
    direction: Direction,
    count: usize,
    below: Option<i64>,
    chunk: Chunk,
    /// Backward: records before the kept ones were dropped.
    dropped: bool,
    done: bool,
}

impl ChunkCollector {
    /// A collector for `req`, keeping `count` records at most.
    pub fn new(direction: Direction, req: &ChunkRequest, count: usize) -> ChunkCollector {
        ChunkCollector {
            direction,
            count: count.max(1),
            below: req.below,
            chunk: Chunk {
                partition: req.partition,
                start: 0,
                end: 0,
                watermarks: Watermarks { low: 0, high: 0 },
                records: Vec::new(),
                exhausted: false,
            },
            dropped: false,
            done: false,
        }
    }

    /// True once the chunk is complete.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Takes one reader event; a failure ends the load.
    pub fn push(&mut self, kind: ReaderEventKind) -> Result<(), Error> {
        if self.done {
            return Ok(());
        }
        match kind {
            ReaderEventKind::Started { offset, watermarks } => {
                self.chunk.start = offset;
                self.chunk.end = offset;
                self.chunk.watermarks = watermarks;
                match self.direction {
                    Direction::Forward => {
                        if offset >= watermarks.high {
                            self.chunk.exhausted = true;
                            self.done = true;
                        }
                    }
                    Direction::Backward => {
                        let below = *self.below.get_or_insert(watermarks.high);
                        self.chunk.end = below;
                        self.chunk.exhausted = offset <= watermarks.low;
                        if offset >= below {
                            self.done = true;
                        }
                    }
                }
            }
            ReaderEventKind::Messages(msgs) => self.take(msgs),
            ReaderEventKind::CaughtUp { next, .. } | ReaderEventKind::Finished { next } => {
                if self.direction == Direction::Forward {
                    self.chunk.end = self.chunk.end.max(next);
                    self.chunk.exhausted = true;
                }
                self.done = true;
            }
            ReaderEventKind::Failed(e) => return Err(e),
            ReaderEventKind::Skipped { .. }
            | ReaderEventKind::Corrupt { .. }
            | ReaderEventKind::Reconnecting { .. } => {}
        }
        Ok(())
    }

    fn take(&mut self, msgs: Vec<Message>) {
        match self.direction {
            Direction::Forward => {
                for m in msgs {
                    if self.chunk.records.len() >= self.count {
                        break;
                    }
                    self.chunk.end = m.offset + 1;
                    self.chunk.records.push(m);
                }
                if self.chunk.records.len() >= self.count {
                    self.done = true;
                }
            }
            Direction::Backward => {
                let below = self.below.unwrap_or(i64::MAX);
                for m in msgs {
                    if m.offset >= below {
                        self.done = true;
                        break;
                    }
                    let reached = m.offset + 1 >= below;
                    self.chunk.records.push(m);
                    if reached {
                        self.done = true;
                        break;
                    }
                }
                // Keep the last `count`: the earliest ones are read again by the next page.
                let extra = self.chunk.records.len().saturating_sub(self.count);
                if extra > 0 {
                    self.chunk.records.drain(..extra);
                    self.dropped = true;
                }
            }
        }
    }

    /// The chunk read.
    pub fn finish(mut self) -> Chunk {
        if self.dropped {
            // The chunk stands for the records it kept, no earlier ones.
            self.chunk.exhausted = false;
            if let Some(first) = self.chunk.records.first() {
                self.chunk.start = first.offset;
            }
        }
        self.chunk
    }
}

/// The first `count` records of the chunks merged (forward: earliest first; backward: latest
/// first), by the same k-way merge as `consume --merge time`.
pub fn merge_page(direction: Direction, chunks: Vec<Chunk>, count: usize) -> Vec<Message> {
    let now = Instant::now();
    let ids: Vec<i32> = chunks.iter().map(|c| c.partition).collect();
    let mut merge = match direction {
        Direction::Forward => TimeMerge::new(&ids, None, now),
        Direction::Backward => TimeMerge::backward(&ids, now),
    };
    for c in chunks {
        let mut records = c.records;
        if direction == Direction::Backward {
            records.reverse();
        }
        let ev = |kind| ReaderEvent {
            generation: 0,
            partition: c.partition,
            kind,
        };
        merge.push(ev(ReaderEventKind::Messages(records)), now);
        if c.exhausted {
            merge.push(ev(ReaderEventKind::Finished { next: c.end }), now);
        }
    }
    let mut out = Vec::new();
    merge.pop_ready(now, &mut out);
    out.into_iter()
        .filter_map(|ev| match ev.kind {
            ReaderEventKind::Messages(m) => Some(m),
            _ => None,
        })
        .flatten()
        .take(count)
        .collect()
}

/// Where a merged jump lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergedStart {
    /// Every partition's first record.
    Beginning,
    /// Every partition's last records.
    End,
    /// The first record at or after this time (ms since the epoch), in every partition.
    Time(i64),
    /// Each partition from this offset (a search's match: it is the first record there).
    At(Vec<(i32, i64)>),
}

/// What the merged pane is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergedStatus {
    /// Nothing is loading.
    Idle,
    /// A page is on its way.
    Loading,
    /// Waiting at the end for new records.
    Following,
    /// The last load failed.
    Failed(Error),
}

/// One partition's run of offsets in the window: `lo..hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    lo: i64,
    hi: i64,
}

/// The merged view's state.
#[derive(Debug, Clone)]
pub struct MergedPane {
    /// The topic.
    pub topic: Outside,
    /// The partitions merged.
    pub partitions: Vec<i32>,
    /// The records held, in merged order.
    pub rows: VecDeque<Message>,
    /// Selection and scroll.
    pub cursor: Cursor,
    /// What the pane is doing.
    pub status: MergedStatus,
    /// True while the pane stays at the end as records arrive.
    pub follow: bool,
    /// Load generation: answers of others are stale.
    pub generation: u64,
    /// The partitions' watermarks as last seen.
    pub watermarks: BTreeMap<i32, Watermarks>,
    /// An error to show in a popup, taken by the app.
    pub notice: Option<Safe>,
    /// Said in the status line until the next jump.
    pub warning: Option<Safe>,
    /// What `n` and `N` look for, and the scan under way.
    pub search: Option<PaneSearch>,
    /// The filter view (`&`): only matching records are loaded.
    pub filter: Option<PaneFilter>,
    /// What the schema decoders made of the records held, by (partition, offset).
    decoded: HashMap<(i32, i64), Arc<RecordDecoding>>,
    /// The record to select once the jump's page lands (a search's match).
    want: Option<(i32, i64)>,
    /// The page before a search's match is on its way: the match goes mid-screen then.
    center: bool,
    capacity: usize,
    spans: BTreeMap<i32, Span>,
    loading: Option<Direction>,
    /// The part of the last move the window's edge stopped, made when the page lands.
    blocked: isize,
    stick_bottom: bool,
    /// A jump to a time found nothing at or after it: the last records are shown instead.
    after_time: Option<i64>,
}

impl MergedPane {
    /// An empty pane over `partitions`; `generation` must be above any used before.
    pub fn new(topic: String, partitions: Vec<i32>, capacity: usize, generation: u64) -> Self {
        MergedPane {
            topic: Outside::new(topic),
            partitions,
            rows: VecDeque::new(),
            cursor: Cursor::default(),
            status: MergedStatus::Idle,
            follow: false,
            generation,
            watermarks: BTreeMap::new(),
            notice: None,
            warning: None,
            search: None,
            filter: None,
            decoded: HashMap::new(),
            want: None,
            center: false,
            capacity: capacity.max(2),
            spans: BTreeMap::new(),
            loading: None,
            blocked: 0,
            stick_bottom: false,
            after_time: None,
        }
    }

    /// Records merged per page.
    pub fn page(&self) -> usize {
        (self.capacity / 2).clamp(1, MAX_PAGE)
    }

    /// Most records held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The selected record.
    pub fn selected(&self) -> Option<&Message> {
        self.rows.get(self.cursor.selected)
    }

    /// True while a page is on its way.
    pub fn loading(&self) -> bool {
        self.loading.is_some()
    }

    /// True while a jump's first page is on its way.
    pub fn awaiting_jump(&self) -> bool {
        self.loading.is_some() && self.rows.is_empty()
    }

    fn request(&mut self, direction: Direction, parts: Vec<ChunkRequest>) -> Effect {
        self.generation += 1;
        self.loading = Some(direction);
        if self.status != MergedStatus::Following {
            self.status = MergedStatus::Loading;
        }
        Effect::LoadMerged(MergedRequest {
            generation: self.generation,
            topic: self.topic.raw().to_string(),
            direction,
            count: self.page(),
            parts,
            filter: self.filter.as_ref().map(|f| f.query.clone()),
        })
    }

    /// The decoding of a record held, when it was decoded (or failed to be).
    pub fn decoding(&self, m: &Message) -> Option<&Arc<RecordDecoding>> {
        self.decoded.get(&(m.partition, m.offset))
    }

    /// A partition's run of offsets in the window (`lo`, `hi`).
    pub(super) fn span_of(&self, partition: i32) -> Option<(i64, i64)> {
        self.spans.get(&partition).map(|s| (s.lo, s.hi))
    }

    /// Selects `(partition, offset)` once the next jump's page holds it.
    pub fn want(&mut self, at: Option<(i32, i64)>) {
        self.want = at;
    }

    /// A jump: empties the window and loads the page at `start`.
    pub fn jump(&mut self, start: MergedStart) -> Effect {
        self.rows.clear();
        self.spans.clear();
        self.decoded.clear();
        self.want = None;
        self.center = false;
        self.cursor = Cursor::default();
        self.blocked = 0;
        self.warning = None;
        self.after_time = None;
        self.stick_bottom = start == MergedStart::End;
        if start != MergedStart::End {
            self.follow = false;
        }
        if !self.follow {
            self.status = MergedStatus::Idle;
        }
        let (direction, at) = match start {
            MergedStart::Beginning => (Direction::Forward, StartAt::Beginning),
            MergedStart::Time(t) => {
                self.after_time = Some(t);
                (Direction::Forward, StartAt::Timestamp(t))
            }
            MergedStart::End => (Direction::Backward, StartAt::FromEnd(self.page() as i64)),
            MergedStart::At(ref at) => {
                let parts = self
                    .partitions
                    .iter()
                    .map(|&partition| ChunkRequest {
                        partition,
                        start: at
                            .iter()
                            .find(|(p, _)| *p == partition)
                            .map_or(StartAt::Beginning, |&(_, o)| StartAt::Resume(o)),
                        below: None,
                    })
                    .collect();
                return self.request(Direction::Forward, parts);
            }
        };
        let parts = self
            .partitions
            .iter()
            .map(|&partition| ChunkRequest {
                partition,
                start: at,
                below: None,
            })
            .collect();
        self.request(direction, parts)
    }

    /// `f`: follow the end (from the last records), or stop.
    pub fn toggle_follow(&mut self) -> Effect {
        if self.follow {
            self.follow = false;
            self.stick_bottom = false;
            self.status = MergedStatus::Idle;
            return Effect::Redraw;
        }
        self.follow = true;
        self.status = MergedStatus::Following;
        self.jump(MergedStart::End)
    }

    /// Time passed: while following and idle, look for new records.
    pub fn tick(&mut self) -> Option<Effect> {
        if self.follow && self.loading.is_none() && !self.spans.is_empty() {
            return Some(self.forward());
        }
        None
    }

    fn more_after(&self) -> bool {
        self.spans
            .iter()
            .any(|(p, s)| self.watermarks.get(p).is_none_or(|w| s.hi < w.high))
    }

    fn more_before(&self) -> bool {
        self.spans
            .iter()
            .any(|(p, s)| self.watermarks.get(p).is_none_or(|w| s.lo > w.low))
    }

    fn forward(&mut self) -> Effect {
        let parts = self
            .spans
            .iter()
            .map(|(&partition, s)| ChunkRequest {
                partition,
                start: StartAt::Resume(s.hi),
                below: None,
            })
            .collect();
        self.request(Direction::Forward, parts)
    }

    fn backward(&mut self) -> Effect {
        let page = self.page() as i64;
        let parts = self
            .spans
            .iter()
            .filter(|(p, s)| self.watermarks.get(p).is_none_or(|w| s.lo > w.low))
            .map(|(&partition, s)| ChunkRequest {
                partition,
                start: StartAt::Resume((s.lo - page).max(0)),
                below: Some(s.lo),
            })
            .collect();
        self.request(Direction::Backward, parts)
    }

    /// Moves the selection; may load the neighbouring page.
    pub fn move_by(&mut self, delta: isize, rows: usize) -> Option<Effect> {
        let before = self.cursor.selected as isize;
        self.cursor.move_by(delta, self.rows.len(), rows);
        let rest = delta - (self.cursor.selected as isize - before);
        self.blocked = if self.loading.is_some() && rest.signum() == self.blocked.signum() {
            self.blocked + rest
        } else {
            rest
        };
        self.stick_bottom = self.follow && self.cursor.selected + 1 >= self.rows.len();
        self.maybe_page(rows)
    }

    /// Selects a row by index (a click).
    pub fn select(&mut self, index: usize, rows: usize) -> Option<Effect> {
        if index >= self.rows.len() {
            return None;
        }
        self.cursor.select(index, self.rows.len(), rows);
        self.blocked = 0;
        self.maybe_page(rows)
    }

    /// Loads the page after or before the window when the selection comes near that end.
    fn maybe_page(&mut self, rows: usize) -> Option<Effect> {
        if self.loading.is_some() || self.spans.is_empty() {
            return None;
        }
        let len = self.rows.len();
        if self.cursor.selected + rows >= len && self.more_after() && !self.follow {
            return Some(self.forward());
        }
        if self.cursor.selected < rows && self.more_before() {
            return Some(self.backward());
        }
        None
    }

    /// Takes a load's answer; stale ones are ignored.
    pub fn loaded(&mut self, answer: MergedLoaded, rows: usize) -> Option<Effect> {
        if answer.generation != self.generation {
            return None;
        }
        self.loading = None;
        let chunks = match answer.result {
            Ok(c) => c,
            Err(e) => {
                self.notice = Some(Safe::display(&e));
                self.status = MergedStatus::Failed(e);
                self.follow = false;
                return None;
            }
        };
        self.status = if self.follow {
            MergedStatus::Following
        } else {
            MergedStatus::Idle
        };
        let jump = self.spans.is_empty();
        for c in &chunks {
            let w = self.watermarks.entry(c.partition).or_insert(c.watermarks);
            w.low = c.watermarks.low;
            w.high = w.high.max(c.watermarks.high);
            if jump {
                let at = match answer.direction {
                    Direction::Forward => c.start,
                    Direction::Backward => c.end,
                };
                self.spans.insert(c.partition, Span { lo: at, hi: at });
            }
        }
        self.decoded.extend(answer.decoded);
        self.take_page(answer.direction, chunks, rows);
        if let Some(fx) = self.land_wanted(rows) {
            return fx;
        }
        if jump && self.rows.is_empty() && self.after_time.is_some() && self.more_before() {
            // Nothing at or after the time: show the last records before it.
            if let Some(t) = self.after_time.take() {
                let when = crate::render::format_time(crate::render::TimeZone::Utc, t);
                self.warning = Some(Safe::new(&format!(
                    "no record at or after {when}: the last records are shown"
                )));
            }
            self.stick_bottom = true;
            return Some(self.backward());
        }
        self.after_time = None;
        None
    }

    /// Merges the chunks into the window; a chunk whose records all went into the page
    /// covers its whole range (a filter's chunk skips non-matching records: the next page
    /// goes on after them).
    fn take_page(&mut self, direction: Direction, chunks: Vec<Chunk>, rows: usize) {
        let ranges: Vec<(i32, i64, i64, usize)> = chunks
            .iter()
            .map(|c| (c.partition, c.start, c.end, c.records.len()))
            .collect();
        let page = merge_page(direction, chunks, self.page());
        let taken = |p: i32| page.iter().filter(|m| m.partition == p).count();
        let covered: Vec<(i32, i64, i64)> = ranges
            .iter()
            .filter(|r| taken(r.0) == r.3)
            .map(|r| (r.0, r.1, r.2))
            .collect();
        match direction {
            Direction::Forward => self.append(page, rows),
            Direction::Backward => self.prepend(page, rows),
        }
        for (p, start, end) in covered {
            if let Some(s) = self.spans.get_mut(&p) {
                match direction {
                    Direction::Forward if s.hi >= start => s.hi = s.hi.max(end),
                    Direction::Backward if s.lo <= end => s.lo = s.lo.min(start),
                    _ => {}
                }
            }
        }
        let held: std::collections::HashSet<(i32, i64)> =
            self.rows.iter().map(|m| (m.partition, m.offset)).collect();
        self.decoded.retain(|k, _| held.contains(k));
    }

    /// Selects the record a search found once its page landed, and reads the records
    /// before it, so that it is seen in its context. None: nothing was wanted or it is not
    /// here.
    fn land_wanted(&mut self, rows: usize) -> Option<Option<Effect>> {
        let at = self.want.take()?;
        let i = self
            .rows
            .iter()
            .position(|m| (m.partition, m.offset) == at)?;
        self.stick_bottom = false;
        self.after_time = None;
        self.cursor.select(i, self.rows.len(), rows);
        self.cursor.top = i.saturating_sub(rows / 2);
        if self.more_before() {
            self.center = true;
            return Some(Some(self.backward()));
        }
        Some(self.maybe_page(rows))
    }

    fn append(&mut self, page: Vec<Message>, rows: usize) {
        for m in page {
            if let Some(s) = self.spans.get_mut(&m.partition) {
                s.hi = s.hi.max(m.offset + 1);
            }
            self.rows.push_back(m);
        }
        let mut evicted = 0;
        while self.rows.len() > self.capacity {
            if let Some(old) = self.rows.pop_front() {
                if let Some(s) = self.spans.get_mut(&old.partition) {
                    s.lo = s.lo.max(old.offset + 1);
                }
                evicted += 1;
            }
        }
        self.cursor.shift_up(evicted);
        self.settle(rows);
    }

    fn prepend(&mut self, page: Vec<Message>, rows: usize) {
        let added = page.len();
        for m in page {
            if let Some(s) = self.spans.get_mut(&m.partition) {
                s.lo = s.lo.min(m.offset);
            }
            self.rows.push_front(m);
        }
        while self.rows.len() > self.capacity {
            if let Some(old) = self.rows.pop_back()
                && let Some(s) = self.spans.get_mut(&old.partition)
            {
                s.hi = s.hi.min(old.offset);
            }
        }
        self.cursor.shift_down(added);
        self.settle(rows);
    }

    /// After a page landed: the selection sticks to the end, or makes the blocked move.
    fn settle(&mut self, rows: usize) {
        let len = self.rows.len();
        if self.stick_bottom {
            self.cursor.select(len, len, rows);
            return;
        }
        if std::mem::take(&mut self.center) {
            self.cursor.top = self.cursor.selected.saturating_sub(rows / 2);
        }
        self.cursor.scroll_into_view(len, rows);
        let blocked = std::mem::take(&mut self.blocked);
        if blocked != 0 {
            self.cursor.move_by(blocked, len, rows);
        }
    }

    /// New watermarks from a partition refresh.
    pub fn refresh(&mut self, partition: i32, watermarks: Watermarks) {
        let w = self.watermarks.entry(partition).or_insert(watermarks);
        w.low = watermarks.low;
        w.high = w.high.max(watermarks.high);
    }
}

#[cfg(test)]
#[path = "merged_tests.rs"]
pub(crate) mod tests;
