//! Schema decoding end to end: Confluent's own Python serializers (confluent-kafka's
//! AvroSerializer, ProtobufSerializer, JSONSerializer; tests/python/produce.py) register
//! schemas in the registry stand-in (scripts/registry-standin) and write to the real broker
//! (`KBROWSE_TEST_BROKER`); `kbrowse consume -r URL --format json` must print exactly the
//! values Python computes from the same objects. Needs the venv `scripts/setup` makes (.venv).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use base64::Engine as _;
use serde_json::Value;

use support::schema::{Standin, produce_case, profiles_home, python, root, setup};
use support::*;

/// `kbrowse consume -t TOPIC -e --format json ARGS`: exit code, lines, stderr.
fn consume(broker: &str, topic: &str, args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut all = vec![
        "-b", broker, "consume", "-t", topic, "-e", "--format", "json",
    ];
    all.extend_from_slice(args);
    let (code, out, err) = kbrowse(&all);
    let lines = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    (code, lines, err)
}

/// Equal JSON, numbers compared by value where their texts differ (`1e-300` vs `1E-300`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// The raw value as `--format json` prints it undecoded: a string when UTF-8, else base64.
fn raw_json(b64: &str) -> Value {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    match String::from_utf8(bytes.clone()) {
        Ok(s) => Value::String(s),
        Err(_) => serde_json::json!({ "base64": b64 }),
    }
}

/// Each line has offset i and, for every field of expected[i], the same value; key order of
/// records follows the schema, so objects are also compared as text.
fn check(lines: &[Value], expected: &[Value]) {
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (i, (line, exp)) in lines.iter().zip(expected).enumerate() {
        assert_eq!(line["offset"], i as i64, "{line}");
        for (field, want) in exp.as_object().unwrap() {
            if field == "raw" {
                continue;
            }
            assert!(
                same(&line[field], want),
                "offset {i} {field}:\n got  {}\n want {want}",
                line[field]
            );
        }
        for field in [
            "key_schema_id",
            "value_schema_id",
            "key_error",
            "value_error",
        ] {
            if exp.get(field).is_none() && field.ends_with("schema_id") {
                assert!(
                    line.get(field).is_none(),
                    "offset {i}: unexpected {field}: {line}"
                );
            }
        }
    }
}

#[test]
fn avro_every_type_and_logical_type() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-avro-all");
    let expected = produce_case(&py, "avro-all", &broker, &reg.url, &topic);
    let (code, lines, err) = consume(&broker, &topic, &["-r", &reg.with_auth("kb:secret")]);
    assert_eq!((code, err.as_str()), (0, ""));
    check(&lines, &expected);
    // Fields in schema order, exactly as printed.
    let keys: Vec<&String> = lines[0]["value"].as_object().unwrap().keys().collect();
    let want: Vec<&String> = expected[0]["value"].as_object().unwrap().keys().collect();
    assert_eq!(keys, want);
}

#[test]
fn avro_two_versions_in_one_partition_and_avro_keys() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-avro-versions");
    let expected = produce_case(&py, "avro-versions", &broker, &reg.url, &topic);
    assert_ne!(
        expected[0]["value_schema_id"],
        expected[1]["value_schema_id"]
    );
    let url = reg.with_auth("kb:secret");
    let (code, lines, err) = consume(&broker, &topic, &["-r", &url]);
    assert_eq!((code, err.as_str()), (0, ""));
    check(&lines, &expected);
    // Explicit formats give the same; --format text shows compact JSON.
    let (_, explicit, _) = consume(&broker, &topic, &["-r", &url, "-s", "avro"]);
    assert_eq!(explicit, lines);
    let (code, out, err) = kbrowse(&[
        "-b", &broker, "consume", "-t", &topic, "-e", "-r", &url, "-c", "1",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let cols: Vec<&str> = out.trim_end().split('\t').collect();
    assert_eq!(cols[3..], [r#"{"k":0}"#, r#"{"id":1}"#]);
    // Keys as plain strings: the raw bytes, no key_schema_id.
    let (_, raw_keys, _) = consume(&broker, &topic, &["-r", &url, "-s", "key=bytes"]);
    assert!(raw_keys[0]["key"]["base64"].is_string(), "{}", raw_keys[0]);
    assert!(raw_keys[0].get("key_schema_id").is_none());
    assert_eq!(raw_keys[0]["value"], serde_json::json!({"id": 1}));
}

#[test]
fn protobuf_import_nested_index_oneof_maps_enums_well_known_types() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-protobuf");
    let expected = produce_case(&py, "protobuf", &broker, &reg.url, &topic);
    let (code, lines, err) = consume(&broker, &topic, &["-r", &reg.with_auth("kb:secret")]);
    assert_eq!((code, err.as_str()), (0, ""));
    check(&lines, &expected);
    let (_, explicit, _) = consume(
        &broker,
        &topic,
        &["-r", &reg.with_auth("kb:secret"), "-s", "value=protobuf"],
    );
    assert_eq!(explicit, lines);
}

#[test]
fn protobuf_raw_with_proto_path() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-protobuf-raw");
    let expected = produce_case(&py, "protobuf-raw", &broker, &reg.url, &topic);
    let dir = root().join("tests/python/proto");
    let (code, lines, err) = consume(
        &broker,
        &topic,
        &[
            "--proto-path",
            dir.to_str().unwrap(),
            "-s",
            "value=protobuf:kbtest.order.Order",
        ],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    check(&lines, &expected);
    let (code, lines, err) = consume(
        &broker,
        &topic,
        &[
            "--proto-path",
            dir.to_str().unwrap(),
            "-s",
            "value=protobuf:kbtest.Nope",
        ],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_eq!(
            line["value_error"],
            "no message kbtest.Nope in the --proto-path files"
        );
        assert!(line.get("value_schema_id").is_none());
    }
}

#[test]
fn json_schema_values() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-json");
    let expected = produce_case(&py, "json-schema", &broker, &reg.url, &topic);
    let (code, lines, err) = consume(&broker, &topic, &["-r", &reg.with_auth("kb:secret")]);
    assert_eq!((code, err.as_str()), (0, ""));
    check(&lines, &expected);
}

#[test]
fn msgpack_values() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-msgpack");
    let expected = produce_case(&py, "msgpack", &broker, &reg.url, &topic);
    let (code, lines, err) = consume(&broker, &topic, &["-s", "value=msgpack"]);
    assert_eq!((code, err.as_str()), (0, ""));
    check(&lines, &expected);
}

#[test]
fn unknown_id_and_mismatched_payload_show_raw_value_and_reason() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-failures");
    let expected = produce_case(&py, "failures", &broker, &reg.url, &topic);
    let (code, lines, err) = consume(&broker, &topic, &["-r", &reg.with_auth("kb:secret")]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(lines.len(), 3);
    check(&lines[..1], &expected[..1]);
    assert_eq!(
        lines[1]["value"],
        raw_json(expected[1]["raw"].as_str().unwrap())
    );
    assert_eq!(lines[1]["value_schema_id"], 999999);
    assert_eq!(
        lines[1]["value_error"],
        format!(
            "schema registry {}: has no schema 999999: Schema 999999 not found (error 40403)",
            reg.url
        )
    );
    assert_eq!(
        lines[2]["value"],
        raw_json(expected[2]["raw"].as_str().unwrap())
    );
    assert_eq!(lines[2]["value_schema_id"], expected[2]["value_schema_id"]);
    assert_eq!(
        lines[2]["value_error"],
        "a string has a negative length -64"
    );
}

#[test]
fn registry_down_or_refusing_credentials_shows_raw_values_and_hides_the_password() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-down");
    let expected = produce_case(&py, "avro-versions", &broker, &reg.url, &topic);
    // Wrong password: one line per record, raw bytes, the reason, never the password.
    let (code, lines, err) = consume(&broker, &topic, &["-r", &reg.with_auth("kb:wrong-pw")]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(lines.len(), 3);
    for (line, exp) in lines.iter().zip(&expected) {
        assert_eq!(
            line["value_error"],
            format!(
                "schema registry {}: refused the credentials (HTTP 401)",
                reg.url
            )
        );
        assert_eq!(line["value_schema_id"], exp["value_schema_id"]);
        assert!(line["value"].is_string(), "{line}");
        assert!(!line.to_string().contains("wrong-pw"));
    }
    // Down: a closed port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{closed}");
    let (code, lines, err) = consume(&broker, &topic, &["-r", &url]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(lines.len(), 3);
    for line in &lines {
        let e = line["value_error"].as_str().unwrap();
        assert!(
            e.starts_with(&format!(
                "schema registry {url}: cannot connect fetching schema "
            )),
            "{e}"
        );
    }
}

/// A registry that accepts connections and never answers: one request for the whole topic
/// (the first id times out; the registry is then marked down and every id fails at once).
#[test]
fn silent_registry_costs_one_timeout() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-silent");
    produce_case(&py, "avro-versions", &broker, &reg.url, &topic);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(s);
        }
    });
    let (code, lines, err) = consume(&broker, &topic, &["--timeout", "1", "-r", &url]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(lines.len(), 3);
    for line in &lines {
        let e = line["value_error"].as_str().unwrap();
        assert!(
            e.starts_with(&format!(
                "schema registry {url}: timed out fetching schema "
            )),
            "{e}"
        );
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn registry_over_https_with_client_certificate_and_bearer_token() {
    let Some(broker) = real_broker() else {
        return;
    };
    let Some(py) = python() else {
        return;
    };
    let reg = Standin::start_tls();
    let topic = unique("schema-https");
    // Produced through the plain listener; read through the HTTPS one: the same store.
    let expected = produce_case(&py, "avro-versions", &broker, &reg.url, &topic);
    let (https, cert) = reg.https();
    let x = |k: &str, v: &str| format!("{k}={v}");
    let tls = [
        x("schema.registry.url", https),
        x("schema.registry.ssl.ca.location", &cert("ca.pem")),
        x(
            "schema.registry.ssl.certificate.location",
            &cert("client.pem"),
        ),
        x("schema.registry.ssl.key.location", &cert("client.key")),
    ];
    let run = |extra: &[String], env: &[(&str, &str)]| {
        let mut args: Vec<&str> = vec![
            "-b", &broker, "consume", "-t", &topic, "-e", "--format", "json",
        ];
        for e in extra {
            args.extend(["-X", e.as_str()]);
        }
        let (code, out, err) = kbrowse_env(&args, env);
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (code, lines, err)
    };
    // Bearer token from the environment.
    let mut props = tls.to_vec();
    props.push(x("schema.registry.bearer.auth.token", "env:KB_SR_TOKEN"));
    let (code, lines, err) = run(&props, &[("KB_SR_TOKEN", "tok-123")]);
    assert_eq!((code, err.as_str()), (0, ""));
    check(&lines, &expected);
    // Basic auth from a -F file, read through file:.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("userinfo"), "kb:secret\n").unwrap();
    let file = dir.path().join("registry.properties");
    let mut text = tls.join("\n");
    text += &format!(
        "\nschema.registry.basic.auth.user.info=file:{}\n",
        dir.path().join("userinfo").display()
    );
    std::fs::write(&file, text).unwrap();
    let (code, out, err) = kbrowse(&[
        "-b",
        &broker,
        "-F",
        file.to_str().unwrap(),
        "consume",
        "-t",
        &topic,
        "-e",
        "--format",
        "json",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    check(&lines, &expected);
    // A wrong token: raw values, the reason, and the token nowhere.
    props.pop();
    props.push(x("schema.registry.bearer.auth.token", "tok-wrong"));
    let (code, lines, err) = run(&props, &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        lines[0]["value_error"],
        format!("schema registry {https}: refused the credentials (HTTP 401)")
    );
    assert!(!serde_json::to_string(&lines).unwrap().contains("tok-wrong"));
    // Without the CA the registry's certificate is not trusted; without the client
    // certificate the registry refuses the handshake. Either is one line per value.
    let token = x("schema.registry.bearer.auth.token", "tok-123");
    let (code, lines, err) = run(
        &[
            tls[0].clone(),
            tls[2].clone(),
            tls[3].clone(),
            token.clone(),
        ],
        &[],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["value_error"],
        format!(
            "schema registry {https}: TLS failed (invalid peer certificate: UnknownIssuer) fetching schema {}",
            expected[0]["value_schema_id"]
        )
    );
    // The raw value stays: Avro bytes of {"id": 1} after the framing.
    assert!(lines[0]["value"].is_string(), "{}", lines[0]);
    let (code, lines, err) = run(&[tls[0].clone(), tls[1].clone(), token], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    let e = lines[0]["value_error"].as_str().unwrap();
    // Usually "TLS failed (received fatal alert: CertificateRequired)"; under TLS 1.3 the
    // alert may instead cut the request off, so only the shape is fixed here.
    assert!(
        e.starts_with(&format!("schema registry {https}: "))
            && e.ends_with(&format!(
                "fetching schema {}",
                expected[0]["value_schema_id"]
            ))
            && !e.contains('\n'),
        "{e}"
    );
    // A certificate without its key is a usage error before anything is read.
    let (code, lines, err) = run(&[tls[0].clone(), tls[2].clone()], &[]);
    assert_eq!(
        (code, lines.len(), err.as_str()),
        (
            1,
            0,
            "kbrowse: schema.registry.ssl.certificate.location needs schema.registry.ssl.key.location\n"
        )
    );
}

#[test]
fn profile_topic_formats_and_filters_on_decoded_avro() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("schema-filter");
    // Values {"id":1}, {"id":2,"name":"two"}, {"id":3} with Avro keys {"k":0|1000|2000}.
    let expected = produce_case(&py, "avro-versions", &broker, &reg.url, &topic);
    let home = profiles_home(&format!(
        r#"
[clusters.t]
brokers = "{broker}"
schema.registry.url = "{}"
schema.registry.basic.auth.user.info = "env:KB_SR_AUTH"
[clusters.t.topics."schema-filter-.*"]
key.format = "bytes"
[clusters.t.topics."schema-.*"]
key.format = "string"
value.format = "avro"
"#,
        reg.url
    ));
    let env = [
        ("XDG_CONFIG_HOME", home.path().to_str().unwrap()),
        ("KB_SR_AUTH", "kb:secret"),
    ];
    let run = |extra: &[&str]| {
        let mut args = vec!["consume", "-t", &topic, "-e", "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = kbrowse_env(&args, &env);
        assert_eq!((code, err.as_str()), (0, ""), "{extra:?}");
        out.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let offsets = |lines: &[Value]| {
        lines
            .iter()
            .map(|l| l["offset"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    // The first matching rule gives the key format (bytes), the second the value's (avro).
    let all = run(&[]);
    assert_eq!(all.len(), 3);
    for (line, exp) in all.iter().zip(&expected) {
        assert_eq!(line["value"], exp["value"]);
        assert_eq!(line["value_schema_id"], exp["value_schema_id"]);
        assert!(line["key"]["base64"].is_string(), "{line}");
        assert!(line.get("key_schema_id").is_none(), "{line}");
    }
    // Filters see the decoded values (issue 12 §1), not the Avro bytes.
    assert_eq!(offsets(&run(&["--filter", "value.id >= 2"])), [1, 2]);
    assert_eq!(offsets(&run(&["--filter", "value.name == \"two\""])), [1]);
    assert_eq!(offsets(&run(&["--filter", "has(value.name)"])), [1]);
    // Plain text looks in the decoded value's JSON.
    assert_eq!(offsets(&run(&["--filter", "\"id\":3"])), [2]);
    // -s wins over the profile: keys decoded, and filtered on.
    let keyed = run(&["-s", "key=auto", "--filter", "key.k == 2000"]);
    assert_eq!(offsets(&keyed), [2]);
    assert_eq!(keyed[0]["key"], expected[2]["key"]);
    assert_eq!(keyed[0]["key_schema_id"], expected[2]["key_schema_id"]);
    // kbrowse config shows the rules.
    let (code, out, _) = kbrowse_env(&["config"], &env);
    assert_eq!(code, 0);
    assert!(
        out.ends_with(
            "topics.\"schema-filter-.*\".key.format = bytes  (profile)\n\
             topics.\"schema-.*\".key.format = string  (profile)\n\
             topics.\"schema-.*\".value.format = avro  (profile)\n"
        ),
        "{out}"
    );
}
