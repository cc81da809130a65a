//! The runtime: terminal setup and restore, the event loop, effects, reader tasks.
//!
//! Only this layer does I/O. Terminal events, load results and reader events become
//! `Action`s; `App::update` returns `Effect`s that are carried out here. Reader events are
//! drained in bulk and applied as one update; the screen is drawn only when something changed,
//! at most ~60 times a second for streams of records, at once after a key and for the first
//! records that follow it.

pub mod connecting;
pub mod decode;
pub mod external;
pub mod loads;
pub mod merged;
mod merged_fast;
mod merged_scan;
pub mod picker;
pub mod save;
mod scan;
pub mod terminal;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt as _;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::{Action, App, Effect};
use crate::kafka::{
    ClientConfig, Cluster, Isolation, PartitionReader, ReaderConfig, ReaderEvent, ReaderEventKind,
};

/// What the TUI is started with.
#[derive(Debug, Clone)]
pub struct Options {
    /// Comma-separated bootstrap brokers.
    pub brokers: String,
    /// The cluster profile the settings came from, shown before the brokers in the title bar.
    pub profile: Option<String>,
    /// A topic to open right away.
    pub topic: Option<String>,
    /// Whether `c` on the topic list ends the session to pick another cluster profile.
    pub switch_cluster: bool,
    /// Records the message pane holds at most.
    pub window: usize,
    /// Whether aborted transactions are hidden.
    pub isolation: Isolation,
    /// How long a request may wait for its answer.
    pub request_timeout: Duration,
    /// How keys and values are decoded (`-r`, `-s`, `--proto-path`, the `schema.registry.*`
    /// properties and the profile's per-topic formats): the same settings as `consume`.
    pub decode: crate::schema::SchemaSettings,
    /// The zone times are shown in (`--utc`).
    pub time_zone: crate::render::TimeZone,
    /// Groups named with `--group`: where the broker has no ListGroups (librdkafka's mock
    /// cluster), the partitions screen's groups column asks about these.
    pub groups: Vec<String>,
}

/// Time between frames that answer input: at most ~60 per second.
const FRAME: Duration = Duration::from_millis(16);
/// Time between frames of a stream of records (following a busy partition, a scan's
/// progress): ~30 per second, which reads as smooth and halves what the terminal must take
/// in, so that a key's frame is not queued behind the stream's on a busy machine or link.
const STREAM_FRAME: Duration = Duration::from_millis(33);
/// Reader events in flight: the prefetch budget of the open partition.
const READER_CHANNEL: usize = 4;
/// Events a search scan's reader prefetches.
const SEARCH_CHANNEL: usize = 8;
/// Decodings freed on the UI thread at most; more go to a blocking thread.
const GARBAGE_BATCH: usize = 256;
/// Reader events applied in one update at most.
const DRAIN: usize = 256;

/// Milliseconds since the epoch, by the system clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Connects, then runs the full-screen browser until the user quits.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    let mut config = ClientConfig::new(&opts.brokers);
    config.conn.request_timeout = opts.request_timeout;
    // The error already names the brokers: no extra context.
    let Some(cluster) = connecting::connect(config, &cluster_label(&opts)).await? else {
        return Ok(());
    };
    run_connected(cluster, opts).await.map(|_| ())
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// The user asked for another cluster profile.
    SwitchCluster,
}

/// Runs the full-screen browser on a cluster already connected to (`opts.brokers` and
/// `opts.request_timeout` are then only shown, not used to connect).
pub async fn run_connected(cluster: Arc<Cluster>, opts: Options) -> anyhow::Result<Ended> {
    // Bad decoding options (an unreadable --proto-path, a bad URL) are reported before the
    // terminal is taken over.
    let decoders = opts.decode.open()?;
    let mut guard = terminal::TerminalGuard::enter()?;
    let result = Runtime::new(cluster, &opts, decoders)
        .run(&mut guard, opts.topic.clone())
        .await;
    drop(guard);
    result.map(|switch| {
        if switch {
            Ended::SwitchCluster
        } else {
            Ended::Quit
        }
    })
}

/// The cluster as the title bar names it, `PROFILE · BROKERS` or the brokers alone; raw, as
/// the title bar escapes it when drawing.
fn cluster_label(opts: &Options) -> String {
    match &opts.profile {
        Some(p) => format!("{p} · {}", opts.brokers),
        None => opts.brokers.clone(),
    }
}

/// The event loop's state: the app and the I/O it asked for.
struct Runtime {
    app: App,
    cluster: Arc<Cluster>,
    /// The settings every reader starts with (the generation is set per reader).
    reader_config: ReaderConfig,
    reader: Option<PartitionReader>,
    /// The task that decodes the reader's records and forwards its events.
    stage: Option<JoinHandle<()>>,
    /// Makes each topic's decoder (a topic whose bytes are read as they are has none).
    decoders: crate::schema::Decoders,
    /// The decoding stage's state, shared by the readers of the message pane.
    decoding: decode::Shared,
    reader_tx: mpsc::Sender<decode::Fed>,
    reader_rx: mpsc::Receiver<decode::Fed>,
    /// The filter stage between a filtered reader and the decoding stage.
    reader_stage: Option<JoinHandle<()>>,
    /// The search scan under way.
    search: Option<JoinHandle<()>>,
    /// The topic search under way.
    topic_search: Option<JoinHandle<()>>,
    action_tx: mpsc::UnboundedSender<Action>,
    action_rx: mpsc::UnboundedReceiver<Action>,
    topics_load: Option<JoinHandle<()>>,
    partitions_load: Option<(String, JoinHandle<()>)>,
    groups_load: Option<JoinHandle<()>>,
    /// The load of all of a topic's configs (`c`).
    configs_load: Option<JoinHandle<()>>,
    /// The groups column's load under way.
    topic_groups_load: Option<JoinHandle<()>>,
    /// Groups named with `--group`.
    known_groups: Arc<Vec<String>>,
    /// The topic whose key configs were asked for last (once per opening of a topic).
    configs_for: Option<String>,
    /// The merged page being read (a newer request aborts it).
    merged_load: Option<JoinHandle<()>>,
    /// The session ends to pick another cluster.
    switch: bool,
    /// The sequence number of the newest detail job.
    detail_jobs: Arc<AtomicU64>,
    /// The save of records under way.
    save: Option<JoinHandle<()>>,
    /// A value to open in the pager or editor once the effects are carried out.
    open_value: Option<crate::app::save::OpenValue>,
}

impl Runtime {
    fn new(cluster: Arc<Cluster>, opts: &Options, decoders: crate::schema::Decoders) -> Runtime {
        let reader_config = ReaderConfig {
            isolation: opts.isolation,
            capacity: READER_CHANNEL,
            ..ReaderConfig::default()
        };
        // One reader runs at a time (a replaced one is aborted): the shared channel holds
        // exactly one reader's prefetch budget.
        let (reader_tx, reader_rx) = mpsc::channel(reader_config.capacity);
        let (action_tx, action_rx) = mpsc::unbounded_channel();
        let mut app = App::new(cluster_label(opts), opts.window, Box::new(now_ms));
        app.switch_cluster = opts.switch_cluster;
        let security = &cluster.config().conn.security;
        app.tls_unverified = security.verification_disabled;
        app.listing_principal = security.authenticated_principal();
        app.time_zone = opts.time_zone;
        Runtime {
            app,
            cluster,
            reader_config,
            reader: None,
            stage: None,
            decoding: decode::DecodeState::new(decoders.clone()),
            decoders,
            reader_stage: None,
            search: None,
            topic_search: None,
            reader_tx,
            reader_rx,
            action_tx,
            action_rx,
            topics_load: None,
            partitions_load: None,
            groups_load: None,
            configs_load: None,
            topic_groups_load: None,
            known_groups: Arc::new(opts.groups.clone()),
            configs_for: None,
            merged_load: None,
            switch: false,
            detail_jobs: Arc::new(AtomicU64::new(0)),
            save: None,
            open_value: None,
        }
    }

    async fn run(
        mut self,
        guard: &mut terminal::TerminalGuard,
        topic: Option<String>,
    ) -> anyhow::Result<bool> {
        let size = guard.terminal.size()?;
        self.app.update(Action::Resize(size.width, size.height));
        let fx = self.app.start(topic);
        self.perform(fx);
        let mut events = EventStream::new();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut batch = Vec::with_capacity(DRAIN);
        let mut dirty = true;
        let mut last_draw: Option<Instant> = None;
        // The frame limit is for streams of records: what a person waits for is drawn at
        // once — the effect of a key, click or resize (at most one such frame per FRAME, so a
        // burst of keys or a paste stays throttled) and the first records after it (a jump, a
        // page load).
        let (mut input, mut records) = (false, false);
        let mut awaiting_records = false;
        let mut last_input_draw: Option<Instant> = None;
        // SIGTERM, SIGHUP and SIGINT end the session like `q`: the guard restores the terminal.
        let mut stop = Signals::new()?;
        loop {
            let input_now = input && last_input_draw.is_none_or(|t| t.elapsed() >= FRAME);
            let stream_due = last_draw.is_none_or(|t| t.elapsed() >= STREAM_FRAME);
            let due = input_now || records || stream_due;
            if dirty && due {
                guard.terminal.draw(|f| crate::ui::draw(&self.app, f))?;
                dirty = false;
                if input_now {
                    last_input_draw = Some(Instant::now());
                }
                (input, records) = (false, false);
                last_draw = Some(Instant::now());
                // Debug builds only: lets the tests check that a panic restores the terminal.
                #[cfg(debug_assertions)]
                debug_panic();
            }
            // Input held back by its limit is drawn when the limit allows, the stream at its pace.
            let next_frame = match (input, last_input_draw, last_draw) {
                (true, Some(t), _) => (t + FRAME).min(last_draw.map_or(t, |d| d + STREAM_FRAME)),
                (true, None, _) | (false, _, None) => Instant::now(),
                (false, _, Some(t)) => t + STREAM_FRAME,
            }
            .into();
            let frame = dirty.then_some(next_frame);
            let wake = next_wake(
                &mut events,
                &mut self.action_rx,
                &mut self.reader_rx,
                &mut batch,
                &mut tick,
                frame,
                stop.recv(),
            )
            .await;
            let fx = match wake {
                Wake::Terminal(ev) => match ev {
                    Some(Ok(ev)) => match to_action(ev) {
                        Some(a) => {
                            input = true;
                            awaiting_records = true;
                            self.app.update(a)
                        }
                        None => continue,
                    },
                    Some(Err(e)) => return Err(e).context("reading terminal events"),
                    None => return Ok(false),
                },
                Wake::Stop => return Ok(false),
                Wake::Action(a) => {
                    // A detail built off the UI thread answers a key: shown at once, not at
                    // the next frame of the stream.
                    if matches!(a, Action::DetailBuilt(_)) {
                        records = true;
                    }
                    self.app.update(a)
                }
                Wake::Fed { answers } => {
                    // The records first (a scan's counts never run ahead of its rows), then
                    // the answers that waited behind them.
                    let mut fx = self.fed(&mut batch, &mut awaiting_records, &mut records);
                    for a in answers {
                        if matches!(a, Action::DetailBuilt(_)) {
                            records = true;
                        }
                        fx.extend(self.app.update(a));
                    }
                    fx
                }
                Wake::Tick => self.app.update(Action::Tick),
                Wake::Frame => continue,
            };
            dirty |= !fx.is_empty();
            // What the update let go of is freed on another thread: a stream of decoded
            // records frees as many as it brings, which is most of an update's work.
            let garbage = self.app.take_garbage();
            if garbage.len() >= GARBAGE_BATCH {
                tokio::task::spawn_blocking(move || drop(garbage));
            }
            if self.perform(fx) || self.app.quit {
                return Ok(self.switch);
            }
            if let Some(v) = self.open_value.take() {
                // The program reads the terminal: the event stream must not read it too.
                drop(events);
                let note = external::open(guard, v).await;
                events = EventStream::new();
                let fx = self.app.update(Action::Opened(note));
                dirty = true;
                if self.perform(fx) || self.app.quit {
                    return Ok(self.switch);
                }
            }
        }
    }

    /// Applies the drained reader events; `records` (draw at once) when they bring the first
    /// records after a key (`awaiting_records`).
    fn fed(
        &mut self,
        batch: &mut Vec<decode::Fed>,
        awaiting_records: &mut bool,
        records: &mut bool,
    ) -> Vec<Effect> {
        if *awaiting_records
            && batch.iter().any(|e| {
                matches!(
                    e,
                    decode::Fed::Event(ReaderEvent {
                        kind: ReaderEventKind::Messages(_),
                        ..
                    })
                )
            })
        {
            *records = true;
            *awaiting_records = false;
        }
        self.apply_fed(std::mem::take(batch))
    }

    /// Applies what the reader stage sent, in order: runs of events as one update, each
    /// batch of decodings before the records it belongs to.
    fn apply_fed(&mut self, batch: Vec<decode::Fed>) -> Vec<Effect> {
        let mut fx = Vec::new();
        let mut events = Vec::new();
        for item in batch {
            match item {
                decode::Fed::Event(e) => events.push(e),
                decode::Fed::Decoded(d) => {
                    if !events.is_empty() {
                        fx.extend(self.app.update(Action::Reader(std::mem::take(&mut events))));
                    }
                    fx.extend(self.app.update(Action::Decoded(d)));
                }
            }
        }
        if !events.is_empty() {
            fx.extend(self.app.update(Action::Reader(events)));
        }
        fx
    }

    /// Starts the stage that decodes a new reader's records on their way to the pane; the
    /// reader (or its filter stage) sends into the returned channel.
    fn decode_stage(&mut self, topic: &str) -> mpsc::Sender<ReaderEvent> {
        let (raw_tx, raw_rx) = mpsc::channel(1);
        let decoding = self
            .decoders
            .transforming(topic)
            .map(|_| self.decoding.clone());
        self.stage = Some(tokio::spawn(decode::forward(
            decoding,
            topic.to_string(),
            raw_rx,
            self.reader_tx.clone(),
        )));
        raw_tx
    }

    /// Stops the reader, its filter stage and its decoding stage, if any.
    fn stop_reader(&mut self) {
        self.reader = None;
        if let Some(stage) = self.reader_stage.take() {
            stage.abort();
        }
        if let Some(stage) = self.stage.take() {
            stage.abort();
        }
    }

    /// Carries out effects; true when it is time to quit.
    fn perform(&mut self, effects: Vec<Effect>) -> bool {
        for e in effects {
            match e {
                Effect::LoadTopics => {
                    if self.topics_load.as_ref().is_some_and(|t| !t.is_finished()) {
                        continue;
                    }
                    let (cluster, tx, iso) = (
                        self.cluster.clone(),
                        self.action_tx.clone(),
                        self.reader_config.isolation,
                    );
                    self.topics_load = Some(tokio::spawn(async move {
                        let _ = tx.send(Action::TopicsLoaded(loads::topics(cluster, iso).await));
                    }));
                }
                Effect::LoadGroups | Effect::LoadGroup { .. } => {
                    // One load at a time: a newer one replaces an older.
                    if let Some(t) = self.groups_load.take() {
                        t.abort();
                    }
                    let (cluster, tx, known) = (
                        self.cluster.clone(),
                        self.action_tx.clone(),
                        self.known_groups.clone(),
                    );
                    self.groups_load = Some(tokio::spawn(async move {
                        let action = match e {
                            Effect::LoadGroup { group } => {
                                let result = loads::group(cluster, group.clone(), &known).await;
                                Action::GroupLoaded { group, result }
                            }
                            _ => Action::GroupsLoaded(loads::groups(cluster, &known).await),
                        };
                        let _ = tx.send(action);
                    }));
                }
                Effect::LoadPartitions { topic } => {
                    if self.configs_for.as_ref() != Some(&topic) {
                        self.configs_for = Some(topic.clone());
                        let (cluster, tx, t) =
                            (self.cluster.clone(), self.action_tx.clone(), topic.clone());
                        tokio::spawn(async move {
                            let configs = loads::key_configs(cluster, &t).await;
                            let _ = tx.send(Action::TopicConfigsLoaded { topic: t, configs });
                        });
                    }
                    match &self.partitions_load {
                        Some((t, task)) if *t == topic && !task.is_finished() => continue,
                        Some((_, task)) => task.abort(),
                        None => {}
                    }
                    let (cluster, tx, iso) = (
                        self.cluster.clone(),
                        self.action_tx.clone(),
                        self.reader_config.isolation,
                    );
                    let name = topic.clone();
                    let task = tokio::spawn(async move {
                        let result = loads::partitions(cluster, topic.clone(), iso).await;
                        let _ = tx.send(Action::PartitionsLoaded { topic, result });
                    });
                    self.partitions_load = Some((name, task));
                }
                Effect::StartReader {
                    generation,
                    topic,
                    partition,
                    start,
                } => {
                    let config = ReaderConfig {
                        generation,
                        ..self.reader_config.clone()
                    };
                    // Replacing the handles aborts the previous reader and its stages.
                    self.stop_reader();
                    let raw_tx = self.decode_stage(&topic);
                    self.reader = Some(PartitionReader::spawn(
                        self.cluster.clone(),
                        topic,
                        partition,
                        start,
                        config,
                        raw_tx,
                    ));
                }
                Effect::FilteredReader {
                    generation,
                    topic,
                    partition,
                    start,
                    until,
                    query,
                } => {
                    let config = ReaderConfig {
                        generation,
                        ..self.reader_config.clone()
                    };
                    let read = scan::FilteredRead {
                        topic,
                        partition,
                        start,
                        until,
                        query,
                    };
                    self.stop_reader();
                    let raw_tx = self.decode_stage(&read.topic);
                    let decoder = self.decoders.transforming(&read.topic);
                    let (reader, stage) = scan::spawn_filtered(
                        self.cluster.clone(),
                        config,
                        read,
                        decoder,
                        raw_tx,
                        self.action_tx.clone(),
                    );
                    self.reader = Some(reader);
                    self.reader_stage = Some(stage);
                }
                Effect::StopReader => self.stop_reader(),
                e @ (Effect::Search(_) | Effect::MergedSearch(_)) => {
                    // One search at a time, in one partition or in the merged view.
                    if let Some(old) = self.search.take() {
                        old.abort();
                    }
                    let config = ReaderConfig {
                        capacity: SEARCH_CHANNEL,
                        ..self.reader_config.clone()
                    };
                    let (cluster, tx) = (self.cluster.clone(), self.action_tx.clone());
                    self.search = match e {
                        Effect::Search(job) => {
                            let decoder = self.decoders.transforming(&job.topic);
                            Some(scan::spawn_search(cluster, config, job, decoder, tx))
                        }
                        Effect::MergedSearch(job) => {
                            let decoder = self.decoders.transforming(&job.topic);
                            Some(merged_scan::spawn_merged_search(
                                cluster, config, job, decoder, tx,
                            ))
                        }
                        _ => None,
                    };
                }
                Effect::TopicSearch(job) => {
                    if let Some(old) = self.topic_search.take() {
                        old.abort();
                    }
                    let config = ReaderConfig {
                        capacity: SEARCH_CHANNEL,
                        ..self.reader_config.clone()
                    };
                    self.topic_search = Some(scan::spawn_topic_search(
                        self.cluster.clone(),
                        config,
                        job,
                        Some(self.decoders.clone()),
                        self.action_tx.clone(),
                    ));
                }
                Effect::StopTopicSearch => {
                    if let Some(old) = self.topic_search.take() {
                        old.abort();
                    }
                }
                Effect::StopSearch => {
                    if let Some(old) = self.search.take() {
                        old.abort();
                    }
                }
                Effect::LoadMerged(req) => {
                    if let Some(old) = self.merged_load.take() {
                        old.abort();
                    }
                    let (cluster, tx) = (self.cluster.clone(), self.action_tx.clone());
                    let ctx = merged::LoadContext {
                        isolation: self.reader_config.isolation,
                        decoding: self
                            .decoders
                            .transforming(&req.topic)
                            .map(|_| self.decoding.clone()),
                        decoders: Some(self.decoders.clone()),
                        config: ReaderConfig {
                            capacity: SEARCH_CHANNEL,
                            ..self.reader_config.clone()
                        },
                        actions: self.action_tx.clone(),
                    };
                    self.merged_load = Some(tokio::spawn(async move {
                        let answer = merged::load(cluster, req, ctx).await;
                        let _ = tx.send(Action::MergedLoaded(answer));
                    }));
                }
                Effect::BuildDetail(job) => {
                    // The newest job is the one wanted: older ones stop at their next MiB.
                    let seq = self.detail_jobs.fetch_add(1, Ordering::Relaxed) + 1;
                    let (jobs, tx) = (self.detail_jobs.clone(), self.action_tx.clone());
                    tokio::task::spawn_blocking(move || {
                        let wanted = || jobs.load(Ordering::Relaxed) == seq;
                        if let Some(built) = job.run(&wanted) {
                            let _ = tx.send(Action::DetailBuilt(built));
                        }
                    });
                }
                Effect::Copy(bytes) => {
                    use std::io::Write as _;
                    let mut out = std::io::stdout();
                    let seq = crate::app::clipboard::osc52(&bytes);
                    if let Err(e) = out.write_all(&seq).and_then(|()| out.flush()) {
                        tracing::warn!(error = %e, "cannot write the clipboard sequence");
                    }
                }
                Effect::SaveFile { path, bytes } => {
                    let tx = self.action_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let note = crate::app::clipboard::save_file(&path, &bytes);
                        let _ = tx.send(Action::Saved(note));
                    });
                }
                Effect::LoadConfigs { topic } => {
                    if let Some(t) = self.configs_load.take() {
                        t.abort();
                    }
                    let (cluster, tx) = (self.cluster.clone(), self.action_tx.clone());
                    self.configs_load = Some(tokio::spawn(async move {
                        let result = loads::configs(cluster, &topic).await;
                        let _ = tx.send(Action::ConfigsLoaded { topic, result });
                    }));
                }
                Effect::LoadTopicGroups { topic, partitions } => {
                    // The app asks for one at a time; a topic switch replaces it.
                    if let Some(t) = self.topic_groups_load.take() {
                        t.abort();
                    }
                    let (cluster, tx, known) = (
                        self.cluster.clone(),
                        self.action_tx.clone(),
                        self.known_groups.clone(),
                    );
                    self.topic_groups_load = Some(tokio::spawn(async move {
                        let result =
                            loads::topic_groups(cluster, &topic, &partitions, &known).await;
                        let _ = tx.send(Action::TopicGroupsLoaded { topic, result });
                    }));
                }
                Effect::SaveRecords(job) => {
                    if let Some(old) = self.save.take() {
                        old.abort();
                    }
                    let config = ReaderConfig {
                        capacity: SEARCH_CHANNEL,
                        ..self.reader_config.clone()
                    };
                    // Written as `consume` decodes the topic; matched as the view's filter.
                    let decoders = save::SaveDecoders {
                        output: self.decoders.decoder(&job.topic),
                        filter: self.decoders.transforming(&job.topic),
                    };
                    self.save = Some(save::spawn(
                        self.cluster.clone(),
                        config,
                        decoders,
                        job,
                        self.action_tx.clone(),
                    ));
                }
                Effect::StopSave => {
                    if let Some(old) = self.save.take() {
                        old.abort();
                    }
                }
                Effect::OpenValue(v) => self.open_value = Some(v),
                Effect::Redraw => {}
                Effect::Quit => return true,
                Effect::SwitchCluster => {
                    self.switch = true;
                    return true;
                }
            }
        }
        false
    }
}

/// What woke the event loop.
#[derive(Debug)]
enum Wake {
    /// Terminal input (None: the terminal closed).
    Terminal(Option<std::io::Result<Event>>),
    /// A signal that ends the session.
    Stop,
    /// What a task answered: a detail built, a load, a scan's progress.
    Action(Action),
    /// Reader events (records and their decodings) were drained into the batch; `answers`:
    /// the tasks' answers that were waiting too, to be applied after them.
    Fed {
        /// Answers taken without waiting, in order.
        answers: Vec<Action>,
    },
    /// The periodic tick.
    Tick,
    /// The next frame is due.
    Frame,
}

/// Waits for the next thing to do, served in this order when several are ready: terminal
/// input (a fast topic never delays a key), a signal, reader events (at most `DRAIN` into
/// `batch`: with `decode::CHUNK` records each, an update ingests a bounded number) together
/// with every task answer already waiting (a detail built for a key is never held back by a
/// stream of records, and a scan's counts come after the rows they count), a task's answer,
/// the tick, and the frame (`frame`: when one is due, if anything is to be drawn).
async fn next_wake<E>(
    events: &mut E,
    actions: &mut mpsc::UnboundedReceiver<Action>,
    fed: &mut mpsc::Receiver<decode::Fed>,
    batch: &mut Vec<decode::Fed>,
    tick: &mut tokio::time::Interval,
    frame: Option<tokio::time::Instant>,
    stop: impl std::future::Future<Output = ()>,
) -> Wake
where
    E: futures::Stream<Item = std::io::Result<Event>> + Unpin,
{
    tokio::select! {
        biased;
        ev = events.next() => Wake::Terminal(ev),
        () = stop => Wake::Stop,
        _ = fed.recv_many(batch, DRAIN) => {
            let mut answers = Vec::new();
            while let Ok(a) = actions.try_recv() {
                answers.push(a);
            }
            Wake::Fed { answers }
        }
        Some(a) = actions.recv() => Wake::Action(a),
        _ = tick.tick() => Wake::Tick,
        () = tokio::time::sleep_until(frame.unwrap_or_else(tokio::time::Instant::now)), if frame.is_some() => Wake::Frame,
    }
}

/// The signals that end a session: terminate, hang-up (the terminal closed) and interrupt.
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind| signal(kind).context("installing signal handlers");
        Ok(Signals {
            term: listen(SignalKind::terminate())?,
            hup: listen(SignalKind::hangup())?,
            int: listen(SignalKind::interrupt())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

fn to_action(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Action::Key(k)),
        Event::Mouse(m) => Some(Action::Mouse(m)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// Debug builds only: with KBROWSE_DEBUG_PANIC set, panics after the first frame, so that the
/// tests can check that a panic restores the terminal.
#[cfg(debug_assertions)]
#[allow(clippy::panic, reason = "a test hook, never on in a release build")]
fn debug_panic() {
    if std::env::var_os("KBROWSE_DEBUG_PANIC").is_some() {
        panic!("KBROWSE_DEBUG_PANIC is set: a deliberate panic after the first frame");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// With a key, a task's answer and records all waiting, the loop takes the key, then the
    /// records together with the answer, then draws the due frame: a stream of records never
    /// holds a key or a built detail back.
    #[tokio::test]
    async fn keys_then_records_with_the_waiting_answers_then_the_frame() {
        let key = Event::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
        let mut events =
            futures::stream::iter(vec![Ok(key.clone())]).chain(futures::stream::pending());
        let (atx, mut actions) = mpsc::unbounded_channel();
        let (ftx, mut fed) = mpsc::channel(4);
        for _ in 0..2 {
            ftx.send(decode::Fed::Event(ReaderEvent {
                generation: 1,
                partition: 0,
                kind: ReaderEventKind::Messages(Vec::new()),
            }))
            .await
            .unwrap();
        }
        atx.send(Action::Tick).unwrap();
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.tick().await;
        let mut batch = Vec::new();
        let frame = Some(tokio::time::Instant::now());
        let mut next = async || {
            next_wake(
                &mut events,
                &mut actions,
                &mut fed,
                &mut batch,
                &mut tick,
                frame,
                std::future::pending(),
            )
            .await
        };
        assert!(matches!(next().await, Wake::Terminal(Some(Ok(e))) if e == key));
        // The records, and with them the answer that waited: applied in the same update.
        assert!(
            matches!(next().await, Wake::Fed { answers } if matches!(answers[..], [Action::Tick]))
        );
        assert!(matches!(next().await, Wake::Frame));
        // An answer alone comes before the frame.
        atx.send(Action::Tick).unwrap();
        assert!(matches!(next().await, Wake::Action(Action::Tick)));
        // Both waiting events were drained as one batch.
        assert_eq!(batch.len(), 2);
    }
}
