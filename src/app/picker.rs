//! The cluster picker: the profiles of the profiles file, one to choose before connecting.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The profiles on offer and the one under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterPicker {
    /// Each profile's name and its brokers as written.
    pub entries: Vec<(String, String)>,
    /// The selected entry.
    pub selected: usize,
}

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// Still choosing.
    Choosing,
    /// This profile was chosen.
    Cluster(String),
    /// The user left without choosing.
    Quit,
}

/// The picker's keys and what they do, for its hint line.
pub const KEYS: &[(&str, &str)] = &[("↑↓ j k", "move"), ("Enter", "connect"), ("q", "quit")];

impl ClusterPicker {
    /// A picker over `entries`, the first selected.
    pub fn new(entries: Vec<(String, String)>) -> ClusterPicker {
        ClusterPicker {
            entries,
            selected: 0,
        }
    }

    /// Handles one key.
    pub fn key(&mut self, key: KeyEvent) -> Picked {
        let last = self.entries.len().saturating_sub(1);
        match key.code {
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Picked::Quit,
            KeyCode::Char('q') | KeyCode::Esc => Picked::Quit,
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(last);
                Picked::Choosing
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                Picked::Choosing
            }
            KeyCode::Home | KeyCode::Char('g') => {
                self.selected = 0;
                Picked::Choosing
            }
            KeyCode::End | KeyCode::Char('G') => {
                self.selected = last;
                Picked::Choosing
            }
            KeyCode::Enter => match self.entries.get(self.selected) {
                Some((name, _)) => Picked::Cluster(name.clone()),
                None => Picked::Quit,
            },
            _ => Picked::Choosing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(p: &mut ClusterPicker, code: KeyCode) -> Picked {
        p.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn moves_chooses_and_quits() {
        let mut p = ClusterPicker::new(vec![
            ("dev".into(), "localhost:9092".into()),
            ("prod".into(), "b1:9093".into()),
            ("staging".into(), "s1:9093".into()),
        ]);
        assert_eq!(press(&mut p, KeyCode::Up), Picked::Choosing);
        assert_eq!(p.selected, 0);
        press(&mut p, KeyCode::Char('j'));
        press(&mut p, KeyCode::Down);
        press(&mut p, KeyCode::Down);
        assert_eq!(p.selected, 2);
        press(&mut p, KeyCode::Char('k'));
        assert_eq!(
            press(&mut p, KeyCode::Enter),
            Picked::Cluster("prod".into())
        );
        press(&mut p, KeyCode::Char('g'));
        assert_eq!(press(&mut p, KeyCode::Enter), Picked::Cluster("dev".into()));
        assert_eq!(press(&mut p, KeyCode::Char('q')), Picked::Quit);
        assert_eq!(press(&mut p, KeyCode::Esc), Picked::Quit);
        assert_eq!(
            p.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Picked::Quit
        );
        assert_eq!(
            press(&mut ClusterPicker::new(vec![]), KeyCode::Enter),
            Picked::Quit
        );
    }
}
