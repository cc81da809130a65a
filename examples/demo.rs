//! `cargo run --release --example demo`: an in-process Kafka (librdkafka's mock cluster)
//! seeded with topics that show what kbrowse does, and the browser opened on it.
//!
//! `-- --serve` seeds, prints the bootstrap address and keeps the cluster up without the UI
//! (to point `kbrowse -b ADDR` at it); `-- --small` skips the 1,000,000-record partition;
//! `-- --utc` shows times in UTC.
//!
//! `payments-avro` and `shipments-proto` hold Avro and Protobuf records in Confluent's
//! framing, read through a Schema Registry stand-in served from this process (encoded here
//! with apache-avro and prost-reflect: fine for a demo, never for tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::{Duration, Instant};

#[path = "../tests/support/producers.rs"]
mod producers;

use anyhow::{Context as _, anyhow};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;

type Prod = ThreadedProducer<DefaultProducerContext>;
type Bytes = Vec<u8>;

const CODECS: [&str; 5] = ["none", "gzip", "snappy", "lz4", "zstd"];
const LONG: i64 = 1_000_000;

fn producer(addr: &str, codec: &str) -> anyhow::Result<Prod> {
    producers::bulk_producer(addr, codec).context("creating a producer")
}

/// One record to produce.
struct Rec<'a> {
    partition: i32,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    headers: &'a [(&'a str, Option<&'a [u8]>)],
    timestamp: i64,
}

fn send(p: &Prod, topic: &str, r: Rec<'_>) -> anyhow::Result<()> {
    let mut headers = OwnedHeaders::new_with_capacity(r.headers.len());
    for (k, v) in r.headers {
        headers = headers.insert(Header { key: k, value: *v });
    }
    let mut rec: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic)
        .partition(r.partition)
        .timestamp(r.timestamp);
    if !r.headers.is_empty() {
        rec = rec.headers(headers);
    }
    if let Some(k) = r.key {
        rec = rec.key(k);
    }
    if let Some(v) = r.value {
        rec = rec.payload(v);
    }
    loop {
        match p.send(rec) {
            Ok(()) => return Ok(()),
            Err((e, back)) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull) => {
                std::thread::sleep(Duration::from_millis(2));
                rec = back;
            }
            Err((e, _)) => return Err(anyhow!("producing to {topic}: {e}")),
        }
    }
}

fn flush(p: &Prod) -> anyhow::Result<()> {
    p.flush(Duration::from_secs(60))
        .context("flushing the producer")
}

fn now_ms() -> i64 {
    kbrowse::tui::now_ms()
}

const CUSTOMERS: [&str; 6] = ["ada", "grace", "linus", "barbara", "ken", "margaret"];
const SKUS: [&str; 5] = ["KB-101", "MOUSE-7", "CABLE-2M", "DOCK-USB4", "SSD-2TB"];

/// JSON orders over 6 partitions, with headers, spread over the last day.
fn seed_orders(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    mock.create_topic("orders", 6, 1)?;
    let p = producer(addr, "lz4")?;
    let n = 12_000i64;
    let start = now_ms() - 86_400_000;
    for i in 0..n {
        let customer = CUSTOMERS[(i / 6 % 6) as usize];
        let sku = SKUS[(i * 7 % 5) as usize];
        let value = format!(
            r#"{{"order_id":{},"customer":"{customer}","items":[{{"sku":"{sku}","qty":{}}}],"total":{}.{:02},"status":"{}"}}"#,
            100_000 + i,
            i % 4 + 1,
            (i * 37) % 500 + 5,
            (i * 13) % 100,
            ["placed", "paid", "shipped"][(i % 3) as usize]
        );
        let key = format!("order-{}", 100_000 + i);
        let trace = format!("{:016x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let headers = [
            ("content-type", Some(&b"application/json"[..])),
            ("trace-id", Some(trace.as_bytes())),
        ];
        let rec = Rec {
            partition: (i % 6) as i32,
            key: Some(key.as_bytes()),
            value: Some(value.as_bytes()),
            headers: &headers,
            timestamp: start + i * 86_400_000 / n,
        };
        send(&p, "orders", rec)?;
    }
    flush(&p)
}

/// One topic per codec, the same events in each.
fn seed_codecs(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    let now = now_ms();
    for codec in CODECS {
        let topic = format!("codec-{codec}");
        mock.create_topic(&topic, 1, 1)?;
        let p = producer(addr, codec)?;
        for i in 0..2_000i64 {
            let value = format!(
                r#"{{"event":"page_view","seq":{i},"path":"/docs/{}","codec":"{codec}"}}"#,
                i % 40
            );
            let key = format!("session-{}", i % 97);
            let rec = Rec {
                partition: 0,
                key: Some(key.as_bytes()),
                value: Some(value.as_bytes()),
                headers: &[],
                timestamp: now - (2_000 - i) * 1000,
            };
            send(&p, &topic, rec)?;
        }
        flush(&p)?;
    }
    Ok(())
}

/// Binary and hostile data: non-UTF-8, control characters, terminal escape sequences,
/// bidirectional overrides, null keys and values, repeated and binary headers.
fn seed_binary(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    mock.create_topic("binary-and-escapes", 1, 1)?;
    let p = producer(addr, "none")?;
    let now = now_ms();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let samples: Vec<(Option<Bytes>, Option<Bytes>)> = vec![
        (
            Some(b"ansi".to_vec()),
            Some(
                b"\x1b[31mthis would be red\x1b[0m and \x1b]0;set title\x07 \x1b[2J clear".to_vec(),
            ),
        ),
        (
            Some(b"latin1".to_vec()),
            Some(b"caf\xe9 cr\xe8me br\xfbl\xe9e (ISO-8859-1, not UTF-8)".to_vec()),
        ),
        (
            Some("bidi".as_bytes().to_vec()),
            Some(
                "invoice \u{202e}fdp.exe\u{202c} zero\u{200b}width"
                    .as_bytes()
                    .to_vec(),
            ),
        ),
        (
            Some(b"controls".to_vec()),
            Some(b"tab\there\r\nnul\x00 bell\x07 del\x7f".to_vec()),
        ),
        (None, Some(b"a record with a null key".to_vec())),
        (Some(b"tombstone".to_vec()), None),
        (
            Some(vec![0xde, 0xad, 0xbe, 0xef]),
            Some(b"binary key".to_vec()),
        ),
    ];
    for (i, (k, v)) in samples.iter().enumerate() {
        let headers = [
            ("source", Some(&b"demo"[..])),
            ("source", Some(&b"repeated-name"[..])),
            ("bin", Some(&[0u8, 1, 2, 0xff][..])),
            ("null", None),
        ];
        let rec = Rec {
            partition: 0,
            key: k.as_deref(),
            value: v.as_deref(),
            headers: &headers,
            timestamp: now - 60_000 + i as i64,
        };
        send(&p, "binary-and-escapes", rec)?;
    }
    for i in 0..200 {
        let bytes: Vec<u8> = (0..64 + i % 64)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        let key = format!("blob-{i}");
        let rec = Rec {
            partition: 0,
            key: Some(key.as_bytes()),
            value: Some(&bytes),
            headers: &[],
            timestamp: now,
        };
        send(&p, "binary-and-escapes", rec)?;
    }
    flush(&p)
}

/// Large values: a 1.5 MiB JSON document and a 2 MiB log.
fn seed_large(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    mock.create_topic("large-values", 1, 1)?;
    let p = producer(addr, "none")?;
    let mut json = String::from("{\"report\":\"nightly\",\"rows\":[");
    let mut i = 0;
    while json.len() < 1_536 * 1024 {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            r#"{{"id":{i},"name":"item {i}","price":{}.{:02},"tags":["a","b"]}}"#,
            i % 300,
            i % 100
        ));
        i += 1;
    }
    json.push_str("]}");
    let mut log = String::new();
    let mut line = 0;
    while log.len() < 2 << 20 {
        log.push_str(&format!(
            "2024-05-01T12:{:02}:{:02}Z INFO worker-{} processed batch {line}\n",
            line / 60 % 60,
            line % 60,
            line % 8
        ));
        line += 1;
    }
    let now = now_ms();
    send(
        &p,
        "large-values",
        Rec {
            partition: 0,
            key: Some(b"report.json"),
            value: Some(json.as_bytes()),
            headers: &[],
            timestamp: now,
        },
    )?;
    send(
        &p,
        "large-values",
        Rec {
            partition: 0,
            key: Some(b"worker.log"),
            value: Some(log.as_bytes()),
            headers: &[],
            timestamp: now,
        },
    )?;
    send(
        &p,
        "large-values",
        Rec {
            partition: 0,
            key: Some(b"small"),
            value: Some(b"{\"note\":\"small neighbour\"}"),
            headers: &[],
            timestamp: now,
        },
    )?;
    flush(&p)
}

/// The schemas the demo's registry stand-in serves, by id.
const PAYMENT_AVRO: &str = r#"{"type":"record","name":"Payment","namespace":"demo.pay","fields":[
  {"name":"id","type":{"type":"string","logicalType":"uuid"}},
  {"name":"customer","type":"string"},
  {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
  {"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]}},
  {"name":"paid_at","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"note","type":["null","string"],"default":null}]}"#;

const SHIPMENT_PROTO: &str = r#"syntax = "proto3";
package demo.shop;

import "google/protobuf/timestamp.proto";

message Shipment {
  enum Carrier {
    CARRIER_UNSPECIFIED = 0;
    DHL = 1;
    UPS = 2;
    POSTNL = 3;
  }
  message Item {
    string sku = 1;
    uint32 qty = 2;
  }
  string order_id = 1;
  Carrier carrier = 2;
  repeated Item items = 3;
  google.protobuf.Timestamp shipped_at = 4;
  int64 weight_grams = 5;
  map<string, string> labels = 6;
}
"#;

/// A Schema Registry stand-in on loopback: Confluent's `GET /schemas/ids/{id}` and
/// `GET /schemas/ids/{id}/versions` for the two demo schemas, from a thread. Returns its URL.
fn start_registry() -> anyhow::Result<String> {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding the registry")?;
    let url = format!("http://{}", listener.local_addr()?);
    let schema = |id: u32| -> Option<(serde_json::Value, &str)> {
        match id {
            1 => Some((
                serde_json::json!({ "schema": PAYMENT_AVRO }),
                "payments-avro-value",
            )),
            2 => Some((
                serde_json::json!({ "schema": SHIPMENT_PROTO, "schemaType": "PROTOBUF" }),
                "shipments-proto-value",
            )),
            _ => None,
        }
    };
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                loop {
                    let mut request = String::new();
                    if reader.read_line(&mut request).unwrap_or(0) == 0 {
                        return;
                    }
                    // Headers up to the blank line; GETs have no body.
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                            break;
                        }
                    }
                    let path = request.split_whitespace().nth(1).unwrap_or("");
                    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
                    let id = parts.get(2).and_then(|s| s.parse::<u32>().ok());
                    let found = match (parts.as_slice(), id.and_then(schema)) {
                        (["schemas", "ids", _], Some((body, _))) => Some(body),
                        (["schemas", "ids", _, "versions"], Some((_, subject))) => {
                            Some(serde_json::json!([{ "subject": subject, "version": 1 }]))
                        }
                        _ => None,
                    };
                    let (status, body) = match found {
                        Some(b) => ("200 OK", b.to_string()),
                        None => (
                            "404 Not Found",
                            serde_json::json!({"error_code": 40403, "message": "Schema not found"})
                                .to_string(),
                        ),
                    };
                    let reply = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if (&stream).write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

/// Confluent's framing: magic byte 0 and the schema id, big-endian.
fn framed(id: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0];
    v.extend_from_slice(&id.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// Avro payments through the registry (schema id 1), and one record whose schema id the
/// registry does not know: it shows raw, with the reason.
fn seed_avro(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    use apache_avro::types::Value;
    mock.create_topic("payments-avro", 1, 1)?;
    let schema = apache_avro::Schema::parse_str(PAYMENT_AVRO)?;
    let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema).build()?;
    let p = producer(addr, "none")?;
    let now = now_ms();
    for i in 0..500i64 {
        let cents = (i * 7919) % 100_000 + 100;
        let note = if i % 4 == 0 {
            Value::Union(1, Box::new(Value::String(format!("gift wrap #{i}"))))
        } else {
            Value::Union(0, Box::new(Value::Null))
        };
        let record = Value::Record(vec![
            (
                "id".into(),
                Value::Uuid(uuid::Uuid::from_u128(
                    0x5eed_0000_0000_4000_8000_0000_0000_0000 + i as u128,
                )),
            ),
            (
                "customer".into(),
                Value::String(CUSTOMERS[(i % 6) as usize].into()),
            ),
            (
                "amount".into(),
                Value::Decimal(apache_avro::Decimal::from(cents.to_be_bytes())),
            ),
            (
                "currency".into(),
                Value::Enum(
                    (i % 3) as u32,
                    ["EUR", "USD", "GBP"][(i % 3) as usize].into(),
                ),
            ),
            (
                "paid_at".into(),
                Value::TimestampMillis(now - (500 - i) * 60_000),
            ),
            ("note".into(), note),
        ]);
        let mut payload = Vec::new();
        writer.write_value(&mut payload, record)?;
        let value = framed(1, &payload);
        let key = format!("pay-{}", 10_000 + i);
        let rec = Rec {
            partition: 0,
            key: Some(key.as_bytes()),
            value: Some(&value),
            headers: &[],
            timestamp: now - (500 - i) * 60_000,
        };
        send(&p, "payments-avro", rec)?;
    }
    let unknown = framed(99, b"\x02\x04ok");
    let rec = Rec {
        partition: 0,
        key: Some(b"unknown-schema"),
        value: Some(&unknown),
        headers: &[],
        timestamp: now,
    };
    send(&p, "payments-avro", rec)?;
    flush(&p)
}

/// Protobuf shipments through the registry (schema id 2, a nested type, an enum, a map and
/// a well-known type).
fn seed_protobuf(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    mock.create_topic("shipments-proto", 1, 1)?;
    let schema = kbrowse::schema::protobuf::ProtoSchema::compile(2, SHIPMENT_PROTO, &[])
        .map_err(|e| anyhow!("{e}"))?;
    let desc = schema.message(&[0]).map_err(|e| anyhow!("{e}"))?;
    let p = producer(addr, "none")?;
    let now = now_ms();
    for i in 0..300i64 {
        let carrier = ["DHL", "UPS", "POSTNL"][(i % 3) as usize];
        let warehouse = ["AMS-1", "FRA-2"][(i % 2) as usize];
        let priority = if i % 5 == 0 { "express" } else { "standard" };
        let json = serde_json::json!({
            "order_id": format!("order-{}", 100_000 + i * 3),
            "carrier": carrier,
            "items": (0..(i % 3 + 1)).map(|j| serde_json::json!({
                "sku": SKUS[((i + j) % 5) as usize],
                "qty": j + 1,
            })).collect::<Vec<_>>(),
            "shipped_at": chrono::DateTime::from_timestamp_millis(now - (300 - i) * 120_000)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            "weight_grams": (i * 997) % 20_000 + 150,
            "labels": { "warehouse": warehouse, "priority": priority },
        });
        let msg = prost_reflect::DynamicMessage::deserialize(desc.clone(), json)?;
        use prost::Message as _;
        // The message-index list [0] is written as a single 0.
        let mut payload = vec![0u8];
        payload.extend_from_slice(&msg.encode_to_vec());
        let value = framed(2, &payload);
        let key = format!("ship-{}", 50_000 + i);
        let rec = Rec {
            partition: 0,
            key: Some(key.as_bytes()),
            value: Some(&value),
            headers: &[],
            timestamp: now - (300 - i) * 120_000,
        };
        send(&p, "shipments-proto", rec)?;
    }
    flush(&p)
}

/// One partition of 1,000,000 records, produced fast in large compressed batches.
fn seed_long(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    mock.create_topic("events-long", 1, 1)?;
    // Small records, one timestamp per thousand and strong compression: the mock keeps only
    // 5 MiB per partition, and all 1,000,000 records must fit.
    let p = producer(addr, "zstd")?;
    let start = now_ms() - LONG;
    let mut value = String::with_capacity(64);
    for i in 0..LONG {
        value.clear();
        use std::fmt::Write as _;
        let _ = write!(
            value,
            r#"{{"seq":{i},"kind":"{}"}}"#,
            ["click", "view", "scroll", "buy"][(i % 4) as usize]
        );
        send(
            &p,
            "events-long",
            Rec {
                partition: 0,
                key: None,
                value: Some(value.as_bytes()),
                headers: &[],
                timestamp: start + i / 1000 * 1000,
            },
        )?;
    }
    flush(&p)
}

/// A topic that keeps growing, about 50 records a second: try `f` (follow) on it.
fn start_live(
    addr: &str,
    mock: &MockCluster<'static, DefaultProducerContext>,
) -> anyhow::Result<()> {
    mock.create_topic("live-ticks", 3, 1)?;
    let p = producer(addr, "snappy")?;
    std::thread::spawn(move || {
        let mut price = 100_000i64;
        for i in 0i64.. {
            let symbol = ["ACME", "GLOBEX", "INITECH"][(i % 3) as usize];
            price += (i * 7919 % 201) - 100;
            let value = format!(
                r#"{{"symbol":"{symbol}","price":{}.{:02},"seq":{i}}}"#,
                price / 100,
                price % 100
            );
            let rec = Rec {
                partition: (i % 3) as i32,
                key: Some(symbol.as_bytes()),
                value: Some(value.as_bytes()),
                headers: &[],
                timestamp: now_ms(),
            };
            if send(&p, "live-ticks", rec).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    Ok(())
}

/// The demo's consumer groups. The mock cluster answers OffsetCommit, OffsetFetch and
/// FindCoordinator but not ListGroups or DescribeGroups: kbrowse is told their names
/// (as `--group` does) and shows their lag from the committed offsets alone.
const DEMO_GROUPS: [&str; 4] = ["orders-svc", "audit", "billing", "ticks-dashboard"];

/// Commits chosen offsets for the demo's groups with librdkafka consumers (never kbrowse:
/// it cannot commit). `orders` has 2,000 records per partition.
fn seed_groups(addr: &str) -> anyhow::Result<()> {
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    use rdkafka::{Offset, TopicPartitionList};
    type Commits<'a> = &'a [(&'a str, i32, i64)];
    let commits: [(&str, Commits); 4] = [
        // Caught up on three partitions, behind on the others.
        (
            "orders-svc",
            &[
                ("orders", 0, 2_000),
                ("orders", 1, 2_000),
                ("orders", 2, 1_850),
                ("orders", 3, 1_500),
                ("orders", 4, 800),
                ("orders", 5, 2_000),
            ],
        ),
        // Fully read.
        (
            "audit",
            &[
                ("orders", 0, 2_000),
                ("orders", 1, 2_000),
                ("orders", 2, 2_000),
                ("orders", 3, 2_000),
                ("orders", 4, 2_000),
                ("orders", 5, 2_000),
            ],
        ),
        // One partition only, far behind.
        ("billing", &[("orders", 0, 250)]),
        // Left at the start of a topic that keeps growing: the lag grows as you watch.
        (
            "ticks-dashboard",
            &[
                ("live-ticks", 0, 0),
                ("live-ticks", 1, 0),
                ("live-ticks", 2, 0),
            ],
        ),
    ];
    for (group, offsets) in commits {
        let consumer: BaseConsumer = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", addr)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .create()?;
        let mut tpl = TopicPartitionList::new();
        for &(topic, partition, offset) in offsets {
            tpl.add_partition_offset(topic, partition, Offset::Offset(offset))?;
        }
        consumer
            .commit(&tpl, CommitMode::Sync)
            .with_context(|| format!("committing offsets for group {group}"))?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let serve = args.iter().any(|a| a == "--serve");
    let small = args.iter().any(|a| a == "--small");
    let utc = args.iter().any(|a| a == "--utc");
    let mock = MockCluster::new(3).context("starting the mock cluster")?;
    let addr = mock.bootstrap_servers();
    let t = Instant::now();
    eprintln!("kbrowse demo: mock cluster at {addr}; seeding topics…");
    seed_orders(&addr, &mock)?;
    seed_codecs(&addr, &mock)?;
    seed_binary(&addr, &mock)?;
    seed_large(&addr, &mock)?;
    let registry = start_registry()?;
    seed_avro(&addr, &mock)?;
    seed_protobuf(&addr, &mock)?;
    if !small {
        seed_long(&addr, &mock)?;
    }
    start_live(&addr, &mock)?;
    seed_groups(&addr)?;
    eprintln!("seeded in {:.1}s", t.elapsed().as_secs_f32());
    if serve {
        println!("{addr}");
        let groups: String = DEMO_GROUPS
            .iter()
            .map(|g| format!(" --group {g}"))
            .collect();
        eprintln!(
            "schema registry stand-in at {registry}: kbrowse -b {addr} -r {registry}{groups}"
        );
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let opts = kbrowse::tui::Options {
        brokers: addr,
        profile: None,
        switch_cluster: false,
        topic: None,
        window: 10_000,
        isolation: kbrowse::kafka::Isolation::ReadCommitted,
        request_timeout: Duration::from_secs(10),
        decode: kbrowse::schema::SchemaSettings {
            registry: Some(kbrowse::schema::registry::RegistryConfig {
                url: registry,
                timeout: Duration::from_secs(5),
                ..Default::default()
            }),
            ..Default::default()
        },
        time_zone: if utc {
            kbrowse::render::TimeZone::Utc
        } else {
            kbrowse::render::TimeZone::Local
        },
        groups: DEMO_GROUPS.iter().map(|g| g.to_string()).collect(),
    };
    let result = runtime.block_on(kbrowse::tui::run(opts));
    drop(mock);
    result
}
