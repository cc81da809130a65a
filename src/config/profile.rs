//! The profiles file: `default = "NAME"` and one `[clusters.NAME]` table per cluster, whose
//! keys are librdkafka property names written as TOML dotted keys.
//!
//! ```toml
//! default = "prod"
//! [clusters.prod]
//! brokers = "b1:9093,b2:9093"
//! security.protocol = "SASL_SSL"
//! sasl.password = "env:PROD_KAFKA_PASSWORD"
//! schema.registry.url = "https://registry:8081"
//! [clusters.prod.topics."payments.*"]
//! value.format = "protobuf:pay.Payment"
//! key.format = "string"
//! ```
//!
//! A `topics` table holds per-topic formats: its keys are regular expressions matched against
//! whole topic names (anchored at both ends), its properties `key.format` and `value.format`.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::secret::Env;

/// The profiles read from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiles {
    /// The file they came from.
    pub file: PathBuf,
    /// The profile used when none is named.
    pub default: Option<String>,
    /// Each profile's name and its `(property, value)` pairs, flattened to dotted names, in
    /// file order.
    pub clusters: Vec<(String, Vec<(String, String)>)>,
    /// Each profile's per-topic formats (`[clusters.NAME.topics."PATTERN"]`), checked, in
    /// file order; profiles without any are absent.
    pub topics: Vec<(String, Vec<TopicRule>)>,
}

/// One `[clusters.NAME.topics."PATTERN"]` table, as written (already checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRule {
    /// The regular expression, matched against whole topic names.
    pub pattern: String,
    /// `key.format`.
    pub key: Option<String>,
    /// `value.format`.
    pub value: Option<String>,
}

/// The properties a `topics` table may set.
pub const TOPIC_PROPERTIES: [&str; 2] = ["key.format", "value.format"];

impl TopicRule {
    /// The rule as the schema module takes it.
    pub fn formats(&self) -> Result<crate::schema::TopicFormats, String> {
        let parse = |f: &Option<String>| f.as_deref().map(str::parse).transpose();
        crate::schema::TopicFormats::new(&self.pattern, parse(&self.key)?, parse(&self.value)?)
    }
}

/// Reads a cluster's `topics` table.
fn topic_rules(value: Value) -> Result<Vec<TopicRule>, String> {
    let Value::Table(t) = value else {
        return Err("topics must be a table of [topics.\"PATTERN\"] tables".into());
    };
    let mut rules = Vec::new();
    for (pattern, body) in t {
        let shown = crate::render::escape(pattern.as_bytes());
        let at = |e: String| format!("topics.\"{shown}\": {e}");
        let Value::Table(body) = body else {
            return Err(at(
                "expected a table with key.format and value.format".into()
            ));
        };
        let mut props = Vec::new();
        flatten("", body, &mut props).map_err(at)?;
        let mut rule = TopicRule {
            pattern: pattern.clone(),
            key: None,
            value: None,
        };
        for (name, value) in props {
            match name.as_str() {
                "key.format" => rule.key = Some(value),
                "value.format" => rule.value = Some(value),
                other => {
                    let n = crate::render::escape(other.as_bytes());
                    return Err(at(
                        match crate::cli::habits::closest(other, TOPIC_PROPERTIES.into_iter()) {
                            Some(near) => {
                                format!("unknown property '{n}'; did you mean '{near}'?")
                            }
                            None => format!(
                                "unknown property '{n}' (expected key.format or value.format)"
                            ),
                        },
                    ));
                }
            }
        }
        rule.formats().map_err(at)?;
        rules.push(rule);
    }
    Ok(rules)
}

/// Where the profiles file is looked for: `$XDG_CONFIG_HOME/kbrowse/config.toml`, else
/// `~/.config/kbrowse/config.toml` (on every platform, so the README's path holds everywhere).
pub fn default_path(env: &dyn Env) -> Option<PathBuf> {
    let base = match env.var("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(env.var("HOME").filter(|v| !v.is_empty())?).join(".config"),
    };
    Some(base.join("kbrowse").join("config.toml"))
}

impl Profiles {
    /// Reads and parses `file`.
    pub fn load(file: &Path) -> Result<Profiles, String> {
        let text = super::secret::read_file(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        Profiles::parse(file, &text)
    }

    /// Parses the text of `file`. Errors name the file and, for TOML syntax, the line.
    pub fn parse(file: &Path, text: &str) -> Result<Profiles, String> {
        let at = |why: String| format!("{}: {why}", file.display());
        let table: Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().trim_end().replace('\n', "; ");
            match line {
                Some(l) => at(format!("line {l}: {msg}")),
                None => at(msg),
            }
        })?;
        let mut default = None;
        let mut clusters = Vec::new();
        let mut topics = Vec::new();
        for (key, value) in table {
            match (key.as_str(), value) {
                ("default", Value::String(name)) => default = Some(name),
                ("default", _) => return Err(at("'default' must be a string".into())),
                ("clusters", Value::Table(t)) => {
                    for (name, body) in t {
                        let Value::Table(mut body) = body else {
                            return Err(at(format!(
                                "clusters.{name} must be a table of properties"
                            )));
                        };
                        if let Some(t) = body.remove("topics") {
                            let rules =
                                topic_rules(t).map_err(|e| at(format!("cluster '{name}': {e}")))?;
                            topics.push((name.clone(), rules));
                        }
                        let mut props = Vec::new();
                        flatten("", body, &mut props)
                            .map_err(|e| at(format!("cluster '{name}': {e}")))?;
                        clusters.push((name, props));
                    }
                }
                ("clusters", _) => return Err(at("'clusters' must be a table".into())),
                (other, _) => {
                    return Err(at(format!(
                        "unknown key '{}' (expected default or [clusters.NAME])",
                        crate::render::escape(other.as_bytes())
                    )));
                }
            }
        }
        if let Some(d) = &default
            && !clusters.iter().any(|(n, _)| n == d)
        {
            return Err(at(format!(
                "default = \"{d}\" names no [clusters.{d}] table"
            )));
        }
        Ok(Profiles {
            file: file.to_path_buf(),
            default,
            clusters,
            topics,
        })
    }

    /// The per-topic formats of the profile called `name` (none when it has no `topics`).
    pub fn topics(&self, name: &str) -> &[TopicRule] {
        self.topics
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[][..], |(_, r)| r.as_slice())
    }

    /// The profile called `name`, or an error listing the known ones.
    pub fn get(&self, name: &str) -> Result<&[(String, String)], String> {
        if let Some((_, props)) = self.clusters.iter().find(|(n, _)| n == name) {
            return Ok(props);
        }
        let names: Vec<&str> = self.clusters.iter().map(|(n, _)| n.as_str()).collect();
        let hint = crate::cli::habits::closest(name, names.iter().copied())
            .map(|n| format!("; did you mean '{n}'?"))
            .unwrap_or_default();
        let known = if names.is_empty() {
            format!("{} has no [clusters.NAME] table", self.file.display())
        } else {
            format!("profiles in {}: {}", self.file.display(), names.join(", "))
        };
        Err(format!(
            "unknown cluster '{}'{hint} ({known})",
            crate::render::escape(name.as_bytes()),
        ))
    }
}

/// Appends `table`'s leaves as `prefix.key` pairs. Strings stay as they are; integers and
/// booleans become their text; anything else is an error naming the key.
fn flatten(prefix: &str, table: Table, out: &mut Vec<(String, String)>) -> Result<(), String> {
    for (key, value) in table {
        let name = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Table(t) => flatten(&name, t, out)?,
            Value::String(s) => out.push((name, s)),
            Value::Integer(i) => out.push((name, i.to_string())),
            Value::Boolean(b) => out.push((name, b.to_string())),
            other => {
                return Err(format!(
                    "{name}: expected a string, number or boolean, found {}",
                    other.type_str()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::secret::tests::FakeEnv;
    use super::*;

    fn parse(text: &str) -> Result<Profiles, String> {
        Profiles::parse(Path::new("/c/config.toml"), text)
    }

    #[test]
    fn dotted_keys_flatten_back_to_property_names() {
        let p = parse(
            r#"
default = "prod"
[clusters.prod]
brokers = "b1:9093,b2:9093"
security.protocol = "SASL_SSL"
sasl.mechanism = "SCRAM-SHA-512"
"sasl.username" = "alice"
socket.timeout.ms = 30000
enable.ssl.certificate.verification = false
[clusters.prod.ssl.ca]
location = "~/certs/ca.pem"

[clusters.dev]
brokers = "localhost:9092"
"#,
        )
        .unwrap();
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            p,
            Profiles {
                file: "/c/config.toml".into(),
                default: Some("prod".into()),
                clusters: vec![
                    (
                        "prod".into(),
                        pairs(&[
                            ("brokers", "b1:9093,b2:9093"),
                            ("security.protocol", "SASL_SSL"),
                            ("sasl.mechanism", "SCRAM-SHA-512"),
                            ("sasl.username", "alice"),
                            ("socket.timeout.ms", "30000"),
                            ("enable.ssl.certificate.verification", "false"),
                            ("ssl.ca.location", "~/certs/ca.pem"),
                        ])
                    ),
                    ("dev".into(), pairs(&[("brokers", "localhost:9092")])),
                ],
                topics: vec![],
            }
        );
    }

    #[test]
    fn malformed_files_name_the_file_and_line() {
        for (text, want) in [
            (
                "default = \"a\"\n[clusters.a]\nbrokers = \"x:1\"\nsasl.username = \n",
                "/c/config.toml: line 4: string values must be quoted, expected literal string",
            ),
            (
                "[clusters.a]\nbrokers = \"x:1\"\nbrokers = \"y:1\"\n",
                "/c/config.toml: line 3: duplicate key",
            ),
            (
                "[clusters.a]\nsasl.oauthbearer.token = \"t\"\nsasl.oauthbearer.token.file = \"/f\"\n",
                "/c/config.toml: line 3: cannot extend value of type string with a dotted key",
            ),
            (
                "default = 1\n",
                "/c/config.toml: 'default' must be a string",
            ),
            (
                "defualt = \"a\"\n",
                "/c/config.toml: unknown key 'defualt' (expected default or [clusters.NAME])",
            ),
            (
                "default = \"prod\"\n[clusters.dev]\n",
                "/c/config.toml: default = \"prod\" names no [clusters.prod] table",
            ),
            (
                "[clusters]\na = 1\n",
                "/c/config.toml: clusters.a must be a table of properties",
            ),
            (
                "[clusters.a]\nbrokers = [\"x:1\"]\n",
                "/c/config.toml: cluster 'a': brokers: expected a string, number or boolean, found array",
            ),
        ] {
            assert_eq!(parse(text), Err(want.to_string()), "{text}");
        }
    }

    #[test]
    fn topic_tables_hold_formats_by_pattern() {
        let p = parse(
            r#"
[clusters.prod]
brokers = "b:1"
schema.registry.url = "http://r:8081"
[clusters.prod.topics."payments.*"]
value.format = "protobuf:pay.Payment"
key.format = "string"
[clusters.prod.topics.orders]
value = { format = "avro" }
[clusters.dev]
"#,
        )
        .unwrap();
        assert_eq!(
            p.clusters[0].1,
            vec![
                ("brokers".to_string(), "b:1".to_string()),
                ("schema.registry.url".into(), "http://r:8081".into())
            ]
        );
        assert_eq!(
            p.topics("prod"),
            &[
                TopicRule {
                    pattern: "payments.*".into(),
                    key: Some("string".into()),
                    value: Some("protobuf:pay.Payment".into()),
                },
                TopicRule {
                    pattern: "orders".into(),
                    key: None,
                    value: Some("avro".into()),
                },
            ][..]
        );
        assert_eq!(p.topics("dev"), &[][..]);
        for (text, want) in [
            (
                "[clusters.a.topics.\"p.*\"]\nvaleu.format = \"avro\"\n",
                "/c/config.toml: cluster 'a': topics.\"p.*\": unknown property 'valeu.format'; did you mean 'value.format'?",
            ),
            (
                "[clusters.a.topics.x]\ncolour = \"red\"\n",
                "/c/config.toml: cluster 'a': topics.\"x\": unknown property 'colour' (expected key.format or value.format)",
            ),
            (
                "[clusters.a.topics.x]\nvalue.format = \"yaml\"\n",
                "/c/config.toml: cluster 'a': topics.\"x\": unknown format 'yaml': expected auto, avro, protobuf, protobuf:pkg.Message, json, msgpack, string or bytes",
            ),
            (
                "[clusters.a.topics.\"pay(\"]\nvalue.format = \"avro\"\n",
                "/c/config.toml: cluster 'a': topics.\"pay(\": invalid topic pattern 'pay(': error: unclosed group",
            ),
            (
                "[clusters.a]\ntopics = \"x\"\n",
                "/c/config.toml: cluster 'a': topics must be a table of [topics.\"PATTERN\"] tables",
            ),
            (
                "[clusters.a.topics]\nx = 1\n",
                "/c/config.toml: cluster 'a': topics.\"x\": expected a table with key.format and value.format",
            ),
        ] {
            assert_eq!(parse(text), Err(want.to_string()), "{text}");
        }
    }

    #[test]
    fn unknown_profiles_list_the_known_ones() {
        let p = parse("[clusters.prod]\n[clusters.dev]\n").unwrap();
        assert_eq!(
            p.get("prd"),
            Err(
                "unknown cluster 'prd'; did you mean 'prod'? (profiles in /c/config.toml: prod, dev)"
                    .into()
            )
        );
        assert_eq!(
            p.get("staging"),
            Err("unknown cluster 'staging' (profiles in /c/config.toml: prod, dev)".into())
        );
        assert_eq!(p.get("dev"), Ok(&[][..]));
    }

    #[test]
    fn the_file_is_found_by_xdg_then_home() {
        let env = FakeEnv::of(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(
            default_path(&env),
            Some(PathBuf::from("/x/kbrowse/config.toml"))
        );
        let env = FakeEnv::of(&[("XDG_CONFIG_HOME", ""), ("HOME", "/h")]);
        assert_eq!(
            default_path(&env),
            Some(PathBuf::from("/h/.config/kbrowse/config.toml"))
        );
        assert_eq!(default_path(&FakeEnv::of(&[])), None);
    }
}
