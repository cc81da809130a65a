//! AWS_MSK_IAM against independent parts:
//! - AWS's Python signer (aws-msk-iam-sasl-signer-python, installed by scripts/msk-signer-venv):
//!   for the same credentials, region and time it presigns the same GET (for host
//!   `kafka.REGION.amazonaws.com`); every `X-Amz-*` parameter of its URL, the signature
//!   included, must equal the field of our payload for that host;
//! - a stand-in broker-side verifier that recomputes the signature from the shared secret and
//!   accepts the right payload and rejects tampered, expired and wrongly keyed ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime};

use kbrowse::kafka::sasl::Mechanism;
use kbrowse::kafka::sasl::clock::Clock;
use kbrowse::kafka::sasl::msk_iam::{Credentials, Env, MskIam, auth_payload, sigv4};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// The venv's python: KBROWSE_MSK_SIGNER_PYTHON, else `.venv/bin/python`. Under CI a missing
/// signer fails the test; elsewhere it is skipped with a note.
fn signer_python() -> Option<PathBuf> {
    let path = std::env::var_os("KBROWSE_MSK_SIGNER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").is_err(),
        "{} is missing under CI: scripts/msk-signer-venv did not run",
        path.display()
    );
    eprintln!(
        "no {}: skipping (run scripts/msk-signer-venv)",
        path.display()
    );
    None
}

/// The query parameters (decoded) of the URL AWS's signer makes, and its expiry in ms.
fn python_presigned(
    python: &PathBuf,
    region: &str,
    key_id: &str,
    token: Option<&str>,
    secs: u64,
) -> (Vec<(String, String)>, u64) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/msk_iam_signer.py");
    let out = Command::new(python)
        .arg(script)
        .args([
            region,
            key_id,
            SECRET,
            token.unwrap_or("-"),
            &secs.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "signer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let url = lines.next().unwrap();
    let expiry: u64 = lines.next().unwrap().parse().unwrap();
    let (base, query) = url.split_once('?').unwrap();
    assert_eq!(base, format!("https://kafka.{region}.amazonaws.com/"));
    let params = query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    (params, expiry)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn credentials(key_id: &str, token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: key_id.into(),
        secret_access_key: SECRET.into(),
        session_token: token.map(String::from),
        expires_at: None,
    }
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn payload_matches_aws_python_signer() {
    let Some(python) = signer_python() else {
        return;
    };
    let cases = [
        (
            "us-west-2",
            "AKIDEXAMPLE",
            Some("IQoJb3JpZ2luX2VjEXAMPLE/+="),
            1_700_000_000,
        ),
        ("eu-central-1", "AKIAIOSFODNN7EXAMPLE", None, 1_735_689_599),
        (
            "ap-southeast-2",
            "ASIAXAMPLE",
            Some("FwoGZXIvYXdzE//////////wEaD a b"),
            946_684_800,
        ),
    ];
    for (region, key_id, token, secs) in cases {
        let (theirs, expiry_ms) = python_presigned(&python, region, key_id, token, secs);
        assert_eq!(expiry_ms, (secs + 900) * 1000);
        let host = format!("kafka.{region}.amazonaws.com");
        let ours: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&auth_payload(
            &host,
            region,
            &credentials(key_id, token),
            at(secs),
            "kbrowse/test",
        ))
        .unwrap();
        let mut compared = 0;
        for (name, value) in &theirs {
            match name.as_str() {
                "Action" => assert_eq!(ours["action"], value.as_str()),
                // Added after signing, as in the Java library's payload.
                "User-Agent" => assert!(value.starts_with("aws-msk-iam-sasl-signer-python/")),
                _ => {
                    let key = name.to_ascii_lowercase();
                    assert_eq!(ours[&key], value.as_str(), "{region}: {name}");
                    compared += 1;
                }
            }
        }
        let expected = if token.is_some() { 7 } else { 6 };
        assert_eq!(compared, expected, "{region}: X-Amz-* parameters compared");
        assert_eq!(ours.len(), 4 + expected);
    }
}

/// A broker-side AWS_MSK_IAM check, as MSK does it: the key id names the secret, the date must
/// be within the expiry window, and the signature is recomputed from the presigned GET.
struct StandInBroker {
    key_id: &'static str,
    secret: &'static str,
    host: &'static str,
    now: u64,
}

impl StandInBroker {
    fn authenticate(&self, payload: &[u8]) -> Result<Vec<u8>, String> {
        let json: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(payload).map_err(|_| "payload is not JSON".to_string())?;
        let field = |k: &str| {
            json.get(k)
                .and_then(|v| v.as_str())
                .ok_or_else(|| format!("missing {k}"))
        };
        if field("version")? != "2020_10_22" || field("action")? != "kafka-cluster:Connect" {
            return Err("bad version or action".into());
        }
        if field("host")? != self.host {
            return Err("signed for another host".into());
        }
        if field("x-amz-algorithm")? != "AWS4-HMAC-SHA256"
            || field("x-amz-signedheaders")? != "host"
        {
            return Err("bad algorithm or signed headers".into());
        }
        let credential = field("x-amz-credential")?;
        let parts: Vec<&str> = credential.split('/').collect();
        let [key_id, date, region, service, "aws4_request"] = parts[..] else {
            return Err("bad credential".into());
        };
        if key_id != self.key_id || service != "kafka-cluster" {
            return Err("unknown access key".into());
        }
        let amz_date = field("x-amz-date")?;
        let signed_at = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
            .map_err(|_| "bad date")?
            .and_utc()
            .timestamp() as u64;
        let expires: u64 = field("x-amz-expires")?.parse().map_err(|_| "bad expires")?;
        if !amz_date.starts_with(date)
            || self.now > signed_at + expires
            || signed_at > self.now + 300
        {
            return Err("signature expired".into());
        }
        let mut query = vec![("Action".to_string(), "kafka-cluster:Connect".to_string())];
        for (name, canonical) in [
            ("x-amz-algorithm", "X-Amz-Algorithm"),
            ("x-amz-credential", "X-Amz-Credential"),
            ("x-amz-date", "X-Amz-Date"),
            ("x-amz-expires", "X-Amz-Expires"),
            ("x-amz-security-token", "X-Amz-Security-Token"),
            ("x-amz-signedheaders", "X-Amz-SignedHeaders"),
        ] {
            if let Some(v) = json.get(name).and_then(|v| v.as_str()) {
                query.push((canonical.to_string(), v.to_string()));
            }
        }
        let scope = sigv4::Scope {
            region,
            service,
            time: at(signed_at),
        };
        let request = sigv4::Request {
            method: "GET",
            path: "/",
            query,
            headers: vec![("host".into(), self.host.into())],
            payload_sha256: sigv4::EMPTY_PAYLOAD_SHA256.into(),
        };
        if sigv4::sign(self.secret, &scope, &request) != field("x-amz-signature")? {
            return Err("signature mismatch".into());
        }
        Ok(
            br#"{"version":"2020_10_22","request-id":"3b1f6c1e-1111-2222-3333-444455556666"}"#
                .to_vec(),
        )
    }
}

const HOST: &str = "b-1.demo.abc123.c2.kafka.eu-west-1.amazonaws.com";
const NOW: u64 = 1_700_000_000;

fn mechanism(secret: &str, token: Option<&str>, clock_secs: u64) -> MskIam {
    let mut props = vec![
        (
            "sasl.aws.access.key.id".to_string(),
            "AKIDEXAMPLE".to_string(),
        ),
        ("sasl.aws.secret.access.key".to_string(), secret.to_string()),
    ];
    if let Some(t) = token {
        props.push(("sasl.aws.session.token".into(), t.into()));
    }
    MskIam::from_properties_with(
        &props,
        Env::from_pairs(&[]),
        Clock::from_fn(move || at(clock_secs)),
    )
    .unwrap()
}

async fn first_message(mech: &MskIam) -> (Vec<u8>, Box<dyn kbrowse::kafka::sasl::Exchange>) {
    let mut ex = mech.start(&format!("{HOST}:9098")).await.unwrap();
    let first = ex.step(b"").unwrap().unwrap();
    (first, ex)
}

fn broker() -> StandInBroker {
    StandInBroker {
        key_id: "AKIDEXAMPLE",
        secret: SECRET,
        host: HOST,
        now: NOW + 60,
    }
}

#[tokio::test]
async fn stand_in_broker_accepts_the_signed_payload() {
    for token in [None, Some("IQoJb3JpZ2luX2VjEXAMPLE/+= x")] {
        let (payload, mut ex) = first_message(&mechanism(SECRET, token, NOW)).await;
        let answer = broker().authenticate(&payload).unwrap();
        assert_eq!(ex.step(&answer).unwrap(), None);
    }
}

#[tokio::test]
async fn stand_in_broker_rejects_tampering() {
    let (payload, _) = first_message(&mechanism(SECRET, Some("TOKEN"), NOW)).await;
    let json: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&payload).unwrap();
    for (field, value) in [
        ("x-amz-security-token", "OTHER"),
        ("x-amz-expires", "3600"),
        ("x-amz-date", "20231114T221321Z"),
        (
            "x-amz-signature",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ),
    ] {
        let mut tampered = json.clone();
        tampered.insert(field.into(), value.into());
        let bytes = serde_json::to_vec(&tampered).unwrap();
        assert_eq!(
            broker().authenticate(&bytes).unwrap_err(),
            "signature mismatch",
            "{field}"
        );
    }
    let mut other_host = json.clone();
    other_host.insert(
        "host".into(),
        "b-2.demo.abc123.c2.kafka.eu-west-1.amazonaws.com".into(),
    );
    assert_eq!(
        broker()
            .authenticate(&serde_json::to_vec(&other_host).unwrap())
            .unwrap_err(),
        "signed for another host"
    );
}

#[tokio::test]
async fn stand_in_broker_rejects_a_wrong_secret_and_an_old_signature() {
    let (payload, _) = first_message(&mechanism("not-the-secret", None, NOW)).await;
    assert_eq!(
        broker().authenticate(&payload).unwrap_err(),
        "signature mismatch"
    );
    let (payload, _) = first_message(&mechanism(SECRET, None, NOW - 901)).await;
    assert_eq!(
        broker().authenticate(&payload).unwrap_err(),
        "signature expired"
    );
}
