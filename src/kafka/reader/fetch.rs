//! One Fetch and what it means for the reader: the request, the reader's own connection to
//! the leader, error classification (retry, refresh, fatal), OFFSET_OUT_OF_RANGE, aborted
//! transactions, and the backoff between attempts.

use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::{BrokerId, FetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::{FetchLoop, Isolation, ReaderConfig};
use crate::kafka::conn::Connection;
use crate::kafka::error::{Error, Result};
use crate::kafka::offsets::{Watermarks, is_leadership_error};

pub(super) const FETCH_MAX_VERSION: i16 = 12;
const OFFSET_OUT_OF_RANGE: i16 = 1;
/// Transient broker answers: wait and fetch again from the same leader.
fn is_transient(code: i16) -> bool {
    // REQUEST_TIMED_OUT, NETWORK_EXCEPTION, NOT_ENOUGH_REPLICAS, THROTTLING_QUOTA_EXCEEDED
    matches!(code, 7 | 13 | 19 | 89)
}

/// What one fetch brought.
pub(super) enum Fetched {
    Data(Box<PartitionData>),
    Retry(Error),
    /// OFFSET_OUT_OF_RANGE, with the partition's watermarks asked right after.
    OutOfRange(Watermarks),
}

impl FetchLoop {
    /// What OFFSET_OUT_OF_RANGE at `next` means, given the watermarks asked right after:
    /// below the log start, the records were deleted: skip to the new start (`Some`), or fail
    /// under `stop_at_end`, which promised every record up to the end. Above the log end, the
    /// log was truncated or the topic recreated: records already delivered may be gone or
    /// rewritten, so continuing would repeat offsets with other contents: fail. Inside the
    /// range, the answer raced a moving watermark: fetch again (`None`), a few times.
    pub(super) fn out_of_range(&self, next: i64, w: Watermarks, tries: u32) -> Result<Option<i64>> {
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

    pub(super) fn corrupt(&self, offset: i64, reason: String) -> Error {
        Error::Corrupt {
            topic: self.topic.clone(),
            partition: self.partition,
            offset,
            reason,
        }
    }

    /// Aborted transactions (producer id, first offset) by first offset; none when uncommitted.
    pub(super) fn aborted(&self, data: &PartitionData) -> Vec<(i64, i64)> {
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
    pub(super) async fn fetch(&self, offset: i64, partition_max: i32) -> Result<Fetched> {
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
        let req = fetch_request(topic, partition, offset, partition_max, &self.config);
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

/// The Fetch this reader sends: one partition from `offset`, no fetch session, limits and
/// isolation from `config`.
pub fn fetch_request(
    topic: &str,
    partition: i32,
    offset: i64,
    partition_max: i32,
    config: &ReaderConfig,
) -> FetchRequest {
    FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(config.max_wait.as_millis() as i32)
        .with_min_bytes(config.min_bytes)
        .with_max_bytes(config.max_bytes)
        .with_isolation_level(config.isolation.code())
        .with_session_id(0)
        .with_session_epoch(-1)
        .with_topics(vec![
            FetchTopic::default()
                .with_topic(TopicName(StrBytes::from_string(topic.to_string())))
                .with_partitions(vec![
                    FetchPartition::default()
                        .with_partition(partition)
                        .with_current_leader_epoch(-1)
                        .with_fetch_offset(offset)
                        .with_last_fetched_epoch(-1)
                        .with_log_start_offset(-1)
                        .with_partition_max_bytes(partition_max),
                ]),
        ])
}

pub(super) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((100u64 << attempt.min(5)).min(2_000))
}

/// Runs `f` again while it fails on the transport, with backoff; at most ~10 s.
pub(super) async fn retry_connection<T, F, Fut>(mut f: F) -> Result<T>
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
