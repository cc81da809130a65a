//! Record-batch decoding per codec on fetch responses captured from a broker (the mock
//! cluster, records encoded by librdkafka), and the text/JSON/hex renderers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kafka_protocol::messages::FetchRequest;
use kbrowse::cli::format::{Format, RecordFormatter};
use kbrowse::kafka::reader::fetch_request;
use kbrowse::kafka::records::split_batches;
use kbrowse::kafka::{Isolation, Message, ReaderConfig, conn::Connection};
use kbrowse::render;

const RECORDS: usize = 10_000;

fn value(i: usize) -> String {
    let v = format!(
        r#"{{"id":{i},"customer":"c{:05}","sku":"SKU-{:06}","qty":{},"price":{}.{:02},"status":"paid","ts":"2026-11-24T10:00:00Z"}}"#,
        i * 7919 % 100_000,
        i * 104_729 % 1_000_000,
        i % 9,
        i % 100,
        i % 97
    );
    format!("{v:<170}")
}

/// The `records` bytes of the fetches that bring RECORDS records produced with `codec`.
fn capture(codec: &str) -> Bytes {
    let mock = support::Mock::new(1);
    let topic = format!("bench-{codec}");
    mock.topic(&topic, 1);
    let recs: Vec<support::TestRecord> = (0..RECORDS)
        .map(|i| support::TestRecord::kv(0, &format!("k{i}"), &value(i)))
        .collect();
    support::produce(&mock.addr, &topic, codec, &recs);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let conn = Connection::connect(&mock.addr, &Default::default())
            .await
            .expect("connect");
        let version = conn.version::<FetchRequest>(12).expect("version");
        // One fetch may bring a single small batch (the producer's first): fetch on from the
        // next offset and join the record bytes until they hold every record.
        let mut joined = Vec::new();
        let mut next = 0i64;
        while (next as usize) < RECORDS {
            let config = ReaderConfig {
                max_wait: Duration::from_millis(100),
                max_bytes: 64 << 20,
                isolation: Isolation::ReadUncommitted,
                ..ReaderConfig::default()
            };
            let req = fetch_request(&topic, 0, next, 64 << 20, &config);
            let resp = conn
                .send(&req, version, Duration::ZERO)
                .await
                .expect("fetch");
            let records = resp.responses[0].partitions[0]
                .records
                .clone()
                .expect("records");
            let last = decode(&records).last().map(|m| m.offset).expect("records");
            joined.extend_from_slice(&records);
            next = last + 1;
        }
        Bytes::from(joined)
    })
}

fn decode(records: &Bytes) -> Vec<Message> {
    let (batches, _) = split_batches(records);
    let mut out = Vec::with_capacity(RECORDS);
    for b in &batches {
        let b = b.as_ref().expect("a whole batch");
        b.decode_into(0, 0, &mut out).expect("decode");
    }
    out
}

fn bench_decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let records = capture(codec);
        let n = decode(&records).len();
        assert_eq!(n, RECORDS, "{codec}: records in the captured fetches");
        println!(
            "decode/{codec}: {n} records, {} bytes on the wire",
            records.len()
        );
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(codec, |b| b.iter(|| decode(black_box(&records))));
    }
    g.finish();
}

fn bench_render(c: &mut Criterion) {
    let msgs = decode(&capture("none"));
    let mut g = c.benchmark_group("render");
    g.throughput(Throughput::Elements(msgs.len() as u64));
    for (name, format) in [
        ("text", Format::Text),
        ("json", Format::Json),
        ("hex", Format::Hex),
    ] {
        let mut f = RecordFormatter::new(format, "bench");
        let mut out = Vec::with_capacity(64 << 20);
        g.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                for m in &msgs {
                    f.write(m, &mut out);
                }
                black_box(out.len())
            })
        });
    }
    g.bench_function("table_cell_escape_line", |b| {
        b.iter(|| {
            msgs.iter()
                .map(|m| render::escape_line(m.value.as_deref().unwrap_or(b""), 60).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench_decode, bench_render
}
criterion_main!(benches);
