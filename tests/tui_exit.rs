//! Every way the TUI can end puts the terminal back: `q`, Ctrl-C, SIGTERM, SIGHUP, SIGINT
//! and a panic leave the alternate screen, show the cursor and turn raw mode off.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use support::Mock;
use support::pty::Tui;

/// A TUI on a small topic, showing its partition list.
fn started(mock: &Mock) -> Tui {
    let tui = Tui::spawn(&["-b", &mock.addr, "exits"], 30, 100);
    tui.wait_for("the partition list", |t| t.contains("Leader"));
    assert!(tui.alternate());
    assert!(tui.stty().contains("-icanon"), "not in raw mode");
    tui
}

fn assert_restored(tui: &Tui) {
    assert!(!tui.alternate(), "still on the alternate screen");
    assert!(!tui.cursor_hidden(), "the cursor is still hidden");
    let stty = tui.stty();
    assert!(
        stty.contains(" icanon") && stty.contains(" echo"),
        "raw mode is still on: {stty}"
    );
    let raw = tui.raw();
    let tail = &raw[raw.len().saturating_sub(200)..];
    assert!(
        tail.windows(8).any(|w| w == b"\x1b[?1000l"),
        "mouse capture was not turned off"
    );
}

fn mock() -> Mock {
    let mock = Mock::new(1);
    mock.topic("exits", 2);
    mock
}

#[test]
fn keys_end_the_session_cleanly() {
    let mock = mock();
    for keys in ["q", "\x03"] {
        let mut tui = started(&mock);
        tui.keys(keys);
        let status = tui.wait_exit();
        assert!(status.success(), "{keys:?}: {status:?}");
        assert_restored(&tui);
    }
}

#[test]
fn signals_end_the_session_cleanly() {
    let mock = mock();
    for signal in ["TERM", "HUP", "INT"] {
        let mut tui = started(&mock);
        let killed = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(tui.pid().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let status = tui.wait_exit();
        assert!(status.success(), "SIG{signal}: {status:?}");
        assert_restored(&tui);
    }
}

#[test]
fn a_panic_restores_the_terminal_and_prints_its_message() {
    let mock = mock();
    // The panic comes right after the first frame.
    let mut tui = Tui::spawn_env(
        &["-b", &mock.addr, "exits"],
        30,
        100,
        &[("KBROWSE_DEBUG_PANIC", "1"), ("RUST_BACKTRACE", "0")],
    );
    let status = tui.wait_exit();
    assert_eq!(status.exit_code(), 101, "{status:?}");
    assert_restored(&tui);
    // The message is printed after the restore, so it stays readable on the main screen.
    let text = tui.text();
    assert!(
        text.contains("KBROWSE_DEBUG_PANIC is set: a deliberate panic after the first frame"),
        "{text}"
    );
}
