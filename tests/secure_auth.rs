//! TLS and SASL against the secure real broker (`scripts/kafka-broker start-secure`, addresses
//! in `KBROWSE_TEST_SECURE_*`): records written by librdkafka come back byte-exact over every
//! mechanism and listener, every failure is one exact line and exit code 1, and a follow on a
//! listener with a 3-second session lifetime re-authenticates without a gap, a duplicate or a
//! reconnect. Under CI a missing address fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use kbrowse::kafka::{
    ClientConfig, Cluster, Isolation, Message, PartitionReader, ReaderConfig, ReaderEventKind,
    StartAt,
};
use rdkafka::ClientConfig as RdConfig;
use rdkafka::producer::{DefaultProducerContext, ThreadedProducer};

use support::*;

/// `KBROWSE_TEST_SECURE_<name>`; under CI a missing one fails the test.
fn secure(name: &str) -> Option<String> {
    service_env(
        &format!("KBROWSE_TEST_SECURE_{name}"),
        "the secure broker",
        "run: eval \"$(scripts/kafka-broker start-secure)\"",
    )
}

struct Env {
    sasl_ssl: String,
    sasl_plaintext: String,
    mtls: String,
    wronghost: String,
    expired: String,
    reauth: String,
    certs: String,
}

fn env() -> Option<Env> {
    Some(Env {
        sasl_ssl: secure("SASL_SSL")?,
        sasl_plaintext: secure("SASL_PLAINTEXT")?,
        mtls: secure("MTLS")?,
        wronghost: secure("WRONGHOST")?,
        expired: secure("EXPIRED")?,
        reauth: secure("REAUTH")?,
        certs: secure("CERTS")?,
    })
}

impl Env {
    fn ca(&self) -> String {
        format!("{}/ca.pem", self.certs)
    }
}

/// librdkafka as the admin user over SASL_PLAINTEXT with PLAIN (no TLS needed in rdkafka).
fn admin_rd(env: &Env) -> RdConfig {
    let mut c = RdConfig::new();
    c.set("bootstrap.servers", &env.sasl_plaintext)
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanisms", "PLAIN")
        .set("sasl.username", "admin")
        .set("sasl.password", "admin-secret");
    c
}

fn create(env: &Env, topic: &str, partitions: i32) {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    let admin: AdminClient<DefaultClientContext> = admin_rd(env).create().expect("admin client");
    let t = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    for r in futures::executor::block_on(admin.create_topics([&t], &opts)).expect("create") {
        r.unwrap_or_else(|(t, e)| panic!("creating topic {t} failed: {e:?}"));
    }
}

fn producer_for(env: &Env) -> ThreadedProducer<DefaultProducerContext> {
    admin_rd(env)
        .set("linger.ms", "5")
        .set("message.timeout.ms", "30000")
        .create()
        .expect("producer")
}

type Props = Vec<(String, String)>;
/// A failure case: its name, the address, the -X properties and the exact stderr.
type FailureCase<'a> = (&'a str, &'a String, Vec<(&'a str, &'a str)>, String);

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Reads a partition to the end it had at start through a client built from `props`.
async fn read_with(config: ClientConfig, topic: &str, partition: i32) -> Vec<Message> {
    let cluster = Cluster::connect(config).await.expect("connect");
    let rc = ReaderConfig {
        stop_at_end: true,
        isolation: Isolation::ReadCommitted,
        ..ReaderConfig::default()
    };
    let (_r, mut rx) =
        PartitionReader::start(cluster, topic.into(), partition, StartAt::Beginning, rc);
    let mut out = Vec::new();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("reader timed out")
            .expect("reader ended");
        match ev.kind {
            ReaderEventKind::Messages(m) => out.extend(m),
            ReaderEventKind::Finished { .. } => return out,
            ReaderEventKind::Failed(e) => panic!("reader failed: {e}"),
            _ => {}
        }
    }
}

fn sample_records() -> Vec<TestRecord> {
    let mut out = vec![
        TestRecord::kv(0, "k-text", "plain text value"),
        TestRecord {
            partition: 0,
            key: Some(vec![0, 1, 2, 0xff, 0xfe]),
            value: Some((0..=255u8).collect()),
            headers: vec![
                ("h1".into(), Some(b"v\x00\x01".to_vec())),
                ("empty".into(), None),
            ],
            timestamp: None,
        },
        TestRecord {
            partition: 0,
            key: None,
            value: None,
            headers: Vec::new(),
            timestamp: None,
        },
    ];
    out.extend(numbered(0..50).into_iter().map(|mut r| {
        r.partition = 0;
        r
    }));
    out
}

#[test]
fn records_come_back_byte_exact_over_every_mechanism_and_listener() {
    let Some(env) = env() else { return };
    let topic = unique("open-mech");
    create(&env, &topic, 1);
    let records = sample_records();
    produce_with(&producer_for(&env), &topic, &records);

    let ca = env.ca();
    let cert = format!("{}/client.pem", env.certs);
    let key = format!("{}/client.key", env.certs);
    let enc_key = format!("{}/client-encrypted.key", env.certs);
    let mut cases: Vec<(String, &str, Props)> = Vec::new();
    for mech in ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] {
        let sasl = [
            ("sasl.mechanism", mech),
            ("sasl.username", "alice"),
            ("sasl.password", "alice-secret"),
        ];
        let mut ssl = props(&sasl);
        ssl.extend(props(&[
            ("security.protocol", "SASL_SSL"),
            ("ssl.ca.location", &ca),
        ]));
        cases.push((format!("SASL_SSL {mech}"), &env.sasl_ssl, ssl));
        let mut plain = props(&sasl);
        plain.extend(props(&[("security.protocol", "sasl_plaintext")]));
        cases.push((format!("SASL_PLAINTEXT {mech}"), &env.sasl_plaintext, plain));
    }
    cases.push((
        "SASL_SSL OAUTHBEARER, unsecured JWT".into(),
        &env.sasl_ssl,
        props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "OAUTHBEARER"),
            ("sasl.oauthbearer.config", "principal=alice"),
            ("ssl.ca.location", &ca),
        ]),
    ));
    cases.push((
        "SSL client certificate, EC key".into(),
        &env.mtls,
        props(&[
            ("security.protocol", "ssl"),
            ("ssl.ca.location", &ca),
            ("ssl.certificate.location", &cert),
            ("ssl.key.location", &key),
        ]),
    ));
    let cert_pem = std::fs::read_to_string(&cert).unwrap();
    let enc_pem = std::fs::read_to_string(&enc_key).unwrap();
    let ca_pem = std::fs::read_to_string(&ca).unwrap();
    cases.push((
        "SSL client certificate, encrypted PKCS#8 key, PEM values".into(),
        &env.mtls,
        props(&[
            ("security.protocol", "SSL"),
            ("ssl.ca.pem", &ca_pem),
            ("ssl.certificate.pem", &cert_pem),
            ("ssl.key.pem", &enc_pem),
            ("ssl.key.password", "client-key-pw"),
        ]),
    ));
    cases.push((
        "SASL_SSL SCRAM-SHA-256, CA directory".into(),
        &env.sasl_ssl,
        props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanisms", "SCRAM-SHA-256"),
            ("sasl.username", "alice"),
            ("sasl.password", "alice-secret"),
            ("ssl.ca.location", &env.certs),
        ]),
    ));
    let rt = runtime();
    let want: Vec<TestRecord> = records.clone();
    for (name, addr, p) in cases {
        let config =
            ClientConfig::from_properties(addr, &p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = rt.block_on(read_with(config, &topic, 0));
        let got: Vec<TestRecord> = got.iter().map(as_test_record).collect();
        assert_eq!(got, want, "{name}");
    }
}

/// Runs `kbrowse topics` against `addr` with `-X` properties; returns (code, stderr).
fn topics_with(addr: &str, x: &[(&str, &str)]) -> (i32, String) {
    let mut args = vec!["-b".to_string(), addr.to_string()];
    for (k, v) in x {
        args.push("-X".into());
        args.push(format!("{k}={v}"));
    }
    args.push("topics".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _out, err) = kbrowse(&refs);
    (code, err)
}

#[test]
fn every_failure_is_one_exact_line_and_exit_code_1() {
    let Some(env) = env() else { return };
    let ca = env.ca();
    let scram = |mech: &'static str, pw: &'static str| {
        vec![
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", mech),
            ("sasl.username", "alice"),
            ("sasl.password", pw),
        ]
    };
    let with_ca = |mut v: Vec<(&'static str, &'static str)>, ca: &'static str| {
        v.push(("ssl.ca.location", ca));
        v
    };
    let ca: &'static str = Box::leak(ca.into_boxed_str());
    let cases: Vec<FailureCase> = vec![
        (
            "wrong password, SCRAM",
            &env.sasl_ssl,
            with_ca(scram("SCRAM-SHA-512", "wrong"), ca),
            format!(
                "kbrowse: authentication failed at broker {} with SCRAM-SHA-512 as 'alice': the broker says \"Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512\"\n",
                env.sasl_ssl
            ),
        ),
        (
            "wrong password, PLAIN",
            &env.sasl_ssl,
            with_ca(scram("PLAIN", "wrong"), ca),
            format!(
                "kbrowse: authentication failed at broker {} with PLAIN as 'alice': the broker says \"Authentication failed: Invalid username or password\"\n",
                env.sasl_ssl
            ),
        ),
        (
            "unknown user, SCRAM",
            &env.sasl_ssl,
            with_ca(
                vec![
                    ("security.protocol", "SASL_SSL"),
                    ("sasl.mechanism", "SCRAM-SHA-256"),
                    ("sasl.username", "mallory"),
                    ("sasl.password", "x"),
                ],
                ca,
            ),
            format!(
                "kbrowse: authentication failed at broker {} with SCRAM-SHA-256 as 'mallory': the broker says \"Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256\"\n",
                env.sasl_ssl
            ),
        ),
        (
            "mechanism the listener does not enable",
            &env.reauth,
            with_ca(scram("SCRAM-SHA-512", "alice-secret"), ca),
            format!(
                "kbrowse: authentication failed at broker {} with SCRAM-SHA-512 as 'alice': the broker does not enable SCRAM-SHA-512 on this listener (it offers: PLAIN, SCRAM-SHA-256)\n",
                env.reauth
            ),
        ),
        (
            "untrusted certificate (system roots)",
            &env.sasl_ssl,
            scram("PLAIN", "alice-secret"),
            format!(
                "kbrowse: TLS with broker {} failed: the broker's certificate is not trusted: its issuer is not among the trusted roots (set ssl.ca.location to the CA that signed it)\n",
                env.sasl_ssl
            ),
        ),
        (
            "certificate for another host",
            &env.wronghost,
            vec![("security.protocol", "SSL"), ("ssl.ca.location", ca)],
            format!(
                "kbrowse: TLS with broker {} failed: the broker's certificate is not valid for '127.0.0.1': it is for other.example\n",
                env.wronghost
            ),
        ),
        (
            "expired certificate",
            &env.expired,
            vec![("security.protocol", "SSL"), ("ssl.ca.location", ca)],
            format!(
                "kbrowse: TLS with broker {} failed: the broker's certificate expired at 2021-01-01T00:00:00Z\n",
                env.expired
            ),
        ),
        (
            "no client certificate where one is required",
            &env.mtls,
            vec![("security.protocol", "SSL"), ("ssl.ca.location", ca)],
            format!(
                "kbrowse: TLS with broker {} failed: the broker refused the handshake (BadCertificate): it may require a client certificate (ssl.certificate.location and ssl.key.location) signed by a CA it trusts\n",
                env.mtls
            ),
        ),
        (
            "TLS spoken to a plaintext port",
            &env.sasl_plaintext,
            vec![("security.protocol", "SSL"), ("ssl.ca.location", ca)],
            format!(
                "kbrowse: TLS with broker {} failed: the broker closed the connection during the TLS handshake (is this a plaintext port? then use security.protocol=plaintext or sasl_plaintext)\n",
                env.sasl_plaintext
            ),
        ),
        (
            "plaintext spoken to a TLS port",
            &env.sasl_ssl,
            vec![],
            format!(
                "kbrowse: broker {} answered with TLS (an alert record): it is a TLS listener; use security.protocol=ssl or sasl_ssl\n",
                env.sasl_ssl
            ),
        ),
        (
            "SASL spoken to a listener without SASL",
            &env.mtls,
            vec![
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanism", "PLAIN"),
                ("sasl.username", "alice"),
                ("sasl.password", "alice-secret"),
                ("ssl.ca.location", ca),
                (
                    "ssl.certificate.location",
                    Box::leak(format!("{}/client.pem", env.certs).into_boxed_str()),
                ),
                (
                    "ssl.key.location",
                    Box::leak(format!("{}/client.key", env.certs).into_boxed_str()),
                ),
            ],
            format!(
                "kbrowse: authentication failed at broker {} with PLAIN as 'alice': this listener does not use SASL (use security.protocol=plaintext or ssl)\n",
                env.mtls
            ),
        ),
    ];
    for (name, addr, x, want) in cases {
        let (code, err) = topics_with(addr, &x);
        assert_eq!((code, err.as_str()), (1, want.as_str()), "{name}");
    }
}

#[test]
fn a_topic_without_acls_names_the_topic_and_the_principal() {
    let Some(env) = env() else { return };
    let ca = env.ca();
    let (code, _out, err) = kbrowse(&[
        "-b",
        &env.sasl_ssl,
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        "sasl.mechanism=SCRAM-SHA-256",
        "-X",
        "sasl.username=alice",
        "-X",
        "sasl.password=alice-secret",
        "-X",
        &format!("ssl.ca.location={ca}"),
        "consume",
        "-t",
        "closed",
        "-e",
    ]);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "kbrowse: not authorized: Metadata on topic 'closed' for principal 'User:alice'\n"
        )
    );
}

#[test]
fn bad_properties_are_one_line_errors() {
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("security.protocol", "tls")],
            "security.protocol=tls: expected plaintext, ssl, sasl_plaintext or sasl_ssl",
        ),
        (
            &[
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanism", "PLAIN"),
            ],
            "sasl.mechanism=PLAIN needs sasl.username",
        ),
        (
            &[
                ("security.protocol", "sasl_plaintext"),
                ("sasl.mechanism", "GSSAPI"),
            ],
            "sasl.mechanism=GSSAPI is not supported (supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, AWS_MSK_IAM)",
        ),
        (
            &[
                ("security.protocol", "ssl"),
                ("ssl.ca.location", "/nonexistent/ca.pem"),
            ],
            "ssl.ca.location: cannot read /nonexistent/ca.pem: No such file or directory (os error 2)",
        ),
        (
            &[("ssl.endpoint.identification.algorithm", "none")],
            "ssl.endpoint.identification.algorithm=none: kbrowse always checks the broker's host name (https); to skip every certificate check use enable.ssl.certificate.verification=false",
        ),
    ];
    for (p, want) in cases {
        let err = ClientConfig::from_properties("b:9092", &props(p)).unwrap_err();
        assert_eq!(err.to_string(), want);
    }
}

#[test]
fn verification_off_warns_at_every_start() {
    let Some(env) = env() else { return };
    let (code, out, err) = kbrowse(&[
        "-b",
        &env.wronghost,
        "-X",
        "security.protocol=ssl",
        "-X",
        "enable.ssl.certificate.verification=false",
        "topics",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "kbrowse: warning: TLS certificate verification is OFF (enable.ssl.certificate.verification=false): anyone on the network path can impersonate the brokers\n"
    );
    // Without a client certificate the principal is ANONYMOUS, a super user of the test
    // broker (the broker itself uses it on the controller listener): it sees every topic.
    assert!(
        out.lines().any(|l| l == "closed  partitions 2  messages 0"),
        "{out}"
    );
}

#[test]
fn a_thirty_second_follow_across_re_authentications_has_no_gap_or_duplicate() {
    let Some(env) = env() else { return };
    let topic = unique("open-reauth");
    create(&env, &topic, 1);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("kbrowse.log");
    let ca = format!("ssl.ca.location={}", env.ca());
    let mut follow = Follow::spawn(&[
        "-b",
        &env.reauth,
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        "sasl.mechanism=SCRAM-SHA-256",
        "-X",
        "sasl.username=alice",
        "-X",
        "sasl.password=alice-secret",
        "-X",
        &ca,
        "--log",
        log.to_str().unwrap(),
        "consume",
        "-t",
        &topic,
        "--format",
        "json",
    ]);
    // 300 records, one every 100 ms: the follow spans ten 3-second sessions.
    let producer = producer_for(&env);
    let n = 300;
    for i in 0..n {
        produce_with(
            &producer,
            &topic,
            &[TestRecord::kv(0, &format!("k{i}"), &format!("v{i}"))],
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let lines = follow.wait_lines(n, Duration::from_secs(60)).to_vec();
    let extra = follow.collect_for(Duration::from_secs(2)).len() - n;
    assert_eq!(extra, 0, "duplicates after the last record");
    for (i, line) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["offset"], i as i64, "{line}");
        assert_eq!(v["value"], format!("v{i}"), "{line}");
    }
    assert_eq!(follow.stderr(), "", "no reconnect, no warning");
    drop(follow);
    let log = std::fs::read_to_string(&log).unwrap();
    let reauths = log.matches("re-authenticated").count();
    assert!(
        reauths >= 5,
        "only {reauths} re-authentications in 30 s:\n{log}"
    );
}

#[test]
fn a_topic_alice_may_describe_but_not_read_fails_the_fetch_naming_her() {
    let Some(env) = env() else { return };
    // A record to fetch: with an empty partition `-e` ends before any Fetch.
    produce_with(
        &producer_for(&env),
        "described",
        &[TestRecord::kv(0, "k", "v")],
    );
    let ca = format!("ssl.ca.location={}", env.ca());
    let x = [
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        "sasl.mechanism=PLAIN",
        "-X",
        "sasl.username=alice",
        "-X",
        "sasl.password=alice-secret",
        "-X",
        &ca,
    ];
    let mut args = vec!["-b", env.sasl_ssl.as_str()];
    args.extend(x);
    args.extend(["consume", "-t", "described", "-p", "0", "-e"]);
    let (code, out, err) = kbrowse(&args);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "kbrowse: not authorized: Fetch on topic 'described' for principal 'User:alice'\n"
        )
    );
    // Listed by `topics` (Describe is allowed); "closed" is not: the broker leaves it out of
    // the metadata of a principal that may not describe it.
    let mut args = vec!["-b", env.sasl_ssl.as_str()];
    args.extend(x);
    args.push("topics");
    let (code, out, err) = kbrowse(&args);
    assert_eq!(
        (code, err.as_str()),
        (
            0,
            "kbrowse: note: the broker lists only the topics User:alice may describe (it leaves out the others without saying how many)\n"
        )
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("described  partitions 2  messages ")),
        "{out}"
    );
    assert!(!out.contains("closed"), "{out}");
}
