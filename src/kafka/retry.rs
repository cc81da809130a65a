//! What to do after a failure: the one classifier of Kafka error codes (retry, refresh
//! metadata then retry, fatal) and the one backoff (exponential, capped, with jitter and an
//! optional deadline) that every retry loop of the client uses.

use std::future::Future;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use kafka_protocol::ResponseError;

use super::error::{Error, Result};

/// How a failed request can be recovered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Wait and send the same request to the same broker again.
    Retry,
    /// The client's picture of the cluster is stale (leader moved, connection lost): forget
    /// the leader, refresh metadata, then retry.
    Refresh,
    /// Retrying cannot help: report it once and stop.
    Fatal,
}

/// The recovery for a Kafka error code. Authentication and authorization failures are
/// fatal, whatever the broker claims about retrying.
pub fn classify(err: ResponseError) -> Recovery {
    use ResponseError::*;
    match err {
        SaslAuthenticationFailed
        | IllegalSaslState
        | UnsupportedSaslMechanism
        | TopicAuthorizationFailed
        | GroupAuthorizationFailed
        | ClusterAuthorizationFailed
        | TransactionalIdAuthorizationFailed
        | DelegationTokenAuthorizationFailed
        | UnsupportedVersion => Recovery::Fatal,
        NotLeaderOrFollower
        | LeaderNotAvailable
        | UnknownTopicOrPartition
        | ReplicaNotAvailable
        | KafkaStorageError
        | FencedLeaderEpoch
        | UnknownLeaderEpoch
        | OffsetNotAvailable
        | PreferredLeaderNotAvailable
        | NotCoordinator
        | CoordinatorNotAvailable
        | NotController
        | UnknownTopicId
        | InconsistentTopicId => Recovery::Refresh,
        e if e.is_retriable() => Recovery::Retry,
        _ => Recovery::Fatal,
    }
}

impl Error {
    /// How this failure can be recovered from.
    pub fn recovery(&self) -> Recovery {
        match self {
            // A lost connection may mean a moved or restarted broker: ask the cluster again.
            Error::Connect { .. }
            | Error::Io { .. }
            | Error::Closed { .. }
            | Error::Timeout { .. }
            | Error::NoBrokers { .. }
            | Error::NoLeader { .. }
            | Error::UnknownBroker { .. } => Recovery::Refresh,
            Error::Broker { code, .. } => match ResponseError::try_from_code(*code) {
                Some(e) => classify(e),
                None => Recovery::Fatal,
            },
            _ => Recovery::Fatal,
        }
    }
}

/// How a backoff grows: from `initial`, times up to `base` per attempt (with random
/// jitter), never above `max`; `deadline` bounds the total time spent retrying.
#[derive(Debug, Clone, Copy)]
pub struct BackoffConfig {
    /// The first pause.
    pub initial: Duration,
    /// The longest pause.
    pub max: Duration,
    /// How much a pause may grow per attempt.
    pub base: f64,
    /// Give up once this much time has passed since the first failure; None: never.
    pub deadline: Option<Duration>,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
            base: 2.0,
            deadline: None,
        }
    }
}

impl BackoffConfig {
    /// The same growth, giving up after `deadline`.
    pub fn with_deadline(self, deadline: Duration) -> BackoffConfig {
        BackoffConfig {
            deadline: Some(deadline),
            ..self
        }
    }
}

/// The pauses between attempts of one retried operation.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    /// The upper end of the next pause's range, in seconds.
    ceiling: f64,
    attempt: u32,
    first_failure: Option<Instant>,
}

impl Backoff {
    /// A backoff at its first attempt.
    pub fn new(config: BackoffConfig) -> Backoff {
        Backoff {
            config,
            ceiling: config.initial.as_secs_f64(),
            attempt: 0,
            first_failure: None,
        }
    }

    /// Failed attempts since the start or the last `reset`.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The operation succeeded: the next failure starts from the first pause again.
    pub fn reset(&mut self) {
        *self = Backoff::new(self.config);
    }

    /// Counts a failure and returns the pause before the next attempt, or None once the
    /// deadline would be passed.
    pub fn next_pause(&mut self) -> Option<Duration> {
        let now = Instant::now();
        let since = *self.first_failure.get_or_insert(now);
        self.attempt += 1;
        let initial = self.config.initial.as_secs_f64();
        let max = self.config.max.as_secs_f64().max(initial);
        // Decorrelated jitter: anywhere between the first pause and the grown ceiling.
        let pause = initial + fastrand::f64() * (self.ceiling - initial).max(0.0);
        self.ceiling = (self.ceiling * self.config.base.max(1.0)).min(max);
        let pause = Duration::from_secs_f64(pause.min(max));
        if let Some(deadline) = self.config.deadline
            && now.duration_since(since) + pause > deadline
        {
            return None;
        }
        Some(pause)
    }
}

/// Runs `op` until it breaks the loop, sleeping between attempts; `op` returns
/// `Continue(err)` for a failure worth retrying. Once the backoff's deadline passes, the last
/// error is returned.
pub async fn with_backoff<T, F, Fut>(what: &str, config: BackoffConfig, mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ControlFlow<Result<T>, Error>>,
{
    let mut backoff = Backoff::new(config);
    loop {
        let err = match op().await {
            ControlFlow::Break(r) => return r,
            ControlFlow::Continue(e) => e,
        };
        let Some(pause) = backoff.next_pause() else {
            tracing::warn!(what, attempts = backoff.attempt(), error = %err, "giving up");
            return Err(err);
        };
        tracing::info!(
            what,
            attempt = backoff.attempt(),
            pause_ms = pause.as_millis() as u64,
            reason = %err,
            "retrying"
        );
        tokio::time::sleep(pause).await;
    }
}

/// `Break` for success and fatal errors, `Continue` for errors that retrying may cure.
pub fn unless_fatal<T>(r: Result<T>) -> ControlFlow<Result<T>, Error> {
    match r {
        Err(e) if e.recovery() != Recovery::Fatal => ControlFlow::Continue(e),
        other => ControlFlow::Break(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        use ResponseError::*;
        assert_eq!(classify(NotLeaderOrFollower), Recovery::Refresh);
        assert_eq!(classify(RequestTimedOut), Recovery::Retry);
        assert_eq!(classify(ThrottlingQuotaExceeded), Recovery::Retry);
        assert_eq!(classify(TopicAuthorizationFailed), Recovery::Fatal);
        assert_eq!(classify(SaslAuthenticationFailed), Recovery::Fatal);
        assert_eq!(classify(OffsetOutOfRange), Recovery::Fatal);
        assert_eq!(classify(Unknown(-7)), Recovery::Fatal);
    }

    #[test]
    fn pauses_grow_stay_capped_and_jitter() {
        let config = BackoffConfig {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            base: 2.0,
            deadline: None,
        };
        let mut b = Backoff::new(config);
        let pauses: Vec<Duration> = (0..20).map(|_| b.next_pause().unwrap()).collect();
        assert_eq!(pauses[0], Duration::from_millis(100));
        assert!(
            pauses
                .iter()
                .all(|p| *p >= config.initial && *p <= config.max)
        );
        // With jitter, twenty pauses are not all the same.
        assert!(pauses.iter().any(|p| *p != pauses[19]));
        assert_eq!(b.attempt(), 20);
        b.reset();
        assert_eq!(b.next_pause(), Some(Duration::from_millis(100)));
    }

    #[test]
    fn deadline_ends_the_retries() {
        let config = BackoffConfig::default().with_deadline(Duration::from_millis(50));
        let mut b = Backoff::new(config);
        // The first pause (100 ms) already passes the 50 ms deadline.
        assert_eq!(b.next_pause(), None);
    }
}
