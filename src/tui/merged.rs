//! Loads a merged page. The fast way: every partition's start resolved in one ListOffsets per
//! broker (none when paging forward: the pane knows where each partition stopped), then
//! multi-partition Fetches, one per broker, small at first and repeated only for the
//! partitions the merge waits on. What it cannot do it leaves to the slow way: one reader
//! per partition, all at once, each read into a chunk.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;

use crate::app::merged::{
    Chunk, ChunkCollector, ChunkRequest, Direction, MergedLoaded, MergedRequest,
};
use crate::kafka::{Cluster, Error, Isolation, PartitionReader, ReaderConfig, StartAt};

pub use super::merged_fast::load_fast;

/// How long one page may take.
const LOAD_TIMEOUT: Duration = Duration::from_secs(15);
/// Bytes one page's fetch asks of a partition.
const PAGE_FETCH_BYTES: i32 = 256 << 10;
/// Doublings of a backward chunk's range that found no record (a compacted stretch).
const MAX_WIDEN: u32 = 20;

/// Reads the page `req` asks for.
pub async fn load(cluster: Arc<Cluster>, req: MergedRequest, isolation: Isolation) -> MergedLoaded {
    let (generation, direction) = (req.generation, req.direction);
    let result =
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
        };
    MergedLoaded {
        generation,
        direction,
        result,
    }
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
async fn read_chunk(
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
