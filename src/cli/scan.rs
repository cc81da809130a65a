//! `consume --filter/--key/--progress`: a filter stage between the partition readers and the
//! output, on worker threads (all cores), and the progress report on stderr.
//!
//! Readers -> one bounded channel per worker -> worker threads (filter, count) -> the output
//! channel. A partition always goes to the same worker, so its records stay in order. The
//! channels are bounded: a slow output pauses the workers, which pause the readers.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::kafka::{ReaderEvent, ReaderEventKind};
use crate::render::{plural, span_words};
use crate::search::Filter;

/// What `consume` filters on and whether it reports progress.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Only records that match this filter.
    pub filter: Option<Filter>,
    /// Only records with exactly this key (and, unless `-p` says otherwise, only the
    /// partition the default partitioner puts it in).
    pub key: Option<Vec<u8>>,
    /// Report progress on stderr.
    pub progress: bool,
}

impl ScanOptions {
    /// True when the filter stage is needed.
    pub fn is_active(&self) -> bool {
        self.filter.is_some() || self.key.is_some() || self.progress
    }
}

/// Counters of one partition's scan, updated by its worker.
#[derive(Debug)]
struct Slot {
    partition: i32,
    /// The first offset read (-1 until the reader started).
    start: AtomicI64,
    /// The end as of the start (the high watermark; -1 until known).
    end: AtomicI64,
    /// The next offset to scan.
    next: AtomicI64,
    done: AtomicBool,
}

/// Counters of a whole scan.
#[derive(Debug)]
pub struct ScanProgress {
    slots: Vec<Slot>,
    scanned: AtomicU64,
    matched: AtomicU64,
    began: Instant,
}

impl ScanProgress {
    fn new(partitions: &[i32]) -> ScanProgress {
        ScanProgress {
            slots: partitions
                .iter()
                .map(|&partition| Slot {
                    partition,
                    start: AtomicI64::new(-1),
                    end: AtomicI64::new(-1),
                    next: AtomicI64::new(-1),
                    done: AtomicBool::new(false),
                })
                .collect(),
            scanned: AtomicU64::new(0),
            matched: AtomicU64::new(0),
            began: Instant::now(),
        }
    }

    /// Records scanned so far.
    pub fn scanned(&self) -> u64 {
        self.scanned.load(Relaxed)
    }

    /// Records that matched so far.
    pub fn matched(&self) -> u64 {
        self.matched.load(Relaxed)
    }

    /// (offsets covered, offsets to cover when the ends are known).
    fn coverage(&self) -> (u64, Option<u64>) {
        let mut covered = 0u64;
        let mut total = Some(0u64);
        for s in &self.slots {
            let (start, end, next) = (
                s.start.load(Relaxed),
                s.end.load(Relaxed),
                s.next.load(Relaxed),
            );
            if start >= 0 && next >= start {
                covered += (next - start) as u64;
            }
            total = match (total, start >= 0 && end >= 0) {
                (Some(t), true) => Some(t + (end - start).max(0) as u64),
                _ => None,
            };
        }
        (covered, total)
    }

    /// One line: scanned, matches, rate, offset range covered, ETA (when `bounded`).
    pub fn line(&self, bounded: bool) -> String {
        let secs = self.began.elapsed().as_secs_f64().max(1e-3);
        let scanned = self.scanned();
        let rate = scanned as f64 / secs;
        let matched = self.matched();
        let mut s = format!(
            "scanned {scanned} {}, {matched} {}, {} records/s",
            plural(scanned as i64, "record"),
            plural(matched as i64, "match"),
            rate as u64
        );
        let (covered, total) = self.coverage();
        if let [one] = self.slots.as_slice() {
            let (start, end, next) = (
                one.start.load(Relaxed),
                one.end.load(Relaxed),
                one.next.load(Relaxed),
            );
            if start >= 0 {
                // Offsets are shown as people count them: first to last, both included.
                s += &format!(
                    ", partition {} offsets {}",
                    one.partition,
                    offsets(start, next)
                );
                if end >= 0 {
                    s += &format!(" of {}", offsets(start, end));
                }
            }
        } else {
            s += &format!(", {covered}");
            if let Some(t) = total {
                s += &format!(" of {t}");
            }
            let n = self.slots.len() as i64;
            s += &format!(" offsets in {n} {}", plural(n, "partition"));
        }
        if bounded && let Some(t) = total {
            let left = t.saturating_sub(covered);
            if self.slots.iter().all(|x| x.done.load(Relaxed)) || left == 0 {
                s += ", done";
            } else if covered > 0 {
                let eta = left as f64 * secs / covered as f64;
                s += &format!(", ETA {}", eta_text(eta));
            }
        }
        s
    }
}

/// The offsets `from` up to `until` (not included) in words: `0 to 999`, `none`.
fn offsets(from: i64, until: i64) -> String {
    if until > from {
        span_words(from, until - 1)
    } else {
        "none".to_string()
    }
}

fn eta_text(secs: f64) -> String {
    let s = secs.ceil() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// The filter stage: one sender per partition (in `partitions` order) for the readers, and
/// the counters. Worker threads end when their readers or the output go away.
pub fn spawn_stage(
    scan: &ScanOptions,
    topic: &str,
    partitions: &[i32],
    capacity: usize,
    out: mpsc::Sender<ReaderEvent>,
) -> (Vec<mpsc::Sender<ReaderEvent>>, Arc<ScanProgress>) {
    spawn_decoding_stage(scan, None, topic, partitions, capacity, out)
}

/// `spawn_stage` whose filter sees decoded keys and values: each worker decodes with its own
/// decoder from `decoders` (one shared registry client) before it filters.
pub fn spawn_decoding_stage(
    scan: &ScanOptions,
    decoders: Option<&crate::schema::Decoders>,
    topic: &str,
    partitions: &[i32],
    capacity: usize,
    out: mpsc::Sender<ReaderEvent>,
) -> (Vec<mpsc::Sender<ReaderEvent>>, Arc<ScanProgress>) {
    let (input, progress) = spawn_workers(scan, decoders, topic, partitions, capacity, out);
    (vec![input; partitions.len()], progress)
}

/// The filter stage for a stream whose order across partitions must stay (the time-ordered
/// merge): one sender for the merged events, and the counters.
pub fn spawn_ordered_stage(
    scan: &ScanOptions,
    topic: &str,
    partitions: &[i32],
    capacity: usize,
    out: mpsc::Sender<ReaderEvent>,
) -> (mpsc::Sender<ReaderEvent>, Arc<ScanProgress>) {
    spawn_workers(scan, None, topic, partitions, capacity, out)
}

/// One worker thread per core, all taking events from one queue, and a sequencer thread that
/// passes their results on in the order the events were queued: batches of one partition are
/// filtered on every core at once, and the output order is the input order.
fn spawn_workers(
    scan: &ScanOptions,
    decoders: Option<&crate::schema::Decoders>,
    topic: &str,
    partitions: &[i32],
    capacity: usize,
    out: mpsc::Sender<ReaderEvent>,
) -> (mpsc::Sender<ReaderEvent>, Arc<ScanProgress>) {
    let progress = Arc::new(ScanProgress::new(partitions));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Decoding needs the runtime for registry requests; without one, filters see bytes.
    let runtime = tokio::runtime::Handle::try_current().ok();
    let (input, rx) = mpsc::channel(capacity.max(1) * partitions.len().max(1));
    // The queue and the number of the next event taken from it, under one lock: taking an
    // event and numbering it happen together.
    let queue = Arc::new(std::sync::Mutex::new((rx, 0u64)));
    // Results wait here at most one per worker plus this channel's room.
    let (done, results) = std::sync::mpsc::sync_channel::<(u64, Option<ReaderEvent>)>(workers * 2);
    for w in 0..workers {
        let decoding = match (decoders, &runtime, &scan.filter) {
            (Some(d), Some(rt), Some(_)) => d.transforming(topic).map(|d| (d, rt.clone())),
            _ => None,
        };
        let worker = Worker {
            decoding,
            matcher: scan.filter.as_ref().map(Filter::matcher),
            key: scan.key.clone(),
            topic: topic.to_string(),
            progress: progress.clone(),
        };
        let (queue, done) = (queue.clone(), done.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("kbrowse-filter-{w}"))
            .spawn(move || worker.run(&queue, &done));
        if let Err(e) = spawned {
            tracing::warn!("cannot start filter worker {w}: {e}");
        }
    }
    drop(done);
    let spawned = std::thread::Builder::new()
        .name("kbrowse-filter-order".into())
        .spawn(move || sequence(&results, &out));
    if let Err(e) = spawned {
        tracing::warn!("cannot start the filter's sequencer: {e}");
    }
    (input, progress)
}

/// Passes the workers' results on in their events' order; ends when the workers or the
/// output go away.
fn sequence(
    results: &std::sync::mpsc::Receiver<(u64, Option<ReaderEvent>)>,
    out: &mpsc::Sender<ReaderEvent>,
) {
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 0u64;
    while let Ok((seq, ev)) = results.recv() {
        waiting.insert(seq, ev);
        while let Some(ev) = waiting.remove(&next) {
            next += 1;
            if let Some(ev) = ev
                && out.blocking_send(ev).is_err()
            {
                return;
            }
        }
    }
}

type Queue = std::sync::Mutex<(mpsc::Receiver<ReaderEvent>, u64)>;

struct Worker {
    /// The decoder the filter's keys and values go through, and the runtime its registry
    /// requests run on.
    decoding: Option<(crate::schema::RecordDecoder, tokio::runtime::Handle)>,
    matcher: Option<crate::search::Matcher>,
    key: Option<Vec<u8>>,
    topic: String,
    progress: Arc<ScanProgress>,
}

impl Worker {
    fn run(
        mut self,
        queue: &Queue,
        done: &std::sync::mpsc::SyncSender<(u64, Option<ReaderEvent>)>,
    ) {
        loop {
            let (seq, ev) = {
                let Ok(mut q) = queue.lock() else { return };
                let Some(ev) = q.0.blocking_recv() else {
                    return;
                };
                q.1 += 1;
                (q.1 - 1, ev)
            };
            if done.send((seq, self.process(ev))).is_err() {
                return;
            }
        }
    }

    /// Filters one event's records and counts; `None` when nothing of it is left to pass on.
    fn process(&mut self, mut ev: ReaderEvent) -> Option<ReaderEvent> {
        let slot = self
            .progress
            .slots
            .iter()
            .find(|s| s.partition == ev.partition);
        match &mut ev.kind {
            ReaderEventKind::Messages(msgs) => {
                let n = msgs.len() as u64;
                let next = msgs.last().map(|m| m.offset + 1);
                let (decoding, matcher, key, topic) = (
                    &mut self.decoding,
                    &mut self.matcher,
                    &self.key,
                    &self.topic,
                );
                if let Some((d, rt)) = decoding.as_mut() {
                    rt.block_on(crate::search::prepare_schemas(d, msgs));
                }
                msgs.retain(|m| {
                    key.as_deref().is_none_or(|k| m.key.as_deref() == Some(k))
                        && matcher.as_mut().is_none_or(|f| match decoding.as_mut() {
                            Some((d, _)) => f.matches_through(m, topic, d),
                            None => f.matches(m, topic),
                        })
                });
                self.progress.scanned.fetch_add(n, Relaxed);
                self.progress.matched.fetch_add(msgs.len() as u64, Relaxed);
                // Batches of one partition are filtered at once on several workers.
                if let (Some(s), Some(next)) = (slot, next) {
                    s.next.fetch_max(next, Relaxed);
                }
                if msgs.is_empty() {
                    return None;
                }
            }
            ReaderEventKind::Started { offset, watermarks } => {
                if let Some(s) = slot {
                    s.start.store(*offset, Relaxed);
                    s.next.fetch_max(*offset, Relaxed);
                    s.end.store(watermarks.high.max(*offset), Relaxed);
                }
            }
            ReaderEventKind::CaughtUp { next, .. } | ReaderEventKind::Finished { next } => {
                if let Some(s) = slot {
                    s.next.fetch_max(*next, Relaxed);
                    if matches!(ev.kind, ReaderEventKind::Finished { .. }) {
                        s.done.store(true, Relaxed);
                    }
                }
            }
            _ => {}
        }
        Some(ev)
    }
}

/// Writes the progress to stderr while a scan runs: a bar on a terminal, else a line a
/// second. `finish` prints the last line.
pub struct ProgressReport {
    progress: Arc<ScanProgress>,
    bounded: bool,
    task: tokio::task::JoinHandle<()>,
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressReport {
    /// Starts reporting `progress`; `bounded` (`-e`) means the end is known and an ETA makes sense.
    pub fn start(progress: Arc<ScanProgress>, bounded: bool) -> ProgressReport {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            let style = indicatif::ProgressStyle::with_template("{bar:30} {percent:>3}% {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        let p = progress.clone();
        let b = bar.clone();
        let task = tokio::spawn(async move {
            let every = if b.is_some() {
                Duration::from_millis(100)
            } else {
                Duration::from_secs(1)
            };
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                match &b {
                    Some(bar) => {
                        let (covered, total) = p.coverage();
                        bar.set_length(total.unwrap_or(0));
                        bar.set_position(covered);
                        bar.set_message(p.line(bounded));
                    }
                    None => super::report(p.line(bounded)),
                }
            }
        });
        ProgressReport {
            progress,
            bounded,
            task,
            bar,
        }
    }
}

impl Drop for ProgressReport {
    /// Stops the report and prints the final line.
    fn drop(&mut self) {
        self.task.abort();
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        super::report(self.progress.line(self.bounded));
    }
}
