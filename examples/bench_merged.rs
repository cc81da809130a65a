//! `bench_merged ADDR TOPIC [SAMPLES]`: the merged view's load latency on a real topic (issue
//! 13 §1): a jump to a random time (every partition's ListOffsets and first fetch, in
//! parallel, then the merge), and scrolling past the window's top and bottom edges (the
//! neighbouring page read from every partition and merged). Measured in-process around the
//! page load and its merge into the window (the draw after it is benches/tui.rs's frame
//! cost). Prints `ROW<TAB>measure<TAB>kbrowse<TAB>reference<TAB>ratio` lines for scripts/bench.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use kbrowse::app::Effect;
use kbrowse::app::merged::{MergedPane, MergedStart};
use kbrowse::kafka::{ClientConfig, Cluster, Isolation};

const ROWS: usize = 40;
const GOAL_MS: f64 = 50.0;

async fn drive(cluster: &Arc<Cluster>, pane: &mut MergedPane, mut fx: Option<Effect>) {
    while let Some(Effect::LoadMerged(req)) = fx {
        let ctx = kbrowse::tui::merged::LoadContext::plain(Isolation::ReadCommitted);
        let answer = kbrowse::tui::merged::load(cluster.clone(), req, ctx).await;
        fx = pane.loaded(answer, ROWS);
    }
}

fn summary(samples: &mut [Duration]) -> (f64, f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        ms(samples[i])
    };
    (at(0.50), at(0.99), ms(*samples.last().unwrap()))
}

fn latency_row(measure: &str, samples: &mut [Duration]) {
    let n = samples.len();
    let (p50, p99, max) = summary(samples);
    println!(
        "ROW\t{measure} (n={n})\tp50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms\tp99 < {GOAL_MS} ms\t{:.2}×",
        p99 / GOAL_MS
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (addr, topic) = (&args[1], args[2].clone());
    let samples: usize = args.get(3).map_or(100, |s| s.parse().unwrap());
    let cluster = Cluster::connect(ClientConfig::new(addr)).await.unwrap();
    let info = cluster.topic(&topic).await.unwrap();
    let ids: Vec<i32> = info.partitions.iter().map(|p| p.id).collect();
    let mut pane = MergedPane::new(topic.clone(), ids.clone(), 10_000, 0);
    // The topic's time range: its first and last records.
    let fx = pane.jump(MergedStart::Beginning);
    drive(&cluster, &mut pane, Some(fx)).await;
    let first = pane.rows.front().unwrap().timestamp;
    let fx = pane.jump(MergedStart::End);
    drive(&cluster, &mut pane, Some(fx)).await;
    let last = pane.rows.back().unwrap().timestamp;
    let total: i64 = pane.watermarks.values().map(|w| w.count()).sum();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut jumps, mut up, mut down) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let t = first + (next() % (last - first).max(1) as u64) as i64;
        let t0 = Instant::now();
        let fx = pane.jump(MergedStart::Time(t));
        drive(&cluster, &mut pane, Some(fx)).await;
        jumps.push(t0.elapsed());
        // Past the top: the page before the window, read backwards in every partition.
        if pane.rows.len() > 1 {
            let t0 = Instant::now();
            let fx = pane.move_by(-1, ROWS);
            if fx.is_some() {
                drive(&cluster, &mut pane, fx).await;
                up.push(t0.elapsed());
            }
        }
        // Past the bottom: the next page.
        let len = pane.rows.len() as isize;
        let at = pane.cursor.selected as isize;
        let t0 = Instant::now();
        let fx = pane.move_by(len - at, ROWS);
        if fx.is_some() {
            drive(&cluster, &mut pane, fx).await;
            down.push(t0.elapsed());
        }
    }
    let what = format!("{} partitions, {total} records", ids.len());
    latency_row(
        &format!("merged view: jump to a random time, {what}"),
        &mut jumps,
    );
    if !up.is_empty() {
        latency_row(
            &format!("merged view: scroll past the window's top, {what}"),
            &mut up,
        );
    }
    if !down.is_empty() {
        latency_row(
            &format!("merged view: scroll past the window's bottom, {what}"),
            &mut down,
        );
    }
}
