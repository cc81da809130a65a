//! Bytes -> text a terminal can show safely: escaped text, hex dump, pretty JSON.
//!
//! Nothing from a record reaches the terminal raw: control characters, escape sequences,
//! invalid UTF-8 and invisible bidirectional overrides are made visible.

pub mod time;

use std::fmt::Write as _;

mod figures;
mod json_tokens;
mod lines;
mod safe;

pub use figures::{byte_size, count, offsets, plural, span, span_words, thousands};
pub use json_tokens::{JsonToken, json_tokens};
pub use lines::LineIndex;
pub use safe::{Outside, Safe};
pub use time::{TimeZone, format_time, format_time_zoned, zone_label};

/// True for characters that must not reach a terminal as they are.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Appends the visible form of an unsafe character; returns the columns it takes (all ASCII).
fn push_escaped_char(c: char, out: &mut String) -> usize {
    let start = out.len();
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{1b}' => out.push_str("\\e"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    out.len() - start
}

/// Columns the visible form of an unsafe character takes.
fn escaped_width(c: char) -> usize {
    match c {
        '\n' | '\r' | '\t' | '\u{1b}' => 2,
        c if (c as u32) < 0x100 => 4,
        // `\u{` + hex digits + `}`
        c => 4 + (32 - (c as u32).leading_zeros()).div_ceil(4) as usize,
    }
}

/// Columns a character takes once escaped (`doubled`: a backslash shows as `\\`).
fn shown_cols(c: char, doubled: bool) -> usize {
    if c == '\\' {
        if doubled { 2 } else { 1 }
    } else if needs_escape(c) {
        escaped_width(c)
    } else {
        unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
    }
}

/// Appends `bytes` as escaped text of at most `max_cols` terminal columns (None: all).
/// Returns true when it stopped early; an escape that does not fit whole is left out, so the
/// text never ends in half an escape.
///
/// Control characters, escape sequences, invalid UTF-8 and invisible bidirectional overrides
/// become `\e`, `\n`, `\xNN` or `\u{NNNN}`, and a backslash becomes `\\`, so that every `\`
/// shown starts an escape.
pub fn escape_into(bytes: &[u8], max_cols: Option<usize>, out: &mut String) -> bool {
    escape_with::<true>(bytes, max_cols, out)
}

/// Bytes copied as they are: printable ASCII, and the backslash when `BACKSLASH` is false.
const fn plain_bytes<const BACKSLASH: bool>() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = !(BACKSLASH && b == b'\\' as usize);
        b += 1;
    }
    t
}

/// `escape_into`, with a choice to leave backslashes as they are (JSON text, where a
/// backslash already starts an escape).
fn escape_with<const BACKSLASH: bool>(
    bytes: &[u8],
    max_cols: Option<usize>,
    out: &mut String,
) -> bool {
    let plain = const { &plain_bytes::<BACKSLASH>() };
    let limit = max_cols.unwrap_or(usize::MAX);
    let mut shown = 0usize;
    for chunk in bytes.utf8_chunks() {
        let mut rest = chunk.valid();
        while !rest.is_empty() {
            // A run of printable ASCII is copied as it is: one column per byte.
            let run = rest
                .bytes()
                .position(|b| !plain[b as usize])
                .unwrap_or(rest.len());
            if run > 0 {
                let take = run.min(limit - shown);
                out.push_str(&rest[..take]);
                shown += take;
                if take < run {
                    return true;
                }
                rest = &rest[run..];
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            let mut cols = shown_cols(c, BACKSLASH);
            // A combining mark with nothing before it would join whatever the terminal has
            // left of the cell before (and survive redraws there): show it escaped.
            let baseless = cols == 0 && shown == 0 && !needs_escape(c);
            if baseless {
                cols = escaped_width(c);
            }
            if cols > limit - shown {
                return true;
            }
            if c == '\\' {
                out.push_str("\\\\");
            } else if needs_escape(c) || baseless {
                push_escaped_char(c, out);
            } else {
                out.push(c);
            }
            shown += cols;
            rest = &rest[c.len_utf8()..];
        }
        for b in chunk.invalid() {
            if 4 > limit - shown {
                return true;
            }
            let _ = write!(out, "\\x{b:02x}");
            shown += 4;
        }
    }
    false
}

/// The whole of `bytes` as escaped text.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    escape_into(bytes, None, &mut s);
    s
}

/// The start of `bytes` as one escaped line of at most `max_cols` columns, then `…` when
/// cut: cost bounded by `max_cols`, whatever the value's size.
pub fn escape_line(bytes: &[u8], max_cols: usize) -> String {
    let mut s = String::with_capacity(max_cols.min(bytes.len()) + 4);
    if escape_into(bytes, Some(max_cols), &mut s) {
        s.push('…');
    }
    s
}

/// Where the escaped text of `bytes` passes `cols` columns: (byte offset, columns passed).
/// Whole characters are passed (an escape is never split), so the columns passed may exceed
/// `cols` by part of one escape. Cost bounded by `cols`, whatever the value's size.
pub fn skip_cols(bytes: &[u8], cols: usize) -> (usize, usize) {
    let (mut pos, mut shown) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if shown >= cols {
                return (pos, shown);
            }
            let w = shown_cols(c, true);
            // As `escape_into` shows a combining mark with nothing before it.
            shown += if w == 0 && pos == 0 {
                escaped_width(c)
            } else {
                w
            };
            pos += c.len_utf8();
        }
        for _ in chunk.invalid() {
            if shown >= cols {
                return (pos, shown);
            }
            shown += 4;
            pos += 1;
        }
    }
    (pos, shown)
}

/// Columns the escaped text of `bytes` takes, counted up to `cap` (a value longer than that
/// reads as `cap` or a little more).
pub fn escaped_cols(bytes: &[u8], cap: usize) -> usize {
    skip_cols(bytes, cap).1
}

/// `bytes` escaped in at most `max_cols` columns: whole when it fits, else cut to leave a
/// column for the `…` that ends it.
pub fn fit_line(bytes: &[u8], max_cols: usize) -> String {
    if escaped_cols(bytes, max_cols + 1) <= max_cols {
        return escape(bytes);
    }
    escape_line(bytes, max_cols.saturating_sub(1))
}

/// How a key or value the CLI prints as text reads: `(null)` when absent, escaped otherwise,
/// and a value that is literally `(null)` as `\(null)` (a `\(` cannot come from data, whose
/// backslashes are doubled).
pub fn text_or_null_into(bytes: Option<&[u8]>, out: &mut String) {
    match bytes {
        None => out.push_str(NULL_TEXT),
        Some(b) if b == NULL_TEXT.as_bytes() => {
            out.push('\\');
            out.push_str(NULL_TEXT);
        }
        Some(b) => {
            escape_into(b, None, out);
        }
    }
}

/// How the CLI writes an absent key or value.
pub const NULL_TEXT: &str = "(null)";

/// One hex dump line: `offset | 16 bytes in hex | ASCII`.
pub fn hex_line(bytes: &[u8], line: usize, out: &mut String) {
    let start = line * 16;
    let chunk = &bytes[start.min(bytes.len())..(start + 16).min(bytes.len())];
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let _ = write!(out, "{start:08x}  ");
    for i in 0..16 {
        match chunk.get(i) {
            Some(&b) => {
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
                out.push(' ');
            }
            None => out.push_str("   "),
        }
        if i == 7 {
            out.push(' ');
        }
    }
    out.push_str(" |");
    for &b in chunk {
        out.push(if b.is_ascii_graphic() || b == b' ' {
            b as char
        } else {
            '.'
        });
    }
    out.push('|');
}

/// Number of hex dump lines for `len` bytes.
pub fn hex_lines(len: usize) -> usize {
    len.div_ceil(16)
}

/// A full hex dump, one line per 16 bytes.
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(hex_lines(bytes.len()) * 80);
    for i in 0..hex_lines(bytes.len()) {
        hex_line(bytes, i, &mut s);
        s.push('\n');
    }
    s
}

/// Pretty-printed JSON when `bytes` parse as a JSON object or array, with anything unsafe
/// inside strings escaped.
///
/// The document is checked by serde_json, then re-indented token by token: keys keep their
/// order (duplicates included) and numbers their exact text, and nothing is built per value,
/// so a 10 MiB document takes tens of milliseconds rather than the half second a
/// `serde_json::Value` round trip costs.
pub fn pretty_json(bytes: &[u8]) -> Option<String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let pretty = reindent(text.as_bytes());
    // Raw control characters cannot occur in valid JSON; bidi overrides and C1 controls can.
    if !text.is_ascii() && pretty.chars().any(|c| needs_escape(c) && c != '\n') {
        let mut out = String::with_capacity(pretty.len());
        for line in pretty.split('\n') {
            if !out.is_empty() {
                out.push('\n');
            }
            escape_with::<false>(line.as_bytes(), None, &mut out);
        }
        return Some(out);
    }
    Some(pretty)
}

/// Re-indents a valid JSON document: two spaces per level, `"key": value`, one element per
/// line, `{}` and `[]` when empty; strings, numbers and literals are copied as they are.
fn reindent(json: &[u8]) -> String {
    fn newline(out: &mut Vec<u8>, depth: usize) {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    }
    let mut out = Vec::with_capacity(json.len() + json.len() / 2);
    let mut depth = 0usize;
    let mut i = 0;
    while i < json.len() {
        let b = json[i];
        i += 1;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'"' => {
                let start = i - 1;
                while i < json.len() {
                    match json[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                out.extend_from_slice(&json[start..i.min(json.len())]);
            }
            b'{' | b'[' => {
                out.push(b);
                let next = json[i..].iter().position(|c| !c.is_ascii_whitespace());
                match next.map(|n| (n, json[i + n])) {
                    Some((n, close @ (b'}' | b']'))) => {
                        out.push(close);
                        i += n + 1;
                    }
                    _ => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b',');
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
    }
    // Only whole tokens of valid UTF-8 were copied, and ASCII inserted between them.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `bytes` as a JSON value: a string when valid UTF-8, `{"base64":"…"}` otherwise.
pub fn json_bytes_into(bytes: Option<&[u8]>, out: &mut Vec<u8>) {
    use base64::Engine as _;
    match bytes {
        None => out.extend_from_slice(b"null"),
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => json_str_into(s, out),
            Err(_) => {
                out.extend_from_slice(b"{\"base64\":\"");
                let enc = base64::engine::general_purpose::STANDARD.encode(b);
                out.extend_from_slice(enc.as_bytes());
                out.extend_from_slice(b"\"}");
            }
        },
    }
}

/// Appends a JSON string literal.
pub fn json_str_into(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Most strings need no escape: one check the compiler vectorizes, one copy.
    if bytes
        .iter()
        .all(|&b| b >= 0x20 && b != b'"' && b != b'\\' && b != 0x7f)
    {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f | 0x7f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            let _ = std::io::Write::write_fmt(out, format_args!("\\u{:04x}", b));
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a decoded value as compact JSON, its strings escaped like `json_str_into`.
pub fn json_value_into(v: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // The number's text as parsed or made (serde_json's `arbitrary_precision`).
        Value::Number(n) => out.extend_from_slice(n.as_str().as_bytes()),
        Value::String(s) => json_str_into(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_value_into(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_str_into(k, out);
                out.push(b':');
                json_value_into(item, out);
            }
            out.push(b'}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_sequences_and_invalid_utf8() {
        assert_eq!(escape(b"a\x1b[31mred\x07\n\tz"), "a\\e[31mred\\x07\\n\\tz");
        assert_eq!(escape(b"ok \xff\xfe caf\xc3\xa9"), "ok \\xff\\xfe café");
        assert_eq!(
            escape("\u{202e}evil\u{9b}".as_bytes()),
            "\\u{202e}evil\\x9b"
        );
    }

    #[test]
    fn a_combining_mark_without_a_base_is_escaped() {
        // 0xde 0xad is U+07AD, a combining mark: first in a cell it is shown escaped.
        assert_eq!(escape(b"\xde\xad\xbe\xef"), "\\u{7ad}\\xbe\\xef");
        // After a base character it combines as it should.
        assert_eq!(escape("e\u{301}".as_bytes()), "e\u{301}");
    }

    #[test]
    fn a_backslash_is_doubled_so_every_shown_backslash_starts_an_escape() {
        assert_eq!(escape(br"C:\new\x41"), r"C:\\new\\x41");
        assert_eq!(escape(b"C:\n"), r"C:\n");
        assert_eq!(escape_line(br"\\\", 3), r"\\…");
        // JSON keeps its own escapes: a backslash there already starts one.
        assert_eq!(
            pretty_json("{\"p\":\"C:\\\\new\u{202e}\"}".as_bytes()).as_deref(),
            Some("{\n  \"p\": \"C:\\\\new\\u{202e}\"\n}")
        );
    }

    #[test]
    fn a_cut_always_ends_in_an_ellipsis_within_the_columns() {
        // Escapes count as the columns they take, and are never cut in half.
        for (bytes, cols, shown) in [
            (&b"\x1b\x1b\x1b"[..], 5, r"\e\e…"),
            (b"\x01\x01", 5, r"\x01…"),
            (b"\x01\x01", 8, r"\x01\x01"),
            ("a\u{202e}b".as_bytes(), 8, r"a…"),
            ("a\u{202e}b".as_bytes(), 9, r"a\u{202e}…"),
            (b"ab\xffcd", 3, "ab…"),
            // Wide characters take two columns.
            ("日本語".as_bytes(), 5, "日本…"),
        ] {
            let s = escape_line(bytes, cols);
            assert_eq!(s, shown, "{bytes:?} in {cols}");
            let width = unicode_width::UnicodeWidthStr::width(s.trim_end_matches('…'));
            assert!(width <= cols, "{s} is {width} columns");
        }
    }

    #[test]
    fn null_and_the_literal_text_null_differ() {
        let text = |b: Option<&[u8]>| {
            let mut s = String::new();
            text_or_null_into(b, &mut s);
            s
        };
        assert_eq!(text(None), "(null)");
        assert_eq!(text(Some(b"(null)")), r"\(null)");
        assert_eq!(text(Some(br"\(null)")), r"\\(null)");
        assert_eq!(text(Some(b"(null) ")), "(null) ");
        assert_eq!(text(Some(b"")), "");
    }

    #[test]
    fn line_is_cut_with_an_ellipsis() {
        assert_eq!(escape_line(b"abcdef", 3), "abc…");
        assert_eq!(escape_line(b"abc", 3), "abc");
        let big = vec![b'x'; 10 << 20];
        assert_eq!(escape_line(&big, 5), "xxxxx…");
    }

    #[test]
    fn hex_dump_has_offset_hex_and_ascii() {
        assert_eq!(
            hex_dump(b"Hello, \x00\x01world!\xff\n"),
            "00000000  48 65 6c 6c 6f 2c 20 00  01 77 6f 72 6c 64 21 ff  |Hello, ..world!.|\n\
             00000010  0a                                                |.|\n"
        );
    }

    #[test]
    fn pretty_json_keeps_key_order_and_escapes() {
        assert_eq!(
            pretty_json(br#"{"b":1,"a":[true]}"#).as_deref(),
            Some("{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}")
        );
        assert_eq!(
            pretty_json(br#"[0.00, 12345678901234567890123]"#).as_deref(),
            Some("[\n  0.00,\n  12345678901234567890123\n]")
        );
        assert_eq!(pretty_json(b"not json"), None);
        assert_eq!(pretty_json(b"42"), None);
        assert_eq!(
            pretty_json(br#"{"x":"\u001b[2J"}"#).as_deref(),
            Some("{\n  \"x\": \"\\u001b[2J\"\n}")
        );
    }

    #[test]
    fn pretty_json_keeps_tokens_as_they_are() {
        let pretty = |s: &str| pretty_json(s.as_bytes());
        // Numbers keep their text, duplicate keys stay, empty containers stay on one line.
        assert_eq!(
            pretty(" {\"n\" :1e3,\"n\":-0.50E-2 ,\"e\":{ },\"l\":[\t],\"z\":null}\r\n").as_deref(),
            Some(
                "{\n  \"n\": 1e3,\n  \"n\": -0.50E-2,\n  \"e\": {},\n  \"l\": [],\n  \"z\": null\n}"
            )
        );
        // Brackets, commas, colons and escaped quotes inside strings are text.
        assert_eq!(
            pretty(r#"[ "a,b", "{[:]}", "q\"}\\", {"k\"": [1,[2]]} ]"#).as_deref(),
            Some(
                "[\n  \"a,b\",\n  \"{[:]}\",\n  \"q\\\"}\\\\\",\n  {\n    \"k\\\"\": [\n      1,\n      [\n        2\n      ]\n    ]\n  }\n]"
            )
        );
        // Raw bidi overrides and C1 controls in strings are made visible.
        assert_eq!(
            pretty("{\"x\":\"\u{202e}a\u{9b}\"}").as_deref(),
            Some("{\n  \"x\": \"\\u{202e}a\\x9b\"\n}")
        );
        for bad in [
            "{\"a\":1} x",
            "{\"a\":1",
            "[1,]",
            "{\"a\" 1}",
            "[\"\u{1}\"]",
            "[\"\\q\"]",
            "",
            "[",
        ] {
            assert_eq!(pretty(bad), None, "{bad:?}");
        }
        assert_eq!(pretty_json(b"[\"\xff\"]"), None);
        // The same document as serde_json reads it.
        for doc in [
            r#"{"a":[1,2,{"b":[true,false,null,"x"]}],"c":{"d":{}},"e":"\u00e9\n"}"#,
            r#"[[[[]]],{},[{}],"]","[",":",","]"#,
        ] {
            let ours: serde_json::Value = serde_json::from_str(&pretty(doc).unwrap()).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_eq!(ours, theirs, "{doc}");
        }
    }

    #[test]
    fn escape_stops_inside_a_printable_run() {
        let mut s = String::new();
        assert!(escape_into(b"abcdef\x1bgh", Some(3), &mut s));
        assert_eq!(s, "abc");
        s.clear();
        // An escape that does not fit whole is left out: no half escape before the cut.
        assert!(escape_into(b"ab\x1bcd", Some(3), &mut s));
        assert_eq!(s, "ab");
        s.clear();
        assert!(escape_into(b"ab\x1bcd", Some(4), &mut s));
        assert_eq!(s, "ab\\e");
        s.clear();
        assert!(!escape_into(b"ab\x1bc", Some(5), &mut s));
        assert_eq!(s, "ab\\ec");
        s.clear();
        assert!(!escape_into(b"x\xffy\xe2\x80\xaez", None, &mut s));
        assert_eq!(s, "x\\xffy\\u{202e}z");
    }

    #[test]
    fn json_bytes_are_strings_or_base64() {
        let mut out = Vec::new();
        json_bytes_into(Some(b"he said \"hi\"\n\x01"), &mut out);
        out.push(b' ');
        json_bytes_into(Some(b"\xff\x00"), &mut out);
        out.push(b' ');
        json_bytes_into(None, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""he said \"hi\"\n\u0001" {"base64":"/wA="} null"#
        );
    }
}
