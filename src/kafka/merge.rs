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
            .position(|x| x.partition == p)
            .is_some_and(|i| self.wants_at(i))
    }

    /// Whether the `i`th partition's reader ended (its `Finished` is in the merge).
    fn finished_at(&self, i: usize) -> bool {
        self.parts
            .get(i)
            .is_none_or(|x| x.ended || x.finished.is_some())
    }

    /// [`Self::wants`] of the `i`th partition given to [`Self::new`].
    fn wants_at(&self, i: usize) -> bool {
        self.parts
            .get(i)
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

/// The merge with its readers' channels: one sender per partition (in the merge's partition
/// order) goes to a reader; merged events come out of [`MergeInputs::recv_many`]. A
/// partition's reader waits while its queue in the merge is full, so memory stays bounded
/// however far apart the partitions' times are.
pub fn channels(
    merge: TimeMerge,
    capacity: usize,
) -> (Vec<mpsc::Sender<ReaderEvent>>, MergeInputs) {
    let n = merge.parts.len();
    let mut senders = Vec::with_capacity(n);
    let mut inputs = Vec::with_capacity(n);
    for _ in 0..n {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        senders.push(tx);
        inputs.push(Some(rx));
    }
    let inputs = MergeInputs {
        inputs,
        merge,
        popped: Vec::new(),
        turn: 0,
    };
    (senders, inputs)
}

/// The receiving end of a time merge: the readers' channels and the merge between them.
pub struct MergeInputs {
    /// Each partition's channel, in the merge's partition order; None once closed.
    inputs: Vec<Option<mpsc::Receiver<ReaderEvent>>>,
    merge: TimeMerge,
    /// Merged events not handed out yet.
    popped: Vec<ReaderEvent>,
    /// Where the next poll of the channels starts, taking turns for fairness.
    turn: usize,
}

impl MergeInputs {
    /// Moves up to `limit` merged events into `out`, waiting until there is one; 0 when every
    /// reader is gone (what is still queued then can no longer be ordered against them).
    /// Cancel-safe: whatever was received is kept in the merge.
    pub async fn recv_many(&mut self, out: &mut Vec<ReaderEvent>, limit: usize) -> usize {
        loop {
            let now = Instant::now();
            if self.pop_if_empty(now) {
                let n = self.popped.len().min(limit.max(1));
                out.extend(self.popped.drain(..n));
                return n;
            }
            // Every reader finished or is gone: nothing more can come.
            let over = (0..self.inputs.len())
                .all(|i| self.inputs[i].is_none() || self.merge.finished_at(i));
            if over {
                return 0;
            }
            let deadline = self.merge.deadline(now);
            let next = std::future::poll_fn(|cx| self.poll_inputs(cx));
            match deadline {
                Some(at) => {
                    tokio::select! {
                        _ = next => {}
                        // The bounded wait of a silent partition ended: pop again.
                        _ = tokio::time::sleep_until(at.into()) => {}
                    }
                }
                None => next.await,
            }
        }
    }

    /// Whether merged events are ready now, or readers' events are waiting to be merged.
    pub fn has_waiting(&mut self) -> bool {
        self.pop_if_empty(Instant::now()) || self.inputs.iter().flatten().any(|rx| !rx.is_empty())
    }

    /// Pops what is ready when nothing popped is left to hand out; whether something is.
    fn pop_if_empty(&mut self, now: Instant) -> bool {
        if self.popped.is_empty() {
            self.merge.pop_ready(now, &mut self.popped);
        }
        !self.popped.is_empty()
    }

    /// Takes every event waiting in the channels of partitions whose queue has room into the
    /// merge (events the merge passes on go to `popped`); ready once something came or every
    /// channel closed.
    fn poll_inputs(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        use std::task::Poll;
        let n = self.inputs.len();
        self.turn = self.turn.wrapping_add(1);
        let mut got = false;
        for k in 0..n {
            let i = (self.turn + k) % n;
            while self.merge.wants_at(i) {
                let Some(rx) = &mut self.inputs[i] else { break };
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(ev)) => {
                        got = true;
                        let now = Instant::now();
                        // What was ready goes out before anything this event passes on.
                        self.merge.pop_ready(now, &mut self.popped);
                        if let Some(pass) = self.merge.push(ev, now) {
                            self.popped.push(pass);
                        }
                    }
                    Poll::Ready(None) => {
                        self.inputs[i] = None;
                        got = true;
                    }
                    Poll::Pending => break,
                }
            }
        }
        if got { Poll::Ready(()) } else { Poll::Pending }
    }
}

/// Runs `merge` in a task (the CLI's filtered `--merge time`, the merged view's search): one
/// sender per partition (in the merge's partition order) for the readers; merged events go to
/// `out`. The task ends when `out` closes or every sender is gone.
pub fn spawn(
    merge: TimeMerge,
    capacity: usize,
    out: mpsc::Sender<ReaderEvent>,
) -> Vec<mpsc::Sender<ReaderEvent>> {
    let (senders, mut inputs) = channels(merge, capacity);
    tokio::spawn(async move {
        let mut events = Vec::with_capacity(64);
        while inputs.recv_many(&mut events, 64).await > 0 {
            for ev in events.drain(..) {
                if out.send(ev).await.is_err() {
                    return;
                }
            }
        }
    });
    senders
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

    /// Everything `inputs` hands out until it ends, `limit` events at a time.
    async fn all(inputs: &mut MergeInputs, limit: usize) -> Vec<ReaderEvent> {
        let mut out = Vec::new();
        loop {
            let before = out.len();
            let n = inputs.recv_many(&mut out, limit).await;
            assert_eq!(out.len() - before, n);
            assert!(n <= limit);
            if n == 0 {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn the_channels_merge_in_time_order_and_end_when_every_reader_is_gone() {
        let merge = TimeMerge::new(&[3, 5], None, Instant::now());
        let (senders, mut inputs) = channels(merge, 2);
        let (a, b) = (senders[0].clone(), senders[1].clone());
        drop(senders);
        // Partition 3's reader sends two events before 5 sends anything: nothing may go out
        // until 5 has a record (exact merge).
        a.send(msgs(3, &[(0, 10), (1, 30)])).await.unwrap();
        a.send(msgs(3, &[(2, 50)])).await.unwrap();
        let mut out = Vec::new();
        let early =
            tokio::time::timeout(Duration::from_millis(50), inputs.recv_many(&mut out, 64)).await;
        assert!(
            early.is_err(),
            "a record went out before partition 5 had one: {out:?}"
        );
        b.send(msgs(5, &[(0, 20), (1, 30)])).await.unwrap();
        b.send(finished(5, 2)).await.unwrap();
        a.send(finished(3, 3)).await.unwrap();
        drop((a, b));
        let out = all(&mut inputs, 1).await;
        assert_eq!(
            order(&out),
            (vec![(3, 0), (5, 0), (3, 1), (5, 1), (3, 2)], vec![3, 5])
        );
    }

    fn describe(out: &[ReaderEvent]) -> Vec<String> {
        out.iter()
            .map(|ev| match &ev.kind {
                ReaderEventKind::Messages(m) => m
                    .iter()
                    .map(|m| format!("{}:{}", m.partition, m.offset))
                    .collect::<Vec<_>>()
                    .join(","),
                ReaderEventKind::CaughtUp { .. } => format!("caught up {}", ev.partition),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn an_event_the_merge_passes_on_follows_the_records_ready_before_it() {
        let merge = TimeMerge::new(&[0, 1], Some(Duration::from_secs(60)), Instant::now());
        let (senders, mut inputs) = channels(merge, 4);
        senders[0].send(msgs(0, &[(0, 1), (1, 5)])).await.unwrap();
        senders[1].send(msgs(1, &[(0, 2)])).await.unwrap();
        let mut out = Vec::new();
        inputs.recv_many(&mut out, 64).await;
        // 0:1 waits: partition 1 may still have a record before it.
        assert_eq!(describe(&out), ["0:0", "1:0"]);
        senders[1].send(caught_up(1, 1)).await.unwrap();
        senders[0].send(finished(0, 2)).await.unwrap();
        senders[1].send(finished(1, 1)).await.unwrap();
        let out = all(&mut inputs, 64).await;
        let mut seen = describe(&out);
        seen.retain(|d| !d.starts_with("Finished"));
        assert_eq!(seen, ["caught up 1", "0:1"]);
        // The senders are still there: the merge ended because every reader finished.
        drop(senders);
    }

    #[tokio::test]
    async fn a_reader_whose_queue_is_full_waits_and_a_silent_one_holds_back_for_the_wait() {
        let t0 = Instant::now();
        let merge = TimeMerge::new(&[0, 1], Some(Duration::from_millis(200)), t0);
        let (senders, mut inputs) = channels(merge, 1);
        let many: Vec<(i64, i64)> = (0..QUEUE_LIMIT as i64).map(|o| (o, o)).collect();
        senders[0].send(msgs(0, &many)).await.unwrap();
        let mut out = Vec::new();
        let r =
            tokio::time::timeout(Duration::from_millis(50), inputs.recv_many(&mut out, 64)).await;
        assert!(r.is_err(), "partition 1 may still come first: {out:?}");
        // Partition 0's queue is full: its next event stays in the channel (capacity 1).
        senders[0]
            .try_send(msgs(0, &[(QUEUE_LIMIT as i64, 1 << 40)]))
            .unwrap();
        let r =
            tokio::time::timeout(Duration::from_millis(50), inputs.recv_many(&mut out, 64)).await;
        assert!(r.is_err());
        assert!(
            senders[0].try_send(msgs(0, &[])).is_err(),
            "the reader was not held back"
        );
        // Partition 1 says nothing: after the bounded wait, partition 0's records go out.
        let n = inputs.recv_many(&mut out, 64).await;
        assert!(n > 0);
        assert!(t0.elapsed() >= Duration::from_millis(200));
        assert_eq!(order(&out).0[0], (0, 0));
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
