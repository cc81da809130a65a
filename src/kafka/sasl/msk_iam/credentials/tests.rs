use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::*;
use crate::kafka::sasl::test_http;

fn clock_at(now: Arc<AtomicU64>) -> Clock {
    Clock::from_fn(move || SystemTime::UNIX_EPOCH + Duration::from_secs(now.load(Ordering::SeqCst)))
}

fn fixed_clock(secs: u64) -> Clock {
    clock_at(Arc::new(AtomicU64::new(secs)))
}

/// An environment with HOME in `dir` and no instance metadata, plus `extra`.
fn env_in(dir: &std::path::Path, extra: &[(&str, &str)]) -> Env {
    let home = dir.display().to_string();
    let mut pairs: Vec<(&str, &str)> = vec![("HOME", &home), ("AWS_EC2_METADATA_DISABLED", "true")];
    pairs.extend_from_slice(extra);
    Env::from_pairs(&pairs)
}

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

async fn resolve(profile: Option<&str>, env: Env, clock: Clock) -> Result<Credentials, String> {
    CredentialProvider::chain(profile.map(String::from), env, clock)
        .unwrap()
        .credentials()
        .await
        .map_err(|e| e.0)
}

#[tokio::test]
async fn environment_first() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".aws/credentials",
        "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = s\n",
    );
    let env = env_in(
        dir.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
            ("AWS_SESSION_TOKEN", "envtoken"),
        ],
    );
    let provider = CredentialProvider::chain(None, env.clone(), fixed_clock(0)).unwrap();
    assert_eq!(provider.principal(), "AKIAENV");
    let c = resolve(None, env, fixed_clock(0)).await.unwrap();
    assert_eq!(c.access_key_id, "AKIAENV");
    assert_eq!(c.secret_access_key, "envsecret");
    assert_eq!(c.session_token.as_deref(), Some("envtoken"));
    assert!(!format!("{c:?}").contains("envsecret"));
    let half = env_in(dir.path(), &[("AWS_ACCESS_KEY_ID", "AKIAENV")]);
    assert_eq!(
        resolve(None, half, fixed_clock(0)).await.unwrap_err(),
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
    );
}

#[tokio::test]
async fn shared_profile_static_keys_and_config_sections() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".aws/credentials",
        "# comment\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n\
         [work]\naws_access_key_id=AKIAWORK\naws_secret_access_key=w\naws_session_token=wt\n",
    );
    write(
        dir.path(),
        ".aws/config",
        "[default]\nregion = eu-west-1\n[profile work]\nregion = us-east-2\ns3 =\n  max_concurrent_requests = 2\n",
    );
    let c = resolve(None, env_in(dir.path(), &[]), fixed_clock(0))
        .await
        .unwrap();
    assert_eq!(c.access_key_id, "AKIADEFAULT");
    let env = env_in(dir.path(), &[("AWS_PROFILE", "work")]);
    let c = resolve(None, env.clone(), fixed_clock(0)).await.unwrap();
    assert_eq!(
        (c.access_key_id.as_str(), c.session_token.as_deref()),
        ("AKIAWORK", Some("wt"))
    );
    let provider = CredentialProvider::chain(None, env, fixed_clock(0)).unwrap();
    assert_eq!(provider.profile_region().as_deref(), Some("us-east-2"));
    assert_eq!(provider.principal(), "AWS profile work");
    provider.credentials().await.unwrap();
    assert_eq!(provider.principal(), "AKIAWORK");
    let missing = resolve(Some("nope"), env_in(dir.path(), &[]), fixed_clock(0))
        .await
        .unwrap_err();
    assert_eq!(
        missing,
        format!(
            "AWS profile nope is not in {0}/.aws/credentials or {0}/.aws/config",
            dir.path().display()
        )
    );
}

#[tokio::test]
async fn credential_process() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".aws/config",
        "[profile proc]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"AKIAPROC\",\"SecretAccessKey\":\"p\",\"SessionToken\":\"pt\",\"Expiration\":\"2030-01-01T00:00:00Z\"}'\n\
         [profile broken]\ncredential_process = echo nope\n",
    );
    let c = resolve(Some("proc"), env_in(dir.path(), &[]), fixed_clock(0))
        .await
        .unwrap();
    assert_eq!(c.access_key_id, "AKIAPROC");
    assert_eq!(c.session_token.as_deref(), Some("pt"));
    assert_eq!(
        c.expires_at,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000))
    );
    assert_eq!(
        resolve(Some("broken"), env_in(dir.path(), &[]), fixed_clock(0))
            .await
            .unwrap_err(),
        "AWS profile broken: credential_process: the answer is not JSON"
    );
}

const STS_ANSWER: &str = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAWEBID</AccessKeyId>
      <SecretAccessKey>websecret</SecretAccessKey>
      <SessionToken>web&amp;token</SessionToken>
      <Expiration>2023-11-14T23:13:20Z</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>"#;

#[tokio::test]
async fn web_identity_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "token", "eyJ.web.identity\n");
    let sts = test_http::serve(|req| {
        if req.method == "POST" && req.body.contains("Action=AssumeRoleWithWebIdentity") {
            (200, "text/xml", STS_ANSWER.into())
        } else {
            (
                400,
                "text/xml",
                "<Error><Message>bad request</Message></Error>".into(),
            )
        }
    })
    .await;
    let token_file = dir.path().join("token").display().to_string();
    let env = env_in(
        dir.path(),
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/reader"),
            ("AWS_ROLE_SESSION_NAME", "kb"),
            ("AWS_ENDPOINT_URL_STS", &sts.url),
        ],
    );
    let c = resolve(None, env, fixed_clock(0)).await.unwrap();
    assert_eq!(c.access_key_id, "ASIAWEBID");
    assert_eq!(c.session_token.as_deref(), Some("web&token"));
    assert_eq!(
        c.expires_at,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_600))
    );
    let body = &sts.requests()[0].body;
    assert_eq!(
        body,
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Freader&RoleSessionName=kb&WebIdentityToken=eyJ.web.identity"
    );
}

#[tokio::test]
async fn web_identity_error_quotes_sts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "token", "t");
    let sts = test_http::serve(|_| {
        (403, "text/xml", "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>".into())
    })
    .await;
    let token_file = dir.path().join("token").display().to_string();
    let env = env_in(
        dir.path(),
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
            ("AWS_ENDPOINT_URL_STS", &sts.url),
        ],
    );
    assert_eq!(
        resolve(None, env, fixed_clock(0)).await.unwrap_err(),
        format!(
            "STS {} (AssumeRoleWithWebIdentity arn:aws:iam::1:role/r) answered HTTP 403 Forbidden: \
             Not authorized to perform sts:AssumeRoleWithWebIdentity",
            sts.url
        )
    );
}

fn imds_answer(req: &test_http::Request) -> test_http::Answer {
    match (req.method.as_str(), req.target.as_str()) {
        ("PUT", "/latest/api/token")
            if req.header("x-aws-ec2-metadata-token-ttl-seconds") == Some("21600") =>
        {
            (200, "text/plain", "imds-session".into())
        }
        (_, _) if req.header("x-aws-ec2-metadata-token") != Some("imds-session") => {
            (401, "text/plain", String::new())
        }
        ("GET", "/latest/meta-data/iam/security-credentials/") => {
            (200, "text/plain", "kafka-reader\n".into())
        }
        ("GET", "/latest/meta-data/iam/security-credentials/kafka-reader") => (
            200,
            "application/json",
            r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"i","Token":"it","Expiration":"2023-11-14T23:13:20Z"}"#.into(),
        ),
        _ => (404, "text/plain", String::new()),
    }
}

#[tokio::test]
async fn instance_metadata_v2_and_refresh_before_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let imds = test_http::serve(imds_answer).await;
    let env = Env::from_pairs(&[
        ("HOME", &dir.path().display().to_string()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url),
    ]);
    let now = Arc::new(AtomicU64::new(1_700_000_000));
    let provider = CredentialProvider::chain(None, env, clock_at(now.clone())).unwrap();
    let c = provider.credentials().await.unwrap();
    assert_eq!(c.access_key_id, "ASIAIMDS");
    assert_eq!(c.session_token.as_deref(), Some("it"));
    assert_eq!(imds.requests().len(), 3);
    // Expires at 1_700_003_600: cached until five minutes before.
    now.store(1_700_003_299, Ordering::SeqCst);
    provider.credentials().await.unwrap();
    assert_eq!(imds.requests().len(), 3);
    now.store(1_700_003_300, Ordering::SeqCst);
    provider.credentials().await.unwrap();
    assert_eq!(imds.requests().len(), 6);
}

#[tokio::test]
async fn nothing_found_says_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let env = Env::from_pairs(&[
        ("HOME", &dir.path().display().to_string()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &dead),
    ]);
    let err = resolve(None, env, fixed_clock(0)).await.unwrap_err();
    let prefix = format!(
        "no AWS credentials: none in the environment, profile default, web identity or \
         container; instance metadata: instance metadata {dead} unreachable: "
    );
    assert!(err.starts_with(&prefix), "{err}");
    assert_eq!(
        resolve(None, env_in(dir.path(), &[]), fixed_clock(0))
            .await
            .unwrap_err(),
        "no AWS credentials: none in the environment, profile default, web identity or \
         container, and instance metadata is disabled"
    );
}

#[tokio::test]
async fn container_endpoint_with_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let ecs = test_http::serve(|req| {
        if req.target == "/v2/creds" && req.header("authorization") == Some("ecs-auth") {
            (
                200,
                "application/json",
                r#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"e","Token":"et","Expiration":"2030-01-01T00:00:00Z"}"#.into(),
            )
        } else {
            (403, "application/json", r#"{"message":"denied"}"#.into())
        }
    })
    .await;
    let full = format!("{}/v2/creds", ecs.url);
    let env = env_in(
        dir.path(),
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth"),
        ],
    );
    let c = resolve(None, env, fixed_clock(0)).await.unwrap();
    assert_eq!(c.access_key_id, "ASIAECS");
    let env = env_in(dir.path(), &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full)]);
    assert_eq!(
        resolve(None, env, fixed_clock(0)).await.unwrap_err(),
        format!("container credentials endpoint {full} answered HTTP 403 Forbidden: denied")
    );
}

#[tokio::test]
async fn sso_session_from_the_login_cache() {
    let dir = tempfile::tempdir().unwrap();
    let portal = test_http::serve(|req| {
        if req.target == "/federation/credentials?account_id=123456789012&role_name=KafkaRead"
            && req.header("x-amz-sso_bearer_token") == Some("sso-access")
        {
            (
                200,
                "application/json",
                r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s","sessionToken":"st","expiration":1700003600000}}"#.into(),
            )
        } else {
            (401, "application/json", r#"{"message":"Session token not found or invalid"}"#.into())
        }
    })
    .await;
    write(
        dir.path(),
        ".aws/config",
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = KafkaRead\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    // The cache file is named by the SHA-1 of the session name (`printf corp | sha1sum`).
    write(
        dir.path(),
        ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
        r#"{"accessToken":"sso-access","expiresAt":"2023-11-15T00:00:00Z"}"#,
    );
    let env = env_in(dir.path(), &[("AWS_ENDPOINT_URL_SSO", &portal.url)]);
    let c = resolve(Some("dev"), env.clone(), fixed_clock(1_700_000_000))
        .await
        .unwrap();
    assert_eq!(c.access_key_id, "ASIASSO");
    assert_eq!(
        c.expires_at,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_600))
    );
    assert_eq!(
        resolve(Some("dev"), env, fixed_clock(1_800_000_000))
            .await
            .unwrap_err(),
        "AWS profile dev: the SSO token has expired; run `aws sso login --profile dev`"
    );
}

/// A stand-in STS: checks each AssumeRole request's SigV4 signature against the secret of
/// the access key it names (recomputed from the request as received: method, path, signed
/// headers, body) and answers role credentials named after the role; anything else is 403.
async fn sts_stand_in(secrets: &'static [(&'static str, &'static str)]) -> test_http::StandIn {
    use crate::kafka::sasl::msk_iam::sigv4;
    use sha2::{Digest, Sha256};
    test_http::serve(move |req| {
        let deny = |why: &str| {
            (
                403,
                "text/xml",
                format!("<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>{why}</Message></Error></ErrorResponse>"),
            )
        };
        let Some(auth) = req.header("authorization") else {
            return deny("no authorization");
        };
        // AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/sts/aws4_request, SignedHeaders=a;b, Signature=hex
        let field = |name: &str| {
            auth.split([' ', ','])
                .find_map(|p| p.strip_prefix(name))
                .unwrap_or_default()
                .to_string()
        };
        let credential = field("Credential=");
        let parts: Vec<&str> = credential.split('/').collect();
        let Some((_, secret)) = secrets.iter().find(|(id, _)| *id == parts[0]) else {
            return deny("unknown access key");
        };
        let headers: Vec<(String, String)> = field("SignedHeaders=")
            .split(';')
            .map(|h| (h.to_string(), req.header(h).unwrap_or_default().to_string()))
            .collect();
        let time = chrono::NaiveDateTime::parse_from_str(
            req.header("x-amz-date").unwrap_or_default(),
            "%Y%m%dT%H%M%SZ",
        )
        .unwrap()
        .and_utc();
        let scope = sigv4::Scope {
            region: parts[2],
            service: parts[3],
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(time.timestamp() as u64),
        };
        let request = sigv4::Request {
            method: &req.method,
            path: &req.target,
            query: Vec::new(),
            headers,
            payload_sha256: sigv4::hex(&Sha256::digest(req.body.as_bytes())),
        };
        if parts[3] != "sts" || sigv4::sign(secret, &scope, &request) != field("Signature=") {
            return deny("the signature does not match");
        }
        let role = req
            .body
            .split('&')
            .find_map(|p| p.strip_prefix("RoleArn="))
            .unwrap_or_default()
            .rsplit("%2F")
            .next()
            .unwrap_or_default()
            .to_string();
        (
            200,
            "text/xml",
            format!(
                "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
                 <AccessKeyId>ASIA{}</AccessKeyId><SecretAccessKey>{role}-secret</SecretAccessKey>\
                 <SessionToken>{role}-token</SessionToken><Expiration>2023-11-14T23:13:20Z</Expiration>\
                 </Credentials></AssumeRoleResult></AssumeRoleResponse>",
                role.to_ascii_uppercase()
            ),
        )
    })
    .await
}

#[tokio::test]
async fn assume_role_profiles_sign_sts_with_the_source_profile() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n",
    );
    write(
        dir.path(),
        ".aws/config",
        "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = default\n\
         role_session_name = kb\nexternal_id = ext-1\nregion = eu-west-1\n\
         [profile audit]\nrole_arn = arn:aws:iam::123456789012:role/audit\nsource_profile = ops\n",
    );
    // The "ops" role's secret is what its stand-in credentials say: ops-secret.
    let sts = sts_stand_in(&[("AKIABASE", "base-secret"), ("ASIAOPS", "ops-secret")]).await;
    let env = |extra: &[(&str, &str)]| {
        let mut pairs = vec![("AWS_ENDPOINT_URL_STS", sts.url.as_str())];
        pairs.extend_from_slice(extra);
        env_in(dir.path(), &pairs)
    };
    let c = resolve(Some("ops"), env(&[]), fixed_clock(1_700_000_000))
        .await
        .unwrap();
    assert_eq!(
        (
            c.access_key_id.as_str(),
            c.secret_access_key.as_str(),
            c.session_token.as_deref()
        ),
        ("ASIAOPS", "ops-secret", Some("ops-token"))
    );
    assert_eq!(
        c.expires_at,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_600))
    );
    let req = &sts.requests()[0];
    assert_eq!(
        req.body,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fops&RoleSessionName=kb&ExternalId=ext-1"
    );
    let auth = req.header("authorization").unwrap();
    assert!(
        auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIABASE/20231114/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
        ),
        "{auth}"
    );
    assert_eq!(req.header("x-amz-security-token"), None);

    // A chain: audit's source is the ops role, whose session token is signed along.
    let c = resolve(Some("audit"), env(&[]), fixed_clock(1_700_000_000))
        .await
        .unwrap();
    assert_eq!(c.access_key_id, "ASIAAUDIT");
    let requests = sts.requests();
    let last = requests.last().unwrap();
    assert_eq!(last.header("x-amz-security-token"), Some("ops-token"));
    assert!(
        last.header("authorization").unwrap().starts_with(
            "AWS4-HMAC-SHA256 Credential=ASIAOPS/20231114/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
        ),
        "{last:?}"
    );
    assert!(last.body.starts_with("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Faudit&RoleSessionName=kbrowse-1700000000"), "{}", last.body);
}

#[tokio::test]
async fn assume_role_failures_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIABASE\naws_secret_access_key = wrong-secret\n",
    );
    write(
        dir.path(),
        ".aws/config",
        "[profile ops]\nrole_arn = arn:aws:iam::1:role/ops\nsource_profile = default\n\
         [profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n\
         [profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n\
         [profile orphan]\nrole_arn = arn:aws:iam::1:role/o\nsource_profile = missing\n\
         [profile bare]\nrole_arn = arn:aws:iam::1:role/bare\n",
    );
    let sts = sts_stand_in(&[("AKIABASE", "base-secret")]).await;
    let env = || env_in(dir.path(), &[("AWS_ENDPOINT_URL_STS", sts.url.as_str())]);
    let err = |profile: &'static str| {
        let env = env();
        async move {
            resolve(Some(profile), env, fixed_clock(0))
                .await
                .unwrap_err()
        }
    };
    assert_eq!(
        err("ops").await,
        format!(
            "STS {} (AssumeRole arn:aws:iam::1:role/ops) answered HTTP 403 Forbidden: the signature does not match",
            sts.url
        )
    );
    assert_eq!(
        err("loop-a").await,
        "AWS profile loop-a: source_profile loops or chains more than 5 roles (loop-a -> loop-b -> loop-a)"
    );
    assert_eq!(
        err("orphan").await,
        "AWS profile orphan: source_profile missing is not in the AWS files"
    );
    assert_eq!(
        err("bare").await,
        "AWS profile bare: role_arn needs source_profile (credential_source is not supported); \
         or use credential_process, SSO or environment credentials"
    );
}

#[test]
fn ini_parsing() {
    let parsed = profile::parse_ini(
        "[default]\nRegion = x\n; c\n[ profile  a ]\nk=v=w\nnested =\n  sub = 1\nafter = 2\n",
    );
    assert_eq!(parsed["default"]["region"], "x");
    assert_eq!(parsed["profile a"]["k"], "v=w");
    assert_eq!(parsed["profile a"]["after"], "2");
    assert!(!parsed["profile a"].contains_key("sub"));
}

#[tokio::test]
async fn legacy_sso_profile_uses_the_start_url_cache_key() {
    let dir = tempfile::tempdir().unwrap();
    let portal = test_http::serve(|req| {
        if req.header("x-amz-sso_bearer_token") == Some("legacy-access") {
            (
                200,
                "application/json",
                r#"{"roleCredentials":{"accessKeyId":"ASIALEGACY","secretAccessKey":"s","sessionToken":"st","expiration":1700003600000}}"#.into(),
            )
        } else {
            (401, "application/json", r#"{"message":"Session token not found or invalid"}"#.into())
        }
    })
    .await;
    write(
        dir.path(),
        ".aws/config",
        "[profile old]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\
         sso_account_id = 1\nsso_role_name = R\n",
    );
    // `printf https://corp.awsapps.com/start | sha1sum`
    write(
        dir.path(),
        ".aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json",
        r#"{"accessToken":"legacy-access","expiresAt":"2023-11-15T00:00:00Z"}"#,
    );
    let env = env_in(dir.path(), &[("AWS_ENDPOINT_URL_SSO", &portal.url)]);
    let c = resolve(Some("old"), env, fixed_clock(1_700_000_000))
        .await
        .unwrap();
    assert_eq!(c.access_key_id, "ASIALEGACY");
}
