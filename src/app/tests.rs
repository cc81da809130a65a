//! State transitions of the app, without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;
use crate::app::window::tests::msg;
use crate::kafka::{ReaderEventKind, Watermarks};

pub(crate) fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c));
    }
}

fn topic(name: &str, partitions: usize) -> TopicRow {
    TopicRow {
        name: name.into(),
        internal: false,
        partitions,
        messages: Some(100),
    }
}

fn partition(id: i32, low: i64, high: i64) -> PartitionRow {
    PartitionRow {
        id,
        leader: 1,
        replicas: vec![1],
        isr: vec![1],
        low: Some(low),
        high: Some(high),
    }
}

fn ev(generation: u64, kind: ReaderEventKind) -> ReaderEvent {
    ReaderEvent {
        generation,
        partition: 0,
        kind,
    }
}

fn records(generation: u64, offsets: std::ops::Range<i64>) -> ReaderEvent {
    ev(
        generation,
        ReaderEventKind::Messages(offsets.map(msg).collect()),
    )
}

fn started(generation: u64, offset: i64, low: i64, high: i64) -> ReaderEvent {
    ev(
        generation,
        ReaderEventKind::Started {
            offset,
            watermarks: Watermarks { low, high },
        },
    )
}

fn reader_starts(fx: &[Effect]) -> Vec<(u64, StartAt)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::StartReader {
                generation, start, ..
            } => Some((*generation, *start)),
            _ => None,
        })
        .collect()
}

/// An app 80x15 (10 list rows) with a window of `window` records, on topic `orders`.
fn app(window: usize) -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        window,
        Box::new(|| 1_700_000_000_000),
    );
    app.update(Action::Resize(80, 15));
    app.start(None);
    app.update(Action::TopicsLoaded(Ok(vec![
        topic("audit", 1),
        topic("orders", 3),
        topic("payments", 2),
    ])));
    app
}

/// `app(window)` with partition 0 of `orders` open; returns the reader generation.
fn open_partition(app: &mut App, high: i64) -> u64 {
    app.update(key(KeyCode::Down));
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![
            Effect::LoadPartitions {
                topic: "orders".into()
            },
            Effect::Redraw
        ]
    );
    let rows = vec![
        partition(0, 0, high),
        partition(1, 0, 5),
        partition(2, 0, 0),
    ];
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Ok(rows),
    });
    let fx = app.update(key(KeyCode::Enter));
    let starts = reader_starts(&fx);
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].1, StartAt::Beginning);
    assert_eq!(app.screen, Screen::Messages);
    starts[0].0
}

fn offsets_on_screen(app: &App) -> (i64, i64, i64) {
    let pane = app.messages.as_ref().unwrap();
    (
        pane.window.first_offset().unwrap(),
        pane.window.last_offset().unwrap(),
        pane.selected().unwrap().offset,
    )
}

#[test]
fn start_with_a_topic_opens_its_partitions() {
    let mut app = App::new("b:9092".into(), 100, Box::new(|| 0));
    let fx = app.start(Some("orders".into()));
    assert_eq!(
        fx,
        vec![
            Effect::LoadTopics,
            Effect::LoadPartitions {
                topic: "orders".into()
            }
        ]
    );
    assert_eq!(app.screen, Screen::Partitions);
    // An unknown topic falls back to the topic list with a popup.
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Err(crate::kafka::Error::UnknownTopic {
            topic: "orders".into(),
        }),
    });
    assert_eq!(app.screen, Screen::Topics);
    assert_eq!(app.popup.as_deref(), Some("unknown topic 'orders'"));
    app.update(ch('j'));
    assert!(app.popup.is_none());
}

#[test]
fn filter_narrows_topics_as_you_type() {
    let mut app = app(100);
    app.update(ch('/'));
    typed(&mut app, "pay");
    assert_eq!(app.topics.visible().len(), 1);
    // q is text while the filter is open.
    app.update(ch('q'));
    assert!(!app.quit);
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Enter));
    assert!(app.topics.filter_input.is_none());
    assert_eq!(app.topics.selected_name().as_deref(), Some("payments"));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.topics.visible().len(), 3);
}

#[test]
fn lists_move_with_vim_keys_arrows_and_pages() {
    let mut app = app(100);
    let rows: Vec<TopicRow> = (0..50).map(|i| topic(&format!("t{i:02}"), 1)).collect();
    app.update(Action::TopicsLoaded(Ok(rows)));
    app.update(ch('j'));
    app.update(key(KeyCode::Down));
    assert_eq!(app.topics.cursor.selected, 2);
    // Ctrl-d and Ctrl-u move half a page (5 of 10 rows), as in vim; PgDn PgUp a page.
    app.update(ctrl('d'));
    assert_eq!(app.topics.cursor.selected, 7);
    app.update(ctrl('u'));
    assert_eq!(app.topics.cursor.selected, 2);
    app.update(key(KeyCode::PageDown));
    assert_eq!(app.topics.cursor.selected, 12);
    app.update(key(KeyCode::PageUp));
    assert_eq!(app.topics.cursor.selected, 2);
    app.update(ch('G'));
    assert_eq!(
        app.topics.cursor,
        Cursor {
            selected: 49,
            top: 40
        }
    );
    app.update(key(KeyCode::Home));
    assert_eq!(app.topics.cursor.selected, 0);
    // A click on the fourth list row selects it.
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: 6,
        modifiers: KeyModifiers::NONE,
    };
    app.update(Action::Mouse(click));
    assert_eq!(app.topics.cursor.selected, 3);
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        ..click
    };
    app.update(Action::Mouse(wheel));
    assert_eq!(app.topics.cursor.selected, 6);
}

#[test]
fn stale_generations_are_dropped() {
    let mut app = app(100);
    let g = open_partition(&mut app, 1000);
    app.update(Action::Reader(vec![
        started(g, 0, 0, 1000),
        records(g, 0..20),
    ]));
    // Jump to 500: a new generation; late records of the old one never show.
    app.update(ch('o'));
    typed(&mut app, "500");
    let fx = app.update(key(KeyCode::Enter));
    let starts = reader_starts(&fx);
    assert_eq!(starts, vec![(g + 1, StartAt::Offset(500))]);
    app.update(Action::Reader(vec![
        records(g, 20..40),
        started(g + 1, 500, 0, 1000),
        records(g + 1, 500..510),
    ]));
    assert_eq!(offsets_on_screen(&app), (500, 509, 500));
}

#[test]
fn a_bad_position_keeps_the_prompt_open() {
    let mut app = app(100);
    open_partition(&mut app, 1000);
    app.update(ch('o'));
    typed(&mut app, "abc");
    let fx = app.update(key(KeyCode::Enter));
    assert!(reader_starts(&fx).is_empty());
    let prompt = app.prompt.as_ref().unwrap();
    assert!(
        prompt
            .error
            .as_ref()
            .unwrap()
            .starts_with("invalid offset 'abc'")
    );
    // An offset outside the partition is refused before anything is cleared.
    for _ in 0..3 {
        app.update(key(KeyCode::Backspace));
    }
    typed(&mut app, "5000");
    let fx = app.update(key(KeyCode::Enter));
    assert!(reader_starts(&fx).is_empty());
    let error = app.prompt.as_ref().unwrap().error.clone().unwrap();
    assert_eq!(
        error,
        "offset 5,000 is after the end; valid offsets: 0 to 1,000, or -1 to -1,000 from the end"
    );
    app.update(key(KeyCode::Esc));
    assert!(app.prompt.is_none());
    // t takes a time without '@', relative to the injected clock.
    app.update(ch('t'));
    typed(&mut app, "-1m");
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(
        reader_starts(&fx)[0].1,
        StartAt::Timestamp(1_700_000_000_000 - 60_000)
    );
}

#[test]
fn window_pages_forward_and_backward_with_bounded_memory() {
    let mut app = app(40);
    let g = open_partition(&mut app, 1000);
    let fx = app.update(Action::Reader(vec![
        started(g, 0, 0, 1000),
        records(g, 0..50),
    ]));
    // The window is full: the reader stops.
    assert!(fx.contains(&Effect::StopReader));
    assert_eq!(offsets_on_screen(&app), (0, 39, 0));
    assert_eq!(app.messages.as_ref().unwrap().status, ReaderStatus::Paused);
    // Moving within a screen of the end loads the next page, after the last record.
    for _ in 0..29 {
        assert!(reader_starts(&app.update(ch('j'))).is_empty());
    }
    let fx = app.update(ch('j'));
    let (g2, start) = reader_starts(&fx)[0];
    assert_eq!(start, StartAt::Resume(40));
    // The page comes in: the oldest records fall out, the selection stays on offset 30.
    let fx = app.update(Action::Reader(vec![
        started(g2, 40, 0, 1000),
        records(g2, 40..70),
    ]));
    assert!(fx.contains(&Effect::StopReader));
    assert_eq!(offsets_on_screen(&app), (20, 59, 30));
    // Up near the top of the window: the page before it loads and goes in front at once.
    let fx = app.update(ch('k'));
    let (g3, start) = reader_starts(&fx)[0];
    assert_eq!(start, StartAt::Resume(0));
    app.update(Action::Reader(vec![
        started(g3, 0, 0, 1000),
        records(g3, 0..10),
    ]));
    assert_eq!(
        offsets_on_screen(&app),
        (20, 59, 29),
        "nothing shows before the page is complete"
    );
    app.update(Action::Reader(vec![records(g3, 10..30)]));
    assert_eq!(offsets_on_screen(&app), (0, 39, 29));
    let pane = app.messages.as_ref().unwrap();
    assert_eq!(pane.window.len(), 40);
    assert_eq!(pane.status, ReaderStatus::Paused);
}

#[test]
fn g_and_shift_g_jump_to_the_partition_ends() {
    let mut app = app(20);
    let g = open_partition(&mut app, 1000);
    app.update(Action::Reader(vec![
        started(g, 0, 0, 1000),
        records(g, 0..5),
    ]));
    let fx = app.update(ch('G'));
    let (g2, start) = reader_starts(&fx)[0];
    assert_eq!(start, StartAt::FromEnd(10));
    app.update(Action::Reader(vec![
        started(g2, 990, 0, 1000),
        records(g2, 990..1000),
    ]));
    assert_eq!(offsets_on_screen(&app), (990, 999, 999));
    // At the end the reader waits for new records; scrolling up past the top still pages back.
    app.update(Action::Reader(vec![ev(
        g2,
        ReaderEventKind::CaughtUp {
            next: 1000,
            high: 1000,
        },
    )]));
    let fx = app.update(key(KeyCode::PageUp));
    let (g3, start) = reader_starts(&fx)[0];
    assert_eq!(start, StartAt::Resume(980));
    app.update(Action::Reader(vec![
        started(g3, 980, 0, 1000),
        records(g3, 980..995),
    ]));
    // The page up the window's top cut short is made once the page before lands: from 999 a
    // page of 10 rows up is 989.
    assert_eq!(offsets_on_screen(&app), (980, 999, 989));
    let fx = app.update(key(KeyCode::Home));
    assert_eq!(reader_starts(&fx)[0].1, StartAt::Beginning);
}

#[test]
fn follow_stays_at_the_end_and_slides() {
    let mut app = app(10);
    let g = open_partition(&mut app, 5);
    app.update(Action::Reader(vec![
        started(g, 0, 0, 5),
        records(g, 0..5),
        ev(g, ReaderEventKind::CaughtUp { next: 5, high: 5 }),
    ]));
    assert_eq!(
        app.messages.as_ref().unwrap().status,
        ReaderStatus::CaughtUp
    );
    // Caught up already: following keeps the same reader.
    let fx = app.update(ch('f'));
    assert!(reader_starts(&fx).is_empty());
    app.update(Action::Reader(vec![records(g, 5..25)]));
    let pane = app.messages.as_ref().unwrap();
    assert_eq!(pane.status, ReaderStatus::Following);
    assert_eq!(offsets_on_screen(&app), (15, 24, 24));
    let fx = app.update(ch('f'));
    assert!(fx.contains(&Effect::StopReader));
    assert!(!app.messages.as_ref().unwrap().follow);
}

#[test]
fn reader_failures_show_and_reconnects_are_visible() {
    let mut app = app(10);
    let g = open_partition(&mut app, 5);
    let err = crate::kafka::Error::Closed { addr: "b:1".into() };
    app.update(Action::Reader(vec![ev(
        g,
        ReaderEventKind::Reconnecting {
            next: 0,
            attempt: 2,
            error: err,
        },
    )]));
    assert!(matches!(
        app.messages.as_ref().unwrap().status,
        ReaderStatus::Reconnecting { attempt: 2, .. }
    ));
    let err = crate::kafka::Error::OffsetOutOfRange {
        topic: "orders".into(),
        partition: 0,
        offset: 9,
        low: 0,
        high: 5,
    };
    app.update(Action::Reader(vec![ev(g, ReaderEventKind::Failed(err))]));
    assert!(app.popup.as_ref().unwrap().contains("out of range"));
    assert!(matches!(
        app.messages.as_ref().unwrap().status,
        ReaderStatus::Failed(_)
    ));
}

#[test]
fn detail_opens_cycles_views_and_goes_back() {
    let mut app = app(10);
    let g = open_partition(&mut app, 5);
    app.update(Action::Reader(vec![started(g, 0, 0, 5), records(g, 0..5)]));
    app.update(ch('j'));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.screen, Screen::Detail);
    assert_eq!(app.detail.as_ref().unwrap().message.offset, 1);
    app.update(ch('x'));
    assert_eq!(app.detail.as_ref().unwrap().view, ValueView::Hex);
    app.update(ch('x')); // "v1" is not JSON
    assert_eq!(app.detail.as_ref().unwrap().view, ValueView::Text);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Messages);
    assert!(app.detail.is_none());
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Partitions);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Topics);
}

#[test]
fn help_toggles_and_quit_keys_work() {
    let mut app = app(10);
    app.update(ch('?'));
    assert!(app.help);
    app.update(key(KeyCode::Esc));
    assert!(!app.help);
    app.update(ch('o')); // not on the topic list
    assert!(app.prompt.is_none());
    assert_eq!(app.update(ch('q')), vec![Effect::Quit]);
    let mut app2 = self::app(10);
    open_partition(&mut app2, 5);
    app2.update(ch('o'));
    app2.update(ch('q'));
    assert!(!app2.quit, "q is text in the prompt");
    assert_eq!(app2.update(ctrl('c')), vec![Effect::Quit]);
}

#[test]
fn partitions_refresh_periodically() {
    let now = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let clock = now.clone();
    let mut app = App::new(
        "b".into(),
        10,
        Box::new(move || clock.load(std::sync::atomic::Ordering::Relaxed)),
    );
    app.start(Some("orders".into()));
    assert!(app.update(Action::Tick).is_empty());
    now.store(3_000, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        app.update(Action::Tick),
        vec![Effect::LoadPartitions {
            topic: "orders".into()
        }]
    );
}

#[test]
fn c_on_the_topic_list_switches_cluster_only_when_offered() {
    let mut app = App::new("b:1".into(), 100, Box::new(|| 0));
    app.update(Action::Resize(80, 24));
    assert_eq!(app.update(ch('c')), vec![Effect::Redraw]);
    app.switch_cluster = true;
    assert_eq!(
        app.update(ch('c')),
        vec![Effect::SwitchCluster, Effect::Redraw]
    );
}

/// Each state answers to its own table: the table the help shows for it, the general keys
/// after it unless it is typed into, and every key in it resolves to its binding.
#[test]
fn handling_follows_the_key_tables() {
    use super::keymap::{self, Key, KeyTable, resolve};
    let mut app = app(100);
    let check = |app: &App, table: &KeyTable, general: bool| {
        let chain = app.key_tables();
        assert_eq!(chain[1].name, table.name);
        assert_eq!(chain.iter().any(|t| t.name == "Everywhere"), general);
        for b in table.bindings {
            for k in b.keys {
                assert_eq!(
                    resolve(&chain, *k),
                    b.command,
                    "{}: {}",
                    table.name,
                    k.name()
                );
            }
        }
        assert_eq!(resolve(&chain, Key::Ctrl('c')), keymap::Command::Quit);
    };
    check(&app, &keymap::TOPICS, true);
    app.update(ch('/'));
    check(&app, &keymap::FILTER, false);
    app.update(key(KeyCode::Esc));
    app.update(ch('?'));
    check(&app, &keymap::HELP, true);
    app.update(key(KeyCode::Esc));
    open_partition(&mut app, 1000);
    check(&app, &keymap::MESSAGES, true);
    app.update(ch('o'));
    check(&app, &keymap::PROMPT, false);
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Esc));
    check(&app, &keymap::PARTITIONS, true);
    app.popup = Some("boom".into());
    check(&app, &keymap::POPUP, false);
    // q is text in an input, quits elsewhere.
    app.update(ch('x'));
    assert!(app.popup.is_none() && !app.quit);
}

#[test]
fn slash_starts_a_new_empty_filter_and_up_recalls_the_last() {
    let mut app = app(100);
    app.update(ch('/'));
    typed(&mut app, "orders");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.topics.filter, "orders");
    app.update(ch('/'));
    assert_eq!(app.topics.filter, "");
    assert_eq!(app.topics.visible_len(), 3);
    typed(&mut app, "pay");
    assert_eq!(app.topics.filter, "pay");
    app.update(key(KeyCode::Up));
    assert_eq!(app.topics.filter, "orders");
    assert_eq!(app.topics.selected_name().as_deref(), Some("orders"));
    app.update(key(KeyCode::Down));
    assert_eq!(app.topics.filter, "pay");
    // Enter keeps it; the recalled text is edited like typed text.
    app.update(key(KeyCode::Up));
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.topics.filter, "order");
    // Ctrl-n moves among the matches while typing.
    app.update(ch('/'));
    typed(&mut app, "a");
    app.update(ctrl('n'));
    assert_eq!(app.topics.selected_name().as_deref(), Some("payments"));
}

#[test]
fn jump_prompts_recall_earlier_entries() {
    let mut app = app(100);
    let g = open_partition(&mut app, 1000);
    app.update(Action::Reader(vec![
        started(g, 0, 0, 1000),
        records(g, 0..20),
    ]));
    for typed_offset in ["500", "-5"] {
        app.update(ch('o'));
        typed(&mut app, typed_offset);
        app.update(key(KeyCode::Enter));
    }
    app.update(ch('o'));
    typed(&mut app, "7");
    app.update(key(KeyCode::Up));
    assert_eq!(app.prompt.as_ref().unwrap().input.value(), "-5");
    app.update(key(KeyCode::Up));
    assert_eq!(app.prompt.as_ref().unwrap().input.value(), "500");
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Down));
    assert_eq!(app.prompt.as_ref().unwrap().input.value(), "7");
    app.update(key(KeyCode::Up));
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(reader_starts(&fx)[0].1, StartAt::FromEnd(5));
    // The time prompt keeps its own entries.
    app.update(ch('t'));
    app.update(key(KeyCode::Up));
    assert_eq!(app.prompt.as_ref().unwrap().input.value(), "");
}

#[test]
fn the_wheel_scrolls_the_help_and_is_ignored_by_inputs() {
    let mut app = app(100);
    let wheel = |kind| {
        Action::Mouse(MouseEvent {
            kind,
            column: 5,
            row: 6,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.update(ch('?'));
    app.update(wheel(MouseEventKind::ScrollDown));
    assert_eq!(app.help_scroll, 3);
    app.update(wheel(MouseEventKind::ScrollUp));
    assert_eq!(app.help_scroll, 0);
    app.update(ch('?'));
    app.update(ch('/'));
    app.update(wheel(MouseEventKind::ScrollDown));
    assert_eq!(app.topics.cursor.selected, 0);
    assert!(app.topics.filter_input.is_some());
}

#[test]
fn the_topic_list_starts_on_the_first_topic_that_is_not_internal() {
    let mut app = App::new("b:9092".into(), 100, Box::new(|| 0));
    app.update(Action::Resize(80, 15));
    app.start(None);
    let mut internal = topic("__consumer_offsets", 50);
    internal.internal = true;
    app.update(Action::TopicsLoaded(Ok(vec![internal, topic("orders", 3)])));
    assert_eq!(app.topics.selected_name().as_deref(), Some("orders"));
    // A refresh keeps the selection, internal or not.
    app.update(ch('k'));
    app.update(ch('r'));
    let again = app.topics.rows.clone();
    app.update(Action::TopicsLoaded(Ok(again)));
    assert_eq!(
        app.topics.selected_name().as_deref(),
        Some("__consumer_offsets")
    );
}

#[test]
fn a_double_click_opens_the_row_and_r_reloads_the_watermarks() {
    let now = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1_000));
    let clock = now.clone();
    let mut app = App::new(
        "b:9092".into(),
        100,
        Box::new(move || clock.load(std::sync::atomic::Ordering::Relaxed)),
    );
    app.update(Action::Resize(80, 15));
    app.start(None);
    app.update(Action::TopicsLoaded(Ok(vec![
        topic("audit", 1),
        topic("orders", 3),
    ])));
    let click = Action::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: 4,
        modifiers: KeyModifiers::NONE,
    });
    let click = || match &click {
        Action::Mouse(m) => Action::Mouse(*m),
        _ => unreachable!(),
    };
    // Two clicks 500 ms apart only select; two within 400 ms open.
    app.update(click());
    now.store(1_500, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(app.update(click()), vec![Effect::Redraw]);
    assert_eq!(app.screen, Screen::Topics);
    now.store(1_800, std::sync::atomic::Ordering::Relaxed);
    let fx = app.update(click());
    assert_eq!(app.screen, Screen::Partitions);
    assert_eq!(
        fx[0],
        Effect::LoadPartitions {
            topic: "orders".into()
        }
    );
    let fx = app.update(ch('r'));
    assert_eq!(
        fx,
        vec![
            Effect::LoadPartitions {
                topic: "orders".into()
            },
            Effect::Redraw
        ]
    );
}

#[path = "search_tests.rs"]
mod search_tests;
#[path = "tests_small.rs"]
mod small;
#[test]
fn y_and_shift_y_copy_the_value_and_the_key_through_osc52() {
    let mut app = app(100);
    let generation = open_partition(&mut app, 3);
    let mut big = msg(1);
    big.value = Some(bytes::Bytes::from(vec![b'x'; clipboard::MAX_COPY + 1]));
    big.key = None;
    let mut exact = msg(2);
    exact.value = Some(bytes::Bytes::from(vec![b'y'; clipboard::MAX_COPY]));
    app.update(Action::Reader(vec![ev(
        generation,
        ReaderEventKind::Messages(vec![msg(0), big, exact]),
    )]));
    let note = |app: &App| {
        app.messages
            .as_ref()
            .and_then(|p| p.warning.as_ref())
            .map(|w| w.to_string())
    };
    let fx = app.update(ch('y'));
    assert_eq!(fx[0], Effect::Copy(bytes::Bytes::from_static(b"v0")));
    assert_eq!(note(&app).as_deref(), Some("copied the value (2 bytes)"));
    let fx = app.update(ch('Y'));
    assert_eq!(fx[0], Effect::Copy(bytes::Bytes::from_static(b"k0")));
    app.update(key(KeyCode::Down));
    let fx = app.update(ch('y'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Copy(_))));
    assert_eq!(
        note(&app).as_deref(),
        Some("value not copied: 1048577 bytes > 1 MiB")
    );
    let fx = app.update(ch('Y'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Copy(_))));
    assert_eq!(note(&app).as_deref(), Some("null key: nothing copied"));
    app.update(key(KeyCode::Down));
    let fx = app.update(ch('y'));
    assert!(matches!(&fx[0], Effect::Copy(b) if b.len() == clipboard::MAX_COPY));
}

#[test]
fn osc52_carries_the_bytes_in_base64() {
    assert_eq!(
        clipboard::osc52(b"hi\x1b\xff"),
        b"\x1b]52;c;aGkb/w==\x07".to_vec()
    );
    assert_eq!(clipboard::osc52(b""), b"\x1b]52;c;\x07".to_vec());
}

#[test]
fn s_asks_where_to_save_the_value_proposing_topic_partition_offset() {
    let mut app = app(100);
    let generation = open_partition(&mut app, 3);
    let mut null = msg(1);
    null.value = None;
    app.update(Action::Reader(vec![ev(
        generation,
        ReaderEventKind::Messages(vec![msg(0), null]),
    )]));
    app.update(ch('s'));
    let p = app.prompt.as_ref().unwrap();
    assert_eq!(
        (p.kind, p.input.value(), p.verb()),
        (PromptKind::SavePath, "orders-0-0.bin", "save")
    );
    // Readline keys: ^W deletes a word, ^U clears.
    app.update(ctrl('w'));
    assert_eq!(app.prompt.as_ref().unwrap().input.value(), "orders-0-0.");
    app.update(ctrl('u'));
    assert_eq!(app.prompt.as_ref().unwrap().input.value(), "");
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.prompt.as_ref().unwrap().error.as_deref(),
        Some("type a file name")
    );
    typed(&mut app, "/tmp/out.bin");
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(
        fx[0],
        Effect::SaveFile {
            path: "/tmp/out.bin".into(),
            bytes: bytes::Bytes::from_static(b"v0"),
        }
    );
    assert!(app.prompt.is_none());
    app.update(Action::Saved("saved 2 bytes to /tmp/out.bin\x1b[2J".into()));
    assert_eq!(
        app.messages
            .as_ref()
            .unwrap()
            .warning
            .as_ref()
            .map(|w| w.to_string()),
        Some("saved 2 bytes to /tmp/out.bin\\e[2J".into())
    );
    // A null value has nothing to save.
    app.update(key(KeyCode::Down));
    app.update(ch('s'));
    assert!(app.prompt.is_none());
    assert_eq!(
        app.messages
            .as_ref()
            .unwrap()
            .warning
            .as_ref()
            .map(|w| w.to_string()),
        Some("null value: nothing to save".into())
    );
}
