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

/// A one-shot OIDC token endpoint on 127.0.0.1 handing out `token` to client `kbrowse` with
/// secret `s3cret` (HTTP Basic), 401 otherwise.
async fn token_endpoint(token: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // Headers and the short form body arrive together or in a few reads.
        while !String::from_utf8_lossy(&request).contains("grant_type=") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed before its body");
            request.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&request);
        // base64("kbrowse:s3cret")
        let (status, body) = if text.contains("Basic a2Jyb3dzZTpzM2NyZXQ=") {
            (
                200,
                format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#),
            )
        } else {
            (401, r#"{"error":"invalid_client"}"#.to_string())
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(response.as_bytes()).await.unwrap();
    });
    url
}

#[tokio::test]
async fn kafka_accepts_a_token_from_oidc_client_credentials() {
    let Some(mut kafka) = KafkaSaslServer::start(&[]) else {
        return;
    };
    // The identity provider issues an unsecured JWT (alg none) for "svc-reader", valid now.
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let jwt = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none"}"#),
        b64.encode(format!(
            r#"{{"sub":"svc-reader","iat":{now},"exp":{}}}"#,
            now + 600
        ))
    );
    let url = token_endpoint(jwt).await;
    let mech = OAuthBearer::from_properties(&props(&[
        ("sasl.oauthbearer.method", "oidc"),
        ("sasl.oauthbearer.token.endpoint.url", &url),
        ("sasl.oauthbearer.client.id", "kbrowse"),
        ("sasl.oauthbearer.client.secret", "s3cret"),
    ]))
    .unwrap();
    assert_eq!(mech.principal(), "kbrowse");
    let mut exchange = mech.start("localhost:9092").await.unwrap();
    assert_eq!(
        kafka.send(&exchange.step(b"").unwrap().unwrap()),
        "COMPLETE svc-reader"
    );
    assert_eq!(exchange.step(b"").unwrap(), None);
}
