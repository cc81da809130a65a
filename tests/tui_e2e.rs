//! The real binary in a pseudo-terminal against the mock cluster: open a topic, Enter a
//! partition, jump with `o 500`, open the detail, switch to hex, quit.

mod support;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use support::{Mock, TestRecord, produce};

const ROWS: u16 = 40;
const COLS: u16 = 140;

/// The terminal as the program drew it, fed by a thread reading the pty.
struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn alternate(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// Waits until `check` holds for the screen's text; panics with the screen otherwise.
    fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text();
            if check(&text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Separate keystrokes, as a person types them.
        std::thread::sleep(Duration::from_millis(150));
    }
}

/// The rows of the message table: (offset, rest of the row).
fn table_rows(text: &str) -> Vec<(i64, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches('│').trim_start();
            let (n, rest) = l.split_once(' ')?;
            Some((n.parse().ok()?, rest.to_string()))
        })
        .collect()
}

#[test]
fn browse_jump_detail_hex_quit() {
    let mock = Mock::new(3);
    mock.topic("e2e", 2);
    let records: Vec<TestRecord> = (0..1000)
        .map(|i| TestRecord::kv(0, &format!("key-{i:04}"), &format!("value-{i}")))
        .chain((0..10).map(|i| TestRecord::kv(1, &format!("other-{i}"), "x")))
        .collect();
    produce(&mock.addr, "e2e", "lz4", &records);

    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kbrowse"));
    cmd.args(["-b", &mock.addr, "e2e"]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("TZ", "UTC");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let feed = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buf[..n]);
        }
    });
    let mut screen = Screen {
        parser,
        writer: pair.master.take_writer().unwrap(),
    };

    // The topic's partitions, with their message counts.
    screen.wait_for("the partition list", |t| {
        t.contains("Leader") && t.contains("1,000")
    });
    assert!(screen.alternate());
    // Partition 0 from its beginning.
    screen.keys("\r");
    screen.wait_for("the first records", |t| {
        t.contains("key-0000") && t.contains("value-0")
    });
    // Jump to offset 500: its key is on screen, in the first row.
    screen.keys("o");
    screen.wait_for("the jump prompt", |t| t.contains("Jump to offset"));
    screen.keys("500");
    screen.keys("\r");
    screen.wait_for("offset 500", |t| {
        t.contains("key-0500") && !t.contains("Jump to offset")
    });
    let rows = table_rows(&screen.text());
    assert_eq!(rows.first().map(|r| r.0), Some(500), "{}", screen.text());
    assert!(rows[0].1.contains("key-0500"));
    // The detail of offset 500, then its value in hex: "value-500".
    screen.keys("\r");
    screen.wait_for("the detail", |t| {
        t.contains("Offset 500") && t.contains("value as text")
    });
    screen.keys("x");
    screen.wait_for("the hex dump", |t| {
        t.contains("00000000  76 61 6c 75 65 2d 35 30  30") && t.contains("|value-500|")
    });
    // q quits with status 0 and leaves the alternate screen.
    screen.keys("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "kbrowse did not exit on q");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(!screen.alternate(), "the terminal was not restored");
}
