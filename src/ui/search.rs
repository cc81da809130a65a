//! Search on screen: the `/`, `&` and `K` prompt, the search and filter parts of the status
//! line, and the highlighting of matches in escaped text.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{centered, theme, thousands};
use crate::app::search::{PaneFilter, PaneSearch, SearchKind, SearchPrompt, Understood};
use crate::app::{App, MessagePane};
use crate::render::Safe;

/// The style of a highlighted match.
pub fn match_style() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

/// The prompt: the input, what it was understood as, and a caret under a bad column.
pub fn prompt(p: &SearchPrompt, frame: &mut Frame) {
    let topic = p.kind == SearchKind::TopicSearch;
    let area = centered(frame.area(), 78, if topic { 9 } else { 7 });
    frame.render_widget(Clear, area);
    let bottom = if topic {
        format!(" ⏎ {}  Tab query/start  Esc cancel ", p.action())
    } else {
        format!(" ⏎ {}  Esc cancel  ↑↓ history ", p.action())
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::hotkey())
        .title(Span::styled(
            format!(" {} ", p.title()),
            theme::block_title(),
        ))
        .title_bottom(Line::from(bottom).style(theme::dim()));
    let inner = block.inner(area);
    let width = inner.width.saturating_sub(2) as usize;
    let scroll = p.input.visual_scroll(width);
    let text: String = p.input.value().chars().skip(scroll).collect();
    let (caret, note) = match p.understood() {
        Understood::Empty => (
            Line::raw(""),
            Line::styled(
                match p.kind {
                    SearchKind::FindKey => "the key, exactly: its partition by murmur2, filtered",
                    _ => "CEL, e.g. value.amount > 250.0 · or text, e.g. order-42",
                },
                theme::dim(),
            ),
        ),
        Understood::Expression => (
            Line::raw(""),
            Line::styled("understood: CEL expression", theme::good()),
        ),
        Understood::Text { case_sensitive } => (
            Line::raw(""),
            Line::styled(
                if case_sensitive {
                    "understood: text (case-sensitive: it has an upper-case letter)"
                } else {
                    "understood: text (case-insensitive)"
                },
                theme::good(),
            ),
        ),
        Understood::Key => (
            Line::raw(""),
            Line::styled("understood: key (exact bytes)", theme::good()),
        ),
        Understood::Error(e) => {
            let col = e.column.saturating_sub(1).saturating_sub(scroll);
            (
                Line::from(vec![
                    Span::raw(" ".repeat(2 + col)),
                    Span::styled("^", theme::error()),
                ]),
                Line::from(Safe::display(&e).styled(theme::error())),
            )
        }
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", theme::hotkey()),
            Safe::new(&text).into(),
        ]),
        caret,
        note,
    ];
    if topic {
        lines.push(Line::from(vec![
            Span::styled("from: ", theme::hotkey()),
            Safe::new(p.from.value()).into(),
        ]));
        lines.push(match &p.error {
            Some(e) => Line::from(Safe::new(e).styled(theme::error())),
            None => Line::styled(
                "beginning, N, -N (N before the end) or @TIME (e.g. @-1h)",
                theme::dim(),
            ),
        });
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block),
        area,
    );
    let (x, y) = if topic && p.on_from {
        (inner.x + 6 + p.from.visual_cursor() as u16, inner.y + 3)
    } else {
        (
            inner.x + 2 + p.input.visual_cursor().saturating_sub(scroll) as u16,
            inner.y,
        )
    };
    frame.set_cursor_position(Position::new(x.min(inner.right().saturating_sub(1)), y));
}

/// Short counts: 999, 12.3K, 1.2M.
pub fn short(n: u64) -> String {
    match n {
        n if n < 10_000 => thousands(n as i64),
        n if n < 1_000_000 => format!("{:.1}K", n as f64 / 1e3),
        n => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// The status line's search and filter parts: "filter: EXPR · scanned 1.2M of 10M · 37
/// matches", "searching: EXPR · scanned … · offset …", or what the last search found out.
pub fn status_spans(p: &MessagePane) -> Vec<Span<'static>> {
    let of = p.watermarks.map(|w| (w.high - w.low) as u64);
    scan_spans(p.filter.as_ref(), of, p.search.as_ref(), &|reached| {
        format!("offset {}", thousands(reached))
    })
}

/// The search and filter parts of a pane's status line; `reached` says where a scan got to
/// (an offset in one partition, a time in the merged view); `of` is the records there are.
pub fn scan_spans(
    filter: Option<&PaneFilter>,
    of: Option<u64>,
    search: Option<&PaneSearch>,
    reached: &dyn Fn(i64) -> String,
) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let sep = || Span::raw(" │ ");
    if let Some(f) = filter {
        let of = of.map_or(String::new(), |n| format!(" of {}", short(n)));
        out.push(sep());
        out.push(Span::styled("filter: ", theme::hotkey()));
        out.push(Safe::new(&f.query.label()).into());
        out.push(Span::raw(format!(
            " · scanned {}{of} · {}",
            short(f.scanned),
            crate::render::count(f.matched as i64, "match")
        )));
    }
    if let Some(s) = search {
        if let Some(scan) = &s.scanning {
            out.push(sep());
            out.push(Span::styled(
                if scan.backward {
                    "searching back: "
                } else {
                    "searching: "
                },
                theme::busy(),
            ));
            out.push(Safe::new(&s.query.label()).into());
            let rate = if scan.rate > 0.0 {
                format!(" · {}/s", short(scan.rate as u64))
            } else {
                String::new()
            };
            out.push(Span::raw(format!(
                " · scanned {}{rate} · {} · Esc stops",
                short(scan.scanned),
                reached(scan.reached)
            )));
        } else if let Some(note) = &s.note {
            out.push(sep());
            out.push(Span::styled(format!("⚠ {note}"), theme::bad()));
        }
    }
    out
}

/// `text` (escaped already) as spans, with every occurrence of a term in `hit` style.
pub fn highlight(
    text: Safe,
    terms: &[String],
    case_sensitive: bool,
    base: Style,
) -> Vec<Span<'static>> {
    let s: &str = &text;
    let fold = |t: &str| {
        if case_sensitive {
            t.to_string()
        } else {
            t.to_ascii_lowercase()
        }
    };
    let hay = fold(s);
    // Marks per byte of `s` (ASCII folding keeps byte positions).
    let mut marked = vec![false; s.len()];
    for term in terms.iter().filter(|t| !t.is_empty()) {
        let needle = fold(term);
        let mut from = 0;
        while let Some(i) = hay.get(from..).and_then(|h| h.find(&needle)) {
            let at = from + i;
            for m in marked.iter_mut().skip(at).take(needle.len()) {
                *m = true;
            }
            from = at + needle.len().max(1);
        }
    }
    if !marked.contains(&true) {
        return vec![Span::styled(s.to_string(), base)];
    }
    let mut spans = Vec::new();
    let mut start = 0;
    let mut on = marked.first().copied().unwrap_or(false);
    for (i, _) in s.char_indices().skip(1) {
        let m = marked.get(i).copied().unwrap_or(false);
        if m != on {
            let part = s.get(start..i).unwrap_or_default().to_string();
            spans.push(Span::styled(part, if on { match_style() } else { base }));
            start = i;
            on = m;
        }
    }
    let part = s.get(start..).unwrap_or_default().to_string();
    spans.push(Span::styled(part, if on { match_style() } else { base }));
    spans
}

/// The terms to highlight in the pane: the search's, else the filter's.
pub fn pane_terms(p: &MessagePane) -> Option<(Vec<String>, bool)> {
    query_terms(p.search.as_ref(), p.filter.as_ref())
}

/// The terms to highlight: the search's, else the filter's.
fn query_terms(
    search: Option<&PaneSearch>,
    filter: Option<&PaneFilter>,
) -> Option<(Vec<String>, bool)> {
    search
        .map(|s| &s.query)
        .or(filter.map(|f| &f.query))
        .map(|q| q.terms())
}

/// The terms to highlight on screen: the merged view's when it (or a detail opened from it)
/// is up, else the message pane's.
pub fn app_terms(app: &App) -> Option<(Vec<String>, bool)> {
    match &app.merged {
        Some(m) if app.merged_is_up() => query_terms(m.search.as_ref(), m.filter.as_ref()),
        _ => app.messages.as_ref().and_then(pane_terms),
    }
}
