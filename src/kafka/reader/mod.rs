//! `PartitionReader`: one partition from a start position, as batches of messages on a
//! bounded channel. The channel's capacity is the prefetch budget; rewinding means starting
//! a new reader; dropping the handle ends the task.

mod batches;
mod fetch;
mod multi;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::cluster::Cluster;
use super::conn::Connection;
use super::error::{Error, Result};
use super::offsets::{StartAt, Watermarks};
use super::records::{Message, split_batches};
use super::retry::{Backoff, BackoffConfig, unless_fatal, with_backoff};
use fetch::Fetched;
pub use fetch::fetch_request;
pub use multi::{PartFetch, PartFetched, fetch_many};

/// How long a reader retries resolving its start position before it fails.
const RESOLVE_RETRY_FOR: Duration = Duration::from_secs(10);

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
    /// How long the broker may hold a fetch that has nothing new.
    pub max_wait: Duration,
    /// Bytes a fetch waits for before answering.
    pub min_bytes: i32,
    /// The most bytes one fetch response may carry.
    pub max_bytes: i32,
    /// The most bytes one partition may add to a fetch response (doubled for a bigger batch).
    pub partition_max_bytes: i32,
    /// The most memory one fetch's records should take once decompressed and parsed: after
    /// a fetch that took more (highly compressible data), the next asks for proportionally
    /// fewer bytes (never fewer than 64 KiB, never more than `partition_max_bytes`). Memory
    /// is bounded by `capacity` events of about this size.
    pub fetch_budget: usize,
    /// Committed records only, or everything.
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
            fetch_budget: 16 << 20,
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
    /// The `generation` of the reader's config.
    pub generation: u64,
    /// The partition read.
    pub partition: i32,
    /// What happened.
    pub kind: ReaderEventKind,
}

/// What happened.
#[derive(Debug)]
pub enum ReaderEventKind {
    /// The start position is resolved; the watermarks are as of now.
    Started {
        /// The first offset the reader asks for.
        offset: i64,
        /// The watermarks at start.
        watermarks: Watermarks,
    },
    /// Records in offset order.
    Messages(Vec<Message>),
    /// Everything readable was delivered; `next` is where reading continues.
    CaughtUp {
        /// The next offset to read.
        next: i64,
        /// The high watermark the broker reported.
        high: i64,
    },
    /// The connection was lost; the reader retries from `next` after a pause.
    Reconnecting {
        /// Where reading goes on.
        next: i64,
        /// Attempts so far.
        attempt: u32,
        /// Why.
        error: Error,
    },
    /// Records `from..to` were deleted (retention, delete-records) before this reader got to
    /// them; it goes on at `to`, the log's new start. Only a reader without `stop_at_end`
    /// skips; with it, the deletion fails the reader (`Error::RecordsDeleted`).
    Skipped {
        /// The first deleted offset.
        from: i64,
        /// The log's new start.
        to: i64,
    },
    /// The batch at `from..to` failed its checksum or could not be decoded; the reader left
    /// it out and goes on at `to`.
    Corrupt {
        /// The first offset left out.
        from: i64,
        /// The offset after the batch.
        to: i64,
        /// True for a control batch (a transaction marker): no records were lost. librdkafka's
        /// mock cluster writes its markers with checksum 0.
        control: bool,
        /// What was wrong with it.
        reason: String,
    },
    /// `stop_at_end` reached its end.
    Finished {
        /// The offset after the last record delivered.
        next: i64,
    },
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
    /// The prefetch budget is the channel's: give it `config.capacity` slots per reader that
    /// shares it, as `start` does for one.
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
        let (topic, partition) = (self.topic.clone(), self.partition);
        let generation = self.config.generation;
        tracing::info!(%topic, partition, ?start, generation, "reader started");
        let outcome = self.read(start).await;
        match &outcome {
            Ok(()) => tracing::info!(%topic, partition, generation, "reader stopped"),
            Err(error) => {
                tracing::warn!(%topic, partition, generation, %error, "reader stopped on an error")
            }
        }
        if let Err(e) = outcome {
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
        let resolve = || async {
            let r = super::offsets::resolve(
                &self.cluster,
                &self.topic,
                self.partition,
                start,
                isolation,
            )
            .await;
            unless_fatal(r)
        };
        let retry = BackoffConfig::default().with_deadline(RESOLVE_RETRY_FOR);
        let (mut next, watermarks) = with_backoff("resolving the start", retry, resolve).await?;
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
        // Fetch failures are retried for as long as the reader lives (it says so each time);
        // out-of-range answers that raced a moving watermark have a backoff of their own.
        let mut backoff = Backoff::new(BackoffConfig::default());
        let mut out_of_range_backoff = Backoff::new(BackoffConfig::default());
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
                        None => {
                            let pause = out_of_range_backoff.next_pause().unwrap_or_default();
                            tokio::time::sleep(pause).await;
                        }
                    }
                    continue;
                }
                Fetched::Retry(error) => {
                    let pause = backoff.next_pause().unwrap_or_default();
                    let attempt = backoff.attempt();
                    tracing::info!(
                        topic = %self.topic,
                        partition = self.partition,
                        next,
                        attempt,
                        pause_ms = pause.as_millis() as u64,
                        reason = %error,
                        "fetch failed; retrying"
                    );
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
                    tokio::time::sleep(pause).await;
                    continue;
                }
            };
            backoff.reset();
            out_of_range_backoff.reset();
            out_of_range = 0;
            let records = data.records.clone().unwrap_or_default();
            let (items, truncated) = split_batches(&records);
            if items.is_empty() && truncated {
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
            let walked = batches::walk(&items, self.partition, next, end, &aborted);
            partition_max = next_partition_max(&self.config, records.len(), &walked.events);
            for ev in walked.events {
                if let ReaderEventKind::Corrupt {
                    from, to, reason, ..
                } = &ev
                {
                    tracing::warn!(
                        topic = %self.topic,
                        partition = self.partition,
                        from,
                        to,
                        reason = %reason,
                        "corrupt record batch skipped"
                    );
                }
                if !self.emit(ev).await {
                    return Ok(());
                }
            }
            next = walked.next;
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
}

/// Bytes the next fetch asks of its partition: what keeps one fetch's records (`events`,
/// parsed from `fetched` bytes) near the config's `fetch_budget`.
fn next_partition_max(config: &ReaderConfig, fetched: usize, events: &[ReaderEventKind]) -> i32 {
    const FLOOR: usize = 64 << 10;
    let ceiling = (config.partition_max_bytes.max(1) as usize).max(FLOOR);
    let parsed: usize = events
        .iter()
        .map(|e| match e {
            ReaderEventKind::Messages(ms) => ms
                .iter()
                .map(|m| m.size() + std::mem::size_of::<Message>())
                .sum(),
            _ => 0,
        })
        .sum();
    if fetched == 0 || parsed == 0 {
        return ceiling as i32;
    }
    // fetch_budget / (parsed / fetched): this fetch's expansion, in integers.
    let want = (config.fetch_budget as u128 * fetched as u128 / parsed as u128) as usize;
    want.clamp(FLOOR, ceiling) as i32
}

#[cfg(test)]
mod budget_tests {
    use super::*;
    use crate::kafka::TimestampType;
    use crate::kafka::records::{BatchInfo, Codec};

    fn records(n: usize, value: usize) -> Vec<ReaderEventKind> {
        let m = Message {
            partition: 0,
            offset: 0,
            timestamp: 0,
            timestamp_type: TimestampType::CreateTime,
            key: None,
            value: Some(bytes::Bytes::from(vec![b'x'; value])),
            headers: vec![],
            batch: BatchInfo {
                base_offset: 0,
                last_offset: 0,
                codec: Codec::Lz4,
                transactional: false,
                producer_id: -1,
                producer_epoch: -1,
                leader_epoch: 0,
            },
        };
        vec![ReaderEventKind::Messages(vec![m; n])]
    }

    #[test]
    fn a_fetch_that_expands_past_the_budget_makes_the_next_ask_for_less() {
        let config = ReaderConfig {
            partition_max_bytes: 1 << 20,
            fetch_budget: 4 << 20,
            ..ReaderConfig::default()
        };
        let per = 1000 + std::mem::size_of::<Message>();
        // 1 MiB fetched became 16,384 records of `per` bytes: ask for budget / expansion.
        let events = records(16_384, 1000);
        let want = ((4u128 << 20) * (1 << 20) / (16_384 * per) as u128) as i32;
        assert_eq!(next_partition_max(&config, 1 << 20, &events), want);
        assert!(want < 1 << 20 && want > 64 << 10);
        // Data that does not expand past the budget: the configured size.
        assert_eq!(
            next_partition_max(&config, 1 << 20, &records(100, 1000)),
            1 << 20
        );
        // Extreme expansion: never below 64 KiB; nothing fetched: the configured size.
        assert_eq!(
            next_partition_max(&config, 1024, &records(100_000, 1000)),
            64 << 10
        );
        assert_eq!(next_partition_max(&config, 0, &[]), 1 << 20);
    }
}
