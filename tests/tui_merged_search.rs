//! The real binary in a pseudo-terminal against the mock cluster, records and timestamps
//! written by librdkafka: in the merged view (all partitions in time order), `&` filters the
//! whole topic to the exact matching records in time order, `/`, `n` and `N` land on the
//! exact records in merged time order past a 100-record window, Esc stops and clears. The
//! expected order is computed here from what was produced (timestamp, partition, offset).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use support::pty::Tui;
use support::{Mock, TestRecord, produce};

const ROWS: u16 = 30;
const COLS: u16 = 140;
const PARTS: i32 = 3;
const PER: i64 = 300;
/// (partition, offset) of the records whose value says "needle".
const NEEDLES: [(i32, i64); 4] = [(2, 10), (0, 150), (1, 150), (1, 250)];
const BASE: i64 = 1_714_564_800_000;

/// Record i of partition p is written at BASE + 3i + (2 - p): at each step partition 2 comes
/// first, then 1, then 0, so merged time order is not partition order.
fn timestamp(p: i32, i: i64) -> i64 {
    BASE + 3 * i + (2 - p as i64)
}

fn records() -> Vec<TestRecord> {
    let mut out = Vec::new();
    for p in 0..PARTS {
        for i in 0..PER {
            let tag = if NEEDLES.contains(&(p, i)) {
                "needle"
            } else {
                "hay"
            };
            let mut r = TestRecord::kv(
                p,
                &format!("k{p}-{i:03}"),
                &format!(r#"{{"n":{i},"tag":"{tag}"}}"#),
            );
            r.timestamp = Some(timestamp(p, i));
            out.push(r);
        }
    }
    out
}

/// The needles in merged time order: (timestamp, partition, offset).
fn needles_in_time() -> Vec<(i32, i64)> {
    let mut v: Vec<(i64, i32, i64)> = NEEDLES
        .iter()
        .map(|&(p, o)| (timestamp(p, o), p, o))
        .collect();
    v.sort();
    v.into_iter().map(|(_, p, o)| (p, o)).collect()
}

/// The merged table's rows: (partition, offset, key).
fn merged_rows(text: &str) -> Vec<(i32, i64, String)> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.trim_start_matches('│').split_whitespace();
            let p = w.next()?.parse().ok()?;
            let o = w.next()?.parse().ok()?;
            let _time = w.next()?;
            let key = w.next()?.to_string();
            Some((p, o, key))
        })
        .collect()
}

/// The selected record, read from its detail: (partition, offset).
fn selected(screen: &mut Tui) -> (i32, i64) {
    screen.keys("\r");
    screen.wait_for("the detail", |t| t.contains("· value as "));
    let text = screen.text();
    let line = text
        .lines()
        .find(|l| l.contains("(partition "))
        .unwrap_or_else(|| panic!("no offset line in the detail:\n{text}"))
        .to_string();
    let nums: Vec<i64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    screen.keys("\x1b");
    screen.wait_for("the merged view again", |t| !t.contains("· value as "));
    (nums[1] as i32, nums[0])
}

/// Waits until a search has landed (the status line no longer says "searching") with the
/// record's key on screen, then checks that it is the one selected.
fn wait_selected(screen: &mut Tui, (p, o): (i32, i64)) {
    let key = format!("k{p}-{o:03}");
    screen.wait_for(&format!("{key} on screen"), |t| {
        t.contains(&key) && !t.contains("searching")
    });
    assert_eq!(selected(screen), (p, o), "{}", screen.text());
}

#[test]
fn merged_filter_and_search_follow_time_order_across_partitions_and_the_window() {
    let mock = Mock::new(1);
    mock.topic("merged", PARTS);
    produce(&mock.addr, "merged", "lz4", &records());
    let needles = needles_in_time();
    assert_eq!(needles, [(2, 10), (1, 150), (0, 150), (1, 250)]);

    let mut screen = Tui::spawn(&["-b", &mock.addr, "--window", "100", "merged"], ROWS, COLS);
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("a");
    screen.wait_for("the merged view", |t| {
        t.contains("all 3 partitions") && t.contains("k2-000")
    });
    // The first rows: partition 2 first at each step, as the timestamps say.
    let first: Vec<(i32, i64)> = merged_rows(&screen.text())
        .iter()
        .take(4)
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(first, [(2, 0), (1, 0), (0, 0), (2, 1)]);

    // `/`: the first needle is in the window; `n`: the others lie past it (the window holds
    // records up to about step 33), found by the background scan and then loaded.
    screen.keys("/needle");
    screen.wait_for("text understood", |t| {
        t.contains("understood: text (case-insensitive)")
    });
    screen.keys("\r");
    wait_selected(&mut screen, needles[0]);
    screen.keys("n");
    wait_selected(&mut screen, needles[1]);
    // (1, 150) and (0, 150) share a step: partition 1's record is a millisecond earlier.
    screen.keys("n");
    wait_selected(&mut screen, needles[2]);
    screen.keys("n");
    wait_selected(&mut screen, needles[3]);
    screen.keys("n");
    screen.wait_for("no match", |t| {
        t.contains("no match after") && t.contains("to the end")
    });
    // `N`: backwards in time, past the window's start.
    screen.keys("N");
    wait_selected(&mut screen, needles[2]);
    screen.keys("N");
    wait_selected(&mut screen, needles[1]);
    screen.keys("N");
    wait_selected(&mut screen, needles[0]);
    screen.keys("N");
    screen.wait_for("no match before", |t| t.contains("no match before"));

    // `&`: only the matching records of every partition, in time order, with the counts.
    screen.keys("&value.tag == \"needle\"");
    screen.wait_for("expression understood", |t| {
        t.contains("understood: CEL expression")
    });
    screen.keys("\r");
    screen.wait_for("the filter's counts", |t| {
        t.contains("filter: value.tag == \"needle\" · scanned 900 of 900 · 4 matches")
    });
    let rows: Vec<(i32, i64)> = merged_rows(&screen.text())
        .iter()
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(rows, needles, "{}", screen.text());
    // `n` inside the filter: the next match that passes the filter too.
    screen.keys("/partition == 1\r");
    wait_selected(&mut screen, needles[1]);
    screen.keys("n");
    wait_selected(&mut screen, needles[3]);
    // Esc: no scan runs, so it clears the filter: every record again.
    screen.keys("\x1b");
    screen.wait_for("the topic unfiltered", |t| {
        !t.contains("filter:") && t.contains(r#""tag":"hay""#)
    });
    // Esc again: back to the partitions.
    screen.keys("\x1b");
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("q");
    let status = screen.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}
