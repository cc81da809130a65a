//! Popups over the screen: the jump prompt and errors.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{centered, theme};
use crate::app::Prompt;
use crate::render::Safe;

/// `text` in lines of at most `width` columns, broken between words (a word longer than a
/// line is broken inside): the popups size themselves to it, so nothing is cut off.
pub(super) fn wrap_words(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let need = line.width() + usize::from(!line.is_empty()) + word.width();
            if need > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            for c in word.chars() {
                let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if line.width() + w > width {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        lines.push(line);
    }
    lines
}

pub fn prompt(p: &Prompt, frame: &mut Frame) {
    let screen = frame.area();
    let width = 78.min(screen.width);
    // The note (hint or error) wraps: the prompt grows to show all of it.
    let (text, style) = match &p.error {
        Some(e) => (e.as_str(), theme::error()),
        None => (p.hint(), theme::dim()),
    };
    let note = wrap_words(text, width.saturating_sub(2) as usize);
    let records = p.records.as_ref();
    let extra = u16::from(records.is_some());
    let area = centered(screen, width, 4 + extra + note.len() as u16);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::hotkey())
        .title(Span::styled(
            // The title of a records' save holds counts and offsets only, no outside text.
            format!(
                " {} ",
                records.map_or_else(|| p.title().to_string(), |r| r.title())
            ),
            theme::block_title(),
        ))
        .title_bottom(
            Line::from(if records.is_some() {
                format!(" ⏎ {}  Tab file ↔ format  Esc cancel ", p.verb())
            } else {
                format!(" ⏎ {}  Esc cancel ", p.verb())
            })
            .style(theme::dim()),
        );
    let inner = block.inner(area);
    let field = |label: &'static str, input: &tui_input::Input, width: usize| {
        let width = width.saturating_sub(label.chars().count());
        let scroll = input.visual_scroll(width);
        let typed: String = input.value().chars().skip(scroll).collect();
        let cursor = label.chars().count() + input.visual_cursor().saturating_sub(scroll);
        (
            Line::from(vec![Span::styled(label, theme::hotkey()), Span::raw(typed)]),
            cursor,
        )
    };
    let width = inner.width as usize;
    let (path_line, path_x) = field("> ", &p.input, width);
    let mut lines = vec![path_line];
    let mut cursor = (path_x, 0u16);
    if records.is_some() {
        let (format_line, format_x) = field("format: ", &p.format, width);
        lines.push(format_line);
        if p.on_format {
            cursor = (format_x, 1);
        }
    }
    lines.push(Line::raw(""));
    lines.extend(note.into_iter().map(|l| Line::from(Span::styled(l, style))));
    frame.render_widget(Paragraph::new(lines).block(block), area);
    let x = inner.x + cursor.0 as u16;
    frame.set_cursor_position(Position::new(
        x.min(inner.right().saturating_sub(1)),
        inner.y + cursor.1,
    ));
}

/// Shown under an error: any key closes it (`q` too), so the bottom line says so.
const CLOSE: &str = " any key to close ";

pub fn error(message: &Safe, frame: &mut Frame) {
    let screen = frame.area();
    // As narrow as the message, as high as its lines: a one-line error is a one-line popup.
    let longest = message
        .as_str()
        .split('\n')
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap_or(0);
    let width = (longest as u16 + 4)
        .clamp(CLOSE.len() as u16 + 4, 72)
        .min(screen.width);
    let lines = wrap_words(message.as_str(), width.saturating_sub(4) as usize);
    let area = centered(screen, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::error())
        .title(Span::styled(" Error ", theme::error()))
        .title_bottom(Line::from(CLOSE).style(theme::dim()))
        .padding(ratatui::widgets::Padding::horizontal(1));
    // The lines are cut from escaped text: still escaped.
    let text: Vec<Line> = lines.into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(text).style(theme::error()).block(block),
        area,
    );
}
