//! The status line: where you are, what the reader does, how fast; or the filter being typed.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{theme, thousands};
use crate::app::keymap::{Hint, KeyTable};
use crate::app::{App, ReaderStatus, Screen};
use crate::render::Safe;

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
    let sep = || Span::raw(" │ ");
    let mut left: Vec<Span> = match app.screen {
        Screen::Topics => {
            let n = app.topics.rows.len();
            vec![Span::raw(format!(" {} topics", thousands(n as i64)))]
        }
        Screen::Partitions => {
            let p = app.partitions.as_ref();
            let total: i64 = p.map_or(0, |p| p.rows.iter().filter_map(|r| r.messages()).sum());
            let text = format!(
                " {} · {} messages",
                p.map(|p| p.topic.safe()).unwrap_or_default(),
                thousands(total)
            );
            vec![Span::raw(text)]
        }
        Screen::Messages | Screen::Detail => reader_spans(app),
        Screen::Groups => {
            let g = &app.groups;
            let order = if g.by_lag { "by lag" } else { "by name" };
            vec![Span::raw(format!(
                " {} groups · {order}",
                thousands(g.rows.len() as i64)
            ))]
        }
        Screen::Group => {
            let lag: i64 = app
                .groups
                .open
                .iter()
                .flat_map(|v| &v.rows)
                .filter_map(|r| r.lag)
                .sum();
            vec![Span::raw(format!(" total lag {}", thousands(lag)))]
        }
    };
    if let Some(w) = &app.warning {
        left.push(sep());
        left.push(Span::styled(format!("⚠ {w}"), theme::bad()));
    }
    let left = super::truncate(left, area.width as usize);
    let mut left = left;
    let used: usize = left.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(used);
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

fn reader_spans(app: &App) -> Vec<Span<'static>> {
    let Some(p) = &app.messages else {
        return Vec::new();
    };
    let sep = || Span::raw(" │ ");
    let mut spans = vec![Span::raw(format!(" {}/{}", p.topic, p.partition))];
    // A filter or a search under way says so first: on a narrow terminal it is what is kept.
    spans.extend(super::search::status_spans(p));
    spans.push(sep());
    let loaded = match (p.window.first_offset(), p.window.last_offset()) {
        (Some(a), Some(b)) => format!("{}–{}", thousands(a), thousands(b)),
        _ => "none".to_string(),
    };
    let of = p.watermarks.map_or(String::new(), |w| {
        format!(" of {}–{}", thousands(w.low), thousands(w.high))
    });
    spans.push(Span::raw(format!("offsets {loaded}{of}")));
    spans.push(sep());
    spans.push(Span::raw(format!(
        "{} rec/s",
        thousands(p.rate.round() as i64)
    )));
    spans.push(sep());
    let (text, style) = match &p.status {
        ReaderStatus::Paused => ("● paused".to_string(), theme::status()),
        ReaderStatus::Starting => ("● starting".to_string(), theme::busy()),
        ReaderStatus::Fetching => ("● fetching".to_string(), theme::busy()),
        ReaderStatus::CaughtUp => ("● caught up".to_string(), theme::good()),
        ReaderStatus::Following => ("● following".to_string(), theme::good()),
        ReaderStatus::Reconnecting { attempt, error } => (
            format!(
                "● reconnecting (attempt {attempt}): {}",
                Safe::display(error)
            ),
            theme::bad(),
        ),
        ReaderStatus::Failed(e) => (format!("● error: {}", Safe::display(e)), theme::bad()),
    };
    spans.push(Span::styled(text, style));
    if let Some(w) = &p.warning {
        spans.push(sep());
        spans.push(Span::styled(format!("⚠ {w}"), theme::bad()));
    }
    spans
}
