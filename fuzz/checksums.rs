//! Shared by the `record_batches` fuzz target and tests/fuzz_regressions.rs, so that a crash
//! input replays in the test exactly as the fuzzer ran it.

/// Walks the batch framing (base offset, length, ..., crc at 17..21 over 21..end) and writes
/// each whole batch's correct CRC.
pub fn fix_checksums(data: &mut [u8]) {
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
