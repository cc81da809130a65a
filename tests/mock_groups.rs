//! Consumer groups on librdkafka's mock cluster, which answers OffsetCommit, OffsetFetch
//! (v0–v6) and FindCoordinator (v0–v3) but not ListGroups or DescribeGroups: the TUI's loads
//! fall back to the groups named with `--group`, and say so when none are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use kbrowse::kafka::{ClientConfig, Cluster, Error};
use kbrowse::tui::loads;
use rdkafka::ClientConfig as RdConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use support::pty::Tui;
use support::*;

fn commit(addr: &str, group: &str, offsets: &[(&str, i32, i64)]) {
    let consumer: BaseConsumer = RdConfig::new()
        .set("bootstrap.servers", addr)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for &(t, p, o) in offsets {
        tpl.add_partition_offset(t, p, Offset::Offset(o)).unwrap();
    }
    consumer.commit(&tpl, CommitMode::Sync).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_groups_show_their_lag_where_the_broker_cannot_list_groups() {
    let mock = Mock::new(3);
    mock.topic("orders", 3);
    mock.topic("other", 1);
    let records: Vec<TestRecord> = (0..30)
        .map(|i| TestRecord::kv(i % 3, &format!("k{i}"), &format!("v{i}")))
        .collect();
    let addr = mock.addr.clone();
    tokio::task::block_in_place(|| {
        produce(&addr, "orders", "none", &records);
        produce(&addr, "other", "none", &[TestRecord::kv(0, "k", "v")]);
        commit(&addr, "svc", &[("orders", 0, 10), ("orders", 1, 4)]);
        commit(&addr, "audit", &[("orders", 2, 0), ("other", 0, 1)]);
    });
    let cluster = Cluster::connect(ClientConfig::new(&addr)).await.unwrap();

    // Nothing named: the column's load says the broker cannot list groups.
    let err = loads::topic_groups(cluster.clone(), "orders", &[0, 1, 2], &[])
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Unsupported {
                api: "ListGroups",
                ..
            }
        ),
        "{err}"
    );

    // Named: their offsets on the topic, said to be from named groups only.
    let known = vec!["svc".to_string(), "audit".to_string(), "idle".to_string()];
    let commits = loads::topic_groups(cluster.clone(), "orders", &[0, 1, 2], &known)
        .await
        .unwrap();
    assert!(!commits.listed);
    {
        use kbrowse::app::{Action, App, PartitionRow};
        let mut app = App::new("m".into(), 100, Box::new(|| 1_000_000));
        app.update(Action::Resize(160, 45));
        app.start(Some("orders".into()));
        app.update(Action::PartitionsLoaded {
            topic: "orders".into(),
            result: Ok((0..3)
                .map(|id| PartitionRow {
                    id,
                    leader: 1,
                    replicas: vec![1],
                    isr: vec![1],
                    low: Some(0),
                    high: Some(10),
                })
                .collect()),
        });
        app.update(Action::Tick);
        app.update(Action::TopicGroupsLoaded {
            topic: "orders".into(),
            result: Ok(commits.clone()),
        });
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45)).unwrap();
        t.draw(|f| kbrowse::ui::draw(&app, f)).unwrap();
        let screen = format!("{}", t.backend());
        // The column shows the named groups' lag; the status line says they are all it shows.
        assert!(
            screen.contains("│        1       1  1         1      0    10        10  svc 6 "),
            "{screen}"
        );
        assert!(
            screen.lines().last().unwrap().starts_with(
                "\" 3 partitions │ 30 records │ no ListGroups on this broker: only the groups named with --group "
            ),
            "{screen}"
        );
    }
    assert_eq!(
        commits.committed,
        [
            (("audit".to_string(), 2), 0),
            (("svc".to_string(), 0), 10),
            (("svc".to_string(), 1), 4)
        ]
        .into_iter()
        .collect()
    );

    // The Groups screen: every named group with its lag over all topics.
    let rows = loads::groups(cluster.clone(), &known).await.unwrap();
    let got: Vec<(String, String, Option<i64>)> = rows
        .iter()
        .map(|r| (r.name.to_string(), r.state.to_string(), r.lag))
        .collect();
    assert_eq!(
        got,
        [
            ("svc".into(), "no ListGroups".into(), Some(6)),
            ("audit".into(), "no ListGroups".into(), Some(10)),
            ("idle".into(), "no ListGroups".into(), None),
        ]
    );

    // One group: its partitions from the committed offsets, without members.
    let rows = loads::group(cluster.clone(), "audit".into(), &known)
        .await
        .unwrap();
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {:?} {:?}",
                r.topic, r.partition, r.committed, r.high, r.lag
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "orders 2 Some(0) Some(10) Some(10)",
            "other 0 Some(1) Some(1) Some(0)"
        ]
    );
    let err = loads::group(cluster.clone(), "idle".into(), &known)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "unknown group 'idle'");
}

/// The real binary: `--group` names the groups; the column shows their lag, `c` says in one
/// line that the configs cannot be read, and from the Groups screen Enter on a partition marks
/// the record at the committed offset.
#[test]
fn the_binary_shows_named_groups_lag_the_configs_error_and_the_committed_record() {
    let mock = Mock::new(3);
    mock.topic("orders", 3);
    let records: Vec<TestRecord> = (0..30)
        .map(|i| TestRecord::kv(i % 3, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&mock.addr, "orders", "none", &records);
    commit(&mock.addr, "svc", &[("orders", 0, 10), ("orders", 1, 4)]);
    let mut screen = Tui::spawn(
        &[
            "-b", &mock.addr, "--group", "svc", "--group", "idle", "orders",
        ],
        30,
        120,
    );
    screen.wait_for("the groups column", |t| {
        t.contains("Groups (lag)")
            && t.contains("      all                                          30  svc 6")
            && t.contains("        1       2  2         2      0    10        10  svc 6")
    });
    screen.keys("c");
    screen.wait_for("the configs error", |t| {
        t.contains("cannot read the configs: broker ")
            && t.contains("does not offer DescribeConfigs")
    });
    screen.keys("\x1b");
    screen.wait_for("the partitions again", |t| t.contains("Groups (lag)"));
    screen.keys("\x1b");
    screen.wait_for("the topics", |t| t.contains("Topics ("));
    screen.keys("\t");
    screen.wait_for("the named groups", |t| {
        t.contains("idle") && t.contains("svc") && t.contains("no ListGroups")
    });
    // svc is second by name; its partition 1 (committed 4) is its second row.
    screen.keys("j");
    screen.keys("\r");
    screen.wait_for("svc's partitions", |t| t.contains("Group svc"));
    screen.keys("j");
    screen.keys("\r");
    screen.wait_for("the marked record", |t| {
        t.contains("▶ 4") && t.contains("▶ group svc committed offset 4: the next record to read")
    });
    screen.keys("q");
    assert!(screen.wait_exit().success());
}
