use bytes::Bytes;

use super::*;
use crate::kafka::{BatchInfo, Codec, Header, TimestampType};

fn msg(key: Option<&[u8]>, value: Option<&[u8]>, headers: &[(&str, Option<&str>)]) -> Message {
    Message {
        partition: 2,
        offset: 995,
        timestamp: 1_767_225_629_995, // 2026-01-01T00:00:29.995Z
        timestamp_type: TimestampType::CreateTime,
        key: key.map(Bytes::copy_from_slice),
        value: value.map(Bytes::copy_from_slice),
        headers: headers
            .iter()
            .map(|(n, v)| Header {
                name: Bytes::copy_from_slice(n.as_bytes()),
                value: v.map(|v| Bytes::copy_from_slice(v.as_bytes())),
            })
            .collect(),
        batch: BatchInfo {
            base_offset: 0,
            last_offset: 0,
            codec: Codec::None,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

fn order() -> Message {
    msg(
        Some(b"order-2917"),
        Some(br#"{"customer":"c42","amount":300.5,"items":[{"sku":"a","qty":1},{"sku":"b","qty":3}]}"#),
        &[("trace-id", Some("t0000002a")), ("x", None)],
    )
}

fn check(input: &str, m: &Message) -> bool {
    let f = Filter::parse(input).unwrap();
    assert_eq!(f.kind(), "expression", "{input}");
    let mut mt = f.matcher();
    let full = mt.matches_without_prefilter(m, "orders");
    assert_eq!(mt.matches(m, "orders"), full, "prefilter changed {input}");
    full
}

#[test]
fn the_issue_examples_match_and_miss() {
    let m = order();
    for (expr, want) in [
        (r#"value.customer == "c42" && value.amount > 250.0"#, true),
        (r#"value.customer == "c42" && value.amount > 300.5"#, false),
        ("value.items.exists(i, i.qty == 3)", true),
        ("value.items.exists(i, i.qty == 4)", false),
        (r#"key.startsWith("order-29")"#, true),
        (r#"key.startsWith("order-3")"#, false),
        (r#"headers["trace-id"] == "t0000002a""#, true),
        (r#"headers["trace-id"] == "t0000002b""#, false),
        (r#"value.customer.matches("^c4[0-6]$")"#, true),
        (r#"value.customer.matches("^c9[0-6]$")"#, false),
        (
            r#"timestamp >= timestamp("2026-01-01T00:00:29.990Z")"#,
            true,
        ),
        (
            r#"timestamp >= timestamp("2026-01-01T00:00:29.996Z")"#,
            false,
        ),
        ("partition == 2 && offset >= 990", true),
        ("value.amount > 250 && value.amount < 301u", true),
        ("partition == 2 && offset >= 996", false),
        ("size == 10 + 83 + 8 + 9 + 1", true),
        (r#"topic == "orders""#, true),
    ] {
        assert_eq!(check(expr, &m), want, "{expr}");
    }
}

#[test]
fn missing_fields_and_wrong_types_do_not_match() {
    let m = order();
    for expr in [
        r#"value.nope == "c42""#,
        "value.customer > 3",
        r#"headers["absent"] == "x""#,
        r#"headers["x"] == "x""#,
        "value.items[7].qty == 1",
        "key.qty == 1",
        "value.amount / 0 > 1",
        "value.customer",
    ] {
        assert!(!check(expr, &m), "{expr}");
    }
    // Not JSON: a string; not UTF-8: bytes; null: null.
    let plain = msg(Some(b"k"), Some(b"hello {"), &[]);
    assert!(check(r#"value == "hello {""#, &plain));
    let binary = msg(None, Some(&[0xff, 0x00]), &[]);
    assert!(check("value == b'\\xff\\x00'", &binary));
    assert!(check("key == null", &binary));
    assert!(!check(r#"key.startsWith("k")"#, &binary));
    // Integers compare with doubles; big integers stay exact.
    let n = msg(
        None,
        Some(br#"{"amount":300,"big":18446744073709551615}"#),
        &[],
    );
    assert!(check("value.amount > 250.0", &n));
    assert!(check("value.big == 18446744073709551615u", &n));
    let nested = msg(
        None,
        Some(br#" {"n":-2.5e1,"m":[1,{"x":null,"y":true}],"s":"\u00e9"} "#),
        &[],
    );
    assert!(check(
        r#"value.n == -25.0 && value.m[1].x == null && value.m[1].y && value.s == "é""#,
        &nested
    ));
    assert!(check(r#"size(value.m) == 2 && value.m[0] == 1"#, &nested));
    // Only value.n and value.m are built; the rest is skipped, never wrongly missing.
    assert!(check(
        r#"value.n < 0.0 && has(value.s) && !has(value.z)"#,
        &nested
    ));
    let trailing = msg(None, Some(br#"{"a":1} x"#), &[]);
    assert!(check(r#"value == '{"a":1} x'"#, &trailing));
}

#[test]
fn text_or_expression_or_error() {
    for text in [
        "c42",
        "order-29",
        "t0000002a",
        "hello world",
        "key",
        "value",
        "true",
        "42",
        "(timeout)",
        "a.b",
    ] {
        assert_eq!(Filter::parse(text).unwrap().kind(), "text", "{text}");
    }
    for (bad, column, start) in [
        (r#"value.customer == "c42"#, 19, "Syntax error"),
        (
            "foo == 1",
            1,
            "unknown variable 'foo'; the variables are key, value, headers, partition, offset, size, timestamp, topic",
        ),
        ("value.a == 1 && valu.b == 2", 17, "unknown variable 'valu'"),
        ("value.customer ==", 18, ""),
        (
            r#"value.customer.matches("c[")"#,
            24,
            "invalid regular expression",
        ),
    ] {
        let e = Filter::parse(bad).unwrap_err();
        assert_eq!(e.column, column, "{bad}: {e}");
        assert!(e.message.starts_with(start), "{bad}: {e}");
    }
}

#[test]
fn plain_text_is_smartcase_over_key_value_and_header_values() {
    let m = msg(
        Some(b"Order-1"),
        Some(b"{\"s\":\"Paid\"}"),
        &[("h", Some("TraceX"))],
    );
    let hit = |t: &str| Filter::parse(t).unwrap().matcher().matches(&m, "t");
    assert!(hit("order"));
    assert!(hit("paid"));
    assert!(hit("Paid"));
    assert!(!hit("PAID"));
    assert!(hit("tracex"));
    assert!(!hit("h")); // header names are not searched
    assert!(hit("\"s\""));
}

#[test]
fn prefilter_literals() {
    let lits = |e: &str| match Filter::parse(e).unwrap() {
        Filter::Expr(x) => x
            .prefilter()
            .clauses()
            .iter()
            .map(|c| {
                c.iter()
                    .map(|l| l.text.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>(),
        Filter::Text(_) => panic!("text"),
    };
    assert_eq!(
        lits(r#"value.customer == "c42" && value.amount > 250.0"#),
        ["c42"]
    );
    assert_eq!(lits(r#"key.startsWith("order-29")"#), ["order-29"]);
    assert_eq!(lits(r#"headers["trace-id"] == "t0000002a""#), ["t0000002a"]);
    assert_eq!(
        lits(r#"value.a == "x1" || value.b.contains("yy")"#),
        ["x1|yy"]
    );
    assert_eq!(
        lits(r#"value.a in ["p", "q"] && "k" in value"#),
        ["p|q", "k"]
    );
    assert!(lits("value.amount > 250.0").is_empty());
    assert!(lits(r#"!(value.a == "x")"#).is_empty());
    assert!(lits(r#"value.a == "x" || value.b > 1"#).is_empty());
    assert!(lits(r#"value.a == "a/b""#).is_empty());
    assert!(lits(r#""x" in headers"#).is_empty());
    assert!(lits(r#"value.items.exists(i, i.sku == "a")"#).is_empty());
}

#[test]
fn prefilter_keeps_records_whose_json_escapes_the_literal() {
    let escaped = msg(None, Some(br#"{"customer":"\u0063\u0034\u0032"}"#), &[]);
    assert!(check(r#"value.customer == "c42""#, &escaped));
    let f = Filter::parse(r#"value.customer == "c42""#).unwrap();
    let other = msg(None, Some(br#"{"customer":"c43"}"#), &[]);
    match &f {
        Filter::Expr(e) => {
            assert!(e.prefilter().admits(&escaped));
            assert!(!e.prefilter().admits(&other));
        }
        Filter::Text(_) => panic!("text"),
    }
}

mod prefilter_equivalence {
    use proptest::prelude::*;

    use super::*;

    /// A JSON string literal for `s`, each character written raw or as `\u00XX` as `esc` says.
    fn json_string(s: &str, esc: &[bool]) -> String {
        let mut out = String::from("\"");
        for (i, c) in s.chars().enumerate() {
            if esc.get(i).copied().unwrap_or(false) || matches!(c, '"' | '\\') {
                out.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                out.push(c);
            }
        }
        out.push('"');
        out
    }

    fn word() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["x", "y", "xy", "yx", "c4", "c42", "a/b", "q\"", ""])
            .prop_map(str::to_string)
    }

    /// A key or value: a JSON object (some characters escaped), a JSON string, plain text,
    /// bytes that are not UTF-8, or null.
    fn payload() -> impl Strategy<Value = Option<Vec<u8>>> {
        let obj = (
            word(),
            word(),
            0i64..5,
            prop::collection::vec(any::<bool>(), 4),
            word(),
        )
            .prop_map(|(a, b, n, esc, k)| {
                format!(
                    "{{{}:{},\"b\":{},\"n\":{n},\"l\":[{}]}}",
                    json_string("a", &esc[2..]),
                    json_string(&a, &esc),
                    json_string(&b, &esc[1..]),
                    json_string(&k, &[]),
                )
                .into_bytes()
            });
        prop_oneof![
            4 => obj.prop_map(Some),
            1 => (word(), prop::collection::vec(any::<bool>(), 3))
                .prop_map(|(w, e)| Some(json_string(&w, &e).into_bytes())),
            1 => word().prop_map(|w| Some(w.into_bytes())),
            1 => Just(Some(vec![0xff, b'x', b'y'])),
            1 => Just(None),
        ]
    }

    fn atom() -> impl Strategy<Value = String> {
        let lit = || word().prop_map(|w| w.replace('"', "\\\""));
        (0..9usize, lit(), lit()).prop_map(|(kind, l, m)| match kind {
            0 => format!("value.a == \"{l}\""),
            1 => format!("\"{l}\" == value.b"),
            2 => format!("value.b.startsWith(\"{l}\")"),
            3 => format!("key.contains(\"{l}\")"),
            4 => format!("headers[\"h\"] == \"{l}\""),
            5 => format!("value.a in [\"{l}\", \"{m}\"]"),
            6 => format!("\"{l}\" in value.l"),
            7 => format!("value == \"{l}\""),
            _ => "value.n > 2".to_string(),
        })
    }

    fn expression() -> impl Strategy<Value = String> {
        atom().prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) && ({b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) || ({b})")),
                inner.prop_map(|a| format!("!({a})")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn prefilter_never_drops_a_match(
            expr in expression(),
            key in payload(),
            value in payload(),
            header in prop::option::of(word()),
        ) {
            let f = Filter::parse(&expr).unwrap();
            let m = msg(
                key.as_deref(),
                value.as_deref(),
                &[("h", header.as_deref())],
            );
            let mut mt = f.matcher();
            prop_assert_eq!(mt.matches(&m, "t"), mt.matches_without_prefilter(&m, "t"), "{}", expr);
        }
    }
}

#[test]
fn decoded_values_replace_the_bytes_and_skip_the_prefilter() {
    // An Avro-like value: binary bytes where the enum "PAID" is an index, not text.
    let m = msg(
        Some(b"\x00\x00\x00\x00\x01\x02"),
        Some(b"\x00\x00\x00\x00\x02\x02\x06c42"),
        &[],
    );
    let key = serde_json::json!({"k": 1000});
    let value = serde_json::json!({"customer": "c42", "status": "PAID", "amount": 300.5, "n": 12345678901_i64});
    for (input, want) in [
        (r#"value.status == "PAID" && value.customer == "c42""#, true),
        (r#"value.status == "NEW""#, false),
        ("value.amount > 250.0 && key.k == 1000", true),
        ("value.n == 12345678901", true),
        ("size == 16", true),
        ("PAID", true),
        ("paid", true),
        ("REFUNDED", false),
    ] {
        let mut mt = Filter::parse(input).unwrap().matcher();
        assert_eq!(
            mt.matches_decoded(&m, "t", Some(&key), Some(&value)),
            want,
            "{input}"
        );
    }
    // Without decoded values, the same record is its bytes: the enum's name is not there.
    let mut mt = Filter::parse(r#"value.status == "PAID""#)
        .unwrap()
        .matcher();
    assert!(!mt.matches_decoded(&m, "t", None, None));
    // Only the value decoded: the key is still its bytes.
    let mut mt = Filter::parse(r#"value.customer == "c42" && key.k == 1000"#)
        .unwrap()
        .matcher();
    assert!(!mt.matches_decoded(&m, "t", None, Some(&value)));
}

/// The direct evaluator's answer (None: not certain) and the interpreter's, for `input`.
fn direct_and_interpreted(input: &str, m: &Message) -> (Option<bool>, bool) {
    let f = Filter::parse(input).unwrap();
    let mt = f.matcher();
    let ev = mt.eval.as_ref().unwrap();
    (
        ev.direct(m, "orders"),
        ev.interpret(m, "orders", None, None),
    )
}

#[test]
fn the_usual_shapes_are_evaluated_directly_and_agree_with_the_interpreter() {
    let m = order();
    for (input, want) in [
        (r#"value.customer == "c42" && value.amount > 250.0"#, true),
        (r#"value.customer == "c42" && value.amount > 350.0"#, false),
        (r#"key.startsWith("order-29")"#, true),
        (r#"key.endsWith("17") || key.contains("zz")"#, true),
        (r#"headers["trace-id"] == "t0000002a""#, true),
        (r#"headers["x"] == null"#, true),
        (r#"value.customer.matches("^c[0-6]+$")"#, true),
        (r#"matches(value.customer, "^c9")"#, false),
        ("partition == 2 && offset >= 990", true),
        ("value.amount > 250 && value.amount < 301u", true),
        ("!(offset < 995) && size > 10", true),
        (r#"value["customer"] != "c41" && topic == "orders""#, true),
    ] {
        let (direct, interpreted) = direct_and_interpreted(input, &m);
        assert_eq!(interpreted, want, "{input}");
        assert_eq!(direct, Some(want), "{input}");
    }
}

#[test]
fn uncertain_records_and_other_shapes_go_to_the_interpreter() {
    let m = order();
    // Missing field, wrong type, mixed int/double: not certain here; the interpreter says no.
    for input in [
        r#"value.nope == "x""#,
        r#"value.customer > 3"#,
        r#"headers["absent"] == "x""#,
        r#"value.items == "x""#,
    ] {
        assert_eq!(direct_and_interpreted(input, &m), (None, false), "{input}");
    }
    // Shapes outside the direct evaluator: never compiled, answered by the interpreter.
    for (input, want) in [
        ("value.items.exists(i, i.qty == 3)", true),
        (
            r#"timestamp >= timestamp("2026-01-01T00:00:29.990Z")"#,
            true,
        ),
        ("value.amount + 1.0 > 300.0", true),
        ("has(value.customer)", true),
    ] {
        let f = Filter::parse(input).unwrap();
        let mut mt = f.matcher();
        assert!(!mt.eval.as_ref().unwrap().is_direct(), "{input}");
        assert_eq!(mt.matches(&m, "orders"), want, "{input}");
    }
}

#[test]
fn a_repeated_json_key_keeps_its_last_value_in_both_evaluators() {
    let m = msg(
        None,
        Some(br#"{"a":{"b":1},"a":{"c":2},"n":1,"n":"x"}"#),
        &[],
    );
    assert_eq!(direct_and_interpreted("value.a.b == 1", &m), (None, false));
    assert_eq!(
        direct_and_interpreted("value.a.c == 2", &m),
        (Some(true), true)
    );
    assert_eq!(
        direct_and_interpreted(r#"value.n == "x""#, &m),
        (Some(true), true)
    );
}

mod direct_equivalence {
    use proptest::prelude::*;

    use super::*;

    fn word() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["x", "y", "xy", "c4", "c42", "", "é", "a\\u0062"])
            .prop_map(str::to_string)
    }

    /// A JSON scalar (or an object or array) as text.
    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            (-3i64..4).prop_map(|i| i.to_string()),
            prop::sample::select(vec![
                "1.5",
                "2.0",
                "-0.0",
                "1e2",
                "18446744073709551615",
                "9223372036854775808",
                "true",
                "false",
                "null",
                "[1,2]",
                "{\"x\":1}",
                "{\"x\":\"c4\"}",
            ])
            .prop_map(str::to_string),
            word().prop_map(|w| format!("\"{w}\"")),
        ]
    }

    /// A key or value: an object with some of the fields a, n, o (repeated now and then),
    /// a JSON scalar, text, bytes that are not UTF-8, broken JSON, or null.
    fn payload() -> impl Strategy<Value = Option<Vec<u8>>> {
        let field = (prop::sample::select(vec!["a", "n", "o", "a"]), scalar())
            .prop_map(|(k, v)| format!("\"{k}\":{v}"));
        let obj = prop::collection::vec(field, 0..5)
            .prop_map(|fs| format!("{{{}}}", fs.join(",")).into_bytes());
        prop_oneof![
            5 => obj.prop_map(Some),
            1 => scalar().prop_map(|s| Some(s.into_bytes())),
            1 => word().prop_map(|w| Some(w.into_bytes())),
            1 => Just(Some(vec![0xff, b'x'])),
            1 => Just(Some(b"{\"a\":1".to_vec())),
            1 => Just(None),
        ]
    }

    fn atom() -> impl Strategy<Value = String> {
        let operand = prop::sample::select(vec![
            "value.a",
            "value.n",
            "value.o.x",
            "value[\"a\"]",
            "value",
            "key",
            "key.a",
            "headers[\"h\"]",
            "partition",
            "offset",
            "size",
            "topic",
        ]);
        let lit = prop_oneof![
            scalar()
                .prop_filter("a literal", |s| !s.starts_with('{') && !s.starts_with('['))
                .prop_map(|s| if s.len() > 18 { format!("{s}u") } else { s }),
            Just("1u".to_string()),
            Just("2.5".to_string()),
        ];
        let op = prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
        let test = prop::sample::select(vec!["startsWith", "endsWith", "contains", "matches"]);
        prop_oneof![
            3 => (operand.clone(), op, lit).prop_map(|(a, op, l)| format!("{a} {op} {l}")),
            1 => (operand, test, word()).prop_map(|(a, t, w)| format!("{a}.{t}(\"{w}\")")),
        ]
    }

    fn expression() -> impl Strategy<Value = String> {
        atom().prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) && ({b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) || ({b})")),
                inner.prop_map(|a| format!("!({a})")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn the_direct_evaluator_agrees_with_the_interpreter_whenever_it_answers(
            expr in expression(),
            key in payload(),
            value in payload(),
            header in prop::option::of(prop::option::of(word())),
        ) {
            let f = Filter::parse(&expr).unwrap();
            let mt = f.matcher();
            let ev = mt.eval.as_ref().unwrap();
            prop_assert!(ev.is_direct(), "{}", expr);
            let headers: Vec<(&str, Option<&str>)> =
                header.as_ref().map(|h| ("h", h.as_deref())).into_iter().collect();
            let m = msg(key.as_deref(), value.as_deref(), &headers);
            if let Some(direct) = ev.direct(&m, "t") {
                prop_assert_eq!(direct, ev.interpret(&m, "t", None, None), "{}", expr);
            }
        }
    }
}
