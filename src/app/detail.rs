//! `Detail`: one record opened in full — facts, headers, and the value as text, hex or JSON.
//!
//! A value may be 100 MiB: it is never copied as escaped text. The text and JSON views keep a
//! `LineIndex` (where each screen line starts) and escape a line when it is drawn; hex lines
//! are computed on demand. Up to `INLINE_BYTES` the index is built at once; above, the lines
//! in view are indexed on demand and the whole by a `DetailJob` off the UI thread.

use std::sync::Arc;

use bytes::Bytes;

use super::decoding::{PartDecoding, RecordDecoding};
use crate::kafka::{Message, TimestampType};
use crate::render::{self, JsonToken, LineIndex, Safe};

/// How the value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueView {
    /// Escaped text.
    Text,
    /// A hex dump.
    Hex,
    /// The value itself pretty-printed as JSON (it parses as JSON).
    Json,
    /// The schema-decoded value pretty-printed as JSON.
    Decoded,
}

impl ValueView {
    /// The view's name for titles.
    pub fn name(self) -> &'static str {
        match self {
            ValueView::Text => "text",
            ValueView::Hex => "hex",
            ValueView::Json => "json",
            ValueView::Decoded => "decoded",
        }
    }

    /// True for the pretty JSON views (`Json`, `Decoded`): a record shows whichever it has.
    pub fn is_structured(self) -> bool {
        matches!(self, ValueView::Json | ValueView::Decoded)
    }
}

/// A labelled fact about the record, shown above the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// What the fact is ("Offset", "Key", a header name).
    pub label: String,
    /// Its value, escaped for the terminal.
    pub value: Safe,
    /// True when the value ends in an absent (null) key or header value, which the screen
    /// marks in a style unlike data.
    pub null: bool,
    /// True when the fact reports a failure (a key or value that could not be decoded).
    pub failed: bool,
}

/// Values up to this size are indexed (and pretty-printed) inside `update`, at once: a few
/// milliseconds. Larger ones index the visible lines on demand and the whole off the UI thread.
pub const INLINE_BYTES: usize = 1 << 20;

/// Lines of a large value indexed when it is opened or re-cut.
const FIRST_LINES: usize = 256;

/// Bytes scanned inside one `update` at most while the whole is indexed elsewhere.
const SCAN_BUDGET: usize = 512 << 10;

/// The value as text lines: the bytes (the value, or its pretty JSON) and their line index.
#[derive(Debug, Clone)]
pub struct TextLines {
    bytes: Bytes,
    index: LineIndex,
}

impl TextLines {
    fn new(bytes: Bytes, width: usize, json: bool) -> TextLines {
        let mut index = LineIndex::new(width, json);
        if bytes.len() <= INLINE_BYTES {
            index.extend(&bytes, usize::MAX, usize::MAX);
        } else {
            // The first screens, the rest on demand or from a job.
            index.extend(&bytes, FIRST_LINES, SCAN_BUDGET);
        }
        TextLines { bytes, index }
    }

    /// Lines known (all once indexed).
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no line is known yet.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Line `i`, escaped.
    pub fn line(&self, i: usize) -> Safe {
        self.index.line(i, &self.bytes)
    }

    /// Indexes on until `lines` lines are known, within the scan budget.
    fn reach(&mut self, lines: usize) {
        self.index.extend(&self.bytes, lines, SCAN_BUDGET);
    }
}

/// Work on a large value done off the UI thread: its whole line index at a width, and its
/// pretty JSON when asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailJob {
    /// Which opened detail asked (a detail opened later ignores the answer).
    pub id: u64,
    /// The width the lines are cut at.
    pub width: usize,
    /// The value, or the decoded value's compact JSON for the JSON view.
    pub value: Bytes,
    /// True to pretty-print the value as JSON and index that; false to index the text.
    pub json: bool,
}

/// What a `DetailJob` found.
#[derive(Debug, Clone)]
pub struct DetailBuilt {
    /// The job's detail.
    pub id: u64,
    /// True for the JSON view.
    pub json: bool,
    /// The lines; None: the value is not JSON.
    pub lines: Option<TextLines>,
}

impl DetailJob {
    /// Does the work; None when `wanted` turned false on the way.
    pub fn run(self, wanted: &dyn Fn() -> bool) -> Option<DetailBuilt> {
        let bytes = if self.json {
            match render::pretty_json(&self.value) {
                Some(p) => Bytes::from(p),
                None => {
                    return Some(DetailBuilt {
                        id: self.id,
                        json: true,
                        lines: None,
                    });
                }
            }
        } else {
            self.value
        };
        let index = LineIndex::build(&bytes, self.width, self.json, wanted)?;
        Some(DetailBuilt {
            id: self.id,
            json: self.json,
            lines: Some(TextLines { bytes, index }),
        })
    }
}

/// The detail view's state.
#[derive(Debug, Clone)]
pub struct Detail {
    /// Which opened detail this is: background answers carry it.
    pub id: u64,
    /// The record shown.
    pub message: Message,
    /// What the schema decoders made of it, if anything.
    pub decoding: Option<Arc<RecordDecoding>>,
    /// How the value is shown.
    pub view: ValueView,
    /// First visible line of the whole body (facts, then value lines).
    pub scroll: usize,
    /// Offset, time, sizes, key and headers, as label/value lines.
    pub facts: Vec<Fact>,
    /// True after G while the lines are still being indexed: the end once they are.
    pub at_end: bool,
    width: usize,
    text: TextLines,
    /// The pretty JSON of the decoded value, else of the value; None: not known yet (a large
    /// value whose job has not answered); `Some(None)`: not JSON.
    json: Option<Option<TextLines>>,
    /// A `DetailJob` for JSON runs.
    json_pending: bool,
}

/// Longest key or header value shown in the facts, in characters.
const FACT_CHARS: usize = 2000;

impl Detail {
    /// Opens a record on `preferred` view (`Json` or `Decoded`: whichever pretty JSON the
    /// record has, else text); `width` is the body's width, `time` formats timestamps. A
    /// large value asks for its index (or its JSON) in the returned job.
    pub fn new(
        id: u64,
        message: Message,
        decoding: Option<Arc<RecordDecoding>>,
        width: usize,
        preferred: ValueView,
        time: impl Fn(i64) -> String,
    ) -> (Detail, Option<DetailJob>) {
        let facts = facts(&message, decoding.as_deref(), &time);
        // An absent or empty value has no text; `placeholder` stands in for it.
        let text = TextLines::new(message.value.clone().unwrap_or_default(), width, false);
        let mut d = Detail {
            id,
            message,
            decoding,
            view: ValueView::Text,
            scroll: 0,
            facts,
            at_end: false,
            width,
            text,
            json: None,
            json_pending: false,
        };
        // Small values are checked for JSON at once: the view, and the hex title's next view,
        // depend on it.
        let source = d.json_source();
        if source.len() <= INLINE_BYTES {
            let pretty = render::pretty_json(&source);
            d.json = Some(pretty.map(|p| TextLines::new(Bytes::from(p), width, true)));
        }
        d.view = match preferred {
            ValueView::Hex => ValueView::Hex,
            ValueView::Text => ValueView::Text,
            ValueView::Json | ValueView::Decoded if d.may_be_json() => d.structured(),
            ValueView::Json | ValueView::Decoded => ValueView::Text,
        };
        let job = if d.view.is_structured() && d.json.is_none() {
            d.json_pending = true;
            d.job(true)
        } else if d.view == ValueView::Text {
            d.job(false)
        } else {
            None
        };
        (d, job)
    }

    /// The value's decoding, when it decoded.
    fn decoded_json(&self) -> Option<&Bytes> {
        self.decoding
            .as_ref()
            .and_then(|d| d.value.as_ref())
            .and_then(PartDecoding::json)
    }

    /// The record's pretty JSON view: `Decoded` when the value was schema-decoded, else `Json`.
    pub fn structured(&self) -> ValueView {
        if self.decoded_json().is_some() {
            ValueView::Decoded
        } else {
            ValueView::Json
        }
    }

    /// What the JSON view pretty-prints: the decoded value's JSON, else the value.
    fn json_source(&self) -> Bytes {
        match self.decoded_json() {
            Some(j) => j.clone(),
            None => self.message.value.clone().unwrap_or_default(),
        }
    }

    /// The job that indexes the current lines, when they are not indexed yet.
    fn job(&self, json: bool) -> Option<DetailJob> {
        let lines = if json {
            self.json.as_ref().and_then(Option::as_ref)
        } else {
            Some(&self.text)
        };
        if lines.is_some_and(|l| l.index.is_complete()) {
            return None;
        }
        Some(DetailJob {
            id: self.id,
            width: self.width,
            value: if json {
                self.json_source()
            } else {
                self.message.value.clone().unwrap_or_default()
            },
            json,
        })
    }

    /// Takes a job's answer, if it is for this detail and its width.
    pub fn built(&mut self, built: DetailBuilt, rows: usize) {
        if built.id != self.id {
            return;
        }
        if let Some(l) = &built.lines
            && l.index.width() != self.width
        {
            return;
        }
        if built.json {
            self.json_pending = false;
            if built.lines.is_none() && self.view.is_structured() {
                self.view = ValueView::Text;
            }
            self.json = Some(built.lines);
        } else if let Some(l) = built.lines {
            self.text = l;
        }
        if self.at_end {
            self.scroll_by(isize::MAX, rows);
        }
        self.scroll_by(0, rows);
    }

    /// Re-cuts the lines for a new width: the visible ones at once, the whole in a job.
    pub fn resize(&mut self, width: usize) -> Option<DetailJob> {
        if width == self.width {
            return None;
        }
        self.width = width;
        self.text = TextLines::new(self.text.bytes.clone(), width, false);
        if let Some(Some(json)) = self.json.take() {
            self.json = Some(Some(TextLines::new(json.bytes, width, true)));
        }
        let json = self.view.is_structured();
        let job = self.job(json);
        if json && job.is_some() {
            self.json_pending = true;
        }
        job
    }

    /// The view `x` goes to next: JSON (or decoded) -> text -> hex -> JSON (or decoded) when
    /// the value has it, else text.
    pub fn next_view(&self) -> ValueView {
        match self.view {
            ValueView::Text => ValueView::Hex,
            ValueView::Hex if self.may_be_json() => self.structured(),
            ValueView::Hex | ValueView::Json | ValueView::Decoded => ValueView::Text,
        }
    }

    /// `x`: the next view. A large value's JSON is made in the returned job; the view shows
    /// it once it arrives, or falls back to text.
    pub fn cycle_view(&mut self) -> Option<DetailJob> {
        self.at_end = false;
        self.view = self.next_view();
        match self.view {
            ValueView::Json | ValueView::Decoded if self.json.is_none() && !self.json_pending => {
                self.json_pending = true;
                self.job(true)
            }
            // The text may have been re-cut while another view was up.
            ValueView::Text => self.job(false),
            _ => None,
        }
    }

    /// True when the value (or its decoding) is JSON, or may be and is too large to tell at
    /// once.
    fn may_be_json(&self) -> bool {
        if let Some(j) = &self.json {
            return j.is_some();
        }
        if self.decoded_json().is_some() {
            return true;
        }
        let first = self.value().iter().find(|b| !b.is_ascii_whitespace());
        matches!(first, Some(b'{' | b'['))
    }

    /// True while the lines shown are still being indexed (or the JSON made).
    pub fn indexing(&self) -> bool {
        match self.view {
            ValueView::Text => !self.text.index.is_complete(),
            ValueView::Hex => false,
            ValueView::Json | ValueView::Decoded => {
                self.json_pending
                    || self
                        .json
                        .as_ref()
                        .and_then(Option::as_ref)
                        .is_some_and(|j| !j.index.is_complete())
            }
        }
    }

    fn lines_mut(&mut self) -> Option<&mut TextLines> {
        match self.view {
            ValueView::Text => Some(&mut self.text),
            ValueView::Hex => None,
            ValueView::Json | ValueView::Decoded => self.json.as_mut().and_then(Option::as_mut),
        }
    }

    fn lines(&self) -> Option<&TextLines> {
        match self.view {
            ValueView::Text => Some(&self.text),
            ValueView::Hex => None,
            ValueView::Json | ValueView::Decoded => self.json.as_ref().and_then(Option::as_ref),
        }
    }

    /// Lines of the value in the current view (known so far, while indexing).
    pub fn value_lines(&self) -> usize {
        match self.view {
            ValueView::Hex => render::hex_lines(self.value().len()).max(1),
            _ => self.lines().map_or(0, TextLines::len),
        }
    }

    /// The value's bytes (empty when null).
    pub fn value(&self) -> &[u8] {
        self.message.value.as_deref().unwrap_or_default()
    }

    /// Value line `i` in the current view.
    pub fn value_line(&self, i: usize) -> Safe {
        match self.view {
            ValueView::Hex => Safe::hex_line(self.value(), i),
            _ => self.lines().map(|l| l.line(i)).unwrap_or_default(),
        }
    }

    /// Value line `i` of a JSON view as coloured tokens; None in the text and hex views.
    pub fn json_tokens(&self, i: usize) -> Option<Vec<(JsonToken, Safe)>> {
        if !self.view.is_structured() {
            return None;
        }
        let lines = self.lines()?;
        let range = lines.index.range(i, &lines.bytes)?;
        Some(render::json_tokens(&lines.bytes, range))
    }

    /// What stands in for a value that has no text: `∅` when absent, `(empty)` when it has
    /// no bytes; the screen draws it in a style unlike data.
    pub fn placeholder(&self) -> Option<&'static str> {
        if self.view.is_structured() {
            return None;
        }
        match self.message.value.as_deref() {
            None => Some(NULL_MARK),
            Some([]) => Some("(empty)"),
            Some(_) => None,
        }
    }

    /// Lines before the value: the facts and a blank line.
    pub fn head_lines(&self) -> usize {
        self.facts.len() + 1
    }

    /// All body lines (known so far, while indexing).
    pub fn total_lines(&self) -> usize {
        self.head_lines() + self.value_lines()
    }

    /// Scrolls by `delta` lines within a body `rows` high, indexing what comes into view.
    pub fn scroll_by(&mut self, delta: isize, rows: usize) {
        if delta < 0 {
            self.at_end = false;
        }
        let want = (self.scroll as isize)
            .saturating_add(delta)
            .max(0)
            .unsigned_abs();
        let head = self.head_lines();
        let rows = rows.max(1);
        let mut complete = true;
        if let Some(lines) = self.lines_mut() {
            // The lines down to the bottom of the wanted screen, within the scan budget.
            lines.reach((want + rows).saturating_sub(head).saturating_add(1));
            complete = lines.index.is_complete();
        }
        if delta == isize::MAX && !complete {
            self.at_end = true;
        }
        let mut max = self.total_lines().saturating_sub(rows);
        if !complete {
            // A re-cut value keeps its place until its lines are indexed again.
            max = max.max(self.scroll);
        }
        self.scroll = want.min(max);
    }

    /// Goes to the top.
    pub fn top(&mut self) {
        self.at_end = false;
        self.scroll = 0;
    }
}

/// How the TUI shows an absent key or value (in a style unlike data).
pub const NULL_MARK: &str = "∅";

/// Key plus value bytes: what the message table's `Key+Value` column counts and the detail's
/// `Size` fact spells out.
pub fn key_value_size(m: &Message) -> usize {
    m.key.as_ref().map_or(0, |k| k.len()) + m.value.as_ref().map_or(0, |v| v.len())
}

/// A key or header value: escaped, or nothing and `null` set when absent.
fn bytes_fact(prefix: Safe, b: Option<&[u8]>, label: &str, size: bool) -> Fact {
    let mut value = prefix;
    if let Some(b) = b {
        value.push(Safe::line(b, FACT_CHARS));
        if size {
            value.push(Safe::new(&format!("  ({})", bytes_count(b.len()))));
        }
    }
    Fact {
        label: label.to_string(),
        value,
        null: b.is_none(),
        failed: false,
    }
}

fn fact(label: &str, value: &str) -> Fact {
    Fact {
        label: label.to_string(),
        value: Safe::new(value),
        null: false,
        failed: false,
    }
}

/// `1 byte`, `2,047 bytes`.
fn bytes_count(n: usize) -> String {
    match n {
        1 => "1 byte".into(),
        n => format!("{} bytes", render::thousands(n as i64)),
    }
}

/// The `Size` fact: `key+value 1.2 KiB (key 12 bytes, value 1,200 bytes)`, in the table's
/// unit first so the two read alike.
fn size_fact(m: &Message) -> Fact {
    let part = |b: &Option<Bytes>| match b {
        Some(b) => bytes_count(b.len()),
        None => "null".into(),
    };
    fact(
        "Size",
        &format!(
            "key+value {} (key {}, value {})",
            render::byte_size(key_value_size(m)),
            part(&m.key),
            part(&m.value)
        ),
    )
}

/// The facts a decoding adds: what read the key and the value, or why it could not.
fn schema_fact(label: &str, d: &PartDecoding) -> Fact {
    match d {
        PartDecoding::Json { schema, .. } => fact(label, &schema.describe()),
        PartDecoding::Failed { reason, id } => {
            let id = id.map(|i| format!(" (schema id {i})")).unwrap_or_default();
            Fact {
                label: label.to_string(),
                value: Safe::new(&format!("not decoded{id}: {reason} — raw bytes shown")),
                null: false,
                failed: true,
            }
        }
    }
}

fn facts(
    m: &Message,
    decoding: Option<&RecordDecoding>,
    time: &impl Fn(i64) -> String,
) -> Vec<Fact> {
    let ts_type = match m.timestamp_type {
        TimestampType::CreateTime => "create time",
        TimestampType::LogAppendTime => "log append time",
    };
    let b = &m.batch;
    let mut batch = format!(
        "{} · {}",
        render::offsets(b.base_offset, b.last_offset),
        b.codec.name()
    );
    if b.transactional {
        batch.push_str(" · transactional");
    }
    if b.producer_id >= 0 {
        batch.push_str(&format!(
            " · producer {} epoch {}",
            b.producer_id, b.producer_epoch
        ));
    }
    batch.push_str(&format!(" · leader epoch {}", b.leader_epoch));
    let key_json = decoding
        .and_then(|d| d.key.as_ref())
        .and_then(PartDecoding::json);
    let key = match key_json {
        Some(j) => bytes_fact(Safe::default(), Some(j), "Key", false),
        None => bytes_fact(Safe::default(), m.key.as_deref(), "Key", false),
    };
    let mut out = vec![
        fact(
            "Offset",
            &format!("{}  (partition {})", m.offset, m.partition),
        ),
        fact(
            "Timestamp",
            &format!("{}  ({} ms, {ts_type})", time(m.timestamp), m.timestamp),
        ),
        key,
    ];
    if let Some(k) = decoding.and_then(|d| d.key.as_ref()) {
        out.push(schema_fact("Key schema", k));
    }
    out.push(size_fact(m));
    if let Some(v) = decoding.and_then(|d| d.value.as_ref()) {
        out.push(schema_fact("Schema", v));
    }
    out.push(fact("Batch", &batch));
    if m.headers.is_empty() {
        out.push(fact("Headers", "(none)"));
    }
    for h in &m.headers {
        let mut name = Safe::line(&h.name, 200);
        name.push(" = ");
        out.push(bytes_fact(name, h.value.as_deref(), "Header", true));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::SchemaLabel;
    use crate::app::window::tests::msg;
    use bytes::Bytes;

    /// Opens on the text view, as a user who chose text last.
    fn open(m: Message, width: usize) -> (Detail, Option<DetailJob>) {
        Detail::new(7, m, None, width, ValueView::Text, |t| t.to_string())
    }

    fn label(format: &'static str, id: u32, message: Option<&str>) -> Arc<SchemaLabel> {
        Arc::new(SchemaLabel {
            format,
            id: Some(id),
            subject: Some("orders-value".into()),
            version: Some(3),
            message: message.map(str::to_string),
        })
    }

    fn fact_text(d: &Detail, label: &str) -> Option<String> {
        d.facts
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.to_string())
    }

    #[test]
    fn a_json_value_opens_pretty_and_the_hex_title_offers_json_only_when_it_parses() {
        let mut m = msg(1);
        m.value = Some(Bytes::from_static(br#"{"a":[1,true]}"#));
        let (mut d, job) = Detail::new(1, m.clone(), None, 40, ValueView::Json, |t| t.to_string());
        assert_eq!((d.view, job), (ValueView::Json, None));
        let lines: Vec<String> = (0..d.value_lines())
            .map(|i| d.value_line(i).to_string())
            .collect();
        assert_eq!(lines, ["{", "  \"a\": [", "    1,", "    true", "  ]", "}"]);
        let tokens = d.json_tokens(1).unwrap();
        assert_eq!(tokens[1], (JsonToken::Key, Safe::new("\"a\"")));
        assert_eq!(d.next_view(), ValueView::Text);
        d.cycle_view();
        assert_eq!(d.next_view(), ValueView::Hex);
        d.cycle_view();
        assert_eq!((d.view, d.next_view()), (ValueView::Hex, ValueView::Json));
        assert!(d.json_tokens(0).is_none(), "hex is not coloured as JSON");
        // Not JSON: hex goes back to text, and the JSON preference opens it as text.
        m.value = Some(Bytes::from_static(b"{not json"));
        let (mut d, _) = Detail::new(2, m, None, 40, ValueView::Json, |t| t.to_string());
        assert_eq!(d.view, ValueView::Text);
        d.cycle_view();
        assert_eq!((d.view, d.next_view()), (ValueView::Hex, ValueView::Text));
    }

    #[test]
    fn a_decoded_value_opens_decoded_and_cycles_decoded_text_hex() {
        let mut m = msg(4);
        m.value = Some(Bytes::from_static(b"\x00\x00\x00\x00\x05\x02"));
        let decoding = RecordDecoding {
            key: Some(PartDecoding::Json {
                json: Bytes::from_static(b"{\"id\":7}"),
                schema: label("Avro", 4, None),
            }),
            value: Some(PartDecoding::Json {
                json: Bytes::from_static(br#"{"sku":"A-1","qty":2}"#),
                schema: label("Protobuf", 5, Some("shop.Item")),
            }),
        };
        let (mut d, _) = Detail::new(
            1,
            m.clone(),
            Some(Arc::new(decoding)),
            40,
            ValueView::Json,
            |t| t.to_string(),
        );
        assert_eq!(d.view, ValueView::Decoded);
        assert_eq!(d.value_line(1).as_str(), "  \"sku\": \"A-1\",");
        assert_eq!(fact_text(&d, "Key").as_deref(), Some("{\"id\":7}"));
        assert_eq!(
            fact_text(&d, "Key schema").as_deref(),
            Some("Avro · id 4 · subject orders-value · version 3")
        );
        assert_eq!(
            fact_text(&d, "Schema").as_deref(),
            Some("Protobuf shop.Item · id 5 · subject orders-value · version 3")
        );
        let mut seen = vec![d.view];
        for _ in 0..3 {
            d.cycle_view();
            seen.push(d.view);
        }
        use ValueView::*;
        assert_eq!(seen, [Decoded, Text, Hex, Decoded]);
        // A failure shows the raw bytes, with the reason in one line.
        let failed = RecordDecoding {
            key: None,
            value: Some(PartDecoding::Failed {
                reason: "schema registry http://r: has no schema 5".into(),
                id: Some(5),
            }),
        };
        let (d, _) = Detail::new(2, m, Some(Arc::new(failed)), 40, ValueView::Decoded, |t| {
            t.to_string()
        });
        assert_eq!(d.view, ValueView::Text);
        assert_eq!(d.value_line(0).as_str(), "\\x00\\x00\\x00\\x00\\x05\\x02");
        let f = d.facts.iter().find(|f| f.label == "Schema").unwrap();
        assert!(f.failed);
        assert_eq!(
            f.value.as_str(),
            "not decoded (schema id 5): schema registry http://r: has no schema 5 — raw bytes shown"
        );
    }

    #[test]
    fn the_size_fact_spells_out_the_tables_key_value_size() {
        let mut m = msg(1);
        m.key = Some(Bytes::from_static(b"k"));
        m.value = Some(Bytes::from(vec![b'v'; 2047]));
        m.headers = vec![crate::kafka::Header {
            name: Bytes::from_static(b"h"),
            value: Some(Bytes::from_static(b"123")),
        }];
        assert_eq!(key_value_size(&m), 2048);
        let (d, _) = open(m.clone(), 40);
        assert_eq!(
            fact_text(&d, "Size").as_deref(),
            Some("key+value 2.0 KiB (key 1 byte, value 2,047 bytes)")
        );
        m.value = None;
        let (d, _) = open(m, 40);
        assert_eq!(
            fact_text(&d, "Size").as_deref(),
            Some("key+value 1 B (key 1 byte, value null)")
        );
    }

    #[test]
    fn views_cycle_and_json_only_when_it_parses() {
        let mut m = msg(1);
        m.value = Some(Bytes::from_static(br#"{"a":1}"#));
        let (mut d, job) = open(m.clone(), 40);
        assert_eq!(job, None, "a small value is indexed at once");
        assert_eq!(d.cycle_view(), None);
        assert_eq!(d.view, ValueView::Hex);
        assert!(
            d.value_line(0)
                .as_str()
                .starts_with("00000000  7b 22 61 22")
        );
        assert_eq!(d.cycle_view(), None);
        assert_eq!(d.view, ValueView::Json);
        assert_eq!(d.value_line(1).as_str(), "  \"a\": 1");
        d.cycle_view();
        assert_eq!(d.view, ValueView::Text);

        m.value = Some(Bytes::from_static(b"plain \x1b[2J\nnext"));
        let (mut d, _) = open(m, 40);
        assert_eq!(d.value_line(0).as_str(), "plain \\e[2J");
        assert_eq!(d.value_line(1).as_str(), "next");
        d.cycle_view();
        d.cycle_view();
        assert_eq!(d.view, ValueView::Text);
    }

    /// A JSON array of `mib` MiB: `["zzz…z",` lines of 99 characters, `"zzz…z"]` the last.
    fn large(mib: usize) -> Message {
        let mut v = b"[".to_vec();
        loop {
            v.push(b'"');
            v.extend_from_slice(&[b'z'; 95]);
            v.push(b'"');
            if v.len() >= mib << 20 {
                break;
            }
            v.extend_from_slice(b",\n");
        }
        v.push(b']');
        let mut m = msg(1);
        m.value = Some(Bytes::from(v));
        m
    }

    #[test]
    fn a_large_value_shows_its_first_lines_at_once_and_the_rest_after_its_job() {
        let (mut d, job) = open(large(4), 100);
        let job = job.expect("a large value is indexed off the UI thread");
        assert_eq!((job.id, job.width, job.json), (7, 100, false));
        // The first screen is there before the job ran, and scrolling indexes on demand.
        assert_eq!(
            d.value_line(0).as_str(),
            format!("[\"{}\",", "z".repeat(95))
        );
        d.scroll_by(100, 40);
        assert_eq!(d.scroll, 100);
        assert!(d.indexing());
        // G before the index is whole: the end of what is indexed, then the real end.
        d.scroll_by(isize::MAX, 40);
        assert!(d.at_end);
        let built = job.clone().run(&|| true).unwrap();
        d.built(built, 40);
        assert!(!d.indexing());
        assert_eq!(d.scroll, d.total_lines() - 40);
        assert_eq!(
            d.value_line(d.value_lines() - 1).as_str(),
            format!("\"{}\"]", "z".repeat(95))
        );
        // A job for another detail, or another width, is ignored.
        let (mut other, _) =
            Detail::new(8, large(2), None, 100, ValueView::Text, |t| t.to_string());
        other.built(job.clone().run(&|| true).unwrap(), 40);
        assert!(other.indexing());
        // A resize re-cuts the visible lines at once and asks for the whole again.
        let again = d.resize(50).expect("a new job for the new width");
        assert_eq!(again.width, 50);
        assert_eq!(d.value_line(0).as_str(), format!("[\"{}", "z".repeat(48)));
        // A job whose detail went away stops.
        assert!(again.run(&|| false).is_none());
    }

    #[test]
    fn a_large_values_json_is_made_by_a_job() {
        let (mut d, _) = open(large(2), 100);
        d.cycle_view();
        let job = d.cycle_view().expect("the JSON is made off the UI thread");
        assert!(job.json);
        assert_eq!(d.view, ValueView::Json);
        assert!(d.indexing());
        assert_eq!(d.value_lines(), 0);
        d.built(job.run(&|| true).unwrap(), 40);
        assert_eq!(d.value_line(0).as_str(), "[");
        assert!(d.value_line(1).starts_with("  \"zzz"));
        // Not JSON after all: back to text.
        let mut m = large(2);
        let mut v = m.value.unwrap().to_vec();
        v.push(b',');
        m.value = Some(Bytes::from(v));
        let (mut d, _) = open(m, 100);
        d.cycle_view();
        let job = d.cycle_view().unwrap();
        d.built(job.run(&|| true).unwrap(), 40);
        assert_eq!(d.view, ValueView::Text);
    }

    #[test]
    fn a_ten_mib_value_is_indexed_not_copied_per_line() {
        let mut m = msg(1);
        m.value = Some(Bytes::from(vec![b'z'; 10 << 20]));
        let (mut d, job) = open(m, 100);
        // Opening scans the first screens only: the rest is the job's.
        assert!(d.text.index.scanned() <= SCAN_BUDGET);
        assert_eq!(d.value_lines(), FIRST_LINES);
        assert!(d.indexing());
        d.built(
            job.expect("a job indexes the rest").run(&|| true).unwrap(),
            40,
        );
        assert_eq!(d.value_lines(), (10usize << 20).div_ceil(100));
        assert_eq!(d.value_line(0).as_str(), "z".repeat(100));
        // Hex lines are computed per line, from the value.
        d.cycle_view();
        assert_eq!(d.value_lines(), (10 << 20) / 16);
        d.scroll_by(isize::MAX, 40);
        assert_eq!(d.scroll, d.total_lines() - 40);
    }

    #[test]
    fn null_and_empty_values_have_a_placeholder_and_backslashes_show_doubled() {
        let mut m = msg(1);
        m.value = None;
        let (d, _) = open(m.clone(), 40);
        assert_eq!(d.placeholder(), Some(NULL_MARK));
        assert_eq!(d.value_lines(), 1);
        m.value = Some(Bytes::new());
        assert_eq!(open(m.clone(), 40).0.placeholder(), Some("(empty)"));
        m.value = Some(Bytes::from_static(br"C:\new"));
        let (d, _) = open(m, 4);
        assert_eq!(d.placeholder(), None);
        assert_eq!(d.value_line(0).as_str(), r"C:\\");
        assert_eq!(d.value_line(1).as_str(), "new");
    }
}
