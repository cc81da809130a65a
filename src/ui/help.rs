//! The help overlay: every key, grouped by screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{centered, theme};
use crate::app::App;

type Group = (&'static str, &'static [(&'static str, &'static str)]);

/// Keys that work on every screen, and on the lists.
pub const GENERAL: &[Group] = &[
    (
        "Everywhere",
        &[
            ("j k  ↓ ↑", "move"),
            ("PgDn PgUp ^d ^u", "page"),
            ("g G  Home End", "first / last row"),
            ("⏎", "open"),
            ("Esc", "back, or cancel an input"),
            ("wheel, click", "scroll, select a row"),
            ("?", "this help"),
            ("q", "quit (when not typing)"),
            ("^c", "quit, always"),
        ],
    ),
    (
        "Topics",
        &[
            ("/", "filter as you type (⏎ keep, Esc clear)"),
            ("c", "another cluster profile (if several)"),
        ],
    ),
    (
        "Partitions",
        &[
            ("⏎", "read from the beginning"),
            ("o  t", "read from an offset / a time"),
        ],
    ),
];

/// Keys of the message pane and the detail view.
pub const READING: &[Group] = &[
    (
        "Messages",
        &[
            ("g  G", "the partition's beginning / end"),
            ("o", "jump: N, -N (before the end), @TIME"),
            ("t", "jump to a time: -15m, -2h, -1d,"),
            ("", "  2024-05-01 12:00, RFC3339"),
            ("f", "follow new records (again: stop)"),
            ("⏎", "the record in detail"),
        ],
    ),
    (
        "Detail",
        &[
            ("x", "value: text → hex → JSON (if it parses)"),
            ("j k g G", "scroll"),
        ],
    ),
];

fn lines(groups: &[Group]) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (group, keys) in groups {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::from(Span::styled(*group, theme::label())));
        for (k, what) in *keys {
            out.push(Line::from(vec![
                Span::styled(format!("  {k:<17}"), theme::hotkey()),
                Span::raw(*what),
            ]));
        }
    }
    out
}

pub fn draw(_app: &App, frame: &mut Frame) {
    let (left, right) = (lines(GENERAL), lines(READING));
    let two_columns = frame.area().width >= 100;
    let (w, h) = if two_columns {
        (118, left.len().max(right.len()) as u16 + 2)
    } else {
        (62, (left.len() + right.len() + 1) as u16 + 2)
    };
    let area = centered(frame.area(), w, h);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::hotkey())
        .title(Span::styled(" Keys ", theme::block_title()))
        .title_bottom(Line::from(" ? or Esc to close ").style(theme::dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if two_columns {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(inner);
        frame.render_widget(Paragraph::new(left), l);
        frame.render_widget(Paragraph::new(right), r);
    } else {
        let mut all = left;
        all.push(Line::raw(""));
        all.extend(right);
        frame.render_widget(Paragraph::new(all), inner);
    }
}
