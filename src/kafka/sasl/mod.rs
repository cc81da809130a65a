//! SASL mechanisms: each turns the broker's challenges into the client's responses.
//!
//! The connection (`conn`) runs SaslHandshake with `Mechanism::name`, then calls `start` once per
//! authentication (again on KIP-368 re-authentication) and passes every SaslAuthenticate
//! answer to `Exchange::step` until it returns `None`. A mechanism never touches the socket.

use futures::future::BoxFuture;

/// Why an authentication could not go on, as a one-line message naming the problem.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SaslError(pub String);

/// A configured mechanism (credentials included), shared by every connection of a client.
pub trait Mechanism: Send + Sync + std::fmt::Debug {
    /// The name sent in SaslHandshake: `PLAIN`, `SCRAM-SHA-256`, `OAUTHBEARER`, ...
    fn name(&self) -> &'static str;
    /// The user named in error messages (a user name, a client id, an access key id).
    fn principal(&self) -> String;
    /// Starts one authentication with broker `host`. Async because it may fetch a token or
    /// credentials first (OIDC, a command, AWS's credential chain).
    fn start<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Box<dyn Exchange>, SaslError>>;
}

/// One authentication in progress.
pub trait Exchange: Send {
    /// The next message for the broker, given its last answer (empty before the first
    /// message); `None` once the exchange is complete and the broker's last answer checked.
    fn step(&mut self, server: &[u8]) -> Result<Option<Vec<u8>>, SaslError>;
}

pub mod clock;
pub mod fuzz;
pub mod msk_iam;
pub mod oauthbearer;
pub mod plain;
pub mod scram;
#[cfg(test)]
pub(crate) mod test_http;

pub use plain::Plain;
pub use scram::{Scram, ScramHash};
