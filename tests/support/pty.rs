//! The real `kbrowse` binary in a pseudo-terminal: keys in, the screen out (parsed by vt100),
//! and every raw byte the program wrote, for checks on what reached the terminal.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

pub struct Tui {
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
}

impl Tui {
    /// Starts `kbrowse ARGS` in a `rows`×`cols` terminal with TZ=UTC.
    pub fn spawn(args: &[&str], rows: u16, cols: u16) -> Tui {
        Tui::spawn_env(args, rows, cols, &[])
    }

    pub fn spawn_env(args: &[&str], rows: u16, cols: u16, env: &[(&str, &str)]) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kbrowse"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        cmd.env_remove("KBROWSE_BROKERS");
        cmd.env_remove("KBROWSE_CLUSTER");
        cmd.env("XDG_CONFIG_HOME", "/nonexistent");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (feed, log) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                log.lock().unwrap().extend_from_slice(&buf[..n]);
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Tui {
            child,
            parser,
            raw,
            writer,
            master: pair.master,
        }
    }

    /// The screen's text, one line per row.
    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Whether the program is on the alternate screen.
    pub fn alternate(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// The window title the program set (OSC 0/2), if any.
    pub fn title(&self) -> String {
        self.parser.lock().unwrap().screen().title().to_string()
    }

    /// The terminal's line settings as `stty -a` prints them (raw mode shows `-icanon`).
    pub fn stty(&self) -> String {
        let tty = self.master.tty_name().expect("the pty's name");
        let out = std::process::Command::new("stty")
            .arg("-a")
            .arg("-F")
            .arg(&tty)
            .output()
            .expect("stty");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Whether the cursor is hidden.
    pub fn cursor_hidden(&self) -> bool {
        self.parser.lock().unwrap().screen().hide_cursor()
    }

    /// Every byte the program has written to the terminal so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Waits (up to 30 s) until `check` holds for the screen's text; panics with the screen.
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) {
        self.wait_within(what, Duration::from_secs(30), check);
    }

    /// Waits until `check` holds for the screen and returns how long that took; panics with
    /// the screen after `limit` (a hang guard, not a timed assertion).
    pub fn wait_within(
        &self,
        what: &str,
        limit: Duration,
        check: impl Fn(&str) -> bool,
    ) -> Duration {
        let t = Instant::now();
        loop {
            let text = self.text();
            if check(&text) {
                return t.elapsed();
            }
            assert!(
                t.elapsed() < limit,
                "timed out waiting for {what}; the screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys`, then pauses briefly, as a person does between keystrokes.
    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Waits (up to 10 s) for the program to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        self.wait_exit_within(Duration::from_secs(10))
    }

    /// Waits up to `limit` for the program to exit.
    pub fn wait_exit_within(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // Let the reader thread take the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "kbrowse did not exit; the screen:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The rows of the message table: (offset, rest of the row).
pub fn table_rows(text: &str) -> Vec<(i64, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches('│').trim_start();
            let (n, rest) = l.split_once(' ')?;
            Some((n.parse().ok()?, rest.to_string()))
        })
        .collect()
}

/// Opens the selected record's detail, reads its offset from the title bar, goes back.
pub fn selected_offset(screen: &mut Tui) -> i64 {
    screen.keys("\r");
    screen.wait_for("the detail", |t| t.contains("· value as "));
    let text = screen.text();
    let title = text.lines().next().unwrap().to_string();
    let offset = title
        .split("offset ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no offset in the title bar: {title}"));
    screen.keys("\x1b");
    screen.wait_for("the records again", |t| !t.contains("· value as "));
    offset
}
