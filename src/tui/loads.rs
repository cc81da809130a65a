//! Loads the lists show: topics with message counts, a topic's partitions with watermarks.

use std::sync::Arc;
use std::time::Duration;

use crate::app::{GroupPartitionRow, GroupRow, PartitionRow, TopicRow};
use crate::kafka::{Cluster, Error, Isolation};

/// How long a load may take before it is reported as failed.
const LOAD_TIMEOUT: Duration = Duration::from_secs(15);

async fn timed<T>(
    what: &'static str,
    f: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match tokio::time::timeout(LOAD_TIMEOUT, f).await {
        Ok(r) => r,
        Err(_) => Err(Error::TookTooLong {
            what,
            after: LOAD_TIMEOUT,
        }),
    }
}

/// All topics; message counts when the watermarks could be read.
pub async fn topics(cluster: Arc<Cluster>, isolation: Isolation) -> Result<Vec<TopicRow>, Error> {
    timed("listing topics", async {
        let md = cluster.metadata(None).await?;
        let parts: Vec<(String, i32)> = md
            .topics
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
            .collect();
        // Counts are a bonus: without them the list still shows.
        let marks = crate::kafka::offsets::watermarks(&cluster, &parts, isolation)
            .await
            .ok();
        Ok(md
            .topics
            .into_iter()
            .map(|t| {
                let messages = marks.as_ref().and_then(|m| {
                    t.partitions
                        .iter()
                        .map(|p| m.get(&(t.name.clone(), p.id)).map(|w| w.count()))
                        .sum::<Option<i64>>()
                });
                TopicRow {
                    partitions: t.partitions.len(),
                    name: t.name.into(),
                    internal: t.internal,
                    messages,
                }
            })
            .collect())
    })
    .await
}

/// One topic's partitions with their watermarks.
pub async fn partitions(
    cluster: Arc<Cluster>,
    topic: String,
    isolation: Isolation,
) -> Result<Vec<PartitionRow>, Error> {
    timed("loading partitions", async {
        let info = cluster.topic(&topic).await?;
        let parts: Vec<(String, i32)> = info
            .partitions
            .iter()
            .map(|p| (topic.clone(), p.id))
            .collect();
        let marks = crate::kafka::offsets::watermarks(&cluster, &parts, isolation).await?;
        Ok(info
            .partitions
            .into_iter()
            .map(|p| {
                let w = marks.get(&(topic.clone(), p.id));
                PartitionRow {
                    id: p.id,
                    leader: p.leader,
                    replicas: p.replicas,
                    isr: p.isr,
                    low: w.map(|w| w.low),
                    high: w.map(|w| w.high),
                }
            })
            .collect())
    })
    .await
}

/// Where the broker has no ListGroups (librdkafka's mock cluster): the groups named with
/// `--group`, from their committed offsets on every topic, with (group, topic, partition,
/// committed, high watermark).
async fn named_groups(
    cluster: &Cluster,
    known: &[String],
) -> Result<Vec<(String, String, i32, i64, Option<i64>)>, Error> {
    let md = cluster.metadata(None).await?;
    let topics: Vec<(String, Vec<i32>)> = md
        .topics
        .iter()
        .filter(|t| !t.internal)
        .map(|t| (t.name.clone(), t.partitions.iter().map(|p| p.id).collect()))
        .collect();
    let commits = crate::kafka::topic_groups::named_group_commits(cluster, known, &topics).await?;
    let parts: Vec<(String, i32)> = commits.keys().map(|(_, t, p)| (t.clone(), *p)).collect();
    let marks =
        crate::kafka::offsets::watermarks(cluster, &parts, Isolation::ReadUncommitted).await?;
    Ok(commits
        .into_iter()
        .map(|((g, t, p), c)| {
            let high = marks.get(&(t.clone(), p)).map(|w| w.high);
            (g, t, p, c, high)
        })
        .collect())
}

fn no_list_groups(e: &Error) -> bool {
    matches!(
        e,
        Error::Unsupported {
            api: "ListGroups",
            ..
        }
    )
}

/// Every group with its type, state, members and total lag; where the broker cannot list
/// groups, the `known` ones (`--group`) with their lag, marked `no ListGroups`.
pub async fn groups(cluster: Arc<Cluster>, known: &[String]) -> Result<Vec<GroupRow>, Error> {
    timed("listing groups", async {
        let listed = match crate::kafka::groups::list(&cluster).await {
            Err(e) if no_list_groups(&e) && !known.is_empty() => {
                let rows = named_groups(&cluster, known).await?;
                return Ok(known
                    .iter()
                    .map(|g| GroupRow {
                        name: g.clone().into(),
                        group_type: "-".into(),
                        state: "no ListGroups".into(),
                        members: None,
                        // None: nothing committed (or a name that is not a group).
                        lag: rows
                            .iter()
                            .any(|r| r.0 == *g)
                            .then(|| {
                                rows.iter()
                                    .filter(|r| r.0 == *g)
                                    .map(|r| r.4.map(|h| (h - r.3).max(0)))
                                    .sum::<Option<i64>>()
                            })
                            .flatten(),
                    })
                    .collect());
            }
            r => r?,
        };
        let details = crate::kafka::groups::describe(&cluster, &listed).await?;
        let marks = crate::kafka::groups::watermarks_for(&cluster, &details).await?;
        Ok(details
            .iter()
            .map(|d| {
                let rows = crate::kafka::groups::lag_rows(d, &marks);
                GroupRow {
                    name: d.listing.id.clone().into(),
                    group_type: d.listing.group_type.clone().into(),
                    state: d.state.clone().into(),
                    members: d.members.as_ref().map(Vec::len),
                    lag: (d.listing.group_type != "share")
                        .then(|| rows.iter().filter_map(|r| r.lag).sum()),
                }
            })
            .collect())
    })
    .await
}

/// One group's partitions with their lag (where the broker cannot list groups: from its
/// committed offsets alone, without members).
pub async fn group(
    cluster: Arc<Cluster>,
    group: String,
    known: &[String],
) -> Result<Vec<GroupPartitionRow>, Error> {
    timed("loading the group", async {
        let listed = match crate::kafka::groups::list(&cluster).await {
            Err(e) if no_list_groups(&e) && !known.is_empty() => {
                let rows = named_groups(&cluster, std::slice::from_ref(&group)).await?;
                if rows.is_empty() {
                    return Err(Error::UnknownGroup { group });
                }
                return Ok(rows
                    .into_iter()
                    .map(|(_, t, p, c, high)| GroupPartitionRow {
                        topic: t.into(),
                        partition: p,
                        committed: Some(c),
                        high,
                        lag: high.map(|h| (h - c).max(0)),
                        member: None,
                    })
                    .collect());
            }
            r => r?,
        };
        let listing = listed
            .into_iter()
            .find(|g| g.id == group)
            .ok_or(Error::UnknownGroup { group })?;
        let details = crate::kafka::groups::describe(&cluster, &[listing]).await?;
        let marks = crate::kafka::groups::watermarks_for(&cluster, &details).await?;
        Ok(details
            .iter()
            .flat_map(|d| crate::kafka::groups::lag_rows(d, &marks))
            .map(|r| GroupPartitionRow {
                topic: r.topic.into(),
                partition: r.partition,
                committed: r.committed,
                high: r.high,
                lag: r.lag,
                member: r
                    .member
                    .map(|(_, client, host)| format!("{client} {host}").into()),
            })
            .collect())
    })
    .await
}

/// The configs the partitions screen's header shows.
pub const KEY_CONFIGS: [&str; 6] = [
    "cleanup.policy",
    "retention.ms",
    "retention.bytes",
    "max.message.bytes",
    "compression.type",
    "min.insync.replicas",
];

/// A topic's key configs (name, value), in `KEY_CONFIGS` order; empty when DescribeConfigs
/// fails (not allowed, an old broker): the header is a bonus.
pub async fn key_configs(cluster: Arc<Cluster>, topic: &str) -> Vec<(String, String)> {
    let Ok(all) = timed(
        "loading configs",
        crate::kafka::configs::topic_configs(&cluster, topic),
    )
    .await
    else {
        return Vec::new();
    };
    KEY_CONFIGS
        .iter()
        .filter_map(|k| {
            let c = all.iter().find(|c| c.name == *k)?;
            Some((c.name.clone(), c.value.clone()?))
        })
        .collect()
}

/// All of a topic's configs, for the configs view.
pub async fn configs(
    cluster: Arc<Cluster>,
    topic: &str,
) -> Result<Vec<crate::app::configs::ConfigRow>, Error> {
    let all = timed(
        "loading configs",
        crate::kafka::configs::topic_configs(&cluster, topic),
    )
    .await?;
    Ok(all
        .into_iter()
        .map(crate::app::configs::ConfigRow::of)
        .collect())
}

/// The committed offsets of every group on a topic's partitions (the groups column).
pub async fn topic_groups(
    cluster: Arc<Cluster>,
    topic: &str,
    partitions: &[i32],
    known: &[String],
) -> Result<crate::kafka::topic_groups::TopicCommits, Error> {
    timed(
        "loading group offsets",
        crate::kafka::topic_groups::topic_commits(&cluster, topic, partitions, known),
    )
    .await
}
