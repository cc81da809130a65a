//! How connections are secured: the security protocol, the TLS client configuration and the
//! SASL mechanism, built from librdkafka's property names (`ClientConfig::from_properties`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::cluster::ClientConfig;
use super::sasl::clock::Clock;
use super::sasl::msk_iam::MskIam;
use super::sasl::oauthbearer::OAuthBearer;
use super::sasl::{Mechanism, Plain, Scram, ScramHash};

/// A setting that cannot be used, as a one-line message naming the property.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// librdkafka's `security.protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecurityProtocol {
    /// No TLS, no SASL.
    #[default]
    Plaintext,
    /// TLS, no SASL.
    Ssl,
    /// SASL over plain TCP.
    SaslPlaintext,
    /// SASL over TLS.
    SaslSsl,
}

impl SecurityProtocol {
    /// The name as librdkafka writes it.
    pub fn name(self) -> &'static str {
        match self {
            SecurityProtocol::Plaintext => "PLAINTEXT",
            SecurityProtocol::Ssl => "SSL",
            SecurityProtocol::SaslPlaintext => "SASL_PLAINTEXT",
            SecurityProtocol::SaslSsl => "SASL_SSL",
        }
    }

    /// True when the connection speaks TLS.
    pub fn tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }

    /// True when the connection authenticates with SASL.
    pub fn sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }
}

/// Security settings shared by every connection of a client.
#[derive(Debug, Clone, Default)]
pub struct Security {
    /// The protocol.
    pub protocol: SecurityProtocol,
    /// The TLS client configuration (set exactly when the protocol uses TLS).
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// The SASL mechanism with its credentials (set exactly when the protocol uses SASL).
    pub sasl: Option<Arc<dyn Mechanism>>,
    /// True when `enable.ssl.certificate.verification=false` turned certificate checks off.
    pub verification_disabled: bool,
}

impl Security {
    /// The principal the brokers see, as their ACLs name it (`User:alice`).
    pub fn principal(&self) -> String {
        match &self.sasl {
            Some(m) => format!("User:{}", m.principal()),
            None if self.protocol.tls() => {
                "the TLS client (User:<certificate subject>, or User:ANONYMOUS without one)"
                    .to_string()
            }
            None => "User:ANONYMOUS".to_string(),
        }
    }

    /// The principal the brokers authorize when it is not anonymous: the SASL user, or the
    /// client certificate's subject. Kafka leaves the topics it may not describe out of a
    /// topic listing, without saying how many.
    pub fn authenticated_principal(&self) -> Option<String> {
        match (&self.sasl, &self.tls) {
            (Some(m), _) => Some(format!("User:{}", m.principal())),
            (None, Some(tls)) if tls.client_auth_cert_resolver.has_certs() => {
                Some("the client certificate's principal".to_string())
            }
            _ => None,
        }
    }

    /// Warnings to print at every start (stderr in the CLI, the status line in the TUI).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.verification_disabled {
            out.push(
                "warning: TLS certificate verification is OFF (enable.ssl.certificate.verification=false): \
                 anyone on the network path can impersonate the brokers"
                    .to_string(),
            );
        }
        out
    }
}

/// The TLS-related properties, before they are turned into a rustls configuration.
#[derive(Debug, Default)]
struct TlsProps {
    ca_location: Option<String>,
    ca_pem: Option<String>,
    cert_location: Option<String>,
    cert_pem: Option<String>,
    key_location: Option<String>,
    key_pem: Option<String>,
    key_password: Option<String>,
    verify: bool,
}

fn bool_value(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" => Ok(true),
        "false" | "f" | "0" => Ok(false),
        _ => Err(ConfigError(format!(
            "{key}={value}: expected true or false"
        ))),
    }
}

impl ClientConfig {
    /// A config from a broker list and librdkafka properties (already validated by the
    /// caller's property parser and with secrets resolved). Unknown names are errors.
    pub fn from_properties(
        brokers: &str,
        props: &[(String, String)],
    ) -> Result<ClientConfig, ConfigError> {
        let mut config = ClientConfig::new(brokers);
        let mut protocol = SecurityProtocol::Plaintext;
        let (mut mechanism, mut user, mut password) = (None, None, None);
        // The first SASL and TLS property set, to refuse them on a protocol without SASL/TLS
        // (asking for SASL must never end in an unauthenticated plaintext connection).
        let (mut sasl_prop, mut ssl_prop) = (None::<&str>, None::<&str>);
        let mut tls = TlsProps {
            verify: true,
            ..TlsProps::default()
        };
        for (key, value) in props {
            let v = value.trim();
            if key.starts_with("sasl.") {
                sasl_prop.get_or_insert(key);
            } else if key.starts_with("ssl.") {
                ssl_prop.get_or_insert(key);
            }
            match key.as_str() {
                "security.protocol" => {
                    protocol = match v.to_ascii_lowercase().as_str() {
                        "plaintext" => SecurityProtocol::Plaintext,
                        "ssl" => SecurityProtocol::Ssl,
                        "sasl_plaintext" => SecurityProtocol::SaslPlaintext,
                        "sasl_ssl" => SecurityProtocol::SaslSsl,
                        _ => {
                            return Err(ConfigError(format!(
                                "security.protocol={v}: expected plaintext, ssl, sasl_plaintext or sasl_ssl"
                            )));
                        }
                    }
                }
                "sasl.mechanism" | "sasl.mechanisms" => mechanism = Some(v.to_string()),
                "sasl.username" => user = Some(value.clone()),
                "sasl.password" => password = Some(value.clone()),
                // Read by the OAUTHBEARER and AWS_MSK_IAM mechanisms from the whole list.
                k if k.starts_with("sasl.oauthbearer.") || k.starts_with("sasl.aws.") => {}
                "ssl.ca.location" => tls.ca_location = Some(v.to_string()),
                "ssl.ca.pem" => tls.ca_pem = Some(value.clone()),
                "ssl.certificate.location" => tls.cert_location = Some(v.to_string()),
                "ssl.certificate.pem" => tls.cert_pem = Some(value.clone()),
                "ssl.key.location" => tls.key_location = Some(v.to_string()),
                "ssl.key.pem" => tls.key_pem = Some(value.clone()),
                "ssl.key.password" => tls.key_password = Some(value.clone()),
                "ssl.endpoint.identification.algorithm" => {
                    if !v.eq_ignore_ascii_case("https") {
                        return Err(ConfigError(format!(
                            "ssl.endpoint.identification.algorithm={v}: kbrowse always checks the broker's host name (https); \
                             to skip every certificate check use enable.ssl.certificate.verification=false"
                        )));
                    }
                }
                "enable.ssl.certificate.verification" => tls.verify = bool_value(key, v)?,
                "client.id" => config.conn.client_id = value.clone(),
                "socket.timeout.ms" => {
                    let ms: u64 = v.parse().ok().filter(|&ms| ms >= 10).ok_or_else(|| {
                        ConfigError(format!(
                            "socket.timeout.ms={v}: expected milliseconds (10 or more)"
                        ))
                    })?;
                    config.conn.request_timeout = Duration::from_millis(ms);
                }
                other => {
                    return Err(ConfigError(format!("unknown property '{other}'")));
                }
            }
        }
        let mut security = Security {
            protocol,
            ..Security::default()
        };
        let current = protocol.name().to_ascii_lowercase();
        if protocol.sasl() {
            // An OIDC token endpoint is checked like the brokers: same roots, same switch.
            let oauth = mechanism
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("OAUTHBEARER"));
            let https = if protocol.tls() && oauth {
                Some(https_config(&tls)?)
            } else {
                None
            };
            security.sasl = Some(mechanism_from(
                mechanism.as_deref(),
                user,
                password,
                props,
                https,
            )?);
        } else if let Some(key) = sasl_prop {
            return Err(ConfigError(format!(
                "{key} needs security.protocol=sasl_ssl or sasl_plaintext (it is {current})"
            )));
        }
        if let (false, Some(key)) = (protocol.tls(), ssl_prop) {
            return Err(ConfigError(format!(
                "{key} needs security.protocol=ssl or sasl_ssl (it is {current})"
            )));
        }
        if protocol.tls() {
            security.verification_disabled = !tls.verify;
            security.tls = Some(Arc::new(tls_config(&tls)?));
        }
        config.conn.security = security;
        Ok(config)
    }
}

fn mechanism_from(
    name: Option<&str>,
    user: Option<String>,
    password: Option<String>,
    props: &[(String, String)],
    https: Option<rustls::ClientConfig>,
) -> Result<Arc<dyn Mechanism>, ConfigError> {
    let Some(name) = name else {
        return Err(ConfigError(
            "SASL needs sasl.mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or AWS_MSK_IAM \
             (librdkafka's default, GSSAPI, is not supported)"
                .into(),
        ));
    };
    let upper = name.to_ascii_uppercase();
    let credentials = || -> Result<(String, String), ConfigError> {
        let user = user
            .clone()
            .ok_or_else(|| ConfigError(format!("sasl.mechanism={upper} needs sasl.username")))?;
        let password = password
            .clone()
            .ok_or_else(|| ConfigError(format!("sasl.mechanism={upper} needs sasl.password")))?;
        Ok((user, password))
    };
    Ok(match upper.as_str() {
        "PLAIN" => {
            let (u, p) = credentials()?;
            Arc::new(Plain::new(u, p))
        }
        "SCRAM-SHA-256" | "SCRAM-SHA-512" => {
            let (u, p) = credentials()?;
            let hash = if upper.ends_with("256") {
                ScramHash::Sha256
            } else {
                ScramHash::Sha512
            };
            Arc::new(Scram::new(hash, u, p))
        }
        "OAUTHBEARER" => Arc::new(
            OAuthBearer::from_properties_with_tls(props, Clock::system(), https)
                .map_err(ConfigError)?,
        ),
        "AWS_MSK_IAM" => Arc::new(MskIam::from_properties(props).map_err(ConfigError)?),
        _ => {
            return Err(ConfigError(format!(
                "sasl.mechanism={name} is not supported (supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, AWS_MSK_IAM)"
            )));
        }
    })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_file(key: &str, path: &str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(expand_home(path))
        .map_err(|e| ConfigError(format!("{key}: cannot read {path}: {e}")))
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn certs_from_pem(
    key: &str,
    what: &str,
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| ConfigError(format!("{key}: {what} is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(ConfigError(format!("{key}: no certificate in {what}")));
    }
    Ok(certs)
}

/// Trust roots: `ssl.ca.pem`, `ssl.ca.location` (a file or a directory of PEM files), or the
/// operating system's store (rustls-native-certs: the roots an administrator added, such as
/// a company CA, are honoured, which a compiled-in bundle like webpki-roots would miss).
fn roots(tls: &TlsProps) -> Result<RootCertStore, ConfigError> {
    let mut store = RootCertStore::empty();
    let mut add = |key: &str, what: &str, pem: &[u8]| -> Result<(), ConfigError> {
        for cert in certs_from_pem(key, what, pem)? {
            store.add(cert).map_err(|e| {
                ConfigError(format!("{key}: a certificate in {what} is unusable: {e}"))
            })?;
        }
        Ok(())
    };
    if let Some(pem) = &tls.ca_pem {
        add("ssl.ca.pem", "the value", pem.as_bytes())?;
    }
    match tls.ca_location.as_deref() {
        Some(loc) if !loc.eq_ignore_ascii_case("probe") => {
            let path = expand_home(loc);
            if path.is_dir() {
                let entries = std::fs::read_dir(&path)
                    .map_err(|e| ConfigError(format!("ssl.ca.location: cannot read {loc}: {e}")))?;
                let mut any = false;
                for entry in entries.flatten() {
                    let p = entry.path();
                    let Ok(bytes) = std::fs::read(&p) else {
                        continue;
                    };
                    // A directory may hold other files: take the ones with certificates.
                    if let Ok(certs) = certs_from_pem("ssl.ca.location", "", &bytes) {
                        for cert in certs {
                            any |= store.add(cert).is_ok();
                        }
                    }
                }
                if !any {
                    return Err(ConfigError(format!(
                        "ssl.ca.location: no PEM certificate in directory {loc}"
                    )));
                }
            } else {
                add("ssl.ca.location", loc, &read_file("ssl.ca.location", loc)?)?;
            }
        }
        _ if tls.ca_pem.is_some() => {}
        _ => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = store.add(cert);
            }
            if store.is_empty() {
                return Err(ConfigError(
                    "no trusted root certificates found on this system: set ssl.ca.location".into(),
                ));
            }
        }
    }
    Ok(store)
}

/// The client key: PKCS#8 (RSA or EC), PKCS#1 or SEC1, or encrypted PKCS#8 with
/// `ssl.key.password`.
fn private_key(
    tls: &TlsProps,
    pem: &[u8],
    what: &str,
) -> Result<PrivateKeyDer<'static>, ConfigError> {
    let text = String::from_utf8_lossy(pem);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let password = tls.key_password.as_deref().ok_or_else(|| {
            ConfigError(format!(
                "the key in {what} is encrypted: set ssl.key.password"
            ))
        })?;
        let (_, doc) = pkcs8::SecretDocument::from_pem(&text)
            .map_err(|e| ConfigError(format!("the key in {what} is not valid PEM: {e}")))?;
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes())
            .map_err(|e| ConfigError(format!("the encrypted key in {what} is malformed: {e}")))?;
        let plain = info.decrypt(password.as_bytes()).map_err(|e| {
            ConfigError(format!(
                "cannot decrypt the key in {what} with ssl.key.password: {e}"
            ))
        })?;
        return Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            plain.as_bytes().to_vec(),
        )));
    }
    PrivateKeyDer::from_pem_slice(pem)
        .map_err(|e| ConfigError(format!("no usable private key in {what}: {e}")))
}

/// How a server's certificate is checked: the trust roots, or not at all
/// (`enable.ssl.certificate.verification=false`).
fn server_checks(
    tls: &TlsProps,
) -> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>, ConfigError>
{
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError(format!("TLS: {e}")))?;
    Ok(if tls.verify {
        builder.with_root_certificates(roots(tls)?)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(
                provider.signature_verification_algorithms,
            )))
    })
}

/// The TLS settings for an https OIDC token endpoint: the brokers' server checks, and no
/// client certificate (it is the brokers' credential, not the identity provider's).
fn https_config(tls: &TlsProps) -> Result<rustls::ClientConfig, ConfigError> {
    Ok(server_checks(tls)?.with_no_client_auth())
}

fn tls_config(tls: &TlsProps) -> Result<rustls::ClientConfig, ConfigError> {
    let builder = server_checks(tls)?;
    let cert = match (&tls.cert_pem, &tls.cert_location) {
        (Some(pem), _) => Some((
            "ssl.certificate.pem",
            "ssl.certificate.pem".to_string(),
            pem.as_bytes().to_vec(),
        )),
        (None, Some(loc)) => Some((
            "ssl.certificate.location",
            loc.clone(),
            read_file("ssl.certificate.location", loc)?,
        )),
        (None, None) => None,
    };
    let key = match (&tls.key_pem, &tls.key_location) {
        (Some(pem), _) => Some(("ssl.key.pem".to_string(), pem.as_bytes().to_vec())),
        (None, Some(loc)) => Some((loc.clone(), read_file("ssl.key.location", loc)?)),
        (None, None) => None,
    };
    let config = match (cert, key) {
        (None, None) => builder.with_no_client_auth(),
        (Some((key_name, what, pem)), Some((key_what, key_pem))) => {
            let chain = certs_from_pem(key_name, &what, &pem)?;
            let key = private_key(tls, &key_pem, &key_what)?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                ConfigError(format!(
                    "the client certificate and key cannot be used: {e}"
                ))
            })?
        }
        (Some(_), None) => {
            return Err(ConfigError(
                "ssl.certificate.location needs ssl.key.location (or ssl.key.pem)".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError(
                "ssl.key.location needs ssl.certificate.location (or ssl.certificate.pem)".into(),
            ));
        }
    };
    Ok(config)
}

/// Accepts any certificate (`enable.ssl.certificate.verification=false`); handshake
/// signatures are still checked, so the session is at least bound to the presented key.
#[derive(Debug)]
struct NoVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
