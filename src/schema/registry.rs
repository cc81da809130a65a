//! A Confluent Schema Registry client: schemas by id with their references, cached by id, with
//! a negative cache so that an unknown id or a registry that is down costs one request (and at
//! most one timeout) per id, never one per record.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::Deserialize;

use super::SchemaError;

/// Response bodies larger than this are refused.
const MAX_BODY: usize = 8 << 20;
/// References followed at most, over all levels.
const MAX_REFERENCES: usize = 256;
/// How long a missing id or an unreachable registry is remembered.
const NEGATIVE_TTL: Duration = Duration::from_secs(60);

/// The type a registry schema declares (`schemaType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// Avro (the registry's default when `schemaType` is absent).
    Avro,
    /// Protobuf.
    Protobuf,
    /// JSON Schema.
    Json,
}

impl SchemaKind {
    /// The registry's name for it.
    pub fn name(self) -> &'static str {
        match self {
            SchemaKind::Avro => "AVRO",
            SchemaKind::Protobuf => "PROTOBUF",
            SchemaKind::Json => "JSON",
        }
    }
}

/// A schema fetched by id, with its references resolved, dependencies first.
#[derive(Debug, Clone)]
pub struct FetchedSchema {
    /// The id it was fetched by.
    pub id: u32,
    /// Its declared type.
    pub kind: SchemaKind,
    /// The schema string.
    pub text: String,
    /// (reference name, schema string) for every reference, transitively, dependencies first.
    pub references: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct SchemaBody {
    schema: String,
    #[serde(rename = "schemaType")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<ReferenceBody>,
}

#[derive(Deserialize, Clone)]
struct ReferenceBody {
    name: String,
    subject: String,
    version: i64,
}

#[derive(Deserialize)]
struct ErrorBody {
    error_code: Option<i64>,
    message: Option<String>,
}

/// How to reach a registry: everything `-r`, `schema.registry.*` properties and profiles say.
/// Paths are already resolved (`~/` expanded); secrets already read.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RegistryConfig {
    /// `http[s]://[user:pass@]host[:port][/path]` (`-r`, `schema.registry.url`).
    pub url: String,
    /// `user:password` for HTTP basic auth (`schema.registry.basic.auth.user.info`); the URL's
    /// own `user:pass@` wins over it.
    pub user_info: Option<String>,
    /// A static bearer token (`schema.registry.bearer.auth.token`).
    pub bearer_token: Option<String>,
    /// PEM file of the CAs that sign the registry's certificate, instead of the system's
    /// (`schema.registry.ssl.ca.location`).
    pub ca_location: Option<String>,
    /// PEM file of the client certificate chain (`schema.registry.ssl.certificate.location`).
    pub certificate_location: Option<String>,
    /// PEM file of the client certificate's private key (`schema.registry.ssl.key.location`).
    pub key_location: Option<String>,
    /// The time one request may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for RegistryConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |o: &Option<String>| o.as_ref().map(|_| "********");
        f.debug_struct("RegistryConfig")
            .field("url", &shown_url(&self.url))
            .field("user_info", &masked(&self.user_info))
            .field("bearer_token", &masked(&self.bearer_token))
            .field("ca_location", &self.ca_location)
            .field("certificate_location", &self.certificate_location)
            .field("key_location", &self.key_location)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The URL as it may be shown: without `user:pass@`.
fn shown_url(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.as_str().trim_end_matches('/').to_string()
        }
        Err(_) => "(invalid URL)".into(),
    }
}

/// How requests authenticate.
#[derive(Clone)]
enum Auth {
    Basic(String, String),
    Bearer(String),
}

/// PEM files are at most this long: certificates and keys, not logs.
const MAX_PEM: u64 = 1 << 20;

/// Reads a PEM file named by `property`, capped; errors name the property and the path.
fn read_pem(property: &str, path: &str) -> Result<Vec<u8>, SchemaError> {
    use std::io::Read as _;
    let fail =
        |why: String| SchemaError::Registry(format!("{property}: cannot read {path}: {why}"));
    let f = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut buf = Vec::new();
    f.take(MAX_PEM + 1)
        .read_to_end(&mut buf)
        .map_err(|e| fail(e.to_string()))?;
    if buf.len() as u64 > MAX_PEM {
        return Err(fail(format!("longer than {} KiB", MAX_PEM >> 10)));
    }
    Ok(buf)
}

/// The TLS parts of the HTTP client: the CAs (replacing the system's, as librdkafka's
/// `ssl.ca.location` does) and the client certificate with its key.
fn with_tls(
    mut builder: reqwest::ClientBuilder,
    config: &RegistryConfig,
) -> Result<reqwest::ClientBuilder, SchemaError> {
    if let Some(path) = &config.ca_location {
        const P: &str = "schema.registry.ssl.ca.location";
        let certs = reqwest::Certificate::from_pem_bundle(&read_pem(P, path)?).map_err(|e| {
            SchemaError::Registry(format!("{P}: {path} holds no valid PEM certificate: {e}"))
        })?;
        if certs.is_empty() {
            return Err(SchemaError::Registry(format!(
                "{P}: {path} holds no PEM certificate"
            )));
        }
        builder = builder.tls_built_in_root_certs(false);
        for c in certs {
            builder = builder.add_root_certificate(c);
        }
    }
    match (&config.certificate_location, &config.key_location) {
        (Some(cert), Some(key)) => {
            let mut pem = read_pem("schema.registry.ssl.certificate.location", cert)?;
            pem.push(b'\n');
            pem.extend(read_pem("schema.registry.ssl.key.location", key)?);
            let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                SchemaError::Registry(format!(
                    "schema.registry.ssl.certificate.location {cert} with schema.registry.ssl.key.location {key}: not a PEM certificate and unencrypted private key: {e}"
                ))
            })?;
            builder = builder.identity(id);
        }
        (Some(_), None) => {
            return Err(SchemaError::Registry(
                "schema.registry.ssl.certificate.location needs schema.registry.ssl.key.location"
                    .into(),
            ));
        }
        (None, Some(_)) => {
            return Err(SchemaError::Registry(
                "schema.registry.ssl.key.location needs schema.registry.ssl.certificate.location"
                    .into(),
            ));
        }
        (None, None) => {}
    }
    Ok(builder)
}

/// The TLS failure under a request error, in one line (a certificate the CAs do not sign,
/// a client certificate the registry refuses), when that is what went wrong.
fn tls_reason(e: &reqwest::Error) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            let text: String = t.to_string().chars().take(200).collect();
            return Some(format!("TLS failed ({text})"));
        }
        // An io::Error's `source` skips the error it wraps: look inside it instead.
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

enum Cached {
    Found(Arc<FetchedSchema>),
    Failed(SchemaError, Instant),
}

/// The client; cheap to share behind an `Arc`.
pub struct Registry {
    http: reqwest::Client,
    base: Url,
    /// The URL without credentials, for messages.
    shown: String,
    auth: Option<Auth>,
    cache: Mutex<HashMap<u32, Cached>>,
    /// Why and until when the registry is taken for down (unreachable or silent): every id
    /// fails at once until then, so a down registry costs one timeout, not one per id.
    down_until: Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("url", &self.shown)
            .finish_non_exhaustive()
    }
}

fn decode_userinfo(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

impl Registry {
    /// A client for `url` (`http[s]://[user:pass@]host[:port][/path]`); `timeout` bounds each
    /// request.
    pub fn new(url: &str, timeout: Duration) -> Result<Registry, SchemaError> {
        Registry::with_config(&RegistryConfig {
            url: url.to_string(),
            timeout,
            ..RegistryConfig::default()
        })
    }

    /// A client as `config` describes it: credentials, bearer token, CAs and client
    /// certificate.
    pub fn with_config(config: &RegistryConfig) -> Result<Registry, SchemaError> {
        let bad = |why: &str| SchemaError::Registry(format!("invalid schema registry URL: {why}"));
        let mut base = Url::parse(config.url.trim()).map_err(|e| bad(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(bad("expected http://host:port or https://host:port"));
        }
        let auth = if !base.username().is_empty() {
            Some(Auth::Basic(
                decode_userinfo(base.username()),
                decode_userinfo(base.password().unwrap_or("")),
            ))
        } else if let Some(info) = &config.user_info {
            let (user, pass) = info.split_once(':').ok_or_else(|| {
                SchemaError::Registry(
                    "schema.registry.basic.auth.user.info: expected user:password".into(),
                )
            })?;
            Some(Auth::Basic(user.to_string(), pass.to_string()))
        } else {
            config.bearer_token.clone().map(Auth::Bearer)
        };
        let _ = base.set_username("");
        let _ = base.set_password(None);
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let shown = base.as_str().trim_end_matches('/').to_string();
        let timeout = config.timeout;
        let builder = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(90));
        let http = with_tls(builder, config)?.build().map_err(|e| {
            let why = std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string());
            match &config.certificate_location {
                // The client certificate is the only input checked at this point.
                Some(cert) => SchemaError::Registry(format!(
                    "schema.registry.ssl.certificate.location {cert}: {why}"
                )),
                None => SchemaError::Registry(format!("schema registry client: {why}")),
            }
        })?;
        Ok(Registry {
            http,
            base,
            shown,
            auth,
            cache: Mutex::new(HashMap::new()),
            down_until: Mutex::new(None),
        })
    }

    /// The URL without credentials.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// The schema with this id, from the cache or the registry.
    pub async fn schema(&self, id: u32) -> Result<Arc<FetchedSchema>, SchemaError> {
        let now = Instant::now();
        if let Ok(cache) = self.cache.lock() {
            match cache.get(&id) {
                Some(Cached::Found(s)) => return Ok(s.clone()),
                Some(Cached::Failed(e, until)) if *until > now => return Err(e.clone()),
                _ => {}
            }
        }
        if let Ok(down) = self.down_until.lock()
            && let Some((why, until)) = &*down
            && *until > now
        {
            return Err(SchemaError::Registry(format!(
                "schema registry {}: {why} fetching schema {id}",
                self.shown
            )));
        }
        let result = self.fetch(id).await;
        let entry = match &result {
            Ok(s) => Cached::Found(s.clone()),
            Err(e) => Cached::Failed(e.clone(), Instant::now() + NEGATIVE_TTL),
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(id, entry);
        }
        result
    }

    /// The (subject, version) pairs the schema with this id is registered under
    /// (`GET /schemas/ids/{id}/versions`), as the registry lists them.
    pub async fn subjects(&self, id: u32) -> Result<Vec<(String, i64)>, SchemaError> {
        #[derive(Deserialize)]
        struct SubjectVersion {
            subject: String,
            version: i64,
        }
        let list: Vec<SubjectVersion> = self
            .get(
                &["schemas", "ids", &id.to_string(), "versions"],
                &format!("the subjects of schema {id}"),
            )
            .await?;
        Ok(list.into_iter().map(|s| (s.subject, s.version)).collect())
    }

    async fn fetch(&self, id: u32) -> Result<Arc<FetchedSchema>, SchemaError> {
        let body: SchemaBody = self
            .get(
                &["schemas", "ids", &id.to_string()],
                &format!("schema {id}"),
            )
            .await?;
        let kind = match body.schema_type.as_deref().unwrap_or("AVRO") {
            "AVRO" => SchemaKind::Avro,
            "PROTOBUF" => SchemaKind::Protobuf,
            "JSON" => SchemaKind::Json,
            other => {
                return Err(SchemaError::Schema(format!(
                    "schema {id} has an unknown schemaType {:?}",
                    other.chars().take(40).collect::<String>()
                )));
            }
        };
        let mut references = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.resolve(&body.references, &mut references, &mut seen, 0)
            .await?;
        Ok(Arc::new(FetchedSchema {
            id,
            kind,
            text: body.schema,
            references,
        }))
    }

    /// Fetches `refs` depth first, so each schema comes after the ones it references.
    async fn resolve(
        &self,
        refs: &[ReferenceBody],
        out: &mut Vec<(String, String)>,
        seen: &mut std::collections::HashSet<(String, i64)>,
        depth: usize,
    ) -> Result<(), SchemaError> {
        for r in refs {
            if !seen.insert((r.subject.clone(), r.version)) {
                continue;
            }
            if seen.len() > MAX_REFERENCES || depth > 32 {
                return Err(SchemaError::Schema(format!(
                    "the schema has more than {MAX_REFERENCES} references or nests them deeper than 32"
                )));
            }
            let what = format!("subject {:?} version {}", r.subject, r.version);
            let body: SchemaBody = self
                .get(
                    &["subjects", &r.subject, "versions", &r.version.to_string()],
                    &what,
                )
                .await?;
            Box::pin(self.resolve(&body.references, out, seen, depth + 1)).await?;
            out.push((r.name.clone(), body.schema));
        }
        Ok(())
    }

    /// GETs a path under the base URL and parses the JSON answer, with a bounded body.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
        what: &str,
    ) -> Result<T, SchemaError> {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        let mut req = self.http.get(url).header(
            "Accept",
            "application/vnd.schemaregistry.v1+json, application/json",
        );
        match &self.auth {
            Some(Auth::Basic(user, pass)) => req = req.basic_auth(user, Some(pass)),
            Some(Auth::Bearer(token)) => req = req.bearer_auth(token),
            None => {}
        }
        tracing::debug!(registry = %self.shown, what, "schema registry request");
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let why = if e.is_timeout() {
                    "timed out".to_string()
                } else if let Some(tls) = tls_reason(&e) {
                    tls
                } else if e.is_connect() {
                    "cannot connect".to_string()
                } else {
                    "request failed".to_string()
                };
                let err = SchemaError::Registry(format!(
                    "schema registry {}: {why} fetching {what}",
                    self.shown
                ));
                if let Ok(mut down) = self.down_until.lock() {
                    *down = Some((why, Instant::now() + NEGATIVE_TTL));
                }
                return Err(err);
            }
        };
        let status = resp.status();
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if body.len() + c.len() > MAX_BODY {
                        return Err(SchemaError::Registry(format!(
                            "schema registry {}: the answer for {what} is larger than {} MiB",
                            self.shown,
                            MAX_BODY >> 20
                        )));
                    }
                    body.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(_) => {
                    return Err(SchemaError::Registry(format!(
                        "schema registry {}: the answer for {what} was cut off",
                        self.shown
                    )));
                }
            }
        }
        if !status.is_success() {
            let detail = serde_json::from_slice::<ErrorBody>(&body)
                .ok()
                .map(|e| {
                    let msg: String = e.message.unwrap_or_default().chars().take(200).collect();
                    match e.error_code {
                        Some(c) => format!(": {msg} (error {c})"),
                        None => format!(": {msg}"),
                    }
                })
                .unwrap_or_default();
            let why = match status.as_u16() {
                401 => "refused the credentials (HTTP 401)".to_string(),
                403 => "denied access (HTTP 403)".to_string(),
                404 => format!("has no {what}{detail}"),
                s => format!("answered HTTP {s} for {what}{detail}"),
            };
            return Err(SchemaError::Registry(format!(
                "schema registry {}: {why}",
                self.shown
            )));
        }
        serde_json::from_slice(&body).map_err(|e| {
            SchemaError::Registry(format!(
                "schema registry {}: the answer for {what} is not valid: {e}",
                self.shown
            ))
        })
    }
}
