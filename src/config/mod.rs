//! Settings from every place a user writes them: a named profile in `config.toml`, `-F FILE`,
//! `-X key=value`, `-b`, `--timeout` and the environment, with librdkafka's property names
//! and secrets that point elsewhere (`env:`, `file:`, `cmd:`).
//!
//! Precedence, weakest first: built-in defaults, `KBROWSE_BROKERS`, the profile, `-F` files
//! (in order), `-X` (in order), then `-b` and `--timeout`. The profile named `default` in the
//! file is used only when no `--cluster`/`KBROWSE_CLUSTER` names one and no broker list was
//! given any other way: `-b host` alone never picks up a production profile's credentials.

mod librdkafka;
pub mod profile;
pub mod properties;
pub mod secret;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use properties::{DEFERRED, Name, PATHS, USED};
use secret::Env;

/// The broker list when nothing names one.
pub const DEFAULT_BROKERS: &str = "localhost:9092";
/// The request timeout when nothing sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a setting came from, as `kbrowse config` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// kbrowse's built-in default.
    Default,
    /// The `KBROWSE_BROKERS` environment variable.
    BrokersEnv,
    /// The chosen profile.
    Profile,
    /// A `-F` file.
    File(PathBuf),
    /// A `-X` argument.
    X,
    /// The `-b` flag.
    BrokersFlag,
    /// The `--timeout` flag.
    TimeoutFlag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::BrokersEnv => f.write_str("KBROWSE_BROKERS"),
            Source::Profile => f.write_str("profile"),
            Source::File(p) => write!(f, "-F {}", p.display()),
            Source::X => f.write_str("-X"),
            Source::BrokersFlag => f.write_str("-b"),
            Source::TimeoutFlag => f.write_str("--timeout"),
        }
    }
}

/// What the command line and environment said, before profiles and files are read.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--config FILE`: the profiles file instead of the default path.
    pub config: Option<PathBuf>,
    /// `--cluster NAME` or `KBROWSE_CLUSTER`.
    pub cluster: Option<String>,
    /// `-b LIST` (already checked).
    pub brokers_flag: Option<String>,
    /// `KBROWSE_BROKERS` (already checked).
    pub brokers_env: Option<String>,
    /// `--timeout SECS`.
    pub timeout_secs: Option<u64>,
    /// `-F FILE`, in order.
    pub files: Vec<PathBuf>,
    /// `-X key=value`, in order.
    pub properties: Vec<(String, String)>,
}

/// One property as resolved: its canonical name, its value (secrets resolved), where it came
/// from and the reference it was read through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The canonical librdkafka name.
    pub name: &'static str,
    /// The value, with `env:`/`file:`/`cmd:` resolved and `~/` expanded in paths.
    pub value: String,
    /// Where it was set.
    pub source: Source,
    /// The `env:`/`file:`/`cmd:` reference, when the value came through one.
    pub reference: Option<String>,
    /// Whether the value is masked when shown.
    pub secret: bool,
}

/// Everything needed to connect, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The profile used, if any.
    pub profile: Option<String>,
    /// The profiles file looked at, and whether it exists.
    pub file: Option<(PathBuf, bool)>,
    /// The bootstrap list.
    pub brokers: String,
    /// Where the bootstrap list came from.
    pub brokers_source: Source,
    /// How long a request may wait for its answer.
    pub timeout: Duration,
    /// Where the timeout came from.
    pub timeout_source: Source,
    /// The properties set, in `properties::USED` order (`socket.timeout.ms` is `timeout`).
    pub properties: Vec<Property>,
    /// One line per ignored property, for stderr.
    pub warnings: Vec<String>,
    /// Every profile of the file, with its `brokers` as written: the TUI's cluster picker.
    pub profiles: Vec<(String, String)>,
    /// No profile applies and nothing else named the brokers, with several profiles to choose
    /// from: the TUI opens on the picker.
    pub pick: bool,
    /// The profile's per-topic formats (`[clusters.NAME.topics."PATTERN"]`), in file order.
    pub topics: Vec<profile::TopicRule>,
}

/// The decoding flags of the command line: `-r`, `-s` and `--proto-path`.
#[derive(Debug, Clone, Default)]
pub struct SchemaFlags {
    /// `-r URL`: wins over `schema.registry.url`.
    pub registry: Option<String>,
    /// The key's format from `-s`, when one was given.
    pub key: Option<crate::schema::FormatSpec>,
    /// The value's format from `-s`, when one was given.
    pub value: Option<crate::schema::FormatSpec>,
    /// `--proto-path DIR`, in order.
    pub proto_paths: Vec<PathBuf>,
}

/// A property as written somewhere, before it is checked.
struct Raw {
    name: String,
    value: String,
    source: Source,
    /// Where to point in an error: `FILE: cluster 'x'`, `FILE line 3`, `-X`.
    place: String,
}

/// Reads the profile and files `inputs` name and resolves every setting.
pub fn resolve(inputs: &Inputs, env: &dyn Env) -> Result<Settings, String> {
    let mut raws = flags_and_files(inputs)?;
    let brokers_given = inputs.brokers_flag.is_some()
        || inputs.brokers_env.is_some()
        || raws
            .iter()
            .any(|r| properties::classify(&r.name) == Ok(Name::Brokers));
    let file = match &inputs.config {
        Some(p) => Some((p.clone(), true)),
        None => profile::default_path(env).map(|p| {
            let found = p.is_file();
            (p, found)
        }),
    };
    let profiles = match &file {
        Some((p, true)) => Some(profile::Profiles::load(p)?),
        _ => None,
    };
    let chosen = choose(inputs, file.as_ref(), profiles.as_ref(), brokers_given)?;
    if let (Some(name), Some(p)) = (&chosen, &profiles) {
        let place = format!("{}: cluster '{name}'", p.file.display());
        let from_profile = p.get(name)?.iter().map(|(n, v)| Raw {
            name: n.clone(),
            value: v.clone(),
            source: Source::Profile,
            place: place.clone(),
        });
        raws.splice(0..0, from_profile.collect::<Vec<_>>());
    }
    let chosen_topics = chosen.clone();
    let mut settings = Settings {
        pick: chosen.is_none()
            && !brokers_given
            && profiles.as_ref().is_some_and(|p| p.clusters.len() > 1),
        profile: chosen,
        file,
        brokers: DEFAULT_BROKERS.into(),
        brokers_source: Source::Default,
        timeout: DEFAULT_TIMEOUT,
        timeout_source: Source::Default,
        properties: Vec::new(),
        warnings: Vec::new(),
        profiles: profiles.as_ref().map(listing).unwrap_or_default(),
        topics: match (&chosen_topics, &profiles) {
            (Some(name), Some(p)) => p.topics(name).to_vec(),
            _ => Vec::new(),
        },
    };
    if let Some(b) = &inputs.brokers_env {
        settings.brokers = b.clone();
        settings.brokers_source = Source::BrokersEnv;
    }
    apply(&mut settings, raws, env)?;
    if let Some(b) = &inputs.brokers_flag {
        settings.brokers = b.clone();
        settings.brokers_source = Source::BrokersFlag;
    }
    let order = |p: &Property| USED.iter().position(|k| k.name == p.name);
    settings.properties.sort_by_key(order);
    if let Some(p) = settings
        .properties
        .iter()
        .position(|p| p.name == "socket.timeout.ms")
    {
        let p = settings.properties.remove(p);
        settings.timeout = Duration::from_millis(parse_timeout_ms(&p.value)?);
        settings.timeout_source = p.source;
    }
    if let Some(s) = inputs.timeout_secs {
        settings.timeout = Duration::from_secs(s);
        settings.timeout_source = Source::TimeoutFlag;
    }
    Ok(settings)
}

/// The `-F` files' lines, in order, then the `-X` arguments.
fn flags_and_files(inputs: &Inputs) -> Result<Vec<Raw>, String> {
    let mut raws = Vec::new();
    for path in &inputs.files {
        let text = secret::read_file(path)
            .map_err(|e| format!("cannot read -F {}: {e}", path.display()))?;
        let lines = properties::parse_file(&text)
            .map_err(|(line, why)| format!("{} line {line}: {why}", path.display()))?;
        raws.extend(lines.into_iter().map(|(line, name, value)| Raw {
            name,
            value,
            source: Source::File(path.clone()),
            place: format!("{} line {line}", path.display()),
        }));
    }
    raws.extend(inputs.properties.iter().map(|(name, value)| Raw {
        name: name.clone(),
        value: value.clone(),
        source: Source::X,
        place: "-X".into(),
    }));
    Ok(raws)
}

/// The profile that applies: the one named, else the file's default (or its only profile)
/// when nothing else named the brokers.
fn choose(
    inputs: &Inputs,
    file: Option<&(PathBuf, bool)>,
    profiles: Option<&profile::Profiles>,
    brokers_given: bool,
) -> Result<Option<String>, String> {
    Ok(match (&inputs.cluster, profiles) {
        (Some(name), Some(_)) => Some(name.clone()),
        (Some(name), None) => {
            let shown = crate::render::escape(name.as_bytes());
            return Err(match file {
                Some((path, _)) => format!(
                    "unknown cluster '{shown}' (no profiles file: {} does not exist)",
                    path.display()
                ),
                None => format!(
                    "unknown cluster '{shown}' (no profiles file: set HOME, XDG_CONFIG_HOME or --config)"
                ),
            });
        }
        // With no default, a file of one profile means that one.
        (None, Some(p)) if !brokers_given => p.default.clone().or_else(|| match &p.clusters[..] {
            [(only, _)] => Some(only.clone()),
            _ => None,
        }),
        (None, _) => None,
    })
}

/// Each profile's name and its brokers as written, for the picker.
fn listing(p: &profile::Profiles) -> Vec<(String, String)> {
    p.clusters
        .iter()
        .map(|(name, props)| {
            let brokers = props
                .iter()
                .rev()
                .find(|(k, _)| properties::classify(k) == Ok(Name::Brokers))
                .map_or(String::new(), |(_, v)| v.clone());
            (name.clone(), brokers)
        })
        .collect()
}

/// Applies `raws` in order (later wins): names checked first, then secrets read.
fn apply(settings: &mut Settings, raws: Vec<Raw>, env: &dyn Env) -> Result<(), String> {
    // Every name is checked before any secret is read: a typo is reported before a command
    // runs or a variable is missed.
    let mut named = Vec::with_capacity(raws.len());
    for raw in raws {
        let name = properties::classify(&raw.name).map_err(|e| format!("{}: {e}", raw.place))?;
        named.push((raw, name));
    }
    for (raw, name) in named {
        let fail = |e: String| format!("{}: {e}", raw.place);
        match name {
            Name::Ignored(name) => {
                let w = properties::ignored_warning(name);
                if !settings.warnings.contains(&w) {
                    settings.warnings.push(w);
                }
            }
            Name::Brokers => {
                let list = secret::resolve(properties::BROKERS, &raw.value, env).map_err(fail)?;
                settings.brokers = crate::cli::parse_brokers(&list)
                    .map_err(|e| fail(format!("{}: {e}", properties::BROKERS)))?;
                settings.brokers_source = raw.source;
            }
            Name::Used(known) => {
                let mut value = if DEFERRED.contains(&known.name) {
                    raw.value.clone()
                } else {
                    secret::resolve(known.name, &raw.value, env).map_err(fail)?
                };
                if PATHS.contains(&known.name) {
                    value = secret::expand_home(&value, env).display().to_string();
                }
                let reference = secret::is_reference(&raw.value).then(|| raw.value.clone());
                settings.properties.retain(|p| p.name != known.name);
                settings.properties.push(Property {
                    name: known.name,
                    value,
                    source: raw.source,
                    reference,
                    secret: known.secret,
                });
            }
        }
    }
    Ok(())
}

fn parse_timeout_ms(v: &str) -> Result<u64, String> {
    match v.trim().parse::<u64>() {
        Ok(ms) if (10..=3_600_000).contains(&ms) => Ok(ms),
        _ => Err(format!(
            "invalid socket.timeout.ms '{}': expected milliseconds from 10 to 3600000",
            crate::render::escape(v.as_bytes())
        )),
    }
}

impl Settings {
    /// Every property as a `(name, value)` pair, `socket.timeout.ms` included: the input of
    /// `kafka::ClientConfig::from_properties` (brokers apart).
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .properties
            .iter()
            .filter(|p| !p.name.starts_with(properties::SCHEMA_REGISTRY))
            .map(|p| (p.name.to_string(), p.value.clone()))
            .collect();
        v.push((
            "socket.timeout.ms".into(),
            self.timeout.as_millis().to_string(),
        ));
        v
    }

    /// The client configuration: brokers, TLS, SASL, client id and request timeout, through
    /// `kafka::ClientConfig::from_properties`.
    pub fn client_config(&self) -> Result<crate::kafka::ClientConfig, String> {
        crate::kafka::ClientConfig::from_properties(&self.brokers, &self.pairs())
            .map_err(|e| e.to_string())
    }

    /// What `kbrowse config` prints: the profile, its file, then one `name = value  (source)`
    /// line per setting, secrets masked.
    pub fn describe(&self) -> String {
        use std::fmt::Write as _;
        let esc = |s: &str| crate::render::escape(s.as_bytes());
        let mut s = String::new();
        let _ = writeln!(
            s,
            "profile: {}",
            self.profile.as_deref().map_or("none".into(), esc)
        );
        let _ = match &self.file {
            Some((p, true)) => writeln!(s, "profiles file: {}", esc(&p.display().to_string())),
            Some((p, false)) => writeln!(
                s,
                "profiles file: {} (not found)",
                esc(&p.display().to_string())
            ),
            None => writeln!(s, "profiles file: none (HOME is not set)"),
        };
        let _ = writeln!(
            s,
            "brokers = {}  ({})",
            esc(&self.brokers),
            self.brokers_source
        );
        for p in &self.properties {
            let value = if p.secret {
                "********".into()
            } else if p.name == "schema.registry.url" {
                esc(&without_userinfo(&p.value))
            } else {
                esc(&p.value)
            };
            let _ = match &p.reference {
                Some(r) => writeln!(s, "{} = {value}  ({}, {})", p.name, p.source, esc(r)),
                None => writeln!(s, "{} = {value}  ({})", p.name, p.source),
            };
        }
        let _ = writeln!(
            s,
            "socket.timeout.ms = {}  ({})",
            self.timeout.as_millis(),
            self.timeout_source
        );
        for t in &self.topics {
            let pattern = esc(&t.pattern);
            for (name, f) in [("key.format", &t.key), ("value.format", &t.value)] {
                if let Some(f) = f {
                    let _ = writeln!(s, "topics.\"{pattern}\".{name} = {}  (profile)", esc(f));
                }
            }
        }
        s
    }

    /// The schema settings: `-r`/`-s`/`--proto-path` over the `schema.registry.*` properties
    /// and the profile's per-topic formats; the request timeout is the registry's too.
    pub fn schema(&self, flags: &SchemaFlags) -> Result<crate::schema::SchemaSettings, String> {
        let prop = |name: &str| {
            self.properties
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.value.clone())
        };
        let url = flags
            .registry
            .clone()
            .or_else(|| prop("schema.registry.url"));
        let registry = url.map(|url| crate::schema::registry::RegistryConfig {
            url,
            user_info: prop("schema.registry.basic.auth.user.info"),
            bearer_token: prop("schema.registry.bearer.auth.token"),
            ca_location: prop("schema.registry.ssl.ca.location"),
            certificate_location: prop("schema.registry.ssl.certificate.location"),
            key_location: prop("schema.registry.ssl.key.location"),
            timeout: self.timeout,
        });
        let topics = self
            .topics
            .iter()
            .map(profile::TopicRule::formats)
            .collect::<Result<Vec<_>, String>>()?;
        Ok(crate::schema::SchemaSettings {
            registry,
            key: flags.key.clone(),
            value: flags.value.clone(),
            topics,
            proto_paths: flags.proto_paths.clone(),
        })
    }
}

/// A URL with any `user:pass@` replaced by `********@`, for showing.
fn without_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://********@{}", &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests;
