//! librdkafka's unsecured JWT (`sasl.oauthbearer.config`), for brokers running Kafka's
//! unsecured validator in tests: `{"alg":"none"}` with the principal, `iat` and `exp` claims.
//!
//! The config is librdkafka's: space-separated `principal=NAME` (required),
//! `principalClaimName=` (default `sub`), `scope=a,b`, `scopeClaimName=` (default `scope`),
//! `lifeSeconds=` (default 3600) and `extension_NAME=value`.

use base64::Engine;

use crate::kafka::sasl::clock::Clock;

/// The settings an unsecured token is built from at every authentication.
#[derive(Debug, Clone)]
pub struct UnsecuredJwt {
    principal: String,
    principal_claim: String,
    scope: Vec<String>,
    scope_claim: String,
    life_seconds: u64,
    extensions: Vec<(String, String)>,
    clock: Clock,
}

impl UnsecuredJwt {
    /// Parses librdkafka's `sasl.oauthbearer.config` value.
    pub fn parse(config: &str, clock: Clock) -> Result<Self, String> {
        let mut jwt = UnsecuredJwt {
            principal: String::new(),
            principal_claim: "sub".into(),
            scope: Vec::new(),
            scope_claim: "scope".into(),
            life_seconds: 3600,
            extensions: Vec::new(),
            clock,
        };
        for item in config.split_whitespace() {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| format!("sasl.oauthbearer.config: {item:?} is not key=value"))?;
            match key {
                "principal" => jwt.principal = value.to_string(),
                "principalClaimName" => jwt.principal_claim = value.to_string(),
                "scope" => {
                    jwt.scope = value
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                }
                "scopeClaimName" => jwt.scope_claim = value.to_string(),
                "lifeSeconds" => {
                    jwt.life_seconds = value.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
                        format!(
                            "sasl.oauthbearer.config: lifeSeconds={value} is not a positive number"
                        )
                    })?
                }
                _ => match key.strip_prefix("extension_") {
                    Some(name) => jwt.extensions.push((name.to_string(), value.to_string())),
                    None => {
                        return Err(format!(
                            "sasl.oauthbearer.config: unknown key {key:?} (expected principal, \
                             principalClaimName, scope, scopeClaimName, lifeSeconds or \
                             extension_NAME)"
                        ));
                    }
                },
            }
        }
        if jwt.principal.is_empty() {
            return Err("sasl.oauthbearer.config needs principal=NAME".into());
        }
        if jwt.principal_claim.is_empty() || jwt.scope_claim.is_empty() {
            return Err("sasl.oauthbearer.config: a claim name cannot be empty".into());
        }
        Ok(jwt)
    }

    /// The principal the token names.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The `extension_NAME=value` items, sent with the token.
    pub fn extensions(&self) -> &[(String, String)] {
        &self.extensions
    }

    /// A fresh token: `base64url(header).base64url(claims).` (empty signature).
    pub fn token(&self) -> String {
        let now = self.clock.unix_secs();
        let mut claims = serde_json::Map::new();
        claims.insert(self.principal_claim.clone(), self.principal.clone().into());
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), now.saturating_add(self.life_seconds).into());
        if !self.scope.is_empty() {
            claims.insert(self.scope_claim.clone(), self.scope.clone().into());
        }
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            b64.encode(br#"{"alg":"none"}"#),
            b64.encode(serde_json::Value::Object(claims).to_string())
        )
    }
}
