//! Entry points for the fuzz targets (`fuzz/fuzz_targets/sasl_responses.rs` and
//! `scram_messages.rs`) and their regression tests: the SASL bytes a hostile broker controls.

use bytes::Bytes;
use kafka_protocol::messages::{SaslAuthenticateResponse, SaslHandshakeResponse};

use crate::kafka::wire::{DecodeError, decode_frame};

/// The SASL responses `decode_selected` can pick: (API, lowest version, highest version).
pub const SELECTABLE: [(&str, i16, i16); 2] = [("SaslHandshake", 0, 1), ("SaslAuthenticate", 0, 2)];

/// The selector byte that makes `decode_selected` decode `api` (an index into `SELECTABLE`)
/// at `version`.
pub fn selector(api: usize, version: i16) -> u8 {
    let (_, min, _) = SELECTABLE[api % 2];
    (api % 2) as u8 | (((version - min) as u8) << 1)
}

/// Decodes a SaslHandshake or SaslAuthenticate response frame picked by a selector byte
/// (low bit: the API in `SELECTABLE`; the rest: the version above its lowest, wrapping).
pub fn decode_selected(selector: u8, frame: Bytes) -> Result<(), DecodeError> {
    let api = usize::from(selector & 1);
    let (_, min, max) = SELECTABLE[api];
    let version = min + i16::from(selector >> 1) % (max - min + 1);
    match api {
        0 => decode_frame::<SaslHandshakeResponse>(frame, version).map(drop),
        _ => decode_frame::<SaslAuthenticateResponse>(frame, version).map(drop),
    }
}

/// The client nonce the SCRAM fuzz inputs answer (RFC 7677's example nonce).
pub const SCRAM_CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";

/// Parses a SCRAM server message: an even `selector` picks the server-first parser (for a
/// client that sent `SCRAM_CLIENT_NONCE`), an odd one the server-final parser.
pub fn parse_scram(selector: u8, message: &[u8]) -> Result<(), super::SaslError> {
    if selector.is_multiple_of(2) {
        super::scram::parse_server_first(message, SCRAM_CLIENT_NONCE).map(drop)
    } else {
        super::scram::parse_server_final(message).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_pick_every_api_and_version() {
        let mut seen = Vec::new();
        for (api, (name, min, max)) in SELECTABLE.iter().enumerate() {
            for v in *min..=*max {
                let s = selector(api, v);
                assert_eq!(usize::from(s & 1), api);
                assert_eq!(min + i16::from(s >> 1) % (max - min + 1), v);
                seen.push((*name, v));
            }
        }
        assert_eq!(seen.len(), 5);
    }

    #[test]
    fn scram_messages_parse_or_fail_by_selector() {
        let first = b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        assert!(parse_scram(0, first).is_ok());
        assert!(parse_scram(1, first).is_err());
        let fin = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
        assert!(parse_scram(1, fin).is_ok());
        assert_eq!(
            parse_scram(0, fin).unwrap_err().to_string(),
            "the broker's SCRAM server-first message lacks 'r='"
        );
    }
}
