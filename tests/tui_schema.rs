//! The browser decodes through the Schema Registry: records written by Confluent's own Python
//! serializers (tests/python/produce.py) to the real broker (`KBROWSE_TEST_BROKER`), schemas
//! in the registry stand-in (scripts/registry-standin); the real binary in a pseudo-terminal
//! shows them decoded in the table and the detail. Needs the venv `scripts/setup` makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use support::pty::Tui;
use support::{real_broker, unique};

const ROWS: u16 = 45;
const COLS: u16 = 160;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's Python with confluent-kafka; None (skip) when missing, except under CI.
fn python() -> Option<PathBuf> {
    let py = root().join(".venv/bin/python");
    if py.exists() {
        return Some(py);
    }
    assert!(
        std::env::var("CI").is_err(),
        "{} is missing under CI: scripts/setup makes it",
        py.display()
    );
    eprintln!("no .venv: skipping a schema test (run scripts/setup)");
    None
}

/// The registry stand-in on a free loopback port, with basic auth kb:secret.
struct Standin {
    child: Child,
    url: String,
}

impl Standin {
    fn start() -> Standin {
        let mut child = Command::new(root().join("scripts/registry-standin"))
            .args(["--user", "kb", "--password", "secret"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the registry stand-in");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
        Standin {
            child,
            url: line.trim().to_string(),
        }
    }

    fn with_auth(&self) -> String {
        self.url.replace("http://", "http://kb:secret@")
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one producer case; returns what each record must show, in offset order.
fn produce_case(py: &PathBuf, case: &str, broker: &str, registry: &str, topic: &str) -> Vec<Value> {
    let out = Command::new(py)
        .arg(root().join("tests/python/produce.py"))
        .args([case, "--broker", broker, "--registry", registry])
        .args(["--auth", "kb:secret", "--topic", topic])
        .output()
        .expect("run produce.py");
    assert!(
        out.status.success(),
        "produce.py {case}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn setup() -> Option<(String, PathBuf, Standin)> {
    let broker = real_broker()?;
    let py = python()?;
    Some((broker, py, Standin::start()))
}

/// The browser on `topic`'s partition 0 through the registry.
fn open(broker: &str, reg: &Standin, topic: &str) -> Tui {
    let url = reg.with_auth();
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
