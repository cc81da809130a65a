//! `consume --filter/--key/--progress` against the mock cluster, on records librdkafka wrote;
//! every expected answer is computed here from the producer's inputs, not by the filter code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::BTreeSet;

use support::*;

const N: i64 = 3000;
/// 2026-01-01T00:00:00Z in milliseconds.
const BASE_MS: i64 = 1_767_225_600_000;

/// The producer's inputs for record `i`: partition i % 3, offset i / 3.
struct Input {
    key: String,
    customer: String,
    amount: f64,
    qty: [i64; 2],
    trace: String,
    timestamp: i64,
    /// The customer is written with JSON \u escapes: the prefilter must not drop it.
    escaped: bool,
    /// The value is not JSON at all.
    plain: bool,
}

fn input(i: i64) -> Input {
    Input {
        key: format!("order-{i}"),
        customer: format!("c{}", i % 100),
        amount: ((i * 37) % 500) as f64 + 0.5,
        qty: [i % 5, (i / 5) % 4],
        trace: format!("t{i:08x}"),
        timestamp: BASE_MS + i * 12,
        escaped: i % 50 == 42,
        plain: i % 97 == 5,
    }
}

fn value_bytes(x: &Input) -> Vec<u8> {
    if x.plain {
        return format!("plain text for {}", x.customer).into_bytes();
    }
    let customer = if x.escaped {
        let esc: String = x
            .customer
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        format!("\"{esc}\"")
    } else {
        format!("\"{}\"", x.customer)
    };
    format!(
        r#"{{"customer":{customer},"amount":{},"items":[{{"sku":"s1","qty":{}}},{{"sku":"s2","qty":{}}}]}}"#,
        x.amount, x.qty[0], x.qty[1]
    )
    .into_bytes()
}

fn seed(mock: &Mock, topic: &str) {
    mock.topic(topic, 3);
    let records: Vec<TestRecord> = (0..N)
        .map(|i| {
            let x = input(i);
            TestRecord {
                partition: (i % 3) as i32,
                key: Some(x.key.clone().into_bytes()),
                value: Some(value_bytes(&x)),
                headers: vec![("trace-id".into(), Some(x.trace.clone().into_bytes()))],
                timestamp: Some(x.timestamp),
            }
        })
        .collect();
    produce(&mock.addr, topic, "lz4", &records);
}

/// (partition, offset) of the records the binary printed as JSON.
fn printed(out: &str) -> BTreeSet<(i64, i64)> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["partition"].as_i64().unwrap(),
                v["offset"].as_i64().unwrap(),
            )
        })
        .collect()
}

type Pred = dyn Fn(i64, &Input) -> bool;

fn expected(pred: impl Fn(i64, &Input) -> bool) -> BTreeSet<(i64, i64)> {
    (0..N)
        .filter(|&i| pred(i, &input(i)))
        .map(|i| (i % 3, i / 3))
        .collect()
}

#[test]
fn the_issue_examples_find_exactly_the_records_computed_from_the_inputs() {
    let mock = Mock::new(1);
    seed(&mock, "orders");
    let json = |x: &Input| !x.plain;
    let cases: Vec<(&str, Box<Pred>)> = vec![
        (
            r#"value.customer == "c42" && value.amount > 250.0"#,
            Box::new(move |_, x| json(x) && x.customer == "c42" && x.amount > 250.0),
        ),
        (
            "value.items.exists(i, i.qty == 3)",
            Box::new(move |_, x| json(x) && x.qty.contains(&3)),
        ),
        (
            r#"key.startsWith("order-29")"#,
            Box::new(|_, x| x.key.starts_with("order-29")),
        ),
        (
            r#"headers["trace-id"] == "t0000002a""#,
            Box::new(|_, x| x.trace == "t0000002a"),
        ),
        (
            r#"value.customer.matches("^c9[0-6]$")"#,
            Box::new(move |_, x| {
                json(x) && {
                    let n: i64 = x.customer[1..].parse().unwrap();
                    (90..=96).contains(&n)
                }
            }),
        ),
        (
            r#"timestamp >= timestamp("2026-01-01T00:00:29.990Z")"#,
            Box::new(|_, x| x.timestamp >= BASE_MS + 29_990),
        ),
        (
            "partition == 2 && offset >= 990",
            Box::new(|i, _| i % 3 == 2 && i / 3 >= 990),
        ),
        ("T0000002A", Box::new(|_, _| false)),
        ("t0000002a", Box::new(|_, x| x.trace == "t0000002a")),
        ("PLAIN TEXT for c4", Box::new(|_, _| false)),
        (
            "plain text for c4",
            Box::new(|_, x| x.plain && x.customer.starts_with("c4")),
        ),
    ];
    for (expr, pred) in &cases {
        let (code, out, err) = kbrowse(&[
            "-b", &mock.addr, "consume", "-t", "orders", "-e", "--format", "json", "--filter", expr,
        ]);
        assert_eq!((code, err.as_str()), (0, ""), "{expr}");
        let want = expected(pred);
        assert!(
            !want.is_empty() || expr.chars().any(char::is_uppercase),
            "{expr}: no case"
        );
        assert_eq!(printed(&out), want, "{expr}");
    }
    // The escaped and the plain records are among the inputs the first example looks at.
    assert!(expected(|_, x| x.escaped && x.customer == "c42" && x.amount > 250.0).len() > 1);
}

#[test]
fn filter_with_offsets_counts_and_formats() {
    let mock = Mock::new(1);
    seed(&mock, "forms");
    let run = |extra: &[&str]| {
        let mut args = vec!["-b", mock.addr.as_str(), "consume", "-t", "forms", "-e"];
        args.extend_from_slice(extra);
        let (code, out, err) = kbrowse(&args);
        assert_eq!((code, err.as_str()), (0, ""), "{extra:?}");
        out
    };
    let expr = "partition == 2 && offset >= 990";
    // -o N, -o -N, -o @time, -o end (nothing).
    let json = ["--format", "json", "--filter", expr];
    let at = |o: &str| printed(&run(&[&["-o", o][..], &json[..]].concat()));
    let tail = |from: i64| (from..1000).map(|o| (2, o)).collect::<BTreeSet<_>>();
    assert_eq!(at("995"), tail(995));
    assert_eq!(at("-4"), tail(996));
    assert_eq!(at("end"), BTreeSet::new());
    assert_eq!(at("beginning"), tail(990));
    // -c counts matches, not records scanned.
    assert_eq!(
        printed(&run(&[
            "-c", "3", "-p", "2", "--format", "json", "--filter", expr
        ])),
        tail(990).into_iter().take(3).collect()
    );
    // Text: the usual line, for exactly the matches.
    let x = input(2 + 3 * 999);
    let text = run(&["-o", "999", "-p", "2", "--filter", "offset == 999"]);
    assert_eq!(
        text,
        format!(
            "2\t999\t2026-01-01 00:00:35.988 +00:00\t{}\t{}\n",
            x.key,
            String::from_utf8(value_bytes(&x)).unwrap()
        )
    );
    assert_eq!(x.key, "order-2999");
    // Hex: one dump per match.
    let hex = run(&[
        "-p",
        "1",
        "--format",
        "hex",
        "--filter",
        r#"key == "order-4""#,
    ]);
    assert!(
        hex.starts_with("partition 1 offset 1 time 2026-01-01 00:00:00.048 +00:00\nkey: 7 bytes\n"),
        "{hex}"
    );
    assert_eq!(hex.matches("partition ").count(), 1);
}

#[test]
fn a_bad_expression_fails_before_reading_with_its_column() {
    // No broker listens here: the error comes before any connection.
    for (expr, msg) in [
        (
            r#"value.customer == "c42"#,
            r#"error: invalid value 'value.customer == "c42' for '--filter <EXPR>': invalid filter at column 19: Syntax error: token recognition error at: '"c42'"#,
        ),
        (
            "valu.customer == 1",
            "error: invalid value 'valu.customer == 1' for '--filter <EXPR>': invalid filter at column 1: unknown variable 'valu'; the variables are key, value, headers, partition, offset, size, timestamp, topic",
        ),
    ] {
        let (code, out, err) = kbrowse(&[
            "-b",
            "127.0.0.1:1",
            "consume",
            "-t",
            "x",
            "-e",
            "--filter",
            expr,
        ]);
        assert_eq!((code, out.as_str()), (2, ""));
        assert_eq!(err.lines().next(), Some(msg));
    }
}

#[test]
fn progress_lines_on_a_pipe() {
    let mock = Mock::new(1);
    seed(&mock, "prog");
    let (code, out, err) = kbrowse(&[
        "-b",
        &mock.addr,
        "consume",
        "-t",
        "prog",
        "-e",
        "-p",
        "0",
        "--progress",
        "--filter",
        r#"value.customer == "c42""#,
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().count(),
        expected(|i, x| i % 3 == 0 && !x.plain && x.customer == "c42").len()
    );
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some(r#"kbrowse: filter: expression value.customer == "c42""#)
    );
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("kbrowse: scanned 1000 records, 10 matches, "),
        "{err}"
    );
    assert!(
        last.ends_with(" records/s, partition 0 offsets 0 to 999 of 0 to 999, done"),
        "{err}"
    );
}

#[test]
fn find_key_reads_the_partition_librdkafka_murmur2_chose() {
    let mock = Mock::new(1);
    mock.topic("keys", 7);
    let p = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &mock.addr)
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "5")
        .create::<rdkafka::producer::ThreadedProducer<rdkafka::producer::DefaultProducerContext>>()
        .unwrap();
    for round in 0..3 {
        for j in 0..100 {
            let key = format!("user-{j}");
            let value = format!("{round}");
            p.send(
                rdkafka::producer::BaseRecord::to("keys")
                    .key(&key)
                    .payload(&value),
            )
            .unwrap();
        }
    }
    rdkafka::producer::Producer::flush(&p, std::time::Duration::from_secs(30)).unwrap();
    // Where librdkafka put each key, read back in full.
    let (code, out, _) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "keys", "-e", "--format", "json",
    ]);
    assert_eq!(code, 0);
    let mut landed = std::collections::BTreeMap::new();
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let key = v["key"].as_str().unwrap().to_string();
        landed
            .entry(key)
            .or_insert_with(BTreeSet::new)
            .insert(v["partition"].as_i64().unwrap());
    }
    assert_eq!(landed.len(), 100);
    let used: BTreeSet<i64> = landed.values().flatten().copied().collect();
    assert!(used.len() > 3, "{used:?}");
    for (key, parts) in &landed {
        assert_eq!(parts.len(), 1, "{key}");
        let want = *parts.iter().next().unwrap();
        assert_eq!(
            i64::from(kbrowse::search::murmur2::partition_for_key(
                key.as_bytes(),
                7
            )),
            want,
            "{key}"
        );
    }
    let (code, out, err) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "keys", "-e", "--format", "json", "--key", "user-17",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let want = *landed["user-17"].iter().next().unwrap();
    let got: Vec<(i64, String)> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["key"], "user-17");
            (
                v["partition"].as_i64().unwrap(),
                // The value "0" is printed as JSON text (decoded: 0) or as a string.
                v["value"]
                    .as_str()
                    .map_or_else(|| v["value"].to_string(), str::to_string),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![(want, "0".into()), (want, "1".into()), (want, "2".into())]
    );
    // -p overrides: another partition has no such key.
    let other = ((want + 1) % 7).to_string();
    let (code, out, _) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "keys", "-e", "--key", "user-17", "-p", &other,
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
}

/// The filter runs on every core, several fetches of one partition at once: the matches still
/// come out in offset order, per partition, and none is lost or repeated. Three partitions of
/// ~4 MB each (several 1 MB fetches apiece, lz4 by librdkafka).
#[test]
fn parallel_filtering_keeps_each_partitions_order() {
    let mock = Mock::new(1);
    let n = 24_000i64;
    let pad = "x".repeat(480);
    let out = read_back(
        &mock,
        "order",
        3,
        n,
        |i| format!(r#"{{"i":{i},"pad":"{pad}"}}"#),
        &["--format", "json", "--filter", "value.i % 7 == 3"],
    );
    let mut got: [Vec<i64>; 3] = Default::default();
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let p = v["partition"].as_i64().unwrap() as usize;
        got[p].push(v["offset"].as_i64().unwrap());
    }
    for (p, offsets) in got.iter().enumerate() {
        let want: Vec<i64> = (0..n)
            .filter(|i| i % 3 == p as i64 && i % 7 == 3)
            .map(|i| i / 3)
            .collect();
        assert_eq!(offsets, &want, "partition {p}");
    }
}

/// Decoded output (`-s value=json`) is decoded and formatted on every core, several fetches
/// at once: records still come out in offset order, each value decoded (compact JSON).
#[test]
fn parallel_decoding_keeps_the_order() {
    let mock = Mock::new(1);
    let n = 12_000i64;
    let pad = "y".repeat(480);
    let value = |i| format!("{{ \"i\" : {i} , \"pad\" : \"{pad}\" }}");
    let out = read_back(
        &mock,
        "decoded",
        1,
        n,
        value,
        &["-s", "value=json", "--format", "text"],
    );
    let values: Vec<String> = out
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().to_string())
        .collect();
    let want: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"i":{i},"pad":"{pad}"}}"#))
        .collect();
    assert_eq!(values.len(), want.len());
    assert!(
        values == want,
        "the decoded values are out of order or changed"
    );
}

/// Produces `n` records (record i: key `k{i}`, value `value(i)`, partition i % `partitions`,
/// lz4 by librdkafka) to a new topic and returns `consume -e ARGS`'s output (which must
/// succeed quietly).
fn read_back(
    mock: &Mock,
    topic: &str,
    partitions: i32,
    n: i64,
    value: impl Fn(i64) -> String,
    args: &[&str],
) -> String {
    mock.topic(topic, partitions);
    let records: Vec<TestRecord> = (0..n)
        .map(|i| TestRecord {
            partition: (i % i64::from(partitions)) as i32,
            key: Some(format!("k{i}").into_bytes()),
            value: Some(value(i).into_bytes()),
            headers: vec![],
            timestamp: Some(BASE_MS + i),
        })
        .collect();
    produce(&mock.addr, topic, "lz4", &records);
    let mut all = vec!["-b", mock.addr.as_str(), "consume", "-t", topic, "-e"];
    all.extend_from_slice(args);
    let (code, out, err) = kbrowse(&all);
    assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
    out
}
