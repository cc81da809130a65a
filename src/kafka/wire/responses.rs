//! The responses, field by field as kafka-protocol 0.18 defines them, for the versions
//! this client sends.

use kafka_protocol::messages::api_versions_response::{
    ApiVersion, FinalizedFeatureKey, SupportedFeatureKey,
};
use kafka_protocol::messages::fetch_response::{
    AbortedTransaction, EpochEndOffset, FetchableTopicResponse, LeaderIdAndEpoch, PartitionData,
    SnapshotId,
};
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{
    ApiVersionsResponse, FetchResponse, ListOffsetsResponse, MetadataResponse,
    SaslAuthenticateResponse, SaslHandshakeResponse, TopicName,
};

use super::{Cursor, Res, Response};

/// Bytes of an empty string and an empty array: 1 in flexible versions, 2 or 4 otherwise.
fn str_len(flexible: bool) -> usize {
    if flexible { 1 } else { 2 }
}
fn arr_len(flexible: bool) -> usize {
    if flexible { 1 } else { 4 }
}
fn tags_len(flexible: bool) -> usize {
    usize::from(flexible)
}

impl Response for ApiVersionsResponse {
    const API: &'static str = "ApiVersions";
    const VERSIONS: (i16, i16) = (0, 3);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 3;
        let mut r = ApiVersionsResponse::default();
        r.error_code = c.i16("error_code")?;
        r.api_keys = c.array_of(flex, 6 + tags_len(flex), "api_keys", |c| {
            let mut k = ApiVersion::default();
            k.api_key = c.i16("api_key")?;
            k.min_version = c.i16("min_version")?;
            k.max_version = c.i16("max_version")?;
            k.unknown_tagged_fields = c.tagged_if(flex, "api_keys")?;
            Ok(k)
        })?;
        if version >= 1 {
            r.throttle_time_ms = c.i32("throttle_time_ms")?;
        }
        if flex {
            let feature_len = 1 + 2 + 2 + 1;
            let mut supported = Vec::new();
            let mut finalized = Vec::new();
            let (mut epoch, mut zk) = (r.finalized_features_epoch, r.zk_migration_ready);
            r.unknown_tagged_fields = c.tagged("ApiVersions response", |tag, f| {
                match tag {
                    0 => {
                        supported = f.array_of(true, feature_len, "supported_features", |c| {
                            let mut k = SupportedFeatureKey::default();
                            k.name = c.string(true, "feature name")?;
                            k.min_version = c.i16("min_version")?;
                            k.max_version = c.i16("max_version")?;
                            k.unknown_tagged_fields = c.tagged_if(true, "supported_features")?;
                            Ok(k)
                        })?
                    }
                    1 => epoch = f.i64("finalized_features_epoch")?,
                    2 => {
                        finalized = f.array_of(true, feature_len, "finalized_features", |c| {
                            let mut k = FinalizedFeatureKey::default();
                            k.name = c.string(true, "feature name")?;
                            k.max_version_level = c.i16("max_version_level")?;
                            k.min_version_level = c.i16("min_version_level")?;
                            k.unknown_tagged_fields = c.tagged_if(true, "finalized_features")?;
                            Ok(k)
                        })?
                    }
                    3 => zk = f.bool("zk_migration_ready")?,
                    _ => return Ok(false),
                }
                Ok(true)
            })?;
            r.supported_features = supported;
            r.finalized_features = finalized;
            r.finalized_features_epoch = epoch;
            r.zk_migration_ready = zk;
        }
        Ok(r)
    }
}

impl Response for MetadataResponse {
    const API: &'static str = "Metadata";
    const VERSIONS: (i16, i16) = (0, 12);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 9;
        let (s, a, t) = (str_len(flex), arr_len(flex), tags_len(flex));
        let mut r = MetadataResponse::default();
        if version >= 3 {
            r.throttle_time_ms = c.i32("throttle_time_ms")?;
        }
        let rack_len = if version >= 1 { s } else { 0 };
        r.brokers = c.array_of(flex, 4 + s + 4 + rack_len + t, "brokers", |c| {
            let mut b = MetadataResponseBroker::default();
            b.node_id = c.i32("node_id")?.into();
            b.host = c.string(flex, "broker host")?;
            b.port = c.i32("port")?;
            if version >= 1 {
                b.rack = c.nullable_string(flex, "broker rack")?;
            }
            b.unknown_tagged_fields = c.tagged_if(flex, "brokers")?;
            Ok(b)
        })?;
        if version >= 2 {
            r.cluster_id = c.nullable_string(flex, "cluster_id")?;
        }
        if version >= 1 {
            r.controller_id = c.i32("controller_id")?.into();
        }
        let partition_len = 2
            + 4
            + 4
            + if version >= 7 { 4 } else { 0 }
            + 2 * a
            + if version >= 5 { a } else { 0 }
            + t;
        let topic_len = 2
            + s
            + if version >= 10 { 16 } else { 0 }
            + usize::from(version >= 1)
            + a
            + if version >= 8 { 4 } else { 0 }
            + t;
        r.topics = c.array_of(flex, topic_len, "topics", |c| {
            let mut topic = MetadataResponseTopic::default();
            topic.error_code = c.i16("error_code")?;
            topic.name = c.nullable_string(flex, "topic name")?.map(TopicName);
            if version >= 10 {
                topic.topic_id = c.uuid("topic_id")?;
            }
            if version >= 1 {
                topic.is_internal = c.bool("is_internal")?;
            }
            topic.partitions = c.array_of(flex, partition_len, "partitions", |c| {
                let mut p = MetadataResponsePartition::default();
                p.error_code = c.i16("error_code")?;
                p.partition_index = c.i32("partition_index")?;
                p.leader_id = c.i32("leader_id")?.into();
                if version >= 7 {
                    p.leader_epoch = c.i32("leader_epoch")?;
                }
                p.replica_nodes = c.int32s(flex, "replica_nodes")?;
                p.isr_nodes = c.int32s(flex, "isr_nodes")?;
                if version >= 5 {
                    p.offline_replicas = c.int32s(flex, "offline_replicas")?;
                }
                p.unknown_tagged_fields = c.tagged_if(flex, "partitions")?;
                Ok(p)
            })?;
            if version >= 8 {
                topic.topic_authorized_operations = c.i32("topic_authorized_operations")?;
            }
            topic.unknown_tagged_fields = c.tagged_if(flex, "topics")?;
            Ok(topic)
        })?;
        if (8..=10).contains(&version) {
            r.cluster_authorized_operations = c.i32("cluster_authorized_operations")?;
        }
        r.unknown_tagged_fields = c.tagged_if(flex, "Metadata response")?;
        Ok(r)
    }
}

impl Response for ListOffsetsResponse {
    const API: &'static str = "ListOffsets";
    const VERSIONS: (i16, i16) = (1, 7);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 6;
        let (s, a, t) = (str_len(flex), arr_len(flex), tags_len(flex));
        let mut r = ListOffsetsResponse::default();
        if version >= 2 {
            r.throttle_time_ms = c.i32("throttle_time_ms")?;
        }
        let partition_len = 4 + 2 + 8 + 8 + if version >= 4 { 4 } else { 0 } + t;
        r.topics = c.array_of(flex, s + a + t, "topics", |c| {
            let mut topic = ListOffsetsTopicResponse::default();
            topic.name = TopicName(c.string(flex, "topic name")?);
            topic.partitions = c.array_of(flex, partition_len, "partitions", |c| {
                let mut p = ListOffsetsPartitionResponse::default();
                p.partition_index = c.i32("partition_index")?;
                p.error_code = c.i16("error_code")?;
                p.timestamp = c.i64("timestamp")?;
                p.offset = c.i64("offset")?;
                if version >= 4 {
                    p.leader_epoch = c.i32("leader_epoch")?;
                }
                p.unknown_tagged_fields = c.tagged_if(flex, "partitions")?;
                Ok(p)
            })?;
            topic.unknown_tagged_fields = c.tagged_if(flex, "topics")?;
            Ok(topic)
        })?;
        r.unknown_tagged_fields = c.tagged_if(flex, "ListOffsets response")?;
        Ok(r)
    }
}

impl Response for FetchResponse {
    const API: &'static str = "Fetch";
    const VERSIONS: (i16, i16) = (4, 12);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 12;
        let (s, a, t) = (str_len(flex), arr_len(flex), tags_len(flex));
        let mut r = FetchResponse::default();
        r.throttle_time_ms = c.i32("throttle_time_ms")?;
        if version >= 7 {
            r.error_code = c.i16("error_code")?;
            r.session_id = c.i32("session_id")?;
        }
        let partition_len = 4
            + 2
            + 8
            + 8
            + if version >= 5 { 8 } else { 0 }
            + a
            + if version >= 11 { 4 } else { 0 }
            + a
            + t;
        r.responses = c.array_of(flex, s + a + t, "topics", |c| {
            let mut topic = FetchableTopicResponse::default();
            topic.topic = TopicName(c.string(flex, "topic name")?);
            topic.partitions = c.array_of(flex, partition_len, "partitions", |c| {
                read_partition(c, version)
            })?;
            topic.unknown_tagged_fields = c.tagged_if(flex, "topics")?;
            Ok(topic)
        })?;
        if flex {
            r.unknown_tagged_fields = c.tagged("Fetch response", |tag, _| {
                if tag == 0 {
                    // node_endpoints, defined from v16 only.
                    return Err(format!("tagged field 0 is not valid in v{version}"));
                }
                Ok(false)
            })?;
        }
        Ok(r)
    }
}

fn read_partition(c: &mut Cursor, version: i16) -> Res<PartitionData> {
    let flex = version >= 12;
    let mut p = PartitionData::default();
    p.partition_index = c.i32("partition_index")?;
    p.error_code = c.i16("error_code")?;
    p.high_watermark = c.i64("high_watermark")?;
    p.last_stable_offset = c.i64("last_stable_offset")?;
    if version >= 5 {
        p.log_start_offset = c.i64("log_start_offset")?;
    }
    let aborted_len = 16 + tags_len(flex);
    p.aborted_transactions = c.nullable_array(flex, aborted_len, "aborted_transactions", |c| {
        let mut a = AbortedTransaction::default();
        a.producer_id = c.i64("producer_id")?.into();
        a.first_offset = c.i64("first_offset")?;
        a.unknown_tagged_fields = c.tagged_if(flex, "aborted_transactions")?;
        Ok(a)
    })?;
    if version >= 11 {
        p.preferred_read_replica = c.i32("preferred_read_replica")?.into();
    }
    p.records = c.nullable_bytes(flex, "records")?;
    if flex {
        let (mut diverging, mut leader, mut snapshot) = (None, None, None);
        p.unknown_tagged_fields = c.tagged("partitions", |tag, f| {
            match tag {
                0 => {
                    let mut e = EpochEndOffset::default();
                    e.epoch = f.i32("diverging_epoch.epoch")?;
                    e.end_offset = f.i64("diverging_epoch.end_offset")?;
                    e.unknown_tagged_fields = f.tagged("diverging_epoch", |_, _| Ok(false))?;
                    diverging = Some(e);
                }
                1 => {
                    let mut l = LeaderIdAndEpoch::default();
                    l.leader_id = f.i32("current_leader.leader_id")?.into();
                    l.leader_epoch = f.i32("current_leader.leader_epoch")?;
                    l.unknown_tagged_fields = f.tagged("current_leader", |_, _| Ok(false))?;
                    leader = Some(l);
                }
                2 => {
                    let mut s = SnapshotId::default();
                    s.end_offset = f.i64("snapshot_id.end_offset")?;
                    s.epoch = f.i32("snapshot_id.epoch")?;
                    s.unknown_tagged_fields = f.tagged("snapshot_id", |_, _| Ok(false))?;
                    snapshot = Some(s);
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if let Some(e) = diverging {
            p.diverging_epoch = e;
        }
        if let Some(l) = leader {
            p.current_leader = l;
        }
        if let Some(s) = snapshot {
            p.snapshot_id = s;
        }
    }
    Ok(p)
}

impl Response for SaslHandshakeResponse {
    const API: &'static str = "SaslHandshake";
    const VERSIONS: (i16, i16) = (0, 1);

    fn read(c: &mut Cursor, _version: i16) -> Res<Self> {
        let mut r = SaslHandshakeResponse::default();
        r.error_code = c.i16("error_code")?;
        r.mechanisms = c.array_of(false, str_len(false), "mechanisms", |c| {
            c.string(false, "mechanism")
        })?;
        Ok(r)
    }
}

impl Response for SaslAuthenticateResponse {
    const API: &'static str = "SaslAuthenticate";
    const VERSIONS: (i16, i16) = (0, 2);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 2;
        let mut r = SaslAuthenticateResponse::default();
        r.error_code = c.i16("error_code")?;
        r.error_message = c.nullable_string(flex, "error_message")?;
        r.auth_bytes = c
            .nullable_bytes(flex, "auth_bytes")?
            .ok_or_else(|| "auth_bytes is null".to_string())?;
        if version >= 1 {
            r.session_lifetime_ms = c.i64("session_lifetime_ms")?;
        }
        r.unknown_tagged_fields = c.tagged_if(flex, "SaslAuthenticate response")?;
        Ok(r)
    }
}
