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
fn records_per_second_count_new_records_only_never_page_loads() {
    let mut p = MessagePane::new("t".into(), 0, 100, 0);
    p.jump(StartAt::Beginning, false);
    let w = Watermarks { low: 0, high: 50 };
    let started = || ReaderEventKind::Started {
        offset: 0,
        watermarks: w,
    };
    p.apply(ev(1, started()), 10);
    p.tick(0);
    // A page load of 50 records: not new, no rate, and none is shown.
    p.apply(
        ev(1, ReaderEventKind::Messages((0..50).map(msg).collect())),
        10,
    );
    p.tick(1000);
    assert_eq!(p.rate, 0.0);
    assert!(!p.live());
    // At the end: what arrives now is new.
    p.apply(ev(1, ReaderEventKind::CaughtUp { next: 50, high: 50 }), 10);
    assert!(p.live());
    p.tick(2000);
    p.apply(
        ev(1, ReaderEventKind::Messages((50..75).map(msg).collect())),
        10,
    );
    p.tick(2500);
    assert_eq!(p.rate, 0.0, "not a second yet");
    p.tick(3000);
    assert_eq!(p.rate, 25.0);
    // The next page load (a jump) counts nothing, and the rate drops to 0 while not live.
    p.jump(StartAt::Beginning, false);
    p.apply(ev(2, started()), 10);
    p.apply(
        ev(2, ReaderEventKind::Messages((0..75).map(msg).collect())),
        10,
    );
    p.tick(4000);
    assert_eq!(p.rate, 0.0);
}

#[test]
fn backward_page_completes_on_catch_up() {
    let mut p = loaded(20, 15, 30);
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
    let mut p = loaded(20, 15, 30);
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
    // The deleted offsets before the window are one marker row, not a record.
    assert_eq!(p.window.first_offset(), Some(15));
    assert_eq!(p.window.get(0), None);
    // The window stays bounded: the marker row took the place of the newest record.
    assert_eq!((p.window.len(), p.window.last_offset()), (10, Some(28)));
    assert_eq!(p.window.get(1).map(|m| m.offset), Some(20));
    assert!(p.warning.is_some());
}

/// A pane over offsets `first..first + 10` (capacity 10) of a partition `low..high`, idle.
fn loaded(first: i64, low: i64, high: i64) -> MessagePane {
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Offset(first), false);
    let w = Watermarks { low, high };
    let started = ReaderEventKind::Started {
        offset: first,
        watermarks: w,
    };
    p.apply(ev(1, started), 5);
    let page = (first..first + 10).map(msg).collect();
    p.apply(ev(1, ReaderEventKind::Messages(page)), 5);
    assert!(matches!(p.mode, Mode::Idle));
    p
}

#[test]
fn one_key_crosses_the_top_edge_once_the_page_before_lands() {
    let mut p = loaded(20, 0, 30);
    assert_eq!(p.selected().map(|m| m.offset), Some(20));
    // `k` on the first row: nothing before it yet, so the page before is loaded...
    let fx = p.move_by(-1, 5);
    assert!(matches!(
        fx,
        Some(Effect::StartReader {
            start: StartAt::Resume(15),
            ..
        })
    ));
    assert_eq!(p.selected().map(|m| m.offset), Some(20));
    // ...and when it lands the selection makes the move the key asked for.
    p.apply(
        ev(
            p.generation,
            ReaderEventKind::Messages((15..21).map(msg).collect()),
        ),
        5,
    );
    assert_eq!(p.selected().map(|m| m.offset), Some(19));
}

#[test]
fn one_key_crosses_the_bottom_edge_once_the_page_after_lands() {
    let mut p = loaded(0, 0, 30);
    // To the last row: the page after starts loading.
    let fx = p.move_by(9, 5);
    assert!(matches!(
        fx,
        Some(Effect::StartReader {
            start: StartAt::Resume(10),
            ..
        })
    ));
    assert_eq!(p.selected().map(|m| m.offset), Some(9));
    // `j` on the last row before it lands: held, then made.
    assert_eq!(p.move_by(1, 5), None);
    assert_eq!(p.selected().map(|m| m.offset), Some(9));
    p.apply(
        ev(
            p.generation,
            ReaderEventKind::Messages((10..15).map(msg).collect()),
        ),
        5,
    );
    assert_eq!(p.selected().map(|m| m.offset), Some(10));
    // Later records move nothing more.
    p.apply(
        ev(
            p.generation,
            ReaderEventKind::Messages((15..17).map(msg).collect()),
        ),
        5,
    );
    assert_eq!(p.selected().map(|m| m.offset), Some(10));
}

#[test]
fn a_move_made_in_full_leaves_nothing_to_make_later() {
    let mut p = loaded(20, 0, 30);
    p.move_by(-1, 5);
    // The person moved on before the page landed.
    p.move_by(3, 5);
    assert_eq!(p.selected().map(|m| m.offset), Some(23));
    p.apply(
        ev(
            p.generation,
            ReaderEventKind::Messages((15..21).map(msg).collect()),
        ),
        5,
    );
    assert_eq!(p.selected().map(|m| m.offset), Some(23));
}
