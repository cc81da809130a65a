//! `Detail`: one record opened in full — facts, headers, and the value as text, hex or JSON.
//!
//! A value may be 10 MiB: its text and JSON forms are built once when chosen, with the start
//! of every screen line indexed, so drawing touches only the visible lines; hex lines are
//! computed on demand.

use crate::kafka::{Message, TimestampType};
use crate::render::{self, Safe};

/// How the value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueView {
    /// Escaped text.
    Text,
    /// A hex dump.
    Hex,
    /// Pretty-printed JSON.
    Json,
}

impl ValueView {
    /// The view's name for titles.
    pub fn name(self) -> &'static str {
        match self {
            ValueView::Text => "text",
            ValueView::Hex => "hex",
            ValueView::Json => "json",
        }
    }
}

/// Text cut into screen lines: one string and the byte index where each line starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wrapped {
    text: Safe,
    starts: Vec<usize>,
}

impl Wrapped {
    /// Cuts `text` at newlines and every `width` characters.
    pub fn new(text: Safe, width: usize) -> Wrapped {
        let width = width.max(1);
        let mut starts = vec![0];
        let mut col = 0;
        // Bytes, not chars: a line starts at a character's first byte (never a UTF-8
        // continuation byte), which keeps this a tight loop over 10 MiB values.
        for (i, &b) in text.as_str().as_bytes().iter().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
                col = 0;
                continue;
            }
            if b & 0xc0 == 0x80 {
                continue;
            }
            if col == width {
                starts.push(i);
                col = 0;
            }
            col += 1;
        }
        Wrapped { text, starts }
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there is no text at all.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Line `i`, without its newline.
    pub fn line(&self, i: usize) -> Safe {
        let Some(&start) = self.starts.get(i) else {
            return Safe::default();
        };
        let text = self.text.as_str();
        let mut end = self.starts.get(i + 1).copied().unwrap_or(text.len());
        if text[..end].ends_with('\n') {
            end -= 1;
        }
        self.text.slice(start..end)
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
}

/// The detail view's state.
#[derive(Debug, Clone)]
pub struct Detail {
    /// The record shown.
    pub message: Message,
    /// How the value is shown.
    pub view: ValueView,
    /// First visible line of the whole body (facts, then value lines).
    pub scroll: usize,
    /// Offset, time, sizes, key and headers, as label/value lines.
    pub facts: Vec<Fact>,
    width: usize,
    text: Wrapped,
    /// Pretty JSON, computed the first time it is asked for; `Some(None)`: not JSON.
    json: Option<Option<Wrapped>>,
}

/// Longest key or header value shown in the facts, in characters.
const FACT_CHARS: usize = 2000;

impl Detail {
    /// Opens a record; `width` is the body's width, `time` formats timestamps.
    pub fn new(message: Message, width: usize, time: impl Fn(i64) -> String) -> Detail {
        let facts = facts(&message, &time);
        let text = text_of(&message, width);
        Detail {
            message,
            view: ValueView::Text,
            scroll: 0,
            facts,
            width,
            text,
            json: None,
        }
    }

    /// Re-cuts the text for a new width.
    pub fn resize(&mut self, width: usize) {
        if width == self.width {
            return;
        }
        self.width = width;
        self.text = text_of(&self.message, width);
        if let Some(Some(json)) = self.json.take() {
            self.json = Some(Some(Wrapped::new(json.text, width)));
        }
    }

    /// `x`: text -> hex -> JSON (when the value parses) -> text.
    pub fn cycle_view(&mut self) {
        let view = self.view;
        self.view = match view {
            ValueView::Text => ValueView::Hex,
            ValueView::Hex if self.json().is_some() => ValueView::Json,
            ValueView::Hex | ValueView::Json => ValueView::Text,
        };
    }

    fn json(&mut self) -> Option<&Wrapped> {
        if self.json.is_none() {
            let pretty = self.message.value.as_deref().and_then(Safe::json);
            self.json = Some(pretty.map(|p| Wrapped::new(p, self.width)));
        }
        self.json.as_ref().and_then(Option::as_ref)
    }

    /// Lines of the value in the current view.
    pub fn value_lines(&self) -> usize {
        match self.view {
            ValueView::Text => self.text.len(),
            ValueView::Hex => render::hex_lines(self.value().len()).max(1),
            ValueView::Json => self
                .json
                .as_ref()
                .and_then(Option::as_ref)
                .map_or(0, Wrapped::len),
        }
    }

    /// The value's bytes (empty when null).
    pub fn value(&self) -> &[u8] {
        self.message.value.as_deref().unwrap_or_default()
    }

    /// Value line `i` in the current view.
    pub fn value_line(&self, i: usize) -> Safe {
        match self.view {
            ValueView::Text => self.text.line(i),
            ValueView::Hex => Safe::hex_line(self.value(), i),
            ValueView::Json => match self.json.as_ref().and_then(Option::as_ref) {
                Some(w) => w.line(i),
                None => Safe::default(),
            },
        }
    }

    /// What stands in for a value that has no text: `∅` when absent, `(empty)` when it has
    /// no bytes; the screen draws it in a style unlike data.
    pub fn placeholder(&self) -> Option<&'static str> {
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

    /// All body lines.
    pub fn total_lines(&self) -> usize {
        self.head_lines() + self.value_lines()
    }

    /// Scrolls by `delta` lines within a body `rows` high.
    pub fn scroll_by(&mut self, delta: isize, rows: usize) {
        let max = self.total_lines().saturating_sub(rows.max(1));
        self.scroll = ((self.scroll as isize).saturating_add(delta).max(0) as usize).min(max);
    }
}

/// How the TUI shows an absent key or value (in a style unlike data).
pub const NULL_MARK: &str = "∅";

fn text_of(message: &Message, width: usize) -> Wrapped {
    // An absent or empty value has no text; `placeholder` stands in for it.
    let text = Safe::lines(message.value.as_deref().unwrap_or_default());
    Wrapped::new(text, width)
}

/// A key or header value: escaped with its size, or nothing and `null` set when absent.
fn bytes_fact(prefix: Safe, b: Option<&[u8]>, label: &str) -> Fact {
    let mut value = prefix;
    if let Some(b) = b {
        value.push(Safe::line(b, FACT_CHARS));
        value.push(Safe::new(&format!(
            "  ({} bytes)",
            super::thousands(b.len() as i64)
        )));
    }
    Fact {
        label: label.to_string(),
        value,
        null: b.is_none(),
    }
}

fn facts(m: &Message, time: &impl Fn(i64) -> String) -> Vec<Fact> {
    let fact = |label: &str, value: String| Fact {
        label: label.to_string(),
        value: Safe::new(&value),
        null: false,
    };
    let ts_type = match m.timestamp_type {
        TimestampType::CreateTime => "create time",
        TimestampType::LogAppendTime => "log append time",
    };
    let b = &m.batch;
    let mut batch = format!(
        "offsets {}..={} · {}",
        b.base_offset,
        b.last_offset,
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
    let mut out = vec![
        fact(
            "Offset",
            format!("{}  (partition {})", m.offset, m.partition),
        ),
        fact(
            "Timestamp",
            format!("{}  ({} ms, {ts_type})", time(m.timestamp), m.timestamp),
        ),
        bytes_fact(Safe::default(), m.key.as_deref(), "Key"),
        fact("Batch", batch),
    ];
    if m.headers.is_empty() {
        out.push(fact("Headers", "(none)".into()));
    }
    for h in &m.headers {
        let mut name = Safe::line(&h.name, 200);
        name.push(" = ");
        out.push(bytes_fact(name, h.value.as_deref(), "Header"));
    }
    out.push(match &m.value {
        Some(v) => fact(
            "Value",
            format!("{} bytes", super::thousands(v.len() as i64)),
        ),
        None => bytes_fact(Safe::default(), None, "Value"),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::window::tests::msg;
    use bytes::Bytes;

    #[test]
    fn wrapping_cuts_at_newlines_and_width() {
        let w = Wrapped::new(Safe::lines(b"abcdef\nxy"), 4);
        assert_eq!(
            (0..w.len())
                .map(|i| w.line(i).to_string())
                .collect::<Vec<_>>(),
            vec!["abcd", "ef", "xy"]
        );
        let e = Wrapped::new(Safe::default(), 4);
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn views_cycle_and_json_only_when_it_parses() {
        let mut m = msg(1);
        m.value = Some(Bytes::from_static(br#"{"a":1}"#));
        let mut d = Detail::new(m.clone(), 40, |t| t.to_string());
        d.cycle_view();
        assert_eq!(d.view, ValueView::Hex);
        assert!(
            d.value_line(0)
                .as_str()
                .starts_with("00000000  7b 22 61 22")
        );
        d.cycle_view();
        assert_eq!(d.view, ValueView::Json);
        assert_eq!(d.value_line(1).as_str(), "  \"a\": 1");
        d.cycle_view();
        assert_eq!(d.view, ValueView::Text);

        m.value = Some(Bytes::from_static(b"plain \x1b[2J\nnext"));
        let mut d = Detail::new(m, 40, |t| t.to_string());
        assert_eq!(d.value_line(0).as_str(), "plain \\e[2J");
        assert_eq!(d.value_line(1).as_str(), "next");
        d.cycle_view();
        d.cycle_view();
        assert_eq!(d.view, ValueView::Text);
    }

    #[test]
    fn a_ten_mib_value_is_indexed_not_copied_per_line() {
        let mut m = msg(1);
        m.value = Some(Bytes::from(vec![b'z'; 10 << 20]));
        let start = std::time::Instant::now();
        let mut d = Detail::new(m, 100, |t| t.to_string());
        assert_eq!(d.value_lines(), (10usize << 20).div_ceil(100));
        d.cycle_view();
        assert_eq!(d.value_lines(), (10 << 20) / 16);
        d.scroll_by(isize::MAX, 40);
        assert_eq!(d.scroll, d.total_lines() - 40);
        assert!(start.elapsed().as_secs() < 5);
    }
}
