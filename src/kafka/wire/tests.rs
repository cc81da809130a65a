//! Round trips against kafka-protocol's encoder for every version we decode, and hostile input.

use std::collections::BTreeMap;

use bytes::{Bytes, BytesMut};
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
    ApiVersionsResponse, BrokerId, FetchResponse, ListOffsetsResponse, MetadataResponse,
    ResponseHeader, TopicName,
};
use kafka_protocol::protocol::{Encodable, HeaderVersion, StrBytes};

use super::{DecodeError, Response, decode_body, decode_frame};

mod admin;

fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_string())
}

/// Unknown tagged fields, present only in flexible versions.
fn unknown(flex: bool, n: usize) -> BTreeMap<i32, Bytes> {
    if !flex {
        return BTreeMap::new();
    }
    (0..n)
        .map(|i| (90 + i as i32, Bytes::from(vec![i as u8; i + 1])))
        .collect()
}

/// A whole frame as a broker sends it (after the length prefix): header, then body.
fn frame<R: Encodable + HeaderVersion>(resp: &R, version: i16, id: i32) -> Bytes {
    let mut buf = BytesMut::new();
    let mut header = ResponseHeader::default();
    header.correlation_id = id;
    header.unknown_tagged_fields = unknown(R::header_version(version) >= 1, 1);
    header
        .encode(&mut buf, R::header_version(version))
        .expect("encode header");
    resp.encode(&mut buf, version).expect("encode body");
    buf.freeze()
}

fn round_trip<R>(resp: &R, version: i16) -> Bytes
where
    R: Response + Encodable + PartialEq + std::fmt::Debug,
{
    let bytes = frame(resp, version, 4242);
    let (id, back) = decode_frame::<R>(bytes.clone(), version)
        .unwrap_or_else(|e| panic!("v{version}: {e}\n{resp:?}"));
    assert_eq!(id, 4242);
    assert_eq!(&back, resp, "{} v{version}", R::API);
    bytes
}

/// Every truncation of a valid frame is an error, never a panic.
fn truncations<R: Response + std::fmt::Debug>(bytes: &Bytes, version: i16) {
    for cut in 0..bytes.len() {
        let r = decode_frame::<R>(bytes.slice(..cut), version);
        assert!(r.is_err(), "{} v{version} cut at {cut}: {r:?}", R::API);
    }
}

pub(crate) fn api_versions(version: i16, variant: usize) -> ApiVersionsResponse {
    let flex = version >= 3;
    let mut r = ApiVersionsResponse::default();
    r.error_code = if variant == 2 { 35 } else { 0 };
    r.api_keys = (0..variant * 3)
        .map(|i| {
            let mut k = ApiVersion::default();
            k.api_key = i as i16;
            k.min_version = (i % 3) as i16;
            k.max_version = 12 + i as i16;
            k.unknown_tagged_fields = unknown(flex, i % 2);
            k
        })
        .collect();
    if version >= 1 {
        r.throttle_time_ms = 7 * variant as i32;
    }
    if flex && variant > 0 {
        r.supported_features = (0..variant)
            .map(|i| {
                let mut f = SupportedFeatureKey::default();
                f.name = s(&format!("feature.{i}"));
                f.min_version = 1;
                f.max_version = 2 + i as i16;
                f.unknown_tagged_fields = unknown(flex, i);
                f
            })
            .collect();
        r.finalized_features_epoch = 77;
        r.finalized_features = (0..variant - 1)
            .map(|i| {
                let mut f = FinalizedFeatureKey::default();
                f.name = s(&format!("metadata.version{i}"));
                f.max_version_level = 20;
                f.min_version_level = 1;
                f
            })
            .collect();
        r.zk_migration_ready = variant == 2;
        r.unknown_tagged_fields = unknown(flex, variant);
    }
    r
}

pub(crate) fn metadata(version: i16, variant: usize) -> MetadataResponse {
    let flex = version >= 9;
    let mut r = MetadataResponse::default();
    if version >= 3 {
        r.throttle_time_ms = 3;
    }
    r.brokers = (0..variant)
        .map(|i| {
            let mut b = MetadataResponseBroker::default();
            b.node_id = BrokerId(i as i32 + 1);
            b.host = s(&format!("broker-{i}.example"));
            b.port = 9092 + i as i32;
            if version >= 1 && i % 2 == 1 {
                b.rack = Some(s(&format!("rack-{i}")));
            }
            b.unknown_tagged_fields = unknown(flex, i % 2);
            b
        })
        .collect();
    if version >= 2 && variant % 2 == 1 {
        r.cluster_id = Some(s("cluster-éè"));
    }
    if version >= 1 {
        r.controller_id = BrokerId(variant as i32);
    }
    r.topics = (0..variant)
        .map(|t| {
            let mut topic = MetadataResponseTopic::default();
            topic.error_code = if t == 2 { 3 } else { 0 };
            // Null names exist from v12 on (topics asked for by id).
            topic.name = if version >= 12 && t == 1 {
                None
            } else {
                Some(TopicName(s(&format!("topic-{t}"))))
            };
            if version >= 10 {
                topic.topic_id = uuid::Uuid::from_u128(0x1234_5678_9abc_def0 + t as u128);
            }
            if version >= 1 {
                topic.is_internal = t == 0;
            }
            topic.partitions = (0..t * 2)
                .map(|p| {
                    let mut part = MetadataResponsePartition::default();
                    part.error_code = if p == 1 { 5 } else { 0 };
                    part.partition_index = p as i32;
                    part.leader_id = BrokerId(p as i32 % 3);
                    if version >= 7 {
                        part.leader_epoch = 10 + p as i32;
                    }
                    part.replica_nodes = (0..p % 4).map(|n| BrokerId(n as i32)).collect();
                    part.isr_nodes = (0..p % 3).map(|n| BrokerId(n as i32)).collect();
                    if version >= 5 {
                        part.offline_replicas = (0..p % 2).map(|n| BrokerId(n as i32)).collect();
                    }
                    part.unknown_tagged_fields = unknown(flex, p % 3);
                    part
                })
                .collect();
            if version >= 8 {
                topic.topic_authorized_operations = 0x0ff0 + t as i32;
            }
            topic.unknown_tagged_fields = unknown(flex, t % 2);
            topic
        })
        .collect();
    if (8..=10).contains(&version) {
        r.cluster_authorized_operations = 0x00f0 * variant as i32;
    }
    r.unknown_tagged_fields = unknown(flex, variant % 2);
    r
}

pub(crate) fn list_offsets(version: i16, variant: usize) -> ListOffsetsResponse {
    let flex = version >= 6;
    let mut r = ListOffsetsResponse::default();
    if version >= 2 {
        r.throttle_time_ms = variant as i32;
    }
    r.topics = (0..variant)
        .map(|t| {
            let mut topic = ListOffsetsTopicResponse::default();
            topic.name = TopicName(s(if t == 1 { "" } else { "orders" }));
            topic.partitions = (0..t + 1)
                .map(|p| {
                    let mut part = ListOffsetsPartitionResponse::default();
                    part.partition_index = p as i32;
                    part.error_code = if p == 2 { 6 } else { 0 };
                    part.timestamp = -1 - p as i64;
                    part.offset = 1 << (40 + p);
                    if version >= 4 {
                        part.leader_epoch = p as i32;
                    }
                    part.unknown_tagged_fields = unknown(flex, p % 2);
                    part
                })
                .collect();
            topic.unknown_tagged_fields = unknown(flex, t % 3);
            topic
        })
        .collect();
    r.unknown_tagged_fields = unknown(flex, variant % 2);
    r
}

pub(crate) fn fetch(version: i16, variant: usize, records: &[Bytes]) -> FetchResponse {
    let flex = version >= 12;
    let mut r = FetchResponse::default();
    r.throttle_time_ms = variant as i32;
    if version >= 7 {
        r.error_code = 0;
        r.session_id = 1000 + variant as i32;
    }
    r.responses = (0..variant)
        .map(|t| {
            let mut topic = FetchableTopicResponse::default();
            topic.topic = TopicName(s(&format!("t{t}")));
            topic.partitions = (0..t + 1)
                .map(|p| {
                    let mut part = PartitionData::default();
                    part.partition_index = p as i32;
                    part.error_code = if p == 1 { 1 } else { 0 };
                    part.high_watermark = 1000 + p as i64;
                    part.last_stable_offset = 990 + p as i64;
                    if version >= 5 {
                        part.log_start_offset = p as i64;
                    }
                    part.aborted_transactions = match p % 3 {
                        0 => None,
                        1 => Some(vec![]),
                        _ => Some(
                            (0..2)
                                .map(|a| {
                                    let mut at = AbortedTransaction::default();
                                    at.producer_id = (a as i64 + 9).into();
                                    at.first_offset = 100 * a as i64;
                                    at.unknown_tagged_fields = unknown(flex, a);
                                    at
                                })
                                .collect(),
                        ),
                    };
                    if version >= 11 {
                        part.preferred_read_replica = BrokerId(p as i32 - 1);
                    }
                    part.records = match p % 3 {
                        0 => records.get(t % records.len().max(1)).cloned(),
                        1 => Some(Bytes::new()),
                        _ => None,
                    };
                    if flex && p >= 1 {
                        let mut d = EpochEndOffset::default();
                        d.epoch = 4;
                        d.end_offset = 400;
                        part.diverging_epoch = d;
                        let mut l = LeaderIdAndEpoch::default();
                        l.leader_id = BrokerId(2);
                        l.leader_epoch = 8;
                        l.unknown_tagged_fields = unknown(flex, p % 2);
                        part.current_leader = l;
                    }
                    if flex && p >= 2 {
                        let mut sn = SnapshotId::default();
                        sn.end_offset = 55;
                        sn.epoch = 5;
                        part.snapshot_id = sn;
                    }
                    part.unknown_tagged_fields = unknown(flex, p % 2);
                    part
                })
                .collect();
            topic.unknown_tagged_fields = unknown(flex, t % 2);
            topic
        })
        .collect();
    r.unknown_tagged_fields = unknown(flex, variant % 2);
    r
}

fn some_records() -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"not parsed here: any bytes"),
        Bytes::from(vec![0xab; 300]),
    ]
}

#[test]
fn api_versions_round_trip_every_version() {
    for version in 0..=3 {
        for variant in 0..4 {
            let bytes = round_trip(&api_versions(version, variant), version);
            if variant == 2 {
                truncations::<ApiVersionsResponse>(&bytes, version);
            }
        }
    }
}

#[test]
fn metadata_round_trips_every_version() {
    for version in 0..=12 {
        for variant in 0..4 {
            let bytes = round_trip(&metadata(version, variant), version);
            if variant == 3 {
                truncations::<MetadataResponse>(&bytes, version);
            }
        }
    }
}

#[test]
fn list_offsets_round_trips_every_version() {
    for version in 1..=7 {
        for variant in 0..4 {
            let bytes = round_trip(&list_offsets(version, variant), version);
            if variant == 3 {
                truncations::<ListOffsetsResponse>(&bytes, version);
            }
        }
    }
}

#[test]
fn fetch_round_trips_every_version() {
    for version in 4..=12 {
        for variant in 0..4 {
            let bytes = round_trip(&fetch(version, variant, &some_records()), version);
            if variant == 3 {
                truncations::<FetchResponse>(&bytes, version);
            }
        }
    }
}

#[test]
fn records_are_slices_of_the_frame_not_copies() {
    let bytes = frame(&fetch(12, 1, &some_records()), 12, 1);
    let (_, resp) = decode_frame::<FetchResponse>(bytes.clone(), 12).expect("decode");
    let records = resp.responses[0].partitions[0]
        .records
        .clone()
        .expect("records");
    let start = records.as_ptr() as usize - bytes.as_ptr() as usize;
    assert!(start + records.len() <= bytes.len());
    assert_eq!(&records[..], &some_records()[0][..]);
}

fn err<R: Response + std::fmt::Debug>(bytes: &[u8], version: i16) -> String {
    match decode_body::<R>(Bytes::copy_from_slice(bytes), version) {
        Ok(r) => panic!("decoded {r:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_huge_array_count_is_refused_before_allocating() {
    // Metadata v12: throttle, then a compact array claiming 2^31 - 1 brokers.
    let mut body = vec![0, 0, 0, 0];
    body.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x08]); // varint 2^31 = count + 1
    body.extend_from_slice(&[0; 20]);
    assert_eq!(
        err::<MetadataResponse>(&body, 12),
        "Metadata v12 response: array of 2147483647 brokers cannot fit in 20 remaining bytes"
    );
    // Metadata v1: an i32 count of topics after an empty broker list.
    let mut body = vec![0, 0, 0, 0, 0, 0, 0, 1];
    body.extend_from_slice(&i32::MAX.to_be_bytes());
    body.extend_from_slice(&[0; 118]);
    assert_eq!(
        err::<MetadataResponse>(&body, 1),
        "Metadata v1 response: array of 2147483647 topics cannot fit in 118 remaining bytes"
    );
    // Fetch v4: partitions claimed in a topic.
    let mut body = vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 1, b't'];
    body.extend_from_slice(&100_000i32.to_be_bytes());
    body.extend_from_slice(&[0; 1000]);
    assert_eq!(
        err::<FetchResponse>(&body, 4),
        "Fetch v4 response: array of 100000 partitions cannot fit in 1000 remaining bytes"
    );
    // ListOffsets v7: a count that would fit one byte per element but not 23.
    let mut body = vec![0, 0, 0, 0, 40];
    body.extend_from_slice(&[0; 100]);
    assert_eq!(
        err::<ListOffsetsResponse>(&body, 7),
        "ListOffsets v7 response: array of 39 topics cannot fit in 100 remaining bytes"
    );
    // ApiVersions v3: api_keys claimed with a 5-byte varint.
    assert_eq!(
        err::<ApiVersionsResponse>(&[0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f], 3),
        "ApiVersions v3 response: array of 4294967294 api_keys cannot fit in 0 remaining bytes"
    );
}

#[test]
fn negative_and_null_lengths_are_errors() {
    assert_eq!(
        err::<ApiVersionsResponse>(&[0, 0, 0xff, 0xff, 0xff, 0xfe], 0),
        "ApiVersions v0 response: array of api_keys has a negative length (-2)"
    );
    assert_eq!(
        err::<ApiVersionsResponse>(&[0, 0, 0xff, 0xff, 0xff, 0xff], 0),
        "ApiVersions v0 response: array of api_keys is null"
    );
    // Metadata v0: one broker whose host claims -7 bytes.
    let body = [0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xf9, 0, 0, 0, 0];
    assert_eq!(
        err::<MetadataResponse>(&body, 0),
        "Metadata v0 response: broker host has a negative length (-7)"
    );
    // Fetch v4: records claiming more bytes than remain.
    let mut body = vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 1];
    body.extend_from_slice(&[0; 4 + 2 + 8 + 8]);
    body.extend_from_slice(&(-1i32).to_be_bytes()); // aborted: null
    body.extend_from_slice(&i32::MAX.to_be_bytes());
    body.extend_from_slice(&[1, 2, 3]);
    assert_eq!(
        err::<FetchResponse>(&body, 4),
        "Fetch v4 response: records of 2147483647 bytes cannot fit in 3 remaining bytes"
    );
}

#[test]
fn bad_varints_strings_and_tags_are_errors() {
    assert_eq!(
        err::<ApiVersionsResponse>(&[0, 0, 0xff, 0xff, 0xff, 0xff, 0xff], 3),
        "ApiVersions v3 response: api_keys: varint overflows 32 bits"
    );
    // Metadata v9 cluster id that is not UTF-8.
    let body = [0, 0, 0, 0, 1, 3, 0xc3, 0x28];
    assert_eq!(
        err::<MetadataResponse>(&body, 9),
        "Metadata v9 response: cluster_id is not valid UTF-8"
    );
    // ListOffsets v6: no topics, then 200 tagged fields in 3 bytes.
    assert_eq!(
        err::<ListOffsetsResponse>(&[0, 0, 0, 0, 1, 0xc8, 0x01, 0, 0, 0], 6),
        "ListOffsets v6 response: 200 tagged fields of ListOffsets response cannot fit in 3 remaining bytes"
    );
    // ListOffsets v6: one tagged field claiming 100 bytes.
    assert_eq!(
        err::<ListOffsetsResponse>(&[0, 0, 0, 0, 1, 1, 5, 100, 0], 6),
        "ListOffsets v6 response: tagged field 5 of ListOffsets response (100 bytes) cannot fit in 1 remaining bytes"
    );
    // Fetch v12: tag 0 of the response is node_endpoints, only valid from v16.
    assert_eq!(
        err::<FetchResponse>(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0], 12),
        "Fetch v12 response: tagged field 0 is not valid in v12"
    );
}

#[test]
fn versions_outside_the_decoded_range_are_refused() {
    let e: DecodeError = decode_body::<FetchResponse>(Bytes::new(), 13).expect_err("v13");
    assert_eq!(
        e.to_string(),
        "Fetch v13 response: version not supported (decodable: 4 to 12)"
    );
    let e = decode_body::<ListOffsetsResponse>(Bytes::new(), 0).expect_err("v0");
    assert_eq!(
        e.to_string(),
        "ListOffsets v0 response: version not supported (decodable: 1 to 7)"
    );
}

#[test]
fn the_flexible_header_is_read_before_the_body() {
    let bytes = frame(&list_offsets(6, 1), 6, 99);
    // Header: correlation id, then one unknown tagged field (tag 90, 1 byte).
    assert_eq!(&bytes[..8], &[0, 0, 0, 99, 1, 90, 1, 0]);
    let e = decode_frame::<ListOffsetsResponse>(bytes.slice(..7), 6).expect_err("cut");
    assert_eq!(
        e.to_string(),
        "ListOffsets v6 response: tagged field 90 of response header (1 bytes) cannot fit in 0 remaining bytes"
    );
}

#[test]
fn the_selector_picks_each_api_and_version() {
    let cases: [(usize, i16, Bytes); 4] = [
        (0, 3, frame(&api_versions(3, 1), 3, 1)),
        (1, 12, frame(&metadata(12, 2), 12, 1)),
        (2, 1, frame(&list_offsets(1, 2), 1, 1)),
        (3, 9, frame(&fetch(9, 2, &some_records()), 9, 1)),
    ];
    for (api, version, bytes) in cases {
        let sel = super::selector(api, version);
        assert_eq!(super::decode_selected(sel, bytes.clone()), Ok(()));
        // One byte short names the same API and version.
        let e = super::decode_selected(sel, bytes.slice(..bytes.len() - 1)).expect_err("cut");
        assert_eq!((e.api, e.version), (super::SELECTABLE[api].0, version));
    }
}

#[test]
fn sasl_handshake_round_trips_every_version() {
    use kafka_protocol::messages::SaslHandshakeResponse;
    for version in 0..=1 {
        for mechanisms in [vec![], vec![s("PLAIN"), s("SCRAM-SHA-512")]] {
            let mut r = SaslHandshakeResponse::default();
            r.error_code = 33;
            r.mechanisms = mechanisms;
            let bytes = round_trip(&r, version);
            truncations::<SaslHandshakeResponse>(&bytes, version);
        }
    }
    let huge = [0, 0, 0x7f, 0xff, 0xff, 0xff];
    assert!(err::<SaslHandshakeResponse>(&huge, 1).contains("cannot fit"));
}

#[test]
fn sasl_authenticate_round_trips_every_version() {
    use kafka_protocol::messages::SaslAuthenticateResponse;
    for version in 0..=2 {
        for variant in 0..2 {
            let mut r = SaslAuthenticateResponse::default();
            if variant == 1 {
                r.error_code = 58;
                r.error_message = Some(s("Authentication failed: Invalid username or password"));
            }
            r.auth_bytes = Bytes::from_static(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
            if version >= 1 {
                r.session_lifetime_ms = 3000 + variant as i64;
            }
            r.unknown_tagged_fields = unknown(version >= 2, 1);
            let bytes = round_trip(&r, version);
            truncations::<SaslAuthenticateResponse>(&bytes, version);
        }
    }
}
