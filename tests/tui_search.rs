//! The real binary in a pseudo-terminal against the mock cluster, data written by librdkafka:
//! `/` search, `n` and `N` across the edge of a 100-record window, `&` filter, and `K` find
//! key on the partition librdkafka's murmur2 partitioner chose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use support::pty::{Tui, selected_offset, table_rows};
use support::{Mock, TestRecord, produce};

const ROWS: u16 = 30;
const COLS: u16 = 140;
/// The offsets of partition 0 whose value says "needle".
const NEEDLES: [i64; 3] = [50, 700, 950];

/// Waits until the search has moved the selection to `offset` (the search runs in the
/// background: the status line says "searching" until it lands).
fn wait_selected(screen: &mut Tui, offset: i64) {
    let key = format!("key-{offset:04}");
    screen.wait_for(&format!("offset {offset} on screen"), |t| {
        t.contains(&key) && !t.contains("searching")
    });
    assert_eq!(selected_offset(screen), offset, "{}", screen.text());
}

#[test]
fn search_next_previous_filter_and_find_key_cross_the_window() {
    let mock = Mock::new(1);
    mock.topic("hay", 2);
    let records: Vec<TestRecord> = (0..1000)
        .map(|i| {
            let tag = if NEEDLES.contains(&i) {
                "needle"
            } else {
                "hay"
            };
            TestRecord::kv(
                0,
                &format!("key-{i:04}"),
                &format!(r#"{{"n":{i},"tag":"{tag}"}}"#),
            )
        })
        .chain((0..10).map(|i| TestRecord::kv(1, &format!("other-{i}"), "needle")))
        .collect();
    produce(&mock.addr, "hay", "lz4", &records);

    let mut screen = Tui::spawn(&["-b", &mock.addr, "--window", "100", "hay"], ROWS, COLS);
    screen.wait_for("the partition list", |t| {
        t.contains("Leader") && t.contains("1,000")
    });
    screen.keys("\r");
    screen.wait_for("the first records", |t| t.contains("key-0000"));

    // `/`: the prompt says it understood text; Enter finds offset 50 in the window.
    screen.keys("/");
    screen.wait_for("the search prompt", |t| t.contains("Search forward"));
    screen.keys("needle");
    screen.wait_for("text understood", |t| {
        t.contains("understood: text (case-insensitive)")
    });
    screen.keys("\r");
    wait_selected(&mut screen, 50);
    // `n`: 700 is past the 100-record window: found by a scan beyond it, then loaded.
    screen.keys("n");
    wait_selected(&mut screen, 700);
    screen.keys("n");
    wait_selected(&mut screen, 950);
    // No further match: the status line says so, the selection stays.
    screen.keys("n");
    screen.wait_for("no match", |t| {
        t.contains("no match from offset 951 to 1000")
    });
    // `N`: backwards, pages before the window.
    screen.keys("N");
    wait_selected(&mut screen, 700);
    screen.keys("N");
    wait_selected(&mut screen, 50);

    // A bad expression points at its column and keeps the prompt open.
    screen.keys("/value.n >> 3");
    screen.wait_for("the error", |t| t.contains("invalid filter at column 10"));
    screen.keys("\r");
    assert!(screen.text().contains("Search forward"));
    screen.keys("\x1b");
    screen.wait_for("the prompt closed", |t| !t.contains("Search forward"));

    // `&`: only the matching records, streamed from the whole partition.
    screen.keys("&value.tag == \"needle\"");
    screen.wait_for("expression understood", |t| {
        t.contains("understood: CEL expression")
    });
    screen.keys("\r");
    screen.wait_for("the filter's counts", |t| {
        t.contains("filter: value.tag == \"needle\" · scanned 1,000 of 1,000 · 3 matches")
    });
    let rows: Vec<i64> = table_rows(&screen.text()).iter().map(|r| r.0).collect();
    assert_eq!(rows, NEEDLES, "{}", screen.text());
    // Esc clears the filter: the whole partition again, around the selected record.
    screen.keys("j");
    screen.keys("\x1b");
    screen.wait_for("the partition unfiltered", |t| {
        !t.contains("filter:") && t.contains("key-0699") && t.contains("key-0701")
    });
    assert_eq!(selected_offset(&mut screen), 700);
    // Esc again: back to the partitions.
    screen.keys("\x1b");
    screen.wait_for("the partition list", |t| t.contains("Leader"));

    screen.keys("q");
    let status = screen.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn find_key_opens_the_partition_librdkafka_chose_filtered_to_the_key() {
    let mock = Mock::new(1);
    mock.topic("keys", 7);
    let p = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &mock.addr)
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "5")
        .create::<rdkafka::producer::ThreadedProducer<rdkafka::producer::DefaultProducerContext>>()
        .unwrap();
    for round in 0..3 {
        for j in 0..100 {
            let key = format!("user-{j}");
            let value = format!("round {round} of {key}");
            p.send(
                rdkafka::producer::BaseRecord::to("keys")
                    .key(&key)
                    .payload(&value),
            )
            .unwrap();
        }
    }
    rdkafka::producer::Producer::flush(&p, std::time::Duration::from_secs(30)).unwrap();

    let mut screen = Tui::spawn(&["-b", &mock.addr, "--window", "100", "keys"], ROWS, COLS);
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("K");
    screen.wait_for("the find-key prompt", |t| t.contains("Find key"));
    screen.keys("user-42\r");
    screen.wait_for("the key's three records", |t| {
        t.contains("round 2 of user-42") && t.contains("· 3 matches")
    });
    let rows = table_rows(&screen.text());
    assert_eq!(rows.len(), 3, "{}", screen.text());
    for (i, (_, rest)) in rows.iter().enumerate() {
        assert!(rest.contains("user-42 "), "{rest}");
        assert!(rest.contains(&format!("round {i} of user-42")), "{rest}");
    }
    // Esc clears the key filter (the whole partition shows), Esc again leaves it.
    screen.keys("\x1b");
    screen.wait_for("the partition unfiltered", |t| {
        !t.contains("filter:") && t.contains("user-5 ")
    });
    screen.keys("\x1b");

    // `/` on the partitions screen: every partition, from the beginning; the results list.
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("/");
    screen.wait_for("the topic search prompt", |t| {
        t.contains("Search every partition") && t.contains("from: beginning")
    });
    screen.keys("round 1 of user-4\r");
    screen.wait_for("the results", |t| t.contains("· 11 matches · done"));
    // Enter opens a match in its partition, selected.
    screen.keys("\r");
    screen.wait_for("the partition of the match", |t| {
        t.contains("round 1 of user-4")
    });
    screen.keys("\r");
    screen.wait_for("the detail", |t| t.contains("· value as "));
    assert!(
        screen.text().contains("round 1 of user-4"),
        "{}",
        screen.text()
    );
    screen.keys("q");
    assert!(screen.wait_exit().success());
}
