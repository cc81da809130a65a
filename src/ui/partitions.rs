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
        Span::styled(format!("· {} partitions ", list.rows.len()), theme::dim()),
    ]);
    let block = pane(title);
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
    let rows = list
        .rows
        .iter()
        .enumerate()
        .skip(list.cursor.top)
        .take(app.list_rows())
        .map(|(i, p)| {
            let leader = if p.leader < 0 {
                "none".to_string()
            } else {
                p.leader.to_string()
            };
            let row = Row::new(vec![
                right(p.id.to_string()),
                right(leader),
                Cell::from(ids(&p.replicas)),
                Cell::from(ids(&p.isr)),
                right(opt(p.low)),
                right(opt(p.high)),
                right(opt(p.messages())),
            ]);
            if i == list.cursor.selected {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let header = Row::new(vec![
        right("Partition".into()),
        right("Leader".into()),
        Cell::from("Replicas"),
        Cell::from("ISR"),
        right("Low".into()),
        right("High".into()),
        right("Messages".into()),
    ])
    .style(theme::header());
    let widths = [
        Constraint::Length(9),
        Constraint::Length(6),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(14),
        Constraint::Length(14),
        Constraint::Length(14),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(2),
        area,
    );
}
