//! The wall clock the token-based mechanisms read, injectable so tests control expiry.

use std::sync::Arc;
use std::time::SystemTime;

/// Where a mechanism reads the time: token expiry, JWT `iat`/`exp`, SigV4's `x-amz-date`.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(SystemTime::now))
    }

    /// A clock that answers `now` (tests: a fixed or stepped time).
    pub fn from_fn(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// The current time by this clock.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }

    /// Seconds since the Unix epoch (0 for a time before it).
    pub fn unix_secs(&self) -> u64 {
        self.now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}
