//! The merged view's search: the next (or previous) match in merged time order. Every
//! partition is read from where it stands after the selected record — forward by partition
//! readers to the end of the log, backward a page at a time — through the same exact k-way
//! merge as `consume --merge time` (`kafka::merge`), and the records are matched in the order
//! the merge gives them, with the message pane's matcher. So the match found is the one the
//! view would show next, whatever the timestamps, and the partitions' positions at the match
//! are known: the view's page is read from there.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::merged::read_chunk;
use super::scan::{AbortAll, ScanMatcher};
use crate::app::Action;
use crate::app::merged::{ChunkRequest, Direction};
use crate::app::search::{MergedSearchJob, SearchReport};
use crate::kafka::merge::{self, TimeMerge};
use crate::kafka::{
    Cluster, Isolation, PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind, StartAt,
};
use crate::schema::RecordDecoder;

/// How often the scan reports its progress.
const REPORT_EVERY: Duration = Duration::from_millis(100);
/// Records between two looks at the clock.
const PROGRESS_RECORDS: u64 = 4096;
/// Records a backward page reads of one partition.
const BACK_PAGE: usize = 1000;

/// Runs a merged search; its answer comes as `Action::Search`. Aborting the task stops the
/// readers (their handles and the merge's channels go with it).
pub fn spawn_merged_search(
    cluster: Arc<Cluster>,
    config: ReaderConfig,
    job: MergedSearchJob,
    decoder: Option<RecordDecoder>,
    actions: mpsc::UnboundedSender<Action>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let id = job.id;
        let matcher = ScanMatcher::searching(&job.query, job.within.as_ref(), &job.topic, decoder);
        let report = scan(&cluster, &config, &job, matcher, &actions).await;
        let _ = actions.send(Action::Search { id, report });
    })
}

async fn scan(
    cluster: &Arc<Cluster>,
    config: &ReaderConfig,
    job: &MergedSearchJob,
    mut matcher: ScanMatcher,
    actions: &mpsc::UnboundedSender<Action>,
) -> SearchReport {
    let parts: Vec<i32> = job.at.iter().map(|a| a.0).collect();
    let now = Instant::now();
    let merge = if job.backward {
        TimeMerge::backward(&parts, now)
    } else {
        TimeMerge::new(&parts, None, now)
    };
    let (tx, mut rx) = mpsc::channel(config.capacity.max(1));
    let senders = merge::spawn(merge, config.capacity, tx);
    let mut readers = Vec::new();
    // The backward page readers end with the scan.
    let mut pages = AbortAll(Vec::new());
    for (&(partition, at), sender) in job.at.iter().zip(senders) {
        if job.backward {
            pages.0.push(tokio::spawn(read_back(
                cluster.clone(),
                job.topic.clone(),
                partition,
                at,
                config.isolation,
                sender,
            )));
        } else {
            let config = ReaderConfig {
                stop_at_end: true,
                ..config.clone()
            };
            readers.push(PartitionReader::spawn(
                cluster.clone(),
                job.topic.clone(),
                partition,
                StartAt::Resume(at),
                config,
                sender,
            ));
        }
    }
    // Forward: each partition's next offset; backward: its first record after the one the
    // merge is at. Either way where a forward page starts for the match to come first.
    let mut pos: HashMap<i32, i64> = job.at.iter().copied().collect();
    let mut scanned = 0u64;
    let mut reported = Instant::now();
    let mut reached = 0i64;
    // The merge passes each partition's end on once its records are out; the merge stops
    // polling an ended reader, so the ends are counted here.
    let mut ended = 0usize;
    while let Some(ev) = rx.recv().await {
        let msgs = match ev.kind {
            ReaderEventKind::Messages(msgs) => msgs,
            ReaderEventKind::Failed(e) => {
                return SearchReport::Failed(format!("partition {}: {e}", ev.partition));
            }
            ReaderEventKind::Finished { .. } => {
                ended += 1;
                if ended >= parts.len() {
                    break;
                }
                continue;
            }
            _ => continue,
        };
        matcher.prepare(&msgs).await;
        for m in &msgs {
            scanned += 1;
            reached = m.timestamp;
            if matcher.matches(m) {
                pos.insert(m.partition, m.offset);
                return SearchReport::FoundMerged {
                    partition: m.partition,
                    offset: m.offset,
                    at: parts
                        .iter()
                        .map(|p| (*p, pos.get(p).copied().unwrap_or(0)))
                        .collect(),
                    scanned,
                };
            }
            pos.insert(
                m.partition,
                if job.backward { m.offset } else { m.offset + 1 },
            );
            if scanned.is_multiple_of(PROGRESS_RECORDS) {
                tokio::task::yield_now().await;
            }
        }
        if reported.elapsed() >= REPORT_EVERY {
            reported = Instant::now();
            let _ = actions.send(Action::Search {
                id: job.id,
                report: SearchReport::Progress { scanned, reached },
            });
        }
    }
    drop(readers);
    SearchReport::NotFound { scanned, reached }
}

/// One partition's records before `below`, latest first, a page at a time, then `Finished`.
async fn read_back(
    cluster: Arc<Cluster>,
    topic: String,
    partition: i32,
    mut below: i64,
    isolation: Isolation,
    tx: mpsc::Sender<ReaderEvent>,
) {
    let event = |kind| ReaderEvent {
        generation: 0,
        partition,
        kind,
    };
    loop {
        let part = ChunkRequest {
            partition,
            start: StartAt::Resume(below.saturating_sub(BACK_PAGE as i64).max(0)),
            below: Some(below),
        };
        let read = read_chunk(
            cluster.clone(),
            topic.clone(),
            Direction::Backward,
            part,
            BACK_PAGE,
            isolation,
        );
        let chunk = match read.await {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(event(ReaderEventKind::Failed(e))).await;
                return;
            }
        };
        let next = chunk.records.first().map_or(chunk.start, |m| m.offset);
        let mut records = chunk.records;
        records.reverse();
        if !records.is_empty()
            && tx
                .send(event(ReaderEventKind::Messages(records)))
                .await
                .is_err()
        {
            return;
        }
        if chunk.exhausted || next >= below {
            let _ = tx.send(event(ReaderEventKind::Finished { next })).await;
            return;
        }
        below = next;
    }
}
