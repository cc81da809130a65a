//! The topic-wide search of the partitions screen (`/` there): every partition scanned in
//! parallel from a position, the matches streamed into a bounded results list with "more"
//! paging, and Enter opening a match in its partition, in context.

use bytes::Bytes;

use crate::kafka::{Message, StartAt};

use super::cursor::Cursor;
use super::search::{PaneSearch, Query};
use super::{App, Effect};

/// Matches the results list holds at most; `m` clears it and goes on from there.
pub const RESULTS_LIMIT: usize = 10_000;
/// Bytes of a key kept per match (the list shows a snippet, never the whole record).
const KEY_BYTES: usize = 256;
/// Bytes of a value kept per match.
const VALUE_BYTES: usize = 4096;

/// One match, with copies of the first bytes of its key and value (so that the list never
/// pins the fetch buffers the record came in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The key's first bytes, None when null.
    pub key: Option<Bytes>,
    /// The value's first bytes, None when null.
    pub value: Option<Bytes>,
}

impl Hit {
    /// The list's copy of a matching record.
    pub fn of(m: &Message) -> Hit {
        let cut = |b: &Option<Bytes>, n: usize| {
            b.as_ref()
                .map(|b| Bytes::copy_from_slice(b.get(..n.min(b.len())).unwrap_or_default()))
        };
        Hit {
            partition: m.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: cut(&m.key, KEY_BYTES),
            value: cut(&m.value, VALUE_BYTES),
        }
    }
}

/// A topic search for the runtime to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSearchJob {
    /// Tells this scan's reports from older ones.
    pub id: u64,
    /// The topic.
    pub topic: String,
    /// Each partition and where its scan starts.
    pub partitions: Vec<(i32, StartAt)>,
    /// What to look for.
    pub query: Query,
    /// Stop after this many matches.
    pub limit: usize,
}

/// What a topic search sends back, batched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSearchReport {
    /// New matches, in arrival order.
    pub hits: Vec<Hit>,
    /// Records scanned since the last report.
    pub scanned: u64,
    /// Where each partition's scan goes on (after the last match taken).
    pub next: Vec<(i32, i64)>,
    /// Offsets to scan in all, as far as the partitions that started tell.
    pub total: u64,
    /// The scan ended: every partition reached its end, or the limit was reached.
    pub done: bool,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// The results list.
#[derive(Debug, Clone)]
pub struct TopicResults {
    /// The search's id (reports of other searches are ignored).
    pub id: u64,
    /// What is searched for.
    pub query: Query,
    /// Where the search started, as typed.
    pub from: String,
    /// The matches of this page.
    pub hits: Vec<Hit>,
    /// Matches on earlier pages.
    pub before: usize,
    /// Selection and scroll.
    pub cursor: Cursor,
    /// Records scanned.
    pub scanned: u64,
    /// Offsets to scan in all.
    pub total: u64,
    /// Where each partition started.
    pub starts: Vec<(i32, StartAt)>,
    /// Where each partition goes on.
    pub next: Vec<(i32, i64)>,
    /// True while the scan runs.
    pub running: bool,
    /// Why the scan failed.
    pub error: Option<String>,
}

impl TopicResults {
    /// True when the page is full: `m` shows the next.
    pub fn full(&self) -> bool {
        self.hits.len() >= RESULTS_LIMIT
    }
}

impl App {
    /// Starts a topic search from `from` (what the prompt's start field parsed to).
    pub(super) fn start_topic_search(
        &mut self,
        query: Query,
        from: StartAt,
        from_text: String,
    ) -> Vec<Effect> {
        let Some(list) = self.partitions.as_ref() else {
            return Vec::new();
        };
        self.search_jobs += 1;
        let id = self.search_jobs;
        let job = TopicSearchJob {
            id,
            topic: list.topic.raw().to_string(),
            partitions: list.rows.iter().map(|r| (r.id, from)).collect(),
            query: query.clone(),
            limit: RESULTS_LIMIT,
        };
        let starts = job.partitions.clone();
        self.results = Some(TopicResults {
            id,
            query,
            from: from_text,
            hits: Vec::new(),
            before: 0,
            cursor: Cursor::default(),
            scanned: 0,
            total: 0,
            starts,
            next: Vec::new(),
            running: true,
            error: None,
        });
        vec![Effect::TopicSearch(job), Effect::Redraw]
    }

    /// A topic search's report.
    pub(super) fn on_topic_results(&mut self, id: u64, report: TopicSearchReport) -> Vec<Effect> {
        let rows = self.list_rows();
        let Some(r) = self.results.as_mut().filter(|r| r.id == id) else {
            return Vec::new();
        };
        let room = RESULTS_LIMIT.saturating_sub(r.hits.len());
        r.hits.extend(report.hits.into_iter().take(room));
        r.scanned += report.scanned;
        r.total += report.total;
        for (p, n) in report.next {
            match r.next.iter_mut().find(|(q, _)| *q == p) {
                Some(slot) => slot.1 = n,
                None => r.next.push((p, n)),
            }
        }
        if report.done {
            r.running = false;
        }
        if report.error.is_some() {
            r.error = report.error;
            r.running = false;
        }
        r.cursor.scroll_into_view(r.hits.len(), rows);
        vec![Effect::Redraw]
    }

    /// The keys of the results list.
    pub(super) fn results_command(&mut self, command: super::keymap::Command) -> Vec<Effect> {
        use super::keymap::Command;
        let rows = self.list_rows();
        let Some(r) = self.results.as_mut() else {
            return Vec::new();
        };
        let len = r.hits.len();
        match command {
            Command::Move(m) => Self::move_list(&mut r.cursor, m, len, rows),
            Command::Back => {
                let running = r.running;
                self.results = None;
                if running {
                    return vec![Effect::StopTopicSearch];
                }
            }
            Command::More if r.full() && !r.running => {
                self.search_jobs += 1;
                let id = self.search_jobs;
                let Some(list) = self.partitions.as_ref() else {
                    return Vec::new();
                };
                r.before += r.hits.len();
                r.hits.clear();
                r.cursor = Cursor::default();
                r.id = id;
                r.running = true;
                let job = TopicSearchJob {
                    id,
                    topic: list.topic.raw().to_string(),
                    partitions: r
                        .starts
                        .iter()
                        .map(|&(p, start)| match r.next.iter().find(|(q, _)| *q == p) {
                            Some(&(_, n)) => (p, StartAt::Resume(n)),
                            None => (p, start),
                        })
                        .collect(),
                    query: r.query.clone(),
                    limit: RESULTS_LIMIT,
                };
                return vec![Effect::TopicSearch(job)];
            }
            Command::Open => {
                let Some(hit) = r.hits.get(r.cursor.selected).cloned() else {
                    return Vec::new();
                };
                let query = r.query.clone();
                return self.open_in_context(hit.partition, hit.offset, query);
            }
            Command::Search => self.open_search_prompt(super::search::SearchKind::TopicSearch),
            _ => {}
        }
        Vec::new()
    }

    /// Opens `partition` around `offset`, selects it once loaded, and keeps `query` as the
    /// pane's search (for `n`, `N` and the highlighting).
    fn open_in_context(&mut self, partition: i32, offset: i64, query: Query) -> Vec<Effect> {
        let rows = self.list_rows() as i64;
        let low = self
            .partitions
            .as_ref()
            .and_then(|l| l.rows.iter().find(|r| r.id == partition))
            .and_then(|r| r.low)
            .unwrap_or(0);
        let fx = self.open_partition(partition, StartAt::Offset((offset - rows / 2).max(low)));
        if let Some(pane) = self.messages.as_mut() {
            pane.want = Some(offset);
            pane.search = Some(PaneSearch {
                query,
                scanning: None,
                note: None,
            });
        }
        fx
    }
}
