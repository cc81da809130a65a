//! `consume --spread-group NAME --coordinator etcd://...`: instances share a topic's partitions
//! through a coordinator (see `crate::spread`), each printing the records of the partitions it
//! owns at the moment. Delivery is at-least-once: a partition that moves resumes at the last
//! position its owner saved after flushing its output.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::consume::{ConsumeOptions, flush, write_batch};
use super::format::RecordFormatter;
use crate::kafka::{Cluster, PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind, StartAt};
use crate::spread::etcd::Etcd;
use crate::spread::{Coordinator, Member};

/// `--spread-group`, `--coordinator`, `--coordinator-ttl`.
#[derive(Debug, Clone)]
pub struct SpreadOptions {
    /// The spread group's name.
    pub group: String,
    /// `etcd://HOST:PORT[,HOST:PORT...]`.
    pub coordinator: String,
    /// The membership lease's time to live.
    pub ttl: Duration,
}

/// How often membership is re-read and positions are saved.
const TICK: Duration = Duration::from_millis(500);

/// A partition this instance owns.
struct Owned {
    _reader: PartitionReader,
    generation: u64,
    /// The offset after the last record written to the output buffer (or skipped over).
    emitted: Option<i64>,
    /// `emitted` as of the last flush: what may be saved.
    flushed: Option<i64>,
    /// What the coordinator holds.
    saved: Option<i64>,
}

/// Reads the partitions the group assigns to this instance until the end (`-e`: every
/// partition of the group reached the end it had when the group started it), COUNT records,
/// an error, or Ctrl-C.
pub async fn run(
    cluster: Arc<Cluster>,
    opts: ConsumeOptions,
    spread: SpreadOptions,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if opts.scan.is_active() {
        anyhow::bail!("--filter, --key and --progress do not work with --spread-group yet");
    }
    if opts.kcat.stop_before.is_some() {
        anyhow::bail!("-o e@TIME does not work with --spread-group yet");
    }
    let etcd = Etcd::new(&spread.coordinator, Duration::from_secs(3))?;
    let member = Member::join(Arc::new(etcd), &spread.group, spread.ttl).await?;
    let result = Spread::new(cluster, opts, &member).await?.run(out).await;
    // Leaving ends the lease at once, so the others need not wait for it to expire.
    let left = member.leave().await;
    result?;
    left.map_err(Into::into)
}

struct Spread<'m, C: Coordinator> {
    cluster: Arc<Cluster>,
    opts: ConsumeOptions,
    member: &'m Member<C>,
    all: Vec<i32>,
    /// With `-e`: each partition's end for the group.
    ends: Option<HashMap<i32, i64>>,
    owned: HashMap<i32, Owned>,
    generation: u64,
    config: ReaderConfig,
}

impl<'m, C: Coordinator> Spread<'m, C> {
    async fn new(
        cluster: Arc<Cluster>,
        opts: ConsumeOptions,
        member: &'m Member<C>,
    ) -> anyhow::Result<Self> {
        let info = super::habits::topic(&cluster, &opts.topic).await?;
        let mut all: Vec<i32> = info.partitions.iter().map(|p| p.id).collect();
        if !opts.partitions.is_empty() {
            all.retain(|p| opts.partitions.contains(p));
        }
        all.sort_unstable();
        let ends = if opts.exit_at_end {
            let parts: Vec<(String, i32)> = all.iter().map(|&p| (opts.topic.clone(), p)).collect();
            let marks = crate::kafka::offsets::watermarks(&cluster, &parts, opts.isolation).await?;
            let highs: Vec<(i32, i64)> = all
                .iter()
                .filter_map(|&p| marks.get(&(opts.topic.clone(), p)).map(|w| (p, w.high)))
                .collect();
            Some(member.fix_ends(&opts.topic, &highs).await?)
        } else {
            None
        };
        let config = ReaderConfig {
            isolation: opts.isolation,
            capacity: 2,
            partition_max_bytes: 1 << 20,
            ..ReaderConfig::default()
        };
        Ok(Spread {
            cluster,
            opts,
            member,
            all,
            ends,
            owned: HashMap::new(),
            generation: 0,
            config,
        })
    }

    fn end(&self, p: i32) -> Option<i64> {
        self.ends.as_ref().and_then(|e| e.get(&p).copied())
    }

    async fn run(mut self, out: &mut impl Write) -> anyhow::Result<()> {
        let mut decoder = self.opts.decode.open()?.decoder(&self.opts.topic);
        let decoding = self.opts.format != super::format::Format::Hex && !decoder.is_plain();
        let mut fmt = RecordFormatter::new(self.opts.format, &self.opts.topic)
            .with_headers(self.opts.headers)
            .with_time_zone(self.opts.time_zone)
            .with_template(self.opts.kcat.template.clone(), self.opts.kcat.raw);
        let (tx, mut rx) = mpsc::channel::<ReaderEvent>(2 * self.all.len().max(1));
        let mut buf: Vec<u8> = Vec::with_capacity(256 << 10);
        let mut left = self.opts.count.unwrap_or(u64::MAX);
        let mut events = Vec::with_capacity(64);
        let mut tick = tokio::time::interval(TICK);
        let (mut settled, mut previous) = (false, None);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            tokio::select! {
                _ = &mut ctrl_c => break,
                _ = tick.tick() => {
                    if !self.member.alive() {
                        // Stop first: another member may take these partitions any moment now.
                        let mut held: Vec<i32> = self.owned.keys().copied().collect();
                        held.sort_unstable();
                        self.owned.clear();
                        flush(out, &mut buf)?;
                        anyhow::bail!(
                            "lost the lease on {} (not renewed in time); stopped reading partition{} {:?} of spread group member {}",
                            self.member.coordinator().describe(),
                            if held.len() == 1 { "" } else { "s" },
                            held,
                            self.member.id()
                        );
                    }
                    if !flush(out, &mut buf)? {
                        return Ok(());
                    }
                    self.flushed();
                    self.save().await?;
                    // Members starting together settle first (the membership read twice
                    // alike), so that one does not take every partition for a moment.
                    let members = self.member.members().await?;
                    if !settled {
                        settled = previous.as_ref() == Some(&members);
                        previous = Some(members);
                        if !settled {
                            continue;
                        }
                    }
                    if self.rebalance(&tx).await? {
                        break;
                    }
                }
                n = rx.recv_many(&mut events, 64) => {
                    if n == 0 {
                        break;
                    }
                    for ev in events.drain(..) {
                        let Some(own) = self.owned.get_mut(&ev.partition) else { continue };
                        if own.generation != ev.generation {
                            continue;
                        }
                        let p = ev.partition;
                        let end = self.ends.as_ref().and_then(|e| e.get(&p).copied());
                        match ev.kind {
                            ReaderEventKind::Started { offset, .. } => {
                                own.emitted = Some(offset);
                            }
                            ReaderEventKind::Messages(msgs) => {
                                let from = own.emitted.unwrap_or(i64::MIN);
                                let until = end.unwrap_or(i64::MAX);
                                let fresh: Vec<_> = msgs
                                    .into_iter()
                                    .filter(|m| m.offset >= from && m.offset < until)
                                    .take(left.min(usize::MAX as u64) as usize)
                                    .collect();
                                if let Some(last) = fresh.last() {
                                    own.emitted = Some(last.offset + 1);
                                }
                                left -= fresh.len() as u64;
                                write_batch(decoding.then_some(&mut decoder), &mut fmt, &fresh, &mut buf).await;
                            }
                            ReaderEventKind::CaughtUp { next, .. } | ReaderEventKind::Finished { next } => {
                                let next = end.map_or(next, |e| next.min(e));
                                own.emitted = Some(own.emitted.map_or(next, |n| n.max(next)));
                            }
                            ReaderEventKind::Failed(e) => {
                                flush(out, &mut buf)?;
                                return Err(e.into());
                            }
                            other => {
                                flush(out, &mut buf)?;
                                super::consume::warn_event(&self.opts.topic, p, &other);
                            }
                        }
                        if left == 0 {
                            break;
                        }
                    }
                    if left == 0 {
                        break;
                    }
                    if (rx.is_empty() || buf.len() >= 128 << 10) && !flush(out, &mut buf)? {
                        return Ok(());
                    }
                    if rx.is_empty() {
                        self.flushed();
                    }
                }
            }
        }
        flush(out, &mut buf)?;
        self.flushed();
        self.save().await?;
        self.owned.clear();
        Ok(())
    }

    /// Everything emitted is now flushed.
    fn flushed(&mut self) {
        for own in self.owned.values_mut() {
            own.flushed = own.emitted;
        }
    }

    /// Saves the flushed positions that moved; a partition whose save is refused is no longer
    /// ours (released or the lease expired): its reader stops.
    async fn save(&mut self) -> anyhow::Result<()> {
        let mut gone = Vec::new();
        for (&p, own) in &mut self.owned {
            let Some(at) = own.flushed else { continue };
            if own.saved == Some(at) {
                continue;
            }
            if self.member.save(&self.opts.topic, p, at).await? {
                own.saved = Some(at);
            } else {
                gone.push(p);
            }
        }
        for p in gone {
            self.owned.remove(&p);
            super::report(format_args!(
                "warning: partition {p} of {} was taken over; stopped reading it",
                self.opts.topic
            ));
        }
        Ok(())
    }

    /// Follows the group's membership: gives back the partitions no longer assigned here,
    /// takes the new ones. True when, with `-e`, every partition of the group is done.
    async fn rebalance(&mut self, tx: &mpsc::Sender<ReaderEvent>) -> anyhow::Result<bool> {
        let topic = self.opts.topic.clone();
        // Done partitions (with -e) are given back, like partitions assigned elsewhere.
        let assigned: HashSet<i32> = self
            .member
            .assignment(&self.all)
            .await?
            .into_iter()
            .collect();
        let finished: Vec<i32> = self
            .owned
            .iter()
            .filter(|(p, own)| {
                !assigned.contains(p)
                    || matches!((own.saved, self.end(**p)), (Some(s), Some(e)) if s >= e)
            })
            .map(|(p, _)| *p)
            .collect();
        for p in finished {
            self.owned.remove(&p);
            self.member.release(&topic, p).await?;
        }
        let positions = self.member.positions(&topic).await?;
        if let Some(ends) = &self.ends {
            let done = self
                .all
                .iter()
                .all(|p| matches!((positions.get(p), ends.get(p)), (Some(s), Some(e)) if s >= e));
            if done {
                return Ok(true);
            }
        }
        for &p in &self.all {
            if !assigned.contains(&p) || self.owned.contains_key(&p) {
                continue;
            }
            let saved = positions.get(&p).copied();
            if let (Some(s), Some(e)) = (saved, self.end(p))
                && s >= e
            {
                continue;
            }
            if !self.member.claim(&topic, p).await? {
                // Its last owner has not given it back yet (or its lease has not expired).
                continue;
            }
            // Read again after the claim: the last owner saved before releasing.
            let saved = self.member.position(&topic, p).await?;
            let start = match saved {
                Some(at) => StartAt::Resume(at),
                None => self.opts.start,
            };
            self.generation += 1;
            let config = ReaderConfig {
                generation: self.generation,
                ..self.config.clone()
            };
            let reader = PartitionReader::spawn(
                self.cluster.clone(),
                topic.clone(),
                p,
                start,
                config,
                tx.clone(),
            );
            self.owned.insert(
                p,
                Owned {
                    _reader: reader,
                    generation: self.generation,
                    emitted: saved,
                    flushed: saved,
                    saved,
                },
            );
        }
        Ok(false)
    }
}
