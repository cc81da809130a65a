//! Runs the cluster picker in the terminal until a profile is chosen or the user quits.

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt as _;

use super::terminal::TerminalGuard;
use crate::app::picker::{ClusterPicker, Picked};

/// Shows `entries` (profile name, brokers) and returns the chosen profile's name, or None
/// when the user quit.
pub async fn pick(entries: Vec<(String, String)>) -> anyhow::Result<Option<String>> {
    let mut guard = TerminalGuard::enter()?;
    let mut picker = ClusterPicker::new(entries);
    let mut events = EventStream::new();
    loop {
        guard
            .terminal
            .draw(|f| crate::ui::picker::draw(&picker, f))?;
        let Some(event) = events.next().await else {
            return Ok(None);
        };
        if let Event::Key(k) = event?
            && k.kind != KeyEventKind::Release
        {
            match picker.key(k) {
                Picked::Choosing => {}
                Picked::Cluster(name) => return Ok(Some(name)),
                Picked::Quit => return Ok(None),
            }
        }
    }
}
