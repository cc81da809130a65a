//! OAUTHBEARER against Kafka's own server side: OAuthBearerSaslServer with the unsecured JWT
//! validator (the classes a broker runs), from the real broker's jars in broker/lib
//! (`scripts/kafka-broker install`), driven by tests/support/OAuthBearerServer.java. Our client
//! exchange must log in, carry its extensions, and on a rejected token acknowledge the JSON
//! error and report its status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, SystemTime};

use base64::Engine;
use kbrowse::kafka::sasl::Mechanism;
use kbrowse::kafka::sasl::clock::Clock;
use kbrowse::kafka::sasl::oauthbearer::OAuthBearer;

struct KafkaSaslServer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl KafkaSaslServer {
    /// Starts the Java server, or None (skip) outside CI when the jars or java are missing.
    fn start(extension_names: &[&str]) -> Option<Self> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let lib = root.join("broker/lib");
        let has_clients = std::fs::read_dir(&lib).ok().is_some_and(|d| {
            d.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("kafka-clients-")
            })
        });
        if !has_clients {
            assert!(
                std::env::var("CI").is_err(),
                "{} has no kafka-clients jar under CI: scripts/kafka-broker install did not run",
                lib.display()
            );
            eprintln!(
                "no Kafka jars in {}: skipping (run scripts/kafka-broker install)",
                lib.display()
            );
            return None;
        }
        let mut child = Command::new("java")
            .arg("-cp")
            .arg(format!("{}/*", lib.display()))
            .arg(root.join("tests/support/OAuthBearerServer.java"))
            .args(extension_names)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("java (a JDK) is needed: scripts/setup installs it");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Some(KafkaSaslServer {
            child,
            stdin,
            stdout,
        })
    }

    /// Sends one client message; returns Kafka's verdict line.
    fn send(&mut self, message: &[u8]) -> String {
        let line = base64::engine::general_purpose::STANDARD.encode(message);
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        answer.trim_end().to_string()
    }
}

impl Drop for KafkaSaslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn props(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn kafka_accepts_the_unsecured_jwt_and_extensions() {
    let Some(mut kafka) = KafkaSaslServer::start(&["traceId", "logicalCluster"]) else {
        return;
    };
    let mech = OAuthBearer::from_properties(&props(&[
        (
            "sasl.oauthbearer.config",
            "principal=admin extension_traceId=42",
        ),
        ("sasl.oauthbearer.extensions", "logicalCluster=lkc-1"),
    ]))
    .unwrap();
    let mut exchange = mech.start("localhost:9092").await.unwrap();
    let first = exchange.step(b"").unwrap().unwrap();
    assert_eq!(
        kafka.send(&first),
        "COMPLETE admin traceId=42 logicalCluster=lkc-1"
    );
    // Kafka's successful answer is empty.
    assert_eq!(exchange.step(b"").unwrap(), None);
}

#[tokio::test]
async fn kafka_accepts_a_token_read_from_a_file() {
    let Some(mut kafka) = KafkaSaslServer::start(&[]) else {
        return;
    };
    // The token is librdkafka's unsecured JWT for principal "reader", valid now.
    let jwt =
        kbrowse::kafka::sasl::oauthbearer::UnsecuredJwt::parse("principal=reader", Clock::system())
            .unwrap()
            .token();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, format!("{jwt}\n")).unwrap();
    let mech = OAuthBearer::from_properties(&props(&[(
        "sasl.oauthbearer.token",
        &format!("file:{}", path.display()),
    )]))
    .unwrap();
    let mut exchange = mech.start("localhost:9092").await.unwrap();
    assert_eq!(
        kafka.send(&exchange.step(b"").unwrap().unwrap()),
        "COMPLETE reader"
    );
    assert_eq!(exchange.step(b"").unwrap(), None);
}

#[tokio::test]
async fn kafka_rejects_an_expired_token_with_a_json_status() {
    let Some(mut kafka) = KafkaSaslServer::start(&[]) else {
        return;
    };
    // Issued in 2001 with librdkafka's default one-hour lifetime: long expired.
    let past = Clock::from_fn(|| SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000));
    let mech = OAuthBearer::from_properties_with_clock(
        &props(&[("sasl.oauthbearer.config", "principal=admin")]),
        past,
    )
    .unwrap();
    let mut exchange = mech.start("localhost:9092").await.unwrap();
    let verdict = kafka.send(&exchange.step(b"").unwrap().unwrap());
    let challenge = verdict.strip_prefix("CHALLENGE ").expect(&verdict);
    let error = base64::engine::general_purpose::STANDARD
        .decode(challenge)
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&error),
        r#"{"status":"invalid_token"}"#
    );
    let ack = exchange.step(&error).unwrap().unwrap();
    assert_eq!(ack, vec![1]);
    // Kafka then fails the authentication with the JSON as its message.
    assert_eq!(kafka.send(&ack), r#"FAIL {"status":"invalid_token"}"#);
    assert_eq!(
        exchange.step(b"").unwrap_err().0,
        "the broker rejected the token: status invalid_token"
    );
}
