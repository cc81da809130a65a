//! Small terminals and dead ends (issue 15 §2, §6): popups, jump errors, a time after the
//! end, a deleted topic, the table's horizontal keys, keys typed before a jump's records.

use super::*;

/// Partition 0 of `orders` open, the reader started with watermarks `low..high` and records
/// `low..low+n` loaded; returns the generation.
fn opened(app: &mut App, low: i64, high: i64, n: i64) -> u64 {
    let g = open_partition(app, high);
    app.update(Action::Reader(vec![
        started(g, low, low, high),
        records(g, low..low + n),
        ev(
            g,
            ReaderEventKind::CaughtUp {
                next: low + n,
                high,
            },
        ),
    ]));
    g
}

#[test]
fn q_on_an_error_popup_closes_it_and_does_not_quit() {
    let mut app = app(100);
    app.popup = Some("boom".into());
    assert_eq!(app.update(ch('q')), vec![Effect::Redraw]);
    assert!(app.popup.is_none());
    assert!(!app.quit);
    // Without a popup, q quits; Ctrl-c quits even over one.
    app.popup = Some("boom".into());
    assert_eq!(app.update(ctrl('c')), vec![Effect::Quit]);
}

fn jump_error(app: &mut App, text: &str) -> Option<String> {
    app.update(ch('o'));
    typed(app, text);
    let fx = app.update(key(KeyCode::Enter));
    let error = app.prompt.as_ref().and_then(|p| p.error.clone());
    if error.is_some() {
        assert!(reader_starts(&fx).is_empty(), "{text}: {fx:?}");
        assert_eq!(app.messages.as_ref().unwrap().window.len(), 10, "kept");
        app.update(key(KeyCode::Esc));
    } else {
        assert_eq!(reader_starts(&fx).len(), 1, "{text}");
    }
    error
}

/// `o -99999` and `o 999999` are refused alike, the valid range written as a person would.
#[test]
fn offsets_before_the_beginning_and_after_the_end_are_refused_alike() {
    let mut app = app(100);
    opened(&mut app, 250, 300, 10);
    let valid = "valid offsets: 250 to 300, or -1 to -50 from the end";
    assert_eq!(
        jump_error(&mut app, "999999"),
        Some(format!("offset 999,999 is after the end; {valid}"))
    );
    assert_eq!(
        jump_error(&mut app, "-99999"),
        Some(format!("-99,999 is before the beginning; {valid}"))
    );
    assert_eq!(
        jump_error(&mut app, "249"),
        Some(format!("offset 249 is before the beginning; {valid}"))
    );
    assert_eq!(
        jump_error(&mut app, "-51"),
        Some(format!("-51 is before the beginning; {valid}"))
    );
    // The edges are inside.
    for ok in ["250", "300", "-50", "-1"] {
        let mut app = super::app(100);
        opened(&mut app, 250, 300, 10);
        assert_eq!(jump_error(&mut app, ok), None, "{ok}");
    }
}

#[test]
fn an_empty_partition_says_so() {
    let w = crate::kafka::Watermarks { low: 7, high: 7 };
    assert_eq!(
        super::super::keys::out_of_range(StartAt::Offset(9), w).as_deref(),
        Some("offset 9 is after the end; the partition is empty; valid offset: 7")
    );
    assert_eq!(
        super::super::keys::out_of_range(StartAt::Offset(7), w),
        None
    );
}

/// A jump to a time after the last record: the reader starts at the end; the last record is
/// read once for its time (not shown), and G still goes there.
#[test]
fn a_time_after_the_last_record_is_said_with_the_last_time_and_keys_work() {
    let mut app = app(100);
    opened(&mut app, 0, 50, 10);
    app.update(ch('t'));
    typed(&mut app, "@'2023-11-14 22:13:20'");
    let fx = app.update(key(KeyCode::Enter));
    let [(g, StartAt::Timestamp(_))] = reader_starts(&fx)[..] else {
        panic!("{fx:?}")
    };
    // The broker has nothing at or after it: the reader starts at the end.
    let fx = app.update(Action::Reader(vec![started(g, 50, 0, 50)]));
    let probe = reader_starts(&fx);
    assert_eq!(probe.len(), 1, "{fx:?}");
    assert_eq!(probe[0].1, StartAt::Offset(49));
    let p = probe[0].0;
    app.update(Action::Reader(vec![
        started(p, 49, 0, 50),
        records(p, 49..50),
        ev(p, ReaderEventKind::CaughtUp { next: 50, high: 50 }),
    ]));
    let pane = app.messages.as_ref().unwrap();
    assert!(pane.window.is_empty(), "the probe's record is not shown");
    let after = pane.after_end.unwrap();
    assert_eq!(after.last, Some(msg(49).timestamp));
    assert_eq!(pane.status, ReaderStatus::CaughtUp);
    // The keys still work: G reads the last records.
    let fx = app.update(ch('G'));
    assert!(matches!(reader_starts(&fx)[..], [(_, StartAt::FromEnd(_))]));
    assert!(app.messages.as_ref().unwrap().after_end.is_none());
}

/// A new record after a jump past the end is the answer: it is shown.
#[test]
fn a_record_arriving_after_a_jump_past_the_end_is_shown() {
    let mut app = app(100);
    opened(&mut app, 0, 50, 10);
    app.update(ch('t'));
    typed(&mut app, "-1m");
    let fx = app.update(key(KeyCode::Enter));
    let g = reader_starts(&fx)[0].0;
    let fx = app.update(Action::Reader(vec![started(g, 50, 0, 50)]));
    let p = reader_starts(&fx)[0].0;
    app.update(Action::Reader(vec![
        started(p, 49, 0, 50),
        records(p, 49..52),
    ]));
    let pane = app.messages.as_ref().unwrap();
    assert!(pane.after_end.is_none());
    assert_eq!(pane.window.first_offset(), Some(50));
    assert_eq!(pane.window.len(), 2);
}

/// A time that finds a record starts there, with no probe.
#[test]
fn a_time_inside_the_partition_reads_from_there() {
    let mut app = app(100);
    opened(&mut app, 0, 50, 10);
    app.update(ch('t'));
    typed(&mut app, "-1m");
    let fx = app.update(key(KeyCode::Enter));
    let g = reader_starts(&fx)[0].0;
    let fx = app.update(Action::Reader(vec![started(g, 20, 0, 50)]));
    assert!(reader_starts(&fx).is_empty());
    assert!(app.messages.as_ref().unwrap().after_end.is_none());
}

#[test]
fn a_deleted_topic_gives_one_short_line_and_offers_only_keys_that_work() {
    let mut app = app(100);
    let g = opened(&mut app, 0, 50, 10);
    let gone = crate::kafka::Error::TopicDeleted {
        topic: "orders".into(),
    };
    app.update(Action::Reader(vec![ev(g, ReaderEventKind::Failed(gone))]));
    assert_eq!(app.popup.as_deref(), Some("topic 'orders' was deleted"));
    app.update(ch('q'));
    assert!(app.popup.is_none() && !app.quit);
    assert_eq!(app.screen_table().name, "Messages (topic deleted)");
    // Jumping, following and paging cannot work: those keys do nothing.
    for c in ['o', 't', 'f', 'g', 'G'] {
        let fx = app.update(ch(c));
        assert!(reader_starts(&fx).is_empty(), "{c}: {fx:?}");
        assert!(app.prompt.is_none(), "{c}");
    }
    // What was read can still be read.
    app.update(ch('j'));
    assert_eq!(app.messages.as_ref().unwrap().cursor.selected, 1);
    app.update(key(KeyCode::Enter));
    assert_eq!(app.screen, Screen::Detail);
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Partitions);
}

#[test]
fn angle_brackets_shift_the_values_and_w_wraps() {
    let mut app = app(100);
    let g = open_partition(&mut app, 50);
    let mut long = msg(0);
    long.value = Some(bytes::Bytes::from(vec![b'x'; 200]));
    app.update(Action::Reader(vec![
        started(g, 0, 0, 50),
        ev(g, ReaderEventKind::Messages(vec![long])),
    ]));
    // 80 columns: steps of 26.
    app.update(ch('>'));
    assert_eq!(app.table.shift, 26);
    app.update(ch('>'));
    assert_eq!(app.table.shift, 52);
    app.update(ch('<'));
    assert_eq!(app.table.shift, 26);
    for _ in 0..7 {
        app.update(ch('>'));
    }
    assert_eq!(
        app.table.shift, 0,
        "past the longest value: back to the start"
    );
    app.update(ch('w'));
    assert!(app.table.wrap);
    app.update(ch('w'));
    assert!(!app.table.wrap);
}

/// Keys typed right after a jump, before its records land (a paste, a burst), are all
/// carried out once they do: none is lost.
#[test]
fn a_key_burst_right_after_a_jump_is_not_lost() {
    let mut app = app(100);
    opened(&mut app, 0, 1000, 10);
    app.update(ch('o'));
    typed(&mut app, "500");
    let fx = app.update(key(KeyCode::Enter));
    let g = reader_starts(&fx)[0].0;
    for _ in 0..3 {
        app.update(ch('j'));
    }
    app.update(key(KeyCode::Enter));
    assert_eq!(app.screen, Screen::Messages);
    app.update(Action::Reader(vec![started(g, 500, 0, 1000)]));
    assert_eq!(
        app.screen,
        Screen::Messages,
        "still waiting for the records"
    );
    app.update(Action::Reader(vec![records(g, 500..600)]));
    let pane = app.messages.as_ref().unwrap();
    assert_eq!(pane.selected().map(|m| m.offset), Some(503));
    assert_eq!(app.screen, Screen::Detail);
    assert_eq!(app.detail.as_ref().map(|d| d.message.offset), Some(503));
}

/// Keys kept for a jump that finds nothing are dropped harmlessly, and Esc is never kept.
#[test]
fn keys_kept_for_a_jump_that_finds_nothing_do_nothing() {
    let mut app = app(100);
    opened(&mut app, 0, 10, 10);
    app.update(ch('o'));
    typed(&mut app, "10");
    let fx = app.update(key(KeyCode::Enter));
    let g = reader_starts(&fx)[0].0;
    app.update(ch('j'));
    app.update(key(KeyCode::Enter));
    app.update(Action::Reader(vec![
        started(g, 10, 0, 10),
        ev(g, ReaderEventKind::CaughtUp { next: 10, high: 10 }),
    ]));
    assert_eq!(app.screen, Screen::Messages);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Partitions);
}
