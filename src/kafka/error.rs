//! One error type for the client; each variant's Display is a one-line user-facing message.

use std::time::Duration;

/// Everything that can go wrong while talking to Kafka.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The TCP connection could not be opened.
    #[error("cannot connect to broker {addr}: {reason}")]
    Connect {
        /// The broker's address.
        addr: String,
        /// What went wrong.
        reason: String,
    },
    /// None of the bootstrap brokers answered.
    #[error("no bootstrap broker reachable ({bootstrap}): {last}")]
    NoBrokers {
        /// The bootstrap list tried.
        bootstrap: String,
        /// The last failure.
        last: Box<Error>,
    },
    /// A read or write on an open connection failed.
    #[error("connection to broker {addr} failed: {reason}")]
    Io {
        /// The broker's address.
        addr: String,
        /// What went wrong.
        reason: String,
    },
    /// The peer closed the connection.
    #[error("broker {addr} closed the connection")]
    Closed {
        /// The broker's address.
        addr: String,
    },
    /// A request got no answer in time.
    #[error("broker {addr} did not answer {api} within {}s", after.as_secs_f32())]
    Timeout {
        /// The broker's address.
        addr: String,
        /// The request's API.
        api: &'static str,
        /// How long it waited.
        after: Duration,
    },
    /// A whole operation (a list load: metadata, then watermarks) took too long.
    #[error("{what} took longer than {}s", after.as_secs())]
    TookTooLong {
        /// What was being done.
        what: &'static str,
        /// How long it was given.
        after: Duration,
    },
    /// A frame claimed a length outside the accepted bounds.
    #[error(
        "broker {addr} sent a frame of {len} bytes (accepted: 4 to {max}); not a Kafka broker?"
    )]
    FrameLength {
        /// The broker's address.
        addr: String,
        /// The length claimed.
        len: i64,
        /// The largest accepted.
        max: usize,
    },
    /// The peer sent bytes that do not decode as the expected response.
    #[error("broker {addr} sent an invalid {api} response: {reason}")]
    Protocol {
        /// The broker's address.
        addr: String,
        /// The request's API.
        api: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The broker does not support an API we need at any version kbrowse speaks.
    #[error("{}", unsupported(addr, api, *broker, *ours))]
    Unsupported {
        /// The broker's address.
        addr: String,
        /// The request's API.
        api: &'static str,
        /// The versions the broker offers (None: it does not offer the API at all).
        broker: Option<(i16, i16)>,
        /// The versions kbrowse can send.
        ours: (i16, i16),
    },
    /// A request could not be written at the version both sides agreed on (the broker is too
    /// old for something the request needs).
    #[error(
        "cannot send {api} v{version} to broker {addr} (it supports v{}–v{}): {reason}",
        broker.0,
        broker.1
    )]
    Encode {
        /// The broker's address.
        addr: String,
        /// The request's API.
        api: &'static str,
        /// The version chosen.
        version: i16,
        /// The versions the broker offers.
        broker: (i16, i16),
        /// What could not be written.
        reason: String,
    },
    /// A broker id that the cluster metadata does not list (any more).
    #[error(
        "broker id {id} is not in the cluster metadata (known broker ids: {})",
        ids(known)
    )]
    UnknownBroker {
        /// The broker id asked for.
        id: i32,
        /// The broker ids the metadata lists.
        known: Vec<i32>,
    },
    /// The broker rejected our credentials (SASL). Fatal: never retried.
    #[error(
        "authentication failed at broker {broker}{}{}: {message}",
        mechanism.as_deref().map(|m| format!(" with {m}")).unwrap_or_default(),
        user.as_deref().map(|u| format!(" as '{u}'")).unwrap_or_default()
    )]
    AuthenticationFailed {
        /// The broker's address.
        broker: String,
        /// The SASL mechanism, when one was used.
        mechanism: Option<String>,
        /// The user name, when one was given.
        user: Option<String>,
        /// What the broker said.
        message: String,
    },
    /// The broker refused an operation to this principal (ACLs). Fatal: never retried.
    #[error(
        "not authorized: {api} on {what}{}",
        principal.as_deref().map(|p| format!(" for principal '{p}'")).unwrap_or_default()
    )]
    AuthorizationFailed {
        /// What was refused: `topic 'orders'`, `the cluster`, `group 'g1'`.
        what: String,
        /// The principal, when known.
        principal: Option<String>,
        /// The request's API.
        api: &'static str,
    },
    /// The broker answered with a Kafka error code.
    #[error("{api} failed{}: {name} (error {code})", context.as_deref().map(|c| format!(" for {c}")).unwrap_or_default())]
    Broker {
        /// The request's API.
        api: &'static str,
        /// The Kafka error code.
        code: i16,
        /// The error's name.
        name: String,
        /// What it was about (a topic, a partition).
        context: Option<String>,
    },
    /// The topic does not exist.
    #[error("unknown topic '{topic}'")]
    UnknownTopic {
        /// The topic.
        topic: String,
    },
    /// No broker lists a group of this name.
    #[error("unknown group '{group}'")]
    UnknownGroup {
        /// The group.
        group: String,
    },
    /// The topic was deleted while it was being read.
    #[error("topic '{topic}' was deleted while it was being read")]
    TopicDeleted {
        /// The topic.
        topic: String,
    },
    /// The partition does not exist in the topic.
    #[error("unknown partition {partition} of topic '{topic}' (it has {}: {})", crate::render::count((*count).into(), "partition"), crate::render::span_words(0, count - 1))]
    UnknownPartition {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// How many partitions the topic has.
        count: i32,
    },
    /// The metadata names no leader for the partition (an election is under way, or every
    /// replica is offline).
    #[error("partition {topic}/{partition} has no leader in the cluster metadata")]
    NoLeader {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
    },
    /// A requested offset lies outside the partition's log.
    #[error(
        "offset {offset} is out of range for {topic}/{partition} (valid offsets: {})",
        crate::render::span_words(low, high)
    )]
    OffsetOutOfRange {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// The offset.
        offset: i64,
        /// The log's first offset.
        low: i64,
        /// The log's end offset.
        high: i64,
    },
    /// Records were deleted (retention, delete-records) before a reader got to them.
    #[error("offsets {} of {topic}/{partition} were deleted before they could be read (retention or delete-records); the log now starts at {to}", crate::render::span_words(from, to - 1))]
    RecordsDeleted {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// The first deleted offset.
        from: i64,
        /// The log's new start.
        to: i64,
    },
    /// The log now ends below where a reader was: it was truncated, or the topic was
    /// deleted and created again, so records already read may no longer exist.
    #[error(
        "the log of {topic}/{partition} now ends at offset {high}, below the read position {offset} (truncated, or the topic was deleted and created again)"
    )]
    LogTruncated {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// The offset.
        offset: i64,
        /// The log's end offset.
        high: i64,
    },
    /// A record batch could not be decoded.
    #[error("corrupt record batch in {topic}/{partition} at offset {offset}: {reason}")]
    Corrupt {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// The offset.
        offset: i64,
        /// What went wrong.
        reason: String,
    },
    /// The TLS handshake failed (untrusted, expired or wrong-host certificate, a plaintext
    /// port, a refused client certificate).
    #[error("TLS with broker {addr} failed: {reason}")]
    Tls {
        /// The broker's address.
        addr: String,
        /// What went wrong.
        reason: String,
    },
    /// The peer answered a plaintext request with TLS: it is a TLS listener.
    #[error(
        "broker {addr} answered with TLS ({what}): it is a TLS listener; use security.protocol=ssl or sasl_ssl"
    )]
    TlsListener {
        /// The broker's address.
        addr: String,
        /// What it sent (an alert or handshake record).
        what: &'static str,
    },
}

/// What a Kafka error code was about, for the message and for authorization errors.
#[derive(Debug, Clone, Copy)]
pub enum About<'a> {
    /// Nothing in particular.
    Nothing,
    /// A topic.
    Topic(&'a str),
    /// A partition of a topic.
    Partition(&'a str, i32),
    /// A consumer group.
    Group(&'a str),
}

impl About<'_> {
    fn context(self) -> Option<String> {
        match self {
            About::Nothing => None,
            About::Topic(t) => Some(format!("topic '{t}'")),
            About::Partition(t, p) => Some(format!("{t}/{p}")),
            About::Group(g) => Some(format!("group '{g}'")),
        }
    }
}

impl Error {
    /// Names the principal in an authorization failure that does not name one yet.
    pub fn with_principal(self, who: &str) -> Error {
        match self {
            Error::AuthorizationFailed {
                what,
                principal: None,
                api,
            } => Error::AuthorizationFailed {
                what,
                principal: Some(who.to_string()),
                api,
            },
            other => other,
        }
    }

    /// The error for a response's error code (None when the code is 0). Authorization
    /// failures become `AuthorizationFailed`; everything else `Broker`.
    pub fn from_code(api: &'static str, code: i16, about: About<'_>) -> Option<Error> {
        use kafka_protocol::ResponseError as E;
        let err = E::try_from_code(code)?;
        let what = match (err, about) {
            (E::ClusterAuthorizationFailed, _) => Some("the cluster".to_string()),
            (E::TopicAuthorizationFailed, About::Topic(t) | About::Partition(t, _)) => {
                Some(format!("topic '{t}'"))
            }
            (E::TopicAuthorizationFailed, _) => Some("a topic".to_string()),
            (E::GroupAuthorizationFailed, About::Group(g)) => Some(format!("group '{g}'")),
            (E::GroupAuthorizationFailed, _) => Some("a group".to_string()),
            (E::TransactionalIdAuthorizationFailed, _) => Some("a transactional id".to_string()),
            (E::DelegationTokenAuthorizationFailed, _) => Some("a delegation token".to_string()),
            _ => None,
        };
        if let Some(what) = what {
            return Some(Error::AuthorizationFailed {
                what,
                principal: None,
                api,
            });
        }
        Some(Error::Broker {
            api,
            code,
            name: format!("{err}"),
            context: about.context(),
        })
    }
}

fn unsupported(addr: &str, api: &str, broker: Option<(i16, i16)>, ours: (i16, i16)) -> String {
    match broker {
        None => format!(
            "broker {addr} does not offer {api} (kbrowse sends v{}–v{})",
            ours.0, ours.1
        ),
        Some((lo, hi)) => format!(
            "broker {addr} supports {api} v{lo}–v{hi}, kbrowse sends v{}–v{}: no version in common",
            ours.0, ours.1
        ),
    }
}

fn ids(known: &[i32]) -> String {
    if known.is_empty() {
        return "none".into();
    }
    let ids: Vec<String> = known.iter().map(i32::to_string).collect();
    ids.join(", ")
}

/// Result with the client's error type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_thing() {
        let e = Error::UnknownBroker {
            id: 3,
            known: vec![1, 2],
        };
        assert_eq!(
            e.to_string(),
            "broker id 3 is not in the cluster metadata (known broker ids: 1, 2)"
        );
        let e = Error::Unsupported {
            addr: "h:1".into(),
            api: "Fetch",
            broker: Some((0, 3)),
            ours: (4, 12),
        };
        assert_eq!(
            e.to_string(),
            "broker h:1 supports Fetch v0–v3, kbrowse sends v4–v12: no version in common"
        );
        let e = Error::from_code("Fetch", 29, About::Partition("orders", 2)).unwrap();
        assert_eq!(e.to_string(), "not authorized: Fetch on topic 'orders'");
        let e = Error::from_code("Metadata", 31, About::Nothing).unwrap();
        assert_eq!(e.to_string(), "not authorized: Metadata on the cluster");
        let e = Error::from_code("Fetch", 6, About::Partition("orders", 2)).unwrap();
        assert_eq!(
            e.to_string(),
            "Fetch failed for orders/2: NotLeaderOrFollower (error 6)"
        );
        let e = Error::AuthenticationFailed {
            broker: "h:1".into(),
            mechanism: Some("SCRAM-SHA-256".into()),
            user: Some("alice".into()),
            message: "Authentication failed during authentication due to invalid credentials"
                .into(),
        };
        assert_eq!(
            e.to_string(),
            "authentication failed at broker h:1 with SCRAM-SHA-256 as 'alice': Authentication failed during authentication due to invalid credentials"
        );
    }
}
