//! Bootstrap, metadata, and one connection per broker with leader lookup.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use kafka_protocol::messages::{
    MetadataRequest, TopicName, metadata_request::MetadataRequestTopic,
};
use kafka_protocol::protocol::StrBytes;
use tokio::sync::Mutex;

use super::conn::{ConnConfig, Connection};
use super::error::{About, Error, Result};

/// Where to connect and how.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Bootstrap addresses, `host:port`.
    pub bootstrap: Vec<String>,
    /// Per-connection settings.
    pub conn: ConnConfig,
}

impl ClientConfig {
    /// A config from a comma-separated broker list.
    pub fn new(brokers: &str) -> ClientConfig {
        let bootstrap = brokers
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.contains(':') {
                    s.to_string()
                } else {
                    format!("{s}:9092")
                }
            })
            .collect();
        ClientConfig {
            bootstrap,
            conn: ConnConfig::default(),
        }
    }
}

/// A broker as the cluster advertises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerInfo {
    /// The broker's node id.
    pub id: i32,
    /// The advertised host.
    pub host: String,
    /// The advertised port.
    pub port: i32,
    /// The rack, when the broker has one.
    pub rack: Option<String>,
}

impl BrokerInfo {
    /// `host:port`.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// One partition's placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    /// The partition number.
    pub id: i32,
    /// Leader broker id, -1 when there is none.
    pub leader: i32,
    /// The broker ids holding a replica.
    pub replicas: Vec<i32>,
    /// The broker ids of the in-sync replicas.
    pub isr: Vec<i32>,
}

/// A topic and its partitions (sorted by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicInfo {
    /// The topic's name.
    pub name: String,
    /// True for internal topics.
    pub internal: bool,
    /// Its partitions, sorted by id.
    pub partitions: Vec<PartitionInfo>,
}

/// A metadata snapshot: brokers by id and topics by name.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// Every broker the cluster advertises.
    pub brokers: Vec<BrokerInfo>,
    /// The topics asked for, sorted by name.
    pub topics: Vec<TopicInfo>,
    /// The broker id the cluster names as controller (-1: none; Metadata v0 has none).
    pub controller: i32,
}

const METADATA_MAX_VERSION: i16 = 12;

/// The client's view of a cluster: connections by broker id and a leader cache.
pub struct Cluster {
    config: ClientConfig,
    bootstrap: Mutex<Option<Arc<Connection>>>,
    conns: Mutex<HashMap<i32, Arc<Connection>>>,
    brokers: RwLock<HashMap<i32, BrokerInfo>>,
    leaders: RwLock<HashMap<(String, i32), i32>>,
}

impl Cluster {
    /// Connects to the first reachable bootstrap broker and loads the broker list.
    pub async fn connect(config: ClientConfig) -> Result<Arc<Cluster>> {
        let cluster = Arc::new(Cluster {
            config,
            bootstrap: Mutex::new(None),
            conns: Mutex::new(HashMap::new()),
            brokers: RwLock::new(HashMap::new()),
            leaders: RwLock::new(HashMap::new()),
        });
        cluster.metadata(Some(&[])).await?;
        Ok(cluster)
    }

    /// The configuration this cluster was opened with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// A live connection to any broker, for requests that any broker can answer.
    pub async fn any_broker(&self) -> Result<Arc<Connection>> {
        let mut slot = self.bootstrap.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| c.is_alive()) {
            return Ok(c.clone());
        }
        // Each address once: a broker that is both bootstrap and known would otherwise be
        // tried twice per attempt, doubling the wait on one that accepts but never answers.
        let known: Vec<String> = match self.brokers.read() {
            Ok(b) => b
                .values()
                .map(BrokerInfo::addr)
                .filter(|a| !self.config.bootstrap.contains(a))
                .collect(),
            Err(_) => Vec::new(),
        };
        let mut last = None;
        for addr in self.config.bootstrap.iter().chain(known.iter()) {
            match Connection::connect(addr, &self.config.conn).await {
                Ok(c) => {
                    *slot = Some(c.clone());
                    return Ok(c);
                }
                // TLS and authentication failures are the same on every broker: fatal
                // (Connection::connect logs the failure).
                Err(e) if matches!(e.recovery(), super::retry::Recovery::Fatal) => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        let last = last.unwrap_or(Error::Connect {
            addr: String::new(),
            reason: "the broker list is empty".into(),
        });
        Err(Error::NoBrokers {
            bootstrap: self.config.bootstrap.join(","),
            last: Box::new(last),
        })
    }

    /// Fetches metadata: `None` = every topic, `Some(list)` = those (empty: brokers only).
    pub async fn metadata(&self, topics: Option<&[String]>) -> Result<Metadata> {
        let conn = self.any_broker().await?;
        let version = conn.version::<MetadataRequest>(METADATA_MAX_VERSION)?;
        let mut list: Option<Vec<MetadataRequestTopic>> = topics.map(|ts| {
            ts.iter()
                .map(|t| {
                    MetadataRequestTopic::default()
                        .with_name(Some(TopicName(StrBytes::from_string(t.clone()))))
                })
                .collect()
        });
        // Metadata v0 has no null list: an empty one means every topic there.
        if version == 0 && list.is_none() {
            list = Some(Vec::new());
        }
        let req = MetadataRequest::default()
            // The field exists from v4; below it must keep its default (true) to be encodable.
            .with_allow_auto_topic_creation(version < 4)
            .with_topics(list);
        let resp = conn.send(&req, version, Default::default()).await?;
        tracing::debug!(
            addr = conn.addr(),
            brokers = resp.brokers.len(),
            topics = resp.topics.len(),
            "metadata"
        );
        let brokers: Vec<BrokerInfo> = resp
            .brokers
            .iter()
            .map(|b| BrokerInfo {
                id: b.node_id.0,
                host: b.host.to_string(),
                port: b.port,
                rack: b.rack.as_ref().map(|r| r.to_string()),
            })
            .collect();
        let mut out = Metadata {
            brokers,
            topics: Vec::with_capacity(resp.topics.len()),
            controller: if version >= 1 {
                resp.controller_id.0
            } else {
                -1
            },
        };
        for t in resp.topics {
            let name = t.name.map(|n| n.0.to_string()).unwrap_or_default();
            use kafka_protocol::ResponseError as E;
            match E::try_from_code(t.error_code) {
                None => {}
                Some(E::UnknownTopicOrPartition) => {
                    return Err(Error::UnknownTopic { topic: name });
                }
                // A topic being created or electing leaders: its partitions say which lack one.
                Some(E::LeaderNotAvailable) if !t.partitions.is_empty() => {}
                Some(_) => {
                    if let Some(err) =
                        Error::from_code("Metadata", t.error_code, About::Topic(&name))
                    {
                        return Err(err.with_principal(&conn.principal()));
                    }
                }
            }
            let mut partitions: Vec<PartitionInfo> = t
                .partitions
                .iter()
                .map(|p| PartitionInfo {
                    id: p.partition_index,
                    leader: p.leader_id.0,
                    replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                    isr: p.isr_nodes.iter().map(|b| b.0).collect(),
                })
                .collect();
            partitions.sort_by_key(|p| p.id);
            out.topics.push(TopicInfo {
                name,
                internal: t.is_internal,
                partitions,
            });
        }
        out.topics.sort_by(|a, b| a.name.cmp(&b.name));
        self.remember(&out);
        Ok(out)
    }

    fn remember(&self, md: &Metadata) {
        if let Ok(mut b) = self.brokers.write() {
            for broker in &md.brokers {
                b.insert(broker.id, broker.clone());
            }
        }
        if let Ok(mut l) = self.leaders.write() {
            for t in &md.topics {
                for p in &t.partitions {
                    l.insert((t.name.clone(), p.id), p.leader);
                }
            }
        }
    }

    /// One topic's metadata, or `UnknownTopic`.
    pub async fn topic(&self, topic: &str) -> Result<TopicInfo> {
        let md = self.metadata(Some(&[topic.to_string()])).await?;
        md.topics
            .into_iter()
            .find(|t| t.name == topic)
            .ok_or_else(|| Error::UnknownTopic {
                topic: topic.into(),
            })
    }

    /// The leader's id for a partition, refreshing metadata when it is not known.
    pub async fn leader_id(&self, topic: &str, partition: i32) -> Result<i32> {
        let cached = self
            .leaders
            .read()
            .ok()
            .and_then(|l| l.get(&(topic.to_string(), partition)).copied());
        if let Some(id) = cached.filter(|&id| id >= 0) {
            return Ok(id);
        }
        let info = self.topic(topic).await?;
        let count = info.partitions.len() as i32;
        let p = info
            .partitions
            .iter()
            .find(|p| p.id == partition)
            .ok_or_else(|| Error::UnknownPartition {
                topic: topic.into(),
                partition,
                count,
            })?;
        if p.leader < 0 {
            return Err(Error::NoLeader {
                topic: topic.into(),
                partition,
            });
        }
        Ok(p.leader)
    }

    /// A connection to the partition's leader.
    pub async fn leader(&self, topic: &str, partition: i32) -> Result<Arc<Connection>> {
        let id = self.leader_id(topic, partition).await?;
        self.broker(id).await
    }

    /// A connection to a broker by id, opened if needed.
    pub async fn broker(&self, id: i32) -> Result<Arc<Connection>> {
        let mut conns = self.conns.lock().await;
        if let Some(c) = conns.get(&id).filter(|c| c.is_alive()) {
            return Ok(c.clone());
        }
        // The bootstrap connection may already be to this broker: a second one would repeat
        // the TCP, TLS and SASL set-up (several round trips and a PBKDF2) for nothing.
        let addr = self
            .brokers
            .read()
            .ok()
            .and_then(|b| b.get(&id).map(BrokerInfo::addr));
        let bootstrap = self.bootstrap.lock().await.clone();
        if let Some(c) = bootstrap.filter(|c| c.is_alive() && Some(c.addr()) == addr.as_deref()) {
            conns.insert(id, c.clone());
            return Ok(c);
        }
        // Not connect_to: its hand-over takes the pool's lock, which this holds.
        let addr = self.address(id)?;
        let conn = Connection::connect(&addr, &self.config.conn).await?;
        conns.insert(id, conn.clone());
        Ok(conn)
    }

    /// A new connection of its own to a broker by id, outside the pool: a reader's long-poll
    /// fetches then never delay anyone else's requests, and closing it cancels them.
    pub async fn connect_to(&self, id: i32) -> Result<Arc<Connection>> {
        let addr = self.address(id)?;
        if let Some(c) = self.hand_over(id, &addr).await {
            return Ok(c);
        }
        Connection::connect(&addr, &self.config.conn).await
    }

    /// A known broker's address, or `UnknownBroker` naming the known ones.
    fn address(&self, id: i32) -> Result<String> {
        let (addr, known) = match self.brokers.read() {
            Ok(b) => {
                let mut known: Vec<i32> = b.keys().copied().collect();
                known.sort_unstable();
                (b.get(&id).map(BrokerInfo::addr), known)
            }
            Err(_) => (None, Vec::new()),
        };
        addr.ok_or(Error::UnknownBroker { id, known })
    }

    /// The start-up's connection to this broker, taken out of the pool, when no one else holds
    /// it: a headless read then sets up TCP, TLS and SASL once instead of twice. The next
    /// request that needs the pool opens a new connection.
    async fn hand_over(&self, id: i32, addr: &str) -> Option<Arc<Connection>> {
        // The order broker() takes them in.
        let mut conns = self.conns.lock().await;
        let mut slot = self.bootstrap.lock().await;
        let c = slot
            .as_ref()
            .filter(|c| c.is_alive() && c.addr() == addr)?
            .clone();
        let pooled = conns.get(&id).is_some_and(|p| Arc::ptr_eq(p, &c));
        // Held by the slot, the pool when pooled, and `c`: any other holder is using it.
        if Arc::strong_count(&c) != 2 + usize::from(pooled) {
            return None;
        }
        *slot = None;
        if pooled {
            conns.remove(&id);
        }
        tracing::debug!(addr, "the bootstrap connection is handed over to a reader");
        Some(c)
    }

    /// Forgets a partition's leader so the next lookup asks the cluster again.
    pub fn forget_leader(&self, topic: &str, partition: i32) {
        if let Ok(mut l) = self.leaders.write() {
            l.remove(&(topic.to_string(), partition));
        }
    }
}
