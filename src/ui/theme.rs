//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

/// The title bar.
pub fn title_bar() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}

/// The app's name in the title bar.
pub fn brand() -> Style {
    title_bar().add_modifier(Modifier::BOLD)
}

/// Block borders.
pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Block titles.
pub fn block_title() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// Column headers.
pub fn header() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

/// The selected row.
pub fn selected() -> Style {
    Style::new()
        .bg(Color::Blue)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

/// Less important text: internal topics, null keys, hints.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The marker of an absent (null) key or value, and of an empty one: not data, so it
/// looks unlike data.
pub fn null() -> Style {
    Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC)
}

/// Offsets.
pub fn offset() -> Style {
    Style::new().fg(Color::Magenta)
}

/// Timestamps.
pub fn time() -> Style {
    Style::new().fg(Color::Green)
}

/// Keys of records.
pub fn key() -> Style {
    Style::new().fg(Color::Cyan)
}

/// Labels in the detail view.
pub fn label() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

/// The status line.
pub fn status() -> Style {
    Style::new().fg(Color::White).bg(Color::DarkGray)
}

/// A healthy reader state.
pub fn good() -> Style {
    status().fg(Color::LightGreen).add_modifier(Modifier::BOLD)
}

/// A reader that is working.
pub fn busy() -> Style {
    status().fg(Color::LightYellow).add_modifier(Modifier::BOLD)
}

/// A reader in trouble.
pub fn bad() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}

/// Keys in the help and hints.
pub fn hotkey() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// Error popups.
pub fn error() -> Style {
    Style::new().fg(Color::LightRed)
}

/// Keys in pretty JSON.
pub fn json_key() -> Style {
    Style::new().fg(Color::Cyan)
}

/// String values in pretty JSON.
pub fn json_string() -> Style {
    Style::new().fg(Color::Green)
}

/// Numbers in pretty JSON.
pub fn json_number() -> Style {
    Style::new().fg(Color::Magenta)
}

/// `true`, `false` and `null` in pretty JSON.
pub fn json_literal() -> Style {
    Style::new().fg(Color::Yellow)
}

/// A config set somewhere (not Kafka's default) in the configs view.
pub fn changed() -> Style {
    Style::new().fg(Color::Yellow)
}

/// The record at a group's committed offset: where the group is stuck.
pub fn committed() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow)
}
