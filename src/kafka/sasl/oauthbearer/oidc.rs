//! OIDC client credentials (KIP-768, librdkafka's `sasl.oauthbearer.method=oidc`).
//!
//! POSTs `grant_type=client_credentials[&scope=...]` to the token endpoint with HTTP Basic
//! authentication (client id and secret), as librdkafka does. The token is cached and fetched
//! again once 80% of its lifetime (`expires_in`, else the JWT's `exp`) has passed; if that fetch
//! fails while the old token is still valid, the old one is used. Errors name the endpoint and
//! the HTTP status, never the secret.

use std::time::{Duration, SystemTime};

use tokio::sync::Mutex;

use super::{MAX_TOKEN_LEN, Secret, jwt_claims, printable};
use crate::kafka::sasl::SaslError;
use crate::kafka::sasl::clock::Clock;

/// The largest token endpoint answer read.
const MAX_RESPONSE: usize = 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client-credentials token source with its cached token.
pub struct OidcClient {
    endpoint: reqwest::Url,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    clock: Clock,
    http: reqwest::Client,
    cache: Mutex<Option<CachedToken>>,
}

#[derive(Clone)]
struct CachedToken {
    token: String,
    refresh_at: SystemTime,
    expires_at: SystemTime,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient")
            .field("endpoint", &self.endpoint.as_str())
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl OidcClient {
    /// A client for `endpoint` (an http or https URL). `tls` is how an https endpoint is
    /// checked: the brokers' trust roots (`ssl.ca.location`, `ssl.ca.pem`) or no check
    /// (`enable.ssl.certificate.verification=false`); None: the system's roots.
    pub fn new(
        endpoint: &str,
        client_id: &str,
        client_secret: Secret,
        scope: Option<&str>,
        clock: Clock,
        tls: Option<rustls::ClientConfig>,
    ) -> Result<Self, String> {
        let url = reqwest::Url::parse(endpoint).map_err(|e| {
            format!("sasl.oauthbearer.token.endpoint.url: {endpoint:?} is not a URL ({e})")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "sasl.oauthbearer.token.endpoint.url: {endpoint:?} is not an http(s) URL"
            ));
        }
        let mut http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(tls) = tls {
            http = http.use_preconfigured_tls(tls);
        }
        let http = http
            .build()
            .map_err(|e| format!("cannot set up the OIDC HTTP client: {e}"))?;
        Ok(OidcClient {
            endpoint: url,
            client_id: client_id.to_string(),
            client_secret,
            scope: scope.map(String::from),
            clock,
            http,
            cache: Mutex::new(None),
        })
    }

    /// The token endpoint.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// The client id (the principal in error messages).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The cached token, or a new one when 80% of the cached one's lifetime has passed.
    pub async fn token(&self) -> Result<String, SaslError> {
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        if let Some(cached) = cache.as_ref().filter(|c| now < c.refresh_at) {
            return Ok(cached.token.clone());
        }
        match self.fetch().await {
            Ok(fresh) => {
                let token = fresh.token.clone();
                *cache = Some(fresh);
                Ok(token)
            }
            Err(e) => match cache.as_ref().filter(|c| now < c.expires_at) {
                Some(cached) => {
                    tracing::warn!(error = %e.0, "OIDC token refresh failed; using the current token until it expires");
                    Ok(cached.token.clone())
                }
                None => Err(e),
            },
        }
    }

    async fn fetch(&self) -> Result<CachedToken, SaslError> {
        let endpoint = self.endpoint.as_str();
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope));
        }
        tracing::debug!(endpoint, client_id = %self.client_id, "OIDC: requesting a token");
        let fetched_at = self.clock.now();
        let mut response = self
            .http
            .post(self.endpoint.clone())
            .basic_auth(&self.client_id, Some(&self.client_secret.0))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                SaslError(format!(
                    "OIDC token endpoint {endpoint} unreachable: {}",
                    error_chain(&e.without_url())
                ))
            })?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            SaslError(format!(
                "OIDC token endpoint {endpoint} (HTTP {status}): reading the answer failed: {}",
                error_chain(&e.without_url())
            ))
        })? {
            if body.len() + chunk.len() > MAX_RESPONSE {
                return Err(SaslError(format!(
                    "OIDC token endpoint {endpoint} (HTTP {status}) answered more than \
                     {MAX_RESPONSE} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        if !status.is_success() {
            let detail = json
                .as_ref()
                .and_then(|j| {
                    let error = j.get("error")?.as_str()?;
                    let description = j.get("error_description").and_then(|d| d.as_str());
                    Some(match description {
                        Some(d) => format!(": {} ({})", printable(error), printable(d)),
                        None => format!(": {}", printable(error)),
                    })
                })
                .unwrap_or_default();
            return Err(SaslError(format!(
                "OIDC token endpoint {endpoint} answered HTTP {status} for client {}{detail}",
                printable(&self.client_id)
            )));
        }
        let Some(json) = json else {
            return Err(SaslError(format!(
                "OIDC token endpoint {endpoint} answered HTTP {status} with a body that is not JSON"
            )));
        };
        let Some(token) = json.get("access_token").and_then(|t| t.as_str()) else {
            return Err(SaslError(format!(
                "OIDC token endpoint {endpoint} answered HTTP {status} without an access_token"
            )));
        };
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Err(SaslError(format!(
                "OIDC token endpoint {endpoint} answered HTTP {status} with an access_token of \
                 {} bytes",
                token.len()
            )));
        }
        let lifetime = lifetime(&json, token, fetched_at);
        let (refresh_at, expires_at) = match lifetime {
            Some(life) => (fetched_at + life.mul_f64(0.8), fetched_at + life),
            // Unknown lifetime: fetch again at every authentication.
            None => (fetched_at, fetched_at),
        };
        tracing::debug!(
            endpoint,
            lifetime_s = lifetime.map(|l| l.as_secs()),
            "OIDC: got a token"
        );
        Ok(CachedToken {
            token: token.to_string(),
            refresh_at,
            expires_at,
        })
    }
}

/// The token's lifetime from `expires_in`, else from the JWT's `exp` claim.
fn lifetime(json: &serde_json::Value, token: &str, fetched_at: SystemTime) -> Option<Duration> {
    let expires_in = json.get("expires_in").and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .or_else(|| v.as_str()?.parse().ok())
    });
    if let Some(secs) = expires_in {
        return Some(Duration::from_secs(secs));
    }
    let exp = jwt_claims(token)?.get("exp")?.as_u64()?;
    let exp = SystemTime::UNIX_EPOCH + Duration::from_secs(exp);
    exp.duration_since(fetched_at).ok()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut line = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        line.push_str(": ");
        line.push_str(&s.to_string());
        source = s.source();
    }
    line
}
