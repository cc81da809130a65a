//! kcat's output language, so that scripts written for kcat keep working: `-f FORMAT`
//! templates (`%t %p %o %k %s %S %K %R %T %h %%`, `\n \r \t \xNN`) and `-o s@TIME` /
//! `-o e@TIME` bounds.

use std::io::Write as _;

use crate::kafka::offsets::position::{parse_position, parse_time};
use crate::kafka::{Message, StartAt};
use crate::render;
use crate::schema::Decoded;

use super::format::DecodedRecord;

/// One piece of a `-f` template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Text copied as it is (escapes already turned into bytes).
    Literal(Vec<u8>),
    /// `%t`: the topic.
    Topic,
    /// `%p`: the partition.
    Partition,
    /// `%o`: the offset.
    Offset,
    /// `%k`: the key; nothing when null or empty.
    Key,
    /// `%K`: the key's size in bytes, -1 when null.
    KeySize,
    /// `%s`: the value; nothing when null or empty.
    Value,
    /// `%S`: the value's size in bytes, -1 when null.
    ValueSize,
    /// `%R`: the value's size as a 32-bit big-endian integer, -1 when null.
    ValueSizeBinary,
    /// `%T`: the timestamp in milliseconds.
    Timestamp,
    /// `%h`: headers as `name=value,name=value`, `NULL` for a null value.
    Headers,
}

/// A parsed `-f` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    tokens: Vec<Token>,
}

const TOKENS: &str = "%t %p %o %k %s %S %K %R %T %h %%";

impl std::str::FromStr for Template {
    type Err = String;

    /// Parses a template as kcat does: `%` tokens split the text; escapes are read in the
    /// text between them.
    fn from_str(s: &str) -> Result<Template, String> {
        let mut tokens = Vec::new();
        let mut rest = s;
        while let Some(at) = rest.find('%') {
            if at > 0 {
                tokens.push(Token::Literal(unescape(&rest.as_bytes()[..at])));
            }
            let mut after = rest[at + 1..].chars();
            let token = match after.next() {
                Some('t') => Token::Topic,
                Some('p') => Token::Partition,
                Some('o') => Token::Offset,
                Some('k') => Token::Key,
                Some('K') => Token::KeySize,
                Some('s') => Token::Value,
                Some('S') => Token::ValueSize,
                Some('R') => Token::ValueSizeBinary,
                Some('T') => Token::Timestamp,
                Some('h') => Token::Headers,
                Some('%') => Token::Literal(b"%".to_vec()),
                Some(c) => {
                    return Err(format!(
                        "invalid -f format: unknown token '%{}'; the tokens are {TOKENS}",
                        render::escape(c.to_string().as_bytes())
                    ));
                }
                None => {
                    return Err(format!(
                        "invalid -f format: '%' at the end needs a token after it ({TOKENS})"
                    ));
                }
            };
            tokens.push(token);
            rest = after.as_str();
        }
        if !rest.is_empty() {
            tokens.push(Token::Literal(unescape(rest.as_bytes())));
        }
        Ok(Template { tokens })
    }
}

/// kcat's escapes in literal text: `\t \n \r`, `\xNN` (hex), `\NNN` (a number as C's
/// `strtoul` base 0 reads it: decimal, `0NN` octal, `0xNN` hex), any other `\c` as `c`.
/// A number keeps its low byte. Where kcat is wrong we are not: `\xff` is byte 0xff (kcat
/// writes `ff`) and `\x00` writes a NUL (kcat cuts the text there).
fn unescape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if b != b'\\' || i == text.len() {
            out.push(b);
            continue;
        }
        let c = text[i];
        i += 1;
        match c {
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'x' => match number(&text[i..], 16) {
                Some((v, used)) => {
                    out.push(v);
                    i += used;
                }
                None => out.push(b'x'),
            },
            b'0'..=b'9' => {
                let (radix, skip) = match (c, text.get(i)) {
                    (b'0', Some(b'x' | b'X'))
                        if text.get(i + 1).is_some_and(u8::is_ascii_hexdigit) =>
                    {
                        (16, 1)
                    }
                    (b'0', _) => (8, 0),
                    _ => (10, 0),
                };
                let from = i - 1 + skip + usize::from(radix == 16);
                match number(&text[from..], radix) {
                    Some((v, used)) => {
                        out.push(v);
                        i = from + used;
                    }
                    None => out.push(c),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The number at the start of `digits` in `radix`, as its low byte (all ones when it
/// overflows, as `strtoul` saturates), and how many bytes it took.
fn number(digits: &[u8], radix: u32) -> Option<(u8, usize)> {
    let used = digits
        .iter()
        .take_while(|d| (**d as char).is_digit(radix))
        .count();
    if used == 0 {
        return None;
    }
    let mut v: u64 = 0;
    for d in &digits[..used] {
        let n = u64::from((*d as char).to_digit(radix).unwrap_or(0));
        v = v.saturating_mul(u64::from(radix)).saturating_add(n);
    }
    Some(((v & 0xff) as u8, used))
}

impl Template {
    /// Appends one record to `out`. `raw`: bytes as they are, as kcat writes them (stdout is
    /// not a terminal); otherwise keys, values, headers and the topic are escaped.
    pub fn write(
        &self,
        topic: &str,
        m: &Message,
        d: &DecodedRecord,
        raw: bool,
        scratch: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        for t in &self.tokens {
            let outside: &[u8] = match t {
                Token::Literal(text) => {
                    out.extend_from_slice(text);
                    continue;
                }
                Token::Partition => {
                    let _ = write!(out, "{}", m.partition);
                    continue;
                }
                Token::Offset => {
                    let _ = write!(out, "{}", m.offset);
                    continue;
                }
                Token::Timestamp => {
                    let _ = write!(out, "{}", m.timestamp);
                    continue;
                }
                Token::KeySize => {
                    let _ = write!(out, "{}", size(m.key.as_deref()));
                    continue;
                }
                Token::ValueSize => {
                    let _ = write!(out, "{}", size(m.value.as_deref()));
                    continue;
                }
                Token::Topic => topic.as_bytes(),
                Token::Key => part(m.key.as_deref(), d.key.as_ref(), scratch),
                Token::Value => part(m.value.as_deref(), d.value.as_ref(), scratch),
                Token::ValueSizeBinary => {
                    scratch.clear();
                    scratch.extend_from_slice(&(size(m.value.as_deref()) as u32).to_be_bytes());
                    scratch
                }
                Token::Headers => {
                    headers(m, scratch);
                    scratch
                }
            };
            if raw {
                out.extend_from_slice(outside);
            } else {
                let mut s = String::with_capacity(outside.len());
                render::escape_into(outside, None, &mut s);
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
}

/// A key's or value's size as kcat prints it: -1 when null.
fn size(bytes: Option<&[u8]>) -> i64 {
    bytes.map_or(-1, |b| b.len() as i64)
}

/// `%k` / `%s`: the decoded value as compact JSON when there is one, else the bytes.
fn part<'a>(raw: Option<&'a [u8]>, d: Option<&Decoded>, scratch: &'a mut Vec<u8>) -> &'a [u8] {
    match d {
        Some(Decoded::Value(v, _)) => {
            scratch.clear();
            render::json_value_into(v, scratch);
            scratch
        }
        _ => raw.unwrap_or_default(),
    }
}

/// `%h` as kcat writes it: `name=value` joined by `,`; a null value is `NULL`. kcat prints
/// names and values as C strings, so each stops at its first NUL byte.
fn headers(m: &Message, out: &mut Vec<u8>) {
    let c_str = |b: &[u8]| -> usize { b.iter().position(|&x| x == 0).unwrap_or(b.len()) };
    out.clear();
    for (i, h) in m.headers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&h.name[..c_str(&h.name)]);
        out.push(b'=');
        match h.value.as_deref() {
            Some(v) => out.extend_from_slice(&v[..c_str(v)]),
            None => out.extend_from_slice(b"NULL"),
        }
    }
}

/// One `-o` argument: where to start, or (`e@TIME`) the time to stop before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetArg {
    /// `beginning`, `end`, `N`, `-N`, `@TIME` or kcat's `s@TIME`.
    Start(StartAt),
    /// kcat's `e@TIME`: each partition stops at its first record at or after TIME (millis).
    Stop(i64),
}

/// Parses `-o`: kbrowse's positions, plus kcat's `s@TIME` (start at) and `e@TIME` (stop
/// before), TIME in every form `@TIME` takes.
pub fn parse_offset_arg(s: &str, now_ms: i64) -> Result<OffsetArg, String> {
    let t = s.trim();
    if let Some(time) = t.strip_prefix("s@") {
        return parse_time(time, now_ms)
            .map(|ms| OffsetArg::Start(StartAt::Timestamp(ms)))
            .map_err(|e| format!("invalid offset '{s}': {e}"));
    }
    if let Some(time) = t.strip_prefix("e@") {
        return parse_time(time, now_ms)
            .map(OffsetArg::Stop)
            .map_err(|e| format!("invalid offset '{s}': {e}"));
    }
    parse_position(s, now_ms)
        .map(OffsetArg::Start)
        .map_err(|e| {
            if e.starts_with("invalid offset") {
                // Not a position at all: the message lists kcat's forms too.
                format!(
                    "invalid offset '{s}': expected beginning, end, N, -N (N before the end), \
                 @MILLIS, @RFC3339, @'YYYY-MM-DD HH:MM[:SS]', @-15m/-2h/-1d, s@TIME or e@TIME"
                )
            } else {
                e
            }
        })
}

/// The start (beginning when none is given) and the stop time of several `-o` arguments;
/// two starts or two stops are an error.
pub fn offset_bounds(args: &[OffsetArg]) -> Result<(StartAt, Option<i64>), String> {
    let mut start = None;
    let mut stop = None;
    for a in args {
        match *a {
            OffsetArg::Start(s) if start.is_none() => start = Some(s),
            OffsetArg::Stop(t) if stop.is_none() => stop = Some(t),
            OffsetArg::Start(_) => {
                return Err("-o gives two starts: give one start and at most one e@TIME".into());
            }
            OffsetArg::Stop(_) => {
                return Err("-o gives two stops (e@TIME): give at most one".into());
            }
        }
    }
    Ok((start.unwrap_or(StartAt::Beginning), stop))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::{BatchInfo, Codec, Header, TimestampType};
    use bytes::Bytes;

    fn msg(
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[(&[u8], Option<&[u8]>)],
    ) -> Message {
        Message {
            partition: 3,
            offset: 42,
            timestamp: 1_700_000_000_123,
            key: key.map(Bytes::copy_from_slice),
            value: value.map(Bytes::copy_from_slice),
            headers: headers
                .iter()
                .map(|(n, v)| Header {
                    name: Bytes::copy_from_slice(n),
                    value: v.map(Bytes::copy_from_slice),
                })
                .collect(),
            timestamp_type: TimestampType::CreateTime,
            batch: BatchInfo {
                base_offset: 42,
                last_offset: 42,
                codec: Codec::None,
                transactional: false,
                producer_id: -1,
                producer_epoch: -1,
                leader_epoch: 0,
            },
        }
    }

    fn out(fmt: &str, m: &Message, raw: bool) -> Vec<u8> {
        let t: Template = fmt.parse().unwrap();
        let mut buf = Vec::new();
        t.write(
            "orders",
            m,
            &DecodedRecord::default(),
            raw,
            &mut Vec::new(),
            &mut buf,
        );
        buf
    }

    #[test]
    fn every_token() {
        let m = msg(
            Some(b"k1"),
            Some(b"v\x00\x1b[31m\xff"),
            &[
                (b"a", Some(b"1")),
                (b"b", None),
                (b"c", Some(b"")),
                (b"d\0x", Some(b"x\0y")),
            ],
        );
        assert_eq!(
            out("%t|%p|%o|%k|%K|%s|%S|%T|%h|%%|%R\n", &m, true),
            b"orders|3|42|k1|2|v\x00\x1b[31m\xff|8|1700000000123|a=1,b=NULL,c=,d=x|%|\x00\x00\x00\x08\n"
        );
        // On a terminal the record's bytes are escaped; the template's own are not.
        assert_eq!(
            out("%k\t%s\t%R\n", &m, false),
            b"k1\tv\\x00\\e[31m\\xff\t\\x00\\x00\\x00\\x08\n"
        );
    }

    #[test]
    fn null_and_empty_keys_and_values() {
        let m = msg(None, None, &[]);
        assert_eq!(
            out("[%k][%K][%s][%S][%h]%R", &m, true),
            b"[][-1][][-1][]\xff\xff\xff\xff"
        );
        let m = msg(Some(b""), Some(b""), &[]);
        assert_eq!(out("[%k][%K][%s][%S]", &m, true), b"[][0][][0]");
    }

    #[test]
    fn escapes_as_kcat_reads_them() {
        for (fmt, want) in [
            (r"a\tb\nc\rd", &b"a\tb\nc\rd"[..]),
            (r"\x41\x0a", b"A\n"),
            (r"\xff\x1B", b"\xff\x1b"),
            (r"\x00", b"\x00"),
            (r"\65\012\0x41", b"A\nA"),
            (r"\\ \q \x", b"\\ q x"),
            ("end\\", b"end\\"),
            (r"\%%", b"\\%"),
            (r"\x4142", b"B"),
        ] {
            assert_eq!(out(fmt, &msg(None, None, &[]), true), want, "{fmt}");
        }
    }

    #[test]
    fn bad_templates() {
        assert_eq!(
            "%s %x".parse::<Template>(),
            Err(format!(
                "invalid -f format: unknown token '%x'; the tokens are {TOKENS}"
            ))
        );
        assert_eq!(
            "%s\n%".parse::<Template>(),
            Err(format!(
                "invalid -f format: '%' at the end needs a token after it ({TOKENS})"
            ))
        );
        assert_eq!(
            "%\u{1b}".parse::<Template>().unwrap_err(),
            format!("invalid -f format: unknown token '%\\e'; the tokens are {TOKENS}")
        );
    }

    #[test]
    fn offsets_with_kcat_bounds() {
        let now = 10_000_000;
        assert_eq!(
            parse_offset_arg("s@1700000000000", now),
            Ok(OffsetArg::Start(StartAt::Timestamp(1_700_000_000_000)))
        );
        assert_eq!(
            parse_offset_arg("e@1700000000000", now),
            Ok(OffsetArg::Stop(1_700_000_000_000))
        );
        assert_eq!(
            parse_offset_arg("e@2023-11-14T22:13:20Z", now),
            Ok(OffsetArg::Stop(1_700_000_000_000))
        );
        assert_eq!(
            parse_offset_arg("e@-1m", now),
            Ok(OffsetArg::Stop(now - 60_000))
        );
        assert_eq!(
            parse_offset_arg("@-1m", now),
            Ok(OffsetArg::Start(StartAt::Timestamp(now - 60_000)))
        );
        assert_eq!(
            parse_offset_arg("-5", now),
            Ok(OffsetArg::Start(StartAt::FromEnd(5)))
        );
        assert!(
            parse_offset_arg("e@soon", now)
                .unwrap_err()
                .starts_with("invalid offset 'e@soon': invalid time 'soon': expected MILLIS")
        );
        assert_eq!(
            parse_offset_arg("x", now),
            Err(
                "invalid offset 'x': expected beginning, end, N, -N (N before the end), @MILLIS, \
                 @RFC3339, @'YYYY-MM-DD HH:MM[:SS]', @-15m/-2h/-1d, s@TIME or e@TIME"
                    .into()
            )
        );
        let s = OffsetArg::Start(StartAt::Offset(5));
        let e = OffsetArg::Stop(9);
        assert_eq!(offset_bounds(&[]), Ok((StartAt::Beginning, None)));
        assert_eq!(offset_bounds(&[e]), Ok((StartAt::Beginning, Some(9))));
        assert_eq!(offset_bounds(&[e, s]), Ok((StartAt::Offset(5), Some(9))));
        assert_eq!(
            offset_bounds(&[s, s]),
            Err("-o gives two starts: give one start and at most one e@TIME".into())
        );
        assert_eq!(
            offset_bounds(&[e, s, e]),
            Err("-o gives two stops (e@TIME): give at most one".into())
        );
    }
}
