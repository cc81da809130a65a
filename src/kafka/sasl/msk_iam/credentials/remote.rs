//! The credential sources that ask something else: STS (web identity), the SSO portal, the
//! container endpoint, instance metadata (IMDSv2) and `credential_process`.

use std::time::{Duration, SystemTime};

use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::super::sigv4;

use super::profile::{ProfileFiles, Section, expand_home};
use super::{Credentials, Env, parse_expiration};
use crate::kafka::sasl::clock::Clock;
use crate::kafka::sasl::oauthbearer::{printable, run_token_command};

/// The largest answer read from any endpoint.
const MAX_ANSWER: usize = 256 * 1024;
const IMDS_DEFAULT: &str = "http://169.254.169.254";
const CONTAINER_HOST: &str = "http://169.254.170.2";

/// An AssumeRole request as a role profile describes it.
pub struct AssumeRole<'a> {
    pub role_arn: &'a str,
    pub session_name: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub duration_seconds: Option<&'a str>,
    /// The profile's region, for the signature's scope.
    pub region: Option<&'a str>,
}

/// What the remote sources share.
pub struct Remote<'a> {
    pub http: &'a reqwest::Client,
    pub env: &'a Env,
    pub clock: &'a Clock,
}

impl Remote<'_> {
    /// STS AssumeRoleWithWebIdentity (unsigned: the token is the proof).
    pub async fn web_identity(
        &self,
        token_file: &str,
        role_arn: &str,
        session_name: Option<&str>,
    ) -> Result<Credentials, String> {
        let path = expand_home(token_file, self.env);
        let token = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read web identity token {}: {e}", path.display()))?;
        let session = session_name
            .map(String::from)
            .unwrap_or_else(|| format!("kbrowse-{}", self.clock.unix_secs()));
        let endpoint = self.sts_endpoint();
        let form = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", role_arn),
            ("RoleSessionName", &session),
            ("WebIdentityToken", token.trim()),
        ];
        let what = format!("STS {endpoint} (AssumeRoleWithWebIdentity {role_arn})");
        let body = self
            .fetch(self.http.post(&endpoint).form(&form), &what)
            .await?;
        let field = |tag: &str| {
            xml_text(&body, tag).ok_or_else(|| format!("{what}: the answer has no {tag}"))
        };
        Ok(Credentials {
            access_key_id: field("AccessKeyId")?,
            secret_access_key: field("SecretAccessKey")?,
            session_token: Some(field("SessionToken")?),
            expires_at: xml_text(&body, "Expiration").and_then(|e| parse_expiration(&e)),
        })
    }

    /// STS AssumeRole, signed (SigV4, service `sts`) with the source profile's credentials.
    pub async fn assume_role(
        &self,
        source: &Credentials,
        role: &AssumeRole<'_>,
    ) -> Result<Credentials, String> {
        let session = role
            .session_name
            .map(String::from)
            .unwrap_or_else(|| format!("kbrowse-{}", self.clock.unix_secs()));
        let endpoint = self.sts_endpoint();
        let what = format!("STS {endpoint} (AssumeRole {})", role.role_arn);
        let mut form: Vec<(&str, &str)> = vec![
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", role.role_arn),
            ("RoleSessionName", &session),
        ];
        if let Some(id) = role.external_id {
            form.push(("ExternalId", id));
        }
        if let Some(secs) = role.duration_seconds {
            form.push(("DurationSeconds", secs));
        }
        let body = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    sigv4::uri_encode(k, false),
                    sigv4::uri_encode(v, false)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let url = reqwest::Url::parse(&endpoint).map_err(|e| format!("{what}: not a URL ({e})"))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(format!("{what}: the URL has no host")),
        };
        let region = role
            .region
            .map(String::from)
            .or_else(|| self.env.get("AWS_REGION"))
            .or_else(|| self.env.get("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".into());
        let scope = sigv4::Scope {
            region: &region,
            service: "sts",
            time: self.clock.now(),
        };
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let mut headers = vec![
            ("content-type".to_string(), content_type.to_string()),
            ("host".to_string(), host),
            ("x-amz-date".to_string(), scope.amz_date()),
        ];
        if let Some(token) = &source.session_token {
            headers.push(("x-amz-security-token".to_string(), token.clone()));
        }
        let request = sigv4::Request {
            method: "POST",
            path: if url.path().is_empty() {
                "/"
            } else {
                url.path()
            },
            query: Vec::new(),
            headers: headers.clone(),
            payload_sha256: sigv4::hex(&Sha256::digest(body.as_bytes())),
        };
        let signature = sigv4::sign(&source.secret_access_key, &scope, &request);
        let (_, signed) = sigv4::canonical_headers(&headers);
        let authorization = format!(
            "{} Credential={}/{}, SignedHeaders={signed}, Signature={signature}",
            sigv4::ALGORITHM,
            source.access_key_id,
            scope.credential_scope()
        );
        let mut post = self.http.post(url).body(body);
        for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
            post = post.header(name.as_str(), value.as_str());
        }
        let answer = self
            .fetch(post.header("authorization", authorization), &what)
            .await?;
        let field = |tag: &str| {
            xml_text(&answer, tag).ok_or_else(|| format!("{what}: the answer has no {tag}"))
        };
        Ok(Credentials {
            access_key_id: field("AccessKeyId")?,
            secret_access_key: field("SecretAccessKey")?,
            session_token: Some(field("SessionToken")?),
            expires_at: xml_text(&answer, "Expiration").and_then(|e| parse_expiration(&e)),
        })
    }

    fn sts_endpoint(&self) -> String {
        if let Some(url) = self
            .env
            .get("AWS_ENDPOINT_URL_STS")
            .or_else(|| self.env.get("AWS_ENDPOINT_URL"))
        {
            return url;
        }
        match self
            .env
            .get("AWS_REGION")
            .or_else(|| self.env.get("AWS_DEFAULT_REGION"))
        {
            Some(region) => format!("https://sts.{region}.amazonaws.com/"),
            None => "https://sts.amazonaws.com/".into(),
        }
    }

    /// AWS IAM Identity Center: the `aws sso login` token from the cache, exchanged for role
    /// credentials at the SSO portal.
    pub async fn sso(
        &self,
        profile: &str,
        section: &Section,
        files: &ProfileFiles,
    ) -> Result<Credentials, String> {
        let get = |k: &str| section.get(k).map(String::as_str).filter(|v| !v.is_empty());
        let (cache_key, sso_region) = match get("sso_session") {
            Some(session) => {
                let s = files.sso_session(session).ok_or_else(|| {
                    format!("AWS profile {profile}: sso-session {session} is not in the config")
                })?;
                let region = s
                    .get("sso_region")
                    .cloned()
                    .ok_or_else(|| format!("AWS sso-session {session} has no sso_region"))?;
                (session.to_string(), region)
            }
            None => {
                let url = get("sso_start_url").unwrap_or_default();
                let region = get("sso_region")
                    .ok_or_else(|| format!("AWS profile {profile} has no sso_region"))?;
                (url.to_string(), region.to_string())
            }
        };
        let account = get("sso_account_id")
            .ok_or_else(|| format!("AWS profile {profile} has no sso_account_id"))?;
        let role = get("sso_role_name")
            .ok_or_else(|| format!("AWS profile {profile} has no sso_role_name"))?;
        let home = self
            .env
            .home()
            .ok_or_else(|| "HOME is not set (needed for the AWS SSO token cache)".to_string())?;
        let cache = home.join(".aws/sso/cache").join(format!(
            "{}.json",
            super::super::sigv4::hex(&Sha1::digest(cache_key.as_bytes()))
        ));
        let login = || format!("run `aws sso login --profile {profile}`");
        let text = std::fs::read_to_string(&cache).map_err(|_| {
            format!(
                "AWS profile {profile}: no SSO token in {}; {}",
                cache.display(),
                login()
            )
        })?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|_| format!("AWS SSO token cache {} is not JSON", cache.display()))?;
        let token = json
            .get("accessToken")
            .and_then(|t| t.as_str())
            .ok_or_else(|| format!("AWS SSO token cache {} has no accessToken", cache.display()))?;
        let expired = json
            .get("expiresAt")
            .and_then(|e| e.as_str())
            .and_then(parse_expiration)
            .is_none_or(|at| at <= self.clock.now());
        if expired {
            return Err(format!(
                "AWS profile {profile}: the SSO token has expired; {}",
                login()
            ));
        }
        let endpoint = self
            .env
            .get("AWS_ENDPOINT_URL_SSO")
            .unwrap_or_else(|| format!("https://portal.sso.{sso_region}.amazonaws.com"));
        let url = format!("{}/federation/credentials", endpoint.trim_end_matches('/'));
        let what = format!("AWS SSO portal {endpoint} (account {account}, role {role})");
        let request = self
            .http
            .get(&url)
            .query(&[("account_id", account), ("role_name", role)])
            .header("x-amz-sso_bearer_token", token);
        let body = self.fetch(request, &what).await?;
        let json: serde_json::Value =
            serde_json::from_str(&body).map_err(|_| format!("{what}: the answer is not JSON"))?;
        let creds = json
            .get("roleCredentials")
            .ok_or_else(|| format!("{what}: the answer has no roleCredentials"))?;
        let field = |k: &str| {
            creds
                .get(k)
                .and_then(|v| v.as_str())
                .map(String::from)
                .ok_or_else(|| format!("{what}: the answer has no {k}"))
        };
        Ok(Credentials {
            access_key_id: field("accessKeyId")?,
            secret_access_key: field("secretAccessKey")?,
            session_token: Some(field("sessionToken")?),
            expires_at: creds
                .get("expiration")
                .and_then(|e| e.as_u64())
                .map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms)),
        })
    }

    /// The container credentials endpoint, `None` when the environment names none.
    pub async fn container(&self) -> Result<Option<Credentials>, String> {
        let url = match (
            self.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
            self.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        ) {
            (Some(relative), _) => format!("{CONTAINER_HOST}{relative}"),
            (None, Some(full)) => full,
            (None, None) => return Ok(None),
        };
        let mut request = self.http.get(&url);
        let token = match self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            Some(file) => Some(
                std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read {file}: {e}"))?
                    .trim()
                    .to_string(),
            ),
            None => self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        };
        if let Some(token) = token {
            request = request.header(reqwest::header::AUTHORIZATION, token);
        }
        let what = format!("container credentials endpoint {url}");
        let body = self.fetch(request, &what).await?;
        credentials_json(&body, &what).map(Some)
    }

    /// IMDSv2: a session token, the role name, then the role's credentials.
    pub async fn imds(&self) -> Result<Credentials, String> {
        let base = self
            .env
            .get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            .unwrap_or_else(|| IMDS_DEFAULT.into());
        let base = base.trim_end_matches('/');
        let what = format!("instance metadata {base}");
        let token = self
            .fetch(
                self.http
                    .put(format!("{base}/latest/api/token"))
                    .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
                    .timeout(Duration::from_secs(2)),
                &what,
            )
            .await?;
        let list = format!("{base}/latest/meta-data/iam/security-credentials/");
        let roles = self
            .fetch(
                self.http
                    .get(&list)
                    .header("x-aws-ec2-metadata-token", token.trim()),
                &what,
            )
            .await?;
        let role = roles
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| format!("{what}: the instance has no IAM role"))?;
        if !role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
        {
            return Err(format!(
                "{what}: role name {} is not valid",
                printable(role)
            ));
        }
        let body = self
            .fetch(
                self.http
                    .get(format!("{list}{role}"))
                    .header("x-aws-ec2-metadata-token", token.trim()),
                &what,
            )
            .await?;
        credentials_json(&body, &what)
    }

    /// `credential_process`: a command printing the credentials as JSON (version 1).
    pub async fn process(&self, profile: &str, command: &str) -> Result<Credentials, String> {
        let out = run_token_command(command)
            .await
            .map_err(|e| format!("AWS profile {profile}: credential_process: {}", e.0))?;
        credentials_json(&out, &format!("AWS profile {profile}: credential_process"))
    }

    /// Sends `request` and returns its body: bounded, one-line errors naming `what` and the
    /// HTTP status.
    async fn fetch(&self, request: reqwest::RequestBuilder, what: &str) -> Result<String, String> {
        let mut response = request
            .send()
            .await
            .map_err(|e| format!("{what} unreachable: {}", chain(&e.without_url())))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{what} (HTTP {status}): {}", chain(&e.without_url())))?
        {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(format!(
                    "{what} (HTTP {status}) answered more than {MAX_ANSWER} bytes"
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        if !status.is_success() {
            let detail = xml_text(&body, "Message")
                .or_else(|| {
                    let json: serde_json::Value = serde_json::from_str(&body).ok()?;
                    json.get("message")
                        .or_else(|| json.get("Message"))?
                        .as_str()
                        .map(String::from)
                })
                .map(|m| format!(": {}", printable(&m)))
                .unwrap_or_default();
            return Err(format!("{what} answered HTTP {status}{detail}"));
        }
        Ok(body)
    }
}

/// The JSON shape of IMDS, the container endpoint and `credential_process`.
fn credentials_json(body: &str, what: &str) -> Result<Credentials, String> {
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|_| format!("{what}: the answer is not JSON"))?;
    if let Some(code) = json.get("Code").and_then(|c| c.as_str())
        && code != "Success"
    {
        return Err(format!("{what}: Code {}", printable(code)));
    }
    let field = |k: &str| {
        json.get(k)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    Ok(Credentials {
        access_key_id: field("AccessKeyId").ok_or_else(|| format!("{what}: no AccessKeyId"))?,
        secret_access_key: field("SecretAccessKey")
            .ok_or_else(|| format!("{what}: no SecretAccessKey"))?,
        session_token: field("Token").or_else(|| field("SessionToken")),
        expires_at: field("Expiration").and_then(|e| parse_expiration(&e)),
    })
}

/// The text of the first `<tag>...</tag>` (STS answers are small and flat enough).
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    let text = body[start..end].trim();
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut line = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        line.push_str(": ");
        line.push_str(&s.to_string());
        source = s.source();
    }
    line
}
