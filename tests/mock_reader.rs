//! The partition reader against the librdkafka mock cluster: every codec, start positions,
//! leader moves, a broker going down and up, injected errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use kbrowse::kafka::{Isolation, PartitionReader, ReaderConfig, ReaderEventKind, StartAt};
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use support::*;

fn sample_records() -> Vec<TestRecord> {
    let mut v = vec![
        TestRecord {
            partition: 0,
            key: Some(b"order-1".to_vec()),
            value: Some(br#"{"id":1,"total":9.5}"#.to_vec()),
            headers: vec![
                ("trace".into(), Some(b"abc".to_vec())),
                ("trace".into(), Some(b"def".to_vec())),
                ("empty".into(), Some(Vec::new())),
                ("null".into(), None),
            ],
            timestamp: Some(1_700_000_000_000),
        },
        TestRecord {
            partition: 0,
            key: None,
            value: Some(b"no key".to_vec()),
            headers: vec![],
            timestamp: None,
        },
        TestRecord {
            partition: 0,
            key: Some(Vec::new()),
            value: Some(Vec::new()),
            headers: vec![],
            timestamp: None,
        },
        TestRecord {
            partition: 0,
            key: Some(b"tombstone".to_vec()),
            value: None,
            headers: vec![],
            timestamp: None,
        },
        TestRecord {
            partition: 0,
            key: Some(vec![0xff, 0x00, 0x1b, b'[', b'2', b'J']),
            value: Some(vec![0x80, 0xfe, 0x00, 0xc3, 0x28, 0x1b]),
            headers: vec![("bin".into(), Some(vec![0xde, 0xad, 0xbe, 0xef]))],
            timestamp: None,
        },
        TestRecord {
            partition: 0,
            key: Some(b"big".to_vec()),
            value: Some((0..(1u32 << 20)).map(|i| (i % 251) as u8).collect()),
            headers: vec![],
            timestamp: None,
        },
    ];
    for i in 0..300 {
        v.push(TestRecord::kv(
            0,
            &format!("k{i}"),
            &format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 50)),
        ));
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_codec_returns_every_record_byte_exact_in_order_once() {
    let mock = Mock::new(3);
    let records = sample_records();
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let topic = format!("codec-{codec}");
        mock.topic(&topic, 1);
        produce(&mock.addr, &topic, codec, &records);
        let got = read_to_end(
            &mock.addr,
            &topic,
            0,
            StartAt::Beginning,
            Isolation::ReadCommitted,
        )
        .await;
        let offsets: Vec<i64> = got.iter().map(|m| m.offset).collect();
        assert_eq!(
            offsets,
            (0..records.len() as i64).collect::<Vec<_>>(),
            "{codec}: offsets"
        );
        let as_produced: Vec<TestRecord> = records
            .iter()
            .map(|r| TestRecord {
                timestamp: None,
                ..r.clone()
            })
            .collect();
        let read: Vec<TestRecord> = got.iter().map(as_test_record).collect();
        assert!(read == as_produced, "{codec}: records differ");
        assert_eq!(
            got[0].timestamp, 1_700_000_000_000,
            "{codec}: explicit timestamp"
        );
        if codec != "none" {
            assert!(
                got.iter().any(|m| m.batch.codec.name() == codec),
                "{codec}: no batch used the codec"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_positions_pick_the_right_first_record() {
    let mock = Mock::new(3);
    mock.topic("pos", 3);
    let records: Vec<TestRecord> = (0..30)
        .map(|i| TestRecord::kv(i % 3, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&mock.addr, "pos", "none", &records);
    let first = |ms: &[kbrowse::kafka::Message]| ms.first().map(|m| (m.offset, m.value.clone()));
    for p in 0..3 {
        let all = read_to_end(
            &mock.addr,
            "pos",
            p,
            StartAt::Beginning,
            Isolation::ReadCommitted,
        )
        .await;
        assert_eq!(all.len(), 10, "partition {p}");
        assert!(all.iter().all(|m| m.partition == p));
    }
    let at = read_to_end(
        &mock.addr,
        "pos",
        1,
        StartAt::Offset(4),
        Isolation::ReadCommitted,
    )
    .await;
    assert_eq!(first(&at), Some((4, Some(bytes::Bytes::from("v13")))));
    assert_eq!(at.len(), 6);
    let tail = read_to_end(
        &mock.addr,
        "pos",
        2,
        StartAt::FromEnd(3),
        Isolation::ReadCommitted,
    )
    .await;
    assert_eq!(
        tail.iter().map(|m| m.offset).collect::<Vec<_>>(),
        vec![7, 8, 9]
    );
    let end = read_to_end(&mock.addr, "pos", 0, StartAt::End, Isolation::ReadCommitted).await;
    assert!(end.is_empty());
    let cluster = connect(&mock.addr).await;
    let err = kbrowse::kafka::offsets::resolve(
        &cluster,
        "pos",
        0,
        StartAt::Offset(11),
        Isolation::ReadCommitted,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "offset 11 is out of range for pos/0 (valid offsets: 0 to 10)"
    );
}

/// Follows a partition and collects offsets until `want` records arrived.
async fn collect(
    rx: &mut tokio::sync::mpsc::Receiver<kbrowse::kafka::ReaderEvent>,
    want: usize,
    out: &mut Vec<i64>,
    reconnects: &mut u32,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while out.len() < want {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("timed out")
            .expect("reader ended");
        match ev.kind {
            ReaderEventKind::Messages(ms) => out.extend(ms.iter().map(|m| m.offset)),
            ReaderEventKind::Reconnecting { .. } => *reconnects += 1,
            ReaderEventKind::Failed(e) => panic!("reader failed: {e}"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_a_leader_move_and_a_broker_outage_without_gap_or_duplicate() {
    let mock = Mock::new(3);
    mock.topic("moving", 1);
    let batch = |from: i32| -> Vec<TestRecord> {
        (from..from + 200)
            .map(|i| TestRecord::kv(0, &format!("k{i}"), &format!("v{i}")))
            .collect()
    };
    produce(&mock.addr, "moving", "lz4", &batch(0));
    let cluster = connect(&mock.addr).await;
    let leader = cluster.leader_id("moving", 0).await.expect("leader");
    let config = ReaderConfig {
        max_wait: Duration::from_millis(100),
        partition_max_bytes: 1024,
        ..ReaderConfig::default()
    };
    let (_reader, mut rx) = PartitionReader::start(
        cluster.clone(),
        "moving".into(),
        0,
        StartAt::Beginning,
        config,
    );
    let mut got = Vec::new();
    let mut reconnects = 0;
    collect(&mut rx, 1, &mut got, &mut reconnects).await;

    let other = leader % 3 + 1;
    mock.cluster
        .partition_leader("moving", 0, Some(other))
        .expect("move leader");
    collect(&mut rx, 200, &mut got, &mut reconnects).await;

    mock.cluster.broker_down(other).expect("broker down");
    tokio::time::sleep(Duration::from_millis(800)).await;
    mock.cluster.broker_up(other).expect("broker up");
    produce(&mock.addr, "moving", "lz4", &batch(200));
    collect(&mut rx, 400, &mut got, &mut reconnects).await;

    assert_eq!(got, (0..400).collect::<Vec<i64>>());
    assert!(reconnects >= 1, "the outage was not reported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_fetch_errors_are_retried() {
    let mock = Mock::new(3);
    mock.topic("flaky", 1);
    let records: Vec<TestRecord> = (0..50)
        .map(|i| TestRecord::kv(0, &format!("k{i}"), "v"))
        .collect();
    produce(&mock.addr, "flaky", "none", &records);
    mock.cluster.request_errors(
        RDKafkaApiKey::Fetch,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        ],
    );
    let got = read_to_end(
        &mock.addr,
        "flaky",
        0,
        StartAt::Beginning,
        Isolation::ReadCommitted,
    )
    .await;
    assert_eq!(
        got.iter().map(|m| m.offset).collect::<Vec<_>>(),
        (0..50).collect::<Vec<i64>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_receiver_ends_the_reader_and_the_channel_bounds_prefetch() {
    let mock = Mock::new(1);
    mock.topic("bounded", 1);
    let records: Vec<TestRecord> = (0..5000)
        .map(|i| TestRecord::kv(0, &format!("k{i}"), "v"))
        .collect();
    produce(&mock.addr, "bounded", "none", &records);
    let cluster = connect(&mock.addr).await;
    let config = ReaderConfig {
        capacity: 2,
        partition_max_bytes: 1024,
        ..ReaderConfig::default()
    };
    let (reader, rx) =
        PartitionReader::start(cluster, "bounded".into(), 0, StartAt::Beginning, config);
    // Nobody reads: the reader fills the channel (Started + one batch) and waits.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rx.len(),
        2,
        "the reader ran ahead of the channel's capacity"
    );
    assert!(!reader.is_finished());
    drop(rx);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !reader.is_finished() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reader outlived its receiver"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
