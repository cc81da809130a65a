//! App state and `update(Action) -> Vec<Effect>`: plain data, no I/O, no terminal.
//!
//! The runtime turns terminal events, load results and reader events into `Action`s and
//! carries out the `Effect`s that `update` returns. Time comes from an injected clock.

pub mod clipboard;
pub mod configs;
pub mod cursor;
pub mod decoding;
pub mod detail;
pub mod groups;
pub mod keymap;
mod keys;
pub mod lists;
pub mod merged;
mod merged_keys;
mod merged_search;
pub mod messages;
pub mod picker;
pub mod prompt;
pub mod results;
pub mod save;
pub mod search;
mod search_update;
pub mod table;
pub mod topic_groups;
pub mod window;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::kafka::{ReaderEvent, StartAt};
use crate::render::Safe;

pub use cursor::Cursor;
pub use decoding::{Decodings, PartDecoding, RecordDecoding, SchemaLabel};
pub use detail::{Detail, DetailBuilt, DetailJob, ValueView};
pub use groups::{GroupList, GroupPartitionRow, GroupRow, GroupView};
pub use lists::{PartitionList, PartitionRow, TopicList, TopicRow};
pub use messages::{Activity, MessagePane, ReaderStatus};
pub use prompt::{History, Prompt, PromptKind};
pub use table::TableView;
pub use window::{Gap, GapKind, MessageWindow, Row};

pub use crate::render::TimeZone;

/// Something that happened.
#[derive(Debug)]
pub enum Action {
    /// A key press.
    Key(KeyEvent),
    /// A mouse event.
    Mouse(MouseEvent),
    /// The terminal's new size (columns, rows).
    Resize(u16, u16),
    /// Time passed: rates and periodic refreshes.
    Tick,
    /// The topic list arrived, or failed to.
    TopicsLoaded(Result<Vec<TopicRow>, crate::kafka::Error>),
    /// A topic's partitions and watermarks arrived, or failed to.
    PartitionsLoaded {
        /// The topic they belong to.
        topic: String,
        /// The rows, or why they could not be loaded.
        result: Result<Vec<PartitionRow>, crate::kafka::Error>,
    },
    /// Reader events drained from the channel in one go.
    Reader(Vec<ReaderEvent>),
    /// A topic's key configs arrived (for the partitions screen's header).
    TopicConfigsLoaded {
        /// The topic they belong to.
        topic: String,
        /// (name, value) of the key configs; empty when they could not be read.
        configs: Vec<(String, String)>,
    },
    /// The group list with lag arrived, or failed to.
    GroupsLoaded(Result<Vec<GroupRow>, crate::kafka::Error>),
    /// One group's partitions arrived, or failed to.
    GroupLoaded {
        /// The group they belong to.
        group: String,
        /// The rows, or why they could not be loaded.
        result: Result<Vec<GroupPartitionRow>, crate::kafka::Error>,
    },
    /// A detail's lines, indexed off the UI thread.
    DetailBuilt(DetailBuilt),
    /// Records decoded off the UI thread, handed in before the records themselves.
    Decoded(Decodings),
    /// What became of a save: a line for the status line.
    Saved(String),
    /// A save of records (`S`) reports progress or its end.
    SaveRecords {
        /// The save it answers.
        id: u64,
        /// What it says.
        report: save::SaveReport,
    },
    /// The pager or editor of `e` ended; what went wrong, if anything.
    Opened(Option<String>),
    /// A search scan's progress or result.
    Search {
        /// The job it answers.
        id: u64,
        /// What it says.
        report: search::SearchReport,
    },
    /// A topic search's matches and progress.
    TopicResults {
        /// The search it answers.
        id: u64,
        /// What it says.
        report: results::TopicSearchReport,
    },
    /// A filter view's reader scanned more records (counts since its last report).
    FilterScanned {
        /// The reader's generation.
        generation: u64,
        /// Records scanned.
        scanned: u64,
        /// Records that matched.
        matched: u64,
        /// The offset after the last one scanned.
        reached: i64,
    },
    /// A merged page was read, or failed to be.
    MergedLoaded(merged::MergedLoaded),
    /// All of a topic's configs arrived (`c`), or failed to.
    ConfigsLoaded {
        /// The topic they belong to.
        topic: String,
        /// The rows, or why they could not be read.
        result: Result<Vec<configs::ConfigRow>, crate::kafka::Error>,
    },
    /// The groups' committed offsets on a topic arrived (the groups column), or failed to.
    TopicGroupsLoaded {
        /// The topic they belong to.
        topic: String,
        /// The offsets, or why they could not be read.
        result: Result<crate::kafka::topic_groups::TopicCommits, crate::kafka::Error>,
    },
}

/// Something the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load the topic list.
    LoadTopics,
    /// Load a topic's partitions and their watermarks.
    LoadPartitions {
        /// The topic to describe.
        topic: String,
    },
    /// Replace the running reader (if any) with one for this generation.
    StartReader {
        /// The jump generation the reader's events carry.
        generation: u64,
        /// The topic to read.
        topic: String,
        /// The partition to read.
        partition: i32,
        /// Where to start.
        start: StartAt,
    },
    /// Like `StartReader`, but only records matching `query` reach the pane; a reader
    /// with `until` reports `CaughtUp` there (a backward page).
    FilteredReader {
        /// The jump generation the reader's events carry.
        generation: u64,
        /// The topic to read.
        topic: String,
        /// The partition to read.
        partition: i32,
        /// Where to start.
        start: StartAt,
        /// Where to stop scanning.
        until: Option<i64>,
        /// What records to keep.
        query: search::Query,
    },
    /// Stop the running reader.
    StopReader,
    /// Load every group with its lag.
    LoadGroups,
    /// Load one group's partitions with their lag.
    LoadGroup {
        /// The group to describe.
        group: String,
    },
    /// Scan for the next or previous match (replacing any running search scan).
    Search(search::SearchJob),
    /// Look for the next or previous match in the merged view, in merged time order.
    MergedSearch(search::MergedSearchJob),
    /// Stop the running search scan.
    StopSearch,
    /// Search every partition of a topic (replacing any running topic search).
    TopicSearch(results::TopicSearchJob),
    /// Stop the running topic search.
    StopTopicSearch,
    /// Read a page of the merged view (replacing any load under way).
    LoadMerged(merged::MergedRequest),
    /// End this session and let the user pick another cluster profile.
    SwitchCluster,
    /// Index a large value's lines (or make its JSON) off the UI thread; the answer comes
    /// back as `Action::DetailBuilt`. A newer job makes older ones moot.
    BuildDetail(DetailJob),
    /// Put these bytes on the terminal's clipboard (OSC 52).
    Copy(bytes::Bytes),
    /// Write these bytes to a new file; the outcome comes back as `Action::Saved`.
    SaveFile {
        /// The file, as typed.
        path: std::path::PathBuf,
        /// What to write.
        bytes: bytes::Bytes,
    },
    /// Load all of a topic's configs (the configs view).
    LoadConfigs {
        /// The topic to describe.
        topic: String,
    },
    /// Load the committed offsets of every group on a topic's partitions (one batched round).
    LoadTopicGroups {
        /// The topic.
        topic: String,
        /// Its partitions.
        partitions: Vec<i32>,
    },
    /// Write records to a new file in a task (`S`); progress comes back as
    /// `Action::SaveRecords`.
    SaveRecords(save::SaveJob),
    /// Stop the save of records under way.
    StopSave,
    /// Suspend the UI and open a value in the pager or the editor (`e`, `E`); the outcome
    /// comes back as `Action::Opened`.
    OpenValue(save::OpenValue),
    /// Nothing to do but draw.
    Redraw,
    /// End the program.
    Quit,
}

/// Which screen is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The topic list.
    Topics,
    /// One topic's partitions.
    Partitions,
    /// One partition's records.
    Messages,
    /// One record in full.
    Detail,
    /// The consumer groups (Tab on the topics).
    Groups,
    /// One group's partitions.
    Group,
    /// All partitions merged in time order.
    Merged,
}

/// Earlier entries of each prompt.
#[derive(Debug, Clone, Default)]
pub struct Histories {
    /// Jump prompt `o`.
    pub offsets: History,
    /// Jump prompt `t`.
    pub times: History,
    /// Topic filter `/`.
    pub filters: History,
    /// Save prompts `s` and `S`.
    pub paths: History,
    /// Searches and filters of records (`/`, `&`).
    pub searches: History,
    /// Keys looked for (`K`).
    pub keys: History,
}

/// The clock: milliseconds since the epoch.
pub type Clock = Box<dyn Fn() -> i64 + Send>;

/// The screen's layout as rows: the list and detail geometry the drawing code follows.
pub mod geometry {
    /// Row of the first list entry (title bar, block border, column header above it).
    pub const LIST_TOP: u16 = 3;
    /// Rows of a list body on a terminal `height` rows high.
    pub fn list_rows(height: u16) -> usize {
        height.saturating_sub(LIST_TOP + 2) as usize
    }
    /// Rows of the detail body.
    pub fn detail_rows(height: u16) -> usize {
        height.saturating_sub(4) as usize
    }
    /// Columns of the detail body.
    pub fn detail_width(width: u16) -> usize {
        width.saturating_sub(2) as usize
    }
    /// Rows of the help's body when it fills the terminal.
    pub fn help_rows(height: u16) -> usize {
        height.saturating_sub(2) as usize
    }
}

/// How often lists are refreshed, in milliseconds.
const TOPICS_REFRESH_MS: i64 = 10_000;
const PARTITIONS_REFRESH_MS: i64 = 3_000;

/// Everything the UI shows.
pub struct App {
    /// The bootstrap brokers, as given.
    pub brokers: String,
    /// The screen on top.
    pub screen: Screen,
    /// The topic list.
    pub topics: TopicList,
    /// The partition list, once a topic was opened.
    pub partitions: Option<PartitionList>,
    /// The message pane, once a partition was opened.
    pub messages: Option<MessagePane>,
    /// The merged view of all partitions, once opened.
    pub merged: Option<merged::MergedPane>,
    /// The record opened in full.
    pub detail: Option<Detail>,
    /// The consumer groups, once Tab showed them.
    pub groups: GroupList,
    /// The key configs (name, value) of the topic last opened, for the partitions header.
    pub topic_configs: Option<(String, Vec<(String, crate::render::Outside)>)>,
    /// All of the open topic's configs (`c` on the partitions screen), while shown.
    pub configs: Option<configs::ConfigsView>,
    /// The groups reading the open topic, for the partitions screen's groups column.
    pub topic_groups: Option<topic_groups::TopicGroups>,
    /// True while the key help is shown.
    pub help: bool,
    /// Whether `c` offers the cluster picker (the profiles file has several profiles).
    pub switch_cluster: bool,
    /// True when TLS certificate checks are off: the title bar says so all session long.
    pub tls_unverified: bool,
    /// The authenticated principal the topic list is limited to (Kafka leaves out the
    /// topics it may not describe); None when anonymous.
    pub listing_principal: Option<String>,
    /// First help line shown.
    pub help_scroll: usize,
    /// Earlier entries of the prompts, for ↑ and ↓.
    pub histories: Histories,
    /// The jump or filter prompt, while it is open.
    pub prompt: Option<Prompt>,
    /// The search, filter or find-key prompt, while it is open.
    pub search_prompt: Option<search::SearchPrompt>,
    /// The results of a search over the open topic's partitions.
    pub results: Option<results::TopicResults>,
    /// The save of records (`S`) under way.
    pub saving: Option<save::Saving>,
    save_jobs: u64,
    /// An error shown in a popup until a key is pressed (escaped: it quotes broker data).
    pub popup: Option<Safe>,
    /// A problem shown in the status line (a failed refresh).
    pub warning: Option<Safe>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Set once the user asked to quit.
    pub quit: bool,
    /// The zone times are shown in.
    pub time_zone: TimeZone,
    /// How the message table shows long keys and values.
    pub table: TableView,
    /// The value view the user chose last (`Json` or `Decoded`: the record's pretty JSON,
    /// whichever it has); every record opened in the detail starts on it.
    pub detail_view: ValueView,
    /// `n`/`p` in the detail stopped at the window's edge: once the neighbouring page lands,
    /// the detail moves on in this direction.
    detail_step: Option<isize>,
    window: usize,
    /// The screen the detail was opened from (a partition's pane or the merged view).
    detail_from: Screen,
    clock: Clock,
    generation: u64,
    search_jobs: u64,
    details_opened: u64,
    /// The last click (time, row), for double-clicks.
    last_click: Option<(i64, u16)>,
    /// Keys that need the records of a jump still on their way, kept until they land.
    deferred: Vec<KeyEvent>,
    topics_loaded_at: Option<i64>,
    partitions_loaded_at: Option<i64>,
    groups_loaded_at: Option<i64>,
}

impl App {
    /// A new app; `window` is the message window's size in records.
    pub fn new(brokers: String, window: usize, clock: Clock) -> App {
        App {
            brokers,
            screen: Screen::Topics,
            topics: TopicList::default(),
            partitions: None,
            messages: None,
            merged: None,
            detail: None,
            groups: GroupList::default(),
            topic_configs: None,
            configs: None,
            topic_groups: None,
            help: false,
            switch_cluster: false,
            tls_unverified: false,
            listing_principal: None,
            help_scroll: 0,
            histories: Histories::default(),
            prompt: None,
            search_prompt: None,
            results: None,
            saving: None,
            save_jobs: 0,
            popup: None,
            warning: None,
            size: (80, 24),
            quit: false,
            time_zone: TimeZone::Local,
            table: TableView::default(),
            detail_view: ValueView::Json,
            detail_step: None,
            window: window.max(1),
            detail_from: Screen::Messages,
            clock,
            generation: 0,
            search_jobs: 0,
            details_opened: 0,
            last_click: None,
            deferred: Vec::new(),
            topics_loaded_at: None,
            partitions_loaded_at: None,
            groups_loaded_at: None,
        }
    }

    /// The first effects: load the topics, and open `topic` if one was given.
    pub fn start(&mut self, topic: Option<String>) -> Vec<Effect> {
        let mut fx = vec![Effect::LoadTopics];
        self.topics_loaded_at = Some(self.now());
        if let Some(t) = topic {
            fx.extend(self.open_topic(t));
        }
        fx
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Rows of the list body.
    pub fn list_rows(&self) -> usize {
        geometry::list_rows(self.size.1)
    }

    /// Decodings that left the message pane since the last call: the runtime frees them off
    /// the UI thread (a stream of records frees as many as it brings).
    pub fn take_garbage(&mut self) -> Vec<std::sync::Arc<RecordDecoding>> {
        self.messages
            .as_mut()
            .map(MessagePane::take_garbage)
            .unwrap_or_default()
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Key(key) => self.on_key(key),
            Action::Mouse(mouse) => self.on_mouse(mouse),
            Action::Resize(w, h) => {
                self.size = (w, h);
                let rows = self.list_rows();
                self.topics
                    .cursor
                    .scroll_into_view(self.topics.visible_len(), rows);
                if let Some(p) = self.partitions.as_mut() {
                    p.cursor.scroll_into_view(p.len(), rows);
                }
                if let Some(m) = self.messages.as_mut() {
                    m.cursor.scroll_into_view(m.window.len(), rows);
                }
                let mut fx = vec![Effect::Redraw];
                if let Some(d) = self.detail.as_mut() {
                    fx.extend(d.resize(geometry::detail_width(w)).map(Effect::BuildDetail));
                    d.scroll_by(0, geometry::detail_rows(h));
                }
                fx
            }
            Action::Tick => self.on_tick(),
            Action::TopicsLoaded(result) => self.on_topics(result),
            Action::PartitionsLoaded { topic, result } => self.on_partitions(topic, result),
            Action::Reader(events) => self.on_reader(events),
            Action::Decoded(decodings) => {
                if let Some(p) = self.messages.as_mut() {
                    p.take_decodings(decodings);
                }
                Vec::new()
            }
            Action::GroupsLoaded(result) => self.on_groups(result),
            Action::TopicConfigsLoaded { topic, configs } => {
                let configs = configs.into_iter().map(|(k, v)| (k, v.into())).collect();
                self.topic_configs = Some((topic, configs));
                vec![Effect::Redraw]
            }
            Action::GroupLoaded { group, result } => self.on_group(group, result),
            Action::Saved(note) => {
                self.note(&note);
                vec![Effect::Redraw]
            }
            Action::SaveRecords { id, report } => self.on_save_report(id, report),
            Action::Opened(note) => self.on_opened(note),
            Action::Search { id, report } => self.on_search(id, report),
            Action::TopicResults { id, report } => self.on_topic_results(id, report),
            Action::FilterScanned {
                generation,
                scanned,
                matched,
                reached,
            } => self.on_filter_scanned(generation, scanned, matched, reached),
            Action::MergedLoaded(answer) => self.on_merged_loaded(answer),
            Action::ConfigsLoaded { topic, result } => self.on_configs(topic, result),
            Action::TopicGroupsLoaded { topic, result } => self.on_topic_groups(topic, result),
            Action::DetailBuilt(built) => {
                let rows = geometry::detail_rows(self.size.1);
                match self.detail.as_mut() {
                    Some(d) => {
                        d.built(built, rows);
                        vec![Effect::Redraw]
                    }
                    None => Vec::new(),
                }
            }
        }
    }

    fn on_tick(&mut self) -> Vec<Effect> {
        let now = self.now();
        let mut fx = Vec::new();
        if let Some(m) = self.messages.as_mut() {
            m.tick(now);
            fx.push(Effect::Redraw);
        }
        fx.extend(self.merged_tick());
        let due = |at: Option<i64>, every: i64| at.is_none_or(|t| now - t >= every);
        if self.screen == Screen::Topics && due(self.topics_loaded_at, TOPICS_REFRESH_MS) {
            self.topics_loaded_at = Some(now);
            fx.push(Effect::LoadTopics);
        }
        fx.extend(self.groups_tick(now));
        fx.extend(self.topic_groups_tick(now));
        if let Some(p) = &self.partitions
            && due(self.partitions_loaded_at, PARTITIONS_REFRESH_MS)
        {
            self.partitions_loaded_at = Some(now);
            fx.push(Effect::LoadPartitions {
                topic: p.topic.raw().to_string(),
            });
        }
        fx
    }

    fn on_topics(&mut self, result: Result<Vec<TopicRow>, crate::kafka::Error>) -> Vec<Effect> {
        match result {
            Ok(rows) => {
                let list_rows = self.list_rows();
                self.topics.set_rows(rows, list_rows);
                self.warning = None;
            }
            Err(e) if !self.topics.loaded && self.screen == Screen::Topics => {
                self.popup = Some(Safe::new(&format!("cannot list topics: {e}")))
            }
            Err(e) => self.warning = Some(Safe::new(&format!("topic refresh failed: {e}"))),
        }
        vec![Effect::Redraw]
    }

    fn on_partitions(
        &mut self,
        topic: String,
        result: Result<Vec<PartitionRow>, crate::kafka::Error>,
    ) -> Vec<Effect> {
        let rows_on_screen = self.list_rows();
        let Some(list) = self.partitions.as_mut().filter(|p| p.topic == topic) else {
            return Vec::new();
        };
        match result {
            Ok(rows) => {
                if let Some(m) = self.messages.as_mut()
                    && let Some(r) = rows.iter().find(|r| r.id == m.partition)
                    && let (Some(low), Some(high)) = (r.low, r.high)
                {
                    m.refresh(crate::kafka::Watermarks { low, high });
                }
                if let Some(m) = self.merged.as_mut() {
                    for r in &rows {
                        if let (Some(low), Some(high)) = (r.low, r.high) {
                            m.refresh(r.id, crate::kafka::Watermarks { low, high });
                        }
                    }
                }
                list.rows = rows;
                let first = !list.loaded;
                list.loaded = true;
                if first {
                    // The first partition, below the "all partitions" row.
                    list.cursor.select(1, list.len(), rows_on_screen);
                }
                list.cursor.scroll_into_view(list.len(), rows_on_screen);
                self.warning = None;
            }
            Err(e) if !list.loaded => {
                // The topic cannot be opened (unknown, or the cluster is unreachable).
                self.popup = Some(Safe::display(&e));
                self.partitions = None;
                if self.screen == Screen::Partitions {
                    self.screen = Screen::Topics;
                }
            }
            Err(e) => self.warning = Some(Safe::new(&format!("partition refresh failed: {e}"))),
        }
        vec![Effect::Redraw]
    }

    fn on_reader(&mut self, events: Vec<ReaderEvent>) -> Vec<Effect> {
        let rows = self.list_rows();
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        let mut fx = vec![Effect::Redraw];
        for ev in events {
            fx.extend(pane.apply(ev, rows));
        }
        let still_loading = pane.awaiting_jump();
        pane.prune_decoded();
        if let Some(n) = pane.notice.take() {
            // A deleted topic: one short line that says what can still be done.
            self.popup = Some(if pane.topic_gone() {
                pane.topic.safe().wrap("topic '", "' was deleted")
            } else {
                n
            });
        }
        // The records came (or will not): the keys typed meanwhile are made now, in order.
        if !still_loading {
            for key in std::mem::take(&mut self.deferred) {
                fx.extend(self.on_key(key));
            }
        }
        fx.extend(self.continue_detail_step());
        fx
    }

    /// Opens a topic's partition list.
    fn open_topic(&mut self, topic: String) -> Vec<Effect> {
        self.partitions = Some(PartitionList::new(topic.clone()));
        // Another topic's configs view never shows over this one's partitions.
        self.configs = None;
        self.partitions_loaded_at = Some(self.now());
        self.screen = Screen::Partitions;
        vec![Effect::LoadPartitions { topic }]
    }

    /// Opens a partition's messages at `start`.
    fn open_partition(&mut self, partition: i32, start: StartAt) -> Vec<Effect> {
        let Some(topic) = self.partitions.as_ref().map(|p| p.topic.raw().to_string()) else {
            return Vec::new();
        };
        let mut fx = Vec::new();
        if let Some(old) = self.messages.take() {
            self.generation = self.generation.max(old.generation);
            fx.push(Effect::StopReader);
        }
        let mut pane = MessagePane::new(topic, partition, self.window, self.generation);
        if let Some(r) = self
            .partitions
            .as_ref()
            .and_then(|p| p.rows.iter().find(|r| r.id == partition))
            && let (Some(low), Some(high)) = (r.low, r.high)
        {
            pane.refresh(crate::kafka::Watermarks { low, high });
        }
        fx.push(pane.jump(start, false));
        self.messages = Some(pane);
        self.screen = Screen::Messages;
        fx
    }

    /// Leaves the message pane, stopping its reader.
    fn close_partition(&mut self) -> Vec<Effect> {
        self.detail = None;
        self.deferred.clear();
        let mut fx = vec![Effect::StopReader];
        if let Some(old) = self.messages.take() {
            self.generation = self.generation.max(old.generation);
            if old.search.is_some_and(|s| s.scanning.is_some()) {
                fx.push(Effect::StopSearch);
            }
        }
        self.screen = Screen::Partitions;
        fx
    }

    /// Opens the selected record in the detail view, on the view chosen last.
    fn open_detail(&mut self) -> Vec<Effect> {
        // Opened from the table, or (n/p) from the detail itself.
        let from = if self.screen == Screen::Detail {
            self.detail_from
        } else {
            self.screen
        };
        let (m, decoding) = if from == Screen::Merged {
            let Some(pane) = self.merged.as_ref() else {
                return Vec::new();
            };
            let Some(m) = pane.selected().cloned() else {
                return Vec::new();
            };
            let decoding = pane.decoding(&m).cloned();
            (m, decoding)
        } else {
            let Some(pane) = self.messages.as_ref() else {
                return Vec::new();
            };
            let Some(m) = pane.selected().cloned() else {
                return Vec::new();
            };
            let decoding = pane.decoding(m.offset).cloned();
            (m, decoding)
        };
        let tz = self.time_zone;
        self.details_opened += 1;
        let width = geometry::detail_width(self.size.0);
        let (detail, job) = Detail::new(
            self.details_opened,
            m,
            decoding,
            width,
            self.detail_view,
            |t| crate::render::format_time_zoned(tz, t),
        );
        self.detail = Some(detail);
        self.detail_step = None;
        self.detail_from = from;
        self.screen = Screen::Detail;
        let mut fx: Vec<Effect> = job.into_iter().map(Effect::BuildDetail).collect();
        fx.push(Effect::Redraw);
        fx
    }

    /// `n`/`p` in the detail: the next or previous record (marker rows skipped), loading the
    /// neighbouring page at the window's edge as the table does.
    fn step_detail(&mut self, dir: isize) -> Vec<Effect> {
        let rows = self.list_rows();
        if self.detail_from == Screen::Merged {
            return self.step_merged_detail(dir, rows);
        }
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        let shown = self.detail.as_ref().map(|d| d.message.offset);
        let mut fx = Vec::new();
        loop {
            let before = pane.cursor.selected;
            fx.extend(pane.move_by(dir, rows));
            if pane.cursor.selected == before {
                // At the window's edge: the page being loaded moves the selection on.
                self.detail_step = pane.loading().then_some(dir);
                break;
            }
            if pane.selected().is_some() {
                self.detail_step = None;
                break;
            }
        }
        if pane.selected().map(|m| m.offset) != shown && pane.selected().is_some() {
            let step = self.detail_step;
            fx.extend(self.open_detail());
            self.detail_step = step;
        }
        fx
    }

    /// After records arrived: a detail waiting at the window's edge moves to the record the
    /// selection reached (on past marker rows).
    fn continue_detail_step(&mut self) -> Vec<Effect> {
        let Some(dir) = self.detail_step else {
            return Vec::new();
        };
        let Some(pane) = self.messages.as_ref() else {
            self.detail_step = None;
            return Vec::new();
        };
        if self.screen != Screen::Detail {
            self.detail_step = None;
            return Vec::new();
        }
        let shown = self.detail.as_ref().map(|d| d.message.offset);
        match pane.selected() {
            Some(m) if Some(m.offset) != shown => self.open_detail(),
            // The load ended with the selection on a marker row, or still at the edge (keys
            // arrive before records: n may have hit the edge while the page was filling):
            // step again, which asks for the next page if there is one.
            _ if !pane.loading() => self.step_detail(dir),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod detail_nav_tests;
