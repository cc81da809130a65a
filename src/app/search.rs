//! Search and filter in the message pane: the `/`, `&` and `K` prompts, the scan that finds
//! the next or previous match beyond the loaded window, and the filter view's counters.
//!
//! The filter language is `search::Filter`'s; nothing here evaluates it. Scans run in the
//! runtime's tasks (`Effect::Search`, `Effect::FilteredReader`) and report back as
//! `Action::Search` and `Action::FilterScanned`.

use tui_input::Input;

use crate::kafka::Message;
use crate::search::{Filter, FilterError, Matcher};

/// What a search prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    /// `/` in the message pane: the next match forward from the cursor.
    Search,
    /// `&` in the message pane: show only matching records.
    Filter,
    /// `K` on the partitions screen: the key's partition, filtered to the key.
    FindKey,
    /// `/` on the partitions screen: every partition, from a position.
    TopicSearch,
}

/// An open search, filter or find-key prompt.
#[derive(Debug, Clone)]
pub struct SearchPrompt {
    /// What Enter does.
    pub kind: SearchKind,
    /// The text typed so far.
    pub input: Input,
    /// Where a topic search starts (beginning, N, -N, @TIME).
    pub from: Input,
    /// True while typing into `from` (Tab switches).
    pub on_from: bool,
    /// Why the start position was refused.
    pub error: Option<String>,
}

/// How the prompt understands what is typed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Understood {
    /// Nothing typed.
    Empty,
    /// A CEL expression.
    Expression,
    /// Plain text, and whether it is matched case-sensitively.
    Text {
        /// True when the text has an upper-case letter (smartcase).
        case_sensitive: bool,
    },
    /// A key (find key): exact bytes.
    Key,
    /// A bad expression.
    Error(FilterError),
}

impl SearchPrompt {
    /// An empty prompt.
    pub fn new(kind: SearchKind) -> SearchPrompt {
        SearchPrompt {
            kind,
            input: Input::default(),
            from: Input::new("beginning".into()),
            on_from: false,
            error: None,
        }
    }

    /// The title shown above the input.
    pub fn title(&self) -> &'static str {
        match self.kind {
            SearchKind::Search => "Search forward",
            SearchKind::Filter => "Filter records",
            SearchKind::FindKey => "Find key",
            SearchKind::TopicSearch => "Search every partition",
        }
    }

    /// What Enter does, for the prompt's bottom line.
    pub fn action(&self) -> &'static str {
        match self.kind {
            SearchKind::Search => "search",
            SearchKind::Filter => "filter",
            SearchKind::FindKey => "find",
            SearchKind::TopicSearch => "search",
        }
    }

    /// How the text typed so far is understood.
    pub fn understood(&self) -> Understood {
        let text = self.input.value();
        if text.is_empty() {
            return Understood::Empty;
        }
        if self.kind == SearchKind::FindKey {
            return Understood::Key;
        }
        match Filter::parse(text) {
            Ok(Filter::Expr(_)) => Understood::Expression,
            Ok(Filter::Text(t)) => Understood::Text {
                case_sensitive: t.case_sensitive(),
            },
            Err(e) => Understood::Error(e),
        }
    }

    /// The query typed, or why it is refused; None when nothing was typed.
    pub fn query(&self) -> Result<Option<Query>, FilterError> {
        let text = self.input.value();
        if text.is_empty() {
            return Ok(None);
        }
        if self.kind == SearchKind::FindKey {
            return Ok(Some(Query::Key(text.as_bytes().to_vec())));
        }
        Filter::parse(text).map(|filter| {
            Some(Query::Filter {
                text: text.to_string(),
                filter,
            })
        })
    }
}

/// What a scan looks for: a filter, or exactly one key.
#[derive(Debug, Clone)]
pub enum Query {
    /// A filter as typed.
    Filter {
        /// The text typed.
        text: String,
        /// Its parse.
        filter: Filter,
    },
    /// Records with exactly this key.
    Key(Vec<u8>),
}

impl PartialEq for Query {
    fn eq(&self, other: &Query) -> bool {
        match (self, other) {
            (Query::Filter { text: a, .. }, Query::Filter { text: b, .. }) => a == b,
            (Query::Key(a), Query::Key(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Query {}

impl Query {
    /// The query as the status line shows it (raw: the status line escapes it).
    pub fn label(&self) -> String {
        match self {
            Query::Filter { text, .. } => text.clone(),
            Query::Key(k) => format!("key = {}", String::from_utf8_lossy(k)),
        }
    }

    /// A matcher for one scan task.
    pub fn matcher(&self, topic: &str) -> QueryMatcher {
        QueryMatcher {
            filter: match self {
                Query::Filter { filter, .. } => Some(filter.matcher()),
                Query::Key(_) => None,
            },
            key: match self {
                Query::Key(k) => Some(k.clone()),
                Query::Filter { .. } => None,
            },
            topic: topic.to_string(),
        }
    }

    /// The strings to highlight in keys and values: the text searched for, or the string
    /// literals an expression requires; with whether case matters.
    pub fn terms(&self) -> (Vec<String>, bool) {
        match self {
            Query::Key(k) => (vec![String::from_utf8_lossy(k).into_owned()], true),
            Query::Filter {
                filter: Filter::Text(t),
                ..
            } => (vec![t.text().to_string()], t.case_sensitive()),
            Query::Filter {
                filter: Filter::Expr(e),
                ..
            } => {
                let mut terms: Vec<String> = e
                    .prefilter()
                    .clauses()
                    .iter()
                    .flatten()
                    .map(|l| l.text.clone())
                    .filter(|t| !t.is_empty())
                    .collect();
                terms.sort();
                terms.dedup();
                (terms, true)
            }
        }
    }
}

/// Tests records against a query; one per scan task.
pub struct QueryMatcher {
    filter: Option<Matcher>,
    key: Option<Vec<u8>>,
    topic: String,
}

impl QueryMatcher {
    /// True when `m` matches.
    pub fn matches(&mut self, m: &Message) -> bool {
        if let Some(k) = &self.key {
            return m.key.as_deref() == Some(k.as_slice());
        }
        match self.filter.as_mut() {
            Some(f) => f.matches(m, &self.topic),
            None => false,
        }
    }

    /// True when `m` matches, `key`/`value` being what a schema decoded them to, where it
    /// did (issue 12 §1): a filter sees those, as `consume --filter` does; a key query
    /// compares the key's bytes.
    pub fn matches_decoded(
        &mut self,
        m: &Message,
        key: Option<&serde_json::Value>,
        value: Option<&serde_json::Value>,
    ) -> bool {
        match (&self.key, self.filter.as_mut()) {
            (None, Some(f)) => f.matches_decoded(m, &self.topic, key, value),
            _ => self.matches(m),
        }
    }
}

/// A scan for the next (or previous) match, as the runtime runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchJob {
    /// Tells this scan's reports from older ones.
    pub id: u64,
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// What to look for.
    pub query: Query,
    /// In a filter view, the filter a match must pass too.
    pub within: Option<Query>,
    /// Forward: the first offset to look at. Backward: the offset before which to look.
    pub from: i64,
    /// Look at earlier offsets, a page at a time, nearest first.
    pub backward: bool,
    /// The partition's first offset (where a backward scan stops).
    pub low: i64,
}

/// What a search scan has to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchReport {
    /// Still looking: records scanned so far and the offset reached.
    Progress {
        /// Records looked at.
        scanned: u64,
        /// The offset the scan got to.
        reached: i64,
    },
    /// A match at this offset.
    Found {
        /// The match's offset.
        offset: i64,
        /// Records looked at.
        scanned: u64,
    },
    /// No match up to the end (or back to the beginning).
    NotFound {
        /// Records looked at.
        scanned: u64,
        /// The offset the scan got to.
        reached: i64,
    },
    /// The merged view's match: a record, and where each partition stands just before it
    /// in merged order (the match is the first record of a page read from there).
    FoundMerged {
        /// The match's partition.
        partition: i32,
        /// The match's offset.
        offset: i64,
        /// Each partition's offset to read on from; the match's own is its offset.
        at: Vec<(i32, i64)>,
        /// Records looked at.
        scanned: u64,
    },
    /// The scan failed.
    Failed(String),
}

/// A search of the merged view, in merged time order, as the runtime runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedSearchJob {
    /// Tells this scan's reports from older ones.
    pub id: u64,
    /// The topic.
    pub topic: String,
    /// What to look for.
    pub query: Query,
    /// In a filter view, the filter a match must pass too.
    pub within: Option<Query>,
    /// Each partition's position just after the selected record in merged order: forward,
    /// where its scan starts; backward, the offset before which it looks.
    pub at: Vec<(i32, i64)>,
    /// Look at earlier records, latest first.
    pub backward: bool,
}

/// A search scan in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanning {
    /// The job's id.
    pub id: u64,
    /// Towards earlier offsets.
    pub backward: bool,
    /// Where it started.
    pub from: i64,
    /// Records scanned so far.
    pub scanned: u64,
    /// The offset reached.
    pub reached: i64,
    /// When it started (ms since the epoch, by the app's clock).
    pub started: i64,
    /// Records per second so far.
    pub rate: f64,
}

impl Scanning {
    /// A scan that has just started from `from`.
    pub fn new(id: u64, backward: bool, from: i64, now: i64) -> Scanning {
        Scanning {
            id,
            backward,
            from,
            scanned: 0,
            reached: from,
            started: now,
            rate: 0.0,
        }
    }

    /// A progress report: records scanned and where the scan got to, at `now`.
    pub fn progress(&mut self, scanned: u64, reached: i64, now: i64) {
        let secs = (now - self.started) as f64 / 1000.0;
        self.scanned = scanned;
        self.reached = reached;
        // The first moments give no meaningful rate.
        self.rate = if secs >= 0.2 {
            scanned as f64 / secs
        } else {
            0.0
        };
    }
}

/// The search of the message pane: the last query, and its scan if one runs.
#[derive(Debug, Clone)]
pub struct PaneSearch {
    /// What `n` and `N` look for.
    pub query: Query,
    /// The scan under way.
    pub scanning: Option<Scanning>,
    /// What the last scan found out, when it found nothing ("no match after offset 9,999").
    pub note: Option<String>,
}

impl PaneSearch {
    /// A new query, not looked for yet.
    pub fn new(query: Query) -> PaneSearch {
        PaneSearch {
            query,
            scanning: None,
            note: None,
        }
    }
}

/// The filter view of the message pane (`&`, `K`).
#[derive(Debug, Clone)]
pub struct PaneFilter {
    /// What records are shown.
    pub query: Query,
    /// Records scanned so far (all readers of this filter).
    pub scanned: u64,
    /// Records that matched so far.
    pub matched: u64,
    /// The furthest offset scanned.
    pub reached: i64,
    /// The first reader generation of this filter: older readers' counts are not its own.
    pub generation: u64,
}

impl PaneFilter {
    /// A filter that has scanned nothing yet; its readers have `generation` or later.
    pub fn new(query: Query, generation: u64) -> PaneFilter {
        PaneFilter {
            query,
            scanned: 0,
            matched: 0,
            reached: -1,
            generation,
        }
    }
}
