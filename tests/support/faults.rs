//! Fault injection against the real broker: delete records or a topic (rdkafka's admin
//! client), kill / freeze / start the broker again (scripts/kafka-broker), and the TUI in a
//! pseudo-terminal.

use std::io::{Read, Write};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig as RdConfig;
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::{Offset, TopicPartitionList};

fn admin(addr: &str) -> AdminClient<DefaultClientContext> {
    RdConfig::new()
        .set("bootstrap.servers", addr)
        .create()
        .expect("admin client")
}

/// Deletes the records of `topic`/`partition` below `before` (DeleteRecords); returns the
/// new log start the broker reports.
pub fn delete_records(addr: &str, topic: &str, partition: i32, before: i64) -> i64 {
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, partition, Offset::Offset(before))
        .expect("partition offset");
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let res = futures::executor::block_on(admin(addr).delete_records(&tpl, &opts))
        .expect("delete_records");
    let el = res
        .find_partition(topic, partition)
        .expect("the partition in the answer");
    el.error().expect("delete_records failed for the partition");
    match el.offset() {
        Offset::Offset(n) => n,
        other => panic!("delete_records answered {other:?}"),
    }
}

/// Deletes a topic (DeleteTopics) and waits for the controller's answer.
pub fn delete_topic(addr: &str, topic: &str) {
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let res = futures::executor::block_on(admin(addr).delete_topics(&[topic], &opts))
        .expect("delete_topics");
    for r in res {
        r.unwrap_or_else(|(t, e)| panic!("deleting topic {t} failed: {e:?}"));
    }
}

/// Runs `scripts/kafka-broker ARGS`: (success, stdout + stderr).
pub fn broker_script(args: &[&str]) -> (bool, String) {
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/kafka-broker"))
        .args(args)
        .output()
        .expect("run scripts/kafka-broker");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `scripts/kafka-broker start-again`, retried while the script finds the port in use
/// (after a SIGKILL the broker's side of its connections sits in TIME-WAIT for a while).
pub fn start_again() -> (bool, String) {
    let t = Instant::now();
    loop {
        let (ok, out) = broker_script(&["start-again"]);
        if ok || !out.contains("already in use") || t.elapsed() > Duration::from_secs(150) {
            return (ok, out);
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// The broker's process id.
pub fn broker_pid() -> i32 {
    let (ok, out) = broker_script(&["pid"]);
    assert!(ok, "scripts/kafka-broker pid: {out}");
    out.trim()
        .parse()
        .unwrap_or_else(|_| panic!("pid: {out:?}"))
}

/// Sends a signal to a process with kill(1).
pub fn signal(pid: i32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill -{sig} {pid} failed");
}

/// Leaves the broker running when a test ends, however it ends: continues a frozen broker
/// and starts a killed one again.
pub struct BrokerBack {
    /// The broker's pid while it is frozen with SIGSTOP.
    pub frozen: Option<i32>,
}

impl Drop for BrokerBack {
    fn drop(&mut self) {
        if let Some(pid) = self.frozen.take() {
            let _ = Command::new("kill")
                .args(["-CONT", &pid.to_string()])
                .status();
        }
        if !broker_script(&["status"]).0 {
            let (ok, out) = start_again();
            if !ok {
                eprintln!("scripts/kafka-broker start-again failed: {out}");
            }
        }
    }
}

/// Polls `check` every 20 ms until it holds (returns how long that took) or `limit` passes
/// (panics with `what`): a hang guard, not a timed assertion.
pub fn wait_until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    loop {
        if check() {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The real binary in a pseudo-terminal; the screen as a vt100 parser sees it.
pub struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Tui {
    /// Starts `kbrowse ARGS` in a ROWSxCOLS terminal.
    pub fn spawn(args: &[&str], rows: u16, cols: u16) -> Tui {
        use portable_pty::{CommandBuilder, PtySize, native_pty_system};
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kbrowse"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        cmd.env_remove("KBROWSE_BROKERS");
        let child = pair.slave.spawn_command(cmd).expect("spawn kbrowse");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let feed = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut p) = feed.lock() {
                    p.process(&buf[..n]);
                }
            }
        });
        let writer = pair.master.take_writer().expect("pty writer");
        // The master must outlive the child's use of the terminal.
        std::mem::forget(pair.master);
        Tui {
            parser,
            writer,
            child,
        }
    }

    /// The screen's text.
    pub fn text(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Waits until `check` holds for the screen (returns how long it took); panics with the
    /// screen after `limit`.
    pub fn wait_for(&self, what: &str, limit: Duration, check: impl Fn(&str) -> bool) -> Duration {
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

    /// Types keys, pausing after them as a person would.
    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        std::thread::sleep(Duration::from_millis(150));
    }

    /// The exit status once the process ended within `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> portable_pty::ExitStatus {
        let t = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                return s;
            }
            assert!(t.elapsed() < limit, "kbrowse did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
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
