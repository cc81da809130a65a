//! SASL PLAIN (RFC 4616): the user name and password in one message, checked by the broker.

use futures::future::BoxFuture;

use super::{Exchange, Mechanism, SaslError};

/// PLAIN with a fixed user name and password.
#[derive(Clone)]
pub struct Plain {
    user: String,
    password: String,
}

impl std::fmt::Debug for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plain")
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

impl Plain {
    /// PLAIN for `user` with `password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Plain {
        Plain {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl Mechanism for Plain {
    fn name(&self) -> &'static str {
        "PLAIN"
    }

    fn principal(&self) -> String {
        self.user.clone()
    }

    fn start<'a>(&'a self, _host: &'a str) -> BoxFuture<'a, Result<Box<dyn Exchange>, SaslError>> {
        let exchange: Box<dyn Exchange> = Box::new(PlainExchange {
            message: Some(message(&self.user, &self.password)),
        });
        Box::pin(async move { Ok(exchange) })
    }
}

/// `authzid NUL authcid NUL passwd`, with an empty authorization id (act as oneself).
fn message(user: &str, password: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(user.len() + password.len() + 2);
    m.push(0);
    m.extend_from_slice(user.as_bytes());
    m.push(0);
    m.extend_from_slice(password.as_bytes());
    m
}

struct PlainExchange {
    message: Option<Vec<u8>>,
}

impl Exchange for PlainExchange {
    fn step(&mut self, _server: &[u8]) -> Result<Option<Vec<u8>>, SaslError> {
        // One message; the broker's (empty) answer ends the exchange.
        Ok(self.message.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_then_done() {
        let plain = Plain::new("alice", "s3cret");
        let mut ex = futures::executor::block_on(plain.start("b1")).unwrap();
        assert_eq!(ex.step(b"").unwrap().unwrap(), b"\0alice\0s3cret");
        assert_eq!(ex.step(b"").unwrap(), None);
        assert_eq!(plain.principal(), "alice");
        assert!(!format!("{plain:?}").contains("s3cret"));
    }
}
