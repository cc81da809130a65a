//! The merged view's place in the app: opening and closing it, its keys, its loads.

use crate::kafka::StartAt;
use crate::render::Safe;

use super::keymap::{Command, Move};
use super::keys::Trigger;
use super::merged::{MergedLoaded, MergedPane, MergedStart};
use super::{App, Effect, Screen};

/// The merged jump a prompt's answer asks for; offsets are per partition, so only times and
/// the ends mean something across all of them.
pub(super) fn merged_start(start: StartAt) -> Result<MergedStart, String> {
    match start {
        StartAt::Timestamp(t) => Ok(MergedStart::Time(t)),
        StartAt::Beginning => Ok(MergedStart::Beginning),
        StartAt::End => Ok(MergedStart::End),
        StartAt::Offset(_) | StartAt::FromEnd(_) | StartAt::Resume(_) => {
            Err("offsets are per partition: give @TIME here (e.g. @-15m, @12:00)".into())
        }
    }
}

impl App {
    /// True when the merged view, or a detail opened from it, is up.
    pub fn merged_is_up(&self) -> bool {
        self.merged.is_some()
            && (self.screen == Screen::Merged
                || (self.screen == Screen::Detail && self.detail_from == Screen::Merged))
    }

    /// `a` on the partitions screen: every partition merged, from the beginning.
    pub(super) fn open_merged(&mut self) -> Vec<Effect> {
        let Some(list) = self.partitions.as_ref() else {
            return Vec::new();
        };
        if list.rows.is_empty() {
            return Vec::new();
        }
        let topic = list.topic.raw().to_string();
        let ids: Vec<i32> = list.rows.iter().map(|r| r.id).collect();
        let marks: Vec<_> = list
            .rows
            .iter()
            .filter_map(|r| Some((r.id, r.low?, r.high?)))
            .collect();
        let mut fx = Vec::new();
        if let Some(old) = self.messages.take() {
            self.generation = self.generation.max(old.generation);
            fx.push(Effect::StopReader);
        }
        if let Some(old) = self.merged.take() {
            self.generation = self.generation.max(old.generation);
        }
        let mut pane = MergedPane::new(topic, ids, self.window, self.generation);
        for (id, low, high) in marks {
            pane.refresh(id, crate::kafka::Watermarks { low, high });
        }
        fx.push(pane.jump(MergedStart::Beginning));
        self.merged = Some(pane);
        self.screen = Screen::Merged;
        fx
    }

    fn close_merged(&mut self) -> Vec<Effect> {
        self.detail = None;
        if let Some(old) = self.merged.take() {
            self.generation = self.generation.max(old.generation);
        }
        self.screen = Screen::Partitions;
        Vec::new()
    }

    /// A jump in the merged view (from it or from a detail opened from it).
    pub(super) fn merged_jump(&mut self, at: MergedStart) -> Vec<Effect> {
        let Some(pane) = self.merged.as_mut() else {
            return Vec::new();
        };
        self.detail = None;
        self.screen = Screen::Merged;
        vec![pane.jump(at), Effect::Redraw]
    }

    pub(super) fn merged_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        let rows = self.list_rows();
        let clicked = self.clicked_row(trigger);
        let Some(pane) = self.merged.as_mut() else {
            return Vec::new();
        };
        let page = rows.max(1) as isize;
        let fx = match command {
            Command::Move(Move::By(d)) => pane.move_by(d, rows),
            Command::Move(Move::PageDown) => pane.move_by(page, rows),
            Command::Move(Move::PageUp) => pane.move_by(-page, rows),
            Command::Move(Move::HalfDown) => pane.move_by((page / 2).max(1), rows),
            Command::Move(Move::HalfUp) => pane.move_by(-(page / 2).max(1), rows),
            Command::Move(Move::First) => Some(pane.jump(MergedStart::Beginning)),
            Command::Move(Move::Last) => Some(pane.jump(MergedStart::End)),
            Command::Select => match clicked {
                Some(r) => pane.select(pane.cursor.top + r, rows),
                None => None,
            },
            Command::Back => {
                return match self.merged_back() {
                    Some(fx) => fx,
                    None => self.close_merged(),
                };
            }
            Command::Search => {
                self.open_search_prompt(super::search::SearchKind::Search);
                return vec![Effect::Redraw];
            }
            Command::FilterRecords => {
                self.open_search_prompt(super::search::SearchKind::Filter);
                return vec![Effect::Redraw];
            }
            Command::SearchNext => return self.merged_search_again(false),
            Command::SearchPrevious => return self.merged_search_again(true),
            Command::Open => return self.open_detail(),
            Command::Follow => Some(pane.toggle_follow()),
            Command::ShiftRight => {
                let top = pane.cursor.top;
                let values = pane
                    .rows
                    .range(top.min(pane.rows.len())..(top + rows).min(pane.rows.len()))
                    .filter_map(|m| m.value.as_deref());
                self.table.shift_right(values, self.size.0);
                None
            }
            c @ (Command::ShiftLeft
            | Command::ToggleWrap
            | Command::JumpOffset
            | Command::JumpTime) => {
                self.pane_layout_or_jump(c);
                None
            }
            _ => None,
        };
        fx.into_iter().collect()
    }

    pub(super) fn on_merged_loaded(&mut self, answer: MergedLoaded) -> Vec<Effect> {
        let rows = self.list_rows();
        let Some(pane) = self.merged.as_mut() else {
            return Vec::new();
        };
        let mut fx: Vec<Effect> = pane.loaded(answer, rows).into_iter().collect();
        if let Some(n) = pane.notice.take() {
            self.popup = Some(n);
        }
        fx.push(Effect::Redraw);
        fx
    }

    /// `n`/`p` in a detail opened from the merged view: the next or previous record in time.
    pub(super) fn step_merged_detail(&mut self, dir: isize, rows: usize) -> Vec<Effect> {
        let Some(pane) = self.merged.as_mut() else {
            return Vec::new();
        };
        let before = pane.cursor.selected;
        let mut fx: Vec<Effect> = pane.move_by(dir, rows).into_iter().collect();
        if pane.cursor.selected != before {
            fx.extend(self.open_detail());
        }
        fx
    }

    pub(super) fn merged_tick(&mut self) -> Vec<Effect> {
        match self.merged.as_mut() {
            Some(pane) => pane.tick().into_iter().collect(),
            None => Vec::new(),
        }
    }

    /// The merged view's warning, for the status line.
    pub fn merged_warning(&self) -> Option<&Safe> {
        self.merged.as_ref().and_then(|m| m.warning.as_ref())
    }
}
