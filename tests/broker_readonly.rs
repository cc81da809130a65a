//! Browsing is read-only: kbrowse never joins a consumer group, never commits an offset and
//! never writes. Checked against the real broker by listing groups before and after.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use rdkafka::producer::Producer;
use support::*;

/// The end offsets of `__consumer_offsets`'s partitions (empty when it does not exist): a
/// commit by anyone would move one.
fn commit_log(addr: &str) -> Vec<(i32, i64)> {
    let p = producer(addr, "none");
    let md = p
        .client()
        .fetch_metadata(Some("__consumer_offsets"), Duration::from_secs(10))
        .expect("metadata");
    let Some(t) = md.topics().first().filter(|t| t.error().is_none()) else {
        return Vec::new();
    };
    t.partitions()
        .iter()
        .map(|part| {
            let (_, high) = p
                .client()
                .fetch_watermarks("__consumer_offsets", part.id(), Duration::from_secs(10))
                .expect("watermarks");
            (part.id(), high)
        })
        .collect()
}

fn groups(addr: &str) -> Vec<String> {
    let p = producer(addr, "none");
    let list = p
        .client()
        .fetch_group_list(None, Duration::from_secs(10))
        .expect("list groups");
    let mut names: Vec<String> = list.groups().iter().map(|g| g.name().to_string()).collect();
    names.sort();
    names
}

#[test]
fn browsing_consume_and_topics_leave_no_group_no_commit_no_write() {
    let Some(addr) = real_broker() else { return };
    let topic = format!("readonly-{}", std::process::id());
    let before = (groups(&addr), commit_log(&addr));
    let recs: Vec<TestRecord> = (0..10)
        .map(|i| TestRecord::kv(0, &format!("k{i}"), "v"))
        .collect();
    let admin_ok =
        std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/kafka-broker"))
            .args([
                "tool",
                "TopicCommand",
                "--bootstrap-server",
                &addr,
                "--create",
                "--topic",
                &topic,
                "--partitions",
                "1",
            ])
            .output()
            .expect("create topic");
    assert!(
        admin_ok.status.success(),
        "{}",
        String::from_utf8_lossy(&admin_ok.stderr)
    );
    produce(&addr, &topic, "none", &recs);
    let (code, out, err) = kbrowse(&["-b", &addr, "consume", "-t", &topic, "-e"]);
    assert_eq!((code, out.lines().count(), err.as_str()), (0, 10, ""));
    let (code, _, _) = kbrowse(&["-b", &addr, "consume", "-t", &topic, "-o", "-3", "-c", "2"]);
    assert_eq!(code, 0);
    let (code, out, _) = kbrowse(&["-b", &addr, "topics"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("{topic}  partitions 1  messages 10")),
        "{out}"
    );
    // A browsing session: open the partition, jump, open a record, follow, quit.
    let mut tui = support::pty::Tui::spawn(&["-b", &addr, &topic], 30, 120);
    tui.wait_for("the partition list", |t| t.contains("Leader"));
    tui.keys("\r");
    tui.wait_for("the records", |t| t.contains("k9"));
    tui.keys("o");
    tui.keys("5\r");
    tui.wait_for("offset 5", |t| {
        support::pty::table_rows(t).first().map(|r| r.0) == Some(5)
    });
    tui.keys("\r");
    tui.wait_for("the detail", |t| t.contains("Offset 5"));
    tui.keys("\x1b");
    tui.keys("f");
    tui.keys("q");
    assert!(tui.wait_exit().success());

    assert_eq!(
        (groups(&addr), commit_log(&addr)),
        before,
        "a consumer group or a commit appeared"
    );
    // And nothing was written to the topic.
    let (code, out, _) = kbrowse(&["-b", &addr, "topics"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("{topic}  partitions 1  messages 10")),
        "{out}"
    );
}
