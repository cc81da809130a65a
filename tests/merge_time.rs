//! `consume --merge time`: the k-way merge by timestamp over partitions, against the real
//! broker, with records and timestamps written by librdkafka. The expected order is computed
//! here from what was produced (sorted by timestamp, partition, offset), not by kbrowse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use support::{Follow, TestRecord, create_topic, kbrowse, produce, real_broker, unique};

/// `per` records in each of 4 partitions; timestamps step by 0–4 ms from `base` with a fixed
/// pseudo-random sequence, so partitions interleave and many times tie across partitions.
fn timed(parts: i32, per: i64, base: i64) -> Vec<TestRecord> {
    let mut out = Vec::new();
    let mut seed = 7u64;
    for p in 0..parts {
        let mut ts = base;
        for i in 0..per {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ts += ((seed >> 33) % 5) as i64;
            let mut r = TestRecord::kv(p, &format!("k{i}"), &format!("p{p}-{i}"));
            r.timestamp = Some(ts);
            out.push(r);
        }
    }
    out
}

/// (timestamp, partition, offset) of every record, in the merged order a person expects.
fn expected(records: &[TestRecord], parts: i32) -> Vec<(i64, i64, i64)> {
    let mut out = Vec::new();
    for p in 0..parts {
        let mine = records.iter().filter(|r| r.partition == p);
        for (offset, r) in mine.enumerate() {
            out.push((r.timestamp.unwrap(), p as i64, offset as i64));
        }
    }
    out.sort();
    out
}

fn read(lines: &str) -> Vec<(i64, i64, i64)> {
    lines
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let ts = v["timestamp"].as_i64().unwrap();
            (
                ts,
                v["partition"].as_i64().unwrap(),
                v["offset"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// An hour ago, in milliseconds: older times would fall to the broker's 7-day retention
/// while the test runs.
fn recent() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    now - 3_600_000
}

#[test]
fn exact_merge_by_time_is_the_sorted_order_from_any_start_and_with_a_filter() {
    let Some(broker) = real_broker() else {
        return;
    };
    let topic = unique("merge");
    create_topic(&broker, &topic, 4, &[]);
    let base = recent();
    let records = timed(4, 1500, base);
    produce(&broker, &topic, "lz4", &records);
    let all = expected(&records, 4);

    let (code, out, err) = kbrowse(&[
        "-b", &broker, "consume", "-t", &topic, "-e", "--merge", "time", "--format", "json",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(read(&out), all);

    // Started at a time: every partition starts at its first record at or after it.
    let at = base + 1000;
    let (code, out, _) = kbrowse(&[
        "-b",
        &broker,
        "consume",
        "-t",
        &topic,
        "-e",
        "--merge",
        "time",
        "--format",
        "json",
        "-o",
        &format!("@{at}"),
    ]);
    assert_eq!(code, 0);
    let from_at: Vec<_> = all.iter().copied().filter(|r| r.0 >= at).collect();
    assert_eq!(read(&out), from_at);

    // Some partitions, a filter, and a count: still in order.
    let (code, out, _) = kbrowse(&[
        "-b",
        &broker,
        "consume",
        "-t",
        &topic,
        "-e",
        "--merge",
        "time",
        "--format",
        "json",
        "-p",
        "1",
        "-p",
        "3",
        "--filter",
        "offset % 3 == 0",
        "-c",
        "500",
    ]);
    assert_eq!(code, 0);
    let some: Vec<_> = all
        .iter()
        .copied()
        .filter(|r| (r.1 == 1 || r.1 == 3) && r.2 % 3 == 0)
        .take(500)
        .collect();
    assert_eq!(read(&out), some);

    // The default is arrival order: each partition in offset order, the same records.
    let (code, out, _) = kbrowse(&[
        "-b", &broker, "consume", "-t", &topic, "-e", "--format", "json",
    ]);
    assert_eq!(code, 0);
    let mut arrival = read(&out);
    arrival.sort();
    assert_eq!(arrival, all);
}

#[test]
fn following_merges_the_backlog_in_time_order_and_keeps_up_with_new_records() {
    let Some(broker) = real_broker() else {
        return;
    };
    let topic = unique("merge-follow");
    create_topic(&broker, &topic, 3, &[]);
    let base = recent();
    // Partitions 0 and 1 get records; partition 2 stays silent.
    let records = timed(2, 200, base);
    produce(&broker, &topic, "lz4", &records);
    let mut f = Follow::spawn(&[
        "-b",
        &broker,
        "consume",
        "-t",
        &topic,
        "--merge",
        "time",
        "--merge-wait",
        "2s",
        "--format",
        "json",
    ]);
    let lines = f.wait_lines(400, Duration::from_secs(30)).join("\n");
    assert_eq!(read(&lines), expected(&records, 2));
    // New records keep flowing: every one of them, each partition in offset order. (Across
    // partitions, a record is not held for one that reached the end of its log: live records
    // are in time order only where both partitions' records were waiting together.)
    let later = timed(2, 50, base + 100_000);
    produce(&broker, &topic, "lz4", &later);
    let lines = f.wait_lines(500, Duration::from_secs(30))[400..].join("\n");
    let got = read(&lines);
    let want: Vec<_> = expected(&later, 2)
        .into_iter()
        .map(|(t, p, o)| (t, p, o + 200))
        .collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, want);
    for p in 0..2 {
        let offsets: Vec<i64> = got.iter().filter(|r| r.1 == p).map(|r| r.2).collect();
        assert_eq!(offsets, (200..250).collect::<Vec<_>>());
    }
}

#[test]
fn a_bad_merge_wait_is_one_line() {
    let (code, out, err) = kbrowse(&[
        "-b",
        "127.0.0.1:9",
        "consume",
        "-t",
        "x",
        "--merge",
        "time",
        "--merge-wait",
        "5",
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("error: invalid value '5' for '--merge-wait <DURATION>': invalid duration '5': expected a number with ms or s, e.g. 500ms or 2s\n"),
        "{err}"
    );
}
