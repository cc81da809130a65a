//! The detail's record-to-record moves (`n`/`p`, `]`/`[`) across the window's edges, the view
//! that sticks while moving, and decodings handed in beside the records.

use std::sync::Arc;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::window::tests::msg;
use crate::kafka::{ReaderEventKind, Watermarks};

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn ev(generation: u64, kind: ReaderEventKind) -> ReaderEvent {
    ReaderEvent {
        generation,
        partition: 0,
        kind,
    }
}

fn starts(fx: &[Effect]) -> Vec<(u64, StartAt)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::StartReader {
                generation, start, ..
            } => Some((*generation, *start)),
            _ => None,
        })
        .collect()
}

/// Records `offsets` with JSON values, as generation `g` delivers them after starting.
fn deliver(app: &mut App, g: u64, offsets: std::ops::Range<i64>, high: i64) {
    let messages = offsets
        .map(|o| {
            let mut m = msg(o);
            m.value = Some(Bytes::from(format!("{{\"n\":{o}}}")));
            m
        })
        .collect();
    app.update(Action::Reader(vec![
        ev(
            g,
            ReaderEventKind::Started {
                offset: 0,
                watermarks: Watermarks { low: 0, high },
            },
        ),
        ev(g, ReaderEventKind::Messages(messages)),
    ]));
}

/// 80x15 (10 list rows), a window of 20 records, partition 0 of `t` (offsets 0..100) open
/// with 0..20 loaded; returns the app and the reader generation.
fn opened() -> (App, u64) {
    let mut app = App::new("b:9092".into(), 20, Box::new(|| 1_700_000_000_000));
    app.update(Action::Resize(80, 15));
    app.start(Some("t".into()));
    app.update(Action::PartitionsLoaded {
        topic: "t".into(),
        result: Ok(vec![PartitionRow {
            id: 0,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(0),
            high: Some(100),
        }]),
    });
    let fx = app.update(key(KeyCode::Enter));
    let g = starts(&fx)[0].0;
    deliver(&mut app, g, 0..20, 100);
    (app, g)
}

fn shown(app: &App) -> (i64, ValueView) {
    let d = app.detail.as_ref().unwrap();
    (d.message.offset, d.view)
}

#[test]
fn n_and_p_move_record_to_record_and_the_chosen_view_sticks() {
    let (mut app, _) = opened();
    app.update(key(KeyCode::Enter));
    // A JSON value opens pretty-printed.
    assert_eq!(shown(&app), (0, ValueView::Json));
    app.update(ch('j'));
    assert_eq!(
        app.detail.as_ref().unwrap().scroll,
        0,
        "j scrolls the value"
    );
    app.update(ch('n'));
    assert_eq!(shown(&app), (1, ValueView::Json));
    app.update(ch('x'));
    assert_eq!(shown(&app), (1, ValueView::Text));
    app.update(ch(']'));
    assert_eq!(shown(&app), (2, ValueView::Text));
    app.update(ch('x'));
    app.update(ch('p'));
    assert_eq!(shown(&app), (1, ValueView::Hex));
    app.update(ch('['));
    assert_eq!(shown(&app), (0, ValueView::Hex));
    // At the partition's first record p stays.
    app.update(ch('p'));
    assert_eq!(shown(&app), (0, ValueView::Hex));
    assert_eq!(app.screen, Screen::Detail);
    // The choice outlives the detail: the next record opened starts on it.
    app.update(key(KeyCode::Esc));
    app.update(ch('j'));
    app.update(key(KeyCode::Enter));
    assert_eq!(shown(&app), (1, ValueView::Hex));
    app.update(ch('x'));
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Enter));
    assert_eq!(shown(&app), (1, ValueView::Json));
}

#[test]
fn n_past_the_windows_end_loads_the_next_page_and_moves_on_when_it_lands() {
    let (mut app, _) = opened();
    app.update(key(KeyCode::Enter));
    let mut loads = Vec::new();
    for _ in 0..19 {
        loads.extend(starts(&app.update(ch('n'))));
    }
    assert_eq!(shown(&app).0, 19);
    // Near the end the next page was asked for, as the table does.
    assert_eq!(loads.len(), 1);
    let (g2, start) = loads[0];
    assert_eq!(start, StartAt::Resume(20));
    // At the window's last record n waits for the page.
    app.update(ch('n'));
    assert_eq!(shown(&app).0, 19);
    deliver(&mut app, g2, 20..30, 100);
    assert_eq!(app.screen, Screen::Detail);
    assert_eq!(shown(&app), (20, ValueView::Json));
    let pane = app.messages.as_ref().unwrap();
    assert_eq!(pane.selected().unwrap().offset, 20);
    assert_eq!(pane.window.first_offset(), Some(10));
    // And back across the first record: the page before is loaded, p moves on.
    let mut loads = Vec::new();
    for _ in 0..10 {
        loads.extend(starts(&app.update(ch('p'))));
    }
    assert_eq!(shown(&app).0, 10);
    let (g3, start) = *loads.last().unwrap();
    assert_eq!(start, StartAt::Resume(0));
    app.update(ch('p'));
    assert_eq!(shown(&app).0, 10);
    deliver(&mut app, g3, 0..10, 100);
    app.update(Action::Reader(vec![ev(
        g3,
        ReaderEventKind::CaughtUp {
            next: 10,
            high: 100,
        },
    )]));
    assert_eq!(shown(&app).0, 9);
}

#[test]
fn decodings_arrive_before_their_records_and_stay_with_the_window() {
    let (mut app, g) = opened();
    let decoded = |o: i64| {
        Arc::new(RecordDecoding {
            key: None,
            value: Some(PartDecoding::Json {
                json: Bytes::from(format!("{{\"decoded\":{o}}}")),
                schema: Arc::new(SchemaLabel {
                    format: "Avro",
                    id: Some(1),
                    ..SchemaLabel::default()
                }),
            }),
        })
    };
    // A stale generation's decodings are ignored.
    app.update(Action::Decoded(Decodings {
        generation: g - 1,
        partition: 0,
        records: vec![(5, decoded(5))],
    }));
    assert!(app.messages.as_ref().unwrap().decoding(5).is_none());
    // G: a jump to the end; decodings come first, then the records.
    let fx = app.update(ch('G'));
    let (g2, _) = starts(&fx)[0];
    app.update(Action::Decoded(Decodings {
        generation: g2,
        partition: 0,
        records: (80..100).map(|o| (o, decoded(o))).collect(),
    }));
    deliver(&mut app, g2, 80..100, 100);
    app.update(key(KeyCode::Enter));
    assert_eq!(shown(&app), (99, ValueView::Decoded));
    assert_eq!(
        app.detail.as_ref().unwrap().value_line(1).as_str(),
        "  \"decoded\": 99"
    );
    let pane = app.messages.as_ref().unwrap();
    assert!(
        pane.decoding(5).is_none(),
        "the jump dropped the old window's"
    );
    // Records that leave the window take their decodings with them.
    app.update(key(KeyCode::Esc));
    let fx = app.update(ch('g'));
    let (g3, _) = starts(&fx)[0];
    deliver(&mut app, g3, 0..20, 100);
    app.update(Action::Reader(vec![ev(
        g3,
        ReaderEventKind::CaughtUp {
            next: 20,
            high: 100,
        },
    )]));
    assert!(app.messages.as_ref().unwrap().decoding(99).is_none());
}
