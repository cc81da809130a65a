use super::*;
use crate::kafka::{BatchInfo, Codec, TimestampType};

/// A record of partition `p` at `offset` with time `ts`.
pub(crate) fn rec(p: i32, offset: i64, ts: i64) -> Message {
    Message {
        partition: p,
        offset,
        timestamp: ts,
        timestamp_type: TimestampType::CreateTime,
        key: Some(bytes::Bytes::from(format!("{p}-{offset}"))),
        value: None,
        headers: Vec::new(),
        batch: BatchInfo {
            base_offset: offset,
            last_offset: offset,
            codec: Codec::None,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

/// A topic in memory: per partition its records (offset order) and watermarks.
pub(crate) struct Topic {
    pub(crate) parts: Vec<(Vec<Message>, Watermarks)>,
}

impl Topic {
    /// The events a reader would send for `start`: Started, records in batches of 3, CaughtUp.
    fn events(&self, p: i32, start: StartAt) -> Vec<ReaderEventKind> {
        let (records, w) = &self.parts[p as usize];
        let w = *w;
        let offset = match start {
            StartAt::Beginning => w.low,
            StartAt::End => w.high,
            StartAt::FromEnd(n) => (w.high - n).max(w.low),
            StartAt::Offset(n) | StartAt::Resume(n) => n.max(w.low),
            StartAt::Timestamp(t) => records
                .iter()
                .find(|m| m.timestamp >= t)
                .map_or(w.high, |m| m.offset),
        };
        let mut out = vec![ReaderEventKind::Started {
            offset,
            watermarks: w,
        }];
        let after: Vec<Message> = records
            .iter()
            .filter(|m| m.offset >= offset)
            .cloned()
            .collect();
        for batch in after.chunks(3) {
            out.push(ReaderEventKind::Messages(batch.to_vec()));
        }
        out.push(ReaderEventKind::CaughtUp {
            next: w.high,
            high: w.high,
        });
        out
    }

    /// Answers `req` as the runtime would: a filter view's readers pass only the records
    /// that match (as the filter stage does).
    pub(crate) fn serve(&self, req: &MergedRequest) -> MergedLoaded {
        let chunks = req
            .parts
            .iter()
            .map(|cr| {
                let mut c = ChunkCollector::new(req.direction, cr, req.count);
                let mut matcher = req.filter.as_ref().map(|q| q.matcher("t"));
                // A filter's backward chunk reaches back until it has its records (the
                // runtime doubles its range): here, at once from the log's start.
                let start = match (&matcher, req.direction) {
                    (Some(_), Direction::Backward) => StartAt::Beginning,
                    _ => cr.start,
                };
                for mut ev in self.events(cr.partition, start) {
                    if let (Some(m), ReaderEventKind::Messages(msgs)) = (matcher.as_mut(), &mut ev)
                    {
                        msgs.retain(|r| m.matches(r));
                    }
                    c.push(ev).unwrap();
                    if c.done() {
                        break;
                    }
                }
                c.finish()
            })
            .collect();
        MergedLoaded {
            generation: req.generation,
            direction: req.direction,
            result: Ok(chunks),
            decoded: Vec::new(),
        }
    }

    /// Every record in (timestamp, partition, offset) order.
    pub(crate) fn sorted(&self) -> Vec<(i32, i64)> {
        let mut all: Vec<&Message> = self.parts.iter().flat_map(|(r, _)| r).collect();
        all.sort_by_key(|m| (m.timestamp, m.partition, m.offset));
        all.iter().map(|m| (m.partition, m.offset)).collect()
    }
}

pub(crate) const ROWS: usize = 4;

/// Carries out the pane's loads until it asks for none.
pub(crate) fn drive(topic: &Topic, pane: &mut MergedPane, mut fx: Option<Effect>) {
    while let Some(Effect::LoadMerged(req)) = fx {
        fx = pane.loaded(topic.serve(&req), ROWS);
    }
}

pub(crate) fn at(pane: &MergedPane) -> (i32, i64) {
    let m = pane.selected().unwrap();
    (m.partition, m.offset)
}

/// Moves one row at a time until the selection stops moving; the records passed, in order,
/// starting with the one selected now.
pub(crate) fn walk(topic: &Topic, pane: &mut MergedPane, delta: isize) -> Vec<(i32, i64)> {
    let mut seen = vec![at(pane)];
    loop {
        let fx = pane.move_by(delta, ROWS);
        drive(topic, pane, fx);
        let now = at(pane);
        if Some(&now) == seen.last() {
            return seen;
        }
        seen.push(now);
        assert!(
            pane.rows.len() <= pane.capacity(),
            "the window stays bounded"
        );
        assert!(seen.len() < 1000, "the walk never ends: {seen:?}");
    }
}

/// Three partitions: ties across them, offsets left out by compaction in partition 1, a
/// partition 2 whose log starts at 5.
pub(crate) fn topic() -> Topic {
    let p0: Vec<Message> = (0..23).map(|o| rec(0, o, 100 + o * 3)).collect();
    let p1: Vec<Message> = (0..20).map(|i| rec(1, i * 2, 100 + i * 4)).collect();
    let p2: Vec<Message> = (5..30).map(|o| rec(2, o, 90 + o * 2)).collect();
    let w = |r: &[Message], low: i64| Watermarks {
        low,
        high: r.last().unwrap().offset + 1,
    };
    Topic {
        parts: vec![
            (p0.clone(), w(&p0, 0)),
            (p1.clone(), w(&p1, 0)),
            (p2.clone(), w(&p2, 5)),
        ],
    }
}

fn pane() -> MergedPane {
    MergedPane::new("t".into(), vec![0, 1, 2], 10, 0)
}

#[test]
fn paging_down_then_up_gives_the_exact_merged_order_across_every_edge() {
    let topic = topic();
    let want = topic.sorted();
    let mut p = pane();
    let fx = p.jump(MergedStart::Beginning);
    drive(&topic, &mut p, Some(fx));
    let down = walk(&topic, &mut p, 1);
    assert_eq!(down, want);
    let up = walk(&topic, &mut p, -1);
    let mut rev = want.clone();
    rev.reverse();
    assert_eq!(up, rev);
    // And down again, from the top the backward pages rebuilt.
    assert_eq!(walk(&topic, &mut p, 1), want);
}

#[test]
fn the_end_shows_each_partitions_last_records_merged_and_pages_back_to_the_beginning() {
    let topic = topic();
    let want = topic.sorted();
    let mut p = pane();
    let fx = p.jump(MergedStart::End);
    drive(&topic, &mut p, Some(fx));
    // The last record is selected, and the window holds the latest records in order.
    assert_eq!(at(&p), *want.last().unwrap());
    let held: Vec<(i32, i64)> = p.rows.iter().map(|m| (m.partition, m.offset)).collect();
    assert_eq!(held, want[want.len() - held.len()..]);
    let up = walk(&topic, &mut p, -1);
    let mut rev = want.clone();
    rev.reverse();
    assert_eq!(up, rev);
}

#[test]
fn a_jump_to_a_time_starts_every_partition_there_and_pages_both_ways() {
    let topic = topic();
    let want = topic.sorted();
    let mut p = pane();
    let fx = p.jump(MergedStart::Time(130));
    drive(&topic, &mut p, Some(fx));
    let first = want
        .iter()
        .position(|&(part, o)| {
            let ts = topic.parts[part as usize]
                .0
                .iter()
                .find(|m| m.offset == o)
                .unwrap()
                .timestamp;
            ts >= 130
        })
        .unwrap();
    assert_eq!(at(&p), want[first]);
    let mut up = walk(&topic, &mut p, -1);
    up.reverse();
    assert_eq!(up, want[..=first]);
    assert_eq!(walk(&topic, &mut p, 1), want);
}

#[test]
fn a_jump_past_every_partitions_last_record_shows_the_last_records_and_says_so() {
    let topic = topic();
    let want = topic.sorted();
    let mut p = pane();
    let fx = p.jump(MergedStart::Time(10_000));
    drive(&topic, &mut p, Some(fx));
    assert_eq!(at(&p), *want.last().unwrap());
    assert!(p.warning.is_some());
}

#[test]
fn records_with_times_out_of_order_in_a_partition_are_neither_repeated_nor_skipped() {
    // Times that jump back and forth within each partition.
    let mut parts = Vec::new();
    for p in 0..3 {
        let r: Vec<Message> = (0..17)
            .map(|o| rec(p, o, ((o * 7919 + p as i64 * 31) % 50) + 100))
            .collect();
        let w = Watermarks { low: 0, high: 17 };
        parts.push((r, w));
    }
    let topic = Topic { parts };
    let mut all = topic.sorted();
    all.sort();
    let mut p = pane();
    let fx = p.jump(MergedStart::Beginning);
    drive(&topic, &mut p, Some(fx));
    for delta in [1, -1, 1] {
        let mut seen = walk(&topic, &mut p, delta);
        seen.sort();
        assert_eq!(seen, all, "direction {delta}");
    }
}

#[test]
fn stale_answers_are_dropped_and_a_failure_is_said() {
    let topic = topic();
    let mut p = pane();
    let Effect::LoadMerged(old) = p.jump(MergedStart::Beginning) else {
        panic!("a load")
    };
    let Effect::LoadMerged(new) = p.jump(MergedStart::End) else {
        panic!("a load")
    };
    assert_eq!(p.loaded(topic.serve(&old), ROWS), None);
    assert!(p.rows.is_empty());
    let failed = MergedLoaded {
        generation: new.generation,
        direction: new.direction,
        result: Err(Error::UnknownTopic { topic: "t".into() }),
        decoded: Vec::new(),
    };
    assert_eq!(p.loaded(failed, ROWS), None);
    assert!(matches!(p.status, MergedStatus::Failed(_)));
    assert!(p.notice.is_some());
}

#[test]
fn a_backward_chunk_keeps_only_the_last_records_before_its_bound() {
    let topic = topic();
    let req = ChunkRequest {
        partition: 0,
        start: StartAt::Resume(2),
        below: Some(12),
    };
    let mut c = ChunkCollector::new(Direction::Backward, &req, 4);
    for ev in topic.events(0, req.start) {
        c.push(ev).unwrap();
        if c.done() {
            break;
        }
    }
    let chunk = c.finish();
    let offsets: Vec<i64> = chunk.records.iter().map(|m| m.offset).collect();
    assert_eq!(offsets, vec![8, 9, 10, 11]);
    assert!(!chunk.exhausted);
    // It stands for the records it kept: the next page reads the ones before them again.
    assert_eq!((chunk.start, chunk.end), (8, 12));
}

pub(crate) mod in_the_app {
    use super::*;
    use crate::app::{Action, App, PartitionRow, Screen, TopicRow};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    pub(crate) fn key(c: KeyCode) -> Action {
        Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    pub(crate) fn typed(app: &mut App, text: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        for c in text.chars() {
            fx = app.update(key(KeyCode::Char(c)));
        }
        fx
    }

    pub(crate) fn load_of(fx: &[Effect]) -> MergedRequest {
        fx.iter()
            .find_map(|e| match e {
                Effect::LoadMerged(r) => Some(r.clone()),
                _ => None,
            })
            .expect("a merged load")
    }

    /// The partitions screen of a 3-partition topic.
    pub(crate) fn app() -> App {
        let mut app = App::new("b:9092".into(), 10, Box::new(|| 1_000_000));
        app.update(Action::Resize(80, 24));
        app.start(None);
        app.update(Action::TopicsLoaded(Ok(vec![TopicRow {
            name: "t".into(),
            internal: false,
            partitions: 3,
            messages: None,
        }])));
        app.update(key(KeyCode::Enter));
        let rows = topic()
            .parts
            .iter()
            .enumerate()
            .map(|(id, (_, w))| PartitionRow {
                id: id as i32,
                leader: 1,
                replicas: vec![1],
                isr: vec![1],
                low: Some(w.low),
                high: Some(w.high),
            })
            .collect();
        app.update(Action::PartitionsLoaded {
            topic: "t".into(),
            result: Ok(rows),
        });
        app
    }

    #[test]
    fn the_all_row_and_a_open_the_merged_view_and_detail_comes_back_to_it() {
        let mut a = app();
        // Partition 0 is selected first; the "all partitions" row is above it.
        assert_eq!(a.partitions.as_ref().unwrap().selected_id(), Some(0));
        a.update(key(KeyCode::Char('k')));
        assert!(a.partitions.as_ref().unwrap().all_selected());
        let req = load_of(&a.update(key(KeyCode::Enter)));
        assert_eq!(a.screen, Screen::Merged);
        assert_eq!(req.direction, Direction::Forward);
        assert_eq!(
            req.parts
                .iter()
                .map(|p| (p.partition, p.start))
                .collect::<Vec<_>>(),
            vec![
                (0, StartAt::Beginning),
                (1, StartAt::Beginning),
                (2, StartAt::Beginning)
            ]
        );
        a.update(Action::MergedLoaded(topic().serve(&req)));
        let first = topic().sorted()[0];
        let m = a.merged.as_ref().unwrap().selected().unwrap().clone();
        assert_eq!((m.partition, m.offset), first);
        a.update(key(KeyCode::Enter));
        assert_eq!(a.screen, Screen::Detail);
        assert_eq!(a.detail.as_ref().unwrap().message.offset, first.1);
        a.update(key(KeyCode::Esc));
        assert_eq!(a.screen, Screen::Merged);
        a.update(key(KeyCode::Esc));
        assert_eq!(a.screen, Screen::Partitions);
        assert!(a.merged.is_none());
        // `a` from a partition's row opens it too.
        a.update(key(KeyCode::Char('j')));
        load_of(&a.update(key(KeyCode::Char('a'))));
        assert_eq!(a.screen, Screen::Merged);
    }

    #[test]
    fn jumps_in_the_merged_view_take_times_and_refuse_offsets() {
        let mut a = app();
        let req = load_of(&a.update(key(KeyCode::Char('a'))));
        a.update(Action::MergedLoaded(topic().serve(&req)));
        a.update(key(KeyCode::Char('o')));
        typed(&mut a, "5");
        a.update(key(KeyCode::Enter));
        let err = a.prompt.as_ref().unwrap().error.clone().unwrap();
        assert_eq!(
            err,
            "offsets are per partition: give @TIME here (e.g. @-15m, @12:00)"
        );
        a.update(key(KeyCode::Esc));
        a.update(key(KeyCode::Char('o')));
        typed(&mut a, "@1970-01-01T00:00:00.130Z");
        let req = load_of(&a.update(key(KeyCode::Enter)));
        assert!(req.parts.iter().all(|p| p.start == StartAt::Timestamp(130)));
        // G: the end of every partition, read backwards.
        let req = load_of(&a.update(key(KeyCode::Char('G'))));
        assert_eq!(req.direction, Direction::Backward);
        assert!(req.parts.iter().all(|p| p.start == StartAt::FromEnd(5)));
        a.update(Action::MergedLoaded(topic().serve(&req)));
        let last = *topic().sorted().last().unwrap();
        let m = a.merged.as_ref().unwrap().selected().unwrap().clone();
        assert_eq!((m.partition, m.offset), last);
    }
}
