//! librdkafka-style property names: the ones kbrowse reads, their aliases, the real librdkafka
//! properties it ignores, and `key=value` input from `-X` and `-F FILE`.

use super::librdkafka::LIBRDKAFKA;
use crate::cli::habits::closest;

/// The name the bootstrap list goes by in a profile (`bootstrap.servers` and
/// `metadata.broker.list` are its aliases).
pub const BROKERS: &str = "brokers";

/// A property kbrowse reads: its canonical name and whether its value is a secret (masked by
/// `kbrowse config`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// The canonical name.
    pub name: &'static str,
    /// The value is masked wherever it is shown.
    pub secret: bool,
}

const fn plain(name: &'static str) -> Known {
    Known {
        name,
        secret: false,
    }
}

const fn secret(name: &'static str) -> Known {
    Known { name, secret: true }
}

/// Every property kbrowse reads, in the order `kbrowse config` lists them.
/// `sasl.oauthbearer.token` (a static token, or `file:`/`env:`/`cmd:` read at every
/// authentication) and the `sasl.aws.*` names (AWS_MSK_IAM) are kbrowse's own: librdkafka has
/// neither.
pub const USED: &[Known] = &[
    plain("security.protocol"),
    plain("sasl.mechanism"),
    plain("sasl.username"),
    secret("sasl.password"),
    plain("sasl.oauthbearer.method"),
    plain("sasl.oauthbearer.token.endpoint.url"),
    plain("sasl.oauthbearer.client.id"),
    secret("sasl.oauthbearer.client.secret"),
    plain("sasl.oauthbearer.scope"),
    plain("sasl.oauthbearer.extensions"),
    plain("sasl.oauthbearer.config"),
    secret("sasl.oauthbearer.token"),
    plain("sasl.aws.region"),
    plain("sasl.aws.profile"),
    plain("sasl.aws.access.key.id"),
    secret("sasl.aws.secret.access.key"),
    secret("sasl.aws.session.token"),
    plain("ssl.ca.location"),
    plain("ssl.ca.pem"),
    plain("ssl.certificate.location"),
    plain("ssl.certificate.pem"),
    plain("ssl.key.location"),
    secret("ssl.key.pem"),
    secret("ssl.key.password"),
    plain("ssl.endpoint.identification.algorithm"),
    plain("enable.ssl.certificate.verification"),
    plain("client.id"),
    plain("socket.timeout.ms"),
    plain("schema.registry.url"),
    secret("schema.registry.basic.auth.user.info"),
    secret("schema.registry.bearer.auth.token"),
    plain("schema.registry.ssl.ca.location"),
    plain("schema.registry.ssl.certificate.location"),
    plain("schema.registry.ssl.key.location"),
];

/// The prefix of the Schema Registry client's properties: Confluent's serializer names
/// (`schema.registry.url`, `schema.registry.basic.auth.user.info`,
/// `schema.registry.bearer.auth.token`, and the `ssl.*.location` names of its librdkafka-based
/// clients with the same prefix). They configure the registry client, not the Kafka one.
pub const SCHEMA_REGISTRY: &str = "schema.registry.";

/// Other spellings of a used name, as librdkafka accepts them.
const ALIASES: &[(&str, &str)] = &[
    ("bootstrap.servers", BROKERS),
    ("metadata.broker.list", BROKERS),
    ("sasl.mechanisms", "sasl.mechanism"),
    (
        "sasl.oauthbearer.client.credentials.client.id",
        "sasl.oauthbearer.client.id",
    ),
    (
        "sasl.oauthbearer.client.credentials.client.secret",
        "sasl.oauthbearer.client.secret",
    ),
];

/// Properties whose value is a path, where a leading `~/` means the home directory.
pub const PATHS: &[&str] = &[
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "schema.registry.ssl.ca.location",
    "schema.registry.ssl.certificate.location",
    "schema.registry.ssl.key.location",
];

/// Properties whose `env:`/`file:`/`cmd:` value is passed on as written: the client reads it
/// again at every authentication (a token file that is rotated, a command that mints tokens).
pub const DEFERRED: &[&str] = &["sasl.oauthbearer.token"];

/// What a property name turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    /// The bootstrap list.
    Brokers,
    /// A property kbrowse reads, by its canonical name.
    Used(Known),
    /// A real librdkafka property kbrowse has no use for: warn and ignore it.
    Ignored(&'static str),
}

/// Classifies a property name; an unknown one is an error naming the closest known name.
pub fn classify(name: &str) -> Result<Name, String> {
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, to)| to);
    if canonical == BROKERS {
        return Ok(Name::Brokers);
    }
    if let Some(k) = USED.iter().find(|k| k.name == canonical) {
        return Ok(Name::Used(*k));
    }
    if let Some(n) = LIBRDKAFKA.iter().find(|n| **n == name) {
        return Ok(Name::Ignored(n));
    }
    let shown = crate::render::escape(name.as_bytes());
    Err(match closest(name, all_names()) {
        Some(near) => format!("unknown property '{shown}'; did you mean '{near}'?"),
        None => format!("unknown property '{shown}'"),
    })
}

/// The warning for an ignored property.
pub fn ignored_warning(name: &str) -> String {
    format!("warning: ignoring property '{name}': kbrowse does not use it")
}

fn all_names() -> impl Iterator<Item = &'static str> {
    std::iter::once(BROKERS)
        .chain(USED.iter().map(|k| k.name))
        .chain(ALIASES.iter().map(|(a, _)| *a))
        .chain(LIBRDKAFKA.iter().copied())
}

/// Splits `key=value` (from `-X` or a `-F` line): the key and the value, each trimmed.
pub fn split_pair(s: &str) -> Option<(String, String)> {
    let (k, v) = s.split_once('=')?;
    let k = k.trim();
    if k.is_empty() {
        return None;
    }
    Some((k.to_string(), v.trim().to_string()))
}

/// A `-X` argument: `key=value`, checked for its shape only (names are checked with the rest
/// of the settings).
pub fn parse_x(s: &str) -> Result<(String, String), String> {
    split_pair(s).ok_or_else(|| {
        format!(
            "invalid property '{}': expected key=value",
            crate::render::escape(s.as_bytes())
        )
    })
}

/// One `key=value` line of a `-F` file: its line number, key and value.
pub type FileLine = (usize, String, String);

/// The `key=value` lines of a `-F` file, with their line numbers; `#` starts a comment line,
/// blank lines are skipped.
pub fn parse_file(text: &str) -> Result<Vec<FileLine>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match split_pair(t) {
            Some((k, v)) => out.push((i + 1, k, v)),
            None => return Err((i + 1, "expected key=value".into())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_ignored() {
        assert_eq!(classify("brokers"), Ok(Name::Brokers));
        assert_eq!(classify("bootstrap.servers"), Ok(Name::Brokers));
        assert_eq!(classify("metadata.broker.list"), Ok(Name::Brokers));
        assert_eq!(
            classify("sasl.mechanisms"),
            Ok(Name::Used(plain("sasl.mechanism")))
        );
        assert_eq!(
            classify("sasl.mechanism"),
            Ok(Name::Used(plain("sasl.mechanism")))
        );
        assert_eq!(
            classify("sasl.oauthbearer.client.credentials.client.secret"),
            Ok(Name::Used(secret("sasl.oauthbearer.client.secret")))
        );
        assert_eq!(
            classify("sasl.password"),
            Ok(Name::Used(secret("sasl.password")))
        );
        for n in [
            "group.id",
            "auto.offset.reset",
            "enable.auto.commit",
            "fetch.min.bytes",
            "linger.ms",
            "ssl.keystore.location",
        ] {
            assert_eq!(classify(n), Ok(Name::Ignored(LIBRDKAFKA[index(n)])), "{n}");
        }
        // Every name kbrowse uses is librdkafka's, except its own token and AWS names.
        let own = [
            "sasl.oauthbearer.token",
            "sasl.aws.region",
            "sasl.aws.profile",
            "sasl.aws.access.key.id",
            "sasl.aws.secret.access.key",
            "sasl.aws.session.token",
        ];
        for k in USED
            .iter()
            .filter(|k| !own.contains(&k.name) && !k.name.starts_with(SCHEMA_REGISTRY))
        {
            assert!(LIBRDKAFKA.contains(&k.name), "{}", k.name);
        }
        for n in own {
            assert!(!LIBRDKAFKA.contains(&n), "{n}");
        }
        assert!(LIBRDKAFKA.contains(&"sasl.mechanisms"));
        assert!(LIBRDKAFKA.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
    }

    fn index(n: &str) -> usize {
        LIBRDKAFKA.iter().position(|x| *x == n).unwrap()
    }

    #[test]
    fn a_typo_names_the_closest_known_property() {
        for (typo, want) in [
            (
                "sasl.usernme",
                "unknown property 'sasl.usernme'; did you mean 'sasl.username'?",
            ),
            (
                "security.protocl",
                "unknown property 'security.protocl'; did you mean 'security.protocol'?",
            ),
            (
                "ssl.ca.locaton",
                "unknown property 'ssl.ca.locaton'; did you mean 'ssl.ca.location'?",
            ),
            (
                "bootstrap.server",
                "unknown property 'bootstrap.server'; did you mean 'bootstrap.servers'?",
            ),
            (
                "group.idd",
                "unknown property 'group.idd'; did you mean 'group.id'?",
            ),
            (
                "brokerz",
                "unknown property 'brokerz'; did you mean 'brokers'?",
            ),
            (
                "schema.registry.urls",
                "unknown property 'schema.registry.urls'; did you mean 'schema.registry.url'?",
            ),
            (
                "schema.registry.bearer.auth.tokn",
                "unknown property 'schema.registry.bearer.auth.tokn'; did you mean 'schema.registry.bearer.auth.token'?",
            ),
            ("colour", "unknown property 'colour'"),
            ("x\u{1b}[2J", "unknown property 'x\\e[2J'"),
        ] {
            assert_eq!(classify(typo), Err(want.to_string()), "{typo}");
        }
    }

    #[test]
    fn pairs_and_files() {
        assert_eq!(
            parse_x("sasl.password=a=b"),
            Ok(("sasl.password".into(), "a=b".into()))
        );
        assert_eq!(parse_x(" k = v "), Ok(("k".into(), "v".into())));
        assert_eq!(parse_x("k="), Ok(("k".into(), "".into())));
        assert_eq!(
            parse_x("novalue"),
            Err("invalid property 'novalue': expected key=value".into())
        );
        assert_eq!(
            parse_x("=v"),
            Err("invalid property '=v': expected key=value".into())
        );
        let text = "# a comment\n\nsecurity.protocol=SASL_SSL\r\n  sasl.username = alice\n";
        assert_eq!(
            parse_file(text),
            Ok(vec![
                (3, "security.protocol".into(), "SASL_SSL".into()),
                (4, "sasl.username".into(), "alice".into()),
            ])
        );
        assert_eq!(
            parse_file("a=1\n\nbroken\n"),
            Err((3, "expected key=value".into()))
        );
    }
}
