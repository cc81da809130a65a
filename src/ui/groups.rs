//! The Groups screen (name, type, state, members, total lag) and one group's partitions
//! (committed offset, high watermark, lag, member).

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{pane, theme, thousands};
use crate::app::App;

fn right(s: String) -> Cell<'static> {
    Cell::from(Line::from(s).alignment(Alignment::Right))
}

fn number(v: Option<i64>) -> String {
    v.map_or("-".to_string(), thousands)
}

fn empty(frame: &mut Frame, area: Rect, text: &'static str) {
    let inner = Rect {
        x: area.x + 2,
        y: area.y + 2,
        width: area.width.saturating_sub(4),
        height: 1,
    };
    frame.render_widget(Paragraph::new(text).style(theme::dim()), inner);
}

/// The group list.
pub fn draw_list(app: &App, frame: &mut Frame, area: Rect) {
    let list = &app.groups;
    let block = pane(Line::styled(
        format!(" Groups ({}) ", list.rows.len()),
        theme::block_title(),
    ));
    if !list.loaded {
        let text = Paragraph::new("loading groups…").style(theme::dim());
        frame.render_widget(text.block(block), area);
        return;
    }
    // Type, state, members and lag, and the spacing between the five columns.
    let others: u16 = 9 + 20 + 7 + 14 + 4 * 2;
    let name_width = area.width.saturating_sub(2 + others) as usize;
    let rows = list
        .rows
        .iter()
        .enumerate()
        .skip(list.cursor.top)
        .take(app.list_rows())
        .map(|(i, g)| {
            let row = Row::new(vec![
                Cell::from(Line::from(g.name.safe_line(name_width.saturating_sub(1)))),
                Cell::from(Line::from(g.group_type.safe_line(9))),
                Cell::from(Line::from(g.state.safe_line(20))),
                right(g.members.map_or("-".into(), |m| m.to_string())),
                right(number(g.lag)),
            ]);
            if i == list.cursor.selected {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let lag = if list.by_lag { "Lag ↓" } else { "Lag" };
    let header = Row::new(vec![
        Cell::from("Group"),
        Cell::from("Type"),
        Cell::from("State"),
        right("Members".into()),
        right(lag.into()),
    ])
    .style(theme::header());
    let widths = [
        Constraint::Min(20),
        Constraint::Length(9),
        Constraint::Length(20),
        Constraint::Length(7),
        Constraint::Length(14),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(2);
    frame.render_widget(table, area);
    if list.rows.is_empty() {
        empty(frame, area, "no consumer groups");
    }
}

/// One group's partitions.
pub fn draw_group(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = &app.groups.open else {
        return;
    };
    let block = pane(Line::from(vec![
        ratatui::text::Span::styled(" Group ", theme::block_title()),
        view.group.safe().into(),
        ratatui::text::Span::raw(" "),
    ]));
    if !view.loaded {
        let text = Paragraph::new("loading the group…").style(theme::dim());
        frame.render_widget(text.block(block), area);
        return;
    }
    // Partition, committed, high, lag, and the spacing between the six columns; the member
    // gets what the topic leaves, 8 to 30 columns.
    let fixed: u16 = 9 + 3 * 12 + 5 * 2;
    let inner = area.width.saturating_sub(2);
    let member_width = inner.saturating_sub(fixed + 20).clamp(8, 30);
    let topic_width = inner.saturating_sub(fixed + member_width) as usize;
    let rows = view
        .rows
        .iter()
        .enumerate()
        .skip(view.cursor.top)
        .take(app.list_rows())
        .map(|(i, r)| {
            let member = r.member.as_ref().map_or("-".into(), |m| {
                m.safe_line(usize::from(member_width).saturating_sub(1))
                    .to_string()
            });
            let row = Row::new(vec![
                Cell::from(Line::from(r.topic.safe_line(topic_width.saturating_sub(1)))),
                right(r.partition.to_string()),
                right(number(r.committed)),
                right(number(r.high)),
                right(number(r.lag)),
                Cell::from(member),
            ]);
            if i == view.cursor.selected {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let header = Row::new(vec![
        Cell::from("Topic"),
        right("Partition".into()),
        right("Committed".into()),
        right("High".into()),
        right("Lag".into()),
        Cell::from("Member"),
    ])
    .style(theme::header());
    let widths = [
        Constraint::Min(12),
        Constraint::Length(9),
        Constraint::Length(12),
        Constraint::Length(12),
        Constraint::Length(12),
        Constraint::Length(member_width),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(2);
    frame.render_widget(table, area);
    if view.rows.is_empty() {
        empty(
            frame,
            area,
            "no committed offsets and no assigned partitions",
        );
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::{Action, App, GroupPartitionRow, GroupRow};

    fn render(app: &App) -> String {
        let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
        t.draw(|f| super::super::draw(app, f)).unwrap();
        format!("{}", t.backend())
    }

    fn key(c: KeyCode) -> Action {
        Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn app(w: u16, h: u16) -> App {
        let mut app = App::new("localhost:9092".into(), 1000, Box::new(|| 0));
        app.update(Action::Resize(w, h));
        app.update(key(KeyCode::Tab));
        let g = |name: &str, kind: &str, state: &str, members, lag| GroupRow {
            name: name.into(),
            group_type: kind.into(),
            state: state.into(),
            members,
            lag,
        };
        app.update(Action::GroupsLoaded(Ok(vec![
            g("billing", "consumer", "Stable", Some(2), Some(1_250_000)),
            g("audit\u{1b}[31m", "classic", "Empty", Some(0), Some(0)),
            g("shipments", "share", "Stable", None, None),
        ])));
        app
    }

    fn group_app(w: u16, h: u16) -> App {
        let mut app = app(w, h);
        app.update(key(KeyCode::Enter));
        let r = |partition, committed, high, lag, member: Option<&str>| GroupPartitionRow {
            topic: "orders".into(),
            partition,
            committed,
            high,
            lag,
            member: member.map(Into::into),
        };
        app.update(Action::GroupLoaded {
            group: "audit\u{1b}[31m".into(),
            result: Ok(vec![
                r(
                    0,
                    Some(1_000),
                    Some(1_000),
                    Some(0),
                    Some("rdkafka /10.0.0.7"),
                ),
                r(1, None, Some(500), Some(480), Some("rdkafka /10.0.0.7")),
                r(2, Some(7), Some(9), Some(2), None),
            ]),
        });
        app
    }

    #[test]
    fn groups_160x45_and_80x24() {
        insta::assert_snapshot!(render(&app(160, 45)));
        let mut small = app(80, 24);
        small.update(key(KeyCode::Char('s')));
        insta::assert_snapshot!(render(&small));
    }

    #[test]
    fn group_160x45_and_80x24() {
        insta::assert_snapshot!(render(&group_app(160, 45)));
        insta::assert_snapshot!(render(&group_app(80, 24)));
    }

    #[test]
    fn partitions_header_shows_the_key_configs() {
        use crate::app::{PartitionRow, TopicRow};
        let shot = |w, h| {
            let mut app = App::new("localhost:9092".into(), 1000, Box::new(|| 0));
            app.update(Action::Resize(w, h));
            app.update(Action::TopicsLoaded(Ok(vec![TopicRow {
                name: "orders".into(),
                internal: false,
                partitions: 1,
                messages: Some(10),
            }])));
            app.update(key(KeyCode::Enter));
            app.update(Action::PartitionsLoaded {
                topic: "orders".into(),
                result: Ok(vec![PartitionRow {
                    id: 0,
                    leader: 1,
                    replicas: vec![1],
                    isr: vec![1],
                    low: Some(0),
                    high: Some(10),
                }]),
            });
            let configs = [
                ("cleanup.policy", "compact"),
                ("retention.ms", "604800000"),
                ("retention.bytes", "-1"),
                ("max.message.bytes", "1048588"),
                ("compression.type", "producer\u{1b}"),
                ("min.insync.replicas", "1"),
            ];
            app.update(Action::TopicConfigsLoaded {
                topic: "orders".into(),
                configs: configs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            });
            render(&app)
        };
        insta::assert_snapshot!(shot(160, 45));
        insta::assert_snapshot!(shot(80, 24));
    }
}
