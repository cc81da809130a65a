//! OAUTHBEARER (RFC 7628, KIP-255, KIP-342 extensions, KIP-768 OIDC client credentials).
//!
//! The client sends one message, `n,,\x01auth=Bearer <token>\x01[key=value\x01]*\x01`. An empty
//! answer means success. On failure the broker answers with a JSON error (`{"status":...}`) and
//! waits for a lone `\x01`, after which it fails the SaslAuthenticate with that JSON as message.
//!
//! Where the token comes from (`sasl.oauthbearer.*` properties):
//! - `sasl.oauthbearer.token`: the token itself, `file:PATH` (re-read at every authentication, so
//!   a refreshed file is picked up), `env:VAR` or `cmd:COMMAND` (run by `sh -c` each time);
//! - `sasl.oauthbearer.method=oidc`: client credentials from `sasl.oauthbearer.token.endpoint.url`
//!   (see `oidc`);
//! - otherwise `sasl.oauthbearer.config` (librdkafka's unsecured JWT, for tests; see `unsecured`).

mod oidc;
mod source;
mod unsecured;

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::clock::Clock;
use super::{Exchange, Mechanism, SaslError};

pub use oidc::OidcClient;
pub(crate) use source::run_token_command;
use source::{parse_token_source, read_bounded};
pub use unsecured::UnsecuredJwt;

/// The longest token accepted from a file, a command or an endpoint (JWTs are a few KiB).
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The configured OAUTHBEARER mechanism.
#[derive(Debug, Clone)]
pub struct OAuthBearer {
    source: TokenSource,
    extensions: Vec<(String, String)>,
}

/// Where each authentication gets its token.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// A fixed token.
    Static(Secret),
    /// A file holding the token, read at every authentication.
    File(PathBuf),
    /// An environment variable holding the token, read at every authentication.
    Env(String),
    /// A shell command printing the token, run at every authentication.
    Command(String),
    /// librdkafka's unsecured JWT (`alg: none`), built at every authentication.
    Unsecured(UnsecuredJwt),
    /// OIDC client credentials, cached and refreshed before expiry.
    Oidc(Arc<OidcClient>),
}

/// A secret string whose Debug output does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl OAuthBearer {
    /// A mechanism taking its token from `source` and sending `extensions` (KIP-342).
    pub fn new(source: TokenSource, extensions: Vec<(String, String)>) -> Result<Self, String> {
        for (key, value) in &extensions {
            check_extension(key, value)?;
        }
        Ok(OAuthBearer { source, extensions })
    }

    /// Builds the mechanism from librdkafka-style `sasl.oauthbearer.*` properties (other keys
    /// are ignored: the caller owns them). The clock is the system's.
    pub fn from_properties(props: &[(String, String)]) -> Result<Self, String> {
        Self::from_properties_with_clock(props, Clock::system())
    }

    /// `from_properties` with an injected clock (tests).
    pub fn from_properties_with_clock(
        props: &[(String, String)],
        clock: Clock,
    ) -> Result<Self, String> {
        Self::from_properties_with_tls(props, clock, None)
    }

    /// `from_properties_with_clock` with the TLS settings for an https token endpoint (see
    /// `OidcClient::new`).
    pub fn from_properties_with_tls(
        props: &[(String, String)],
        clock: Clock,
        tls: Option<rustls::ClientConfig>,
    ) -> Result<Self, String> {
        let get = |key: &str| {
            props
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let mut extensions = match get("sasl.oauthbearer.extensions") {
            Some(list) => parse_extension_list(list)?,
            None => Vec::new(),
        };
        let method = get("sasl.oauthbearer.method").unwrap_or("default");
        let source = if method.eq_ignore_ascii_case("oidc") {
            if get("sasl.oauthbearer.token").is_some() {
                return Err("sasl.oauthbearer.token cannot be combined with \
                            sasl.oauthbearer.method=oidc"
                    .into());
            }
            let required = |key: &str| {
                get(key)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| format!("sasl.oauthbearer.method=oidc needs {key}"))
            };
            let client = OidcClient::new(
                required("sasl.oauthbearer.token.endpoint.url")?,
                required("sasl.oauthbearer.client.id")?,
                Secret(required("sasl.oauthbearer.client.secret")?.to_string()),
                get("sasl.oauthbearer.scope").filter(|s| !s.is_empty()),
                clock,
                tls,
            )?;
            TokenSource::Oidc(Arc::new(client))
        } else if method.eq_ignore_ascii_case("default") {
            match (
                get("sasl.oauthbearer.token"),
                get("sasl.oauthbearer.config"),
            ) {
                (Some(_), Some(_)) => {
                    return Err(
                        "set either sasl.oauthbearer.token or sasl.oauthbearer.config, \
                                not both"
                            .into(),
                    );
                }
                (Some(token), None) => parse_token_source(token)?,
                (None, Some(config)) => {
                    let jwt = UnsecuredJwt::parse(config, clock)?;
                    extensions.extend(jwt.extensions().iter().cloned());
                    TokenSource::Unsecured(jwt)
                }
                (None, None) => {
                    return Err(
                        "OAUTHBEARER needs sasl.oauthbearer.token (a token, file:PATH, \
                                env:VAR or cmd:COMMAND), sasl.oauthbearer.method=oidc, or \
                                sasl.oauthbearer.config (unsecured JWT)"
                            .into(),
                    );
                }
            }
        } else {
            return Err(format!(
                "sasl.oauthbearer.method: unknown value {method:?} (expected default or oidc)"
            ));
        };
        Self::new(source, extensions)
    }

    /// Where the token comes from.
    pub fn source(&self) -> &TokenSource {
        &self.source
    }

    /// The extensions sent with the token.
    pub fn extensions(&self) -> &[(String, String)] {
        &self.extensions
    }

    /// Gets the token for one authentication.
    pub async fn token(&self) -> Result<String, SaslError> {
        let token = match &self.source {
            TokenSource::Static(secret) => secret.0.clone(),
            TokenSource::File(path) => {
                let bytes = read_bounded(path).map_err(SaslError)?;
                String::from_utf8(bytes)
                    .map_err(|_| SaslError(format!("token file {} is not UTF-8", path.display())))?
            }
            TokenSource::Env(var) => std::env::var(var).map_err(|_| {
                SaslError(format!("token variable {var} is not set (or not UTF-8)"))
            })?,
            TokenSource::Command(command) => run_token_command(command).await?,
            TokenSource::Unsecured(jwt) => jwt.token(),
            TokenSource::Oidc(client) => client.token().await?,
        };
        let token = token.trim().to_string();
        check_token(&token).map_err(|e| SaslError(format!("{e} ({})", self.source_name())))?;
        Ok(token)
    }

    fn source_name(&self) -> String {
        match &self.source {
            TokenSource::Static(_) => "sasl.oauthbearer.token".into(),
            TokenSource::File(path) => format!("from file {}", path.display()),
            TokenSource::Env(var) => format!("from ${var}"),
            TokenSource::Command(_) => "from sasl.oauthbearer.token's command".into(),
            TokenSource::Unsecured(_) => "unsecured JWT".into(),
            TokenSource::Oidc(client) => format!("from {}", client.endpoint()),
        }
    }
}

impl Mechanism for OAuthBearer {
    fn name(&self) -> &'static str {
        "OAUTHBEARER"
    }

    fn principal(&self) -> String {
        match &self.source {
            TokenSource::Unsecured(jwt) => jwt.principal().to_string(),
            TokenSource::Oidc(client) => client.client_id().to_string(),
            TokenSource::File(path) => format!("token file {}", path.display()),
            TokenSource::Env(var) => format!("token ${var}"),
            TokenSource::Command(_) => "token command".into(),
            TokenSource::Static(secret) => {
                jwt_claim_str(&secret.0, "sub").unwrap_or_else(|| "static token".into())
            }
        }
    }

    fn start<'a>(&'a self, _host: &'a str) -> BoxFuture<'a, Result<Box<dyn Exchange>, SaslError>> {
        Box::pin(async move {
            let token = self.token().await?;
            let message = initial_response(&token, &self.extensions);
            Ok(Box::new(OAuthBearerExchange::new(message)) as Box<dyn Exchange>)
        })
    }
}

/// The client's one message: RFC 7628's initial response with KIP-342 extensions.
pub fn initial_response(token: &str, extensions: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(token.len() + 32);
    out.extend_from_slice(b"n,,\x01auth=Bearer ");
    out.extend_from_slice(token.as_bytes());
    out.push(1);
    for (key, value) in extensions {
        out.extend_from_slice(key.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value.as_bytes());
        out.push(1);
    }
    out.push(1);
    out
}

/// What the broker's JSON error (RFC 7628 §3.2.2) says, as one line: `status` first, then
/// `scope` and `openid-configuration` when present. `None` when `message` is not that JSON.
pub fn describe_server_error(message: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(message).ok()?;
    let status = value.get("status")?.as_str()?;
    let mut line = format!("status {}", printable(status));
    for key in ["scope", "openid-configuration"] {
        if let Some(v) = value.get(key).and_then(|v| v.as_str()) {
            line.push_str(&format!(", {key} {}", printable(v)));
        }
    }
    Some(line)
}

/// One OAUTHBEARER authentication: send the initial response, then accept an empty answer or
/// acknowledge the broker's JSON error with `\x01`.
#[derive(Debug)]
struct OAuthBearerExchange {
    first: Option<Vec<u8>>,
    rejected: Option<String>,
}

impl OAuthBearerExchange {
    fn new(message: Vec<u8>) -> Self {
        OAuthBearerExchange {
            first: Some(message),
            rejected: None,
        }
    }
}

impl Exchange for OAuthBearerExchange {
    fn step(&mut self, server: &[u8]) -> Result<Option<Vec<u8>>, SaslError> {
        if let Some(message) = self.first.take() {
            return Ok(Some(message));
        }
        if let Some(status) = self.rejected.take() {
            return Err(SaslError(format!(
                "the broker rejected the token: {status}"
            )));
        }
        if server.is_empty() {
            return Ok(None);
        }
        let status = describe_server_error(server).unwrap_or_else(|| {
            format!(
                "unexpected answer {}",
                printable(&String::from_utf8_lossy(&server[..server.len().min(200)]))
            )
        });
        tracing::debug!(%status, "OAUTHBEARER: the broker rejected the token");
        self.rejected = Some(status);
        // The broker waits for this before it fails the SaslAuthenticate (RFC 7628 §3.2.3).
        Ok(Some(vec![1]))
    }
}

/// Parses librdkafka's `sasl.oauthbearer.extensions`: `key=value` pairs separated by commas.
fn parse_extension_list(list: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("sasl.oauthbearer.extensions: {pair:?} is not key=value"))?;
        check_extension(key, value)?;
        out.push((key.to_string(), value.to_string()));
    }
    Ok(out)
}

/// RFC 7628 §3.1: key = 1*ALPHA, value = *(VCHAR / SP / HTAB / CR / LF); `auth` is reserved.
fn check_extension(key: &str, value: &str) -> Result<(), String> {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!(
            "OAUTHBEARER extension name {key:?} must be letters only (RFC 7628)"
        ));
    }
    if key == "auth" {
        return Err("OAUTHBEARER extension name \"auth\" is reserved".into());
    }
    if !value
        .bytes()
        .all(|b| (0x21..=0x7e).contains(&b) || matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        return Err(format!(
            "OAUTHBEARER extension {key}: the value must be printable ASCII (RFC 7628)"
        ));
    }
    Ok(())
}

/// RFC 6750's b64token: what may follow `Bearer ` (never shown: it is a secret).
fn check_token(token: &str) -> Result<(), String> {
    if token.is_empty() {
        return Err("the token is empty".into());
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(format!("the token is longer than {MAX_TOKEN_LEN} bytes"));
    }
    let body = token.trim_end_matches('=');
    let bad = body.bytes().position(|b| {
        !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
    });
    match bad {
        Some(at) => Err(format!(
            "the token has a character a bearer token cannot have, at byte {at}"
        )),
        None if body.is_empty() => Err("the token is only padding".into()),
        None => Ok(()),
    }
}

/// The JSON payload of a JWT (its second dot-separated part), if it is one.
pub(crate) fn jwt_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

fn jwt_claim_str(token: &str, claim: &str) -> Option<String> {
    jwt_claims(token)?
        .get(claim)?
        .as_str()
        .map(|s| printable(s).into_owned())
}

/// A string from the network or a token, with control characters escaped, for one-line errors.
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.escape_default().to_string().into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests;
