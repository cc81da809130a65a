//! The read-only admin responses (FindCoordinator, ListGroups, DescribeGroups,
//! ConsumerGroupDescribe, OffsetFetch, DescribeConfigs), field by field as kafka-protocol 0.18
//! defines them, with the same bounds as the record-path decoders: every array count is
//! checked against the bytes left (at the smallest encoding of one element) first.

use std::collections::BTreeMap;

use kafka_protocol::messages::consumer_group_describe_response::{
    self as cgd, Assignment, Member, TopicPartitions,
};
use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResult, DescribeConfigsSynonym,
};
use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::find_coordinator_response::Coordinator;
use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponseGroup, OffsetFetchResponsePartition, OffsetFetchResponsePartitions,
    OffsetFetchResponseTopic, OffsetFetchResponseTopics,
};
use kafka_protocol::messages::{
    ConsumerGroupDescribeResponse, DescribeConfigsResponse, DescribeGroupsResponse,
    FindCoordinatorResponse, GroupId, ListGroupsResponse, OffsetFetchResponse, TopicName,
};

use super::{Cursor, Res, Response};

/// Bytes of an empty string, array and tagged section: compact in flexible versions.
fn lens(flex: bool) -> (usize, usize, usize) {
    if flex { (1, 1, 1) } else { (2, 4, 0) }
}

impl Response for FindCoordinatorResponse {
    const API: &'static str = "FindCoordinator";
    const VERSIONS: (i16, i16) = (0, 6);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 3;
        let mut r = FindCoordinatorResponse::default();
        if version >= 1 {
            r.throttle_time_ms = c.i32("throttle_time_ms")?;
        }
        if version <= 3 {
            r.error_code = c.i16("error_code")?;
            if version >= 1 {
                r.error_message = c.nullable_string(flex, "error_message")?;
            }
            r.node_id = c.i32("node_id")?.into();
            r.host = c.string(flex, "coordinator host")?;
            r.port = c.i32("port")?;
        } else {
            r.coordinators = c.array_of(true, 1 + 4 + 1 + 4 + 2 + 1 + 1, "coordinators", |c| {
                let mut k = Coordinator::default();
                k.key = c.string(true, "coordinator key")?;
                k.node_id = c.i32("node_id")?.into();
                k.host = c.string(true, "coordinator host")?;
                k.port = c.i32("port")?;
                k.error_code = c.i16("error_code")?;
                k.error_message = c.nullable_string(true, "error_message")?;
                k.unknown_tagged_fields = c.tagged_if(true, "coordinators")?;
                Ok(k)
            })?;
        }
        r.unknown_tagged_fields = c.tagged_if(flex, "FindCoordinator response")?;
        Ok(r)
    }
}

impl Response for ListGroupsResponse {
    const API: &'static str = "ListGroups";
    const VERSIONS: (i16, i16) = (0, 5);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 3;
        let (s, _, t) = lens(flex);
        let mut r = ListGroupsResponse::default();
        if version >= 1 {
            r.throttle_time_ms = c.i32("throttle_time_ms")?;
        }
        r.error_code = c.i16("error_code")?;
        let group_len =
            2 * s + if version >= 4 { s } else { 0 } + if version >= 5 { s } else { 0 } + t;
        r.groups = c.array_of(flex, group_len, "groups", |c| {
            let mut g = ListedGroup::default();
            g.group_id = GroupId(c.string(flex, "group_id")?);
            g.protocol_type = c.string(flex, "protocol_type")?;
            if version >= 4 {
                g.group_state = c.string(flex, "group_state")?;
            }
            if version >= 5 {
                g.group_type = c.string(flex, "group_type")?;
            }
            g.unknown_tagged_fields = c.tagged_if(flex, "groups")?;
            Ok(g)
        })?;
        r.unknown_tagged_fields = c.tagged_if(flex, "ListGroups response")?;
        Ok(r)
    }
}

impl Response for DescribeGroupsResponse {
    const API: &'static str = "DescribeGroups";
    const VERSIONS: (i16, i16) = (0, 6);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 5;
        let (s, a, t) = lens(flex);
        let b = if flex { 1 } else { 4 };
        let mut r = DescribeGroupsResponse::default();
        if version >= 1 {
            r.throttle_time_ms = c.i32("throttle_time_ms")?;
        }
        let group_len =
            2 + if version >= 6 { s } else { 0 } + 4 * s + a + if version >= 3 { 4 } else { 0 } + t;
        let member_len = 3 * s + if version >= 4 { s } else { 0 } + 2 * b + t;
        r.groups = c.array_of(flex, group_len, "groups", |c| {
            let mut g = DescribedGroup::default();
            g.error_code = c.i16("error_code")?;
            if version >= 6 {
                g.error_message = c.nullable_string(flex, "error_message")?;
            }
            g.group_id = GroupId(c.string(flex, "group_id")?);
            g.group_state = c.string(flex, "group_state")?;
            g.protocol_type = c.string(flex, "protocol_type")?;
            g.protocol_data = c.string(flex, "protocol_data")?;
            g.members = c.array_of(flex, member_len, "members", |c| {
                let mut m = DescribedGroupMember::default();
                m.member_id = c.string(flex, "member_id")?;
                if version >= 4 {
                    m.group_instance_id = c.nullable_string(flex, "group_instance_id")?;
                }
                m.client_id = c.string(flex, "client_id")?;
                m.client_host = c.string(flex, "client_host")?;
                m.member_metadata = c
                    .nullable_bytes(flex, "member_metadata")?
                    .ok_or_else(|| "member_metadata is null".to_string())?;
                m.member_assignment = c
                    .nullable_bytes(flex, "member_assignment")?
                    .ok_or_else(|| "member_assignment is null".to_string())?;
                m.unknown_tagged_fields = c.tagged_if(flex, "members")?;
                Ok(m)
            })?;
            if version >= 3 {
                g.authorized_operations = c.i32("authorized_operations")?;
            }
            g.unknown_tagged_fields = c.tagged_if(flex, "groups")?;
            Ok(g)
        })?;
        r.unknown_tagged_fields = c.tagged_if(flex, "DescribeGroups response")?;
        Ok(r)
    }
}

fn read_assignment(c: &mut Cursor) -> Res<Assignment> {
    let mut a = Assignment::default();
    a.topic_partitions = c.array_of(true, 16 + 1 + 1 + 1, "topic_partitions", |c| {
        let mut tp = TopicPartitions::default();
        tp.topic_id = c.uuid("topic_id")?;
        tp.topic_name = TopicName(c.string(true, "topic_name")?);
        tp.partitions = c.int32s(true, "partitions")?;
        tp.unknown_tagged_fields = c.tagged_if(true, "topic_partitions")?;
        Ok(tp)
    })?;
    a.unknown_tagged_fields = c.tagged_if(true, "assignment")?;
    Ok(a)
}

impl Response for ConsumerGroupDescribeResponse {
    const API: &'static str = "ConsumerGroupDescribe";
    const VERSIONS: (i16, i16) = (0, 1);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let mut r = ConsumerGroupDescribeResponse::default();
        r.throttle_time_ms = c.i32("throttle_time_ms")?;
        let group_len = 2 + 1 + 1 + 1 + 4 + 4 + 1 + 1 + 4 + 1;
        let member_len = 3 + 4 + 2 + 1 + 1 + 2 * 2 + usize::from(version >= 1) + 1;
        r.groups = c.array_of(true, group_len, "groups", |c| {
            let mut g = cgd::DescribedGroup::default();
            g.error_code = c.i16("error_code")?;
            g.error_message = c.nullable_string(true, "error_message")?;
            g.group_id = GroupId(c.string(true, "group_id")?);
            g.group_state = c.string(true, "group_state")?;
            g.group_epoch = c.i32("group_epoch")?;
            g.assignment_epoch = c.i32("assignment_epoch")?;
            g.assignor_name = c.string(true, "assignor_name")?;
            g.members = c.array_of(true, member_len, "members", |c| {
                let mut m = Member::default();
                m.member_id = c.string(true, "member_id")?;
                m.instance_id = c.nullable_string(true, "instance_id")?;
                m.rack_id = c.nullable_string(true, "rack_id")?;
                m.member_epoch = c.i32("member_epoch")?;
                m.client_id = c.string(true, "client_id")?;
                m.client_host = c.string(true, "client_host")?;
                m.subscribed_topic_names = c.array_of(true, 1, "subscribed_topic_names", |c| {
                    c.string(true, "subscribed topic").map(TopicName)
                })?;
                m.subscribed_topic_regex = c.nullable_string(true, "subscribed_topic_regex")?;
                m.assignment = read_assignment(c)?;
                m.target_assignment = read_assignment(c)?;
                if version >= 1 {
                    m.member_type = c.i8("member_type")?;
                }
                m.unknown_tagged_fields = c.tagged_if(true, "members")?;
                Ok(m)
            })?;
            g.authorized_operations = c.i32("authorized_operations")?;
            g.unknown_tagged_fields = c.tagged_if(true, "groups")?;
            Ok(g)
        })?;
        r.unknown_tagged_fields = c.tagged_if(true, "ConsumerGroupDescribe response")?;
        Ok(r)
    }
}

impl Response for OffsetFetchResponse {
    const API: &'static str = "OffsetFetch";
    const VERSIONS: (i16, i16) = (1, 9);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 6;
        let (s, a, t) = lens(flex);
        let mut r = OffsetFetchResponse::default();
        if version >= 3 {
            r.throttle_time_ms = c.i32("throttle_time_ms")?;
        }
        if version <= 7 {
            let epoch = if version >= 5 { 4 } else { 0 };
            let partition_len = 4 + 8 + epoch + s + 2 + t;
            r.topics = c.array_of(flex, s + a + t, "topics", |c| {
                let mut topic = OffsetFetchResponseTopic::default();
                topic.name = TopicName(c.string(flex, "topic name")?);
                topic.partitions = c.array_of(flex, partition_len, "partitions", |c| {
                    let mut p = OffsetFetchResponsePartition::default();
                    p.partition_index = c.i32("partition_index")?;
                    p.committed_offset = c.i64("committed_offset")?;
                    if version >= 5 {
                        p.committed_leader_epoch = c.i32("committed_leader_epoch")?;
                    }
                    p.metadata = c.nullable_string(flex, "metadata")?;
                    p.error_code = c.i16("error_code")?;
                    p.unknown_tagged_fields = c.tagged_if(flex, "partitions")?;
                    Ok(p)
                })?;
                topic.unknown_tagged_fields = c.tagged_if(flex, "topics")?;
                Ok(topic)
            })?;
            if version >= 2 {
                r.error_code = c.i16("error_code")?;
            }
        } else {
            r.groups = c.array_of(true, 1 + 1 + 2 + 1, "groups", |c| {
                let mut g = OffsetFetchResponseGroup::default();
                g.group_id = GroupId(c.string(true, "group_id")?);
                g.topics = c.array_of(true, 3, "topics", |c| {
                    let mut topic = OffsetFetchResponseTopics::default();
                    topic.name = TopicName(c.string(true, "topic name")?);
                    let partition_len = 4 + 8 + 4 + 1 + 2 + 1;
                    topic.partitions = c.array_of(true, partition_len, "partitions", |c| {
                        let mut p = OffsetFetchResponsePartitions::default();
                        p.partition_index = c.i32("partition_index")?;
                        p.committed_offset = c.i64("committed_offset")?;
                        p.committed_leader_epoch = c.i32("committed_leader_epoch")?;
                        p.metadata = c.nullable_string(true, "metadata")?;
                        p.error_code = c.i16("error_code")?;
                        p.unknown_tagged_fields = c.tagged_if(true, "partitions")?;
                        Ok(p)
                    })?;
                    topic.unknown_tagged_fields = c.tagged_if(true, "topics")?;
                    Ok(topic)
                })?;
                g.error_code = c.i16("error_code")?;
                g.unknown_tagged_fields = c.tagged_if(true, "groups")?;
                Ok(g)
            })?;
        }
        r.unknown_tagged_fields = c.tagged_if(flex, "OffsetFetch response")?;
        Ok(r)
    }
}

impl Response for DescribeConfigsResponse {
    const API: &'static str = "DescribeConfigs";
    const VERSIONS: (i16, i16) = (1, 4);

    fn read(c: &mut Cursor, version: i16) -> Res<Self> {
        let flex = version >= 4;
        let (s, a, t) = lens(flex);
        let mut r = DescribeConfigsResponse::default();
        r.throttle_time_ms = c.i32("throttle_time_ms")?;
        let config_len = 2 * s + 3 + a + if version >= 3 { 1 + s } else { 0 } + t;
        r.results = c.array_of(flex, 2 + s + 1 + s + a + t, "results", |c| {
            let mut res = DescribeConfigsResult::default();
            res.error_code = c.i16("error_code")?;
            res.error_message = c.nullable_string(flex, "error_message")?;
            res.resource_type = c.i8("resource_type")?;
            res.resource_name = c.string(flex, "resource_name")?;
            res.configs = c.array_of(flex, config_len, "configs", |c| {
                let mut k = DescribeConfigsResourceResult::default();
                k.name = c.string(flex, "config name")?;
                k.value = c.nullable_string(flex, "config value")?;
                k.read_only = c.bool("read_only")?;
                k.config_source = c.i8("config_source")?;
                k.is_sensitive = c.bool("is_sensitive")?;
                k.synonyms = c.array_of(flex, 2 * s + 1 + t, "synonyms", |c| {
                    let mut y = DescribeConfigsSynonym::default();
                    y.name = c.string(flex, "synonym name")?;
                    y.value = c.nullable_string(flex, "synonym value")?;
                    y.source = c.i8("synonym source")?;
                    y.unknown_tagged_fields = c.tagged_if(flex, "synonyms")?;
                    Ok(y)
                })?;
                if version >= 3 {
                    k.config_type = c.i8("config_type")?;
                    k.documentation = c.nullable_string(flex, "documentation")?;
                }
                k.unknown_tagged_fields = c.tagged_if(flex, "configs")?;
                Ok(k)
            })?;
            res.unknown_tagged_fields = c.tagged_if(flex, "results")?;
            Ok(res)
        })?;
        r.unknown_tagged_fields = c.tagged_if(flex, "DescribeConfigs response")?;
        Ok(r)
    }
}

/// The partitions a classic consumer-protocol member is assigned (`ConsumerProtocolAssignment`
/// in DescribeGroups' `member_assignment`, any version: they all start with the same fields),
/// by topic. An empty assignment (a member between rebalances) is no partitions.
pub(super) fn consumer_assignment(c: &mut Cursor) -> Res<BTreeMap<String, Vec<i32>>> {
    let mut out = BTreeMap::new();
    if c.remaining() == 0 {
        return Ok(out);
    }
    let _version = c.i16("assignment version")?;
    let topics = c.array_of(false, 2 + 4, "assigned topics", |c| {
        let topic = c.string(false, "assigned topic")?;
        let partitions: Vec<i32> = c.int32s(false, "assigned partitions")?;
        Ok((topic.to_string(), partitions))
    })?;
    for (topic, partitions) in topics {
        out.entry(topic).or_insert_with(Vec::new).extend(partitions);
    }
    Ok(out)
}
