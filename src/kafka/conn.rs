//! One connection to one broker (plain TCP or TLS): framed, pipelined requests matched by
//! correlation id; ApiVersions first, then SASL when configured (and again before the session
//! the broker granted runs out, KIP-368).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, FetchRequest, FetchResponse,
    ListOffsetsRequest, ListOffsetsResponse, MetadataRequest, MetadataResponse, RequestHeader,
    SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse,
};
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, DescribeConfigsRequest,
    DescribeConfigsResponse, DescribeGroupsRequest, DescribeGroupsResponse, FindCoordinatorRequest,
    FindCoordinatorResponse, ListGroupsRequest, ListGroupsResponse, OffsetFetchRequest,
    OffsetFetchResponse,
};
use kafka_protocol::protocol::{Encodable, HeaderVersion, Message, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::oneshot;

use super::error::{About, Error, Result};
use super::sasl::Mechanism;
use super::security::Security;
use super::transport::Transport;
use super::wire::{self, DecodeError};

/// Settings shared by every connection of a client.
#[derive(Debug, Clone)]
pub struct ConnConfig {
    /// How long a request may wait for its response (fetches add their max wait on top).
    pub request_timeout: Duration,
    /// How long opening the TCP connection may take.
    pub connect_timeout: Duration,
    /// Largest response frame accepted; a bigger claimed length closes the connection.
    pub max_frame: usize,
    /// The client id sent in every request header (`client.id`).
    pub client_id: String,
    /// TLS and SASL.
    pub security: Security,
}

impl Default for ConnConfig {
    fn default() -> Self {
        ConnConfig {
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_frame: 256 << 20,
            client_id: "kbrowse".to_string(),
            security: Security::default(),
        }
    }
}

/// A request this client sends: its key, name and response type (decoded by `wire`, whose
/// decoders never allocate in proportion to a length the peer claims).
pub trait Api: Encodable + HeaderVersion + Message {
    /// The API key sent in the request header.
    const KEY: ApiKey;
    /// The API's name, for messages and logs.
    const NAME: &'static str;
    /// The response, decoded by a bounded decoder.
    type Response: wire::Response;
}

macro_rules! api {
    ($req:ty, $resp:ty, $key:ident) => {
        impl Api for $req {
            const KEY: ApiKey = ApiKey::$key;
            const NAME: &'static str = stringify!($key);
            type Response = $resp;
        }
    };
}
api!(ApiVersionsRequest, ApiVersionsResponse, ApiVersions);
api!(MetadataRequest, MetadataResponse, Metadata);
api!(ListOffsetsRequest, ListOffsetsResponse, ListOffsets);
api!(FetchRequest, FetchResponse, Fetch);
api!(SaslHandshakeRequest, SaslHandshakeResponse, SaslHandshake);
api!(
    FindCoordinatorRequest,
    FindCoordinatorResponse,
    FindCoordinator
);
api!(ListGroupsRequest, ListGroupsResponse, ListGroups);
api!(
    DescribeGroupsRequest,
    DescribeGroupsResponse,
    DescribeGroups
);
api!(
    ConsumerGroupDescribeRequest,
    ConsumerGroupDescribeResponse,
    ConsumerGroupDescribe
);
api!(OffsetFetchRequest, OffsetFetchResponse, OffsetFetch);
api!(
    DescribeConfigsRequest,
    DescribeConfigsResponse,
    DescribeConfigs
);
api!(
    SaslAuthenticateRequest,
    SaslAuthenticateResponse,
    SaslAuthenticate
);

type Waiter = oneshot::Sender<Result<Bytes>>;

/// Requests sent and not yet answered; `closed` is set once the connection is dead.
#[derive(Default)]
struct Pending {
    waiters: HashMap<i32, Waiter>,
    closed: Option<Error>,
}

impl Pending {
    fn fail_all(&mut self, err: Error) {
        for (_, w) in self.waiters.drain() {
            let _ = w.send(Err(err.clone()));
        }
        self.closed.get_or_insert(err);
    }
}

/// A live connection to one broker.
pub struct Connection {
    addr: String,
    writer: tokio::sync::Mutex<WriteHalf<Transport>>,
    /// Held for reading while a request is written, and for writing during a
    /// re-authentication, which must not interleave with other requests.
    gate: tokio::sync::RwLock<()>,
    client_id: StrBytes,
    pending: Arc<Mutex<Pending>>,
    next_id: AtomicI32,
    versions: HashMap<i16, (i16, i16)>,
    config: ConnConfig,
    reader: tokio::task::JoinHandle<()>,
    reauth: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.reader.abort();
        if let Ok(Some(t)) = self.reauth.lock().map(|mut r| r.take()) {
            t.abort();
        }
    }
}

/// Kafka's SASL error codes.
const UNSUPPORTED_SASL_MECHANISM: i16 = 33;
const ILLEGAL_SASL_STATE: i16 = 34;
/// Re-authenticate once this share of the session has passed (the Java client uses 85..95%).
const REAUTH_AT: f64 = 0.85;

/// ApiVersions versions we try, newest first (some brokers reject newer ones).
const API_VERSIONS_TRIES: [i16; 3] = [3, 2, 0];

impl Connection {
    /// Opens a connection (TLS when configured), learns which API versions the broker
    /// supports and authenticates with SASL when configured.
    pub async fn connect(addr: &str, config: &ConnConfig) -> Result<Arc<Connection>> {
        let started = std::time::Instant::now();
        let conn = Self::open(addr, config).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &conn {
            Ok(c) => {
                let range = |key: ApiKey| {
                    c.versions
                        .get(&(key as i16))
                        .map_or("none".to_string(), |(lo, hi)| format!("{lo} to {hi}"))
                };
                tracing::info!(
                    addr,
                    elapsed_ms,
                    metadata = %range(ApiKey::Metadata),
                    list_offsets = %range(ApiKey::ListOffsets),
                    fetch = %range(ApiKey::Fetch),
                    "connected; the broker's API versions"
                );
            }
            Err(error) => tracing::warn!(addr, elapsed_ms, %error, "connect failed"),
        }
        conn
    }

    async fn open(addr: &str, config: &ConnConfig) -> Result<Arc<Connection>> {
        let security = &config.security;
        tracing::debug!(addr, protocol = security.protocol.name(), "connecting");
        let stream =
            Transport::connect(addr, security.tls.as_ref(), config.connect_timeout).await?;
        let (read_half, write_half) = tokio::io::split(stream);
        let pending = Arc::new(Mutex::new(Pending::default()));
        let reader = tokio::spawn(read_frames(
            read_half,
            addr.to_string(),
            config.max_frame,
            pending.clone(),
        ));
        let mut conn = Connection {
            addr: addr.to_string(),
            writer: tokio::sync::Mutex::new(write_half),
            gate: tokio::sync::RwLock::new(()),
            client_id: StrBytes::from_string(config.client_id.clone()),
            pending,
            next_id: AtomicI32::new(1),
            versions: HashMap::new(),
            config: config.clone(),
            reader,
            reauth: Mutex::new(None),
        };
        conn.versions = conn.api_versions().await?;
        let conn = Arc::new(conn);
        if let Some(mech) = &security.sasl {
            let lifetime = conn.authenticate(mech.as_ref()).await?;
            if let Some(lifetime) = lifetime {
                let task = tokio::spawn(reauthenticate(Arc::downgrade(&conn), lifetime));
                if let Ok(mut slot) = conn.reauth.lock() {
                    *slot = Some(task);
                }
            }
        }
        Ok(conn)
    }

    /// The principal the broker sees, as its ACLs name it (`User:alice`).
    pub fn principal(&self) -> String {
        self.config.security.principal()
    }

    /// SaslHandshake v1 then SaslAuthenticate until the mechanism is done. Returns the session
    /// lifetime the broker granted, if any (KIP-368).
    async fn authenticate(&self, mech: &dyn Mechanism) -> Result<Option<Duration>> {
        let fail = |message: String| Error::AuthenticationFailed {
            broker: self.addr.clone(),
            mechanism: Some(mech.name().to_string()),
            user: Some(mech.principal()),
            message,
        };
        let started = std::time::Instant::now();
        let hs_version = self.version::<SaslHandshakeRequest>(1)?;
        if hs_version < 1 {
            return Err(fail("the broker only offers SaslHandshake v0".into()));
        }
        let req =
            SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(mech.name()));
        let resp = self.send_ungated(&req, hs_version).await?;
        match resp.error_code {
            0 => {}
            UNSUPPORTED_SASL_MECHANISM => {
                let offered: Vec<&str> = resp.mechanisms.iter().map(|m| m.as_str()).collect();
                return Err(fail(format!(
                    "the broker does not enable {} on this listener (it offers: {})",
                    mech.name(),
                    if offered.is_empty() {
                        "none".to_string()
                    } else {
                        offered.join(", ")
                    }
                )));
            }
            ILLEGAL_SASL_STATE => {
                return Err(fail(
                    "this listener does not use SASL (use security.protocol=plaintext or ssl)"
                        .into(),
                ));
            }
            code => {
                let e = Error::from_code("SaslHandshake", code, About::Nothing);
                return Err(fail(e.map(|e| e.to_string()).unwrap_or_default()));
            }
        }
        let auth_version = self.version::<SaslAuthenticateRequest>(2)?;
        let mut exchange = mech
            .start(super::transport::host_of(&self.addr))
            .await
            .map_err(|e| fail(e.0))?;
        let mut server = Bytes::new();
        let mut lifetime = 0i64;
        while let Some(msg) = exchange.step(&server).map_err(|e| fail(e.0))? {
            let req = SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(msg));
            let resp = self.send_ungated(&req, auth_version).await?;
            if resp.error_code != 0 {
                let name = kafka_protocol::ResponseError::try_from_code(resp.error_code)
                    .map(|e| format!("{e}"))
                    .unwrap_or_else(|| format!("error {}", resp.error_code));
                let reason = match resp.error_message.as_deref() {
                    Some(m) if !m.is_empty() => format!("the broker says \"{m}\""),
                    _ => name,
                };
                return Err(fail(reason));
            }
            server = resp.auth_bytes;
            lifetime = resp.session_lifetime_ms;
        }
        tracing::debug!(
            addr = %self.addr,
            mechanism = mech.name(),
            user = %mech.principal(),
            session_lifetime_ms = lifetime,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "authenticated"
        );
        Ok((lifetime > 0).then(|| Duration::from_millis(lifetime as u64)))
    }

    async fn send_ungated<R: Api>(&self, req: &R, version: i16) -> Result<R::Response> {
        let frame = self.round_trip_inner(req, version, Duration::ZERO).await?;
        let (_, resp) =
            wire::decode_frame::<R::Response>(frame, version).map_err(|e| self.protocol(e))?;
        Ok(resp)
    }

    /// The broker's address as dialled.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// False once the connection failed; a new one must be opened.
    pub fn is_alive(&self) -> bool {
        self.pending
            .lock()
            .map(|p| p.closed.is_none())
            .unwrap_or(false)
    }

    async fn api_versions(&self) -> Result<HashMap<i16, (i16, i16)>> {
        let req = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("kbrowse"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        for version in API_VERSIONS_TRIES {
            let frame = self.round_trip(&req, version, Duration::ZERO).await?;
            // An UNSUPPORTED_VERSION answer is always encoded as v0: read the error code first.
            let body = frame.slice(4..);
            if body.len() >= 2 && i16::from_be_bytes([body[0], body[1]]) == 35 {
                tracing::debug!(addr = %self.addr, version, "ApiVersions version refused");
                continue;
            }
            let resp = wire::decode_body::<ApiVersionsResponse>(body, version)
                .map_err(|e| self.protocol(e))?;
            if let Some(err) = Error::from_code("ApiVersions", resp.error_code, About::Nothing) {
                return Err(err);
            }
            return Ok(resp
                .api_keys
                .iter()
                .map(|k| (k.api_key, (k.min_version, k.max_version)))
                .collect());
        }
        Err(Error::Unsupported {
            addr: self.addr.clone(),
            api: "ApiVersions",
            broker: None,
            ours: (API_VERSIONS_TRIES[2], API_VERSIONS_TRIES[0]),
        })
    }

    /// The highest version of `R` that both we (up to `our_max`) and the broker support.
    pub fn version<R: Api>(&self, our_max: i16) -> Result<i16> {
        let ours = (R::VERSIONS.min, our_max.min(R::VERSIONS.max));
        let broker = self.versions.get(&(R::KEY as i16)).copied();
        let unsupported = || Error::Unsupported {
            addr: self.addr.clone(),
            api: R::NAME,
            broker,
            ours,
        };
        let (min, max) = broker.ok_or_else(unsupported)?;
        let v = ours.1.min(max);
        if v < min.max(ours.0) {
            let error = unsupported();
            tracing::warn!(addr = %self.addr, %error, "no API version in common");
            return Err(error);
        }
        Ok(v)
    }

    /// Sends a request and waits for its response; `extra` adds to the request timeout.
    pub async fn send<R: Api>(
        &self,
        req: &R,
        version: i16,
        extra: Duration,
    ) -> Result<R::Response> {
        let frame = self.round_trip(req, version, extra).await?;
        let (_, resp) =
            wire::decode_frame::<R::Response>(frame, version).map_err(|e| self.protocol(e))?;
        Ok(resp)
    }

    fn protocol(&self, e: DecodeError) -> Error {
        Error::Protocol {
            addr: self.addr.clone(),
            api: e.api,
            reason: format!("v{}: {}", e.version, e.reason),
        }
    }

    /// Writes one request frame and returns the raw response frame (header included); waits
    /// while a re-authentication is under way.
    async fn round_trip<R: Api>(&self, req: &R, version: i16, extra: Duration) -> Result<Bytes> {
        let _gate = self.gate.read().await;
        self.round_trip_inner(req, version, extra).await
    }

    async fn round_trip_inner<R: Api>(
        &self,
        req: &R,
        version: i16,
        extra: Duration,
    ) -> Result<Bytes> {
        let api = R::NAME;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY as i16)
            .with_request_api_version(version)
            .with_correlation_id(id)
            .with_client_id(Some(self.client_id.clone()));
        let mut buf = BytesMut::with_capacity(64);
        buf.put_i32(0);
        let encoded = header
            .encode(&mut buf, R::header_version(version))
            .and_then(|_| req.encode(&mut buf, version));
        if let Err(e) = encoded {
            // The version both sides support lacks a field this request needs.
            let broker = self.versions.get(&(R::KEY as i16)).copied();
            return Err(Error::Encode {
                addr: self.addr.clone(),
                api,
                version,
                broker: broker.unwrap_or((version, version)),
                reason: format!("{e:#}"),
            });
        }
        let len = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&len.to_be_bytes());

        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.pending.lock().map_err(|_| self.closed())?;
            if let Some(err) = &pending.closed {
                return Err(err.clone());
            }
            pending.waiters.insert(id, tx);
        }
        let write = async {
            let mut w = self.writer.lock().await;
            w.write_all(&buf).await?;
            // TLS buffers what it encrypts: push it out now.
            w.flush().await
        };
        let after = self.config.request_timeout + extra;
        let started = std::time::Instant::now();
        let outcome = tokio::time::timeout(after, async {
            if let Err(e) = write.await {
                // Under TLS 1.3 a broker that wants a client certificate refuses it after the
                // client's handshake is done: its alert then fails the first write or read.
                return Err(
                    super::transport::tls_io_error(&self.addr, &e).unwrap_or(Error::Io {
                        addr: self.addr.clone(),
                        reason: e.to_string(),
                    }),
                );
            }
            rx.await.map_err(|_| self.closed())?
        })
        .await;
        let latency_us = started.elapsed().as_micros() as u64;
        match &outcome {
            Ok(Ok(frame)) => tracing::debug!(
                addr = %self.addr,
                api,
                version,
                correlation_id = id,
                latency_us,
                response_bytes = frame.len(),
                "request"
            ),
            Ok(Err(error)) => {
                tracing::warn!(addr = %self.addr, api, version, latency_us, %error, "request failed")
            }
            Err(_) => {
                tracing::warn!(addr = %self.addr, api, version, latency_us, "request timed out")
            }
        }
        match outcome {
            Ok(Ok(frame)) => Ok(frame),
            Ok(Err(e)) => {
                self.shut(e.clone());
                Err(e)
            }
            Err(_) => {
                // A broker that stops answering is treated as dead: later requests reconnect.
                let e = Error::Timeout {
                    addr: self.addr.clone(),
                    api,
                    after,
                };
                self.shut(e.clone());
                Err(e)
            }
        }
    }

    fn closed(&self) -> Error {
        Error::Closed {
            addr: self.addr.clone(),
        }
    }

    fn shut(&self, err: Error) {
        if let Ok(mut p) = self.pending.lock() {
            p.fail_all(err);
        }
        self.reader.abort();
    }
}

/// Reads frames until the connection fails, handing each to the request waiting for it.
async fn read_frames(
    mut rd: ReadHalf<Transport>,
    addr: String,
    max_frame: usize,
    pending: Arc<Mutex<Pending>>,
) {
    let err = loop {
        match read_frame(&mut rd, &addr, max_frame).await {
            Ok(frame) => {
                let id = i32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
                let waiter = match pending.lock() {
                    Ok(mut p) => p.waiters.remove(&id),
                    Err(_) => return,
                };
                match waiter {
                    Some(w) => {
                        let _ = w.send(Ok(frame));
                    }
                    None => {
                        let reason = format!("response to unknown correlation id {id}");
                        break Error::Protocol {
                            addr: addr.clone(),
                            api: "any",
                            reason,
                        };
                    }
                }
            }
            Err(e) => break e,
        }
    };
    if let Ok(mut p) = pending.lock() {
        p.fail_all(err);
    }
}

/// One length-prefixed frame. Memory grows with the bytes that actually arrive, never with
/// the length the peer claims.
async fn read_frame(rd: &mut ReadHalf<Transport>, addr: &str, max_frame: usize) -> Result<Bytes> {
    let io = |e: std::io::Error| {
        if let Some(tls) = super::transport::tls_io_error(addr, &e) {
            tls
        } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::Closed {
                addr: addr.to_string(),
            }
        } else {
            Error::Io {
                addr: addr.to_string(),
                reason: e.to_string(),
            }
        }
    };
    let len = rd.read_i32().await.map_err(io)?;
    // A TLS record header (type 21 alert or 22 handshake, version 3.x) read as a length: a
    // plaintext request reached a TLS listener.
    let [kind, major, ..] = len.to_be_bytes();
    if (kind == 21 || kind == 22) && major == 3 {
        let what = if kind == 21 {
            "an alert record"
        } else {
            "a handshake record"
        };
        return Err(Error::TlsListener {
            addr: addr.to_string(),
            what,
        });
    }
    if len < 4 || len as usize > max_frame {
        return Err(Error::FrameLength {
            addr: addr.to_string(),
            len: len as i64,
            max: max_frame,
        });
    }
    let len = len as usize;
    let mut buf = BytesMut::with_capacity(len.min(64 << 10));
    while buf.len() < len {
        if buf.capacity() == buf.len() {
            buf.reserve((len - buf.len()).min(buf.len().max(64 << 10)));
        }
        let want = len - buf.len();
        let n = (&mut *rd)
            .take(want as u64)
            .read_buf(&mut buf)
            .await
            .map_err(io)?;
        if n == 0 {
            return Err(Error::Closed {
                addr: addr.to_string(),
            });
        }
    }
    Ok(buf.freeze())
}

/// Re-authenticates before each session the broker grants runs out; stops with the connection.
async fn reauthenticate(conn: Weak<Connection>, mut lifetime: Duration) {
    loop {
        // A floor, so that a broker granting tiny sessions cannot make the client spin.
        tokio::time::sleep(lifetime.mul_f64(REAUTH_AT).max(Duration::from_millis(100))).await;
        let Some(conn) = conn.upgrade() else { return };
        let Some(mech) = conn.config.security.sasl.clone() else {
            return;
        };
        let outcome = {
            // No other request may sit between SaslHandshake and the last SaslAuthenticate;
            // requests already in flight (a long-poll fetch) are answered first, in order.
            let _gate = conn.gate.write().await;
            conn.authenticate(mech.as_ref()).await
        };
        match outcome {
            Ok(Some(next)) => {
                tracing::info!(addr = %conn.addr, "re-authenticated");
                lifetime = next;
            }
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(addr = %conn.addr, error = %e, "re-authentication failed");
                conn.shut(e);
                return;
            }
        }
    }
}
