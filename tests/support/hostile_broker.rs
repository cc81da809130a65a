//! A protocol-correct fake broker on loopback whose strings are hostile: ApiVersions (v0 only),
//! Metadata and ListOffsets, encoded by kafka-protocol's broker-side encoders. Its topic name,
//! second broker's host, racks and cluster id carry terminal escape sequences (window title,
//! screen clear, OSC 52 clipboard write), a C1 CSI (U+009B) and a right-to-left override.
//!
//! Shared by `tests/tui_hostile_broker.rs` and `examples/hostile_broker.rs`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsResponse, BrokerId, ListOffsetsRequest, ListOffsetsResponse,
    MetadataResponse, RequestHeader, ResponseHeader, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

/// The hostile part every string carries: set the title to "pwned", clear the screen, write
/// "pwned" to the clipboard (OSC 52), a C1 CSI and a right-to-left override.
pub const SEQUENCES: &str =
    "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}31m\u{202e}";
/// The topic's name.
pub fn topic() -> String {
    format!("{SEQUENCES}evil-topic")
}
/// The second broker's advertised host.
pub fn host() -> String {
    format!("{SEQUENCES}evil-host")
}
/// The racks.
pub fn rack() -> String {
    format!("{SEQUENCES}evil-rack")
}
/// The cluster id.
pub fn cluster_id() -> String {
    format!("{SEQUENCES}evil-cluster")
}
/// The high watermark of every partition (the low one is 0).
pub const HIGH: i64 = 42;

/// How the fake answers.
#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    /// Partition 1 is led by the second broker, whose hostile host cannot be reached: every
    /// watermark request for it fails with an error that names the host.
    pub unreachable_leader: bool,
}

/// Listens on `addr` (port 0: any) and serves every connection on its own thread; returns the
/// address it listens on.
pub fn start(addr: &str, behaviour: Behaviour) -> String {
    let listener = TcpListener::bind(addr).expect("bind");
    let local = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for sock in listener.incoming().flatten() {
            std::thread::spawn(move || serve(sock, local.port(), behaviour));
        }
    });
    local.to_string()
}

fn serve(mut sock: TcpStream, port: u16, behaviour: Behaviour) {
    loop {
        let mut len = [0u8; 4];
        if sock.read_exact(&mut len).is_err() {
            return;
        }
        let len = i32::from_be_bytes(len).clamp(0, 1 << 20) as usize;
        let mut frame = vec![0u8; len];
        if sock.read_exact(&mut frame).is_err() {
            return;
        }
        let Some(reply) = answer(Bytes::from(frame), port, behaviour) else {
            return;
        };
        if sock.write_all(&reply).is_err() {
            return;
        }
    }
}

/// The framed answer to one request frame; None for a request it does not serve.
fn answer(frame: Bytes, port: u16, behaviour: Behaviour) -> Option<Vec<u8>> {
    if frame.len() < 4 {
        return None;
    }
    let key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let api = ApiKey::try_from(key).ok()?;
    let mut buf = frame.clone();
    let header = RequestHeader::decode(&mut buf, api.request_header_version(version)).ok()?;
    let id = header.correlation_id;
    match api {
        ApiKey::ApiVersions if version != 0 => {
            // UNSUPPORTED_VERSION, always encoded as v0: the client goes down to v0.
            let resp = ApiVersionsResponse::default().with_error_code(35);
            Some(framed(id, 0, &resp, 0))
        }
        ApiKey::ApiVersions => {
            let api = |k: ApiKey, min, max| {
                ApiVersion::default()
                    .with_api_key(k as i16)
                    .with_min_version(min)
                    .with_max_version(max)
            };
            let resp = ApiVersionsResponse::default().with_api_keys(vec![
                api(ApiKey::ApiVersions, 0, 0),
                api(ApiKey::Metadata, 0, 12),
                api(ApiKey::ListOffsets, 1, 7),
            ]);
            Some(framed(id, 0, &resp, 0))
        }
        ApiKey::Metadata => {
            let s = |v: String| StrBytes::from_string(v);
            let brokers = vec![
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(1))
                    .with_host(s("127.0.0.1".into()))
                    .with_port(port as i32)
                    .with_rack(Some(s(rack()))),
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(2))
                    .with_host(s(host()))
                    .with_port(9092)
                    .with_rack(Some(s(rack()))),
            ];
            let partition = |i: i32, leader: i32| {
                MetadataResponsePartition::default()
                    .with_partition_index(i)
                    .with_leader_id(BrokerId(leader))
                    .with_replica_nodes(vec![BrokerId(leader)])
                    .with_isr_nodes(vec![BrokerId(leader)])
            };
            let second = if behaviour.unreachable_leader { 2 } else { 1 };
            let topic = MetadataResponseTopic::default()
                .with_name(Some(TopicName(s(topic()))))
                .with_topic_id(uuid::Uuid::from_u128(0x9b))
                .with_partitions(vec![partition(0, 1), partition(1, second)]);
            let resp = MetadataResponse::default()
                .with_brokers(brokers)
                .with_cluster_id(Some(s(cluster_id())))
                .with_controller_id(BrokerId(1))
                .with_topics(vec![topic]);
            Some(framed(
                id,
                api.response_header_version(version),
                &resp,
                version,
            ))
        }
        ApiKey::ListOffsets => {
            let req = ListOffsetsRequest::decode(&mut buf, version).ok()?;
            let topics = req
                .topics
                .into_iter()
                .map(|t| {
                    let partitions = t
                        .partitions
                        .iter()
                        .map(|p| {
                            // -2: the earliest offset; anything else here: the latest.
                            let offset = if p.timestamp == -2 { 0 } else { HIGH };
                            ListOffsetsPartitionResponse::default()
                                .with_partition_index(p.partition_index)
                                .with_timestamp(-1)
                                .with_offset(offset)
                        })
                        .collect();
                    ListOffsetsTopicResponse::default()
                        .with_name(t.name)
                        .with_partitions(partitions)
                })
                .collect();
            let resp = ListOffsetsResponse::default().with_topics(topics);
            Some(framed(
                id,
                api.response_header_version(version),
                &resp,
                version,
            ))
        }
        _ => None,
    }
}

/// A size-prefixed response: header (of `header_version`), then `body` at `version`.
fn framed(id: i32, header_version: i16, body: &impl Encodable, version: i16) -> Vec<u8> {
    let mut buf = BytesMut::new();
    ResponseHeader::default()
        .with_correlation_id(id)
        .encode(&mut buf, header_version)
        .expect("header");
    body.encode(&mut buf, version).expect("body");
    let mut out = (buf.len() as i32).to_be_bytes().to_vec();
    out.extend_from_slice(&buf);
    out
}
