//! The partitions screen's groups column: which groups read each partition, and their lag
//! (the partition's high watermark − the group's committed offset). The committed offsets are
//! reloaded every few seconds in one batched round off the UI thread; the watermarks are the
//! partition list's own.

use std::collections::BTreeMap;

use super::groups::GROUPS_REFRESH_MS;
use super::{App, Effect, Screen};
use crate::kafka::topic_groups::TopicCommits;
use crate::render::{Outside, Safe};

/// The committed offsets of the groups on the open topic.
#[derive(Debug, Clone, Default)]
pub struct TopicGroups {
    /// The topic they belong to.
    pub topic: String,
    /// (group, partition) → committed offset.
    pub committed: BTreeMap<(String, i32), i64>,
    /// True once an answer arrived.
    pub loaded: bool,
    /// A line about the column: why it is empty or partial (said once, not per refresh).
    pub note: Option<Safe>,
    /// The broker lacks an API the column needs: no more loads for this topic.
    pub stopped: bool,
    /// When the last load was asked for, or its answer came.
    loaded_at: Option<i64>,
    /// A load is under way.
    in_flight: bool,
}

impl TopicGroups {
    /// Each group's lag on `partition` whose high watermark is `high`, largest first.
    pub fn of_partition(&self, partition: i32, high: Option<i64>) -> Vec<(Outside, Option<i64>)> {
        let mut out: Vec<(Outside, Option<i64>)> = self
            .committed
            .iter()
            .filter(|((_, p), _)| *p == partition)
            .map(|((g, _), &c)| (Outside::new(g.clone()), high.map(|h| (h - c).max(0))))
            .collect();
        sort(&mut out);
        out
    }

    /// Each group's lag over the whole topic (`highs`: partition → high watermark), largest
    /// first.
    pub fn totals(&self, highs: &[(i32, Option<i64>)]) -> Vec<(Outside, Option<i64>)> {
        let mut by_group: BTreeMap<&str, Option<i64>> = BTreeMap::new();
        for ((g, p), &c) in &self.committed {
            let high = highs.iter().find(|(id, _)| id == p).and_then(|(_, h)| *h);
            let lag = high.map(|h| (h - c).max(0));
            let sum = by_group.entry(g).or_insert(Some(0));
            *sum = sum.zip(lag).map(|(a, b)| a + b);
        }
        let mut out: Vec<(Outside, Option<i64>)> = by_group
            .into_iter()
            .map(|(g, l)| (Outside::new(g), l))
            .collect();
        sort(&mut out);
        out
    }
}

fn sort(v: &mut [(Outside, Option<i64>)]) {
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.raw().cmp(b.0.raw())));
}

impl App {
    /// The groups' offsets load due now on the partitions screen (first time, or every few
    /// seconds), unless one is under way or the broker cannot answer.
    pub(super) fn topic_groups_tick(&mut self, now: i64) -> Option<Effect> {
        if self.screen != Screen::Partitions {
            return None;
        }
        let list = self.partitions.as_ref().filter(|p| p.loaded)?;
        let topic = list.topic.raw();
        if self.topic_groups.as_ref().is_none_or(|g| g.topic != topic) {
            self.topic_groups = Some(TopicGroups {
                topic: topic.to_string(),
                ..TopicGroups::default()
            });
        }
        let groups = self.topic_groups.as_mut()?;
        let due = groups
            .loaded_at
            .is_none_or(|t| now - t >= GROUPS_REFRESH_MS);
        if groups.stopped || groups.in_flight || !due {
            return None;
        }
        groups.loaded_at = Some(now);
        groups.in_flight = true;
        Some(Effect::LoadTopicGroups {
            topic: topic.to_string(),
            partitions: list.rows.iter().map(|r| r.id).collect(),
        })
    }

    /// The groups' committed offsets on a topic arrived, or failed to.
    pub(super) fn on_topic_groups(
        &mut self,
        topic: String,
        result: Result<TopicCommits, crate::kafka::Error>,
    ) -> Vec<Effect> {
        let now = self.now();
        let Some(groups) = self.topic_groups.as_mut().filter(|g| g.topic == topic) else {
            return Vec::new();
        };
        groups.in_flight = false;
        // The next refresh is counted from this answer: a slow cluster is not asked back to back.
        groups.loaded_at = Some(now);
        match result {
            Ok(c) => {
                groups.committed = c.committed;
                groups.loaded = true;
                groups.note = (!c.listed).then(|| {
                    Safe::new("no ListGroups on this broker: only the groups named with --group")
                });
            }
            Err(crate::kafka::Error::Unsupported {
                api: "ListGroups", ..
            }) => {
                groups.stopped = true;
                groups.note = Some(Safe::new(
                    "no ListGroups on this broker: name groups with --group to see their lag",
                ));
            }
            Err(e @ crate::kafka::Error::Unsupported { .. }) => {
                groups.stopped = true;
                groups.note = Some(Safe::new(&format!("no group lag: {e}")));
            }
            Err(e) => groups.note = Some(Safe::new(&format!("group lag failed: {e}"))),
        }
        vec![Effect::Redraw]
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use super::*;
    use crate::app::{Action, PartitionRow};

    pub(crate) fn partitions() -> Vec<PartitionRow> {
        (0..3)
            .map(|id| PartitionRow {
                id,
                leader: 1,
                replicas: vec![1],
                isr: vec![1],
                low: Some(0),
                high: Some(1_000 * i64::from(id + 1)),
            })
            .collect()
    }

    pub(crate) fn commits() -> TopicCommits {
        TopicCommits {
            committed: [
                (("orders-svc".to_string(), 0), 1_000),
                (("orders-svc".to_string(), 1), 500),
                (("orders-svc".to_string(), 2), 1_800),
                (("audit".to_string(), 0), 1_000),
                (("audit".to_string(), 1), 2_000),
                (("billing".to_string(), 2), 0),
            ]
            .into_iter()
            .collect(),
            listed: true,
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
        app.start(Some("orders".into()));
        (app, now)
    }

    fn loads(fx: &[Effect]) -> usize {
        fx.iter()
            .filter(|e| matches!(e, Effect::LoadTopicGroups { .. }))
            .count()
    }

    #[test]
    fn the_lag_loads_once_the_partitions_are_known_then_every_few_seconds_one_at_a_time() {
        let (mut app, now) = app();
        assert_eq!(loads(&app.update(Action::Tick)), 0, "partitions unknown");
        app.update(Action::PartitionsLoaded {
            topic: "orders".into(),
            result: Ok(partitions()),
        });
        assert!(app.update(Action::Tick).contains(&Effect::LoadTopicGroups {
            topic: "orders".into(),
            partitions: vec![0, 1, 2],
        }));
        now.fetch_add(GROUPS_REFRESH_MS, Ordering::Relaxed);
        assert_eq!(loads(&app.update(Action::Tick)), 0, "one under way");
        app.update(Action::TopicGroupsLoaded {
            topic: "orders".into(),
            result: Ok(commits()),
        });
        let g = app.topic_groups.as_ref().unwrap();
        let names = |v: Vec<(Outside, Option<i64>)>| -> Vec<(String, Option<i64>)> {
            v.into_iter()
                .map(|(g, l)| (g.raw().to_string(), l))
                .collect()
        };
        // Partition 1: high 2,000; audit is caught up, orders-svc 1,500 behind.
        assert_eq!(
            names(g.of_partition(1, Some(2_000))),
            [
                ("orders-svc".into(), Some(1_500)),
                ("audit".into(), Some(0))
            ]
        );
        assert_eq!(names(g.of_partition(1, None)).len(), 2);
        let highs: Vec<(i32, Option<i64>)> = partitions().iter().map(|r| (r.id, r.high)).collect();
        assert_eq!(
            names(g.totals(&highs)),
            [
                ("billing".into(), Some(3_000)),
                ("orders-svc".into(), Some(2_700)),
                ("audit".into(), Some(0)),
            ]
        );
        assert_eq!(loads(&app.update(Action::Tick)), 0, "not due yet");
        now.fetch_add(GROUPS_REFRESH_MS, Ordering::Relaxed);
        assert_eq!(loads(&app.update(Action::Tick)), 1);
        // Not on other screens.
        app.update(Action::TopicGroupsLoaded {
            topic: "orders".into(),
            result: Ok(commits()),
        });
        app.update(Action::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        )));
        now.fetch_add(GROUPS_REFRESH_MS, Ordering::Relaxed);
        assert_eq!(loads(&app.update(Action::Tick)), 0);
    }

    #[test]
    fn a_broker_without_list_groups_is_said_once_and_not_asked_again() {
        let (mut app, now) = app();
        app.update(Action::PartitionsLoaded {
            topic: "orders".into(),
            result: Ok(partitions()),
        });
        assert_eq!(loads(&app.update(Action::Tick)), 1);
        app.update(Action::TopicGroupsLoaded {
            topic: "orders".into(),
            result: Err(crate::kafka::Error::Unsupported {
                addr: "b:9092".into(),
                api: "ListGroups",
                broker: None,
                ours: (0, 5),
            }),
        });
        let note = |app: &App| {
            app.topic_groups
                .as_ref()
                .and_then(|g| g.note.as_ref())
                .map(|n| n.to_string())
        };
        assert_eq!(
            note(&app).as_deref(),
            Some("no ListGroups on this broker: name groups with --group to see their lag")
        );
        for _ in 0..3 {
            now.fetch_add(GROUPS_REFRESH_MS, Ordering::Relaxed);
            assert_eq!(loads(&app.update(Action::Tick)), 0);
        }
        assert!(app.popup.is_none() && app.warning.is_none());
    }

    #[test]
    fn a_failed_refresh_is_a_note_and_the_next_answer_clears_it() {
        let (mut app, now) = app();
        app.update(Action::PartitionsLoaded {
            topic: "orders".into(),
            result: Ok(partitions()),
        });
        app.update(Action::Tick);
        app.update(Action::TopicGroupsLoaded {
            topic: "orders".into(),
            result: Err(crate::kafka::Error::UnknownGroup { group: "g".into() }),
        });
        assert_eq!(
            app.topic_groups
                .as_ref()
                .and_then(|g| g.note.as_ref())
                .map(|n| n.to_string()),
            Some("group lag failed: unknown group 'g'".into())
        );
        now.fetch_add(GROUPS_REFRESH_MS, Ordering::Relaxed);
        assert_eq!(loads(&app.update(Action::Tick)), 1);
        app.update(Action::TopicGroupsLoaded {
            topic: "orders".into(),
            result: Ok(commits()),
        });
        assert!(app.topic_groups.as_ref().unwrap().note.is_none());
    }
}
