//! The Kafka client: connections, metadata, offsets, the partition reader, records.

pub mod cluster;
pub mod codec;
pub mod configs;
pub mod conn;
pub mod error;
pub mod groups;
pub mod merge;
pub mod offsets;
pub mod reader;
pub mod records;
pub mod retry;
pub mod sasl;
pub mod security;
pub mod topic_groups;
pub mod transport;
pub mod wire;

pub use cluster::{BrokerInfo, ClientConfig, Cluster, PartitionInfo, TopicInfo};
pub use error::{Error, Result};
pub use offsets::{StartAt, Watermarks};
pub use reader::{Isolation, PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind};
pub use records::{BatchInfo, Codec, Header, Message, TimestampType};
pub use security::{ConfigError, Security, SecurityProtocol};
