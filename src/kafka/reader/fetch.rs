//! One Fetch and what it means for the reader: the request, the reader's own connection to
//! the leader, error classification (retry, refresh, fatal), OFFSET_OUT_OF_RANGE, aborted
//! transactions. What to do after an error is `kafka::retry`'s decision.

use std::sync::Arc;

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::{BrokerId, FetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::{FetchLoop, Isolation, ReaderConfig};
use kafka_protocol::ResponseError;

use crate::kafka::conn::Connection;
use crate::kafka::error::{About, Error, Result};
use crate::kafka::offsets::{Watermarks, partition_watermarks};
use crate::kafka::retry::{Recovery, classify};

pub(super) const FETCH_MAX_VERSION: i16 = 12;

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

    /// One Fetch from the leader. Failures that retrying may cure (lost connection, moved
    /// leader, transient broker answers) come back as `Retry`; fatal ones as errors.
    pub(super) async fn fetch(&self, offset: i64, partition_max: i32) -> Result<Fetched> {
        let (topic, partition) = (&self.topic, self.partition);
        let retry = |e: Error| {
            if e.recovery() == Recovery::Refresh {
                self.cluster.forget_leader(topic, partition);
            }
            Ok(Fetched::Retry(e))
        };
        let conn = match self.fetch_connection().await {
            Ok(c) => c,
            Err(e) if e.recovery() != Recovery::Fatal => return retry(e),
            Err(e) => return Err(e),
        };
        let version = conn.version::<FetchRequest>(FETCH_MAX_VERSION)?;
        let req = fetch_request(topic, partition, offset, partition_max, &self.config);
        let resp = match conn.send(&req, version, self.config.max_wait).await {
            Ok(r) => r,
            Err(e) if e.recovery() != Recovery::Fatal => return retry(e),
            Err(e) => return Err(e),
        };
        let about = About::Partition(topic, partition);
        if let Some(e) = Error::from_code("Fetch", resp.error_code, about) {
            return match e.recovery() {
                Recovery::Fatal => Err(e.with_principal(&conn.principal())),
                _ => retry(e),
            };
        }
        let data = resp
            .responses
            .into_iter()
            .filter(|t| t.topic.0.as_str() == topic.as_str())
            .flat_map(|t| t.partitions)
            .find(|p| p.partition_index == partition);
        let Some(data) = data else {
            let reason = format!("the answer leaves out {topic}/{partition}");
            return Err(Error::Protocol {
                addr: conn.addr().into(),
                api: "Fetch",
                reason,
            });
        };
        let Some(err) = ResponseError::try_from_code(data.error_code) else {
            return Ok(Fetched::Data(Box::new(data)));
        };
        let e = Error::from_code("Fetch", data.error_code, about);
        match (err, classify(err), e) {
            (ResponseError::OffsetOutOfRange, _, _) => {
                // The log's real end (not the last stable offset) tells truncation apart.
                let w = partition_watermarks(
                    &self.cluster,
                    topic,
                    partition,
                    Isolation::ReadUncommitted,
                )
                .await;
                match w {
                    Ok(w) => Ok(Fetched::OutOfRange(w)),
                    Err(e) if e.recovery() != Recovery::Fatal => Ok(Fetched::Retry(e)),
                    Err(e) => Err(e),
                }
            }
            (_, Recovery::Fatal, Some(e)) => {
                Err(e.with_principal(&self.cluster.config().conn.security.principal()))
            }
            (err, _, Some(e)) => {
                if err == ResponseError::UnknownTopicOrPartition {
                    // The topic or partition may be gone: this errors out if so.
                    self.cluster.forget_leader(topic, partition);
                    self.cluster.leader_id(topic, partition).await?;
                }
                retry(e)
            }
            (err, _, None) => Err(Error::Protocol {
                addr: conn.addr().into(),
                api: "Fetch",
                reason: format!("error code {} for {topic}/{partition}", err.code()),
            }),
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
