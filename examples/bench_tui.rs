//! Whole-program TUI measurements for `scripts/bench`: the release binary runs in a
//! pseudo-terminal (160×45), keys are written to it, and a thread parses what it draws
//! (vt100); each latency runs from the write of the key to the parse of the first screen that
//! shows its result.
//!
//!   bench_tui jumps ADDR [TOPIC] [RECORDS] [SAMPLES]   offset, time, End/Home jumps and
//!       scrolling past the loaded window's edge, in a partition of RECORDS (default 10,000,000;
//!       produced once with librdkafka, lz4, ~170-byte JSON values, timestamps 1 ms apart;
//!       reused when the topic already holds exactly that many).
//!   bench_tui follow ADDR [RECORDS]   follows a new partition while librdkafka produces
//!       RECORDS (default 3,000,000; more until 100 keys were timed) at full speed: peak RSS,
//!       CPU, keypress→frame latency.
//!   bench_tui keys ADDR [SAMPLES] [TOPIC]   keypress→frame on an idle topic list, and in
//!       TOPIC's loaded message pane: the baseline of the latencies above.
//!   bench_tui schema ADDR AVRO_TOPIC REGISTRY_URL [RECORDS]   follows a new partition through
//!       the registry while AVRO_TOPIC's Avro values are produced again at full speed
//!       (RECORDS, default 1,000,000; more until 100 keys each were timed): table and
//!       detail keypress→frame latency (examples/bench_tui/schema.rs).
//!   bench_tui startup ADDR [TOPICS] [RUNS]   spawn → first drawn topic list; on a real broker
//!       first tops the cluster up to TOPICS topics (default 1,000).
//!
//! Results go to stdout as `ROW<TAB>measure<TAB>kbrowse<TAB>reference<TAB>ratio` lines;
//! progress goes to stderr. The binary is `target/release/kbrowse` or `$KBROWSE_BIN`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[path = "../tests/support/producers.rs"]
mod producers;
#[path = "bench_tui/schema.rs"]
mod schema;

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};

const ROWS: u16 = 45;
const COLS: u16 = 160;
const WAIT: Duration = Duration::from_secs(60);

type Probe = Box<dyn FnMut(&vt100::Screen) -> bool + Send>;

#[derive(Default)]
struct Watch {
    probe: Option<Probe>,
    hit: Option<Instant>,
}

struct Shared {
    parser: vt100::Parser,
    watch: Watch,
    eof: bool,
}

/// kbrowse in a pseudo-terminal, its screen parsed as it arrives.
struct Term {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

fn kbrowse_bin() -> String {
    std::env::var("KBROWSE_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/kbrowse").into())
}

impl Term {
    /// Spawns kbrowse with `args`; `probe`, if any, is watched from the first byte on.
    fn spawn(args: &[&str], probe: Option<Probe>) -> (Term, Instant) {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(kbrowse_bin());
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        let shared = Arc::new((
            Mutex::new(Shared {
                parser: vt100::Parser::new(ROWS, COLS, 0),
                watch: Watch { probe, hit: None },
                eof: false,
            }),
            Condvar::new(),
        ));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let feed = shared.clone();
        let t0 = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("spawn kbrowse");
        drop(pair.slave);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let now = Instant::now();
                let (lock, cv) = &*feed;
                let mut s = lock.lock().unwrap();
                if n == 0 {
                    s.eof = true;
                    cv.notify_all();
                    return;
                }
                s.parser.process(&buf[..n]);
                let Shared { parser, watch, .. } = &mut *s;
                if let Some(p) = watch.probe.as_mut()
                    && p(parser.screen())
                {
                    watch.probe = None;
                    watch.hit = Some(now);
                    cv.notify_all();
                }
            }
        });
        let writer = pair.master.take_writer().expect("pty writer");
        (
            Term {
                shared,
                writer,
                child,
                _master: pair.master,
            },
            t0,
        )
    }

    /// Waits for the watched probe to hold; the instant the screen first satisfied it.
    fn wait_hit(&self, what: &str) -> Instant {
        let (lock, cv) = &*self.shared;
        let deadline = Instant::now() + WAIT;
        let mut s = lock.lock().unwrap();
        loop {
            if let Some(t) = s.watch.hit.take() {
                return t;
            }
            let now = Instant::now();
            if now >= deadline || s.eof {
                let text = s.parser.screen().contents();
                panic!("bench_tui: timed out waiting for {what}; the screen:\n{text}");
            }
            s = cv.wait_timeout(s, deadline - now).unwrap().0;
        }
    }

    /// Writes `keys` and returns the time until the screen first satisfies `check`, which
    /// must not hold before.
    fn latency(
        &mut self,
        keys: &str,
        what: &str,
        check: impl FnMut(&vt100::Screen) -> bool + Send + 'static,
    ) -> Duration {
        let mut check: Probe = Box::new(check);
        {
            let mut s = self.shared.0.lock().unwrap();
            assert!(
                !check(s.parser.screen()),
                "bench_tui: {what} holds before the keys; the screen:\n{}",
                s.parser.screen().contents()
            );
            s.watch = Watch {
                probe: Some(check),
                hit: None,
            };
        }
        let t0 = Instant::now();
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        self.wait_hit(what) - t0
    }

    /// Writes `keys` and waits until `check` holds (now or later), without timing it.
    fn keys_until(
        &mut self,
        keys: &str,
        what: &str,
        check: impl FnMut(&vt100::Screen) -> bool + Send + 'static,
    ) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        self.until(what, check);
    }

    fn until(&mut self, what: &str, check: impl FnMut(&vt100::Screen) -> bool + Send + 'static) {
        let mut check: Probe = Box::new(check);
        {
            let mut s = self.shared.0.lock().unwrap();
            if check(s.parser.screen()) {
                return;
            }
            s.watch = Watch {
                probe: Some(check),
                hit: None,
            };
        }
        self.wait_hit(what);
    }

    fn screen(&self) -> vt100::Screen {
        self.shared.0.lock().unwrap().parser.screen().clone()
    }

    fn pid(&self) -> u32 {
        self.child.process_id().expect("kbrowse pid")
    }

    fn quit(mut self) {
        let _ = self.writer.write_all(b"q");
        let _ = self.writer.flush();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
    }
}

/// The offsets of the message table's rows, top to bottom.
fn table_offsets(screen: &vt100::Screen) -> Vec<i64> {
    screen
        .contents()
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix('│')?.trim_start();
            l.split(' ').next()?.parse().ok()
        })
        .collect()
}

fn first_row(screen: &vt100::Screen) -> Option<i64> {
    table_offsets(screen).first().copied()
}

fn status_line(screen: &vt100::Screen) -> String {
    screen.contents().lines().last().unwrap_or("").to_string()
}

fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A small deterministic generator (xorshift64*), so runs pick the same positions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Milliseconds: p50, p99 and max.
fn summary(samples: &mut [Duration]) -> (f64, f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        ms(samples[i])
    };
    (at(0.50), at(0.99), ms(*samples.last().unwrap()))
}

fn row(measure: &str, kbrowse: &str, reference: &str, ratio: &str) {
    println!("ROW\t{measure}\t{kbrowse}\t{reference}\t{ratio}");
}

/// One latency row against a p99 goal in ms.
fn latency_row(measure: &str, samples: &mut [Duration], goal_ms: f64) {
    let n = samples.len();
    let (p50, p99, max) = summary(samples);
    row(
        &format!("{measure} (n={n})"),
        &format!("p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms"),
        &format!("p99 < {goal_ms} ms"),
        &format!("{:.2}×", p99 / goal_ms),
    );
}

fn admin(addr: &str) -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", addr)
        .create()
        .expect("admin client")
}

fn create_topics(addr: &str, names: &[String]) {
    let admin = admin(addr);
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(60)));
    for chunk in names.chunks(200) {
        let topics: Vec<NewTopic> = chunk
            .iter()
            .map(|n| NewTopic::new(n, 1, TopicReplication::Fixed(1)))
            .collect();
        let results = futures::executor::block_on(admin.create_topics(&topics, &opts))
            .expect("create_topics");
        for r in results {
            if let Err((name, e)) = r {
                panic!("bench_tui: cannot create {name}: {e}");
            }
        }
    }
}

fn delete_topic(addr: &str, name: &str) {
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(60)));
    let _ = futures::executor::block_on(admin(addr).delete_topics(&[name], &opts));
    std::thread::sleep(Duration::from_secs(2));
}

fn consumer(addr: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", addr)
        .set("group.id", "bench-tui")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer")
}

/// The partition's (low, high) watermarks, or None when the topic does not exist.
fn watermarks(addr: &str, topic: &str) -> Option<(i64, i64)> {
    let c = consumer(addr);
    let md = c
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .ok()?;
    let t = md.topics().first()?;
    if t.error().is_some() || t.partitions().is_empty() {
        return None;
    }
    c.fetch_watermarks(topic, 0, Duration::from_secs(10)).ok()
}

fn topic_count(addr: &str) -> usize {
    consumer(addr)
        .fetch_metadata(None, Duration::from_secs(30))
        .expect("metadata")
        .topics()
        .len()
}

fn producer(addr: &str) -> ThreadedProducer<DefaultProducerContext> {
    producers::bulk_producer(addr, "lz4").expect("producer")
}

/// A ~170-byte JSON value, as `scripts/bench` produces them, into `out`.
fn value(i: u64, rng: &mut Rng, out: &mut String) {
    use std::fmt::Write as _;
    out.clear();
    let status = ["new", "paid", "shipped"][rng.below(3) as usize];
    let _ = write!(
        out,
        "{{\"id\": {i}, \"customer\": \"c{:05}\", \"sku\": \"SKU-{:06}\", \"qty\": {}, \
         \"price\": {}.{:02}, \"status\": \"{status}\", \"ts\": \"2026-11-24T10:00:00Z\"}}",
        rng.below(100_000),
        rng.below(1_000_000),
        1 + rng.below(8),
        rng.below(100),
        rng.below(100),
    );
    let pad = 170usize.saturating_sub(out.len());
    out.extend(std::iter::repeat_n(' ', pad));
}

/// Produces `n` records to partition 0 of `topic`; timestamps `base + i` ms when given.
/// Goes on past `n` until `more` turns false, when given; returns the time and the count.
/// Sends `rec`, waiting while the producer's queue is full.
fn send<K: rdkafka::message::ToBytes + ?Sized, V: rdkafka::message::ToBytes + ?Sized>(
    p: &ThreadedProducer<DefaultProducerContext>,
    mut rec: BaseRecord<'_, K, V>,
) {
    loop {
        match p.send(rec) {
            Ok(()) => return,
            Err((e, back)) => {
                assert!(
                    matches!(
                        e.rdkafka_error_code(),
                        Some(rdkafka::types::RDKafkaErrorCode::QueueFull)
                    ),
                    "bench_tui: produce failed: {e}"
                );
                std::thread::sleep(Duration::from_millis(2));
                rec = back;
            }
        }
    }
}

fn produce(
    addr: &str,
    topic: &str,
    n: u64,
    base: Option<i64>,
    more: Option<&AtomicBool>,
) -> (Duration, u64) {
    let p = producer(addr);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t0 = Instant::now();
    let (mut key, mut val) = (String::new(), String::new());
    let mut i = 0;
    while i < n || more.is_some_and(|m| m.load(Ordering::Relaxed)) {
        use std::fmt::Write as _;
        key.clear();
        let _ = write!(key, "k{i}");
        value(i, &mut rng, &mut val);
        let mut rec = BaseRecord::to(topic).partition(0).key(&key).payload(&val);
        if let Some(b) = base {
            rec = rec.timestamp(b + i as i64);
        }
        send(&p, rec);
        if i % 1_000_000 == 999_999 {
            eprintln!("bench_tui: produced {} records", i + 1);
        }
        i += 1;
    }
    p.flush(Duration::from_secs(600)).expect("flush");
    (t0.elapsed(), i)
}

fn first_timestamp(addr: &str, topic: &str) -> i64 {
    use rdkafka::Message;
    use rdkafka::{Offset, TopicPartitionList};
    let c = consumer(addr);
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    c.assign(&tpl).unwrap();
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(500)) {
            assert_eq!(m.offset(), 0, "bench_tui: {topic} does not start at 0");
            return m.timestamp().to_millis().expect("a timestamp");
        }
    }
    panic!("bench_tui: cannot read the first record of {topic}");
}

/// Makes `topic` hold exactly `records` records with timestamps 1 ms apart; their base.
fn seed(addr: &str, topic: &str, records: u64) -> i64 {
    match watermarks(addr, topic) {
        Some((0, high)) if high == records as i64 => {
            eprintln!("bench_tui: reusing {topic} ({records} records)");
        }
        found => {
            if found.is_some() {
                eprintln!("bench_tui: {topic} holds {found:?}, recreating it");
                delete_topic(addr, topic);
            }
            create_topics(addr, &[topic.to_string()]);
            // In the past: brokers refuse timestamps more than an hour ahead.
            let now = chrono::Utc::now().timestamp_millis();
            let base = now - records as i64 - 3_600_000;
            eprintln!("bench_tui: producing {records} records to {topic}");
            let (took, _) = produce(addr, topic, records, Some(base), None);
            eprintln!("bench_tui: produced in {:.1} s", took.as_secs_f64());
        }
    }
    first_timestamp(addr, topic)
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn jumps(addr: &str, args: &[String]) {
    let topic: String = arg(args, 0, "bench-10m".to_string());
    let records: u64 = arg(args, 1, 10_000_000);
    let samples: usize = arg(args, 2, 100);
    let base = seed(addr, &topic, records);
    let n = records as i64;
    let (mut term, _) = Term::spawn(&["-b", addr, &topic], None);
    let total = thousands(n);
    term.until("the partition list", move |s| {
        let t = s.contents();
        t.contains("Leader") && t.contains(&total)
    });
    term.keys_until("\r", "the first records", |s| {
        first_row(s) == Some(0) && status_line(s).contains("offsets")
    });

    let pid = term.pid();
    let (cpu0, wait0) = (cpu_seconds(pid), run_delay(pid));
    let (mut offset, mut time, mut edge, mut down, mut end, mut home) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut rng = Rng(42);
    let page = 5_000i64; // half the default window of 10,000
    for i in 0..samples {
        // An offset jump, far enough from both ends to page before it afterwards.
        let target = page * 2 + rng.below((n - 4 * page) as u64) as i64;
        term.keys_until("o", "the offset prompt", |s| {
            s.contents().contains("Jump to offset")
        });
        let typed = target.to_string();
        term.keys_until(&typed.clone(), "the typed offset", move |s| {
            s.contents().contains(&typed)
        });
        offset.push(term.latency("\r", "the offset jump", move |s| {
            first_row(s) == Some(target) && !s.contents().contains("Jump to offset")
        }));
        // Scrolling past the top of the window once it is loaded: k on the top row loads the
        // page before it and, once it lands, shows the record before.
        let full = format!(
            "offsets {}–{}",
            thousands(target),
            thousands(target + 2 * page - 1)
        );
        term.until("the window filled", move |s| {
            let st = status_line(s);
            st.contains(&full) && st.contains("paused")
        });
        edge.push(
            term.latency("k", "the record before the jump target", move |s| {
                first_row(s) == Some(target - 1)
            }),
        );
        // A time jump: record k has timestamp base + k.
        let k = rng.below((n - 4 * page) as u64) as i64;
        term.keys_until("t", "the time prompt", |s| {
            s.contents().contains("Jump to time")
        });
        let typed = rfc3339(base + k);
        term.keys_until(&typed.clone(), "the typed time", move |s| {
            s.contents().contains(&typed)
        });
        time.push(term.latency("\r", "the time jump", move |s| {
            first_row(s) == Some(k) && !s.contents().contains("Jump to time")
        }));
        // Scrolling past the bottom of the loaded window: PageDown and j to one screen above
        // its last row (nothing loads yet), then PageDown and j past it.
        let full = format!("offsets {}–{}", thousands(k), thousands(k + 2 * page - 1));
        term.until("the window filled", move |s| {
            let st = status_line(s);
            st.contains(&full) && st.contains("paused")
        });
        let rows = table_offsets(&term.screen()).len();
        let len = 2 * page as usize;
        let target_row = len - rows - 1;
        // Two writes: crossterm 0.28 reads the tty 1,024 bytes at a time and, the fd being
        // edge-triggered, leaves the rest of a longer burst unread until the next input.
        let pages = target_row / rows;
        let at = format!(
            " {} / {} ",
            thousands((pages * rows) as i64 + 1),
            thousands(len as i64)
        );
        term.keys_until(&"\x1b[6~".repeat(pages), "paged down", move |s| {
            s.contents().contains(&at)
        });
        let at = format!(
            " {} / {} ",
            thousands(target_row as i64 + 1),
            thousands(len as i64)
        );
        term.keys_until(
            &"j".repeat(target_row % rows),
            "one screen above the window's last row",
            move |s| s.contents().contains(&at),
        );
        // PageDown to the last row starts loading the page after; the j right behind it is
        // made once that page lands.
        let last = k + 2 * page;
        down.push(
            term.latency("\x1b[6~j", "the record after the window", move |s| {
                table_offsets(s).contains(&last)
            }),
        );
        // End, then Home.
        end.push(term.latency("G", "the last record", move |s| {
            table_offsets(s).last() == Some(&(n - 1))
        }));
        home.push(term.latency("g", "the first record", |s| first_row(s) == Some(0)));
        if (i + 1) % 10 == 0 {
            eprintln!("bench_tui: {} jump samples", i + 1);
        }
    }
    let (cpu, wait) = (cpu_seconds(pid) - cpu0, run_delay(pid) - wait0);
    term.quit();
    let what = format!("{} records", thousands(n));
    row(
        "TUI jumps, per sample (9 key writes, 6 window loads): kbrowse CPU; runnable, waiting for a CPU",
        &format!(
            "{:.1} ms CPU; {:.1} ms waiting",
            cpu * 1000.0 / samples as f64,
            wait * 1000.0 / samples as f64
        ),
        &format!("{samples} samples"),
        "",
    );
    latency_row(&format!("TUI offset jump, {what}"), &mut offset, 50.0);
    latency_row(&format!("TUI time jump, {what}"), &mut time, 50.0);
    latency_row(
        &format!("TUI k past the window's top: page before loaded and shown, {what}"),
        &mut edge,
        50.0,
    );
    latency_row(
        &format!("TUI PgDn + j past the window's bottom: page after loaded and shown, {what}"),
        &mut down,
        50.0,
    );
    latency_row(&format!("TUI End (G), {what}"), &mut end, 50.0);
    latency_row(&format!("TUI Home (g), {what}"), &mut home, 50.0);
}

/// (VmRSS, VmHWM) of `pid` in kB.
fn rss(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU seconds of `pid` so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0);
    ticks / 100.0
}

/// Seconds the threads of `pid` spent runnable but waiting for a CPU (schedstat run_delay).
fn run_delay(pid: u32) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0.0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .sum::<f64>()
        / 1e9
}

fn follow(addr: &str, args: &[String]) {
    let records: u64 = arg(args, 0, 3_000_000);
    let topic = format!("bench-follow-{}", chrono::Utc::now().timestamp_millis());
    create_topics(addr, std::slice::from_ref(&topic));
    let (mut term, _) = Term::spawn(&["-b", addr, &topic], None);
    term.until("the partition list", |s| s.contents().contains("Leader"));
    term.keys_until("\r", "the empty partition", |s| {
        s.contents().contains("no records here yet")
    });
    term.keys_until("f", "following", |s| status_line(s).contains("following"));
    let pid = term.pid();
    let (cpu0, wait0) = (cpu_seconds(pid), run_delay(pid));
    let (a, t) = (addr.to_string(), topic.clone());
    // At least `records`, and on until 100 keys were timed.
    let more = Arc::new(AtomicBool::new(true));
    let m = more.clone();
    let producing = std::thread::spawn(move || produce(&a, &t, records, None, Some(&m)));
    let mut keys = Vec::new();
    let mut peak_rss = 0;
    let mut rng = Rng(7);
    let t0 = Instant::now();
    while !producing.is_finished() {
        // 20–36 ms apart, so that each key meets the 16 ms frame grid at a random phase.
        keys.push(term.latency("?", "the help", |s| s.contents().contains(" Keys ")));
        std::thread::sleep(Duration::from_millis(20 + rng.below(17)));
        keys.push(term.latency("?", "the help closed", |s| !s.contents().contains(" Keys ")));
        peak_rss = peak_rss.max(rss(pid).0);
        std::thread::sleep(Duration::from_millis(20 + rng.below(17)));
        if keys.len() >= 100 {
            more.store(false, Ordering::Relaxed);
        }
    }
    let (took, records) = producing.join().unwrap();
    let produced = Instant::now();
    let last = records as i64 - 1;
    term.until("the last record", move |s| {
        table_offsets(s).last() == Some(&last)
    });
    let lag = produced.elapsed();
    let (_, hwm) = rss(pid);
    let (cpu, wait) = (cpu_seconds(pid) - cpu0, run_delay(pid) - wait0);
    eprintln!(
        "bench_tui: produced {records} in {:.1} s; kbrowse showed the last {:.0} ms later; \
         {} key samples in {:.1} s; RSS sampled peak {} MB",
        took.as_secs_f64(),
        lag.as_secs_f64() * 1000.0,
        keys.len(),
        t0.elapsed().as_secs_f64(),
        peak_rss / 1024
    );
    term.quit();
    // Keeps the topic count of the start-up measure and the disk as they were.
    delete_topic(addr, &topic);
    let what = format!("{} records", thousands(records as i64));
    row(
        &format!("TUI follow {what} at full speed: peak RSS (VmHWM)"),
        &format!("{} MB", hwm / 1024),
        "100 MB",
        &format!("{:.2}×", hwm as f64 / 1024.0 / 100.0),
    );
    row(
        &format!("TUI follow {what}: producer done → last record drawn"),
        &format!("{:.0} ms", lag.as_secs_f64() * 1000.0),
        &format!("producer {:.1} s", took.as_secs_f64()),
        "",
    );
    row(
        &format!("TUI follow {what}: kbrowse CPU time (user + system)"),
        &format!("{cpu:.2} s"),
        &format!("producer wall {:.1} s", took.as_secs_f64()),
        &format!("{:.2}×", cpu / took.as_secs_f64()),
    );
    row(
        &format!("TUI follow {what}: kbrowse runnable, waiting for a CPU (schedstat)"),
        &format!("{:.0} ms", wait * 1000.0),
        &format!("producer wall {:.1} s", took.as_secs_f64()),
        "",
    );
    latency_row(
        &format!("TUI follow {what}: key (?) → frame"),
        &mut keys,
        16.7,
    );
}

fn startup(addr: &str, args: &[String]) {
    let topics: usize = arg(args, 0, 1000);
    let runs: usize = arg(args, 1, 10);
    let label: String = arg(args, 2, "real Kafka".to_string());
    let have = topic_count(addr);
    if have < topics {
        let stamp = chrono::Utc::now().timestamp_millis();
        let names: Vec<String> = (0..topics - have)
            .map(|i| format!("bench-start-{stamp}-{i:04}"))
            .collect();
        eprintln!("bench_tui: creating {} topics", names.len());
        create_topics(addr, &names);
    }
    // Creation returns before every topic shows in the metadata.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut count = topic_count(addr);
    while count < topics && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        count = topic_count(addr);
    }
    let (mut list, mut counts) = (Vec::new(), Vec::new());
    // One run first, not counted: the broker's first answers to a new client are slower.
    for i in 0..=runs {
        // The table header is drawn once the list is loaded ("loading topics…" before).
        let probe: Probe = Box::new(|s| {
            let t = s.contents();
            t.contains("Topics (") && t.contains("Partitions")
        });
        let (mut term, t0) = Term::spawn(&["-b", addr], Some(probe));
        let drawn = term.wait_hit("the topic list") - t0;
        // Then every visible row's message count ("…" until the offsets arrive).
        term.until("the message counts", |s| {
            let t = s.contents();
            t.contains("Partitions") && !t.contains('…')
        });
        let counted = t0.elapsed();
        term.quit();
        if i > 0 {
            list.push(drawn);
            counts.push(counted);
        } else {
            eprintln!("bench_tui: warm-up start-up: {} ms", drawn.as_millis());
        }
    }
    let (p50, p99, max) = summary(&mut list);
    row(
        &format!("TUI start → topic list drawn, {count} topics, {label} (n={runs})"),
        &format!("p50 {p50:.0} ms, p99 {p99:.0} ms, max {max:.0} ms"),
        "200 ms",
        &format!("{:.2}× (p99)", p99 / 200.0),
    );
    let (p50, p99, _) = summary(&mut counts);
    row(
        &format!("TUI start → visible message counts drawn, {label}"),
        &format!("p50 {p50:.0} ms, p99 {p99:.0} ms"),
        "",
        "",
    );
}

/// Keypress → frame on an idle topic list: `?` opens the help, `?` closes it.
fn idle_keys(addr: &str, args: &[String]) {
    let samples: usize = arg(args, 0, 100);
    let (mut term, _) = Term::spawn(&["-b", addr], None);
    term.until("the topic list", |s| s.contents().contains("Partitions"));
    std::thread::sleep(Duration::from_millis(500));
    let mut keys = Vec::new();
    // 20 ms apart: past the runtime's 16 ms frame limit, so no key waits for a frame slot.
    for _ in 0..samples {
        keys.push(term.latency("?", "the help", |s| s.contents().contains(" Keys ")));
        std::thread::sleep(Duration::from_millis(20));
        keys.push(term.latency("?", "the help closed", |s| !s.contents().contains(" Keys ")));
        std::thread::sleep(Duration::from_millis(20));
    }
    latency_row("TUI idle topic list: key (?) → frame", &mut keys, 16.7);
    // Then j and k in a loaded message pane, when a topic is given.
    if let Some(topic) = args.get(1) {
        term.writer.write_all(b"/").unwrap();
        term.keys_until(&format!("{topic}\r\r"), "the partition list", |s| {
            s.contents().contains("Leader")
        });
        term.keys_until("\r", "the window loaded", |s| {
            status_line(s).contains("paused")
        });
        let mut moves = Vec::new();
        for i in 0..samples {
            let at = format!(" {} / ", 2 - i % 2);
            moves.push(
                term.latency(if i % 2 == 0 { "j" } else { "k" }, "the move", move |s| {
                    s.contents().contains(&at)
                }),
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        latency_row("TUI idle message pane: key (j/k) → frame", &mut moves, 16.7);
    }
    term.quit();
}

/// Keys while the `&` filter scans a whole partition at full speed: `?` (help open, then
/// closed) → frame, timed only while the status line says the scan is still going.
fn scan_keys(addr: &str, args: &[String]) {
    let topic: String = arg(args, 0, "bench-10m".to_string());
    let records: u64 = arg(args, 1, 10_000_000);
    let samples: usize = arg(args, 2, 100);
    seed(addr, &topic, records);
    let (mut term, _) = Term::spawn(&["-b", addr, &topic], None);
    let total = thousands(records as i64);
    term.until("the partition list", move |s| {
        let t = s.contents();
        t.contains("Leader") && t.contains(&total)
    });
    term.keys_until("\r", "the first records", |s| {
        first_row(s) == Some(0) && status_line(s).contains("offsets")
    });
    // Every record is evaluated (no literal to prefilter on); one matches.
    let expr = format!("offset == {}", records - 1);
    term.keys_until("&", "the filter prompt", |s| {
        status_line(s).contains("filter")
    });
    let typed = expr.clone();
    term.keys_until(&expr, "the typed filter", move |s| {
        s.contents().contains(&typed)
    });
    term.keys_until("\r", "the scan", |s| status_line(s).contains("scanned"));
    let t0 = Instant::now();
    let mut keys = Vec::new();
    let mut rng = Rng(11);
    let running = |s: &vt100::Screen| {
        let st = status_line(s);
        st.contains("scanned") && !st.contains(" · 1 match ")
    };
    while keys.len() < samples && running(&term.screen()) {
        // (The help covers the status line: the scan is checked before and after.)
        let open = term.latency("?", "the help", |s| s.contents().contains(" Keys "));
        std::thread::sleep(Duration::from_millis(20 + rng.below(17)));
        let closed = term.latency("?", "the help closed", |s| !s.contents().contains(" Keys "));
        // The whole frame drawn again (the probe fires on the first bytes of it).
        term.until("the status line back", |s| {
            status_line(s).contains("scanned")
        });
        if running(&term.screen()) {
            keys.extend([open, closed]);
        }
        std::thread::sleep(Duration::from_millis(20 + rng.below(17)));
    }
    let sampled = t0.elapsed();
    term.until("the scan's end", |s| status_line(s).contains(" · 1 match "));
    let scan = t0.elapsed();
    eprintln!(
        "bench_tui: {} key samples in {:.1} s while the filter scanned; the scan took {:.1} s",
        keys.len(),
        sampled.as_secs_f64(),
        scan.as_secs_f64()
    );
    term.quit();
    let what = format!("{} records", thousands(records as i64));
    row(
        &format!("TUI & filter '{expr}' over {what} (every record evaluated): the scan"),
        &format!("{:.1} s", scan.as_secs_f64()),
        "",
        &format!(
            "{:.2} M records/s",
            records as f64 / scan.as_secs_f64() / 1e6
        ),
    );
    latency_row(
        &format!("TUI key (?) → frame while the & filter scans {what}"),
        &mut keys,
        16.7,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(cmd), Some(addr)) = (args.first(), args.get(1)) else {
        eprintln!("usage: bench_tui jumps|follow|startup|keys|scan|schema ADDR [...]");
        std::process::exit(2);
    };
    match cmd.as_str() {
        "jumps" => jumps(addr, &args[2..]),
        "follow" => follow(addr, &args[2..]),
        "startup" => startup(addr, &args[2..]),
        "keys" => idle_keys(addr, &args[2..]),
        "scan" => scan_keys(addr, &args[2..]),
        "schema" => schema::schema_follow(addr, &args[2..]),
        _ => {
            eprintln!("bench_tui: unknown command {cmd}");
            std::process::exit(2);
        }
    }
}
