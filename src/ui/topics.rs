//! The topic list: name, partitions, messages; internal topics marked.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme, thousands};
use crate::app::App;

/// Columns beside the name: partitions and messages, and the spacing between the three.
const OTHER_COLUMNS: u16 = 10 + 16 + 2 * 2;
/// What marks an internal topic after its name.
const INTERNAL: &str = "  internal";

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let list = &app.topics;
    let visible = list.visible();
    let mut title = vec![Span::styled(
        format!(" Topics ({}) ", visible.len()),
        theme::block_title(),
    )];
    if !list.filter.is_empty() && list.filter_input.is_none() {
        title.push(Span::styled(
            format!("filter: {} ", list.filter),
            theme::dim(),
        ));
    }
    let block = pane(Line::from(title));
    if !list.loaded {
        frame.render_widget(
            Paragraph::new("loading topics…")
                .style(theme::dim())
                .block(block),
            area,
        );
        return;
    }
    let rows_shown = app.list_rows();
    let name_width = area.width.saturating_sub(2 + OTHER_COLUMNS) as usize;
    let rows = visible
        .iter()
        .enumerate()
        .skip(list.cursor.top)
        .take(rows_shown)
        .map(|(i, t)| {
            // One column is left for the `…` that marks a cut name.
            let name = if t.internal {
                let room = name_width.saturating_sub(INTERNAL.len() + 1);
                Line::from(vec![
                    t.name.safe_line(room).into(),
                    Span::styled(INTERNAL, theme::dim()),
                ])
            } else {
                Line::from(t.name.safe_line(name_width.saturating_sub(1)))
            };
            let messages = t.messages.map_or("…".to_string(), thousands);
            let row = Row::new(vec![
                Cell::from(name),
                Cell::from(Line::from(t.partitions.to_string()).alignment(Alignment::Right)),
                Cell::from(Line::from(messages).alignment(Alignment::Right)),
            ]);
            if i == list.cursor.selected {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let header = Row::new(vec![
        Cell::from("Topic"),
        Cell::from(Line::from("Partitions").alignment(Alignment::Right)),
        Cell::from(Line::from("Messages").alignment(Alignment::Right)),
    ])
    .style(theme::header());
    let widths = [
        Constraint::Min(20),
        Constraint::Length(10),
        Constraint::Length(16),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(2);
    frame.render_widget(table, area);
    if visible.is_empty() {
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1,
        };
        let text = if list.rows.is_empty() {
            "no topics"
        } else {
            "no topic matches the filter"
        };
        frame.render_widget(Paragraph::new(text).style(theme::dim()), inner);
    }
}
