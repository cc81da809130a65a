//! Round trips of the admin responses against kafka-protocol's encoder, every version we
//! decode, every truncation, and forged counts.

use bytes::Bytes;
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
    BrokerId, ConsumerGroupDescribeResponse, DescribeConfigsResponse, DescribeGroupsResponse,
    FindCoordinatorResponse, GroupId, ListGroupsResponse, OffsetFetchResponse, TopicName,
};

use super::{err, frame, round_trip, s, truncations, unknown};

pub(crate) fn find_coordinator(version: i16, variant: usize) -> FindCoordinatorResponse {
    let flex = version >= 3;
    let mut r = FindCoordinatorResponse::default();
    if version >= 1 {
        r.throttle_time_ms = 5;
    }
    if version <= 3 {
        r.error_code = if variant == 2 { 15 } else { 0 };
        if version >= 1 && variant == 2 {
            r.error_message = Some(s("The coordinator is not available."));
        }
        r.node_id = BrokerId(variant as i32);
        r.host = s(&format!("coord-{variant}.example"));
        r.port = 9092 + variant as i32;
    } else {
        r.coordinators = (0..variant * 2)
            .map(|i| {
                let mut k = Coordinator::default();
                k.key = s(&format!("group-{i}-ü"));
                k.node_id = BrokerId(i as i32);
                k.host = s("localhost");
                k.port = 19092;
                k.error_code = if i == 1 { 15 } else { 0 };
                k.error_message = (i == 1).then(|| s("not available"));
                k.unknown_tagged_fields = unknown(true, i % 2);
                k
            })
            .collect();
    }
    r.unknown_tagged_fields = unknown(flex, variant);
    r
}

pub(crate) fn list_groups(version: i16, variant: usize) -> ListGroupsResponse {
    let flex = version >= 3;
    let mut r = ListGroupsResponse::default();
    if version >= 1 {
        r.throttle_time_ms = 2;
    }
    r.error_code = if variant == 3 { 14 } else { 0 };
    r.groups = (0..variant * 3)
        .map(|i| {
            let mut g = ListedGroup::default();
            g.group_id = GroupId(s(&format!("g{i}")));
            g.protocol_type = s(if i % 2 == 0 { "consumer" } else { "" });
            if version >= 4 {
                g.group_state = s(["Stable", "Empty", "Dead"][i % 3]);
            }
            if version >= 5 {
                g.group_type = s(["classic", "consumer", "share"][i % 3]);
            }
            g.unknown_tagged_fields = unknown(flex, i % 2);
            g
        })
        .collect();
    r.unknown_tagged_fields = unknown(flex, variant);
    r
}

pub(crate) fn describe_groups(version: i16, variant: usize) -> DescribeGroupsResponse {
    let flex = version >= 5;
    let mut r = DescribeGroupsResponse::default();
    if version >= 1 {
        r.throttle_time_ms = 9;
    }
    r.groups = (0..variant)
        .map(|i| {
            let mut g = DescribedGroup::default();
            g.error_code = if i == 2 { 69 } else { 0 };
            if version >= 6 && i == 2 {
                g.error_message = Some(s("Group g2 not found."));
            }
            g.group_id = GroupId(s(&format!("g{i}")));
            g.group_state = s("Stable");
            g.protocol_type = s("consumer");
            g.protocol_data = s("range");
            g.members = (0..i + 1)
                .map(|m| {
                    let mut mem = DescribedGroupMember::default();
                    mem.member_id = s(&format!("console-consumer-{m}-uuid"));
                    if version >= 4 && m % 2 == 1 {
                        mem.group_instance_id = Some(s("static-1"));
                    }
                    mem.client_id = s("console-consumer");
                    mem.client_host = s("/127.0.0.1");
                    mem.member_metadata = Bytes::from_static(b"\x00\x03meta");
                    mem.member_assignment = Bytes::from(vec![m as u8; m * 3]);
                    mem.unknown_tagged_fields = unknown(flex, m % 2);
                    mem
                })
                .collect();
            if version >= 3 {
                g.authorized_operations = 0x0f8;
            }
            g.unknown_tagged_fields = unknown(flex, i % 2);
            g
        })
        .collect();
    r.unknown_tagged_fields = unknown(flex, variant);
    r
}

fn assignment(n: usize) -> Assignment {
    let mut a = Assignment::default();
    a.topic_partitions = (0..n)
        .map(|i| {
            let mut tp = TopicPartitions::default();
            tp.topic_id = uuid::Uuid::from_u128(0x1234_5678 + i as u128);
            tp.topic_name = TopicName(s(&format!("orders-{i}")));
            tp.partitions = (0..i as i32 + 1).collect();
            tp.unknown_tagged_fields = unknown(true, i % 2);
            tp
        })
        .collect();
    a.unknown_tagged_fields = unknown(true, n % 2);
    a
}

pub(crate) fn consumer_group_describe(
    version: i16,
    variant: usize,
) -> ConsumerGroupDescribeResponse {
    let mut r = ConsumerGroupDescribeResponse::default();
    r.throttle_time_ms = 1;
    r.groups = (0..variant)
        .map(|i| {
            let mut g = cgd::DescribedGroup::default();
            g.error_code = if i == 1 { 69 } else { 0 };
            g.error_message = (i == 1).then(|| s("Group g1 is not a consumer group."));
            g.group_id = GroupId(s(&format!("g{i}")));
            g.group_state = s("Stable");
            g.group_epoch = 7;
            g.assignment_epoch = 6;
            g.assignor_name = s("uniform");
            g.members = (0..i + 1)
                .map(|m| {
                    let mut mem = Member::default();
                    mem.member_id = s(&format!("m{m}"));
                    mem.instance_id = (m == 1).then(|| s("inst"));
                    mem.rack_id = (m == 2).then(|| s("rack-a"));
                    mem.member_epoch = 7;
                    mem.client_id = s("rdkafka");
                    mem.client_host = s("/127.0.0.1");
                    mem.subscribed_topic_names =
                        (0..m).map(|t| TopicName(s(&format!("t{t}")))).collect();
                    mem.subscribed_topic_regex = (m == 1).then(|| s("orders-.*"));
                    mem.assignment = assignment(m);
                    mem.target_assignment = assignment(m + 1);
                    if version >= 1 {
                        mem.member_type = (m % 2) as i8;
                    }
                    mem.unknown_tagged_fields = unknown(true, m % 2);
                    mem
                })
                .collect();
            g.authorized_operations = -2147483648;
            g.unknown_tagged_fields = unknown(true, i % 2);
            g
        })
        .collect();
    r.unknown_tagged_fields = unknown(true, variant);
    r
}

pub(crate) fn offset_fetch(version: i16, variant: usize) -> OffsetFetchResponse {
    let flex = version >= 6;
    let mut r = OffsetFetchResponse::default();
    if version >= 3 {
        r.throttle_time_ms = 4;
    }
    if version <= 7 {
        r.topics = (0..variant)
            .map(|t| {
                let mut topic = OffsetFetchResponseTopic::default();
                topic.name = TopicName(s(&format!("topic-{t}")));
                topic.partitions = (0..t + 1)
                    .map(|p| {
                        let mut part = OffsetFetchResponsePartition::default();
                        part.partition_index = p as i32;
                        part.committed_offset = if p == 1 { -1 } else { 1000 * p as i64 };
                        if version >= 5 {
                            part.committed_leader_epoch = p as i32;
                        }
                        part.metadata = (p != 2).then(|| s(if p == 0 { "" } else { "meta" }));
                        part.error_code = if p == 3 { 3 } else { 0 };
                        part.unknown_tagged_fields = unknown(flex, p % 2);
                        part
                    })
                    .collect();
                topic.unknown_tagged_fields = unknown(flex, t % 2);
                topic
            })
            .collect();
        if version >= 2 {
            r.error_code = if variant == 2 { 16 } else { 0 };
        }
    } else {
        r.groups = (0..variant)
            .map(|g| {
                let mut group = OffsetFetchResponseGroup::default();
                group.group_id = GroupId(s(&format!("g{g}")));
                group.topics = (0..g + 1)
                    .map(|t| {
                        let mut topic = OffsetFetchResponseTopics::default();
                        topic.name = TopicName(s(&format!("topic-{t}")));
                        topic.partitions = (0..t + 1)
                            .map(|p| {
                                let mut part = OffsetFetchResponsePartitions::default();
                                part.partition_index = p as i32;
                                part.committed_offset = 17 + p as i64;
                                part.committed_leader_epoch = 2;
                                part.metadata = (p == 1).then(|| s("m"));
                                part.error_code = 0;
                                part.unknown_tagged_fields = unknown(true, p % 2);
                                part
                            })
                            .collect();
                        topic.unknown_tagged_fields = unknown(true, t % 2);
                        topic
                    })
                    .collect();
                group.error_code = if g == 1 { 15 } else { 0 };
                group.unknown_tagged_fields = unknown(true, g % 2);
                group
            })
            .collect();
    }
    r.unknown_tagged_fields = unknown(flex, variant);
    r
}

pub(crate) fn describe_configs(version: i16, variant: usize) -> DescribeConfigsResponse {
    let flex = version >= 4;
    let mut r = DescribeConfigsResponse::default();
    r.throttle_time_ms = 3;
    r.results = (0..variant)
        .map(|i| {
            let mut res = DescribeConfigsResult::default();
            res.error_code = if i == 1 { 3 } else { 0 };
            res.error_message = (i == 1).then(|| s("This server does not host this topic."));
            res.resource_type = 2;
            res.resource_name = s(&format!("topic-{i}"));
            res.configs = (0..i + 2)
                .map(|k| {
                    let mut c = DescribeConfigsResourceResult::default();
                    c.name = s(&format!("retention.ms.{k}"));
                    c.value = (k != 1).then(|| s("604800000"));
                    c.read_only = k == 2;
                    c.config_source = k as i8 + 1;
                    c.is_sensitive = k == 1;
                    c.synonyms = (0..k)
                        .map(|y| {
                            let mut syn = DescribeConfigsSynonym::default();
                            syn.name = s("log.retention.ms");
                            syn.value = (y == 0).then(|| s("1"));
                            syn.source = 5;
                            syn.unknown_tagged_fields = unknown(flex, y % 2);
                            syn
                        })
                        .collect();
                    if version >= 3 {
                        c.config_type = 5;
                        c.documentation = (k == 0).then(|| s("How long to keep a log."));
                    }
                    c.unknown_tagged_fields = unknown(flex, k % 2);
                    c
                })
                .collect();
            res.unknown_tagged_fields = unknown(flex, i % 2);
            res
        })
        .collect();
    r.unknown_tagged_fields = unknown(flex, variant);
    r
}

#[test]
fn find_coordinator_round_trips_every_version() {
    for version in 0..=6 {
        for variant in 0..3 {
            let bytes = round_trip(&find_coordinator(version, variant), version);
            truncations::<FindCoordinatorResponse>(&bytes, version);
        }
    }
}

#[test]
fn list_groups_round_trips_every_version() {
    for version in 0..=5 {
        for variant in 0..4 {
            let bytes = round_trip(&list_groups(version, variant), version);
            truncations::<ListGroupsResponse>(&bytes, version);
        }
    }
}

#[test]
fn describe_groups_round_trips_every_version() {
    for version in 0..=6 {
        for variant in 0..4 {
            let bytes = round_trip(&describe_groups(version, variant), version);
            truncations::<DescribeGroupsResponse>(&bytes, version);
        }
    }
}

#[test]
fn consumer_group_describe_round_trips_every_version() {
    for version in 0..=1 {
        for variant in 0..4 {
            let bytes = round_trip(&consumer_group_describe(version, variant), version);
            truncations::<ConsumerGroupDescribeResponse>(&bytes, version);
        }
    }
}

#[test]
fn offset_fetch_round_trips_every_version() {
    for version in 1..=9 {
        for variant in 0..4 {
            let bytes = round_trip(&offset_fetch(version, variant), version);
            truncations::<OffsetFetchResponse>(&bytes, version);
        }
    }
}

#[test]
fn describe_configs_round_trips_every_version() {
    for version in 1..=4 {
        for variant in 0..3 {
            let bytes = round_trip(&describe_configs(version, variant), version);
            truncations::<DescribeConfigsResponse>(&bytes, version);
        }
    }
}

#[test]
fn forged_admin_counts_are_refused_before_allocating() {
    // ListGroups v3: throttle, error, then a compact array count of 2^28 groups in 5 bytes.
    let lg = [0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x01];
    assert_eq!(
        err::<ListGroupsResponse>(&lg, 3),
        "ListGroups v3 response: array of 268435455 groups cannot fit in 0 remaining bytes"
    );
    // DescribeConfigs v1: throttle, then i32::MAX results.
    let dc = [0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff];
    assert_eq!(
        err::<DescribeConfigsResponse>(&dc, 1),
        "DescribeConfigs v1 response: array of 2147483647 results cannot fit in 0 remaining bytes"
    );
    // OffsetFetch v1: i32::MAX topics.
    let of = [0x7f, 0xff, 0xff, 0xff, 0, 0];
    assert_eq!(
        err::<OffsetFetchResponse>(&of, 1),
        "OffsetFetch v1 response: array of 2147483647 topics cannot fit in 2 remaining bytes"
    );
    // ConsumerGroupDescribe v0: one group whose member count is 2^27 - 1.
    let mut cg = vec![
        0, 0, 0, 0, 2, 0, 0, 0, 2, b'g', 2, b'S', 0, 0, 0, 1, 0, 0, 0, 1, 1,
    ];
    cg.extend_from_slice(&[0x80, 0x80, 0x80, 0x40, 0, 0]);
    assert_eq!(
        err::<ConsumerGroupDescribeResponse>(&cg, 0),
        "ConsumerGroupDescribe v0 response: array of 134217727 members cannot fit in 2 remaining bytes"
    );
}

#[test]
fn the_selector_picks_each_admin_api_and_version() {
    let cases: [(usize, i16, Bytes); 6] = [
        (4, 4, frame(&find_coordinator(4, 1), 4, 1)),
        (5, 5, frame(&list_groups(5, 2), 5, 1)),
        (6, 0, frame(&describe_groups(0, 2), 0, 1)),
        (7, 1, frame(&consumer_group_describe(1, 2), 1, 1)),
        (8, 9, frame(&offset_fetch(9, 2), 9, 1)),
        (9, 4, frame(&describe_configs(4, 2), 4, 1)),
    ];
    for (api, version, bytes) in cases {
        let sel = crate::kafka::wire::selector(api, version);
        assert_eq!(
            crate::kafka::wire::decode_selected(sel, bytes.clone()),
            Ok(())
        );
        let e = crate::kafka::wire::decode_selected(sel, bytes.slice(..bytes.len() - 1))
            .expect_err("cut");
        assert_eq!(
            (e.api, e.version),
            (crate::kafka::wire::SELECTABLE[api].0, version)
        );
    }
}

/// Writes the admin APIs' fuzz seeds (`fuzz/seeds/responses/<API>-v<N>-synthetic`): these
/// responses are encoded by kafka-protocol, not by us. Run with `--ignored` after a change.
#[test]
#[ignore]
fn write_admin_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/responses");
    let write = |api: usize, v: i16, bytes: Bytes| {
        let mut data = vec![crate::kafka::wire::selector(api, v)];
        data.extend_from_slice(&bytes);
        let name = format!("{}-v{v}-synthetic", crate::kafka::wire::SELECTABLE[api].0);
        std::fs::write(dir.join(name), data).expect("write seed");
    };
    for v in [0, 3, 4, 6] {
        write(4, v, frame(&find_coordinator(v, 2), v, 1));
    }
    for v in [0, 3, 5] {
        write(5, v, frame(&list_groups(v, 2), v, 1));
    }
    for v in [0, 4, 5, 6] {
        write(6, v, frame(&describe_groups(v, 3), v, 1));
    }
    for v in [0, 1] {
        write(7, v, frame(&consumer_group_describe(v, 3), v, 1));
    }
    for v in [1, 5, 6, 7, 8, 9] {
        write(8, v, frame(&offset_fetch(v, 3), v, 1));
    }
    for v in [1, 3, 4] {
        write(9, v, frame(&describe_configs(v, 3), v, 1));
    }
}
