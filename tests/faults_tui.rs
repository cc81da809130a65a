//! The TUI in a pseudo-terminal against the real broker under faults: the broker killed and
//! started again while a partition is followed, records deleted before a page is read, and
//! the topic deleted while browsing it.
//!
//! A test binary of its own because one test kills the shared broker; its tests run one at
//! a time (a lock), so none of them sees another's outage.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use support::faults::{BrokerBack, broker_script, delete_records, start_again};
use support::pty::{Tui, table_rows};
use support::*;

const ROWS: u16 = 40;
const COLS: u16 = 160;
const WAIT: Duration = Duration::from_secs(60);
const PAGE_DOWN: &str = "\x1b[6~";

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn recs(range: std::ops::Range<i64>) -> Vec<TestRecord> {
    range
        .map(|i| TestRecord::kv(0, &format!("k{i:04}"), &format!("v{i}")))
        .collect()
}

/// The gap marker rows on screen: (first offset, the rest of the row).
fn gaps_on(screen: &str) -> Vec<(i64, String)> {
    table_rows(screen)
        .into_iter()
        .filter(|(_, rest)| rest.contains("┄ gap ┄"))
        .collect()
}

/// The record rows on screen: offsets, each row checked to hold its own record's key.
fn offsets_on(screen: &str) -> Vec<i64> {
    table_rows(screen)
        .into_iter()
        .filter(|(_, rest)| !rest.contains("┄ gap ┄"))
        .map(|(o, rest)| {
            assert!(rest.contains(&format!("k{o:04}")), "row {o}: {rest}");
            o
        })
        .collect()
}

/// The screen's last line: the status line.
fn status_line(screen: &str) -> String {
    screen.lines().last().unwrap_or_default().to_string()
}

/// A new topic holding records 0..20, open in the TUI (`args` before the topic) and following
/// its end.
fn following_twenty(addr: &str, prefix: &str, args: &[&str]) -> (Tui, String) {
    let topic = unique(prefix);
    create_topic(addr, &topic, 1, &[]);
    produce(addr, &topic, "lz4", &recs(0..20));
    let mut all = vec!["-b", addr];
    all.extend_from_slice(args);
    all.push(&topic);
    let mut tui = Tui::spawn(&all, ROWS, COLS);
    tui.wait_within("the partition list", WAIT, |t| t.contains("Leader"));
    tui.keys("\r");
    tui.wait_within("records 0..20", WAIT, |t| {
        offsets_on(t).last() == Some(&19) && t.contains("● caught up")
    });
    tui.keys("f");
    tui.wait_within("following", WAIT, |t| t.contains("● following"));
    (tui, topic)
}

/// Produces records 20..40 to a followed topic that showed 0..20, checks that the screen
/// shows them right after the earlier ones (no gap, no duplicate), and quits.
fn records_20_to_40_follow_on(tui: &mut Tui, addr: &str, topic: &str) {
    produce(addr, topic, "lz4", &recs(20..40));
    tui.wait_within("records up to 39", WAIT, |t| {
        offsets_on(t).last() == Some(&39)
    });
    let text = tui.text();
    let offsets = offsets_on(&text);
    assert_eq!(
        offsets,
        (offsets[0]..40).collect::<Vec<i64>>(),
        "a gap or duplicate on screen:\n{text}"
    );
    assert!(
        status_line(&text).contains("● following │ offset 39 of 0–39 │ "),
        "{text}"
    );
    tui.keys("q");
    assert!(tui.wait_exit_within(Duration::from_secs(10)).success());
}

#[test]
fn the_tui_shows_reconnecting_while_the_broker_is_down_then_follows_without_gap_or_duplicate() {
    let Some(addr) = real_broker() else { return };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let _back = BrokerBack { frozen: None };
    let (mut tui, topic) = following_twenty(&addr, "tui-kill", &["--timeout", "2"]);
    assert_eq!(offsets_on(&tui.text()), (0..20).collect::<Vec<i64>>());

    let (ok, out) = broker_script(&["kill"]);
    assert!(ok, "kill: {out}");
    let noticed = tui.wait_within("reconnecting", WAIT, |t| t.contains("● reconnecting"));
    let shown = status_line(&tui.text());
    eprintln!("killed broker noticed after {noticed:?}: {}", shown.trim());
    assert!(shown.contains(" │ offset 19 of 0–19"), "{shown}");
    // Still responsive while the broker is down: the selection moves.
    tui.keys("k");
    tui.keys("j");

    let t = Instant::now();
    let (ok, out) = start_again();
    assert!(ok, "start-again: {out}");
    assert_eq!(out.trim(), addr, "the broker came back on another address");
    let back = tui.wait_within("following again", WAIT, |t| t.contains("● following"));
    eprintln!(
        "broker back after {:?}; the TUI followed again {back:?} later",
        t.elapsed()
    );

    records_20_to_40_follow_on(&mut tui, &addr, &topic);
}

#[test]
fn the_tui_says_which_records_were_deleted_before_its_next_page_and_shows_what_follows() {
    let Some(addr) = real_broker() else { return };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let topic = unique("tui-retention");
    create_topic(&addr, &topic, 1, &[]);
    produce(&addr, &topic, "lz4", &recs(0..1000));

    let mut tui = Tui::spawn(&["-b", &addr, "--window", "100", &topic], ROWS, COLS);
    tui.wait_within("the partition list", WAIT, |t| t.contains("1,000"));
    tui.keys("\r");
    // A window of 100 records: 0..100 are loaded, then the reader stops.
    tui.wait_within("the first window", WAIT, |t| {
        status_line(t).contains(" offset 0 of 0–999 │ offsets 0–99 loaded ")
    });
    // Nothing reads, but nobody paused anything either.
    assert!(!tui.text().contains("paused"));
    assert_eq!(delete_records(&addr, &topic, 0, 500), 500);
    // Paging down past the window reads on from 100, deleted by now.
    for _ in 0..3 {
        tui.keys(PAGE_DOWN);
    }
    tui.wait_within("the deletion reported", WAIT, |t| {
        t.contains("⚠ offsets 100–499 were deleted before they were read")
    });
    tui.wait_within("records from 500 on", WAIT, |t| {
        offsets_on(t).contains(&500)
    });
    let text = tui.text();
    eprintln!("{text}");
    let offsets = offsets_on(&text);
    assert!(
        offsets.iter().all(|&o| !(100..500).contains(&o)),
        "deleted records on screen:\n{text}"
    );
    let at = offsets.iter().position(|&o| o == 500).expect("500");
    let want: Vec<i64> = (offsets[0]..100)
        .chain(500..offsets[offsets.len() - 1] + 1)
        .collect();
    assert_eq!(
        offsets, want,
        "a gap besides the deleted range, or a duplicate:\n{text}"
    );
    assert!(at > 0, "the rows before the gap are gone:\n{text}");
    // One marker row stands for the deleted offsets, between 99 and 500.
    let gaps = gaps_on(&text);
    assert_eq!(gaps.len(), 1, "{text}");
    assert_eq!(gaps[0].0, 100);
    // The label in the key column, the offsets in the value column (widths follow the rows).
    let words = gaps[0].1.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("deleted offsets 100–499 deleted before they were read"),
        "{text}"
    );
    assert!(status_line(&text).contains(" of 500–999 "), "{text}");
    tui.keys("q");
    assert!(tui.wait_exit_within(Duration::from_secs(10)).success());
}

#[test]
fn the_tui_shows_a_deleted_topic_as_an_error_and_stays_usable() {
    let Some(addr) = real_broker() else { return };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (mut tui, topic) = following_twenty(&addr, "tui-deleted", &[]);
    let t = Instant::now();
    support::faults::delete_topic(&addr, &topic);
    let noticed = tui.wait_within("the error", WAIT, |t| {
        t.contains(&format!(
            "topic '{topic}' was deleted while it was being read"
        ))
    });
    let text = tui.text();
    eprintln!(
        "deleted topic noticed {noticed:?} after the deletion returned ({:?} in all):\n{}",
        t.elapsed(),
        status_line(&text)
    );
    assert!(
        status_line(&text).contains(&format!(
            "● error: topic '{topic}' was deleted while it was being read"
        )),
        "{text}"
    );
    // What was read stays on screen.
    assert_eq!(offsets_on(&text), (0..20).collect::<Vec<i64>>());
    // A key closes the popup; Esc goes back to the partitions, again to the topics; the
    // deleted topic is no longer listed there once the list is loaded again.
    tui.keys("x");
    tui.keys("\x1b");
    tui.keys("\x1b");
    tui.wait_within("the topic list", WAIT, |t| {
        status_line(t).trim_start().ends_with("⏎ open") || status_line(t).contains(" topics ")
    });
    tui.keys("q");
    assert!(tui.wait_exit_within(Duration::from_secs(10)).success());
}

#[test]
fn the_tui_shows_reconnecting_while_the_broker_is_frozen_then_follows_without_gap_or_duplicate() {
    let Some(addr) = real_broker() else { return };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut back = BrokerBack { frozen: None };
    let (mut tui, topic) = following_twenty(&addr, "tui-frozen", &["--timeout", "1"]);

    let pid = support::faults::broker_pid();
    support::faults::signal(pid, "STOP");
    back.frozen = Some(pid);
    let want =
        format!("● reconnecting (attempt 1): broker {addr} did not answer Fetch within 1.5s");
    let noticed = tui.wait_within("reconnecting", WAIT, |t| status_line(t).contains(&want));
    eprintln!("frozen broker noticed after {noticed:?}");
    // Still responsive while the broker is frozen: the detail opens and closes.
    tui.keys("\r");
    tui.wait_within("the detail", WAIT, |t| t.contains("Offset 19"));
    tui.keys("\x1b");
    tui.wait_within("the table again", WAIT, |t| !t.contains("Offset 19"));
    support::faults::signal(pid, "CONT");
    back.frozen = None;
    let again = tui.wait_within("following again", WAIT, |t| t.contains("● following"));
    eprintln!("following again {again:?} after SIGCONT");

    records_20_to_40_follow_on(&mut tui, &addr, &topic);
}
