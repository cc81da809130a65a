//! A fake server on loopback that misbehaves: every case ends in a clear error within the
//! request timeout, with no panic, hang, or allocation of a claimed length.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::{Duration, Instant};

use kbrowse::kafka::{ClientConfig, Cluster};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one connection: reads the first request's header, then answers with `reply(correlation id)`.
async fn fake_broker(reply: impl Fn(i32) -> Option<Vec<u8>> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut head = [0u8; 12];
            if sock.read_exact(&mut head).await.is_err() {
                continue;
            }
            let id = i32::from_be_bytes([head[8], head[9], head[10], head[11]]);
            match reply(id) {
                Some(bytes) => {
                    let _ = sock.write_all(&bytes).await;
                    let _ = sock.shutdown().await;
                }
                None => {
                    // Say nothing and keep the connection open.
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            }
        }
    });
    addr
}

async fn connect_error(addr: &str) -> (String, Duration) {
    let mut config = ClientConfig::new(addr);
    config.conn.request_timeout = Duration::from_secs(1);
    let t = Instant::now();
    let err = match Cluster::connect(config).await {
        Ok(_) => panic!("connected to a fake broker"),
        Err(e) => e,
    };
    (err.to_string(), t.elapsed())
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as i32).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

#[tokio::test]
async fn garbage_is_a_frame_length_error() {
    let addr = fake_broker(|_| Some(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec())).await;
    let (err, took) = connect_error(&addr).await;
    assert!(err.contains(&format!("broker {addr} sent a frame of 1213486160 bytes (accepted: 4 to 268435456); not a Kafka broker?")), "{err}");
    assert!(took < Duration::from_secs(1));
}

#[tokio::test]
async fn negative_and_gigantic_lengths_are_refused_before_allocating() {
    for len in [-5i32, i32::MAX] {
        let addr = fake_broker(move |_| Some(len.to_be_bytes().to_vec())).await;
        let (err, took) = connect_error(&addr).await;
        assert!(
            err.contains(&format!("sent a frame of {len} bytes")),
            "{err}"
        );
        assert!(took < Duration::from_secs(1));
    }
}

#[tokio::test]
async fn a_truncated_frame_is_a_closed_connection() {
    let addr = fake_broker(|id| {
        let mut v = 1000i32.to_be_bytes().to_vec();
        v.extend_from_slice(&id.to_be_bytes());
        v.extend_from_slice(&[0, 0, 0]);
        Some(v)
    })
    .await;
    let (err, _) = connect_error(&addr).await;
    assert!(
        err.contains(&format!("broker {addr} closed the connection")),
        "{err}"
    );
}

#[tokio::test]
async fn a_wrong_correlation_id_is_a_protocol_error() {
    let addr = fake_broker(|id| Some(framed(&(id + 7).to_be_bytes()))).await;
    let (err, _) = connect_error(&addr).await;
    assert!(err.contains("response to unknown correlation id"), "{err}");
}

#[tokio::test]
async fn an_undecodable_body_is_a_protocol_error() {
    let addr = fake_broker(|id| {
        let mut body = id.to_be_bytes().to_vec();
        body.extend_from_slice(&[0, 0, 0xff, 0xff, 0xff, 0xff]);
        Some(framed(&body))
    })
    .await;
    let (err, _) = connect_error(&addr).await;
    assert!(
        err.contains(&format!(
            "broker {addr} sent an invalid ApiVersions response"
        )),
        "{err}"
    );
}

#[tokio::test]
async fn silence_is_a_timeout_within_the_request_timeout() {
    let addr = fake_broker(|_| None).await;
    let (err, took) = connect_error(&addr).await;
    assert!(
        err.contains(&format!(
            "broker {addr} did not answer ApiVersions within 1s"
        )),
        "{err}"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

/// Serves every request of every connection: `reply(api key, version, correlation id)`.
async fn fake_broker_session(reply: fn(i16, i16, i32) -> Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                loop {
                    let Ok(len) = sock.read_i32().await else {
                        return;
                    };
                    let mut req = vec![0u8; len.clamp(8, 1 << 20) as usize];
                    if sock.read_exact(&mut req).await.is_err() {
                        return;
                    }
                    let key = i16::from_be_bytes([req[0], req[1]]);
                    let version = i16::from_be_bytes([req[2], req[3]]);
                    let id = i32::from_be_bytes([req[4], req[5], req[6], req[7]]);
                    if sock.write_all(&reply(key, version, id)).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// ApiVersions v3 offering Metadata v0..=12 only; otherwise a Metadata v12 response whose
/// broker array claims 2^31 - 1 elements in a 30-byte frame.
fn huge_metadata(key: i16, version: i16, id: i32) -> Vec<u8> {
    let mut body = id.to_be_bytes().to_vec();
    if key == 18 {
        assert_eq!(version, 3);
        // error 0, one api key (Metadata 0..=12, no tags), throttle 0, no tags.
        body.extend_from_slice(&[0, 0, 2, 0, 3, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0]);
    } else {
        assert_eq!((key, version), (3, 12));
        body.push(0); // header tags
        body.extend_from_slice(&[0, 0, 0, 0]); // throttle
        body.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x08]); // 2^31 = count + 1
        body.extend_from_slice(&[0; 16]);
    }
    framed(&body)
}

#[tokio::test]
async fn a_metadata_array_claiming_2_pow_31_elements_is_a_one_line_error() {
    let addr = fake_broker_session(huge_metadata).await;
    let (err, took) = connect_error(&addr).await;
    assert_eq!(
        err,
        format!(
            "broker {addr} sent an invalid Metadata response: v12: array of 2147483647 brokers \
             cannot fit in 16 remaining bytes"
        )
    );
    assert!(took < Duration::from_secs(1), "{took:?}");
}

/// ApiVersions v3 offering Metadata v13 only (kbrowse sends up to v12).
fn metadata_too_new(key: i16, version: i16, id: i32) -> Vec<u8> {
    assert_eq!((key, version), (18, 3), "only ApiVersions is asked");
    let mut body = id.to_be_bytes().to_vec();
    // error 0, one api key (Metadata 13..=13, no tags), throttle 0, no tags.
    body.extend_from_slice(&[0, 0, 2, 0, 3, 0, 13, 0, 13, 0, 0, 0, 0, 0, 0]);
    framed(&body)
}

/// ApiVersions v3 offering no API at all.
fn no_apis(key: i16, version: i16, id: i32) -> Vec<u8> {
    assert_eq!((key, version), (18, 3), "only ApiVersions is asked");
    let mut body = id.to_be_bytes().to_vec();
    body.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 0]);
    framed(&body)
}

#[tokio::test]
async fn a_broker_without_a_common_version_names_the_api_and_both_ranges() {
    let addr = fake_broker_session(metadata_too_new).await;
    let (err, _) = connect_error(&addr).await;
    assert_eq!(
        err,
        format!(
            "broker {addr} supports Metadata v13–v13, kbrowse sends v0–v12: no version in common"
        )
    );
    let addr = fake_broker_session(no_apis).await;
    let (err, _) = connect_error(&addr).await;
    assert_eq!(
        err,
        format!("broker {addr} does not offer Metadata (kbrowse sends v0–v12)")
    );
}

/// ApiVersions v3 offering Metadata v0..=3 only (before allow_auto_topic_creation, v4), and
/// a Metadata v3 answer (kafka-protocol's encoder) naming one broker and no topic.
fn metadata_v3_only(key: i16, version: i16, id: i32) -> Vec<u8> {
    use kafka_protocol::messages::metadata_response::MetadataResponseBroker;
    use kafka_protocol::messages::{BrokerId, MetadataResponse, ResponseHeader};
    use kafka_protocol::protocol::{Encodable, HeaderVersion, StrBytes};
    if key == 18 {
        let mut body = id.to_be_bytes().to_vec();
        body.extend_from_slice(&[0, 0, 2, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0]);
        return framed(&body);
    }
    assert_eq!((key, version), (3, 3), "Metadata at v3");
    let mut broker = MetadataResponseBroker::default();
    broker.node_id = BrokerId(1);
    broker.host = StrBytes::from_static_str("127.0.0.1");
    broker.port = 1;
    let mut resp = MetadataResponse::default();
    resp.brokers = vec![broker];
    let mut header = ResponseHeader::default();
    header.correlation_id = id;
    let mut buf = bytes::BytesMut::new();
    header
        .encode(&mut buf, MetadataResponse::header_version(3))
        .unwrap();
    resp.encode(&mut buf, 3).unwrap();
    framed(&buf)
}

#[tokio::test]
async fn a_broker_with_metadata_up_to_v3_is_asked_at_v3() {
    // Metadata below v4 cannot say "do not create topics": the request keeps its default.
    let addr = fake_broker_session(metadata_v3_only).await;
    let mut config = ClientConfig::new(&addr);
    config.conn.request_timeout = Duration::from_secs(1);
    let cluster = Cluster::connect(config).await.expect("connects");
    let md = cluster.metadata(None).await.expect("metadata");
    assert_eq!(md.brokers.len(), 1);
    assert_eq!(md.brokers[0].addr(), "127.0.0.1:1");
}
