//! The first connection, made with the terminal already taken: "connecting to host:port…" and
//! the time so far are on screen at once, not a blank screen for the whole timeout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyCode, KeyEventKind, KeyModifiers};
use futures::StreamExt as _;

use super::terminal::TerminalGuard;
use crate::kafka::{ClientConfig, Cluster};

/// How long a connection may take before the screen says it is under way: less than a
/// person notices, more than a refused or local connection takes.
const GRACE: Duration = Duration::from_millis(200);

/// How often the elapsed time is redrawn.
const REDRAW: Duration = Duration::from_millis(100);

/// Connects to `config`'s brokers while showing where to (`label`, as given) and for how long.
/// None when the user gave up (`q`, Esc, Ctrl-c); the connection's error otherwise, printed
/// once the terminal is restored.
pub async fn connect(config: ClientConfig, label: &str) -> anyhow::Result<Option<Arc<Cluster>>> {
    let started = Instant::now();
    let connecting = Cluster::connect(config);
    tokio::pin!(connecting);
    // A connection that is made or refused at once never takes the terminal: its error is
    // printed on the screen as it was, with no flash of the alternate screen.
    if let Ok(result) = tokio::time::timeout(GRACE, &mut connecting).await {
        return Ok(Some(result?));
    }
    let mut guard = TerminalGuard::enter()?;
    let mut events = EventStream::new();
    let mut redraw = tokio::time::interval(REDRAW);
    loop {
        tokio::select! {
            biased;
            result = &mut connecting => {
                drop(guard);
                return Ok(Some(result?));
            }
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    let ctrl_c = k.code == KeyCode::Char('c')
                        && k.modifiers.contains(KeyModifiers::CONTROL);
                    if ctrl_c || matches!(k.code, KeyCode::Char('q') | KeyCode::Esc) {
                        return Ok(None);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(None),
            },
            _ = redraw.tick() => {
                let ms = started.elapsed().as_millis();
                guard
                    .terminal
                    .draw(|f| crate::ui::connecting::draw(label, ms, f))?;
            }
        }
    }
}
