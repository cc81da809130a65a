//! Exact literal prefilters: strings a record's raw bytes must contain for an expression to be
//! true, checked with memmem before any JSON is parsed (ripgrep's idea, for CEL).
//!
//! The rule that keeps it exact: a literal is required only where the expression can be true
//! only if a string taken from the key, the value or a header equals (or starts with, ends
//! with, contains) it: `P == "lit"`, `"lit" == P`, `P.startsWith("lit")`, `P.endsWith("lit")`,
//! `P.contains("lit")`, `P in ["a", "b"]`, `"lit" in P`, where P is `key`, `value` or
//! `headers` followed by fields and indexes. `&&` needs all of its sides' literals, `||` one
//! of each side's; anything else (`!`, comprehensions, other functions) needs nothing.
//!
//! Such a string is in the raw bytes as it is, unless JSON escaped some of its characters.
//! Escapes other than `\uXXXX` only stand for `"`, `\`, `/` and control characters, so
//! literals with those are not used, and a key or value whose bytes contain `\u` passes.
//! Header values are not JSON (invalid UTF-8 turns into U+FFFD, so literals with U+FFFD are
//! not used either).

use cel::IdedExpr;
use cel::common::ast::{Expr, LiteralValue};
use memchr::memmem::{self, Finder};

use crate::kafka::Message;

/// Which raw bytes a literal is looked for in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The key.
    Key,
    /// The value.
    Value,
    /// Any header value.
    Headers,
}

/// A string that must occur in one part of the record.
#[derive(Debug, Clone)]
pub struct Literal {
    /// Where.
    pub part: Part,
    /// What.
    pub text: String,
    finder: Finder<'static>,
}

/// All clauses must hold; a clause holds when one of its literals occurs.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    clauses: Vec<Vec<Literal>>,
}

impl Prefilter {
    /// The literals `e` requires (none when nothing can be said).
    pub fn from_expr(e: &IdedExpr) -> Prefilter {
        Prefilter {
            clauses: required(e),
        }
    }

    /// The clauses: each a list of alternatives.
    pub fn clauses(&self) -> &[Vec<Literal>] {
        &self.clauses
    }

    /// False only when `m` cannot match the expression.
    pub fn admits(&self, m: &Message) -> bool {
        self.clauses
            .iter()
            .all(|clause| clause.iter().any(|lit| lit.occurs_in(m)))
    }
}

impl Literal {
    fn new(part: Part, text: &str) -> Option<Literal> {
        let plain = |c: char| !(c.is_control() || matches!(c, '"' | '\\' | '/' | '\u{fffd}'));
        let usable = match part {
            Part::Key | Part::Value => text.chars().all(plain),
            Part::Headers => !text.contains('\u{fffd}'),
        };
        (usable && !text.is_empty()).then(|| Literal {
            part,
            text: text.to_string(),
            finder: Finder::new(text.as_bytes()).into_owned(),
        })
    }

    fn occurs_in(&self, m: &Message) -> bool {
        let json_part = |b: Option<&[u8]>| {
            b.is_some_and(|b| self.finder.find(b).is_some() || memmem::find(b, b"\\u").is_some())
        };
        match self.part {
            Part::Key => json_part(m.key.as_deref()),
            Part::Value => json_part(m.value.as_deref()),
            Part::Headers => m
                .headers
                .iter()
                .filter_map(|h| h.value.as_deref())
                .any(|v| self.finder.find(v).is_some()),
        }
    }
}

fn required(e: &IdedExpr) -> Vec<Vec<Literal>> {
    let Expr::Call(c) = &e.expr else {
        return Vec::new();
    };
    let args = &c.args;
    match (c.func_name.as_str(), c.target.as_deref(), args.as_slice()) {
        ("_&&_", None, [a, b]) => {
            let mut r = required(a);
            r.extend(required(b));
            r
        }
        ("_||_", None, [a, b]) => {
            let (ra, rb) = (required(a), required(b));
            match (best(ra), best(rb)) {
                (Some(mut x), Some(y)) => {
                    x.extend(y);
                    vec![x]
                }
                _ => Vec::new(),
            }
        }
        ("_==_", None, [a, b]) => match (path_part(a), string(b), path_part(b), string(a)) {
            (Some(p), Some(s), _, _) | (_, _, Some(p), Some(s)) => one(p, s),
            _ => Vec::new(),
        },
        ("startsWith" | "endsWith" | "contains", Some(t), [arg]) => {
            match (path_part(t), string(arg)) {
                (Some(p), Some(s)) => one(p, s),
                _ => Vec::new(),
            }
        }
        ("@in", None, [a, b]) => {
            // `"x" in headers` asks for a header name, which the header values need not hold.
            let names = matches!(&b.expr, Expr::Ident(n) if n == "headers");
            if let (Some(s), Some(p), false) = (string(a), path_part(b), names) {
                return one(p, s);
            }
            let (Some(p), Expr::List(list)) = (path_part(a), &b.expr) else {
                return Vec::new();
            };
            let lits: Option<Vec<Literal>> = list
                .elements
                .iter()
                .map(|x| string(x).and_then(|s| Literal::new(p, s)))
                .collect();
            match lits {
                Some(l) if !l.is_empty() => vec![l],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

fn one(part: Part, s: &str) -> Vec<Vec<Literal>> {
    Literal::new(part, s)
        .map(|l| vec![vec![l]])
        .unwrap_or_default()
}

/// The most selective clause: the one whose shortest literal is longest.
fn best(clauses: Vec<Vec<Literal>>) -> Option<Vec<Literal>> {
    clauses
        .into_iter()
        .max_by_key(|c| c.iter().map(|l| l.text.len()).min().unwrap_or(0))
}

fn string(e: &IdedExpr) -> Option<&str> {
    match &e.expr {
        Expr::Literal(LiteralValue::String(s)) => Some(s.inner()),
        _ => None,
    }
}

/// The record part a path such as `value.items[0].sku` or `headers["id"]` reads.
fn path_part(e: &IdedExpr) -> Option<Part> {
    match &e.expr {
        Expr::Ident(name) => match name.as_str() {
            "key" => Some(Part::Key),
            "value" => Some(Part::Value),
            "headers" => Some(Part::Headers),
            _ => None,
        },
        Expr::Select(s) if !s.test => path_part(&s.operand),
        Expr::Call(c) if c.func_name == "_[_]" && c.target.is_none() && c.args.len() == 2 => {
            c.args.first().and_then(path_part)
        }
        _ => None,
    }
}
