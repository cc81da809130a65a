//! The shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::remote::Remote;
use super::{Credentials, Env};

/// The largest shared file read.
const MAX_FILE: u64 = 1024 * 1024;

/// One `[section]`: its keys, lower-cased.
pub type Section = HashMap<String, String>;

/// The two files, parsed (a missing file is empty).
pub struct ProfileFiles {
    pub credentials_path: PathBuf,
    pub config_path: PathBuf,
    credentials: HashMap<String, Section>,
    config: HashMap<String, Section>,
}

impl ProfileFiles {
    /// Reads `AWS_SHARED_CREDENTIALS_FILE`/`AWS_CONFIG_FILE`, else the files under `~/.aws`.
    pub fn load(env: &Env) -> Result<Self, String> {
        let aws_dir = env.home().map(|h| h.join(".aws"));
        let path = |var: &str, name: &str| {
            env.get(var)
                .map(|p| expand_home(&p, env))
                .or_else(|| aws_dir.as_ref().map(|d| d.join(name)))
                .unwrap_or_else(|| PathBuf::from(name))
        };
        let credentials_path = path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        let config_path = path("AWS_CONFIG_FILE", "config");
        Ok(ProfileFiles {
            credentials: parse_ini(&read_optional(&credentials_path)?),
            config: parse_ini(&read_optional(&config_path)?),
            credentials_path,
            config_path,
        })
    }

    /// Profile `name`: its config section (`[profile name]`, or `[default]`) overlaid with its
    /// credentials section (`[name]`).
    pub fn profile(&self, name: &str) -> Option<Section> {
        let config = self.config.get(&format!("profile {name}")).or_else(|| {
            (name == "default")
                .then(|| self.config.get("default"))
                .flatten()
        });
        let creds = self.credentials.get(name);
        if config.is_none() && creds.is_none() {
            return None;
        }
        let mut merged = config.cloned().unwrap_or_default();
        merged.extend(creds.cloned().unwrap_or_default());
        Some(merged)
    }

    /// An `[sso-session name]` section of the config file.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.config.get(&format!("sso-session {name}"))
    }
}

/// How many `source_profile` hops an AssumeRole chain may take (the SDKs' loops end too).
const MAX_ROLE_CHAIN: usize = 5;

/// Credentials from profile `name`'s section, `None` when it names no source.
pub async fn from_profile(
    name: &str,
    section: &Section,
    files: &ProfileFiles,
    remote: &Remote<'_>,
) -> Result<Option<Credentials>, String> {
    from_profile_in_chain(name, section, files, remote, &mut Vec::new()).await
}

/// `from_profile`, `chain` holding the role profiles that led here (AssumeRole chaining).
fn from_profile_in_chain<'a>(
    name: &'a str,
    section: &'a Section,
    files: &'a ProfileFiles,
    remote: &'a Remote<'_>,
    chain: &'a mut Vec<String>,
) -> futures::future::BoxFuture<'a, Result<Option<Credentials>, String>> {
    Box::pin(async move {
        let get = |k: &str| section.get(k).map(String::as_str).filter(|v| !v.is_empty());
        let static_keys = || {
            let (id, secret) = (get("aws_access_key_id")?, get("aws_secret_access_key")?);
            Some(Credentials {
                access_key_id: id.to_string(),
                secret_access_key: secret.to_string(),
                session_token: get("aws_session_token").map(String::from),
                expires_at: None,
            })
        };
        // A role that a profile's own keys assume (source_profile = itself) comes first, as
        // in the SDKs; in a chain, a profile's static keys end it.
        if let (Some(role_arn), Some(source), None) = (
            get("role_arn"),
            get("source_profile"),
            get("web_identity_token_file"),
        ) {
            if chain.iter().any(|p| p == name) || chain.len() >= MAX_ROLE_CHAIN {
                return Err(format!(
                    "AWS profile {name}: source_profile loops or chains more than \
                     {MAX_ROLE_CHAIN} roles ({} -> {name})",
                    chain.join(" -> ")
                ));
            }
            chain.push(name.to_string());
            let base = if source == name {
                static_keys().ok_or_else(|| {
                    format!("AWS profile {name}: source_profile is itself but it has no keys")
                })?
            } else {
                let src = files.profile(source).ok_or_else(|| {
                    format!("AWS profile {name}: source_profile {source} is not in the AWS files")
                })?;
                from_profile_in_chain(source, &src, files, remote, chain)
                    .await?
                    .ok_or_else(|| {
                        format!("AWS profile {name}: source_profile {source} has no credentials")
                    })?
            };
            let region = get("region").map(String::from);
            let role = super::remote::AssumeRole {
                role_arn,
                session_name: get("role_session_name"),
                external_id: get("external_id"),
                duration_seconds: get("duration_seconds"),
                region: region.as_deref(),
            };
            return remote.assume_role(&base, &role).await.map(Some);
        }
        if let Some(found) = static_keys() {
            return Ok(Some(found));
        }
        if let (Some(token_file), Some(role_arn)) =
            (get("web_identity_token_file"), get("role_arn"))
        {
            return remote
                .web_identity(token_file, role_arn, get("role_session_name"))
                .await
                .map(Some);
        }
        if get("role_arn").is_some() {
            return Err(format!(
                "AWS profile {name}: role_arn needs source_profile (credential_source is not \
                 supported); or use credential_process, SSO or environment credentials"
            ));
        }
        rest(name, section, files, remote).await
    })
}

/// The sources after keys and roles: SSO and `credential_process`.
async fn rest(
    name: &str,
    section: &Section,
    files: &ProfileFiles,
    remote: &Remote<'_>,
) -> Result<Option<Credentials>, String> {
    let get = |k: &str| section.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if get("sso_session").is_some() || get("sso_start_url").is_some() {
        return remote.sso(name, section, files).await.map(Some);
    }
    if let Some(command) = get("credential_process") {
        return remote.process(name, command).await.map(Some);
    }
    Ok(None)
}

fn read_optional(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut text = String::new();
    file.take(MAX_FILE)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text)
}

pub fn expand_home(path: &str, env: &Env) -> PathBuf {
    match (path.strip_prefix("~/"), env.home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// The AWS flavour of INI: `[section]`, `key = value`, `#`/`;` comments; indented lines
/// belong to a nested block (`s3 =` …) and are skipped.
pub fn parse_ini(text: &str) -> HashMap<String, Section> {
    let mut sections: HashMap<String, Section> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            sections.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        if let (Some(section), Some((key, value))) = (&current, line.split_once('=')) {
            sections
                .entry(section.clone())
                .or_default()
                .insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    sections
}
