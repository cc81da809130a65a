//! AWS_MSK_IAM: the protocol of AWS's aws-msk-iam-auth library (version `2020_10_22`).
//!
//! The client sends one JSON object: the query parameters of a SigV4-presigned
//! `GET https://{broker host}/?Action=kafka-cluster%3AConnect` for service `kafka-cluster`
//! (names lower-cased, values decoded), plus `version`, `host`, `user-agent` and `action`. The
//! broker answers with JSON holding `version` and `request-id`.
//!
//! SigV4 and the credential chain are hand-written on hmac/sha2/reqwest (already in the build
//! for SCRAM and OIDC): aws-sigv4 + aws-config pull in the aws-smithy runtime, a second HTTP
//! stack and aws-lc-rs, for what is here a few hundred lines checked against AWS's vectors and
//! AWS's own Python signer.

pub mod credentials;
pub mod sigv4;

use std::sync::Arc;
use std::time::SystemTime;

use futures::future::BoxFuture;

use super::clock::Clock;
use super::oauthbearer::printable;
use super::{Exchange, Mechanism, SaslError};
pub use credentials::{CredentialProvider, Credentials, Env};

/// The protocol version sent and expected back.
pub const VERSION: &str = "2020_10_22";
/// The one action a client asks for.
pub const ACTION: &str = "kafka-cluster:Connect";
/// The SigV4 service name.
pub const SERVICE: &str = "kafka-cluster";
/// How long the signature is valid, as aws-msk-iam-auth sets it.
pub const EXPIRES_SECS: u64 = 900;

/// The configured AWS_MSK_IAM mechanism.
#[derive(Debug, Clone)]
pub struct MskIam {
    region: Option<String>,
    credentials: Arc<CredentialProvider>,
    env: Env,
    clock: Clock,
    user_agent: String,
}

impl MskIam {
    /// A mechanism signing with `credentials` in `region` (None: from the broker's host name,
    /// then `AWS_REGION`/`AWS_DEFAULT_REGION`).
    pub fn new(
        region: Option<String>,
        credentials: CredentialProvider,
        env: Env,
        clock: Clock,
    ) -> Self {
        MskIam {
            region,
            credentials: Arc::new(credentials),
            env,
            clock,
            user_agent: format!("kbrowse/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Builds the mechanism from `sasl.aws.*` properties (other keys are ignored):
    /// `sasl.aws.region`, `sasl.aws.profile`, and `sasl.aws.access.key.id` +
    /// `sasl.aws.secret.access.key` (+ `sasl.aws.session.token`) for fixed credentials. Without
    /// fixed credentials they come from AWS's standard chain.
    pub fn from_properties(props: &[(String, String)]) -> Result<Self, String> {
        Self::from_properties_with(props, Env::process(), Clock::system())
    }

    /// `from_properties` with an injected environment and clock (tests).
    pub fn from_properties_with(
        props: &[(String, String)],
        env: Env,
        clock: Clock,
    ) -> Result<Self, String> {
        let get = |key: &str| {
            props
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let region = get("sasl.aws.region").map(String::from);
        if let Some(r) = &region {
            check_region(r).map_err(|e| format!("sasl.aws.region: {e}"))?;
        }
        let fixed = match (
            get("sasl.aws.access.key.id"),
            get("sasl.aws.secret.access.key"),
        ) {
            (Some(id), Some(secret)) => Some(Credentials {
                access_key_id: id.to_string(),
                secret_access_key: secret.to_string(),
                session_token: get("sasl.aws.session.token").map(String::from),
                expires_at: None,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err("sasl.aws.access.key.id needs sasl.aws.secret.access.key".into());
            }
            (None, Some(_)) => {
                return Err("sasl.aws.secret.access.key needs sasl.aws.access.key.id".into());
            }
        };
        let profile = get("sasl.aws.profile").map(String::from);
        let provider = match fixed {
            Some(_) if profile.is_some() => {
                return Err(
                    "set either sasl.aws.profile or sasl.aws.access.key.id, not both".into(),
                );
            }
            Some(creds) => CredentialProvider::fixed(creds),
            None => CredentialProvider::chain(profile, env.clone(), clock.clone())?,
        };
        Ok(Self::new(region, provider, env, clock))
    }

    /// The region to sign for when talking to `host`.
    pub fn region_for(&self, host: &str) -> Result<String, SaslError> {
        if let Some(region) = &self.region {
            return Ok(region.clone());
        }
        if let Some(region) = region_from_host(host) {
            return Ok(region);
        }
        for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let Some(region) = self.env.get(var).filter(|r| check_region(r).is_ok()) {
                return Ok(region);
            }
        }
        if let Some(region) = self.credentials.profile_region() {
            return Ok(region);
        }
        Err(SaslError(format!(
            "no AWS region for broker {}: set sasl.aws.region or AWS_REGION",
            printable(host)
        )))
    }
}

impl Mechanism for MskIam {
    fn name(&self) -> &'static str {
        "AWS_MSK_IAM"
    }

    fn principal(&self) -> String {
        self.credentials.principal()
    }

    fn start<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Box<dyn Exchange>, SaslError>> {
        Box::pin(async move {
            let host = strip_port(host);
            let region = self.region_for(host)?;
            let credentials = self.credentials.credentials().await?;
            let payload = auth_payload(
                host,
                &region,
                &credentials,
                self.clock.now(),
                &self.user_agent,
            );
            tracing::debug!(host, region, access_key_id = %credentials.access_key_id, "AWS_MSK_IAM: signed");
            Ok(Box::new(MskIamExchange {
                first: Some(payload.into_bytes()),
            }) as Box<dyn Exchange>)
        })
    }
}

/// The client's message for broker `host` (no port) as aws-msk-iam-auth builds it.
pub fn auth_payload(
    host: &str,
    region: &str,
    credentials: &Credentials,
    time: SystemTime,
    user_agent: &str,
) -> String {
    let scope = sigv4::Scope {
        region,
        service: SERVICE,
        time,
    };
    let signed = sigv4::presign(
        host,
        "/",
        &[("Action".into(), ACTION.into())],
        credentials,
        &scope,
        EXPIRES_SECS,
    );
    let mut map = serde_json::Map::new();
    map.insert("version".into(), VERSION.into());
    map.insert("host".into(), host.into());
    map.insert("user-agent".into(), user_agent.into());
    map.insert("action".into(), ACTION.into());
    for (name, value) in signed {
        if name != "Action" {
            map.insert(name.to_ascii_lowercase(), value.into());
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// One AWS_MSK_IAM authentication: the payload, then the broker's JSON answer.
#[derive(Debug)]
struct MskIamExchange {
    first: Option<Vec<u8>>,
}

impl Exchange for MskIamExchange {
    fn step(&mut self, server: &[u8]) -> Result<Option<Vec<u8>>, SaslError> {
        if let Some(message) = self.first.take() {
            return Ok(Some(message));
        }
        check_server_answer(server)?;
        Ok(None)
    }
}

/// The broker's answer must be JSON with `version` 2020_10_22 and a `request-id`.
fn check_server_answer(server: &[u8]) -> Result<(), SaslError> {
    let shown =
        || printable(&String::from_utf8_lossy(&server[..server.len().min(200)])).into_owned();
    let json: serde_json::Value = serde_json::from_slice(server).map_err(|_| {
        SaslError(format!(
            "unexpected AWS_MSK_IAM answer (not JSON): {}",
            shown()
        ))
    })?;
    match json.get("version").and_then(|v| v.as_str()) {
        Some(VERSION) => {}
        Some(other) => {
            return Err(SaslError(format!(
                "the broker answered AWS_MSK_IAM version {}, expected {VERSION}",
                printable(other)
            )));
        }
        None => {
            return Err(SaslError(format!(
                "unexpected AWS_MSK_IAM answer (no version): {}",
                shown()
            )));
        }
    }
    match json.get("request-id").and_then(|v| v.as_str()) {
        Some(id) if !id.is_empty() => {
            tracing::debug!(request_id = %printable(id), "AWS_MSK_IAM: authenticated");
            Ok(())
        }
        _ => Err(SaslError(format!(
            "unexpected AWS_MSK_IAM answer (no request-id): {}",
            shown()
        ))),
    }
}

/// `b-1.name.abc123.c2.kafka.eu-west-1.amazonaws.com` → `eu-west-1` (also
/// `kafka-serverless` and the `.amazonaws.com.cn` partition).
pub fn region_from_host(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    let at = labels.iter().rposition(|l| {
        l.eq_ignore_ascii_case("kafka") || l.eq_ignore_ascii_case("kafka-serverless")
    })?;
    let region = labels.get(at + 1)?;
    let rest = labels.get(at + 2..)?;
    let amazon = rest
        .first()
        .is_some_and(|l| l.eq_ignore_ascii_case("amazonaws"));
    (amazon && check_region(region).is_ok()).then(|| region.to_ascii_lowercase())
}

fn check_region(region: &str) -> Result<(), String> {
    if !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(())
    } else {
        Err(format!("{:?} is not an AWS region", printable(region)))
    }
}

/// `host:port` → `host` (bracketed IPv6 keeps its brackets off).
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

#[cfg(test)]
mod tests;
