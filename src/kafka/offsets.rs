//! Start positions and ListOffsets: earliest, latest, by timestamp.

use std::collections::HashMap;
use std::time::Duration;

use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::{BrokerId, ListOffsetsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::cluster::Cluster;
use super::error::{Error, Result};
use super::reader::Isolation;

/// Where a read starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    /// The partition's first retained record.
    Beginning,
    /// After the last record: only new records.
    End,
    /// An absolute offset.
    Offset(i64),
    /// N records before the end.
    FromEnd(i64),
    /// The first record with a timestamp at or after these milliseconds since the epoch.
    Timestamp(i64),
    /// Where an earlier read of this partition stopped (paging): records deleted since are
    /// skipped, and the reader says so (`ReaderEventKind::Skipped`); a position past the
    /// end means the log was truncated (`Error::LogTruncated`).
    Resume(i64),
}

/// A partition's low and high watermarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermarks {
    /// The first offset in the log.
    pub low: i64,
    /// The offset after the last readable record.
    pub high: i64,
}

impl Watermarks {
    /// Records between the watermarks.
    pub fn count(&self) -> i64 {
        (self.high - self.low).max(0)
    }
}

const EARLIEST: i64 = -2;
const LATEST: i64 = -1;
const LIST_OFFSETS_MAX_VERSION: i16 = 7;
const RETRIES: u32 = 5;

/// Error codes after which the leader must be looked up again.
pub(crate) fn is_leadership_error(code: i16) -> bool {
    // NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION,
    // REPLICA_NOT_AVAILABLE, KAFKA_STORAGE_ERROR, FENCED/UNKNOWN_LEADER_EPOCH, OFFSET_NOT_AVAILABLE
    matches!(code, 6 | 5 | 3 | 9 | 56 | 74 | 75 | 78)
}

impl Cluster {
    /// ListOffsets for many partitions at once (grouped by leader): `spec` is -2 (earliest),
    /// -1 (latest) or a timestamp. A timestamp with no record at or after it yields -1.
    pub async fn list_offsets(
        &self,
        parts: &[(String, i32)],
        spec: i64,
        isolation: Isolation,
    ) -> Result<HashMap<(String, i32), i64>> {
        let mut out = HashMap::with_capacity(parts.len());
        let mut todo: Vec<(String, i32)> = parts.to_vec();
        let mut attempt = 0;
        while !todo.is_empty() {
            let mut by_leader: HashMap<i32, Vec<(String, i32)>> = HashMap::new();
            for (t, p) in &todo {
                let leader = self.leader_id(t, *p).await?;
                by_leader.entry(leader).or_default().push((t.clone(), *p));
            }
            let calls = by_leader.into_iter().map(|(leader, ps)| async move {
                (self.list_on(leader, &ps, spec, isolation).await, ps)
            });
            let mut retry = Vec::new();
            let mut last_err = None;
            for (res, ps) in futures::future::join_all(calls).await {
                match res {
                    Ok(answers) => {
                        for (key, answer) in answers {
                            match answer {
                                Ok(offset) => {
                                    out.insert(key, offset);
                                }
                                Err(code) if is_leadership_error(code) => {
                                    self.forget_leader(&key.0, key.1);
                                    last_err = Error::from_code(
                                        "ListOffsets",
                                        code,
                                        Some(format!("{}/{}", key.0, key.1)),
                                    );
                                    retry.push(key);
                                }
                                Err(code) => {
                                    let ctx = Some(format!("{}/{}", key.0, key.1));
                                    if let Some(e) = Error::from_code("ListOffsets", code, ctx) {
                                        return Err(e);
                                    }
                                }
                            }
                        }
                    }
                    Err(e) if e.is_connection() => {
                        for (t, p) in &ps {
                            self.forget_leader(t, *p);
                        }
                        last_err = Some(e);
                        retry.extend(ps);
                    }
                    Err(e) => return Err(e),
                }
            }
            todo = retry;
            if !todo.is_empty() {
                attempt += 1;
                if attempt > RETRIES {
                    return Err(last_err.unwrap_or(Error::NoLeader {
                        topic: todo[0].0.clone(),
                        partition: todo[0].1,
                    }));
                }
                // Refresh what we know about the topics before trying again.
                let mut topics: Vec<String> = todo.iter().map(|(t, _)| t.clone()).collect();
                topics.dedup();
                let _ = self.metadata(Some(&topics)).await;
                tokio::time::sleep(Duration::from_millis(100 << attempt.min(4))).await;
            }
        }
        Ok(out)
    }

    async fn list_on(
        &self,
        leader: i32,
        parts: &[(String, i32)],
        spec: i64,
        isolation: Isolation,
    ) -> Result<Vec<((String, i32), std::result::Result<i64, i16>)>> {
        let conn = self.broker(leader).await?;
        let version = conn.version::<ListOffsetsRequest>(LIST_OFFSETS_MAX_VERSION)?;
        let mut topics: Vec<ListOffsetsTopic> = Vec::new();
        for (t, p) in parts {
            let part = ListOffsetsPartition::default()
                .with_partition_index(*p)
                .with_current_leader_epoch(-1)
                .with_timestamp(spec);
            match topics.iter_mut().find(|x| x.name.0.as_str() == t) {
                Some(x) => x.partitions.push(part),
                None => topics.push(
                    ListOffsetsTopic::default()
                        .with_name(TopicName(StrBytes::from_string(t.clone())))
                        .with_partitions(vec![part]),
                ),
            }
        }
        let req = ListOffsetsRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_isolation_level(isolation.code())
            .with_topics(topics);
        let resp = conn.send(&req, version, Duration::ZERO).await?;
        let mut out = Vec::new();
        for t in resp.topics {
            for p in t.partitions {
                let key = (t.name.0.to_string(), p.partition_index);
                let answer = if p.error_code == 0 {
                    Ok(p.offset)
                } else {
                    Err(p.error_code)
                };
                out.push((key, answer));
            }
        }
        Ok(out)
    }

    /// Low and high watermarks of partitions (high = last stable offset under read_committed).
    pub async fn watermarks(
        &self,
        parts: &[(String, i32)],
        isolation: Isolation,
    ) -> Result<HashMap<(String, i32), Watermarks>> {
        let (low, high) = tokio::try_join!(
            self.list_offsets(parts, EARLIEST, isolation),
            self.list_offsets(parts, LATEST, isolation)
        )?;
        Ok(low
            .into_iter()
            .filter_map(|(k, l)| high.get(&k).map(|&h| (k, Watermarks { low: l, high: h })))
            .collect())
    }

    /// One partition's watermarks.
    pub async fn partition_watermarks(
        &self,
        topic: &str,
        partition: i32,
        isolation: Isolation,
    ) -> Result<Watermarks> {
        let key = (topic.to_string(), partition);
        let mut w = self
            .watermarks(std::slice::from_ref(&key), isolation)
            .await?;
        w.remove(&key).ok_or_else(|| Error::NoLeader {
            topic: topic.into(),
            partition,
        })
    }

    /// The offset a read starting at `start` begins with, checked against the watermarks.
    pub async fn resolve(
        &self,
        topic: &str,
        partition: i32,
        start: StartAt,
        isolation: Isolation,
    ) -> Result<(i64, Watermarks)> {
        let w = self
            .partition_watermarks(topic, partition, isolation)
            .await?;
        let offset = match start {
            StartAt::Beginning => w.low,
            StartAt::End => w.high,
            StartAt::FromEnd(n) => (w.high - n.max(0)).max(w.low),
            StartAt::Offset(n) => {
                if n < w.low || n > w.high {
                    return Err(Error::OffsetOutOfRange {
                        topic: topic.into(),
                        partition,
                        offset: n,
                        low: w.low,
                        high: w.high,
                    });
                }
                n
            }
            StartAt::Resume(n) => {
                if n > w.high {
                    return Err(Error::LogTruncated {
                        topic: topic.into(),
                        partition,
                        offset: n,
                        high: w.high,
                    });
                }
                n.max(w.low)
            }
            StartAt::Timestamp(ms) => {
                let key = (topic.to_string(), partition);
                let found = self
                    .list_offsets(std::slice::from_ref(&key), ms, isolation)
                    .await?;
                match found.get(&key).copied() {
                    Some(o) if o >= 0 => o.clamp(w.low, w.high),
                    _ => w.high,
                }
            }
        };
        Ok((offset, w))
    }
}
