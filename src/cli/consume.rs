//! `kbrowse consume`: records of one topic to stdout, kcat-like.

use std::io::Write;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::format::{DecodedRecord, Format, RecordFormatter};
use super::scan::{self, ProgressReport, ScanOptions};
use crate::kafka::merge::TimeMerge;
use crate::kafka::{
    Cluster, Error, Isolation, PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind, StartAt,
};
use crate::schema::RecordDecoder;

/// What to read and how to print it.
#[derive(Debug, Clone)]
pub struct ConsumeOptions {
    /// The topic to read.
    pub topic: String,
    /// The partitions to read; empty: all.
    pub partitions: Vec<i32>,
    /// Where each partition starts.
    pub start: StartAt,
    /// Stop after this many records.
    pub count: Option<u64>,
    /// Stop at the end each partition had at start (`-e`).
    pub exit_at_end: bool,
    /// How records are printed.
    pub format: Format,
    /// Whether aborted transactions are hidden.
    pub isolation: Isolation,
    /// Show headers in the text and hex formats.
    pub headers: bool,
    /// How keys and values are decoded (`-r`, `-s`, `--proto-path`, `schema.registry.*`,
    /// the profile's per-topic formats).
    pub decode: crate::schema::SchemaSettings,
    /// `--filter`, `--key`, `--progress`.
    pub scan: ScanOptions,
    /// How records of several partitions are interleaved (`--merge`).
    pub merge: Merge,
    /// The zone times are printed in (`--utc`).
    pub time_zone: crate::render::TimeZone,
    /// kcat's habits: `-f`, `-o e@TIME`, `-u`, `--spread`.
    pub kcat: KcatOptions,
}

/// How `consume` interleaves several partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Merge {
    /// As records arrive from the brokers (the default).
    #[default]
    Arrival,
    /// In timestamp order (ties by partition, then offset); when following, a partition
    /// silent for this long no longer holds the others back (`--merge-wait`).
    Time(std::time::Duration),
}

/// The options that came with kcat's ways, and `--spread`.
#[derive(Debug, Clone, Default)]
pub struct KcatOptions {
    /// `-f`: records printed with this template instead of `--format`.
    pub template: Option<super::kcat::Template>,
    /// Keys and values written as raw bytes (stdout is not a terminal) by `-f`.
    pub raw: bool,
    /// `-o e@TIME`: each partition stops before its first record at or after this time.
    pub stop_before: Option<i64>,
    /// `-u`: stdout flushed after every record.
    pub unbuffered: bool,
    /// `--spread I/N`: only this instance's share of the partitions.
    pub spread: Option<crate::spread::Spread>,
}

/// Reads until the end (`-e`), COUNT records, an error, or Ctrl-C.
pub async fn run(
    cluster: Arc<Cluster>,
    opts: ConsumeOptions,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let decoders = opts.decode.open()?;
    let mut decoder = decoders.decoder(&opts.topic);
    let decoding = opts.format != Format::Hex && !decoder.is_plain();
    let info = super::habits::topic(&cluster, &opts.topic).await?;
    let count = info.partitions.len() as i32;
    // `--spread I/N`: this instance's share, taken before anything else narrows the list, so
    // that every instance splits the same list.
    let share = |list: Vec<i32>| match opts.kcat.spread {
        Some(s) => crate::spread::spread_partitions(&list, s.index, s.count),
        None => list,
    };
    let partitions: Vec<i32> =
        if let (true, Some(key)) = (opts.partitions.is_empty(), &opts.scan.key) {
            // Where the default partitioner (murmur2) put the key: only that partition is read.
            share(vec![crate::search::murmur2::partition_for_key(key, count)])
        } else if opts.partitions.is_empty() {
            let all = share(info.partitions.iter().map(|p| p.id).collect());
            match opts.start {
                StartAt::Offset(n) if !all.is_empty() => holding(&cluster, &opts, &all, n).await?,
                _ => all,
            }
        } else {
            let mut chosen = Vec::with_capacity(opts.partitions.len());
            for &p in &opts.partitions {
                if !info.partitions.iter().any(|x| x.id == p) {
                    return Err(Error::UnknownPartition {
                        topic: opts.topic.clone(),
                        partition: p,
                        count,
                    }
                    .into());
                }
                // `-p 0 -p 0` reads partition 0 once.
                if !chosen.contains(&p) {
                    chosen.push(p);
                }
            }
            share(chosen)
        };
    if let (true, Some(s)) = (partitions.is_empty(), opts.kcat.spread) {
        super::note(format_args!(
            "instance {}/{} has no partition of {} to read ({} between {} instances)",
            s.index,
            s.count,
            opts.topic,
            if count == 1 {
                "1 partition".to_string()
            } else {
                format!("{count} partitions")
            },
            s.count
        ));
        return Ok(());
    }
    let config = ReaderConfig {
        isolation: opts.isolation,
        stop_at_end: opts.exit_at_end,
        // Small fetches and a short queue keep memory low; throughput barely changes.
        capacity: 2,
        partition_max_bytes: 1 << 20,
        fetch_budget: 4 << 20,
        ..ReaderConfig::default()
    };
    let (tx, rx) = mpsc::channel(config.capacity * partitions.len());
    let mut rx = Source::Arrival(rx);
    if let (true, Some(f)) = (opts.scan.progress, &opts.scan.filter) {
        super::report(format_args!("filter: {}", f.describe()));
    }
    // The filter stage, when there is one; the report prints its last line when dropped.
    let (senders, _report) = if let Merge::Time(wait) = opts.merge {
        let wait = (!opts.exit_at_end).then_some(wait);
        let merge = TimeMerge::new(&partitions, wait, std::time::Instant::now());
        if opts.scan.is_active() {
            // Readers → one queue each → the merge → the filter, on one worker to keep the
            // order → the output.
            let (stage, progress) =
                scan::spawn_ordered_stage(&opts.scan, &opts.topic, &partitions, 64, tx);
            let report = opts
                .scan
                .progress
                .then(|| ProgressReport::start(progress, opts.exit_at_end));
            (
                crate::kafka::merge::spawn(merge, config.capacity, stage),
                report,
            )
        } else {
            // Readers → one queue each → the merge, in this loop → the output.
            let (senders, inputs) = crate::kafka::merge::channels(merge, config.capacity);
            rx = Source::Merged(inputs);
            (senders, None)
        }
    } else if opts.scan.is_active() {
        let (senders, progress) = scan::spawn_decoding_stage(
            &opts.scan,
            decoding.then_some(&decoders),
            &opts.topic,
            &partitions,
            config.capacity,
            tx,
        );
        let report = opts
            .scan
            .progress
            .then(|| ProgressReport::start(progress, opts.exit_at_end));
        (senders, report)
    } else {
        (vec![tx; partitions.len()], None)
    };
    let _readers: Vec<PartitionReader> = partitions
        .iter()
        .zip(senders)
        .map(|(&p, tx)| {
            let tx = match opts.kcat.stop_before {
                Some(stop) => stop_before(stop, config.capacity, tx),
                None => tx,
            };
            PartitionReader::spawn(
                cluster.clone(),
                opts.topic.clone(),
                p,
                opts.start,
                config.clone(),
                tx,
            )
        })
        .collect();

    let new_formatter = || {
        RecordFormatter::new(opts.format, &opts.topic)
            .with_headers(opts.headers)
            .with_time_zone(opts.time_zone)
            .with_template(opts.kcat.template.clone(), opts.kcat.raw)
    };
    let mut fmt = new_formatter();
    // Decoding is the costly part of a schema topic's output: batches are decoded and
    // formatted on every core, and written in their order.
    let mut pool = DecodingPool::new(decoding.then(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        (0..cores)
            .map(|_| (decoders.decoder(&opts.topic), new_formatter()))
            .collect()
    }));
    let mut buf: Vec<u8> = Vec::with_capacity(256 << 10);
    let mut left = opts.count.unwrap_or(u64::MAX);
    let mut running = partitions.len();
    let mut events = Vec::with_capacity(64);
    // Partitions whose reader reported a lost connection and has not read since.
    let mut reconnecting = std::collections::HashSet::new();
    // Corrupt data batches skipped: their records are lost, which makes the run fail.
    let mut lost = 0usize;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    while running > 0 && left > 0 {
        let n = tokio::select! {
            n = rx.recv_many(&mut events, 64) => n,
            // A batch decoded while no event came: shown now, not with the next event.
            done = pool.finish_oldest(&mut buf), if pool.is_busy() => {
                done?;
                if rx.is_empty() && !flush(out, &mut buf)? {
                    return Ok(());
                }
                continue;
            }
            _ = &mut ctrl_c => break,
        };
        if n == 0 {
            break;
        }
        for ev in events.drain(..) {
            if reconnecting.contains(&ev.partition) {
                let at = match &ev.kind {
                    ReaderEventKind::Messages(m) => m.first().map(|m| m.offset),
                    ReaderEventKind::CaughtUp { next, .. } => Some(*next),
                    _ => None,
                };
                if let Some(at) = at {
                    reconnecting.remove(&ev.partition);
                    pool.drain(&mut buf).await?;
                    flush(out, &mut buf)?;
                    super::note(format_args!(
                        "reading {}/{} again at offset {at}",
                        opts.topic, ev.partition
                    ));
                }
            }
            match ev.kind {
                ReaderEventKind::Messages(mut msgs) => {
                    let take = left.min(usize::MAX as u64) as usize;
                    msgs.truncate(take);
                    if pool.is_on() && !opts.kcat.unbuffered {
                        left -= msgs.len() as u64;
                        pool.submit(msgs, &mut buf).await?;
                        if buf.len() >= 128 << 10 && !flush(out, &mut buf)? {
                            return Ok(());
                        }
                        if left == 0 {
                            break;
                        }
                        continue;
                    }
                    let msgs = &msgs[..];
                    if opts.kcat.unbuffered {
                        // -u: every record reaches stdout before the next is formatted.
                        for one in msgs.chunks(1) {
                            let dec = decoding.then_some(&mut decoder);
                            write_batch(dec, &mut fmt, one, &mut buf).await;
                            if !flush(out, &mut buf)? {
                                return Ok(());
                            }
                        }
                    } else {
                        let dec = decoding.then_some(&mut decoder);
                        write_batch(dec, &mut fmt, msgs, &mut buf).await;
                    }
                    left -= msgs.len() as u64;
                    if buf.len() >= 128 << 10 && !flush(out, &mut buf)? {
                        return Ok(());
                    }
                }
                ReaderEventKind::Finished { .. } => running -= 1,
                ReaderEventKind::Failed(e) => {
                    pool.drain(&mut buf).await?;
                    flush(out, &mut buf)?;
                    return Err(e.into());
                }
                ReaderEventKind::Reconnecting { .. } => {
                    reconnecting.insert(ev.partition);
                    warn_event(&opts.topic, ev.partition, &ev.kind);
                }
                kind @ (ReaderEventKind::Skipped { .. } | ReaderEventKind::Corrupt { .. }) => {
                    // Flushed first, so the warning sits between the records around the gap.
                    pool.drain(&mut buf).await?;
                    flush(out, &mut buf)?;
                    if warn_event(&opts.topic, ev.partition, &kind) {
                        lost += 1;
                    }
                }
                ReaderEventKind::Started { .. } | ReaderEventKind::CaughtUp { .. } => {}
            }
            if left == 0 {
                break;
            }
        }
        // Nothing more is waiting: show what we have instead of holding it in the buffer.
        // (Batches still decoding are written when they are done, by the select above.)
        if rx.is_empty() {
            pool.start_pending(&mut buf).await?;
            if !flush(out, &mut buf)? {
                return Ok(());
            }
        }
    }
    pool.drain(&mut buf).await?;
    flush(out, &mut buf)?;
    if lost > 0 {
        anyhow::bail!(
            "{lost} corrupt record batch{} of {} skipped: records were lost (offsets in the warnings above)",
            if lost == 1 { "" } else { "es" },
            opts.topic
        );
    }
    Ok(())
}

/// Where the output loop's events come from: the readers (or the filter stage) in arrival
/// order, or the time merge of the readers' channels.
enum Source {
    Arrival(mpsc::Receiver<ReaderEvent>),
    Merged(crate::kafka::merge::MergeInputs),
}

impl Source {
    /// Up to `limit` events into `out`, waiting for one; 0 at the end. Cancel-safe.
    async fn recv_many(&mut self, out: &mut Vec<ReaderEvent>, limit: usize) -> usize {
        match self {
            Source::Arrival(rx) => rx.recv_many(out, limit).await,
            Source::Merged(m) => m.recv_many(out, limit).await,
        }
    }

    /// Whether nothing is waiting to be received now.
    fn is_empty(&mut self) -> bool {
        match self {
            Source::Arrival(rx) => rx.is_empty(),
            Source::Merged(m) => !m.has_waiting(),
        }
    }
}

/// Warns on stderr about a reader's reconnect or a gap in its records; true when records were
/// lost (a corrupt data batch).
pub(super) fn warn_event(topic: &str, partition: i32, kind: &ReaderEventKind) -> bool {
    match kind {
        ReaderEventKind::Reconnecting {
            attempt,
            error,
            next,
        } => {
            if *attempt == 1 || attempt % 10 == 0 {
                super::note(format_args!(
                    "{error}; reconnecting to {topic}/{partition} at offset {next} (attempt {attempt})"
                ));
            }
            false
        }
        ReaderEventKind::Skipped { from, to } => {
            let gone = Error::RecordsDeleted {
                topic: topic.to_string(),
                partition,
                from: *from,
                to: *to,
            };
            super::note(format_args!("warning: {gone}; continuing at offset {to}"));
            false
        }
        ReaderEventKind::Corrupt {
            from,
            to,
            control: true,
            reason,
        } => {
            let _ = to;
            super::note(format_args!(
                "warning: skipped a corrupt transaction marker at offset {from} of {topic}/{partition} ({reason}); no records lost"
            ));
            false
        }
        ReaderEventKind::Corrupt {
            from,
            to,
            control: false,
            reason,
        } => {
            super::note(format_args!(
                "warning: skipped a corrupt record batch at offsets {} of {topic}/{partition} ({reason}); continuing at offset {to}",
                crate::render::span_words(from, to - 1)
            ));
            true
        }
        _ => false,
    }
}

/// A decoder and a formatter of its own for each batch on the way.
type Slot = (RecordDecoder, RecordFormatter);

/// Decodes and formats batches on blocking threads, one per idle slot, and hands the output
/// back in the batches' order.
struct DecodingPool {
    idle: Vec<Slot>,
    busy: std::collections::VecDeque<tokio::task::JoinHandle<(Vec<u8>, Slot)>>,
    /// Records of small events (the time merge's runs are often a few records), gathered
    /// until they make a batch worth a thread's wake-up.
    pending: Vec<crate::kafka::Message>,
}

/// Records a pool batch gathers before it starts (unless the input runs dry first).
const POOL_BATCH: usize = 8192;

impl DecodingPool {
    /// A pool of these slots; none: off (the caller formats inline).
    fn new(slots: Option<Vec<Slot>>) -> DecodingPool {
        DecodingPool {
            idle: slots.unwrap_or_default(),
            busy: std::collections::VecDeque::new(),
            pending: Vec::new(),
        }
    }

    fn is_on(&self) -> bool {
        !self.idle.is_empty() || !self.busy.is_empty()
    }

    /// Queues `msgs`: started on a slot once `POOL_BATCH` records are gathered (see
    /// `start_pending` for the rest).
    async fn submit(
        &mut self,
        msgs: Vec<crate::kafka::Message>,
        buf: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        if self.pending.is_empty() && msgs.len() >= POOL_BATCH {
            return self.start(msgs, buf).await;
        }
        self.pending.extend(msgs);
        if self.pending.len() >= POOL_BATCH {
            self.start_pending(buf).await?;
        }
        Ok(())
    }

    /// Starts the gathered records, if any (the input has nothing more for now).
    async fn start_pending(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let msgs = std::mem::take(&mut self.pending);
        self.start(msgs, buf).await
    }

    /// Starts `msgs` on an idle slot, first waiting for the oldest batch (written to `buf`)
    /// when every slot is busy.
    async fn start(
        &mut self,
        msgs: Vec<crate::kafka::Message>,
        buf: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        if self.idle.is_empty() {
            self.finish_oldest(buf).await?;
        }
        let Some((mut decoder, mut fmt)) = self.idle.pop() else {
            anyhow::bail!("no decoder is left to decode records with");
        };
        let rt = tokio::runtime::Handle::current();
        self.busy.push_back(tokio::task::spawn_blocking(move || {
            let mut out = Vec::with_capacity(msgs.len() * 256);
            rt.block_on(write_batch(Some(&mut decoder), &mut fmt, &msgs, &mut out));
            (out, (decoder, fmt))
        }));
        Ok(())
    }

    /// Writes the oldest batch on the way to `buf`; a task that died is an error, since its
    /// records would be missing from the output.
    /// Cancel-safe: the batch stays queued until its output is in `buf`.
    async fn finish_oldest(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<()> {
        let Some(task) = self.busy.front_mut() else {
            return Ok(());
        };
        let done = task.await;
        self.busy.pop_front();
        let (out, slot) =
            done.map_err(|e| anyhow::anyhow!("decoding a batch of records failed: {e}"))?;
        buf.extend_from_slice(&out);
        self.idle.push(slot);
        Ok(())
    }

    fn is_busy(&self) -> bool {
        !self.busy.is_empty()
    }

    /// Writes every batch on the way (and the gathered records) to `buf`, in order.
    async fn drain(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<()> {
        self.start_pending(buf).await?;
        while !self.busy.is_empty() {
            self.finish_oldest(buf).await?;
        }
        Ok(())
    }
}

/// Formats `msgs` into `buf`, decoding keys and values first when `decoder` is given (its
/// registry lookups for the whole batch go out together). The TUI's `S` writes with it too.
pub async fn write_batch(
    decoder: Option<&mut RecordDecoder>,
    fmt: &mut RecordFormatter,
    msgs: &[crate::kafka::Message],
    buf: &mut Vec<u8>,
) {
    let Some(decoder) = decoder else {
        for m in msgs {
            fmt.write(m, buf);
        }
        return;
    };
    crate::search::prepare_schemas(decoder, msgs).await;
    let mut d = DecodedRecord::default();
    for m in msgs {
        fmt.write_decoding(m, decoder, &mut d, buf);
    }
}

/// The partitions of `all` whose log holds offset `n` (or ends right before it): `-o N`
/// without `-p` reads those and warns about the others; none at all is an error.
async fn holding(
    cluster: &Cluster,
    opts: &ConsumeOptions,
    all: &[i32],
    n: i64,
) -> anyhow::Result<Vec<i32>> {
    let parts: Vec<(String, i32)> = all.iter().map(|&p| (opts.topic.clone(), p)).collect();
    let marks = crate::kafka::offsets::watermarks(cluster, &parts, opts.isolation).await?;
    let mut inside = Vec::with_capacity(all.len());
    let mut outside = Vec::new();
    for &p in all {
        match marks.get(&(opts.topic.clone(), p)) {
            Some(w) if n < w.low || n > w.high => outside.push(Error::OffsetOutOfRange {
                topic: opts.topic.clone(),
                partition: p,
                offset: n,
                low: w.low,
                high: w.high,
            }),
            // No answer for it: the reader's own check reports what is wrong.
            _ => inside.push(p),
        }
    }
    if inside.is_empty() && outside.len() == 1 {
        // One partition: its own error says it all.
        return Err(outside.remove(0).into());
    }
    for e in &outside {
        if let Error::OffsetOutOfRange { partition, .. } = e {
            super::note(format_args!("warning: {e}; skipping partition {partition}"));
        }
    }
    if inside.is_empty() {
        anyhow::bail!(
            "offset {n} is out of range for every partition of '{}'",
            crate::render::escape(opts.topic.as_bytes())
        );
    }
    Ok(inside)
}

/// `-o e@TIME`: a relay between a partition's reader and `tx` that passes its events until
/// the first record at or after `stop`, then reports the partition finished there and ends
/// (which stops the reader: its channel is closed).
fn stop_before(
    stop: i64,
    capacity: usize,
    tx: mpsc::Sender<ReaderEvent>,
) -> mpsc::Sender<ReaderEvent> {
    let (relay, mut rx) = mpsc::channel::<ReaderEvent>(capacity.max(1));
    tokio::spawn(async move {
        while let Some(mut ev) = rx.recv().await {
            let mut at = None;
            if let ReaderEventKind::Messages(msgs) = &mut ev.kind
                && let Some(i) = msgs.iter().position(|m| m.timestamp >= stop)
            {
                at = Some(msgs[i].offset);
                msgs.truncate(i);
            }
            let Some(next) = at else {
                if tx.send(ev).await.is_err() {
                    return;
                }
                continue;
            };
            let (generation, partition) = (ev.generation, ev.partition);
            if matches!(&ev.kind, ReaderEventKind::Messages(m) if !m.is_empty())
                && tx.send(ev).await.is_err()
            {
                return;
            }
            let finished = ReaderEvent {
                generation,
                partition,
                kind: ReaderEventKind::Finished { next },
            };
            let _ = tx.send(finished).await;
            return;
        }
    });
    relay
}

pub(super) fn flush(out: &mut impl Write, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let ok = super::write_out(out, buf)? && super::flush_out(out)?;
    buf.clear();
    Ok(ok)
}
