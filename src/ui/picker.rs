//! The cluster picker: profile names and their brokers, before any connection.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme};
use crate::app::picker::{ClusterPicker, KEYS};
use crate::render::{escape, fit_line};

/// Draws the picker over the whole screen.
pub fn draw(picker: &ClusterPicker, frame: &mut Frame) {
    let [title, body, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" kbrowse ", theme::brand()),
            Span::raw(" choose a cluster"),
        ]))
        .style(theme::title_bar()),
        title,
    );
    let name_width = picker
        .entries
        .iter()
        .map(|(n, _)| escape(n.as_bytes()).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(7, 30) as u16;
    // Names and brokers too long for their column end in `…`.
    let brokers_width = body.width.saturating_sub(2 + name_width + 2) as usize;
    let rows_shown = body.height.saturating_sub(3) as usize;
    let top = picker.selected.saturating_sub(rows_shown.saturating_sub(1));
    let rows = picker
        .entries
        .iter()
        .enumerate()
        .skip(top)
        .take(rows_shown)
        .map(|(i, (name, brokers))| {
            let row = Row::new(vec![
                Cell::from(fit_line(name.as_bytes(), name_width as usize)),
                Cell::from(fit_line(brokers.as_bytes(), brokers_width)),
            ]);
            if i == picker.selected {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let table = Table::new(rows, [Constraint::Length(name_width), Constraint::Min(0)])
        .header(Row::new(vec!["Profile", "Brokers"]).style(theme::header()))
        .column_spacing(2)
        .block(pane(Line::from(Span::styled(
            format!(" Clusters ({}) ", picker.entries.len()),
            theme::block_title(),
        ))));
    frame.render_widget(table, body);
    let hint: Vec<Span> = KEYS
        .iter()
        .flat_map(|(k, what)| {
            [
                Span::styled(format!(" {k}"), theme::header()),
                Span::raw(format!(" {what} ")),
            ]
        })
        .collect();
    frame.render_widget(Paragraph::new(Line::from(hint)), hints);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::picker::ClusterPicker;

    #[test]
    fn cluster_picker() {
        let mut picker = ClusterPicker::new(vec![
            ("dev".into(), "localhost:9092".into()),
            ("prod".into(), "b1:9093,b2:9093".into()),
            ("odd\u{1b}[2J".into(), "env:ODD_BROKERS".into()),
        ]);
        picker.selected = 1;
        let mut t = Terminal::new(TestBackend::new(60, 8)).unwrap();
        t.draw(|f| super::draw(&picker, f)).unwrap();
        insta::assert_snapshot!(t.backend());
    }
}
