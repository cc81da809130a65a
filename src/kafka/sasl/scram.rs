//! SASL SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), client side, on hmac/sha2/pbkdf2.
//!
//! Hand-written rather than rsasl: the exchange is three messages, and rsasl would bring its
//! own mechanism registry, a callback-based API and a second copy of these hashes.
//! The broker's final signature is verified, so a server that does not know the password
//! cannot pass for the broker. Names and passwords are sent as given (no SASLprep), as
//! librdkafka and the Java client do.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use futures::future::BoxFuture;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

use super::{Exchange, Mechanism, SaslError};

/// Kafka stores SCRAM credentials with 4096..=16384 iterations; more than this is refused so
/// that a hostile peer cannot make the client spin.
const MAX_ITERATIONS: u32 = 100_000;

/// Which hash the mechanism uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScramHash {
    /// SCRAM-SHA-256.
    Sha256,
    /// SCRAM-SHA-512.
    Sha512,
}

impl ScramHash {
    fn hmac(self, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        macro_rules! mac {
            ($d:ty) => {{
                // HMAC takes keys of any length: new_from_slice cannot fail.
                match Hmac::<$d>::new_from_slice(key) {
                    Ok(mut m) => {
                        for p in parts {
                            m.update(p);
                        }
                        m.finalize().into_bytes().to_vec()
                    }
                    Err(_) => Vec::new(),
                }
            }};
        }
        match self {
            ScramHash::Sha256 => mac!(Sha256),
            ScramHash::Sha512 => mac!(Sha512),
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha256 => Sha256::digest(data).to_vec(),
            ScramHash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn salted_password(self, password: &[u8], salt: &[u8], rounds: u32) -> Vec<u8> {
        match self {
            ScramHash::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, rounds, &mut out);
                out.to_vec()
            }
            ScramHash::Sha512 => {
                let mut out = [0u8; 64];
                pbkdf2::pbkdf2_hmac::<Sha512>(password, salt, rounds, &mut out);
                out.to_vec()
            }
        }
    }
}

/// The last salted password with its salt and iteration count: every connection of a client
/// gets the same salt from the broker, so PBKDF2 (milliseconds at Kafka's 4096 rounds, in
/// series with the connection's set-up) runs once, not once per connection.
type SaltedCache = Arc<Mutex<Option<(Vec<u8>, u32, Vec<u8>)>>>;

/// SCRAM with a fixed user name and password.
#[derive(Clone)]
pub struct Scram {
    hash: ScramHash,
    user: String,
    password: String,
    salted: SaltedCache,
}

impl std::fmt::Debug for Scram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scram")
            .field("hash", &self.hash)
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

impl Scram {
    /// SCRAM with `hash` for `user` with `password`.
    pub fn new(hash: ScramHash, user: impl Into<String>, password: impl Into<String>) -> Scram {
        Scram {
            hash,
            user: user.into(),
            password: password.into(),
            salted: SaltedCache::default(),
        }
    }

    /// An exchange with a given client nonce (tests use the RFCs' nonces).
    fn exchange(&self, nonce: String) -> ScramExchange {
        ScramExchange {
            hash: self.hash,
            user: self.user.clone(),
            password: self.password.clone(),
            salted: self.salted.clone(),
            nonce,
            state: State::Initial,
        }
    }
}

impl Mechanism for Scram {
    fn name(&self) -> &'static str {
        match self.hash {
            ScramHash::Sha256 => "SCRAM-SHA-256",
            ScramHash::Sha512 => "SCRAM-SHA-512",
        }
    }

    fn principal(&self) -> String {
        self.user.clone()
    }

    fn start<'a>(&'a self, _host: &'a str) -> BoxFuture<'a, Result<Box<dyn Exchange>, SaslError>> {
        let result = client_nonce().map(|n| Box::new(self.exchange(n)) as Box<dyn Exchange>);
        Box::pin(async move { result })
    }
}

/// 24 random bytes in base64: printable and free of ',' as RFC 5802 requires.
fn client_nonce() -> Result<String, SaslError> {
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw)
        .map_err(|e| SaslError(format!("no random numbers for the SCRAM nonce: {e}")))?;
    Ok(B64.encode(raw))
}

/// `=` and `,` in a user name are escaped as `=3D` and `=2C`.
fn sasl_name(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

enum State {
    Initial,
    SentFirst { client_first_bare: String },
    SentFinal { server_signature: Vec<u8> },
    Done,
}

struct ScramExchange {
    hash: ScramHash,
    user: String,
    password: String,
    salted: SaltedCache,
    nonce: String,
    state: State,
}

fn fail(what: impl Into<String>) -> SaslError {
    SaslError(what.into())
}

/// The attributes of a server message (`k=value,...`), in order.
fn attributes(msg: &str) -> Vec<(char, &str)> {
    msg.split(',')
        .filter_map(|part| {
            let mut chars = part.chars();
            let key = chars.next()?;
            let rest = chars.as_str().strip_prefix('=')?;
            Some((key, rest))
        })
        .collect()
}

/// What a server-first message says: the combined nonce, the salt and the iteration count.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ServerFirst<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) salt: Vec<u8>,
    pub(crate) rounds: u32,
}

/// Parses the broker's server-first message (RFC 5802 section 7) for a client that sent
/// `client_nonce`: refusals, unknown mandatory extensions, a nonce that does not extend the
/// client's, bad base64 and iteration counts outside 1 to MAX_ITERATIONS are errors.
pub(crate) fn parse_server_first<'a>(
    server_first: &'a [u8],
    client_nonce: &str,
) -> Result<ServerFirst<'a>, SaslError> {
    let server_first = std::str::from_utf8(server_first)
        .map_err(|_| fail("the broker's SCRAM server-first message is not UTF-8"))?;
    let attrs = attributes(server_first);
    if let Some((_, e)) = attrs.iter().find(|(k, _)| *k == 'e') {
        return Err(fail(format!("the broker refused SCRAM: {e}")));
    }
    if attrs.first().is_some_and(|(k, _)| *k == 'm') {
        return Err(fail(
            "the broker asked for a SCRAM extension this client does not know",
        ));
    }
    let get = |key: char| {
        attrs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                fail(format!(
                    "the broker's SCRAM server-first message lacks '{key}='"
                ))
            })
    };
    let nonce = get('r')?;
    if !nonce.starts_with(client_nonce) || nonce.len() <= client_nonce.len() {
        return Err(fail(
            "the broker's SCRAM nonce does not extend the client's",
        ));
    }
    let salt = B64
        .decode(get('s')?)
        .map_err(|_| fail("the broker's SCRAM salt is not base64"))?;
    let rounds: u32 = get('i')?
        .parse()
        .map_err(|_| fail("the broker's SCRAM iteration count is not a number"))?;
    if rounds == 0 || rounds > MAX_ITERATIONS {
        return Err(fail(format!(
            "the broker asked for {rounds} SCRAM iterations (accepted: 1 to {MAX_ITERATIONS})"
        )));
    }
    Ok(ServerFirst {
        nonce,
        salt,
        rounds,
    })
}

/// Parses the broker's server-final message: its signature (`v=`), or its refusal (`e=`).
pub(crate) fn parse_server_final(server_final: &[u8]) -> Result<Vec<u8>, SaslError> {
    let text = String::from_utf8_lossy(server_final);
    let attrs = attributes(&text);
    if let Some((_, e)) = attrs.iter().find(|(k, _)| *k == 'e') {
        return Err(fail(format!("the broker refused SCRAM: {e}")));
    }
    attrs
        .iter()
        .find(|(k, _)| *k == 'v')
        .and_then(|(_, v)| B64.decode(v).ok())
        .ok_or_else(|| fail("the broker's SCRAM server-final message has no signature"))
}

impl ScramExchange {
    /// PBKDF2 of the password, or the cached result for the same salt and count.
    fn salted_password(&self, salt: &[u8], rounds: u32) -> Vec<u8> {
        let cached = self.salted.lock().ok().and_then(|c| {
            c.as_ref()
                .filter(|(s, r, _)| s == salt && *r == rounds)
                .map(|(_, _, salted)| salted.clone())
        });
        if let Some(salted) = cached {
            return salted;
        }
        let salted = self
            .hash
            .salted_password(self.password.as_bytes(), salt, rounds);
        if let Ok(mut c) = self.salted.lock() {
            *c = Some((salt.to_vec(), rounds, salted.clone()));
        }
        salted
    }

    fn client_final(
        &self,
        client_first_bare: &str,
        server_first: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), SaslError> {
        let ServerFirst {
            nonce,
            salt,
            rounds,
        } = parse_server_first(server_first, &self.nonce)?;
        // parse_server_first checked that the message is UTF-8.
        let server_first = String::from_utf8_lossy(server_first);
        let h = self.hash;
        let salted = self.salted_password(&salt, rounds);
        let client_key = h.hmac(&salted, &[b"Client Key"]);
        let stored_key = h.hash(&client_key);
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
        let signature = h.hmac(&stored_key, &[auth_message.as_bytes()]);
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&signature)
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = h.hmac(&salted, &[b"Server Key"]);
        let server_signature = h.hmac(&server_key, &[auth_message.as_bytes()]);
        let msg = format!("{without_proof},p={}", B64.encode(proof));
        Ok((msg.into_bytes(), server_signature))
    }
}

impl Exchange for ScramExchange {
    fn step(&mut self, server: &[u8]) -> Result<Option<Vec<u8>>, SaslError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Initial => {
                let bare = format!("n={},r={}", sasl_name(&self.user), self.nonce);
                let first = format!("n,,{bare}").into_bytes();
                self.state = State::SentFirst {
                    client_first_bare: bare,
                };
                Ok(Some(first))
            }
            State::SentFirst { client_first_bare } => {
                let (msg, server_signature) = self.client_final(&client_first_bare, server)?;
                self.state = State::SentFinal { server_signature };
                Ok(Some(msg))
            }
            State::SentFinal { server_signature } => {
                let v = parse_server_final(server)?;
                // Constant time, as for any MAC comparison.
                let same = v.len() == server_signature.len()
                    && v.iter()
                        .zip(&server_signature)
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0;
                if !same {
                    return Err(fail(
                        "the broker's SCRAM signature is wrong: it does not know the password (not the real broker?)",
                    ));
                }
                Ok(None)
            }
            State::Done => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677 section 3: the SCRAM-SHA-256 example exchange.
    #[test]
    fn rfc7677_sha256_test_vector() {
        let scram = Scram::new(ScramHash::Sha256, "user", "pencil");
        let mut ex = scram.exchange("rOprNGfwEbeRWgbNEkqO".into());
        let first = ex.step(b"").unwrap().unwrap();
        assert_eq!(first, b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let fin = ex.step(server_first).unwrap().unwrap();
        assert_eq!(
            String::from_utf8(fin).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        let server_final = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
        assert_eq!(ex.step(server_final).unwrap(), None);
    }

    fn after_first(hash: ScramHash) -> ScramExchange {
        let mut ex = Scram::new(hash, "user", "pencil").exchange("rOprNGfwEbeRWgbNEkqO".into());
        ex.step(b"").unwrap();
        ex
    }

    /// The second exchange with the same salt and count reuses the salted password (the
    /// result is the RFC's proof either way); another salt derives again.
    #[test]
    fn the_salted_password_is_derived_once_per_salt() {
        let scram = Scram::new(ScramHash::Sha256, "user", "pencil");
        let server_first = b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let proof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        for _ in 0..2 {
            let mut ex = scram.exchange("rOprNGfwEbeRWgbNEkqO".into());
            ex.step(b"").unwrap();
            let fin = ex.step(server_first).unwrap().unwrap();
            assert_eq!(String::from_utf8(fin).unwrap(), proof);
        }
        let cached = scram.salted.lock().unwrap().clone().unwrap();
        assert_eq!((cached.0.len(), cached.1), (16, 4096));
        // A poisoned cache entry for this salt would change the proof: the cache is used.
        scram.salted.lock().unwrap().as_mut().unwrap().2 = vec![0; 32];
        let mut ex = scram.exchange("rOprNGfwEbeRWgbNEkqO".into());
        ex.step(b"").unwrap();
        let fin = ex.step(server_first).unwrap().unwrap();
        assert_ne!(String::from_utf8(fin).unwrap(), proof);
        // Another salt: derived again, and the cache follows it.
        let mut ex = scram.exchange("rOprNGfwEbeRWgbNEkqO".into());
        ex.step(b"").unwrap();
        ex.step(b"r=rOprNGfwEbeRWgbNEkqOx,s=QSXCR+Q6sek8bf92,i=4096")
            .unwrap();
        assert_eq!(
            scram.salted.lock().unwrap().as_ref().unwrap().0,
            B64.decode("QSXCR+Q6sek8bf92").unwrap()
        );
    }

    #[test]
    fn a_forged_server_signature_is_refused() {
        let mut ex = after_first(ScramHash::Sha256);
        ex.step(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap();
        let err = ex
            .step(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .unwrap_err();
        assert!(err.0.contains("signature is wrong"), "{err}");
    }

    #[test]
    fn server_first_messages_that_are_refused() {
        let cases: [(&[u8], &str); 6] = [
            (
                b"r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096",
                "does not extend",
            ),
            (
                b"r=rOprNGfwEbeRWgbNEkqO,s=QSXCR+Q6sek8bf92,i=4096",
                "does not extend",
            ),
            (b"r=rOprNGfwEbeRWgbNEkqOx,s=***,i=4096", "not base64"),
            (
                b"r=rOprNGfwEbeRWgbNEkqOx,s=QSXCR+Q6sek8bf92,i=2000000000",
                "2000000000 SCRAM iterations",
            ),
            (b"r=rOprNGfwEbeRWgbNEkqOx,s=QSXCR+Q6sek8bf92", "lacks 'i='"),
            (b"e=unknown-user", "refused SCRAM: unknown-user"),
        ];
        for (msg, want) in cases {
            let err = after_first(ScramHash::Sha512).step(msg).unwrap_err();
            assert!(
                err.0.contains(want),
                "{}: {err}",
                String::from_utf8_lossy(msg)
            );
        }
    }

    #[test]
    fn names_are_escaped_and_nonces_are_fresh() {
        let scram = Scram::new(ScramHash::Sha512, "a=b,c", "pw");
        assert_eq!(scram.name(), "SCRAM-SHA-512");
        let mut ex = futures::executor::block_on(scram.start("b")).unwrap();
        let first = String::from_utf8(ex.step(b"").unwrap().unwrap()).unwrap();
        assert!(first.starts_with("n,,n=a=3Db=2Cc,r="), "{first}");
        let mut ex2 = futures::executor::block_on(scram.start("b")).unwrap();
        let first2 = String::from_utf8(ex2.step(b"").unwrap().unwrap()).unwrap();
        assert_ne!(first, first2);
        assert!(!format!("{scram:?}").contains("pw\""));
    }
}
