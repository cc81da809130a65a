//! `S` and `e`/`E`: the message pane's records to a file, and a record's value in `$PAGER`
//! or `$EDITOR`.
//!
//! `S` saves the loaded window, or in a filter view every match of the filter from the
//! partition's beginning to the end it had when `S` was pressed (its own scan: how far the
//! view's reader got does not matter). The format is `consume --format json`'s lines or a
//! kcat `-f` template, written by the CLI's formatter. The writing (`tui::save`) and the
//! program (`tui::external`) run in the runtime; here are the prompt, what is saved, and what
//! the status line says.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;

use super::decoding::{PartDecoding, RecordDecoding};
use super::search::Query;
use super::{App, Effect, Row, Screen};
use crate::cli::kcat::Template;
use crate::kafka::Message;
use crate::render::{offsets, thousands};
use crate::schema::Part;

/// How saved records are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveFormat {
    /// One JSON object per line, exactly as `consume --format json` writes it.
    Json,
    /// A kcat `-f` template; keys and values written raw, as kcat writes them to a file.
    Template(Template),
}

impl SaveFormat {
    /// `json` (or nothing), else a `-f` template; the error says what is wrong.
    pub fn parse(text: &str) -> Result<SaveFormat, String> {
        match text.trim() {
            "" | "json" => Ok(SaveFormat::Json),
            _ => text.parse().map(SaveFormat::Template),
        }
    }
}

/// What `S` saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveSource {
    /// The records loaded in the window, in offset order.
    Window(Arc<Vec<Message>>),
    /// Every record the filter matches at offsets `from..to` (`to`: the partition's end when
    /// `S` was pressed).
    Matches {
        /// The filter of the view.
        query: Query,
        /// The partition's first offset.
        from: i64,
        /// The offset after the last one scanned.
        to: i64,
    },
}

/// A save the prompt is asking a path and a format for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSave {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The records.
    pub source: SaveSource,
}

impl PendingSave {
    /// The prompt's title: what will be saved (no outside text in it).
    pub fn title(&self) -> String {
        match &self.source {
            SaveSource::Window(records) => {
                let n = records.len() as i64;
                match (records.first(), records.last()) {
                    (Some(a), Some(b)) => format!(
                        "Save the {} loaded ({})",
                        crate::render::count(n, "record"),
                        offsets(a.offset, b.offset)
                    ),
                    _ => "Save the loaded records".into(),
                }
            }
            SaveSource::Matches { from, to, .. } => {
                format!("Save the filter's matches in {}", offsets(*from, to - 1))
            }
        }
    }
}

/// A save of records, as the runtime runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveJob {
    /// Tells its reports from another save's.
    pub id: u64,
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The records.
    pub source: SaveSource,
    /// The file, which must not exist yet.
    pub path: PathBuf,
    /// How records are written.
    pub format: SaveFormat,
}

/// What a running save has to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveReport {
    /// Records written so far, and the offset after the last one read.
    Progress {
        /// Records written.
        written: u64,
        /// The offset after the last record looked at.
        reached: i64,
    },
    /// Every record is in the file.
    Done {
        /// Records written.
        written: u64,
    },
    /// The save stopped on an error (the file keeps what was written).
    Failed {
        /// Records written before the error.
        written: u64,
        /// The error, one line.
        error: String,
    },
}

/// A save under way, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saving {
    /// The job's id.
    pub id: u64,
    /// The file.
    pub path: PathBuf,
    /// The window's record count; None for a filter's matches (not known before the scan).
    pub total: Option<u64>,
    /// A filter's scan: its offsets `from..to`.
    pub range: Option<(i64, i64)>,
    /// Records written so far.
    pub written: u64,
    /// The offset the scan reached.
    pub reached: i64,
}

impl Saving {
    /// The status line's progress (raw: the status line escapes it):
    /// `saving 12,345 of 40,000 records to PATH`, or for a filter's matches
    /// `saving 1,234 matches to PATH · offset 5,000 of 0–9,999`.
    pub fn describe(&self) -> String {
        let path = self.path.display();
        match (self.total, self.range) {
            (Some(total), _) => format!(
                "saving {} of {} records to {path}",
                thousands(self.written as i64),
                thousands(total as i64)
            ),
            (None, Some((from, to))) => format!(
                "saving {} to {path} · offset {} of {}",
                crate::render::count(self.written as i64, "match"),
                thousands(self.reached.max(from)),
                crate::render::span(from, to - 1)
            ),
            (None, None) => format!("saving {} to {path}", thousands(self.written as i64)),
        }
    }

    fn what(&self, written: u64) -> String {
        match self.range {
            Some((from, to)) => format!(
                "{} in {}",
                crate::render::count(written as i64, "match"),
                offsets(from, to - 1)
            ),
            None => crate::render::count(written as i64, "record"),
        }
    }
}

/// Which program `e` and `E` open a value in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// `$PAGER`, `less` when unset.
    Pager,
    /// `$EDITOR` (no default: unset is said in the status line).
    Editor,
}

/// A value to open in a program, as the runtime runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenValue {
    /// Pager or editor.
    pub viewer: Viewer,
    /// The value's bytes.
    pub value: Bytes,
    /// The decoded value as compact JSON, when it was decoded.
    pub decoded: Option<Bytes>,
    /// The temporary file's name stem: `TOPIC-PARTITION-OFFSET` (file-name safe).
    pub name: String,
}

impl OpenValue {
    /// What the file holds: the decoded value pretty-printed, else the value when it is text
    /// (UTF-8 without control characters but tab and line breaks), else its hex dump; and
    /// the file's extension.
    pub fn contents(&self) -> (Vec<u8>, &'static str) {
        if let Some(json) = &self.decoded {
            let pretty =
                crate::render::pretty_json(json).map_or_else(|| json.to_vec(), String::into_bytes);
            return (pretty, "json");
        }
        let text = std::str::from_utf8(&self.value).is_ok_and(|s| {
            !s.chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        });
        if text {
            (self.value.to_vec(), "txt")
        } else {
            (crate::render::hex_dump(&self.value).into_bytes(), "hex.txt")
        }
    }
}

/// `topic` with the characters a file name should not hold as `_`.
pub(super) fn file_safe(topic: &str) -> String {
    topic
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl App {
    /// The record `y`, `Y`, `s` and `e` act on: the detail's, else the table's selected one,
    /// with its decoding.
    pub(super) fn record_in_view(&self) -> Option<(Message, Option<Arc<RecordDecoding>>)> {
        if self.screen == Screen::Detail {
            let d = self.detail.as_ref()?;
            return Some((d.message.clone(), d.decoding.clone()));
        }
        let pane = self.messages.as_ref()?;
        let m = pane.selected()?.clone();
        let decoding = pane.decoding(m.offset).cloned();
        Some((m, decoding))
    }

    /// Says `text` in the status line of the screen that is up (the pane's, else the app's).
    pub(super) fn note(&mut self, text: &str) {
        let merged = self.screen == Screen::Merged
            || (self.screen == Screen::Detail && self.detail_from == Screen::Merged);
        match self.messages.as_mut() {
            Some(p) if !merged => p.warning = Some(crate::render::Safe::new(text)),
            _ => self.warning = Some(crate::render::Safe::new(text)),
        }
    }

    /// `S`: asks where to save the window's records, or the filter's matches.
    pub(super) fn ask_save_records(&mut self) -> Vec<Effect> {
        if self.screen == Screen::Detail && self.detail_from == Screen::Merged {
            self.note("S saves one partition's records: not from the merged view");
            return vec![Effect::Redraw];
        }
        if self.saving.is_some() {
            self.note("a save is under way (Esc stops it)");
            return vec![Effect::Redraw];
        }
        let Some(pane) = self.messages.as_ref() else {
            return Vec::new();
        };
        let topic = pane.topic.raw().to_string();
        let stem = format!("{}-{}", file_safe(&topic), pane.partition);
        let (source, name) = match (&pane.filter, pane.watermarks) {
            (Some(_), None) => {
                self.note("the partition's end is not known yet: S again in a moment");
                return vec![Effect::Redraw];
            }
            (Some(_), Some(w)) if w.high <= w.low => {
                self.note("the partition is empty: nothing to save");
                return vec![Effect::Redraw];
            }
            (Some(f), Some(w)) => (
                SaveSource::Matches {
                    query: f.query.clone(),
                    from: w.low,
                    to: w.high,
                },
                format!("{stem}-matches-{}-{}.jsonl", w.low, w.high - 1),
            ),
            (None, _) => {
                let records: Vec<Message> = pane
                    .window
                    .range(0, pane.window.len())
                    .filter_map(|r| match r {
                        Row::Record(m) => Some(m.clone()),
                        Row::Gap(_) => None,
                    })
                    .collect();
                let (Some(a), Some(b)) = (records.first(), records.last()) else {
                    self.note("no records loaded: nothing to save");
                    return vec![Effect::Redraw];
                };
                let name = format!("{stem}-{}-{}.jsonl", a.offset, b.offset);
                (SaveSource::Window(Arc::new(records)), name)
            }
        };
        let pending = PendingSave {
            topic,
            partition: pane.partition,
            source,
        };
        self.histories.paths.reset();
        self.prompt = Some(super::Prompt::save_records(name, pending));
        vec![Effect::Redraw]
    }

    /// ⏎ in the records' save prompt: the save to start, or why not.
    pub(super) fn submit_save_records(&mut self) -> Vec<Effect> {
        let Some(prompt) = self.prompt.as_mut() else {
            return Vec::new();
        };
        let typed = prompt.input.value().trim().to_string();
        if typed.is_empty() {
            prompt.error = Some("type a file name".into());
            prompt.on_format = false;
            return vec![Effect::Redraw];
        }
        let format = match SaveFormat::parse(prompt.format.value()) {
            Ok(f) => f,
            Err(e) => {
                prompt.error = Some(e);
                prompt.on_format = true;
                return vec![Effect::Redraw];
            }
        };
        let Some(pending) = prompt.records.take() else {
            self.prompt = None;
            return vec![Effect::Redraw];
        };
        self.prompt = None;
        self.histories.paths.push(&typed);
        self.save_jobs += 1;
        let path = PathBuf::from(&typed);
        let (total, range) = match &pending.source {
            SaveSource::Window(r) => (Some(r.len() as u64), None),
            SaveSource::Matches { from, to, .. } => (None, Some((*from, *to))),
        };
        self.saving = Some(Saving {
            id: self.save_jobs,
            path: path.clone(),
            total,
            range,
            written: 0,
            reached: range.map_or(0, |r| r.0),
        });
        vec![
            Effect::SaveRecords(SaveJob {
                id: self.save_jobs,
                topic: pending.topic,
                partition: pending.partition,
                source: pending.source,
                path,
                format,
            }),
            Effect::Redraw,
        ]
    }

    /// A save's report; reports of other saves are ignored.
    pub(super) fn on_save_report(&mut self, id: u64, report: SaveReport) -> Vec<Effect> {
        let Some(s) = self.saving.as_mut().filter(|s| s.id == id) else {
            return Vec::new();
        };
        let path = s.path.display().to_string();
        let note = match report {
            SaveReport::Progress { written, reached } => {
                s.written = written;
                s.reached = reached;
                return vec![Effect::Redraw];
            }
            SaveReport::Done { written } => format!("saved {} to {path}", s.what(written)),
            SaveReport::Failed { written: 0, error } => format!("not saved: {path}: {error}"),
            SaveReport::Failed { written, error } => format!(
                "save failed: {path}: {error} ({} written)",
                crate::render::count(written as i64, "record")
            ),
        };
        self.saving = None;
        self.note(&note);
        vec![Effect::Redraw]
    }

    /// Esc while a save runs: it stops; the file keeps what was written.
    pub(super) fn stop_save(&mut self) -> Vec<Effect> {
        let Some(s) = self.saving.take() else {
            return Vec::new();
        };
        let note = format!(
            "save stopped: {} in {}",
            crate::render::count(s.written as i64, "record"),
            s.path.display()
        );
        self.note(&note);
        vec![Effect::StopSave, Effect::Redraw]
    }

    /// `e` / `E`: the record's value in the pager or the editor.
    pub(super) fn open_value(&mut self, viewer: Viewer) -> Vec<Effect> {
        let Some((m, decoding)) = self.record_in_view() else {
            return Vec::new();
        };
        let Some(value) = m.value.clone() else {
            self.note("null value: nothing to open");
            return vec![Effect::Redraw];
        };
        let decoded = decoding
            .as_ref()
            .and_then(|d| d.value.as_ref())
            .and_then(PartDecoding::json)
            .cloned();
        let topic = self
            .messages
            .as_ref()
            .filter(|p| p.partition == m.partition)
            .map(|p| p.topic.raw().to_string())
            .or_else(|| self.partitions.as_ref().map(|p| p.topic.raw().to_string()))
            .unwrap_or_default();
        let name = format!("{}-{}-{}", file_safe(&topic), m.partition, m.offset);
        vec![Effect::OpenValue(OpenValue {
            viewer,
            value,
            decoded,
            name,
        })]
    }

    /// What the program opened by `e` left to say (None: it ended well).
    pub(super) fn on_opened(&mut self, note: Option<String>) -> Vec<Effect> {
        if let Some(n) = note {
            self.note(&n);
        }
        vec![Effect::Redraw]
    }

    /// The key or value `y` / `Y` copies: the decoded JSON when it was decoded, else the bytes.
    pub(super) fn copy_bytes(
        m: &Message,
        decoding: Option<&RecordDecoding>,
        part: Part,
    ) -> (Option<Bytes>, bool) {
        let raw = match part {
            Part::Key => m.key.clone(),
            Part::Value => m.value.clone(),
        };
        let decoded = decoding
            .and_then(|d| match part {
                Part::Key => d.key.as_ref(),
                Part::Value => d.value.as_ref(),
            })
            .and_then(PartDecoding::json);
        match (raw, decoded) {
            (Some(_), Some(j)) => (Some(j.clone()), true),
            (raw, _) => (raw, false),
        }
    }
}

#[cfg(test)]
#[path = "save_tests.rs"]
mod tests;
