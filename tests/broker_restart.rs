//! A following `kbrowse consume` survives the real broker being killed and started again:
//! every record arrives exactly once, in order, with no gap.
//!
//! This is a test binary of its own because it kills the shared broker: cargo runs test
//! binaries one after another, so no other real-broker test runs while it is down.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use rdkafka::ClientConfig as RdConfig;
use rdkafka::producer::{DefaultProducerContext, ThreadedProducer};
use serde_json::Value;

use support::*;

fn broker_script(arg: &str) -> (bool, String) {
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/kafka-broker"))
        .arg(arg)
        .output()
        .expect("run scripts/kafka-broker");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `scripts/kafka-broker start-again`, retried while the script finds the port in use:
/// after a SIGKILL the broker's side of its client connections sits in TIME-WAIT for up
/// to a minute, and the script counts those sockets as the port being in use.
fn start_again() -> (bool, String) {
    let t = Instant::now();
    loop {
        let (ok, out) = broker_script("start-again");
        if ok || !out.contains("already in use") || t.elapsed() > Duration::from_secs(150) {
            return (ok, out);
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Leaves the broker running when the test ends, however it ends.
struct BrokerBack;

impl Drop for BrokerBack {
    fn drop(&mut self) {
        if !broker_script("status").0 {
            let (ok, out) = start_again();
            if !ok {
                eprintln!("scripts/kafka-broker start-again failed: {out}");
            }
        }
    }
}

#[test]
fn a_following_consume_survives_a_broker_kill_without_gap_or_duplicate() {
    let Some(addr) = real_broker() else { return };
    const N: i64 = 300;
    const M: i64 = 300;
    let topic = unique("restart");
    create_topic(&addr, &topic, 1, &[]);
    // Idempotent: a retried send after the kill cannot write a record twice.
    let p: ThreadedProducer<DefaultProducerContext> = RdConfig::new()
        .set("bootstrap.servers", &addr)
        .set("enable.idempotence", "true")
        .set("compression.type", "lz4")
        .set("linger.ms", "5")
        .set("message.timeout.ms", "120000")
        .set("reconnect.backoff.max.ms", "500")
        .create()
        .expect("producer");
    let recs = |range: std::ops::Range<i64>| -> Vec<TestRecord> {
        range
            .map(|i| TestRecord::kv(0, &format!("k{i}"), &format!("v{i}")))
            .collect()
    };

    let _guard = BrokerBack;
    let mut follow = Follow::spawn(&[
        "-b",
        &addr,
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

    let t = Instant::now();
    let (ok, out) = broker_script("kill");
    assert!(ok, "kill: {out}");
    // While the broker is down, the reader retries.
    std::thread::sleep(Duration::from_secs(2));
    let (ok, out) = start_again();
    assert!(ok, "start-again: {out}");
    assert_eq!(out.trim(), addr, "the broker came back on another address");
    eprintln!("broker back after {:?}", t.elapsed());

    produce_with(&p, &topic, &recs(N..N + M));
    let t = Instant::now();
    follow.wait_lines((N + M) as usize, Duration::from_secs(60));
    eprintln!("all records after {:?} more", t.elapsed());
    // Nothing more arrives (no duplicate after the last record).
    follow.collect_for(Duration::from_secs(2));
    let stderr = follow.stderr();
    let got = std::mem::take(&mut follow.got);
    drop(follow);

    let mut offsets = Vec::new();
    for (i, line) in got.iter().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let offset = v["offset"].as_i64().expect("offset");
        offsets.push(offset);
        assert_eq!(v["value"], format!("v{offset}"), "line {i}: {line}");
        assert_eq!(v["key"], format!("k{offset}"), "line {i}: {line}");
    }
    let want: Vec<i64> = (0..N + M).collect();
    assert_eq!(offsets, want, "stderr: {stderr}");
    // The outage was noticed and reported on stderr, not on stdout.
    assert!(stderr.contains("reconnecting"), "stderr: {stderr}");
}
