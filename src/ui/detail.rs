//! The detail view: the record's facts, then its value as decoded or plain pretty JSON
//! (syntax-coloured), text or hex.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{pane, theme, thousands};
use crate::app::detail::{Detail, NULL_MARK};
use crate::app::{App, ValueView, geometry};
use crate::render::JsonToken;

fn token_style(t: JsonToken) -> Style {
    match t {
        JsonToken::Key => theme::json_key(),
        JsonToken::String => theme::json_string(),
        JsonToken::Number => theme::json_number(),
        JsonToken::Literal => theme::json_literal(),
        JsonToken::Punct => Style::new(),
    }
}

/// Value line `i`: coloured tokens in the JSON views, plain escaped text otherwise.
/// With the pane's search or filter (`terms`) highlighted.
fn value_line(d: &Detail, i: usize, terms: Option<&(Vec<String>, bool)>) -> Line<'static> {
    let styled = |s: crate::render::Safe, style: Style| match terms {
        Some((t, case)) => super::search::highlight(s, t, *case, style),
        None => vec![s.styled(style)],
    };
    match d.json_tokens(i) {
        Some(tokens) => Line::from(
            tokens
                .into_iter()
                .flat_map(|(t, s)| styled(s, token_style(t)))
                .collect::<Vec<_>>(),
        ),
        None => Line::from(styled(d.value_line(i), Style::new())),
    }
}

/// The view's name as the title and the value's rule say it: `decoded (Avro)`.
fn view_name(d: &Detail) -> String {
    match (d.view, d.decoding.as_ref().and_then(|x| x.value.as_ref())) {
        (ValueView::Decoded, Some(crate::app::PartDecoding::Json { schema, .. })) => {
            format!("decoded ({})", schema.format)
        }
        (v, _) => v.name().to_string(),
    }
}

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(d) = &app.detail else { return };
    let title = Line::from(vec![
        Span::styled(
            format!(" Offset {} ", d.message.offset),
            theme::block_title(),
        ),
        Span::styled(format!("· value as {} · ", view_name(d)), theme::dim()),
        Span::styled("x", theme::hotkey()),
        Span::styled(format!(": {} ", d.next_view().name()), theme::dim()),
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
    // The pane's search or filter, highlighted here too.
    let terms = super::search::app_terms(app);
    let hl = |s: crate::render::Safe| match &terms {
        Some((t, case)) => Line::from(super::search::highlight(s, t, *case, Style::new())),
        None => Line::from(s),
    };
    let lines: Vec<Line> = (d.scroll..last)
        .map(|i| {
            if let Some(f) = d.facts.get(i) {
                let mut spans = vec![Span::styled(format!("{:<10} ", f.label), theme::label())];
                if f.failed {
                    spans.push(f.value.clone().styled(theme::error()));
                } else {
                    spans.extend(hl(f.value.clone()).spans);
                }
                if f.null {
                    spans.push(Span::styled(NULL_MARK, theme::null()));
                }
                Line::from(spans)
            } else if i + 1 == head {
                let label = format!("── value: {} ", view_name(d));
                let fill = "─".repeat(width.saturating_sub(label.chars().count()));
                Line::from(Span::styled(format!("{label}{fill}"), theme::dim()))
            } else if let (Some(mark), 0) = (d.placeholder(), i - head) {
                Line::from(Span::styled(mark, theme::null()))
            } else {
                value_line(d, i - head, terms.as_ref())
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
