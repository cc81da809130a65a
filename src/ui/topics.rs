//! The topic list: name, partitions, messages; internal topics marked.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme, thousands};
use crate::app::App;
use crate::render::Safe;

/// The partitions column: as wide as its header.
const PARTITIONS: u16 = 10;
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
    if let Some(who) = &app.listing_principal {
        title.push(Span::styled(
            format!("· only those {} may describe ", Safe::display(who)),
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
    let shown = || visible.iter().skip(list.cursor.top).take(rows_shown);
    // The messages column is as wide as the counts it shows (at least its header).
    let messages_width = shown()
        .map(|t| t.messages.map_or(1, |m| thousands(m).chars().count()))
        .max()
        .unwrap_or(0)
        .max(8) as u16;
    let inner = area.width.saturating_sub(2);
    let spacing = super::spacing(inner);
    let name_width = inner.saturating_sub(PARTITIONS + messages_width + 2 * spacing) as usize;
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
        Constraint::Length(name_width as u16),
        Constraint::Length(PARTITIONS),
        Constraint::Length(messages_width),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(spacing);
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
