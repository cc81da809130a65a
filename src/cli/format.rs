//! One record -> one line (text, JSON) or a hex dump, appended to a byte buffer.

use std::io::Write as _;

use crate::kafka::Message;
use crate::render;
use crate::render::time::TimeFormatter;

/// Output format of `consume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `partition<TAB>offset<TAB>local time<TAB>key<TAB>value`, escaped; `(null)` when absent.
    Text,
    /// One JSON object per line.
    Json,
    /// A hex dump of key and value per record.
    Hex,
}

/// Formats records, reusing its scratch buffers.
pub struct RecordFormatter {
    format: Format,
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
            headers: false,
            topic_json,
            time: TimeFormatter::default(),
            scratch: String::new(),
        }
    }

    /// Shows headers in the text and hex formats too (`--headers`; JSON always has them).
    pub fn with_headers(mut self, headers: bool) -> RecordFormatter {
        self.headers = headers;
        self
    }

    /// Appends one record to `out`.
    pub fn write(&mut self, m: &Message, out: &mut Vec<u8>) {
        match self.format {
            Format::Text => self.text(m, out),
            Format::Json => self.json(m, out),
            Format::Hex => self.hex(m, out),
        }
    }

    fn text(&mut self, m: &Message, out: &mut Vec<u8>) {
        let s = &mut self.scratch;
        s.clear();
        let _ = write!(out, "{}\t{}\t", m.partition, m.offset);
        self.time.format_into(m.timestamp, s);
        s.push('\t');
        render::text_or_null_into(m.key.as_deref(), s);
        s.push('\t');
        render::text_or_null_into(m.value.as_deref(), s);
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

    fn json(&mut self, m: &Message, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"topic\":");
        out.extend_from_slice(&self.topic_json);
        let _ = write!(
            out,
            ",\"partition\":{},\"offset\":{},\"timestamp\":{},\"key\":",
            m.partition, m.offset, m.timestamp
        );
        render::json_bytes_into(m.key.as_deref(), out);
        out.extend_from_slice(b",\"value\":");
        render::json_bytes_into(m.value.as_deref(), out);
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
        self.time.format_into(m.timestamp, s);
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
                    let _ =
                        std::fmt::Write::write_fmt(s, format_args!("{label}: {} bytes\n", b.len()));
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
