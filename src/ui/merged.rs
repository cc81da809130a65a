//! The merged view: all partitions in one time-ordered table, with a partition column.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::messages::{bytes_cell, split_time};
use super::status::Part;
use super::{pane, theme, thousands};
use crate::app::App;
use crate::app::merged::{MergedPane, MergedStatus};
use crate::kafka::Message;
use crate::render::Safe;
use crate::render::byte_size as size;

/// The key column is as wide as the widest visible key, up to this.
const KEY_CAP: u16 = 32;
/// Below this the value column takes columns from the others (Size goes first, then Key).
const VALUE_MIN: u16 = 16;

struct Columns {
    partition: u16,
    offset: u16,
    time: u16,
    short_time: bool,
    key: u16,
    value: u16,
    size: Option<u16>,
    spacing: u16,
}

/// A record's key and value as the table shows them: a schema-decoded part as one line of
/// compact JSON, else its bytes.
fn shown_parts<'a>(p: &'a MergedPane, m: &'a Message) -> (Option<&'a [u8]>, Option<&'a [u8]>) {
    let d = p.decoding(m);
    let json = |part: Option<&'a crate::app::PartDecoding>| part.and_then(|x| x.json());
    (
        json(d.and_then(|d| d.key.as_ref()))
            .map(|k| &k[..])
            .or(m.key.as_deref()),
        json(d.and_then(|d| d.value.as_ref()))
            .map(|v| &v[..])
            .or(m.value.as_deref()),
    )
}

fn columns(p: &MergedPane, shown: &[&Message], times: &[String], inner: u16) -> Columns {
    let cols = |s: &str| s.chars().count() as u16;
    let widest = |f: &dyn Fn(&Message) -> u16, min: u16| {
        shown.iter().map(|m| f(m)).max().unwrap_or(0).max(min)
    };
    let partition = widest(&|m| cols(&m.partition.to_string()), 4);
    let offset = widest(&|m| cols(&m.offset.to_string()), 6);
    let first_date = times.first().map(|t| split_time(t).0);
    let short_time = times.iter().all(|t| Some(split_time(t).0) == first_date);
    let time = times
        .iter()
        .map(|t| cols(if short_time { split_time(t).1 } else { t }))
        .max()
        .unwrap_or(0)
        .max(4);
    let key = widest(
        &|m| match shown_parts(p, m).0 {
            None => 1,
            Some(k) => crate::render::escaped_cols(k, KEY_CAP as usize + 1) as u16,
        },
        3,
    )
    .min(KEY_CAP);
    let sz = widest(&|m| cols(&size(m.size())), 4);
    let spacing = super::spacing(inner);
    let mut c = Columns {
        partition,
        offset,
        time,
        short_time,
        key,
        value: 0,
        size: Some(sz),
        spacing,
    };
    let used = |c: &Columns| {
        c.partition
            + c.offset
            + c.time
            + c.key
            + c.size.map_or(0, |s| s + c.spacing)
            + 4 * c.spacing
    };
    if inner.saturating_sub(used(&c)) < VALUE_MIN {
        c.size = None;
    }
    let short = VALUE_MIN.saturating_sub(inner.saturating_sub(used(&c)));
    c.key = c.key.saturating_sub(short).max(3);
    c.value = inner.saturating_sub(used(&c));
    c
}

fn empty_text(p: &MergedPane) -> &'static str {
    match &p.status {
        MergedStatus::Failed(_) => "the load failed: press g, G or t to read again",
        _ if p.loading() && p.filter.is_some() => "scanning for matching records…",
        _ if p.loading() => "loading records…",
        MergedStatus::Following => "no records here yet: waiting for new ones…",
        _ if p.filter.is_some() => "no matching records (Esc clears the filter)",
        _ => "no records",
    }
}

/// Draws the merged table.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let Some(p) = &app.merged else { return };
    let title = super::messages::pane_title(
        match p.partitions.len() {
            1 => format!(" {} · 1 partition ", p.topic),
            n => format!(" {} · all {n} partitions ", p.topic),
        },
        "· by time ",
        p.follow,
    );
    let mut block = pane(Line::from(title));
    if p.rows.is_empty() {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = Paragraph::new(empty_text(p)).style(theme::dim());
        frame.render_widget(text, inner);
        return;
    }
    let pos = format!(
        " {} / {} ",
        thousands(p.cursor.selected as i64 + 1),
        thousands(p.rows.len() as i64)
    );
    block = block.title_bottom(
        Line::from(pos)
            .alignment(Alignment::Right)
            .style(theme::dim()),
    );
    let list_rows = app.list_rows();
    let mut top = p.cursor.top.min(p.rows.len());
    let end = (top + list_rows).min(p.rows.len());
    let shown: Vec<&Message> = p.rows.range(top..end).collect();
    let times: Vec<String> = shown
        .iter()
        .map(|m| crate::render::format_time(app.time_zone, m.timestamp))
        .collect();
    let c = columns(p, &shown, &times, area.width.saturating_sub(2));
    // `w`: the selected row's key and value wrapped over several lines; the rows shown start
    // later when that is what it takes for the selected one to be whole.
    let sel = p.cursor.selected;
    let sel_height = match p.rows.get(sel) {
        Some(m) if app.table.wrap => {
            let lines = |b: Option<&[u8]>, w: u16| {
                b.map_or(1, |b| {
                    super::messages::wrapped(b, w as usize, list_rows).len()
                })
            };
            let (key, value) = shown_parts(p, m);
            lines(key, c.key).max(lines(value, c.value))
        }
        _ => 1,
    };
    if sel >= top && sel - top + sel_height > list_rows {
        top = (sel + sel_height).saturating_sub(list_rows).min(sel);
    }
    let end = (top + list_rows).min(p.rows.len());
    let mut left = list_rows;
    let mut rows: Vec<Row> = Vec::new();
    for (i, m) in p.rows.range(top..end).enumerate() {
        let selected = top + i == sel;
        let height = if selected { sel_height } else { 1 };
        if height > left {
            break;
        }
        left -= height;
        let t = crate::render::format_time(app.time_zone, m.timestamp);
        rows.push(record_row(app, p, m, t, &c, selected, height));
    }
    let mut value_header = "Value".to_string();
    if app.table.shift > 0 {
        let shifted = format!("Value +{}", app.table.shift);
        if shifted.chars().count() <= c.value as usize {
            value_header = shifted;
        }
    }
    let right = |s: &'static str| Cell::from(Line::from(s).alignment(Alignment::Right));
    let mut header = vec![
        right("Part"),
        right("Offset"),
        Cell::from("Time"),
        Cell::from("Key"),
        Cell::from(value_header),
    ];
    let mut widths = vec![
        Constraint::Length(c.partition),
        Constraint::Length(c.offset),
        Constraint::Length(c.time),
        Constraint::Length(c.key),
        Constraint::Length(c.value),
    ];
    if let Some(s) = c.size {
        header.push(right("Size"));
        widths.push(Constraint::Length(s));
    }
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme::header()))
            .block(block)
            .column_spacing(c.spacing),
        area,
    );
}

fn record_row(
    app: &App,
    p: &MergedPane,
    m: &Message,
    full: String,
    c: &Columns,
    sel: bool,
    height: usize,
) -> Row<'static> {
    let pick = |style| {
        if sel {
            ratatui::style::Style::new()
        } else {
            style
        }
    };
    let time = if c.short_time {
        split_time(&full).1.to_string()
    } else {
        full
    };
    let right = |s: String, style| {
        Cell::from(Line::from(Span::styled(s, pick(style))).alignment(Alignment::Right))
    };
    let wrap = height > 1;
    let terms = super::search::app_terms(app);
    let text_cell = |b: Option<&[u8]>, width: u16, shift: usize, style| match b {
        Some(b) if wrap => Cell::from(
            ratatui::text::Text::from(super::messages::wrapped(b, width as usize, app.list_rows()))
                .style(style),
        ),
        _ => bytes_cell(b, width, shift, style, terms.as_ref()),
    };
    let (key, value) = shown_parts(p, m);
    let mut cells = vec![
        right(m.partition.to_string(), theme::dim()),
        right(m.offset.to_string(), theme::offset()),
        Cell::from(Span::styled(time, pick(theme::time()))),
        text_cell(key, c.key, 0, pick(theme::key())),
        text_cell(
            value,
            c.value,
            app.table.shift,
            ratatui::style::Style::new(),
        ),
    ];
    if c.size.is_some() {
        cells.push(Cell::from(
            Line::from(size(m.size())).alignment(Alignment::Right),
        ));
    }
    let row = Row::new(cells).height(height.max(1) as u16);
    if sel {
        row.style(theme::selected())
    } else {
        row
    }
}

/// The status line's pieces in the merged view.
pub fn status_parts(app: &App) -> Vec<Part> {
    let Some(p) = &app.merged else {
        return Vec::new();
    };
    let total: i64 = p.watermarks.values().map(|w| w.count()).sum();
    let (text, style) = match &p.status {
        MergedStatus::Idle => ("● paused".to_string(), theme::status()),
        MergedStatus::Loading => ("● loading".to_string(), theme::busy()),
        MergedStatus::Following => ("● following".to_string(), theme::good()),
        MergedStatus::Failed(e) => (format!("● error: {}", Safe::display(e)), theme::bad()),
    };
    let mut parts = vec![
        Part::new(1, Span::raw(format!("{} · all partitions", p.topic))),
        Part::new(
            2,
            Span::raw(format!(
                "{} loaded of {}",
                thousands(p.rows.len() as i64),
                thousands(total)
            )),
        ),
        Part::new(0, Span::styled(text, style)),
    ];
    // A filter or a search under way says so first: on a narrow terminal it is what is kept.
    let reached = |t: i64| format!("at {}", crate::render::format_time(app.time_zone, t));
    let of = (total > 0).then_some(total as u64);
    let search = super::search::scan_spans(p.filter.as_ref(), of, p.search.as_ref(), &reached);
    let mut first: Vec<Part> = search
        .split(|s| s.content == " │ ")
        .filter(|g| !g.is_empty())
        .map(|g| Part {
            spans: g.to_vec(),
            priority: 0,
            fill: false,
        })
        .collect();
    first.append(&mut parts);
    let mut parts = first;
    if let Some(w) = app.merged_warning() {
        parts.push(Part::fill(Span::styled(format!("⚠ {w}"), theme::bad())));
    }
    parts
}

#[cfg(test)]
#[path = "merged_tests.rs"]
mod tests;
