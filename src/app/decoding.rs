//! What the schema decoders made of records, as the screens show it: a decoded key or value
//! as compact JSON with the schema that read it, or the reason it could not be read.
//!
//! The runtime decodes off the UI thread (`schema::RecordDecoder`) and hands the results in
//! as `Action::Decoded`; the message pane keeps them beside its window, by offset.

use std::sync::Arc;

use bytes::Bytes;

/// The schema that read a key or value: format, registry id, subject, version, message type.
/// The subject and the message type are outside text: shown only escaped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaLabel {
    /// The format's name: `Avro`, `Protobuf`, `JSON Schema`, `MessagePack`, `JSON`.
    pub format: &'static str,
    /// The registry id, when the registry framing named one.
    pub id: Option<u32>,
    /// The subject the id is registered under (the topic's own subject first).
    pub subject: Option<String>,
    /// The version under that subject.
    pub version: Option<i64>,
    /// For Protobuf, the full name of the message type.
    pub message: Option<String>,
}

impl SchemaLabel {
    /// One line, the message type early so a narrow screen keeps it:
    /// `Protobuf pkg.Order · id 3 · subject orders-value · version 2` (unescaped: callers
    /// escape it).
    pub fn describe(&self) -> String {
        let mut out = self.format.to_string();
        if let Some(m) = &self.message {
            out.push_str(&format!(" {m}"));
        }
        if let Some(id) = self.id {
            out.push_str(&format!(" · id {id}"));
        }
        if let Some(s) = &self.subject {
            out.push_str(&format!(" · subject {s}"));
        }
        if let Some(v) = self.version {
            out.push_str(&format!(" · version {v}"));
        }
        out
    }
}

/// A decoded key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartDecoding {
    /// Decoded: compact JSON (valid JSON text) and the schema that read it.
    Json {
        /// The value as compact JSON.
        json: Bytes,
        /// What read it.
        schema: Arc<SchemaLabel>,
    },
    /// Not decodable: the raw bytes are shown, with this one-line reason.
    Failed {
        /// Why, in one line.
        reason: String,
        /// The schema id the framing named, when it named one.
        id: Option<u32>,
    },
}

impl PartDecoding {
    /// The compact JSON, when decoded.
    pub fn json(&self) -> Option<&Bytes> {
        match self {
            PartDecoding::Json { json, .. } => Some(json),
            PartDecoding::Failed { .. } => None,
        }
    }
}

/// One record's decoded key and value; None: shown as its bytes, as without decoding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordDecoding {
    /// The key.
    pub key: Option<PartDecoding>,
    /// The value.
    pub value: Option<PartDecoding>,
}

/// Decodings of records a reader delivered, handed in before the records themselves.
#[derive(Debug, Clone)]
pub struct Decodings {
    /// The reader generation the records belong to.
    pub generation: u64,
    /// Their partition.
    pub partition: i32,
    /// (offset, decoding) of each record that has something decoded or failed.
    pub records: Vec<(i64, Arc<RecordDecoding>)>,
}
