//! The TUI's costs (issue 4, target 3b): a whole frame drawn by `ui::draw` through a ratatui
//! `Terminal` on a `TestBackend` of 160x45 — the message pane over a window of 10,000
//! records of ~170-byte JSON values, and the detail view of one record as text, hex and JSON.
//!
//! Each frame is a `Terminal::draw` on a terminal kept between frames, as the runtime does:
//! the widgets are built and rendered into a fresh buffer, diffed against the previous one and
//! the difference written to the backend. The states are built through `App::update` only.
//!
//! Then the reader's part of a jump (target 3a), measured in-process and printed: a partition
//! of the librdkafka mock cluster holding `JUMP_RECORDS` records (~170-byte JSON values, lz4,
//! large batches); a `PartitionReader` started at `StartAt::Offset(random)`, timed from
//! `start` until its first `Messages` event arrives; p50/p99 over `JUMPS` jumps. Keypress to
//! frame is that plus `App::update` and one frame from the group above. Under `cargo test`
//! (no `--bench`) it runs on a small partition with a few jumps.
//!
//! Then `detail_100mib` (issue 9 §5): key -> frame p99 while a 100 MiB value is open in the
//! detail view, scrolled and resized (goal: under 16 ms). `cargo bench --bench tui detail_100mib`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, criterion_group};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kbrowse::app::{Action, App, Effect, PartitionRow, Screen, TopicRow, ValueView};
use kbrowse::kafka::{
    BatchInfo, ClientConfig, Cluster, Codec, Message, PartitionReader, ReaderConfig, ReaderEvent,
    ReaderEventKind, StartAt, TimestampType, Watermarks,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const W: u16 = 160;
const H: u16 = 45;
const WINDOW: usize = 10_000;
/// Offset of the window's first record: seven-digit offsets, as in a long partition.
const FIRST: i64 = 1_000_000;
const NOW: i64 = 1_764_000_000_000;

fn key(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A ~170-byte JSON value, like the ones `scripts/bench` produces.
fn value(i: i64) -> String {
    format!(
        r#"{{"id":{i},"customer":"c{:05}","sku":"SKU-{:06}","qty":{},"price":{}.{:02},"status":"paid","ts":"2026-11-24T10:00:00Z","note":"ok"}}"#,
        i * 7919 % 100_000,
        i * 104_729 % 1_000_000,
        i % 9,
        i % 100,
        i % 97
    )
}

fn record(offset: i64) -> Message {
    Message {
        partition: 0,
        offset,
        timestamp: NOW - 3_600_000 + offset,
        timestamp_type: TimestampType::CreateTime,
        key: Some(Bytes::from(format!("order-{offset}"))),
        value: Some(Bytes::from(value(offset))),
        headers: Vec::new(),
        batch: BatchInfo {
            base_offset: offset,
            last_offset: offset,
            codec: Codec::Lz4,
            transactional: false,
            producer_id: -1,
            producer_epoch: -1,
            leader_epoch: 0,
        },
    }
}

/// The message pane of `orders/0` just opened, waiting for its reader; and its generation.
fn opened_app() -> (App, u64) {
    let mut app = App::new("localhost:9092".into(), WINDOW, Box::new(|| NOW));
    app.update(Action::Resize(W, H));
    app.start(None);
    app.update(Action::TopicsLoaded(Ok(vec![TopicRow {
        name: "orders".into(),
        internal: false,
        partitions: 1,
        messages: Some(2 * FIRST),
    }])));
    app.update(key(KeyCode::Enter));
    app.update(Action::PartitionsLoaded {
        topic: "orders".into(),
        result: Ok(vec![PartitionRow {
            id: 0,
            leader: 1,
            replicas: vec![1],
            isr: vec![1],
            low: Some(0),
            high: Some(2 * FIRST),
        }]),
    });
    let generation = app
        .update(key(KeyCode::Enter))
        .iter()
        .find_map(|e| match e {
            Effect::StartReader { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("opening the partition starts a reader");
    (app, generation)
}

/// The reader's first events after a jump to `FIRST`: `Started`, then `records` records.
fn first_events(generation: u64, records: usize) -> Vec<ReaderEvent> {
    let ev = |kind| ReaderEvent {
        generation,
        partition: 0,
        kind,
    };
    let records = (FIRST..FIRST + records as i64).map(record).collect();
    vec![
        ev(ReaderEventKind::Started {
            offset: FIRST,
            watermarks: Watermarks {
                low: 0,
                high: 2 * FIRST,
            },
        }),
        ev(ReaderEventKind::Messages(records)),
    ]
}

/// The message pane of `orders/0` holding a full window, the cursor in its middle.
fn messages_app() -> App {
    let (mut app, generation) = opened_app();
    app.update(Action::Reader(first_events(generation, WINDOW)));
    let pane = app.messages.as_ref().expect("message pane");
    assert_eq!(pane.window.len(), WINDOW, "the window holds every record");
    for _ in 0..WINDOW / 2 / app.list_rows() {
        app.update(key(KeyCode::PageDown));
    }
    let pane = app.messages.as_ref().expect("message pane");
    assert!(pane.cursor.selected > WINDOW / 3 && pane.cursor.selected < WINDOW * 2 / 3);
    app
}

/// The detail view of the selected record in `view`.
fn detail_app(view: ValueView) -> App {
    let mut app = messages_app();
    app.update(key(KeyCode::Enter));
    assert_eq!(app.screen, Screen::Detail);
    while app.detail.as_ref().expect("detail").view != view {
        app.update(key(KeyCode::Char('x')));
    }
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(W, H)).expect("test terminal")
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frame_160x45");

    let app = messages_app();
    let mut t = terminal();
    g.bench_function("messages_10k_window", |b| {
        b.iter(|| {
            t.draw(|f| kbrowse::ui::draw(black_box(&app), f))
                .expect("draw");
        })
    });

    // A key press and the frame after it: the cursor moves one row (down, then back up), so
    // two rows of the screen change each frame.
    let mut app = messages_app();
    let mut t = terminal();
    let mut down = true;
    g.bench_function("messages_key_then_frame", |b| {
        b.iter(|| {
            let k = if down { KeyCode::Down } else { KeyCode::Up };
            down = !down;
            app.update(key(k));
            t.draw(|f| kbrowse::ui::draw(&app, f)).expect("draw");
        })
    });

    for (name, view) in [
        ("detail_text", ValueView::Text),
        ("detail_hex", ValueView::Hex),
        ("detail_json", ValueView::Json),
    ] {
        let app = detail_app(view);
        let mut t = terminal();
        g.bench_function(name, |b| {
            b.iter(|| {
                t.draw(|f| kbrowse::ui::draw(black_box(&app), f))
                    .expect("draw");
            })
        });
    }

    // Opening the detail view (Enter), cycling text -> hex -> JSON -> text (x x x) and closing
    // it (Esc), each key followed by its frame: the work done per record opened, the value
    // parsed and pretty-printed as JSON once.
    let mut app = messages_app();
    let mut t = terminal();
    g.bench_function("open_detail_cycle_views_close_5_frames", |b| {
        b.iter(|| {
            for k in [
                KeyCode::Enter,
                KeyCode::Char('x'),
                KeyCode::Char('x'),
                KeyCode::Char('x'),
                KeyCode::Esc,
            ] {
                app.update(key(k));
                t.draw(|f| kbrowse::ui::draw(&app, f)).expect("draw");
            }
            assert_eq!(app.screen, Screen::Messages);
        })
    });
    g.finish();

    // The state change between a jump's first `Messages` event and its frame: the pane just
    // opened takes `Started` and a first fetch of 13,000 records (the median first event in
    // `jump_latency`), of which the window keeps 10,000.
    let mut g = c.benchmark_group("jump");
    g.sample_size(20);
    g.bench_function("apply_first_13k_records", |b| {
        b.iter_batched(
            || {
                let (app, generation) = opened_app();
                (app, first_events(generation, 13_000))
            },
            |(mut app, events)| {
                app.update(Action::Reader(events));
                app
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// Records in the jump bench's partition, and jumps measured (full run, test run).
const JUMP_RECORDS: (i64, i64) = (1_000_000, 20_000);
const JUMPS: (usize, usize) = (100, 5);

/// A mock cluster with topic `jumps`, one partition of `n` records produced with lz4 in large
/// batches, as `examples/demo.rs` seeds its long topic.
fn seeded_mock(n: i64) -> support::Mock {
    let mock = support::Mock::new(1);
    mock.topic("jumps", 1);
    let p = support::bulk_producer(&mock.addr, "lz4");
    for i in 0..n {
        let v = value(i);
        let k = format!("order-{i}");
        let mut rec = rdkafka::producer::BaseRecord::to("jumps")
            .partition(0)
            .key(k.as_bytes())
            .payload(v.as_bytes());
        loop {
            match p.send(rec) {
                Ok(()) => break,
                Err((_, back)) => {
                    std::thread::sleep(Duration::from_millis(2));
                    rec = back;
                }
            }
        }
    }
    rdkafka::producer::Producer::flush(&p, Duration::from_secs(120)).expect("flush");
    mock
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Starts readers at random offsets and times each until its first `Messages` event.
fn jump_latency(full: bool) {
    let (n, jumps) = if full {
        (JUMP_RECORDS.0, JUMPS.0)
    } else {
        (JUMP_RECORDS.1, JUMPS.1)
    };
    let seeding = Instant::now();
    let mock = seeded_mock(n);
    let seeded = seeding.elapsed();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let cluster = Cluster::connect(ClientConfig::new(&mock.addr))
            .await
            .expect("connect");
        let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut started = Vec::with_capacity(jumps);
        let mut first = Vec::with_capacity(jumps);
        let mut sizes = Vec::with_capacity(jumps);
        let mut range = (0, 0);
        // Jumps over 50 ms: (offset, the previous jump's distance from the end of the log).
        let mut slow = Vec::new();
        let mut previous_to_end = 0;
        // One jump more than measured: the first opens the connection to the leader.
        for jump in 0..=jumps {
            // xorshift64: reproducible offsets without a dependency.
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let generation = jump as u64 + 1;
            let config = ReaderConfig {
                generation,
                ..ReaderConfig::default()
            };
            // Offsets within the log the mock keeps (it trims old segments of a big partition).
            let (low, high) = range;
            let (target, start) = if high > low {
                let t = low + (rng % (high - low) as u64) as i64;
                (t, StartAt::Offset(t))
            } else {
                (0, StartAt::Beginning)
            };
            let t0 = Instant::now();
            let (reader, mut rx) =
                PartitionReader::start(cluster.clone(), "jumps".into(), 0, start, config);
            let mut at_start = None;
            loop {
                let ev = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                    .await
                    .expect("an event within 30 s")
                    .expect("the reader sends until dropped");
                match ev.kind {
                    ReaderEventKind::Started { watermarks, .. } => {
                        at_start = Some(t0.elapsed());
                        range = (watermarks.low, watermarks.high);
                    }
                    ReaderEventKind::Messages(m) => {
                        let dt = t0.elapsed();
                        let offset = m.first().map_or(-1, |m| m.offset);
                        assert!(
                            jump == 0 || offset == target,
                            "jumped to {target}, got {offset}"
                        );
                        if jump > 0 {
                            if dt > Duration::from_millis(50) {
                                slow.push((target, previous_to_end));
                            }
                            started.push(at_start.unwrap_or(dt));
                            first.push(dt);
                            sizes.push(m.len());
                        }
                        break;
                    }
                    ReaderEventKind::Failed(e) => panic!("reader failed at {target}: {e}"),
                    _ => {}
                }
            }
            drop(reader);
            previous_to_end = range.1 - target;
        }
        started.sort();
        first.sort();
        sizes.sort();
        println!(
            "jump_latency: mock cluster, 1 partition of {n} records (~170-byte JSON, lz4), \
             kept {}..{}, seeded in {:.1} s; {jumps} jumps to random offsets",
            range.0,
            range.1,
            seeded.as_secs_f64()
        );
        for (name, d) in [("Started", &started), ("first Messages", &first)] {
            println!(
                "  reader start -> {name:<15} p50 {}  p99 {}  max {}",
                ms(percentile(d, 0.5)),
                ms(percentile(d, 0.99)),
                ms(*d.last().expect("jumps"))
            );
        }
        println!(
            "  over 50 ms: {} of {jumps}; the previous jump's distance from the end of the log \
             in each: {:?}",
            slow.len(),
            slow.iter().map(|s| s.1).collect::<Vec<_>>()
        );
        println!(
            "  records in the first Messages event: p50 {}  min {}  max {}",
            sizes[sizes.len() / 2],
            sizes[0],
            sizes[sizes.len() - 1]
        );
    });
}

/// Size of the large value of `detail_100mib` (full run, test run).
const LARGE: (usize, usize) = (100 << 20, 4 << 20);
/// Keys timed in `detail_100mib` (full run, test run).
const LARGE_KEYS: (usize, usize) = (2000, 520);

/// A log-like value of `size` bytes: lines of 60–200 characters, some with escapes.
fn large_value(size: usize) -> Bytes {
    let mut v = Vec::with_capacity(size + 256);
    let mut i = 0u64;
    while v.len() < size {
        use std::io::Write as _;
        let pad = 40 + (i * 7919 % 160) as usize;
        let _ = writeln!(
            v,
            "2026-11-24T10:00:{:02}.{:03}Z INFO request {i} \x1b[1mdone\x1b[0m {}",
            i % 60,
            i % 1000,
            "x".repeat(pad)
        );
        i += 1;
    }
    v.truncate(size);
    Bytes::from(v)
}

/// Key -> frame while a detail of a 100 MiB value is open, scrolled and resized: each sample
/// is `App::update` of one key (j, k, PgDn, PgUp, G, g, x) or resize, then one frame, as the
/// runtime does; background index jobs run on a thread as the runtime's blocking pool does,
/// their answers applied between keys. Prints p50/p99/max and when the whole index arrived.
fn detail_100mib(full: bool) {
    let (size, keys) = if full {
        (LARGE.0, LARGE_KEYS.0)
    } else {
        (LARGE.1, LARGE_KEYS.1)
    };
    let (mut app, generation) = opened_app();
    let mut events = first_events(generation, 100);
    if let ReaderEventKind::Messages(m) = &mut events[1].kind {
        m[0].value = Some(large_value(size));
    }
    app.update(Action::Reader(events));
    let (tx, rx) = std::sync::mpsc::channel();
    let jobs = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let spawn_jobs = |fx: Vec<Effect>| {
        for e in fx {
            if let Effect::BuildDetail(job) = e {
                use std::sync::atomic::Ordering;
                let seq = jobs.fetch_add(1, Ordering::Relaxed) + 1;
                let (jobs, tx) = (jobs.clone(), tx.clone());
                let t0 = Instant::now();
                std::thread::spawn(move || {
                    if let Some(built) = job.run(&|| jobs.load(Ordering::Relaxed) == seq) {
                        let _ = tx.send((built, t0.elapsed()));
                    }
                });
            }
        }
    };
    let mut t = terminal();
    let mut w = W;
    let t0 = Instant::now();
    let fx = app.update(key(KeyCode::Enter));
    spawn_jobs(fx);
    t.draw(|f| kbrowse::ui::draw(&app, f)).expect("draw");
    let open = t0.elapsed();
    assert_eq!(app.screen, Screen::Detail);
    let mut samples = Vec::with_capacity(keys);
    let mut built = Vec::new();
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    for i in 0..keys {
        while let Ok((b, took)) = rx.try_recv() {
            built.push(took);
            app.update(Action::DetailBuilt(b));
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Scrolling, with a burst of 20 resizes (a window dragged) every 500 keys.
        let action = if i % 500 >= 480 {
            w = if w == W { W - 37 } else { W };
            Action::Resize(w, if w == W { H } else { H - 6 })
        } else {
            match rng % 100 {
                0..45 => key(KeyCode::Char('j')),
                45..60 => key(KeyCode::Char('k')),
                60..75 => key(KeyCode::PageDown),
                75..85 => key(KeyCode::PageUp),
                85..91 => key(KeyCode::Char('G')),
                91..95 => key(KeyCode::Char('g')),
                _ => key(KeyCode::Char('x')),
            }
        };
        let t0 = Instant::now();
        if let Action::Resize(w, h) = action {
            t.backend_mut().resize(w, h);
        }
        let fx = app.update(action);
        spawn_jobs(fx);
        t.draw(|f| kbrowse::ui::draw(&app, f)).expect("draw");
        samples.push(t0.elapsed());
        // Keys a person types: a few per frame at most.
        std::thread::sleep(Duration::from_millis(2));
    }
    samples.sort();
    built.sort();
    println!(
        "detail_100mib: a {} MiB text value in the detail at {W}x{H}; Enter -> first frame {}; \
         {keys} keys (j k PgDn PgUp G g x; 20 resizes to {}x{} and back every 500), each key -> \
         frame: p50 {}  p99 {}  max {}; whole-value index jobs answered: {} (slowest {})",
        size >> 20,
        ms(open),
        W - 37,
        H - 6,
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().expect("samples")),
        built.len(),
        built.last().map_or("none".into(), |d| ms(*d)),
    );
}

criterion_group!(benches, frames);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes --bench; `cargo test` runs each bench once, on small inputs.
    let full = args.iter().any(|a| a == "--bench");
    let filter = args.iter().find(|a| !a.starts_with('-'));
    if filter.is_none_or(|f| "detail_100mib".contains(f.as_str())) {
        detail_100mib(full);
    }
    benches();
    if filter.is_none_or(|f| "jump_latency".contains(f.as_str())) {
        jump_latency(full);
    }
    Criterion::default().configure_from_args().final_summary();
}
