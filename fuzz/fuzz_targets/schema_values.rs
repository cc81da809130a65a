//! Record keys and values through kbrowse::schema: the first byte picks the decoder, the rest
//! is the key or value as it comes off the wire. Any panic, stack overflow or allocation over
//! the limit is a finding; errors are fine.
#![no_main]

use std::sync::OnceLock;

use kbrowse::schema::avro::AvroSchema;
use kbrowse::schema::protobuf::{ProtoSchema, decode};
use kbrowse::schema::{framing, msgpack};
use libfuzzer_sys::fuzz_target;

/// Every Avro type and logical type, named types reused, and a recursive record.
const AVRO: &str = r#"{"type":"record","name":"R","namespace":"f","fields":[
 {"name":"n","type":"null"},{"name":"b","type":"boolean"},{"name":"i","type":"int"},
 {"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"d","type":"double"},
 {"name":"by","type":"bytes"},{"name":"s","type":"string"},
 {"name":"fx","type":{"type":"fixed","name":"F4","size":4}},
 {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
 {"name":"a","type":{"type":"array","items":"int"}},
 {"name":"m","type":{"type":"map","values":["null","string"]}},
 {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":30,"scale":4}},
 {"name":"decf","type":{"type":"fixed","name":"D8","size":8,"logicalType":"decimal","precision":12,"scale":3}},
 {"name":"u","type":{"type":"string","logicalType":"uuid"}},
 {"name":"dt","type":{"type":"int","logicalType":"date"}},
 {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
 {"name":"tu","type":{"type":"long","logicalType":"time-micros"}},
 {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"tsu","type":{"type":"long","logicalType":"timestamp-micros"}},
 {"name":"lts","type":{"type":"long","logicalType":"local-timestamp-millis"}},
 {"name":"dur","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}},
 {"name":"next","type":["null","R"]}]}"#;

const PROTO: &str = r#"syntax = "proto3";
package f;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
message Node {
  int64 i = 1; uint64 u = 2; sint32 s = 3; fixed64 x = 4; double d = 5; float f = 6;
  string str = 7; bytes b = 8; bool ok = 9; Kind kind = 10; map<string, Node> kids = 11;
  repeated Node list = 12; oneof o { string a = 13; Node n = 14; }
  google.protobuf.Timestamp at = 15; google.protobuf.Duration took = 16;
  google.protobuf.Int64Value w = 17; google.protobuf.Struct st = 18; google.protobuf.Value v = 19;
  message Inner { Node back = 1; }
}
enum Kind { K0 = 0; K1 = 1; }
"#;

fn schemas() -> &'static (AvroSchema, ProtoSchema) {
    static S: OnceLock<(AvroSchema, ProtoSchema)> = OnceLock::new();
    S.get_or_init(|| {
        (
            AvroSchema::parse(AVRO, &[]).unwrap(),
            ProtoSchema::compile(1, PROTO, &[]).unwrap(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (avro, proto) = schemas();
    match pick % 4 {
        0 => {
            if let Some(f) = framing::frame(rest) {
                let _ = framing::message_indexes(f.payload);
            }
        }
        1 => {
            // The Value and the JSON text written straight from the bytes (consume's way)
            // read the same bytes: both fail or neither.
            let value = avro.decode(rest);
            let mut out = Vec::new();
            let text = avro.write_json(rest, &mut out);
            assert_eq!(value.is_ok(), text.is_ok(), "{value:?} / {text:?}");
        }
        2 => {
            // The framing's message indexes choose the message, as for registry values.
            if let Ok((path, msg)) = framing::message_indexes(rest) {
                if let Ok(desc) = proto.message(&path) {
                    let _ = decode(&desc, msg);
                }
            }
        }
        _ => {
            let _ = msgpack::decode(rest);
        }
    }
});
