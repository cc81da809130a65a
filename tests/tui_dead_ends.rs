//! The real binary in a pseudo-terminal at its dead ends (issue 15 §6, §8): `q` on an error
//! popup closes it, connecting shows where to and for how long at once, and a burst of keys
//! right after a jump is carried out whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use support::pty::Tui;
use support::{Mock, TestRecord, produce};

const ROWS: u16 = 24;
const COLS: u16 = 80;

fn mock_with_records() -> Mock {
    let mock = Mock::new(1);
    mock.topic("e2e", 1);
    let records: Vec<TestRecord> = (0..1000)
        .map(|i| TestRecord::kv(0, &format!("key-{i:04}"), &format!("value-{i}")))
        .collect();
    produce(&mock.addr, "e2e", "none", &records);
    mock
}

#[test]
fn q_on_an_error_popup_closes_the_popup_not_the_app() {
    let mock = mock_with_records();
    let mut screen = Tui::spawn(&["-b", &mock.addr, "e2e"], ROWS, COLS);
    screen.wait_for("the partition list", |t| {
        t.contains("Leader") && t.contains("1,000")
    });
    // The broker refuses the read: an authorization error is fatal, shown in a popup.
    mock.cluster.request_errors(
        RDKafkaApiKey::Fetch,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED; 8],
    );
    screen.keys("\r");
    screen.wait_for("the error popup", |t| t.contains("any key to close"));
    screen.keys("q");
    screen.wait_for("the popup closed", |t| !t.contains("any key to close"));
    assert!(screen.alternate(), "q on the popup ended the session");
    assert!(screen.text().contains("e2e/0"), "{}", screen.text());
    // Without a popup, q quits.
    screen.keys("q");
    let status = screen.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!screen.alternate());
}

#[test]
fn connecting_shows_where_to_and_for_how_long_at_once() {
    // A listener that never answers: the handshake completes in the kernel, ApiVersions waits.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let mut screen = Tui::spawn(&["-b", &addr, "--timeout", "60"], ROWS, COLS);
    let want = format!("connecting to {addr}…");
    screen.wait_for("the connecting screen", |t| t.contains(&want));
    assert!(screen.alternate());
    // The time so far counts up while it waits.
    // The seconds after the address: `0.4 s`.
    let shown = |t: &str| -> Option<f64> {
        let rest = t.lines().find_map(|l| l.split_once(&want))?.1;
        rest.trim_start().split(" s").next()?.parse().ok()
    };
    let first = shown(&screen.text());
    assert!(first.is_some(), "{}", screen.text());
    screen.wait_for("the elapsed time to move on", |t| {
        shown(t).is_some_and(|now| Some(now) > first)
    });
    // q gives up, leaving the terminal as it was.
    screen.keys("q");
    let status = screen.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!screen.alternate());
    drop(silent);
}

/// §8: a burst (as a paste delivers it) right after a jump: every key is carried out.
#[test]
fn a_key_burst_right_after_a_jump_is_not_lost() {
    let mock = mock_with_records();
    let mut screen = Tui::spawn(&["-b", &mock.addr, "e2e"], ROWS, COLS);
    screen.wait_for("the partition list", |t| {
        t.contains("Leader") && t.contains("1,000")
    });
    screen.keys("\r");
    screen.wait_for("the first records", |t| t.contains("key-0000"));
    // One write: the jump, three moves down and Enter, before any record of the jump lands.
    screen.keys("o500\rjjj\r");
    screen.wait_for("the detail of offset 503", |t| {
        t.lines().next().is_some_and(|l| l.contains("offset 503"))
    });
    screen.keys("q");
    assert!(screen.wait_exit().success());
}

/// 2024-05-01T03:00:00Z.
const THREE_AM: i64 = 1_714_532_400_000;

/// Real broker (ListOffsets by time; the mock answers -1 to every time): a jump to a time
/// after the last record says so with the last record's time, and the keys still work.
#[test]
fn a_time_after_the_last_record_says_so_and_g_goes_there() {
    let Some(addr) = support::real_broker() else {
        return;
    };
    let topic = support::unique("tui-after-end");
    // Old timestamps must not be removed by time retention while the test runs.
    support::create_topic(&addr, &topic, 1, &[("retention.ms", "-1")]);
    // Records 0..20, one a minute from 03:00 UTC: the last at 03:19.
    let records: Vec<TestRecord> = (0..20)
        .map(|i| TestRecord {
            timestamp: Some(THREE_AM + i * 60_000),
            ..TestRecord::kv(0, &format!("k{i:02}"), "v")
        })
        .collect();
    produce(&addr, &topic, "none", &records);
    let mut screen = Tui::spawn(&["-b", &addr, &topic], ROWS, COLS);
    screen.wait_for("the partition list", |t| {
        t.contains("Leader") && t.contains("20")
    });
    // As the help writes it, quotes and all.
    screen.keys("t");
    screen.keys("@'2024-05-01 12:00'\r");
    screen.wait_for("the answer", |t| {
        t.contains("no record at or after 2024-05-01 12:00; the last is at 2024-05-01 03:19")
    });
    let text = screen.text();
    assert!(
        text.replace("│\n│", " ").contains("— G to go there"),
        "{text}"
    );
    screen.keys("G");
    screen.wait_for("the last records", |t| {
        t.contains("k19") && t.contains("Offset")
    });
    screen.keys("q");
    assert!(screen.wait_exit().success());
}

/// Real broker: the viewed topic deleted at 80x24 gives a one-line popup; the keys that
/// cannot work any more are neither offered nor acted on.
#[test]
fn a_deleted_topic_is_one_line_and_only_working_keys_are_offered() {
    let Some(addr) = support::real_broker() else {
        return;
    };
    let topic = support::unique("tui-gone");
    support::create_topic(&addr, &topic, 1, &[]);
    let records: Vec<TestRecord> = (0..20)
        .map(|i| TestRecord::kv(0, &format!("k{i:02}"), "v"))
        .collect();
    produce(&addr, &topic, "none", &records);
    let mut screen = Tui::spawn(&["-b", &addr, &topic], ROWS, COLS);
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("\r");
    screen.wait_for("the records", |t| {
        t.contains("k00") && t.contains("● caught up")
    });
    support::faults::delete_topic(&addr, &topic);
    let line = format!("topic '{topic}' was deleted");
    screen.wait_for("the popup", |t| t.contains(&line));
    let text = screen.text();
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("│ topic '")).collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0].contains(&format!("│ {line} │")), "{text}");
    // q closes the popup; the hints offer Esc only; o and f do nothing.
    screen.keys("q");
    screen.wait_for("the popup closed", |t| !t.contains("any key to close"));
    screen.keys("o");
    screen.keys("f");
    let text = screen.text();
    assert!(!text.contains("Jump to offset"), "{text}");
    let status = text.lines().last().unwrap_or_default();
    assert!(
        !status.contains("f follow") && !status.contains("o offset"),
        "{text}"
    );
    assert!(text.contains("k00"), "what was read stays: {text}");
    screen.keys("\x1b");
    screen.wait_for("the partitions", |t| t.contains("Leader"));
    screen.keys("q");
    assert!(screen.wait_exit().success());
}
