//! `y` / `Y` on a record: its value or key to the terminal's clipboard through OSC 52, which
//! works over SSH and in tmux (`set-clipboard on`). The runtime writes the sequence.

use super::{App, Effect};
use crate::schema::Part;

/// The most a copy carries: terminals cut longer OSC 52 sequences.
pub const MAX_COPY: usize = 1 << 20;

impl App {
    /// Copies the key or value of the record in view (the detail's, else the selected one):
    /// its decoded JSON when it was decoded, else its bytes; the status line says what
    /// happened.
    pub(super) fn copy(&mut self, part: Part) -> Vec<Effect> {
        let Some((m, decoding)) = self.record_in_view() else {
            return Vec::new();
        };
        let name = match part {
            Part::Key => "key",
            Part::Value => "value",
        };
        let (bytes, decoded) = App::copy_bytes(&m, decoding.as_deref(), part);
        let what = if decoded { "decoded " } else { "" };
        // Short: the status line of an 80-column terminal has room for about 30 characters.
        let (note, fx) = match bytes {
            None => (format!("null {name}: nothing copied"), None),
            Some(b) if b.len() > MAX_COPY => (
                format!("{name} not copied: {} bytes > 1 MiB", b.len()),
                None,
            ),
            Some(b) => (
                format!("copied the {what}{name} ({} bytes)", b.len()),
                Some(Effect::Copy(b)),
            ),
        };
        self.note(&note);
        fx.into_iter().collect()
    }
}

/// The OSC 52 sequence that puts `bytes` on the clipboard.
pub fn osc52(bytes: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let mut out = b"\x1b]52;c;".to_vec();
    out.extend_from_slice(
        base64::engine::general_purpose::STANDARD
            .encode(bytes)
            .as_bytes(),
    );
    out.push(0x07);
    out
}

impl App {
    /// `s`: asks where to save the selected record's value, proposing
    /// `TOPIC-PARTITION-OFFSET.bin` (the topic's unusual characters as `_`).
    pub(super) fn ask_save(&mut self) {
        let Some((m, _)) = self.record_in_view() else {
            return;
        };
        let Some(value) = m.value.clone() else {
            self.note("null value: nothing to save");
            return;
        };
        let topic = self
            .messages
            .as_ref()
            .filter(|p| p.partition == m.partition)
            .map(|p| p.topic.raw().to_string())
            .or_else(|| self.partitions.as_ref().map(|p| p.topic.raw().to_string()))
            .unwrap_or_default();
        let name = format!(
            "{}-{}-{}.bin",
            super::save::file_safe(&topic),
            m.partition,
            m.offset
        );
        self.histories.paths.reset();
        self.prompt = Some(super::Prompt::save(name, value));
    }

    /// ⏎ in the save prompt: the file to write, or why not.
    pub(super) fn submit_save(&mut self, typed: String) -> Vec<Effect> {
        let Some(prompt) = self.prompt.as_mut() else {
            return Vec::new();
        };
        let path = typed.trim();
        if path.is_empty() {
            prompt.error = Some("type a file name".into());
            return vec![Effect::Redraw];
        }
        let Some(bytes) = prompt.bytes.take() else {
            self.prompt = None;
            return vec![Effect::Redraw];
        };
        let path = std::path::PathBuf::from(path);
        self.prompt = None;
        self.histories.paths.push(&typed);
        vec![Effect::SaveFile { path, bytes }, Effect::Redraw]
    }
}

/// Writes `bytes` to `path`, which must not exist yet; the status line's note either way
/// (unescaped: `Action::Saved` escapes it).
pub fn save_file(path: &std::path::Path, bytes: &[u8]) -> String {
    use std::io::Write as _;
    let shown = path.display();
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
    match written {
        Ok(()) => format!("saved {} bytes to {shown}", bytes.len()),
        Err(e) => format!("not saved: {shown}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_into_a_new_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.bin");
        let bytes = b"\x00\xff raw \x1b[31m";
        assert_eq!(
            save_file(&path, bytes),
            format!("saved 12 bytes to {}", path.display())
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        // An existing file is kept as it is.
        let note = save_file(&path, b"other");
        assert!(
            note.starts_with(&format!("not saved: {}: ", path.display())),
            "{note}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        let missing = dir.path().join("no/such/dir/v.bin");
        assert!(save_file(&missing, b"x").starts_with("not saved: "));
    }
}
