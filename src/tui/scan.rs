//! Scans for the message pane, in tokio tasks that report through channels: the filter
//! view's reader (only matching records reach the pane) and the search for the next or
//! previous match. The UI loop only receives their results.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::Action;
use crate::app::results::{Hit, TopicSearchJob, TopicSearchReport};
use crate::app::search::QueryMatcher;
use crate::app::search::{Query, SearchJob, SearchReport};
use crate::kafka::{
    Cluster, Message, PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind, StartAt,
};
use crate::schema::{Decoded, RecordDecoder};

/// How often a scan reports its progress.
const REPORT_EVERY: Duration = Duration::from_millis(100);
/// Records between two looks at the clock for a progress report.
const PROGRESS_RECORDS: u64 = 4096;
/// The first backward page of a search, in offsets; each further page is twice as big.
const FIRST_BACK_PAGE: i64 = 1_000;
/// The biggest backward page.
const MAX_BACK_PAGE: i64 = 200_000;

/// A scan's query, and the filter view's when a search runs inside one, matched against keys
/// and values as the topic's decoder reads them (issue 12 §1): the same evaluation as
/// `consume --filter`.
pub(super) struct ScanMatcher {
    query: QueryMatcher,
    pub(super) within: Option<QueryMatcher>,
    /// The topic's decoder, when it changes what keys or values say (a registry, a format).
    decoder: Option<RecordDecoder>,
    /// What the decoder made of the last record matched.
    last: (Option<Decoded>, Option<Decoded>),
}

impl ScanMatcher {
    pub(super) fn new(query: QueryMatcher, decoder: Option<RecordDecoder>) -> ScanMatcher {
        ScanMatcher {
            query,
            within: None,
            decoder,
            last: (None, None),
        }
    }

    /// A search's matcher: `query`, and in a filter view the filter a match must pass too.
    pub(super) fn searching(
        query: &Query,
        within: Option<&Query>,
        topic: &str,
        decoder: Option<RecordDecoder>,
    ) -> ScanMatcher {
        let mut matcher = ScanMatcher::new(query.matcher(topic), decoder);
        matcher.within = within.map(|q| q.matcher(topic));
        matcher
    }

    /// Fetches the schemas of a batch before its records are matched.
    pub(super) async fn prepare(&mut self, msgs: &[Message]) {
        if let Some(d) = self.decoder.as_mut() {
            crate::search::prepare_schemas(d, msgs).await;
        }
    }

    pub(super) fn matches(&mut self, m: &Message) -> bool {
        if let Some(d) = self.decoder.as_mut() {
            self.last = d.decode_record(m.key.as_deref(), m.value.as_deref());
        }
        let (key, value) = (
            self.last.0.as_ref().and_then(Decoded::value),
            self.last.1.as_ref().and_then(Decoded::value),
        );
        self.query.matches_decoded(m, key, value)
            && self
                .within
                .as_mut()
                .is_none_or(|w| w.matches_decoded(m, key, value))
    }

    /// The results list's row of the record just matched: decoded parts as one line of
    /// compact JSON, as the message table shows them.
    pub(super) fn hit(&self, m: &Message) -> Hit {
        let shown = |d: &Option<Decoded>, raw: &Option<bytes::Bytes>| match d
            .as_ref()
            .and_then(Decoded::value)
        {
            Some(v) => serde_json::to_vec(v).ok().map(bytes::Bytes::from),
            None => raw.clone(),
        };
        if self.decoder.is_none() {
            return Hit::of(m);
        }
        Hit::of(&Message {
            key: shown(&self.last.0, &m.key),
            value: shown(&self.last.1, &m.value),
            ..m.clone()
        })
    }
}

/// What a filtered reader is.
pub struct FilteredRead {
    /// Where and what to read.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// Where to start.
    pub start: StartAt,
    /// Report `CaughtUp` here and stop (a backward page).
    pub until: Option<i64>,
    /// Records to keep.
    pub query: Query,
}

/// A reader whose events pass a filter stage on their way to `out`: the reader and the
/// stage (dropping the reader ends the stage).
pub fn spawn_filtered(
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    read: FilteredRead,
    decoder: Option<RecordDecoder>,
    out: mpsc::Sender<ReaderEvent>,
    actions: mpsc::UnboundedSender<Action>,
) -> (PartitionReader, JoinHandle<()>) {
    let generation = config.generation;
    let (reader, rx) = PartitionReader::start(
        cluster,
        read.topic.clone(),
        read.partition,
        read.start,
        config,
    );
    let matcher = ScanMatcher::new(read.query.matcher(&read.topic), decoder);
    let stage = FilterStage {
        matcher,
        until: read.until,
        generation,
        partition: read.partition,
        high: 0,
        counts: (0, 0, -1),
        reported: Instant::now(),
        out,
        actions,
    };
    (reader, tokio::spawn(stage.run(rx)))
}

struct FilterStage {
    matcher: ScanMatcher,
    until: Option<i64>,
    generation: u64,
    partition: i32,
    high: i64,
    /// Scanned and matched since the last report, and the offset reached.
    counts: (u64, u64, i64),
    reported: Instant,
    out: mpsc::Sender<ReaderEvent>,
    actions: mpsc::UnboundedSender<Action>,
}

impl FilterStage {
    async fn run(mut self, mut rx: mpsc::Receiver<ReaderEvent>) {
        while let Some(mut ev) = rx.recv().await {
            let mut last = false;
            match &mut ev.kind {
                ReaderEventKind::Started { watermarks, .. } => self.high = watermarks.high,
                ReaderEventKind::Messages(msgs) => {
                    let until = self.until.unwrap_or(i64::MAX);
                    last = msgs.last().is_some_and(|m| m.offset >= until - 1);
                    msgs.retain(|m| m.offset < until);
                    self.matcher.prepare(msgs).await;
                    // A fetch can hold 100,000 records: the counts move within it, and the
                    // task yields between slices so that it never holds a worker for long.
                    let mut kept = Vec::new();
                    for m in std::mem::take(msgs) {
                        let keep = self.matcher.matches(&m);
                        self.counts.0 += 1;
                        self.counts.1 += u64::from(keep);
                        self.counts.2 = m.offset + 1;
                        if keep {
                            kept.push(m);
                        }
                        if self.counts.0.is_multiple_of(PROGRESS_RECORDS) {
                            self.maybe_report(false);
                            tokio::task::yield_now().await;
                        }
                    }
                    *msgs = kept;
                    if msgs.is_empty() && !last {
                        self.maybe_report(false);
                        continue;
                    }
                }
                ReaderEventKind::CaughtUp { high, .. } => {
                    self.high = *high;
                    self.maybe_report(true);
                }
                _ => {}
            }
            if self.out.send(ev).await.is_err() {
                return;
            }
            if last {
                // A backward page ends here: its end is where the pane's window begins.
                self.maybe_report(true);
                let end = ReaderEvent {
                    generation: self.generation,
                    partition: self.partition,
                    kind: ReaderEventKind::CaughtUp {
                        next: self.until.unwrap_or(0),
                        high: self.high,
                    },
                };
                let _ = self.out.send(end).await;
                return;
            }
            self.maybe_report(false);
        }
        self.maybe_report(true);
    }

    fn maybe_report(&mut self, now: bool) {
        Progress {
            counts: &mut self.counts,
            reported: &mut self.reported,
            actions: &self.actions,
            generation: self.generation,
        }
        .report(now);
    }
}

/// The filter stage's counters, borrowed apart from its matcher.
struct Progress<'a> {
    counts: &'a mut (u64, u64, i64),
    reported: &'a mut Instant,
    actions: &'a mpsc::UnboundedSender<Action>,
    generation: u64,
}

impl Progress<'_> {
    /// Sends the counts since the last report, at most every `REPORT_EVERY` unless `now`.
    fn report(&mut self, now: bool) {
        if !now && self.reported.elapsed() < REPORT_EVERY {
            return;
        }
        if self.counts.0 == 0 && self.counts.1 == 0 {
            return;
        }
        *self.reported = Instant::now();
        let (scanned, matched, reached) = *self.counts;
        *self.counts = (0, 0, reached);
        let _ = self.actions.send(Action::FilterScanned {
            generation: self.generation,
            scanned,
            matched,
            reached,
        });
    }
}

/// Runs a search job: the first match forward from `job.from`, or the nearest before it,
/// scanning pages backwards. Reports go to `actions`; dropping the handle's task (abort)
/// stops the scan and its readers.
pub fn spawn_search(
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    job: SearchJob,
    decoder: Option<RecordDecoder>,
    actions: mpsc::UnboundedSender<Action>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let id = job.id;
        let matcher = ScanMatcher::searching(&job.query, job.within.as_ref(), &job.topic, decoder);
        let mut scan = SearchScan {
            matcher,
            scanned: 0,
            reported: Instant::now(),
            id,
            actions: actions.clone(),
        };
        let report = if job.backward {
            scan.backward(&cluster, &config, &job).await
        } else {
            scan.forward(&cluster, &config, &job).await
        };
        let _ = actions.send(Action::Search { id, report });
    })
}

struct SearchScan {
    /// The query, and the filter view's filter, which a match must pass too.
    matcher: ScanMatcher,
    scanned: u64,
    reported: Instant,
    id: u64,
    actions: mpsc::UnboundedSender<Action>,
}

impl SearchScan {
    fn progress(&mut self, reached: i64) {
        if self.reported.elapsed() < REPORT_EVERY {
            return;
        }
        self.reported = Instant::now();
        let _ = self.actions.send(Action::Search {
            id: self.id,
            report: SearchReport::Progress {
                scanned: self.scanned,
                reached,
            },
        });
    }

    /// The first match at `job.from` or after, up to the end as the reader finds it.
    async fn forward(
        &mut self,
        cluster: &Arc<Cluster>,
        config: &ReaderConfig,
        job: &SearchJob,
    ) -> SearchReport {
        let (_reader, mut rx) = PartitionReader::start(
            cluster.clone(),
            job.topic.clone(),
            job.partition,
            StartAt::Resume(job.from),
            config.clone(),
        );
        let mut reached = job.from;
        while let Some(ev) = rx.recv().await {
            match ev.kind {
                ReaderEventKind::Messages(msgs) => {
                    self.matcher.prepare(&msgs).await;
                    for m in &msgs {
                        self.scanned += 1;
                        if self.matcher.matches(m) {
                            return SearchReport::Found {
                                offset: m.offset,
                                scanned: self.scanned,
                            };
                        }
                        // A fetch can hold 100,000 records: progress within it.
                        if self.scanned.is_multiple_of(PROGRESS_RECORDS) {
                            self.progress(m.offset + 1);
                            tokio::task::yield_now().await;
                        }
                    }
                    reached = msgs.last().map_or(reached, |m| m.offset + 1);
                    self.progress(reached);
                }
                ReaderEventKind::CaughtUp { next, .. } | ReaderEventKind::Finished { next } => {
                    return SearchReport::NotFound {
                        scanned: self.scanned,
                        reached: next.max(reached),
                    };
                }
                ReaderEventKind::Failed(e) => return SearchReport::Failed(e.to_string()),
                _ => {}
            }
        }
        SearchReport::Failed("the reader stopped".into())
    }

    /// The last match before `job.from`: pages of growing size, nearest first.
    async fn backward(
        &mut self,
        cluster: &Arc<Cluster>,
        config: &ReaderConfig,
        job: &SearchJob,
    ) -> SearchReport {
        let mut until = job.from;
        let mut page = FIRST_BACK_PAGE;
        while until > job.low {
            let start = (until - page).max(job.low);
            let (_reader, mut rx) = PartitionReader::start(
                cluster.clone(),
                job.topic.clone(),
                job.partition,
                StartAt::Resume(start),
                config.clone(),
            );
            let mut found = None;
            'page: while let Some(ev) = rx.recv().await {
                match ev.kind {
                    ReaderEventKind::Messages(msgs) => {
                        self.matcher.prepare(&msgs).await;
                        for m in msgs.iter().take_while(|m| m.offset < until) {
                            self.scanned += 1;
                            if self.matcher.matches(m) {
                                found = Some(m.offset);
                            }
                            if self.scanned.is_multiple_of(PROGRESS_RECORDS) {
                                self.progress(m.offset + 1);
                                tokio::task::yield_now().await;
                            }
                        }
                        if msgs.last().is_some_and(|m| m.offset >= until - 1) {
                            break 'page;
                        }
                        self.progress(start);
                    }
                    ReaderEventKind::CaughtUp { .. } | ReaderEventKind::Finished { .. } => {
                        break 'page;
                    }
                    ReaderEventKind::Failed(e) => return SearchReport::Failed(e.to_string()),
                    _ => {}
                }
            }
            if let Some(offset) = found {
                return SearchReport::Found {
                    offset,
                    scanned: self.scanned,
                };
            }
            self.progress(start);
            until = start;
            page = (page * 2).min(MAX_BACK_PAGE);
        }
        SearchReport::NotFound {
            scanned: self.scanned,
            reached: job.low,
        }
    }
}

/// What one partition's scan of a topic search says.
struct PartBatch {
    partition: i32,
    hits: Vec<Hit>,
    scanned: u64,
    /// The offset after the last record scanned.
    next: Option<i64>,
    /// Offsets this partition has to scan (on its start).
    total: u64,
    done: bool,
    error: Option<String>,
}

/// Aborts the tasks it holds when it is dropped: a scan's partition tasks end with it.
pub(super) struct AbortAll(pub(super) Vec<JoinHandle<()>>);

impl Drop for AbortAll {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// Runs a topic search: one task per partition (each reads to the end as of its start and
/// matches), their matches gathered here up to `job.limit` and reported in batches.
pub fn spawn_topic_search(
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    job: TopicSearchJob,
    decoders: Option<crate::schema::Decoders>,
    actions: mpsc::UnboundedSender<Action>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let (tx, mut rx) = mpsc::channel::<PartBatch>(64);
        let mut tasks = Vec::new();
        for &(partition, start) in &job.partitions {
            let config = ReaderConfig {
                stop_at_end: true,
                ..config.clone()
            };
            let scan = partition_scan(
                cluster.clone(),
                config,
                job.topic.clone(),
                partition,
                start,
                ScanMatcher::new(
                    job.query.matcher(&job.topic),
                    decoders.as_ref().and_then(|d| d.transforming(&job.topic)),
                ),
                tx.clone(),
            );
            tasks.push(tokio::spawn(scan));
        }
        drop(tx);
        let _abort = AbortAll(tasks);
        let mut taken = 0usize;
        let mut running = job.partitions.len();
        let mut report = empty_report();
        let mut reported = Instant::now();
        while let Some(b) = rx.recv().await {
            let room = job.limit.saturating_sub(taken);
            let full = b.hits.len() >= room;
            let mut next = b.next;
            if full && let Some(first_left) = b.hits.get(room) {
                next = Some(first_left.offset);
            }
            taken += b.hits.len().min(room);
            report.hits.extend(b.hits.into_iter().take(room));
            report.scanned += b.scanned;
            report.total += b.total;
            if let Some(n) = next {
                report.next.push((b.partition, n));
            }
            if b.error.is_some() {
                report.error = b.error;
            }
            if b.done {
                running -= 1;
            }
            let end = full || running == 0 || report.error.is_some();
            if end {
                report.done = true;
            }
            if end || reported.elapsed() >= REPORT_EVERY {
                reported = Instant::now();
                let r = std::mem::replace(&mut report, empty_report());
                if actions
                    .send(Action::TopicResults {
                        id: job.id,
                        report: r,
                    })
                    .is_err()
                {
                    return;
                }
            }
            if end {
                return;
            }
        }
        report.done = true;
        let _ = actions.send(Action::TopicResults { id: job.id, report });
    })
}

fn empty_report() -> TopicSearchReport {
    TopicSearchReport {
        hits: Vec::new(),
        scanned: 0,
        next: Vec::new(),
        total: 0,
        done: false,
        error: None,
    }
}

async fn partition_scan(
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    topic: String,
    partition: i32,
    start: StartAt,
    mut matcher: ScanMatcher,
    tx: mpsc::Sender<PartBatch>,
) {
    let (_reader, mut rx) = PartitionReader::start(cluster, topic, partition, start, config);
    let batch = |hits, scanned, next, total, done, error| PartBatch {
        partition,
        hits,
        scanned,
        next,
        total,
        done,
        error,
    };
    while let Some(ev) = rx.recv().await {
        let b = match ev.kind {
            ReaderEventKind::Started { offset, watermarks } => {
                let total = (watermarks.high - offset).max(0) as u64;
                batch(Vec::new(), 0, Some(offset), total, false, None)
            }
            ReaderEventKind::Messages(msgs) => {
                matcher.prepare(&msgs).await;
                let mut hits = Vec::new();
                for (i, m) in msgs.iter().enumerate() {
                    if matcher.matches(m) {
                        hits.push(matcher.hit(m));
                    }
                    if (i + 1).is_multiple_of(PROGRESS_RECORDS as usize) {
                        tokio::task::yield_now().await;
                    }
                }
                let next = msgs.last().map(|m| m.offset + 1);
                batch(hits, msgs.len() as u64, next, 0, false, None)
            }
            ReaderEventKind::Finished { next } => batch(Vec::new(), 0, Some(next), 0, true, None),
            ReaderEventKind::Failed(e) => {
                let error = format!("partition {partition}: {e}");
                batch(Vec::new(), 0, None, 0, true, Some(error))
            }
            _ => continue,
        };
        let done = b.done;
        if tx.send(b).await.is_err() || done {
            return;
        }
    }
}
