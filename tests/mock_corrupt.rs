//! Corrupt batches do not end a read: the librdkafka mock cluster's transactional topic reads
//! whole, and a data batch corrupted on its way from the mock (a proxy flips one byte of a
//! value) is reported while the records after it come out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use rdkafka::producer::Producer;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// `key=value` of each line of `consume`'s text output.
fn key_values(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{}={}", f[3], f[4])
        })
        .collect()
}

/// `offset value` of each line of `consume`'s text output.
fn offset_values(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{} {}", f[1], f[4])
        })
        .collect()
}

#[test]
fn every_record_of_the_mock_transactional_topic_comes_out_uncommitted() {
    let mock = Mock::new(1);
    mock.topic("txn", 1);
    let tx = transactional_producer(&mock.addr, "kbrowse-test-txn");
    for batch in 0..3 {
        tx.begin_transaction().expect("begin");
        let recs: Vec<TestRecord> = (0..4)
            .map(|i| TestRecord::kv(0, "k", &format!("t{batch}-{i}")))
            .collect();
        produce_with(&tx, "txn", &recs);
        tx.commit_transaction(Duration::from_secs(30))
            .expect("commit");
    }
    let (code, out, err) = kbrowse(&[
        "-b",
        &mock.addr,
        "consume",
        "-t",
        "txn",
        "-e",
        "--isolation",
        "uncommitted",
    ]);
    let want: Vec<String> = (0..3)
        .flat_map(|b| (0..4).map(move |i| format!("k=t{b}-{i}")))
        .collect();
    assert_eq!(key_values(&out), want);
    // The mock writes its commit markers with checksum 0: each is skipped with a warning,
    // and no user record was lost, so the exit status is 0.
    assert_eq!(code, 0, "{err}");
    // librdkafka 2.12's mock writes no transaction markers (offsets are contiguous), so
    // nothing is skipped here; corrupt markers are covered by kafka::reader::batches' tests.
    assert_eq!((code, err.as_str()), (0, ""));
}

/// A proxy in front of a one-broker mock: Metadata answers name the proxy instead of the
/// mock, and in every answer the first byte of `poison` is flipped, so the batch holding
/// that value fails its checksum.
async fn corrupting_proxy(mock: String, poison: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mock_port = mock.rsplit(':').next().unwrap().parse::<i32>().unwrap();
    let (mock_host, _) = mock.rsplit_once(':').unwrap();
    let mut from = mock_host.as_bytes().to_vec();
    from.extend_from_slice(&mock_port.to_be_bytes());
    let mut to = mock_host.as_bytes().to_vec();
    to.extend_from_slice(&(addr.port() as i32).to_be_bytes());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = TcpStream::connect(&mock).await.unwrap();
            let (mut cr, mut cw) = client.into_split();
            let (mut ur, mut uw) = upstream.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut cr, &mut uw).await;
            });
            let (from, to) = (from.clone(), to.clone());
            tokio::spawn(async move {
                loop {
                    let Ok(len) = ur.read_i32().await else { return };
                    let mut frame = vec![0u8; len as usize];
                    if ur.read_exact(&mut frame).await.is_err() {
                        return;
                    }
                    replace_all(&mut frame, &from, &to);
                    if let Some(at) = find(&frame, poison) {
                        frame[at] ^= 0x20;
                    }
                    let mut out = len.to_be_bytes().to_vec();
                    out.extend_from_slice(&frame);
                    if cw.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr.to_string()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(hay: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    while let Some(i) = find(&hay[at..], from) {
        hay[at + i..at + i + to.len()].copy_from_slice(to);
        at += i + to.len();
    }
}

#[test]
fn a_corrupt_data_batch_is_reported_and_the_records_after_it_come_out() {
    let mock = Mock::new(1);
    mock.topic("bad", 1);
    // Three batches (one per flush): offsets 0-2, 3-5 (with the poisoned value), 6-8.
    let p = producer(&mock.addr, "none");
    for b in 0..3 {
        let recs: Vec<TestRecord> = (0..3)
            .map(|i| {
                let v = if b == 1 && i == 1 {
                    "POISON".to_string()
                } else {
                    format!("v{}", b * 3 + i)
                };
                TestRecord::kv(0, "k", &v)
            })
            .collect();
        produce_with(&p, "bad", &recs);
        p.flush(Duration::from_secs(10)).unwrap();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let proxy = rt.block_on(corrupting_proxy(mock.addr.clone(), b"POISON"));
    let (code, out, err) = kbrowse(&["-b", &proxy, "consume", "-t", "bad", "-e"]);
    assert_eq!(
        offset_values(&out),
        vec!["0 v0", "1 v1", "2 v2", "6 v6", "7 v7", "8 v8"]
    );
    assert_eq!(
        err,
        "kbrowse: warning: skipped a corrupt record batch at offsets 3 to 5 of bad/0 (checksum mismatch); continuing at offset 6\n\
         kbrowse: 1 corrupt record batch of bad skipped: records were lost (offsets in the warnings above)\n"
    );
    assert_eq!(code, 1);
}
