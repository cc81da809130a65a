//! The byte stream under a connection: plain TCP or TLS (rustls), opened with a timeout, with
//! TLS failures turned into one-line messages that name the broker and the cause.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{AlertDescription, CertificateError};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::error::{Error, Result};

/// A connection's byte stream.
pub enum Transport {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
}

impl Transport {
    /// Opens TCP to `addr` and, with `tls`, runs the TLS handshake (SNI and host name checked
    /// against the host part of `addr`); both within `timeout`.
    pub async fn connect(
        addr: &str,
        tls: Option<&Arc<rustls::ClientConfig>>,
        timeout: Duration,
    ) -> Result<Transport> {
        let timed_out = || Error::Connect {
            addr: addr.into(),
            reason: format!("timed out after {}s", timeout.as_secs_f32()),
        };
        let tcp = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                return Err(Error::Connect {
                    addr: addr.into(),
                    reason: e.to_string(),
                });
            }
            Err(_) => return Err(timed_out()),
        };
        let _ = tcp.set_nodelay(true);
        let Some(tls) = tls else {
            return Ok(Transport::Plain(tcp));
        };
        let host = host_of(addr);
        let name = ServerName::try_from(host.to_string()).map_err(|_| Error::Tls {
            addr: addr.into(),
            reason: format!("'{host}' is not a valid host name for TLS"),
        })?;
        let handshake = TlsConnector::from(tls.clone()).connect(name, tcp);
        match tokio::time::timeout(timeout, handshake).await {
            Ok(Ok(s)) => Ok(Transport::Tls(Box::new(s))),
            Ok(Err(e)) => Err(tls_error(addr, host, &e)),
            Err(_) => Err(Error::Tls {
                addr: addr.into(),
                reason: format!(
                    "no TLS answer within {}s (is this a plaintext port? then use security.protocol=plaintext or sasl_plaintext)",
                    timeout.as_secs_f32()
                ),
            }),
        }
    }
}

/// The host part of `host:port` or `[v6]:port`.
pub fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// One line for a failed handshake.
fn tls_error(addr: &str, host: &str, e: &io::Error) -> Error {
    let reason = match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(c)) => certificate_reason(host, c),
        Some(rustls::Error::AlertReceived(alert)) => match alert {
            AlertDescription::CertificateRequired | AlertDescription::HandshakeFailure
            | AlertDescription::BadCertificate => format!(
                "the broker refused the handshake ({alert:?}): it may require a client certificate \
                 (ssl.certificate.location and ssl.key.location) signed by a CA it trusts"
            ),
            other => format!("the broker sent the TLS alert {other:?}"),
        },
        Some(rustls::Error::InvalidMessage(_)) | Some(rustls::Error::InappropriateMessage { .. }) => {
            "the broker did not answer in TLS (is this a plaintext port? then use security.protocol=plaintext or sasl_plaintext)".to_string()
        }
        Some(other) => other.to_string(),
        None if e.kind() == io::ErrorKind::UnexpectedEof
            || e.kind() == io::ErrorKind::ConnectionReset =>
        {
            "the broker closed the connection during the TLS handshake (is this a plaintext port? \
             then use security.protocol=plaintext or sasl_plaintext)"
                .to_string()
        }
        None => e.to_string(),
    };
    Error::Tls {
        addr: addr.into(),
        reason,
    }
}

fn certificate_reason(host: &str, c: &CertificateError) -> String {
    match c {
        CertificateError::UnknownIssuer => {
            "the broker's certificate is not trusted: its issuer is not \
             among the trusted roots (set ssl.ca.location to the CA that signed it)"
                .to_string()
        }
        CertificateError::NotValidForNameContext { presented, .. } => format!(
            "the broker's certificate is not valid for '{host}': it is for {}",
            if presented.is_empty() {
                "no host name".to_string()
            } else {
                presented
                    .iter()
                    .map(|p| unwrap_debug(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        CertificateError::NotValidForName => {
            format!("the broker's certificate is not valid for '{host}'")
        }
        CertificateError::ExpiredContext { not_after, .. } => format!(
            "the broker's certificate expired at {}",
            rfc3339(not_after.as_secs())
        ),
        CertificateError::Expired => "the broker's certificate has expired".to_string(),
        CertificateError::NotValidYetContext { not_before, .. } => format!(
            "the broker's certificate is not valid before {}",
            rfc3339(not_before.as_secs())
        ),
        other => format!("the broker's certificate is invalid: {other:?}"),
    }
}

/// rustls renders presented names as `DnsName("host")` / `IpAddress(1.2.3.4)`: keep the name.
fn unwrap_debug(s: &str) -> &str {
    match (s.find('('), s.rfind(')')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim_matches('"'),
        _ => s,
    }
}

/// A TLS failure after the handshake (an alert such as a refused client certificate, which
/// TLS 1.3 delivers on the first read), as a fatal error; None for plain I/O errors.
pub fn tls_io_error(addr: &str, e: &io::Error) -> Option<Error> {
    e.get_ref()
        .and_then(|i| i.downcast_ref::<rustls::Error>())
        .map(|_| tls_error(addr, host_of(addr), e))
}

fn rfc3339(secs: u64) -> String {
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| format!("{secs}s after 1970"))
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_of_addresses() {
        assert_eq!(host_of("b1.example.com:9093"), "b1.example.com");
        assert_eq!(host_of("127.0.0.1:9093"), "127.0.0.1");
        assert_eq!(host_of("[::1]:9093"), "::1");
        assert_eq!(
            super::unwrap_debug("DnsName(\"other.example\")"),
            "other.example"
        );
        assert_eq!(super::unwrap_debug("IpAddress(10.0.0.1)"), "10.0.0.1");
    }
}
