//! etcd v3 as a [`Coordinator`], through etcd's gRPC gateway (HTTP/JSON, `/v3/...`), with
//! reqwest: the HTTP client kbrowse already has. `etcd-client` would add tonic, prost 0.13
//! and a second HTTP/2 stack for the seven calls used here.
//!
//! Keys and values are base64 in the JSON; 64-bit integers come back as strings. Every answer
//! is read with a size cap, and every request has a timeout: the coordinator is a network
//! peer like any other.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use super::{Coordinator, CoordinatorError, LeaseId};

/// The largest answer read from etcd: a member list or a topic's offsets are far below it.
const MAX_ANSWER: usize = 8 << 20;

/// An etcd cluster reached through its JSON gateway.
#[derive(Debug, Clone)]
pub struct Etcd {
    endpoints: Vec<String>,
    http: reqwest::Client,
}

impl Etcd {
    /// A client for `etcd://HOST:PORT[,HOST:PORT...]` (or `http://` endpoints); requests go to
    /// the first endpoint that answers.
    pub fn new(spec: &str, timeout: Duration) -> Result<Etcd, CoordinatorError> {
        let rest = spec.strip_prefix("etcd://").ok_or_else(|| {
            CoordinatorError::Config(format!(
                "unsupported coordinator '{spec}': expected etcd://HOST:PORT[,HOST:PORT...]"
            ))
        })?;
        let mut endpoints = Vec::new();
        for hp in rest.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let port_ok = hp
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
            if !port_ok || hp.contains('/') {
                return Err(CoordinatorError::Config(format!(
                    "invalid etcd endpoint '{hp}' in '{spec}': expected HOST:PORT"
                )));
            }
            endpoints.push(format!("http://{hp}"));
        }
        if endpoints.is_empty() {
            return Err(CoordinatorError::Config(format!(
                "no etcd endpoint in '{spec}': expected etcd://HOST:PORT[,HOST:PORT...]"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| CoordinatorError::Config(format!("etcd client: {e}")))?;
        Ok(Etcd { endpoints, http })
    }

    fn hosts(&self) -> String {
        self.endpoints
            .iter()
            .map(|e| e.trim_start_matches("http://"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// POSTs `body` to `path` on the first endpoint that answers; etcd's own errors (an
    /// `error`/`message` field) are returned as such, not retried elsewhere.
    async fn call(&self, path: &str, body: Value) -> Result<Value, CoordinatorError> {
        let mut last = String::new();
        for ep in &self.endpoints {
            let sent = self
                .http
                .post(format!("{ep}{path}"))
                .json(&body)
                .send()
                .await;
            let mut resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    last = one_line(&e);
                    continue;
                }
            };
            let status = resp.status();
            let mut bytes = Vec::new();
            loop {
                match resp.chunk().await {
                    Ok(Some(c)) => {
                        if bytes.len() + c.len() > MAX_ANSWER {
                            return Err(CoordinatorError::Protocol(format!(
                                "etcd at {} sent an answer over {} MiB",
                                ep.trim_start_matches("http://"),
                                MAX_ANSWER >> 20
                            )));
                        }
                        bytes.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        last = one_line(&e);
                        bytes.clear();
                        break;
                    }
                }
            }
            if bytes.is_empty() && !last.is_empty() {
                continue;
            }
            let v: Value = serde_json::from_slice(&bytes).map_err(|_| {
                CoordinatorError::Protocol(format!(
                    "etcd at {} answered {path} with something that is not etcd's JSON (HTTP {status})",
                    ep.trim_start_matches("http://")
                ))
            })?;
            if let Some(msg) = v.get("message").or_else(|| v.get("error")) {
                let msg = msg.as_str().unwrap_or("unknown error").to_string();
                return Err(CoordinatorError::Etcd(msg));
            }
            if !status.is_success() {
                return Err(CoordinatorError::Etcd(format!("HTTP {status}")));
            }
            return Ok(v);
        }
        Err(CoordinatorError::Unreachable {
            endpoints: self.hosts(),
            reason: last,
        })
    }
}

/// A reqwest error in one line: its chain of causes, without the URL's query.
fn one_line(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection refused or failed".to_string()
    } else {
        e.to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(cause) = src {
        let c = cause.to_string();
        if !s.contains(&c) && !e.is_connect() {
            s.push_str(": ");
            s.push_str(&c);
        }
        src = cause.source();
    }
    s
}

fn b64(s: &[u8]) -> String {
    B64.encode(s)
}

/// The end of the range of every key starting with `prefix` (etcd's `range_end`).
fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// An int64 as grpc-gateway writes it: a string, or a number; absent is 0.
fn int(v: &Value, field: &str) -> Result<i64, CoordinatorError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| CoordinatorError::Protocol(format!("etcd sent a bad {field}: {s:?}"))),
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| CoordinatorError::Protocol(format!("etcd sent a bad {field}"))),
        Some(_) => Err(CoordinatorError::Protocol(format!(
            "etcd sent a bad {field}"
        ))),
    }
}

fn bytes_field(v: &Value, field: &str) -> Result<Vec<u8>, CoordinatorError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => B64
            .decode(s)
            .map_err(|_| CoordinatorError::Protocol(format!("etcd sent a bad {field}"))),
        Some(_) => Err(CoordinatorError::Protocol(format!(
            "etcd sent a bad {field}"
        ))),
    }
}

impl Coordinator for Etcd {
    fn describe(&self) -> String {
        format!("etcd at {}", self.hosts())
    }

    async fn grant(&self, ttl: Duration) -> Result<LeaseId, CoordinatorError> {
        let v = self
            .call("/v3/lease/grant", json!({ "TTL": ttl.as_secs().max(1) }))
            .await?;
        let id = int(&v, "ID")?;
        if id == 0 {
            return Err(CoordinatorError::Protocol("etcd granted lease 0".into()));
        }
        Ok(LeaseId(id))
    }

    async fn keep_alive(&self, lease: LeaseId) -> Result<Option<Duration>, CoordinatorError> {
        let v = self
            .call("/v3/lease/keepalive", json!({ "ID": lease.0.to_string() }))
            .await?;
        // The gateway streams: one `{"result": ...}` object for one request.
        let r = v.get("result").unwrap_or(&v);
        let ttl = int(r, "TTL")?;
        Ok((ttl > 0).then(|| Duration::from_secs(ttl as u64)))
    }

    async fn revoke(&self, lease: LeaseId) -> Result<(), CoordinatorError> {
        self.call("/v3/lease/revoke", json!({ "ID": lease.0.to_string() }))
            .await
            .map(drop)
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), CoordinatorError> {
        self.call(
            "/v3/kv/put",
            json!({ "key": b64(key.as_bytes()), "value": b64(value) }),
        )
        .await
        .map(drop)
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        lease: Option<LeaseId>,
    ) -> Result<bool, CoordinatorError> {
        let mut put = json!({ "key": b64(key.as_bytes()), "value": b64(value) });
        if let Some(l) = lease {
            put["lease"] = json!(l.0.to_string());
        }
        let v = self
            .call(
                "/v3/kv/txn",
                json!({
                    "compare": [{ "key": b64(key.as_bytes()), "target": "CREATE",
                                  "result": "EQUAL", "create_revision": "0" }],
                    "success": [{ "request_put": put }],
                }),
            )
            .await?;
        Ok(v.get("succeeded").and_then(Value::as_bool).unwrap_or(false))
    }

    async fn put_if_held(
        &self,
        guard: &str,
        lease: LeaseId,
        key: &str,
        value: &[u8],
    ) -> Result<bool, CoordinatorError> {
        let v = self
            .call(
                "/v3/kv/txn",
                json!({
                    "compare": [{ "key": b64(guard.as_bytes()), "target": "LEASE",
                                  "result": "EQUAL", "lease": lease.0.to_string() }],
                    "success": [{ "request_put": { "key": b64(key.as_bytes()), "value": b64(value) } }],
                }),
            )
            .await?;
        Ok(v.get("succeeded").and_then(Value::as_bool).unwrap_or(false))
    }

    async fn delete_if_held(&self, guard: &str, lease: LeaseId) -> Result<(), CoordinatorError> {
        self.call(
            "/v3/kv/txn",
            json!({
                "compare": [{ "key": b64(guard.as_bytes()), "target": "LEASE",
                              "result": "EQUAL", "lease": lease.0.to_string() }],
                "success": [{ "request_delete_range": { "key": b64(guard.as_bytes()) } }],
            }),
        )
        .await
        .map(drop)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CoordinatorError> {
        let v = self
            .call("/v3/kv/range", json!({ "key": b64(key.as_bytes()) }))
            .await?;
        match v.get("kvs").and_then(Value::as_array) {
            Some(kvs) if !kvs.is_empty() => Ok(Some(bytes_field(&kvs[0], "value")?)),
            _ => Ok(None),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, CoordinatorError> {
        let v = self
            .call(
                "/v3/kv/range",
                json!({ "key": b64(prefix.as_bytes()), "range_end": b64(&prefix_end(prefix.as_bytes())) }),
            )
            .await?;
        let mut out = Vec::new();
        for kv in v.get("kvs").and_then(Value::as_array).into_iter().flatten() {
            let key = bytes_field(kv, "key")?;
            let key = String::from_utf8(key).map_err(|_| {
                CoordinatorError::Protocol("etcd sent a key that is not UTF-8".into())
            })?;
            out.push((key, bytes_field(kv, "value")?));
        }
        Ok(out)
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), CoordinatorError> {
        self.call(
            "/v3/kv/deleterange",
            json!({ "key": b64(prefix.as_bytes()), "range_end": b64(&prefix_end(prefix.as_bytes())) }),
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_checked() {
        let t = Duration::from_secs(1);
        let e = Etcd::new("etcd://a:2379,b:2380", t).unwrap();
        assert_eq!(e.describe(), "etcd at a:2379,b:2380");
        assert_eq!(
            Etcd::new("consul://a:1", t).unwrap_err().to_string(),
            "unsupported coordinator 'consul://a:1': expected etcd://HOST:PORT[,HOST:PORT...]"
        );
        assert_eq!(
            Etcd::new("etcd://a", t).unwrap_err().to_string(),
            "invalid etcd endpoint 'a' in 'etcd://a': expected HOST:PORT"
        );
        assert_eq!(
            Etcd::new("etcd://", t).unwrap_err().to_string(),
            "no etcd endpoint in 'etcd://': expected etcd://HOST:PORT[,HOST:PORT...]"
        );
    }

    #[test]
    fn prefix_end_is_the_next_key() {
        assert_eq!(prefix_end(b"a/"), b"a0".to_vec());
        assert_eq!(prefix_end(b"a\xff"), b"b".to_vec());
        assert_eq!(prefix_end(b"\xff"), vec![0]);
    }

    #[test]
    fn gateway_integers_are_strings_or_numbers() {
        let v = json!({"a": "12", "b": 7, "c": "x"});
        assert_eq!(int(&v, "a").unwrap(), 12);
        assert_eq!(int(&v, "b").unwrap(), 7);
        assert_eq!(int(&v, "missing").unwrap(), 0);
        assert_eq!(
            int(&v, "c").unwrap_err().to_string(),
            "etcd sent a bad c: \"x\""
        );
    }
}
