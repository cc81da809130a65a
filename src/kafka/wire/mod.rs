//! Bounded decoders for the responses we read (ApiVersions, Metadata, ListOffsets, Fetch,
//! SaslHandshake, SaslAuthenticate, and the read-only admin APIs: FindCoordinator, ListGroups,
//! DescribeGroups, ConsumerGroupDescribe, OffsetFetch, DescribeConfigs).
//!
//! kafka-protocol's own decoders reserve `Vec::with_capacity(n)` for an array count `n` taken
//! straight from the wire, so one forged count aborts the process. These decoders fill the same
//! kafka-protocol response structs, but every read is checked against the bytes that are
//! actually there: an array count must fit in the remaining bytes (at the smallest encoding of
//! one element) before anything is reserved, and strings and bytes are zero-copy slices of the
//! frame. Only the versions this client sends are covered.

use std::collections::BTreeMap;

use bytes::Bytes;
use kafka_protocol::messages::{
    ApiVersionsResponse, ConsumerGroupDescribeResponse, DescribeConfigsResponse,
    DescribeGroupsResponse, FetchResponse, FindCoordinatorResponse, ListGroupsResponse,
    ListOffsetsResponse, MetadataResponse, OffsetFetchResponse,
};
use kafka_protocol::protocol::{HeaderVersion, StrBytes};

mod admin;
mod responses;
#[cfg(test)]
mod tests;

/// Why a response could not be decoded: which API, which version, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{api} v{version} response: {reason}")]
pub struct DecodeError {
    /// The API whose response failed to decode.
    pub api: &'static str,
    /// The version it was decoded as.
    pub version: i16,
    /// What was wrong, with the position.
    pub reason: String,
}

pub(super) type Res<T> = std::result::Result<T, String>;

/// A response this module can decode, for the versions in `VERSIONS`.
pub trait Response: Sized + HeaderVersion {
    /// The API's name, as in error messages.
    const API: &'static str;
    /// The versions covered (the ones this client may send).
    const VERSIONS: (i16, i16);
    /// Decodes the body (after the response header).
    fn read(c: &mut Cursor, version: i16) -> Result<Self, String>;
}

/// Decodes a whole response frame (after the length prefix): the header, then the body.
/// Returns the correlation id with the response.
pub fn decode_frame<R: Response>(frame: Bytes, version: i16) -> Result<(i32, R), DecodeError> {
    let fail = |reason: String| DecodeError {
        api: R::API,
        version,
        reason,
    };
    check_version::<R>(version).map_err(fail)?;
    let mut c = Cursor::new(frame);
    let id = c.i32("correlation id").map_err(fail)?;
    if R::header_version(version) >= 1 {
        c.tagged("response header", |_, _| Ok(false))
            .map_err(fail)?;
    }
    let resp = R::read(&mut c, version).map_err(fail)?;
    Ok((id, resp))
}

/// Decodes a response body (the bytes after the response header).
pub fn decode_body<R: Response>(body: Bytes, version: i16) -> Result<R, DecodeError> {
    let fail = |reason: String| DecodeError {
        api: R::API,
        version,
        reason,
    };
    check_version::<R>(version).map_err(fail)?;
    R::read(&mut Cursor::new(body), version).map_err(fail)
}

fn check_version<R: Response>(version: i16) -> Res<()> {
    let (min, max) = R::VERSIONS;
    if version < min || version > max {
        return Err(format!("version not supported (decodable: {min} to {max})"));
    }
    Ok(())
}

/// The partitions by topic in a classic consumer group member's assignment bytes
/// (`ConsumerProtocolAssignment`), decoded with the same bounds as a response.
pub fn consumer_assignment(bytes: Bytes) -> Result<BTreeMap<String, Vec<i32>>, DecodeError> {
    admin::consumer_assignment(&mut Cursor::new(bytes)).map_err(|reason| DecodeError {
        api: "ConsumerProtocolAssignment",
        version: 0,
        reason,
    })
}

/// Checked reads over a response frame; strings and bytes are slices of it, not copies.
pub struct Cursor {
    data: Bytes,
    pos: usize,
}

impl Cursor {
    fn new(data: Bytes) -> Cursor {
        Cursor { data, pos: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Res<Bytes> {
        if n > self.remaining() {
            return Err(format!(
                "{what} ({n} bytes) cut off at byte {}: {} bytes remain",
                self.pos,
                self.remaining()
            ));
        }
        let out = self.data.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(&mut self, what: &str) -> Res<[u8; N]> {
        let rest = &self.data[self.pos..];
        match rest.get(..N) {
            Some(b) => {
                let mut out = [0u8; N];
                out.copy_from_slice(b);
                self.pos += N;
                Ok(out)
            }
            None => Err(format!(
                "{what} ({N} bytes) cut off at byte {}: {} bytes remain",
                self.pos,
                rest.len()
            )),
        }
    }

    pub(crate) fn i8(&mut self, what: &str) -> Res<i8> {
        Ok(i8::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn bool(&mut self, what: &str) -> Res<bool> {
        Ok(self.i8(what)? != 0)
    }

    pub(crate) fn i16(&mut self, what: &str) -> Res<i16> {
        Ok(i16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn i32(&mut self, what: &str) -> Res<i32> {
        Ok(i32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn i64(&mut self, what: &str) -> Res<i64> {
        Ok(i64::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn uuid(&mut self, what: &str) -> Res<uuid::Uuid> {
        Ok(uuid::Uuid::from_bytes(self.array(what)?))
    }

    /// An unsigned varint of at most 5 bytes (a u32).
    pub(crate) fn uvarint(&mut self, what: &str) -> Res<u32> {
        let mut value: u32 = 0;
        for i in 0..5 {
            let b = self.i8(what)? as u8;
            if i == 4 && b > 0x0f {
                return Err(format!("{what}: varint overflows 32 bits"));
            }
            value |= u32::from(b & 0x7f) << (i * 7);
            if b < 0x80 {
                return Ok(value);
            }
        }
        Err(format!("{what}: varint overflows 32 bits"))
    }

    /// A length prefix: i16/i32 in classic versions, varint + 1 in flexible ones; None = null.
    pub(crate) fn length(&mut self, flexible: bool, wide: bool, what: &str) -> Res<Option<usize>> {
        let n = if flexible {
            i64::from(self.uvarint(what)?) - 1
        } else if wide {
            i64::from(self.i32(what)?)
        } else {
            i64::from(self.i16(what)?)
        };
        match n {
            -1 => Ok(None),
            n if n < 0 => Err(format!("{what} has a negative length ({n})")),
            n => Ok(Some(n as usize)),
        }
    }

    pub(crate) fn nullable_string(&mut self, flexible: bool, what: &str) -> Res<Option<StrBytes>> {
        let Some(n) = self.length(flexible, false, what)? else {
            return Ok(None);
        };
        if n > self.remaining() {
            return Err(format!(
                "{what} of {n} bytes cannot fit in {} remaining bytes",
                self.remaining()
            ));
        }
        let raw = self.take(n, what)?;
        StrBytes::from_utf8(raw)
            .map(Some)
            .map_err(|_| format!("{what} is not valid UTF-8"))
    }

    pub(crate) fn string(&mut self, flexible: bool, what: &str) -> Res<StrBytes> {
        self.nullable_string(flexible, what)?
            .ok_or_else(|| format!("{what} is null"))
    }

    pub(crate) fn nullable_bytes(&mut self, flexible: bool, what: &str) -> Res<Option<Bytes>> {
        let Some(n) = self.length(flexible, true, what)? else {
            return Ok(None);
        };
        if n > self.remaining() {
            return Err(format!(
                "{what} of {n} bytes cannot fit in {} remaining bytes",
                self.remaining()
            ));
        }
        self.take(n, what).map(Some)
    }

    /// A nullable array whose elements take at least `min_len` bytes each: the count is
    /// checked against the remaining bytes before anything is reserved.
    pub(crate) fn nullable_array<T>(
        &mut self,
        flexible: bool,
        min_len: usize,
        what: &str,
        mut element: impl FnMut(&mut Cursor) -> Res<T>,
    ) -> Res<Option<Vec<T>>> {
        let n = if flexible {
            i64::from(self.uvarint(what)?) - 1
        } else {
            i64::from(self.i32(what)?)
        };
        let n = match n {
            -1 => return Ok(None),
            n if n < 0 => return Err(format!("array of {what} has a negative length ({n})")),
            n => n as usize,
        };
        let fits = self.remaining() / min_len.max(1);
        if n > fits {
            return Err(format!(
                "array of {n} {what} cannot fit in {} remaining bytes",
                self.remaining()
            ));
        }
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(element(self)?);
        }
        Ok(Some(out))
    }

    pub(crate) fn array_of<T>(
        &mut self,
        flexible: bool,
        min_len: usize,
        what: &str,
        element: impl FnMut(&mut Cursor) -> Res<T>,
    ) -> Res<Vec<T>> {
        self.nullable_array(flexible, min_len, what, element)?
            .ok_or_else(|| format!("array of {what} is null"))
    }

    pub(crate) fn int32s<T: From<i32>>(&mut self, flexible: bool, what: &str) -> Res<Vec<T>> {
        self.array_of(flexible, 4, what, |c| c.i32(what).map(T::from))
    }

    /// A tagged-field section. `known(tag, field)` decodes the tags it knows from a cursor
    /// over exactly that field's bytes and returns true; the others are kept as they are.
    pub(crate) fn tagged(
        &mut self,
        what: &str,
        mut known: impl FnMut(u32, &mut Cursor) -> Res<bool>,
    ) -> Res<BTreeMap<i32, Bytes>> {
        let count = self.uvarint(what)?;
        // Each field takes at least two bytes (tag and size).
        if count as usize > self.remaining() / 2 {
            return Err(format!(
                "{count} tagged fields of {what} cannot fit in {} remaining bytes",
                self.remaining()
            ));
        }
        let mut unknown = BTreeMap::new();
        for _ in 0..count {
            let tag = self.uvarint(what)?;
            let size = self.uvarint(what)? as usize;
            if size > self.remaining() {
                return Err(format!(
                    "tagged field {tag} of {what} ({size} bytes) cannot fit in {} remaining bytes",
                    self.remaining()
                ));
            }
            let value = self.take(size, what)?;
            let mut field = Cursor::new(value.clone());
            if !known(tag, &mut field)? {
                unknown.insert(tag as i32, value);
            }
        }
        Ok(unknown)
    }

    pub(crate) fn tagged_if(&mut self, flexible: bool, what: &str) -> Res<BTreeMap<i32, Bytes>> {
        if flexible {
            self.tagged(what, |_, _| Ok(false))
        } else {
            Ok(BTreeMap::new())
        }
    }
}

/// The APIs and versions `decode_selected` can pick, in selector order.
pub const SELECTABLE: [(&str, i16, i16); 10] = [
    (<ApiVersionsResponse as Response>::API, 0, 3),
    (<MetadataResponse as Response>::API, 0, 12),
    (<ListOffsetsResponse as Response>::API, 1, 7),
    (<FetchResponse as Response>::API, 4, 12),
    (<FindCoordinatorResponse as Response>::API, 0, 6),
    (<ListGroupsResponse as Response>::API, 0, 5),
    (<DescribeGroupsResponse as Response>::API, 0, 6),
    (<ConsumerGroupDescribeResponse as Response>::API, 0, 1),
    (<OffsetFetchResponse as Response>::API, 1, 9),
    (<DescribeConfigsResponse as Response>::API, 1, 4),
];

/// The selector byte that makes `decode_selected` decode `api` (an index into `SELECTABLE`)
/// at `version`.
pub fn selector(api: usize, version: i16) -> u8 {
    let api = api % SELECTABLE.len();
    let (_, min, _) = SELECTABLE[api];
    api as u8 | (((version - min) as u8) << 4)
}

/// Decodes a response frame picked by a selector byte (low 4 bits: the API in `SELECTABLE`,
/// wrapping; high 4 bits: the version above its minimum, wrapping). For the fuzzer and its
/// regression tests.
pub fn decode_selected(selector: u8, frame: Bytes) -> Result<(), DecodeError> {
    let api = usize::from(selector & 0x0f) % SELECTABLE.len();
    let (_, min, max) = SELECTABLE[api];
    let version = min + i16::from(selector >> 4) % (max - min + 1);
    match api {
        0 => decode_frame::<ApiVersionsResponse>(frame, version).map(drop),
        1 => decode_frame::<MetadataResponse>(frame, version).map(drop),
        2 => decode_frame::<ListOffsetsResponse>(frame, version).map(drop),
        3 => decode_frame::<FetchResponse>(frame, version).map(drop),
        4 => decode_frame::<FindCoordinatorResponse>(frame, version).map(drop),
        5 => decode_frame::<ListGroupsResponse>(frame, version).map(drop),
        6 => decode_frame::<DescribeGroupsResponse>(frame, version).map(drop),
        7 => decode_frame::<ConsumerGroupDescribeResponse>(frame, version).map(drop),
        8 => decode_frame::<OffsetFetchResponse>(frame, version).map(drop),
        _ => decode_frame::<DescribeConfigsResponse>(frame, version).map(drop),
    }
}
