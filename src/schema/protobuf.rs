//! Protobuf: schemas compiled at run time with protox (registry text, base64
//! `FileDescriptorProto`s, or local `.proto` files), messages decoded with prost-reflect and
//! printed in the proto3 canonical JSON mapping with declared field names and defaults.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use prost_reflect::{
    DescriptorPool, DynamicMessage, FileDescriptor, MessageDescriptor, SerializeOptions,
};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use serde_json::Value;

use super::SchemaError;

/// `.proto` files read from `--proto-path` at most.
const MAX_LOCAL_FILES: usize = 10_000;

/// One compiled registry schema: the file whose messages the message indexes count.
#[derive(Debug)]
pub struct ProtoSchema {
    file: FileDescriptor,
}

/// In-memory `.proto` files (text or descriptors) by import name.
struct Sources(HashMap<String, File>);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| protox::Error::file_not_found(name))
    }
}

/// A registry schema string: `.proto` text, or a base64 `FileDescriptorProto` (what Confluent's
/// serializers register).
fn source(name: &str, text: &str) -> Result<File, SchemaError> {
    let trimmed = text.trim();
    if !trimmed.is_empty()
        && !trimmed.contains(char::is_whitespace)
        && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(trimmed)
        && let Ok(file) = File::decode_file_descriptor_proto(bytes.as_slice())
    {
        return Ok(file);
    }
    File::from_source(name, text)
        .map_err(|e| SchemaError::Schema(format!("invalid Protobuf schema {name}: {e}")))
}

impl ProtoSchema {
    /// Compiles a registry schema with its references (import name, schema string). Well-known
    /// types (`google/protobuf/*.proto`) are built in.
    pub fn compile(
        schema_id: u32,
        text: &str,
        references: &[(String, String)],
    ) -> Result<ProtoSchema, SchemaError> {
        let mut files = HashMap::new();
        for (name, text) in references {
            files.insert(name.clone(), source(name, text)?);
        }
        let fallback = format!("schema-{schema_id}.proto");
        let root = source(&fallback, text)?;
        let root_name = match root.file_descriptor_proto().name.as_deref() {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => fallback,
        };
        files.insert(root_name.clone(), root);
        let mut chain = ChainFileResolver::new();
        chain.add(Sources(files));
        chain.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(chain);
        compiler
            .open_file(&root_name)
            .map_err(|e| SchemaError::Schema(format!("invalid Protobuf schema: {e}")))?;
        let file = compiler
            .descriptor_pool()
            .get_file_by_name(&root_name)
            .ok_or_else(|| SchemaError::Schema(format!("{root_name} did not compile")))?;
        Ok(ProtoSchema { file })
    }

    /// The message a Confluent message-index path names: the first index counts the file's
    /// top-level messages, each next one the previous message's nested messages.
    pub fn message(&self, path: &[usize]) -> Result<MessageDescriptor, SchemaError> {
        let missing = || {
            SchemaError::Schema(format!(
                "message index {path:?} does not exist in {}",
                self.file.name()
            ))
        };
        let (first, rest) = path.split_first().ok_or_else(missing)?;
        let mut msg = self.file.messages().nth(*first).ok_or_else(missing)?;
        for i in rest {
            let next = msg.child_messages().nth(*i).ok_or_else(missing)?;
            msg = next;
        }
        Ok(msg)
    }
}

/// `.proto` files compiled from `--proto-path` directories, for raw Protobuf values.
#[derive(Debug, Clone)]
pub struct LocalProtos {
    pool: DescriptorPool,
}

impl LocalProtos {
    /// Compiles every `.proto` file under `dirs`, which are also the import roots.
    pub fn load(dirs: &[PathBuf]) -> Result<LocalProtos, SchemaError> {
        let mut names = Vec::new();
        for dir in dirs {
            collect(dir, dir, 0, &mut names)?;
        }
        let mut compiler = protox::Compiler::new(dirs)
            .map_err(|e| SchemaError::Schema(format!("--proto-path: {e}")))?;
        compiler
            .open_files(&names)
            .map_err(|e| SchemaError::Schema(format!("--proto-path: {e}")))?;
        Ok(LocalProtos {
            pool: compiler.descriptor_pool(),
        })
    }

    /// The message with this full name (`pkg.Message`).
    pub fn message(&self, name: &str) -> Result<MessageDescriptor, SchemaError> {
        self.pool.get_message_by_name(name).ok_or_else(|| {
            SchemaError::Schema(format!("no message {name} in the --proto-path files"))
        })
    }
}

fn collect(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
) -> Result<(), SchemaError> {
    let io =
        |e: std::io::Error| SchemaError::Schema(format!("--proto-path {}: {e}", dir.display()));
    if depth > 16 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        let kind = e.file_type().map_err(io)?;
        if kind.is_dir() {
            collect(root, &path, depth + 1, out)?;
        } else if path.extension().is_some_and(|x| x == "proto") {
            if out.len() >= MAX_LOCAL_FILES {
                return Err(SchemaError::Schema(format!(
                    "--proto-path holds more than {MAX_LOCAL_FILES} .proto files"
                )));
            }
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
    }
    Ok(())
}

/// Decodes one message and maps it to proto3 canonical JSON: declared field names, fields at
/// their defaults included, 64-bit integers as strings, enums as names, bytes as base64.
/// prost bounds nesting (100 levels) and checks every length against the bytes left.
pub fn decode(desc: &MessageDescriptor, bytes: &[u8]) -> Result<Value, SchemaError> {
    let msg = DynamicMessage::decode(desc.clone(), bytes).map_err(|e| {
        SchemaError::Payload(format!("not a valid {} message: {e}", desc.full_name()))
    })?;
    let opts = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(false);
    msg.serialize_with_options(serde_json::value::Serializer, &opts)
        .map_err(|e| SchemaError::Payload(format!("{}: {e}", desc.full_name())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NODE: &str = r#"syntax = "proto3";
package t;
import "google/protobuf/timestamp.proto";
message Node { int64 n = 1; Node child = 2; google.protobuf.Timestamp at = 3; }
message Outer { message Inner { string s = 1; } }
"#;

    #[test]
    fn text_schemas_indexes_and_defaults() {
        let s = ProtoSchema::compile(1, NODE, &[]).unwrap();
        let node = s.message(&[0]).unwrap();
        assert_eq!(node.full_name(), "t.Node");
        assert_eq!(s.message(&[1, 0]).unwrap().full_name(), "t.Outer.Inner");
        assert_eq!(
            s.message(&[1, 1]).unwrap_err().to_string(),
            "message index [1, 1] does not exist in schema-1.proto"
        );
        // n=5, at={seconds: 1}
        assert_eq!(
            decode(&node, &[0x08, 0x05, 0x1a, 0x02, 0x08, 0x01]).unwrap(),
            json!({"n": "5", "at": "1970-01-01T00:00:01Z"})
        );
        assert_eq!(decode(&node, &[]).unwrap(), json!({"n": "0"}));
    }

    #[test]
    fn hostile_messages_are_errors() {
        let s = ProtoSchema::compile(1, NODE, &[]).unwrap();
        let node = s.message(&[0]).unwrap();
        // 200 nested children: past prost's recursion limit.
        let mut deep = Vec::new();
        for _ in 0..200 {
            let mut outer = vec![0x12];
            let mut len = deep.len();
            loop {
                let b = (len & 0x7f) as u8;
                len >>= 7;
                outer.push(if len == 0 { b } else { b | 0x80 });
                if len == 0 {
                    break;
                }
            }
            outer.extend_from_slice(&deep);
            deep = outer;
        }
        assert!(decode(&node, &deep).is_err());
        // A varint of 11 bytes, and a length of 2^62 with nothing behind it.
        assert!(decode(&node, &[&[0x08][..], &[0xff; 11]].concat()).is_err());
        assert!(
            decode(
                &node,
                &[0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
            )
            .is_err()
        );
        assert!(
            ProtoSchema::compile(2, "message {", &[])
                .unwrap_err()
                .to_string()
                .starts_with("invalid Protobuf schema schema-2.proto:")
        );
    }
}
