//! `y` / `Y` on a record: its value or key to the terminal's clipboard through OSC 52, which
//! works over SSH and in tmux (`set-clipboard on`). The runtime writes the sequence.

use super::{App, Effect};
use crate::render::Safe;
use crate::schema::Part;

/// The most a copy carries: terminals cut longer OSC 52 sequences.
pub const MAX_COPY: usize = 1 << 20;

impl App {
    /// Copies the selected record's key or value; the status line says what happened.
    pub(super) fn copy(&mut self, part: Part) -> Vec<Effect> {
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        let Some(m) = pane.selected() else {
            return Vec::new();
        };
        let (name, bytes) = match part {
            Part::Key => ("key", m.key.clone()),
            Part::Value => ("value", m.value.clone()),
        };
        // Short: the status line of an 80-column terminal has room for about 30 characters.
        let (note, fx) = match bytes {
            None => (format!("null {name}: nothing copied"), None),
            Some(b) if b.len() > MAX_COPY => (
                format!("{name} not copied: {} bytes > 1 MiB", b.len()),
                None,
            ),
            Some(b) => (
                format!("copied the {name} ({} bytes)", b.len()),
                Some(Effect::Copy(b)),
            ),
        };
        pane.warning = Some(Safe::new(&note));
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
        let Some(pane) = self.messages.as_mut() else {
            return;
        };
        let Some(m) = pane.selected() else {
            return;
        };
        let Some(value) = m.value.clone() else {
            pane.warning = Some(Safe::new("null value: nothing to save"));
            return;
        };
        let topic: String = pane
            .topic
            .raw()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{topic}-{}-{}.bin", m.partition, m.offset);
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
