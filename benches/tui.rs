//! The TUI's costs (issue 4, target 3b): a whole frame drawn by `ui::draw` through a ratatui
//! `Terminal` on a `TestBackend` of 160x45 — the message pane over a window of 10,000
//! records of ~170-byte JSON values, and the detail view of one record as text, hex and JSON.
//!
//! Each frame is a `Terminal::draw` on a terminal kept between frames, as the runtime does:
//! the widgets are built and rendered into a fresh buffer, diffed against the previous one and
//! the difference written to the backend. The states are built through `App::update` only.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kbrowse::app::{Action, App, Effect, PartitionRow, Screen, TopicRow, ValueView};
use kbrowse::kafka::{
    BatchInfo, Codec, Message, ReaderEvent, ReaderEventKind, TimestampType, Watermarks,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const W: u16 = 160;
const H: u16 = 45;
const WINDOW: usize = 10_000;
/// Offset of the window's first record: seven-digit offsets, as in a long partition.
const FIRST: i64 = 1_000_000;
const NOW: i64 = 1_764_000_000_000;

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A ~170-byte JSON value, like the ones `scripts/bench` produces.
fn value(i: i64) -> String {
    format!(
        r#"{{"id":{i},"customer":"c{:05}","sku":"SKU-{:06}","qty":{},"price":{}.{:02},"status":"paid","ts":"2026-11-24T10:00:00Z","note":"ok"}}"#,
        i * 7919 % 100_000,
        i * 104_729 % 1_000_000,
        i % 9,
        i % 100,
        i % 97
    )
}

fn record(offset: i64) -> Message {
    Message {
        partition: 0,
        offset,
        timestamp: NOW - 3_600_000 + offset,
        timestamp_type: TimestampType::CreateTime,
        key: Some(Bytes::from(format!("order-{offset}"))),
        value: Some(Bytes::from(value(offset))),
        headers: Vec::new(),
        batch: BatchInfo {
            base_offset: offset,
            last_offset: offset,
            codec: Codec::Lz4,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

/// The message pane of `orders/0` holding a full window, the cursor in its middle.
fn messages_app() -> App {
    let mut app = App::new("localhost:9092".into(), WINDOW, Box::new(|| NOW));
    app.update(Action::Resize(W, H));
    app.start(None);
    app.update(Action::TopicsLoaded(Ok(vec![TopicRow {
        name: "orders".into(),
        internal: false,
        partitions: 1,
        messages: Some(2 * FIRST),
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
            high: Some(2 * FIRST),
        }]),
    });
    let generation = app
        .update(key(KeyCode::Enter))
        .iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("opening the partition starts a reader");
    let ev = |kind| ReaderEvent {
        generation,
        partition: 0,
        kind,
    };
    let records = (FIRST..FIRST + WINDOW as i64).map(record).collect();
    app.update(Action::Reader(vec![
        ev(ReaderEventKind::Started {
            offset: FIRST,
            watermarks: Watermarks {
                low: 0,
                high: 2 * FIRST,
            },
        }),
        ev(ReaderEventKind::Messages(records)),
    ]));
    let pane = app.messages.as_ref().expect("message pane");
    assert_eq!(pane.window.len(), WINDOW, "the window holds every record");
    for _ in 0..WINDOW / 2 / app.list_rows() {
        app.update(key(KeyCode::PageDown));
    }
    let pane = app.messages.as_ref().expect("message pane");
    assert!(pane.cursor.selected > WINDOW / 3 && pane.cursor.selected < WINDOW * 2 / 3);
    app
}

/// The detail view of the selected record in `view`.
fn detail_app(view: ValueView) -> App {
    let mut app = messages_app();
    app.update(key(KeyCode::Enter));
    assert_eq!(app.screen, Screen::Detail);
    while app.detail.as_ref().expect("detail").view != view {
        app.update(key(KeyCode::Char('x')));
    }
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(W, H)).expect("test terminal")
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frame_160x45");

    let app = messages_app();
    let mut t = terminal();
    g.bench_function("messages_10k_window", |b| {
        b.iter(|| {
            t.draw(|f| kbrowse::ui::draw(black_box(&app), f))
                .expect("draw");
        })
    });

    // A key press and the frame after it: the cursor moves one row (down, then back up), so
    // two rows of the screen change each frame.
    let mut app = messages_app();
    let mut t = terminal();
    let mut down = true;
    g.bench_function("messages_key_then_frame", |b| {
        b.iter(|| {
            let k = if down { KeyCode::Down } else { KeyCode::Up };
            down = !down;
            app.update(key(k));
            t.draw(|f| kbrowse::ui::draw(&app, f)).expect("draw");
        })
    });

    for (name, view) in [
        ("detail_text", ValueView::Text),
        ("detail_hex", ValueView::Hex),
        ("detail_json", ValueView::Json),
    ] {
        let app = detail_app(view);
        let mut t = terminal();
        g.bench_function(name, |b| {
            b.iter(|| {
                t.draw(|f| kbrowse::ui::draw(black_box(&app), f))
                    .expect("draw");
            })
        });
    }

    // Opening the detail view (Enter), cycling text -> hex -> JSON -> text (x x x) and closing
    // it (Esc), each key followed by its frame: the work done per record opened, the value
    // parsed and pretty-printed as JSON once.
    let mut app = messages_app();
    let mut t = terminal();
    g.bench_function("open_detail_cycle_views_close_5_frames", |b| {
        b.iter(|| {
            for k in [
                KeyCode::Enter,
                KeyCode::Char('x'),
                KeyCode::Char('x'),
                KeyCode::Char('x'),
                KeyCode::Esc,
            ] {
                app.update(key(k));
                t.draw(|f| kbrowse::ui::draw(&app, f)).expect("draw");
            }
            assert_eq!(app.screen, Screen::Messages);
        })
    });
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
