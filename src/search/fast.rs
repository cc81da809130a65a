//! A direct evaluator for the usual shape of a filter: fields of `key` and `value`, headers,
//! `partition`, `offset`, `size` and `topic` compared with literals, string tests
//! (`startsWith`, `endsWith`, `contains`, `matches`), under `&&`, `||` and `!`.
//!
//! The CEL interpreter builds a context, a map per JSON object and a boxed value per operand
//! for every record: for `value.price > 99.0` that was most of a scan's time. This evaluator
//! reads only the fields the expression names, with the same JSON parser and the same
//! number rules as `cel_value`, and compares them in place.
//!
//! It answers only when the answer is certain: a missing field, a value of another type, a
//! mixed-type comparison, bytes, a non-boolean result, anything it is not sure of returns
//! `None`, and the record goes to the CEL interpreter, whose result stands. Expressions with
//! any other construct are never compiled here. A property test checks both agree.

use std::borrow::Cow;
use std::cmp::Ordering;

use cel::IdedExpr;
use cel::common::ast::{Expr, LiteralValue, operators};
use regex::Regex;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::cel_value::{self, NUMBER_TOKEN};
use crate::kafka::Message;

/// A value the evaluator compares: a JSON scalar or a string borrowed from the record.
#[derive(Debug, Clone, PartialEq)]
enum V<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(Cow<'a, str>),
}

/// `key` or `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Key,
    Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrTest {
    StartsWith,
    EndsWith,
    Contains,
}

#[derive(Debug)]
enum Node {
    Lit(V<'static>),
    /// A field path of `key` or `value` (empty: the part itself), as a slot of its capture.
    Field(Part, usize),
    Partition,
    Offset,
    Size,
    Topic,
    Header(String),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Cmp(Cmp, Box<Node>, Box<Node>),
    Str(StrTest, Box<Node>, Box<Node>),
    Matches(Box<Node>, Regex),
}

/// The field paths wanted of one part, as a tree: a slot where a path ends.
#[derive(Debug, Default)]
struct Trie {
    slot: Option<usize>,
    children: Vec<(String, Trie)>,
}

impl Trie {
    fn insert(&mut self, path: &[String], next: &mut usize) -> usize {
        match path.split_first() {
            None => *self.slot.get_or_insert_with(|| {
                *next += 1;
                *next - 1
            }),
            Some((head, rest)) => {
                let i = match self.children.iter().position(|(k, _)| k == head) {
                    Some(i) => i,
                    None => {
                        self.children.push((head.clone(), Trie::default()));
                        self.children.len() - 1
                    }
                };
                self.children[i].1.insert(rest, next)
            }
        }
    }

    /// Forgets every slot under this node (a repeated key: the last one wins).
    fn clear(&self, slots: &mut [Option<V<'_>>]) {
        if let Some(s) = self.slot {
            slots[s] = None;
        }
        for (_, c) in &self.children {
            c.clear(slots);
        }
    }
}

/// The wanted paths of one part and how many slots they fill.
#[derive(Debug, Default)]
struct Wanted {
    trie: Trie,
    slots: usize,
}

/// A compiled expression of the supported shape.
#[derive(Debug)]
pub(super) struct Fast {
    root: Node,
    key: Wanted,
    value: Wanted,
}

impl Fast {
    /// The evaluator for `e`, or None when it has anything outside the supported shape.
    pub(super) fn compile(e: &IdedExpr) -> Option<Fast> {
        let mut key = Wanted::default();
        let mut value = Wanted::default();
        let root = node(e, &mut key, &mut value)?;
        Some(Fast { root, key, value })
    }

    /// Whether `m` matches, when that is certain; None sends it to the interpreter.
    /// `key`/`value`: what a schema decoded, where there is.
    pub(super) fn eval(
        &self,
        m: &Message,
        topic: &str,
        key: Option<&serde_json::Value>,
        value: Option<&serde_json::Value>,
    ) -> Option<bool> {
        let key_slots = capture(&self.key, m.key.as_deref(), key)?;
        let value_slots = capture(&self.value, m.value.as_deref(), value)?;
        let env = Env {
            m,
            topic,
            key: &key_slots,
            value: &value_slots,
        };
        match env.eval(&self.root)? {
            V::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// The AST node as a `Node`, registering the field paths it reads.
fn node(e: &IdedExpr, key: &mut Wanted, value: &mut Wanted) -> Option<Node> {
    match &e.expr {
        Expr::Literal(l) => Some(Node::Lit(match l {
            LiteralValue::Null => V::Null,
            LiteralValue::Boolean(b) => V::Bool(*b.inner()),
            LiteralValue::Int(i) => V::Int(*i.inner()),
            LiteralValue::UInt(u) => V::UInt(*u.inner()),
            LiteralValue::Double(d) => V::Float(*d.inner()),
            LiteralValue::String(s) => V::Str(Cow::Owned(s.inner().to_string())),
            LiteralValue::Bytes(_) => return None,
        })),
        Expr::Ident(n) => match n.as_str() {
            "partition" => Some(Node::Partition),
            "offset" => Some(Node::Offset),
            "size" => Some(Node::Size),
            "topic" => Some(Node::Topic),
            "key" | "value" => field(e, key, value),
            _ => None,
        },
        Expr::Select(s) if !s.test => field(e, key, value),
        Expr::Call(c) => {
            let arg = |i: usize, key: &mut Wanted, value: &mut Wanted| {
                c.args
                    .get(i)
                    .and_then(|a| node(a, key, value))
                    .map(Box::new)
            };
            let n = c.args.len();
            match (c.func_name.as_str(), c.target.as_deref(), n) {
                (operators::LOGICAL_NOT, None, 1) => Some(Node::Not(arg(0, key, value)?)),
                (operators::LOGICAL_AND, None, 2) => {
                    Some(Node::And(arg(0, key, value)?, arg(1, key, value)?))
                }
                (operators::LOGICAL_OR, None, 2) => {
                    Some(Node::Or(arg(0, key, value)?, arg(1, key, value)?))
                }
                (operators::INDEX, None, 2) => {
                    index(c.args.first()?, c.args.get(1)?, e, key, value)
                }
                (op, None, 2) => {
                    let cmp = match op {
                        operators::EQUALS => Cmp::Eq,
                        operators::NOT_EQUALS => Cmp::Ne,
                        operators::LESS => Cmp::Lt,
                        operators::LESS_EQUALS => Cmp::Le,
                        operators::GREATER => Cmp::Gt,
                        operators::GREATER_EQUALS => Cmp::Ge,
                        "matches" => return matches(c.args.first()?, c.args.get(1)?, key, value),
                        _ => return None,
                    };
                    Some(Node::Cmp(cmp, arg(0, key, value)?, arg(1, key, value)?))
                }
                ("matches", Some(t), 1) => matches(t, c.args.first()?, key, value),
                (f, Some(t), 1) => {
                    let test = match f {
                        "startsWith" => StrTest::StartsWith,
                        "endsWith" => StrTest::EndsWith,
                        "contains" => StrTest::Contains,
                        _ => return None,
                    };
                    Some(Node::Str(
                        test,
                        Box::new(node(t, key, value)?),
                        arg(0, key, value)?,
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `s.matches(RE)` with a literal pattern, compiled once.
fn matches(s: &IdedExpr, re: &IdedExpr, key: &mut Wanted, value: &mut Wanted) -> Option<Node> {
    let Expr::Literal(LiteralValue::String(re)) = &re.expr else {
        return None;
    };
    let re = Regex::new(re.inner()).ok()?;
    Some(Node::Matches(Box::new(node(s, key, value)?), re))
}

/// `headers["name"]`, or `x["field"]` as `x.field`.
fn index(
    target: &IdedExpr,
    at: &IdedExpr,
    whole: &IdedExpr,
    key: &mut Wanted,
    value: &mut Wanted,
) -> Option<Node> {
    let Expr::Literal(LiteralValue::String(name)) = &at.expr else {
        return None;
    };
    match &target.expr {
        Expr::Ident(h) if h == "headers" => Some(Node::Header(name.inner().to_string())),
        _ => field(whole, key, value),
    }
}

/// A path of `key` or `value` fields (`.f` or `["f"]`), registered in its part's trie.
fn field(e: &IdedExpr, key: &mut Wanted, value: &mut Wanted) -> Option<Node> {
    let mut path = Vec::new();
    let mut at = e;
    let part = loop {
        match &at.expr {
            Expr::Ident(n) if n == "key" => break Part::Key,
            Expr::Ident(n) if n == "value" => break Part::Value,
            Expr::Select(s) if !s.test => {
                path.push(s.field.clone());
                at = &s.operand;
            }
            Expr::Call(c) if c.func_name == operators::INDEX && c.target.is_none() => {
                let [t, i] = c.args.as_slice() else {
                    return None;
                };
                let Expr::Literal(LiteralValue::String(f)) = &i.expr else {
                    return None;
                };
                path.push(f.inner().to_string());
                at = t;
            }
            _ => return None,
        }
    };
    path.reverse();
    let w = match part {
        Part::Key => key,
        Part::Value => value,
    };
    let slot = w.trie.insert(&path, &mut w.slots);
    Some(Node::Field(part, slot))
}

/// The record's fields and the captured slots of its key and value.
struct Env<'e, 'a> {
    m: &'e Message,
    topic: &'e str,
    key: &'e [Option<V<'a>>],
    value: &'e [Option<V<'a>>],
}

impl<'e, 'a> Env<'e, 'a> {
    fn eval(&self, n: &'e Node) -> Option<V<'e>>
    where
        'a: 'e,
    {
        match n {
            Node::Lit(v) => Some(borrow(v)),
            Node::Field(Part::Key, s) => self.key.get(*s)?.as_ref().map(borrow),
            Node::Field(Part::Value, s) => self.value.get(*s)?.as_ref().map(borrow),
            Node::Partition => Some(V::Int(i64::from(self.m.partition))),
            Node::Offset => Some(V::Int(self.m.offset)),
            Node::Size => Some(V::Int(self.m.size() as i64)),
            Node::Topic => Some(V::Str(Cow::Borrowed(self.topic))),
            Node::Header(name) => {
                // A repeated name keeps its last value; a missing one is an error.
                let h = self
                    .m
                    .headers
                    .iter()
                    .rev()
                    .find(|h| String::from_utf8_lossy(&h.name) == name.as_str())?;
                Some(match &h.value {
                    None => V::Null,
                    Some(v) => V::Str(String::from_utf8_lossy(v)),
                })
            }
            Node::Not(a) => match self.eval(a)? {
                V::Bool(b) => Some(V::Bool(!b)),
                _ => None,
            },
            Node::And(a, b) => match self.eval(a)? {
                V::Bool(false) => Some(V::Bool(false)),
                V::Bool(true) => match self.eval(b)? {
                    V::Bool(b) => Some(V::Bool(b)),
                    _ => None,
                },
                _ => None,
            },
            Node::Or(a, b) => match self.eval(a)? {
                V::Bool(true) => Some(V::Bool(true)),
                V::Bool(false) => match self.eval(b)? {
                    V::Bool(b) => Some(V::Bool(b)),
                    _ => None,
                },
                _ => None,
            },
            Node::Cmp(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                compare(*op, &a, &b).map(V::Bool)
            }
            Node::Str(test, s, arg) => match (self.eval(s)?, self.eval(arg)?) {
                (V::Str(s), V::Str(arg)) => Some(V::Bool(match test {
                    StrTest::StartsWith => s.starts_with(arg.as_ref()),
                    StrTest::EndsWith => s.ends_with(arg.as_ref()),
                    StrTest::Contains => s.contains(arg.as_ref()),
                })),
                _ => None,
            },
            Node::Matches(s, re) => match self.eval(s)? {
                V::Str(s) => Some(V::Bool(re.is_match(&s))),
                _ => None,
            },
        }
    }
}

fn borrow<'a>(v: &'a V<'_>) -> V<'a> {
    match v {
        V::Str(s) => V::Str(Cow::Borrowed(s.as_ref())),
        V::Null => V::Null,
        V::Bool(b) => V::Bool(*b),
        V::Int(i) => V::Int(*i),
        V::UInt(u) => V::UInt(*u),
        V::Float(f) => V::Float(*f),
    }
}

/// `a op b` for two values of one type or two numbers (null and bool: equality only); None
/// otherwise.
fn compare(op: Cmp, a: &V, b: &V) -> Option<bool> {
    let ord = match (a, b) {
        (V::Int(a), V::Int(b)) => a.cmp(b),
        (V::UInt(a), V::UInt(b)) => a.cmp(b),
        (V::Float(a), V::Float(b)) => a.partial_cmp(b)?,
        // Mixed numbers as CEL compares them: int and uint exactly, with a double as f64.
        (V::Int(a), V::UInt(b)) => u64::try_from(*a).map_or(Ordering::Less, |a| a.cmp(b)),
        (V::UInt(a), V::Int(b)) => u64::try_from(*b).map_or(Ordering::Greater, |b| a.cmp(&b)),
        (V::Int(a), V::Float(b)) => (*a as f64).partial_cmp(b)?,
        (V::Float(a), V::Int(b)) => a.partial_cmp(&(*b as f64))?,
        (V::UInt(a), V::Float(b)) => (*a as f64).partial_cmp(b)?,
        (V::Float(a), V::UInt(b)) => a.partial_cmp(&(*b as f64))?,
        (V::Str(a), V::Str(b)) => a.as_ref().cmp(b.as_ref()),
        (V::Bool(a), V::Bool(b)) if matches!(op, Cmp::Eq | Cmp::Ne) => a.cmp(b),
        (V::Null, V::Null) if matches!(op, Cmp::Eq | Cmp::Ne) => Ordering::Equal,
        _ => return None,
    };
    Some(match op {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
    })
}

/// The slots of `w` for one part, read as `cel_value::decode` reads it (or from the value a
/// schema decoded); None when the part cannot be read here (bytes): the interpreter decides.
fn capture<'a>(
    w: &Wanted,
    raw: Option<&'a [u8]>,
    decoded: Option<&'a serde_json::Value>,
) -> Option<Vec<Option<V<'a>>>> {
    let mut slots = vec![None; w.slots];
    if w.slots == 0 {
        return Some(slots);
    }
    if let Some(v) = decoded {
        from_value(&w.trie, v, &mut slots);
        return Some(slots);
    }
    let Some(b) = raw else {
        if let Some(s) = w.trie.slot {
            slots[s] = Some(V::Null);
        }
        return Some(slots);
    };
    if cel_value::may_be_json(b) {
        let mut de = serde_json::Deserializer::from_slice(b);
        let ok = (Capture {
            trie: &w.trie,
            slots: &mut slots,
        })
        .deserialize(&mut de)
        .is_ok()
            && de.end().is_ok();
        if ok {
            return Some(slots);
        }
        slots.iter_mut().for_each(|s| *s = None);
    }
    let s = std::str::from_utf8(b).ok()?;
    if let Some(i) = w.trie.slot {
        slots[i] = Some(V::Str(Cow::Borrowed(s)));
    }
    Some(slots)
}

/// A schema-decoded value's wanted fields, converted as `cel_value::from_json` converts them.
fn from_value<'a>(t: &Trie, v: &'a serde_json::Value, slots: &mut [Option<V<'a>>]) {
    use serde_json::Value as J;
    if let Some(s) = t.slot {
        slots[s] = match v {
            J::Null => Some(V::Null),
            J::Bool(b) => Some(V::Bool(*b)),
            J::Number(n) => number(n.as_str()),
            J::String(s) => Some(V::Str(Cow::Borrowed(s))),
            J::Array(_) | J::Object(_) => None,
        };
    }
    if let J::Object(o) = v {
        for (k, child) in &t.children {
            if let Some(v) = o.get(k) {
                from_value(child, v, slots);
            }
        }
    }
}

/// A JSON number's text as `cel_value::number` reads it.
fn number(text: &str) -> Option<V<'static>> {
    Some(match cel_value::number(text) {
        cel::Value::Int(i) => V::Int(i),
        cel::Value::UInt(u) => V::UInt(u),
        cel::Value::Float(f) => V::Float(f),
        _ => V::Null,
    })
}

/// Parses one JSON value, filling the slots of the paths in `trie` and skipping the rest.
struct Capture<'t, 's, 'a> {
    trie: &'t Trie,
    slots: &'s mut [Option<V<'a>>],
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Capture<'_, '_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.trie.children.is_empty() && self.trie.slot.is_none() {
            return <IgnoredAny as serde::Deserialize>::deserialize(d).map(|_| ());
        }
        d.deserialize_any(self)
    }
}

impl<'a> Capture<'_, '_, 'a> {
    fn set(&mut self, v: V<'a>) {
        if let Some(s) = self.trie.slot {
            self.slots[s] = Some(v);
        }
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Capture<'_, '_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(mut self, b: bool) -> Result<(), E> {
        self.set(V::Bool(b));
        Ok(())
    }

    fn visit_i64<E>(mut self, i: i64) -> Result<(), E> {
        self.set(V::Int(i));
        Ok(())
    }

    fn visit_u64<E>(mut self, u: u64) -> Result<(), E> {
        self.set(i64::try_from(u).map_or(V::UInt(u), V::Int));
        Ok(())
    }

    fn visit_f64<E>(mut self, x: f64) -> Result<(), E> {
        self.set(V::Float(x));
        Ok(())
    }

    fn visit_borrowed_str<E>(mut self, s: &'de str) -> Result<(), E> {
        self.set(V::Str(Cow::Borrowed(s)));
        Ok(())
    }

    fn visit_str<E>(mut self, s: &str) -> Result<(), E> {
        self.set(V::Str(Cow::Owned(s.to_string())));
        Ok(())
    }

    fn visit_string<E>(mut self, s: String) -> Result<(), E> {
        self.set(V::Str(Cow::Owned(s)));
        Ok(())
    }

    fn visit_unit<E>(mut self) -> Result<(), E> {
        self.set(V::Null);
        Ok(())
    }

    fn visit_none<E>(mut self) -> Result<(), E> {
        self.set(V::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut first = true;
        while let Some(k) = map.next_key_seed(cel_value::KeySeed)? {
            if first && k == NUMBER_TOKEN {
                let n = map.next_value_seed(NumberSeed)?;
                if let Some(n) = n {
                    self.set(n);
                }
                return Ok(());
            }
            first = false;
            match self.trie.children.iter().find(|(f, _)| *f == k) {
                Some((_, child)) => {
                    child.clear(self.slots);
                    map.next_value_seed(Capture {
                        trie: child,
                        slots: self.slots,
                    })?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The text of an arbitrary-precision number, read as a value.
struct NumberSeed;

impl<'de> DeserializeSeed<'de> for NumberSeed {
    type Value = Option<V<'static>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NumberSeed {
    type Value = Option<V<'static>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a number")
    }

    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(number(s))
    }
}
