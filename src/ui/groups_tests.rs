//! Snapshots of the configs view, the partitions screen's groups column and the record marked
//! at a group's committed offset, at 160x45 and 80x24.

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::configs::ConfigRow;
use crate::app::{Action, App, Effect, GroupPartitionRow, GroupRow, PartitionRow, TimeZone};
use crate::kafka::configs::{ConfigEntry, ConfigSource};
use crate::kafka::topic_groups::TopicCommits;
use crate::kafka::{
    BatchInfo, Codec, Message, ReaderEvent, ReaderEventKind, TimestampType, Watermarks,
};

const SIZES: [(u16, u16); 2] = [(160, 45), (80, 24)];

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn render(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| super::draw(app, f)).unwrap();
    format!("{}", t.backend())
}

fn partitions_app(w: u16, h: u16) -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        1000,
        Box::new(|| 1_714_564_900_000),
    );
    app.time_zone = TimeZone::Utc;
    app.update(Action::Resize(w, h));
    app.start(Some("orders".into()));
    let rows = (0..6)
        .map(|id| PartitionRow {
            id,
            leader: id % 3 + 1,
            replicas: vec![id % 3 + 1],
            isr: vec![id % 3 + 1],
            low: Some(0),
            high: Some(2_000),
        })
        .collect();
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Ok(rows),
    });
    app
}

fn commits() -> TopicCommits {
    let mut committed = std::collections::BTreeMap::new();
    for (p, c) in [
        (0, 2_000),
        (1, 2_000),
        (2, 1_850),
        (3, 1_500),
        (4, 800),
        (5, 2_000),
    ] {
        committed.insert(("orders-svc".to_string(), p), c);
        committed.insert(("audit".to_string(), p), 2_000);
    }
    committed.insert(("billing".to_string(), 0), 250);
    // A hostile name: escaped, never drawn raw.
    committed.insert(("evil\x1b[31m".to_string(), 3), 1_999);
    TopicCommits {
        committed,
        listed: true,
    }
}

fn with_groups(w: u16, h: u16) -> App {
    let mut app = partitions_app(w, h);
    assert!(
        app.update(Action::Tick)
            .iter()
            .any(|e| matches!(e, Effect::LoadTopicGroups { .. }))
    );
    app.update(Action::TopicGroupsLoaded {
        topic: "orders".into(),
        result: Ok(commits()),
    });
    app
}

#[test]
fn partitions_with_the_groups_column() {
    for (w, h) in SIZES {
        let screen = render(&with_groups(w, h));
        assert!(!screen.contains('\x1b'), "{screen}");
        insta::assert_snapshot!(format!("partitions_groups_{w}x{h}"), screen);
    }
}

#[test]
fn partitions_groups_column_says_once_the_broker_cannot_list_groups() {
    let mut app = partitions_app(80, 24);
    app.update(Action::Tick);
    app.update(Action::TopicGroupsLoaded {
        topic: "orders".into(),
        result: Err(crate::kafka::Error::Unsupported {
            addr: "localhost:9092".into(),
            api: "ListGroups",
            broker: None,
            ours: (0, 5),
        }),
    });
    insta::assert_snapshot!(render(&app));
}

fn entry(name: &str, value: Option<&str>, source: ConfigSource, sensitive: bool) -> ConfigRow {
    ConfigRow::of(ConfigEntry {
        name: name.into(),
        value: value.map(str::to_string),
        source,
        sensitive,
        read_only: false,
    })
}

fn config_rows() -> Vec<ConfigRow> {
    use ConfigSource::*;
    vec![
        entry(
            "cleanup.policy",
            Some("compact,delete"),
            DynamicTopic,
            false,
        ),
        entry("compression.type", Some("producer"), Default, false),
        entry("delete.retention.ms", Some("86400000"), Default, false),
        entry("max.message.bytes", Some("1048588"), StaticBroker, false),
        entry("message.timestamp.type", Some("CreateTime"), Default, false),
        entry(
            "min.insync.replicas",
            Some("2"),
            DynamicDefaultBroker,
            false,
        ),
        entry("retention.bytes", Some("-1"), Default, false),
        entry("retention.ms", Some("-1"), DynamicTopic, false),
        entry("sasl.jaas.config", None, StaticBroker, true),
        entry(
            "segment.index.bytes\x07",
            Some(
                "10485760 and a very long value that does not fit in the narrow screen's value column at all",
            ),
            Default,
            false,
        ),
    ]
}

#[test]
fn configs_view() {
    for (w, h) in SIZES {
        let mut app = partitions_app(w, h);
        app.update(key(KeyCode::Char('c')));
        assert_eq!(app.screen_table().name, "Configs");
        app.update(Action::ConfigsLoaded {
            topic: "orders".into(),
            result: Ok(config_rows()),
        });
        app.update(key(KeyCode::Char('j')));
        let screen = render(&app);
        assert!(!screen.contains('\x07'), "{screen}");
        insta::assert_snapshot!(format!("configs_{w}x{h}"), screen);
    }
}

#[test]
fn configs_view_error_is_one_line() {
    let mut app = partitions_app(80, 24);
    app.update(key(KeyCode::Char('c')));
    app.update(Action::ConfigsLoaded {
        topic: "orders".into(),
        result: Err(crate::kafka::Error::AuthorizationFailed {
            what: "topic 'orders'".into(),
            principal: Some("User:bob".into()),
            api: "DescribeConfigs",
        }),
    });
    insta::assert_snapshot!(render(&app));
}

fn record(offset: i64) -> Message {
    let value = format!(r#"{{"order_id":{},"status":"paid"}}"#, 100_000 + offset);
    Message {
        partition: 4,
        offset,
        timestamp: 1_714_564_800_000 + offset * 1_250,
        timestamp_type: TimestampType::CreateTime,
        key: Some(Bytes::from(format!("order-{offset}"))),
        value: Some(Bytes::from(value)),
        headers: Vec::new(),
        batch: BatchInfo {
            base_offset: offset,
            last_offset: offset,
            codec: Codec::Lz4,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

/// From the groups screen to a group's partition 4, committed at `committed`; the reader
/// then delivers `records` (high watermark 2,000).
fn marked_app(w: u16, h: u16, committed: i64, records: std::ops::Range<i64>) -> App {
    let mut app = App::new(
        "localhost:9092".into(),
        1000,
        Box::new(|| 1_714_564_900_000),
    );
    app.time_zone = TimeZone::Utc;
    app.update(Action::Resize(w, h));
    app.start(None);
    app.update(key(KeyCode::Tab));
    app.update(Action::GroupsLoaded(Ok(vec![GroupRow {
        name: "orders-svc".into(),
        group_type: "classic".into(),
        state: "Stable".into(),
        members: Some(1),
        lag: Some(2_000 - committed),
    }])));
    app.update(key(KeyCode::Enter));
    app.update(Action::GroupLoaded {
        group: "orders-svc".into(),
        result: Ok(vec![GroupPartitionRow {
            topic: "orders".into(),
            partition: 4,
            committed: Some(committed),
            high: Some(2_000),
            lag: Some(2_000 - committed),
            member: None,
        }]),
    });
    let fx = app.update(key(KeyCode::Enter));
    let generation = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    let ev = |kind| ReaderEvent {
        generation,
        partition: 4,
        kind,
    };
    app.update(Action::Reader(vec![
        ev(ReaderEventKind::Started {
            offset: committed,
            watermarks: Watermarks {
                low: 0,
                high: 2_000,
            },
        }),
        ev(ReaderEventKind::Messages(records.map(record).collect())),
        ev(ReaderEventKind::CaughtUp {
            next: 2_000,
            high: 2_000,
        }),
    ]));
    app
}

#[test]
fn messages_mark_the_record_at_the_committed_offset() {
    for (w, h) in SIZES {
        let mut app = marked_app(w, h, 800, 800..830);
        // Off the marked row, which keeps its own style and marker.
        app.update(key(KeyCode::Char('j')));
        let screen = render(&app);
        assert!(screen.contains("▶ 800"), "{screen}");
        insta::assert_snapshot!(format!("committed_marked_{w}x{h}"), screen);
    }
}

#[test]
fn messages_say_when_the_group_has_nothing_left_to_read() {
    let app = marked_app(160, 45, 2_000, 0..0);
    let screen = render(&app);
    assert!(
        screen.contains("committed offset 2,000 = the high watermark: nothing left to read"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn partitions_say_the_groups_are_only_the_named_ones() {
    let mut app = partitions_app(160, 45);
    app.update(Action::Tick);
    let mut c = commits();
    c.listed = false;
    app.update(Action::TopicGroupsLoaded {
        topic: "orders".into(),
        result: Ok(c),
    });
    let screen = render(&app);
    let status = screen.lines().last().unwrap();
    assert!(
        status.contains(
            "6 partitions │ 12,000 records │ no ListGroups on this broker: only the groups named with --group"
        ),
        "{status}"
    );
}
