//! The merged view decodes through the Schema Registry as the single-partition pane does:
//! Avro records written by Confluent's own Python serializer (tests/python/produce.py
//! `avro-merged`) to 3 partitions of the real broker (`KBROWSE_TEST_BROKER`), schemas in the
//! registry stand-in; the real binary in a pseudo-terminal shows them decoded in the merged
//! table and the detail, and its `&` and `/` match the decoded values, in time order. Needs the
//! venv `scripts/setup` makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use support::pty::Tui;
use support::schema::{produce_case_with, setup};
use support::unique;

const ROWS: u16 = 45;
const COLS: u16 = 160;

/// The merged table's rows: (partition, offset, the rest of the row).
fn merged_rows(text: &str) -> Vec<(i64, i64, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches('│');
            let mut w = l.split_whitespace();
            let p = w.next()?.parse().ok()?;
            let o = w.next()?.parse().ok()?;
            Some((p, o, l.to_string()))
        })
        .collect()
}

#[test]
fn the_merged_view_shows_decoded_values_and_filters_and_searches_them_in_time_order() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("tui-merged-avro");
    let produced = produce_case_with(
        &py,
        "avro-merged",
        &broker,
        &reg.url,
        &topic,
        &["--count", "60"],
    );
    assert_eq!(produced.len(), 180);
    // Expected, from what the producer says it wrote: (timestamp, partition, offset).
    let mut order: Vec<(i64, i64, i64, String)> = produced
        .iter()
        .map(|r| {
            (
                r["timestamp"].as_i64().unwrap(),
                r["partition"].as_i64().unwrap(),
                r["offset"].as_i64().unwrap(),
                serde_json::to_string(&r["value"]).unwrap(),
            )
        })
        .collect();
    order.sort();
    let id = produced[0]["value_schema_id"].as_u64().unwrap();

    let url = reg.with_auth("kb:secret");
    let mut screen = Tui::spawn(
        &["-b", &broker, "-r", &url, "--window", "100", &topic],
        ROWS,
        COLS,
    );
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("a");
    // The table: each value as one line of compact JSON, the first rows in time order.
    screen.wait_for("the decoded merged table", |t| {
        t.contains("all 3 partitions") && t.contains(r#"{"id":0,"part":2,"tag":"hay"}"#)
    });
    let rows = merged_rows(&screen.text());
    for (row, want) in rows.iter().zip(&order).take(6) {
        assert_eq!((row.0, row.1), (want.1, want.2), "{}", screen.text());
        assert!(row.2.contains(&want.3), "{} lacks {}", row.2, want.3);
    }
    // The detail: the decoded value, with the schema that read it.
    screen.keys("j\r");
    let label = format!("Avro · id {id} · subject {topic}-value · version 1");
    screen.wait_for("the decoded detail", |t| {
        t.contains("value as decoded (Avro)") && t.contains(&label) && t.contains(r#"  "part": 1"#)
    });
    screen.keys("\x1b");
    screen.wait_for("the merged view", |t| !t.contains("value as decoded"));

    // `&` on the decoded values: exactly the needles, in time order.
    let needles: Vec<(i64, i64)> = order
        .iter()
        .filter(|r| r.3.contains("needle"))
        .map(|r| (r.1, r.2))
        .collect();
    assert_eq!(needles, [(2, 5), (1, 20), (0, 20), (1, 33)]);
    screen.keys("&value.tag == \"needle\"\r");
    screen.wait_for("the filter's counts", |t| {
        t.contains("filter: value.tag == \"needle\" · scanned 180 of 180 · 4 matches")
    });
    let rows: Vec<(i64, i64)> = merged_rows(&screen.text())
        .iter()
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(rows, needles, "{}", screen.text());
    // Esc clears the filter: every record again, at the selected match's time (ListOffsets
    // by time), the match still selected, its neighbours in time around it.
    screen.keys("j\x1b");
    screen.wait_for("the filter cleared", |t| {
        !t.contains("filter:") && t.contains(r#"{"id":20,"part":2,"tag":"hay"}"#)
    });
    screen.keys("\r");
    screen.wait_for("the match selected", |t| {
        t.contains("Offset     20  (partition 1)")
    });
    screen.keys("\x1b");

    // `/` on the decoded values, past the first 50-record page: the record with id 33 of
    // partition 1, then (N) back to partition 2's id 5.
    screen.keys("g");
    screen.wait_for("the beginning", |t| {
        t.contains(r#"{"id":0,"part":2,"tag":"hay"}"#)
    });
    screen.keys("/value.id == 33 && value.part == 1\r");
    screen.wait_for("the match", |t| {
        t.contains(r#"{"id":33,"part":1,"tag":"needle"}"#) && !t.contains("searching")
    });
    screen.keys("\r");
    screen.wait_for("its detail", |t| t.contains("Offset     33  (partition 1)"));
    screen.keys("\x1b");
    screen.keys("/value.id == 5 && value.part == 2\r");
    screen.wait_for("no match after it", |t| t.contains("no match after"));
    screen.keys("N");
    screen.wait_for("the match before", |t| {
        t.contains(r#"{"id":5,"part":2,"tag":"needle"}"#) && !t.contains("searching")
    });
    screen.keys("\r");
    screen.wait_for("its detail", |t| t.contains("Offset     5  (partition 2)"));
    screen.keys("q");
    assert!(screen.wait_exit().success());
}
