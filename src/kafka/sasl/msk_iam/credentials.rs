//! AWS credentials: fixed ones, or AWS's standard chain, in the SDKs' order:
//! 1. environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
//! 2. the shared profile (`AWS_PROFILE` or `default`, in `~/.aws/credentials` and
//!    `~/.aws/config`): static keys, AssumeRole (`role_arn` + `source_profile`, signed with
//!    the source profile's credentials), `credential_process`, SSO (`sso_session` or legacy
//!    `sso_start_url`, from the `aws sso login` token cache), web identity;
//! 3. web identity from `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (EKS IRSA);
//! 4. the container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`/`_FULL_URI`: ECS, EKS
//!    Pod Identity);
//! 5. instance metadata, IMDSv2 (`AWS_EC2_METADATA_DISABLED=true` skips it).
//!
//! Temporary credentials are cached until five minutes before they expire. The standard
//! endpoint overrides (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_SSO`,
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT`) are honoured, which is also how the tests point the
//! chain at stand-ins.

mod profile;
mod remote;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::Mutex;

use crate::kafka::sasl::SaslError;
use crate::kafka::sasl::clock::Clock;

/// Refresh temporary credentials this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// One set of AWS credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `AKIA...` or `ASIA...`.
    pub access_key_id: String,
    /// The secret key (never shown).
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
    /// When temporary credentials expire.
    pub expires_at: Option<SystemTime>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// How environment variables are read (the process's, or a test's map).
#[derive(Clone)]
pub struct Env(Arc<EnvLookup>);

/// Reads one environment variable.
type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env(Arc::new(|name| std::env::var(name).ok()))
    }

    /// A fixed environment (tests).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env(Arc::new(move |name| map.get(name).cloned()))
    }

    /// A variable's value; an empty one counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        self.get("HOME").map(PathBuf::from)
    }
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env")
    }
}

/// Where credentials come from, with the current ones cached.
#[derive(Debug)]
pub struct CredentialProvider {
    source: Source,
    env: Env,
    clock: Clock,
    http: reqwest::Client,
    cache: Mutex<Option<Credentials>>,
}

#[derive(Debug)]
enum Source {
    Fixed(Credentials),
    Chain { profile: Option<String> },
}

impl CredentialProvider {
    /// Always these credentials.
    pub fn fixed(credentials: Credentials) -> Self {
        CredentialProvider {
            source: Source::Fixed(credentials),
            env: Env::from_pairs(&[]),
            clock: Clock::system(),
            http: reqwest::Client::new(),
            cache: Mutex::new(None),
        }
    }

    /// AWS's standard chain, with `profile` (else `AWS_PROFILE`, else `default`).
    pub fn chain(profile: Option<String>, env: Env, clock: Clock) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot set up the AWS HTTP client: {e}"))?;
        Ok(CredentialProvider {
            source: Source::Chain { profile },
            env,
            clock,
            http,
            cache: Mutex::new(None),
        })
    }

    /// The name shown in errors: the access key id, or the profile.
    pub fn principal(&self) -> String {
        match &self.source {
            Source::Fixed(c) => c.access_key_id.clone(),
            Source::Chain { .. } => match self.cache.try_lock() {
                Ok(cache) if cache.is_some() => cache
                    .as_ref()
                    .map(|c| c.access_key_id.clone())
                    .unwrap_or_default(),
                // Before the first authentication: what the chain will most likely use.
                _ => match (&self.source, self.env.get("AWS_ACCESS_KEY_ID")) {
                    (Source::Chain { profile: None }, Some(id)) => id,
                    _ => format!("AWS profile {}", self.profile_name()),
                },
            },
        }
    }

    fn profile_name(&self) -> String {
        match &self.source {
            Source::Chain { profile: Some(p) } => p.clone(),
            _ => self
                .env
                .get("AWS_PROFILE")
                .unwrap_or_else(|| "default".into()),
        }
    }

    /// The `region` of the profile in `~/.aws/config`, if any.
    pub fn profile_region(&self) -> Option<String> {
        let files = profile::ProfileFiles::load(&self.env).ok()?;
        files.profile(&self.profile_name())?.get("region").cloned()
    }

    /// Current credentials: cached ones until five minutes before they expire.
    pub async fn credentials(&self) -> Result<Credentials, SaslError> {
        let profile = match &self.source {
            Source::Fixed(c) => return Ok(c.clone()),
            Source::Chain { profile } => profile.clone(),
        };
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        if let Some(c) = cache.as_ref() {
            match c.expires_at {
                None => return Ok(c.clone()),
                Some(at) if now + REFRESH_MARGIN < at => return Ok(c.clone()),
                Some(_) => {}
            }
        }
        let fresh = self.resolve(profile).await.map_err(SaslError)?;
        *cache = Some(fresh.clone());
        Ok(fresh)
    }

    async fn resolve(&self, explicit: Option<String>) -> Result<Credentials, String> {
        let env = &self.env;
        let remote = remote::Remote {
            http: &self.http,
            env,
            clock: &self.clock,
        };
        // 1. Environment (an explicitly named profile takes precedence, as in the SDKs).
        if explicit.is_none() {
            match (
                env.get("AWS_ACCESS_KEY_ID"),
                env.get("AWS_SECRET_ACCESS_KEY"),
            ) {
                (Some(id), Some(secret)) => {
                    return Ok(Credentials {
                        access_key_id: id,
                        secret_access_key: secret,
                        session_token: env.get("AWS_SESSION_TOKEN"),
                        expires_at: None,
                    });
                }
                (Some(_), None) => {
                    return Err("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into());
                }
                _ => {}
            }
        }
        // 2. The shared profile.
        let name = explicit
            .clone()
            .or_else(|| env.get("AWS_PROFILE"))
            .unwrap_or_else(|| "default".into());
        let files = profile::ProfileFiles::load(env)?;
        match files.profile(&name) {
            Some(section) => {
                if let Some(found) = profile::from_profile(&name, &section, &files, &remote).await?
                {
                    return Ok(found);
                }
            }
            None if explicit.is_some() || env.get("AWS_PROFILE").is_some() => {
                return Err(format!(
                    "AWS profile {name} is not in {} or {}",
                    files.credentials_path.display(),
                    files.config_path.display()
                ));
            }
            None => {}
        }
        // 3. Web identity from the environment.
        if let (Some(token_file), Some(role_arn)) = (
            env.get("AWS_WEB_IDENTITY_TOKEN_FILE"),
            env.get("AWS_ROLE_ARN"),
        ) {
            let session = env.get("AWS_ROLE_SESSION_NAME");
            return remote
                .web_identity(&token_file, &role_arn, session.as_deref())
                .await;
        }
        // 4. The container endpoint.
        if let Some(found) = remote.container().await? {
            return Ok(found);
        }
        // 5. Instance metadata.
        if env
            .get("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return Err(format!(
                "no AWS credentials: none in the environment, profile {name}, web identity or \
                 container, and instance metadata is disabled"
            ));
        }
        remote.imds().await.map_err(|e| {
            format!(
                "no AWS credentials: none in the environment, profile {name}, web identity or \
                 container; instance metadata: {e}"
            )
        })
    }
}

/// Parses the RFC 3339 expirations AWS endpoints return.
fn parse_expiration(value: &str) -> Option<SystemTime> {
    let t = chrono::DateTime::parse_from_rfc3339(value.trim()).ok()?;
    let secs = u64::try_from(t.timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests;
