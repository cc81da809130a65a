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
    // The groups column takes the width the others leave (at least 12 columns).
    let used: u16 = widths
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(w, _)| *w + spacing)
        .sum();
    let groups = app
        .topic_groups
        .as_ref()
        .filter(|g| list.topic == g.topic && (g.loaded || g.note.is_some()));
    let groups_width = inner.saturating_sub(used);
    let groups = groups.filter(|_| groups_width >= 12);
    let highs: Vec<(i32, Option<i64>)> = list.rows.iter().map(|r| (r.id, r.high)).collect();
    let mut group_cells: Vec<Cell<'static>> = groups
        .map(|g| {
            let all = match &g.note {
                Some(note) if g.committed.is_empty() => {
                    Line::styled(fit(note.to_string(), groups_width), theme::dim())
                }
                _ => Line::from(lags(&g.totals(&highs), groups_width)),
            };
            std::iter::once(Cell::from(all))
                .chain(list.rows.iter().map(|r| {
                    Cell::from(Line::from(lags(
                        &g.of_partition(r.id, r.high),
                        groups_width,
                    )))
                }))
                .skip(list.cursor.top)
                .take(app.list_rows())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .rev()
        .collect();
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
            .chain(group_cells.pop())
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
            .chain(groups.map(|_| Cell::from("Groups (lag)")))
            .collect::<Vec<_>>(),
    )
    .style(theme::header());
    let widths: Vec<Constraint> = widths
        .iter()
        .enumerate()
        .filter(|(c, _)| keep[*c])
        .map(|(_, w)| Constraint::Length(*w))
        .chain(groups.map(|_| Constraint::Length(groups_width)))
        .collect();
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(spacing),
        area,
    );
}

/// A lag in at most 5 columns, cut (not rounded) to what it shows: 999, 1.2k, 12k, 3.4M.
fn short(n: i64) -> String {
    let tenths = |unit: i64| format!("{}.{}", n / unit, n % unit * 10 / unit);
    if n < 1_000 {
        n.to_string()
    } else if n < 10_000 {
        format!("{}k", tenths(1_000))
    } else if n < 1_000_000 {
        format!("{}k", n / 1_000)
    } else if n < 10_000_000 {
        format!("{}M", tenths(1_000_000))
    } else if n < 1_000_000_000 {
        format!("{}M", n / 1_000_000)
    } else {
        format!("{}G", tenths(1_000_000_000))
    }
}

/// `text` cut to `width` columns, ending in `…` when cut.
fn fit(text: String, width: u16) -> String {
    super::truncate(vec![Span::raw(text)], width as usize)
        .into_iter()
        .map(|s| s.content.into_owned())
        .collect()
}

/// `orders-svc 1.2k, audit 0`: each group (escaped) and its lag, cut to `width` columns.
fn lags(groups: &[(crate::render::Outside, Option<i64>)], width: u16) -> String {
    let text = groups
        .iter()
        .map(|(g, lag)| format!("{} {}", g, lag.map_or("?".to_string(), short)))
        .collect::<Vec<_>>()
        .join(", ");
    fit(text, width)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lags_are_short() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_234, "1.2k"),
            (12_345, "12k"),
            (3_456_789, "3.4M"),
            (9_999, "9.9k"),
            (45_000_000, "45M"),
            (7_100_000_000, "7.1G"),
        ];
        for (n, s) in cases {
            assert_eq!(super::short(n), s);
        }
    }
}
