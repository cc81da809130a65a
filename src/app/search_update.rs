//! The search commands and reports: `/`, `n`, `N`, `&` in the message pane, `K` on the
//! partitions screen, and what the scans report back.

use crossterm::event::Event;
use tui_input::backend::crossterm::EventHandler;

use crate::kafka::StartAt;
use crate::render::Safe;

use super::keymap::Command;
use super::keys::Trigger;
use super::search::{
    PaneFilter, PaneSearch, Query, Scanning, SearchJob, SearchKind, SearchPrompt, SearchReport,
};
use super::{App, Effect, Screen};

impl App {
    /// Opens the search, filter or find-key prompt, its history walk starting afresh.
    pub(super) fn open_search_prompt(&mut self, kind: SearchKind) {
        self.search_history(kind).reset();
        self.search_prompt = Some(SearchPrompt::new(kind));
    }

    fn search_history(&mut self, kind: SearchKind) -> &mut super::History {
        match kind {
            SearchKind::Search | SearchKind::Filter | SearchKind::TopicSearch => {
                &mut self.histories.searches
            }
            SearchKind::FindKey => &mut self.histories.keys,
        }
    }

    pub(super) fn search_prompt_command(
        &mut self,
        command: Command,
        trigger: Trigger,
    ) -> Vec<Effect> {
        let Some(kind) = self.search_prompt.as_ref().map(|p| p.kind) else {
            return Vec::new();
        };
        match command {
            Command::Cancel => self.search_prompt = None,
            Command::Older | Command::Newer => {
                let current = self
                    .search_prompt
                    .as_ref()
                    .map(|p| p.input.value().to_string())
                    .unwrap_or_default();
                let history = self.search_history(kind);
                let recalled = if command == Command::Older {
                    history.older(&current)
                } else {
                    history.newer()
                };
                if let (Some(text), Some(p)) = (recalled, self.search_prompt.as_mut()) {
                    p.input = tui_input::Input::new(text);
                }
            }
            Command::NextField => {
                if let Some(p) = self
                    .search_prompt
                    .as_mut()
                    .filter(|p| p.kind == SearchKind::TopicSearch)
                {
                    p.on_from = !p.on_from;
                }
            }
            Command::Submit => {
                let now = self.now();
                let Some(prompt) = self.search_prompt.as_mut() else {
                    return Vec::new();
                };
                let from = match prompt.from.value().trim() {
                    "" => Ok(StartAt::Beginning),
                    text => crate::kafka::offsets::position::parse_position(text, now),
                };
                let from = match from {
                    Ok(from) => from,
                    Err(e) => {
                        prompt.error = Some(e);
                        prompt.on_from = true;
                        return vec![Effect::Redraw];
                    }
                };
                let from_text = prompt.from.value().trim().to_string();
                // A bad expression keeps the prompt open: its error is on screen already.
                let Ok(query) = prompt.query() else {
                    return vec![Effect::Redraw];
                };
                let typed = prompt.input.value().to_string();
                self.search_prompt = None;
                let Some(query) = query else {
                    return vec![Effect::Redraw];
                };
                self.search_history(kind).push(&typed);
                return match kind {
                    SearchKind::Search => self.start_search(query),
                    SearchKind::Filter => self.apply_filter(query),
                    SearchKind::FindKey => self.find_key(query),
                    SearchKind::TopicSearch => self.start_topic_search(query, from, from_text),
                };
            }
            Command::Edit => {
                if let (Some(p), Trigger::Key(key)) = (self.search_prompt.as_mut(), trigger) {
                    if p.on_from {
                        p.from.handle_event(&Event::Key(key));
                        p.error = None;
                    } else {
                        p.input.handle_event(&Event::Key(key));
                    }
                }
            }
            _ => {}
        }
        vec![Effect::Redraw]
    }

    fn start_search(&mut self, query: Query) -> Vec<Effect> {
        if self.merged_is_up() {
            return self.start_merged_search(query);
        }
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        pane.search = Some(PaneSearch::new(query));
        self.search_again(false)
    }

    /// `n` (forward) and `N` (backward): the next match from the selected row.
    pub(super) fn search_again(&mut self, backward: bool) -> Vec<Effect> {
        let now = self.now();
        self.search_jobs += 1;
        let id = self.search_jobs;
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        let low = pane.watermarks.map_or(0, |w| w.low);
        let at = pane
            .window
            .row(pane.cursor.selected)
            .map_or(low, |r| r.first());
        let topic = pane.topic.raw().to_string();
        let partition = pane.partition;
        let within = pane.filter.as_ref().map(|f| f.query.clone());
        let Some(search) = pane.search.as_mut() else {
            pane.warning = Some(Safe::new("no search yet: / starts one"));
            return vec![Effect::Redraw];
        };
        let from = if backward { at } else { at + 1 };
        search.note = None;
        search.scanning = Some(Scanning::new(id, backward, from, now));
        vec![
            Effect::Search(SearchJob {
                id,
                topic,
                partition,
                query: search.query.clone(),
                within,
                from,
                backward,
                low,
            }),
            Effect::Redraw,
        ]
    }

    /// Esc in the message pane: stop the search scan, else clear the filter, else leave.
    pub(super) fn messages_back(&mut self) -> Vec<Effect> {
        let rows = self.list_rows();
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        if let Some(s) = pane.search.as_mut()
            && s.scanning.take().is_some()
        {
            return vec![Effect::StopSearch];
        }
        if pane.filter.take().is_some() {
            // Back to the whole partition, around the record that was selected.
            pane.window.set_mark_missing(true);
            let at = pane.selected().map(|m| m.offset);
            let low = pane.watermarks.map_or(0, |w| w.low);
            let start = match at {
                Some(o) => StartAt::Offset((o - rows as i64 / 2).max(low)),
                None => StartAt::Beginning,
            };
            let fx = pane.jump(start, false);
            pane.want = at;
            return vec![fx];
        }
        self.close_partition()
    }

    /// `&`: the pane reads only matching records, from the partition's beginning.
    fn apply_filter(&mut self, query: Query) -> Vec<Effect> {
        if self.merged_is_up() {
            return self.apply_merged_filter(query);
        }
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        pane.filter = Some(PaneFilter::new(query, pane.generation + 1));
        pane.window.set_mark_missing(false);
        pane.follow = false;
        // An earlier search's "no match" was about the unfiltered partition.
        if let Some(s) = pane.search.as_mut() {
            s.note = None;
        }
        vec![pane.jump(StartAt::Beginning, false), Effect::Redraw]
    }

    /// `K`: the partition the default partitioner puts the key in, filtered to the key.
    fn find_key(&mut self, query: Query) -> Vec<Effect> {
        let Query::Key(key) = &query else {
            return Vec::new();
        };
        let Some(list) = self.partitions.as_ref() else {
            return Vec::new();
        };
        let count = list.rows.len() as i32;
        if count == 0 {
            return Vec::new();
        }
        let partition = crate::search::murmur2::partition_for_key(key, count);
        let mut fx: Vec<Effect> = self
            .open_partition(partition, StartAt::Beginning)
            .into_iter()
            .filter(|e| !matches!(e, Effect::StartReader { .. }))
            .collect();
        if let Some(pane) = self.messages.as_mut() {
            pane.filter = Some(PaneFilter::new(query, pane.generation + 1));
            pane.window.set_mark_missing(false);
            fx.push(pane.jump(StartAt::Beginning, false));
        }
        fx.push(Effect::Redraw);
        fx
    }

    /// A search scan's report; reports of replaced scans are ignored.
    pub(super) fn on_search(&mut self, id: u64, report: SearchReport) -> Vec<Effect> {
        if self.merged.is_some() {
            return self.on_merged_search(id, report);
        }
        let now = self.now();
        let rows = self.list_rows();
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        let Some(search) = pane.search.as_mut() else {
            return Vec::new();
        };
        let Some(scan) = search.scanning.as_mut().filter(|s| s.id == id) else {
            return Vec::new();
        };
        match report {
            SearchReport::Progress { scanned, reached } => {
                scan.progress(scanned, reached, now);
                return vec![Effect::Redraw];
            }
            SearchReport::Found { offset, .. } => {
                search.scanning = None;
                if self.screen == Screen::Detail {
                    self.detail = None;
                    self.screen = Screen::Messages;
                }
                let i = pane.window.index_at_or_after(offset);
                if pane.window.row(i).is_some_and(|r| r.first() == offset) {
                    let len = pane.window.len();
                    pane.cursor.select(i, len, rows);
                    return pane.move_by(0, rows).into_iter().collect();
                }
                let low = pane.watermarks.map_or(0, |w| w.low);
                let fx = pane.jump(StartAt::Offset((offset - rows as i64 / 2).max(low)), false);
                pane.want = Some(offset);
                return vec![fx, Effect::Redraw];
            }
            SearchReport::NotFound { scanned, reached } => {
                let (backward, from) = (scan.backward, scan.from);
                search.scanning = None;
                search.note = Some(if backward {
                    format!("no match before offset {from} ({scanned} records scanned)")
                } else {
                    format!("no match from offset {from} to {reached} ({scanned} records scanned)")
                });
            }
            SearchReport::Failed(e) => {
                search.scanning = None;
                self.popup = Some(Safe::new(&format!("search failed: {e}")));
            }
            // The merged view's answer; it has its own handler.
            SearchReport::FoundMerged { .. } => search.scanning = None,
        }
        vec![Effect::Redraw]
    }

    /// A filter view's reader scanned more records.
    pub(super) fn on_filter_scanned(
        &mut self,
        generation: u64,
        scanned: u64,
        matched: u64,
        reached: i64,
    ) -> Vec<Effect> {
        let filter = match (self.merged.as_mut(), self.messages.as_mut()) {
            (Some(merged), _) => merged.filter.as_mut(),
            (None, Some(pane)) => pane.filter.as_mut(),
            (None, None) => None,
        };
        // Counts of an earlier filter's readers are not this one's.
        let Some(f) = filter.filter(|f| generation >= f.generation) else {
            return Vec::new();
        };
        f.scanned += scanned;
        f.matched += matched;
        f.reached = f.reached.max(reached);
        vec![Effect::Redraw]
    }
}
