//! The detail view: the record's facts, then its value as text, hex or JSON.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{pane, theme, thousands};
use crate::app::detail::NULL_MARK;
use crate::app::{App, ValueView, geometry};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(d) = &app.detail else { return };
    let next = match d.view {
        ValueView::Text => "hex",
        ValueView::Hex => "json/text",
        ValueView::Json => "text",
    };
    let title = Line::from(vec![
        Span::styled(
            format!(" Offset {} ", d.message.offset),
            theme::block_title(),
        ),
        Span::styled(format!("· value as {} ", d.view.name()), theme::dim()),
        Span::styled("x", theme::hotkey()),
        Span::styled(format!(": {next} "), theme::dim()),
    ]);
    let rows = geometry::detail_rows(app.size.1);
    let total = d.total_lines();
    let last = (d.scroll + rows).min(total);
    // While a large value is indexed off the UI thread, the count is what is known so far.
    let more = if d.indexing() { "+ · indexing…" } else { "" };
    let pos = format!(
        " lines {}-{} of {}{more} ",
        thousands(d.scroll as i64 + 1),
        thousands(last as i64),
        thousands(total as i64)
    );
    let block = pane(title).title_bottom(
        Line::from(pos)
            .alignment(Alignment::Right)
            .style(theme::dim()),
    );
    let head = d.head_lines();
    let width = geometry::detail_width(app.size.0);
    let lines: Vec<Line> = (d.scroll..last)
        .map(|i| {
            if let Some(f) = d.facts.get(i) {
                let mut spans = vec![
                    Span::styled(format!("{:<10} ", f.label), theme::label()),
                    f.value.clone().into(),
                ];
                if f.null {
                    spans.push(Span::styled(NULL_MARK, theme::null()));
                }
                Line::from(spans)
            } else if i + 1 == head {
                let label = format!("── value ({}) ", d.view.name());
                let fill = "─".repeat(width.saturating_sub(label.chars().count()));
                Line::from(Span::styled(format!("{label}{fill}"), theme::dim()))
            } else if let (Some(mark), 0) = (d.placeholder(), i - head) {
                Line::from(Span::styled(mark, theme::null()))
            } else {
                Line::from(d.value_line(i - head))
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
