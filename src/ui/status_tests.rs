//! The status line's words, and snapshots of its states (tailing, following with new records
//! below, stopped following, a filtered topic count) at 160x45, 80x24 and 50x20.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::app::window::tests::msg;
use crate::app::{Action, Effect, PartitionRow, TimeZone, TopicRow};
use crate::kafka::{ReaderEvent, ReaderEventKind};

const SIZES: [(u16, u16); 3] = [(160, 45), (80, 24), (50, 20)];

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn render(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| crate::ui::draw(app, f)).unwrap();
    format!("{}", t.backend())
}

/// The status line: the screen's last row, trimmed.
fn status_line(app: &App) -> String {
    let screen = render(app);
    let last = screen.lines().last().unwrap_or_default().trim_matches('"');
    last.trim().to_string()
}

fn topics_app(w: u16, h: u16) -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        1_000,
        Box::new(|| 1_700_000_100_000),
    );
    app.time_zone = TimeZone::Utc;
    app.update(Action::Resize(w, h));
    app.start(None);
    let t = |name: &str, partitions| TopicRow {
        name: name.into(),
        internal: false,
        partitions,
        messages: Some(2_000),
    };
    app.update(Action::TopicsLoaded(Ok(vec![
        t("audit", 1),
        t("orders", 1),
        t("orders-dlq", 2),
        t("payments", 3),
    ])));
    app
}

fn generation(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap()
}

fn ev(generation: u64, kind: ReaderEventKind) -> ReaderEvent {
    ReaderEvent {
        generation,
        partition: 0,
        kind,
    }
}

/// Partition 0 of `orders` (offsets 0–1,999) read from the beginning: a window of 1,000.
fn messages_app(w: u16, h: u16) -> (App, u64) {
    let mut app = topics_app(w, h);
    app.update(ch('j'));
    app.update(key(KeyCode::Enter));
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Ok(vec![PartitionRow {
            id: 0,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(0),
            high: Some(2_000),
        }]),
    });
    let g = generation(&app.update(key(KeyCode::Enter)));
    (app, g)
}

/// At the end with the last row selected: tailing, 12 new records a second.
fn tailing(w: u16, h: u16) -> App {
    let (mut app, g) = messages_app(w, h);
    app.update(Action::Reader(vec![ev(
        g,
        ReaderEventKind::Started {
            offset: 0,
            watermarks: Watermarks {
                low: 0,
                high: 2_000,
            },
        },
    )]));
    let fx = app.update(ch('G'));
    let g = generation(&fx);
    app.update(Action::Reader(vec![
        ev(
            g,
            ReaderEventKind::Started {
                offset: 1_500,
                watermarks: Watermarks {
                    low: 0,
                    high: 2_000,
                },
            },
        ),
        ev(
            g,
            ReaderEventKind::Messages((1_500..2_000).map(msg).collect()),
        ),
        ev(
            g,
            ReaderEventKind::CaughtUp {
                next: 2_000,
                high: 2_000,
            },
        ),
        ev(
            g,
            ReaderEventKind::Messages((2_000..2_003).map(msg).collect()),
        ),
    ]));
    app.messages.as_mut().unwrap().rate = 12.0;
    app
}

/// Following, three rows up, 7 new records below.
fn following_scrolled_up(w: u16, h: u16) -> App {
    let mut app = tailing(w, h);
    app.update(ch('f'));
    for _ in 0..3 {
        app.update(ch('k'));
    }
    let g = app.messages.as_ref().unwrap().generation;
    app.update(Action::Reader(vec![ev(
        g,
        ReaderEventKind::Messages((2_003..2_010).map(msg).collect()),
    )]));
    app
}

fn stopped_following(w: u16, h: u16) -> App {
    let mut app = tailing(w, h);
    app.update(ch('f'));
    app.update(ch('f'));
    app
}

fn filtered_topics(w: u16, h: u16) -> App {
    let mut app = topics_app(w, h);
    for c in "/orders".chars() {
        app.update(ch(c));
    }
    app.update(key(KeyCode::Enter));
    app
}

#[test]
fn status_line_states_at_three_sizes() {
    type Make = fn(u16, u16) -> App;
    let states: [(&str, Make); 4] = [
        ("tailing", tailing),
        ("following_new_below", following_scrolled_up),
        ("stopped_following", stopped_following),
        ("filtered_topics", filtered_topics),
    ];
    for (name, make) in states {
        for (w, h) in SIZES {
            let app = make(w, h);
            insta::assert_snapshot!(format!("status_{name}_{w}x{h}"), render(&app));
        }
    }
}

#[test]
fn the_states_say_what_they_are_at_every_size() {
    for (w, h) in SIZES {
        let line = status_line(&tailing(w, h));
        assert!(
            line.starts_with("● tailing │ offset 2,002 of 0–2,002"),
            "{w}x{h}: {line}"
        );
        let line = status_line(&following_scrolled_up(w, h));
        assert!(
            line.starts_with("● following · 7 new below — G to jump"),
            "{w}x{h}: {line}"
        );
        let line = status_line(&stopped_following(w, h));
        assert!(line.starts_with("● stopped following"), "{w}x{h}: {line}");
        let line = status_line(&filtered_topics(w, h));
        assert!(line.starts_with("2 of 4 topics"), "{w}x{h}: {line}");
    }
    // Wide enough, everything is said.
    assert_eq!(
        status_line(&tailing(160, 45)),
        "● tailing │ offset 2,002 of 0–2,002 │ offsets 1,500–2,002 loaded │ 12 rec/s                   f follow  o offset  t time  w wrap  / search  & filter  Esc back"
    );
}

#[test]
fn a_freshly_opened_partition_never_says_paused() {
    let (mut app, g) = messages_app(80, 24);
    assert!(
        status_line(&app).starts_with("● loading"),
        "{}",
        status_line(&app)
    );
    app.update(Action::Reader(vec![
        ev(
            g,
            ReaderEventKind::Started {
                offset: 0,
                watermarks: Watermarks {
                    low: 0,
                    high: 2_000,
                },
            },
        ),
        ev(g, ReaderEventKind::Messages((0..1_000).map(msg).collect())),
    ]));
    let line = status_line(&app);
    assert!(
        line.starts_with("offset 0 of 0–1,999 │ offsets 0–999 loaded"),
        "{line}"
    );
    assert!(!line.contains("paused"), "{line}");
    // Page loads are not new records: no rate is shown.
    assert!(!line.contains("rec/s"), "{line}");
}

#[test]
fn watermarks_keep_updating_while_nothing_reads() {
    let (mut app, g) = messages_app(160, 45);
    app.update(Action::Reader(vec![
        ev(
            g,
            ReaderEventKind::Started {
                offset: 0,
                watermarks: Watermarks {
                    low: 0,
                    high: 2_000,
                },
            },
        ),
        ev(g, ReaderEventKind::Messages((0..1_000).map(msg).collect())),
    ]));
    assert_eq!(app.messages.as_ref().unwrap().activity(), Activity::Idle);
    // The periodic partition refresh (every 3 s) brings new watermarks.
    let fx = app.update(Action::Tick);
    assert!(fx.is_empty() || !fx.iter().any(|e| matches!(e, Effect::StartReader { .. })));
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Ok(vec![PartitionRow {
            id: 0,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(100),
            high: Some(2_500),
        }]),
    });
    let line = status_line(&app);
    assert!(
        line.starts_with("offset 0 of 100–2,499 │ offsets 0–999 loaded"),
        "{line}"
    );
}

#[test]
fn the_detail_does_not_offer_follow() {
    use crate::app::keymap::{Command, DETAIL};
    assert!(DETAIL.bindings.iter().all(|b| b.command != Command::Follow));
    assert!(!hints(&DETAIL, usize::MAX).contains("follow"));
}

#[test]
fn positions_are_places_in_the_partition() {
    let w = |low, high| Some(Watermarks { low, high });
    assert_eq!(
        position(Some(25_000), w(0, 25_001)).as_deref(),
        Some("offset 25,000 of 0–25,000")
    );
    assert_eq!(position(Some(7), None).as_deref(), Some("offset 7"));
    assert_eq!(
        position(None, w(40, 40)).as_deref(),
        Some("no records (the next offset is 40)")
    );
    assert_eq!(
        position(None, w(0, 1)).as_deref(),
        Some("1 record at offset 0")
    );
    assert_eq!(
        position(None, w(0, 2_000)).as_deref(),
        Some("2,000 records at offsets 0–1,999")
    );
    assert_eq!(position(None, None), None);
    assert_eq!(loaded(0, 9_999), "offsets 0–9,999 loaded");
    assert_eq!(loaded(5, 5), "offset 5 loaded");
    assert_eq!(rate(11.6), "12 rec/s");
    assert_eq!(new_below(1_234), "1,234 new below — G to jump");
}

#[test]
fn topic_counts_follow_the_filter() {
    let mut app = topics_app(80, 24);
    assert_eq!(topic_count(&app.topics), "4 topics");
    app.update(ch('/'));
    for c in "pay".chars() {
        app.update(ch(c));
    }
    assert_eq!(topic_count(&app.topics), "1 of 4 topics");
    app.topics.rows.truncate(1);
    app.topics.set_filter(String::new());
    assert_eq!(topic_count(&app.topics), "1 topic");
}

#[test]
fn narrow_lines_drop_the_least_important_parts_first() {
    let part = |p, s: &'static str| Part::new(p, Span::raw(s));
    let parts = vec![
        part(0, "● tailing"),
        part(1, "offset 5"),
        part(3, "0–9 loaded"),
        part(2, "1 rec/s"),
    ];
    let text = |spans: Vec<Span<'static>>| {
        spans
            .iter()
            .map(|s| s.content.to_string())
            .collect::<String>()
    };
    assert_eq!(
        text(compose(parts.clone(), 80)),
        " ● tailing │ offset 5 │ 0–9 loaded │ 1 rec/s"
    );
    assert_eq!(
        text(compose(parts.clone(), 35)),
        " ● tailing │ offset 5 │ 1 rec/s"
    );
    assert_eq!(text(compose(parts.clone(), 22)), " ● tailing │ offset 5");
    assert_eq!(text(compose(parts.clone(), 8)), " ● tail…");
    // A warning takes the room left and is cut; it never pushes the rest out.
    let mut warned = parts;
    warned.push(Part::fill(Span::raw(
        "⚠ partition refresh failed: the broker is away",
    )));
    assert_eq!(
        text(compose(warned.clone(), 100)),
        " ● tailing │ offset 5 │ 0–9 loaded │ 1 rec/s │ ⚠ partition refresh failed: the broker is away"
    );
    assert_eq!(
        text(compose(warned.clone(), 80)),
        " ● tailing │ offset 5 │ 1 rec/s │ ⚠ partition refresh failed: the broker is away"
    );
    // Narrower: the rate and the loaded offsets give the warning room; the rest stays.
    assert_eq!(
        text(compose(warned.clone(), 60)),
        " ● tailing │ offset 5 │ ⚠ partition refresh failed: the bro…"
    );
    assert_eq!(text(compose(warned, 22)), " ● tailing │ offset 5…");
}
