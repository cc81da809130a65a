use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::*;
use crate::kafka::sasl::test_http;

fn props(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fixed_clock(secs: u64) -> Clock {
    Clock::from_fn(move || SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// A clock tests move forward by hand.
fn stepped_clock(start: u64) -> (Clock, Arc<AtomicU64>) {
    let now = Arc::new(AtomicU64::new(start));
    let read = now.clone();
    let clock = Clock::from_fn(move || {
        SystemTime::UNIX_EPOCH + Duration::from_secs(read.load(Ordering::SeqCst))
    });
    (clock, now)
}

#[test]
fn initial_response_is_rfc7628_bytes() {
    assert_eq!(
        initial_response("abc.def.ghi", &[]),
        b"n,,\x01auth=Bearer abc.def.ghi\x01\x01".to_vec()
    );
    let ext = vec![
        ("traceId".to_string(), "123".to_string()),
        ("logicalCluster".to_string(), "lkc-1 x".to_string()),
    ];
    assert_eq!(
        initial_response("T", &ext),
        b"n,,\x01auth=Bearer T\x01traceId=123\x01logicalCluster=lkc-1 x\x01\x01".to_vec()
    );
}

#[test]
fn exchange_succeeds_on_an_empty_answer() {
    let mut ex = OAuthBearerExchange::new(b"first".to_vec());
    assert_eq!(ex.step(b"").unwrap(), Some(b"first".to_vec()));
    assert_eq!(ex.step(b"").unwrap(), None);
}

#[test]
fn exchange_acknowledges_the_json_error_then_reports_its_status() {
    let mut ex = OAuthBearerExchange::new(b"first".to_vec());
    ex.step(b"").unwrap();
    let error = br#"{"status":"invalid_token","scope":"kafka"}"#;
    assert_eq!(ex.step(error).unwrap(), Some(vec![1]));
    let err = ex.step(b"").unwrap_err();
    assert_eq!(
        err.0,
        "the broker rejected the token: status invalid_token, scope kafka"
    );
}

#[test]
fn exchange_escapes_a_hostile_answer() {
    let mut ex = OAuthBearerExchange::new(b"first".to_vec());
    ex.step(b"").unwrap();
    assert_eq!(ex.step(b"\x1b[2Jnope").unwrap(), Some(vec![1]));
    assert_eq!(
        ex.step(b"").unwrap_err().0,
        "the broker rejected the token: unexpected answer \\u{1b}[2Jnope"
    );
}

#[test]
fn describes_server_errors() {
    assert_eq!(
        describe_server_error(br#"{"status":"invalid_token"}"#).as_deref(),
        Some("status invalid_token")
    );
    assert_eq!(
        describe_server_error(
            br#"{"status":"insufficient_scope","openid-configuration":"https://x/.well-known"}"#
        )
        .as_deref(),
        Some("status insufficient_scope, openid-configuration https://x/.well-known")
    );
    assert_eq!(describe_server_error(b"not json"), None);
    assert_eq!(describe_server_error(br#"{"other":1}"#), None);
}

#[test]
fn unsecured_jwt_matches_librdkafkas_default_token() {
    let jwt = UnsecuredJwt::parse("principal=admin", fixed_clock(1_700_000_000)).unwrap();
    assert_eq!(
        jwt.token(),
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ."
    );
    assert_eq!(jwt.principal(), "admin");
}

#[test]
fn unsecured_jwt_takes_librdkafkas_options() {
    let jwt = UnsecuredJwt::parse(
        "principalClaimName=azp principal=svc scopeClaimName=roles scope=read,write \
         lifeSeconds=600 extension_traceId=42",
        fixed_clock(1_700_000_000),
    )
    .unwrap();
    assert_eq!(
        jwt.token(),
        "eyJhbGciOiJub25lIn0.eyJhenAiOiJzdmMiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDYwMCwicm9sZXMiOlsicmVhZCIsIndyaXRlIl19."
    );
    assert_eq!(jwt.extensions(), &[("traceId".into(), "42".into())]);
    let claims = jwt_claims(&jwt.token()).unwrap();
    assert_eq!(claims["exp"].as_u64(), Some(1_700_000_600));
}

#[test]
fn unsecured_jwt_config_errors() {
    let clock = fixed_clock(0);
    assert_eq!(
        UnsecuredJwt::parse("scope=x", clock.clone()).unwrap_err(),
        "sasl.oauthbearer.config needs principal=NAME"
    );
    assert_eq!(
        UnsecuredJwt::parse("principal=a lifeSeconds=-1", clock.clone()).unwrap_err(),
        "sasl.oauthbearer.config: lifeSeconds=-1 is not a positive number"
    );
    assert!(
        UnsecuredJwt::parse("principal=a colour=red", clock.clone())
            .unwrap_err()
            .starts_with("sasl.oauthbearer.config: unknown key \"colour\"")
    );
    assert_eq!(
        UnsecuredJwt::parse("principal", clock).unwrap_err(),
        "sasl.oauthbearer.config: \"principal\" is not key=value"
    );
}

#[tokio::test]
async fn properties_config_builds_the_unsecured_token_and_its_extensions() {
    let mech = OAuthBearer::from_properties_with_clock(
        &props(&[
            ("sasl.oauthbearer.config", "principal=admin extension_a=1"),
            ("sasl.oauthbearer.extensions", "b=2"),
        ]),
        fixed_clock(1_700_000_000),
    )
    .unwrap();
    assert_eq!(mech.name(), "OAUTHBEARER");
    assert_eq!(mech.principal(), "admin");
    let mut ex = mech.start("broker:9092").await.unwrap();
    let first = ex.step(b"").unwrap().unwrap();
    assert_eq!(
        first,
        b"n,,\x01auth=Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ.\x01b=2\x01a=1\x01\x01".to_vec()
    );
}

#[tokio::test]
async fn static_token_and_its_principal() {
    let token =
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ.";
    let mech = OAuthBearer::from_properties(&props(&[("sasl.oauthbearer.token", token)])).unwrap();
    assert_eq!(mech.principal(), "admin");
    assert_eq!(mech.token().await.unwrap(), token);
    let opaque =
        OAuthBearer::from_properties(&props(&[("sasl.oauthbearer.token", "opaque")])).unwrap();
    assert_eq!(opaque.principal(), "static token");
    // Debug output never shows the token.
    assert!(!format!("{opaque:?}").contains("opaque\""));
}

#[tokio::test]
async fn file_token_is_reread_at_every_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "first-token\n").unwrap();
    let value = format!("file:{}", path.display());
    let mech = OAuthBearer::from_properties(&props(&[("sasl.oauthbearer.token", &value)])).unwrap();
    assert_eq!(mech.token().await.unwrap(), "first-token");
    std::fs::write(&path, "second-token").unwrap();
    let mut ex = mech.start("b:1").await.unwrap();
    assert_eq!(
        ex.step(b"").unwrap().unwrap(),
        b"n,,\x01auth=Bearer second-token\x01\x01".to_vec()
    );
    std::fs::remove_file(&path).unwrap();
    let err = mech.token().await.unwrap_err().0;
    assert!(
        err.starts_with(&format!("cannot read token file {}: ", path.display())),
        "{err}"
    );
}

#[tokio::test]
async fn file_token_bad_content_is_one_line_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "secret\u{1}part").unwrap();
    let mech = OAuthBearer::new(TokenSource::File(path.clone()), vec![]).unwrap();
    assert_eq!(
        mech.token().await.unwrap_err().0,
        format!(
            "the token has a character a bearer token cannot have, at byte 6 (from file {})",
            path.display()
        )
    );
    std::fs::write(&path, vec![b'a'; MAX_TOKEN_LEN + 10]).unwrap();
    assert_eq!(
        mech.token().await.unwrap_err().0,
        format!("token file {} is larger than 65536 bytes", path.display())
    );
}

#[tokio::test]
async fn command_token_runs_at_every_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("n");
    let value = format!(
        "cmd:echo x >> {0}; printf 'tok-%s' $(wc -l < {0})",
        counter.display()
    );
    let mech = OAuthBearer::from_properties(&props(&[("sasl.oauthbearer.token", &value)])).unwrap();
    assert_eq!(mech.principal(), "token command");
    assert_eq!(mech.token().await.unwrap(), "tok-1");
    assert_eq!(mech.token().await.unwrap(), "tok-2");
    let failing =
        OAuthBearer::from_properties(&props(&[("sasl.oauthbearer.token", "cmd:exit 3")])).unwrap();
    assert_eq!(
        failing.token().await.unwrap_err().0,
        "the token command exited with exit status: 3"
    );
}

#[tokio::test]
async fn env_token() {
    // SAFETY: a variable name no other test reads.
    unsafe { std::env::set_var("KBROWSE_TEST_OAUTH_TOKEN_VAR", "from-env") };
    let mech = OAuthBearer::from_properties(&props(&[(
        "sasl.oauthbearer.token",
        "env:KBROWSE_TEST_OAUTH_TOKEN_VAR",
    )]))
    .unwrap();
    assert_eq!(mech.token().await.unwrap(), "from-env");
    let unset = OAuthBearer::from_properties(&props(&[(
        "sasl.oauthbearer.token",
        "env:KBROWSE_TEST_OAUTH_NO_SUCH_VAR",
    )]))
    .unwrap();
    assert_eq!(
        unset.token().await.unwrap_err().0,
        "token variable KBROWSE_TEST_OAUTH_NO_SUCH_VAR is not set (or not UTF-8)"
    );
}

#[test]
fn property_errors() {
    let err = |pairs: &[(&str, &str)]| OAuthBearer::from_properties(&props(pairs)).unwrap_err();
    assert_eq!(
        err(&[]),
        "OAUTHBEARER needs sasl.oauthbearer.token (a token, file:PATH, env:VAR or cmd:COMMAND), \
         sasl.oauthbearer.method=oidc, or sasl.oauthbearer.config (unsecured JWT)"
    );
    assert_eq!(
        err(&[("sasl.oauthbearer.method", "magic")]),
        "sasl.oauthbearer.method: unknown value \"magic\" (expected default or oidc)"
    );
    assert_eq!(
        err(&[
            ("sasl.oauthbearer.method", "OIDC"),
            ("sasl.oauthbearer.token.endpoint.url", "https://idp/token"),
            ("sasl.oauthbearer.client.id", "id"),
        ]),
        "sasl.oauthbearer.method=oidc needs sasl.oauthbearer.client.secret"
    );
    assert_eq!(
        err(&[
            ("sasl.oauthbearer.method", "oidc"),
            ("sasl.oauthbearer.token.endpoint.url", "ftp://idp/token"),
            ("sasl.oauthbearer.client.id", "id"),
            ("sasl.oauthbearer.client.secret", "s"),
        ]),
        "sasl.oauthbearer.token.endpoint.url: \"ftp://idp/token\" is not an http(s) URL"
    );
    assert_eq!(
        err(&[
            ("sasl.oauthbearer.token", "t"),
            ("sasl.oauthbearer.config", "principal=a"),
        ]),
        "set either sasl.oauthbearer.token or sasl.oauthbearer.config, not both"
    );
    assert_eq!(
        err(&[
            ("sasl.oauthbearer.token", "t"),
            ("sasl.oauthbearer.extensions", "auth=x"),
        ]),
        "OAUTHBEARER extension name \"auth\" is reserved"
    );
    assert_eq!(
        err(&[
            ("sasl.oauthbearer.token", "t"),
            ("sasl.oauthbearer.extensions", "trace_id=1"),
        ]),
        "OAUTHBEARER extension name \"trace_id\" must be letters only (RFC 7628)"
    );
    assert_eq!(
        err(&[
            ("sasl.oauthbearer.token", "t"),
            ("sasl.oauthbearer.extensions", "a=\u{1}"),
        ]),
        "OAUTHBEARER extension a: the value must be printable ASCII (RFC 7628)"
    );
    assert_eq!(
        err(&[("sasl.oauthbearer.token", "two words")]),
        "sasl.oauthbearer.token: the token has a character a bearer token cannot have, at byte 3"
    );
    assert_eq!(
        err(&[("sasl.oauthbearer.token", "file:")]),
        "sasl.oauthbearer.token: file: needs a path"
    );
}

#[test]
fn oidc_properties() {
    let mech = OAuthBearer::from_properties(&props(&[
        ("sasl.oauthbearer.method", "oidc"),
        (
            "sasl.oauthbearer.token.endpoint.url",
            "https://idp.example/token",
        ),
        ("sasl.oauthbearer.client.id", "kbrowse"),
        ("sasl.oauthbearer.client.secret", "hunter2"),
        ("sasl.oauthbearer.scope", "kafka"),
        (
            "sasl.oauthbearer.extensions",
            "logicalCluster=lkc-1,identityPoolId=pool-2",
        ),
    ]))
    .unwrap();
    assert_eq!(mech.principal(), "kbrowse");
    assert_eq!(
        mech.extensions(),
        &[
            ("logicalCluster".into(), "lkc-1".into()),
            ("identityPoolId".into(), "pool-2".into())
        ]
    );
    assert!(!format!("{mech:?}").contains("hunter2"));
    match mech.source() {
        TokenSource::Oidc(client) => assert_eq!(client.endpoint(), "https://idp.example/token"),
        other => panic!("{other:?}"),
    }
}

const SECRET: &str = "s3cr3t/+=";

fn oidc_client(url: &str, clock: Clock) -> OidcClient {
    OidcClient::new(
        &format!("{url}/oauth2/token"),
        "kbrowse-client",
        Secret(SECRET.into()),
        Some("kafka read"),
        clock,
        None,
    )
    .unwrap()
}

/// A token endpoint that checks the request the way an identity provider would and hands out
/// `token-N` with the given `expires_in`.
async fn token_endpoint(expires_in: Option<u64>) -> test_http::StandIn {
    token_endpoint_over(None, expires_in).await
}

/// `token_endpoint`, over https with `tls` when given.
async fn token_endpoint_over(
    tls: Option<rustls::ServerConfig>,
    expires_in: Option<u64>,
) -> test_http::StandIn {
    let issued = Arc::new(Mutex::new(0));
    let answer = move |req: &test_http::Request| {
        let basic = "Basic a2Jyb3dzZS1jbGllbnQ6czNjcjN0Lys9"; // kbrowse-client:s3cr3t/+=
        if req.method != "POST"
            || req.target != "/oauth2/token"
            || req.header("authorization") != Some(basic)
            || req.header("content-type") != Some("application/x-www-form-urlencoded")
        {
            return (
                401,
                "application/json",
                r#"{"error":"invalid_client"}"#.into(),
            );
        }
        if req.body != "grant_type=client_credentials&scope=kafka+read" {
            return (
                400,
                "application/json",
                r#"{"error":"invalid_scope"}"#.into(),
            );
        }
        let mut n = issued.lock().unwrap();
        *n += 1;
        let body = match expires_in {
            Some(e) => {
                format!(r#"{{"access_token":"token-{n}","token_type":"Bearer","expires_in":{e}}}"#)
            }
            None => format!(r#"{{"access_token":"token-{n}","token_type":"Bearer"}}"#),
        };
        (200, "application/json", body)
    };
    match tls {
        Some(tls) => test_http::serve_tls(tls, answer).await,
        None => test_http::serve(answer).await,
    }
}

#[tokio::test]
async fn oidc_fetches_caches_and_refreshes_at_80_percent() {
    let endpoint = token_endpoint(Some(100)).await;
    let (clock, now) = stepped_clock(1_000);
    let client = oidc_client(&endpoint.url, clock);
    assert_eq!(client.token().await.unwrap(), "token-1");
    now.store(1_079, Ordering::SeqCst);
    assert_eq!(client.token().await.unwrap(), "token-1");
    assert_eq!(endpoint.requests().len(), 1);
    now.store(1_080, Ordering::SeqCst);
    assert_eq!(client.token().await.unwrap(), "token-2");
    assert_eq!(endpoint.requests().len(), 2);
}

#[tokio::test]
async fn oidc_refreshes_from_the_jwt_exp_without_expires_in() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwt = format!(
        "{}.{}.sig",
        b64.encode(br#"{"alg":"RS256"}"#),
        b64.encode(br#"{"sub":"svc","exp":1050}"#)
    );
    let served = jwt.clone();
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    let endpoint = test_http::serve(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        (
            200,
            "application/json",
            format!(r#"{{"access_token":"{served}"}}"#),
        )
    })
    .await;
    let (clock, now) = stepped_clock(1_000);
    let client = oidc_client(&endpoint.url, clock);
    assert_eq!(client.token().await.unwrap(), jwt);
    now.store(1_039, Ordering::SeqCst); // 80% of the 50 s left is 40 s
    client.token().await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    now.store(1_040, Ordering::SeqCst);
    client.token().await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn oidc_keeps_the_valid_token_when_a_refresh_fails() {
    let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let failing = fail.clone();
    let endpoint = test_http::serve(move |_| {
        if failing.load(Ordering::SeqCst) {
            (503, "text/plain", "down".into())
        } else {
            (
                200,
                "application/json",
                r#"{"access_token":"only","expires_in":100}"#.into(),
            )
        }
    })
    .await;
    let (clock, now) = stepped_clock(0);
    let client = oidc_client(&endpoint.url, clock);
    assert_eq!(client.token().await.unwrap(), "only");
    fail.store(true, Ordering::SeqCst);
    now.store(90, Ordering::SeqCst);
    assert_eq!(client.token().await.unwrap(), "only");
    now.store(100, Ordering::SeqCst);
    let err = client.token().await.unwrap_err().0;
    assert_eq!(
        err,
        format!(
            "OIDC token endpoint {}/oauth2/token answered HTTP 503 Service Unavailable for client kbrowse-client",
            endpoint.url
        )
    );
}

#[tokio::test]
async fn oidc_errors_name_the_endpoint_and_status_never_the_secret() {
    let endpoint = test_http::serve(|req| match req.header("authorization") {
        _ if req.body.contains("scope=kafka+read") => (
            401,
            "application/json",
            r#"{"error":"invalid_client","error_description":"bad secret"}"#.into(),
        ),
        _ => (500, "text/plain", "?".into()),
    })
    .await;
    let client = oidc_client(&endpoint.url, Clock::system());
    let err = client.token().await.unwrap_err().0;
    assert_eq!(
        err,
        format!(
            "OIDC token endpoint {}/oauth2/token answered HTTP 401 Unauthorized for client \
             kbrowse-client: invalid_client (bad secret)",
            endpoint.url
        )
    );
    assert!(!err.contains(SECRET));
}

#[tokio::test]
async fn oidc_rejects_bad_answers() {
    let cases: Vec<(&'static str, String, &str)> = vec![
        (
            "text/html",
            "<html>login</html>".into(),
            "answered HTTP 200 OK with a body that is not JSON",
        ),
        (
            "application/json",
            r#"{"token_type":"Bearer"}"#.into(),
            "answered HTTP 200 OK without an access_token",
        ),
        (
            "application/json",
            format!(r#"{{"pad":"{}"}}"#, "x".repeat(2 * 1024 * 1024)),
            "(HTTP 200 OK) answered more than 1048576 bytes",
        ),
    ];
    for (content_type, body, expected) in cases {
        let endpoint = test_http::serve(move |_| (200, content_type, body.clone())).await;
        let client = oidc_client(&endpoint.url, Clock::system());
        let err = client.token().await.unwrap_err().0;
        let prefix = format!("OIDC token endpoint {}/oauth2/token ", endpoint.url);
        assert_eq!(err, format!("{prefix}{expected}"));
    }
}

#[tokio::test]
async fn oidc_unreachable_endpoint() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = oidc_client(&url, Clock::system());
    let err = client.token().await.unwrap_err().0;
    let prefix = format!("OIDC token endpoint {url}/oauth2/token unreachable: ");
    assert!(err.starts_with(&prefix), "{err}");
    assert!(!err.contains('\n') && !err.contains(SECRET), "{err}");
}

#[tokio::test]
async fn oidc_mechanism_sends_the_fetched_token_with_extensions() {
    let endpoint = token_endpoint(Some(3600)).await;
    let mech = OAuthBearer::from_properties(&props(&[
        ("sasl.oauthbearer.method", "oidc"),
        (
            "sasl.oauthbearer.token.endpoint.url",
            &format!("{}/oauth2/token", endpoint.url),
        ),
        ("sasl.oauthbearer.client.id", "kbrowse-client"),
        ("sasl.oauthbearer.client.secret", SECRET),
        ("sasl.oauthbearer.scope", "kafka read"),
        ("sasl.oauthbearer.extensions", "logicalCluster=lkc-1"),
    ]))
    .unwrap();
    let mut ex = mech.start("b:1").await.unwrap();
    assert_eq!(
        ex.step(b"").unwrap().unwrap(),
        b"n,,\x01auth=Bearer token-1\x01logicalCluster=lkc-1\x01\x01".to_vec()
    );
    assert_eq!(ex.step(b"").unwrap(), None);
    mech.start("b:2").await.unwrap();
    assert_eq!(endpoint.requests().len(), 1);
}

/// A private CA and a certificate it signed for 127.0.0.1, as (CA PEM, server TLS config).
fn private_ca_and_server() -> (String, rustls::ServerConfig) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kbrowse test identity provider CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    (ca.pem(), server)
}

/// The first OAUTHBEARER message of a client built from `-X`-style properties for SASL_SSL
/// with OIDC against `endpoint`, plus `extra`; or the error of fetching the token.
async fn first_message(endpoint: &str, extra: &[(&str, &str)]) -> Result<String, String> {
    let url = format!("{endpoint}/oauth2/token");
    let mut pairs = vec![
        ("security.protocol", "SASL_SSL"),
        ("sasl.mechanism", "OAUTHBEARER"),
        ("sasl.oauthbearer.method", "oidc"),
        ("sasl.oauthbearer.token.endpoint.url", url.as_str()),
        ("sasl.oauthbearer.client.id", "kbrowse-client"),
        ("sasl.oauthbearer.client.secret", SECRET),
        ("sasl.oauthbearer.scope", "kafka read"),
    ];
    pairs.extend_from_slice(extra);
    let config = crate::kafka::ClientConfig::from_properties("b:9093", &props(&pairs)).unwrap();
    let mech = config.conn.security.sasl.clone().unwrap();
    let mut exchange = mech.start("b").await.map_err(|e| e.0)?;
    let first = exchange.step(b"").map_err(|e| e.0)?.unwrap();
    Ok(String::from_utf8(first).unwrap())
}

/// An https token endpoint signed by a private CA is trusted through the brokers'
/// `ssl.ca.location` (and `ssl.ca.pem`), refused without it, and reached without a check
/// under `enable.ssl.certificate.verification=false`, as the brokers are.
#[tokio::test]
async fn https_token_endpoint_is_checked_like_the_brokers() {
    let (ca_pem, server) = private_ca_and_server();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("idp-ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let endpoint = token_endpoint_over(Some(server), Some(3600)).await;
    assert!(
        endpoint.url.starts_with("https://127.0.0.1:"),
        "{}",
        endpoint.url
    );

    let trusted: [&[(&str, &str)]; 3] = [
        &[("ssl.ca.location", ca_file.to_str().unwrap())],
        &[("ssl.ca.pem", &ca_pem)],
        &[("enable.ssl.certificate.verification", "false")],
    ];
    for (i, extra) in trusted.into_iter().enumerate() {
        assert_eq!(
            first_message(&endpoint.url, extra).await.unwrap(),
            format!("n,,\x01auth=Bearer token-{}\x01\x01", i + 1)
        );
    }

    // The system's roots do not include the private CA; another CA of the same name did not
    // sign the endpoint's certificate.
    let other = private_ca_and_server().0;
    let refused = [
        (vec![], "UnknownIssuer"),
        (vec![("ssl.ca.pem", other.as_str())], "BadSignature"),
    ];
    for (extra, why) in refused {
        let err = first_message(&endpoint.url, &extra).await.unwrap_err();
        assert_eq!(
            err,
            format!(
                "OIDC token endpoint {}/oauth2/token unreachable: error sending request: client error (Connect): invalid peer certificate: {why}",
                endpoint.url
            )
        );
    }
    assert_eq!(endpoint.requests().len(), 3);
}
