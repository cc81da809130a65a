//! The TUI's merged view (all partitions in time order) against the real broker, with records
//! and timestamps written by librdkafka: the window pages forward and backward through the
//! topic, and the order seen across every edge of the window, both ways, is the one computed
//! here from what was produced (timestamp, partition, offset), never by kbrowse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use kbrowse::app::Effect;
use kbrowse::app::merged::{MergedLoaded, MergedPane, MergedStart};
use kbrowse::kafka::{Cluster, Isolation};
use std::sync::Arc;
use support::{TestRecord, connect, create_topic, produce, real_broker, unique};

const PARTS: i32 = 4;
const ROWS: usize = 7;

/// `per` records in each partition; timestamps step by 0–4 ms from `base` with a fixed
/// pseudo-random sequence, so partitions interleave and many times tie across partitions.
fn timed(per: i64, base: i64) -> Vec<TestRecord> {
    let mut out = Vec::new();
    let mut seed = 11u64;
    for p in 0..PARTS {
        let mut ts = base;
        for i in 0..per {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ts += ((seed >> 33) % 5) as i64;
            let mut r = TestRecord::kv(p, &format!("k{i}"), &format!("p{p}-{i}"));
            r.timestamp = Some(ts);
            out.push(r);
        }
    }
    out
}

/// (timestamp, partition, offset) of every record, sorted.
fn expected(records: &[TestRecord]) -> Vec<(i64, i32, i64)> {
    let mut out = Vec::new();
    for p in 0..PARTS {
        let mine = records.iter().filter(|r| r.partition == p);
        for (offset, r) in mine.enumerate() {
            out.push((r.timestamp.unwrap(), p, offset as i64));
        }
    }
    out.sort();
    out
}

fn recent() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    now - 3_600_000
}

/// Loads pages the way the TUI does, but by the fast way only: these topics are healthy, so
/// leaving a page to the per-partition readers would be a regression (and hide the fast
/// way's order behind the readers').
async fn drive(cluster: &Arc<Cluster>, pane: &mut MergedPane, mut fx: Option<Effect>) {
    while let Some(Effect::LoadMerged(req)) = fx {
        let chunks = kbrowse::tui::merged::load_fast(cluster, &req, Isolation::ReadCommitted)
            .await
            .expect("the page loads")
            .expect("the fast way reads the page");
        let answer = MergedLoaded {
            generation: req.generation,
            direction: req.direction,
            result: Ok(chunks),
            decoded: Vec::new(),
        };
        fx = pane.loaded(answer, ROWS);
    }
}

fn at(pane: &MergedPane) -> (i64, i32, i64) {
    let m = pane.selected().expect("a record is selected");
    (m.timestamp, m.partition, m.offset)
}

/// One row at a time until the selection stops: the records passed, the first included.
async fn walk(cluster: &Arc<Cluster>, pane: &mut MergedPane, delta: isize) -> Vec<(i64, i32, i64)> {
    let mut seen = vec![at(pane)];
    loop {
        let fx = pane.move_by(delta, ROWS);
        drive(cluster, pane, fx).await;
        let now = at(pane);
        if Some(&now) == seen.last() {
            return seen;
        }
        seen.push(now);
        assert!(pane.rows.len() <= pane.capacity());
        assert!(seen.len() < 100_000, "the walk never ends");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_merged_window_pages_both_ways_in_time_order_across_its_edges() {
    let Some(broker) = real_broker() else {
        return;
    };
    let topic = unique("merged-view");
    create_topic(&broker, &topic, PARTS, &[]);
    let base = recent();
    let records = timed(150, base);
    produce(&broker, &topic, "lz4", &records);
    check_both_ways(&broker, &topic, &records).await;
}

/// Values of 3,000 incompressible bytes: a partition's records no longer fit the first small
/// fetch (its batches are bigger than the bytes first asked), so pages take several rounds of
/// fetches that grow, and backward pages reach back in several steps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_records_page_both_ways_in_time_order_through_growing_fetches() {
    let Some(broker) = real_broker() else {
        return;
    };
    let topic = unique("merged-view-big");
    create_topic(&broker, &topic, PARTS, &[]);
    let mut records = timed(60, recent());
    let mut seed = 3u64;
    for r in &mut records {
        let v: String = (0..3000)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from(b'a' + ((seed >> 33) % 26) as u8)
            })
            .collect();
        r.value = Some(v.into_bytes());
    }
    produce(&broker, &topic, "none", &records);
    check_both_ways(&broker, &topic, &records).await;
}

async fn check_both_ways(broker: &str, topic: &str, records: &[TestRecord]) {
    let topic = topic.to_string();
    let all = expected(records);
    let mut rev = all.clone();
    rev.reverse();
    let cluster = connect(broker).await;
    // A window of 60 records, pages of 30: the 600 records cross its edges many times.
    let mut pane = MergedPane::new(topic.clone(), (0..PARTS).collect(), 60, 0);

    let fx = pane.jump(MergedStart::Beginning);
    drive(&cluster, &mut pane, Some(fx)).await;
    assert_eq!(
        walk(&cluster, &mut pane, 1).await,
        all,
        "down from the beginning"
    );
    assert_eq!(
        walk(&cluster, &mut pane, -1).await,
        rev,
        "back up to the beginning"
    );
    assert_eq!(walk(&cluster, &mut pane, 1).await, all, "down again");

    // G: each partition's last records, merged; then all the way up.
    let fx = pane.jump(MergedStart::End);
    drive(&cluster, &mut pane, Some(fx)).await;
    assert_eq!(at(&pane), *all.last().unwrap());
    assert_eq!(walk(&cluster, &mut pane, -1).await, rev, "up from the end");

    // A jump to a time starts every partition at its first record at or after it (ListOffsets
    // by timestamp); paging up from there reaches the records before it, in order.
    let t = all[all.len() / 2].0;
    let first = all.iter().position(|r| r.0 >= t).unwrap();
    let fx = pane.jump(MergedStart::Time(t));
    drive(&cluster, &mut pane, Some(fx)).await;
    assert_eq!(at(&pane), all[first]);
    let mut up = walk(&cluster, &mut pane, -1).await;
    up.reverse();
    assert_eq!(up, all[..=first], "up from the time");
    assert_eq!(walk(&cluster, &mut pane, 1).await, all, "down to the end");
}
