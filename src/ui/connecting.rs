//! The screen shown while the first connection is made: where to, and for how long so far.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane, theme};
use crate::render::Safe;

/// Draws "connecting to BROKERS… 1.2 s" (`brokers` as given, escaped here).
pub fn draw(brokers: &str, elapsed_ms: u128, frame: &mut Frame) {
    let [title, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" kbrowse ", theme::brand()),
            Span::raw(" "),
            Safe::new(brokers).into(),
        ]))
        .style(theme::title_bar()),
        title,
    );
    let mut text = Safe::new(brokers).wrap("connecting to ", "…");
    text.push(Safe::from(" "));
    let seconds = format!("{}.{} s", elapsed_ms / 1000, elapsed_ms % 1000 / 100);
    let line = Line::from(vec![text.into(), Span::styled(seconds, theme::busy())]);
    frame.render_widget(
        Paragraph::new(line)
            .wrap(Wrap { trim: true })
            .block(pane(Line::from(Span::styled(
                " Connecting ",
                theme::block_title(),
            )))),
        body,
    );
    frame.render_widget(
        Paragraph::new(" q or Esc: give up").style(theme::status()),
        status,
    );
}
