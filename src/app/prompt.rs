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
}

impl Prompt {
    /// An empty prompt.
    pub fn new(kind: PromptKind) -> Prompt {
        Prompt {
            kind,
            input: Input::default(),
            error: None,
        }
    }

    /// The title shown above the input.
    pub fn title(&self) -> &'static str {
        match self.kind {
            PromptKind::Position => "Jump to offset",
            PromptKind::Time => "Jump to time",
        }
    }

    /// The hint shown under the input.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            PromptKind::Position => {
                "N: offset · -N: N before the end · @TIME: e.g. @-15m, @2024-05-01 12:00"
            }
            PromptKind::Time => "RFC3339, YYYY-MM-DD HH:MM[:SS] (local), or -15m, -2h, -1d",
        }
    }

    /// The typed position, or why it does not parse.
    pub fn parse(&self, now_ms: i64) -> Result<StartAt, String> {
        let text = self.input.value().trim();
        match self.kind {
            PromptKind::Position => parse_position(text, now_ms),
            PromptKind::Time => {
                let t = text.strip_prefix('@').unwrap_or(text);
                parse_position(&format!("@{t}"), now_ms)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
