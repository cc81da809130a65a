//! A topic's partitions: id, leader, replicas, low, high, messages.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme, thousands};
use crate::app::App;

fn ids(v: &[i32]) -> String {
    v.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn right(s: String) -> Cell<'static> {
    Cell::from(Line::from(s).alignment(Alignment::Right))
}

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(list) = &app.partitions else { return };
    let title = Line::from(vec![
        Span::styled(format!(" {} ", list.topic), theme::block_title()),
        Span::styled(
            format!(
                "· {} ",
                crate::render::count(list.rows.len() as i64, "partition")
            ),
            theme::dim(),
        ),
    ]);
    let mut block = pane(title);
    let configs = app
        .topic_configs
        .as_ref()
        .filter(|(t, c)| list.topic == *t && !c.is_empty());
    if let Some((_, configs)) = configs {
        let mut spans = vec![Span::raw(" ")];
        for (k, v) in configs {
            spans.push(Span::styled(format!("{k}="), theme::dim()));
            spans.push(v.safe_line(40).into());
            spans.push(Span::raw("  "));
        }
        spans.pop();
        spans.push(Span::raw(" "));
        block = block.title_bottom(Line::from(spans));
    }
    if !list.loaded {
        frame.render_widget(
            Paragraph::new("loading partitions…")
                .style(theme::dim())
                .block(block),
            area,
        );
        return;
    }
    let opt = |v: Option<i64>| v.map_or("…".to_string(), thousands);
    let sum = |f: fn(&crate::app::PartitionRow) -> Option<i64>| {
        list.rows.iter().map(f).sum::<Option<i64>>()
    };
    // The merged view's row: every partition in time order (`a` from any row).
    let all: [String; 7] = [
        "all".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        opt(sum(|p| p.messages())),
    ];
    let text: Vec<[String; 7]> = std::iter::once(all)
        .chain(list.rows.iter().map(|p| {
            let leader = if p.leader < 0 {
                "none".to_string()
            } else {
                p.leader.to_string()
            };
            [
                p.id.to_string(),
                leader,
                ids(&p.replicas),
                ids(&p.isr),
                opt(p.low),
                opt(p.high),
                opt(p.messages()),
            ]
        }))
        .skip(list.cursor.top)
        .take(app.list_rows())
        .collect();
    const HEADERS: [&str; 7] = [
        "Partition",
        "Leader",
        "Replicas",
        "ISR",
        "Low",
        "High",
        "Messages",
    ];
    // Replica lists are cut at 16 columns; a column is never narrower than its header.
    let widths: Vec<u16> = (0..7)
        .map(|i| {
            let content = text.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            let cap = if i == 2 || i == 3 { 16 } else { usize::MAX };
            content.min(cap).max(HEADERS[i].len()) as u16
        })
        .collect();
    let inner = area.width.saturating_sub(2);
    let spacing = super::spacing(inner);
    // What goes first when the width is short: replicas, in-sync replicas, leader, low.
    let keep = super::fit_columns(&widths, &[2, 3, 1, 4], inner, spacing);
    let left_aligned = |i: usize| i == 2 || i == 3;
    let cell = |i: usize, s: String| -> Cell<'static> {
        if left_aligned(i) {
            Cell::from(crate::render::fit_line(s.as_bytes(), widths[i] as usize))
        } else {
            right(s)
        }
    };
    let rows = text.into_iter().enumerate().map(|(i, r)| {
        let cells: Vec<Cell> = r
            .into_iter()
            .enumerate()
            .filter(|(c, _)| keep[*c])
            .map(|(c, s)| cell(c, s))
            .collect();
        let row = Row::new(cells);
        if list.cursor.top + i == list.cursor.selected {
            row.style(theme::selected())
        } else {
            row
        }
    });
    let header = Row::new(
        HEADERS
            .iter()
            .enumerate()
            .filter(|(c, _)| keep[*c])
            .map(|(c, h)| cell(c, h.to_string()))
            .collect::<Vec<_>>(),
    )
    .style(theme::header());
    let widths: Vec<Constraint> = widths
        .iter()
        .enumerate()
        .filter(|(c, _)| keep[*c])
        .map(|(_, w)| Constraint::Length(*w))
        .collect();
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(spacing),
        area,
    );
}
