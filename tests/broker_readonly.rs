//! Browsing is read-only: kbrowse never joins a consumer group, never commits an offset and
//! never writes. Checked against the real broker by listing groups before and after.

mod support;

use std::time::Duration;

use rdkafka::producer::Producer;
use support::*;

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
fn consume_and_topics_leave_no_group_and_no_commit() {
    let Some(addr) = real_broker() else { return };
    let topic = format!("readonly-{}", std::process::id());
    let before = groups(&addr);
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
    assert_eq!(groups(&addr), before, "a consumer group appeared");
}
