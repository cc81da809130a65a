//! Reads against the real Apache Kafka broker (`KBROWSE_TEST_BROKER`, see
//! `scripts/kafka-broker`): what the librdkafka mock cannot do — ListOffsets by timestamp,
//! aborted-transaction indexes and the last stable offset, log compaction — and the CLI's
//! `topics` listing and one-line errors on a real broker. Data is written by an independent
//! client (librdkafka through `rdkafka`); every test uses topics of its own, so the tests
//! run in parallel and reruns against the same broker do not collide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use kbrowse::kafka::{Isolation, Message, StartAt};
use rdkafka::ClientConfig as RdConfig;
use rdkafka::Offset;
use rdkafka::TopicPartitionList;
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::producer::{DefaultProducerContext, Producer, ThreadedProducer};
use serde_json::Value;

use support::*;

const COMMITTED: Isolation = Isolation::ReadCommitted;
const UNCOMMITTED: Isolation = Isolation::ReadUncommitted;

/// Our library reader, from `start` to the end the partition had at start.
fn read(addr: &str, topic: &str, partition: i32, start: StartAt, iso: Isolation) -> Vec<Message> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(read_to_end(addr, topic, partition, start, iso))
}

/// `(offset, value)` of messages, values as text.
fn offsets_values(msgs: &[Message]) -> Vec<(i64, String)> {
    msgs.iter()
        .map(|m| {
            let v = m.value.as_deref().unwrap_or(b"<null>");
            (m.offset, String::from_utf8_lossy(v).into_owned())
        })
        .collect()
}

fn values(msgs: &[(i64, String)]) -> Vec<&str> {
    msgs.iter().map(|(_, v)| v.as_str()).collect()
}

/// `kbrowse -b ADDR consume ARGS --format json`: the exit code, the parsed lines and stderr.
fn consume_json(addr: &str, args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut all = vec!["-b", addr, "consume"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = kbrowse(&all);
    let lines = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    (code, lines, err)
}

/// `(offset, value)` of JSON lines of one partition (a null value becomes `<null>`).
fn json_offsets_values(lines: &[Value], partition: i64) -> Vec<(i64, String)> {
    lines
        .iter()
        .filter(|l| l["partition"].as_i64() == Some(partition))
        .map(|l| {
            let value = match &l["value"] {
                Value::Null => "<null>".to_string(),
                Value::String(s) => s.clone(),
                other => panic!("value is not text: {other}"),
            };
            (l["offset"].as_i64().expect("offset"), value)
        })
        .collect()
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn strictly_increasing(offsets: &[i64]) -> bool {
    offsets.windows(2).all(|w| w[0] < w[1])
}

// ---------------------------------------------------------------- -o @timestamp

#[test]
fn timestamp_start_is_the_first_record_at_or_after_the_time() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("ts");
    // Old timestamps must not be removed by time retention while the test runs.
    create_topic(&addr, &topic, 2, &[("retention.ms", "-1")]);
    // Whole seconds ten minutes ago: partition 0 at base + i s, partition 1 half a second later.
    let base = (now_ms() / 1000 - 600) * 1000;
    let ts = |p: i32, i: i64| base + i * 1000 + if p == 1 { 500 } else { 0 };
    let recs = |range: std::ops::Range<i64>| -> Vec<TestRecord> {
        range
            .flat_map(|i| {
                (0..2).map(move |p| {
                    let mut r = TestRecord::kv(p, &format!("k{i}"), &format!("p{p}-{i}"));
                    r.timestamp = Some(ts(p, i));
                    r
                })
            })
            .collect()
    };
    // Two produce calls: the records span more than one batch per partition.
    let p = producer(&addr, "lz4");
    produce_with(&p, &topic, &recs(0..5));
    produce_with(&p, &topic, &recs(5..10));

    // (partition, time, first offset expected; None = no record at or after it)
    let cases: &[(i32, i64, Option<i64>)] = &[
        (0, base - 60_000, Some(0)),
        (0, base, Some(0)),
        (0, base + 2_500, Some(3)),
        (0, base + 4_000, Some(4)),
        (0, base + 9_000, Some(9)),
        (0, base + 9_001, None),
        (1, base + 2_500, Some(2)),
        (1, base + 4_000, Some(4)),
        (1, base + 9_500, Some(9)),
        (1, base + 9_501, None),
    ];
    for &(partition, t, first) in cases {
        let got = read(&addr, &topic, partition, StartAt::Timestamp(t), COMMITTED);
        let want: Vec<(i64, i64)> = (first.unwrap_or(10)..10)
            .map(|i| (i, ts(partition, i)))
            .collect();
        let got: Vec<(i64, i64)> = got.iter().map(|m| (m.offset, m.timestamp)).collect();
        assert_eq!(
            got, want,
            "library, partition {partition}, @{t} (base {base})"
        );
    }

    let rfc_utc = |t: i64| {
        DateTime::<Utc>::from_timestamp_millis(t)
            .expect("time")
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    };
    let rfc_plus2 = |t: i64| {
        DateTime::<Utc>::from_timestamp_millis(t)
            .expect("time")
            .with_timezone(&FixedOffset::east_opt(2 * 3600).expect("offset"))
            .to_rfc3339_opts(SecondsFormat::Millis, false)
    };
    // (the -o argument, first offset expected in partition 0 and in partition 1)
    let cli_cases: Vec<(String, i64, i64)> = vec![
        (format!("@{}", base + 2_500), 3, 2),
        (format!("@{}", base + 4_000), 4, 4),
        (format!("@{}", rfc_utc(base + 2_500)), 3, 2),
        (format!("@{}", rfc_utc(base + 4_500)), 5, 4),
        (format!("@{}", rfc_plus2(base + 7_000)), 7, 7),
        (format!("@{}", base - 3_600_000), 0, 0),
    ];
    for (arg, first0, first1) in &cli_cases {
        let (code, lines, err) = consume_json(&addr, &["-t", &topic, "-o", arg, "-e"]);
        assert_eq!((code, err.as_str()), (0, ""), "-o {arg}");
        for (partition, first) in [(0, *first0), (1, *first1)] {
            let want: Vec<(i64, String)> = (first..10)
                .map(|i| (i, format!("p{partition}-{i}")))
                .collect();
            assert_eq!(
                json_offsets_values(&lines, partition),
                want,
                "-o {arg}, partition {partition}"
            );
            let times: Vec<i64> = lines
                .iter()
                .filter(|l| l["partition"].as_i64() == Some(partition))
                .map(|l| l["timestamp"].as_i64().expect("timestamp"))
                .collect();
            let want: Vec<i64> = (first..10).map(|i| ts(partition as i32, i)).collect();
            assert_eq!(times, want, "-o {arg}, partition {partition}");
        }
    }
    // One partition only, the first record exactly at the time.
    let (code, lines, err) = consume_json(
        &addr,
        &[
            "-t",
            &topic,
            "-p",
            "1",
            "-o",
            &format!("@{}", base + 8_500),
            "-e",
        ],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        json_offsets_values(&lines, 1),
        vec![(8, "p1-8".to_string()), (9, "p1-9".to_string())]
    );
    assert_eq!(lines.len(), 2);

    // After the last record: nothing, and -e still exits 0 (in both notations).
    for arg in [
        format!("@{}", base + 9_501),
        format!("@{}", rfc_utc(base + 60_000)),
    ] {
        let (code, out, err) = kbrowse(&["-b", &addr, "consume", "-t", &topic, "-o", &arg, "-e"]);
        assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""), "-o {arg}");
    }
}

// ---------------------------------------------------------------- transactions

/// Sends text values with key "k" to partition 0 and waits until they are written.
fn send(p: &ThreadedProducer<DefaultProducerContext>, topic: &str, vals: &[&str]) {
    let recs: Vec<TestRecord> = vals.iter().map(|v| TestRecord::kv(0, "k", v)).collect();
    produce_with(p, topic, &recs);
}

/// Waits until partition 0's high watermark is `want`.
fn wait_high(addr: &str, topic: &str, want: i64) {
    let t = Instant::now();
    loop {
        let high = rd_high(addr, topic);
        if high == want {
            return;
        }
        assert!(
            high < want && t.elapsed() < Duration::from_secs(30),
            "high watermark {high}, expected {want}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn aborted_transactions_are_hidden_under_committed_and_shown_under_uncommitted() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("txn");
    create_topic(&addr, &topic, 1, &[]);
    let plain = producer(&addr, "none");
    let tx = transactional_producer(&addr, &format!("{topic}-tx"));
    let t30 = Duration::from_secs(30);

    send(&plain, &topic, &["plain-0", "plain-1"]);
    tx.begin_transaction().expect("begin");
    send(&tx, &topic, &["c1-0", "c1-1"]);
    send(&plain, &topic, &["plain-in-c1"]);
    send(&tx, &topic, &["c1-2"]);
    tx.commit_transaction(t30).expect("commit");
    send(&plain, &topic, &["plain-2"]);
    tx.begin_transaction().expect("begin");
    send(&tx, &topic, &["a-0"]);
    send(&plain, &topic, &["plain-in-a"]);
    send(&tx, &topic, &["a-1", "a-2"]);
    tx.abort_transaction(t30).expect("abort");
    tx.begin_transaction().expect("begin");
    send(&tx, &topic, &["c2-0", "c2-1"]);
    tx.commit_transaction(t30).expect("commit");
    send(&plain, &topic, &["plain-3"]);
    // The coordinator writes the commit and abort markers after EndTxn returns, so a marker
    // may land after plain-3: wait for all 14 records and 3 markers.
    wait_high(&addr, &topic, 14 + 3);

    let committed = [
        "plain-0",
        "plain-1",
        "c1-0",
        "c1-1",
        "plain-in-c1",
        "c1-2",
        "plain-2",
        "plain-in-a",
        "c2-0",
        "c2-1",
        "plain-3",
    ];
    let everything = [
        "plain-0",
        "plain-1",
        "c1-0",
        "c1-1",
        "plain-in-c1",
        "c1-2",
        "plain-2",
        "a-0",
        "plain-in-a",
        "a-1",
        "a-2",
        "c2-0",
        "c2-1",
        "plain-3",
    ];

    let all_msgs = read(&addr, &topic, 0, StartAt::Beginning, UNCOMMITTED);
    let all = offsets_values(&all_msgs);
    assert_eq!(values(&all), everything, "uncommitted");
    let offsets: Vec<i64> = all.iter().map(|x| x.0).collect();
    assert!(strictly_increasing(&offsets), "{offsets:?}");
    // The three commit/abort markers take offsets too: the log has gaps where they are.
    assert_eq!(offsets.len(), 14);
    assert!(*offsets.last().expect("records") <= 16, "{offsets:?}");
    for m in &all_msgs {
        let v = String::from_utf8_lossy(m.value.as_deref().unwrap_or_default()).into_owned();
        assert_eq!(
            m.batch.transactional,
            !v.starts_with("plain"),
            "{v}: {:?}",
            m.batch
        );
    }

    let ok = offsets_values(&read(&addr, &topic, 0, StartAt::Beginning, COMMITTED));
    assert_eq!(values(&ok), committed, "committed");
    // Exactly the same records at the same offsets as in the full log, minus the aborted ones.
    let want: Vec<(i64, String)> = all
        .iter()
        .filter(|(_, v)| !v.starts_with("a-"))
        .cloned()
        .collect();
    assert_eq!(ok, want);

    // A start inside the aborted transaction.
    let first_aborted = all.iter().find(|(_, v)| v == "a-0").expect("a-0").0;
    let from = offsets_values(&read(
        &addr,
        &topic,
        0,
        StartAt::Offset(first_aborted),
        COMMITTED,
    ));
    assert_eq!(values(&from), ["plain-in-a", "c2-0", "c2-1", "plain-3"]);

    // The CLI: committed by default and when asked, everything under uncommitted.
    for (args, want) in [
        (vec!["-t", topic.as_str(), "-e"], &ok),
        (
            vec!["-t", topic.as_str(), "-e", "--isolation", "committed"],
            &ok,
        ),
        (
            vec![
                "-t",
                topic.as_str(),
                "-p",
                "0",
                "-e",
                "--isolation",
                "uncommitted",
            ],
            &all,
        ),
    ] {
        let (code, lines, err) = consume_json(&addr, &args);
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
        assert_eq!(&json_offsets_values(&lines, 0), want, "{args:?}");
        assert!(
            lines
                .iter()
                .all(|l| l["topic"] == topic.as_str() && l["key"] == "k")
        );
    }
}

#[test]
fn an_open_transaction_stops_committed_reads_at_the_last_stable_offset() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("opentxn");
    create_topic(&addr, &topic, 1, &[]);
    let plain = producer(&addr, "none");
    let tx = transactional_producer(&addr, &format!("{topic}-tx"));

    send(&plain, &topic, &["before-0", "before-1"]);
    tx.begin_transaction().expect("begin");
    send(&tx, &topic, &["open-0", "open-1"]);
    // Written after the open transaction began: not stable until it ends.
    send(&plain, &topic, &["after-open"]);

    let before = ["before-0", "before-1"];
    let everything = ["before-0", "before-1", "open-0", "open-1", "after-open"];
    assert_eq!(
        values(&offsets_values(&read(
            &addr,
            &topic,
            0,
            StartAt::Beginning,
            COMMITTED
        ))),
        before
    );
    assert_eq!(
        values(&offsets_values(&read(
            &addr,
            &topic,
            0,
            StartAt::Beginning,
            UNCOMMITTED
        ))),
        everything
    );

    let t = Instant::now();
    let (code, lines, err) = consume_json(&addr, &["-t", &topic, "-e"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(values(&json_offsets_values(&lines, 0)), before);
    let (code, lines, err) =
        consume_json(&addr, &["-t", &topic, "-e", "--isolation", "uncommitted"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(values(&json_offsets_values(&lines, 0)), everything);

    // A following read under committed shows the rest once the transaction commits.
    let mut follow = Follow::spawn(&["-b", &addr, "consume", "-t", &topic, "--format", "json"]);
    follow.wait_lines(2, Duration::from_secs(20));
    assert_eq!(follow.collect_for(Duration::from_secs(2)).len(), 2);
    tx.commit_transaction(Duration::from_secs(30))
        .expect("commit");
    let lines: Vec<Value> = follow
        .wait_lines(5, Duration::from_secs(20))
        .iter()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(values(&json_offsets_values(&lines, 0)), everything);
    assert_eq!(follow.collect_for(Duration::from_secs(1)).len(), 5);
    drop(follow);

    let (code, lines, err) = consume_json(&addr, &["-t", &topic, "-e"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(values(&json_offsets_values(&lines, 0)), everything);
}

// ---------------------------------------------------------------- compaction

/// Every record of partition 0 as librdkafka reads it: (offset, key, value).
type Rec = (i64, Option<Vec<u8>>, Option<Vec<u8>>);

fn rd_read_all(addr: &str, topic: &str) -> Vec<Rec> {
    use rdkafka::Message as _;
    let consumer: BaseConsumer = RdConfig::new()
        .set("bootstrap.servers", addr)
        .set("group.id", "kbrowse-test-verify")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("tpl");
    consumer.assign(&tpl).expect("assign");
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "rdkafka did not reach the end");
        match consumer.poll(Duration::from_millis(500)) {
            None => {}
            Some(Err(KafkaError::PartitionEOF(_))) => return out,
            Some(Err(e)) => panic!("rdkafka consumer: {e}"),
            Some(Ok(m)) => out.push((
                m.offset(),
                m.key().map(|k| k.to_vec()),
                m.payload().map(|v| v.to_vec()),
            )),
        }
    }
}

fn rd_high(addr: &str, topic: &str) -> i64 {
    let consumer: BaseConsumer = RdConfig::new()
        .set("bootstrap.servers", addr)
        .create()
        .expect("consumer");
    consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(10))
        .expect("watermarks")
        .1
}

#[test]
fn a_compacted_topic_is_read_across_its_offset_gaps() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("compact");
    create_topic(
        &addr,
        &topic,
        1,
        &[
            ("cleanup.policy", "compact"),
            ("segment.ms", "100"),
            ("min.cleanable.dirty.ratio", "0.01"),
            ("delete.retention.ms", "100"),
            ("min.compaction.lag.ms", "0"),
        ],
    );
    let p = idempotent_producer(&addr, "snappy");
    // Offsets are assigned in produce order: produced[o] is the record at offset o.
    let mut produced: Vec<TestRecord> = Vec::new();
    let mut seq = 0;
    for round in 0..4 {
        let mut recs = Vec::new();
        for _ in 0..8 {
            for k in 0..5 {
                recs.push(TestRecord::kv(0, &format!("k{k}"), &format!("k{k}-v{seq}")));
                seq += 1;
            }
        }
        if round == 3 {
            // A tombstone for k4.
            let mut t = TestRecord::kv(0, "k4", "");
            t.value = None;
            recs.push(t);
        }
        produce_with(&p, &topic, &recs);
        produced.extend(recs);
        // Older than segment.ms: the next write rolls a new segment, so this one can be cleaned.
        std::thread::sleep(Duration::from_millis(300));
    }
    let roll = TestRecord::kv(0, "roll", "roll");
    produce_with(&p, &topic, std::slice::from_ref(&roll));
    produced.push(roll);
    let high = produced.len() as i64;
    assert_eq!(rd_high(&addr, &topic), high);

    // Wait for the cleaner: librdkafka then reads fewer records than offsets.
    let t = Instant::now();
    let mut rd = rd_read_all(&addr, &topic);
    while rd.len() as i64 >= high {
        assert!(
            t.elapsed() < Duration::from_secs(45),
            "no compaction after {:?} ({} records of {high})",
            t.elapsed(),
            rd.len()
        );
        std::thread::sleep(Duration::from_millis(500));
        rd = rd_read_all(&addr, &topic);
    }
    eprintln!(
        "compacted after {:?}: {} of {high} offsets left",
        t.elapsed(),
        rd.len()
    );

    // The cleaner may run again (the tombstone): compare with a log that did not change
    // around our reads.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let ours = read(&addr, &topic, 0, StartAt::Beginning, COMMITTED);
        let (code, lines, err) = consume_json(&addr, &["-t", &topic, "-e"]);
        let rd_after = rd_read_all(&addr, &topic);
        if rd_after != rd && attempts < 5 {
            rd = rd_after;
            continue;
        }
        assert_eq!(rd_after, rd, "the log kept changing");

        let ours_recs: Vec<Rec> = ours
            .iter()
            .map(|m| {
                (
                    m.offset,
                    m.key.as_ref().map(|b| b.to_vec()),
                    m.value.as_ref().map(|b| b.to_vec()),
                )
            })
            .collect();
        assert_eq!(ours_recs, rd, "our reader against librdkafka");
        let offsets: Vec<i64> = ours.iter().map(|m| m.offset).collect();
        assert!(strictly_increasing(&offsets), "{offsets:?}");
        assert!(
            offsets.windows(2).any(|w| w[1] - w[0] > 1),
            "no gap: {offsets:?}"
        );
        assert_eq!(*offsets.last().expect("records"), high - 1);
        // Every record is the one produced at its offset.
        for m in &ours {
            assert_eq!(
                as_test_record(m),
                produced[m.offset as usize],
                "offset {}",
                m.offset
            );
        }
        // The last value of every key survives.
        let mut last: HashMap<Vec<u8>, Option<Vec<u8>>> = HashMap::new();
        for r in &produced {
            last.insert(r.key.clone().expect("key"), r.value.clone());
        }
        let mut seen: HashMap<Vec<u8>, Option<Vec<u8>>> = HashMap::new();
        for m in &ours {
            seen.insert(
                m.key.as_ref().expect("key").to_vec(),
                m.value.as_ref().map(|v| v.to_vec()),
            );
        }
        for (k, v) in &last {
            match v {
                Some(_) => assert_eq!(seen.get(k), Some(v), "key {:?}", String::from_utf8_lossy(k)),
                // A tombstone is either still there or gone with every earlier value.
                None => assert!(
                    matches!(seen.get(k), None | Some(None)),
                    "tombstoned key: {:?}",
                    seen.get(k)
                ),
            }
        }

        assert_eq!((code, err.as_str()), (0, ""), "consume -e");
        let cli: Vec<i64> = lines
            .iter()
            .map(|l| l["offset"].as_i64().expect("offset"))
            .collect();
        assert_eq!(cli, offsets, "consume -e offsets");
        return;
    }
}

// ---------------------------------------------------------------- topics and errors

/// Deletes the records of partition `partition` before `before` (moves the low watermark).
fn delete_records(addr: &str, topic: &str, partition: i32, before: i64) {
    let admin: AdminClient<DefaultClientContext> = RdConfig::new()
        .set("bootstrap.servers", addr)
        .create()
        .expect("admin client");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, partition, Offset::Offset(before))
        .expect("tpl");
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let res =
        futures::executor::block_on(admin.delete_records(&tpl, &opts)).expect("delete_records");
    for e in res.elements() {
        assert!(e.error().is_ok(), "delete_records: {:?}", e.error());
    }
}

#[test]
fn topics_lists_a_topic_with_its_partitions_and_watermarks() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("list");
    create_topic(&addr, &topic, 3, &[]);
    let mut recs: Vec<TestRecord> = (0..5)
        .map(|i| TestRecord::kv(0, "k", &format!("{i}")))
        .collect();
    recs.extend((0..2).map(|i| TestRecord::kv(2, "k", &format!("{i}"))));
    produce(&addr, &topic, "gzip", &recs);
    delete_records(&addr, &topic, 0, 2);

    let (code, out, err) = kbrowse(&["-b", &addr, "topics"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("{topic} ")))
        .unwrap_or_else(|| panic!("{topic} not listed:\n{out}"));
    assert_eq!(
        lines[at..at + 4],
        [
            format!("{topic}  partitions 3  messages 5").as_str(),
            "  partition    0  leader    1  low            2  high            5  messages            3",
            "  partition    1  leader    1  low            0  high            0  messages            0",
            "  partition    2  leader    1  low            0  high            2  messages            2",
        ],
        "{out}"
    );
    assert!(
        lines
            .get(at + 4)
            .is_none_or(|l| !l.starts_with("  partition")),
        "{out}"
    );
}

#[test]
fn errors_name_what_was_wrong_with_exit_status_1() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("err");
    create_topic(&addr, &topic, 2, &[]);
    let recs: Vec<TestRecord> = (0..3)
        .map(|i| TestRecord::kv(0, "k", &format!("{i}")))
        .collect();
    produce(&addr, &topic, "none", &recs);
    let missing = unique("missing");

    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["consume", "-t", &missing, "-e"],
            format!("kbrowse: unknown topic '{missing}'\n"),
        ),
        (
            vec!["consume", "-t", &missing],
            format!("kbrowse: unknown topic '{missing}'\n"),
        ),
        (
            vec!["consume", "-t", &topic, "-p", "7", "-e"],
            format!(
                "kbrowse: unknown partition 7 of topic '{topic}' (it has 2 partitions: 0 to 1)\n"
            ),
        ),
        (
            vec!["consume", "-t", &topic, "-p", "0", "-p", "2"],
            format!(
                "kbrowse: unknown partition 2 of topic '{topic}' (it has 2 partitions: 0 to 1)\n"
            ),
        ),
        (
            vec!["consume", "-t", &topic, "-p", "0", "-o", "999", "-e"],
            format!("kbrowse: offset 999 is out of range for {topic}/0 (valid offsets: 0 to 3)\n"),
        ),
        (
            vec!["consume", "-t", &topic, "-p", "1", "-o", "1"],
            format!("kbrowse: offset 1 is out of range for {topic}/1 (valid offsets: 0)\n"),
        ),
    ];
    for (args, want) in &cases {
        let mut all = vec!["-b", addr.as_str()];
        all.extend(args.iter().copied());
        let t = Instant::now();
        let (code, out, err) = kbrowse(&all);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (1, "", want.as_str()),
            "{args:?}"
        );
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{args:?}: {:?}",
            t.elapsed()
        );
    }

    // Below the low watermark once records are deleted; the ends themselves are valid.
    delete_records(&addr, &topic, 0, 1);
    let (code, out, err) = kbrowse(&[
        "-b", &addr, "consume", "-t", &topic, "-p", "0", "-o", "0", "-e",
    ]);
    assert_eq!(
        (code, out.as_str(), err),
        (
            1,
            "",
            format!("kbrowse: offset 0 is out of range for {topic}/0 (valid offsets: 1 to 3)\n")
        )
    );
    for (offset, want) in [("1", "1\n2\n"), ("3", "")] {
        let (code, lines, err) =
            consume_json(&addr, &["-t", &topic, "-p", "0", "-o", offset, "-e"]);
        assert_eq!((code, err.as_str()), (0, ""), "-o {offset}");
        let got: String = lines
            .iter()
            // Under `-s auto` (the default) the text "1" is the JSON number 1.
            .map(|l| format!("{}\n", l["value"]))
            .collect();
        assert_eq!(got, want, "-o {offset}");
    }
}
