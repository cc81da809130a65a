//! The status line: where you are, what the reader does, how fast; or the filter being typed.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use ratatui::style::Style;

use super::{theme, thousands};
use crate::app::keymap::{Hint, KeyTable};
use crate::app::{Activity, App, MessagePane, ReaderStatus, Screen};
use crate::kafka::Watermarks;
use crate::render::{Safe, count, offsets, span};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    if let Some(input) = &app.topics.filter_input {
        let width = area.width.saturating_sub(3) as usize;
        let scroll = input.visual_scroll(width);
        let line = Line::from(vec![
            Span::styled(" /", theme::hotkey()),
            Span::raw(input.value().chars().skip(scroll).collect::<String>()),
        ]);
        frame.render_widget(Paragraph::new(line).style(theme::status()), area);
        let x = area.x + 2 + (input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        return;
    }
    let parts = parts(app);
    let width = area.width as usize;
    // The hints that stay longest keep their room; the parts take the rest.
    let least = first_hints(app.screen_table()).chars().count();
    let reserve = if least > 0 { least + 2 } else { 0 };
    let mut left = compose(parts, width.saturating_sub(reserve).max(width / 2));
    let used: usize = left.iter().map(Span::width).sum();
    let room = width.saturating_sub(used);
    let hints = hints(app.screen_table(), room.saturating_sub(2));
    if !hints.is_empty() {
        left.push(Span::raw(" ".repeat(room - hints.chars().count())));
        left.push(Span::styled(
            hints,
            theme::status().fg(ratatui::style::Color::Gray),
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(left)).style(theme::status()),
        area,
    );
}

/// One piece of the status line: where you are, what the reader does, how fast, a warning.
/// A narrow line drops the pieces with the highest `priority` number first.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The piece's text.
    pub spans: Vec<Span<'static>>,
    /// 0 stays longest.
    pub priority: u8,
    /// Takes the room the other pieces leave, cut with `…`; never makes another piece go
    /// (a warning, whose text may be long).
    pub fill: bool,
}

impl Part {
    /// A piece that is dropped whole when there is no room for it.
    pub fn new(priority: u8, span: Span<'static>) -> Part {
        Part {
            spans: vec![span],
            priority,
            fill: false,
        }
    }

    /// A piece that takes what room is left (a warning).
    pub fn fill(span: Span<'static>) -> Part {
        Part {
            spans: vec![span],
            priority: 0,
            fill: true,
        }
    }

    fn width(&self) -> usize {
        self.spans.iter().map(Span::width).sum()
    }
}

const SEP: &str = " │ ";

/// The status line's pieces for the screen that is up, in the order they are shown.
pub fn parts(app: &App) -> Vec<Part> {
    let mut parts = match app.screen {
        Screen::Topics => vec![Part::new(0, Span::raw(topic_count(&app.topics)))],
        Screen::Partitions => partitions_parts(app),
        _ if app.merged_is_up() => super::merged::status_parts(app),
        Screen::Messages | Screen::Detail => reader_parts(app),
        Screen::Merged => Vec::new(),
        Screen::Groups => {
            let g = &app.groups;
            let order = if g.by_lag { "by lag" } else { "by name" };
            let n = g.rows.len() as i64;
            vec![
                Part::new(0, Span::raw(crate::render::count(n, "group"))),
                Part::new(1, Span::raw(format!("sorted {order}"))),
            ]
        }
        Screen::Group => {
            let lag: i64 = app
                .groups
                .open
                .iter()
                .flat_map(|v| &v.rows)
                .filter_map(|r| r.lag)
                .sum();
            vec![Part::new(
                0,
                Span::raw(format!("total lag {}", crate::render::thousands(lag))),
            )]
        }
    };
    if let Some(w) = &app.warning {
        parts.push(Part::fill(Span::styled(format!("⚠ {w}"), theme::bad())));
    }
    parts
}

/// The parts joined by separators in `width` columns: the least important dropped first,
/// and what still does not fit cut with `…`. A filling part (a warning) never makes the
/// first two ranks (0 and 1) go; the others give it room.
pub fn compose(mut parts: Vec<Part>, width: usize) -> Vec<Span<'static>> {
    let total = |parts: &[Part], with_fill: bool| -> usize {
        let shown: Vec<&Part> = parts.iter().filter(|p| with_fill || !p.fill).collect();
        let seps = SEP.chars().count() * shown.len().saturating_sub(1);
        shown.iter().map(|p| p.width()).sum::<usize>() + seps + 1
    };
    // The least important fixed part that may go: any when the fixed parts alone do not
    // fit (but the last), else one ranked 2 or lower to make room for a warning.
    let droppable = |parts: &[Part], alone: bool| {
        let fixed = parts.iter().filter(|p| !p.fill).count();
        parts
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.fill && (p.priority >= 2 || (alone && fixed > 1)))
            .max_by_key(|(i, p)| (p.priority, *i))
            .map(|(i, _)| i)
    };
    loop {
        let worst = if total(&parts, false) > width {
            droppable(&parts, true)
        } else if total(&parts, true) > width {
            droppable(&parts, false)
        } else {
            None
        };
        match worst {
            Some(i) => {
                parts.remove(i);
            }
            None => break,
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(SEP));
        }
        spans.extend(part.spans);
    }
    super::truncate(spans, width)
}

/// `18 topics`, or with a filter `3 of 18 topics`.
pub fn topic_count(list: &crate::app::TopicList) -> String {
    let all = list.rows.len() as i64;
    if list.filter.is_empty() {
        count(all, "topic")
    } else {
        format!(
            "{} of {}",
            thousands(list.visible_len() as i64),
            count(all, "topic")
        )
    }
}

fn partitions_parts(app: &App) -> Vec<Part> {
    let Some(p) = app.partitions.as_ref() else {
        return Vec::new();
    };
    if !p.loaded {
        return vec![Part::new(0, Span::raw("loading partitions…"))];
    }
    let records: i64 = p.rows.iter().filter_map(|r| r.messages()).sum();
    let mut parts = vec![
        Part::new(0, Span::raw(count(p.rows.len() as i64, "partition"))),
        Part::new(1, Span::raw(count(records, "record"))),
    ];
    // What the groups column cannot show, once it shows something (else the column says it).
    let note = app
        .topic_groups
        .as_ref()
        .filter(|g| !g.committed.is_empty())
        .and_then(|g| g.note.as_ref());
    if let Some(note) = note {
        parts.push(Part::new(2, Span::styled(note.to_string(), theme::dim())));
    }
    parts
}

/// Where the selection is in the partition: `offset 25,000 of 0–25,000`.
pub fn position(offset: Option<i64>, marks: Option<Watermarks>) -> Option<String> {
    match (offset, marks) {
        (Some(o), Some(w)) if w.high > w.low => Some(format!(
            "offset {} of {}",
            thousands(o),
            span(w.low, w.high - 1)
        )),
        (Some(o), _) => Some(format!("offset {}", thousands(o))),
        (None, Some(w)) if w.high <= w.low => Some(format!(
            "no records (the next offset is {})",
            thousands(w.high)
        )),
        (None, Some(w)) => Some(format!(
            "{} at {}",
            count(w.high - w.low, "record"),
            offsets(w.low, w.high - 1)
        )),
        (None, None) => None,
    }
}

/// The offsets the window holds: `offsets 0–9,999 loaded`.
pub fn loaded(first: i64, last: i64) -> String {
    format!("{} loaded", offsets(first, last))
}

/// The records per second that arrive new: `12 rec/s`.
pub fn rate(per_second: f64) -> String {
    format!("{} rec/s", thousands(per_second.round() as i64))
}

/// The follow marker: `3 new below — G to jump`.
pub fn new_below(n: usize) -> String {
    format!("{} new below — G to jump", thousands(n as i64))
}

/// What the pane is doing, in words, and the style they are drawn in; None when nothing
/// runs and there is nothing to say.
pub fn activity(pane: &MessagePane) -> Option<(String, Style)> {
    let said = match pane.activity() {
        Activity::Loading => ("● loading".to_string(), theme::busy()),
        Activity::Following { new_below: 0 } => ("● following".to_string(), theme::good()),
        Activity::Following { new_below: n } => {
            (format!("● following · {}", new_below(n)), theme::good())
        }
        Activity::Tailing => ("● tailing".to_string(), theme::good()),
        Activity::CaughtUp => ("● caught up".to_string(), theme::good()),
        Activity::StoppedFollowing => ("● stopped following".to_string(), theme::status()),
        Activity::Idle => return None,
        Activity::Trouble => match &pane.status {
            ReaderStatus::Reconnecting { attempt, error } => (
                format!(
                    "● reconnecting (attempt {attempt}): {}",
                    Safe::display(error)
                ),
                theme::bad(),
            ),
            ReaderStatus::Failed(e) => (format!("● error: {}", Safe::display(e)), theme::bad()),
            _ => return None,
        },
    };
    Some(said)
}

/// The hints that stay longest (priority 0), as the line shows them.
fn first_hints(table: &KeyTable) -> String {
    let mut s = String::new();
    for (key, h) in table.hints().filter(|(_, h)| h.priority == 0) {
        s.push_str(&format!("{} {}  ", key.name(), h.word));
    }
    // As `hints` writes them: one space kept at the end, before the line's edge.
    s.pop();
    s
}

/// The table's hints that fit in `room` columns, dropping the least important first, in
/// table order: `/ filter  ⏎ open `.
pub fn hints(table: &KeyTable, room: usize) -> String {
    let all: Vec<(String, Hint)> = table.hints().map(|(k, h)| (k.name(), h)).collect();
    let text = |max: u8| {
        let mut s = String::new();
        for (key, h) in all.iter().filter(|(_, h)| h.priority <= max) {
            s.push_str(&format!("{key} {}  ", h.word));
        }
        s.pop();
        s
    };
    let mut max = all.iter().map(|(_, h)| h.priority).max().unwrap_or(0);
    loop {
        let s = text(max);
        if s.chars().count() <= room {
            return s;
        }
        match max.checked_sub(1) {
            Some(m) => max = m,
            None => return String::new(),
        }
    }
}

fn reader_parts(app: &App) -> Vec<Part> {
    let Some(p) = &app.messages else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    // A filter or a search under way says so first: on a narrow terminal it is what is kept.
    let search = super::search::status_spans(p);
    for group in search.split(|s| s.content == " │ ") {
        if !group.is_empty() {
            parts.push(Part {
                spans: group.to_vec(),
                priority: 0,
                fill: false,
            });
        }
    }
    if let Some((text, style)) = activity(p) {
        parts.push(Part::new(0, Span::styled(text, style)));
    }
    let selected = p.window.row(p.cursor.selected).map(|r| r.first());
    if let Some(text) = position(selected, p.watermarks) {
        parts.push(Part::new(1, Span::raw(text)));
    }
    if let (Some(a), Some(b)) = (p.window.first_offset(), p.window.last_offset()) {
        parts.push(Part::new(3, Span::raw(loaded(a, b))));
    }
    if p.live() {
        parts.push(Part::new(2, Span::raw(rate(p.rate))));
    }
    if let Some(s) = &app.saving {
        // First: on a narrow line the save's progress is what stays.
        let text = Safe::new(&s.describe());
        parts.insert(
            0,
            Part::new(0, Span::styled(format!("● {text}"), theme::busy())),
        );
    }
    if let Some(w) = &p.warning {
        parts.push(Part::fill(Span::styled(format!("⚠ {w}"), theme::bad())));
    }
    parts
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
