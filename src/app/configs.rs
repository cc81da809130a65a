//! All of a topic's configs (`c` on the partitions screen): name, value and source, with the
//! values that are not Kafka's defaults marked. Loaded off the UI thread (DescribeConfigs).

use super::cursor::Cursor;
use super::keymap::Command;
use super::{App, Effect};
use crate::render::{Outside, Safe};

/// One config as the configs view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRow {
    /// The config's name.
    pub name: Outside,
    /// Its value; None when the broker gives none.
    pub value: Option<Outside>,
    /// Where the value comes from: `default`, `dynamic topic`, `static broker`, …
    pub source: String,
    /// A password or key: the broker never sends its value.
    pub sensitive: bool,
    /// Set somewhere (on the topic, or on the brokers), not Kafka's built-in default.
    pub changed: bool,
}

impl ConfigRow {
    /// A row from DescribeConfigs' entry.
    pub fn of(entry: crate::kafka::configs::ConfigEntry) -> ConfigRow {
        ConfigRow {
            name: entry.name.into(),
            value: entry.value.map(Outside::new),
            changed: entry.source != crate::kafka::configs::ConfigSource::Default,
            source: entry.source.name(),
            sensitive: entry.sensitive,
        }
    }
}

/// The configs view over the partitions screen.
#[derive(Debug, Clone)]
pub struct ConfigsView {
    /// The topic whose configs these are.
    pub topic: Outside,
    /// Every config, by name.
    pub rows: Vec<ConfigRow>,
    /// True once the answer arrived (or failed).
    pub loaded: bool,
    /// Why they could not be read (one line).
    pub error: Option<Safe>,
    /// Selection and scroll.
    pub cursor: Cursor,
}

impl ConfigsView {
    /// How many configs are not defaults.
    pub fn changed(&self) -> usize {
        self.rows.iter().filter(|r| r.changed).count()
    }
}

impl App {
    /// `c` on the partitions screen: the topic's configs, loaded afresh.
    pub(super) fn show_configs(&mut self) -> Vec<Effect> {
        let Some(topic) = self.partitions.as_ref().map(|p| p.topic.raw().to_string()) else {
            return Vec::new();
        };
        self.configs = Some(ConfigsView {
            topic: Outside::new(topic.clone()),
            rows: Vec::new(),
            loaded: false,
            error: None,
            cursor: Cursor::default(),
        });
        vec![Effect::LoadConfigs { topic }]
    }

    /// A topic's configs arrived, or failed to.
    pub(super) fn on_configs(
        &mut self,
        topic: String,
        result: Result<Vec<ConfigRow>, crate::kafka::Error>,
    ) -> Vec<Effect> {
        let rows_on_screen = self.list_rows();
        let Some(view) = self.configs.as_mut().filter(|v| v.topic == topic) else {
            return Vec::new();
        };
        view.loaded = true;
        match result {
            Ok(rows) => {
                view.rows = rows;
                view.error = None;
                let len = view.rows.len();
                view.cursor.scroll_into_view(len, rows_on_screen);
            }
            Err(e) => view.error = Some(Safe::new(&format!("cannot read the configs: {e}"))),
        }
        vec![Effect::Redraw]
    }

    pub(super) fn configs_command(&mut self, command: Command) -> Vec<Effect> {
        let rows = self.list_rows();
        let Some(view) = self.configs.as_mut() else {
            return Vec::new();
        };
        let len = view.rows.len();
        match command {
            Command::Move(m) => Self::move_list(&mut view.cursor, m, len, rows),
            Command::Back => self.configs = None,
            Command::Refresh | Command::ShowConfigs => return self.show_configs(),
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::{Action, PartitionRow, Screen};
    use crate::kafka::configs::{ConfigEntry, ConfigSource};

    fn key(c: KeyCode) -> Action {
        Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn entry(name: &str, value: Option<&str>, source: ConfigSource) -> ConfigRow {
        ConfigRow::of(ConfigEntry {
            name: name.into(),
            value: value.map(str::to_string),
            source,
            sensitive: false,
            read_only: false,
        })
    }

    pub(crate) fn rows() -> Vec<ConfigRow> {
        let mut secret = entry("sasl.jaas.config", None, ConfigSource::StaticBroker);
        secret.sensitive = true;
        let mut rows: Vec<ConfigRow> = (0..30)
            .map(|i| {
                entry(
                    &format!("a.config.{i:02}"),
                    Some("x"),
                    ConfigSource::Default,
                )
            })
            .collect();
        rows.extend([
            entry(
                "cleanup.policy",
                Some("compact"),
                ConfigSource::DynamicTopic,
            ),
            entry("retention.ms", Some("-1"), ConfigSource::DynamicTopic),
            entry("segment.bytes", Some("1073741824"), ConfigSource::Default),
            entry("min.insync.replicas", Some("1"), ConfigSource::StaticBroker),
            secret,
        ]);
        rows
    }

    pub(crate) fn app_on_partitions() -> App {
        let mut app = App::new("b:9092".into(), 1000, Box::new(|| 1_000_000));
        app.update(Action::Resize(120, 24));
        app.start(Some("orders".into()));
        app.update(Action::PartitionsLoaded {
            topic: "orders".into(),
            result: Ok(vec![PartitionRow {
                id: 0,
                leader: 1,
                replicas: vec![1],
                isr: vec![1],
                low: Some(0),
                high: Some(10),
            }]),
        });
        app
    }

    #[test]
    fn c_loads_the_configs_j_scrolls_esc_goes_back_and_an_error_is_one_line() {
        let mut app = app_on_partitions();
        assert_eq!(
            app.update(key(KeyCode::Char('c'))),
            vec![
                Effect::LoadConfigs {
                    topic: "orders".into()
                },
                Effect::Redraw
            ]
        );
        assert_eq!(app.screen_table().name, "Configs");
        // Another topic's late answer is not this one's.
        app.update(Action::ConfigsLoaded {
            topic: "other".into(),
            result: Ok(rows()),
        });
        assert!(!app.configs.as_ref().is_some_and(|v| v.loaded));
        app.update(Action::ConfigsLoaded {
            topic: "orders".into(),
            result: Ok(rows()),
        });
        let view = app.configs.as_ref().unwrap();
        assert_eq!(view.rows.len(), 35);
        assert_eq!(view.changed(), 4, "topic, static broker and the secret");
        app.update(key(KeyCode::Char('G')));
        let view = app.configs.as_ref().unwrap();
        assert_eq!(view.cursor.selected, 34);
        assert_eq!(view.cursor.top, 35 - app.list_rows());
        app.update(key(KeyCode::Esc));
        assert!(app.configs.is_none());
        assert_eq!(app.screen, Screen::Partitions);
        assert_eq!(app.screen_table().name, "Partitions");
        app.update(key(KeyCode::Char('c')));
        app.update(Action::ConfigsLoaded {
            topic: "orders".into(),
            result: Err(crate::kafka::Error::AuthorizationFailed {
                what: "topic 'orders'".into(),
                principal: Some("User:bob".into()),
                api: "DescribeConfigs",
            }),
        });
        let view = app.configs.as_ref().unwrap();
        assert_eq!(
            view.error.as_ref().map(|e| e.to_string()),
            Some(
                "cannot read the configs: not authorized: DescribeConfigs on topic 'orders' \
                 for principal 'User:bob'"
                    .into()
            )
        );
        assert!(app.popup.is_none());
        // The view goes with its topic: a topic opened anew starts on its partitions.
        app.start(Some("payments".into()));
        assert!(app.configs.is_none());
        assert_eq!(app.screen_table().name, "Partitions");
    }
}
