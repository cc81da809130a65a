//! A fetch response's `records` bytes from a hostile broker: framing, every codec's
//! decompression (capped), and record decoding.
//!
//! Each batch's CRC is recomputed before decoding so that mutations reach the code behind the
//! checksum instead of dying at it (the checksum check itself is unit-tested in records.rs).
#![no_main]

use bytes::Bytes;
use kbrowse::kafka::records::split_batches;
use libfuzzer_sys::fuzz_target;

/// Walks the batch framing (base offset, length, ..., crc at 17..21 over 21..end) and writes
/// each whole batch's correct CRC.
fn fix_checksums(data: &mut [u8]) {
    let mut pos = 0usize;
    while data.len() - pos >= 21 {
        let len =
            i32::from_be_bytes([data[pos + 8], data[pos + 9], data[pos + 10], data[pos + 11]]);
        let Ok(len) = usize::try_from(len) else {
            return;
        };
        let end = match pos.checked_add(12 + len) {
            Some(end) if end <= data.len() && len >= 9 => end,
            _ => return,
        };
        let crc = crc32c::crc32c(&data[pos + 21..end]);
        data[pos + 17..pos + 21].copy_from_slice(&crc.to_be_bytes());
        pos = end;
    }
}

fuzz_target!(|data: &[u8]| {
    let mut data = data.to_vec();
    fix_checksums(&mut data);
    let data = Bytes::from(data);
    let (batches, _, _) = split_batches(&data);
    let mut out = Vec::new();
    for batch in &batches {
        let _ = batch.is_abort_marker();
        let _ = batch.decode_into(0, 0, &mut out);
    }
});
