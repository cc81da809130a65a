//! One error type for the client; each variant's Display is a one-line user-facing message.

use std::time::Duration;

/// Everything that can go wrong while talking to Kafka.
#[derive(Debug, thiserror::Error, Clone)]
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
    /// A frame claimed a length outside the accepted bounds.
    #[error("broker {addr} sent a frame of {len} bytes (accepted: 4..={max}); not a Kafka broker?")]
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
    /// The broker does not support an API we need.
    #[error("broker {addr} does not support {api}")]
    Unsupported {
        /// The broker's address.
        addr: String,
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
    /// The topic was deleted while it was being read.
    #[error("topic '{topic}' was deleted while it was being read")]
    TopicDeleted {
        /// The topic.
        topic: String,
    },
    /// The partition does not exist in the topic.
    #[error("unknown partition {partition} of topic '{topic}' (it has {count} partitions: 0..={})", count - 1)]
    UnknownPartition {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// How many partitions the topic has.
        count: i32,
    },
    /// The partition has no leader right now.
    #[error("partition {topic}/{partition} has no leader")]
    NoLeader {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
    },
    /// A requested offset lies outside the partition's log.
    #[error("offset {offset} is out of range for {topic}/{partition} (valid: {low}..={high})")]
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
    #[error("offsets {from}..={} of {topic}/{partition} were deleted before they could be read (retention or delete-records); the log now starts at {to}", to - 1)]
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
}

impl Error {
    /// True when the error is about the transport, so retrying on a new connection may help.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            Error::Connect { .. }
                | Error::Io { .. }
                | Error::Closed { .. }
                | Error::Timeout { .. }
                | Error::NoBrokers { .. }
        )
    }

    /// Builds a `Broker` error from a response's error code (None when the code is 0).
    pub fn from_code(api: &'static str, code: i16, context: Option<String>) -> Option<Error> {
        let err = kafka_protocol::ResponseError::try_from_code(code)?;
        Some(Error::Broker {
            api,
            code,
            name: format!("{err}"),
            context,
        })
    }
}

/// Result with the client's error type.
pub type Result<T> = std::result::Result<T, Error>;
