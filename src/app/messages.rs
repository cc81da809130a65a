//! `MessagePane`: one partition's records in a `MessageWindow`, the reader that fills it,
//! and the paging that moves the window through a partition of any size.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::kafka::{Error, Message, ReaderEvent, ReaderEventKind, StartAt, Watermarks};

use super::Effect;
use super::cursor::Cursor;
use super::decoding::{Decodings, RecordDecoding};
use super::search::{PaneFilter, PaneSearch};
use super::window::{DEFAULT_MAX_BYTES, Gap, GapKind, MessageWindow, Row};
use crate::render::{Outside, Safe};

/// Decodings a pane holds for the runtime to free at most; past it they are freed at once.
const GARBAGE_LIMIT: usize = 1 << 20;

#[path = "follow.rs"]
mod follow;
pub use follow::Activity;

/// What the reader is doing, as the status line tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderStatus {
    /// No reader runs: the window holds what was asked for.
    Paused,
    /// A reader was started and has not resolved its position yet.
    Starting,
    /// Records are coming.
    Fetching,
    /// Everything up to the end of the partition was read; waiting for more.
    CaughtUp,
    /// Staying at the end while new records arrive.
    Following,
    /// The connection was lost; the reader retries.
    Reconnecting {
        /// Attempts so far.
        attempt: u32,
        /// Why the connection was lost.
        error: Error,
    },
    /// The reader stopped on an error.
    Failed(Error),
}

/// A jump to a time after the partition's last record: said in the pane, with the last
/// record's time once a probe read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterEnd {
    /// The time asked for (ms since the epoch).
    pub asked: i64,
    /// The last record's time, once read.
    pub last: Option<i64>,
    /// Records below this offset are the probe's: their time is noted, they are not shown.
    probe_below: i64,
}

/// How arriving records are used.
#[derive(Debug, Clone)]
enum Mode {
    /// No reader.
    Idle,
    /// Append until this many more records (or bytes) arrived, then stop.
    Forward { records: usize, bytes: usize },
    /// Collect records before `until`, then put them in front of the window at once.
    Backward { until: i64, pending: Vec<Row> },
    /// Append forever; the window slides.
    Follow,
}

/// The message pane's state.
#[derive(Debug, Clone)]
pub struct MessagePane {
    /// Opened from a group's partition: the group and its committed offset, the record the
    /// table marks (the next one the group reads).
    pub committed: Option<(Outside, i64)>,
    /// The topic read.
    pub topic: Outside,
    /// The partition read.
    pub partition: i32,
    /// The records held: a bounded window of the partition.
    pub window: MessageWindow,
    /// Selection and scroll within the window.
    pub cursor: Cursor,
    /// What the reader is doing.
    pub status: ReaderStatus,
    /// The partition's watermarks as last seen (reader start, catch-up, refresh).
    pub watermarks: Option<Watermarks>,
    /// True while the pane sticks to the end as records arrive.
    pub follow: bool,
    /// New records per second lately: those that arrived after the reader reached the end
    /// (following or tailing), never page loads.
    pub rate: f64,
    /// The jump generation: events of other generations are stale.
    pub generation: u64,
    /// An error to show in a popup, taken by the app.
    pub notice: Option<Safe>,
    /// Something the status line keeps saying until the next jump (records deleted unread).
    pub warning: Option<Safe>,
    /// Set when a jump to a time found no record at or after it.
    pub after_end: Option<AfterEnd>,
    /// The time of the jump under way, until its reader says where it starts.
    asked_time: Option<i64>,
    /// What the schema decoders made of the records in the window (and of those on their
    /// way into it), by offset.
    pub(super) decoded: BTreeMap<i64, Arc<RecordDecoding>>,
    /// Decodings that left `decoded`, for the runtime to free off the UI thread (a stream
    /// of records frees as many as it brings; see [`MessagePane::take_garbage`]).
    garbage: Vec<Arc<RecordDecoding>>,
    /// The search `n` and `N` repeat, and its scan while one runs.
    pub search: Option<PaneSearch>,
    /// The filter view: only matching records are read into the window.
    pub filter: Option<PaneFilter>,
    /// An offset to select once it is loaded (a search's match past the window).
    pub want: Option<i64>,
    /// In a filter view, the earliest offset scanned backwards: the next backward page
    /// starts before it even when the pages before held no match.
    back_mark: Option<i64>,
    stick_bottom: bool,
    /// The part of the last move that the window's edge stopped (negative: at the top); it
    /// is made once the neighbouring page lands, so one key is enough to cross the edge.
    blocked: isize,
    mode: Mode,
    /// New records received (after a reader reached the end), for the rate.
    received: u64,
    rate_mark: Option<(i64, u64)>,
    /// The running reader reached the partition's end: what it reads now is new.
    caught_up: bool,
    /// Records that came in below the selection while following away from the last row.
    new_below: usize,
    /// `f` stopped following and no reader has started since.
    stopped_following: bool,
}

impl MessagePane {
    /// A pane with an empty window; `generation` must be above any used before.
    pub fn new(topic: String, partition: i32, capacity: usize, generation: u64) -> MessagePane {
        MessagePane {
            committed: None,
            topic: Outside::new(topic),
            partition,
            window: MessageWindow::new(capacity, DEFAULT_MAX_BYTES),
            cursor: Cursor::default(),
            status: ReaderStatus::Paused,
            watermarks: None,
            follow: false,
            rate: 0.0,
            generation,
            notice: None,
            warning: None,
            after_end: None,
            asked_time: None,
            decoded: BTreeMap::new(),
            garbage: Vec::new(),
            search: None,
            filter: None,
            want: None,
            back_mark: None,
            stick_bottom: false,
            blocked: 0,
            mode: Mode::Idle,
            received: 0,
            rate_mark: None,
            caught_up: false,
            new_below: 0,
            stopped_following: false,
        }
    }

    /// The selected record.
    pub fn selected(&self) -> Option<&Message> {
        self.window.get(self.cursor.selected)
    }

    fn page(&self) -> usize {
        (self.window.capacity() / 2).max(1)
    }

    fn start(&mut self, start: StartAt, mode: Mode) -> Effect {
        self.generation += 1;
        self.mode = mode;
        self.status = ReaderStatus::Starting;
        self.caught_up = false;
        self.stopped_following = false;
        let (generation, topic, partition) = (
            self.generation,
            self.topic.raw().to_string(),
            self.partition,
        );
        let until = match &self.mode {
            Mode::Backward { until, .. } => Some(*until),
            _ => None,
        };
        match &self.filter {
            Some(f) => Effect::FilteredReader {
                generation,
                topic,
                partition,
                start,
                until,
                query: f.query.clone(),
            },
            None => Effect::StartReader {
                generation,
                topic,
                partition,
                start,
            },
        }
    }

    fn stop(&mut self) -> Effect {
        self.generation += 1;
        self.mode = Mode::Idle;
        self.caught_up = false;
        if !matches!(self.status, ReaderStatus::Failed(_)) {
            self.status = ReaderStatus::Paused;
        }
        Effect::StopReader
    }

    /// The decoding of the record at `offset`, when it was decoded (or failed to be).
    pub fn decoding(&self, offset: i64) -> Option<&Arc<RecordDecoding>> {
        self.decoded.get(&offset)
    }

    /// Takes decodings of records the current reader is delivering.
    pub fn take_decodings(&mut self, d: Decodings) {
        if d.generation == self.generation && d.partition == self.partition {
            self.decoded.extend(d.records);
        }
    }

    /// Forgets decodings of records that left the window and cannot come back without a new
    /// read: memory stays O(window), and the work is O(what left).
    pub fn prune_decoded(&mut self) {
        if self.decoded.is_empty() {
            return;
        }
        let first = self.window.first_offset();
        let last = self.window.last_offset();
        let (below, above) = match (&self.mode, first, last) {
            (Mode::Idle, Some(first), Some(last)) => (Some(first), Some(last)),
            (Mode::Idle, _, _) => {
                self.discard_decoded();
                return;
            }
            // Records after the last may still be on their way.
            (Mode::Forward { .. } | Mode::Follow, Some(first), _) => (Some(first), None),
            // The page before the first is on its way.
            (Mode::Backward { .. }, _, Some(last)) => (None, Some(last)),
            _ => (None, None),
        };
        if let Some(first) = below {
            while let Some(e) = self.decoded.first_entry()
                && *e.key() < first
            {
                self.garbage.push(e.remove());
            }
        }
        if let Some(last) = above {
            while let Some(e) = self.decoded.last_entry()
                && *e.key() > last
            {
                self.garbage.push(e.remove());
            }
        }
        self.bound_garbage();
    }

    /// Forgets every decoding (the window was emptied).
    pub(super) fn discard_decoded(&mut self) {
        self.garbage
            .extend(std::mem::take(&mut self.decoded).into_values());
        self.bound_garbage();
    }

    /// Garbage nobody takes (a pane without a runtime, as in tests) is freed here once it
    /// grows: memory stays bounded either way.
    fn bound_garbage(&mut self) {
        if self.garbage.len() > GARBAGE_LIMIT {
            self.garbage = Vec::new();
        }
    }

    /// The decodings that left the pane since the last call, to be freed elsewhere.
    pub fn take_garbage(&mut self) -> Vec<Arc<RecordDecoding>> {
        std::mem::take(&mut self.garbage)
    }

    /// True while a page is being read into the window (a jump's, or a neighbouring one).
    pub fn loading(&self) -> bool {
        match self.mode {
            Mode::Backward { .. } => true,
            Mode::Forward { .. } => self.status != ReaderStatus::CaughtUp,
            Mode::Idle | Mode::Follow => false,
        }
    }

    /// Stops the reader; but with the selection on the last row at the end, a reader goes on
    /// from there (tailing), replacing this one.
    fn stop_or_tail(&mut self) -> Effect {
        let stop = self.stop();
        self.maybe_tail().unwrap_or(stop)
    }

    /// A jump: empty the window and read from `start`; `at_end` keeps the last row selected.
    pub fn jump(&mut self, start: StartAt, at_end: bool) -> Effect {
        self.window.clear();
        self.discard_decoded();
        self.warning = None;
        self.after_end = None;
        self.asked_time = match start {
            StartAt::Timestamp(t) => Some(t),
            _ => None,
        };
        self.want = None;
        self.back_mark = None;
        self.cursor = Cursor::default();
        self.blocked = 0;
        self.follow = false;
        self.stick_bottom = at_end;
        let full = Mode::Forward {
            records: self.window.capacity(),
            bytes: DEFAULT_MAX_BYTES,
        };
        self.start(start, full)
    }

    /// Moves the selection; may start loading the neighbouring page.
    pub fn move_by(&mut self, delta: isize, rows: usize) -> Option<Effect> {
        let before = self.cursor.selected as isize;
        self.cursor.move_by(delta, self.window.len(), rows);
        let rest = delta - (self.cursor.selected as isize - before);
        // Keys pressed while records are on their way (a burst or paste right after a jump)
        // add up: each is made once they land. Otherwise only the last move waits.
        let loading = self.window.is_empty()
            || matches!(self.mode, Mode::Backward { .. })
            || matches!(self.status, ReaderStatus::Starting | ReaderStatus::Fetching);
        self.blocked = if loading && rest.signum() == self.blocked.signum() {
            self.blocked + rest
        } else {
            rest
        };
        self.after_move();
        self.maybe_page(rows)
    }

    /// Selects a row by index (a mouse click).
    pub fn select(&mut self, index: usize, rows: usize) -> Option<Effect> {
        if index >= self.window.len() {
            return None;
        }
        self.cursor.select(index, self.window.len(), rows);
        self.blocked = 0;
        self.after_move();
        self.maybe_page(rows)
    }

    /// Loads the page after or before the window when the selection comes near that end.
    fn maybe_page(&mut self, rows: usize) -> Option<Effect> {
        // A forward reader that reached the end only waits for new records: paging back may
        // replace it. One still filling the window may not.
        let idle = matches!(self.mode, Mode::Idle);
        let waiting =
            matches!(self.mode, Mode::Forward { .. }) && self.status == ReaderStatus::CaughtUp;
        if !(idle || waiting) || self.window.is_empty() {
            return None;
        }
        let (first, last) = (self.window.first_offset()?, self.window.last_offset()?);
        let len = self.window.len();
        let more_after = self.watermarks.is_none_or(|w| last + 1 < w.high);
        let low = self.watermarks.map_or(0, |w| w.low);
        if idle && self.cursor.selected + rows >= len && more_after {
            let page = self.page();
            let mode = Mode::Forward {
                records: page,
                bytes: DEFAULT_MAX_BYTES / 2,
            };
            return Some(self.start(StartAt::Resume(last + 1), mode));
        }
        let first = self.back_mark.map_or(first, |b| b.min(first));
        if self.cursor.selected < rows && first > low {
            let from = (first - self.page() as i64).max(low);
            if self.filter.is_some() {
                self.back_mark = Some(from);
            }
            return Some(self.start(
                StartAt::Resume(from),
                Mode::Backward {
                    until: first,
                    pending: Vec::new(),
                },
            ));
        }
        self.maybe_tail()
    }

    /// Applies one reader event; stale generations are ignored.
    pub fn apply(&mut self, ev: ReaderEvent, rows: usize) -> Option<Effect> {
        if ev.generation != self.generation || ev.partition != self.partition {
            return None;
        }
        match ev.kind {
            ReaderEventKind::Started { offset, watermarks } => {
                self.watermarks = Some(watermarks);
                // No record at or after the time asked for: the reader starts at the end. Read
                // the last record once, for its time, then wait there for new ones.
                if let Some(asked) = self.asked_time.take()
                    && offset >= watermarks.high
                    && watermarks.high > watermarks.low
                {
                    self.after_end = Some(AfterEnd {
                        asked,
                        last: None,
                        probe_below: watermarks.high,
                    });
                    let mode = self.mode.clone();
                    return Some(self.start(StartAt::Offset(watermarks.high - 1), mode));
                }
                self.status = if self.follow {
                    ReaderStatus::Following
                } else {
                    ReaderStatus::Fetching
                };
                None
            }
            ReaderEventKind::Messages(messages) => {
                if self.caught_up {
                    self.received += messages.len() as u64;
                }
                if !matches!(
                    self.status,
                    ReaderStatus::CaughtUp | ReaderStatus::Following
                ) {
                    self.status = ReaderStatus::Fetching;
                }
                if let Some(last) = messages.last() {
                    self.raise_high(last.offset + 1);
                }
                self.take(messages, rows)
            }
            ReaderEventKind::CaughtUp { high, .. } => {
                self.raise_high(high);
                if let Mode::Backward { .. } = self.mode {
                    return self.finish_backward(rows);
                }
                self.caught_up = true;
                self.status = if self.follow {
                    ReaderStatus::Following
                } else {
                    ReaderStatus::CaughtUp
                };
                None
            }
            ReaderEventKind::Reconnecting { attempt, error, .. } => {
                self.status = ReaderStatus::Reconnecting { attempt, error };
                None
            }
            ReaderEventKind::Skipped { from, to } => {
                self.warning = Some(Safe::new(&format!(
                    "offsets {from}–{} were deleted before they were read",
                    to - 1
                )));
                if let Some(w) = self.watermarks.as_mut() {
                    w.low = w.low.max(to);
                }
                let gap = Gap {
                    from,
                    to,
                    kind: GapKind::Deleted,
                };
                self.take_gap(gap, rows)
            }
            ReaderEventKind::Corrupt {
                from,
                to,
                control,
                reason,
            } => {
                // A transaction marker holds no record: nothing was lost, nothing to show.
                if control {
                    return None;
                }
                self.warning = Some(Safe::new(&format!(
                    "offsets {from}–{} were in a corrupt batch and were skipped",
                    to - 1
                )));
                let gap = Gap {
                    from,
                    to,
                    kind: GapKind::Corrupt { reason },
                };
                self.take_gap(gap, rows)
            }
            ReaderEventKind::Finished { .. } => Some(self.stop()),
            ReaderEventKind::Failed(error) => {
                self.notice = Some(Safe::display(&error));
                self.status = ReaderStatus::Failed(error);
                self.follow = false;
                Some(self.stop())
            }
        }
    }

    fn raise_high(&mut self, high: i64) {
        if let Some(w) = self.watermarks.as_mut() {
            w.high = w.high.max(high);
        }
    }

    /// A gap marker in reading order: appended, or kept for a backward page.
    fn take_gap(&mut self, gap: Gap, rows: usize) -> Option<Effect> {
        match &mut self.mode {
            Mode::Idle => None,
            Mode::Follow | Mode::Forward { .. } => {
                let evicted = self.window.push_gap(gap);
                self.after_append(evicted, rows);
                None
            }
            Mode::Backward { until, pending } => {
                let until = *until;
                let done = gap.to >= until;
                if gap.from < until {
                    pending.push(Row::Gap(Gap {
                        to: gap.to.min(until),
                        ..gap
                    }));
                }
                if done {
                    self.finish_backward(rows)
                } else {
                    None
                }
            }
        }
    }

    /// Notes the time of the probe's record (after a jump past the end) and keeps the rest.
    fn past_probe(&mut self, messages: Vec<Message>) -> Vec<Message> {
        let Some(a) = self.after_end.as_mut() else {
            return messages;
        };
        let (probe, rest): (Vec<Message>, Vec<Message>) =
            messages.into_iter().partition(|m| m.offset < a.probe_below);
        if let Some(m) = probe.last() {
            a.last = Some(m.timestamp);
        }
        if !rest.is_empty() {
            // Newer records came: they are the answer now.
            self.after_end = None;
        }
        rest
    }

    /// True while a jump's first records are on their way: the window is empty and a reader
    /// is resolving its start or fetching.
    pub fn awaiting_jump(&self) -> bool {
        self.window.is_empty()
            && matches!(self.status, ReaderStatus::Starting | ReaderStatus::Fetching)
    }

    /// True once the reader stopped because the topic is gone: nothing more can be read.
    pub fn topic_gone(&self) -> bool {
        matches!(
            self.status,
            ReaderStatus::Failed(Error::TopicDeleted { .. } | Error::UnknownTopic { .. })
        )
    }

    fn take(&mut self, messages: Vec<Message>, rows: usize) -> Option<Effect> {
        let messages = self.past_probe(messages);
        // Tailing: new records at the end, the selection on the last row, goes along with
        // them for as long as they come.
        let tailing = self.caught_up && !self.follow && self.on_last_row();
        match &mut self.mode {
            Mode::Idle => None,
            Mode::Follow => {
                if !self.stick_bottom {
                    let last = self.window.last_offset().unwrap_or(i64::MIN);
                    self.new_below += messages.iter().filter(|m| m.offset > last).count();
                }
                let evicted = self.window.push_back(messages);
                self.after_append(evicted, rows);
                None
            }
            Mode::Forward { .. } if tailing => {
                self.stick_bottom = true;
                let evicted = self.window.push_back(messages);
                self.after_append(evicted, rows);
                self.stick_bottom = false;
                None
            }
            Mode::Forward { records, bytes } => {
                let (mut n, mut b) = (*records, *bytes);
                let last = self.window.last_offset().unwrap_or(i64::MIN);
                let accepted: Vec<Message> = messages
                    .into_iter()
                    .filter(|m| m.offset > last)
                    .take_while(|m| {
                        if n == 0 || b == 0 {
                            return false;
                        }
                        n -= 1;
                        b = b.saturating_sub(m.size());
                        true
                    })
                    .collect();
                *records = n;
                *bytes = b;
                let evicted = self.window.push_back(accepted);
                self.after_append(evicted, rows);
                (n == 0 || b == 0).then(|| self.stop_or_tail())
            }
            Mode::Backward { until, pending } => {
                let until = *until;
                let done = messages.last().is_some_and(|m| m.offset >= until);
                pending.extend(
                    messages
                        .into_iter()
                        .take_while(|m| m.offset < until)
                        .map(Row::Record),
                );
                if done {
                    self.finish_backward(rows)
                } else {
                    None
                }
            }
        }
    }

    fn after_append(&mut self, evicted: usize, rows: usize) {
        self.cursor.shift_up(evicted);
        let len = self.window.len();
        if let Some(want) = self.want
            && self.window.last_offset().is_some_and(|last| last >= want)
        {
            self.want = None;
            self.stick_bottom = false;
            self.blocked = 0;
            let i = self.window.index_at_or_after(want);
            self.cursor.select(i, len, rows);
            return;
        }
        if self.stick_bottom {
            self.cursor.select(len, len, rows);
        } else {
            self.cursor.scroll_into_view(len, rows);
            if self.blocked > 0 && self.cursor.selected + 1 < len {
                self.cursor
                    .move_by(std::mem::take(&mut self.blocked), len, rows);
            }
        }
    }

    fn finish_backward(&mut self, rows: usize) -> Option<Effect> {
        let Mode::Backward { pending, .. } = std::mem::replace(&mut self.mode, Mode::Idle) else {
            return None;
        };
        let (added, _) = self.window.prepend(pending);
        // A filter view whose page held no match looks further back at once: one key is
        // enough to reach the previous match however far it is.
        let low = self.watermarks.map_or(0, |w| w.low);
        if added == 0
            && self.filter.is_some()
            && let Some(mark) = self.back_mark.filter(|&m| m > low)
        {
            let from = (mark - self.page() as i64).max(low);
            self.back_mark = Some(from);
            self.mode = Mode::Idle;
            return Some(self.start(
                StartAt::Resume(from),
                Mode::Backward {
                    until: mark,
                    pending: Vec::new(),
                },
            ));
        }
        self.cursor.shift_down(added);
        self.cursor.scroll_into_view(self.window.len(), rows);
        if self.blocked < 0 && added > 0 {
            let blocked = std::mem::take(&mut self.blocked);
            self.cursor.move_by(blocked, self.window.len(), rows);
        }
        Some(self.stop_or_tail())
    }

    /// Updates the records-per-second figure.
    pub fn tick(&mut self, now_ms: i64) {
        if !self.live() {
            self.rate = 0.0;
        }
        match self.rate_mark {
            Some((at, count)) if now_ms - at >= 1000 => {
                self.rate = (self.received - count) as f64 * 1000.0 / (now_ms - at) as f64;
                self.rate_mark = Some((now_ms, self.received));
            }
            Some(_) => {}
            None => self.rate_mark = Some((now_ms, self.received)),
        }
    }

    /// New watermarks from a partition refresh.
    pub fn refresh(&mut self, watermarks: Watermarks) {
        let high = self
            .watermarks
            .map_or(watermarks.high, |w| w.high.max(watermarks.high));
        self.watermarks = Some(Watermarks {
            low: watermarks.low,
            high,
        });
    }
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
