//! `LineIndex`: where each screen line of escaped, wrapped text starts in the raw bytes.
//!
//! A value is never copied as escaped text: the index holds the byte offset of each screen
//! line, and a line is escaped when it is drawn. The index grows on demand (`extend`), so a
//! 100 MiB value shows its first screen after scanning a few KiB, and the whole can be
//! indexed off the UI thread with the same code.

use std::ops::Range;

use super::{Safe, plain_bytes, shown_cols};

/// Screen-line starts of `bytes` shown as escaped text cut at newlines and at `width`
/// terminal columns; an escape (`\e`, `\x00`, `\\`) is never cut in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    width: usize,
    /// The bytes are `pretty_json`'s text: a backslash starts a JSON escape and is shown as
    /// it is, not doubled.
    json: bool,
    starts: Vec<usize>,
    /// Bytes scanned so far: every line starting before it is in `starts`.
    scanned: usize,
    /// Characters on the line being scanned.
    col: usize,
    complete: bool,
}

/// Bytes shown as they are, one column each: printable ASCII but the backslash (text), or
/// all printable ASCII (JSON).
const TEXT_PLAIN: [bool; 256] = plain_bytes::<true>();
const JSON_PLAIN: [bool; 256] = plain_bytes::<false>();

impl LineIndex {
    /// An index of nothing scanned yet, for lines `width` columns wide; `json`: the bytes
    /// are `pretty_json`'s text (its backslashes are not doubled).
    pub fn new(width: usize, json: bool) -> LineIndex {
        LineIndex {
            width: width.max(1),
            json,
            starts: vec![0],
            scanned: 0,
            col: 0,
            complete: false,
        }
    }

    /// The whole of `bytes`, indexed; `keep_going` is asked every MiB and stops the scan
    /// (returning None) when it says false.
    pub fn build(
        bytes: &[u8],
        width: usize,
        json: bool,
        keep_going: &dyn Fn() -> bool,
    ) -> Option<LineIndex> {
        const STEP: usize = 1 << 20;
        let mut index = LineIndex::new(width, json);
        while !index.complete {
            if !keep_going() {
                return None;
            }
            index.extend(bytes, usize::MAX, STEP);
        }
        Some(index)
    }

    /// The width the lines are cut at.
    pub fn width(&self) -> usize {
        self.width
    }

    /// True once every line of the bytes is known.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Lines known so far (all of them once complete).
    pub fn len(&self) -> usize {
        if self.complete {
            self.starts.len()
        } else {
            self.starts.len() - 1
        }
    }

    /// True when no line is known yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes scanned so far.
    pub fn scanned(&self) -> usize {
        self.scanned
    }

    /// Scans on until `lines` lines are known, the bytes end, or `max_bytes` more were read.
    pub fn extend(&mut self, bytes: &[u8], lines: usize, max_bytes: usize) {
        // At least a character's longest encoding, so a cut character is always passed.
        let stop = self
            .scanned
            .saturating_add(max_bytes.max(4))
            .min(bytes.len());
        while !self.complete && self.len() < lines && self.scanned < stop {
            let rest = &bytes[self.scanned..stop];
            let Some(chunk) = rest.utf8_chunks().next() else {
                break;
            };
            let (valid, invalid) = (chunk.valid(), chunk.invalid());
            let before = self.scanned;
            self.scan_valid(valid, lines);
            if self.scanned < before + valid.len() {
                // Stopped at `lines`.
                continue;
            }
            // Invalid bytes at `stop` may be a character that `stop` cut: next time.
            let at_stop = valid.len() + invalid.len() == rest.len() && stop < bytes.len();
            if at_stop && !invalid.is_empty() {
                break;
            }
            for _ in invalid {
                if self.len() >= lines {
                    break;
                }
                self.place(4);
                self.scanned += 1;
            }
        }
        if self.scanned >= bytes.len() {
            self.complete = true;
        }
    }

    fn scan_valid(&mut self, valid: &str, lines: usize) {
        let plain = if self.json { &JSON_PLAIN } else { &TEXT_PLAIN };
        let mut rest = valid;
        while !rest.is_empty() && self.len() < lines {
            // A run of plain ASCII: one column per byte, wrapped by arithmetic.
            let run = rest
                .bytes()
                .position(|b| !plain[b as usize])
                .unwrap_or(rest.len());
            let mut left = run;
            while left > 0 && self.len() < lines {
                if self.col >= self.width {
                    self.starts.push(self.scanned);
                    self.col = 0;
                }
                let take = left.min(self.width - self.col);
                self.col += take;
                self.scanned += take;
                left -= take;
            }
            rest = &rest[run - left..];
            if left > 0 || self.len() >= lines {
                return;
            }
            let Some(c) = rest.chars().next() else { break };
            if c == '\n' {
                self.starts.push(self.scanned + 1);
                self.col = 0;
            } else {
                self.place(shown_cols(c, !self.json));
            }
            self.scanned += c.len_utf8();
            rest = &rest[c.len_utf8()..];
        }
    }

    /// Places a character or invalid byte `w` columns wide, on a new line if it does not fit.
    fn place(&mut self, w: usize) {
        if self.col > 0 && self.col + w > self.width {
            self.starts.push(self.scanned);
            self.col = 0;
        }
        self.col += w;
    }

    /// Line `i`'s bytes, without its newline, when known.
    pub fn range(&self, i: usize, bytes: &[u8]) -> Option<Range<usize>> {
        if i >= self.len() {
            return None;
        }
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(bytes.len());
        let end = if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end - 1
        } else {
            end
        };
        Some(start..end.max(start))
    }

    /// Line `i` as escaped text (empty when unknown), by the same rules as `escape_into`.
    pub fn line(&self, i: usize, bytes: &[u8]) -> Safe {
        let Some(line) = self.range(i, bytes).and_then(|r| bytes.get(r)) else {
            return Safe::default();
        };
        if self.json {
            Safe::json_line(line)
        } else {
            Safe::bytes(line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8], width: usize) -> Vec<String> {
        let index = LineIndex::build(bytes, width, false, &|| true).unwrap();
        (0..index.len())
            .map(|i| index.line(i, bytes).to_string())
            .collect()
    }

    #[test]
    fn cuts_at_newlines_and_width_and_never_inside_an_escape() {
        assert_eq!(lines(b"abcdef\nxy", 4), ["abcd", "ef", "xy"]);
        assert_eq!(lines(b"abcd\nxy", 4), ["abcd", "xy"]);
        assert_eq!(lines(b"", 4), [""]);
        assert_eq!(lines(b"ab\x1bc", 3), ["ab", "\\ec"]);
        assert_eq!(lines(b"a\xffbc", 4), ["a", "\\xff", "bc"]);
        assert_eq!(lines("é\u{202e}x".as_bytes(), 6), ["é", "\\u{202e}", "x"]);
        assert_eq!(lines(b"a\n\nb\n", 4), ["a", "", "b", ""]);
        // A backslash shows doubled: two columns, never cut in two.
        assert_eq!(lines(br"ab\c", 3), ["ab", r"\\c"]);
        assert_eq!(lines(br"\\", 3), [r"\\", r"\\"]);
        // Wide characters take two columns; a zero-width one none.
        assert_eq!(lines("日本語".as_bytes(), 5), ["日本", "語"]);
        assert_eq!(lines("a\u{301}bc".as_bytes(), 3), ["a\u{301}bc"]);
    }

    #[test]
    fn json_text_keeps_its_backslashes() {
        let text = "[\n  \"C:\\\\x\\u{202e}\"\n]";
        let index = LineIndex::build(text.as_bytes(), 8, true, &|| true).unwrap();
        let shown: Vec<String> = (0..index.len())
            .map(|i| index.line(i, text.as_bytes()).to_string())
            .collect();
        assert_eq!(shown, ["[", "  \"C:\\\\x", "\\u{202e}", "\"", "]"]);
    }

    #[test]
    fn grows_on_demand_and_ends_where_a_full_build_ends() {
        let mut bytes = Vec::new();
        for i in 0..5000 {
            bytes.extend_from_slice(format!("line {i} é\x01 {}\n", "z".repeat(i % 97)).as_bytes());
        }
        bytes.extend_from_slice(b"\xe2\x82");
        let full = LineIndex::build(&bytes, 40, false, &|| true).unwrap();
        let mut lazy = LineIndex::new(40, false);
        lazy.extend(&bytes, 10, usize::MAX);
        assert_eq!(lazy.len(), 10);
        assert!(lazy.scanned() < 1000);
        // Small steps, which cut characters, give the same lines.
        while !lazy.is_complete() {
            lazy.extend(&bytes, usize::MAX, 7);
        }
        assert_eq!(lazy, full);
        assert_eq!(
            full.line(full.len() - 1, &bytes).as_str(),
            "\\xe2\\x82",
            "an invalid tail is escaped byte by byte"
        );
        assert!(LineIndex::build(&bytes, 40, false, &|| false).is_none());
    }
}
