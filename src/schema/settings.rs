//! The schema settings, resolved once from `-r`, `-s`, `--proto-path`, the `schema.registry.*`
//! properties and a profile's per-topic formats: one value that `consume` and the TUI both
//! take, and that makes a decoder per topic sharing one registry client (and its caches).

use std::path::PathBuf;
use std::sync::Arc;

use super::protobuf::LocalProtos;
use super::registry::{Registry, RegistryConfig};
use super::{FormatSpec, RecordDecoder, SchemaError};

/// The formats of the topics whose name matches a pattern (a profile's
/// `[clusters.NAME.topics."PATTERN"]` table).
#[derive(Debug, Clone)]
pub struct TopicFormats {
    /// The pattern as written.
    pub pattern: String,
    /// The pattern anchored at both ends: it matches whole topic names.
    regex: regex::Regex,
    /// `key.format`, when set.
    pub key: Option<FormatSpec>,
    /// `value.format`, when set.
    pub value: Option<FormatSpec>,
}

impl TopicFormats {
    /// Formats for the topics whose whole name matches `pattern` (a regular expression, as
    /// the `regex` crate reads it, anchored at both ends).
    pub fn new(
        pattern: &str,
        key: Option<FormatSpec>,
        value: Option<FormatSpec>,
    ) -> Result<TopicFormats, String> {
        let regex = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                let why = e.to_string();
                let last = why.lines().last().unwrap_or("").trim().to_string();
                format!(
                    "invalid topic pattern '{}': {last}",
                    crate::render::escape(pattern.as_bytes())
                )
            })?;
        Ok(TopicFormats {
            pattern: pattern.to_string(),
            regex,
            key,
            value,
        })
    }

    /// True when the whole of `topic` matches the pattern.
    pub fn matches(&self, topic: &str) -> bool {
        self.regex.is_match(topic)
    }
}

/// Everything that says how keys and values are decoded, resolved.
#[derive(Debug, Clone, Default)]
pub struct SchemaSettings {
    /// The Schema Registry, when one is configured.
    pub registry: Option<RegistryConfig>,
    /// The key's format from `-s`: it wins over every per-topic format.
    pub key: Option<FormatSpec>,
    /// The value's format from `-s`: it wins over every per-topic format.
    pub value: Option<FormatSpec>,
    /// Per-topic formats, in profile order: the first pattern that matches a topic gives
    /// its key and value formats (each independently).
    pub topics: Vec<TopicFormats>,
    /// Directories of `.proto` files for `protobuf:pkg.Message`.
    pub proto_paths: Vec<PathBuf>,
}

impl SchemaSettings {
    /// The key and value formats for `topic`: `-s`, else the first per-topic rule that sets
    /// the part, else `auto`.
    pub fn formats(&self, topic: &str) -> (FormatSpec, FormatSpec) {
        let rule = |pick: fn(&TopicFormats) -> Option<&FormatSpec>| {
            self.topics
                .iter()
                .filter(|t| t.matches(topic))
                .find_map(pick)
                .cloned()
        };
        let key = self
            .key
            .clone()
            .or_else(|| rule(|t| t.key.as_ref()))
            .unwrap_or_default();
        let value = self
            .value
            .clone()
            .or_else(|| rule(|t| t.value.as_ref()))
            .unwrap_or_default();
        (key, value)
    }

    /// Builds the registry client and compiles the `--proto-path` files, once; errors name
    /// the bad setting.
    pub fn open(&self) -> Result<Decoders, SchemaError> {
        let registry = match &self.registry {
            Some(r) => Some(Arc::new(Registry::with_config(r)?)),
            None => None,
        };
        let local = if self.proto_paths.is_empty() {
            None
        } else {
            Some(LocalProtos::load(&self.proto_paths)?)
        };
        Ok(Decoders {
            settings: Arc::new(self.clone()),
            registry,
            local,
        })
    }
}

/// Makes a `RecordDecoder` per topic; every decoder shares the one registry client, so a
/// schema is fetched once per process whatever the topic.
#[derive(Debug, Clone)]
pub struct Decoders {
    settings: Arc<SchemaSettings>,
    registry: Option<Arc<Registry>>,
    local: Option<LocalProtos>,
}

impl Decoders {
    /// The decoder for `topic`, with its formats.
    pub fn decoder(&self, topic: &str) -> RecordDecoder {
        let (key, value) = self.settings.formats(topic);
        RecordDecoder::new(key, value, self.registry.clone(), self.local.clone())
    }

    /// The decoder for `topic` when it may change what its keys or values say
    /// (`RecordDecoder::transforms`): what a filter or the TUI's decoding stage needs; None
    /// when the bytes are read as they are.
    pub fn transforming(&self, topic: &str) -> Option<RecordDecoder> {
        Some(self.decoder(topic)).filter(RecordDecoder::transforms)
    }

    /// The registry client, when there is one.
    pub fn registry(&self) -> Option<&Arc<Registry>> {
        self.registry.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(p: &str, k: Option<&str>, v: Option<&str>) -> TopicFormats {
        TopicFormats::new(
            p,
            k.map(|f| f.parse().unwrap()),
            v.map(|f| f.parse().unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn formats_come_from_s_then_the_first_matching_topic_rule_then_auto() {
        let mut s = SchemaSettings {
            topics: vec![
                rule("payments.*", Some("string"), Some("protobuf:pay.Payment")),
                rule("payments-eu", None, Some("avro")),
                rule(".*", Some("bytes"), None),
            ],
            ..SchemaSettings::default()
        };
        let pay = FormatSpec::ProtobufMessage("pay.Payment".into());
        assert_eq!(s.formats("payments.eu"), (FormatSpec::String, pay.clone()));
        // Anchored: "payments.*" matches the whole name, "xpayments" is not one of them.
        assert_eq!(
            s.formats("xpayments"),
            (FormatSpec::Bytes, FormatSpec::Auto)
        );
        // Each part from the first rule that sets it.
        assert_eq!(s.formats("payments-eu"), (FormatSpec::String, pay.clone()));
        s.topics.remove(0);
        assert_eq!(
            s.formats("payments-eu"),
            (FormatSpec::Bytes, FormatSpec::Avro)
        );
        s.value = Some(FormatSpec::Msgpack);
        assert_eq!(
            s.formats("payments-eu"),
            (FormatSpec::Bytes, FormatSpec::Msgpack)
        );
        s.key = Some(FormatSpec::Json);
        assert_eq!(s.formats("other"), (FormatSpec::Json, FormatSpec::Msgpack));
        assert_eq!(
            SchemaSettings::default().formats("t"),
            (FormatSpec::Auto, FormatSpec::Auto)
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        assert_eq!(
            TopicFormats::new("pay(", None, None).unwrap_err(),
            "invalid topic pattern 'pay(': error: unclosed group"
        );
        assert!(
            TopicFormats::new("a{1000}{1000}", None, None)
                .unwrap_err()
                .starts_with("invalid topic pattern 'a{1000}{1000}': "),
        );
    }

    #[tokio::test]
    async fn decoders_share_one_registry_and_pick_formats_per_topic() {
        let s = SchemaSettings {
            registry: Some(RegistryConfig {
                url: "http://127.0.0.1:1".into(),
                timeout: std::time::Duration::from_secs(1),
                ..RegistryConfig::default()
            }),
            topics: vec![rule("raw", Some("string"), Some("string"))],
            ..SchemaSettings::default()
        };
        let d = s.open().unwrap();
        assert!(d.decoder("raw").is_plain());
        assert!(!d.decoder("other").is_plain());
        assert_eq!(d.registry().unwrap().url(), "http://127.0.0.1:1");
    }
}
