//! Scans for the message pane, in tokio tasks that report through channels: the filter
//! view's reader (only matching records reach the pane) and the search for the next or
//! previous match. The UI loop only receives their results.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::Action;
use crate::app::search::{Query, SearchJob, SearchReport};
use crate::kafka::{Cluster, PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind, StartAt};

/// How often a scan reports its progress.
const REPORT_EVERY: Duration = Duration::from_millis(100);
/// The first backward page of a search, in offsets; each further page is twice as big.
const FIRST_BACK_PAGE: i64 = 1_000;
/// The biggest backward page.
const MAX_BACK_PAGE: i64 = 200_000;

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
    let matcher = read.query.matcher(&read.topic);
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
    matcher: crate::app::search::QueryMatcher,
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
                    let n = msgs.len() as u64;
                    let reached = msgs.last().map_or(self.counts.2, |m| m.offset + 1);
                    msgs.retain(|m| self.matcher.matches(m));
                    self.counts.0 += n;
                    self.counts.1 += msgs.len() as u64;
                    self.counts.2 = reached;
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
        if !now && self.reported.elapsed() < REPORT_EVERY {
            return;
        }
        if self.counts.0 == 0 && self.counts.1 == 0 {
            return;
        }
        self.reported = Instant::now();
        let (scanned, matched, reached) = self.counts;
        self.counts = (0, 0, reached);
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
    actions: mpsc::UnboundedSender<Action>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let id = job.id;
        let mut scan = SearchScan {
            matcher: job.query.matcher(&job.topic),
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
    matcher: crate::app::search::QueryMatcher,
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
                    for m in &msgs {
                        self.scanned += 1;
                        if self.matcher.matches(m) {
                            return SearchReport::Found {
                                offset: m.offset,
                                scanned: self.scanned,
                            };
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
                        for m in msgs.iter().take_while(|m| m.offset < until) {
                            self.scanned += 1;
                            if self.matcher.matches(m) {
                                found = Some(m.offset);
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
