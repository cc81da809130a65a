//! One record -> one line (text, JSON) or a hex dump, appended to a byte buffer.

use std::io::Write as _;

use crate::kafka::Message;
use crate::render;
use crate::render::time::TimeFormatter;
use crate::schema::Decoded;

/// The decoded key and value of a record, when decoding ran.
#[derive(Debug, Default)]
pub struct DecodedRecord {
    /// The key's outcome; None for a null key or when not decoded.
    pub key: Option<Decoded>,
    /// The value's outcome; None for a null value or when not decoded.
    pub value: Option<Decoded>,
}

/// Output format of `consume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `partition<TAB>offset<TAB>time zone<TAB>key<TAB>value`, escaped; `(null)` when absent.
    Text,
    /// One JSON object per line.
    Json,
    /// A hex dump of key and value per record.
    Hex,
}

/// Formats records, reusing its scratch buffers.
pub struct RecordFormatter {
    format: Format,
    /// `-f`: a kcat template, and whether bytes go out raw (stdout is not a terminal).
    template: Option<(super::kcat::Template, bool)>,
    topic: String,
    bytes: Vec<u8>,
    headers: bool,
    topic_json: Vec<u8>,
    time: TimeFormatter,
    scratch: String,
}

impl RecordFormatter {
    /// A formatter for records of `topic`.
    pub fn new(format: Format, topic: &str) -> RecordFormatter {
        let mut topic_json = Vec::new();
        render::json_str_into(topic, &mut topic_json);
        RecordFormatter {
            format,
            template: None,
            topic: topic.to_string(),
            bytes: Vec::new(),
            headers: false,
            topic_json,
            time: TimeFormatter::default(),
            scratch: String::new(),
        }
    }

    /// Writes times in `tz` (local unless `--utc`), each with its zone.
    pub fn with_time_zone(mut self, tz: render::TimeZone) -> RecordFormatter {
        self.time = TimeFormatter::new(tz);
        self
    }

    /// Shows headers in the text and hex formats too (`--headers`; JSON always has them).
    pub fn with_headers(mut self, headers: bool) -> RecordFormatter {
        self.headers = headers;
        self
    }

    /// Prints records with kcat's `-f` template instead of `format`; `raw`: keys, values and
    /// headers as they are (stdout is not a terminal), else escaped.
    pub fn with_template(mut self, template: Option<super::kcat::Template>, raw: bool) -> Self {
        self.template = template.map(|t| (t, raw));
        self
    }

    /// Appends one record to `out`.
    pub fn write(&mut self, m: &Message, out: &mut Vec<u8>) {
        self.write_decoded(m, &DecodedRecord::default(), out);
    }

    /// Appends one record with its decoded key and value to `out` (hex ignores decoding).
    pub fn write_decoded(&mut self, m: &Message, d: &DecodedRecord, out: &mut Vec<u8>) {
        if let Some((t, raw)) = &self.template {
            t.write(&self.topic, m, d, *raw, &mut self.bytes, out);
            return;
        }
        match self.format {
            Format::Text => self.text(m, d, out),
            Format::Json => self.json(m, d, out),
            Format::Hex => self.hex(m, out),
        }
    }

    fn text(&mut self, m: &Message, d: &DecodedRecord, out: &mut Vec<u8>) {
        let s = &mut self.scratch;
        s.clear();
        let _ = write!(out, "{}\t{}\t", m.partition, m.offset);
        self.time.format_zoned_into(m.timestamp, s);
        s.push('\t');
        text_part(m.key.as_deref(), d.key.as_ref(), s);
        s.push('\t');
        text_part(m.value.as_deref(), d.value.as_ref(), s);
        if self.headers {
            // kcat's `%h`: name=value pairs joined by commas.
            s.push('\t');
            for (i, h) in m.headers.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                render::escape_into(&h.name, None, s);
                s.push('=');
                render::text_or_null_into(h.value.as_deref(), s);
            }
        }
        s.push('\n');
        out.extend_from_slice(s.as_bytes());
    }

    fn json(&mut self, m: &Message, d: &DecodedRecord, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"topic\":");
        out.extend_from_slice(&self.topic_json);
        let _ = write!(
            out,
            ",\"partition\":{},\"offset\":{},\"timestamp\":{},\"key\":",
            m.partition, m.offset, m.timestamp
        );
        json_part("key", m.key.as_deref(), d.key.as_ref(), out);
        out.extend_from_slice(b",\"value\":");
        json_part("value", m.value.as_deref(), d.value.as_ref(), out);
        out.extend_from_slice(b",\"headers\":[");
        for (i, h) in m.headers.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'[');
            render::json_bytes_into(Some(&h.name), out);
            out.push(b',');
            render::json_bytes_into(h.value.as_deref(), out);
            out.push(b']');
        }
        out.extend_from_slice(b"]}\n");
    }

    fn hex(&mut self, m: &Message, out: &mut Vec<u8>) {
        let s = &mut self.scratch;
        s.clear();
        let _ = std::fmt::Write::write_fmt(
            s,
            format_args!("partition {} offset {} time ", m.partition, m.offset),
        );
        self.time.format_zoned_into(m.timestamp, s);
        s.push('\n');
        for (label, bytes) in [("key", m.key.as_deref()), ("value", m.value.as_deref())] {
            match bytes {
                None => {
                    let _ = std::fmt::Write::write_fmt(
                        s,
                        format_args!("{label}: {}\n", render::NULL_TEXT),
                    );
                }
                Some(b) => {
                    let size = render::count(b.len() as i64, "byte");
                    let _ = std::fmt::Write::write_fmt(s, format_args!("{label}: {size}\n"));
                    for line in 0..render::hex_lines(b.len()) {
                        render::hex_line(b, line, s);
                        s.push('\n');
                    }
                }
            }
        }
        if self.headers {
            for h in &m.headers {
                s.push_str("header ");
                render::escape_into(&h.name, None, s);
                s.push_str(": ");
                render::text_or_null_into(h.value.as_deref(), s);
                s.push('\n');
            }
        }
        s.push('\n');
        out.extend_from_slice(s.as_bytes());
    }
}

/// `"key":` is already written: the value, then `,"key_schema_id":N` and `,"key_error":"…"`.
fn json_part(name: &str, raw: Option<&[u8]>, d: Option<&Decoded>, out: &mut Vec<u8>) {
    let id = match d {
        Some(Decoded::Value(v, id)) => {
            render::json_value_into(v, out);
            *id
        }
        Some(Decoded::RawJson) => {
            out.extend_from_slice(raw.unwrap_or_default());
            None
        }
        Some(Decoded::Bytes) => {
            use base64::Engine as _;
            out.extend_from_slice(b"{\"base64\":\"");
            let enc = base64::engine::general_purpose::STANDARD.encode(raw.unwrap_or_default());
            out.extend_from_slice(enc.as_bytes());
            out.extend_from_slice(b"\"}");
            None
        }
        Some(Decoded::Failed(_, id)) => {
            render::json_bytes_into(raw, out);
            *id
        }
        Some(Decoded::Text) | None => {
            render::json_bytes_into(raw, out);
            None
        }
    };
    if let Some(id) = id {
        let _ = write!(out, ",\"{name}_schema_id\":{id}");
    }
    if let Some(Decoded::Failed(e, _)) = d {
        let _ = write!(out, ",\"{name}_error\":");
        render::json_str_into(&e.to_string(), out);
    }
}

/// A decoded value as compact JSON, else the raw bytes escaped.
fn text_part(raw: Option<&[u8]>, d: Option<&Decoded>, out: &mut String) {
    match d {
        Some(Decoded::Value(v, _)) => {
            let mut json = Vec::new();
            render::json_value_into(v, &mut json);
            render::escape_into(&json, None, out);
        }
        _ => render::text_or_null_into(raw, out),
    }
}
