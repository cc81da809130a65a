//! The TUI resolves decoding as `consume` does (issue 11): a profile's `schema.registry.url`,
//! its basic auth and its per-topic formats reach the decoding stage through
//! `SchemaSettings`, and the table and the detail show what it decoded; the scans behind `/`,
//! `&` and the topic search match the decoded values (issue 12). The registry is a stand-in on
//! loopback that refuses requests without the profile's credentials; the Protobuf payloads
//! were written by Google's protobuf for Python (see `S1`).

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::DecodeState;
use crate::app::search::Query;
use crate::app::{Action, App, Decodings, Effect, PartDecoding, PartitionRow, TimeZone};
use crate::config::{Inputs, SchemaFlags};
use crate::kafka::sasl::test_http::{self, StandIn};
use crate::kafka::{
    BatchInfo, Codec, Message, ReaderEvent, ReaderEventKind, TimestampType, Watermarks,
};
use crate::schema::{Decoders, SchemaSettings};
use crate::search::Filter;
use crate::tui::scan::ScanMatcher;

const SHIP_PROTO: &str = r#"syntax = "proto3";
package ship;

message Shipment {
  enum Carrier {
    UPS = 0;
    DHL = 1;
  }
  string id = 1;
  string customer = 2;
  int64 grams = 3;
  Carrier carrier = 4;
}
"#;

/// `ship.Shipment(id="s-1", customer="c42", grams=1200, carrier=DHL).SerializeToString()`,
/// by Google's protobuf for Python (the module made by grpc_tools.protoc from `SHIP_PROTO`).
const S1: &[u8] = b"\x0a\x03s-1\x12\x03c42\x18\xb0\x09\x20\x01";
/// `ship.Shipment(id="s-2", customer="c7", grams=5)`: the carrier is UPS, the default, not
/// written.
const S2: &[u8] = b"\x0a\x03s-2\x12\x02c7\x18\x05";

/// The registry's id for `SHIP_PROTO`.
const ID: u32 = 7;

/// Confluent's framing: magic byte, schema id, the message-index list (a single 0: the first
/// message), the payload.
fn framed(payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0];
    v.extend_from_slice(&ID.to_be_bytes());
    v.push(0);
    v.extend_from_slice(payload);
    v
}

const CT: &str = "application/vnd.schemaregistry.v1+json";

/// The registry's schema 8 (Avro).
const AVRO_ORDER: &str = r#"{"type":"record","name":"Order","fields":[
    {"name":"id","type":"long"},{"name":"note","type":["null","string"]},
    {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"attrs","type":{"type":"map","values":"float"}}]}"#;

/// A registry with `SHIP_PROTO` as schema 7 under `shipments-value` version 3, answering
/// only requests with the basic auth `kb:secret`.
async fn registry() -> StandIn {
    test_http::serve(|req| {
        // base64("kb:secret")
        if req.header("authorization") != Some("Basic a2I6c2VjcmV0") {
            return (
                401,
                CT,
                r#"{"error_code":401,"message":"Unauthorized"}"#.into(),
            );
        }
        match req.target.as_str() {
            "/schemas/ids/7" => (
                200,
                CT,
                serde_json::json!({"schemaType": "PROTOBUF", "schema": SHIP_PROTO}).to_string(),
            ),
            "/schemas/ids/8" => (
                200,
                CT,
                serde_json::json!({"schema": AVRO_ORDER}).to_string(),
            ),
            "/schemas/ids/7/versions" => (
                200,
                CT,
                r#"[{"subject":"shipments-value","version":3}]"#.into(),
            ),
            _ => (
                404,
                CT,
                r#"{"error_code":40403,"message":"Schema not found"}"#.into(),
            ),
        }
    })
    .await
}

/// The schema settings of a profile naming the registry, its credentials and per-topic
/// formats, resolved as `main` resolves them for the TUI and `consume`.
fn profile_settings(url: &str) -> SchemaSettings {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[clusters.t]
brokers = "127.0.0.1:1"
schema.registry.url = "{url}"
schema.registry.basic.auth.user.info = "kb:secret"
[clusters.t.topics."ship.*"]
key.format = "string"
value.format = "protobuf"
[clusters.t.topics."audit"]
value.format = "avro"
"#
        ),
    )
    .unwrap();
    let inputs = Inputs {
        config: Some(file),
        cluster: Some("t".into()),
        ..Inputs::default()
    };
    crate::config::resolve(&inputs, &crate::config::secret::ProcessEnv)
        .unwrap()
        .schema(&SchemaFlags::default())
        .unwrap()
}

fn record(offset: i64, key: &[u8], value: &[u8]) -> Message {
    Message {
        partition: 0,
        offset,
        timestamp: 1_714_564_800_000 + offset * 1_250,
        timestamp_type: TimestampType::CreateTime,
        key: Some(Bytes::copy_from_slice(key)),
        value: Some(Bytes::copy_from_slice(value)),
        headers: Vec::new(),
        batch: BatchInfo {
            base_offset: 0,
            last_offset: 1,
            codec: Codec::None,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

/// Two shipments whose keys are framed too: `key.format = "string"` shows them as text.
fn shipments() -> Vec<Message> {
    vec![
        record(0, &framed(S1), &framed(S1)),
        record(1, &framed(S2), &framed(S2)),
    ]
}

async fn decoders() -> (StandIn, Decoders) {
    let reg = registry().await;
    let decoders = profile_settings(&reg.url).open().unwrap();
    (reg, decoders)
}

fn value_json(d: &PartDecoding) -> serde_json::Value {
    serde_json::from_slice(d.json().unwrap()).unwrap()
}

#[tokio::test]
async fn a_profiles_registry_auth_and_topic_formats_decode_records() {
    let (reg, decoders) = decoders().await;
    let state = DecodeState::new(decoders.clone());
    let mut state = state.lock().await;
    let out = state.decode("shipments", &shipments()).await;
    assert_eq!(
        out.iter().map(|(o, _)| *o).collect::<Vec<_>>(),
        [0, 1],
        "{out:?}"
    );
    // proto3's JSON mapping: declared names, int64 as a string, enums by name, defaults in.
    assert_eq!(
        value_json(out[0].1.value.as_ref().unwrap()),
        serde_json::json!({"id": "s-1", "customer": "c42", "grams": "1200", "carrier": "DHL"})
    );
    assert_eq!(
        value_json(out[1].1.value.as_ref().unwrap()),
        serde_json::json!({"id": "s-2", "customer": "c7", "grams": "5", "carrier": "UPS"})
    );
    match out[0].1.value.as_ref().unwrap() {
        PartDecoding::Json { schema, .. } => assert_eq!(
            schema.describe(),
            "Protobuf ship.Shipment · id 7 · subject shipments-value · version 3"
        ),
        other => panic!("{other:?}"),
    }
    // key.format = "string" from the topic's rule: the framed keys stay text.
    assert!(out.iter().all(|(_, d)| d.key.is_none()), "{out:?}");
    // Another topic: no rule, `auto` through the registry decodes keys too.
    let other = state.decode("orders", &shipments()).await;
    assert!(other[0].1.key.is_some(), "{other:?}");
    // The "audit" rule asks for Avro: the Protobuf schema is refused with the reason.
    let audit = state.decode("audit", &shipments()).await;
    assert_eq!(
        audit[0].1.value,
        Some(PartDecoding::Failed {
            reason: "schema 7 is PROTOBUF, not AVRO".into(),
            id: Some(7),
        })
    );
    // Every request carried the profile's credentials (the stand-in refuses others), and
    // each schema was fetched once: one registry client for every topic.
    let asked: Vec<String> = reg.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        asked
            .iter()
            .filter(|t| t.as_str() == "/schemas/ids/7")
            .count(),
        1,
        "{asked:?}"
    );
    // A topic whose formats read the bytes as they are has no decoding stage at all.
    let plain = SchemaSettings::default().open().unwrap();
    assert!(plain.transforming("shipments").is_none());
    assert!(decoders.transforming("shipments").is_some());
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The message pane of `shipments` at `size` with the two records and what the decoding
/// stage made of them, handed in as the runtime hands them.
fn pane(size: (u16, u16), decodings: Decodings) -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        1000,
        Box::new(|| 1_714_564_900_000),
    );
    app.time_zone = TimeZone::Utc;
    app.update(Action::Resize(size.0, size.1));
    app.start(Some("shipments".into()));
    app.update(Action::PartitionsLoaded {
        topic: "shipments".into(),
        result: Ok(vec![PartitionRow {
            id: 0,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(0),
            high: Some(2),
        }]),
    });
    let fx = app.update(key(KeyCode::Enter));
    let generation = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    app.update(Action::Decoded(Decodings {
        generation,
        ..decodings
    }));
    let event = |kind| ReaderEvent {
        generation,
        partition: 0,
        kind,
    };
    app.update(Action::Reader(vec![
        event(ReaderEventKind::Started {
            offset: 0,
            watermarks: Watermarks { low: 0, high: 2 },
        }),
        event(ReaderEventKind::Messages(shipments())),
        event(ReaderEventKind::CaughtUp { next: 2, high: 2 }),
    ]));
    app
}

fn render(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| crate::ui::draw(app, f)).unwrap();
    format!("{}", t.backend())
}

#[tokio::test]
async fn the_table_and_the_detail_show_what_the_profile_decoded() {
    let (_reg, decoders) = decoders().await;
    let state = DecodeState::new(decoders);
    let records = state.lock().await.decode("shipments", &shipments()).await;
    let decodings = Decodings {
        generation: 0,
        partition: 0,
        records,
    };
    for size in [(160, 45), (80, 24)] {
        let mut app = pane(size, decodings.clone());
        let name = format!("profile_protobuf_{}x{}", size.0, size.1);
        insta::assert_snapshot!(format!("{name}_table"), render(&app));
        app.update(key(KeyCode::Enter));
        insta::assert_snapshot!(format!("{name}_detail"), render(&app));
    }
}

fn query(text: &str) -> Query {
    Query::Filter {
        text: text.into(),
        filter: Filter::parse(text).unwrap(),
    }
}

/// The offsets of `shipments` that `text` matches (within `within`, as a search inside a
/// filter view), the scans' decoder from `decoders` when given.
async fn matching(decoders: Option<&Decoders>, text: &str, within: Option<&str>) -> Vec<i64> {
    let mut m = ScanMatcher::new(
        query(text).matcher("shipments"),
        decoders.and_then(|d| d.transforming("shipments")),
    );
    m.within = within.map(|w| query(w).matcher("shipments"));
    let records = shipments();
    m.prepare(&records).await;
    records
        .iter()
        .filter(|r| m.matches(r))
        .map(|r| r.offset)
        .collect()
}

#[tokio::test]
async fn search_and_filter_match_the_decoded_values() {
    let (_reg, decoders) = decoders().await;
    let d = Some(&decoders);
    // Expressions see the decoded fields, as `consume --filter` does.
    assert_eq!(matching(d, r#"value.customer == "c42""#, None).await, [0]);
    assert_eq!(matching(d, r#"value.carrier == "UPS""#, None).await, [1]);
    assert_eq!(matching(d, r#"int(value.grams) > 1000"#, None).await, [0]);
    // Plain text looks in the decoded value's compact JSON: the enum's name, a quoted int64
    // (in the bytes the carrier is 1 and the grams a varint).
    assert_eq!(matching(d, r#""carrier":"DHL""#, None).await, [0]);
    assert_eq!(matching(d, r#""grams":"5""#, None).await, [1]);
    // A search inside a filter view: both must hold, on the decoded values.
    assert_eq!(
        matching(d, "s-", Some(r#"value.carrier == "UPS""#)).await,
        [1]
    );
    // Without the decoder the same queries see bytes and find nothing.
    assert!(
        matching(None, r#"value.customer == "c42""#, None)
            .await
            .is_empty()
    );
    assert!(matching(None, r#""carrier":"DHL""#, None).await.is_empty());
    // A key query compares the key's bytes, decoded or not.
    let mut m = ScanMatcher::new(
        Query::Key(framed(S2)).matcher("shipments"),
        decoders.transforming("shipments"),
    );
    let records = shipments();
    m.prepare(&records).await;
    assert_eq!(
        records.iter().map(|r| m.matches(r)).collect::<Vec<_>>(),
        [false, true]
    );
}

#[tokio::test]
async fn topic_search_results_show_the_decoded_value() {
    let (_reg, decoders) = decoders().await;
    let mut m = ScanMatcher::new(
        query("c42").matcher("shipments"),
        decoders.transforming("shipments"),
    );
    let records = shipments();
    m.prepare(&records).await;
    assert!(m.matches(&records[0]));
    let hit = m.hit(&records[0]);
    assert_eq!(
        hit.value.as_deref(),
        Some(&br#"{"id":"s-1","customer":"c42","grams":"1200","carrier":"DHL"}"#[..])
    );
    // The key is read as text (key.format = "string"): its bytes as they are.
    assert_eq!(hit.key.as_deref(), Some(&framed(S1)[..]));
}

/// Avro values go to the table as compact JSON written straight from their bytes: the text
/// of printing their decoded value, cut-off ones failed with the reason.
#[tokio::test]
async fn avro_values_reach_the_table_as_the_json_of_their_decoded_value() {
    let (_reg, decoders) = decoders().await;
    let state = DecodeState::new(decoders);
    let mut state = state.lock().await;
    // id=3, note="a\"b", at=0, attrs={"x": NaN, "y": 0.5, "x": 1.0}
    let mut avro = vec![6, 2, 6, b'a', b'"', b'b', 0, 6];
    for (k, f) in [("x", f32::NAN), ("y", 0.5), ("x", 1.0)] {
        avro.extend([2, k.as_bytes()[0]]);
        avro.extend(f.to_le_bytes());
    }
    avro.push(0);
    let framed8 = |p: &[u8]| [&[0u8, 0, 0, 0, 8][..], p].concat();
    let msgs = vec![
        record(0, b"k", &framed8(&avro)),
        record(1, b"k", &framed8(&avro[..4])),
    ];
    let out = state.decode("orders", &msgs).await;
    let json = out[0].1.value.as_ref().unwrap().json().unwrap();
    assert_eq!(
        std::str::from_utf8(json).unwrap(),
        r#"{"id":3,"note":"a\"b","at":"1970-01-01T00:00:00.000Z","attrs":{"x":1.0,"y":0.5}}"#
    );
    let value = crate::schema::avro::AvroSchema::parse(AVRO_ORDER, &[])
        .unwrap()
        .decode(&avro)
        .unwrap();
    assert_eq!(json[..], serde_json::to_vec(&value).unwrap()[..]);
    match out[0].1.value.as_ref().unwrap() {
        PartDecoding::Json { schema, .. } => assert_eq!(schema.describe(), "Avro · id 8"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        out[1].1.value,
        Some(PartDecoding::Failed {
            reason: "a string declares 3 bytes but only 1 remain".into(),
            id: Some(8),
        })
    );
}

/// A fetch of many records reaches the app in pieces of at most `CHUNK`, in order, each
/// preceded by the decodings of its own records; other events pass as they are.
#[tokio::test]
async fn big_batches_reach_the_app_in_pieces_each_after_its_decodings() {
    use super::{CHUNK, Fed, forward};
    let (_reg, decoders) = decoders().await;
    let shared = DecodeState::new(decoders);
    let (raw_tx, raw_rx) = tokio::sync::mpsc::channel(1);
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let stage = tokio::spawn(forward(Some(shared), "orders".into(), raw_rx, tx));
    // id=i, note=null, at=0, attrs={}
    let value = |i: i64| {
        let mut v = vec![0u8, 0, 0, 0, 8];
        // Zigzag: one byte for 0 to 63.
        v.extend([(i << 1) as u8, 0, 0, 0]);
        v
    };
    let n = 2 * CHUNK + 452;
    let msgs: Vec<Message> = (0..n as i64)
        .map(|i| record(i, b"k", &value(i % 50)))
        .collect();
    let ev = |kind| ReaderEvent {
        generation: 3,
        partition: 0,
        kind,
    };
    raw_tx
        .send(ev(ReaderEventKind::Messages(msgs)))
        .await
        .unwrap();
    raw_tx
        .send(ev(ReaderEventKind::CaughtUp {
            next: n as i64,
            high: n as i64,
        }))
        .await
        .unwrap();
    drop(raw_tx);
    let mut seen = Vec::new();
    let mut decoded: Option<Vec<i64>> = None;
    while let Some(fed) = rx.recv().await {
        match fed {
            Fed::Decoded(d) => {
                assert!(decoded.is_none(), "two decodings in a row");
                assert_eq!((d.generation, d.partition), (3, 0));
                decoded = Some(d.records.iter().map(|(o, _)| *o).collect());
            }
            Fed::Event(ReaderEvent {
                kind: ReaderEventKind::Messages(m),
                ..
            }) => {
                let offsets: Vec<i64> = m.iter().map(|m| m.offset).collect();
                assert_eq!(decoded.take().as_ref(), Some(&offsets));
                seen.push(offsets);
            }
            Fed::Event(e) => {
                assert!(matches!(e.kind, ReaderEventKind::CaughtUp { .. }), "{e:?}");
                seen.push(Vec::new());
            }
        }
    }
    stage.await.unwrap();
    assert_eq!(
        seen.iter().map(Vec::len).collect::<Vec<_>>(),
        [CHUNK, CHUNK, 452, 0]
    );
    assert_eq!(
        seen.concat(),
        (0..n as i64).collect::<Vec<_>>(),
        "every record once, in order"
    );
}

#[test]
fn pieces_keep_the_order_and_are_never_empty_or_too_long() {
    use super::{CHUNK, chunks};
    for n in [
        0usize,
        1,
        CHUNK - 1,
        CHUNK,
        CHUNK + 1,
        2 * CHUNK,
        3 * CHUNK + 7,
    ] {
        let messages: Vec<Message> = (0..n as i64).map(|o| record(o, b"k", b"v")).collect();
        let pieces = chunks(messages);
        let sizes: Vec<usize> = pieces.iter().map(Vec::len).collect();
        let mut want = vec![CHUNK; n / CHUNK];
        if n % CHUNK != 0 || n == 0 {
            want.push(n % CHUNK);
        }
        assert_eq!(sizes, want, "{n} records");
        let offsets: Vec<i64> = pieces.iter().flatten().map(|m| m.offset).collect();
        assert_eq!(offsets, (0..n as i64).collect::<Vec<_>>());
    }
}
