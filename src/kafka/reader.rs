//! `PartitionReader`: one partition from a start position, as batches of messages on a
//! bounded channel. The channel's capacity is the prefetch budget; rewinding means starting
//! a new reader; dropping the handle ends the task.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::{BrokerId, FetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::cluster::Cluster;
use super::conn::Connection;
use super::error::{Error, Result};
use super::offsets::{StartAt, Watermarks, is_leadership_error};
use super::records::{Message, split_batches};

/// Which records a read returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Only committed transactional records (and all non-transactional ones).
    #[default]
    ReadCommitted,
    /// Everything in the log, aborted transactions included.
    ReadUncommitted,
}

impl Isolation {
    /// The protocol's isolation level byte.
    pub fn code(self) -> i8 {
        match self {
            Isolation::ReadUncommitted => 0,
            Isolation::ReadCommitted => 1,
        }
    }
}

/// How a reader fetches.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    pub max_wait: Duration,
    pub min_bytes: i32,
    pub max_bytes: i32,
    pub partition_max_bytes: i32,
    pub isolation: Isolation,
    /// Events the channel holds before the fetch loop pauses: the prefetch budget.
    pub capacity: usize,
    /// Stop once the end of the log as it was at start is reached (`consume -e`).
    pub stop_at_end: bool,
    /// An opaque tag copied into every event (the UI's jump generation).
    pub generation: u64,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            max_wait: Duration::from_millis(500),
            min_bytes: 1,
            max_bytes: 52_428_800,
            partition_max_bytes: 8 << 20,
            isolation: Isolation::ReadCommitted,
            capacity: 8,
            stop_at_end: false,
            generation: 0,
        }
    }
}

/// Something a reader has to say.
#[derive(Debug)]
pub struct ReaderEvent {
    pub generation: u64,
    pub partition: i32,
    pub kind: ReaderEventKind,
}

/// What happened.
#[derive(Debug)]
pub enum ReaderEventKind {
    /// The start position is resolved; the watermarks are as of now.
    Started { offset: i64, watermarks: Watermarks },
    /// Records in offset order.
    Messages(Vec<Message>),
    /// Everything readable was delivered; `next` is where reading continues.
    CaughtUp { next: i64, high: i64 },
    /// The connection was lost; the reader retries from `next` after a pause.
    Reconnecting {
        next: i64,
        attempt: u32,
        error: Error,
    },
    /// Records `from..to` were deleted (retention, delete-records) before this reader got to
    /// them; it goes on at `to`, the log's new start. Only a reader without `stop_at_end`
    /// skips; with it, the deletion fails the reader (`Error::RecordsDeleted`).
    Skipped { from: i64, to: i64 },
    /// `stop_at_end` reached its end.
    Finished { next: i64 },
    /// A failure that ends the reader.
    Failed(Error),
}

/// A running reader task; dropping it stops the task.
pub struct PartitionReader {
    task: JoinHandle<()>,
}

impl Drop for PartitionReader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PartitionReader {
    /// Starts a reader that sends its events to `tx` (several readers may share one channel).
    pub fn spawn(
        cluster: Arc<Cluster>,
        topic: String,
        partition: i32,
        start: StartAt,
        config: ReaderConfig,
        tx: mpsc::Sender<ReaderEvent>,
    ) -> PartitionReader {
        let state = FetchLoop {
            cluster,
            topic,
            partition,
            config,
            tx,
            conn: Default::default(),
            started: Default::default(),
        };
        PartitionReader {
            task: tokio::spawn(state.run(start)),
        }
    }

    /// Starts a reader with a channel of its own.
    pub fn start(
        cluster: Arc<Cluster>,
        topic: String,
        partition: i32,
        start: StartAt,
        config: ReaderConfig,
    ) -> (PartitionReader, mpsc::Receiver<ReaderEvent>) {
        let (tx, rx) = mpsc::channel(config.capacity.max(1));
        (
            Self::spawn(cluster, topic, partition, start, config, tx),
            rx,
        )
    }

    /// True once the task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

const FETCH_MAX_VERSION: i16 = 12;
const OFFSET_OUT_OF_RANGE: i16 = 1;
/// Transient broker answers: wait and fetch again from the same leader.
fn is_transient(code: i16) -> bool {
    // REQUEST_TIMED_OUT, NETWORK_EXCEPTION, NOT_ENOUGH_REPLICAS, THROTTLING_QUOTA_EXCEEDED
    matches!(code, 7 | 13 | 19 | 89)
}

struct FetchLoop {
    cluster: Arc<Cluster>,
    topic: String,
    partition: i32,
    config: ReaderConfig,
    tx: mpsc::Sender<ReaderEvent>,
    conn: std::sync::Mutex<Option<(i32, Arc<Connection>)>>,
    /// Set once `Started` went out: a topic unknown after that was deleted under us.
    started: std::sync::atomic::AtomicBool,
}

/// What one fetch brought.
enum Fetched {
    Data(Box<PartitionData>),
    Retry(Error),
    /// OFFSET_OUT_OF_RANGE, with the partition's watermarks asked right after.
    OutOfRange(Watermarks),
}

impl FetchLoop {
    async fn emit(&self, kind: ReaderEventKind) -> bool {
        let ev = ReaderEvent {
            generation: self.config.generation,
            partition: self.partition,
            kind,
        };
        self.tx.send(ev).await.is_ok()
    }

    async fn run(self, start: StartAt) {
        if let Err(e) = self.read(start).await {
            let e = match e {
                Error::UnknownTopic { topic }
                    if self.started.load(std::sync::atomic::Ordering::Relaxed) =>
                {
                    Error::TopicDeleted { topic }
                }
                e => e,
            };
            self.emit(ReaderEventKind::Failed(e)).await;
        }
    }

    /// The fetch loop; returns Ok when the receiver is gone or the end was reached.
    async fn read(&self, start: StartAt) -> Result<()> {
        let isolation = self.config.isolation;
        let (mut next, watermarks) = retry_connection(|| {
            self.cluster
                .resolve(&self.topic, self.partition, start, isolation)
        })
        .await?;
        if !self
            .emit(ReaderEventKind::Started {
                offset: next,
                watermarks,
            })
            .await
        {
            return Ok(());
        }
        self.started
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if let StartAt::Resume(from) = start
            && next > from
        {
            if self.config.stop_at_end {
                return Err(Error::RecordsDeleted {
                    topic: self.topic.clone(),
                    partition: self.partition,
                    from,
                    to: next,
                });
            }
            if !self.emit(ReaderEventKind::Skipped { from, to: next }).await {
                return Ok(());
            }
        }
        let end = self.config.stop_at_end.then_some(watermarks.high);
        let mut attempt = 0u32;
        let mut partition_max = self.config.partition_max_bytes;
        let mut caught_up_at = None;
        let mut out_of_range = 0u32;
        loop {
            if let Some(end) = end.filter(|&e| next >= e) {
                self.emit(ReaderEventKind::Finished {
                    next: end.max(next),
                })
                .await;
                return Ok(());
            }
            let data = match self.fetch(next, partition_max).await? {
                Fetched::Data(d) => d,
                Fetched::OutOfRange(w) => {
                    out_of_range += 1;
                    match self.out_of_range(next, w, out_of_range)? {
                        Some(to) => {
                            let ev = ReaderEventKind::Skipped { from: next, to };
                            if !self.emit(ev).await {
                                return Ok(());
                            }
                            next = to;
                            out_of_range = 0;
                        }
                        None => tokio::time::sleep(backoff(out_of_range)).await,
                    }
                    continue;
                }
                Fetched::Retry(error) => {
                    attempt += 1;
                    // Once the connection is back, say so again even with nothing new.
                    caught_up_at = None;
                    if !self
                        .emit(ReaderEventKind::Reconnecting {
                            next,
                            attempt,
                            error,
                        })
                        .await
                    {
                        return Ok(());
                    }
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
            };
            attempt = 0;
            out_of_range = 0;
            let records = data.records.clone().unwrap_or_default();
            let (batches, truncated, corrupt) = split_batches(&records);
            if batches.is_empty() && truncated && corrupt.is_none() {
                // One batch is larger than we asked for: ask for more (bounded by the frame cap).
                let cap = self.cluster.config().conn.max_frame as i32 / 2;
                if partition_max >= cap {
                    return Err(
                        self.corrupt(next, format!("a record batch is larger than {cap} bytes"))
                    );
                }
                partition_max = (partition_max.saturating_mul(2)).min(cap);
                continue;
            }
            let aborted = self.aborted(&data);
            let mut active: HashSet<i64> = HashSet::new();
            let mut ai = 0;
            let mut messages = Vec::new();
            let mut after = next;
            for batch in &batches {
                let info = batch.info;
                while ai < aborted.len() && aborted[ai].1 <= info.last_offset {
                    active.insert(aborted[ai].0);
                    ai += 1;
                }
                if batch.control {
                    if active.contains(&info.producer_id) && batch.is_abort_marker() {
                        active.remove(&info.producer_id);
                    }
                } else if !(info.transactional && active.contains(&info.producer_id)) {
                    batch
                        .decode_into(self.partition, next, &mut messages)
                        .map_err(|reason| self.corrupt(info.base_offset, reason))?;
                }
                after = after.max(info.last_offset + 1);
            }
            if let Some(end) = end {
                messages.retain(|m| m.offset < end);
            }
            if !messages.is_empty() && !self.emit(ReaderEventKind::Messages(messages)).await {
                return Ok(());
            }
            next = after;
            if let Some(c) = corrupt {
                let super::records::BatchError::Corrupt { offset, reason } = c;
                return Err(self.corrupt(offset, reason));
            }
            let readable_end = match (isolation, data.last_stable_offset) {
                (Isolation::ReadCommitted, lso) if lso >= 0 => lso,
                _ => data.high_watermark,
            };
            if next >= readable_end && caught_up_at != Some((next, data.high_watermark)) {
                caught_up_at = Some((next, data.high_watermark));
                let ev = ReaderEventKind::CaughtUp {
                    next,
                    high: data.high_watermark,
                };
                if !self.emit(ev).await {
                    return Ok(());
                }
            }
        }
    }

    /// What OFFSET_OUT_OF_RANGE at `next` means, given the watermarks asked right after:
    /// below the log start, the records were deleted: skip to the new start (`Some`), or fail
    /// under `stop_at_end`, which promised every record up to the end. Above the log end, the
    /// log was truncated or the topic recreated: records already delivered may be gone or
    /// rewritten, so continuing would repeat offsets with other contents: fail. Inside the
    /// range, the answer raced a moving watermark: fetch again (`None`), a few times.
    fn out_of_range(&self, next: i64, w: Watermarks, tries: u32) -> Result<Option<i64>> {
        let (topic, partition) = (self.topic.clone(), self.partition);
        if next < w.low {
            if self.config.stop_at_end {
                return Err(Error::RecordsDeleted {
                    topic,
                    partition,
                    from: next,
                    to: w.low,
                });
            }
            return Ok(Some(w.low));
        }
        if next > w.high {
            return Err(Error::LogTruncated {
                topic,
                partition,
                offset: next,
                high: w.high,
            });
        }
        if tries >= 5 {
            return Err(Error::OffsetOutOfRange {
                topic,
                partition,
                offset: next,
                low: w.low,
                high: w.high,
            });
        }
        Ok(None)
    }

    /// This reader's own connection to the partition's leader, reopened when the leader
    /// changes or the connection dies.
    async fn fetch_connection(&self) -> Result<Arc<Connection>> {
        let leader = self.cluster.leader_id(&self.topic, self.partition).await?;
        let cached = self.conn.lock().ok().and_then(|slot| {
            slot.as_ref()
                .filter(|(id, c)| *id == leader && c.is_alive())
                .map(|(_, c)| c.clone())
        });
        if let Some(c) = cached {
            return Ok(c);
        }
        let conn = self.cluster.connect_to(leader).await?;
        if let Ok(mut slot) = self.conn.lock() {
            *slot = Some((leader, conn.clone()));
        }
        Ok(conn)
    }

    fn corrupt(&self, offset: i64, reason: String) -> Error {
        Error::Corrupt {
            topic: self.topic.clone(),
            partition: self.partition,
            offset,
            reason,
        }
    }

    /// Aborted transactions (producer id, first offset) by first offset; none when uncommitted.
    fn aborted(&self, data: &PartitionData) -> Vec<(i64, i64)> {
        if self.config.isolation != Isolation::ReadCommitted {
            return Vec::new();
        }
        let mut v: Vec<(i64, i64)> = data
            .aborted_transactions
            .iter()
            .flatten()
            .map(|a| (a.producer_id.0, a.first_offset))
            .collect();
        v.sort_by_key(|a| a.1);
        v
    }

    /// One Fetch from the leader. Connection trouble and leadership changes come back as
    /// `Retry`; anything else that stops reading is an error.
    async fn fetch(&self, offset: i64, partition_max: i32) -> Result<Fetched> {
        let (topic, partition) = (&self.topic, self.partition);
        let conn = match self.fetch_connection().await {
            Ok(c) => c,
            Err(e) if e.is_connection() || matches!(e, Error::NoLeader { .. }) => {
                self.cluster.forget_leader(topic, partition);
                return Ok(Fetched::Retry(e));
            }
            Err(e) => return Err(e),
        };
        let version = conn.version::<FetchRequest>(FETCH_MAX_VERSION)?;
        let req = FetchRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_max_wait_ms(self.config.max_wait.as_millis() as i32)
            .with_min_bytes(self.config.min_bytes)
            .with_max_bytes(self.config.max_bytes)
            .with_isolation_level(self.config.isolation.code())
            .with_session_id(0)
            .with_session_epoch(-1)
            .with_topics(vec![
                FetchTopic::default()
                    .with_topic(TopicName(StrBytes::from_string(topic.clone())))
                    .with_partitions(vec![
                        FetchPartition::default()
                            .with_partition(partition)
                            .with_current_leader_epoch(-1)
                            .with_fetch_offset(offset)
                            .with_last_fetched_epoch(-1)
                            .with_log_start_offset(-1)
                            .with_partition_max_bytes(partition_max),
                    ]),
            ]);
        let resp = match conn.send(&req, version, self.config.max_wait).await {
            Ok(r) => r,
            Err(e) if e.is_connection() => {
                self.cluster.forget_leader(topic, partition);
                return Ok(Fetched::Retry(e));
            }
            Err(e) => return Err(e),
        };
        let ctx = || Some(format!("{topic}/{partition}"));
        let code = resp.error_code;
        if let Some(e) = Error::from_code("Fetch", code, ctx()) {
            if is_leadership_error(code) || is_transient(code) {
                self.cluster.forget_leader(topic, partition);
                return Ok(Fetched::Retry(e));
            }
            return Err(e);
        }
        let data = resp
            .responses
            .into_iter()
            .filter(|t| t.topic.0.as_str() == topic.as_str())
            .flat_map(|t| t.partitions)
            .find(|p| p.partition_index == partition);
        let Some(data) = data else {
            let reason = format!("no data for {topic}/{partition}");
            return Err(Error::Protocol {
                addr: conn.addr().into(),
                api: "Fetch",
                reason,
            });
        };
        match data.error_code {
            0 => Ok(Fetched::Data(Box::new(data))),
            OFFSET_OUT_OF_RANGE => {
                // The log's real end (not the last stable offset) tells truncation apart.
                let w = self
                    .cluster
                    .partition_watermarks(topic, partition, Isolation::ReadUncommitted)
                    .await;
                match w {
                    Ok(w) => Ok(Fetched::OutOfRange(w)),
                    Err(e) if e.is_connection() => Ok(Fetched::Retry(e)),
                    Err(e) => Err(e),
                }
            }
            code if is_leadership_error(code) || is_transient(code) => {
                self.cluster.forget_leader(topic, partition);
                if code == 3 {
                    // The topic or partition may be gone: this errors out if so.
                    self.cluster.leader_id(topic, partition).await?;
                }
                let err = Error::from_code("Fetch", code, ctx()).unwrap_or(Error::NoLeader {
                    topic: topic.clone(),
                    partition,
                });
                Ok(Fetched::Retry(err))
            }
            code => Err(
                Error::from_code("Fetch", code, ctx()).unwrap_or(Error::NoLeader {
                    topic: topic.clone(),
                    partition,
                }),
            ),
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((100u64 << attempt.min(5)).min(2_000))
}

/// Runs `f` again while it fails on the transport, with backoff; at most ~10 s.
async fn retry_connection<T, F, Fut>(mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempt = 0;
    loop {
        match f().await {
            Err(e) if e.is_connection() && attempt < 6 => {
                attempt += 1;
                tokio::time::sleep(backoff(attempt)).await;
            }
            other => return other,
        }
    }
}
