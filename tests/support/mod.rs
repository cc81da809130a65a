//! Shared test setup: the librdkafka mock cluster, an independent producer (librdkafka via
//! rdkafka), the real broker's address, and reading back with our own reader.
#![allow(dead_code)]

pub mod faults;
pub mod producers;

use std::sync::Arc;
use std::time::Duration;

use kbrowse::kafka::{
    ClientConfig, Cluster, Isolation, Message, PartitionReader, ReaderConfig, ReaderEventKind,
    StartAt,
};
use rdkafka::ClientConfig as RdConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};

/// A record as the test produces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestRecord {
    pub partition: i32,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    pub timestamp: Option<i64>,
}

impl TestRecord {
    /// A plain record with a text key and value.
    pub fn kv(partition: i32, key: &str, value: &str) -> TestRecord {
        TestRecord {
            partition,
            key: Some(key.as_bytes().to_vec()),
            value: Some(value.as_bytes().to_vec()),
            headers: Vec::new(),
            timestamp: None,
        }
    }
}

/// A mock cluster of `brokers` brokers, kept alive as long as the value lives.
pub struct Mock {
    pub cluster: MockCluster<'static, DefaultProducerContext>,
    pub addr: String,
}

impl Mock {
    pub fn new(brokers: i32) -> Mock {
        let cluster = MockCluster::new(brokers).expect("mock cluster");
        let addr = cluster.bootstrap_servers();
        Mock { cluster, addr }
    }

    pub fn topic(&self, name: &str, partitions: i32) {
        self.cluster
            .create_topic(name, partitions, 1)
            .expect("create topic");
    }
}

/// A producer of test records with the given codec (`none`, `gzip`, `snappy`, `lz4`, `zstd`).
pub fn producer(addr: &str, codec: &str) -> ThreadedProducer<DefaultProducerContext> {
    producers::producer(addr, codec).expect("producer")
}

/// A producer for seeding long topics fast (large batches).
pub fn bulk_producer(addr: &str, codec: &str) -> ThreadedProducer<DefaultProducerContext> {
    producers::bulk_producer(addr, codec).expect("bulk producer")
}

/// An idempotent producer (`codec` compression): a send retried across a broker restart
/// cannot write a record twice, so a reader's "no duplicate" is the reader's doing.
pub fn idempotent_producer(addr: &str, codec: &str) -> ThreadedProducer<DefaultProducerContext> {
    producers::idempotent_producer(addr, codec).expect("idempotent producer")
}

/// A transactional producer (`transactional.id` = `id`, zstd), its transactions initialised.
pub fn transactional_producer(addr: &str, id: &str) -> ThreadedProducer<DefaultProducerContext> {
    producers::transactional_producer(addr, id).expect("transactional producer")
}

/// Records `k{i}`/`v{i}` for `i` in `range`, all to partition 0.
pub fn numbered(range: std::ops::Range<i64>) -> Vec<TestRecord> {
    range
        .map(|i| TestRecord::kv(0, &format!("k{i}"), &format!("v{i}")))
        .collect()
}

/// Produces `records` in order (one producer, so each partition keeps that order) and waits.
pub fn produce(addr: &str, topic: &str, codec: &str, records: &[TestRecord]) {
    let p = producer(addr, codec);
    produce_with(&p, topic, records);
}

pub fn produce_with(
    p: &ThreadedProducer<DefaultProducerContext>,
    topic: &str,
    records: &[TestRecord],
) {
    for r in records {
        let mut headers = OwnedHeaders::new();
        for (k, v) in &r.headers {
            headers = headers.insert(Header {
                key: k,
                value: v.as_deref(),
            });
        }
        let mut rec: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic)
            .partition(r.partition)
            .headers(headers);
        if let Some(k) = &r.key {
            rec = rec.key(k.as_slice());
        }
        if let Some(v) = &r.value {
            rec = rec.payload(v.as_slice());
        }
        if let Some(ts) = r.timestamp {
            rec = rec.timestamp(ts);
        }
        let mut rec = rec;
        loop {
            match p.send(rec) {
                Ok(()) => break,
                Err((e, back)) => {
                    assert!(
                        matches!(
                            e.rdkafka_error_code(),
                            Some(rdkafka::types::RDKafkaErrorCode::QueueFull)
                        ),
                        "produce failed: {e}"
                    );
                    std::thread::sleep(Duration::from_millis(5));
                    rec = back;
                }
            }
        }
    }
    p.flush(Duration::from_secs(60)).expect("flush");
}

/// What a record looks like once read back, comparable with `TestRecord`.
pub fn as_test_record(m: &Message) -> TestRecord {
    TestRecord {
        partition: m.partition,
        key: m.key.as_ref().map(|b| b.to_vec()),
        value: m.value.as_ref().map(|b| b.to_vec()),
        headers: m
            .headers
            .iter()
            .map(|h| {
                (
                    String::from_utf8_lossy(&h.name).into_owned(),
                    h.value.as_ref().map(|v| v.to_vec()),
                )
            })
            .collect(),
        timestamp: None,
    }
}

pub async fn connect(addr: &str) -> Arc<Cluster> {
    Cluster::connect(ClientConfig::new(addr))
        .await
        .expect("connect")
}

/// Reads one partition from `start` to the end it had at start, with our reader.
pub async fn read_to_end(
    addr: &str,
    topic: &str,
    partition: i32,
    start: StartAt,
    isolation: Isolation,
) -> Vec<Message> {
    let cluster = connect(addr).await;
    let config = ReaderConfig {
        stop_at_end: true,
        isolation,
        ..ReaderConfig::default()
    };
    let (_reader, mut rx) = PartitionReader::start(cluster, topic.into(), partition, start, config);
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("reader timed out")
            .expect("reader ended");
        match ev.kind {
            ReaderEventKind::Messages(m) => out.extend(m),
            ReaderEventKind::Finished { .. } => return out,
            ReaderEventKind::Failed(e) => panic!("reader failed: {e}"),
            _ => {}
        }
    }
}

/// The real broker's address. Under CI a missing broker fails the test; elsewhere it is skipped.
pub fn real_broker() -> Option<String> {
    service_env(
        "KBROWSE_TEST_BROKER",
        "the real broker",
        "run scripts/kafka-broker start",
    )
}

/// Runs the real binary with `args` and returns (exit code, stdout, stderr).
pub fn kbrowse(args: &[&str]) -> (i32, String, String) {
    kbrowse_env(args, &[])
}

/// `kbrowse ARGS` with `env` set on top of a clean one: no broker list or cluster from the
/// caller's environment, and no profiles file unless `env` points XDG_CONFIG_HOME at one.
pub fn kbrowse_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kbrowse"));
    cmd.args(args)
        .env_remove("KBROWSE_BROKERS")
        .env_remove("KBROWSE_CLUSTER")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("TZ", "UTC");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run kbrowse");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A topic name no earlier run used: `prefix-<millis>-<pid>-<n>` (reruns against the same
/// real broker never collide).
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!(
        "{prefix}-{ms}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates a topic on a real broker with rdkafka's admin client (replication factor 1).
pub fn create_topic(addr: &str, name: &str, partitions: i32, configs: &[(&str, &str)]) {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    let admin: AdminClient<DefaultClientContext> = RdConfig::new()
        .set("bootstrap.servers", addr)
        .create()
        .expect("admin client");
    let mut topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    for (k, v) in configs {
        topic = topic.set(k, v);
    }
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results =
        futures::executor::block_on(admin.create_topics([&topic], &opts)).expect("create_topics");
    for r in results {
        r.unwrap_or_else(|(t, e)| panic!("creating topic {t} failed: {e:?}"));
    }
}

/// A running `kbrowse` whose stdout lines arrive on a thread (for reads that follow).
/// Dropping it kills the process.
pub struct Follow {
    pub child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// Every stdout line received so far.
    pub got: Vec<String>,
    stderr: Arc<std::sync::Mutex<String>>,
}

impl Follow {
    pub fn spawn(args: &[&str]) -> Follow {
        use std::io::{BufRead, Read};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kbrowse"))
            .args(args)
            .env_remove("KBROWSE_BROKERS")
            .env("TZ", "UTC")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn kbrowse");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let err = Arc::new(std::sync::Mutex::new(String::new()));
        let err2 = err.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = err2.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        Follow {
            child,
            lines,
            got: Vec::new(),
            stderr: err,
        }
    }

    /// Waits until `n` lines have arrived in all; panics with what did arrive after `timeout`.
    pub fn wait_lines(&mut self, n: usize, timeout: Duration) -> &[String] {
        let deadline = std::time::Instant::now() + timeout;
        while self.got.len() < n {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.got.push(line),
                Err(_) => panic!(
                    "{} of {n} lines after {timeout:?}; last: {:?}; stderr: {}",
                    self.got.len(),
                    self.got.last(),
                    self.stderr()
                ),
            }
        }
        &self.got
    }

    /// Collects whatever lines arrive within `d`.
    pub fn collect_for(&mut self, d: Duration) -> &[String] {
        let deadline = std::time::Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.got.push(line),
                Err(_) => return &self.got,
            }
        }
    }

    /// What the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
pub mod pty;
pub mod schema;

/// A test service's address from `var`: under CI a missing one fails the test (`what` did not
/// start); elsewhere the test is skipped with `how` to start it.
#[allow(dead_code)]
pub fn service_env(var: &str, what: &str, how: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "{var} is not set under CI: {what} did not start"
            );
            eprintln!("{var} not set: skipping ({how})");
            None
        }
    }
}
