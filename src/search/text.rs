//! Plain-text search: a substring of the key, the value or a header value, smartcase.

use memchr::memmem::Finder;

use crate::kafka::Message;

/// A substring search over a record's raw key, value and header values.
#[derive(Debug)]
pub struct TextFilter {
    text: String,
    /// Exact when the text has an upper-case letter; else ASCII letters fold.
    case_sensitive: bool,
    finder: Finder<'static>,
}

impl TextFilter {
    /// A search for `text` (smartcase: case-insensitive unless it has an upper-case letter).
    pub fn new(text: &str) -> TextFilter {
        let case_sensitive = text.chars().any(char::is_uppercase);
        let needle = if case_sensitive {
            text.as_bytes().to_vec()
        } else {
            text.as_bytes().to_ascii_lowercase()
        };
        TextFilter {
            text: text.to_string(),
            case_sensitive,
            finder: Finder::new(&needle).into_owned(),
        }
    }

    /// The text searched for.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether letters must match in case.
    pub fn case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    /// True when the key, the value or a header value contains the text.
    pub fn matches(&self, m: &Message, scratch: &mut Vec<u8>) -> bool {
        let parts = [m.key.as_deref(), m.value.as_deref()]
            .into_iter()
            .chain(m.headers.iter().map(|h| h.value.as_deref()));
        for part in parts.flatten() {
            if self.found_in(part, scratch) {
                return true;
            }
        }
        false
    }

    fn found_in(&self, hay: &[u8], scratch: &mut Vec<u8>) -> bool {
        if self.case_sensitive {
            return self.finder.find(hay).is_some();
        }
        scratch.clear();
        scratch.extend(hay.iter().map(u8::to_ascii_lowercase));
        self.finder.find(scratch).is_some()
    }
}
