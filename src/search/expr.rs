//! CEL expressions: telling them from plain text, checking them before a scan, and
//! evaluating them against records.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use cel::common::ast::{Expr, LiteralValue};
use cel::{Context, Env, IdedExpr, Program, Value};

use super::prefilter::Prefilter;
use super::{FilterError, VARIABLES, cel_value};
use crate::kafka::Message;

/// A checked CEL predicate, shareable between workers.
#[derive(Debug)]
pub struct ExprFilter {
    source: String,
    uses: Uses,
    prefilter: Prefilter,
}

/// Which variables an expression reads: the others are never built.
#[derive(Debug, Clone, Copy, Default)]
struct Uses {
    key: bool,
    value: bool,
    headers: bool,
    partition: bool,
    offset: bool,
    size: bool,
    timestamp: bool,
    topic: bool,
}

impl ExprFilter {
    /// The expression as typed.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The raw-bytes check that runs before evaluation.
    pub fn prefilter(&self) -> &Prefilter {
        &self.prefilter
    }

    /// A worker's own compiled copy (the parser's types are not shared across threads).
    pub(super) fn evaluator(&self) -> Option<Evaluator> {
        let env = Arc::new(Env::stdlib());
        let program = env.compile(&self.source).ok()?;
        let root = program.expression();
        Some(Evaluator {
            fast: super::fast::Fast::compile(root),
            key_fields: top_fields(root, "key"),
            value_fields: top_fields(root, "value"),
            program,
            env,
            uses: self.uses,
        })
    }
}

/// Evaluates one compiled expression against records.
pub(super) struct Evaluator {
    /// The direct evaluator, when the expression has its shape; the interpreter otherwise,
    /// and for every record it is not certain of.
    fast: Option<super::fast::Fast>,
    key_fields: Option<Vec<String>>,
    value_fields: Option<Vec<String>>,
    program: Program,
    env: Arc<Env>,
    uses: Uses,
}

impl Evaluator {
    /// True when the expression is `true` for `m`; any error is "no match".
    pub(super) fn matches(&self, m: &Message, topic: &str) -> bool {
        self.matches_decoded(m, topic, None, None)
    }

    /// As `matches`, with `key`/`value` the values a schema decoded, where there are.
    pub(super) fn matches_decoded(
        &self,
        m: &Message,
        topic: &str,
        key: Option<&serde_json::Value>,
        value: Option<&serde_json::Value>,
    ) -> bool {
        if let Some(f) = &self.fast
            && let Some(answer) = f.eval(m, topic, key, value)
        {
            return answer;
        }
        self.interpret(m, topic, key, value)
    }

    /// Whether the expression has the direct evaluator's shape (tests).
    #[cfg(test)]
    pub(super) fn is_direct(&self) -> bool {
        self.fast.is_some()
    }

    /// The direct evaluator's answer alone, None when it is not certain or absent (tests).
    #[cfg(test)]
    pub(super) fn direct(&self, m: &Message, topic: &str) -> Option<bool> {
        self.fast.as_ref()?.eval(m, topic, None, None)
    }

    /// The CEL interpreter's answer.
    pub(super) fn interpret(
        &self,
        m: &Message,
        topic: &str,
        key: Option<&serde_json::Value>,
        value: Option<&serde_json::Value>,
    ) -> bool {
        let mut ctx = Context::with_env(self.env.clone());
        let u = self.uses;
        let part = |decoded: Option<&serde_json::Value>, raw: Option<&[u8]>, fields| match decoded {
            Some(v) => cel_value::from_json(v, fields),
            None => cel_value::decode(raw, fields),
        };
        if u.key {
            let fields = self.key_fields.as_deref();
            ctx.add_variable_from_value("key", part(key, m.key.as_deref(), fields));
        }
        if u.value {
            let fields = self.value_fields.as_deref();
            ctx.add_variable_from_value("value", part(value, m.value.as_deref(), fields));
        }
        if u.headers {
            ctx.add_variable_from_value("headers", cel_value::headers(&m.headers));
        }
        if u.partition {
            ctx.add_variable_from_value("partition", i64::from(m.partition));
        }
        if u.offset {
            ctx.add_variable_from_value("offset", m.offset);
        }
        if u.size {
            ctx.add_variable_from_value("size", m.size() as i64);
        }
        if u.timestamp {
            ctx.add_variable_from_value("timestamp", cel_value::timestamp(m.timestamp));
        }
        if u.topic {
            ctx.add_variable_from_value("topic", topic);
        }
        // The interpreter is not ours: a panic inside it on some record's data is that
        // record not matching, never the end of the scan.
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| self.program.execute(&ctx)));
        matches!(result, Ok(Ok(Value::Bool(true))))
    }
}

/// An expression, or None for plain text, or the reason the input is a bad expression.
pub(super) fn classify(input: &str) -> Result<Option<ExprFilter>, FilterError> {
    let program = match std::panic::catch_unwind(|| Program::compile(input)) {
        Ok(Ok(p)) => p,
        Ok(Err(errors)) => {
            if !looks_like_expression(input) {
                return Ok(None);
            }
            let (column, message) = match errors.errors.first() {
                Some(e) => (parse_error_column(input, e.pos), e.msg.clone()),
                None => (1, "it does not parse".to_string()),
            };
            return Err(FilterError { column, message });
        }
        Err(_) => {
            if !looks_like_expression(input) {
                return Ok(None);
            }
            return Err(FilterError {
                column: 1,
                message: "the parser failed on it".into(),
            });
        }
    };
    let root = program.expression();
    if matches!(root.expr, Expr::Ident(_) | Expr::Literal(_)) {
        return Ok(None);
    }
    let mut free = Vec::new();
    free_variables(root, &mut Vec::new(), &mut free);
    let unknown = free
        .iter()
        .find(|(name, _)| !VARIABLES.contains(&name.as_str()));
    if let Some((name, id)) = unknown {
        if !looks_like_expression(input) {
            return Ok(None);
        }
        let column = program
            .source_info()
            .offset_for(*id)
            .map_or(1, |(start, _)| char_column(input, start as usize));
        return Err(FilterError {
            column,
            message: format!(
                "unknown variable '{name}'; the variables are {}",
                VARIABLES.join(", ")
            ),
        });
    }
    check_regexes(root, &program, input)?;
    let names: HashSet<&str> = free.iter().map(|(n, _)| n.as_str()).collect();
    let uses = Uses {
        key: names.contains("key"),
        value: names.contains("value"),
        headers: names.contains("headers"),
        partition: names.contains("partition"),
        offset: names.contains("offset"),
        size: names.contains("size"),
        timestamp: names.contains("timestamp"),
        topic: names.contains("topic"),
    };
    Ok(Some(ExprFilter {
        source: input.to_string(),
        uses,
        prefilter: Prefilter::from_expr(root),
    }))
}

/// The input has the shape of an expression, so a failure to understand it is an error
/// rather than a text search.
fn looks_like_expression(input: &str) -> bool {
    if ["==", "!=", "&&", "||", "<=", ">="]
        .iter()
        .any(|op| input.contains(op))
    {
        return true;
    }
    let s = input.trim_start();
    VARIABLES.iter().any(|v| {
        s.strip_prefix(v).is_some_and(|rest| {
            rest.starts_with(['.', '['])
                || rest.trim_start().starts_with(['<', '>', '=', '!'])
                    && !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    })
}

/// The 1-based character column of a parse error position (line, 1-based column in chars).
fn parse_error_column(input: &str, (line, col): (isize, isize)) -> usize {
    let col = usize::try_from(col).unwrap_or(0);
    let line = usize::try_from(line).unwrap_or(1).max(1);
    // Columns count across lines, so that a one-line error still points somewhere exact.
    let before: usize = input
        .split_inclusive('\n')
        .take(line - 1)
        .map(|l| l.chars().count())
        .sum();
    before + col.max(1)
}

/// The 1-based character column of a byte offset.
fn char_column(input: &str, byte: usize) -> usize {
    input.char_indices().take_while(|(i, _)| *i < byte).count() + 1
}

/// The top-level fields the expression reads of `var`, when it only ever reads `var.field`
/// (None when it uses `var` any other way, and so needs all of it).
fn top_fields(e: &IdedExpr, var: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.expr {
            Expr::Select(s) => match &s.operand.expr {
                Expr::Ident(n) if n == var => {
                    if !fields.contains(&s.field) {
                        fields.push(s.field.clone());
                    }
                }
                _ => stack.push(&s.operand),
            },
            Expr::Ident(n) if n == var => return None,
            Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
            Expr::Call(c) => {
                stack.extend(c.target.as_deref());
                stack.extend(c.args.iter());
            }
            Expr::List(l) => stack.extend(l.elements.iter()),
            Expr::Comprehension(c) => {
                if c.iter_var == var || c.accu_var == var || c.iter_var2.as_deref() == Some(var) {
                    return None;
                }
                stack.extend([
                    &c.iter_range,
                    &c.accu_init,
                    &c.loop_cond,
                    &c.loop_step,
                    &c.result,
                ]);
            }
            // Maps and structs in an expression: rare; take the whole value.
            Expr::Map(_) | Expr::Struct(_) => return None,
        }
    }
    Some(fields)
}

/// Identifiers not bound by a comprehension, with their node ids.
fn free_variables(e: &IdedExpr, bound: &mut Vec<String>, out: &mut Vec<(String, u64)>) {
    match &e.expr {
        Expr::Ident(name) => {
            if !bound.iter().any(|b| b == name) {
                out.push((name.clone(), e.id));
            }
        }
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                free_variables(t, bound, out);
            }
            for a in &c.args {
                free_variables(a, bound, out);
            }
        }
        Expr::Select(s) => free_variables(&s.operand, bound, out),
        Expr::List(l) => {
            for x in &l.elements {
                free_variables(x, bound, out);
            }
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                    free_variables(&me.key, bound, out);
                    free_variables(&me.value, bound, out);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                    free_variables(&f.value, bound, out);
                }
            }
        }
        Expr::Comprehension(c) => {
            free_variables(&c.iter_range, bound, out);
            free_variables(&c.accu_init, bound, out);
            let depth = bound.len();
            bound.push(c.iter_var.clone());
            if let Some(v) = &c.iter_var2 {
                bound.push(v.clone());
            }
            bound.push(c.accu_var.clone());
            free_variables(&c.loop_cond, bound, out);
            free_variables(&c.loop_step, bound, out);
            free_variables(&c.result, bound, out);
            bound.truncate(depth);
        }
        Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// A `matches()` whose pattern is a literal is checked now, not on every record.
fn check_regexes(e: &IdedExpr, program: &Program, input: &str) -> Result<(), FilterError> {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.expr {
            Expr::Call(c) => {
                if c.func_name == "matches"
                    && let Some(IdedExpr {
                        id,
                        expr: Expr::Literal(LiteralValue::String(re)),
                    }) = c.args.last()
                    && let Err(err) = regex::Regex::new(re.inner())
                {
                    let column = program
                        .source_info()
                        .offset_for(*id)
                        .map_or(1, |(start, _)| char_column(input, start as usize));
                    let first = err.to_string();
                    let line = first.lines().last().unwrap_or("").trim().to_string();
                    return Err(FilterError {
                        column,
                        message: format!("invalid regular expression: {line}"),
                    });
                }
                stack.extend(c.target.as_deref());
                stack.extend(c.args.iter());
            }
            Expr::Select(s) => stack.push(&s.operand),
            Expr::List(l) => stack.extend(l.elements.iter()),
            Expr::Comprehension(c) => {
                stack.extend([&c.iter_range, &c.loop_cond, &c.loop_step, &c.result]);
            }
            _ => {}
        }
    }
    Ok(())
}
