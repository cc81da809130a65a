//! kcat's ways (`-f`, `-o s@/e@`, `-J`, `-q`) and `--spread I/N`: kcat itself (Debian's
//! `kcat`) is the reference for the output bytes, on the real broker; the spread's split is
//! checked on the mock cluster and the real broker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::process::Command;

use support::*;

/// Runs the real binary with `args`: (exit code, stdout bytes, stderr).
fn kbrowse_bytes(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kbrowse"))
        .args(args)
        .env_remove("KBROWSE_BROKERS")
        .env_remove("KBROWSE_CLUSTER")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("TZ", "UTC")
        .output()
        .expect("run kbrowse");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs kcat (`kcat` on PATH; scripts/setup installs Debian's) with `args`: (code, stdout).
fn kcat(args: &[&str]) -> (i32, Vec<u8>) {
    let out = Command::new("kcat")
        .args(args)
        .output()
        .expect("run kcat (scripts/setup installs Debian's kcat)");
    (out.status.code().unwrap_or(-1), out.stdout)
}

const T0: i64 = 1_700_000_000_000;

/// Records with everything kcat's tokens show differently: null and empty keys and values,
/// every byte value, newlines, terminal escapes, headers with null, empty and NUL-holding
/// values, repeated header names. Partition `p` of 3; timestamps T0 + 1000·i.
fn awkward_records() -> Vec<TestRecord> {
    let every_byte: Vec<u8> = (0..=255u8).collect();
    let rec =
        |i: i64, key: Option<&[u8]>, value: Option<&[u8]>, headers: &[(&str, Option<&[u8]>)]| {
            TestRecord {
                partition: (i % 3) as i32,
                key: key.map(<[u8]>::to_vec),
                value: value.map(<[u8]>::to_vec),
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.map(<[u8]>::to_vec)))
                    .collect(),
                timestamp: Some(T0 + 1000 * i),
            }
        };
    vec![
        rec(0, None, Some(b"no key"), &[]),
        rec(1, Some(b"k1"), None, &[("h", Some(b"v"))]),
        rec(
            2,
            Some(b""),
            Some(b""),
            &[("empty", Some(b"")), ("null", None)],
        ),
        rec(
            3,
            Some(&every_byte),
            Some(&every_byte),
            &[("bin", Some(b"a\x00b\xff"))],
        ),
        rec(
            4,
            Some(b"line\nbreak"),
            Some(b"\x1b[31mred\r\n"),
            &[("a", Some(b"1")), ("a", Some(b"2"))],
        ),
        rec(5, None, None, &[]),
        rec(
            6,
            Some("ключ".as_bytes()),
            Some("знач %s \\n".as_bytes()),
            &[("ü", Some("ö".as_bytes()))],
        ),
        rec(7, Some(b"k7"), Some(&[0u8; 3]), &[]),
        rec(8, Some(b"k8"), Some(b"v8"), &[]),
    ]
}

/// The same bytes from kcat and from kbrowse for every partition: (kcat args, kbrowse args)
/// around a shared tail.
fn assert_same_as_kcat(addr: &str, topic: &str, partitions: i32, fmt: &str, offsets: &[&str]) {
    for p in 0..partitions {
        let p = p.to_string();
        let mut kc = vec![
            "-C", "-b", addr, "-t", topic, "-p", &p, "-e", "-q", "-f", fmt,
        ];
        let mut kb = vec![
            "-b", addr, "consume", "-t", topic, "-p", &p, "-e", "-q", "-f", fmt,
        ];
        for o in offsets {
            kc.extend(["-o", o]);
            kb.extend(["-o", o]);
        }
        if offsets.is_empty() {
            kc.extend(["-o", "beginning"]);
        }
        let (kc_code, want) = kcat(&kc);
        let (code, got, err) = kbrowse_bytes(&kb);
        assert_eq!(
            (kc_code, code, err.as_str()),
            (0, 0, ""),
            "{fmt:?} {offsets:?} p{p}"
        );
        assert!(
            !want.is_empty() || !offsets.is_empty(),
            "kcat printed nothing for p{p}"
        );
        assert_eq!(
            got,
            want,
            "{fmt:?} {offsets:?} p{p}:\nkbrowse {:?}\nkcat    {:?}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
    }
}

#[test]
fn templates_write_the_bytes_kcat_writes() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("kcat-format");
    create_topic(&addr, &topic, 3, &[("retention.ms", "-1")]);
    produce(&addr, &topic, "lz4", &awkward_records());
    for fmt in [
        "Topic %t part %p off %o key[%k] K%K val[%s] S%S ts %T hdrs[%h] %% \\x41\\t|\\n",
        "%s\\n",
        "%k\\t%s\\r\\n",
        "%R%s",
        "%K:%k%S:%s%h",
        "no tokens at all\\n",
        "%p/%o %T \\065\\012",
        "%h\\n%h\\n",
    ] {
        assert_same_as_kcat(&addr, &topic, 3, fmt, &[]);
    }
}

#[test]
fn start_and_stop_times_select_the_records_kcat_selects() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("kcat-times");
    create_topic(&addr, &topic, 3, &[("retention.ms", "-1")]);
    produce(&addr, &topic, "none", &awkward_records());
    let fmt = "%p %o %T %k\\n";
    let at = |s: i64| (T0 + 1000 * s).to_string();
    for offsets in [
        vec![format!("s@{}", at(2))],
        vec![format!("e@{}", at(5))],
        vec![format!("s@{}", at(1)), format!("e@{}", at(7))],
        // The stop before the start: nothing.
        vec![format!("e@{}", at(1)), format!("s@{}", at(4))],
        // Between two records' times.
        vec![format!("s@{}", T0 + 2500), format!("e@{}", T0 + 6500)],
        vec!["1".to_string(), format!("e@{}", at(8))],
    ] {
        let refs: Vec<&str> = offsets.iter().map(String::as_str).collect();
        assert_same_as_kcat(&addr, &topic, 3, fmt, &refs);
    }
    // kbrowse's own time forms in e@: RFC3339 for T0 + 5 s.
    let (code, out, err) = kbrowse_bytes(&[
        "-b",
        &addr,
        "consume",
        "-t",
        &topic,
        "-p",
        "2",
        "-e",
        "-o",
        "e@2023-11-14T22:13:25Z",
        "-f",
        "%o %T\\n",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(String::from_utf8(out).unwrap(), format!("0 {}\n", at(2)));
    // Without -e the partitions stop at the time too, and the command ends.
    let (code, out, err) = kbrowse_bytes(&[
        "-b",
        &addr,
        "consume",
        "-t",
        &topic,
        "-o",
        &format!("e@{}", at(3)),
        "-f",
        "%o\\n",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let mut lines: Vec<String> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    // Partitions 0 (times 0, 3, 6), 1 (1, 4, 7), 2 (2, 5, 8): before 3 s, offsets 0, 0, 0.
    assert_eq!(lines, ["0", "0", "0"]);
}

#[test]
fn kcat_flags_before_the_topic_and_json_alias() {
    let mock = Mock::new(1);
    mock.topic("alias", 4);
    produce(&mock.addr, "alias", "none", &awkward_records());
    let (code, json, err) = kbrowse_bytes(&[
        "-b", &mock.addr, "consume", "-t", "alias", "-e", "--format", "json", "-p", "0",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(json.starts_with(b"{\"topic\":\"alias\",\"partition\":0,\"offset\":0,"));
    // kcat's order: options before -t, no command.
    let (code, alias, err) =
        kbrowse_bytes(&["-b", &mock.addr, "-J", "-e", "-p", "0", "-t", "alias"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(alias, json);
    let (code, out, err) = kbrowse_bytes(&[
        "-b", &mock.addr, "-f", "%p:%o\\n", "-o", "1", "-e", "-q", "-t", "alias",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let mut lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
    lines.sort();
    assert_eq!(lines, ["0:1", "0:2", "1:1", "1:2", "2:1", "2:2"]);
    // The same without -q warns about partition 3, which is empty.
    let (code, _, err) = kbrowse_bytes(&[
        "-b", &mock.addr, "-f", "%p:%o\\n", "-o", "1", "-e", "-t", "alias",
    ]);
    assert_eq!(code, 0);
    assert!(
        err.starts_with("kbrowse: warning: offset 1 is out of range for alias/3"),
        "{err}"
    );
}

#[test]
fn bad_kcat_arguments_are_one_line_errors() {
    for (args, want) in [
        (
            &["-f", "%s %z"][..],
            "error: invalid value '%s %z' for '-f <FORMAT>': invalid -f format: unknown token '%z'; the tokens are %t %p %o %k %s %S %K %R %T %h %%",
        ),
        (
            &["-f", "%s%"],
            "error: invalid value '%s%' for '-f <FORMAT>': invalid -f format: '%' at the end needs a token after it (%t %p %o %k %s %S %K %R %T %h %%)",
        ),
        (
            &["-o", "e@never"],
            "error: invalid value 'e@never' for '--offset <OFFSET>': invalid offset 'e@never': invalid time 'never': expected MILLIS, RFC3339 (2024-05-01T12:00:00Z), 'YYYY-MM-DD HH:MM[:SS]' or HH:MM[:SS] today (local, UTC with --utc) or relative like -15m, -2h, -1d",
        ),
        (
            &["-o", "1", "-o", "s@5"],
            "kbrowse: -o gives two starts: give one start and at most one e@TIME",
        ),
        (
            &["-o", "e@1", "-o", "e@5"],
            "kbrowse: -o gives two stops (e@TIME): give at most one",
        ),
        (
            &["--spread", "2/2"],
            "error: invalid value '2/2' for '--spread <I/N>': invalid --spread '2/2': instances are numbered from 0 to 1, so I must be below N",
        ),
        (
            &["--spread", "1"],
            "error: invalid value '1' for '--spread <I/N>': invalid --spread '1': expected I/N, instance I (from 0) of N, e.g. 0/2",
        ),
        (
            &["--spread", "0/0"],
            "error: invalid value '0/0' for '--spread <I/N>': invalid --spread '0/0': N must be from 1 to 100000 instances",
        ),
        (
            &["-J", "--format", "hex"],
            "error: the argument '-J' cannot be used with '--format <FORMAT>'",
        ),
        (
            &["-f", "%s", "--format", "json"],
            "error: the argument '-f <FORMAT>' cannot be used with '--format <FORMAT>'",
        ),
    ] {
        let mut all = vec!["-b", "127.0.0.1:1", "consume", "-t", "t"];
        all.extend(args);
        let (code, out, err) = kbrowse_bytes(&all);
        assert_eq!((code, out.as_slice()), (2, &b""[..]), "{args:?}: {err}");
        assert_eq!(err.lines().next(), Some(want), "{args:?}");
    }
}

/// `consume --spread I/N` for every I of N, `extra` appended: the lines of each instance.
fn spread_runs(addr: &str, topic: &str, n: usize, extra: &[&str]) -> Vec<Vec<String>> {
    (0..n)
        .map(|i| {
            let spread = format!("{i}/{n}");
            let mut args = vec![
                "-b", addr, "consume", "-t", topic, "-e", "--spread", &spread,
            ];
            args.extend(extra);
            let (code, out, err) = kbrowse_bytes(&args);
            assert_eq!((code, err.as_str()), (0, ""), "{spread} {extra:?}");
            String::from_utf8(out)
                .unwrap()
                .lines()
                .map(String::from)
                .collect()
        })
        .collect()
}

fn partitions_of(lines: &[String]) -> Vec<String> {
    let mut ps: Vec<String> = lines
        .iter()
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    ps.sort();
    ps.dedup();
    ps
}

#[test]
fn spread_instances_read_every_record_exactly_once() {
    let mock = Mock::new(1);
    mock.topic("spread", 5);
    let records: Vec<TestRecord> = (0..200)
        .map(|i| TestRecord::kv(i % 5, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&mock.addr, "spread", "none", &records);
    let whole = spread_runs(&mock.addr, "spread", 1, &["-f", "%p %o %k\\n"]).remove(0);
    assert_eq!(whole.len(), 200);
    let mut sorted_whole = whole.clone();
    sorted_whole.sort();
    for n in [2, 3, 5] {
        let runs = spread_runs(&mock.addr, "spread", n, &["-f", "%p %o %k\\n"]);
        let mut all: Vec<String> = runs.iter().flatten().cloned().collect();
        all.sort();
        assert_eq!(all, sorted_whole, "N = {n}");
        for (i, run) in runs.iter().enumerate() {
            // Instance i reads the partitions p with p mod n == i.
            let want: Vec<String> = (0..5)
                .filter(|p| p % n == i)
                .map(|p| p.to_string())
                .collect();
            assert_eq!(partitions_of(run), want, "{i}/{n}");
        }
    }
    // With a filter, --format json and -p: the union is the unspread result.
    let filter = ["--filter", "key.endsWith('7')", "--format", "json"];
    let mut want = spread_runs(&mock.addr, "spread", 1, &filter).remove(0);
    assert_eq!(want.len(), 20);
    let mut got: Vec<String> = spread_runs(&mock.addr, "spread", 2, &filter).concat();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    // -p 4 -p 1 -p 3 split in two: p mod 2 == 0 (partition 4), p mod 2 == 1 (1 and 3).
    let runs = spread_runs(
        &mock.addr,
        "spread",
        2,
        &["-p", "4", "-p", "1", "-p", "3", "-f", "%p %o\\n"],
    );
    assert_eq!(partitions_of(&runs[0]), ["4"]);
    assert_eq!(partitions_of(&runs[1]), ["1", "3"]);
    // More instances than partitions: the extra ones say so and end.
    let (code, out, err) = kbrowse_bytes(&[
        "-b", &mock.addr, "consume", "-t", "spread", "-e", "--spread", "6/7",
    ]);
    assert_eq!(
        (code, out.as_slice(), err.as_str()),
        (
            0,
            &b""[..],
            "kbrowse: instance 6/7 has no partition of spread to read (5 partitions between 7 instances)\n"
        )
    );
    let (code, out, err) = kbrowse_bytes(&[
        "-b", &mock.addr, "consume", "-t", "spread", "-e", "-q", "--spread", "6/7",
    ]);
    assert_eq!((code, out.as_slice(), err.as_str()), (0, &b""[..], ""));
}

#[test]
fn spread_on_the_real_broker_splits_a_four_partition_topic() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("spread");
    create_topic(&addr, &topic, 4, &[]);
    let records: Vec<TestRecord> = (0..400)
        .map(|i| TestRecord::kv(i % 4, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&addr, &topic, "zstd", &records);
    let runs = spread_runs(&addr, &topic, 2, &["-f", "%p %o %k %s\\n"]);
    assert_eq!(partitions_of(&runs[0]), ["0", "2"]);
    assert_eq!(partitions_of(&runs[1]), ["1", "3"]);
    let mut per_key: BTreeMap<String, usize> = BTreeMap::new();
    for line in runs.iter().flatten() {
        *per_key
            .entry(line.split(' ').nth(2).unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_key.len(), 400);
    assert!(per_key.values().all(|&n| n == 1));
}

#[test]
fn templates_escape_record_bytes_on_a_terminal() {
    let mock = Mock::new(1);
    mock.topic("tty", 1);
    let rec = TestRecord {
        partition: 0,
        key: None,
        value: Some(b"\x1b[31mred\x07\xff".to_vec()),
        headers: vec![("h\x1b]0;x".into(), Some(b"\x1b[2J".to_vec()))],
        timestamp: Some(T0),
    };
    produce(&mock.addr, "tty", "none", &[rec]);
    let mut tui = pty::Tui::spawn(
        &[
            "-b",
            &mock.addr,
            "consume",
            "-t",
            "tty",
            "-e",
            "-f",
            "[%k|%s|%S|%h]\\n",
        ],
        10,
        80,
    );
    assert!(tui.wait_exit().success());
    let raw = tui.raw();
    assert!(
        raw.windows(13).any(|w| w == br"[|\e[31mred\x"),
        "{:?}",
        String::from_utf8_lossy(&raw)
    );
    assert_eq!(
        tui.text().lines().next().unwrap(),
        r"[|\e[31mred\x07\xff|10|h\e]0;x=\e[2J]"
    );
    // No escape sequence from the record reached the terminal.
    assert!(!raw.windows(2).any(|w| w == b"\x1b[" || w == b"\x1b]"));
}
