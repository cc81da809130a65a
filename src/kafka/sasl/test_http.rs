//! A tiny HTTP/1.1 stand-in server on 127.0.0.1 for the mechanisms' tests (token endpoint,
//! instance metadata, STS): each request is recorded and answered by a closure.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The answer: status, content type, body.
pub type Answer = (u16, &'static str, String);

pub struct StandIn {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl StandIn {
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// Starts a server answering every request with `answer`.
pub async fn serve(answer: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> StandIn {
    serve_on(None, answer).await
}

/// Starts an https server (`tls`: its certificate) answering every request with `answer`.
pub async fn serve_tls(
    tls: rustls::ServerConfig,
    answer: impl Fn(&Request) -> Answer + Send + Sync + 'static,
) -> StandIn {
    serve_on(Some(tokio_rustls::TlsAcceptor::from(Arc::new(tls))), answer).await
}

async fn serve_on(
    tls: Option<tokio_rustls::TlsAcceptor>,
    answer: impl Fn(&Request) -> Answer + Send + Sync + 'static,
) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            let answer = answer.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    // A client that refuses the certificate ends the handshake: no request.
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(socket).await {
                            handle(stream, &seen, &*answer).await;
                        }
                    }
                    None => handle(socket, &seen, &*answer).await,
                }
            });
        }
    });
    StandIn { url, requests }
}

async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
    mut socket: S,
    seen: &Mutex<Vec<Request>>,
    answer: &(dyn Fn(&Request) -> Answer + Send + Sync),
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.unwrap();
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap().split(' ');
    let method = first.next().unwrap().to_string();
    let target = first.next().unwrap().to_string();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = socket.read(&mut chunk).await.unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    let request = Request {
        method,
        target,
        headers,
        body,
    };
    let (status, content_type, body) = answer(&request);
    seen.lock().unwrap().push(request);
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}
