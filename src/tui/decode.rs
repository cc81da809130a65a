//! The decode stage: between the partition reader and the app, off the UI thread. Each batch
//! of records is decoded with `schema::RecordDecoder` (registry lookups included) and its
//! decodings are handed to the app just before the records, so the table and the detail
//! never wait on the registry and never see a record before its decoding.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};

use crate::app::{Decodings, PartDecoding, RecordDecoding, SchemaLabel};
use crate::kafka::{Message, ReaderEvent, ReaderEventKind};
use crate::schema::{Decoded, Decoders, FormatSpec, Part, RecordDecoder, framing};

/// What reaches the runtime from a reader: its events, each batch of records preceded by
/// what the decoders made of it.
#[derive(Debug)]
pub enum Fed {
    /// A reader event, as the reader sent it.
    Event(ReaderEvent),
    /// Decodings of the records in the next `Messages` event.
    Decoded(Decodings),
}

/// A label's identity within one topic: key or value, registry id, format, message type.
type LabelKey = (bool, Option<u32>, &'static str, Option<String>);

/// The decoders and what they learnt, shared by the readers of a session (one at a time).
pub struct DecodeState {
    /// Makes each topic's decoder: `-r`/`-s`/`--proto-path`, the `schema.registry.*`
    /// properties and the profile's per-topic formats, as `consume` resolves them.
    decoders: Decoders,
    /// The decoder of `labels_topic`, made again when another topic is read.
    decoder: Option<RecordDecoder>,
    /// (subject, version) pairs per registry id.
    subjects: HashMap<u32, Vec<(String, i64)>>,
    labels: HashMap<LabelKey, Arc<SchemaLabel>>,
    labels_topic: String,
}

/// The shared decoding state.
pub type Shared = Arc<Mutex<DecodeState>>;

impl DecodeState {
    /// The decoding state of a session.
    pub fn new(decoders: Decoders) -> Shared {
        Arc::new(Mutex::new(DecodeState {
            decoders,
            decoder: None,
            subjects: HashMap::new(),
            labels: HashMap::new(),
            labels_topic: String::new(),
        }))
    }

    /// Decodes a batch of `topic`'s records: (offset, decoding) of each that has something
    /// decoded or failed.
    pub async fn decode(
        &mut self,
        topic: &str,
        messages: &[Message],
    ) -> Vec<(i64, Arc<RecordDecoding>)> {
        if self.labels_topic != topic || self.decoder.is_none() {
            self.labels.clear();
            self.labels_topic = topic.to_string();
            self.decoder = Some(self.decoders.decoder(topic));
        }
        let Some(mut decoder) = self.decoder.take() else {
            return Vec::new();
        };
        crate::search::prepare_schemas(&mut decoder, messages).await;
        let parts = messages.iter().flat_map(|m| {
            [
                (Part::Key, m.key.as_deref()),
                (Part::Value, m.value.as_deref()),
            ]
        });
        self.fetch_subjects(&decoder, parts).await;
        let mut out = Vec::new();
        for m in messages {
            let d = RecordDecoding {
                key: self.part(&mut decoder, Part::Key, m.key.as_deref()),
                value: self.part(&mut decoder, Part::Value, m.value.as_deref()),
            };
            if d.key.is_some() || d.value.is_some() {
                out.push((m.offset, Arc::new(d)));
            }
        }
        self.decoder = Some(decoder);
        out
    }

    /// The subjects of registry ids not seen before (a registry without the endpoint, or
    /// that fails, leaves them unnamed).
    async fn fetch_subjects<'a>(
        &mut self,
        decoder: &RecordDecoder,
        parts: impl Iterator<Item = (Part, Option<&'a [u8]>)>,
    ) {
        let Some(registry) = decoder.registry().cloned() else {
            return;
        };
        let mut wanted = Vec::new();
        for (part, bytes) in parts {
            if !decoder.uses_registry(part) {
                continue;
            }
            if let Some(f) = bytes.and_then(framing::frame)
                && !self.subjects.contains_key(&f.schema_id)
                && !wanted.contains(&f.schema_id)
                && decoder.describe(part, bytes.unwrap_or_default()).is_some()
            {
                wanted.push(f.schema_id);
            }
        }
        for id in wanted {
            let list = registry.subjects(id).await.unwrap_or_else(|e| {
                tracing::debug!(id, error = %e, "schema subjects unavailable");
                Vec::new()
            });
            self.subjects.insert(id, list);
        }
    }

    fn part(
        &mut self,
        decoder: &mut RecordDecoder,
        part: Part,
        bytes: Option<&[u8]>,
    ) -> Option<PartDecoding> {
        let bytes = bytes?;
        // Avro through the registry: the compact JSON written straight from the bytes, no
        // `Value` built and printed again (a stream of records decodes on the same cores as
        // the UI draws).
        let mut json = Vec::with_capacity(bytes.len().saturating_mul(2));
        match decoder.write_json(part, bytes, &mut json) {
            Some(Ok(_)) => {
                return Some(PartDecoding::Json {
                    json: json.into(),
                    schema: self.label(decoder, part, bytes),
                });
            }
            Some(Err((e, id))) => {
                return Some(PartDecoding::Failed {
                    reason: e.to_string(),
                    id: Some(id),
                });
            }
            None => {}
        }
        let auto = *decoder.format(part) == FormatSpec::Auto;
        match decoder.decode(part, bytes) {
            // Plain JSON under `auto`: the detail pretty-prints the value itself.
            Decoded::Value(_, None) if auto => None,
            Decoded::Value(v, _) => Some(PartDecoding::Json {
                json: serde_json::to_vec(&v).unwrap_or_default().into(),
                schema: self.label(decoder, part, bytes),
            }),
            Decoded::Failed(e, id) => Some(PartDecoding::Failed {
                reason: e.to_string(),
                id,
            }),
            Decoded::RawJson | Decoded::Text | Decoded::Bytes => None,
        }
    }

    /// What read `bytes`, named by format, id, subject, version and message type; shared by
    /// every record it read.
    fn label(&mut self, decoder: &RecordDecoder, part: Part, bytes: &[u8]) -> Arc<SchemaLabel> {
        let d = decoder.describe(part, bytes);
        let key: LabelKey = match &d {
            Some(d) => (part == Part::Key, d.id, d.format, d.message.clone()),
            None => (part == Part::Key, None, "", None),
        };
        if let Some(l) = self.labels.get(&key) {
            return l.clone();
        }
        let mut label = SchemaLabel::default();
        if let Some(d) = d {
            label.format = d.format;
            label.id = d.id;
            label.message = d.message;
            // The topic's own subject (TopicNameStrategy) first, else the first listed.
            let own = format!(
                "{}-{}",
                self.labels_topic,
                if part == Part::Key { "key" } else { "value" }
            );
            if let Some(list) = d.id.and_then(|id| self.subjects.get(&id)) {
                let pick = list.iter().find(|(s, _)| *s == own).or(list.first());
                if let Some((s, v)) = pick {
                    label.subject = Some(s.clone());
                    label.version = Some(*v);
                }
            }
        }
        let label = Arc::new(label);
        self.labels.insert(key, label.clone());
        label
    }
}

/// Records handed to the app in one event at most. A fetch may hold a hundred thousand small
/// records (8 MiB); in pieces, each is decoded and taken in well under a frame, and a key
/// pressed meanwhile is handled before the next piece (the event loop serves keys first).
pub const CHUNK: usize = 1024;

/// Forwards a reader's events to the runtime, each batch of records cut into pieces of at most
/// `CHUNK` and each piece preceded by its decodings (none when `shared` is None). Ends when
/// either side closes.
pub async fn forward(
    shared: Option<Shared>,
    topic: String,
    mut rx: mpsc::Receiver<ReaderEvent>,
    tx: mpsc::Sender<Fed>,
) {
    while let Some(ev) = rx.recv().await {
        let (generation, partition) = (ev.generation, ev.partition);
        let pieces = match ev.kind {
            ReaderEventKind::Messages(messages) => chunks(messages),
            kind => {
                let ev = ReaderEvent {
                    generation,
                    partition,
                    kind,
                };
                if tx.send(Fed::Event(ev)).await.is_err() {
                    return;
                }
                continue;
            }
        };
        for messages in pieces {
            if let Some(shared) = &shared {
                let records = shared.lock().await.decode(&topic, &messages).await;
                if !records.is_empty() {
                    let d = Decodings {
                        generation,
                        partition,
                        records,
                    };
                    if tx.send(Fed::Decoded(d)).await.is_err() {
                        return;
                    }
                }
            }
            let ev = ReaderEvent {
                generation,
                partition,
                kind: ReaderEventKind::Messages(messages),
            };
            if tx.send(Fed::Event(ev)).await.is_err() {
                return;
            }
        }
    }
}

/// `messages` in order, in pieces of at most `CHUNK` (one piece when it is no longer). Each
/// record is moved once (cutting the front off again and again would move the rest each time).
fn chunks(messages: Vec<Message>) -> Vec<Vec<Message>> {
    if messages.len() <= CHUNK {
        return vec![messages];
    }
    let mut pieces = Vec::with_capacity(messages.len().div_ceil(CHUNK));
    let mut rest = messages.into_iter();
    while rest.len() > 0 {
        pieces.push(rest.by_ref().take(CHUNK).collect());
    }
    pieces
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
