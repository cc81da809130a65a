//! `draw(&App, &mut Frame)`: a pure function of the state, one module per pane.

mod configs;
pub mod connecting;
mod detail;
mod groups;
mod help;
mod merged;
mod messages;
mod partitions;
pub mod picker;
mod popup;
mod results;
mod search;
mod status;
pub mod theme;
mod topics;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::{App, Screen};
use crate::render::Safe;

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let [title, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    title_bar(app, frame, title);
    match app.screen {
        Screen::Topics => topics::draw(app, frame, body),
        Screen::Partitions if app.results.is_some() => results::draw(app, frame, body),
        Screen::Partitions if app.configs.is_some() => configs::draw(app, frame, body),
        Screen::Partitions => partitions::draw(app, frame, body),
        Screen::Messages => messages::draw(app, frame, body),
        Screen::Detail => detail::draw(app, frame, body),
        Screen::Groups => groups::draw_list(app, frame, body),
        Screen::Group => groups::draw_group(app, frame, body),
        Screen::Merged => merged::draw(app, frame, body),
    }
    status::draw(app, frame, status);
    if app.help {
        help::draw(app, frame);
    }
    if let Some(p) = &app.prompt {
        popup::prompt(p, frame);
    }
    if let Some(p) = &app.search_prompt {
        search::prompt(p, frame);
    }
    if let Some(e) = &app.popup {
        popup::error(e, frame);
    }
}

/// In the title bar all session long when certificate checks are off.
const TLS_UNVERIFIED: &str = "⚠ TLS UNVERIFIED";

fn title_bar(app: &App, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(" kbrowse ", theme::brand()), Span::raw(" ")];
    // Before the breadcrumb, which is cut first when the bar is narrow.
    if app.tls_unverified {
        spans.push(Span::styled(TLS_UNVERIFIED, theme::bad()));
        spans.push(Span::raw(" "));
    }
    spans.push(Safe::new(&app.brokers).into());
    let sep = || Span::raw(" › ");
    if let Screen::Groups | Screen::Group = app.screen {
        spans.push(sep());
        spans.push(Span::raw("groups"));
        if let (Some(v), Screen::Group) = (&app.groups.open, app.screen) {
            spans.push(sep());
            spans.push(v.group.safe().into());
        }
    } else if let Some(p) = &app.partitions {
        spans.push(sep());
        spans.push(p.topic.safe().into());
    }
    if let (Some(m), Screen::Messages | Screen::Detail) = (&app.messages, app.screen) {
        spans.push(sep());
        spans.push(Span::raw(format!("partition {}", m.partition)));
    }
    if app.merged_is_up() {
        spans.push(sep());
        spans.push(Span::raw("all partitions"));
    }
    if let (Some(d), Screen::Detail) = (&app.detail, app.screen) {
        spans.push(sep());
        spans.push(Span::raw(format!("offset {}", d.message.offset)));
    }
    let hint = status::hints(&crate::app::keymap::GENERAL, usize::MAX);
    let w = hint.chars().count() as u16;
    let show_hint = area.width > w + 20;
    // The breadcrumb gives way to the hints: cut with `…`, never drawn under them.
    let room = if show_hint {
        area.width.saturating_sub(w + 1)
    } else {
        area.width
    };
    frame.render_widget(
        Paragraph::new(Line::from(truncate(spans, room as usize))).style(theme::title_bar()),
        area,
    );
    if show_hint {
        let right = Rect {
            x: area.x + area.width - w,
            width: w,
            ..area
        };
        frame.render_widget(Paragraph::new(hint).style(theme::title_bar()), right);
    }
}

/// `spans` cut to `max` columns, ending in `…` when cut.
fn truncate(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(Span::width).sum();
    if total <= max {
        return spans;
    }
    let mut out = Vec::new();
    let mut left = max.saturating_sub(1);
    for span in spans {
        if left == 0 {
            break;
        }
        let w = span.width();
        if w <= left {
            left -= w;
            out.push(span);
            continue;
        }
        let mut text = String::new();
        for c in span.content.chars() {
            let cw = Span::raw(c.to_string()).width();
            if cw > left {
                break;
            }
            left -= cw;
            text.push(c);
        }
        out.push(Span::styled(text, span.style));
        break;
    }
    if max > 0 {
        out.push(Span::raw("…"));
    }
    out
}

/// Columns between table columns: less on a narrow terminal.
fn spacing(inner: u16) -> u16 {
    if inner >= 100 { 2 } else { 1 }
}

/// Which of the columns `widths` are drawn in `inner` columns: all that fit, dropping them in
/// `drop_order` until the rest do. Each width is at least its header's, so a header is shown
/// whole or not at all, never with its first letters cut.
fn fit_columns(widths: &[u16], drop_order: &[usize], inner: u16, spacing: u16) -> Vec<bool> {
    let mut keep = vec![true; widths.len()];
    let need = |keep: &[bool]| {
        let (n, sum) = widths
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .fold((0u16, 0u16), |(n, s), (w, _)| (n + 1, s.saturating_add(*w)));
        sum.saturating_add(n.saturating_sub(1).saturating_mul(spacing))
    };
    for &i in drop_order {
        if need(&keep) <= inner {
            break;
        }
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
    }
    keep
}

/// The bordered block every pane sits in.
fn pane(title: Line<'static>) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border())
        .title(title)
}

use crate::render::thousands;

/// A rectangle of at most `w` x `h` centred in `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod detail_tests;

#[cfg(test)]
mod groups_tests;
