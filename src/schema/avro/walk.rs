//! One walk over an Avro datum, generic over what it builds: a `serde_json::Value` (the TUI,
//! filters) or JSON text appended to an output buffer (`consume --format json`). The mapping
//! (README "Decoded values") lives here once, so both give the same JSON.

use std::fmt;

use super::MAX_DEPTH;
use super::plan::{Node, NodeId, Plan};
use super::sink::Sink;
use crate::schema::{SchemaError, logical};

/// A map with more keys than this is not checked for repeats by the JSON sink: the datum is
/// decoded through a `Value` instead (checking costs a comparison per pair of keys).
pub(super) const MAX_CHECKED_KEYS: usize = 128;

/// Why a walk ended early.
#[derive(Debug)]
pub(super) enum Stop {
    /// The datum does not match the schema.
    Error(SchemaError),
    /// The JSON sink met what it cannot write as a `Value` would show it (a repeated map key
    /// or record field: serde_json's map keeps its first place and its last value): decode
    /// through a `Value` instead.
    Fallback,
}

impl From<SchemaError> for Stop {
    fn from(e: SchemaError) -> Stop {
        Stop::Error(e)
    }
}

fn short(what: &str) -> SchemaError {
    SchemaError::Payload(format!("the Avro value is cut off in {what}"))
}

/// Reads Avro's primitive encodings off the front of a byte slice, every length checked
/// against the bytes that remain.
pub(super) struct Reader<'a> {
    pub buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn long(&mut self) -> Result<i64, SchemaError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let (&b, rest) = self.buf.split_first().ok_or_else(|| short("a number"))?;
            self.buf = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(((v >> 1) as i64) ^ -((v & 1) as i64));
            }
        }
        Err(SchemaError::Payload(
            "an Avro number is longer than 10 bytes".into(),
        ))
    }

    fn int(&mut self) -> Result<i32, SchemaError> {
        let v = self.long()?;
        i32::try_from(v)
            .map_err(|_| SchemaError::Payload(format!("Avro int {v} does not fit in 32 bits")))
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], SchemaError> {
        if n > self.buf.len() {
            return Err(SchemaError::Payload(format!(
                "{what} declares {n} bytes but only {} remain",
                self.buf.len()
            )));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn len_prefixed(&mut self, what: &str) -> Result<&'a [u8], SchemaError> {
        let n = self.long()?;
        let n = usize::try_from(n)
            .map_err(|_| SchemaError::Payload(format!("{what} has a negative length {n}")))?;
        self.take(n, what)
    }

    fn string(&mut self) -> Result<&'a str, SchemaError> {
        let b = self.len_prefixed("a string")?;
        std::str::from_utf8(b)
            .map_err(|_| SchemaError::Payload("an Avro string is not UTF-8".into()))
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], SchemaError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }
}

/// Text of a known small bound, written without allocating.
struct TextBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> TextBuf<N> {
    fn new() -> Self {
        TextBuf {
            buf: [0; N],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(self.buf.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl<const N: usize> fmt::Write for TextBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Enough for any date, time or timestamp, and for decimals that `logical::decimal_len` fits.
const SHORT_TEXT: usize = 64;

/// A walk over one datum.
pub(super) struct Walk<'a, 'p> {
    pub r: Reader<'a>,
    pub plan: &'p Plan,
    /// Each value costs one unit; a block of zero-byte items (nulls, empty records) cannot
    /// expand into more values than this.
    pub budget: usize,
    /// The whole datum's length, to find where a map key lies in it.
    pub whole: &'a [u8],
    /// The keys of the maps being walked, as ranges of `whole` (JSON sink only).
    pub keys: Vec<(usize, usize)>,
}

impl<'a> Walk<'a, '_> {
    /// The item count of the next array or map block; 0 ends the list.
    fn block(&mut self) -> Result<usize, SchemaError> {
        let n = self.r.long()?;
        let count = if n < 0 {
            // A negative count is followed by the block's size in bytes.
            self.r.long()?;
            n.unsigned_abs()
        } else {
            n as u64
        };
        if count > self.budget as u64 {
            return Err(SchemaError::Payload(format!(
                "an Avro block declares {count} items, more than the payload can hold"
            )));
        }
        Ok(count as usize)
    }

    /// Stops at a repeated key of the map whose keys start at `base`; remembers `k` else.
    fn check_key(&mut self, base: usize, k: &str) -> Result<(), Stop> {
        let seen = self.keys.get(base..).unwrap_or_default();
        if seen.len() >= MAX_CHECKED_KEYS {
            return Err(Stop::Fallback);
        }
        let k = k.as_bytes();
        if seen
            .iter()
            .any(|&(s, l)| l == k.len() && self.whole.get(s..s + l) == Some(k))
        {
            return Err(Stop::Fallback);
        }
        let end = self.whole.len() - self.r.buf.len();
        self.keys.push((end - k.len(), k.len()));
        Ok(())
    }

    /// Walks the datum of `node` into `sink`.
    pub fn value<S: Sink>(
        &mut self,
        sink: &mut S,
        node: NodeId,
        depth: usize,
    ) -> Result<S::Out, Stop> {
        if depth > MAX_DEPTH {
            return Err(SchemaError::Payload(format!(
                "the Avro value nests deeper than {MAX_DEPTH} levels"
            ))
            .into());
        }
        self.budget = self.budget.checked_sub(1).ok_or_else(|| {
            SchemaError::Payload("the Avro value holds more items than its size allows".into())
        })?;
        let plan = self.plan;
        Ok(match &plan.nodes[node as usize] {
            Node::Null => sink.null(),
            Node::Boolean => match self.r.take(1, "a boolean")?[0] {
                0 => sink.boolean(false),
                1 => sink.boolean(true),
                b => {
                    return Err(
                        SchemaError::Payload(format!("invalid Avro boolean byte {b}")).into(),
                    );
                }
            },
            Node::Int => sink.long(i64::from(self.r.int()?)),
            Node::Long => sink.long(self.r.long()?),
            Node::Float => {
                let f = f32::from_le_bytes(self.r.array("a float")?);
                match logical::special_float(f64::from(f)) {
                    Some(s) => sink.string(s),
                    None => sink.float(f),
                }
            }
            Node::Double => {
                let f = f64::from_le_bytes(self.r.array("a double")?);
                match logical::special_float(f) {
                    Some(s) => sink.string(s),
                    None => sink.double(f),
                }
            }
            Node::Bytes => sink.base64(self.r.len_prefixed("bytes")?),
            Node::String => sink.string(self.r.string()?),
            Node::Fixed(size) => sink.base64(self.r.take(*size, "a fixed")?),
            Node::Array(item) => {
                let mut seq = sink.array();
                loop {
                    let n = self.block()?;
                    if n == 0 {
                        break;
                    }
                    for _ in 0..n {
                        sink.item(&mut seq);
                        let v = self.value(sink, *item, depth + 1)?;
                        sink.push(&mut seq, v);
                    }
                }
                sink.end_array(seq)
            }
            Node::Map(value) => {
                let mut obj = sink.object(0);
                let base = self.keys.len();
                loop {
                    let n = self.block()?;
                    if n == 0 {
                        break;
                    }
                    for _ in 0..n {
                        let k = self.r.string()?;
                        if S::CHECKS_KEYS {
                            self.check_key(base, k)?;
                        }
                        sink.key(&mut obj, k);
                        let v = self.value(sink, *value, depth + 1)?;
                        sink.set_key(&mut obj, k, v);
                    }
                }
                self.keys.truncate(base);
                sink.end_object(obj)
            }
            Node::Union { start, len } => {
                let i = self.r.long()?;
                let branch = usize::try_from(i)
                    .ok()
                    .filter(|&i| i < *len as usize)
                    .ok_or_else(|| {
                        SchemaError::Payload(format!(
                            "Avro union branch {i} does not exist ({len} branches)"
                        ))
                    })?;
                let b = plan.branches[*start as usize + branch];
                self.value(sink, b, depth + 1)?
            }
            Node::Record { start, len, unique } => {
                if S::CHECKS_KEYS && !unique {
                    return Err(Stop::Fallback);
                }
                let fields = &plan.fields[*start as usize..(*start + *len) as usize];
                let mut obj = sink.object(fields.len());
                for f in fields {
                    sink.field(&mut obj, &f.label);
                    let v = self.value(sink, f.node, depth + 1)?;
                    sink.set_field(&mut obj, &f.label, v);
                }
                sink.end_object(obj)
            }
            Node::Enum { start, len } => {
                let i = self.r.int()?;
                let sym = usize::try_from(i)
                    .ok()
                    .filter(|&i| i < *len as usize)
                    .ok_or_else(|| {
                        SchemaError::Payload(format!(
                            "Avro enum index {i} does not exist ({len} symbols)"
                        ))
                    })?;
                sink.symbol(&plan.labels[*start as usize + sym])
            }
            Node::Decimal { fixed, scale } => {
                let bytes = match fixed {
                    None => self.r.len_prefixed("a decimal")?,
                    Some(size) => self.r.take(*size, "a decimal")?,
                };
                decimal(sink, bytes, *scale)?
            }
            Node::BigDecimal => {
                // The bytes hold a length-prefixed unscaled integer, then the scale.
                let mut inner = Reader {
                    buf: self.r.len_prefixed("a big-decimal")?,
                };
                let unscaled = inner.len_prefixed("a big-decimal")?;
                let scale = inner.long()?;
                let scale = usize::try_from(scale).map_err(|_| {
                    SchemaError::Payload(format!("big-decimal scale {scale} is negative"))
                })?;
                decimal(sink, unscaled, scale)?
            }
            Node::UuidString => sink.string(self.r.string()?),
            Node::UuidBytes => uuid(sink, self.r.len_prefixed("a uuid")?),
            Node::UuidFixed(size) => uuid(sink, self.r.take(*size, "a uuid")?),
            Node::Date => {
                let days = self.r.int()?;
                text_or_number(sink, i64::from(days), |t| logical::write_date(days, t))
            }
            Node::TimeMillis => {
                let units = i64::from(self.r.int()?);
                text_or_number(sink, units, |t| logical::write_time(units, 3, t))
            }
            Node::TimeMicros => {
                let units = self.r.long()?;
                text_or_number(sink, units, |t| logical::write_time(units, 6, t))
            }
            Node::Timestamp { digits, utc } => {
                let units = self.r.long()?;
                text_or_number(sink, units, |t| {
                    logical::write_timestamp(units, *digits, *utc, t)
                })
            }
            Node::Duration(size) => {
                let parts = logical::duration_parts(self.r.take(*size, "a duration")?)?;
                let mut obj = sink.object(parts.len());
                for (l, v) in plan.duration.iter().zip(parts) {
                    sink.field(&mut obj, l);
                    let v = sink.long(i64::from(v));
                    sink.set_field(&mut obj, l, v);
                }
                sink.end_object(obj)
            }
            Node::Ref(target) => self.value(sink, *target, depth + 1)?,
            Node::Unknown(name) => {
                return Err(SchemaError::Schema(format!(
                    "the Avro schema names an unknown type {name}"
                ))
                .into());
            }
        })
    }
}

/// A logical value's text, or `units` as a number when `write` finds it out of range.
#[inline(never)]
fn text_or_number<S: Sink>(
    sink: &mut S,
    units: i64,
    write: impl FnOnce(&mut TextBuf<SHORT_TEXT>) -> bool,
) -> S::Out {
    let mut t = TextBuf::<SHORT_TEXT>::new();
    if write(&mut t) {
        sink.string(t.as_str())
    } else {
        sink.long(units)
    }
}

#[inline(never)]
fn decimal<S: Sink>(sink: &mut S, bytes: &[u8], scale: usize) -> Result<S::Out, SchemaError> {
    if logical::decimal_len(bytes.len(), scale) <= SHORT_TEXT {
        let mut t = TextBuf::<SHORT_TEXT>::new();
        logical::write_decimal(bytes, scale, &mut t)?;
        Ok(sink.string(t.as_str()))
    } else {
        Ok(sink.string(&logical::decimal(bytes, scale)?))
    }
}

fn uuid<S: Sink>(sink: &mut S, bytes: &[u8]) -> S::Out {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    match logical::hyphenated_uuid(bytes, &mut buf) {
        Some(s) => sink.string(s),
        None => sink.base64(bytes),
    }
}
