//! The topic and partition lists.

use tui_input::Input;

use super::cursor::Cursor;
use crate::render::Outside;

/// A topic as the topic list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRow {
    /// The topic's name as the broker sent it (shown only escaped).
    pub name: Outside,
    /// True for internal topics such as __consumer_offsets.
    pub internal: bool,
    /// How many partitions it has.
    pub partitions: usize,
    /// Sum over partitions of high − low; None until the watermarks are known.
    pub messages: Option<i64>,
}

/// A partition as the partition list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionRow {
    /// The partition number.
    pub id: i32,
    /// The leader's broker id, -1 when there is none.
    pub leader: i32,
    /// The broker ids holding a replica.
    pub replicas: Vec<i32>,
    /// The broker ids of the in-sync replicas.
    pub isr: Vec<i32>,
    /// The low watermark, once known.
    pub low: Option<i64>,
    /// The high watermark, once known.
    pub high: Option<i64>,
}

impl PartitionRow {
    /// Records between the watermarks.
    pub fn messages(&self) -> Option<i64> {
        Some((self.high? - self.low?).max(0))
    }
}

/// The topic list: all topics, a name filter, the selection among the matching ones.
#[derive(Debug, Clone, Default)]
pub struct TopicList {
    /// Every topic, sorted by name.
    pub rows: Vec<TopicRow>,
    /// True once the first answer arrived.
    pub loaded: bool,
    /// The filter text (empty: none); set through `set_filter`.
    pub filter: String,
    /// Each row's name in lower case, made once per load for the filter.
    lower: Vec<String>,
    /// Indices of the rows matching the filter.
    matching: Vec<usize>,
    /// Open while the filter is being typed.
    pub filter_input: Option<Input>,
    /// Selection and scroll among the visible rows.
    pub cursor: Cursor,
}

impl TopicList {
    /// The topics matching the filter (case-insensitive substring).
    pub fn visible(&self) -> Vec<&TopicRow> {
        self.matching
            .iter()
            .filter_map(|&i| self.rows.get(i))
            .collect()
    }

    /// How many topics match the filter.
    pub fn visible_len(&self) -> usize {
        self.matching.len()
    }

    /// Sets the filter and finds the matching rows (names were lower-cased at load).
    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.rematch();
    }

    fn rematch(&mut self) {
        let f = self.filter.to_lowercase();
        self.matching = (0..self.rows.len())
            .filter(|&i| f.is_empty() || self.lower.get(i).is_some_and(|n| n.contains(&f)))
            .collect();
    }

    /// The selected topic's name.
    pub fn selected_name(&self) -> Option<String> {
        let i = *self.matching.get(self.cursor.selected)?;
        self.rows.get(i).map(|t| t.name.raw().to_string())
    }

    /// Replaces the rows, keeping the same topic selected when it is still there.
    pub fn set_rows(&mut self, rows: Vec<TopicRow>, list_rows: usize) {
        let keep = self.selected_name();
        self.lower = rows.iter().map(|t| t.name.raw().to_lowercase()).collect();
        self.rows = rows;
        self.loaded = true;
        self.rematch();
        // The same topic as before; else the first that is not internal (`__consumer_offsets`
        // sorts first and is rarely what one came for).
        let visible = self.visible();
        let index = keep
            .and_then(|k| visible.iter().position(|t| t.name == k))
            .or_else(|| visible.iter().position(|t| !t.internal))
            .unwrap_or(0);
        let len = self.visible_len();
        self.cursor.select(index, len, list_rows);
    }
}

/// One topic's partitions.
#[derive(Debug, Clone)]
pub struct PartitionList {
    /// The topic whose partitions these are.
    pub topic: Outside,
    /// One row per partition, sorted by id.
    pub rows: Vec<PartitionRow>,
    /// True once the first answer arrived.
    pub loaded: bool,
    /// Selection and scroll.
    pub cursor: Cursor,
}

impl PartitionList {
    /// An empty list that waits for its first load.
    pub fn new(topic: String) -> PartitionList {
        PartitionList {
            topic: Outside::new(topic),
            rows: Vec::new(),
            loaded: false,
            cursor: Cursor::default(),
        }
    }

    /// The selected partition's id (None on the "all partitions" row).
    pub fn selected_id(&self) -> Option<i32> {
        let i = self.cursor.selected.checked_sub(1)?;
        self.rows.get(i).map(|p| p.id)
    }

    /// Rows of the list: the "all partitions" row at the top, then one per partition.
    pub fn len(&self) -> usize {
        if self.rows.is_empty() {
            0
        } else {
            self.rows.len() + 1
        }
    }

    /// True when the list has no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// True when the "all partitions" row (the merged view) is selected.
    pub fn all_selected(&self) -> bool {
        self.cursor.selected == 0 && !self.rows.is_empty()
    }
}
