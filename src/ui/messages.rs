//! The message table: offset, time, key, value (escaped, cut to the column), size.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme};
use crate::app::detail::NULL_MARK;
use crate::app::{App, Gap, GapKind, ReaderStatus, Row as WindowRow};
use crate::render::{Safe, escape_line, zone_label};

/// The key column is as wide as the widest visible key, up to this.
const KEY_CAP: u16 = 32;
/// Below this the value column takes columns from the others (Size goes first, then Key).
const VALUE_MIN: u16 = 16;

/// A key or value cell: whole when it fits, else cut with `…`; `shift` columns skipped first
/// (then `…` at the start says so).
/// The search's matches in it highlighted (`terms`: the pane's search or filter).
pub(super) fn bytes_cell(
    b: Option<&[u8]>,
    width: u16,
    shift: usize,
    style: ratatui::style::Style,
    terms: Option<&(Vec<String>, bool)>,
) -> Cell<'static> {
    let Some(b) = b else {
        return Cell::from(Span::styled(NULL_MARK, theme::null()));
    };
    let styled = |text: Safe| match terms {
        Some((t, case)) => Cell::from(Line::from(super::search::highlight(text, t, *case, style))),
        None => Cell::from(text.styled(style)),
    };
    if shift == 0 {
        return styled(Safe::line_fit(b, width as usize));
    }
    let (from, _) = crate::render::skip_cols(b, shift);
    let rest = b.get(from..).unwrap_or_default();
    let mut text = Safe::from("…");
    text.push(Safe::line_fit(rest, width.saturating_sub(1) as usize));
    styled(text)
}

/// `b` escaped and cut into lines of `width` columns, at most `max_lines` of them, the last
/// ending in `…` when more was left.
pub(super) fn wrapped(b: &[u8], width: usize, max_lines: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let text = Safe::line(b, (width * max_lines.max(1)).saturating_sub(1));
    let mut lines = Vec::new();
    let (mut line, mut cols) = (String::new(), 0);
    for c in text.as_str().chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if cols + w > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            cols = 0;
        }
        line.push(c);
        cols += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(Line::from(line));
    }
    lines
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

/// `┄┄┄ gap ┄┄┄` filling `width` columns.
fn gap_rule(width: usize) -> String {
    const WORD: &str = " gap ";
    if width < WORD.len() + 2 {
        return "┄".repeat(width);
    }
    let left = (width - WORD.len()) / 2;
    format!(
        "{}{WORD}{}",
        "┄".repeat(left),
        "┄".repeat(width - WORD.len() - left)
    )
}

/// A marker row for offsets without records: not a record, drawn in the warning style.
fn gap_row(gap: &Gap, sel: bool, c: &Columns) -> Row<'static> {
    let style = if sel {
        theme::selected()
    } else {
        theme::busy()
    };
    let (label, text) = gap_text(gap, c.value as usize);
    let mut cells = vec![
        Cell::from(Line::from(gap.from.to_string()).alignment(Alignment::Right)),
        Cell::from(gap_rule(c.time as usize)),
        Cell::from(crate::render::fit_line(label.as_bytes(), c.key as usize)),
        Cell::from(text),
    ];
    if c.size.is_some() {
        cells.push(Cell::from(""));
    }
    Row::new(cells).style(style)
}

/// The table's column widths, from the width and what the visible rows hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    offset: u16,
    time: u16,
    /// Times without their date: every visible row has the same one.
    short_time: bool,
    key: u16,
    value: u16,
    /// None: no room for it (the detail shows the sizes).
    size: Option<u16>,
    spacing: u16,
}

/// A timestamp split at its first space: (date, time of day and zone).
pub(super) fn split_time(t: &str) -> (&str, &str) {
    t.split_once(' ').unwrap_or(("", t))
}

fn columns(rows: &[&WindowRow], times: &[String], inner: u16) -> Columns {
    let records = || {
        rows.iter().filter_map(|r| match r {
            WindowRow::Record(m) => Some(m),
            WindowRow::Gap(_) => None,
        })
    };
    let cols = |s: &str| s.chars().count() as u16;
    let offset = rows
        .iter()
        .map(|r| cols(&r.first().to_string()))
        .max()
        .unwrap_or(0)
        .max(6);
    let first_date = times.first().map(|t| split_time(t).0);
    let short_time = times.iter().all(|t| Some(split_time(t).0) == first_date);
    let time = times
        .iter()
        .map(|t| cols(if short_time { split_time(t).1 } else { t }))
        .max()
        .unwrap_or(0)
        .max(4);
    // A gap row's label (`no records`) sits in the key column: it counts as a key.
    let key = rows
        .iter()
        .map(|r| match r {
            WindowRow::Record(m) => match &m.key {
                None => 1,
                Some(k) => crate::render::escaped_cols(k, KEY_CAP as usize + 1) as u16,
            },
            WindowRow::Gap(g) => cols(gap_text(g, 0).0),
        })
        .max()
        .unwrap_or(0)
        .clamp(3, KEY_CAP);
    let size = records()
        .map(|m| cols(&size(crate::app::detail::key_value_size(m))))
        .max()
        .unwrap_or(0)
        .max(cols("Key+Value"));
    let spacing = super::spacing(inner);
    let mut c = Columns {
        offset,
        time,
        short_time,
        key,
        value: 0,
        size: Some(size),
        spacing,
    };
    let used = |c: &Columns| {
        c.offset + c.time + c.key + c.size.map_or(0, |s| s + c.spacing) + 3 * c.spacing
    };
    if inner.saturating_sub(used(&c)) < VALUE_MIN {
        c.size = None;
    }
    let short = VALUE_MIN.saturating_sub(inner.saturating_sub(used(&c)));
    c.key = c.key.saturating_sub(short).max(3);
    c.value = inner.saturating_sub(used(&c));
    c
}

/// What the pane says when it holds no record.
fn empty_text(app: &App, p: &crate::app::MessagePane) -> String {
    if let Some(a) = &p.after_end {
        // Written as a person would: no `.000` milliseconds, no `:00` seconds.
        let t = |ms| {
            let full = crate::render::format_time(app.time_zone, ms);
            let (date, time) = split_time(&full);
            let time = time.replacen(".000", "", 1);
            let time = match time.split_once(' ') {
                Some((hms, zone)) => format!("{} {zone}", hms.strip_suffix(":00").unwrap_or(hms)),
                None => time.strip_suffix(":00").unwrap_or(&time).to_string(),
            };
            format!("{date} {time}")
        };
        return match a.last {
            Some(last) => format!(
                "no record at or after {}; the last is at {} — G to go there",
                t(a.asked),
                t(last)
            ),
            None => format!(
                "no record at or after {} — G for the last records",
                t(a.asked)
            ),
        };
    }
    match &p.status {
        ReaderStatus::CaughtUp | ReaderStatus::Following => {
            "no records here yet: waiting for new ones…".into()
        }
        _ if p.topic_gone() => "the topic was deleted: Esc to go back".into(),
        ReaderStatus::Failed(_) => "the reader stopped: press g, G or o to read again".into(),
        _ => "loading records…".into(),
    }
}

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(p) = &app.messages else { return };
    let title = pane_title(
        format!(" {}/{} ", p.topic, p.partition),
        "· messages ",
        p.follow,
    );
    let mut block = pane(Line::from(title));
    // Opened from a group: where it stands, on the pane's bottom border.
    if let Some(text) = committed(p) {
        block = block.title_bottom(Line::from(Span::styled(text, theme::committed())));
    }
    // Following, scrolled up: what came in below. (The position is in the status line.)
    if let (true, n @ 1..) = (p.follow, p.new_below()) {
        block = block.title_bottom(
            Line::from(format!(" ▼ {} ", super::status::new_below(n)))
                .alignment(Alignment::Right)
                .style(theme::good().bg(ratatui::style::Color::Reset)),
        );
    }
    if p.window.is_empty() {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = Paragraph::new(empty_text(app, p))
            .style(theme::dim())
            .wrap(ratatui::widgets::Wrap { trim: true });
        frame.render_widget(text, inner);
        return;
    }
    let inner = area.width.saturating_sub(2);
    let list_rows = app.list_rows();
    // The selected row, wrapped, may take several lines: start later so that it is whole.
    let wrap_rows = if app.table.wrap { list_rows } else { 1 };
    let mut top = p.cursor.top;
    let sel = p.cursor.selected;
    let shown: Vec<&WindowRow> = p.window.range(top, top + list_rows).collect();
    let times: Vec<String> = shown
        .iter()
        .filter_map(|r| match r {
            WindowRow::Record(m) => Some(crate::render::format_time(app.time_zone, m.timestamp)),
            WindowRow::Gap(_) => None,
        })
        .collect();
    let mut c = columns(&shown, &times, inner);
    // Room for `▶ ` before the offset of the record the group reads next.
    let marked = p.committed.as_ref().filter(|(_, o)| {
        shown
            .iter()
            .any(|r| matches!(r, WindowRow::Record(m) if m.offset == *o))
    });
    if marked.is_some() {
        c.offset += 2;
        c.value = c.value.saturating_sub(2);
    }
    let sel_height = match p.window.range(sel, sel + 1).next() {
        Some(WindowRow::Record(m)) if app.table.wrap => {
            let lines =
                |b: Option<&[u8]>, w: u16| b.map_or(1, |b| wrapped(b, w as usize, wrap_rows).len());
            lines(m.key.as_deref(), c.key).max(lines(m.value.as_deref(), c.value))
        }
        _ => 1,
    };
    if sel >= top && sel - top + sel_height > list_rows {
        top = (sel + sel_height).saturating_sub(list_rows).min(sel);
    }
    let mut left = list_rows;
    let mut rows = Vec::new();
    for (i, row) in p.window.range(top, top + list_rows).enumerate() {
        let selected = top + i == sel;
        let height = if selected { sel_height } else { 1 };
        if height > left {
            break;
        }
        left -= height;
        rows.push(match row {
            WindowRow::Record(m) => record_row(app, p, m, &c, selected),
            WindowRow::Gap(gap) => gap_row(gap, selected, &c),
        });
    }
    let mut value_header = "Value".to_string();
    if app.table.shift > 0 {
        let shifted = format!("Value +{}", app.table.shift);
        if shifted.chars().count() <= c.value as usize {
            value_header = shifted;
        }
    }
    let mut header = vec![
        Cell::from(Line::from("Offset").alignment(Alignment::Right)),
        // The times below are in this zone (at the selected record's time), when it fits.
        Cell::from(
            p.selected()
                .map(|m| format!("Time ({})", zone_label(app.time_zone, m.timestamp)))
                .filter(|h| h.chars().count() <= c.time as usize)
                .unwrap_or_else(|| "Time".to_string()),
        ),
        Cell::from("Key"),
        Cell::from(value_header),
    ];
    let mut widths = vec![
        Constraint::Length(c.offset),
        Constraint::Length(c.time),
        Constraint::Length(c.key),
        Constraint::Length(c.value),
    ];
    if let Some(s) = c.size {
        header.push(Cell::from(
            Line::from("Key+Value").alignment(Alignment::Right),
        ));
        widths.push(Constraint::Length(s));
    }
    let header = Row::new(header).style(theme::header());
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(c.spacing),
        area,
    );
}

/// ` ▶ group G committed offset N: the next record to read `, or, at the high watermark,
/// that the group has nothing left to read.
fn committed(p: &crate::app::MessagePane) -> Option<String> {
    let (group, offset) = p.committed.as_ref()?;
    let head = format!(
        " ▶ group {} committed offset {}",
        group,
        super::thousands(*offset)
    );
    Some(match p.watermarks {
        Some(w) if *offset >= w.high => {
            format!("{head} = the high watermark: nothing left to read ")
        }
        Some(w) if *offset < w.low => {
            format!("{head}, below the low watermark: those records were deleted ")
        }
        _ => format!("{head}: the next record to read "),
    })
}

fn record_row(
    app: &App,
    pane: &crate::app::MessagePane,
    m: &crate::kafka::Message,
    c: &Columns,
    sel: bool,
) -> Row<'static> {
    // The selected row is drawn in one colour so that it stays readable.
    let pick = |style| {
        if sel {
            ratatui::style::Style::new()
        } else {
            style
        }
    };
    let full = crate::render::format_time(app.time_zone, m.timestamp);
    let time = if c.short_time {
        split_time(&full).1.to_string()
    } else {
        full
    };
    let wrap = sel && app.table.wrap;
    let rows = app.list_rows();
    let mut height = 1;
    let terms = app.messages.as_ref().and_then(super::search::pane_terms);
    let mut text_cell = |b: Option<&[u8]>, width: u16, shift: usize, style| match b {
        Some(b) if wrap => {
            let lines = wrapped(b, width as usize, rows);
            height = height.max(lines.len());
            Cell::from(ratatui::text::Text::from(lines).style(style))
        }
        _ => bytes_cell(b, width, shift, style, terms.as_ref()),
    };
    // A schema-decoded key or value shows as one line of compact JSON.
    let decoded = pane.decoding(m.offset);
    let key_json = decoded.and_then(|d| d.key.as_ref()).and_then(|d| d.json());
    let value_json = decoded
        .and_then(|d| d.value.as_ref())
        .and_then(|d| d.json());
    let key = text_cell(
        key_json.map(|k| &k[..]).or(m.key.as_deref()),
        c.key,
        0,
        pick(theme::key()),
    );
    let value = text_cell(
        value_json.map(|v| &v[..]).or(m.value.as_deref()),
        c.value,
        app.table.shift,
        ratatui::style::Style::new(),
    );
    let committed = pane.committed.as_ref().is_some_and(|(_, o)| *o == m.offset);
    let offset = if committed {
        format!("▶ {}", m.offset)
    } else {
        m.offset.to_string()
    };
    let mut cells = vec![
        Cell::from(
            Line::from(Span::styled(
                offset,
                if committed {
                    ratatui::style::Style::new()
                } else {
                    pick(theme::offset())
                },
            ))
            .alignment(Alignment::Right),
        ),
        Cell::from(Span::styled(time, pick(theme::time()))),
        key,
        value,
    ];
    if c.size.is_some() {
        cells.push(Cell::from(
            Line::from(size(crate::app::detail::key_value_size(m))).alignment(Alignment::Right),
        ));
    }
    let row = Row::new(cells).height(height as u16);
    if sel {
        row.style(theme::selected())
    } else if committed {
        row.style(theme::committed())
    } else {
        row
    }
}

/// A message pane's title: its name, what it shows, and `· following` when it follows.
pub(super) fn pane_title(name: String, shows: &'static str, follow: bool) -> Vec<Span<'static>> {
    let mut title = vec![
        Span::styled(name, theme::block_title()),
        Span::styled(shows, theme::dim()),
    ];
    if follow {
        title.push(Span::styled(
            "· following ",
            theme::good().bg(ratatui::style::Color::Reset),
        ));
    }
    title
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
