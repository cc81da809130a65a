//! A fake broker on loopback whose topic name, broker host, racks and cluster id carry escape
//! sequences, a C1 control and a bidi override: the TUI (the real binary in a pseudo-terminal)
//! and `kbrowse topics` show them escaped, and none of their bytes reach the terminal raw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "support/hostile_broker.rs"]
mod hostile_broker;
mod support;

use std::process::Command;

use hostile_broker::Behaviour;
use support::pty::Tui;

/// How the hostile part of every string looks escaped.
const SHOWN: &str = r"\e]0;pwned\x07\e[2J\e]52;c;cHduZWQ=\x07\x9b31m\u{202e}";

/// Does `haystack` contain `needle`?
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The hostile sequences as raw bytes; ratatui's own drawing never writes any of them.
fn assert_no_raw_sequences(out: &[u8], what: &str) {
    for needle in [
        &b"\x1b]0;pwned"[..],
        b"\x1b]52",
        b"\x1b[2J\x1b]52",
        b"pwned\x07",
        b"\xc2\x9b",
        b"\xe2\x80\xae",
    ] {
        assert!(
            !contains(out, needle),
            "{what} received {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

fn kbrowse(args: &[&str]) -> (i32, Vec<u8>, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_kbrowse"))
        .args(args)
        .env_remove("KBROWSE_BROKERS")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, out.stderr)
}

#[test]
fn topics_prints_the_hostile_topic_name_escaped() {
    let addr = hostile_broker::start(
        "127.0.0.1:0",
        Behaviour {
            unreachable_leader: false,
        },
    );
    let (code, out, err) = kbrowse(&["-b", &addr, "topics"]);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        format!(
            "{SHOWN}evil-topic  partitions 2  messages 84\n\
             \x20 partition    0  leader    1  low            0  high           42  messages           42\n\
             \x20 partition    1  leader    1  low            0  high           42  messages           42\n"
        )
    );
    assert!(!out.contains(&0x1b));
    assert_no_raw_sequences(&out, "stdout");
    assert_eq!(err, b"");
}

#[test]
fn an_error_naming_the_hostile_host_is_escaped_on_stderr() {
    let addr = hostile_broker::start(
        "127.0.0.1:0",
        Behaviour {
            unreachable_leader: true,
        },
    );
    let (code, out, err) = kbrowse(&["-b", &addr, "--timeout", "2", "topics"]);
    assert_eq!(code, 1);
    assert_eq!(out, b"");
    let text = String::from_utf8(err.clone()).unwrap();
    assert!(
        text.starts_with(&format!(
            "kbrowse: cannot connect to broker {SHOWN}evil-host:9092: "
        )),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(!err.contains(&0x1b));
    assert_no_raw_sequences(&err, "stderr");
}

#[test]
fn the_tui_shows_hostile_names_escaped_in_the_list_breadcrumb_and_title() {
    let addr = hostile_broker::start(
        "127.0.0.1:0",
        Behaviour {
            unreachable_leader: false,
        },
    );
    let mut tui = Tui::spawn(&["-b", &addr], 45, 160);
    let name = format!("{SHOWN}evil-topic");
    tui.wait_for("the topic list with counts", |t| {
        t.contains(&name) && t.contains("84")
    });
    tui.keys("\r");
    tui.wait_for("the partition list", |t| t.contains("Leader"));
    let screen = tui.text();
    // The breadcrumb and the pane's title name the topic; the status line counts.
    assert!(
        screen.contains(&format!(
            "127.0.0.1:{} › {name}",
            addr.rsplit(':').next().unwrap()
        )),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("┌ {name} · 2 partitions")),
        "{screen}"
    );
    assert!(screen.contains(" 2 partitions │ 84 records "), "{screen}");
    tui.keys("q");
    assert!(tui.wait_exit().success());
    assert_no_raw_sequences(&tui.raw(), "the terminal");
    assert_eq!(tui.title(), "", "the window title was changed");
}

#[test]
fn the_tui_error_popup_shows_the_hostile_host_escaped() {
    let addr = hostile_broker::start(
        "127.0.0.1:0",
        Behaviour {
            unreachable_leader: true,
        },
    );
    let mut tui = Tui::spawn(&["--timeout", "2", "-b", &addr], 45, 160);
    tui.wait_for("the topic list", |t| t.contains("evil-topic"));
    // The counts need partition 1's leader, which cannot be reached: wait for the list to
    // give up on them ("…"), so that Enter lands on a loaded list.
    tui.wait_for("the list without counts", |t| {
        t.lines()
            .any(|l| l.contains("evil-topic") && l.trim_end_matches('│').trim_end().ends_with('…'))
    });
    tui.keys("\r");
    tui.wait_for("the error popup", |t| {
        t.contains("Error") && t.contains("evil-host")
    });
    let screen = tui.text();
    assert!(
        screen.contains(&format!("{SHOWN}evil-host:9092")),
        "{screen}"
    );
    tui.keys("\x1b");
    tui.keys("q");
    assert!(tui.wait_exit().success());
    assert_no_raw_sequences(&tui.raw(), "the terminal");
    assert_eq!(tui.title(), "", "the window title was changed");
}
