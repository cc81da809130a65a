//! The filter language: a CEL predicate over a record, or plain text; exact literal
//! prefilters; the default partitioner's hash (for "find key").
//!
//! # Grammar
//!
//! ```text
//! filter     ::= expression | text
//! expression ::= a CEL expression (https://github.com/google/cel-spec, the `cel` crate's
//!                parser and standard library: && || ! == != < <= > >= + - * / % in ?:,
//!                .field, [index], has(), exists(), all(), exists_one(), map(), filter(),
//!                size(), startsWith(), endsWith(), contains(), matches(RE2), int(), double(),
//!                string(), timestamp(), duration()) over the variables:
//!     key        the key: its JSON value when the bytes are JSON, else a string when they
//!                are UTF-8, else bytes; null when the key is null
//!     value      the value, decoded the same way
//!     headers    map(string, string): each header's name to its value (UTF-8, invalid
//!                sequences replaced); a repeated name keeps its last value; a null value is null
//!     partition  int
//!     offset     int
//!     size       int: bytes of key, value and headers
//!     timestamp  timestamp: the record's time
//!     topic      string
//! text       ::= anything else: a substring of the key, the value or a header value, as
//!                raw bytes; case-insensitive (ASCII letters) unless it has an upper-case letter
//! ```
//!
//! How an input is understood:
//! - It parses as CEL, every free variable is one of the eight above, and it is more than a
//!   lone identifier or literal: an **expression**.
//! - Otherwise, if it looks like an expression (it has `==`, `!=`, `&&`, `||`, `<=` or `>=`,
//!   or it starts with one of the variables followed by `.`, `[` or a comparison): an
//!   **error** that names the column, before any record is read.
//! - Otherwise: **text**.
//!
//! A record matches an expression only when it evaluates to `true`: a missing field, a wrong
//! type or any other evaluation error makes the record not match; it never stops a scan.

mod cel_value;
mod expr;
mod fast;
pub mod murmur2;
pub mod prefilter;
mod text;

use std::sync::Arc;

use crate::kafka::Message;
use crate::schema::{Decoded, Part, RecordDecoder};
pub use expr::ExprFilter;
pub use text::TextFilter;

/// The variables an expression may use.
pub const VARIABLES: [&str; 8] = [
    "key",
    "value",
    "headers",
    "partition",
    "offset",
    "size",
    "timestamp",
    "topic",
];

/// A bad filter: a one-line message that names the column (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at column {column}: {message}")]
pub struct FilterError {
    /// The column of the problem, counted in characters from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed filter; cheap to share between scan workers (each makes its own `Matcher`).
#[derive(Debug, Clone)]
pub enum Filter {
    /// A CEL predicate.
    Expr(Arc<ExprFilter>),
    /// A plain-text search.
    Text(Arc<TextFilter>),
}

impl Filter {
    /// Understands `input` as an expression or as text (see the module's grammar), or says
    /// why it is a bad expression.
    pub fn parse(input: &str) -> Result<Filter, FilterError> {
        match expr::classify(input)? {
            Some(e) => Ok(Filter::Expr(Arc::new(e))),
            None => Ok(Filter::Text(Arc::new(TextFilter::new(input)))),
        }
    }

    /// "expression" or "text": what the input was understood as.
    pub fn kind(&self) -> &'static str {
        match self {
            Filter::Expr(_) => "expression",
            Filter::Text(_) => "text",
        }
    }

    /// What the input was understood as, for a prompt or a progress report.
    pub fn describe(&self) -> String {
        match self {
            Filter::Expr(e) => format!("expression {}", e.source()),
            Filter::Text(t) => format!(
                "text \"{}\" ({})",
                t.text(),
                if t.case_sensitive() {
                    "case-sensitive"
                } else {
                    "case-insensitive"
                }
            ),
        }
    }

    /// A matcher for one worker: it keeps its own compiled program and scratch space.
    pub fn matcher(&self) -> Matcher {
        Matcher {
            eval: match self {
                Filter::Expr(e) => e.evaluator(),
                Filter::Text(_) => None,
            },
            filter: self.clone(),
            scratch: Vec::new(),
        }
    }
}

/// Tests records against a filter; one per worker thread.
pub struct Matcher {
    filter: Filter,
    scratch: Vec<u8>,
    eval: Option<expr::Evaluator>,
}

impl Matcher {
    /// True when `m` (read from `topic`) matches.
    pub fn matches(&mut self, m: &Message, topic: &str) -> bool {
        match (&self.filter, &self.eval) {
            (Filter::Text(t), _) => t.matches(m, &mut self.scratch),
            (Filter::Expr(e), Some(ev)) => e.prefilter().admits(m) && ev.matches(m, topic),
            (Filter::Expr(_), None) => false,
        }
    }

    /// True when `m` matches, `key`/`value` being the values a schema decoded where there are
    /// (issue 11): an expression sees them instead of the bytes, and the text search looks
    /// in their compact JSON. The raw-bytes prefilter is skipped for a record with a decoded
    /// part: its literals need not appear in the encoded bytes (an Avro enum is an index).
    pub fn matches_decoded(
        &mut self,
        m: &Message,
        topic: &str,
        key: Option<&serde_json::Value>,
        value: Option<&serde_json::Value>,
    ) -> bool {
        if key.is_none() && value.is_none() {
            return self.matches(m, topic);
        }
        match (&self.filter, &self.eval) {
            (Filter::Text(t), _) => {
                let json = |v: Option<&serde_json::Value>, raw: &Option<bytes::Bytes>| match v {
                    Some(v) => serde_json::to_vec(v).ok().map(bytes::Bytes::from),
                    None => raw.clone(),
                };
                let shown = Message {
                    key: json(key, &m.key),
                    value: json(value, &m.value),
                    ..m.clone()
                };
                t.matches(&shown, &mut self.scratch)
            }
            (Filter::Expr(_), Some(ev)) => ev.matches_decoded(m, topic, key, value),
            (Filter::Expr(_), None) => false,
        }
    }

    /// True when `m` matches as `decoder` reads its key and value (their schemas fetched
    /// with `prepare_schemas`): `matches_decoded` with what the decoder made of them. A part
    /// that decodes to no value (text, bytes, a failure) is matched as its bytes.
    pub fn matches_through(
        &mut self,
        m: &Message,
        topic: &str,
        decoder: &mut RecordDecoder,
    ) -> bool {
        let (key, value) = decoder.decode_record(m.key.as_deref(), m.value.as_deref());
        self.matches_decoded(
            m,
            topic,
            key.as_ref().and_then(Decoded::value),
            value.as_ref().and_then(Decoded::value),
        )
    }

    /// True when `m` matches by full evaluation alone, without the prefilter: what the
    /// prefilter is tested against.
    pub fn matches_without_prefilter(&mut self, m: &Message, topic: &str) -> bool {
        match (&self.filter, &self.eval) {
            (Filter::Text(t), _) => t.matches(m, &mut self.scratch),
            (Filter::Expr(_), Some(ev)) => ev.matches(m, topic),
            (Filter::Expr(_), None) => false,
        }
    }
}

/// Fetches and compiles the schemas the keys and values of `msgs` need, before they are
/// matched through `decoder` (async: the registry is asked for ids not seen yet).
pub async fn prepare_schemas(decoder: &mut RecordDecoder, msgs: &[Message]) {
    decoder
        .prepare(msgs.iter().flat_map(|m| {
            [
                (Part::Key, m.key.as_deref()),
                (Part::Value, m.value.as_deref()),
            ]
        }))
        .await;
}

#[cfg(test)]
mod tests;
