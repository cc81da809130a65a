//! Popups over the screen: the jump prompt and errors.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{centered, theme};
use crate::app::Prompt;
use crate::render::Safe;

pub fn prompt(p: &Prompt, frame: &mut Frame) {
    let area = centered(frame.area(), 78, 6);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::hotkey())
        .title(Span::styled(
            format!(" {} ", p.title()),
            theme::block_title(),
        ))
        .title_bottom(Line::from(" ⏎ jump  Esc cancel ").style(theme::dim()));
    let inner = block.inner(area);
    let width = inner.width.saturating_sub(2) as usize;
    let scroll = p.input.visual_scroll(width);
    let text: String = p.input.value().chars().skip(scroll).collect();
    let note = match &p.error {
        Some(e) => Line::from(Span::styled(e.clone(), theme::error())),
        None => Line::from(Span::styled(p.hint(), theme::dim())),
    };
    let lines = vec![
        Line::from(vec![Span::styled("> ", theme::hotkey()), Span::raw(text)]),
        Line::raw(""),
        note,
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    let x = inner.x + 2 + p.input.visual_cursor().saturating_sub(scroll) as u16;
    frame.set_cursor_position(Position::new(
        x.min(inner.right().saturating_sub(1)),
        inner.y,
    ));
}

pub fn error(message: &Safe, frame: &mut Frame) {
    let area = centered(frame.area(), 72, 7);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::error())
        .title(Span::styled(" Error ", theme::error()))
        .title_bottom(Line::from(" any key to close ").style(theme::dim()));
    let text = Paragraph::new(message.clone())
        .style(theme::error())
        .wrap(Wrap { trim: true })
        .block(block);
    frame.render_widget(text, area);
}
