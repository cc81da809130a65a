//! A broker that stops answering: the real broker frozen with SIGSTOP under a following
//! `consume --timeout 1`, and a mock broker whose round trip is made longer than the request
//! timeout. The reader reports reconnecting, then resumes with no gap and no duplicate.
//!
//! A test binary of its own because it freezes the shared broker: cargo runs test binaries
//! one after another, so no other real-broker test runs while it is frozen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::{Duration, Instant};

use kbrowse::kafka::{
    ClientConfig, Cluster, PartitionReader, ReaderConfig, ReaderEventKind, StartAt,
};
use serde_json::Value;

use support::faults::{BrokerBack, broker_pid, signal, wait_until};
use support::*;

use support::numbered as recs;

#[test]
fn a_following_consume_reports_a_frozen_broker_and_resumes_without_gap_or_duplicate() {
    let Some(addr) = real_broker() else { return };
    const N: i64 = 200;
    const M: i64 = 200;
    let topic = unique("frozen");
    create_topic(&addr, &topic, 1, &[]);
    let p = idempotent_producer(&addr, "none");
    let mut guard = BrokerBack { frozen: None };
    let mut follow = Follow::spawn(&[
        "-b",
        &addr,
        "--timeout",
        "1",
        "consume",
        "-t",
        &topic,
        "-p",
        "0",
        "-o",
        "beginning",
        "--format",
        "json",
    ]);
    produce_with(&p, &topic, &recs(0..N));
    follow.wait_lines(N as usize, Duration::from_secs(30));
    // Let the reader settle into its long polls at offset N.
    follow.collect_for(Duration::from_millis(500));
    assert_eq!(follow.got.len(), N as usize);

    let pid = broker_pid();
    signal(pid, "STOP");
    guard.frozen = Some(pid);
    let noticed = wait_until("reconnecting on stderr", Duration::from_secs(30), || {
        follow.stderr().contains("reconnecting")
    });
    eprintln!("frozen broker noticed after {noticed:?}");
    // Frozen a while longer: reconnecting to a broker that accepts connections but never
    // answers must time out too, and not be reported as an error that ends the read.
    std::thread::sleep(Duration::from_secs(4));
    let t = Instant::now();
    signal(pid, "CONT");
    guard.frozen = None;

    produce_with(&p, &topic, &recs(N..N + M));
    follow.wait_lines((N + M) as usize, Duration::from_secs(60));
    eprintln!("all records {:?} after SIGCONT", t.elapsed());
    follow.collect_for(Duration::from_secs(2));
    let stderr = follow.stderr();
    assert!(
        follow.child.try_wait().expect("try_wait").is_none(),
        "consume ended; stderr: {stderr}"
    );
    let offsets: Vec<i64> = follow
        .got
        .iter()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            let offset = v["offset"].as_i64().expect("offset");
            assert_eq!(v["value"], format!("v{offset}"), "{line}");
            offset
        })
        .collect();
    assert_eq!(
        offsets,
        (0..N + M).collect::<Vec<i64>>(),
        "stderr: {stderr}"
    );
    eprintln!("stderr:\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "kbrowse: broker {addr} did not answer Fetch within 1.5s; reconnecting to \
                 {topic}/0 at offset {N} (attempt 1)"
            ),
            format!("kbrowse: reading {topic}/0 again at offset {N}"),
        ]
    );
}

/// The mock cluster's leader answers later than the request timeout: the reader reports it
/// and resumes once the broker is quick again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_mock_broker_times_out_and_the_reader_resumes_without_gap_or_duplicate() {
    let mock = Mock::new(1);
    mock.topic("slow", 1);
    tokio::task::block_in_place(|| produce(&mock.addr, "slow", "lz4", &recs(0..100)));
    let mut config = ClientConfig::new(&mock.addr);
    config.conn.request_timeout = Duration::from_millis(500);
    let cluster = Cluster::connect(config).await.expect("connect");
    let reader_config = ReaderConfig {
        max_wait: Duration::from_millis(100),
        ..ReaderConfig::default()
    };
    let (_reader, mut rx) =
        PartitionReader::start(cluster, "slow".into(), 0, StartAt::Beginning, reader_config);
    let mut got = Vec::new();
    let mut errors = Vec::new();
    let mut stage = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while got.len() < 200 {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("timed out")
            .expect("reader ended");
        match ev.kind {
            ReaderEventKind::Messages(ms) => got.extend(ms.iter().map(|m| m.offset)),
            ReaderEventKind::CaughtUp { next: 100, .. } if stage == 0 => {
                stage = 1;
                mock.cluster
                    .broker_round_trip_time(1, Duration::from_secs(2))
                    .expect("rtt");
            }
            ReaderEventKind::Reconnecting { next, error, .. } => {
                assert_eq!(next, 100);
                errors.push(error.to_string());
                if stage == 1 {
                    stage = 2;
                    mock.cluster
                        .broker_round_trip_time(1, Duration::ZERO)
                        .expect("rtt");
                    tokio::task::block_in_place(|| {
                        produce(&mock.addr, "slow", "lz4", &recs(100..200))
                    });
                }
            }
            ReaderEventKind::Failed(e) => panic!("reader failed: {e}"),
            _ => {}
        }
    }
    assert_eq!(got, (0..200).collect::<Vec<i64>>());
    assert_eq!(stage, 2, "no reconnect was reported");
    eprintln!("{errors:?}");
    assert_eq!(
        errors,
        [format!(
            "broker {} did not answer Fetch within 0.6s",
            mock.addr
        )]
    );
}
