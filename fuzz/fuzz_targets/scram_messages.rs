//! SCRAM server-first and server-final messages from a hostile broker: the first byte picks the
//! parser (even: server-first, odd: server-final; see `kbrowse::kafka::sasl::fuzz::parse_scram`),
//! the rest is the message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, message)) = data.split_first() {
        let _ = kbrowse::kafka::sasl::fuzz::parse_scram(selector, message);
    }
});
