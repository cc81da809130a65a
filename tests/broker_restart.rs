//! A following `kbrowse consume` survives the real broker being killed and started again:
//! every record arrives exactly once, in order, with no gap.
//!
//! This is a test binary of its own because it kills the shared broker: cargo runs test
//! binaries one after another, so no other real-broker test runs while it is down.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;

use support::faults::{BrokerBack, broker_script, start_again};
use support::*;

#[test]
fn a_following_consume_survives_a_broker_kill_without_gap_or_duplicate() {
    let Some(addr) = real_broker() else { return };
    const N: i64 = 300;
    const M: i64 = 300;
    let topic = unique("restart");
    create_topic(&addr, &topic, 1, &[]);
    let p = idempotent_producer(&addr, "lz4");
    let recs = numbered;

    let _guard = BrokerBack { frozen: None };
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
    let (ok, out) = broker_script(&["kill"]);
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
