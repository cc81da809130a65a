//! A fetch response's `records` bytes from a hostile broker: framing, every codec's
//! decompression (capped), and record decoding.
//!
//! Each batch's CRC is recomputed before decoding so that mutations reach the code behind the
//! checksum instead of dying at it (the checksum check itself is unit-tested in records.rs).
#![no_main]

use bytes::Bytes;
use kbrowse::kafka::records::split_batches;
use libfuzzer_sys::fuzz_target;

#[path = "../checksums.rs"]
mod checksums;
use checksums::fix_checksums;

fuzz_target!(|data: &[u8]| {
    let mut data = data.to_vec();
    fix_checksums(&mut data);
    let data = Bytes::from(data);
    let (batches, _) = split_batches(&data);
    let mut out = Vec::new();
    for batch in batches.iter().flatten() {
        let _ = batch.is_abort_marker();
        let _ = batch.decode_into(0, 0, &mut out);
    }
});
