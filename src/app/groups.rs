//! The Groups screen (Tab on the topics) and one group's partitions: committed offset, high
//! watermark, lag and member; Enter on a partition reads it from the committed offset.

use super::cursor::Cursor;
use super::keymap::Command;
use super::keys::Trigger;
use super::{App, Effect, Screen};
use crate::kafka::StartAt;
use crate::render::{Outside, Safe};

/// A group as the Groups screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The group id (shown only escaped).
    pub name: Outside,
    /// classic, consumer, share, streams.
    pub group_type: Outside,
    /// The group's state.
    pub state: Outside,
    /// Members; None when the type is not described.
    pub members: Option<usize>,
    /// Total lag; None when unknown.
    pub lag: Option<i64>,
}

/// One partition of the opened group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPartitionRow {
    /// The topic.
    pub topic: Outside,
    /// The partition.
    pub partition: i32,
    /// The committed offset, when there is one.
    pub committed: Option<i64>,
    /// The high watermark.
    pub high: Option<i64>,
    /// The lag (high − committed, or high − low without a commit).
    pub lag: Option<i64>,
    /// The member's client id and host, when assigned.
    pub member: Option<Outside>,
}

/// Every group, sortable by lag.
#[derive(Debug, Clone, Default)]
pub struct GroupList {
    /// The groups, by name or by lag.
    pub rows: Vec<GroupRow>,
    /// True once the first answer arrived.
    pub loaded: bool,
    /// Sorted by lag, largest first (else by name).
    pub by_lag: bool,
    /// Selection and scroll.
    pub cursor: Cursor,
    /// The group opened with Enter, and its rows.
    pub open: Option<GroupView>,
}

/// One group's partitions.
#[derive(Debug, Clone)]
pub struct GroupView {
    /// The group.
    pub group: Outside,
    /// One row per partition, by topic and partition.
    pub rows: Vec<GroupPartitionRow>,
    /// True once the first answer arrived.
    pub loaded: bool,
    /// Selection and scroll.
    pub cursor: Cursor,
}

impl GroupList {
    fn sort(&mut self) {
        if self.by_lag {
            self.rows.sort_by(|a, b| {
                b.lag
                    .cmp(&a.lag)
                    .then_with(|| a.name.raw().cmp(b.name.raw()))
            });
        } else {
            self.rows.sort_by(|a, b| a.name.raw().cmp(b.name.raw()));
        }
    }

    fn selected_name(&self) -> Option<String> {
        self.rows
            .get(self.cursor.selected)
            .map(|g| g.name.raw().to_string())
    }
}

/// How often the lag is reloaded while a groups screen is up, in milliseconds.
pub const GROUPS_REFRESH_MS: i64 = 5_000;

impl App {
    /// The group list arrived: the same group stays selected.
    pub(super) fn on_groups(
        &mut self,
        result: Result<Vec<GroupRow>, crate::kafka::Error>,
    ) -> Vec<Effect> {
        let rows_on_screen = self.list_rows();
        let list = &mut self.groups;
        match result {
            Ok(rows) => {
                let keep = list.selected_name();
                list.rows = rows;
                list.loaded = true;
                list.sort();
                let i = keep
                    .and_then(|k| list.rows.iter().position(|g| g.name == k))
                    .unwrap_or(0);
                let len = list.rows.len();
                list.cursor.select(i, len, rows_on_screen);
            }
            Err(e) if !list.loaded => {
                self.popup = Some(Safe::new(&format!("cannot list groups: {e}")))
            }
            Err(e) => self.warning = Some(Safe::new(&format!("group refresh failed: {e}"))),
        }
        vec![Effect::Redraw]
    }

    /// One group's rows arrived.
    pub(super) fn on_group(
        &mut self,
        group: String,
        result: Result<Vec<GroupPartitionRow>, crate::kafka::Error>,
    ) -> Vec<Effect> {
        let rows_on_screen = self.list_rows();
        let Some(view) = self.groups.open.as_mut().filter(|v| v.group == group) else {
            return Vec::new();
        };
        match result {
            Ok(rows) => {
                view.rows = rows;
                view.loaded = true;
                let len = view.rows.len();
                view.cursor.scroll_into_view(len, rows_on_screen);
            }
            Err(e) if !view.loaded => {
                self.popup = Some(Safe::display(&e));
                self.groups.open = None;
                self.screen = Screen::Groups;
            }
            Err(e) => self.warning = Some(Safe::new(&format!("group refresh failed: {e}"))),
        }
        vec![Effect::Redraw]
    }

    /// Tab on the topics: the groups, loaded afresh.
    pub(super) fn show_groups(&mut self) -> Vec<Effect> {
        self.screen = Screen::Groups;
        self.groups_loaded_at = Some(self.now());
        vec![Effect::LoadGroups]
    }

    /// The reload due on a tick while a groups screen is up.
    pub(super) fn groups_tick(&mut self, now: i64) -> Option<Effect> {
        let due = self
            .groups_loaded_at
            .is_none_or(|t| now - t >= GROUPS_REFRESH_MS);
        let effect = match self.screen {
            Screen::Groups if due => Effect::LoadGroups,
            Screen::Group if due => Effect::LoadGroup {
                group: self.groups.open.as_ref()?.group.raw().to_string(),
            },
            _ => return None,
        };
        self.groups_loaded_at = Some(now);
        Some(effect)
    }

    pub(super) fn groups_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        let rows = self.list_rows();
        let clicked = self.clicked_row(trigger);
        let list = &mut self.groups;
        let len = list.rows.len();
        match command {
            Command::Move(m) => Self::move_list(&mut list.cursor, m, len, rows),
            Command::Select => {
                if let Some(r) = clicked.map(|r| list.cursor.top + r).filter(|&i| i < len) {
                    list.cursor.select(r, len, rows);
                }
            }
            Command::SortByLag => {
                let keep = list.selected_name();
                list.by_lag = !list.by_lag;
                list.sort();
                let i = keep
                    .and_then(|k| list.rows.iter().position(|g| g.name == k))
                    .unwrap_or(0);
                list.cursor.select(i, len, rows);
            }
            Command::Groups | Command::Back => self.screen = Screen::Topics,
            Command::Refresh => return self.show_groups(),
            Command::Open => {
                if let Some(group) = list.selected_name() {
                    list.open = Some(GroupView {
                        group: Outside::new(group.clone()),
                        rows: Vec::new(),
                        loaded: false,
                        cursor: Cursor::default(),
                    });
                    self.screen = Screen::Group;
                    self.groups_loaded_at = Some(self.now());
                    return vec![Effect::LoadGroup { group }];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn group_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        let rows = self.list_rows();
        let clicked = self.clicked_row(trigger);
        let Some(view) = self.groups.open.as_mut() else {
            return Vec::new();
        };
        let len = view.rows.len();
        match command {
            Command::Move(m) => Self::move_list(&mut view.cursor, m, len, rows),
            Command::Select => {
                if let Some(r) = clicked.map(|r| view.cursor.top + r).filter(|&i| i < len) {
                    view.cursor.select(r, len, rows);
                }
            }
            Command::Back => {
                self.groups.open = None;
                self.screen = Screen::Groups;
            }
            Command::Refresh => {
                let group = view.group.raw().to_string();
                self.groups_loaded_at = Some(self.now());
                return vec![Effect::LoadGroup { group }];
            }
            Command::Open => {
                let Some(row) = view.rows.get(view.cursor.selected).cloned() else {
                    return Vec::new();
                };
                // Where the group is stuck: the first record it has not processed.
                let start = row.committed.map_or(StartAt::Beginning, StartAt::Offset);
                let topic = row.topic.raw().to_string();
                let group = view.group.clone();
                let mut fx = self.open_topic(topic);
                fx.extend(self.open_partition(row.partition, start));
                if let (Some(pane), Some(c)) = (self.messages.as_mut(), row.committed) {
                    pane.committed = Some((group, c));
                }
                return fx;
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::Action;

    fn key(c: KeyCode) -> Action {
        Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    pub(crate) fn group(name: &str, lag: Option<i64>) -> GroupRow {
        GroupRow {
            name: name.into(),
            group_type: "classic".into(),
            state: "Stable".into(),
            members: Some(1),
            lag,
        }
    }

    pub(crate) fn part(partition: i32, committed: Option<i64>, lag: i64) -> GroupPartitionRow {
        GroupPartitionRow {
            topic: "orders".into(),
            partition,
            committed,
            high: Some(100),
            lag: Some(lag),
            member: Some("rdkafka /127.0.0.1".into()),
        }
    }

    fn app() -> (App, Arc<AtomicI64>) {
        let now = Arc::new(AtomicI64::new(1_000_000));
        let clock = now.clone();
        let mut app = App::new(
            "b:9092".into(),
            1000,
            Box::new(move || clock.load(Ordering::Relaxed)),
        );
        app.update(Action::Resize(120, 24));
        (app, now)
    }

    #[test]
    fn tab_shows_the_groups_sorted_by_lag_on_s_and_enter_reads_where_a_group_is_stuck() {
        let (mut app, now) = app();
        assert_eq!(
            app.update(key(KeyCode::Tab)),
            vec![Effect::LoadGroups, Effect::Redraw]
        );
        assert_eq!(app.screen, Screen::Groups);
        app.update(Action::GroupsLoaded(Ok(vec![
            group("b", Some(5)),
            group("a", Some(0)),
            group("c", None),
        ])));
        let names = |app: &App| -> Vec<String> {
            app.groups
                .rows
                .iter()
                .map(|g| g.name.raw().to_string())
                .collect()
        };
        assert_eq!(names(&app), ["a", "b", "c"]);
        app.update(key(KeyCode::Char('j')));
        app.update(key(KeyCode::Char('s')));
        assert_eq!(names(&app), ["b", "a", "c"]);
        // The same group stays selected.
        assert_eq!(app.groups.selected_name().as_deref(), Some("b"));
        // The lag reloads every few seconds while the screen is up.
        now.fetch_add(GROUPS_REFRESH_MS, Ordering::Relaxed);
        assert!(app.update(Action::Tick).contains(&Effect::LoadGroups));
        assert_eq!(
            app.update(key(KeyCode::Enter)),
            vec![Effect::LoadGroup { group: "b".into() }, Effect::Redraw]
        );
        assert_eq!(app.screen, Screen::Group);
        app.update(Action::GroupLoaded {
            group: "b".into(),
            result: Ok(vec![part(0, Some(40), 60), part(1, None, 100)]),
        });
        let fx = app.update(key(KeyCode::Enter));
        assert_eq!(app.screen, Screen::Messages);
        assert!(fx.contains(&Effect::LoadPartitions {
            topic: "orders".into()
        }));
        assert!(
            fx.iter().any(|e| matches!(e, Effect::StartReader { topic, partition: 0, start: StartAt::Offset(40), .. } if topic == "orders")),
            "{fx:?}"
        );
        // Nothing committed: from the beginning.
        app.update(key(KeyCode::Esc));
        app.update(key(KeyCode::Esc));
        app.update(key(KeyCode::Tab));
        app.update(key(KeyCode::Enter));
        app.update(Action::GroupLoaded {
            group: "b".into(),
            result: Ok(vec![part(0, Some(40), 60), part(1, None, 100)]),
        });
        app.update(key(KeyCode::Char('j')));
        let fx = app.update(key(KeyCode::Enter));
        assert!(
            fx.iter().any(|e| matches!(
                e,
                Effect::StartReader {
                    partition: 1,
                    start: StartAt::Beginning,
                    ..
                }
            )),
            "{fx:?}"
        );
    }

    #[test]
    fn esc_goes_back_and_a_failed_first_load_is_a_popup() {
        let (mut app, _) = app();
        app.update(key(KeyCode::Tab));
        app.update(Action::GroupsLoaded(Ok(vec![group("g1", Some(3))])));
        app.update(key(KeyCode::Enter));
        app.update(Action::GroupLoaded {
            group: "g1".into(),
            result: Err(crate::kafka::Error::UnknownGroup { group: "g1".into() }),
        });
        assert_eq!(app.screen, Screen::Groups);
        assert_eq!(
            app.popup.as_ref().map(|p| p.to_string()),
            Some("unknown group 'g1'".into())
        );
        app.update(key(KeyCode::Enter)); // dismisses the popup
        app.update(key(KeyCode::Esc));
        assert_eq!(app.screen, Screen::Topics);
        app.update(key(KeyCode::Tab));
        assert_eq!(app.screen, Screen::Groups);
        app.update(key(KeyCode::Tab));
        assert_eq!(app.screen, Screen::Topics);
    }
}
