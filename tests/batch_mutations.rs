//! Mutated record batches (CRC re-computed so the decoder sees them) never panic, never
//! allocate what they claim, and fail with a message: a seeded, bounded stand-in for fuzzing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use bytes::Bytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};
use kbrowse::kafka::records::split_batches;

fn batch(compression: Compression) -> Vec<u8> {
    let records: Vec<Record> = (0..20)
        .map(|i| {
            let mut headers = kafka_protocol::indexmap::IndexMap::new();
            headers.insert(format!("h{i}").into(), Some(Bytes::from(vec![i as u8; 3])));
            Record {
                transactional: false,
                control: false,
                delete_horizon: false,
                partition_leader_epoch: 0,
                producer_id: -1,
                producer_epoch: -1,
                timestamp_type: TimestampType::Creation,
                offset: i,
                sequence: -1,
                timestamp: 1_700_000_000_000 + i,
                key: Some(Bytes::from(format!("key-{i}"))),
                value: Some(Bytes::from(format!("{{\"value\":{i}}}"))),
                headers,
            }
        })
        .collect();
    let mut buf = bytes::BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        &records,
        &RecordEncodeOptions {
            version: 2,
            compression,
        },
    )
    .expect("encode");
    buf.to_vec()
}

/// xorshift: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn mutated_batches_fail_cleanly() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0usize;
    let mut refused = 0usize;
    for compression in [
        Compression::None,
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ] {
        let original = batch(compression);
        for _ in 0..10_000 {
            let mut data = original.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() % data.len() as u64) as usize;
                data[at] = rng.next() as u8;
            }
            if rng.next().is_multiple_of(4) {
                let cut = (rng.next() % data.len() as u64) as usize;
                data.truncate(cut);
            }
            // Re-seal the batch so mutations past the CRC reach the record decoder.
            if data.len() > 21 && !rng.next().is_multiple_of(8) {
                let crc = crc32c::crc32c(&data[21..]);
                data[17..21].copy_from_slice(&crc.to_be_bytes());
            }
            let (batches, _) = split_batches(&Bytes::from(data));
            for b in &batches {
                let b = match b {
                    Ok(b) => b,
                    Err(e) => {
                        assert!(format!("{e:?}").starts_with("Corrupt"));
                        refused += 1;
                        continue;
                    }
                };
                let mut out = Vec::new();
                match b.decode_into(0, 0, &mut out) {
                    Ok(()) => decoded += out.len(),
                    Err(msg) => {
                        assert!(!msg.is_empty());
                        refused += 1;
                    }
                }
                assert!(out.capacity() <= 4096, "over-allocated: {}", out.capacity());
            }
        }
    }
    // Both paths were exercised.
    assert!(
        decoded > 1000 && refused > 1000,
        "decoded {decoded}, refused {refused}"
    );
}
