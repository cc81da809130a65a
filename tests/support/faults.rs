//! Fault injection against the real broker: delete records or a topic (rdkafka's admin
//! client), kill / freeze / start the broker again (scripts/kafka-broker), and the TUI in a
//! pseudo-terminal.

use std::process::Command;
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
