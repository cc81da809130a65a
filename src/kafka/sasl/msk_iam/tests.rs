use std::time::{Duration, SystemTime};

use super::*;

fn props(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn example_credentials(token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        session_token: token.map(String::from),
        expires_at: None,
    }
}

const T: u64 = 1_700_000_000; // 2023-11-14T22:13:20Z

#[test]
fn payload_has_aws_msk_iam_auths_fields_in_order() {
    let payload = auth_payload(
        "b-1.demo.abc123.c2.kafka.us-west-2.amazonaws.com",
        "us-west-2",
        &example_credentials(Some("IQoJb3JpZ2luX2VjEXAMPLE/+=")),
        SystemTime::UNIX_EPOCH + Duration::from_secs(T),
        "kbrowse/test",
    );
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&payload).unwrap();
    let keys: Vec<&str> = json.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "version",
            "host",
            "user-agent",
            "action",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "x-amz-expires",
            "x-amz-security-token",
            "x-amz-signedheaders",
            "x-amz-signature"
        ]
    );
    assert_eq!(json["version"], "2020_10_22");
    assert_eq!(
        json["host"],
        "b-1.demo.abc123.c2.kafka.us-west-2.amazonaws.com"
    );
    assert_eq!(json["user-agent"], "kbrowse/test");
    assert_eq!(json["action"], "kafka-cluster:Connect");
    assert_eq!(json["x-amz-algorithm"], "AWS4-HMAC-SHA256");
    assert_eq!(
        json["x-amz-credential"],
        "AKIDEXAMPLE/20231114/us-west-2/kafka-cluster/aws4_request"
    );
    assert_eq!(json["x-amz-date"], "20231114T221320Z");
    assert_eq!(json["x-amz-expires"], "900");
    assert_eq!(json["x-amz-security-token"], "IQoJb3JpZ2luX2VjEXAMPLE/+=");
    assert_eq!(json["x-amz-signedheaders"], "host");
    assert_eq!(json["x-amz-signature"].as_str().unwrap().len(), 64);
}

#[test]
fn payload_signature_is_sigv4_of_the_presigned_get() {
    // The canonical request written out by hand from the protocol description.
    let host = "b-1.demo.kafka.eu-west-1.amazonaws.com";
    let canonical = format!(
        "GET\n/\nAction=kafka-cluster%3AConnect&X-Amz-Algorithm=AWS4-HMAC-SHA256&\
         X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Feu-west-1%2Fkafka-cluster%2Faws4_request&\
         X-Amz-Date=20231114T221320Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\n\
         host:{host}\n\nhost\n{}",
        sigv4::EMPTY_PAYLOAD_SHA256
    );
    let scope = sigv4::Scope {
        region: "eu-west-1",
        service: "kafka-cluster",
        time: SystemTime::UNIX_EPOCH + Duration::from_secs(T),
    };
    let expected = sigv4::hex(&sigv4::hmac(
        &sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &scope),
        sigv4::string_to_sign(&scope, &canonical).as_bytes(),
    ));
    let payload = auth_payload(
        host,
        "eu-west-1",
        &example_credentials(None),
        scope.time,
        "ua",
    );
    let json: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(json["x-amz-signature"], expected.as_str());
    assert!(json.get("x-amz-security-token").is_none());
}

#[test]
fn region_from_msk_host_names() {
    assert_eq!(
        region_from_host("b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(
        region_from_host("boot-abc.c1.kafka-serverless.eu-central-1.amazonaws.com").as_deref(),
        Some("eu-central-1")
    );
    assert_eq!(
        region_from_host("b-2.x.kafka.cn-north-1.amazonaws.com.cn").as_deref(),
        Some("cn-north-1")
    );
    assert_eq!(region_from_host("localhost"), None);
    assert_eq!(region_from_host("kafka.example.com"), None);
    assert_eq!(region_from_host("b.kafka.amazonaws.com"), None);
}

#[test]
fn strips_ports() {
    assert_eq!(strip_port("b-1.x:9098"), "b-1.x");
    assert_eq!(strip_port("b-1.x"), "b-1.x");
    assert_eq!(strip_port("[::1]:9098"), "::1");
    assert_eq!(strip_port("::1"), "::1");
}

fn fixed(props_: &[(&str, &str)], env: &[(&str, &str)]) -> Result<MskIam, String> {
    MskIam::from_properties_with(
        &props(props_),
        Env::from_pairs(env),
        Clock::from_fn(|| SystemTime::UNIX_EPOCH + Duration::from_secs(T)),
    )
}

#[test]
fn region_order_property_then_host_then_environment() {
    let keys = [
        ("sasl.aws.access.key.id", "AKID"),
        ("sasl.aws.secret.access.key", "secret"),
    ];
    let env = [("AWS_REGION", "ap-south-1")];
    let with_prop = fixed(&[keys[0], keys[1], ("sasl.aws.region", "us-east-2")], &env).unwrap();
    assert_eq!(
        with_prop
            .region_for("b-1.x.kafka.eu-west-1.amazonaws.com")
            .unwrap(),
        "us-east-2"
    );
    let mech = fixed(&keys, &env).unwrap();
    assert_eq!(
        mech.region_for("b-1.x.kafka.eu-west-1.amazonaws.com")
            .unwrap(),
        "eu-west-1"
    );
    assert_eq!(mech.region_for("localhost").unwrap(), "ap-south-1");
    let none = fixed(&keys, &[("HOME", "/nonexistent")]).unwrap();
    assert_eq!(
        none.region_for("localhost").unwrap_err().0,
        "no AWS region for broker localhost: set sasl.aws.region or AWS_REGION"
    );
}

#[test]
fn property_errors() {
    assert_eq!(
        fixed(&[("sasl.aws.access.key.id", "AKID")], &[]).unwrap_err(),
        "sasl.aws.access.key.id needs sasl.aws.secret.access.key"
    );
    assert_eq!(
        fixed(&[("sasl.aws.secret.access.key", "s")], &[]).unwrap_err(),
        "sasl.aws.secret.access.key needs sasl.aws.access.key.id"
    );
    assert_eq!(
        fixed(&[("sasl.aws.region", "us east")], &[]).unwrap_err(),
        "sasl.aws.region: \"us east\" is not an AWS region"
    );
    assert_eq!(
        fixed(
            &[
                ("sasl.aws.access.key.id", "AKID"),
                ("sasl.aws.secret.access.key", "s"),
                ("sasl.aws.profile", "p")
            ],
            &[]
        )
        .unwrap_err(),
        "set either sasl.aws.profile or sasl.aws.access.key.id, not both"
    );
}

#[tokio::test]
async fn exchange_sends_the_payload_and_checks_the_answer() {
    let mech = fixed(
        &[
            ("sasl.aws.access.key.id", "AKIDEXAMPLE"),
            (
                "sasl.aws.secret.access.key",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            ),
            ("sasl.aws.session.token", "TOKEN"),
        ],
        &[],
    )
    .unwrap();
    assert_eq!(mech.name(), "AWS_MSK_IAM");
    assert_eq!(mech.principal(), "AKIDEXAMPLE");
    let host = "b-1.demo.kafka.us-west-2.amazonaws.com";
    let mut ex = mech.start(&format!("{host}:9098")).await.unwrap();
    let first = ex.step(b"").unwrap().unwrap();
    let expected = auth_payload(
        host,
        "us-west-2",
        &example_credentials(Some("TOKEN")),
        SystemTime::UNIX_EPOCH + Duration::from_secs(T),
        &format!("kbrowse/{}", env!("CARGO_PKG_VERSION")),
    );
    assert_eq!(String::from_utf8(first).unwrap(), expected);
    assert_eq!(
        ex.step(br#"{"version":"2020_10_22","request-id":"a1b2"}"#)
            .unwrap(),
        None
    );
}

#[test]
fn server_answers_that_are_refused() {
    let check = |answer: &[u8]| check_server_answer(answer).unwrap_err().0;
    assert_eq!(
        check(b"\x1b[31mnope"),
        "unexpected AWS_MSK_IAM answer (not JSON): \\u{1b}[31mnope"
    );
    assert_eq!(
        check(br#"{"version":"2099_01_01","request-id":"x"}"#),
        "the broker answered AWS_MSK_IAM version 2099_01_01, expected 2020_10_22"
    );
    assert_eq!(
        check(br#"{"version":"2020_10_22"}"#),
        r#"unexpected AWS_MSK_IAM answer (no request-id): {"version":"2020_10_22"}"#
    );
    assert_eq!(
        check(br#"{"request-id":"x"}"#),
        r#"unexpected AWS_MSK_IAM answer (no version): {"request-id":"x"}"#
    );
}
