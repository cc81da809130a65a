//! The JSON text walk against the `Value` walk and against the walker as it was before the
//! walk plan (`reference`): the same bytes, the same errors, for random datums of every type
//! and logical type, and for every truncation and random corruption of them.

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{InnerDecimalSchema, Name, UuidSchema};
use proptest::prelude::*;

use super::AvroSchema;
use super::reference::Reference;

/// issue 11's test schema (tests/python/produce.py AVRO_ALL) plus the types Confluent's Python
/// serializer does not write: uuid on bytes and fixed, nanosecond timestamps, big-decimal,
/// maps of maps, unions of named types, arrays of records.
const EVERYTHING: &str = r#"{"type":"record","name":"Everything","namespace":"kbtest.avro","fields":[
 {"name":"null_f","type":"null"},
 {"name":"bool_f","type":"boolean"},
 {"name":"int_f","type":"int"},
 {"name":"long_f","type":"long"},
 {"name":"float_f","type":"float"},
 {"name":"double_f","type":"double"},
 {"name":"bytes_f","type":"bytes"},
 {"name":"string_f","type":"string"},
 {"name":"fixed_f","type":{"type":"fixed","name":"Four","size":4}},
 {"name":"enum_f","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
 {"name":"array_f","type":{"type":"array","items":"int"}},
 {"name":"map_f","type":{"type":"map","values":"string"}},
 {"name":"union_f","type":["null","string","long"]},
 {"name":"inner","type":{"type":"record","name":"Inner","fields":[{"name":"a","type":"int"}]}},
 {"name":"inner_again","type":["null","Inner"]},
 {"name":"dec_bytes","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
 {"name":"dec_fixed","type":{"type":"fixed","name":"Dec8","size":8,"logicalType":"decimal","precision":12,"scale":3}},
 {"name":"dec_wide","type":{"type":"bytes","logicalType":"decimal","precision":60,"scale":40}},
 {"name":"big_dec","type":{"type":"bytes","logicalType":"big-decimal"}},
 {"name":"uuid_f","type":{"type":"string","logicalType":"uuid"}},
 {"name":"uuid_fixed","type":{"type":"fixed","name":"U16","size":16,"logicalType":"uuid"}},
 {"name":"date_f","type":{"type":"int","logicalType":"date"}},
 {"name":"time_ms","type":{"type":"int","logicalType":"time-millis"}},
 {"name":"time_us","type":{"type":"long","logicalType":"time-micros"}},
 {"name":"ts_ms","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"ts_us","type":{"type":"long","logicalType":"timestamp-micros"}},
 {"name":"ts_ns","type":{"type":"long","logicalType":"timestamp-nanos"}},
 {"name":"lts_ms","type":{"type":"long","logicalType":"local-timestamp-millis"}},
 {"name":"lts_us","type":{"type":"long","logicalType":"local-timestamp-micros"}},
 {"name":"lts_ns","type":{"type":"long","logicalType":"local-timestamp-nanos"}},
 {"name":"duration_f","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}},
 {"name":"nan_f","type":"double"},
 {"name":"inf_f","type":"float"},
 {"name":"maps","type":{"type":"map","values":{"type":"map","values":["null","Color","Four"]}}},
 {"name":"records","type":{"type":"array","items":["null","Inner",{"type":"array","items":"Dur"}]}}
]}"#;

/// A recursive type, used by name inside itself.
const LIST: &str = r#"{"type":"record","name":"Node","fields":[
 {"name":"v","type":"int"},{"name":"tags","type":{"type":"map","values":"long"}},
 {"name":"next","type":["null","Node"]}]}"#;

/// scripts/bench's values (tests/python/produce.py BENCH).
const BENCH: &str = r#"{"type":"record","name":"Payment","namespace":"kbtest.bench","fields":[
 {"name":"id","type":"long"},{"name":"customer","type":"string"},
 {"name":"sku","type":"string"},{"name":"qty","type":"int"},
 {"name":"price","type":"double"},
 {"name":"status","type":{"type":"enum","name":"Status","symbols":["new","paid","shipped"]}},
 {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#;

const MONEY: &str = r#"{"type":"record","name":"Money","namespace":"pay","fields":[{"name":"cents","type":"long"}]}"#;
const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"pay","fields":[
 {"name":"total","type":"pay.Money"},{"name":"tip","type":["null","Money"]},
 {"name":"lines","type":{"type":"array","items":"Money"}}]}"#;

fn schemas() -> Vec<(&'static str, Vec<String>)> {
    vec![
        (EVERYTHING, vec![]),
        (LIST, vec![]),
        (BENCH, vec![]),
        (ORDER, vec![MONEY.to_string()]),
        (
            r#"["null","string",{"type":"array","items":"float"}]"#,
            vec![],
        ),
        (r#"{"type":"map","values":"null"}"#, vec![]),
    ]
}

/// A small deterministic random source (the proptest seed picks the run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len() as u64) as usize]
    }
    /// Often an edge value, else anything.
    fn long(&mut self) -> i64 {
        match self.below(6) {
            0 => self.pick(&[
                0,
                1,
                -1,
                i64::MIN,
                i64::MAX,
                i64::from(i32::MIN),
                86_400_000,
            ]),
            1 => self.below(100_000) as i64 - 50_000,
            2 => self.below(86_400_000_000) as i64,
            3 => 1_764_000_000_000 + self.below(1 << 30) as i64,
            _ => self.next() as i64,
        }
    }
    fn int(&mut self) -> i32 {
        match self.below(4) {
            0 => self.pick(&[0, 1, -1, i32::MIN, i32::MAX, 2_932_896, -719_528]),
            1 => self.below(100_000) as i32 - 50_000,
            2 => self.below(86_400_000) as i32,
            _ => self.next() as i32,
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn text(&mut self) -> String {
        let n = self.below(6);
        (0..n)
            .map(|_| {
                self.pick(&[
                    "a", "b", "\"", "\\", "\n", "\u{1}", "\u{7f}", "é", "☃", "key",
                ])
            })
            .collect()
    }
}

fn zz(v: i64, out: &mut Vec<u8>) {
    let mut u = ((v << 1) ^ (v >> 63)) as u64;
    loop {
        let b = (u & 0x7f) as u8;
        u >>= 7;
        if u == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn prefixed(b: &[u8], out: &mut Vec<u8>) {
    zz(b.len() as i64, out);
    out.extend_from_slice(b);
}

/// Writes a random datum of `s` in Avro's binary encoding.
fn datum(
    s: &Schema,
    names: &HashMap<Name, Schema>,
    rng: &mut Rng,
    depth: usize,
    out: &mut Vec<u8>,
) {
    match s {
        Schema::Null => {}
        Schema::Boolean => out.push(rng.below(2) as u8),
        Schema::Int | Schema::Date | Schema::TimeMillis => zz(i64::from(rng.int()), out),
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => zz(rng.long(), out),
        Schema::Float => {
            let f = rng.pick(&[
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                0.1,
                -0.0,
                1.5e30,
            ]);
            let f = if rng.below(2) == 0 {
                f
            } else {
                f32::from_bits(rng.next() as u32)
            };
            out.extend_from_slice(&f.to_le_bytes());
        }
        Schema::Double => {
            let f = rng.pick(&[
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                -0.1,
                1e-300,
                5e22,
            ]);
            let f = if rng.below(2) == 0 {
                f
            } else {
                f64::from_bits(rng.next())
            };
            out.extend_from_slice(&f.to_le_bytes());
        }
        Schema::Bytes => {
            let n = rng.below(8) as usize;
            prefixed(&rng.bytes(n), out);
        }
        Schema::String | Schema::Uuid(UuidSchema::String) => {
            let t = if rng.below(3) == 0 {
                uuid::Uuid::from_u128(u128::from(rng.next())).to_string()
            } else {
                rng.text()
            };
            prefixed(t.as_bytes(), out);
        }
        Schema::Uuid(UuidSchema::Bytes) => {
            let n = rng.pick(&[16, 16, 3]);
            prefixed(&rng.bytes(n), out);
        }
        Schema::Fixed(f) | Schema::Uuid(UuidSchema::Fixed(f)) | Schema::Duration(f) => {
            out.extend(rng.bytes(f.size));
        }
        Schema::Decimal(d) => match &d.inner {
            InnerDecimalSchema::Bytes => {
                let n = rng.pick(&[0, 1, 2, 8, 17, 30]);
                prefixed(&rng.bytes(n), out);
            }
            InnerDecimalSchema::Fixed(f) => out.extend(rng.bytes(f.size)),
        },
        Schema::BigDecimal => {
            let mut inner = Vec::new();
            let n = rng.below(20) as usize;
            prefixed(&rng.bytes(n), &mut inner);
            zz(rng.below(30) as i64, &mut inner);
            prefixed(&inner, out);
        }
        Schema::Array(a) => items(rng, depth, out, |rng, out| {
            datum(&a.items, names, rng, depth + 1, out)
        }),
        Schema::Map(m) => items(rng, depth, out, |rng, out| {
            let k = rng.pick(&["a", "b", "c", "\"q\"", "é"]);
            prefixed(k.as_bytes(), out);
            datum(&m.types, names, rng, depth + 1, out)
        }),
        Schema::Union(u) => {
            let v = u.variants();
            // Deep down, the null branch (if any) ends a recursive type.
            let i = match v.iter().position(|b| matches!(b, Schema::Null)) {
                Some(null) if depth > 6 => null,
                _ => rng.below(v.len() as u64) as usize,
            };
            zz(i as i64, out);
            datum(&v[i], names, rng, depth + 1, out);
        }
        Schema::Record(r) => {
            for f in &r.fields {
                datum(&f.schema, names, rng, depth + 1, out);
            }
        }
        Schema::Enum(e) => zz(rng.below(e.symbols.len() as u64) as i64, out),
        Schema::Ref { name } => datum(&names[name], names, rng, depth + 1, out),
    }
}

/// Array or map blocks: none to three, some with a negative count and their size.
fn items(
    rng: &mut Rng,
    depth: usize,
    out: &mut Vec<u8>,
    mut item: impl FnMut(&mut Rng, &mut Vec<u8>),
) {
    let blocks = if depth > 6 { 0 } else { rng.below(4) };
    for _ in 0..blocks {
        let n = rng.below(4) as i64 + 1;
        let mut body = Vec::new();
        for _ in 0..n {
            item(rng, &mut body);
        }
        if rng.below(2) == 0 {
            zz(n, out);
        } else {
            zz(-n, out);
            zz(body.len() as i64, out);
        }
        out.extend(body);
    }
    zz(0, out);
}

/// The three walks agree on `bytes`: the same value, the same JSON text, the same error; a
/// failed JSON walk leaves the output as it was.
fn agree(reference: &Reference, s: &AvroSchema, bytes: &[u8]) -> Result<String, String> {
    let before = reference.decode(bytes);
    let value = s.decode(bytes);
    assert_eq!(value, before, "value walk vs the walker before the plan");
    let mut out = b"prefix".to_vec();
    let text = s.write_json(bytes, &mut out);
    match (&before, text) {
        (Ok(v), Ok(())) => {
            let mut want = b"prefix".to_vec();
            crate::render::json_value_into(v, &mut want);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&want),
                "JSON text walk vs the printed value"
            );
            Ok(String::from_utf8(out[6..].to_vec()).unwrap())
        }
        (Err(e), Err(t)) => {
            assert_eq!(&t, e, "JSON text walk error");
            assert_eq!(out, b"prefix", "output after an error");
            Err(e.to_string())
        }
        (b, t) => panic!("value walk {b:?}, JSON text walk {t:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn json_text_is_the_printed_value_for_random_datums(seed in 1u64..) {
        let mut rng = Rng(seed);
        for (text, refs) in schemas() {
            let reference = Reference::parse(text, &refs);
            let s = AvroSchema::parse(text, &refs).unwrap();
            let (root, names) = reference.tree();
            let mut bytes = Vec::new();
            datum(root, names, &mut rng, 0, &mut bytes);
            agree(&reference, &s, &bytes).unwrap();
            // Every truncation is an error, the same in all walks.
            for cut in 0..bytes.len() {
                let _ = agree(&reference, &s, &bytes[..cut]);
            }
            // Corruptions: whatever they decode to, the walks agree.
            for _ in 0..8 {
                let mut bad = bytes.clone();
                if bad.is_empty() {
                    break;
                }
                let at = rng.below(bad.len() as u64) as usize;
                bad[at] = rng.next() as u8;
                let _ = agree(&reference, &s, &bad);
                bad.push(rng.next() as u8);
                let _ = agree(&reference, &s, &bad);
            }
        }
    }
}

fn zzv(v: i64) -> Vec<u8> {
    let mut out = Vec::new();
    zz(v, &mut out);
    out
}

#[test]
fn repeated_keys_keep_their_first_place_and_last_value() {
    let text = r#"{"type":"map","values":"long"}"#;
    let (reference, s) = (
        Reference::parse(text, &[]),
        AvroSchema::parse(text, &[]).unwrap(),
    );
    let mut b = zzv(3);
    for (k, v) in [("a", 1), ("b", 2), ("a", 3)] {
        prefixed(k.as_bytes(), &mut b);
        zz(v, &mut b);
    }
    b.push(0);
    assert_eq!(agree(&reference, &s, &b).unwrap(), r#"{"a":3,"b":2}"#);
    // More keys than are checked one by one: the same text through a value.
    let mut b = zzv(200);
    for i in 0..200 {
        prefixed(format!("k{}", i % 150).as_bytes(), &mut b);
        zz(i, &mut b);
    }
    b.push(0);
    let text = agree(&reference, &s, &b).unwrap();
    assert!(text.starts_with(r#"{"k0":150,"k1":151,"#), "{text}");
    // Nested maps check their own keys: "a" inside is no repeat of "a" outside.
    let nested = r#"{"type":"map","values":{"type":"map","values":"int"}}"#;
    let (reference, s) = (
        Reference::parse(nested, &[]),
        AvroSchema::parse(nested, &[]).unwrap(),
    );
    let mut b = zzv(2);
    prefixed(b"a", &mut b);
    b.extend(zzv(1));
    prefixed(b"a", &mut b);
    b.extend([zzv(5), zzv(0)].concat());
    prefixed(b"b", &mut b);
    b.extend(zzv(0));
    b.push(0);
    assert_eq!(
        agree(&reference, &s, &b).unwrap(),
        r#"{"a":{"a":5},"b":{}}"#
    );
}

#[test]
fn truncated_and_garbage_input_give_the_errors_of_the_value_walk() {
    let (reference, s) = (
        Reference::parse(BENCH, &[]),
        AvroSchema::parse(BENCH, &[]).unwrap(),
    );
    let mut good = zzv(7);
    prefixed(b"c00042", &mut good);
    prefixed(b"SKU-000001", &mut good);
    good.extend(zzv(3));
    good.extend(12.5f64.to_le_bytes());
    good.extend(zzv(1));
    good.extend(zzv(1_764_000_000_000));
    assert_eq!(
        agree(&reference, &s, &good).unwrap(),
        r#"{"id":7,"customer":"c00042","sku":"SKU-000001","qty":3,"price":12.5,"status":"paid","ts":"2025-11-24T16:00:00.000Z"}"#
    );
    let err = |b: &[u8]| agree(&reference, &s, b).unwrap_err();
    assert_eq!(err(&[]), "the Avro value is cut off in a number");
    assert_eq!(
        err(&good[..3]),
        "a string declares 6 bytes but only 1 remain"
    );
    assert_eq!(
        err(&good[..22]),
        "a double declares 8 bytes but only 2 remain"
    );
    assert_eq!(
        err(&[good.clone(), vec![0]].concat()),
        "1 bytes left after the Avro value"
    );
    let mut bad_enum = good[..28].to_vec();
    bad_enum.extend(zzv(3));
    assert_eq!(
        err(&bad_enum),
        "Avro enum index 3 does not exist (3 symbols)"
    );
    let mut bad_utf8 = zzv(7);
    prefixed(b"\xff\xfe", &mut bad_utf8);
    assert_eq!(err(&bad_utf8), "an Avro string is not UTF-8");
    assert_eq!(err(&[0xff; 11]), "an Avro number is longer than 10 bytes");
}

#[test]
fn named_types_are_flattened_once() {
    // The recursive list: Node's fields once, the reference to it pointing back.
    let s = AvroSchema::parse(LIST, &[]).unwrap();
    assert_eq!(s.plan.fields.len(), 3);
    let s = AvroSchema::parse(ORDER, &[MONEY.to_string()]).unwrap();
    // Order's three fields and Money's one, though Money is used three times.
    assert_eq!(s.plan.fields.len(), 4);
}
