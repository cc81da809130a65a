//! Tailing, following, the new-below count and what the pane says it is doing.

use super::*;
use crate::app::window::tests::msg;
use crate::kafka::{ReaderEvent, ReaderEventKind, Watermarks};

const ROWS: usize = 5;

fn ev(generation: u64, kind: ReaderEventKind) -> ReaderEvent {
    ReaderEvent {
        generation,
        partition: 0,
        kind,
    }
}

fn records(p: &mut MessagePane, offsets: std::ops::Range<i64>) -> Option<Effect> {
    let g = p.generation;
    p.apply(
        ev(g, ReaderEventKind::Messages(offsets.map(msg).collect())),
        ROWS,
    )
}

fn caught_up(p: &mut MessagePane, high: i64) {
    let g = p.generation;
    p.apply(ev(g, ReaderEventKind::CaughtUp { next: high, high }), ROWS);
}

fn started(p: &mut MessagePane, offset: i64, high: i64) {
    let g = p.generation;
    let watermarks = Watermarks { low: 0, high };
    p.apply(ev(g, ReaderEventKind::Started { offset, watermarks }), ROWS);
}

fn starts(fx: &Option<Effect>) -> Option<StartAt> {
    match fx {
        Some(Effect::StartReader { start, .. }) => Some(*start),
        _ => None,
    }
}

fn selected(p: &MessagePane) -> i64 {
    p.selected().map_or(-1, |m| m.offset)
}

/// A pane (window of 20) opened with `G` on a partition of 100 records, caught up at the end.
fn at_the_end() -> MessagePane {
    let mut p = MessagePane::new("t".into(), 0, 20, 0);
    p.jump(StartAt::FromEnd(10), true);
    started(&mut p, 90, 100);
    records(&mut p, 90..100);
    caught_up(&mut p, 100);
    p
}

#[test]
fn a_fresh_partition_is_loading_then_idle_never_paused() {
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Beginning, false);
    assert_eq!(p.activity(), Activity::Loading);
    started(&mut p, 0, 100);
    assert_eq!(p.activity(), Activity::Loading);
    // The window's fill ends the page load: nothing runs, and nothing was paused by anyone.
    assert_eq!(records(&mut p, 0..10), Some(Effect::StopReader));
    assert_eq!(p.activity(), Activity::Idle);
}

#[test]
fn the_last_row_at_the_end_is_tailing_and_moves_with_new_records() {
    let mut p = at_the_end();
    assert_eq!((p.activity(), selected(&p)), (Activity::Tailing, 99));
    // More new records than the window holds: the window slides, the selection stays last.
    records(&mut p, 100..130);
    assert_eq!((p.activity(), selected(&p)), (Activity::Tailing, 129));
    assert_eq!(p.window.first_offset(), Some(110));
    // Up one row: no longer tailing; new records are added below, the selection stays.
    p.move_by(-1, ROWS);
    assert_eq!((p.activity(), selected(&p)), (Activity::CaughtUp, 128));
    records(&mut p, 130..132);
    assert_eq!((p.activity(), selected(&p)), (Activity::CaughtUp, 128));
    // Back on the last row: tailing again.
    p.move_by(10, ROWS);
    assert_eq!((p.activity(), selected(&p)), (Activity::Tailing, 131));
}

#[test]
fn the_last_row_of_a_window_at_the_end_starts_tailing_when_nothing_reads() {
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Offset(90), false);
    started(&mut p, 90, 100);
    records(&mut p, 90..100);
    assert_eq!(p.activity(), Activity::Idle);
    let fx = p.move_by(9, ROWS);
    assert_eq!(starts(&fx), Some(StartAt::Resume(100)));
    started(&mut p, 100, 100);
    caught_up(&mut p, 100);
    assert_eq!((p.activity(), selected(&p)), (Activity::Tailing, 99));
    records(&mut p, 100..101);
    assert_eq!(selected(&p), 100);
}

#[test]
fn following_scrolled_up_counts_new_records_below_and_g_jumps_there() {
    let mut p = at_the_end();
    // The reader is at the end: following keeps it.
    assert_eq!(p.toggle_follow(ROWS), Effect::Redraw);
    assert_eq!(p.activity(), Activity::Following { new_below: 0 });
    p.move_by(-3, ROWS);
    assert_eq!(selected(&p), 96);
    records(&mut p, 100..105);
    assert_eq!(selected(&p), 96, "the selection stays on its record");
    assert_eq!(p.activity(), Activity::Following { new_below: 5 });
    // `G`: a move, no reload; following goes on, at the last row.
    let fx = p.to_end(ROWS);
    assert_eq!(fx, None);
    assert_eq!(
        (p.activity(), selected(&p)),
        (Activity::Following { new_below: 0 }, 104)
    );
    records(&mut p, 105..107);
    assert_eq!(
        (p.activity(), selected(&p)),
        (Activity::Following { new_below: 0 }, 106)
    );
}

#[test]
fn new_below_never_exceeds_the_rows_below() {
    let mut p = at_the_end();
    p.toggle_follow(ROWS);
    p.move_by(-1, ROWS);
    // 50 new records through a window of 20: the selected record is gone; what is below is
    // at most the window.
    records(&mut p, 100..150);
    let below = p.window.len() - p.cursor.selected - 1;
    assert_eq!(p.activity(), Activity::Following { new_below: below });
    assert!(below < 20);
}

#[test]
fn f_again_stops_following_and_says_so_until_a_reader_starts() {
    let mut p = at_the_end();
    p.toggle_follow(ROWS);
    assert_eq!(p.toggle_follow(ROWS), Effect::StopReader);
    assert!(!p.follow);
    assert_eq!(p.activity(), Activity::StoppedFollowing);
    // The stopped reader's late records are not shown.
    let old = p.generation - 1;
    p.apply(
        ev(
            old,
            ReaderEventKind::Messages((100..103).map(msg).collect()),
        ),
        ROWS,
    );
    assert_eq!(p.window.last_offset(), Some(99));
    // A move on the last row starts tailing again.
    let fx = p.move_by(1, ROWS);
    assert_eq!(starts(&fx), Some(StartAt::Resume(100)));
    assert_eq!(p.activity(), Activity::Loading);
}

#[test]
fn f_at_the_end_of_an_idle_window_reads_on_without_reloading() {
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Offset(90), false);
    started(&mut p, 90, 100);
    records(&mut p, 90..100);
    let fx = p.toggle_follow(ROWS);
    assert_eq!(starts(&Some(fx)), Some(StartAt::Resume(100)));
    assert_eq!((p.window.len(), selected(&p)), (10, 99));
    // In the middle of a partition, `f` loads the end.
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Beginning, false);
    started(&mut p, 0, 100);
    records(&mut p, 0..10);
    let fx = p.toggle_follow(ROWS);
    assert_eq!(starts(&Some(fx)), Some(StartAt::FromEnd(5)));
    assert!(p.window.is_empty());
}

#[test]
fn g_far_from_the_end_loads_the_last_page() {
    let mut p = MessagePane::new("t".into(), 0, 10, 0);
    p.jump(StartAt::Beginning, false);
    started(&mut p, 0, 100);
    records(&mut p, 0..10);
    assert_eq!(starts(&p.to_end(ROWS)), Some(StartAt::FromEnd(5)));
    assert!(!p.follow);
}

#[test]
fn decodings_of_records_that_left_the_window_go_to_the_garbage_and_only_those() {
    use crate::app::{Decodings, PartDecoding, RecordDecoding};
    use std::sync::Arc;
    let mut p = at_the_end();
    let _ = p.toggle_follow(ROWS);
    let dec = |o: i64| {
        let value = PartDecoding::Failed {
            reason: format!("r{o}"),
            id: None,
        };
        (
            o,
            Arc::new(RecordDecoding {
                key: None,
                value: Some(value),
            }),
        )
    };
    let generation = p.generation;
    p.take_decodings(Decodings {
        generation,
        partition: 0,
        records: (100..130).map(dec).collect(),
    });
    records(&mut p, 100..130);
    p.prune_decoded();
    // The window (20) holds 110..130: the decodings of 100..110 left with their records.
    assert!(p.decoding(109).is_none());
    assert!(p.decoding(110).is_some());
    assert!(p.decoding(129).is_some());
    let gone = p.take_garbage();
    assert_eq!(gone.len(), 10);
    assert!(p.take_garbage().is_empty());
    // A jump empties the window: every decoding goes.
    p.jump(StartAt::Beginning, false);
    assert!(p.decoding(120).is_none());
    assert_eq!(p.take_garbage().len(), 20);
}
