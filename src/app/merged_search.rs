//! Search and filter in the merged view (issue 13 §1, as issue 12 §3 has them in one
//! partition's pane): `/`, `n` and `N` find the next or previous match in merged time order,
//! scanning past the window in a background task; `&` loads only matching records, page by
//! page in time order; Esc stops the scan, else clears the filter.

use crate::render::Safe;

use super::merged::{MergedPane, MergedStart};
use super::search::{MergedSearchJob, PaneFilter, PaneSearch, Query, Scanning, SearchReport};
use super::{App, Effect, Screen};

impl MergedPane {
    /// Each partition's position just after the selected record in merged order: the offset
    /// of its next record (the first row of it after the selection, else where the window
    /// ends for it); the selected record's partition is at the selection. Without a
    /// selection, where the window begins.
    pub fn after_selected(&self) -> Vec<(i32, i64)> {
        let sel = self.cursor.selected;
        let Some(cur) = self.rows.get(sel) else {
            return self
                .partitions
                .iter()
                .map(|&p| (p, self.span_of(p).map_or(0, |s| s.0)))
                .collect();
        };
        self.partitions
            .iter()
            .map(|&p| {
                if p == cur.partition {
                    return (p, cur.offset);
                }
                let next = self
                    .rows
                    .range(sel + 1..)
                    .find(|m| m.partition == p)
                    .map(|m| m.offset);
                (p, next.or(self.span_of(p).map(|s| s.1)).unwrap_or(0))
            })
            .collect()
    }
}

impl App {
    /// `/` in the merged view: a new query, looked for forward from the selection.
    pub(super) fn start_merged_search(&mut self, query: Query) -> Vec<Effect> {
        let Some(pane) = self.merged.as_mut() else {
            return Vec::new();
        };
        pane.search = Some(PaneSearch::new(query));
        self.merged_search_again(false)
    }

    /// `n` and `N` in the merged view: the next or previous match in merged time order.
    pub(super) fn merged_search_again(&mut self, backward: bool) -> Vec<Effect> {
        let now = self.now();
        self.search_jobs += 1;
        let id = self.search_jobs;
        let Some(pane) = self.merged.as_mut() else {
            return Vec::new();
        };
        let mut at = pane.after_selected();
        if !backward && let Some(cur) = pane.selected() {
            let (p, o) = (cur.partition, cur.offset);
            if let Some(x) = at.iter_mut().find(|x| x.0 == p) {
                x.1 = o + 1;
            }
        }
        let topic = pane.topic.raw().to_string();
        let within = pane.filter.as_ref().map(|f| f.query.clone());
        let from = pane.selected().map_or(0, |m| m.timestamp);
        let Some(search) = pane.search.as_mut() else {
            pane.warning = Some(Safe::new("no search yet: / starts one"));
            return vec![Effect::Redraw];
        };
        search.note = None;
        search.scanning = Some(Scanning::new(id, backward, from, now));
        vec![
            Effect::MergedSearch(MergedSearchJob {
                id,
                topic,
                query: search.query.clone(),
                within,
                at,
                backward,
            }),
            Effect::Redraw,
        ]
    }

    /// A merged search's report; reports of replaced scans are ignored.
    pub(super) fn on_merged_search(&mut self, id: u64, report: SearchReport) -> Vec<Effect> {
        let now = self.now();
        let rows = self.list_rows();
        let tz = self.time_zone;
        let Some(pane) = self.merged.as_mut() else {
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
            SearchReport::FoundMerged {
                partition,
                offset,
                at,
                ..
            } => {
                search.scanning = None;
                if self.screen == Screen::Detail {
                    self.detail = None;
                    self.screen = Screen::Merged;
                }
                if let Some(i) = pane
                    .rows
                    .iter()
                    .position(|m| (m.partition, m.offset) == (partition, offset))
                {
                    let shift = i as isize - pane.cursor.selected as isize;
                    return pane.move_by(shift, rows).into_iter().collect();
                }
                let fx = pane.jump(MergedStart::At(at));
                pane.want(Some((partition, offset)));
                return vec![fx, Effect::Redraw];
            }
            SearchReport::NotFound { scanned, .. } => {
                let (backward, from) = (scan.backward, scan.from);
                search.scanning = None;
                let when = crate::render::format_time(tz, from);
                search.note = Some(if backward {
                    format!("no match before {when} ({scanned} records scanned)")
                } else {
                    format!("no match after {when} to the end ({scanned} records scanned)")
                });
            }
            SearchReport::Failed(e) => {
                search.scanning = None;
                self.popup = Some(Safe::new(&format!("search failed: {e}")));
            }
            SearchReport::Found { .. } => search.scanning = None,
        }
        vec![Effect::Redraw]
    }

    /// `&` in the merged view: only matching records, from the topic's beginning.
    pub(super) fn apply_merged_filter(&mut self, query: Query) -> Vec<Effect> {
        let Some(pane) = self.merged.as_mut() else {
            return Vec::new();
        };
        pane.filter = Some(PaneFilter::new(query, pane.generation + 1));
        pane.follow = false;
        self.detail = None;
        self.screen = Screen::Merged;
        vec![pane.jump(MergedStart::Beginning), Effect::Redraw]
    }

    /// Esc in the merged view: stop the search scan, else clear the filter (back to every
    /// record, at the selected one's time), else leave.
    pub(super) fn merged_back(&mut self) -> Option<Vec<Effect>> {
        let pane = self.merged.as_mut()?;
        if let Some(s) = pane.search.as_mut()
            && s.scanning.take().is_some()
        {
            return Some(vec![Effect::StopSearch, Effect::Redraw]);
        }
        if pane.filter.take().is_some() {
            let at = pane
                .selected()
                .map(|m| (m.timestamp, m.partition, m.offset));
            let start = at.map_or(MergedStart::Beginning, |(t, _, _)| MergedStart::Time(t));
            let fx = pane.jump(start);
            pane.want(at.map(|(_, p, o)| (p, o)));
            return Some(vec![fx, Effect::Redraw]);
        }
        None
    }
}

#[cfg(test)]
#[path = "merged_search_tests.rs"]
mod tests;
