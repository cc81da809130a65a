//! What the Avro walk builds: a `serde_json::Value` (`ValueSink`) or compact JSON text
//! appended to a buffer (`JsonSink`), the same JSON either way.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::plan::Label;

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
