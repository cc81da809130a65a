//! All of a topic's configs (`c` on the partitions screen): name, value, source; a `*` and a
//! colour on the ones that are not Kafka's defaults.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme};
use crate::app::App;

/// The widest source name (`dynamic default broker`).
const SOURCE_WIDTH: u16 = 22;

/// The configs view over the partitions screen.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = &app.configs else { return };
    let mut title = vec![
        Span::styled(" ", theme::block_title()),
        view.topic.safe().into(),
        Span::styled(" configs ", theme::block_title()),
    ];
    if view.loaded && view.error.is_none() {
        title.push(Span::styled(
            format!("· {} · {} set (*) ", view.rows.len(), view.changed()),
            theme::dim(),
        ));
    }
    let block = pane(Line::from(title));
    if let Some(e) = &view.error {
        let line = Line::styled(e.to_string(), theme::bad());
        let text = Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: true });
        frame.render_widget(text.block(block), area);
        return;
    }
    if !view.loaded {
        let text = Paragraph::new("loading configs…").style(theme::dim());
        frame.render_widget(text.block(block), area);
        return;
    }
    let inner = area.width.saturating_sub(2);
    let longest = view
        .rows
        .iter()
        .map(|r| r.name.to_string().chars().count())
        .max()
        .unwrap_or(0);
    // The name gets what it needs up to 40 columns (a third of a narrow screen); the value
    // the rest; the source its longest name, or is dropped when the screen is narrow.
    let show_source = inner >= 70;
    let fixed = 1 + if show_source { SOURCE_WIDTH + 3 } else { 2 };
    let name_width = (longest as u16).clamp(4, 40).min(inner / 3).max(4);
    let value_width = inner.saturating_sub(fixed + name_width);
    let rows = view
        .rows
        .iter()
        .enumerate()
        .skip(view.cursor.top)
        .take(app.list_rows())
        .map(|(i, r)| {
            let value: Line = if r.sensitive {
                Line::styled("(sensitive: not shown)", theme::null())
            } else {
                match &r.value {
                    Some(v) => Line::from(Span::from(v.safe_line(value_width as usize))),
                    None => Line::styled("(none)", theme::null()),
                }
            };
            let mut cells = vec![
                Cell::from(if r.changed { "*" } else { " " }),
                Cell::from(Line::from(Span::from(
                    r.name.safe_line(name_width as usize),
                ))),
                Cell::from(value),
            ];
            if show_source {
                cells.push(Cell::from(r.source.clone()));
            }
            let row = Row::new(cells);
            if i == view.cursor.selected {
                row.style(theme::selected())
            } else if r.changed {
                row.style(theme::changed())
            } else {
                row
            }
        });
    let mut header = vec![Cell::from(""), Cell::from("Name"), Cell::from("Value")];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(name_width),
        Constraint::Length(value_width),
    ];
    if show_source {
        header.push(Cell::from("Source"));
        widths.push(Constraint::Length(SOURCE_WIDTH));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme::header()))
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, area);
    if view.rows.is_empty() {
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1,
        };
        frame.render_widget(Paragraph::new("no configs").style(theme::dim()), inner);
    }
}
