//! Which groups read one topic, and where they are: the partitions screen's groups column.
//! One round per refresh: ListGroups on every broker, FindCoordinator for the groups (batched
//! from v4), then one OffsetFetch per coordinator (v8+: all its groups in one request) asking
//! for this topic's partitions only.

use std::collections::BTreeMap;
use std::time::Duration;

use kafka_protocol::messages::offset_fetch_request::{
    OffsetFetchRequestGroup, OffsetFetchRequestTopic, OffsetFetchRequestTopics,
};
use kafka_protocol::messages::{GroupId, OffsetFetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::cluster::Cluster;
use super::conn::Connection;
use super::error::{About, Error, Result};

const OFFSET_FETCH_MAX: i16 = 9;

/// The committed offsets of the groups on one topic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicCommits {
    /// (group, partition) → committed offset; only partitions with a commit.
    pub committed: BTreeMap<(String, i32), i64>,
    /// False when the broker has no ListGroups and the groups asked about were only the
    /// ones named to kbrowse (`--group`).
    pub listed: bool,
}

fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// Committed offsets by (group, topic, partition).
pub type Commits = BTreeMap<(String, String, i32), i64>;

/// The committed offsets on `topic`'s `partitions` of every group (share groups keep none
/// that OffsetFetch returns). Where the broker has no ListGroups (librdkafka's mock cluster),
/// the `known` groups are asked instead; where it has no OffsetFetch or FindCoordinator, the
/// error is `Error::Unsupported`.
pub async fn topic_commits(
    cluster: &Cluster,
    topic: &str,
    partitions: &[i32],
    known: &[String],
) -> Result<TopicCommits> {
    let (all, listed) =
        commits(cluster, &[(topic.to_string(), partitions.to_vec())], known).await?;
    Ok(TopicCommits {
        committed: all.into_iter().map(|((g, _, p), o)| ((g, p), o)).collect(),
        listed,
    })
}

/// The committed offsets of `groups` on `topics`' partitions, each group asked at its
/// coordinator. For brokers without ListGroups or DescribeGroups (librdkafka's mock cluster),
/// where only the groups' names are known.
pub async fn named_group_commits(
    cluster: &Cluster,
    groups: &[String],
    topics: &[(String, Vec<i32>)],
) -> Result<Commits> {
    let mut out = Commits::new();
    if groups.is_empty() || topics.is_empty() {
        return Ok(out);
    }
    let coordinators = super::groups::coordinators(cluster, groups).await?;
    let mut by_broker: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for g in groups {
        if let Some(&b) = coordinators.get(g) {
            by_broker.entry(b).or_default().push(g.clone());
        }
    }
    for (broker, groups) in by_broker {
        let conn = cluster.broker(broker).await?;
        fetch_at(&conn, &groups, topics, &mut out).await?;
    }
    Ok(out)
}

async fn commits(
    cluster: &Cluster,
    topics: &[(String, Vec<i32>)],
    known: &[String],
) -> Result<(Commits, bool)> {
    let (groups, listed) = match super::groups::list(cluster).await {
        Ok(listed) => {
            let ids = listed
                .into_iter()
                .filter(|g| g.group_type != "share")
                .map(|g| g.id)
                .collect::<Vec<_>>();
            (ids, true)
        }
        Err(Error::Unsupported {
            api: "ListGroups", ..
        }) if !known.is_empty() => (known.to_vec(), false),
        Err(e) => return Err(e),
    };
    Ok((named_group_commits(cluster, &groups, topics).await?, listed))
}

/// Keeps a partition's committed offset; a per-partition error is the group's error.
fn keep(
    out: &mut Commits,
    group: &str,
    topic: &str,
    partition: i32,
    offset: i64,
    error_code: i16,
) -> Result<()> {
    // A group that never committed on the topic answers -1 (or, on some brokers, an unknown
    // partition for a topic it never read): nothing to keep.
    if error_code == 3 {
        return Ok(());
    }
    if let Some(e) = Error::from_code("OffsetFetch", error_code, About::Group(group)) {
        return Err(e);
    }
    if offset >= 0 {
        out.insert((group.to_string(), topic.to_string(), partition), offset);
    }
    Ok(())
}

async fn fetch_at(
    conn: &Connection,
    groups: &[String],
    topics: &[(String, Vec<i32>)],
    out: &mut Commits,
) -> Result<()> {
    let version = conn.version::<OffsetFetchRequest>(OFFSET_FETCH_MAX)?;
    let principal = || conn.principal();
    if version >= 8 {
        let topics: Vec<OffsetFetchRequestTopics> = topics
            .iter()
            .map(|(t, ps)| {
                OffsetFetchRequestTopics::default()
                    .with_name(TopicName(sb(t)))
                    .with_partition_indexes(ps.clone())
            })
            .collect();
        let req = OffsetFetchRequest::default().with_groups(
            groups
                .iter()
                .map(|g| {
                    OffsetFetchRequestGroup::default()
                        .with_group_id(GroupId(sb(g)))
                        .with_topics(Some(topics.clone()))
                })
                .collect(),
        );
        let resp = conn.send(&req, version, Duration::ZERO).await?;
        for g in resp.groups {
            let id = g.group_id.0.to_string();
            if let Some(e) = Error::from_code("OffsetFetch", g.error_code, About::Group(&id)) {
                return Err(e.with_principal(&principal()));
            }
            for t in &g.topics {
                for p in &t.partitions {
                    keep(
                        out,
                        &id,
                        t.name.0.as_str(),
                        p.partition_index,
                        p.committed_offset,
                        p.error_code,
                    )
                    .map_err(|e| e.with_principal(&principal()))?;
                }
            }
        }
        return Ok(());
    }
    let topics: Vec<OffsetFetchRequestTopic> = topics
        .iter()
        .map(|(t, ps)| {
            OffsetFetchRequestTopic::default()
                .with_name(TopicName(sb(t)))
                .with_partition_indexes(ps.clone())
        })
        .collect();
    for g in groups {
        let req = OffsetFetchRequest::default()
            .with_group_id(GroupId(sb(g)))
            .with_topics(Some(topics.clone()));
        let resp = conn.send(&req, version, Duration::ZERO).await?;
        if let Some(e) = Error::from_code("OffsetFetch", resp.error_code, About::Group(g)) {
            return Err(e.with_principal(&principal()));
        }
        for t in &resp.topics {
            for p in &t.partitions {
                let topic = t.name.0.as_str();
                keep(
                    out,
                    g,
                    topic,
                    p.partition_index,
                    p.committed_offset,
                    p.error_code,
                )
                .map_err(|e| e.with_principal(&principal()))?;
            }
        }
    }
    Ok(())
}
