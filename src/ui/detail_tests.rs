//! Snapshots of the detail at 160x45, 80x24 and 50x20: pretty JSON, schema-decoded Avro and
//! Protobuf, a decoding failure, the hex title with and without JSON, and n/p; and the JSON
//! colours.

use std::sync::Arc;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use crate::app::{
    Action, App, Decodings, Effect, PartDecoding, PartitionRow, RecordDecoding, SchemaLabel,
    TimeZone,
};
use crate::kafka::{
    BatchInfo, Codec, Message, ReaderEvent, ReaderEventKind, TimestampType, Watermarks,
};

const SIZES: [(u16, u16); 3] = [(160, 45), (80, 24), (50, 20)];

fn ch(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn enter() -> Action {
    Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

fn terminal(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| super::draw(app, f)).unwrap();
    t
}

fn render(app: &App) -> String {
    format!("{}", terminal(app).backend())
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
            last_offset: 4,
            codec: Codec::Zstd,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

fn label(format: &'static str, id: u32, subject: &str, message: Option<&str>) -> Arc<SchemaLabel> {
    Arc::new(SchemaLabel {
        format,
        id: Some(id),
        subject: Some(subject.into()),
        version: Some(2),
        message: message.map(str::to_string),
    })
}

/// Offsets 0-4 of `payments`: plain JSON, Avro (decoded), Protobuf (decoded), an unknown
/// schema id (failed) and plain text; the detail opened on `row` at `size`.
fn detail(row: usize, size: (u16, u16)) -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        1000,
        Box::new(|| 1_714_564_900_000),
    );
    app.time_zone = TimeZone::Utc;
    app.update(Action::Resize(size.0, size.1));
    app.start(Some("payments".into()));
    app.update(Action::PartitionsLoaded {
        topic: "payments".into(),
        result: Ok(vec![PartitionRow {
            id: 0,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(0),
            high: Some(5),
        }]),
    });
    let fx = app.update(enter());
    let generation = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    // As serde_json writes it: the right-to-left override raw, for the screen to escape.
    let avro = "{\"id\":\"5eed0000-0000-4000-8000-000000000001\",\"amount\":\"80.19\",\"currency\":\"USD\",\"paid_at\":\"2024-05-01T12:00:00.000Z\",\"note\":null,\"tags\":[\"a\u{202e}b\"]}";
    let proto = br#"{"order_id":"order-100003","carrier":"UPS","items":[{"sku":"KB-101","qty":1},{"sku":"MOUSE-7","qty":2}],"weight_grams":"1147","labels":{"priority":"express"}}"#;
    let decodings = vec![
        (
            1,
            Arc::new(RecordDecoding {
                key: None,
                value: Some(PartDecoding::Json {
                    json: Bytes::from_static(avro.as_bytes()),
                    schema: label("Avro", 1, "payments-value", None),
                }),
            }),
        ),
        (
            2,
            Arc::new(RecordDecoding {
                key: Some(PartDecoding::Json {
                    json: Bytes::from_static(br#"{"shipment":3}"#),
                    schema: label("Avro", 4, "payments-key", None),
                }),
                value: Some(PartDecoding::Json {
                    json: Bytes::from_static(proto),
                    schema: label("Protobuf", 2, "payments-value", Some("demo.shop.Shipment")),
                }),
            }),
        ),
        (
            3,
            Arc::new(RecordDecoding {
                key: None,
                value: Some(PartDecoding::Failed {
                    reason: "schema registry http://127.0.0.1:8081: has no schema 99: Schema not found (error 40403)".into(),
                    id: Some(99),
                }),
            }),
        ),
    ];
    app.update(Action::Decoded(Decodings {
        generation,
        partition: 0,
        records: decodings,
    }));
    let records = vec![
        record(
            0,
            b"pay-10000",
            br#"{"id":10000,"customer":"ada","amount":12.5,"paid":true,"note":null,"items":[{"sku":"KB-101","qty":2}]}"#,
        ),
        record(1, b"pay-10001", b"\x00\x00\x00\x00\x01H5eed0000-0000-4000-8000-000000000001"),
        record(2, b"\x00\x00\x00\x00\x04\x06", b"\x00\x00\x00\x00\x02\x00\n\x0corder-100003\x10\x02"),
        record(3, b"unknown-schema", b"\x00\x00\x00\x00c\x02\x04ok"),
        record(4, b"note", b"plain text, not JSON"),
    ];
    app.update(Action::Reader(vec![
        ReaderEvent {
            generation,
            partition: 0,
            kind: ReaderEventKind::Started {
                offset: 0,
                watermarks: Watermarks { low: 0, high: 5 },
            },
        },
        ReaderEvent {
            generation,
            partition: 0,
            kind: ReaderEventKind::Messages(records),
        },
        ReaderEvent {
            generation,
            partition: 0,
            kind: ReaderEventKind::CaughtUp { next: 5, high: 5 },
        },
    ]));
    for _ in 0..row {
        app.update(ch('j'));
    }
    app.update(enter());
    app
}

/// Snapshots of `make` at each size, named `detail_{name}_{w}x{h}`.
fn snapshots(name: &str, make: impl Fn((u16, u16)) -> App) {
    for size in SIZES {
        let app = make(size);
        insta::assert_snapshot!(format!("detail_{name}_{}x{}", size.0, size.1), render(&app));
    }
}

#[test]
fn pretty_json() {
    snapshots("pretty_json", |s| detail(0, s));
}

#[test]
fn decoded_avro() {
    snapshots("decoded_avro", |s| detail(1, s));
}

#[test]
fn decoded_protobuf_with_a_decoded_key() {
    snapshots("decoded_protobuf", |s| detail(2, s));
}

#[test]
fn decoding_failed_shows_the_raw_value_and_the_reason() {
    snapshots("decoding_failed", |s| detail(3, s));
}

#[test]
fn hex_title_offers_json_only_when_the_value_parses() {
    snapshots("hex_with_json", |s| {
        let mut app = detail(0, s);
        app.update(ch('x'));
        app.update(ch('x'));
        app
    });
    snapshots("hex_without_json", |s| {
        let mut app = detail(4, s);
        app.update(ch('x'));
        app
    });
    let app = detail(0, (160, 45));
    let mut hex = detail(0, (160, 45));
    hex.update(ch('x'));
    hex.update(ch('x'));
    assert!(render(&hex).contains("value as hex · x: json"));
    assert!(render(&app).contains("value as json · x: text"));
    let mut text = detail(4, (160, 45));
    text.update(ch('x'));
    assert!(render(&text).contains("value as hex · x: text"));
}

#[test]
fn n_and_p_keep_the_view() {
    snapshots("n_from_json_to_avro", |s| {
        let mut app = detail(0, s);
        app.update(ch('n'));
        app
    });
    snapshots("hex_then_n_then_p", |s| {
        let mut app = detail(1, s);
        app.update(ch('x'));
        app.update(ch('x'));
        app.update(ch('n'));
        app.update(ch('p'));
        app
    });
}

/// Keys, strings, numbers and literals are drawn in their own styles; escapes stay escaped.
#[test]
fn json_is_syntax_coloured() {
    let app = detail(0, (160, 45));
    let t = terminal(&app);
    let buf = t.backend().buffer();
    let screen = render(&app);
    let row_of = |needle: &str| {
        screen
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen")) as u16
    };
    let fg_at = |needle: &str, within: &str| {
        let y = row_of(needle);
        let line = screen.lines().nth(y as usize).unwrap();
        let byte = line.find(needle).unwrap() + needle.find(within).unwrap();
        // Columns: the snapshot line starts with a quote.
        let x = line[..byte].chars().count() as u16 - 1;
        buf[(x, y)].fg
    };
    assert_eq!(fg_at("\"customer\": \"ada\"", "\"customer\""), Color::Cyan);
    assert_eq!(fg_at("\"customer\": \"ada\"", "\"ada\""), Color::Green);
    assert_eq!(fg_at("\"amount\": 12.5", "12.5"), Color::Magenta);
    assert_eq!(fg_at("\"paid\": true", "true"), Color::Yellow);
    assert_eq!(fg_at("\"note\": null", "null"), Color::Yellow);
    // The bidi override inside a decoded string is escaped, in the string's colour.
    let avro = detail(1, (160, 45));
    let screen = render(&avro);
    assert!(screen.contains(r#""a\u{202e}b""#), "{screen}");
}
