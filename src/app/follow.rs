//! Staying at the end of a partition: tailing (the selection on the last row) and following
//! (`f`: stay even when scrolled up), and what the status line says the pane is doing.
//!
//! Tailing needs no key: a reader that reached the end keeps appending, and a selection on
//! the last row moves down with the new records. Following is asked for with `f`: the window
//! slides with the end however far up one reads, and the records that came in below the
//! selection are counted for the "N new below" marker until `G` or the last row is reached.

use crate::kafka::StartAt;

use super::{Effect, MessagePane, Mode, ReaderStatus};
use crate::app::window::DEFAULT_MAX_BYTES;

/// What the pane is doing, as the status line tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// A reader is finding its place or loading a page.
    Loading,
    /// `f` is on; `new_below` records came in below the selection since it left the last row.
    Following {
        /// Records below the selection that arrived while it was away from the last row.
        new_below: usize,
    },
    /// At the end with the selection on the last row: new records show as they come.
    Tailing,
    /// At the end, the selection above the last row: new records are added below.
    CaughtUp,
    /// `f` turned following off, and no reader has started since.
    StoppedFollowing,
    /// No reader runs: the window holds what was asked for.
    Idle,
    /// The reader is reconnecting or stopped on an error (`MessagePane::status` says which).
    Trouble,
}

impl MessagePane {
    /// What the pane is doing.
    pub fn activity(&self) -> Activity {
        match self.status {
            ReaderStatus::Reconnecting { .. } | ReaderStatus::Failed(_) => Activity::Trouble,
            _ if self.follow => Activity::Following {
                new_below: self.new_below(),
            },
            _ if self.stopped_following => Activity::StoppedFollowing,
            _ if matches!(self.mode, Mode::Idle) => Activity::Idle,
            _ if !self.caught_up => Activity::Loading,
            _ if self.on_last_row() => Activity::Tailing,
            _ => Activity::CaughtUp,
        }
    }

    /// Records that came in below the selection while following, as far as the window still
    /// holds them.
    pub fn new_below(&self) -> usize {
        let below = self.window.len().saturating_sub(self.cursor.selected + 1);
        self.new_below.min(below)
    }

    /// True when reading new records: a reader reached the end and waits for more. Only
    /// records that arrive then count for the rate.
    pub fn live(&self) -> bool {
        self.caught_up && !matches!(self.mode, Mode::Idle)
    }

    /// True when the selection is on the window's last row.
    pub(super) fn on_last_row(&self) -> bool {
        !self.window.is_empty() && self.cursor.selected + 1 >= self.window.len()
    }

    /// True when the window reaches the partition's end as last known.
    fn at_end(&self) -> bool {
        match (self.window.last_offset(), self.watermarks) {
            (Some(last), Some(w)) => last + 1 >= w.high,
            _ => false,
        }
    }

    /// `f`: follow the end, or stop following.
    pub fn toggle_follow(&mut self, rows: usize) -> Effect {
        self.new_below = 0;
        if self.follow {
            self.follow = false;
            self.stick_bottom = false;
            let fx = self.stop();
            self.stopped_following = true;
            return fx;
        }
        self.follow = true;
        self.stick_bottom = true;
        self.stopped_following = false;
        let len = self.window.len();
        if self.live() && matches!(self.mode, Mode::Forward { .. }) {
            // The reader is at the end already: it goes on, without a budget.
            self.mode = Mode::Follow;
            self.status = ReaderStatus::Following;
            self.cursor.select(len, len, rows);
            return Effect::Redraw;
        }
        if let (Mode::Idle, true, Some(last)) =
            (&self.mode, self.at_end(), self.window.last_offset())
        {
            // Nothing to reload: read on from the window's end.
            self.cursor.select(len, len, rows);
            return self.start(StartAt::Resume(last + 1), Mode::Follow);
        }
        self.window.clear();
        self.discard_decoded();
        self.cursor = super::Cursor::default();
        let back = self.page().min(1000) as i64;
        self.start(StartAt::FromEnd(back), Mode::Follow)
    }

    /// `G`: the last row of the partition. When the window already reaches the end, this is
    /// only a move (following stays on); otherwise the last page is loaded.
    pub fn to_end(&mut self, rows: usize) -> Option<Effect> {
        if self.at_end() || (self.follow && matches!(self.mode, Mode::Follow)) {
            let len = self.window.len();
            self.cursor.select(len, len, rows);
            self.blocked = 0;
            self.stick_bottom = self.follow;
            self.new_below = 0;
            return self.maybe_tail();
        }
        let back = (self.window.capacity() / 2).max(1) as i64;
        if self.follow {
            self.window.clear();
            self.discard_decoded();
            self.cursor = super::Cursor::default();
            return Some(self.start(StartAt::FromEnd(back), Mode::Follow));
        }
        Some(self.jump(StartAt::FromEnd(back), true))
    }

    /// With no reader and the selection on the last row of a window that reaches the end,
    /// starts one there: sitting on the last row is tailing.
    pub(super) fn maybe_tail(&mut self) -> Option<Effect> {
        if !matches!(self.mode, Mode::Idle) || !self.on_last_row() || !self.at_end() {
            return None;
        }
        let last = self.window.last_offset()?;
        let mode = Mode::Forward {
            records: self.window.capacity(),
            bytes: DEFAULT_MAX_BYTES,
        };
        Some(self.start(StartAt::Resume(last + 1), mode))
    }

    /// After the selection moved: on the last row it sticks there (following), elsewhere the
    /// records that come in are counted as new below.
    pub(super) fn after_move(&mut self) {
        self.stick_bottom = self.follow && self.on_last_row();
        if self.on_last_row() {
            self.new_below = 0;
        }
    }
}

#[cfg(test)]
#[path = "follow_tests.rs"]
mod tests;
