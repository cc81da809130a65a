//! Consumer groups, read-only: ListGroups on every broker, FindCoordinator, then DescribeGroups
//! (classic), ConsumerGroupDescribe (KIP-848) and OffsetFetch at each group's coordinator.
//! Only describe and fetch APIs exist here: the client can never join a group or commit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, DescribeGroupsRequest, FindCoordinatorRequest, GroupId,
    ListGroupsRequest, OffsetFetchRequest,
};
use kafka_protocol::protocol::StrBytes;

use super::cluster::Cluster;
use super::conn::Connection;
use super::error::{About, Error, Result};
use super::offsets::Watermarks;
use super::retry::{BackoffConfig, unless_fatal, with_backoff};

/// A group as ListGroups names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupListing {
    /// The group id.
    pub id: String,
    /// `classic`, `consumer` (KIP-848), `share`, `streams`, as the broker says (`classic` when
    /// the broker is older than ListGroups v5).
    pub group_type: String,
    /// The protocol type of a classic group (`consumer`, `connect`, or empty).
    pub protocol_type: String,
    /// The state ListGroups gave (v4+), else empty.
    pub state: String,
}

/// One member of a group and the partitions assigned to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupMember {
    /// The member id.
    pub id: String,
    /// The client id.
    pub client_id: String,
    /// The client's host as the coordinator saw it.
    pub host: String,
    /// Assigned partitions by topic.
    pub assigned: BTreeMap<String, Vec<i32>>,
}

/// A group as its coordinator describes it, with its committed offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDetail {
    /// What ListGroups said.
    pub listing: GroupListing,
    /// The state from the describe API (ListGroups' when the type has no describe here).
    pub state: String,
    /// The assignor (classic: the protocol, e.g. `range`; consumer: the server assignor).
    pub protocol: String,
    /// The members; None when the group's type cannot be described (share, streams).
    pub members: Option<Vec<GroupMember>>,
    /// Committed offsets by (topic, partition); empty for share groups.
    pub committed: BTreeMap<(String, i32), i64>,
}

const LIST_GROUPS_MAX: i16 = 5;
const FIND_COORDINATOR_MAX: i16 = 6;
const DESCRIBE_GROUPS_MAX: i16 = 6;
const CONSUMER_GROUP_DESCRIBE_MAX: i16 = 1;
const OFFSET_FETCH_MAX: i16 = 9;

fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

fn retries(cluster: &Cluster) -> BackoffConfig {
    BackoffConfig::default().with_deadline(cluster.config().conn.request_timeout)
}

/// Every group on every broker, sorted by id.
pub async fn list(cluster: &Cluster) -> Result<Vec<GroupListing>> {
    with_backoff("list groups", retries(cluster), || async {
        unless_fatal(list_once(cluster).await)
    })
    .await
}

async fn list_once(cluster: &Cluster) -> Result<Vec<GroupListing>> {
    let md = cluster.metadata(Some(&[])).await?;
    let mut out: BTreeMap<String, GroupListing> = BTreeMap::new();
    for broker in &md.brokers {
        let conn = cluster.broker(broker.id).await?;
        let version = conn.version::<ListGroupsRequest>(LIST_GROUPS_MAX)?;
        // No filters: every state and every type (the types filter exists from v5).
        let resp = conn
            .send(&ListGroupsRequest::default(), version, Duration::ZERO)
            .await?;
        if let Some(e) = Error::from_code("ListGroups", resp.error_code, About::Nothing) {
            return Err(e.with_principal(&conn.principal()));
        }
        for g in resp.groups {
            let group_type = if g.group_type.is_empty() {
                "classic".to_string()
            } else {
                g.group_type.to_string()
            };
            let id = g.group_id.0.to_string();
            out.insert(
                id.clone(),
                GroupListing {
                    id,
                    group_type,
                    protocol_type: g.protocol_type.to_string(),
                    state: g.group_state.to_string(),
                },
            );
        }
    }
    Ok(out.into_values().collect())
}

/// Describes `groups` and fetches their committed offsets, each at its coordinator; retried
/// as the classifier says (a coordinator that is loading or moved: find it again).
pub async fn describe(cluster: &Cluster, groups: &[GroupListing]) -> Result<Vec<GroupDetail>> {
    with_backoff("describe groups", retries(cluster), || async {
        unless_fatal(describe_once(cluster, groups).await)
    })
    .await
}

async fn describe_once(cluster: &Cluster, groups: &[GroupListing]) -> Result<Vec<GroupDetail>> {
    let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
    let coordinators = coordinators(cluster, &ids).await?;
    let mut by_broker: BTreeMap<i32, Vec<&GroupListing>> = BTreeMap::new();
    for g in groups {
        if let Some(&b) = coordinators.get(&g.id) {
            by_broker.entry(b).or_default().push(g);
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for (broker, members) in by_broker {
        let conn = cluster.broker(broker).await?;
        out.extend(describe_at(&conn, &members).await?);
    }
    out.sort_by(|a, b| a.listing.id.cmp(&b.listing.id));
    Ok(out)
}

/// Each group's coordinator broker id (FindCoordinator, batched from v4).
pub async fn coordinators(cluster: &Cluster, groups: &[String]) -> Result<HashMap<String, i32>> {
    let mut out = HashMap::with_capacity(groups.len());
    if groups.is_empty() {
        return Ok(out);
    }
    let conn = cluster.any_broker().await?;
    let version = conn.version::<FindCoordinatorRequest>(FIND_COORDINATOR_MAX)?;
    if version >= 4 {
        let req = FindCoordinatorRequest::default()
            .with_key_type(0)
            .with_coordinator_keys(groups.iter().map(|g| sb(g)).collect());
        let resp = conn.send(&req, version, Duration::ZERO).await?;
        for c in resp.coordinators {
            let key = c.key.to_string();
            if let Some(e) = Error::from_code("FindCoordinator", c.error_code, About::Group(&key)) {
                return Err(e.with_principal(&conn.principal()));
            }
            out.insert(key, c.node_id.0);
        }
    } else {
        for g in groups {
            let req = FindCoordinatorRequest::default().with_key(sb(g));
            let resp = conn.send(&req, version, Duration::ZERO).await?;
            if let Some(e) = Error::from_code("FindCoordinator", resp.error_code, About::Group(g)) {
                return Err(e.with_principal(&conn.principal()));
            }
            out.insert(g.clone(), resp.node_id.0);
        }
    }
    if let Some(missing) = groups.iter().find(|g| !out.contains_key(*g)) {
        return Err(Error::Protocol {
            addr: conn.addr().into(),
            api: "FindCoordinator",
            reason: format!("the answer leaves out group '{missing}'"),
        });
    }
    Ok(out)
}

async fn describe_at(conn: &Arc<Connection>, groups: &[&GroupListing]) -> Result<Vec<GroupDetail>> {
    let mut details: BTreeMap<String, GroupDetail> = groups
        .iter()
        .map(|g| {
            let d = GroupDetail {
                listing: (*g).clone(),
                state: g.state.clone(),
                protocol: String::new(),
                members: None,
                committed: BTreeMap::new(),
            };
            (g.id.clone(), d)
        })
        .collect();
    let of_type = |t: &str| -> Vec<String> {
        groups
            .iter()
            .filter(|g| g.group_type == t)
            .map(|g| g.id.clone())
            .collect()
    };
    let classic = of_type("classic");
    if !classic.is_empty() {
        describe_classic(conn, &classic, &mut details).await?;
    }
    let consumer = of_type("consumer");
    if !consumer.is_empty() {
        describe_consumer(conn, &consumer, &mut details).await?;
    }
    // Share groups keep no offsets that OffsetFetch returns.
    let with_offsets: Vec<String> = groups
        .iter()
        .filter(|g| g.group_type != "share")
        .map(|g| g.id.clone())
        .collect();
    for (group, offsets) in offset_fetch(conn, &with_offsets).await? {
        if let Some(d) = details.get_mut(&group) {
            d.committed = offsets;
        }
    }
    Ok(details.into_values().collect())
}

async fn describe_classic(
    conn: &Connection,
    ids: &[String],
    details: &mut BTreeMap<String, GroupDetail>,
) -> Result<()> {
    let version = conn.version::<DescribeGroupsRequest>(DESCRIBE_GROUPS_MAX)?;
    let req =
        DescribeGroupsRequest::default().with_groups(ids.iter().map(|g| GroupId(sb(g))).collect());
    let resp = conn.send(&req, version, Duration::ZERO).await?;
    for g in resp.groups {
        let id = g.group_id.0.to_string();
        if let Some(e) = Error::from_code("DescribeGroups", g.error_code, About::Group(&id)) {
            return Err(e.with_principal(&conn.principal()));
        }
        let Some(d) = details.get_mut(&id) else {
            continue;
        };
        d.state = g.group_state.to_string();
        d.protocol = g.protocol_data.to_string();
        let consumer = g.protocol_type.as_str() == "consumer";
        let members = g
            .members
            .iter()
            .map(|m| GroupMember {
                id: m.member_id.to_string(),
                client_id: m.client_id.to_string(),
                host: m.client_host.to_string(),
                // Only the consumer protocol's assignment has a known layout.
                assigned: if consumer {
                    super::wire::consumer_assignment(m.member_assignment.clone())
                        .unwrap_or_default()
                } else {
                    BTreeMap::new()
                },
            })
            .collect();
        d.members = Some(members);
    }
    Ok(())
}

async fn describe_consumer(
    conn: &Connection,
    ids: &[String],
    details: &mut BTreeMap<String, GroupDetail>,
) -> Result<()> {
    let version = conn.version::<ConsumerGroupDescribeRequest>(CONSUMER_GROUP_DESCRIBE_MAX)?;
    let req = ConsumerGroupDescribeRequest::default()
        .with_group_ids(ids.iter().map(|g| GroupId(sb(g))).collect());
    let resp = conn.send(&req, version, Duration::ZERO).await?;
    for g in resp.groups {
        let id = g.group_id.0.to_string();
        let about = About::Group(&id);
        if let Some(e) = Error::from_code("ConsumerGroupDescribe", g.error_code, about) {
            return Err(e.with_principal(&conn.principal()));
        }
        let Some(d) = details.get_mut(&id) else {
            continue;
        };
        d.state = g.group_state.to_string();
        d.protocol = g.assignor_name.to_string();
        let members = g
            .members
            .iter()
            .map(|m| GroupMember {
                id: m.member_id.to_string(),
                client_id: m.client_id.to_string(),
                host: m.client_host.to_string(),
                assigned: m
                    .assignment
                    .topic_partitions
                    .iter()
                    .map(|tp| (tp.topic_name.0.to_string(), tp.partitions.clone()))
                    .collect(),
            })
            .collect();
        d.members = Some(members);
    }
    Ok(())
}

type Offsets = BTreeMap<(String, i32), i64>;

/// Committed offsets of `groups` at their coordinator `conn` (v8+: one request for all).
async fn offset_fetch(conn: &Connection, groups: &[String]) -> Result<Vec<(String, Offsets)>> {
    let mut out = Vec::with_capacity(groups.len());
    if groups.is_empty() {
        return Ok(out);
    }
    let version = conn.version::<OffsetFetchRequest>(OFFSET_FETCH_MAX)?;
    let principal = || conn.principal();
    if version >= 8 {
        let req = OffsetFetchRequest::default().with_groups(
            groups
                .iter()
                .map(|g| {
                    OffsetFetchRequestGroup::default()
                        .with_group_id(GroupId(sb(g)))
                        .with_topics(None)
                })
                .collect(),
        );
        let resp = conn.send(&req, version, Duration::ZERO).await?;
        for g in resp.groups {
            let id = g.group_id.0.to_string();
            if let Some(e) = Error::from_code("OffsetFetch", g.error_code, About::Group(&id)) {
                return Err(e.with_principal(&principal()));
            }
            let mut offsets = Offsets::new();
            for t in g.topics {
                for p in t.partitions {
                    let about = About::Group(&id);
                    if let Some(e) = Error::from_code("OffsetFetch", p.error_code, about) {
                        return Err(e.with_principal(&principal()));
                    }
                    if p.committed_offset >= 0 {
                        offsets.insert(
                            (t.name.0.to_string(), p.partition_index),
                            p.committed_offset,
                        );
                    }
                }
            }
            out.push((id, offsets));
        }
        return Ok(out);
    }
    if version < 2 {
        // Null topics (every topic) exists from v2.
        return Err(Error::Unsupported {
            addr: conn.addr().into(),
            api: "OffsetFetch",
            broker: Some((1, version)),
            ours: (2, OFFSET_FETCH_MAX),
        });
    }
    for g in groups {
        let req = OffsetFetchRequest::default()
            .with_group_id(GroupId(sb(g)))
            .with_topics(None);
        let resp = conn.send(&req, version, Duration::ZERO).await?;
        if let Some(e) = Error::from_code("OffsetFetch", resp.error_code, About::Group(g)) {
            return Err(e.with_principal(&principal()));
        }
        let mut offsets = Offsets::new();
        for t in resp.topics {
            for p in t.partitions {
                if let Some(e) = Error::from_code("OffsetFetch", p.error_code, About::Group(g)) {
                    return Err(e.with_principal(&principal()));
                }
                if p.committed_offset >= 0 {
                    offsets.insert(
                        (t.name.0.to_string(), p.partition_index),
                        p.committed_offset,
                    );
                }
            }
        }
        out.push((g.clone(), offsets));
    }
    Ok(out)
}

/// One partition of a group: `{"group","topic","partition","committed","high","lag","member",
/// "client_id","host"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LagRow {
    /// The group.
    pub group: String,
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The committed offset, when there is one.
    pub committed: Option<i64>,
    /// The high watermark (None: the topic is gone).
    pub high: Option<i64>,
    /// high − committed; high − low when nothing is committed.
    pub lag: Option<i64>,
    /// The member assigned the partition: (member id, client id, host).
    pub member: Option<(String, String, String)>,
}

/// The rows of one group: every partition it has committed offsets for or has assigned to a
/// member (as Kafka's ConsumerGroupCommand --describe lists them), by topic and partition.
pub fn lag_rows(d: &GroupDetail, marks: &HashMap<(String, i32), Watermarks>) -> Vec<LagRow> {
    let mut owner: BTreeMap<(String, i32), (String, String, String)> = BTreeMap::new();
    for m in d.members.iter().flatten() {
        for (topic, parts) in &m.assigned {
            for &p in parts {
                let who = (m.id.clone(), m.client_id.clone(), m.host.clone());
                owner.insert((topic.clone(), p), who);
            }
        }
    }
    let keys: BTreeSet<(String, i32)> = d.committed.keys().chain(owner.keys()).cloned().collect();
    keys.into_iter()
        .map(|key| {
            let committed = d.committed.get(&key).copied();
            let w = marks.get(&key);
            let lag = w.map(|w| match committed {
                Some(c) => w.high - c,
                None => w.high - w.low,
            });
            LagRow {
                group: d.listing.id.clone(),
                member: owner.get(&key).cloned(),
                topic: key.0,
                partition: key.1,
                committed,
                high: w.map(|w| w.high),
                lag,
            }
        })
        .collect()
}

/// Watermarks of every partition the groups touch, on topics that still exist.
pub async fn watermarks_for(
    cluster: &Cluster,
    details: &[GroupDetail],
) -> Result<HashMap<(String, i32), Watermarks>> {
    let mut parts: BTreeSet<(String, i32)> = BTreeSet::new();
    for d in details {
        parts.extend(d.committed.keys().cloned());
        for m in d.members.iter().flatten() {
            for (t, ps) in &m.assigned {
                parts.extend(ps.iter().map(|&p| (t.clone(), p)));
            }
        }
    }
    if parts.is_empty() {
        return Ok(HashMap::new());
    }
    let md = cluster.metadata(None).await?;
    let exists: BTreeSet<(&str, i32)> = md
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| (t.name.as_str(), p.id)))
        .collect();
    let parts: Vec<(String, i32)> = parts
        .into_iter()
        .filter(|(t, p)| exists.contains(&(t.as_str(), *p)))
        .collect();
    super::offsets::watermarks(cluster, &parts, super::Isolation::ReadUncommitted).await
}
