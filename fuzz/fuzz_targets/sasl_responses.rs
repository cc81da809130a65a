//! SaslHandshake and SaslAuthenticate response frames (header + body) from a hostile broker:
//! the first byte picks the API and version (see `kbrowse::kafka::sasl::fuzz::decode_selected`),
//! the rest is the frame.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, frame)) = data.split_first() {
        let _ = kbrowse::kafka::sasl::fuzz::decode_selected(selector, Bytes::copy_from_slice(frame));
    }
});
