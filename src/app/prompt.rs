//! The jump prompt (`o` for a position, `t` for a time).

use tui_input::Input;

use crate::kafka::StartAt;
use crate::kafka::offsets::position::parse_position;

/// What the prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `N`, `-N` or `@TIME`.
    Position,
    /// A time, with or without the `@`.
    Time,
    /// A file to save the record's value to (`s`).
    SavePath,
    /// A file and a format to save records to (`S`).
    SaveRecords,
}

/// An open prompt: its text and the last parse error.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// What the prompt asks for.
    pub kind: PromptKind,
    /// The text typed so far.
    pub input: Input,
    /// Why the last entry was refused.
    pub error: Option<String>,
    /// What a `SavePath` prompt saves.
    pub bytes: Option<bytes::Bytes>,
    /// A `SaveRecords` prompt's format: `json` or a kcat `-f` template.
    pub format: Input,
    /// True while typing into `format` (Tab switches).
    pub on_format: bool,
    /// What a `SaveRecords` prompt saves.
    pub records: Option<super::save::PendingSave>,
}

impl Prompt {
    /// An empty prompt.
    pub fn new(kind: PromptKind) -> Prompt {
        Prompt {
            kind,
            input: Input::default(),
            error: None,
            bytes: None,
            format: Input::default(),
            on_format: false,
            records: None,
        }
    }

    /// A prompt for the file to save `bytes` to, proposing `path`.
    pub fn save(path: String, bytes: bytes::Bytes) -> Prompt {
        Prompt {
            kind: PromptKind::SavePath,
            input: Input::new(path),
            error: None,
            bytes: Some(bytes),
            format: Input::default(),
            on_format: false,
            records: None,
        }
    }

    /// A prompt for the file and format to save `pending`'s records to, proposing `path`
    /// and JSON lines.
    pub fn save_records(path: String, pending: super::save::PendingSave) -> Prompt {
        Prompt {
            kind: PromptKind::SaveRecords,
            input: Input::new(path),
            error: None,
            bytes: None,
            format: Input::new("json".into()),
            on_format: false,
            records: Some(pending),
        }
    }

    /// What ⏎ does.
    pub fn verb(&self) -> &'static str {
        match self.kind {
            PromptKind::SavePath | PromptKind::SaveRecords => "save",
            _ => "jump",
        }
    }

    /// The title shown above the input.
    pub fn title(&self) -> &'static str {
        match self.kind {
            PromptKind::Position => "Jump to offset",
            PromptKind::Time => "Jump to time",
            PromptKind::SavePath => "Save the value to a file",
            PromptKind::SaveRecords => "Save records to a file",
        }
    }

    /// The hint shown under the input.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            PromptKind::Position => {
                "N: offset · -N: N before the end · @TIME: e.g. @-15m, @2024-05-01 12:00"
            }
            PromptKind::Time => "RFC3339, YYYY-MM-DD HH:MM[:SS] (local), or -15m, -2h, -1d",
            PromptKind::SavePath => {
                "the raw bytes; an existing file is kept · ^U clears · ^W deletes a word"
            }
            PromptKind::SaveRecords => {
                "format: json (lines as consume --format json) or a -f format such as %k\\t%s\\n · \
                 Tab: file ↔ format · an existing file is kept"
            }
        }
    }

    /// The typed position, or why it does not parse.
    pub fn parse(&self, now_ms: i64) -> Result<StartAt, String> {
        // Quotes as a shell needs them (`@'2024-05-01 12:00'`, as the help and the errors
        // write a time) are taken off, around the whole or after the `@`.
        let text = unquote(self.input.value());
        let time = text.strip_prefix('@').map(unquote);
        match (self.kind, time) {
            (PromptKind::SavePath | PromptKind::SaveRecords, _) => {
                Err("a file name is not a position".into())
            }
            (_, Some(t)) => parse_position(&format!("@{t}"), now_ms),
            (PromptKind::Time, None) => parse_position(&format!("@{text}"), now_ms),
            (PromptKind::Position, None) => parse_position(text, now_ms),
        }
    }
}

/// `text` trimmed, without one pair of matching quotes around it.
fn unquote(text: &str) -> &str {
    let t = text.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = t.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.trim();
        }
    }
    t
}

/// Entries kept per prompt.
const HISTORY_ENTRIES: usize = 100;

/// A prompt's earlier entries, oldest first; ↑ and ↓ walk them from the newest.
#[derive(Debug, Clone, Default)]
pub struct History {
    entries: Vec<String>,
    /// The entry shown while walking; None: the text being typed.
    at: Option<usize>,
    /// What was typed before the walk began, given back after the newest entry.
    draft: String,
}

impl History {
    /// Remembers an accepted entry (blank ones are not kept; a repeat moves to the end).
    pub fn push(&mut self, entry: &str) {
        let entry = entry.trim();
        self.reset();
        if entry.is_empty() {
            return;
        }
        self.entries.retain(|e| e != entry);
        self.entries.push(entry.to_string());
        if self.entries.len() > HISTORY_ENTRIES {
            self.entries.remove(0);
        }
    }

    /// Starts a new walk: the next `older` gives the newest entry.
    pub fn reset(&mut self) {
        self.at = None;
        self.draft.clear();
    }

    /// The entry before the one shown (`current` is kept as the draft when the walk starts).
    pub fn older(&mut self, current: &str) -> Option<String> {
        let i = match self.at {
            None if self.entries.is_empty() => return None,
            None => {
                self.draft = current.to_string();
                self.entries.len() - 1
            }
            Some(0) => return None,
            Some(i) => i - 1,
        };
        self.at = Some(i);
        self.entries.get(i).cloned()
    }

    /// The entry after the one shown, then the draft.
    pub fn newer(&mut self) -> Option<String> {
        let i = self.at?;
        if i + 1 < self.entries.len() {
            self.at = Some(i + 1);
            return self.entries.get(i + 1).cloned();
        }
        self.at = None;
        Some(std::mem::take(&mut self.draft))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_walks_back_and_forth_and_gives_the_draft_back() {
        let mut h = History::default();
        assert_eq!(h.older("x"), None);
        h.push("100");
        h.push("  ");
        h.push("-5");
        h.push("100");
        assert_eq!(h.older("typed").as_deref(), Some("100"));
        assert_eq!(h.older("").as_deref(), Some("-5"));
        assert_eq!(h.older(""), None);
        assert_eq!(h.newer().as_deref(), Some("100"));
        assert_eq!(h.newer().as_deref(), Some("typed"));
        assert_eq!(h.newer(), None);
    }

    #[test]
    fn parses_positions_and_times() {
        let mut p = Prompt::new(PromptKind::Position);
        p.input = Input::new("500".into());
        assert_eq!(p.parse(0), Ok(StartAt::Offset(500)));
        p.input = Input::new("-5".into());
        assert_eq!(p.parse(0), Ok(StartAt::FromEnd(5)));
        let mut t = Prompt::new(PromptKind::Time);
        t.input = Input::new("-1m".into());
        assert_eq!(t.parse(120_000), Ok(StartAt::Timestamp(60_000)));
        t.input = Input::new("@-1m".into());
        assert_eq!(t.parse(120_000), Ok(StartAt::Timestamp(60_000)));
        t.input = Input::new("soon".into());
        assert!(t.parse(0).is_err());
    }

    /// What the help and the errors show, quotes and all, is accepted.
    #[test]
    fn quotes_around_a_time_are_taken_off() {
        let at = |kind, text: &str| {
            let mut p = Prompt::new(kind);
            p.input = Input::new(text.into());
            p.parse(0)
        };
        let want = Ok(StartAt::Timestamp(1_714_564_800_000));
        for text in [
            "@'2024-05-01T12:00:00Z'",
            "'@2024-05-01T12:00:00Z'",
            "@\"2024-05-01T12:00:00Z\"",
            " \"@2024-05-01T12:00:00Z\" ",
        ] {
            assert_eq!(at(PromptKind::Position, text), want, "{text}");
            assert_eq!(at(PromptKind::Time, text), want, "{text}");
        }
        for text in ["'2024-05-01T12:00:00Z'", "\"2024-05-01T12:00:00Z\""] {
            assert_eq!(at(PromptKind::Time, text), want, "{text}");
        }
        // A lone or unmatched quote is not taken off: the error names it.
        assert!(at(PromptKind::Time, "'2024-05-01T12:00:00Z").is_err());
        assert_eq!(at(PromptKind::Position, "'500'"), Ok(StartAt::Offset(500)));
    }
}
