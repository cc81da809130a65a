//! Pretty JSON lines cut into tokens for colouring: keys, strings, numbers, literals and the
//! rest, each escaped like the line it came from.
//!
//! A screen line of `pretty_json`'s text may be the continuation of a long line cut at the
//! width, so the lexer starts from the line's beginning, looking back a bounded distance; a
//! line further than that into a long token is taken to be inside a string, which is what
//! such a token almost always is. Colour never changes the text: only the style is guessed.

use std::ops::Range;

use super::Safe;

/// What a piece of a JSON line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonToken {
    /// An object key, with its quotes.
    Key,
    /// A string value, with its quotes.
    String,
    /// A number.
    Number,
    /// `true`, `false` or `null`.
    Literal,
    /// Brackets, commas, colons and spaces.
    Punct,
}

/// Bytes looked at before a line for its beginning, and after a quote for its end.
const REACH: usize = 16 << 10;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Outside,
    /// Inside a string: a key or not, and whether the last byte was an escaping backslash.
    InString {
        key: bool,
        escaped: bool,
    },
}

/// True when the string opening at `text[open]` is an object key: its closing quote is
/// followed by `:` (looked for within `REACH`).
fn is_key(text: &[u8], open: usize) -> bool {
    let end = (open + 1).saturating_add(REACH).min(text.len());
    let mut i = open + 1;
    while i < end {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return text.get(i + 1) == Some(&b':'),
            _ => i += 1,
        }
    }
    false
}

fn kind_of(b: u8) -> JsonToken {
    match b {
        b'-' | b'+' | b'.' | b'0'..=b'9' => JsonToken::Number,
        b'a'..=b'z' | b'A'..=b'Z' => JsonToken::Literal,
        _ => JsonToken::Punct,
    }
}

/// The tokens of `text[line]`, a line of `pretty_json`'s text (as `LineIndex` cut it), in
/// order, each escaped; adjacent bytes of one kind are one token.
pub fn json_tokens(text: &[u8], line: Range<usize>) -> Vec<(JsonToken, Safe)> {
    let line = line.start.min(text.len())..line.end.min(text.len());
    let back = line.start.saturating_sub(REACH);
    let (mut i, mut state) = match memchr::memrchr(b'\n', &text[back..line.start]) {
        Some(p) => (back + p + 1, State::Outside),
        None if back == 0 => (0, State::Outside),
        None => (
            line.start,
            State::InString {
                key: false,
                escaped: false,
            },
        ),
    };
    let mut out: Vec<(JsonToken, Range<usize>)> = Vec::new();
    let mut push = |kind: JsonToken, at: usize| {
        if at < line.start {
            return;
        }
        match out.last_mut() {
            Some((k, r)) if *k == kind && r.end == at => r.end = at + 1,
            _ => out.push((kind, at..at + 1)),
        }
    };
    // The kind of the byte before, for the exponent of a number (`1.5e3`).
    let mut last = JsonToken::Punct;
    while i < line.end {
        let b = text[i];
        match state {
            State::InString { key, escaped } => {
                push(
                    if key {
                        JsonToken::Key
                    } else {
                        JsonToken::String
                    },
                    i,
                );
                state = match (escaped, b) {
                    (false, b'\\') => State::InString { key, escaped: true },
                    (false, b'"') => State::Outside,
                    _ => State::InString {
                        key,
                        escaped: false,
                    },
                };
            }
            State::Outside if b == b'"' => {
                let key = is_key(text, i);
                push(
                    if key {
                        JsonToken::Key
                    } else {
                        JsonToken::String
                    },
                    i,
                );
                state = State::InString {
                    key,
                    escaped: false,
                };
            }
            State::Outside => {
                let kind = match kind_of(b) {
                    JsonToken::Literal if matches!(b, b'e' | b'E') && last == JsonToken::Number => {
                        JsonToken::Number
                    }
                    k => k,
                };
                push(kind, i);
                last = kind;
                i += 1;
                continue;
            }
        }
        last = JsonToken::String;
        i += 1;
    }
    out.into_iter()
        .map(|(k, r)| (k, Safe::json_line(&text[r])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str, line: Range<usize>) -> Vec<(JsonToken, String)> {
        json_tokens(text.as_bytes(), line)
            .into_iter()
            .map(|(k, s)| (k, s.to_string()))
            .collect()
    }

    #[test]
    fn keys_strings_numbers_and_literals() {
        use JsonToken::*;
        let text = "{\n  \"a\\\"b\": \"x:\\\"y\",\n  \"n\": -1.5e3,\n  \"t\": [true, null]\n}";
        let lines: Vec<Range<usize>> = {
            let mut starts = vec![0];
            starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
            let mut ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
            ends.push(text.len());
            starts.into_iter().zip(ends).map(|(s, e)| s..e).collect()
        };
        assert_eq!(tokens(text, lines[0].clone()), [(Punct, "{".into())]);
        assert_eq!(
            tokens(text, lines[1].clone()),
            [
                (Punct, "  ".into()),
                (Key, "\"a\\\"b\"".into()),
                (Punct, ": ".into()),
                (String, "\"x:\\\"y\"".into()),
                (Punct, ",".into())
            ]
        );
        assert_eq!(
            tokens(text, lines[2].clone()),
            [
                (Punct, "  ".into()),
                (Key, "\"n\"".into()),
                (Punct, ": ".into()),
                (Number, "-1.5e3".into()),
                (Punct, ",".into())
            ]
        );
        assert_eq!(
            tokens(text, lines[3].clone()),
            [
                (Punct, "  ".into()),
                (Key, "\"t\"".into()),
                (Punct, ": [".into()),
                (Literal, "true".into()),
                (Punct, ", ".into()),
                (Literal, "null".into()),
                (Punct, "]".into())
            ]
        );
    }

    #[test]
    fn a_cut_line_continues_its_token_and_stays_escaped() {
        use JsonToken::*;
        // `pretty_json` escapes unsafe characters in strings; a continuation line starts in
        // the middle of the string.
        let text = "[\n  \"abc\\u{202e}def\", 12\n]";
        let start = text.find("def").unwrap();
        assert_eq!(
            tokens(text, start..text.len() - 2),
            [
                (String, "def\"".into()),
                (Punct, ", ".into()),
                (Number, "12".into())
            ]
        );
        // Far into a long string, with no line start in reach: taken as inside a string.
        let long = format!("[\n  \"{}\", 1\n]", "z".repeat(REACH * 2));
        let at = REACH + 100;
        assert_eq!(tokens(&long, at..at + 3), [(String, "zzz".into())]);
    }
}
