//! `bench_tui schema ADDR AVRO_TOPIC REGISTRY_URL [RECORDS]`: the table and the detail while
//! decoded records stream in (issue 11 §5). The values of AVRO_TOPIC (written by Confluent's
//! AvroSerializer, registered in the stand-in at REGISTRY_URL) are produced again, as they
//! are, at full speed into a new topic that kbrowse follows through the registry (`-r`);
//! meanwhile keys are timed: `?` opens and closes the help over the table, Enter opens the
//! detail on the decoded value, `x` cycles it to text and hex and back, Esc closes it.

use super::*;

use rdkafka::Message as _;
use rdkafka::{Offset, TopicPartitionList};

/// Up to `n` values of `topic`'s partition 0, as their producer wrote them.
fn source_values(addr: &str, topic: &str, n: usize) -> Vec<Vec<u8>> {
    let c = consumer(addr);
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    c.assign(&tpl).expect("assign");
    let (_, high) = watermarks(addr, topic).expect("the Avro topic");
    let want = n.min(high.max(0) as usize);
    let mut out = Vec::with_capacity(want);
    let deadline = Instant::now() + WAIT;
    while out.len() < want && Instant::now() < deadline {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(500)) {
            out.push(m.payload().unwrap_or_default().to_vec());
        }
    }
    assert!(!out.is_empty(), "bench_tui: no values in {topic}");
    out
}

/// Produces `values` in turn to partition 0 of `topic`: at least `n`, and on while `more`.
fn produce_values(
    addr: &str,
    topic: &str,
    values: &[Vec<u8>],
    n: u64,
    more: &AtomicBool,
) -> (Duration, u64) {
    let p = producer(addr);
    let t0 = Instant::now();
    let mut i = 0u64;
    while i < n || more.load(Ordering::Relaxed) {
        let v = &values[i as usize % values.len()];
        send(
            &p,
            BaseRecord::<(), [u8]>::to(topic).partition(0).payload(v),
        );
        i += 1;
    }
    p.flush(Duration::from_secs(600)).expect("flush");
    (t0.elapsed(), i)
}

/// True when the detail is open on the view named `view` ("decoded (Avro)", "text", "hex").
fn detail_on(view: &'static str) -> impl FnMut(&vt100::Screen) -> bool + Send + 'static {
    let title = format!("· value as {view} · ");
    move |s| s.contents().contains(&title)
}

pub fn schema_follow(addr: &str, args: &[String]) {
    let source: String = arg(args, 0, String::new());
    let registry: String = arg(args, 1, String::new());
    let records: u64 = arg(args, 2, 1_000_000);
    assert!(
        !source.is_empty() && !registry.is_empty(),
        "usage: bench_tui schema ADDR AVRO_TOPIC REGISTRY_URL [RECORDS]"
    );
    let values = source_values(addr, &source, 10_000);
    let topic = format!(
        "bench-schema-follow-{}",
        chrono::Utc::now().timestamp_millis()
    );
    create_topics(addr, std::slice::from_ref(&topic));
    let (mut term, _) = Term::spawn(&["-b", addr, "-r", &registry, &topic], None);
    term.until("the partition list", |s| s.contents().contains("Leader"));
    term.keys_until("\r", "the empty partition", |s| {
        s.contents().contains("no records here yet")
    });
    term.keys_until("f", "following", |s| status_line(s).contains("following"));
    let more = Arc::new(AtomicBool::new(true));
    let (a, t, m) = (addr.to_string(), topic.clone(), more.clone());
    let producing = std::thread::spawn(move || produce_values(&a, &t, &values, records, &m));
    term.until("the first decoded records", |s| {
        s.contents().contains("{\"id\":")
    });
    let (mut table, mut detail) = (Vec::new(), Vec::new());
    let mut rng = Rng(11);
    // 20–36 ms apart, so that each key meets the 16 ms frame grid at a random phase.
    let mut pause = || std::thread::sleep(Duration::from_millis(20 + rng.below(17)));
    let t0 = Instant::now();
    while !producing.is_finished() {
        table.push(term.latency("?", "the help", |s| s.contents().contains(" Keys ")));
        pause();
        table.push(term.latency("?", "the help closed", |s| !s.contents().contains(" Keys ")));
        pause();
        detail.push(term.latency("\r", "the decoded detail", detail_on("decoded (Avro)")));
        pause();
        detail.push(term.latency("x", "the text view", detail_on("text")));
        pause();
        detail.push(term.latency("x", "the hex view", detail_on("hex")));
        pause();
        detail.push(term.latency("x", "the decoded view", detail_on("decoded (Avro)")));
        pause();
        detail.push(term.latency("\x1b", "the table", |s| {
            !s.contents().contains("· value as ")
        }));
        pause();
        if table.len() >= 100 && detail.len() >= 100 {
            more.store(false, Ordering::Relaxed);
        }
    }
    let (took, produced) = producing.join().unwrap();
    eprintln!(
        "bench_tui: produced {produced} Avro values in {:.1} s; {} table and {} detail samples in {:.1} s",
        took.as_secs_f64(),
        table.len(),
        detail.len(),
        t0.elapsed().as_secs_f64()
    );
    term.quit();
    delete_topic(addr, &topic);
    let what = format!(
        "{} Avro records via the registry",
        thousands(produced as i64)
    );
    latency_row(
        &format!("TUI follow {what}: table key (?) → frame"),
        &mut table,
        16.0,
    );
    latency_row(
        &format!("TUI follow {what}: detail key (Enter, x, Esc) → frame"),
        &mut detail,
        16.0,
    );
}
