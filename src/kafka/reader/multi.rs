//! One Fetch for many partitions of a topic on the same leader, without a session and
//! without waiting (the merged view's pages): each partition's records from its offset, up to
//! its own byte limit, decoded as the reader does (control batches, aborted transactions and
//! corrupt batches left out). A partition whose answer is an error comes back as `None`: the
//! caller reads it the slow way, with a `PartitionReader` that knows how to recover.

use std::collections::HashMap;
use std::time::Duration;

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::{BrokerId, FetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::fetch::FETCH_MAX_VERSION;
use super::{Isolation, ReaderEventKind};
use crate::kafka::cluster::Cluster;
use crate::kafka::error::Result;
use crate::kafka::records::{Message, split_batches};

/// One partition to read in a multi-partition fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartFetch {
    /// The partition.
    pub partition: i32,
    /// The offset the fetch asks from.
    pub offset: i64,
    /// The lowest offset kept of the batches that come (at most `offset`): the first batch
    /// may begin before `offset`, and its earlier records cost nothing more to keep.
    pub keep_from: i64,
    /// The most bytes this partition may add to the answer.
    pub max_bytes: i32,
}

/// What a multi-partition fetch brought for one partition.
#[derive(Debug, Clone)]
pub struct PartFetched {
    /// The partition.
    pub partition: i32,
    /// Its records from `keep_from`, in offset order.
    pub records: Vec<Message>,
    /// Where reading goes on.
    pub next: i64,
    /// The end of what is readable (the last stable offset under read_committed).
    pub end: i64,
    /// The log start offset the broker reported (-1 when it did not).
    pub log_start: i64,
    /// The answer held only part of a batch: ask again with more bytes.
    pub too_small: bool,
}

/// Reads `parts` of `topic` with one Fetch per leader, all leaders at once, on the cluster's
/// shared connections. Partitions the answer has no good data for are `None`.
pub async fn fetch_many(
    cluster: &Cluster,
    topic: &str,
    parts: &[PartFetch],
    isolation: Isolation,
) -> Result<HashMap<i32, Option<PartFetched>>> {
    let mut by_leader: HashMap<i32, Vec<PartFetch>> = HashMap::new();
    for p in parts {
        let leader = cluster.leader_id(topic, p.partition).await?;
        by_leader.entry(leader).or_default().push(*p);
    }
    let calls = by_leader.into_iter().map(|(leader, ps)| async move {
        (fetch_on(cluster, leader, topic, &ps, isolation).await, ps)
    });
    let mut out = HashMap::with_capacity(parts.len());
    for (res, ps) in futures::future::join_all(calls).await {
        match res {
            Ok(answers) => out.extend(answers),
            Err(e) if e.recovery() == crate::kafka::retry::Recovery::Fatal => return Err(e),
            Err(_) => {
                for p in ps {
                    cluster.forget_leader(topic, p.partition);
                    out.insert(p.partition, None);
                }
            }
        }
    }
    Ok(out)
}

async fn fetch_on(
    cluster: &Cluster,
    leader: i32,
    topic: &str,
    parts: &[PartFetch],
    isolation: Isolation,
) -> Result<Vec<(i32, Option<PartFetched>)>> {
    let conn = cluster.broker(leader).await?;
    let version = conn.version::<FetchRequest>(FETCH_MAX_VERSION)?;
    let total: i32 = parts
        .iter()
        .fold(0i32, |a, p| a.saturating_add(p.max_bytes.max(1)));
    let req = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(0)
        .with_min_bytes(0)
        .with_max_bytes(total)
        .with_isolation_level(isolation.code())
        .with_session_id(0)
        .with_session_epoch(-1)
        .with_topics(vec![
            FetchTopic::default()
                .with_topic(TopicName(StrBytes::from_string(topic.to_string())))
                .with_partitions(
                    parts
                        .iter()
                        .map(|p| {
                            FetchPartition::default()
                                .with_partition(p.partition)
                                .with_current_leader_epoch(-1)
                                .with_fetch_offset(p.offset)
                                .with_last_fetched_epoch(-1)
                                .with_log_start_offset(-1)
                                .with_partition_max_bytes(p.max_bytes.max(1))
                        })
                        .collect(),
                ),
        ]);
    let resp = conn.send(&req, version, Duration::ZERO).await?;
    if resp.error_code != 0 {
        return Ok(parts.iter().map(|p| (p.partition, None)).collect());
    }
    let mut datas: Vec<PartitionData> = resp
        .responses
        .into_iter()
        .filter(|t| t.topic.0.as_str() == topic)
        .flat_map(|t| t.partitions)
        .collect();
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let found = datas
            .iter()
            .position(|d| d.partition_index == p.partition)
            .map(|i| datas.swap_remove(i));
        let answer = found
            .filter(|d| d.error_code == 0)
            .map(|d| decode(&d, p, isolation));
        if answer.is_none() {
            cluster.forget_leader(topic, p.partition);
        }
        out.push((p.partition, answer));
    }
    Ok(out)
}

/// One partition's answer as records, the way the reader walks them.
fn decode(data: &PartitionData, p: &PartFetch, isolation: Isolation) -> PartFetched {
    let records = data.records.clone().unwrap_or_default();
    let (items, truncated) = split_batches(&records);
    let aborted = match isolation {
        Isolation::ReadUncommitted => Vec::new(),
        Isolation::ReadCommitted => {
            let mut v: Vec<(i64, i64)> = data
                .aborted_transactions
                .iter()
                .flatten()
                .map(|a| (a.producer_id.0, a.first_offset))
                .collect();
            v.sort_by_key(|a| a.1);
            v
        }
    };
    let from = p.keep_from.min(p.offset);
    let walked = super::batches::walk(&items, p.partition, from, None, &aborted);
    let mut out = Vec::new();
    for ev in walked.events {
        if let ReaderEventKind::Messages(m) = ev {
            out.extend(m);
        }
    }
    let end = match (isolation, data.last_stable_offset) {
        (Isolation::ReadCommitted, lso) if lso >= 0 => lso,
        _ => data.high_watermark,
    };
    PartFetched {
        partition: p.partition,
        records: out,
        next: walked.next.max(p.offset),
        end,
        log_start: data.log_start_offset,
        too_small: items.is_empty() && truncated,
    }
}
