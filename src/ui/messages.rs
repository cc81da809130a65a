//! The message table: offset, time, key, value (escaped, cut to the column), size.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme, thousands};
use crate::app::detail::NULL_MARK;
use crate::app::{App, Gap, GapKind, ReaderStatus, Row as WindowRow};
use crate::render::{Safe, escape_line};

const TIME_WIDTH: u16 = 23;
const KEY_WIDTH: u16 = 20;
const SIZE_WIDTH: u16 = 9;

fn bytes_cell(b: Option<&[u8]>, width: u16, style: ratatui::style::Style) -> Cell<'static> {
    match b {
        None => Cell::from(Span::styled(NULL_MARK, theme::null())),
        // One column is left for the ellipsis that marks a cut value.
        Some(b) => Cell::from(Safe::line(b, width.saturating_sub(1) as usize).styled(style)),
    }
}

fn size(n: usize) -> String {
    crate::render::byte_size(n)
}

/// What a gap marker row says: a label for the key column and the offsets (and reason)
/// for the value column, cut to `width` columns.
fn gap_text(gap: &Gap, width: usize) -> (&'static str, String) {
    let offsets = if gap.to - gap.from == 1 {
        format!("offset {}", gap.from)
    } else {
        format!("offsets {}–{}", gap.from, gap.to - 1)
    };
    let (label, text) = match &gap.kind {
        GapKind::Deleted => (
            "deleted",
            format!("{offsets} deleted before they were read"),
        ),
        GapKind::Missing => ("no records", format!("{offsets} (compacted or aborted)")),
        // The reason is our parser's words, but it may quote numbers from the wire.
        GapKind::Corrupt { reason } => ("corrupt batch", format!("{offsets} skipped: {reason}")),
    };
    (label, escape_line(text.as_bytes(), width.saturating_sub(1)))
}

/// A marker row for offsets without records: not a record, drawn in the warning style.
fn gap_row(gap: &Gap, sel: bool, value_width: u16) -> Row<'static> {
    let style = if sel {
        theme::selected()
    } else {
        theme::busy()
    };
    let (label, text) = gap_text(gap, value_width as usize);
    Row::new(vec![
        Cell::from(Line::from(gap.from.to_string()).alignment(Alignment::Right)),
        Cell::from("┄┄┄┄┄┄┄┄┄ gap ┄┄┄┄┄┄┄┄┄"),
        Cell::from(label),
        Cell::from(text),
        Cell::from(""),
    ])
    .style(style)
}

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(p) = &app.messages else { return };
    let mut title = vec![
        Span::styled(
            format!(" {}/{} ", p.topic, p.partition),
            theme::block_title(),
        ),
        Span::styled("· messages ", theme::dim()),
    ];
    if p.follow {
        title.push(Span::styled(
            "· following ",
            theme::good().bg(ratatui::style::Color::Reset),
        ));
    }
    let mut block = pane(Line::from(title));
    if !p.window.is_empty() {
        let pos = format!(
            " {} / {} ",
            thousands(p.cursor.selected as i64 + 1),
            thousands(p.window.len() as i64)
        );
        block = block.title_bottom(
            Line::from(pos)
                .alignment(Alignment::Right)
                .style(theme::dim()),
        );
    }
    if p.window.is_empty() {
        let text = match &p.status {
            ReaderStatus::CaughtUp | ReaderStatus::Following => {
                "no records here yet: waiting for new ones…"
            }
            ReaderStatus::Failed(_) => "the reader stopped: press g, G or o to read again",
            _ => "loading records…",
        };
        frame.render_widget(Paragraph::new(text).style(theme::dim()).block(block), area);
        return;
    }
    let digits = p.window.last_offset().unwrap_or(0).to_string().len().max(6) as u16;
    let inner_width = area.width.saturating_sub(2);
    let fixed = digits + TIME_WIDTH + KEY_WIDTH + SIZE_WIDTH + 4 * 2;
    let value_width = inner_width.saturating_sub(fixed).max(10);
    let top = p.cursor.top;
    let rows = p
        .window
        .range(top, top + app.list_rows())
        .enumerate()
        .map(|(i, row)| {
            // The selected row is drawn in one colour so that it stays readable.
            let sel = top + i == p.cursor.selected;
            let m = match row {
                WindowRow::Record(m) => m,
                WindowRow::Gap(gap) => return gap_row(gap, sel, value_width),
            };
            let pick = |style| {
                if sel {
                    ratatui::style::Style::new()
                } else {
                    style
                }
            };
            let row = Row::new(vec![
                Cell::from(
                    Line::from(Span::styled(m.offset.to_string(), pick(theme::offset())))
                        .alignment(Alignment::Right),
                ),
                Cell::from(Span::styled(
                    crate::render::format_time(app.time_zone, m.timestamp),
                    pick(theme::time()),
                )),
                {
                    // A schema-decoded key or value shows as one line of compact JSON.
                    let decoded = p.decoding(m.offset);
                    let key = decoded.and_then(|d| d.key.as_ref()).and_then(|d| d.json());
                    bytes_cell(
                        key.map(|k| &k[..]).or(m.key.as_deref()),
                        KEY_WIDTH,
                        pick(theme::key()),
                    )
                },
                {
                    let decoded = p.decoding(m.offset);
                    let value = decoded
                        .and_then(|d| d.value.as_ref())
                        .and_then(|d| d.json());
                    bytes_cell(
                        value.map(|v| &v[..]).or(m.value.as_deref()),
                        value_width,
                        ratatui::style::Style::new(),
                    )
                },
                Cell::from(
                    Line::from(size(crate::app::detail::key_value_size(m)))
                        .alignment(Alignment::Right),
                ),
            ]);
            if sel {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let header = Row::new(vec![
        Cell::from(Line::from("Offset").alignment(Alignment::Right)),
        Cell::from("Time"),
        Cell::from("Key"),
        Cell::from("Value"),
        Cell::from(Line::from("Key+Value").alignment(Alignment::Right)),
    ])
    .style(theme::header());
    let widths = [
        Constraint::Length(digits),
        Constraint::Length(TIME_WIDTH),
        Constraint::Length(KEY_WIDTH),
        Constraint::Min(10),
        Constraint::Length(SIZE_WIDTH),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(2),
        area,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_well() {
        assert_eq!(super::size(12), "12 B");
        assert_eq!(super::size(1536), "1.5 KiB");
        assert_eq!(super::size(3 << 20), "3.0 MiB");
    }
}
