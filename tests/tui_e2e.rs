//! The real binary in a pseudo-terminal against the mock cluster: open a topic, Enter a
//! partition, jump with `o 500`, open the detail, switch to hex, quit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use support::pty::{Tui, table_rows};
use support::{Mock, TestRecord, produce};

const ROWS: u16 = 40;
const COLS: u16 = 140;

#[test]
fn browse_jump_detail_hex_quit() {
    let mock = Mock::new(3);
    mock.topic("e2e", 2);
    let records: Vec<TestRecord> = (0..1000)
        .map(|i| TestRecord::kv(0, &format!("key-{i:04}"), &format!("value-{i}")))
        .chain((0..10).map(|i| TestRecord::kv(1, &format!("other-{i}"), "x")))
        .collect();
    produce(&mock.addr, "e2e", "lz4", &records);

    let mut screen = Tui::spawn(&["-b", &mock.addr, "e2e"], ROWS, COLS);

    // The topic's partitions, with their message counts.
    screen.wait_for("the partition list", |t| {
        t.contains("Leader") && t.contains("1,000")
    });
    assert!(screen.alternate());
    // Partition 0 from its beginning.
    screen.keys("\r");
    screen.wait_for("the first records", |t| {
        t.contains("key-0000") && t.contains("value-0")
    });
    // Jump to offset 500: its key is on screen, in the first row.
    screen.keys("o");
    screen.wait_for("the jump prompt", |t| t.contains("Jump to offset"));
    screen.keys("500");
    screen.keys("\r");
    screen.wait_for("offset 500", |t| {
        t.contains("key-0500") && !t.contains("Jump to offset")
    });
    let rows = table_rows(&screen.text());
    assert_eq!(rows.first().map(|r| r.0), Some(500), "{}", screen.text());
    assert!(rows[0].1.contains("key-0500"));
    // The detail of offset 500, then its value in hex: "value-500".
    screen.keys("\r");
    screen.wait_for("the detail", |t| {
        t.contains("Offset 500") && t.contains("value as text")
    });
    screen.keys("x");
    screen.wait_for("the hex dump", |t| {
        t.contains("00000000  76 61 6c 75 65 2d 35 30  30") && t.contains("|value-500|")
    });
    // q quits with status 0 and leaves the alternate screen.
    screen.keys("q");
    let status = screen.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!screen.alternate(), "the terminal was not restored");
}
