//! Loads a merged page. The fast way: every partition's start resolved in one ListOffsets per
//! broker (none when paging forward: the pane knows where each partition stopped), then
//! multi-partition Fetches, one per broker, small at first and repeated only for the
//! partitions the merge waits on. What it cannot do it leaves to the slow way: one reader
//! per partition, all at once, each read into a chunk.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use tokio::sync::mpsc;

use super::decode;
use super::scan::{FilteredRead, spawn_filtered};
use crate::app::Action;
use crate::app::merged::{
    Chunk, ChunkCollector, ChunkRequest, Direction, MergedLoaded, MergedRequest,
};
use crate::app::search::Query;
use crate::kafka::{Cluster, Error, Isolation, Message, PartitionReader, ReaderConfig, StartAt};
use crate::schema::Decoders;

pub use super::merged_fast::load_fast;

/// How long one page may take.
const LOAD_TIMEOUT: Duration = Duration::from_secs(15);
/// Bytes one page's fetch asks of a partition.
const PAGE_FETCH_BYTES: i32 = 256 << 10;
/// Doublings of a backward chunk's range that found no record (a compacted stretch).
const MAX_WIDEN: u32 = 20;

/// What a page load needs besides the cluster and the request.
pub struct LoadContext {
    /// Read committed or not.
    pub isolation: Isolation,
    /// The decoding state the table's values come from (None: the topic's bytes are shown
    /// as they are).
    pub decoding: Option<decode::Shared>,
    /// Makes the filter's decoder (a filter sees decoded keys and values, as `consume`).
    pub decoders: Option<Decoders>,
    /// The settings of a filter view's readers.
    pub config: ReaderConfig,
    /// Where a filter view's readers report their counts.
    pub actions: mpsc::UnboundedSender<Action>,
}

impl LoadContext {
    /// Pages of raw records, no filter counts kept (benchmarks, tests).
    pub fn plain(isolation: Isolation) -> LoadContext {
        LoadContext {
            isolation,
            decoding: None,
            decoders: None,
            config: ReaderConfig {
                isolation,
                ..ReaderConfig::default()
            },
            actions: mpsc::unbounded_channel().0,
        }
    }
}

/// Reads the page `req` asks for, and decodes its records off the UI thread.
pub async fn load(cluster: Arc<Cluster>, req: MergedRequest, ctx: LoadContext) -> MergedLoaded {
    let (generation, direction, isolation) = (req.generation, req.direction, ctx.isolation);
    let result = match req.filter.clone() {
        // A filter's page scans as far as it takes: Esc (a new request) stops it.
        Some(query) => load_filtered(&cluster, &req, &query, &ctx).await,
        None => {
            match tokio::time::timeout(LOAD_TIMEOUT, load_fast(&cluster, &req, isolation)).await {
                Ok(Ok(Some(chunks))) => Ok(chunks),
                Ok(Err(e)) => Err(e),
                Ok(Ok(None)) => {
                    tracing::info!(topic = %req.topic, "merged page: left to the partition readers");
                    load_slow(cluster, &req, isolation).await
                }
                Err(_) => Err(Error::TookTooLong {
                    what: "loading the merged page",
                    after: LOAD_TIMEOUT,
                }),
            }
        }
    };
    let decoded = match (&result, &ctx.decoding) {
        (Ok(chunks), Some(shared)) => {
            let mut state = shared.lock().await;
            let mut out = Vec::new();
            for c in chunks {
                let got = state.decode(&req.topic, &c.records).await;
                out.extend(got.into_iter().map(|(o, d)| ((c.partition, o), d)));
            }
            out
        }
        _ => Vec::new(),
    };
    MergedLoaded {
        generation,
        direction,
        result,
        decoded,
    }
}

/// A filter view's page: from each partition, the first (forward) or last (backward)
/// `req.count` matching records of its range, scanned by the filter stage the message pane
/// uses; a backward chunk reaches further back, doubling, until it has them or reaches the
/// beginning.
async fn load_filtered(
    cluster: &Arc<Cluster>,
    req: &MergedRequest,
    query: &Query,
    ctx: &LoadContext,
) -> Result<Vec<Chunk>, Error> {
    let reads = req.parts.iter().map(|part| async move {
        match req.direction {
            Direction::Forward => read_filtered(cluster, req, part, query, ctx).await,
            Direction::Backward => back_filtered(cluster, req, part.clone(), query, ctx).await,
        }
    });
    join_all(reads).await.into_iter().collect()
}

async fn back_filtered(
    cluster: &Arc<Cluster>,
    req: &MergedRequest,
    mut part: ChunkRequest,
    query: &Query,
    ctx: &LoadContext,
) -> Result<Chunk, Error> {
    let count = req.count.max(1);
    let mut step = count as i64;
    let mut kept: Vec<Message> = Vec::new();
    let mut whole: Option<Chunk> = None;
    loop {
        let mut c = read_filtered(cluster, req, &part, query, ctx).await?;
        let (start, low, exhausted) = (c.start, c.watermarks.low, c.exhausted);
        let mut records = std::mem::take(&mut c.records);
        records.append(&mut kept);
        kept = records;
        let w = whole.get_or_insert(c);
        w.start = start;
        w.exhausted = exhausted;
        let below = part.below.unwrap_or(w.end);
        if kept.len() >= count || exhausted || start >= below {
            break;
        }
        step = step.saturating_mul(2);
        part.start = StartAt::Resume(start.saturating_sub(step).max(low));
        part.below = Some(start);
    }
    let Some(mut w) = whole else {
        return Err(Error::TookTooLong {
            what: "loading the merged page",
            after: LOAD_TIMEOUT,
        });
    };
    let extra = kept.len().saturating_sub(count);
    if extra > 0 {
        kept.drain(..extra);
        w.exhausted = false;
        w.start = kept.first().map_or(w.start, |m| m.offset);
    }
    w.records = kept;
    Ok(w)
}

/// One partition's matches in one range: a filtered reader (as the message pane's filter view
/// has) into a chunk collector.
async fn read_filtered(
    cluster: &Arc<Cluster>,
    req: &MergedRequest,
    part: &ChunkRequest,
    query: &Query,
    ctx: &LoadContext,
) -> Result<Chunk, Error> {
    let config = ReaderConfig {
        generation: req.generation,
        ..ctx.config.clone()
    };
    let read = FilteredRead {
        topic: req.topic.clone(),
        partition: part.partition,
        start: part.start,
        until: match req.direction {
            Direction::Forward => None,
            Direction::Backward => part.below,
        },
        query: query.clone(),
    };
    let (tx, mut rx) = mpsc::channel(4);
    let decoder = ctx
        .decoders
        .as_ref()
        .and_then(|d| d.transforming(&req.topic));
    let (_reader, _stage) = spawn_filtered(
        cluster.clone(),
        config,
        read,
        decoder,
        tx,
        ctx.actions.clone(),
    );
    let mut collector = ChunkCollector::new(req.direction, part, req.count);
    while !collector.done() {
        let Some(ev) = rx.recv().await else { break };
        collector.push(ev.kind)?;
    }
    Ok(collector.finish())
}

/// The page read by one `PartitionReader` per partition, which recover from what the fast
/// way leaves to them (a moved log start, a lost leader, a batch bigger than its limit).
async fn load_slow(
    cluster: Arc<Cluster>,
    req: &MergedRequest,
    isolation: Isolation,
) -> Result<Vec<Chunk>, Error> {
    let direction = req.direction;
    let reads = req.parts.iter().map(|part| {
        read_chunk(
            cluster.clone(),
            req.topic.clone(),
            direction,
            part.clone(),
            req.count,
            isolation,
        )
    });
    match tokio::time::timeout(LOAD_TIMEOUT, join_all(reads)).await {
        Ok(chunks) => chunks.into_iter().collect(),
        Err(_) => Err(Error::TookTooLong {
            what: "loading the merged page",
            after: LOAD_TIMEOUT,
        }),
    }
}

/// One partition's chunk; a backward one that found no record in its range (and did not reach
/// the beginning) widens the range until it finds one.
pub(super) async fn read_chunk(
    cluster: Arc<Cluster>,
    topic: String,
    direction: Direction,
    mut part: ChunkRequest,
    count: usize,
    isolation: Isolation,
) -> Result<Chunk, Error> {
    let mut step = count.max(1) as i64;
    for _ in 0..MAX_WIDEN {
        let chunk = read_once(&cluster, &topic, direction, &part, count, isolation).await?;
        let (Direction::Backward, Some(below)) = (direction, part.below) else {
            return Ok(chunk);
        };
        if !chunk.records.is_empty() || chunk.exhausted {
            return Ok(chunk);
        }
        step = step.saturating_mul(2);
        part.start = StartAt::Resume(below.saturating_sub(step).max(0));
    }
    read_once(&cluster, &topic, direction, &part, count, isolation).await
}

async fn read_once(
    cluster: &Arc<Cluster>,
    topic: &str,
    direction: Direction,
    part: &ChunkRequest,
    count: usize,
    isolation: Isolation,
) -> Result<Chunk, Error> {
    // A page needs `count` records per partition, not the 8 MiB a streaming reader asks
    // for: smaller fetches decode far fewer records (the reader doubles the size for a
    // bigger batch).
    let config = ReaderConfig {
        isolation,
        capacity: 4,
        max_bytes: PAGE_FETCH_BYTES * 4,
        partition_max_bytes: PAGE_FETCH_BYTES,
        ..ReaderConfig::default()
    };
    let (_reader, mut rx) = PartitionReader::start(
        cluster.clone(),
        topic.to_string(),
        part.partition,
        part.start,
        config,
    );
    let mut collector = ChunkCollector::new(direction, part, count);
    while !collector.done() {
        let Some(ev) = rx.recv().await else { break };
        collector.push(ev.kind)?;
    }
    Ok(collector.finish())
}
