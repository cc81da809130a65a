//! Numbers as a person reads them: `1,234,567`, `1 record`, `offsets 0–9,999`.
//!
//! Ranges are written one way: an en dash between the first and the last member, both
//! included (`0–9,999`), in the TUI; error sentences, whose numbers are retyped into `-o`,
//! say `250 to 300` without separators. Never Rust's `..=`.

/// `1234567` -> `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size in bytes as the message table shows it: `12 B`, `1.5 KiB`, `3.0 MiB`.
pub fn byte_size(n: usize) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1 << 20 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
    }
}

/// `n` things, the noun made plural unless `n` is one: `1 record`, `2,000 records`.
pub fn count(n: i64, noun: &str) -> String {
    format!("{} {}", thousands(n), plural(n, noun))
}

/// `noun`, or its plural when `n` is not one: an `s`, `es` after a hiss (`match`), `ies` for
/// a final `y` after a consonant (`entry`).
pub fn plural(n: i64, noun: &str) -> String {
    if n == 1 {
        return noun.to_string();
    }
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") => {
            format!("{noun}es")
        }
        _ => format!("{noun}s"),
    }
}

/// A range of offsets with both ends included, for the TUI: `0–9,999`, or one number when
/// both ends are the same.
pub fn span(first: i64, last: i64) -> String {
    if first == last {
        thousands(first)
    } else {
        format!("{}–{}", thousands(first), thousands(last))
    }
}

/// `offset 7`, or `offsets 0–9,999`: a range of offsets with its noun, for the TUI.
pub fn offsets(first: i64, last: i64) -> String {
    if first == last {
        format!("offset {}", thousands(first))
    } else {
        format!("offsets {}", span(first, last))
    }
}

/// A range with both ends included, for a sentence in an error: `250 to 300`, or one number
/// when both ends are the same.
pub fn span_words(first: impl std::fmt::Display, last: impl std::fmt::Display) -> String {
    let (first, last) = (first.to_string(), last.to_string());
    if first == last {
        first
    } else {
        format!("{first} to {last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_and_keeps_the_sign() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn counts_are_singular_only_for_one() {
        assert_eq!(count(1, "partition"), "1 partition");
        assert_eq!(count(0, "record"), "0 records");
        assert_eq!(count(2_000, "record"), "2,000 records");
        assert_eq!(count(1, "topic"), "1 topic");
        assert_eq!(count(-1, "byte"), "-1 bytes");
        assert_eq!(count(3, "entry"), "3 entries");
        assert_eq!(count(3, "key"), "3 keys");
        assert_eq!(count(2, "match"), "2 matches");
        assert_eq!(plural(1, "match"), "match");
    }

    #[test]
    fn spans_use_a_dash_in_the_tui_and_words_in_errors() {
        assert_eq!(span(0, 9_999), "0–9,999");
        assert_eq!(span(25_000, 25_000), "25,000");
        assert_eq!(offsets(7, 7), "offset 7");
        assert_eq!(offsets(0, 9_999), "offsets 0–9,999");
        assert_eq!(span_words(250, 300), "250 to 300");
        assert_eq!(span_words(7, 7), "7");
    }
}
