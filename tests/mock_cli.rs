//! The real binary's headless commands against the mock cluster: exact output, exact errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

fn seed(mock: &Mock) {
    mock.topic("cli", 2);
    let mut a = TestRecord::kv(0, "k1", "{\"a\":1}");
    a.headers = vec![("h".into(), Some(b"x".to_vec())), ("h".into(), None)];
    a.timestamp = Some(1_700_000_000_000);
    let b = TestRecord {
        partition: 0,
        key: None,
        value: Some(vec![0xff, 0x1b, b'[']),
        headers: vec![],
        timestamp: Some(1_700_000_000_500),
    };
    let c = TestRecord {
        partition: 1,
        key: Some(b"k3".to_vec()),
        value: None,
        headers: vec![],
        timestamp: Some(1_700_000_001_000),
    };
    produce(&mock.addr, "cli", "gzip", &[a, b, c]);
}

#[test]
fn consume_json_text_and_hex_are_exact() {
    let mock = Mock::new(3);
    seed(&mock);
    let (code, out, err) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "cli", "-p", "0", "-e", "--format", "json",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        concat!(
            r#"{"topic":"cli","partition":0,"offset":0,"timestamp":1700000000000,"key":"k1","value":"{\"a\":1}","headers":[["h","x"],["h",null]]}"#,
            "\n",
            r#"{"topic":"cli","partition":0,"offset":1,"timestamp":1700000000500,"key":null,"value":{"base64":"/xtb"},"headers":[]}"#,
            "\n"
        )
    );
    let (code, out, _) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "cli", "-p", "0", "-p", "1", "-e",
    ]);
    assert_eq!(code, 0);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            "0\t0\t2023-11-14 22:13:20.000\tk1\t{\"a\":1}",
            "0\t1\t2023-11-14 22:13:20.500\t(null)\t\\xff\\e[",
            "1\t0\t2023-11-14 22:13:21.000\tk3\t(null)",
        ]
    );
    let (code, out, _) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "cli", "-p", "0", "-o", "1", "-e", "--format", "hex",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "partition 0 offset 1 time 2023-11-14 22:13:20.500\nkey: null\nvalue: 3 bytes\n\
         00000000  ff 1b 5b                                          |..[|\n\n"
    );
}

#[test]
fn count_and_positions() {
    let mock = Mock::new(3);
    mock.topic("many", 1);
    let recs: Vec<TestRecord> = (0..100)
        .map(|i| TestRecord::kv(0, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&mock.addr, "many", "snappy", &recs);
    let run = |args: &[&str]| {
        let mut all = vec![
            "-b",
            mock.addr.as_str(),
            "consume",
            "-t",
            "many",
            "--format",
            "json",
        ];
        all.extend_from_slice(args);
        let (code, out, err) = kbrowse(&all);
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
        out.lines()
            .map(|l| {
                l.split("\"offset\":")
                    .nth(1)
                    .and_then(|s| s.split(',').next())
                    .unwrap_or("?")
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(run(&["-c", "3"]), "0,1,2");
    assert_eq!(run(&["-o", "97", "-e"]), "97,98,99");
    assert_eq!(run(&["-o", "-2", "-e"]), "98,99");
    assert_eq!(run(&["-o", "end", "-e"]), "");
    assert_eq!(run(&["-o", "-2", "-c", "1"]), "98");
}

#[test]
fn errors_are_one_line_with_a_non_zero_exit() {
    let mock = Mock::new(3);
    seed(&mock);
    let cases: Vec<(Vec<&str>, i32, String)> = vec![
        (
            vec!["consume", "-t", "nope", "-e"],
            1,
            "kbrowse: unknown topic 'nope'\n".into(),
        ),
        (
            vec!["consume", "-t", "cli", "-p", "5", "-e"],
            1,
            "kbrowse: unknown partition 5 of topic 'cli' (it has 2 partitions: 0..=1)\n".into(),
        ),
        (
            vec!["consume", "-t", "cli", "-p", "0", "-o", "99", "-e"],
            1,
            "kbrowse: offset 99 is out of range for cli/0 (valid: 0..=2)\n".into(),
        ),
    ];
    for (args, want_code, want_err) in cases {
        let mut all = vec!["-b", mock.addr.as_str()];
        all.extend(args.iter().copied());
        let (code, out, err) = kbrowse(&all);
        assert_eq!(
            (code, out.as_str(), err),
            (want_code, "", want_err),
            "{args:?}"
        );
    }
    let (code, _, err) = kbrowse(&["-b", &mock.addr, "consume", "-t", "cli", "-o", "12x"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: invalid value '12x' for '--offset <OFFSET>': invalid offset '12x': expected beginning, end, N, -N"), "{err}");

    let t = Instant::now();
    let (code, _, err) = kbrowse(&["-b", "127.0.0.1:1", "topics"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "kbrowse: no bootstrap broker reachable (127.0.0.1:1): cannot connect to broker 127.0.0.1:1: Connection refused (os error 111)\n"
    );
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn topics_lists_partitions_and_watermarks() {
    let mock = Mock::new(3);
    seed(&mock);
    let (code, out, err) = kbrowse(&["-b", &mock.addr, "topics"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let leader = |line: &str| {
        line.split("leader")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse::<i32>().ok())
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "cli  partitions 2  messages 3");
    assert!(lines[1].starts_with("  partition    0  leader "));
    assert!(
        lines[1].ends_with("low            0  high            2  messages            2"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with("low            0  high            1  messages            1"),
        "{}",
        lines[2]
    );
    assert!((1..=3).contains(&leader(lines[1]).unwrap_or(0)));
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_zero() {
    let mock = Mock::new(1);
    mock.topic("pipe", 1);
    let recs: Vec<TestRecord> = (0..20_000)
        .map(|i| TestRecord::kv(0, &format!("k{i}"), &"x".repeat(100)))
        .collect();
    produce(&mock.addr, "pipe", "lz4", &recs);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbrowse"))
        .args(["-b", &mock.addr, "consume", "-t", "pipe"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).expect("read");
    assert!(first.starts_with("0\t0\t"), "{first}");
    // The reader is dropped here, like `| head -1`.
    let status = child.wait().expect("wait");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
        .expect("stderr");
    assert_eq!((status.code(), err.as_str()), (Some(0), ""));
}
