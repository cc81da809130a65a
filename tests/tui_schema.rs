//! The browser decodes through the Schema Registry: records written by Confluent's own Python
//! serializers (tests/python/produce.py) to the real broker (`KBROWSE_TEST_BROKER`), schemas
//! in the registry stand-in (scripts/registry-standin); the real binary in a pseudo-terminal
//! shows them decoded in the table and the detail, with a profile's registry, credentials and
//! per-topic formats as with `-r`, and its `/` and `&` match the decoded values. Needs the
//! venv `scripts/setup` makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use serde_json::Value;

use support::pty::{Tui, selected_offset, table_rows};
use support::schema::{Standin, produce_case, profiles_home, setup};
use support::unique;

const ROWS: u16 = 45;
const COLS: u16 = 160;

/// The browser on `topic`'s partition 0 through the registry.
fn open(broker: &str, reg: &Standin, topic: &str) -> Tui {
    let url = reg.with_auth("kb:secret");
    let mut screen = Tui::spawn(&["-b", broker, "-r", &url, topic], ROWS, COLS);
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("\r");
    screen
}

#[test]
fn avro_records_show_decoded_in_the_table_and_the_detail() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("tui-avro");
    let expected = produce_case(&py, "avro-versions", &broker, &reg.url, &topic);
    let (v1, v2) = (
        expected[0]["value_schema_id"].as_u64().unwrap(),
        expected[1]["value_schema_id"].as_u64().unwrap(),
    );
    let key_id = expected[0]["key_schema_id"].as_u64().unwrap();
    let mut screen = open(&broker, &reg, &topic);
    // The table: keys and values as one line of compact JSON each.
    screen.wait_for("the decoded table", |t| {
        t.contains(r#"{"id":2,"name":"two"}"#) && t.contains(r#"{"k":1000}"#)
    });
    // The detail opens on the decoded value, naming format, id, subject and version.
    screen.keys("\r");
    let own = format!("Avro · id {v1} · subject {topic}-value · version 1");
    screen.wait_for("the decoded detail", |t| {
        t.contains("value as decoded (Avro) · x: text")
            && t.contains(&own)
            && t.contains(r#"  "id": 1"#)
    });
    let key = format!("Avro · id {key_id} · subject {topic}-key · version 1");
    assert!(screen.text().contains(&key), "{}", screen.text());
    assert!(
        screen.text().contains(r#"Key        {"k":0}"#),
        "{}",
        screen.text()
    );
    // n: the next record, written with the subject's second version.
    screen.keys("n");
    let second = format!("Avro · id {v2} · subject {topic}-value · version 2");
    screen.wait_for("the second version", |t| {
        t.contains(&second) && t.contains(r#"  "name": "two""#)
    });
    // x: the raw text; it sticks on the next record.
    screen.keys("x");
    screen.wait_for("the text view", |t| t.contains("value as text · x: hex"));
    screen.keys("n");
    screen.wait_for("offset 2 as text", |t| {
        t.contains("Offset 2 · value as text") && t.contains(&own)
    });
    screen.keys("q");
    assert!(screen.wait_exit().success());
}

#[test]
fn protobuf_names_its_message_type_and_failures_show_raw_with_the_reason() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("tui-proto");
    let expected = produce_case(&py, "protobuf", &broker, &reg.url, &topic);
    let id = expected[2]["value_schema_id"].as_u64().unwrap();
    let mut screen = open(&broker, &reg, &topic);
    screen.wait_for("the records", |t| {
        t.contains(r#"{"label":{"text":"fragile"}"#)
    });
    // The third record is the nested Shipment.Parcel (message index [1, 0]).
    screen.keys("jj\r");
    let label = format!(
        "Protobuf kbtest.order.Shipment.Parcel · id {id} · subject {topic}-value · version 1"
    );
    screen.wait_for("the decoded Parcel", |t| {
        t.contains(&label) && t.contains(r#"    "text": "fragile""#)
    });
    screen.keys("q");
    assert!(screen.wait_exit().success());

    let topic = unique("tui-failures");
    produce_case(&py, "failures", &broker, &reg.url, &topic);
    let mut screen = open(&broker, &reg, &topic);
    screen.wait_for("the records", |t| t.contains(r#"{"s":"ok"}"#));
    screen.keys("j\r");
    screen.wait_for("the failure", |t| {
        t.contains("Schema     not decoded (schema id 999999): schema registry ")
            && t.contains("has no schema 999999")
            && t.contains("value as text")
    });
    // n: Avro bytes that do not match their schema: raw, with the decoder's reason.
    screen.keys("n");
    screen.wait_for("the bad payload", |t| {
        t.contains("Offset 2 · value as text") && t.contains("Schema     not decoded (schema id ")
    });
    screen.keys("q");
    assert!(screen.wait_exit().success());
}

/// The browser with profile `t` of a profiles file that names the broker, the registry (its
/// credentials in `schema.registry.basic.auth.user.info`, not in the URL) and per-topic
/// formats: no -r, no -s.
fn open_profile(home: &tempfile::TempDir, topic: &str) -> Tui {
    let env = [("XDG_CONFIG_HOME", home.path().to_str().unwrap())];
    let mut screen = Tui::spawn_env(&["--cluster", "t", topic], ROWS, COLS, &env);
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("\r");
    screen
}

#[test]
fn a_profiles_registry_credentials_and_topic_formats_decode_as_with_r() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let proto = unique("tui-prof-pb");
    let expected = produce_case(&py, "protobuf", &broker, &reg.url, &proto);
    let avro = unique("tui-prof-av");
    let avro_expected = produce_case(&py, "avro-versions", &broker, &reg.url, &avro);
    let home = profiles_home(&format!(
        r#"
[clusters.t]
brokers = "{broker}"
schema.registry.url = "{}"
schema.registry.basic.auth.user.info = "kb:secret"
[clusters.t.topics."tui-prof-pb-.*"]
value.format = "protobuf"
[clusters.t.topics."tui-prof-av-.*"]
key.format = "string"
value.format = "protobuf"
"#,
        reg.url
    ));
    // The Protobuf topic's rule: decoded, as with -r (the third record is the nested Parcel).
    let mut screen = open_profile(&home, &proto);
    screen.wait_for("the decoded records", |t| {
        t.contains(r#"{"label":{"text":"fragile"}"#) && t.contains(r#""id":"o-2""#)
    });
    screen.keys("jj\r");
    let label = format!(
        "Protobuf kbtest.order.Shipment.Parcel · id {} · subject {proto}-value · version 1",
        expected[2]["value_schema_id"]
    );
    screen.wait_for("the decoded Parcel", |t| {
        t.contains(&label) && t.contains(r#"    "text": "fragile""#)
    });
    screen.keys("q");
    assert!(screen.wait_exit().success());

    // The Avro topic's rule asks for Protobuf and string keys: the values are refused with
    // the reason, and the Avro keys stay raw bytes (with -r and auto they decode).
    let mut screen = open_profile(&home, &avro);
    screen.wait_for("the records", |t| table_rows(t).len() == 3);
    assert!(!screen.text().contains(r#"{"k":"#), "{}", screen.text());
    screen.keys("\r");
    let why = format!(
        "Schema     not decoded (schema id {}): schema {} is AVRO, not PROTOBUF",
        avro_expected[0]["value_schema_id"], avro_expected[0]["value_schema_id"]
    );
    screen.wait_for("the refusal", |t| t.contains(&why));
    screen.keys("q");
    assert!(screen.wait_exit().success());
}

/// Waits until a search has moved the selection to `offset`, whose decoded value shows.
fn wait_selected(screen: &mut Tui, offset: i64) {
    let shown = format!(r#"{{"id":{offset},"#);
    screen.wait_for(&format!("offset {offset} on screen"), |t| {
        t.contains(&shown) && !t.contains("searching")
    });
    assert_eq!(selected_offset(screen), offset, "{}", screen.text());
}

#[test]
fn search_and_filter_see_decoded_avro_across_the_window() {
    let Some((broker, py, reg)) = setup() else {
        return;
    };
    let topic = unique("tui-find-avro");
    let out = std::process::Command::new(&py)
        .arg(support::schema::root().join("tests/python/produce.py"))
        .args(["avro-payments", "--broker", &broker, "--registry", &reg.url])
        .args(["--auth", "kb:secret", "--topic", &topic, "--count", "1000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(expected.len(), 1000);
    // What each query must find, computed from Python's own values.
    let offsets = |keep: &dyn Fn(&Value) -> bool| -> Vec<i64> {
        (0..expected.len() as i64)
            .filter(|&i| keep(&expected[i as usize]["value"]))
            .collect()
    };
    let c42 = offsets(&|v| v["customer"] == "c42");
    let c42_paid = offsets(&|v| v["customer"] == "c42" && v["status"] == "paid");
    assert!(c42.len() >= 3 && c42[1] >= 100, "{c42:?}");
    assert!(
        !c42_paid.is_empty() && c42_paid.len() < c42.len(),
        "{c42_paid:?}"
    );

    let url = reg.with_auth("kb:secret");
    let mut screen = Tui::spawn(
        &["-b", &broker, "-r", &url, "--window", "100", &topic],
        ROWS,
        COLS,
    );
    screen.wait_for("the partition list", |t| t.contains("Leader"));
    screen.keys("\r");
    screen.wait_for("the decoded records", |t| {
        t.contains(r#"{"id":0,"customer":"c0""#)
    });

    // `/` with an expression over the decoded value; `n` past the 100-record window.
    screen.keys("/value.customer == \"c42\"");
    screen.wait_for("expression understood", |t| {
        t.contains("understood: CEL expression")
    });
    screen.keys("\r");
    wait_selected(&mut screen, c42[0]);
    screen.keys("n");
    wait_selected(&mut screen, c42[1]);
    screen.keys("N");
    wait_selected(&mut screen, c42[0]);

    // Plain text looks in the decoded JSON: the field name is nowhere in the Avro bytes.
    // Forward from the selected record (c42[0]).
    let next_shipped = offsets(&|v| v["status"] == "shipped")
        .into_iter()
        .find(|&o| o > c42[0])
        .unwrap();
    screen.keys("/\"status\":\"shipped\"");
    screen.wait_for("text understood", |t| {
        t.contains("understood: text (case-insensitive)")
    });
    screen.keys("\r");
    wait_selected(&mut screen, next_shipped);

    // `&`: only the matching records, from the whole partition.
    screen.keys("&value.customer == \"c42\" && value.status == \"paid\"");
    screen.wait_for("expression understood", |t| {
        t.contains("understood: CEL expression")
    });
    screen.keys("\r");
    let counts = format!(
        "· scanned 1,000 of 1,000 · {}",
        kbrowse::render::count(c42_paid.len() as i64, "match")
    );
    screen.wait_for("the filter's counts", |t| t.contains(&counts));
    let rows: Vec<i64> = table_rows(&screen.text()).iter().map(|r| r.0).collect();
    assert_eq!(rows, c42_paid, "{}", screen.text());
    screen.keys("q");
    assert!(screen.wait_exit().success());
}
