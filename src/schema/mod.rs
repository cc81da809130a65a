//! What the bytes mean: Confluent's framing, the Schema Registry client, and decoders (Avro,
//! Protobuf, JSON, MessagePack) that turn record keys and values into JSON values following
//! one mapping (README "Decoded values"). No terminal here: the CLI and the TUI drive it.

pub mod avro;
pub mod framing;
pub mod logical;
pub mod msgpack;
pub mod protobuf;
pub mod registry;
pub mod settings;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use avro::AvroSchema;
use protobuf::{LocalProtos, ProtoSchema};
use registry::{Registry, SchemaKind};
pub use settings::{Decoders, SchemaSettings, TopicFormats};

/// Why a key or value could not be decoded; its Display is one line for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// The bytes do not match what the format or schema expects.
    #[error("{0}")]
    Payload(String),
    /// The schema is invalid or unusable.
    #[error("{0}")]
    Schema(String),
    /// The registry could not give the schema.
    #[error("{0}")]
    Registry(String),
}

/// How to read a key or a value (`-s key=FMT`, `-s value=FMT`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FormatSpec {
    /// Registry framing with a known id by its schema; else JSON; else text; else bytes.
    #[default]
    Auto,
    /// Avro through the registry.
    Avro,
    /// Protobuf through the registry.
    Protobuf,
    /// Raw Protobuf (no framing) of this message from `--proto-path` files.
    ProtobufMessage(String),
    /// JSON (registry framing, if any, is skipped).
    Json,
    /// MessagePack.
    Msgpack,
    /// Text, shown as today.
    String,
    /// Bytes, shown as base64 in JSON.
    Bytes,
}

impl std::str::FromStr for FormatSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<FormatSpec, String> {
        Ok(match s {
            "auto" => FormatSpec::Auto,
            "avro" => FormatSpec::Avro,
            "protobuf" => FormatSpec::Protobuf,
            "json" => FormatSpec::Json,
            "msgpack" => FormatSpec::Msgpack,
            "string" => FormatSpec::String,
            "bytes" => FormatSpec::Bytes,
            _ => match s.strip_prefix("protobuf:") {
                Some(m)
                    if !m.is_empty()
                        && m.chars()
                            .all(|c| c.is_alphanumeric() || c == '.' || c == '_') =>
                {
                    FormatSpec::ProtobufMessage(m.trim_start_matches('.').to_string())
                }
                _ => {
                    return Err(format!(
                        "unknown format '{s}': expected auto, avro, protobuf, protobuf:pkg.Message, json, msgpack, string or bytes"
                    ));
                }
            },
        })
    }
}

/// What became of one key or value.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// A decoded value, and the registry id when the registry was used.
    Value(Value, Option<u32>),
    /// JSON text that is already safe to print as it is: valid JSON of printable ASCII only
    /// (no control character, no line break, nothing to escape), so `auto` checks it without
    /// building a value and the output copies the bytes.
    RawJson,
    /// Shown as text, as without decoding.
    Text,
    /// Shown as bytes.
    Bytes,
    /// Not decodable: shown raw with this reason (and the id when the framing named one).
    Failed(SchemaError, Option<u32>),
}

impl Decoded {
    /// The decoded value, when a schema or format made one.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Decoded::Value(v, _) => Some(v),
            _ => None,
        }
    }
}

enum Compiled {
    Avro(AvroSchema),
    Protobuf(ProtoSchema),
    Json,
}

/// Decodes keys and values with the registry and local `.proto` files, caching each schema
/// compiled by id. Call `prepare` with a batch (async: fetches unknown ids), then `decode`
/// (sync, CPU only) for its records.
pub struct RecordDecoder {
    key: FormatSpec,
    value: FormatSpec,
    registry: Option<Arc<Registry>>,
    local: Option<LocalProtos>,
    compiled: HashMap<u32, Result<Arc<Compiled>, SchemaError>>,
    local_messages: HashMap<String, Result<prost_reflect::MessageDescriptor, SchemaError>>,
}

/// What read a key or value (`RecordDecoder::describe`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// The format's name: `Avro`, `Protobuf`, `JSON Schema`, `JSON`, `MessagePack`.
    pub format: &'static str,
    /// The registry id, when the framing named one.
    pub id: Option<u32>,
    /// For Protobuf, the message type's full name.
    pub message: Option<String>,
}

/// Which part of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The key.
    Key,
    /// The value.
    Value,
}

impl RecordDecoder {
    /// A decoder for these formats; `registry` and `local` when given.
    pub fn new(
        key: FormatSpec,
        value: FormatSpec,
        registry: Option<Arc<Registry>>,
        local: Option<LocalProtos>,
    ) -> RecordDecoder {
        RecordDecoder {
            key,
            value,
            registry,
            local,
            compiled: HashMap::new(),
            local_messages: HashMap::new(),
        }
    }

    /// True when every key and value would be shown as it is (no decoding work at all).
    pub fn is_plain(&self) -> bool {
        let plain = |f: &FormatSpec| matches!(f, FormatSpec::String);
        plain(&self.key) && plain(&self.value)
    }

    /// True when some key or value may decode to a value other than what its bytes say as
    /// JSON or text (a schema, MessagePack, framed JSON): what a filter must see decoded.
    /// `auto` without a registry, `string` and `bytes` never do.
    pub fn transforms(&self) -> bool {
        [Part::Key, Part::Value]
            .into_iter()
            .any(|p| match self.spec(p) {
                FormatSpec::Auto => self.registry.is_some(),
                FormatSpec::String | FormatSpec::Bytes => false,
                _ => true,
            })
    }

    fn spec(&self, part: Part) -> &FormatSpec {
        match part {
            Part::Key => &self.key,
            Part::Value => &self.value,
        }
    }

    /// The format `part` is read with.
    pub fn format(&self, part: Part) -> &FormatSpec {
        self.spec(part)
    }

    /// Decodes a record's key and value (null parts stay None), their schemas prepared.
    pub fn decode_record(
        &mut self,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
    ) -> (Option<Decoded>, Option<Decoded>) {
        (
            key.map(|b| self.decode(Part::Key, b)),
            value.map(|b| self.decode(Part::Value, b)),
        )
    }

    /// The registry client, when one was given.
    pub fn registry(&self) -> Option<&Arc<Registry>> {
        self.registry.as_ref()
    }

    /// True when `part` is read through the registry (its framing names a schema id).
    pub fn uses_registry(&self, part: Part) -> bool {
        self.registry.is_some()
            && matches!(
                self.spec(part),
                FormatSpec::Auto | FormatSpec::Avro | FormatSpec::Protobuf
            )
    }

    /// Fetches and compiles the schemas of the framed keys and values in `items` that are not
    /// cached yet. Failures are cached too (the registry's own negative cache bounds retries).
    pub async fn prepare<'a>(&mut self, items: impl IntoIterator<Item = (Part, Option<&'a [u8]>)>) {
        let Some(registry) = self.registry.clone() else {
            return;
        };
        let mut wanted = Vec::new();
        for (part, bytes) in items {
            if !self.uses_registry(part) {
                continue;
            }
            if let Some(f) = bytes.and_then(framing::frame)
                && !self.compiled.contains_key(&f.schema_id)
                && !wanted.contains(&f.schema_id)
            {
                wanted.push(f.schema_id);
            }
        }
        for id in wanted {
            let compiled = match registry.schema(id).await {
                Ok(s) => compile(&s).map(Arc::new),
                Err(e) => Err(e),
            };
            if let Err(e) = &compiled {
                tracing::debug!(id, error = %e, "schema unavailable");
            }
            self.compiled.insert(id, compiled);
        }
    }

    /// Decodes one key or value. Framed data whose id `prepare` did not see fails.
    pub fn decode(&mut self, part: Part, bytes: &[u8]) -> Decoded {
        let spec = self.spec(part).clone();
        match spec {
            FormatSpec::String => Decoded::Text,
            FormatSpec::Bytes => Decoded::Bytes,
            FormatSpec::Msgpack => match msgpack::decode(bytes) {
                Ok(v) => Decoded::Value(v, None),
                Err(e) => Decoded::Failed(e, None),
            },
            FormatSpec::Json => {
                let payload = match framing::frame(bytes) {
                    Some(f) if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() => {
                        f.payload
                    }
                    _ => bytes,
                };
                match serde_json::from_slice(payload) {
                    Ok(v) => Decoded::Value(v, None),
                    Err(e) => Decoded::Failed(SchemaError::Payload(format!("not JSON: {e}")), None),
                }
            }
            FormatSpec::ProtobufMessage(name) => {
                let desc = self.local_message(&name);
                match desc.and_then(|d| protobuf::decode(&d, bytes)) {
                    Ok(v) => Decoded::Value(v, None),
                    Err(e) => Decoded::Failed(e, None),
                }
            }
            FormatSpec::Avro | FormatSpec::Protobuf => {
                let want = if spec == FormatSpec::Avro {
                    SchemaKind::Avro
                } else {
                    SchemaKind::Protobuf
                };
                if self.registry.is_none() {
                    return Decoded::Failed(
                        SchemaError::Schema(format!(
                            "{} needs a schema registry (-r URL)",
                            if want == SchemaKind::Avro {
                                "avro"
                            } else {
                                "protobuf"
                            }
                        )),
                        None,
                    );
                }
                match framing::frame(bytes) {
                    Some(f) => self.registered(f, Some(want)),
                    None => Decoded::Failed(
                        SchemaError::Payload(
                            "not in the Schema Registry framing (magic byte 0 and a schema id)"
                                .into(),
                        ),
                        None,
                    ),
                }
            }
            FormatSpec::Auto => {
                if self.registry.is_some()
                    && let Some(f) = framing::frame(bytes)
                {
                    return self.registered(f, None);
                }
                // The common case, JSON text written by a JSON serializer: checking it costs a
                // fraction of building a `Value` and printing it again.
                if bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
                    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
                        return Decoded::RawJson;
                    }
                } else if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
                    return Decoded::Value(v, None);
                }
                if std::str::from_utf8(bytes).is_ok() {
                    Decoded::Text
                } else {
                    Decoded::Bytes
                }
            }
        }
    }

    /// Appends `bytes` to `out` as compact JSON text when they are Avro read through the
    /// registry: the same bytes as printing `decode`'s value with `render::json_value_into`,
    /// without building the value. `Some(Ok(id))` when written; `Some(Err((reason, id)))` when
    /// the payload does not match its schema (`out` unchanged); None when `decode` must be used.
    pub fn write_json(
        &self,
        part: Part,
        bytes: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<Result<u32, (SchemaError, u32)>> {
        if self.registry.is_none()
            || !matches!(self.spec(part), FormatSpec::Auto | FormatSpec::Avro)
        {
            return None;
        }
        let f = framing::frame(bytes)?;
        let Some(Ok(compiled)) = self.compiled.get(&f.schema_id) else {
            return None;
        };
        let Compiled::Avro(s) = &**compiled else {
            return None;
        };
        Some(
            s.write_json(f.payload, out)
                .map(|()| f.schema_id)
                .map_err(|e| (e, f.schema_id)),
        )
    }

    /// What reads `bytes` as `part`, for showing: the format's name, the registry id, and for
    /// Protobuf the message type's full name. None when the bytes are shown as they are or
    /// their schema is not known (call after `prepare`).
    pub fn describe(&self, part: Part, bytes: &[u8]) -> Option<Described> {
        let plain = |format| {
            Some(Described {
                format,
                id: None,
                message: None,
            })
        };
        match self.spec(part) {
            FormatSpec::String | FormatSpec::Bytes => None,
            FormatSpec::Json => plain("JSON"),
            FormatSpec::Msgpack => plain("MessagePack"),
            FormatSpec::ProtobufMessage(name) => Some(Described {
                format: "Protobuf",
                id: None,
                message: Some(name.clone()),
            }),
            FormatSpec::Auto | FormatSpec::Avro | FormatSpec::Protobuf => {
                self.registry.as_ref()?;
                let f = framing::frame(bytes)?;
                let compiled = self.compiled.get(&f.schema_id)?.as_ref().ok()?;
                let (format, message) = match &**compiled {
                    Compiled::Avro(_) => ("Avro", None),
                    Compiled::Json => ("JSON Schema", None),
                    Compiled::Protobuf(s) => (
                        "Protobuf",
                        framing::message_indexes(f.payload)
                            .ok()
                            .and_then(|(path, _)| s.message(&path).ok())
                            .map(|d| d.full_name().to_string()),
                    ),
                };
                Some(Described {
                    format,
                    id: Some(f.schema_id),
                    message,
                })
            }
        }
    }

    /// Caches `schema` as registry id `id`, as `prepare` would after fetching it.
    #[cfg(test)]
    pub(crate) fn insert_avro(&mut self, id: u32, schema: AvroSchema) {
        self.compiled
            .insert(id, Ok(Arc::new(Compiled::Avro(schema))));
    }

    fn local_message(
        &mut self,
        name: &str,
    ) -> Result<prost_reflect::MessageDescriptor, SchemaError> {
        if let Some(r) = self.local_messages.get(name) {
            return r.clone();
        }
        let r = match &self.local {
            Some(l) => l.message(name),
            None => Err(SchemaError::Schema(format!(
                "protobuf:{name} needs --proto-path DIR with the .proto files"
            ))),
        };
        self.local_messages.insert(name.to_string(), r.clone());
        r
    }

    fn registered(&self, f: framing::Frame<'_>, want: Option<SchemaKind>) -> Decoded {
        let id = f.schema_id;
        let compiled = match self.compiled.get(&id) {
            Some(Ok(c)) => c,
            Some(Err(e)) => return Decoded::Failed(e.clone(), Some(id)),
            None => {
                return Decoded::Failed(
                    SchemaError::Registry(format!("schema {id} was not fetched")),
                    Some(id),
                );
            }
        };
        let kind = match &**compiled {
            Compiled::Avro(_) => SchemaKind::Avro,
            Compiled::Protobuf(_) => SchemaKind::Protobuf,
            Compiled::Json => SchemaKind::Json,
        };
        if let Some(w) = want
            && w != kind
        {
            return Decoded::Failed(
                SchemaError::Schema(format!("schema {id} is {}, not {}", kind.name(), w.name())),
                Some(id),
            );
        }
        let result = match &**compiled {
            Compiled::Avro(s) => s.decode(f.payload),
            Compiled::Protobuf(s) => framing::message_indexes(f.payload)
                .and_then(|(path, msg)| s.message(&path).and_then(|d| protobuf::decode(&d, msg))),
            Compiled::Json => serde_json::from_slice(f.payload)
                .map_err(|e| SchemaError::Payload(format!("not JSON: {e}"))),
        };
        match result {
            Ok(v) => Decoded::Value(v, Some(id)),
            Err(e) => Decoded::Failed(e, Some(id)),
        }
    }
}

fn compile(s: &registry::FetchedSchema) -> Result<Compiled, SchemaError> {
    let with_id = |e: SchemaError| match e {
        SchemaError::Schema(m) => SchemaError::Schema(format!("schema {}: {m}", s.id)),
        other => other,
    };
    Ok(match s.kind {
        SchemaKind::Avro => {
            let refs: Vec<String> = s.references.iter().map(|(_, t)| t.clone()).collect();
            Compiled::Avro(AvroSchema::parse(&s.text, &refs).map_err(with_id)?)
        }
        SchemaKind::Protobuf => {
            Compiled::Protobuf(ProtoSchema::compile(s.id, &s.text, &s.references).map_err(with_id)?)
        }
        SchemaKind::Json => Compiled::Json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn format_specs() {
        for (s, f) in [
            ("auto", FormatSpec::Auto),
            ("avro", FormatSpec::Avro),
            ("protobuf", FormatSpec::Protobuf),
            (
                "protobuf:pkg.Msg",
                FormatSpec::ProtobufMessage("pkg.Msg".into()),
            ),
            (
                "protobuf:.pkg.Outer.Inner",
                FormatSpec::ProtobufMessage("pkg.Outer.Inner".into()),
            ),
            ("json", FormatSpec::Json),
            ("msgpack", FormatSpec::Msgpack),
            ("string", FormatSpec::String),
            ("bytes", FormatSpec::Bytes),
        ] {
            assert_eq!(s.parse::<FormatSpec>(), Ok(f), "{s}");
        }
        for bad in ["", "yaml", "protobuf:", "protobuf:a b", "AVRO"] {
            assert_eq!(
                bad.parse::<FormatSpec>(),
                Err(format!(
                    "unknown format '{bad}': expected auto, avro, protobuf, protobuf:pkg.Message, json, msgpack, string or bytes"
                ))
            );
        }
    }

    #[test]
    fn auto_without_a_registry() {
        let mut d = RecordDecoder::new(FormatSpec::Auto, FormatSpec::Auto, None, None);
        assert!(!d.transforms());
        assert!(
            RecordDecoder::new(FormatSpec::String, FormatSpec::Msgpack, None, None).transforms()
        );
        // Printable ASCII JSON is checked, not built: the output copies it.
        assert_eq!(d.decode(Part::Value, b" {\"a\": [1]} "), Decoded::RawJson);
        // JSON with a line break or a non-ASCII character is built and printed compact.
        assert_eq!(
            d.decode(Part::Value, b"{\"a\":\n [1]}"),
            Decoded::Value(json!({"a": [1]}), None)
        );
        assert_eq!(
            d.decode(Part::Value, "{\"a\": \"caf\u{e9}\"}".as_bytes()),
            Decoded::Value(json!({"a": "caf\u{e9}"}), None)
        );
        assert_eq!(d.decode(Part::Value, b"{\"a\": [1]"), Decoded::Text);
        assert_eq!(d.decode(Part::Value, b"plain text"), Decoded::Text);
        assert_eq!(d.decode(Part::Value, b"\xff\x00"), Decoded::Bytes);
        // Framed bytes with no registry are bytes like any other.
        assert_eq!(
            d.decode(Part::Key, b"\x00\x00\x00\x00\x01\x02"),
            Decoded::Text
        );
    }

    #[test]
    fn explicit_formats_name_what_is_missing() {
        let mut d = RecordDecoder::new(
            FormatSpec::Avro,
            FormatSpec::ProtobufMessage("a.B".into()),
            None,
            None,
        );
        assert_eq!(
            d.decode(Part::Key, b"\x00\x00\x00\x00\x01\x02"),
            Decoded::Failed(
                SchemaError::Schema("avro needs a schema registry (-r URL)".into()),
                None
            )
        );
        assert_eq!(
            d.decode(Part::Value, b""),
            Decoded::Failed(
                SchemaError::Schema(
                    "protobuf:a.B needs --proto-path DIR with the .proto files".into()
                ),
                None
            )
        );
        let mut j = RecordDecoder::new(FormatSpec::Json, FormatSpec::Msgpack, None, None);
        // JSON Schema framing is skipped; plain JSON is read as it is.
        assert_eq!(
            j.decode(Part::Key, b"\x00\x00\x00\x00\x07[1]"),
            Decoded::Value(json!([1]), None)
        );
        assert_eq!(j.decode(Part::Key, b"0"), Decoded::Value(json!(0), None));
        assert!(
            matches!(j.decode(Part::Key, b"{"), Decoded::Failed(SchemaError::Payload(m), None) if m.starts_with("not JSON: "))
        );
        assert_eq!(
            j.decode(Part::Value, b"\x92\x01\xc0"),
            Decoded::Value(json!([1, null]), None)
        );
    }

    #[tokio::test]
    async fn registry_urls_keep_credentials_out_of_messages() {
        let r = registry::Registry::new(
            "http://us%40er:p%3Ass@127.0.0.1:1/base",
            std::time::Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(r.url(), "http://127.0.0.1:1/base");
        let e = r.schema(5).await.unwrap_err().to_string();
        assert_eq!(
            e,
            "schema registry http://127.0.0.1:1/base: cannot connect fetching schema 5"
        );
        // Remembered: the same answer without a second request, and for other ids too.
        assert_eq!(r.schema(5).await.unwrap_err().to_string(), e);
        assert_eq!(
            r.schema(6).await.unwrap_err().to_string(),
            "schema registry http://127.0.0.1:1/base: cannot connect fetching schema 6"
        );
        for bad in ["localhost:8081", "ftp://h:1", "http://"] {
            assert!(
                registry::Registry::new(bad, std::time::Duration::from_secs(1))
                    .unwrap_err()
                    .to_string()
                    .starts_with("invalid schema registry URL: "),
                "{bad}"
            );
        }
    }

    #[test]
    fn registry_settings_that_cannot_work_are_refused_with_their_property() {
        use registry::{Registry, RegistryConfig};
        let base = RegistryConfig {
            url: "https://127.0.0.1:1".into(),
            timeout: std::time::Duration::from_secs(1),
            ..RegistryConfig::default()
        };
        let err = |c: RegistryConfig| Registry::with_config(&c).unwrap_err().to_string();
        assert_eq!(
            err(RegistryConfig {
                certificate_location: Some("/c.pem".into()),
                ..base.clone()
            }),
            "schema.registry.ssl.certificate.location needs schema.registry.ssl.key.location"
        );
        assert_eq!(
            err(RegistryConfig {
                key_location: Some("/k.pem".into()),
                ..base.clone()
            }),
            "schema.registry.ssl.key.location needs schema.registry.ssl.certificate.location"
        );
        assert_eq!(
            err(RegistryConfig {
                ca_location: Some("/nonexistent/ca.pem".into()),
                ..base.clone()
            }),
            "schema.registry.ssl.ca.location: cannot read /nonexistent/ca.pem: No such file or directory (os error 2)"
        );
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let junk = junk.display().to_string();
        assert_eq!(
            err(RegistryConfig {
                ca_location: Some(junk.clone()),
                ..base.clone()
            }),
            format!("schema.registry.ssl.ca.location: {junk} holds no PEM certificate")
        );
        assert_eq!(
            err(RegistryConfig {
                user_info: Some("no-colon".into()),
                ..base.clone()
            }),
            "schema.registry.basic.auth.user.info: expected user:password"
        );
        // Secrets never reach Debug output.
        let shown = format!(
            "{:?}",
            RegistryConfig {
                url: "https://u:pw-xyz@h:1".into(),
                user_info: Some("a:s3cr3t".into()),
                bearer_token: Some("tok-abc".into()),
                ..base
            }
        );
        assert!(
            !shown.contains("pw-xyz") && !shown.contains("s3cr3t") && !shown.contains("tok-abc"),
            "{shown}"
        );
    }
}
