//! The help overlay: every key table, as `app::keymap` defines it, so it is always complete.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{centered, theme};
use crate::app::App;
use crate::app::keymap::{self, Key, KeyTable};

/// Width of the key column.
const KEY_COLUMN: usize = 17;

/// The help's lines for `tables`: a title per table, a line per binding.
pub fn lines(tables: &[&KeyTable]) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for table in tables {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::from(Span::styled(table.name, theme::label())));
        for b in table.bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| Key::name(*k)).collect();
            out.push(row(keys.join(" "), b.description));
        }
        if let Some((_, what)) = table.otherwise {
            out.push(row("other keys".into(), what));
        }
    }
    out
}

fn row(keys: String, what: &'static str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {keys:<KEY_COLUMN$}"), theme::hotkey()),
        Span::raw(what),
    ])
}

/// Every table, the screen's own first.
pub fn ordered(app: &App) -> Vec<&'static KeyTable> {
    let mut tables = vec![app.screen_table(), &keymap::GENERAL, &keymap::ALWAYS];
    for t in keymap::ALL {
        if !tables.iter().any(|s| s.name == t.name) {
            tables.push(t);
        }
    }
    tables
}

pub fn draw(app: &App, frame: &mut Frame) {
    // The screen's own keys first, then the general ones, then every other table.
    let tables = ordered(app);
    let (left_tables, right_tables) = tables.split_at(tables.len() / 2);
    let (left, right) = (lines(left_tables), lines(right_tables));
    let two_columns = frame.area().width >= 100;
    let (w, h) = if two_columns {
        (118, left.len().max(right.len()) as u16 + 2)
    } else {
        (64, (left.len() + right.len() + 1) as u16 + 2)
    };
    let area = centered(frame.area(), w, h);
    frame.render_widget(Clear, area);
    let rows = area.height.saturating_sub(2) as usize;
    let total = if two_columns {
        left.len().max(right.len())
    } else {
        left.len() + right.len() + 1
    };
    let scroll = app.help_scroll.min(total.saturating_sub(rows));
    let mut bottom = " ? or Esc to close ".to_string();
    if total > rows {
        bottom = format!(
            " j k PgDn g G scroll · {}-{} of {} · ? close ",
            scroll + 1,
            (scroll + rows).min(total),
            total
        );
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::hotkey())
        .title(Span::styled(" Keys ", theme::block_title()))
        .title_bottom(Line::from(bottom).style(theme::dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let offset = (scroll.min(u16::MAX as usize) as u16, 0);
    if two_columns {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(inner);
        frame.render_widget(Paragraph::new(left).scroll(offset), l);
        frame.render_widget(Paragraph::new(right).scroll(offset), r);
    } else {
        let mut all = left;
        all.push(Line::raw(""));
        all.extend(right);
        frame.render_widget(Paragraph::new(all).scroll(offset), inner);
    }
}
