//! Every malformed flag, offset and time expression gets a message naming the value and what
//! was expected, with exit code 2, before any connection is made.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use support::kbrowse;
use support::pty::Tui;

/// The first line of clap's report for an invalid `value` of `flag`.
fn invalid(value: &str, flag: &str, why: &str) -> String {
    format!("error: invalid value '{value}' for '{flag}': {why}")
}

const OFFSET_HELP: &str = "expected beginning, end, N, -N (N before the end), @MILLIS, @RFC3339, @'YYYY-MM-DD HH:MM[:SS]', @-15m/-2h/-1d, s@TIME or e@TIME";
const TIME_HELP: &str = "expected MILLIS, RFC3339 (2024-05-01T12:00:00Z), 'YYYY-MM-DD HH:MM[:SS]' or HH:MM[:SS] today (local, UTC with --utc) or relative like -15m, -2h, -1d";
const PORT: &str = "the port must be a number from 1 to 65535";

#[test]
fn malformed_flags_are_named_with_exit_code_2() {
    // Nothing listens on port 1: a case that got past parsing would fail differently.
    let b = "127.0.0.1:1";
    let consume = |extra: &[&'static str]| {
        let mut v = vec!["-b", b, "consume", "-t", "t"];
        v.extend_from_slice(extra);
        v
    };
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            consume(&["-o", "abc"]),
            invalid(
                "abc",
                "--offset <OFFSET>",
                &format!("invalid offset 'abc': {OFFSET_HELP}"),
            ),
        ),
        (
            consume(&["-o", "5-"]),
            invalid(
                "5-",
                "--offset <OFFSET>",
                &format!("invalid offset '5-': {OFFSET_HELP}"),
            ),
        ),
        (
            consume(&["-o", "1.5"]),
            invalid(
                "1.5",
                "--offset <OFFSET>",
                &format!("invalid offset '1.5': {OFFSET_HELP}"),
            ),
        ),
        (
            consume(&["-o", "@notatime"]),
            invalid(
                "@notatime",
                "--offset <OFFSET>",
                &format!("invalid time 'notatime': {TIME_HELP}"),
            ),
        ),
        (
            consume(&["-o", "@2026-13-45"]),
            invalid(
                "@2026-13-45",
                "--offset <OFFSET>",
                &format!("invalid time '2026-13-45': {TIME_HELP}"),
            ),
        ),
        (
            consume(&["-o", "@-5x"]),
            invalid(
                "@-5x",
                "--offset <OFFSET>",
                &format!("invalid time '-5x': {TIME_HELP}"),
            ),
        ),
        (
            consume(&["-p", "-1"]),
            invalid(
                "-1",
                "--partition <PARTITIONS>",
                "invalid partition '-1': expected a partition number, 0 or more",
            ),
        ),
        (
            consume(&["-p", "x"]),
            invalid(
                "x",
                "--partition <PARTITIONS>",
                "invalid partition 'x': expected a partition number, 0 or more",
            ),
        ),
        (
            consume(&["-c", "-1"]),
            invalid(
                "-1",
                "--count <COUNT>",
                "invalid count '-1': expected a whole number, 0 or more",
            ),
        ),
        (
            consume(&["--format", "yaml"]),
            "error: invalid value 'yaml' for '--format <FORMAT>'".into(),
        ),
        (
            consume(&["--isolation", "dirty"]),
            "error: invalid value 'dirty' for '--isolation <ISOLATION>'".into(),
        ),
        (
            vec!["-b", b, "--timeout", "0", "topics"],
            invalid(
                "0",
                "--timeout <TIMEOUT>",
                "invalid timeout '0': expected seconds from 1 to 3600",
            ),
        ),
        (
            vec!["-b", b, "--timeout", "1s", "topics"],
            invalid(
                "1s",
                "--timeout <TIMEOUT>",
                "invalid timeout '1s': expected seconds from 1 to 3600",
            ),
        ),
        (
            vec!["-b", b, "--window", "10"],
            invalid(
                "10",
                "--window <WINDOW>",
                "invalid window '10': expected records from 100 to 10000000",
            ),
        ),
        (
            vec!["-b", "", "topics"],
            invalid(
                "",
                "--brokers <BROKERS>",
                "the broker list is empty: expected host:port[,host:port...]",
            ),
        ),
        (
            vec!["-b", "localhost:", "topics"],
            invalid(
                "localhost:",
                "--brokers <BROKERS>",
                &format!("invalid broker address 'localhost:': {PORT}"),
            ),
        ),
        (
            vec!["-b", b, "-X", "nokey", "topics"],
            invalid(
                "nokey",
                "-X <KEY=VALUE>",
                "invalid property 'nokey': expected key=value",
            ),
        ),
        (
            vec!["-b", "h:9092,h:x", "topics"],
            invalid(
                "h:9092,h:x",
                "--brokers <BROKERS>",
                &format!("invalid broker address 'h:x': {PORT}"),
            ),
        ),
        (
            vec!["-b", b, "consume"],
            "error: the following required arguments were not provided:".into(),
        ),
        (
            vec!["-b", b, "consume", "-t", "t", "--bogus"],
            "error: unexpected argument '--bogus' found".into(),
        ),
    ];
    for (args, want) in cases {
        let (code, out, err) = kbrowse(&args);
        assert_eq!(
            (code, out.as_str(), err.lines().next().unwrap_or("")),
            (2, "", want.as_str()),
            "{args:?}\n{err}"
        );
    }
}

#[test]
fn the_broker_list_from_the_environment_is_checked_too() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kbrowse"))
        .arg("topics")
        .env("KBROWSE_BROKERS", "broker:99999")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.lines().next(),
        Some(
            invalid(
                "broker:99999",
                "--brokers <BROKERS>",
                &format!("invalid broker address 'broker:99999': {PORT}")
            )
            .as_str()
        )
    );
}

#[test]
fn an_unreachable_broker_ends_the_tui_before_it_takes_the_terminal() {
    let mut tui = Tui::spawn(&["-b", "127.0.0.1:1", "some-topic"], 24, 160);
    let status = tui.wait_exit();
    assert_eq!(status.exit_code(), 1);
    assert_eq!(
        tui.text().trim_end(),
        "kbrowse: no bootstrap broker reachable (127.0.0.1:1): cannot connect to broker 127.0.0.1:1: Connection refused (os error 111)"
    );
    let raw = tui.raw();
    assert!(
        !raw.windows(8).any(|w| w == b"\x1b[?1049h"),
        "the alternate screen was entered"
    );
}

#[test]
fn the_tui_without_a_terminal_points_at_consume() {
    // Nothing is connected to: the check comes first.
    for (args, topic) in [
        (&["-b", "127.0.0.1:1", "orders"][..], "orders"),
        (&["-b", "127.0.0.1:1"][..], "TOPIC"),
    ] {
        let (code, out, err) = kbrowse(args);
        assert_eq!(
            (code, out.as_str(), err),
            (
                2,
                "",
                format!(
                    "kbrowse: the browser needs a terminal and stdout is not one; to print records, use: kbrowse consume -t {topic}\n"
                )
            ),
            "{args:?}"
        );
    }
}

#[test]
fn a_host_without_a_port_means_9092() {
    let (code, out, err) = kbrowse(&["-b", "kafka1, [::1],k2:9093", "config"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out.lines().nth(2),
        Some("brokers = kafka1:9092,[::1]:9092,k2:9093  (-b)")
    );
}

#[test]
fn a_misspelled_command_is_not_taken_for_a_topic() {
    // With no cluster to ask whether a topic has that name, the slip is named.
    let (code, out, err) = kbrowse(&["-b", "127.0.0.1:1", "consme"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            2,
            "",
            "kbrowse: 'consme' is not a command; did you mean 'consume'?\n"
        )
    );
}
