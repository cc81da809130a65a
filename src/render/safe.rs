//! The two types outside text travels in on its way to a person.
//!
//! `Outside` holds a string as it came from a broker (a topic name, a host, an error text):
//! the protocol needs it raw, a person must only see it escaped, so its only `Display`
//! escapes and the raw form is behind a method named for the protocol. `Safe` is text that
//! was escaped (or is our own literal): it is the only kind of outside text that converts into
//! ratatui's `Span` and `Line`, so a screen draws broker data through it or not at all.

use std::fmt;

use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};

/// Text fit for a terminal: built only by escaping, or from a literal in our source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Safe(String);

impl Safe {
    /// Escapes a string from outside (controls, escape sequences, bidi overrides, `\`).
    pub fn new(text: &str) -> Safe {
        Safe(super::escape(text.as_bytes()))
    }

    /// Escapes bytes from outside; invalid UTF-8 shows as `\xNN`.
    pub fn bytes(bytes: &[u8]) -> Safe {
        Safe(super::escape(bytes))
    }

    /// The start of `bytes`, escaped, in at most `max_cols` columns plus `…` when cut.
    pub fn line(bytes: &[u8], max_cols: usize) -> Safe {
        Safe(super::escape_line(bytes, max_cols))
    }

    /// `bytes` escaped in at most `max_cols` columns: whole when it fits, else cut with `…`.
    pub fn line_fit(bytes: &[u8], max_cols: usize) -> Safe {
        Safe(super::fit_line(bytes, max_cols))
    }

    /// Escapes the `Display` of a value (an error that names broker data).
    pub fn display(value: &impl fmt::Display) -> Safe {
        Safe::new(&value.to_string())
    }

    /// Escapes a multi-line value: its newlines stay line breaks, everything else unsafe is
    /// made visible.
    pub fn lines(bytes: &[u8]) -> Safe {
        let mut s = String::with_capacity(bytes.len() + bytes.len() / 8);
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                s.push('\n');
            }
            super::escape_into(line, None, &mut s);
        }
        Safe(s)
    }

    /// Pretty-printed JSON when `bytes` parse as a JSON object or array (see `pretty_json`).
    pub fn json(bytes: &[u8]) -> Option<Safe> {
        super::pretty_json(bytes).map(Safe)
    }

    /// Escapes a line of `pretty_json`'s text, whose backslashes already start escapes.
    pub(super) fn json_line(bytes: &[u8]) -> Safe {
        let mut s = String::with_capacity(bytes.len());
        super::escape_with::<false>(bytes, None, &mut s);
        Safe(s)
    }

    /// Hex dump line `line` of `bytes` (ASCII only).
    pub fn hex_line(bytes: &[u8], line: usize) -> Safe {
        let mut s = String::with_capacity(80);
        if line < super::hex_lines(bytes.len()) {
            super::hex_line(bytes, line, &mut s);
        }
        Safe(s)
    }

    /// A part of this text (empty unless `range` falls on character boundaries): a cut
    /// through escaped text is still escaped text.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Safe {
        Safe(self.0.get(range).unwrap_or_default().to_string())
    }

    /// The escaped text (with `\n` line breaks only when made by `lines` or `json`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Appends more safe text.
    pub fn push(&mut self, more: impl Into<Safe>) {
        self.0.push_str(&more.into().0);
    }

    /// Safe text before and after this one (the parts are ours or escaped already).
    pub fn wrap(self, before: impl Into<Safe>, after: impl Into<Safe>) -> Safe {
        let mut s = before.into();
        s.0.push_str(&self.0);
        s.0.push_str(&after.into().0);
        s
    }

    /// A styled span of this text.
    pub fn styled(self, style: Style) -> Span<'static> {
        Span::styled(self.0, style)
    }

    /// True when there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of characters (columns for the ASCII escapes).
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
}

/// A literal of our own: safe by construction, since it is in the source (network data
/// is never `'static`).
impl From<&'static str> for Safe {
    fn from(l: &'static str) -> Safe {
        Safe(l.to_string())
    }
}

impl From<&Outside> for Safe {
    fn from(o: &Outside) -> Safe {
        o.safe()
    }
}

/// Reading escaped text is harmless; only building a `Safe` is restricted.
impl std::ops::Deref for Safe {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Safe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Safe> for Span<'static> {
    fn from(s: Safe) -> Span<'static> {
        Span::raw(s.0)
    }
}

impl From<Safe> for Line<'static> {
    fn from(s: Safe) -> Line<'static> {
        Line::raw(s.0)
    }
}

impl From<Safe> for Text<'static> {
    fn from(s: Safe) -> Text<'static> {
        Text::raw(s.0)
    }
}

/// A string as it came from outside: shown only escaped, passed raw only to the protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Outside(String);

impl Outside {
    /// Wraps a string from a broker or a record.
    pub fn new(s: impl Into<String>) -> Outside {
        Outside(s.into())
    }

    /// The string as the broker sent it, for requests and comparisons; never for display.
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// The escaped form, for display.
    pub fn safe(&self) -> Safe {
        Safe::new(&self.0)
    }

    /// The escaped form in at most `max_cols` columns, ending in `…` when cut.
    pub fn safe_line(&self, max_cols: usize) -> Safe {
        Safe::line(self.0.as_bytes(), max_cols)
    }
}

/// Escaped: this is the only way an `Outside` turns into text.
impl fmt::Display for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::escape(self.0.as_bytes()))
    }
}

impl From<String> for Outside {
    fn from(s: String) -> Outside {
        Outside(s)
    }
}

impl From<&str> for Outside {
    fn from(s: &str) -> Outside {
        Outside(s.to_string())
    }
}

impl PartialEq<str> for Outside {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for Outside {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_shows_only_escaped() {
        let o = Outside::new("\u{1b}]0;pwned\u{7}\u{9b}\u{202e}a\\b");
        let shown = r"\e]0;pwned\x07\x9b\u{202e}a\\b";
        assert_eq!(o.to_string(), shown);
        assert_eq!(format!("[{o}]"), format!("[{shown}]"));
        assert_eq!(o.safe().as_str(), shown);
        assert_eq!(Span::from(o.safe()).content, shown);
        assert_eq!(o.raw(), "\u{1b}]0;pwned\u{7}\u{9b}\u{202e}a\\b");
        assert_eq!(o.safe_line(6).as_str(), r"\e]0;p…");
    }

    #[test]
    fn safe_text_composes() {
        let mut s = Safe::new("topic\u{1b}");
        s.push(" · ");
        s.push(&Outside::new("x"));
        assert_eq!(s.as_str(), r"topic\e · x");
        let w = Safe::new("a").wrap("[", "]");
        assert_eq!(w.to_string(), "[a]");
        assert_eq!(Safe::display(&"err \u{1b}[2J").as_str(), r"err \e[2J");
    }
}
