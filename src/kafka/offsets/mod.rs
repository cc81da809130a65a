//! Start positions and ListOffsets: earliest, latest, by timestamp.

use std::collections::HashMap;
use std::time::Duration;

use kafka_protocol::ResponseError;
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::{BrokerId, ListOffsetsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

pub mod position;

use super::cluster::Cluster;
use super::error::{About, Error, Result};
use super::reader::Isolation;
use super::retry::{Backoff, BackoffConfig, Recovery, classify};

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
/// How long ListOffsets keeps retrying partitions whose leader moved or is being elected.
const RETRY_FOR: Duration = Duration::from_secs(5);

type Answers = Vec<((String, i32), std::result::Result<i64, ResponseError>)>;

// ListOffsets is a request made through a `Cluster`, not part of its state: these are free
// functions so that `Cluster` (connections and metadata) keeps its one impl block.

/// ListOffsets for many partitions at once (grouped by leader): `spec` is -2 (earliest),
/// -1 (latest) or a timestamp. A timestamp with no record at or after it yields -1.
pub async fn list_offsets(
    cluster: &Cluster,
    parts: &[(String, i32)],
    spec: i64,
    isolation: Isolation,
) -> Result<HashMap<(String, i32), i64>> {
    let mut out = HashMap::with_capacity(parts.len());
    let mut todo: Vec<(String, i32)> = parts.to_vec();
    let mut backoff = Backoff::new(BackoffConfig::default().with_deadline(RETRY_FOR));
    while !todo.is_empty() {
        let mut by_leader: HashMap<i32, Vec<(String, i32)>> = HashMap::new();
        for (t, p) in &todo {
            let leader = cluster.leader_id(t, *p).await?;
            by_leader.entry(leader).or_default().push((t.clone(), *p));
        }
        let calls = by_leader.into_iter().map(|(leader, ps)| async move {
            (list_on(cluster, leader, &ps, spec, isolation).await, ps)
        });
        let mut retry = Vec::new();
        let mut last_err = None;
        for (res, ps) in futures::future::join_all(calls).await {
            match res {
                Ok(answers) => {
                    for (key, answer) in answers {
                        let err = match answer {
                            Ok(offset) => {
                                out.insert(key, offset);
                                continue;
                            }
                            Err(e) => e,
                        };
                        let about = About::Partition(&key.0, key.1);
                        let e = Error::from_code("ListOffsets", err.code(), about);
                        match (classify(err), e) {
                            (Recovery::Fatal, Some(e)) => {
                                let who = cluster.config().conn.security.principal();
                                return Err(e.with_principal(&who));
                            }
                            (_, e) => {
                                cluster.forget_leader(&key.0, key.1);
                                last_err = e.or(last_err);
                                retry.push(key);
                            }
                        }
                    }
                }
                Err(e) if e.recovery() != Recovery::Fatal => {
                    for (t, p) in &ps {
                        cluster.forget_leader(t, *p);
                    }
                    last_err = Some(e);
                    retry.extend(ps);
                }
                Err(e) => return Err(e),
            }
        }
        todo = retry;
        if let Some(err) = last_err.filter(|_| !todo.is_empty()) {
            let Some(pause) = backoff.next_pause() else {
                return Err(err);
            };
            tracing::info!(
                api = "ListOffsets",
                attempt = backoff.attempt(),
                partitions = todo.len(),
                reason = %err,
                "retrying after a metadata refresh"
            );
            // Refresh what we know about the topics before trying again.
            let mut topics: Vec<String> = todo.iter().map(|(t, _)| t.clone()).collect();
            topics.sort();
            topics.dedup();
            let _ = cluster.metadata(Some(&topics)).await;
            tokio::time::sleep(pause).await;
        }
    }
    Ok(out)
}

/// One ListOffsets to one leader; every partition asked for must be in the answer.
async fn list_on(
    cluster: &Cluster,
    leader: i32,
    parts: &[(String, i32)],
    spec: i64,
    isolation: Isolation,
) -> Result<Answers> {
    let conn = cluster.broker(leader).await?;
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
    let mut out: Answers = Vec::with_capacity(parts.len());
    for t in resp.topics {
        for p in t.partitions {
            let key = (t.name.0.to_string(), p.partition_index);
            if !parts.contains(&key) || out.iter().any(|(k, _)| *k == key) {
                continue;
            }
            let answer = match ResponseError::try_from_code(p.error_code) {
                None => Ok(p.offset),
                Some(e) => Err(e),
            };
            out.push((key, answer));
        }
    }
    if let Some((t, p)) = parts.iter().find(|k| !out.iter().any(|(o, _)| o == *k)) {
        return Err(Error::Protocol {
            addr: conn.addr().into(),
            api: "ListOffsets",
            reason: format!("the answer leaves out {t}/{p}"),
        });
    }
    Ok(out)
}

/// Low and high watermarks of partitions (high = last stable offset under read_committed).
pub async fn watermarks(
    cluster: &Cluster,
    parts: &[(String, i32)],
    isolation: Isolation,
) -> Result<HashMap<(String, i32), Watermarks>> {
    let (low, high) = tokio::try_join!(
        list_offsets(cluster, parts, EARLIEST, isolation),
        list_offsets(cluster, parts, LATEST, isolation)
    )?;
    Ok(low
        .into_iter()
        .filter_map(|(k, l)| high.get(&k).map(|&h| (k, Watermarks { low: l, high: h })))
        .collect())
}

/// One partition's watermarks.
pub async fn partition_watermarks(
    cluster: &Cluster,
    topic: &str,
    partition: i32,
    isolation: Isolation,
) -> Result<Watermarks> {
    let key = (topic.to_string(), partition);
    let mut w = watermarks(cluster, std::slice::from_ref(&key), isolation).await?;
    // list_on checks that every partition is answered, so this is only a safety net.
    w.remove(&key).ok_or_else(|| Error::Protocol {
        addr: "the partition leader".into(),
        api: "ListOffsets",
        reason: format!("no watermarks for {topic}/{partition}"),
    })
}

/// The offset a read starting at `start` begins with, checked against the watermarks.
pub async fn resolve(
    cluster: &Cluster,
    topic: &str,
    partition: i32,
    start: StartAt,
    isolation: Isolation,
) -> Result<(i64, Watermarks)> {
    let w = partition_watermarks(cluster, topic, partition, isolation).await?;
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
            let found = list_offsets(cluster, std::slice::from_ref(&key), ms, isolation).await?;
            match found.get(&key).copied() {
                Some(o) if o >= 0 => o.clamp(w.low, w.high),
                _ => w.high,
            }
        }
    };
    Ok((offset, w))
}
