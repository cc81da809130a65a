//! One record -> one line (text, JSON) or a hex dump, appended to a byte buffer.

use std::io::Write as _;

use crate::kafka::Message;
use crate::render;
use crate::render::time::TimeFormatter;
use crate::schema::{Decoded, Part, RecordDecoder};

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
            Format::Json => self.json(m, Parts::Decoded(d), out),
            Format::Hex => self.hex(m, out),
        }
    }

    /// Appends one record, decoding its key and value with `decoder` (their schemas prepared)
    /// into `d`. JSON writes Avro read through the registry straight from its bytes, without
    /// building a `Value` (the same text).
    pub fn write_decoding(
        &mut self,
        m: &Message,
        decoder: &mut RecordDecoder,
        d: &mut DecodedRecord,
        out: &mut Vec<u8>,
    ) {
        if self.template.is_none() && self.format == Format::Json {
            self.json(m, Parts::Decoding(decoder), out);
        } else {
            (d.key, d.value) = decoder.decode_record(m.key.as_deref(), m.value.as_deref());
            self.write_decoded(m, d, out);
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

    fn json(&mut self, m: &Message, mut parts: Parts<'_>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"topic\":");
        out.extend_from_slice(&self.topic_json);
        let _ = write!(
            out,
            ",\"partition\":{},\"offset\":{},\"timestamp\":{},\"key\":",
            m.partition, m.offset, m.timestamp
        );
        parts.write(Part::Key, m.key.as_deref(), out);
        out.extend_from_slice(b",\"value\":");
        parts.write(Part::Value, m.value.as_deref(), out);
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

/// Where a JSON line's key and value come from.
enum Parts<'d> {
    /// Decoded already.
    Decoded(&'d DecodedRecord),
    /// Decoded (or written straight from Avro) by this decoder on the way.
    Decoding(&'d mut RecordDecoder),
}

impl Parts<'_> {
    /// `"key":` (or `"value":`) is already written: the part as `json_part` writes it.
    fn write(&mut self, part: Part, raw: Option<&[u8]>, out: &mut Vec<u8>) {
        let name = match part {
            Part::Key => "key",
            Part::Value => "value",
        };
        match self {
            Parts::Decoded(d) => {
                let d = match part {
                    Part::Key => d.key.as_ref(),
                    Part::Value => d.value.as_ref(),
                };
                json_part(name, raw, d, out);
            }
            Parts::Decoding(decoder) => {
                let Some(bytes) = raw else {
                    return json_part(name, None, None, out);
                };
                match decoder.write_json(part, bytes, out) {
                    Some(Ok(id)) => {
                        let _ = write!(out, ",\"{name}_schema_id\":{id}");
                    }
                    Some(Err((e, id))) => {
                        json_part(name, raw, Some(&Decoded::Failed(e, Some(id))), out);
                    }
                    None => json_part(name, raw, Some(&decoder.decode(part, bytes)), out),
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::{BatchInfo, Codec, TimestampType};
    use crate::schema::avro::AvroSchema;
    use crate::schema::registry::Registry;
    use crate::schema::{FormatSpec, SchemaError};
    use bytes::Bytes;
    use std::sync::Arc;

    fn msg(key: Option<Vec<u8>>, value: Option<Vec<u8>>) -> Message {
        Message {
            partition: 0,
            offset: 7,
            timestamp: 1_700_000_000_123,
            key: key.map(Bytes::from),
            value: value.map(Bytes::from),
            headers: Vec::new(),
            timestamp_type: TimestampType::CreateTime,
            batch: BatchInfo {
                base_offset: 7,
                last_offset: 7,
                codec: Codec::None,
                transactional: false,
                producer_id: -1,
                producer_epoch: -1,
                leader_epoch: 0,
            },
        }
    }

    fn framed(id: u32, payload: &[u8]) -> Vec<u8> {
        [&[0u8][..], &id.to_be_bytes(), payload].concat()
    }

    /// Every line `write_decoding` writes is the line of decoding first and printing the
    /// values; in JSON, Avro through the registry goes the streaming way.
    #[test]
    fn json_lines_written_from_avro_bytes_equal_the_printed_values() {
        let registry = Arc::new(
            Registry::new("http://127.0.0.1:1", std::time::Duration::from_secs(1)).unwrap(),
        );
        let schema = r#"{"type":"record","name":"R","fields":[
            {"name":"s","type":"string"},{"name":"d","type":{"type":"int","logicalType":"date"}},
            {"name":"m","type":{"type":"map","values":"double"}}]}"#;
        let decoder = |spec: FormatSpec| {
            let mut d = RecordDecoder::new(spec.clone(), spec, Some(registry.clone()), None);
            d.insert_avro(5, AvroSchema::parse(schema, &[]).unwrap());
            d.insert_avro(6, AvroSchema::parse(r#""long""#, &[]).unwrap());
            d
        };
        // s="q\"", d=0, m={"x": NaN, "x": 1.5}: a repeated key.
        let mut good = vec![4, b'q', b'"', 0, 4, 2, b'x'];
        good.extend(f64::NAN.to_le_bytes());
        good.extend([2, b'x']);
        good.extend(1.5f64.to_le_bytes());
        good.push(0);
        let msgs = [
            msg(Some(framed(6, &[3])), Some(framed(5, &good))),
            msg(None, Some(framed(5, &good[..5]))),
            msg(Some(b"plain".to_vec()), Some(framed(9, &[0]))),
            msg(Some(framed(6, &[2, 2])), None),
            msg(Some(b"{\"k\": 1}".to_vec()), Some(vec![0xff, 0])),
        ];
        for spec in [FormatSpec::Auto, FormatSpec::Avro] {
            for format in [Format::Json, Format::Text, Format::Hex] {
                let (mut streamed, mut printed) = (Vec::new(), Vec::new());
                let mut fmt =
                    RecordFormatter::new(format, "t").with_time_zone(render::TimeZone::Utc);
                let mut dec = decoder(spec.clone());
                let mut d = DecodedRecord::default();
                for m in &msgs {
                    fmt.write_decoding(m, &mut dec, &mut d, &mut streamed);
                    (d.key, d.value) = dec.decode_record(m.key.as_deref(), m.value.as_deref());
                    fmt.write_decoded(m, &d, &mut printed);
                }
                assert_eq!(
                    String::from_utf8_lossy(&streamed),
                    String::from_utf8_lossy(&printed),
                    "{spec:?} {format:?}"
                );
            }
        }
        // What the JSON lines hold.
        let mut out = Vec::new();
        let mut fmt = RecordFormatter::new(Format::Json, "t");
        let mut dec = decoder(FormatSpec::Auto);
        for m in &msgs[..2] {
            fmt.write_decoding(m, &mut dec, &mut DecodedRecord::default(), &mut out);
        }
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(
            lines[0],
            r#"{"topic":"t","partition":0,"offset":7,"timestamp":1700000000123,"key":-2,"key_schema_id":6,"value":{"s":"q\"","d":"1970-01-01","m":{"x":1.5}},"value_schema_id":5,"headers":[]}"#
        );
        let e = SchemaError::Payload("the Avro value is cut off in a number".into());
        assert!(
            lines[1].ends_with(&format!(
                r#","value_schema_id":5,"value_error":"{e}","headers":[]}}"#
            )),
            "{}",
            lines[1]
        );
    }
}
