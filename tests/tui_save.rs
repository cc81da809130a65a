//! `S` and `e` in the real binary in a pseudo-terminal against the mock cluster (records
//! produced by librdkafka): the window and a filter's matches saved to files that are byte
//! for byte what `kbrowse consume` prints for the same records, and a value opened in a
//! `$PAGER` that copies its file, with the TUI drawn again afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use support::pty::Tui;
use support::{Mock, TestRecord, produce};

const ROWS: u16 = 40;
const COLS: u16 = 140;

/// 300 records in partition 0: JSON values, text values with a header, and binary values
/// with null keys.
fn records() -> Vec<TestRecord> {
    (0..300)
        .map(|i| match i % 3 {
            0 => TestRecord::kv(0, &format!("key-{i}"), &format!(r#"{{"n":{i},"s":"x"}}"#)),
            1 => TestRecord {
                headers: vec![("h".into(), Some(b"\x01v".to_vec()))],
                ..TestRecord::kv(0, &format!("key-{i}"), &format!("value-{i} é"))
            },
            _ => TestRecord {
                key: None,
                value: Some(vec![0, 0xff, b'\x1b', i as u8]),
                ..TestRecord::kv(0, "", "")
            },
        })
        .collect()
}

/// `kbrowse ARGS`'s stdout as bytes (stdout is a pipe, as a file is not a terminal).
fn consume(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kbrowse"))
        .args(args)
        .env_remove("KBROWSE_BROKERS")
        .env_remove("KBROWSE_CLUSTER")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Types `S`, replaces the proposed file with `path` (and the format with `format`), saves.
fn save(screen: &mut Tui, path: &str, format: Option<&str>) {
    screen.keys("S");
    screen.wait_for("the save prompt", |t| t.contains("Tab file ↔ format"));
    screen.keys("\x15");
    screen.keys(path);
    if let Some(f) = format {
        screen.keys("\t\x15");
        screen.keys(f);
    }
    screen.keys("\r");
}

#[test]
fn the_window_and_a_filters_matches_are_saved_as_consume_prints_them() {
    let mock = Mock::new(1);
    mock.topic("saves", 1);
    produce(&mock.addr, "saves", "lz4", &records());
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    let mut screen = Tui::spawn(&["-b", &mock.addr, "saves"], ROWS, COLS);
    screen.wait_for("the partition list", |t| {
        t.contains("Leader") && t.contains("300")
    });
    screen.keys("\r");
    screen.wait_for("the records", |t| t.contains("key-0"));

    // The window: all 300 records, as JSON lines and with a -f format.
    let window = file("w.jsonl");
    save(&mut screen, &window, None);
    screen.wait_for("the save's end", |t| t.contains("saved 300 records to"));
    let want = consume(&[
        "-b", &mock.addr, "consume", "-t", "saves", "-e", "--format", "json",
    ]);
    assert_eq!(want.iter().filter(|b| **b == b'\n').count(), 300);
    assert_eq!(std::fs::read(&window).unwrap(), want);

    let templated = file("w.txt");
    save(&mut screen, &templated, Some(r"%o|%k|%s|%h\n"));
    screen.wait_for("the second save's end", |t| {
        t.contains("saved 300 records to") && t.contains("w.txt")
    });
    let want = consume(&[
        "-b",
        &mock.addr,
        "consume",
        "-t",
        "saves",
        "-e",
        "-f",
        r"%o|%k|%s|%h\n",
    ]);
    assert_eq!(std::fs::read(&templated).unwrap(), want);

    // An existing file is kept as it is.
    save(&mut screen, &window, None);
    screen.wait_for("the refusal", |t| {
        t.contains("not saved:") && t.contains("exists")
    });
    assert_eq!(
        std::fs::read(&window).unwrap(),
        consume(&[
            "-b", &mock.addr, "consume", "-t", "saves", "-e", "--format", "json"
        ])
    );

    // A filter view: every match of the partition.
    screen.keys("&");
    screen.wait_for("the filter prompt", |t| t.contains("Filter records"));
    screen.keys(r#"key.startsWith("key-1")"#);
    screen.keys("\r");
    screen.wait_for("the filter view's scan", |t| {
        t.contains("scanned 300 of 300")
    });
    let matches = file("m.jsonl");
    save(&mut screen, &matches, None);
    screen.wait_for("the filter save's end", |t| {
        t.contains("⚠ saved") && t.contains("matches in off")
    });
    let want = consume(&[
        "-b",
        &mock.addr,
        "consume",
        "-t",
        "saves",
        "-e",
        "--format",
        "json",
        "--filter",
        r#"key.startsWith("key-1")"#,
    ]);
    let lines = want.iter().filter(|b| **b == b'\n').count();
    // key-1, key-10, key-100 and the like (keys of two records in three): some, not all.
    assert!((10..300).contains(&lines), "{lines} matches");
    assert_eq!(std::fs::read(&matches).unwrap(), want);
    assert!(
        screen.text().contains(&format!("saved {lines} matches")),
        "{}",
        screen.text()
    );

    // A missing directory: one line, nothing written.
    let missing = file("no/such/dir/x.jsonl");
    save(&mut screen, &missing, None);
    // (The status line cuts the note after the path here; the unit tests check its words.)
    screen.wait_for("the error", |t| t.contains("⚠ not saved: /tmp"));
    assert!(!std::path::Path::new(&missing).exists());

    screen.keys("q");
    assert!(screen.wait_exit().success());
}

#[test]
fn e_opens_the_value_in_the_pager_and_the_tui_comes_back() {
    use std::os::unix::fs::PermissionsExt as _;
    let mock = Mock::new(1);
    mock.topic("pages", 1);
    produce(&mock.addr, "pages", "none", &records()[..3]);
    let dir = tempfile::tempdir().unwrap();
    let copies = dir.path().join("copies");
    std::fs::create_dir(&copies).unwrap();
    let pager = dir.path().join("pager.sh");
    std::fs::write(
        &pager,
        "#!/bin/sh\ncp \"$1\" \"$KB_COPIES/$(basename \"$1\")\" && echo \"$1\" >> \"$KB_COPIES.paths\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&pager, std::fs::Permissions::from_mode(0o755)).unwrap();
    let env = [
        ("PAGER", pager.to_str().unwrap()),
        ("KB_COPIES", copies.to_str().unwrap()),
    ];
    let mut screen = Tui::spawn_env(&["-b", &mock.addr, "pages"], ROWS, COLS, &env);
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("\r");
    screen.wait_for("the records", |t| {
        t.contains("key-0") && t.contains("key-1")
    });

    let copied = |n: usize| {
        let t = std::time::Instant::now();
        loop {
            let mut names: Vec<_> = std::fs::read_dir(&copies)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            names.sort();
            if names.len() >= n {
                return names;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "the pager did not run"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let before = screen.raw().len();
    // Offset 0: a JSON text value, as it is.
    screen.keys("e");
    let files = copied(1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("kbrowse-pages-0-0-") && name.ends_with(".txt"),
        "{name}"
    );
    assert_eq!(std::fs::read(&files[0]).unwrap(), br#"{"n":0,"s":"x"}"#);
    // Read-only intent: the file was 0400 (cp keeps the mode).
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o400);
    // The TUI left the alternate screen for the pager and came back, drawn again.
    screen.wait_for("the table again", |t| {
        t.contains("key-0") && t.contains("key-1")
    });
    assert!(screen.alternate());
    let raw = screen.raw()[before..].to_vec();
    let leave = raw.windows(8).position(|w| w == b"\x1b[?1049l");
    let enter = raw.windows(8).rposition(|w| w == b"\x1b[?1049h");
    assert!(
        matches!((leave, enter), (Some(l), Some(e)) if l < e),
        "no suspend and resume in {:?}",
        String::from_utf8_lossy(&raw)
    );

    // Offset 2: binary, as a hex dump; in the detail this time.
    screen.keys("jj\r");
    screen.wait_for("the detail", |t| t.contains("Offset 2"));
    screen.keys("e");
    let files = copied(2);
    let hex = files
        .iter()
        .find(|f| f.to_string_lossy().contains("-0-2-"))
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(hex).unwrap(),
        kbrowse::render::hex_dump(&[0, 0xff, 0x1b, 2])
    );
    screen.wait_for("the detail again", |t| t.contains("Offset 2"));
    // The temporary files are gone.
    let paths = std::fs::read_to_string(copies.with_extension("paths")).unwrap();
    for p in paths.lines() {
        assert!(!std::path::Path::new(p).exists(), "{p} was left behind");
    }
    assert_eq!(paths.lines().count(), 2);
    screen.keys("q");
    assert!(screen.wait_exit().success());
}
