//! The merged view's fast way to a page: every partition's start resolved at once (one
//! ListOffsets per broker and spec; none paging forward), then rounds of one multi-partition
//! Fetch per broker, small at first, each asking only the partitions the merge waits on.

use std::collections::{HashMap, VecDeque};

use crate::app::merged::{Chunk, Direction, MAX_PAGE, MergedRequest};
use crate::kafka::offsets;
use crate::kafka::reader::{PartFetch, PartFetched, fetch_many};
use crate::kafka::{Cluster, Error, Isolation, Message, StartAt, Watermarks};

/// Bytes a partition's first fetch for a page asks for: a screen or two of ordinary records.
const FIRST_BYTES: i32 = 16 << 10;
/// The most bytes one partition's fetch asks for; a batch bigger than that is left to the
/// reader (the slow path).
const MOST_BYTES: i32 = 8 << 20;
/// Fetch rounds one page may take before it is left to the readers.
const MAX_ROUNDS: u32 = 64;

/// One partition's part of a page being read.
struct Lane {
    partition: i32,
    /// Records read, in offset order (backward: the ones just before `below`).
    records: VecDeque<Message>,
    watermarks: Watermarks,
    /// Forward: where the next fetch starts. Backward: where the segment being read goes on.
    next: i64,
    /// Forward: the offset the chunk starts at. Backward: the first offset of the segment.
    start: i64,
    /// Backward: the offset the records read end before (the segment ends there too).
    below: i64,
    /// Backward: the offset the page ends before.
    top: i64,
    /// Backward: the current segment's records so far.
    segment: Vec<Message>,
    /// Backward: records a new segment reaches back.
    step: i64,
    bytes: i32,
    exhausted: bool,
}

/// The merged view's fast way to a page: the start positions resolved for every partition
/// at once (one ListOffsets per broker and spec), then rounds of one multi-partition Fetch
/// per broker, each asking only the partitions that hold the merge back, from a small size
/// up. `Ok(None)`: a partition needs the reader's recovery (an error answer, a moved log
/// start, a huge batch): the caller reads the page the slow way.
pub async fn load_fast(
    cluster: &Cluster,
    req: &MergedRequest,
    isolation: Isolation,
) -> Result<Option<Vec<Chunk>>, Error> {
    let count = req.count.max(1);
    if count > MAX_PAGE {
        return Ok(None);
    }
    let keys: Vec<(String, i32)> = req
        .parts
        .iter()
        .map(|p| (req.topic.clone(), p.partition))
        .collect();
    let forward_resume = req.direction == Direction::Forward
        && req
            .parts
            .iter()
            .all(|p| matches!(p.start, StartAt::Resume(_)));
    let times: Vec<i64> = req
        .parts
        .iter()
        .filter_map(|p| match p.start {
            StartAt::Timestamp(t) => Some(t),
            _ => None,
        })
        .collect();
    let time = match times.first() {
        Some(&t) if times.iter().all(|&x| x == t) => Some(t),
        Some(_) => return Ok(None),
        None => None,
    };
    // The watermarks and the offsets by time, in one ListOffsets per broker each, at once.
    let marks = async {
        if forward_resume {
            Ok(HashMap::new())
        } else {
            offsets::watermarks(cluster, &keys, isolation).await
        }
    };
    let by_time = async {
        match time {
            Some(t) => offsets::list_offsets(cluster, &keys, t, isolation).await,
            None => Ok(HashMap::new()),
        }
    };
    let (marks, at_time) = tokio::try_join!(marks, by_time)?;
    let mut lanes = Vec::with_capacity(req.parts.len());
    for (part, key) in req.parts.iter().zip(&keys) {
        let w = marks.get(key).copied();
        let first = match (req.direction, part.start, w) {
            (Direction::Forward, StartAt::Resume(n), _) => n,
            (_, StartAt::Beginning, Some(w)) => w.low,
            (_, StartAt::End, Some(w)) => w.high,
            (Direction::Forward, StartAt::Timestamp(_), Some(w)) => {
                match at_time.get(key).copied() {
                    Some(o) if o >= 0 => o.clamp(w.low, w.high),
                    _ => w.high,
                }
            }
            (Direction::Backward, _, Some(w)) => part.below.unwrap_or(w.high).clamp(w.low, w.high),
            _ => return Ok(None),
        };
        let watermarks = w.unwrap_or(Watermarks {
            low: -1,
            high: first,
        });
        let mut lane = Lane {
            partition: part.partition,
            records: VecDeque::new(),
            watermarks,
            next: first,
            start: first,
            below: first,
            top: first,
            segment: Vec::new(),
            step: 0,
            bytes: FIRST_BYTES,
            exhausted: false,
        };
        if req.direction == Direction::Backward {
            let wanted = (count / req.parts.len().max(1)).max(16) as i64;
            lane.step = wanted;
            lane.start = (first - wanted).max(watermarks.low);
            lane.next = lane.start;
            lane.exhausted = first <= watermarks.low;
        } else {
            lane.exhausted = w.is_some_and(|w| first >= w.high);
        }
        lanes.push(lane);
    }
    let mut want: Vec<usize> = (0..lanes.len()).filter(|&i| !lanes[i].exhausted).collect();
    for _ in 0..MAX_ROUNDS {
        if want.is_empty() {
            return Ok(Some(
                lanes.into_iter().map(|l| chunk(l, req.direction)).collect(),
            ));
        }
        let asks: Vec<PartFetch> = want
            .iter()
            .map(|&i| PartFetch {
                partition: lanes[i].partition,
                offset: lanes[i].next,
                keep_from: keep_from(&lanes[i], req.direction),
                max_bytes: lanes[i].bytes,
            })
            .collect();
        let mut got = fetch_many(cluster, &req.topic, &asks, isolation).await?;
        for &i in &want {
            let Some(Some(f)) = got.remove(&lanes[i].partition) else {
                return Ok(None);
            };
            if !take(&mut lanes[i], f, req.direction, count) {
                return Ok(None);
            }
        }
        want = stoppers(&lanes, req.direction, count);
    }
    Ok(None)
}

/// The lowest offset a lane keeps of what its fetch brings. A backward segment's first fetch
/// keeps its first batch whole: the records before the segment's start in that batch are
/// decoded anyway, and they are the ones the next reach back would read.
fn keep_from(lane: &Lane, direction: Direction) -> i64 {
    match direction {
        Direction::Backward if lane.next == lane.start && lane.segment.is_empty() => {
            lane.watermarks.low.max(0)
        }
        _ => lane.next,
    }
}

/// Takes one fetch's answer into a lane; false when the slow path must take over.
fn take(lane: &mut Lane, f: PartFetched, direction: Direction, count: usize) -> bool {
    if f.too_small {
        if lane.bytes >= MOST_BYTES {
            return false;
        }
        lane.bytes = lane.bytes.saturating_mul(2).min(MOST_BYTES);
        return true;
    }
    if f.log_start > lane.next {
        return false;
    }
    if lane.watermarks.low < 0 {
        if f.log_start < 0 {
            return false;
        }
        lane.watermarks.low = f.log_start;
    }
    lane.watermarks.high = lane.watermarks.high.max(f.end);
    let got_some = !f.records.is_empty();
    match direction {
        Direction::Forward => {
            lane.next = f.next;
            lane.records.extend(f.records);
            if lane.records.len() > count {
                lane.records.truncate(count);
            } else if lane.next >= f.end {
                lane.exhausted = true;
            }
        }
        Direction::Backward => {
            let below = lane.below;
            if let Some(first) = f.records.first() {
                // The first batch whole (see `keep_from`): the segment starts with it.
                lane.start = lane.start.min(first.offset);
            }
            lane.segment
                .extend(f.records.into_iter().filter(|m| m.offset < below));
            lane.next = f.next;
            if lane.next >= below || lane.next >= f.end {
                // The segment is read: it goes before the records held.
                for m in lane.segment.drain(..).rev() {
                    lane.records.push_front(m);
                }
                lane.below = lane.start;
                if lane.start <= lane.watermarks.low {
                    lane.exhausted = true;
                } else {
                    // Each reach back doubles: a lane the merge keeps waiting on (or a
                    // compacted stretch with no record) takes few rounds.
                    lane.step = lane.step.saturating_mul(2);
                    lane.start = (lane.start - lane.step).max(lane.watermarks.low);
                    lane.next = lane.start;
                }
            }
        }
    }
    // A fetch that brought nothing readable but did not reach the end asks for more bytes;
    // one that brought records keeps its size (a compressed batch holds many: growing would
    // decode thousands of records the page never shows).
    if !got_some && !lane.exhausted {
        lane.bytes = lane.bytes.saturating_mul(2).min(MOST_BYTES);
    }
    true
}

/// The lanes that hold the page's merge back: with every record they hold merged and more
/// to read, while the page still lacks records. Empty once the page is complete.
fn stoppers(lanes: &[Lane], direction: Direction, count: usize) -> Vec<usize> {
    let mut taken = vec![0usize; lanes.len()];
    let key = |i: usize, k: usize| {
        let l = &lanes[i];
        let m = match direction {
            Direction::Forward => l.records.get(k),
            Direction::Backward => l
                .records
                .len()
                .checked_sub(k + 1)
                .and_then(|j| l.records.get(j)),
        };
        m.map(|m| (m.timestamp, l.partition, m.offset))
    };
    for _ in 0..count {
        let dry: Vec<usize> = (0..lanes.len())
            .filter(|&i| !lanes[i].exhausted && key(i, taken[i]).is_none())
            .collect();
        if !dry.is_empty() {
            return dry;
        }
        let best = (0..lanes.len()).filter_map(|i| key(i, taken[i]).map(|k| (k, i)));
        let best = match direction {
            Direction::Forward => best.min(),
            Direction::Backward => best.max(),
        };
        let Some((_, i)) = best else {
            return Vec::new();
        };
        taken[i] += 1;
    }
    Vec::new()
}

/// A finished lane as the chunk the pane merges.
fn chunk(lane: Lane, direction: Direction) -> Chunk {
    let (start, end) = match direction {
        Direction::Forward => (
            lane.start,
            lane.records.back().map_or(lane.next, |m| m.offset + 1),
        ),
        Direction::Backward => (lane.below, lane.top),
    };
    Chunk {
        partition: lane.partition,
        start,
        end,
        watermarks: lane.watermarks,
        records: lane.records.into(),
        exhausted: lane.exhausted,
    }
}
