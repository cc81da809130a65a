//! One walk over an Avro datum, generic over what it builds: a `serde_json::Value` (the TUI,
//! filters) or JSON text appended to an output buffer (`consume --format json`). The mapping
//! (README "Decoded values") lives here once, so both give the same JSON.

use std::fmt;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::MAX_DEPTH;
use super::plan::{Label, Node, NodeId, Plan};
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

/// What a walk builds: values (`Out`), arrays (`Seq`) and objects (`Obj`) in the making.
pub(super) trait Sink {
    type Out;
    type Seq;
    type Obj;
    /// Whether repeated keys must be found (see `Stop::Fallback`).
    const CHECKS_KEYS: bool;
    fn null(&mut self) -> Self::Out;
    fn boolean(&mut self, b: bool) -> Self::Out;
    fn long(&mut self, v: i64) -> Self::Out;
    /// A finite float.
    fn float(&mut self, v: f32) -> Self::Out;
    /// A finite double.
    fn double(&mut self, v: f64) -> Self::Out;
    fn string(&mut self, s: &str) -> Self::Out;
    /// An enum symbol.
    fn symbol(&mut self, l: &Label) -> Self::Out;
    fn base64(&mut self, b: &[u8]) -> Self::Out;
    fn array(&mut self) -> Self::Seq;
    /// Before an item.
    fn item(&mut self, seq: &mut Self::Seq);
    /// After an item.
    fn push(&mut self, seq: &mut Self::Seq, v: Self::Out);
    fn end_array(&mut self, seq: Self::Seq) -> Self::Out;
    fn object(&mut self, fields: usize) -> Self::Obj;
    /// Before a record field's value.
    fn field(&mut self, obj: &mut Self::Obj, l: &Label);
    /// After a record field's value.
    fn set_field(&mut self, obj: &mut Self::Obj, l: &Label, v: Self::Out);
    /// Before a map entry's value.
    fn key(&mut self, obj: &mut Self::Obj, k: &str);
    /// After a map entry's value.
    fn set_key(&mut self, obj: &mut Self::Obj, k: &str, v: Self::Out);
    fn end_object(&mut self, obj: Self::Obj) -> Self::Out;
}

/// Builds a `serde_json::Value`.
pub(super) struct ValueSink;

impl Sink for ValueSink {
    type Out = Value;
    type Seq = Vec<Value>;
    type Obj = Map<String, Value>;
    const CHECKS_KEYS: bool = false;
    fn null(&mut self) -> Value {
        Value::Null
    }
    fn boolean(&mut self, b: bool) -> Value {
        Value::Bool(b)
    }
    fn long(&mut self, v: i64) -> Value {
        Value::from(v)
    }
    fn float(&mut self, v: f32) -> Value {
        Value::from(v)
    }
    fn double(&mut self, v: f64) -> Value {
        Value::from(v)
    }
    fn string(&mut self, s: &str) -> Value {
        Value::String(s.to_owned())
    }
    fn symbol(&mut self, l: &Label) -> Value {
        Value::String(l.text.clone())
    }
    fn base64(&mut self, b: &[u8]) -> Value {
        Value::String(base64::engine::general_purpose::STANDARD.encode(b))
    }
    fn array(&mut self) -> Vec<Value> {
        Vec::new()
    }
    fn item(&mut self, _: &mut Vec<Value>) {}
    fn push(&mut self, seq: &mut Vec<Value>, v: Value) {
        seq.push(v);
    }
    fn end_array(&mut self, seq: Vec<Value>) -> Value {
        Value::Array(seq)
    }
    fn object(&mut self, fields: usize) -> Map<String, Value> {
        Map::with_capacity(fields)
    }
    fn field(&mut self, _: &mut Map<String, Value>, _: &Label) {}
    fn set_field(&mut self, obj: &mut Map<String, Value>, l: &Label, v: Value) {
        obj.insert(l.text.clone(), v);
    }
    fn key(&mut self, _: &mut Map<String, Value>, _: &str) {}
    fn set_key(&mut self, obj: &mut Map<String, Value>, k: &str, v: Value) {
        obj.insert(k.to_owned(), v);
    }
    fn end_object(&mut self, obj: Map<String, Value>) -> Value {
        Value::Object(obj)
    }
}

/// Appends compact JSON text, as `render::json_value_into` prints the `Value`.
pub(super) struct JsonSink<'o> {
    pub out: &'o mut Vec<u8>,
}

impl JsonSink<'_> {
    fn number(&mut self, n: impl serde::Serialize) {
        // serde_json's own number formatting: the same text as its `Value`'s numbers.
        let _ = serde_json::to_writer(&mut *self.out, &n);
    }

    /// `first`: nothing written in this array or object yet.
    fn separate(&mut self, first: &mut bool) {
        if *first {
            *first = false;
        } else {
            self.out.push(b',');
        }
    }
}

impl Sink for JsonSink<'_> {
    type Out = ();
    /// True until the first item.
    type Seq = bool;
    type Obj = bool;
    const CHECKS_KEYS: bool = true;
    fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }
    fn boolean(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" as &[u8] } else { b"false" });
    }
    fn long(&mut self, v: i64) {
        self.number(v);
    }
    fn float(&mut self, v: f32) {
        self.number(v);
    }
    fn double(&mut self, v: f64) {
        self.number(v);
    }
    fn string(&mut self, s: &str) {
        crate::render::json_str_into(s, self.out);
    }
    fn symbol(&mut self, l: &Label) {
        self.out.extend_from_slice(&l.json);
    }
    fn base64(&mut self, b: &[u8]) {
        // The base64 alphabet needs no escape.
        self.out.push(b'"');
        let engine = &base64::engine::general_purpose::STANDARD;
        let start = self.out.len();
        let len = base64::encoded_len(b.len(), true).unwrap_or(0);
        self.out.resize(start + len, 0);
        let written = self
            .out
            .get_mut(start..)
            .and_then(|tail| engine.encode_slice(b, tail).ok())
            .unwrap_or(0);
        self.out.truncate(start + written);
        self.out.push(b'"');
    }
    fn array(&mut self) -> bool {
        self.out.push(b'[');
        true
    }
    fn item(&mut self, first: &mut bool) {
        self.separate(first);
    }
    fn push(&mut self, _: &mut bool, _: ()) {}
    fn end_array(&mut self, _: bool) {
        self.out.push(b']');
    }
    fn object(&mut self, _: usize) -> bool {
        self.out.push(b'{');
        true
    }
    fn field(&mut self, first: &mut bool, l: &Label) {
        self.separate(first);
        self.out.extend_from_slice(&l.json);
        self.out.push(b':');
    }
    fn set_field(&mut self, _: &mut bool, _: &Label, _: ()) {}
    fn key(&mut self, first: &mut bool, k: &str) {
        self.separate(first);
        crate::render::json_str_into(k, self.out);
        self.out.push(b':');
    }
    fn set_key(&mut self, _: &mut bool, _: &str, _: ()) {}
    fn end_object(&mut self, _: bool) {
        self.out.push(b'}');
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
