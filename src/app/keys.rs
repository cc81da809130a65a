//! Keys and mouse -> state changes, screen by screen.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use tui_input::backend::crossterm::EventHandler;

use crate::kafka::StartAt;

use super::{App, Effect, Prompt, PromptKind, Screen, geometry};

/// A movement in a list, however it was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    By(isize),
    PageDown,
    PageUp,
    First,
    Last,
}

fn movement(key: &KeyEvent) -> Option<Move> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('j') | KeyCode::Down if !ctrl => Move::By(1),
        KeyCode::Char('k') | KeyCode::Up if !ctrl => Move::By(-1),
        KeyCode::Char('d') if ctrl => Move::PageDown,
        KeyCode::Char('u') if ctrl => Move::PageUp,
        KeyCode::PageDown => Move::PageDown,
        KeyCode::PageUp => Move::PageUp,
        KeyCode::Char('g') | KeyCode::Home if !ctrl => Move::First,
        KeyCode::Char('G') | KeyCode::End if !ctrl => Move::Last,
        _ => return None,
    })
}

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return self.quit();
        }
        if self.prompt.is_some() {
            return self.prompt_key(key);
        }
        if self.topics.filter_input.is_some() {
            return self.filter_key(key);
        }
        if self.popup.take().is_some() {
            // Any key dismisses the popup; q still quits.
            return if key.code == KeyCode::Char('q') {
                self.quit()
            } else {
                vec![Effect::Redraw]
            };
        }
        match key.code {
            KeyCode::Char('q') => return self.quit(),
            KeyCode::Char('?') => {
                self.help = !self.help;
                return vec![Effect::Redraw];
            }
            KeyCode::Esc if self.help => {
                self.help = false;
                return vec![Effect::Redraw];
            }
            _ if self.help => return Vec::new(),
            _ => {}
        }
        let mut fx = match self.screen {
            Screen::Topics => self.topics_key(key),
            Screen::Partitions => self.partitions_key(key),
            Screen::Messages => self.messages_key(key),
            Screen::Detail => self.detail_key(key),
        };
        fx.push(Effect::Redraw);
        fx
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.quit = true;
        vec![Effect::Quit]
    }

    fn prompt_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let now = self.now();
        let known = self.known_watermarks();
        let Some(prompt) = self.prompt.as_mut() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => match prompt.parse(now) {
                // An offset outside the partition is refused here, keeping what is on screen.
                Ok(StartAt::Offset(n))
                    if let Some(w) = known.filter(|w| n < w.low || n > w.high) =>
                {
                    prompt.error = Some(format!(
                        "offset {n} is outside the partition: valid {}..={}",
                        w.low, w.high
                    ));
                }
                Ok(start) => {
                    self.prompt = None;
                    return self.jump(start);
                }
                Err(e) => prompt.error = Some(e),
            },
            _ => {
                prompt.input.handle_event(&Event::Key(key));
                prompt.error = None;
            }
        }
        vec![Effect::Redraw]
    }

    /// The watermarks of the partition a jump would read.
    fn known_watermarks(&self) -> Option<crate::kafka::Watermarks> {
        match (self.screen, &self.messages) {
            (Screen::Messages | Screen::Detail, Some(p)) => p.watermarks,
            _ => {
                let list = self.partitions.as_ref()?;
                let row = list.rows.get(list.cursor.selected)?;
                Some(crate::kafka::Watermarks {
                    low: row.low?,
                    high: row.high?,
                })
            }
        }
    }

    /// Jumps to `start` in the open partition, or opens the selected one there.
    fn jump(&mut self, start: StartAt) -> Vec<Effect> {
        match (self.screen, self.messages.as_mut()) {
            (Screen::Messages | Screen::Detail, Some(pane)) => {
                self.detail = None;
                self.screen = Screen::Messages;
                vec![pane.jump(start, false), Effect::Redraw]
            }
            _ => match self.partitions.as_ref().and_then(|p| p.selected_id()) {
                Some(id) => self.open_partition(id, start),
                None => Vec::new(),
            },
        }
    }

    fn filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(input) = self.topics.filter_input.as_mut() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                self.topics.filter_input = None;
                self.topics.filter.clear();
            }
            KeyCode::Enter => self.topics.filter_input = None,
            KeyCode::Down | KeyCode::Up => {
                let d = if key.code == KeyCode::Down { 1 } else { -1 };
                let (len, rows) = (self.topics.visible().len(), self.list_rows());
                self.topics.cursor.move_by(d, len, rows);
                return vec![Effect::Redraw];
            }
            _ => {
                input.handle_event(&Event::Key(key));
                self.topics.filter = input.value().to_string();
            }
        }
        let (len, rows) = (self.topics.visible().len(), self.list_rows());
        self.topics.cursor.select(0, len, rows);
        vec![Effect::Redraw]
    }

    fn move_list(cursor: &mut super::Cursor, m: Move, len: usize, rows: usize) {
        let page = rows.max(1) as isize;
        match m {
            Move::By(d) => cursor.move_by(d, len, rows),
            Move::PageDown => cursor.move_by(page, len, rows),
            Move::PageUp => cursor.move_by(-page, len, rows),
            Move::First => cursor.select(0, len, rows),
            Move::Last => cursor.select(len, len, rows),
        }
    }

    fn topics_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if let Some(m) = movement(&key) {
            let (len, rows) = (self.topics.visible().len(), self.list_rows());
            Self::move_list(&mut self.topics.cursor, m, len, rows);
            return Vec::new();
        }
        match key.code {
            KeyCode::Char('/') => {
                let input = tui_input::Input::new(self.topics.filter.clone());
                self.topics.filter_input = Some(input);
            }
            KeyCode::Esc => {
                self.topics.filter.clear();
                let (len, rows) = (self.topics.visible().len(), self.list_rows());
                self.topics.cursor.scroll_into_view(len, rows);
            }
            KeyCode::Enter => {
                if let Some(name) = self.topics.selected_name() {
                    return self.open_topic(name);
                }
            }
            KeyCode::Char('r') => return vec![Effect::LoadTopics],
            KeyCode::Char('c') if self.switch_cluster => return vec![Effect::SwitchCluster],
            _ => {}
        }
        Vec::new()
    }

    fn partitions_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let rows = self.list_rows();
        let Some(list) = self.partitions.as_mut() else {
            return Vec::new();
        };
        if let Some(m) = movement(&key) {
            Self::move_list(&mut list.cursor, m, list.rows.len(), rows);
            return Vec::new();
        }
        match key.code {
            KeyCode::Esc => {
                self.partitions = None;
                self.screen = Screen::Topics;
            }
            KeyCode::Enter => {
                if let Some(id) = list.selected_id() {
                    return self.open_partition(id, StartAt::Beginning);
                }
            }
            KeyCode::Char('o') if list.selected_id().is_some() => {
                self.prompt = Some(Prompt::new(PromptKind::Position))
            }
            KeyCode::Char('t') if list.selected_id().is_some() => {
                self.prompt = Some(Prompt::new(PromptKind::Time))
            }
            _ => {}
        }
        Vec::new()
    }

    fn messages_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let rows = self.list_rows();
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        let page = rows.max(1) as isize;
        let fx = match movement(&key) {
            Some(Move::By(d)) => pane.move_by(d, rows),
            Some(Move::PageDown) => pane.move_by(page, rows),
            Some(Move::PageUp) => pane.move_by(-page, rows),
            Some(Move::First) => Some(pane.jump(StartAt::Beginning, false)),
            Some(Move::Last) => Some(pane.jump(
                StartAt::FromEnd((pane.window.capacity() / 2).max(1) as i64),
                true,
            )),
            None => match key.code {
                KeyCode::Esc => return self.close_partition(),
                KeyCode::Enter => return self.open_detail(),
                KeyCode::Char('f') => Some(pane.toggle_follow(rows)),
                KeyCode::Char('o') => {
                    self.prompt = Some(Prompt::new(PromptKind::Position));
                    None
                }
                KeyCode::Char('t') => {
                    self.prompt = Some(Prompt::new(PromptKind::Time));
                    None
                }
                _ => None,
            },
        };
        fx.into_iter().collect()
    }

    fn detail_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let rows = geometry::detail_rows(self.size.1);
        if key.code == KeyCode::Esc {
            self.detail = None;
            self.screen = Screen::Messages;
            return Vec::new();
        }
        if matches!(key.code, KeyCode::Char('o') | KeyCode::Char('t')) {
            let kind = if key.code == KeyCode::Char('o') {
                PromptKind::Position
            } else {
                PromptKind::Time
            };
            self.prompt = Some(Prompt::new(kind));
            return Vec::new();
        }
        let Some(d) = self.detail.as_mut() else {
            return Vec::new();
        };
        let page = rows.max(1) as isize;
        match (movement(&key), key.code) {
            (Some(Move::By(n)), _) => d.scroll_by(n, rows),
            (Some(Move::PageDown), _) => d.scroll_by(page, rows),
            (Some(Move::PageUp), _) => d.scroll_by(-page, rows),
            (Some(Move::First), _) => d.scroll = 0,
            (Some(Move::Last), _) => d.scroll_by(isize::MAX, rows),
            (None, KeyCode::Char('x')) => {
                d.cycle_view();
                d.scroll_by(0, rows);
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        if self.help || self.prompt.is_some() || self.popup.is_some() {
            return Vec::new();
        }
        let rows = self.list_rows();
        let delta = match mouse.kind {
            MouseEventKind::ScrollDown => 3,
            MouseEventKind::ScrollUp => -3,
            MouseEventKind::Down(MouseButton::Left) => 0,
            _ => return Vec::new(),
        };
        let click = (delta == 0)
            .then(|| mouse.row.checked_sub(geometry::LIST_TOP))
            .flatten()
            .map(|r| r as usize)
            .filter(|&r| r < rows);
        if delta == 0 && click.is_none() {
            return Vec::new();
        }
        let mut fx = vec![Effect::Redraw];
        match self.screen {
            Screen::Topics => {
                let len = self.topics.visible().len();
                let c = &mut self.topics.cursor;
                match click {
                    Some(r) if c.top + r < len => c.select(c.top + r, len, rows),
                    Some(_) => {}
                    None => c.move_by(delta, len, rows),
                }
            }
            Screen::Partitions => {
                if let Some(list) = self.partitions.as_mut() {
                    let (len, c) = (list.rows.len(), &mut list.cursor);
                    match click {
                        Some(r) if c.top + r < len => c.select(c.top + r, len, rows),
                        Some(_) => {}
                        None => c.move_by(delta, len, rows),
                    }
                }
            }
            Screen::Messages => {
                if let Some(pane) = self.messages.as_mut() {
                    let e = match click {
                        Some(r) => pane.select(pane.cursor.top + r, rows),
                        None => pane.move_by(delta, rows),
                    };
                    fx.extend(e);
                }
            }
            Screen::Detail => {
                if let Some(d) = self.detail.as_mut() {
                    d.scroll_by(delta, geometry::detail_rows(self.size.1));
                }
            }
        }
        fx
    }
}
