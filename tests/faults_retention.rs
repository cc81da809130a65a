//! Records deleted under a reader (retention, DeleteRecords) and a topic deleted while it is
//! followed, against the real broker. These faults touch only their own topics, so the tests
//! run side by side.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kbrowse::kafka::{PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind, StartAt};
use serde_json::Value;
use tokio::sync::mpsc;

use support::faults::{delete_records, delete_topic, wait_until};
use support::*;

fn recs(range: std::ops::Range<i64>, pad: usize) -> Vec<TestRecord> {
    range
        .map(|i| TestRecord::kv(0, &format!("k{i}"), &format!("v{i}{}", "x".repeat(pad))))
        .collect()
}

/// An event as a short word, with consecutive messages merged: `M0-30` (offsets 0..30),
/// `S30-50` (skipped 30..50), `C100/100` (caught up: next/high), `F100`, `E:error`.
fn describe(seq: &mut Vec<String>, kind: ReaderEventKind) {
    let word = match kind {
        ReaderEventKind::Started { offset, watermarks } => {
            format!("B{offset}:{}-{}", watermarks.low, watermarks.high)
        }
        ReaderEventKind::Messages(ms) => {
            let (Some(first), Some(last)) = (ms.first(), ms.last()) else {
                return;
            };
            let offsets: Vec<i64> = ms.iter().map(|m| m.offset).collect();
            let want: Vec<i64> = (first.offset..=last.offset).collect();
            assert_eq!(
                offsets, want,
                "a gap or duplicate inside one batch of messages"
            );
            for m in &ms {
                let v = String::from_utf8_lossy(m.value.as_deref().unwrap_or_default());
                assert!(
                    v.starts_with(&format!("v{}", m.offset)),
                    "{}: {v}",
                    m.offset
                );
            }
            if let Some(prev) = seq.last_mut()
                && let Some(rest) = prev.strip_prefix('M')
                && let Some((a, b)) = rest.split_once('-')
                && b.parse::<i64>().ok() == Some(first.offset)
            {
                *prev = format!("M{a}-{}", last.offset + 1);
                return;
            }
            format!("M{}-{}", first.offset, last.offset + 1)
        }
        ReaderEventKind::CaughtUp { next, high } => format!("C{next}/{high}"),
        ReaderEventKind::Skipped { from, to } => format!("S{from}-{to}"),
        ReaderEventKind::Corrupt { from, to, .. } => format!("X{from}-{to}"),
        ReaderEventKind::Reconnecting { error, .. } => format!("R:{error}"),
        ReaderEventKind::Finished { next } => format!("F{next}"),
        ReaderEventKind::Failed(e) => format!("E:{e}"),
    };
    seq.push(word);
}

/// A reader of `topic`/0 from its beginning whose channel holds one event, so that it stops
/// while the test does not drain it; the sender is kept to see the channel fill.
async fn held_reader(
    addr: &str,
    topic: &str,
) -> (
    PartitionReader,
    mpsc::Receiver<ReaderEvent>,
    mpsc::Sender<ReaderEvent>,
) {
    let config = ReaderConfig {
        capacity: 1,
        ..ReaderConfig::default()
    };
    let (tx, rx) = mpsc::channel(1);
    let cluster = connect(addr).await;
    let reader = PartitionReader::spawn(
        cluster,
        topic.to_string(),
        0,
        StartAt::Beginning,
        config,
        tx.clone(),
    );
    (reader, rx, tx)
}

/// Waits until a held reader's channel is full: the reader then waits to send, not to fetch.
fn wait_full(tx: &mpsc::Sender<ReaderEvent>) {
    wait_until(
        "the reader's first messages",
        Duration::from_secs(60),
        || tx.capacity() == 0,
    );
}

async fn next_event(rx: &mut mpsc::Receiver<ReaderEvent>) -> ReaderEvent {
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("an event within 60 s")
        .expect("the reader sends until dropped")
}

/// A following reader that is held still (a full channel) while the records ahead of it are
/// deleted goes on at the new log start and reports the deleted range; nothing is silent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_following_reader_skips_records_deleted_ahead_of_it_and_reports_the_range() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("retention-reader");
    create_topic(&addr, &topic, 1, &[]);
    let p = producer(&addr, "lz4");
    tokio::task::block_in_place(|| produce_with(&p, &topic, &recs(0..30, 0)));

    let (_reader, mut rx, tx) = held_reader(&addr, &topic).await;
    let mut seq = Vec::new();
    describe(&mut seq, next_event(&mut rx).await.kind);
    assert_eq!(seq, ["B0:0-30"]);
    // The one fetch of all 30 records fills the channel; the reader then waits to send its
    // CaughtUp for that same fetch, so its next fetch is at 30 and happens only once we
    // drain two events. Delete ahead of it meanwhile.
    tokio::task::block_in_place(|| {
        wait_full(&tx);
        produce_with(&p, &topic, &recs(30..100, 0));
        assert_eq!(delete_records(&addr, &topic, 0, 50), 50);
    });
    drop(tx);
    loop {
        describe(&mut seq, next_event(&mut rx).await.kind);
        if seq
            .last()
            .is_some_and(|w| w.starts_with('C') && w != "C30/30")
        {
            break;
        }
    }
    assert_eq!(
        seq,
        [
            "B0:0-30", "M0-30", "C30/30", "S30-50", "M50-100", "C100/100"
        ]
    );
}

/// `consume` (stdout as JSON lines) whose reading is held still by a stdout nobody reads.
struct HeldConsume {
    child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl HeldConsume {
    fn spawn(addr: &str, topic: &str, extra: &[&str]) -> HeldConsume {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kbrowse"))
            .args([
                "-b", addr, "consume", "-t", topic, "-p", "0", "--format", "json",
            ])
            .args(extra)
            .env_remove("KBROWSE_BROKERS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kbrowse");
        let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        HeldConsume { child, lines }
    }

    /// The offset of the next stdout line (None at the end of stdout).
    fn next_offset(&mut self) -> Option<i64> {
        let line = self.lines.next()?.expect("read stdout");
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let offset = v["offset"].as_i64().expect("offset");
        let value = v["value"].as_str().expect("value");
        assert!(
            value.starts_with(&format!("v{offset}x")),
            "{offset}: {value}"
        );
        Some(offset)
    }
}

impl Drop for HeldConsume {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 8,000 records of ~1 KB; the process can hold at most ~4 MB of them (pipe, output buffer,
/// 2 queued fetches and one in hand of 1 MB each) while its stdout is not read, so deleting
/// below 6,000 always deletes records it has not read yet.
const TOTAL: i64 = 8_000;
const DELETE_BELOW: i64 = 6_000;

fn retention_topic(addr: &str, prefix: &str) -> String {
    let topic = unique(prefix);
    create_topic(addr, &topic, 1, &[]);
    produce(addr, &topic, "none", &recs(0..TOTAL, 1000));
    topic
}

#[test]
fn consume_e_fails_naming_the_deleted_range_when_records_go_before_it_reads_them() {
    let Some(addr) = real_broker() else { return };
    let topic = retention_topic(&addr, "retention-e");
    let mut c = HeldConsume::spawn(&addr, &topic, &["-o", "beginning", "-e"]);
    assert_eq!(c.next_offset(), Some(0));
    assert_eq!(delete_records(&addr, &topic, 0, DELETE_BELOW), DELETE_BELOW);
    let mut offsets = vec![0];
    while let Some(o) = c.next_offset() {
        offsets.push(o);
    }
    let read = offsets.len() as i64;
    assert_eq!(offsets, (0..read).collect::<Vec<_>>(), "a gap or duplicate");
    assert!(read < DELETE_BELOW, "read {read} records");
    let out = c.child.wait_with_output_stderr();
    assert_eq!(out.0, Some(1));
    assert_eq!(
        out.1,
        format!(
            "kbrowse: offsets {read} to {} of {topic}/0 were deleted before they could be read \
             (retention or delete-records); the log now starts at {DELETE_BELOW}\n",
            DELETE_BELOW - 1
        )
    );
    eprintln!("consume -e: read {read} records, then: {}", out.1.trim());
}

#[test]
fn a_following_consume_warns_about_deleted_records_and_goes_on_at_the_new_start() {
    let Some(addr) = real_broker() else { return };
    let topic = retention_topic(&addr, "retention-follow");
    let mut c = HeldConsume::spawn(&addr, &topic, &["-o", "beginning"]);
    assert_eq!(c.next_offset(), Some(0));
    assert_eq!(delete_records(&addr, &topic, 0, DELETE_BELOW), DELETE_BELOW);
    let mut offsets = vec![0];
    while offsets.last() != Some(&(TOTAL - 1)) {
        offsets.push(c.next_offset().expect("more records"));
    }
    let read = offsets
        .iter()
        .position(|&o| o == DELETE_BELOW)
        .expect("the new log start was read") as i64;
    let want: Vec<i64> = (0..read).chain(DELETE_BELOW..TOTAL).collect();
    assert_eq!(
        offsets, want,
        "a gap or duplicate besides the deleted range"
    );
    assert!(read < DELETE_BELOW);
    // Still following: the process runs on.
    assert!(c.child.try_wait().expect("try_wait").is_none());
    c.child.kill().expect("kill");
    let (_, stderr) = c.child.wait_with_output_stderr();
    assert_eq!(
        stderr,
        format!(
            "kbrowse: warning: offsets {read} to {} of {topic}/0 were deleted before they could \
             be read (retention or delete-records); the log now starts at {DELETE_BELOW}; \
             continuing at offset {DELETE_BELOW}\n",
            DELETE_BELOW - 1
        )
    );
}

/// An explicitly requested offset below the log start stays a clear error.
#[test]
fn an_explicit_offset_below_the_log_start_is_a_clear_error() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("retention-explicit");
    create_topic(&addr, &topic, 1, &[]);
    produce(&addr, &topic, "none", &recs(0..20, 0));
    assert_eq!(delete_records(&addr, &topic, 0, 10), 10);
    let (code, out, err) = kbrowse(&["-b", &addr, "consume", "-t", &topic, "-o", "5", "-e"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!("kbrowse: offset 5 is out of range for {topic}/0 (valid offsets: 10 to 20)\n")
    );
}

/// `consume` following a topic that is deleted: one line naming the topic, exit 1, soon.
#[test]
fn a_following_consume_of_a_deleted_topic_exits_with_one_line_naming_it() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("deleted");
    create_topic(&addr, &topic, 1, &[]);
    produce(&addr, &topic, "none", &recs(0..10, 0));
    let mut follow = Follow::spawn(&[
        "-b", &addr, "consume", "-t", &topic, "-p", "0", "--format", "json",
    ]);
    follow.wait_lines(10, Duration::from_secs(30));
    let t = Instant::now();
    delete_topic(&addr, &topic);
    let status = loop {
        if let Some(s) = follow.child.try_wait().expect("try_wait") {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "still running after the topic was deleted; stderr: {}",
            follow.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = t.elapsed();
    follow.collect_for(Duration::from_millis(200));
    let stderr = follow.stderr();
    eprintln!("deleted topic: exit {status:?} after {took:?}: {stderr}");
    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(
        follow.got.len(),
        10,
        "records after the deletion: {:?}",
        follow.got
    );
    assert_eq!(
        stderr,
        format!("kbrowse: topic '{topic}' was deleted while it was being read\n")
    );
}

trait WaitStderr {
    /// Waits for the process; (exit code, all of stderr).
    fn wait_with_output_stderr(&mut self) -> (Option<i32>, String);
}

impl WaitStderr for std::process::Child {
    fn wait_with_output_stderr(&mut self) -> (Option<i32>, String) {
        use std::io::Read;
        let mut err = String::new();
        if let Some(mut e) = self.stderr.take() {
            e.read_to_string(&mut err).expect("read stderr");
        }
        let status = self.wait().expect("wait");
        (status.code(), err)
    }
}

/// Paging resumes where an earlier read stopped (`StartAt::Resume`): records deleted since
/// are skipped and reported, or fail a read that promised them all (`stop_at_end`); a
/// position past the end is a truncated log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_a_read_below_the_log_start_skips_and_reports_or_fails() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("retention-resume");
    tokio::task::block_in_place(|| {
        create_topic(&addr, &topic, 1, &[]);
        produce(&addr, &topic, "none", &recs(0..20, 0));
        assert_eq!(delete_records(&addr, &topic, 0, 10), 10);
    });
    let cluster = connect(&addr).await;
    let mut outcomes = Vec::new();
    for (start, stop_at_end) in [
        (StartAt::Resume(5), false),
        (StartAt::Resume(5), true),
        (StartAt::Resume(12), true),
        (StartAt::Resume(21), false),
    ] {
        let config = ReaderConfig {
            stop_at_end,
            ..ReaderConfig::default()
        };
        let (_reader, mut rx) =
            PartitionReader::start(cluster.clone(), topic.clone(), 0, start, config);
        let mut seq = Vec::new();
        loop {
            describe(&mut seq, next_event(&mut rx).await.kind);
            let last = seq.last().map(String::as_str).unwrap_or_default();
            if last.starts_with(['F', 'E']) || (!stop_at_end && last.starts_with('C')) {
                break;
            }
        }
        outcomes.push(seq);
    }
    let deleted = format!(
        "E:offsets 5 to 9 of {topic}/0 were deleted before they could be read (retention or \
         delete-records); the log now starts at 10"
    );
    let truncated = format!(
        "E:the log of {topic}/0 now ends at offset 20, below the read position 21 (truncated, \
         or the topic was deleted and created again)"
    );
    assert_eq!(
        outcomes,
        [
            vec!["B10:10-20", "S5-10", "M10-20", "C20/20"],
            vec!["B10:10-20", deleted.as_str()],
            vec!["B12:10-20", "M12-20", "C20/20", "F20"],
            vec![truncated.as_str()],
        ]
    );
}

/// A topic deleted and created again under a held reader: its position is past the new
/// log's end, so records it delivered may no longer exist: the reader fails and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_recreated_under_a_reader_is_a_truncated_log() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("recreated");
    tokio::task::block_in_place(|| {
        create_topic(&addr, &topic, 1, &[]);
        produce(&addr, &topic, "none", &recs(0..30, 0));
    });
    let (_reader, mut rx, tx) = held_reader(&addr, &topic).await;
    let mut seq = Vec::new();
    describe(&mut seq, next_event(&mut rx).await.kind);
    // As above: the reader now waits to send its CaughtUp; its next fetch is at 30.
    tokio::task::block_in_place(|| {
        wait_full(&tx);
        delete_topic(&addr, &topic);
        // The name is free again only once the deletion is complete.
        wait_until("the topic created again", Duration::from_secs(60), || {
            use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
            let admin: AdminClient<rdkafka::client::DefaultClientContext> =
                rdkafka::ClientConfig::new()
                    .set("bootstrap.servers", &addr)
                    .create()
                    .expect("admin");
            let t = NewTopic::new(&topic, 1, TopicReplication::Fixed(1));
            let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
            let r = futures::executor::block_on(admin.create_topics([&t], &opts));
            matches!(r.as_deref(), Ok([Ok(_)]))
        });
    });
    // The new topic answers before the reader fetches again.
    let probe = connect(&addr).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while kbrowse::kafka::offsets::partition_watermarks(
        &probe,
        &topic,
        0,
        kbrowse::kafka::Isolation::ReadUncommitted,
    )
    .await
    .is_err()
    {
        assert!(Instant::now() < deadline, "the new topic does not answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(tx);
    loop {
        describe(&mut seq, next_event(&mut rx).await.kind);
        if seq.last().is_some_and(|w| w.starts_with('E')) {
            break;
        }
    }
    assert_eq!(
        seq,
        [
            "B0:0-30".to_string(),
            "M0-30".into(),
            "C30/30".into(),
            format!(
                "E:the log of {topic}/0 now ends at offset 0, below the read position 30 \
                 (truncated, or the topic was deleted and created again)"
            )
        ]
    );
}
