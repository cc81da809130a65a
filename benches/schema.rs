//! Schema decoding per record and per MB: Avro datums (written by apache-avro's encoder) and
//! Protobuf messages (written by prost through prost-reflect), both to JSON values, and the
//! same values printed as `--format json` would, through a value and straight from the bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use apache_avro::types::Value as AvroValue;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kbrowse::schema::avro::AvroSchema;
use kbrowse::schema::protobuf::{ProtoSchema, decode};
use prost::Message as _;
use prost_reflect::{DynamicMessage, Value as PValue};

const RECORDS: usize = 10_000;

const PAYMENT: &str = r#"{"type":"record","name":"Payment","namespace":"bench","fields":[
 {"name":"id","type":"long"},{"name":"customer","type":"string"},{"name":"sku","type":"string"},
 {"name":"qty","type":"int"},{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
 {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","REFUNDED"]}},
 {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"note","type":["null","string"]},
 {"name":"tags","type":{"type":"array","items":"string"}}]}"#;

const PROTO: &str = r#"syntax = "proto3";
package bench;
import "google/protobuf/timestamp.proto";
message Payment {
  int64 id = 1; string customer = 2; string sku = 3; int32 qty = 4; int64 cents = 5;
  Status status = 6; google.protobuf.Timestamp ts = 7; string note = 8; repeated string tags = 9;
}
enum Status { NEW = 0; PAID = 1; REFUNDED = 2; }
"#;

fn avro_data() -> (AvroSchema, Vec<Vec<u8>>) {
    let schema = apache_avro::Schema::parse_str(PAYMENT).unwrap();
    let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema)
        .build()
        .unwrap();
    let data = (0..RECORDS)
        .map(|i| {
            let amount =
                apache_avro::Decimal::from(((i as i64 * 1234) % 100_000).to_be_bytes().to_vec());
            let v = AvroValue::Record(vec![
                ("id".into(), AvroValue::Long(i as i64)),
                (
                    "customer".into(),
                    AvroValue::String(format!("c{:05}", i * 7919 % 100_000)),
                ),
                (
                    "sku".into(),
                    AvroValue::String(format!("SKU-{:06}", i * 104_729 % 1_000_000)),
                ),
                ("qty".into(), AvroValue::Int((i % 9) as i32)),
                ("amount".into(), AvroValue::Decimal(amount)),
                ("status".into(), AvroValue::Enum(1, "PAID".into())),
                (
                    "ts".into(),
                    AvroValue::TimestampMillis(1_764_000_000_000 + i as i64),
                ),
                (
                    "note".into(),
                    AvroValue::Union(1, Box::new(AvroValue::String("gift".into()))),
                ),
                (
                    "tags".into(),
                    AvroValue::Array(vec![
                        AvroValue::String("a".into()),
                        AvroValue::String("b".into()),
                    ]),
                ),
            ]);
            writer.write_value_to_vec(v).unwrap()
        })
        .collect();
    (AvroSchema::parse(PAYMENT, &[]).unwrap(), data)
}

fn proto_data() -> (prost_reflect::MessageDescriptor, Vec<Vec<u8>>) {
    let schema = ProtoSchema::compile(1, PROTO, &[]).unwrap();
    let desc = schema.message(&[0]).unwrap();
    let ts = desc.get_field_by_name("ts").unwrap().kind();
    let ts = ts.as_message().unwrap().clone();
    let data = (0..RECORDS)
        .map(|i| {
            let mut m = DynamicMessage::new(desc.clone());
            m.set_field_by_name("id", PValue::I64(i as i64));
            m.set_field_by_name(
                "customer",
                PValue::String(format!("c{:05}", i * 7919 % 100_000)),
            );
            m.set_field_by_name(
                "sku",
                PValue::String(format!("SKU-{:06}", i * 104_729 % 1_000_000)),
            );
            m.set_field_by_name("qty", PValue::I32((i % 9) as i32));
            m.set_field_by_name("cents", PValue::I64((i as i64 * 1234) % 100_000));
            m.set_field_by_name("status", PValue::EnumNumber(1));
            let mut t = DynamicMessage::new(ts.clone());
            t.set_field_by_name("seconds", PValue::I64(1_764_000_000 + i as i64));
            m.set_field_by_name("ts", PValue::Message(t));
            m.set_field_by_name("note", PValue::String("gift".into()));
            m.set_field_by_name(
                "tags",
                PValue::List(vec![PValue::String("a".into()), PValue::String("b".into())]),
            );
            m.encode_to_vec()
        })
        .collect();
    (desc, data)
}

fn bench(c: &mut Criterion) {
    let (avro, avro_bytes) = avro_data();
    let (desc, proto_bytes) = proto_data();
    for (name, total) in [
        ("avro", avro_bytes.iter().map(Vec::len).sum::<usize>()),
        ("protobuf", proto_bytes.iter().map(Vec::len).sum::<usize>()),
    ] {
        eprintln!("{name}: {RECORDS} records, {total} bytes");
    }
    let (mut streamed, mut printed) = (Vec::new(), Vec::new());
    avro.write_json(&avro_bytes[1], &mut streamed).unwrap();
    kbrowse::render::json_value_into(&avro.decode(&avro_bytes[1]).unwrap(), &mut printed);
    assert_eq!(streamed, printed);
    let mut g = c.benchmark_group("schema");
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("avro_records", |b| {
        b.iter(|| {
            for d in &avro_bytes {
                black_box(avro.decode(d).unwrap());
            }
        })
    });
    g.bench_function("protobuf_records", |b| {
        b.iter(|| {
            for d in &proto_bytes {
                black_box(decode(&desc, d).unwrap());
            }
        })
    });
    g.bench_function("avro_records_to_json_text", |b| {
        let mut out = Vec::with_capacity(4 << 20);
        b.iter(|| {
            out.clear();
            for d in &avro_bytes {
                kbrowse::render::json_value_into(&avro.decode(d).unwrap(), &mut out);
            }
            black_box(out.len())
        })
    });
    // What `consume --format json` does: the JSON text written straight from the datum.
    g.bench_function("avro_records_streamed_json_text", |b| {
        let mut out = Vec::with_capacity(4 << 20);
        b.iter(|| {
            out.clear();
            for d in &avro_bytes {
                avro.write_json(d, &mut out).unwrap();
            }
            black_box(out.len())
        })
    });
    g.throughput(Throughput::Bytes(
        avro_bytes.iter().map(Vec::len).sum::<usize>() as u64,
    ));
    g.bench_function("avro_bytes", |b| {
        b.iter(|| {
            for d in &avro_bytes {
                black_box(avro.decode(d).unwrap());
            }
        })
    });
    g.throughput(Throughput::Bytes(
        proto_bytes.iter().map(Vec::len).sum::<usize>() as u64,
    ));
    g.bench_function("protobuf_bytes", |b| {
        b.iter(|| {
            for d in &proto_bytes {
                black_box(decode(&desc, d).unwrap());
            }
        })
    });
    g.finish();
    json_text(c);
}

/// `auto` on JSON text (~170-byte values like scripts/bench's): the fast path checks that the
/// bytes are printable-ASCII JSON without building a value; the reference is building the
/// `serde_json::Value` that the slow path (and `-s json`) builds.
fn json_text(c: &mut Criterion) {
    use kbrowse::schema::{Decoded, FormatSpec, Part, RecordDecoder};
    let values: Vec<Vec<u8>> = (0..RECORDS)
        .map(|i| {
            format!(
                r#"{{"id":{i},"customer":"c{:05}","sku":"SKU-{:06}","qty":{},"price":{}.{:02},"status":"PAID","note":"order {i} for customer, shipped","tags":["a","b"]}}"#,
                i * 7919 % 100_000,
                i * 104_729 % 1_000_000,
                i % 9,
                i % 200,
                i % 100
            )
            .into_bytes()
        })
        .collect();
    let total = values.iter().map(Vec::len).sum::<usize>();
    eprintln!("json text: {RECORDS} records, {total} bytes");
    let mut decoder = RecordDecoder::new(FormatSpec::Auto, FormatSpec::Auto, None, None);
    assert_eq!(decoder.decode(Part::Value, &values[0]), Decoded::RawJson);
    let mut g = c.benchmark_group("schema");
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("auto_json_text_records", |b| {
        b.iter(|| {
            for d in &values {
                black_box(decoder.decode(Part::Value, d));
            }
        })
    });
    g.bench_function("json_value_records", |b| {
        b.iter(|| {
            for d in &values {
                black_box(serde_json::from_slice::<serde_json::Value>(d).unwrap());
            }
        })
    });
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("auto_json_text_bytes", |b| {
        b.iter(|| {
            for d in &values {
                black_box(decoder.decode(Part::Value, d));
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
