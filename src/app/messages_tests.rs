//! The message pane's paging and reader-event handling.

use super::*;
use crate::app::window::tests::msg;

fn ev(generation: u64, kind: ReaderEventKind) -> ReaderEvent {
    ReaderEvent {
        generation,
        partition: 0,
        kind,
    }
}

#[test]
fn records_per_second() {
    let mut p = MessagePane::new("t".into(), 0, 100, 0);
    p.jump(StartAt::Beginning, false);
    p.tick(0);
    p.apply(
        ev(1, ReaderEventKind::Messages((0..50).map(msg).collect())),
        10,
    );
    p.tick(500);
    assert_eq!(p.rate, 0.0);
    p.tick(2000);
    assert_eq!(p.rate, 25.0);
}

#[test]
fn backward_page_completes_on_catch_up() {
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Offset(20), false);
    let w = Watermarks { low: 15, high: 30 };
    p.apply(
        ev(
            1,
            ReaderEventKind::Started {
                offset: 20,
                watermarks: w,
            },
        ),
        5,
    );
    p.apply(
        ev(1, ReaderEventKind::Messages((20..30).map(msg).collect())),
        5,
    );
    let fx = p.move_by(0, 5);
    assert!(matches!(
        fx,
        Some(Effect::StartReader {
            start: StartAt::Resume(15),
            ..
        })
    ));
    // Records 15..20 then a catch-up without records at 20 or later (e.g. compaction).
    p.apply(
        ev(3, ReaderEventKind::Messages((15..20).map(msg).collect())),
        5,
    );
    let fx = p.apply(ev(3, ReaderEventKind::CaughtUp { next: 20, high: 30 }), 5);
    assert_eq!(fx, Some(Effect::StopReader));
    assert_eq!(
        (p.window.first_offset(), p.selected().map(|m| m.offset)),
        (Some(15), Some(20))
    );
    // At the low watermark nothing more is loaded.
    p.cursor.select(0, p.window.len(), 5);
    assert_eq!(p.move_by(0, 5), None);
}

#[test]
fn deleted_records_are_reported_until_the_next_jump() {
    let mut p = MessagePane::new("t".into(), 0, 100, 0);
    p.jump(StartAt::Beginning, false);
    let w = Watermarks { low: 0, high: 30 };
    let started = ReaderEventKind::Started {
        offset: 0,
        watermarks: w,
    };
    p.apply(ev(1, started), 10);
    p.apply(
        ev(1, ReaderEventKind::Messages((0..5).map(msg).collect())),
        10,
    );
    let fx = p.apply(ev(1, ReaderEventKind::Skipped { from: 5, to: 20 }), 10);
    assert!(fx.is_none(), "the reader goes on");
    assert_eq!(
        p.warning.as_deref(),
        Some("offsets 5–19 were deleted before they were read")
    );
    assert_eq!(p.watermarks, Some(Watermarks { low: 20, high: 30 }));
    p.apply(
        ev(1, ReaderEventKind::Messages((20..25).map(msg).collect())),
        10,
    );
    let offsets: Vec<i64> = (0..p.window.len())
        .filter_map(|i| p.window.get(i).map(|m| m.offset))
        .collect();
    assert_eq!(offsets, [0, 1, 2, 3, 4, 20, 21, 22, 23, 24]);
    assert!(p.warning.is_some());
    p.jump(StartAt::Beginning, false);
    assert_eq!(p.warning, None);
}

#[test]
fn a_backward_page_deleted_entirely_ends_the_page() {
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Offset(20), false);
    let w = Watermarks { low: 15, high: 30 };
    p.apply(
        ev(
            1,
            ReaderEventKind::Started {
                offset: 20,
                watermarks: w,
            },
        ),
        5,
    );
    p.apply(
        ev(1, ReaderEventKind::Messages((20..30).map(msg).collect())),
        5,
    );
    // Scrolling above the first record starts a backward page before 20 ...
    let fx = p.move_by(0, 5);
    assert!(
        matches!(
            fx,
            Some(Effect::StartReader {
                start: StartAt::Resume(15),
                ..
            })
        ),
        "{fx:?}"
    );
    let g = p.generation;
    // ... whose records are deleted before it reads them.
    let fx = p.apply(ev(g, ReaderEventKind::Skipped { from: 15, to: 25 }), 5);
    assert_eq!(fx, Some(Effect::StopReader));
    assert_eq!(p.window.first_offset(), Some(20));
    assert!(p.warning.is_some());
}
