//! The seed's MultiIter in time order: a k-way merge of several partition readers' records by
//! timestamp (ties by partition, then offset; each partition keeps its offset order).
//!
//! [`TimeMerge`] is the pure part: readers' events go in, merged events come out. It holds a
//! record back while some partition might still deliver an earlier one:
//! - exact (`-e`): until every partition has a record queued or has finished;
//! - following: until every partition has a record queued, has finished, or is caught up
//!   (its reader reached the end of the log and nothing came since). A partition that is
//!   neither (a slow or unreachable leader) holds the others back for the bounded wait at
//!   most, then counts as caught up.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{Message, ReaderEvent, ReaderEventKind};

/// A record's place in the merged order: timestamp, partition, offset.
type Key = (i64, i32, i64);

/// Records one merged `Messages` event carries at most.
const GROUP: usize = 512;

/// Records queued per partition before the merge stops taking more from its reader.
pub const QUEUE_LIMIT: usize = 2048;

struct Part {
    partition: i32,
    queue: VecDeque<Message>,
    /// The reader ended (`Finished`); its event is passed on once the queue is empty.
    finished: Option<ReaderEvent>,
    /// The end was passed on.
    ended: bool,
    /// The reader said it delivered everything readable, and nothing came since.
    caught_up: bool,
    /// When the reader last sent anything.
    heard: Instant,
}

/// A k-way merge of partition readers by record timestamp.
pub struct TimeMerge {
    parts: Vec<Part>,
    /// None: exact (wait for every partition); Some: following, with this bounded wait.
    wait: Option<Duration>,
    /// Latest first: each partition's records come newest first, and the latest head goes out
    /// first (reading backwards, for the TUI's merged view paging up).
    reverse: bool,
}

impl TimeMerge {
    /// A merge over `partitions`; `wait` None is exact (for `-e`), Some bounds how long a
    /// silent partition may hold the others back.
    pub fn new(partitions: &[i32], wait: Option<Duration>, now: Instant) -> TimeMerge {
        TimeMerge {
            parts: partitions
                .iter()
                .map(|&partition| Part {
                    partition,
                    queue: VecDeque::new(),
                    finished: None,
                    ended: false,
                    caught_up: false,
                    heard: now,
                })
                .collect(),
            wait,
            reverse: false,
        }
    }

    /// An exact merge in reverse: each partition's records are pushed newest first, and the
    /// record with the latest (timestamp, partition, offset) goes out first.
    pub fn backward(partitions: &[i32], now: Instant) -> TimeMerge {
        TimeMerge {
            reverse: true,
            ..TimeMerge::new(partitions, None, now)
        }
    }

    /// Whether the merge takes more from partition `p`'s reader now (its queue is not full).
    pub fn wants(&self, p: i32) -> bool {
        self.parts
            .iter()
            .find(|x| x.partition == p)
            .is_some_and(|x| !x.ended && x.finished.is_none() && x.queue.len() < QUEUE_LIMIT)
    }

    /// Takes a reader's event. Events that are not records or ends (errors, reconnects,
    /// skipped ranges) are returned to be passed on at once.
    pub fn push(&mut self, ev: ReaderEvent, now: Instant) -> Option<ReaderEvent> {
        let Some(part) = self.parts.iter_mut().find(|x| x.partition == ev.partition) else {
            return Some(ev);
        };
        part.heard = now;
        match ev.kind {
            ReaderEventKind::Messages(msgs) => {
                part.caught_up = false;
                part.queue.extend(msgs);
                None
            }
            ReaderEventKind::CaughtUp { .. } => {
                part.caught_up = true;
                Some(ev)
            }
            ReaderEventKind::Finished { .. } => {
                part.finished = Some(ev);
                None
            }
            _ => Some(ev),
        }
    }

    /// Whether partition `i`, with nothing queued, may still deliver a record earlier than
    /// the ones queued elsewhere.
    fn holds_back(&self, i: usize, now: Instant) -> bool {
        let p = &self.parts[i];
        if !p.queue.is_empty() || p.finished.is_some() || p.ended {
            return false;
        }
        match self.wait {
            None => true,
            Some(wait) => !p.caught_up && now.duration_since(p.heard) < wait,
        }
    }

    /// Moves every record that is ready, in merged order, into `out` (grouped into `Messages`
    /// events by partition), then the `Finished` events of partitions that are done.
    pub fn pop_ready(&mut self, now: Instant, out: &mut Vec<ReaderEvent>) {
        loop {
            if (0..self.parts.len()).any(|i| self.holds_back(i, now)) {
                break;
            }
            let Some((i, bound)) = self.earliest() else {
                break;
            };
            // The run of partition `i` that comes before every other partition's head goes
            // out at once: while it lasts, no queue empties and no other head changes.
            let reverse = self.reverse;
            let part = &mut self.parts[i];
            let partition = part.partition;
            while let Some(m) = part.queue.front() {
                let key = (m.timestamp, partition, m.offset);
                let first = bound.is_none_or(|b| if reverse { key > b } else { key < b });
                if !first {
                    break;
                }
                let Some(m) = part.queue.pop_front() else {
                    break;
                };
                match out.last_mut() {
                    Some(ReaderEvent {
                        partition: last,
                        kind: ReaderEventKind::Messages(group),
                        ..
                    }) if *last == partition && group.len() < GROUP => group.push(m),
                    _ => out.push(ReaderEvent {
                        generation: 0,
                        partition,
                        kind: ReaderEventKind::Messages(vec![m]),
                    }),
                }
            }
        }
        for part in &mut self.parts {
            if part.queue.is_empty()
                && let Some(ev) = part.finished.take()
            {
                out.push(ev);
                part.ended = true;
                part.queue = VecDeque::new();
            }
        }
    }

    /// The partition whose first queued record comes first (by timestamp, then partition,
    /// then offset; the last of them, in reverse), and the key of the best head among the
    /// other partitions.
    fn earliest(&self) -> Option<(usize, Option<Key>)> {
        let mut best: Option<(Key, usize)> = None;
        let mut second: Option<Key> = None;
        let before = |a: Key, b: Key| {
            if self.reverse { a > b } else { a < b }
        };
        for (i, p) in self.parts.iter().enumerate() {
            let Some(m) = p.queue.front() else { continue };
            let key = (m.timestamp, p.partition, m.offset);
            match best {
                Some((b, _)) if !before(key, b) => {
                    if second.is_none_or(|s| before(key, s)) {
                        second = Some(key);
                    }
                }
                _ => {
                    second = best.map(|(b, _)| b);
                    best = Some((key, i));
                }
            }
        }
        best.map(|(_, i)| (i, second))
    }

    /// When a partition that holds the others back stops doing so (its bounded wait ends);
    /// None when nothing waits on time.
    pub fn deadline(&self, now: Instant) -> Option<Instant> {
        let wait = self.wait?;
        let any_queued = self.parts.iter().any(|p| !p.queue.is_empty());
        if !any_queued {
            return None;
        }
        (0..self.parts.len())
            .filter(|&i| self.holds_back(i, now))
            .map(|i| self.parts[i].heard + wait)
            .min()
    }

    /// Records queued in all.
    pub fn queued(&self) -> usize {
        self.parts.iter().map(|p| p.queue.len()).sum()
    }
}

/// Runs `merge` in a task (`consume --merge time`, the merged view's search): one sender per
/// partition (in `partitions` order) for the readers; merged events go to `out`. A
/// partition's reader waits while its queue in the merge is full, so memory stays bounded
/// however far apart the partitions' times are. The task ends when `out` closes or every
/// sender is gone.
pub fn spawn(
    merge: TimeMerge,
    partitions: &[i32],
    capacity: usize,
    out: mpsc::Sender<ReaderEvent>,
) -> Vec<mpsc::Sender<ReaderEvent>> {
    let mut senders = Vec::with_capacity(partitions.len());
    let mut inputs = Vec::with_capacity(partitions.len());
    for &p in partitions {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        senders.push(tx);
        inputs.push((p, rx));
    }
    tokio::spawn(pump(inputs, merge, out));
    senders
}

async fn pump(
    mut inputs: Vec<(i32, mpsc::Receiver<ReaderEvent>)>,
    mut merge: TimeMerge,
    out: mpsc::Sender<ReaderEvent>,
) {
    use std::task::Poll;
    let mut ready = Vec::new();
    let mut open = vec![true; inputs.len()];
    let mut turn = 0usize;
    loop {
        let now = std::time::Instant::now();
        merge.pop_ready(now, &mut ready);
        for ev in ready.drain(..) {
            if out.send(ev).await.is_err() {
                return;
            }
        }
        let deadline = merge.deadline(now);
        turn = turn.wrapping_add(1);
        let n = inputs.len();
        // The next event of a reader whose queue has room, taking turns for fairness.
        let next = std::future::poll_fn(|cx| {
            for k in 0..n {
                let i = (turn + k) % n;
                let (p, rx) = &mut inputs[i];
                if !open[i] || !merge.wants(*p) {
                    continue;
                }
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(ev)) => return Poll::Ready(Some(ev)),
                    Poll::Ready(None) => open[i] = false,
                    Poll::Pending => {}
                }
            }
            if open.iter().any(|o| *o) {
                Poll::Pending
            } else {
                Poll::Ready(None)
            }
        });
        let got = match deadline {
            Some(at) => tokio::select! {
                ev = next => Some(ev),
                _ = tokio::time::sleep_until(at.into()) => None,
            },
            None => Some(next.await),
        };
        match got {
            // The bounded wait of a silent partition ended: pop again.
            None => {}
            Some(Some(ev)) => {
                if let Some(pass) = merge.push(ev, std::time::Instant::now())
                    && out.send(pass).await.is_err()
                {
                    return;
                }
            }
            // Every reader is gone: what is queued can no longer be ordered against them.
            Some(None) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::records::{BatchInfo, Codec, TimestampType};

    fn msg(partition: i32, offset: i64, timestamp: i64) -> Message {
        Message {
            partition,
            offset,
            timestamp,
            timestamp_type: TimestampType::CreateTime,
            key: None,
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

    fn msgs(partition: i32, list: &[(i64, i64)]) -> ReaderEvent {
        ReaderEvent {
            generation: 0,
            partition,
            kind: ReaderEventKind::Messages(
                list.iter().map(|&(o, t)| msg(partition, o, t)).collect(),
            ),
        }
    }

    fn finished(partition: i32, next: i64) -> ReaderEvent {
        ReaderEvent {
            generation: 0,
            partition,
            kind: ReaderEventKind::Finished { next },
        }
    }

    fn caught_up(partition: i32, next: i64) -> ReaderEvent {
        ReaderEvent {
            generation: 0,
            partition,
            kind: ReaderEventKind::CaughtUp { next, high: next },
        }
    }

    /// (partition, offset) of the records in `out`, and which partitions finished.
    fn order(out: &[ReaderEvent]) -> (Vec<(i32, i64)>, Vec<i32>) {
        let mut recs = Vec::new();
        let mut fin = Vec::new();
        for ev in out {
            match &ev.kind {
                ReaderEventKind::Messages(m) => {
                    recs.extend(m.iter().map(|m| (m.partition, m.offset)))
                }
                ReaderEventKind::Finished { .. } => fin.push(ev.partition),
                _ => {}
            }
        }
        (recs, fin)
    }

    #[test]
    fn exact_merge_waits_for_every_partition_and_breaks_ties_by_partition_then_offset() {
        let t0 = Instant::now();
        let mut m = TimeMerge::new(&[0, 1, 2], None, t0);
        let mut out = Vec::new();
        assert!(m.push(msgs(0, &[(0, 10), (1, 30), (2, 30)]), t0).is_none());
        assert!(m.push(msgs(1, &[(0, 20), (1, 30)]), t0).is_none());
        // Partition 2 has nothing yet: nothing may go out, however long it takes.
        m.pop_ready(t0 + Duration::from_secs(3600), &mut out);
        assert!(out.is_empty());
        assert_eq!(m.deadline(t0), None);
        m.push(msgs(2, &[(0, 5)]), t0);
        m.pop_ready(t0, &mut out);
        // 2/0 (5) goes; then partition 2 is empty again and might still bring an earlier one.
        assert_eq!(order(&out).0, vec![(2, 0)]);
        out.clear();
        m.push(finished(2, 1), t0);
        m.pop_ready(t0, &mut out);
        // Ties at 30: partition 0 before 1, and 0/1 before 0/2; then partition 0 is empty.
        assert_eq!(order(&out), (vec![(0, 0), (1, 0), (0, 1), (0, 2)], vec![2]));
        out.clear();
        m.push(finished(0, 3), t0);
        m.pop_ready(t0, &mut out);
        assert_eq!(order(&out), (vec![(1, 1)], vec![0]));
        out.clear();
        m.push(finished(1, 2), t0);
        m.pop_ready(t0, &mut out);
        assert_eq!(order(&out), (vec![], vec![1]));
        // Each end is passed on once.
        out.clear();
        m.pop_ready(t0, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn following_a_silent_partition_holds_back_only_for_the_bounded_wait() {
        let t0 = Instant::now();
        let wait = Duration::from_secs(1);
        let mut m = TimeMerge::new(&[0, 1], Some(wait), t0);
        let mut out = Vec::new();
        m.push(msgs(0, &[(0, 10)]), t0);
        m.pop_ready(t0, &mut out);
        assert!(out.is_empty());
        assert_eq!(m.deadline(t0), Some(t0 + wait));
        m.pop_ready(t0 + wait, &mut out);
        assert_eq!(order(&out).0, vec![(0, 0)]);
        out.clear();
        // A partition that says it is caught up holds nothing back at all.
        let t1 = t0 + Duration::from_millis(1500);
        m.push(msgs(1, &[(0, 50)]), t1);
        m.push(caught_up(0, 1), t1);
        m.pop_ready(t1, &mut out);
        assert_eq!(order(&out).0, vec![(1, 0)]);
        out.clear();
        // New records end "caught up": partition 0 holds back again, for the wait at most.
        m.push(msgs(0, &[(1, 60)]), t1);
        m.push(msgs(1, &[(1, 70)]), t1);
        m.pop_ready(t1, &mut out);
        assert_eq!(order(&out).0, vec![(0, 1)]);
        out.clear();
        m.pop_ready(t1 + wait / 2, &mut out);
        assert!(out.is_empty());
        assert_eq!(m.deadline(t1), Some(t1 + wait));
        m.pop_ready(t1 + wait, &mut out);
        assert_eq!(order(&out).0, vec![(1, 1)]);
    }

    #[test]
    fn backward_merge_takes_the_latest_first_and_waits_for_every_partition() {
        let t0 = Instant::now();
        let mut m = TimeMerge::backward(&[0, 1], t0);
        let mut out = Vec::new();
        // Newest first per partition.
        m.push(msgs(0, &[(2, 30), (1, 20), (0, 10)]), t0);
        m.push(msgs(1, &[(1, 30), (0, 5)]), t0);
        m.pop_ready(t0, &mut out);
        // Ties at 30: partition 1 goes before 0 in reverse; partition 1 then runs dry at 0/5.
        assert_eq!(order(&out).0, vec![(1, 1), (0, 2), (0, 1), (0, 0)]);
        out.clear();
        m.push(finished(0, 0), t0);
        m.push(finished(1, 0), t0);
        m.pop_ready(t0, &mut out);
        assert_eq!(order(&out), (vec![(1, 0)], vec![0, 1]));
    }

    #[test]
    fn a_full_queue_stops_taking_from_its_reader() {
        let t0 = Instant::now();
        let mut m = TimeMerge::new(&[0, 1], None, t0);
        let many: Vec<(i64, i64)> = (0..QUEUE_LIMIT as i64).map(|o| (o, o)).collect();
        assert!(m.wants(0));
        m.push(msgs(0, &many), t0);
        assert!(!m.wants(0));
        assert!(m.wants(1));
        assert!(!m.wants(7));
        assert_eq!(m.queued(), QUEUE_LIMIT);
    }

    mod runs {
        use proptest::prelude::*;

        use super::*;

        /// The merge one record at a time: the head that comes first, every time.
        fn reference(queues: &[Vec<i64>], reverse: bool) -> Vec<(i32, i64)> {
            let mut heads = vec![0usize; queues.len()];
            let mut out = Vec::new();
            loop {
                let next = (0..queues.len())
                    .filter(|&p| heads[p] < queues[p].len())
                    .map(|p| ((queues[p][heads[p]], p as i32, heads[p] as i64), p));
                let best = if reverse { next.max() } else { next.min() };
                let Some((_, p)) = best else { return out };
                out.push((p as i32, heads[p] as i64));
                heads[p] += 1;
            }
        }

        proptest! {
            #[test]
            fn runs_go_out_in_the_order_of_one_record_at_a_time(
                queues in prop::collection::vec(prop::collection::vec(0i64..6, 0..40), 1..5),
                reverse in any::<bool>(),
            ) {
                let t0 = Instant::now();
                let parts: Vec<i32> = (0..queues.len() as i32).collect();
                let mut m = if reverse {
                    TimeMerge::backward(&parts, t0)
                } else {
                    TimeMerge::new(&parts, None, t0)
                };
                for (p, q) in queues.iter().enumerate() {
                    let list: Vec<(i64, i64)> =
                        q.iter().enumerate().map(|(o, &t)| (o as i64, t)).collect();
                    if !list.is_empty() {
                        m.push(msgs(p as i32, &list), t0);
                    }
                    m.push(finished(p as i32, list.len() as i64), t0);
                }
                let mut out = Vec::new();
                m.pop_ready(t0, &mut out);
                let (recs, fin) = order(&out);
                // Offsets here only number the records of a partition, in queue order.
                prop_assert_eq!(recs, reference(&queues, reverse));
                prop_assert_eq!(fin.len(), queues.len());
            }
        }
    }
}
