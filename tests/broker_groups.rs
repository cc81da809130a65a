//! Consumer groups, topic configs and brokers against the real Kafka 4 broker: groups whose
//! offsets were committed by Kafka's own tool (ConsumerGroupCommand --reset-offsets) and by
//! librdkafka consumers with live members (classic and KIP-848), compared row by row with
//! ConsumerGroupCommand --describe on the same cluster.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::ClientConfig as RdConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use support::faults::{broker_script, wait_until};
use support::*;

const CGC: &str = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

/// A topic of 3 partitions with 10 records each (written by librdkafka).
fn topic_with_records(addr: &str) -> String {
    let topic = unique("groups");
    create_topic(addr, &topic, 3, &[]);
    let records: Vec<TestRecord> = (0..30)
        .map(|i| TestRecord::kv(i % 3, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(addr, &topic, "none", &records);
    topic
}

/// Commits offsets with Kafka's own tool: `spec` is `TOPIC` or `TOPIC:PARTITION`.
fn reset_offsets(addr: &str, group: &str, spec: &str, to: i64) {
    let (ok, out) = broker_script(&[
        "tool",
        CGC,
        "--bootstrap-server",
        addr,
        "--group",
        group,
        "--topic",
        spec,
        "--reset-offsets",
        "--to-offset",
        &to.to_string(),
        "--execute",
    ]);
    assert!(ok, "reset-offsets: {out}");
}

/// ConsumerGroupCommand --describe rows, by (topic, partition): [current, log-end, lag,
/// consumer-id, host, client-id] as it prints them.
fn describe(addr: &str, group: &str) -> BTreeMap<(String, i32), Vec<String>> {
    let (ok, out) = broker_script(&[
        "tool",
        CGC,
        "--bootstrap-server",
        addr,
        "--describe",
        "--group",
        group,
    ]);
    assert!(ok, "describe: {out}");
    out.lines()
        .filter(|l| l.starts_with(group) && l.split_whitespace().next() == Some(group))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 9, "{l}");
            let key = (f[1].to_string(), f[2].parse().unwrap());
            (key, f[3..].iter().map(|s| s.to_string()).collect())
        })
        .collect()
}

/// Our rows for a group, by (topic, partition).
fn ours(addr: &str, group: &str) -> BTreeMap<(String, i32), serde_json::Value> {
    let (code, out, err) = kbrowse(&["-b", addr, "groups", "-g", group, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let key = (
                v["topic"].as_str().unwrap().to_string(),
                v["partition"].as_i64().unwrap() as i32,
            );
            (key, v)
        })
        .collect()
}

/// Every row equals ConsumerGroupCommand's (`-` is null; where nothing is committed its lag
/// is `-` and ours is the whole partition, high − low).
fn assert_same_as_kafka(addr: &str, group: &str, low: i64) {
    let theirs = describe(addr, group);
    let ours = ours(addr, group);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{group}"
    );
    for (key, t) in &theirs {
        let o = &ours[key];
        let num = |s: &str| s.parse::<i64>().ok();
        let text = |s: &str| (s != "-").then(|| s.to_string());
        assert_eq!(o["group"], group);
        assert_eq!(o["committed"].as_i64(), num(&t[0]), "{key:?} committed");
        assert_eq!(o["high"].as_i64(), num(&t[1]), "{key:?} high");
        match num(&t[2]) {
            Some(lag) => assert_eq!(o["lag"].as_i64(), Some(lag), "{key:?} lag"),
            None => assert_eq!(
                o["lag"].as_i64(),
                Some(num(&t[1]).unwrap() - low),
                "{key:?}"
            ),
        }
        assert_eq!(
            o["member"].as_str().map(str::to_string),
            text(&t[3]),
            "{key:?}"
        );
        assert_eq!(
            o["host"].as_str().map(str::to_string),
            text(&t[4]),
            "{key:?}"
        );
        assert_eq!(
            o["client_id"].as_str().map(str::to_string),
            text(&t[5]),
            "{key:?}"
        );
    }
}

#[test]
fn committed_offsets_and_lag_equal_kafkas_own_describe() {
    let Some(addr) = real_broker() else { return };
    let topic = topic_with_records(&addr);
    let (full, half, one) = (unique("full"), unique("half"), unique("one"));
    reset_offsets(&addr, &full, &topic, 10);
    reset_offsets(&addr, &half, &topic, 5);
    reset_offsets(&addr, &one, &format!("{topic}:1"), 3);
    for g in [&full, &half, &one] {
        assert_same_as_kafka(&addr, g, 0);
    }
    let rows = ours(&addr, &half);
    let lags: Vec<i64> = rows.values().map(|v| v["lag"].as_i64().unwrap()).collect();
    assert_eq!(lags, [5, 5, 5]);
    let rows = ours(&addr, &one);
    assert_eq!(rows.len(), 1);
    let row = &rows[&(topic.clone(), 1)];
    assert_eq!(
        row.to_string(),
        format!(
            r#"{{"group":"{one}","topic":"{topic}","partition":1,"committed":3,"high":10,"lag":7,"member":null,"client_id":null,"host":null}}"#
        )
    );

    // The listing: one line per group with its type, state, topics and total lag.
    let (code, out, err) = kbrowse(&["-b", &addr, "groups", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let line = |g: &str| {
        out.lines()
            .find(|l| l.contains(&format!("\"group\":\"{g}\"")))
            .unwrap_or_else(|| panic!("{g} not listed: {out}"))
            .to_string()
    };
    assert_eq!(
        line(&full),
        format!(
            r#"{{"group":"{full}","type":"classic","state":"Empty","protocol":"","members":0,"topics":["{topic}"],"lag":0}}"#
        )
    );
    assert!(line(&half).ends_with(&format!(r#""topics":["{topic}"],"lag":15}}"#)));
    assert!(line(&one).ends_with(r#""lag":7}"#));
    let (code, text, _) = kbrowse(&["-b", &addr, "groups"]);
    assert_eq!(code, 0);
    assert!(text.starts_with("GROUP"), "{text}");
    let half_line = text.lines().find(|l| l.starts_with(&half)).unwrap();
    let cols: Vec<&str> = half_line.split_whitespace().collect();
    assert_eq!(
        cols,
        [half.as_str(), "classic", "Empty", "0", "15", topic.as_str()]
    );
}

fn live_consumer(addr: &str, group: &str, topic: &str, protocol: &str) -> BaseConsumer {
    let mut cfg = RdConfig::new();
    cfg.set("bootstrap.servers", addr)
        .set("group.id", group)
        .set("client.id", format!("{protocol}-client"))
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("group.protocol", protocol);
    if protocol == "classic" {
        cfg.set("session.timeout.ms", "30000");
    }
    let c: BaseConsumer = cfg.create().expect("consumer");
    c.subscribe(&[topic]).expect("subscribe");
    wait_until("the member's assignment", Duration::from_secs(60), || {
        let _ = c.poll(Duration::from_millis(200));
        c.assignment().map(|a| a.count() == 3).unwrap_or(false)
    });
    c
}

#[test]
fn live_classic_and_kip848_members_equal_kafkas_own_describe() {
    let Some(addr) = real_broker() else { return };
    let topic = topic_with_records(&addr);
    for (protocol, kind) in [("classic", "classic"), ("consumer", "consumer")] {
        let group = unique(protocol);
        let c = live_consumer(&addr, &group, &topic, protocol);
        // Nothing committed yet: every row is the whole partition.
        let rows = ours(&addr, &group);
        assert_eq!(rows.len(), 3, "{protocol}: {rows:?}");
        for v in rows.values() {
            assert_eq!(v["committed"], serde_json::Value::Null);
            assert_eq!(v["lag"].as_i64(), Some(10), "{protocol}");
            assert_eq!(
                v["client_id"].as_str(),
                Some(format!("{protocol}-client").as_str())
            );
        }
        assert_same_as_kafka(&addr, &group, 0);
        // The member commits partitions 0 and 2.
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(4))
            .unwrap();
        tpl.add_partition_offset(&topic, 2, Offset::Offset(9))
            .unwrap();
        c.commit(&tpl, CommitMode::Sync).expect("commit");
        let rows = ours(&addr, &group);
        let lags: Vec<Option<i64>> = rows.values().map(|v| v["lag"].as_i64()).collect();
        assert_eq!(lags, [Some(6), Some(10), Some(1)], "{protocol}");
        assert_same_as_kafka(&addr, &group, 0);
        let (code, out, err) = kbrowse(&["-b", &addr, "groups", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let line = out
            .lines()
            .find(|l| l.contains(&format!("\"group\":\"{group}\"")))
            .unwrap();
        assert!(
            line.contains(&format!(r#""type":"{kind}","state":"Stable""#)),
            "{line}"
        );
        assert!(
            line.contains(&format!(r#""members":1,"topics":["{topic}"],"#)),
            "{line}"
        );
        assert!(line.ends_with(r#""lag":17}"#), "{line}");
        drop(c);
    }
}

#[test]
fn an_unknown_group_is_one_line() {
    let Some(addr) = real_broker() else { return };
    let group = unique("no-such-group");
    let (code, out, err) = kbrowse(&["-b", &addr, "groups", "-g", &group]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, format!("kbrowse: unknown group '{group}'\n"));
}

#[test]
fn configs_set_with_the_admin_api_read_back_with_their_source() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("configs");
    create_topic(
        &addr,
        &topic,
        1,
        &[("retention.ms", "3600000"), ("cleanup.policy", "compact")],
    );
    let args = [
        "-b",
        &addr,
        "topics",
        "-t",
        &topic,
        "--configs",
        "--format",
        "json",
    ];
    // A topic just created may not be in the metadata of the broker asked yet.
    let mut run = kbrowse(&args);
    for _ in 0..50 {
        if !run.2.contains("unknown topic") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        run = kbrowse(&args);
    }
    let (code, out, err) = run;
    assert_eq!(code, 0, "{err}");
    let get = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{{\"name\":\"{name}\",")))
            .unwrap_or_else(|| panic!("{name}: {out}"))
            .to_string()
    };
    assert_eq!(
        get("retention.ms"),
        r#"{"name":"retention.ms","value":"3600000","source":"dynamic topic","sensitive":false,"read_only":false}"#
    );
    assert_eq!(
        get("cleanup.policy"),
        r#"{"name":"cleanup.policy","value":"compact","source":"dynamic topic","sensitive":false,"read_only":false}"#
    );
    assert_eq!(
        get("max.message.bytes"),
        r#"{"name":"max.message.bytes","value":"1048588","source":"default","sensitive":false,"read_only":false}"#
    );
    let (code, text, _) = kbrowse(&["-b", &addr, "topics", "-t", &topic, "--configs"]);
    assert_eq!(code, 0);
    let line = text
        .lines()
        .find(|l| l.starts_with("retention.ms "))
        .unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["retention.ms", "3600000", "dynamic", "topic"]
    );
    let (code, _, err) = kbrowse(&["-b", &addr, "topics", "-t", "no-such-topic-x", "--configs"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("kbrowse: unknown topic 'no-such-topic-x'"),
        "{err}"
    );
}

#[test]
fn brokers_list_the_single_node_as_controller() {
    let Some(addr) = real_broker() else { return };
    let (code, out, err) = kbrowse(&["-b", &addr, "brokers", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let (host, port) = addr.rsplit_once(':').unwrap();
    assert_eq!(
        out,
        format!(
            "{{\"id\":1,\"host\":\"{host}\",\"port\":{port},\"rack\":null,\"controller\":true}}\n"
        )
    );
    let (code, text, _) = kbrowse(&["-b", &addr, "brokers"]);
    assert_eq!(code, 0);
    assert_eq!(
        text.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        [
            vec!["ID", "ADDRESS", "RACK", "CONTROLLER"],
            vec!["1", addr.as_str(), "-", "yes"]
        ]
    );
}

/// Alice (secure broker, no ACL on any group): the list is empty and one group is a refusal
/// that names the group and her, not an unknown group.
#[test]
fn a_group_without_acls_names_the_group_and_the_principal() {
    let Some(addr) = service_env(
        "KBROWSE_TEST_SECURE_SASL_PLAINTEXT",
        "the secure broker",
        "run: eval \"$(scripts/kafka-broker start-secure)\"",
    ) else {
        return;
    };
    let alice = [
        "-b",
        &addr,
        "-X",
        "security.protocol=SASL_PLAINTEXT",
        "-X",
        "sasl.mechanism=PLAIN",
        "-X",
        "sasl.username=alice",
        "-X",
        "sasl.password=alice-secret",
    ];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = alice.iter().chain(extra).copied().collect();
        kbrowse(&args)
    };
    let (code, out, err) = run(&["groups", "-g", "payments"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: FindCoordinator on group 'payments' for principal 'User:alice'\n"
        )
    );
    let (code, out, err) = run(&["groups", "--format", "json"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let (code, out, err) = run(&["topics", "-t", "closed", "--configs"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: Metadata on topic 'closed' for principal 'User:alice'\n"
        )
    );
    // "described": Describe, but not DescribeConfigs.
    let (code, out, err) = run(&["topics", "-t", "described", "--configs"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: DescribeConfigs on topic 'described' for principal 'User:alice'\n"
        )
    );
}
