//! The results of a topic search: partition, offset, time, key, and the value's snippet
//! around the match, highlighted.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::search::{highlight, short};
use super::{pane, theme, thousands};
use crate::app::App;
use crate::app::detail::NULL_MARK;
use crate::app::results::TopicResults;
use crate::render::Safe;

const TIME_WIDTH: u16 = 23;
const KEY_WIDTH: u16 = 20;

/// The value's escaped text cut to `width` columns around the first match: a leading `…`
/// when its beginning is left out.
fn snippet(b: &[u8], width: usize, terms: &[String], case_sensitive: bool) -> Safe {
    let full = Safe::line(b, 4 * width.max(8));
    let s: &str = &full;
    let hay = if case_sensitive {
        s.to_string()
    } else {
        s.to_ascii_lowercase()
    };
    let at = terms
        .iter()
        .filter(|t| !t.is_empty())
        .filter_map(|t| {
            let t = if case_sensitive {
                t.clone()
            } else {
                t.to_ascii_lowercase()
            };
            hay.find(&t)
        })
        .min();
    let start_char = match at {
        Some(byte) => {
            let chars_before = s.get(..byte).map_or(0, |p| p.chars().count());
            chars_before.saturating_sub(width / 3)
        }
        None => 0,
    };
    if start_char == 0 {
        return Safe::line(b, width.saturating_sub(1));
    }
    let rest: String = s.chars().skip(start_char).collect();
    let mut out = Safe::from("…");
    out.push(Safe::new(
        &rest
            .chars()
            .take(width.saturating_sub(2))
            .collect::<String>(),
    ));
    out
}

fn title(r: &TopicResults, topic: &str) -> Line<'static> {
    let state = if let Some(e) = &r.error {
        format!("failed: {e}")
    } else if r.running {
        "searching…".to_string()
    } else if r.full() {
        "first page full: m for more".to_string()
    } else {
        "done".to_string()
    };
    let of = if r.total > 0 {
        format!(" of {}", short(r.total))
    } else {
        String::new()
    };
    let mut spans = vec![
        Span::styled(format!(" {topic} "), theme::block_title()),
        Span::styled("· search: ", theme::dim()),
        Safe::new(&r.query.label()).into(),
        Span::styled(
            format!(
                " · from {} · scanned {}{of} · {} · ",
                r.from,
                short(r.scanned),
                crate::render::count((r.before + r.hits.len()) as i64, "match")
            ),
            theme::dim(),
        ),
    ];
    let style = if r.error.is_some() {
        theme::bad()
    } else if r.running {
        theme::busy()
    } else {
        theme::good()
    };
    spans.push(Span::styled(format!("{state} "), style));
    Line::from(spans)
}

/// Draws the results list in the partitions screen's body.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let (Some(r), Some(list)) = (&app.results, &app.partitions) else {
        return;
    };
    let mut block = pane(title(r, &list.topic.safe()));
    if !r.hits.is_empty() {
        let pos = format!(
            " {} / {} ",
            thousands((r.before + r.cursor.selected + 1) as i64),
            thousands((r.before + r.hits.len()) as i64)
        );
        block = block.title_bottom(
            Line::from(pos)
                .alignment(Alignment::Right)
                .style(theme::dim()),
        );
    }
    if r.hits.is_empty() {
        let text = if r.running {
            "no match yet…"
        } else {
            "no match"
        };
        frame.render_widget(Paragraph::new(text).style(theme::dim()).block(block), area);
        return;
    }
    let (terms, case) = r.query.terms();
    let digits = r
        .hits
        .iter()
        .map(|h| h.offset)
        .max()
        .unwrap_or(0)
        .to_string()
        .len()
        .max(6) as u16;
    let fixed = 4 + digits + TIME_WIDTH + KEY_WIDTH + 4 * 2;
    let value_width = area.width.saturating_sub(2).saturating_sub(fixed).max(10);
    let top = r.cursor.top;
    let rows = r
        .hits
        .iter()
        .enumerate()
        .skip(top)
        .take(app.list_rows())
        .map(|(i, h)| {
            let sel = i == r.cursor.selected;
            let pick = |s: Style| if sel { Style::new() } else { s };
            let key = match &h.key {
                None => Line::from(Span::styled(NULL_MARK, theme::null())),
                Some(k) => Line::from(highlight(
                    Safe::line(k, KEY_WIDTH.saturating_sub(1) as usize),
                    &terms,
                    case,
                    pick(theme::key()),
                )),
            };
            let value = match &h.value {
                None => Line::from(Span::styled(NULL_MARK, theme::null())),
                Some(v) => Line::from(highlight(
                    snippet(v, value_width as usize, &terms, case),
                    &terms,
                    case,
                    Style::new(),
                )),
            };
            let row = Row::new(vec![
                Cell::from(Line::from(h.partition.to_string()).alignment(Alignment::Right)),
                Cell::from(
                    Line::from(Span::styled(h.offset.to_string(), pick(theme::offset())))
                        .alignment(Alignment::Right),
                ),
                Cell::from(Span::styled(
                    crate::render::format_time(app.time_zone, h.timestamp),
                    pick(theme::time()),
                )),
                Cell::from(key),
                Cell::from(value),
            ]);
            if sel {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let header = Row::new(vec![
        Cell::from(Line::from("Part").alignment(Alignment::Right)),
        Cell::from(Line::from("Offset").alignment(Alignment::Right)),
        Cell::from("Time"),
        Cell::from("Key"),
        Cell::from("Value"),
    ])
    .style(theme::header());
    let widths = [
        Constraint::Length(4),
        Constraint::Length(digits),
        Constraint::Length(TIME_WIDTH),
        Constraint::Length(KEY_WIDTH),
        Constraint::Min(10),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(2),
        area,
    );
}
