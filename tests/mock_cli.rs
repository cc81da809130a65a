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
fn text_backslashes_nulls_and_the_literal_null_cannot_be_misread() {
    let mock = Mock::new(1);
    mock.topic("escapes", 1);
    let rec = |key: Option<&[u8]>, value: Option<&[u8]>, ms: i64| TestRecord {
        partition: 0,
        key: key.map(<[u8]>::to_vec),
        value: value.map(<[u8]>::to_vec),
        headers: vec![],
        timestamp: Some(1_700_000_000_000 + ms),
    };
    let records = [
        rec(Some(br"C:\new"), Some(b"C:\n\x1b]0;t\x07"), 0),
        rec(Some(b"(null)"), None, 1),
        rec(None, Some(b"(null)"), 2),
        rec(Some(br"\(null)"), Some(b""), 3),
    ];
    produce(&mock.addr, "escapes", "none", &records);
    let (code, out, err) = kbrowse(&["-b", &mock.addr, "consume", "-t", "escapes", "-e"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            r"0	0	2023-11-14 22:13:20.000 +00:00	C:\\new	C:\n\e]0;t\x07",
            r"0	1	2023-11-14 22:13:20.001 +00:00	\(null)	(null)",
            r"0	2	2023-11-14 22:13:20.002 +00:00	(null)	\(null)",
            r"0	3	2023-11-14 22:13:20.003 +00:00	\\(null)	",
        ]
    );
}

#[test]
fn consume_json_text_and_hex_are_exact() {
    let mock = Mock::new(3);
    seed(&mock);
    let (code, out, err) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "cli", "-p", "0", "-e", "--format", "json",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    // `-s auto` (the default): a value that parses as JSON is printed as that JSON.
    assert_eq!(
        out,
        concat!(
            r#"{"topic":"cli","partition":0,"offset":0,"timestamp":1700000000000,"key":"k1","value":{"a":1},"headers":[["h","x"],["h",null]]}"#,
            "\n",
            r#"{"topic":"cli","partition":0,"offset":1,"timestamp":1700000000500,"key":null,"value":{"base64":"/xtb"},"headers":[]}"#,
            "\n"
        )
    );
    // `-s string`: the text as a JSON string; `-s bytes`: always base64.
    let (code, out, err) = kbrowse(&[
        "-b",
        &mock.addr,
        "consume",
        "-t",
        "cli",
        "-p",
        "0",
        "-e",
        "--format",
        "json",
        "-s",
        "string",
        "-s",
        "key=bytes",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        concat!(
            r#"{"topic":"cli","partition":0,"offset":0,"timestamp":1700000000000,"key":{"base64":"azE="},"value":"{\"a\":1}","headers":[["h","x"],["h",null]]}"#,
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
            "0\t0\t2023-11-14 22:13:20.000 +00:00\tk1\t{\"a\":1}",
            "0\t1\t2023-11-14 22:13:20.500 +00:00\t(null)\t\\xff\\e[",
            "1\t0\t2023-11-14 22:13:21.000 +00:00\tk3\t(null)",
        ]
    );
    let (code, out, _) = kbrowse(&[
        "-b", &mock.addr, "consume", "-t", "cli", "-p", "0", "-o", "1", "-e", "--format", "hex",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "partition 0 offset 1 time 2023-11-14 22:13:20.500 +00:00\nkey: (null)\nvalue: 3 bytes\n\
         00000000  ff 1b 5b                                          |..[|\n\n"
    );
}

#[test]
fn times_carry_their_zone_and_utc_shows_utc() {
    let mock = Mock::new(1);
    seed(&mock);
    let args = [
        "-b", &mock.addr, "consume", "-t", "cli", "-p", "0", "-c", "1",
    ];
    // The local zone is named by its offset at that time.
    let (code, out, err) = kbrowse_env(&args, &[("TZ", "Asia/Kolkata")]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "0\t0\t2023-11-15 03:43:20.000 +05:30\tk1\t{\"a\":1}\n");
    let mut utc = args.to_vec();
    utc.push("--utc");
    let (code, out, err) = kbrowse_env(&utc, &[("TZ", "Asia/Kolkata")]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "0\t0\t2023-11-14 22:13:20.000 UTC\tk1\t{\"a\":1}\n");
    let mut hex = utc.clone();
    hex.extend(["--format", "hex"]);
    let (_, out, _) = kbrowse_env(&hex, &[("TZ", "Asia/Kolkata")]);
    assert!(
        out.starts_with("partition 0 offset 0 time 2023-11-14 22:13:20.000 UTC\nkey: 2 bytes\n"),
        "{out}"
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
            "kbrowse: unknown partition 5 of topic 'cli' (it has 2 partitions: 0 to 1)\n".into(),
        ),
        (
            vec!["consume", "-t", "cli", "-p", "0", "-o", "99", "-e"],
            1,
            "kbrowse: offset 99 is out of range for cli/0 (valid offsets: 0 to 2)\n".into(),
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

/// A config home holding `kbrowse/config.toml`.
fn config_home(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("kbrowse")).unwrap();
    std::fs::write(dir.path().join("kbrowse/config.toml"), toml).unwrap();
    dir
}

#[test]
fn a_profile_names_the_cluster_with_secrets_from_env_and_cmd() {
    let mock = Mock::new(1);
    mock.topic("prof", 1);
    produce(&mock.addr, "prof", "none", &[TestRecord::kv(0, "k", "v")]);
    let home = config_home(
        r#"
default = "elsewhere"
[clusters.elsewhere]
brokers = "127.0.0.1:1"
[clusters.mock]
brokers = "env:MOCK_BROKERS"
client.id = "cmd:echo kbrowse-test"
socket.timeout.ms = 5000
"#,
    );
    let env = [
        ("XDG_CONFIG_HOME", home.path().to_str().unwrap()),
        ("MOCK_BROKERS", mock.addr.as_str()),
    ];
    let want = "prof  partitions 1  messages 1\n  partition    0  leader    1  low            0  high            1  messages            1\n";
    let (code, out, err) = kbrowse_env(&["--cluster", "mock", "topics"], &env);
    assert_eq!((code, out.as_str(), err.as_str()), (0, want, ""));
    let mut with_cluster = env.to_vec();
    with_cluster.push(("KBROWSE_CLUSTER", "mock"));
    let (code, out, err) = kbrowse_env(&["topics", "-t", "prof"], &with_cluster);
    assert_eq!((code, out.as_str(), err.as_str()), (0, want, ""));
    // The default profile points nowhere.
    let (code, out, err) = kbrowse_env(&["topics"], &env);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: no bootstrap broker reachable (127.0.0.1:1): cannot connect to broker 127.0.0.1:1: Connection refused (os error 111)\n"
        )
    );
}

#[test]
fn kcat_habits_are_understood() {
    let mock = Mock::new(1);
    seed(&mock);
    mock.topic("consumer", 1);
    let b = mock.addr.as_str();
    let want = "0\t0\t2023-11-14 22:13:20.000 +00:00\tk1\t{\"a\":1}\n0\t1\t2023-11-14 22:13:20.500 +00:00\t(null)\t\\xff\\e[\n";
    // `-t` without a command is consume; `-p 0 -p 0` reads partition 0 once.
    for args in [
        &["-b", b, "-e", "-t", "cli", "-p", "0"][..],
        &["-b", b, "consume", "-t", "cli", "-p", "0", "-p", "0", "-e"][..],
    ] {
        let (code, out, err) = kbrowse(args);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (0, want, ""),
            "{args:?}"
        );
    }
    // Headers in the text and hex formats.
    let (code, out, err) = kbrowse(&[
        "-b",
        b,
        "consume",
        "-t",
        "cli",
        "-p",
        "0",
        "-e",
        "--headers",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "0\t0\t2023-11-14 22:13:20.000 +00:00\tk1\t{\"a\":1}\th=x,h=(null)\n0\t1\t2023-11-14 22:13:20.500 +00:00\t(null)\t\\xff\\e[\t\n"
    );
    let (code, out, _) = kbrowse(&[
        "-b",
        b,
        "consume",
        "-t",
        "cli",
        "-p",
        "0",
        "-c",
        "1",
        "--format",
        "hex",
        "--headers",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "partition 0 offset 0 time 2023-11-14 22:13:20.000 +00:00\nkey: 2 bytes\n\
         00000000  6b 31                                             |k1|\n\
         value: 7 bytes\n\
         00000000  7b 22 61 22 3a 31 7d                              |{\"a\":1}|\n\
         header h: x\nheader h: (null)\n\n"
    );
    // A misspelled command, unless a topic has that name.
    let (code, out, err) = kbrowse(&["-b", b, "consme"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            2,
            "",
            "kbrowse: 'consme' is neither a command nor a topic; did you mean 'consume'?\n"
        )
    );
    let (code, _, err) = kbrowse(&["-b", b, "consumer"]);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "kbrowse: the browser needs a terminal and stdout is not one; to print records, use: kbrowse consume -t consumer\n"
        )
    );
}

#[test]
fn unknown_topics_suggest_close_names() {
    let mock = Mock::new(1);
    mock.topic("orders", 1);
    mock.topic("payments", 1);
    let b = mock.addr.as_str();
    for (args, want) in [
        (
            &["-b", b, "consume", "-t", "ordrs", "-e"][..],
            "kbrowse: unknown topic 'ordrs'; did you mean 'orders'?\n",
        ),
        (
            &["-b", b, "topics", "-t", "payment"][..],
            "kbrowse: unknown topic 'payment'; did you mean 'payments'?\n",
        ),
        (
            &["-b", b, "topics", "-t", "invoices"][..],
            "kbrowse: unknown topic 'invoices'\n",
        ),
    ] {
        let (code, out, err) = kbrowse(args);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (1, "", want),
            "{args:?}"
        );
    }
    // The TUI says so before it takes the terminal.
    let mut tui = support::pty::Tui::spawn(&["-b", b, "ordrs"], 24, 120);
    let status = tui.wait_exit();
    assert_eq!(status.exit_code(), 1);
    assert_eq!(
        tui.text().trim_end(),
        "kbrowse: unknown topic 'ordrs'; did you mean 'orders'?"
    );
}

#[test]
fn an_offset_without_partitions_reads_where_it_is_in_range() {
    let mock = Mock::new(1);
    mock.topic("uneven", 3);
    let mut recs: Vec<TestRecord> = (0..5)
        .map(|i| TestRecord::kv(0, &format!("k{i}"), &format!("v{i}")))
        .collect();
    recs.push(TestRecord::kv(1, "one", "only"));
    produce(&mock.addr, "uneven", "none", &recs);
    let b = mock.addr.as_str();
    let (code, out, err) = kbrowse(&[
        "-b", b, "consume", "-t", "uneven", "-o", "3", "-e", "--format", "json",
    ]);
    let offsets: Vec<&str> = out
        .lines()
        .map(|l| l.split(",\"timestamp\"").next().unwrap())
        .collect();
    assert_eq!(
        (code, offsets, err.as_str()),
        (
            0,
            vec![
                r#"{"topic":"uneven","partition":0,"offset":3"#,
                r#"{"topic":"uneven","partition":0,"offset":4"#,
            ],
            "kbrowse: warning: offset 3 is out of range for uneven/1 (valid offsets: 0 to 1); skipping partition 1\n\
             kbrowse: warning: offset 3 is out of range for uneven/2 (valid offsets: 0); skipping partition 2\n"
        )
    );
    let (code, out, err) = kbrowse(&["-b", b, "consume", "-t", "uneven", "-o", "9", "-e"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: warning: offset 9 is out of range for uneven/0 (valid offsets: 0 to 5); skipping partition 0\n\
             kbrowse: warning: offset 9 is out of range for uneven/1 (valid offsets: 0 to 1); skipping partition 1\n\
             kbrowse: warning: offset 9 is out of range for uneven/2 (valid offsets: 0); skipping partition 2\n\
             kbrowse: offset 9 is out of range for every partition of 'uneven'\n"
        )
    );
    // A topic of one partition keeps the one-line error.
    mock.topic("single", 1);
    let (code, out, err) = kbrowse(&["-b", b, "consume", "-t", "single", "-o", "9", "-e"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: offset 9 is out of range for single/0 (valid offsets: 0)\n"
        )
    );
}

#[test]
fn topics_as_json_and_for_one_topic() {
    let mock = Mock::new(1);
    seed(&mock);
    mock.topic("empty", 1);
    let b = mock.addr.as_str();
    let (code, out, err) = kbrowse(&["-b", b, "topics", "--format", "json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        concat!(
            r#"{"topic":"cli","internal":false,"partitions":[{"partition":0,"leader":1,"low":0,"high":2,"messages":2},{"partition":1,"leader":1,"low":0,"high":1,"messages":1}],"messages":3}"#,
            "\n",
            r#"{"topic":"empty","internal":false,"partitions":[{"partition":0,"leader":1,"low":0,"high":0,"messages":0}],"messages":0}"#,
            "\n"
        )
    );
    let (code, out, err) = kbrowse(&["-b", b, "topics", "-t", "empty"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "empty  partitions 1  messages 0\n  partition    0  leader    1  low            0  high            0  messages            0\n",
            ""
        )
    );
}

#[test]
fn the_title_bar_names_the_profile() {
    let mock = Mock::new(1);
    mock.topic("titled", 1);
    let home = config_home(&format!(
        "default = \"local-mock\"\n[clusters.local-mock]\nbrokers = \"{}\"\n",
        mock.addr
    ));
    let mut tui = support::pty::Tui::spawn_env(
        &["titled"],
        24,
        120,
        &[("XDG_CONFIG_HOME", home.path().to_str().unwrap())],
    );
    tui.wait_for("the partition list", |t| t.contains("Leader"));
    let first = tui.text().lines().next().unwrap_or("").to_string();
    assert!(
        first.starts_with(&format!(" kbrowse  local-mock · {} › titled", mock.addr)),
        "{first}"
    );
    tui.keys("q");
    assert!(tui.wait_exit().success());
}

#[test]
fn several_profiles_open_on_a_cluster_picker_and_c_switches_cluster() {
    let mock = Mock::new(1);
    mock.topic("picked", 1);
    let home = config_home(&format!(
        "[clusters.away]\nbrokers = \"127.0.0.1:1\"\n[clusters.mock]\nbrokers = \"{0}\"\n\
         [clusters.same]\nbrokers = \"{0}\"\n",
        mock.addr
    ));
    let env = [("XDG_CONFIG_HOME", home.path().to_str().unwrap())];
    let mut tui = support::pty::Tui::spawn_env(&[], 12, 80, &env);
    tui.wait_for("the picker", |t| t.contains("choose a cluster"));
    let text = tui.text();
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    assert_eq!(lines[0], " kbrowse  choose a cluster");
    assert_eq!(lines[2], format!("│{:<78}│", "Profile  Brokers"));
    assert_eq!(lines[3], format!("│{:<78}│", "away     127.0.0.1:1"));
    assert!(
        lines[4].starts_with(&format!("│mock     {}", mock.addr)),
        "{text}"
    );
    tui.keys("j");
    tui.keys("\r");
    tui.wait_for("the topic list", |t| t.contains("picked"));
    let first = tui.text().lines().next().unwrap_or("").to_string();
    assert!(
        first.starts_with(&format!(" kbrowse  mock · {}", mock.addr)),
        "{first}"
    );
    // c on the topic list picks another profile without restarting.
    tui.keys("c");
    tui.wait_for("the picker again", |t| t.contains("choose a cluster"));
    tui.keys("G");
    tui.keys("\r");
    tui.wait_for("the other profile's topics", |t| {
        t.lines().next().unwrap_or("").contains("same · ") && t.contains("picked")
    });
    tui.keys("q");
    assert!(tui.wait_exit().success());
    // q in the picker quits without connecting anywhere.
    let mut tui = support::pty::Tui::spawn_env(&[], 12, 80, &env);
    tui.wait_for("the picker", |t| t.contains("choose a cluster"));
    tui.keys("q");
    assert!(tui.wait_exit().success());
    assert!(!tui.alternate());
}

#[test]
fn consume_with_log_writes_the_connection_and_the_fetches() {
    let mock = Mock::new(1);
    mock.topic("logged", 1);
    produce(&mock.addr, "logged", "none", &numbered(0..3));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("kbrowse.log");
    let log_arg = log.to_str().unwrap();
    let (code, out, err) = kbrowse(&[
        "-b", &mock.addr, "--log", log_arg, "consume", "-t", "logged", "-e",
    ]);
    assert_eq!((code, err.as_str(), out.lines().count()), (0, "", 3));
    let text = std::fs::read_to_string(&log).unwrap();
    let line = |needles: &[&str]| {
        text.lines()
            .find(|l| needles.iter().all(|n| l.contains(n)))
            .unwrap_or_else(|| panic!("no log line with {needles:?} in:\n{text}"))
            .to_string()
    };
    let connected = line(&[
        "INFO kbrowse::kafka::conn: connected; the broker's API versions",
        &format!("addr=\"{}\"", mock.addr),
    ]);
    assert!(connected.contains("elapsed_ms="), "{connected}");
    let fetch = line(&["DEBUG kbrowse::kafka::conn: request", "api=\"Fetch\""]);
    assert!(fetch.contains("latency_us="), "{fetch}");
    line(&[
        "INFO kbrowse::kafka::reader: reader started",
        "topic=logged partition=0",
    ]);
    line(&[
        "INFO kbrowse::kafka::reader: reader stopped",
        "topic=logged partition=0",
    ]);
}

/// `-u` (issue 14 §2): following a topic with stdout on a pipe, a record produced after the
/// start reaches the pipe while the process still runs. consume also flushes whenever no
/// record is waiting, so this checks that the unbuffered path writes every record (no hang,
/// nothing held back); `unbuffered_flushes_every_record_on_its_own` checks how it differs.
#[test]
fn unbuffered_output_reaches_a_pipe_while_following() {
    let mock = Mock::new(1);
    mock.topic("live", 1);
    produce(
        &mock.addr,
        "live",
        "none",
        &[TestRecord::kv(0, "k0", "before")],
    );
    let mut follow = Follow::spawn(&[
        "-b",
        &mock.addr,
        "consume",
        "-t",
        "live",
        "-u",
        "-f",
        r"%o %k %s\n",
    ]);
    // A hang guard, not a timed assertion.
    let first = follow.wait_lines(1, Duration::from_secs(60)).to_vec();
    assert_eq!(first, ["0 k0 before"]);
    produce(
        &mock.addr,
        "live",
        "none",
        &[TestRecord::kv(0, "k1", "after")],
    );
    let lines = follow.wait_lines(2, Duration::from_secs(60)).to_vec();
    assert_eq!(lines, ["0 k0 before", "1 k1 after"]);
    assert!(
        follow.child.try_wait().unwrap().is_none(),
        "consume ended instead of following"
    );
}

/// Records each flush's bytes: what reached the real stdout in one piece.
#[derive(Default)]
struct Flushes {
    pending: Vec<u8>,
    flushed: Vec<String>,
}

impl std::io::Write for Flushes {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.flushed
                .push(String::from_utf8(std::mem::take(&mut self.pending)).unwrap());
        }
        Ok(())
    }
}

/// consume's flushes for 20 records read with `-e`, with or without `-u`.
fn flushes(addr: &str, unbuffered: bool) -> Vec<String> {
    use kbrowse::cli::consume::{ConsumeOptions, KcatOptions, Merge, run};
    use kbrowse::cli::format::Format;
    use kbrowse::kafka::{ClientConfig, Cluster, StartAt};
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let cluster = Cluster::connect(ClientConfig::new(addr)).await.unwrap();
        let opts = ConsumeOptions {
            topic: "unbuffered".into(),
            partitions: vec![],
            start: StartAt::Beginning,
            count: None,
            exit_at_end: true,
            format: Format::Text,
            isolation: Default::default(),
            headers: false,
            decode: Default::default(),
            scan: Default::default(),
            merge: Merge::Arrival,
            time_zone: kbrowse::render::TimeZone::Utc,
            kcat: KcatOptions {
                template: Some("%o %s\\n".parse().unwrap()),
                unbuffered,
                ..Default::default()
            },
        };
        let mut out = Flushes::default();
        run(cluster, opts, &mut out).await.unwrap();
        out.flushed
    })
}

/// `-u` (issue 14 §2): every record is flushed on its own, before the next is formatted;
/// without it, the records of a fetch go out together.
#[test]
fn unbuffered_flushes_every_record_on_its_own() {
    let mock = Mock::new(1);
    mock.topic("unbuffered", 1);
    let records: Vec<TestRecord> = (0..20)
        .map(|i| TestRecord::kv(0, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&mock.addr, "unbuffered", "none", &records);
    let each: Vec<String> = (0..20).map(|i| format!("{i} v{i}\n")).collect();
    assert_eq!(flushes(&mock.addr, true), each);
    let together = flushes(&mock.addr, false);
    assert_eq!(together.concat(), each.concat());
    assert!(
        together.len() < 20,
        "without -u the records of a fetch share a flush: {together:?}"
    );
}
