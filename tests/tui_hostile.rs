//! Hostile records in the real TUI (a pseudo-terminal, the mock cluster): terminal escape
//! sequences, invalid UTF-8, a 10 MiB value, a 100 KB key and 5,000 headers are shown as
//! escaped text, and none of their control bytes reach the terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::{Duration, Instant};

use support::pty::{Tui, table_rows};
use support::{Mock, TestRecord, produce_with};

const ROWS: u16 = 45;
const COLS: u16 = 160;

/// Bytes a hostile value might carry: set the window title, clear the screen, write the
/// clipboard (OSC 52), a C1 CSI both raw and UTF-8 encoded, and a right-to-left override.
const ESCAPES: &[u8] =
    b"\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07clear\x1b[31mred\x9b31m \xc2\x9b31m \xe2\x80\xaeevil";

fn record(key: &[u8], value: Vec<u8>) -> TestRecord {
    TestRecord {
        partition: 0,
        key: Some(key.to_vec()),
        value: Some(value),
        headers: Vec::new(),
        timestamp: None,
    }
}

/// Does `haystack` contain `needle`?
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn hostile_records_are_shown_escaped() {
    let mock = Mock::new(1);
    mock.topic("hostile", 1);
    let big: Vec<u8> = (0..10 << 20)
        .map(|i| {
            if i % 4096 == 4095 {
                b'\x1b'
            } else {
                b'A' + (i % 26) as u8
            }
        })
        .collect();
    let mut many_headers = record(b"headers", b"5000 headers".to_vec());
    many_headers.headers = (0..5000)
        .map(|i| {
            (
                format!("h{i:04}\x1b[2J"),
                Some(format!("v{i}\x07").into_bytes()),
            )
        })
        .collect();
    let records = vec![
        record(b"esc\x1b]0;key\x07", ESCAPES.to_vec()),
        record(b"bad-utf8", b"\xff\xfe ok \xc3\x28".to_vec()),
        record(b"big", big),
        record(&[b'k'; 100_000], b"long-key".to_vec()),
        many_headers,
    ];
    let producer = support::producer(&mock.addr, "lz4");
    produce_with(&producer, "hostile", &records);

    let mut tui = Tui::spawn(&["-b", &mock.addr, "hostile"], ROWS, COLS);
    tui.wait_for("the partition list", |t| t.contains("Leader"));
    tui.keys("\r");
    tui.wait_for("the five records", |t| {
        let offsets: Vec<i64> = table_rows(t).iter().map(|r| r.0).collect();
        offsets == [0, 1, 2, 3, 4]
    });
    let list = tui.text();
    // The escapes are visible as text, the invalid bytes as \xNN.
    assert!(list.contains(r"\e]0;pwned\x07\e[2J"), "{list}");
    assert!(list.contains(r"\x9b31m \x9b31m \u{202e}evil"), "{list}");
    assert!(list.contains(r"\xff\xfe ok \xc3("), "{list}");
    assert!(list.contains("ABCDEFGHIJ"), "{list}");
    assert!(list.contains("kkkkkkkkkk"), "{list}");

    // Each record's detail, one after the other; time the slowest for the note.
    let mut slowest = Duration::ZERO;
    let checks: [(&str, &str); 5] = [
        ("the escapes' detail", r"\e]52;c;cHduZWQ="),
        ("the bad UTF-8 detail", r"\xff\xfe ok"),
        ("the 10 MiB value", "10,485,760"),
        ("the long key", "long-key"),
        ("the 5,000 headers", "h4999"),
    ];
    for (i, (what, expect)) in checks.iter().enumerate() {
        let t0 = Instant::now();
        tui.keys("\r");
        tui.wait_for(what, |t| t.contains(&format!("Offset {i}")));
        if i == 4 {
            // The last header is at the end of the detail.
            tui.keys("G");
        }
        tui.wait_for(what, |t| t.contains(expect));
        eprintln!("{what}: {:?}", t0.elapsed());
        slowest = slowest.max(t0.elapsed());
        tui.keys("\x1b");
        tui.keys("j");
    }
    eprintln!("slowest detail view: {slowest:?} (including 150 ms typing pauses)");

    // Nothing the records carried reached the terminal as a control sequence.
    let raw = tui.raw();
    for needle in [
        &b"pwned\x07"[..],
        b"\x1b]0;key",
        b"\x1b]52",
        b"\x1b[2Jclear",
        b"\x9b31m",
        b"\xe2\x80\xae",
        b"\x1b[2J\x1b",
        b"v4999\x07",
    ] {
        assert!(
            !contains(&raw, needle),
            "the terminal received {:?}",
            String::from_utf8_lossy(needle)
        );
    }
    assert_eq!(tui.title(), "", "the window title was changed");
    tui.keys("q");
    assert!(tui.wait_exit().success());
    assert!(!tui.alternate());
}
