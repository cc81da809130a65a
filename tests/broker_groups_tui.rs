//! The browser's configs view (`c`) and the partitions screen's groups column against the real
//! Kafka 4 broker: configs set with Kafka's own ConfigCommand, offsets committed by librdkafka
//! consumers and by ConsumerGroupCommand, loaded as the TUI loads them and drawn as it draws
//! them; the lag is compared with ConsumerGroupCommand --describe on the same cluster.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kbrowse::app::{Action, App};
use kbrowse::kafka::{ClientConfig, Cluster, Isolation};
use kbrowse::tui::loads;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rdkafka::ClientConfig as RdConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use support::faults::broker_script;
use support::*;

const CGC: &str = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn render(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| kbrowse::ui::draw(app, f)).unwrap();
    format!("{}", t.backend())
}

/// The screen's rows as their words, without the borders.
fn rows(screen: &str) -> Vec<Vec<String>> {
    screen
        .lines()
        .map(|l| {
            l.trim_matches('"')
                .replace(['│', '┌', '┐', '└', '┘'], " ")
                .split_whitespace()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// The partitions screen of `topic`, loaded as the TUI loads it.
fn partitions_app(rt: &tokio::runtime::Runtime, cluster: &Arc<Cluster>, topic: &str) -> App {
    let mut app = App::new("real".into(), 1000, Box::new(|| 1_714_564_900_000));
    app.update(Action::Resize(160, 45));
    app.start(Some(topic.to_string()));
    let result = rt.block_on(loads::partitions(
        cluster.clone(),
        topic.to_string(),
        Isolation::ReadUncommitted,
    ));
    assert!(result.is_ok(), "{result:?}");
    app.update(Action::PartitionsLoaded {
        topic: topic.to_string(),
        result,
    });
    app
}

#[test]
fn the_configs_view_shows_configs_set_with_the_admin_api_and_marks_them() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("tui-configs");
    create_topic(&addr, &topic, 1, &[("retention.ms", "-1")]);
    let (ok, out) = broker_script(&[
        "tool",
        "org.apache.kafka.tools.ConfigCommand",
        "--bootstrap-server",
        &addr,
        "--alter",
        "--entity-type",
        "topics",
        "--entity-name",
        &topic,
        "--add-config",
        "cleanup.policy=compact,max.message.bytes=2000000",
    ]);
    assert!(ok, "ConfigCommand: {out}");
    let rt = runtime();
    let cluster = rt
        .block_on(Cluster::connect(ClientConfig::new(&addr)))
        .unwrap();
    let mut app = partitions_app(&rt, &cluster, &topic);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::NONE,
    )));
    let result = rt.block_on(loads::configs(cluster.clone(), &topic));
    assert!(result.is_ok(), "{result:?}");
    app.update(Action::ConfigsLoaded {
        topic: topic.clone(),
        result,
    });
    let screen = render(&app);
    let row = |name: &str| -> Vec<String> {
        rows(&screen)
            .into_iter()
            .find(|r| r.iter().any(|w| w == name))
            .unwrap_or_else(|| panic!("{name} missing:\n{screen}"))
    };
    assert_eq!(
        row("cleanup.policy"),
        ["*", "cleanup.policy", "compact", "dynamic", "topic"]
    );
    assert_eq!(
        row("max.message.bytes"),
        ["*", "max.message.bytes", "2000000", "dynamic", "topic"]
    );
    assert_eq!(
        row("retention.ms"),
        ["*", "retention.ms", "-1", "dynamic", "topic"]
    );
    // Set in the test broker's server.properties: marked, with its source.
    assert_eq!(
        row("segment.bytes"),
        ["*", "segment.bytes", "1048576", "static", "broker"]
    );
    // Left as Kafka's default: not marked.
    assert_eq!(
        row("message.timestamp.type"),
        ["message.timestamp.type", "CreateTime", "default"]
    );
    // The title counts every config and the marked ones; three were set on the topic.
    let view = app.configs.as_ref().unwrap();
    let marked = view.rows.iter().filter(|r| r.changed).count();
    assert!(
        screen.contains(&format!(
            " {topic} configs · {} · {marked} set (*) ",
            view.rows.len()
        )),
        "{screen}"
    );
    assert_eq!(
        view.rows
            .iter()
            .filter(|r| r.changed)
            .map(|r| r.source.as_str())
            .filter(|s| *s == "dynamic topic")
            .count(),
        3
    );
    // An unknown topic: one line in the view.
    app.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::NONE,
    )));
    let gone = rt.block_on(loads::configs(cluster.clone(), "no-such-topic-tui"));
    app.update(Action::ConfigsLoaded {
        topic: topic.clone(),
        result: gone,
    });
    let screen = render(&app);
    assert!(
        screen.contains("│cannot read the configs: unknown topic 'no-such-topic-tui'"),
        "{screen}"
    );
}

/// ConsumerGroupCommand --describe's lag by partition of `topic`.
fn kafka_lag(addr: &str, group: &str, topic: &str) -> Vec<(i32, i64)> {
    let (ok, out) = broker_script(&[
        "tool",
        CGC,
        "--bootstrap-server",
        addr,
        "--describe",
        "--group",
        group,
    ]);
    assert!(ok, "describe: {out}");
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.len() == 9 && f[0] == group && f[1] == topic)
        .map(|f| (f[2].parse().unwrap(), f[5].parse().unwrap()))
        .collect()
}

#[test]
fn the_groups_column_shows_each_groups_lag_per_partition_as_kafka_computes_it() {
    let Some(addr) = real_broker() else { return };
    let topic = unique("tui-lag");
    create_topic(&addr, &topic, 3, &[]);
    // 10 records per partition, written by librdkafka.
    let records: Vec<TestRecord> = (0..30)
        .map(|i| TestRecord::kv(i % 3, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&addr, &topic, "none", &records);
    // Group a: partition 0 read fully, partition 1 up to 4; group b: partition 2 not at all
    // (committed 0) — both committed by librdkafka consumers.
    let (a, b) = (unique("a"), unique("b"));
    for (group, offsets) in [(&a, vec![(0, 10), (1, 4)]), (&b, vec![(2, 0)])] {
        let consumer: BaseConsumer = RdConfig::new()
            .set("bootstrap.servers", &addr)
            .set("group.id", group.as_str())
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        for (p, o) in offsets {
            tpl.add_partition_offset(&topic, p, Offset::Offset(o))
                .unwrap();
        }
        consumer.commit(&tpl, CommitMode::Sync).unwrap();
    }
    assert_eq!(kafka_lag(&addr, &a, &topic), [(0, 0), (1, 6)]);
    assert_eq!(kafka_lag(&addr, &b, &topic), [(2, 10)]);

    let rt = runtime();
    let cluster = rt
        .block_on(Cluster::connect(ClientConfig::new(&addr)))
        .unwrap();
    let mut app = partitions_app(&rt, &cluster, &topic);
    let fx = app.update(Action::Tick);
    assert!(
        fx.contains(&kbrowse::app::Effect::LoadTopicGroups {
            topic: topic.clone(),
            partitions: vec![0, 1, 2],
        }),
        "{fx:?}"
    );
    // One round for every group on the cluster; nothing named with --group.
    let result = rt.block_on(loads::topic_groups(
        cluster.clone(),
        &topic,
        &[0, 1, 2],
        &[],
    ));
    let commits = result.as_ref().unwrap();
    assert!(commits.listed);
    assert_eq!(
        commits.committed,
        [
            ((a.clone(), 0), 10),
            ((a.clone(), 1), 4),
            ((b.clone(), 2), 0)
        ]
        .into_iter()
        .collect()
    );
    app.update(Action::TopicGroupsLoaded {
        topic: topic.clone(),
        result,
    });
    let screen = render(&app);
    let rows = rows(&screen);
    let row = |first: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r.first().map(String::as_str) == Some(first))
            .unwrap_or_else(|| panic!("row {first} missing:\n{screen}"))
            .clone()
    };
    // Partition, leader, replicas, ISR, low, high, messages, then the groups and their lag.
    let groups = |r: Vec<String>, skip: usize| r[skip..].join(" ");
    assert_eq!(groups(row("0"), 7), format!("{a} 0"));
    assert_eq!(groups(row("1"), 7), format!("{a} 6"));
    assert_eq!(groups(row("2"), 7), format!("{b} 10"));
    // The topic's row: each group's lag summed, largest first.
    assert_eq!(groups(row("all"), 2), format!("{b} 10, {a} 6"));
}
