//! Keys as data: one table per screen and overlay, key (or mouse gesture) -> `Command`.
//!
//! The same table drives the handling (`App::on_key` resolves a key here, then executes the
//! command), the `?` help (`ui::help` lists every binding) and the status-line hints (bindings
//! with a `Hint`), so the three cannot disagree. A new screen is a new table plus a module that
//! executes its commands.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

/// A movement in a list or a scrolled text, however it was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// By this many rows (negative: up).
    By(isize),
    /// One page down.
    PageDown,
    /// One page up.
    PageUp,
    /// Half a page down.
    HalfDown,
    /// Half a page up.
    HalfUp,
    /// To the first row.
    First,
    /// To the last row.
    Last,
}

/// What a key asks for. Screens give a command its meaning (`Open` opens a topic, a
/// partition or a record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// End the program.
    Quit,
    /// Show or hide the key help.
    ToggleHelp,
    /// Move the selection or scroll.
    Move(Move),
    /// Select the list row under the mouse.
    Select,
    /// Open what is selected.
    Open,
    /// Go back one screen.
    Back,
    /// Start a new topic filter.
    Filter,
    /// Clear the topic filter.
    ClearFilter,
    /// Reload the topic list.
    Refresh,
    /// Leave for the cluster picker (when the profiles file has several).
    SwitchCluster,
    /// Open all partitions merged in time order.
    OpenMerged,
    /// Ask for an offset to jump to.
    JumpOffset,
    /// Ask for a time to jump to.
    JumpTime,
    /// Follow new records, or stop.
    Follow,
    /// Show the value as the next view.
    CycleView,
    /// Shift the table's value column to the right (see more of long values).
    ShiftRight,
    /// Shift the table's value column back to the left.
    ShiftLeft,
    /// Wrap the selected row's key and value over several lines, or stop.
    ToggleWrap,
    /// The detail: the next record, staying in the detail.
    NextRecord,
    /// The detail: the previous record, staying in the detail.
    PreviousRecord,
    /// Copy the record's value to the clipboard.
    CopyValue,
    /// Copy the record's key to the clipboard.
    CopyKey,
    /// Save the record's value to a file.
    SaveValue,
    /// Save the loaded records, or the filter's matches, to a file.
    SaveRecords,
    /// Open the record's value in the pager.
    OpenPager,
    /// Open the record's value in the editor.
    OpenEditor,
    /// Ask for a search of the records (`/`).
    Search,
    /// The next match of the search.
    SearchNext,
    /// The previous match of the search.
    SearchPrevious,
    /// Ask for a filter of the records (`&`).
    FilterRecords,
    /// Ask for a key to find in its partition (`K`).
    FindKey,
    /// The next page of results.
    More,
    /// Move to the prompt's other field.
    NextField,
    /// Accept the input.
    Submit,
    /// Leave the input.
    Cancel,
    /// Recall the entry before the one shown.
    Older,
    /// Recall the entry after the one shown.
    Newer,
    /// Edit the input's text with the key.
    Edit,
    /// Close the popup.
    Dismiss,
    /// Switch between the topics and the consumer groups.
    Groups,
    /// Sort the groups by lag, or by name again.
    SortByLag,
    /// All of the topic's configs.
    ShowConfigs,
    /// Do nothing.
    Ignore,
}

/// A key, or a mouse gesture, that a binding answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key, without Control.
    Plain(KeyCode),
    /// A key with Control.
    Ctrl(char),
    /// The wheel turned down.
    WheelDown,
    /// The wheel turned up.
    WheelUp,
    /// A left click.
    Click,
    /// A second left click on the same row soon after the first.
    DoubleClick,
}

impl Key {
    /// The key a terminal key event is, in the tables' terms (Shift and Alt are ignored).
    pub fn of(ev: &KeyEvent) -> Key {
        match ev.code {
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => Key::Ctrl(c),
            code => Key::Plain(code),
        }
    }

    /// The gesture a mouse event is, if the tables know it.
    pub fn of_mouse(ev: &MouseEvent) -> Option<Key> {
        match ev.kind {
            MouseEventKind::ScrollDown => Some(Key::WheelDown),
            MouseEventKind::ScrollUp => Some(Key::WheelUp),
            MouseEventKind::Down(MouseButton::Left) => Some(Key::Click),
            _ => None,
        }
    }

    /// The key as the help and the status line write it.
    pub fn name(self) -> String {
        match self {
            Key::Ctrl(c) => format!("^{c}"),
            Key::WheelDown => "wheel↓".into(),
            Key::WheelUp => "wheel↑".into(),
            Key::Click => "click".into(),
            Key::DoubleClick => "double-click".into(),
            Key::Plain(code) => match code {
                KeyCode::Char(c) => c.to_string(),
                KeyCode::Enter => "⏎".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::Backspace => "⌫".into(),
                other => format!("{other:?}"),
            },
        }
    }
}

/// A status-line hint: shown while there is room, the lowest `priority` first to stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    /// 0 stays longest.
    pub priority: u8,
    /// The word after the key (`filter` in `/ filter`).
    pub word: &'static str,
}

/// One line of a key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// The keys that do it.
    pub keys: &'static [Key],
    /// What they do.
    pub command: Command,
    /// The help's words for it.
    pub description: &'static str,
    /// Shown in the status line (or the title bar for the general keys) when there is room.
    pub hint: Option<Hint>,
}

/// A screen's or an overlay's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTable {
    /// The group's title in the help.
    pub name: &'static str,
    /// Its bindings, in the help's order.
    pub bindings: &'static [Binding],
    /// What any other key does (typing into an input, closing a popup), and the help's words.
    pub otherwise: Option<(Command, &'static str)>,
}

impl KeyTable {
    /// The binding of `key` in this table.
    pub fn find(&self, key: Key) -> Option<&'static Binding> {
        self.bindings.iter().find(|b| b.keys.contains(&key))
    }

    /// The bindings with a hint, in table order.
    pub fn hints(&self) -> impl Iterator<Item = (Key, Hint)> + '_ {
        self.bindings
            .iter()
            .filter_map(|b| Some((*b.keys.first()?, b.hint?)))
    }
}

/// The command `key` resolves to through `chain`: the first table that binds it, else the
/// first table's `otherwise`, else `Ignore`.
pub fn resolve(chain: &[&'static KeyTable], key: Key) -> Command {
    chain
        .iter()
        .find_map(|t| t.find(key))
        .map(|b| b.command)
        .or_else(|| chain.iter().find_map(|t| t.otherwise).map(|o| o.0))
        .unwrap_or(Command::Ignore)
}

const fn bind(keys: &'static [Key], command: Command, description: &'static str) -> Binding {
    Binding {
        keys,
        command,
        description,
        hint: None,
    }
}

const fn hint(
    keys: &'static [Key],
    command: Command,
    description: &'static str,
    priority: u8,
    word: &'static str,
) -> Binding {
    Binding {
        keys,
        command,
        description,
        hint: Some(Hint { priority, word }),
    }
}

use Key::{Click, Ctrl, DoubleClick, Plain, WheelDown, WheelUp};
use KeyCode::{Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};

/// The table's horizontal keys: long keys and values read in the table.
const SHIFT_RIGHT: Binding = bind(
    &[Plain(Char('>'))],
    Command::ShiftRight,
    "values: further right (cycles)",
);
const SHIFT_LEFT: Binding = bind(
    &[Plain(Char('<'))],
    Command::ShiftLeft,
    "values: back to the left",
);
const WRAP: Binding = hint(
    &[Plain(Char('w'))],
    Command::ToggleWrap,
    "wrap the selected row (again: not)",
    4,
    "wrap",
);

const DOWN: &[Key] = &[Plain(Char('j')), Plain(Down)];
const UP: &[Key] = &[Plain(Char('k')), Plain(Up)];
const PAGE_DOWN: &[Key] = &[Plain(PageDown)];
const PAGE_UP: &[Key] = &[Plain(PageUp)];
const HALF_DOWN: Binding = bind(
    &[Ctrl('d')],
    Command::Move(Move::HalfDown),
    "half a page down",
);
const HALF_UP: Binding = bind(&[Ctrl('u')], Command::Move(Move::HalfUp), "half a page up");
const FIRST: &[Key] = &[Plain(Char('g')), Plain(Home)];
const LAST: &[Key] = &[Plain(Char('G')), Plain(End)];
const WHEEL_DOWN: Binding = bind(&[WheelDown], Command::Move(Move::By(3)), "scroll down");
const WHEEL_UP: Binding = bind(&[WheelUp], Command::Move(Move::By(-3)), "scroll up");
const CLICK: Binding = bind(&[Click], Command::Select, "select the row");
const DOUBLE_CLICK: Binding = bind(&[DoubleClick], Command::Open, "open the row");
const REFRESH: Binding = bind(
    &[Plain(Char('r'))],
    Command::Refresh,
    "reload the watermarks now",
);

/// `S`: the pane's records to a file.
const COPY_VALUE: Binding = bind(
    &[Plain(Char('y'))],
    Command::CopyValue,
    "copy the value to the clipboard",
);
const COPY_KEY: Binding = bind(
    &[Plain(Char('Y'))],
    Command::CopyKey,
    "copy the key to the clipboard",
);
const SAVE_VALUE: Binding = bind(
    &[Plain(Char('s'))],
    Command::SaveValue,
    "save the value's bytes to a file",
);
const SAVE_RECORDS: Binding = bind(
    &[Plain(Char('S'))],
    Command::SaveRecords,
    "save the loaded records or matches",
);
const OPEN_PAGER: Binding = bind(
    &[Plain(Char('e'))],
    Command::OpenPager,
    "the value in $PAGER (less)",
);
const OPEN_EDITOR: Binding = bind(
    &[Plain(Char('E'))],
    Command::OpenEditor,
    "the value in $EDITOR",
);

/// Ctrl-c, whatever is on screen, even while typing.
pub const ALWAYS: KeyTable = KeyTable {
    name: "Always",
    bindings: &[bind(&[Ctrl('c')], Command::Quit, "quit")],
    otherwise: None,
};

/// The keys every screen and the help share (not while typing).
pub const GENERAL: KeyTable = KeyTable {
    name: "Everywhere",
    bindings: &[
        hint(
            &[Plain(Char('?'))],
            Command::ToggleHelp,
            "this help",
            0,
            "help",
        ),
        hint(
            &[Plain(Char('q'))],
            Command::Quit,
            "quit (when not typing)",
            1,
            "quit",
        ),
    ],
    otherwise: None,
};

/// The topic list.
pub const TOPICS: KeyTable = KeyTable {
    name: "Topics",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next topic"),
        bind(UP, Command::Move(Move::By(-1)), "previous topic"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "first topic"),
        bind(LAST, Command::Move(Move::Last), "last topic"),
        hint(
            &[Plain(Char('/'))],
            Command::Filter,
            "filter by name as you type",
            0,
            "filter",
        ),
        hint(
            &[Plain(Enter)],
            Command::Open,
            "open the topic's partitions",
            1,
            "open",
        ),
        bind(&[Plain(Esc)], Command::ClearFilter, "clear the filter"),
        bind(
            &[Plain(Char('r'))],
            Command::Refresh,
            "reload the topic list now",
        ),
        bind(
            &[Plain(Char('c'))],
            Command::SwitchCluster,
            "another cluster profile (if several)",
        ),
        bind(
            &[Plain(KeyCode::Tab)],
            Command::Groups,
            "the consumer groups and their lag",
        ),
        WHEEL_DOWN,
        WHEEL_UP,
        CLICK,
        DOUBLE_CLICK,
    ],
    otherwise: None,
};

/// The consumer groups.
pub const GROUPS: KeyTable = KeyTable {
    name: "Groups",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next group"),
        bind(UP, Command::Move(Move::By(-1)), "previous group"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "first group"),
        bind(LAST, Command::Move(Move::Last), "last group"),
        hint(
            &[Plain(Enter)],
            Command::Open,
            "its partitions: committed, lag",
            0,
            "open",
        ),
        hint(
            &[Plain(Char('s'))],
            Command::SortByLag,
            "sort by lag; again: by name",
            1,
            "sort by lag",
        ),
        hint(
            &[Plain(KeyCode::Tab), Plain(Esc)],
            Command::Groups,
            "back to the topics",
            0,
            "topics",
        ),
        bind(
            &[Plain(Char('r'))],
            Command::Refresh,
            "reload the groups and lag now",
        ),
        WHEEL_DOWN,
        WHEEL_UP,
        CLICK,
        DOUBLE_CLICK,
    ],
    otherwise: None,
};

/// One consumer group's partitions.
pub const GROUP: KeyTable = KeyTable {
    name: "Group",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next partition"),
        bind(UP, Command::Move(Move::By(-1)), "previous partition"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "first partition"),
        bind(LAST, Command::Move(Move::Last), "last partition"),
        hint(
            &[Plain(Enter)],
            Command::Open,
            "read from the committed offset",
            0,
            "read",
        ),
        hint(
            &[Plain(Esc)],
            Command::Back,
            "back to the groups",
            0,
            "back",
        ),
        bind(&[Plain(Char('r'))], Command::Refresh, "reload the lag now"),
        WHEEL_DOWN,
        WHEEL_UP,
        CLICK,
        DOUBLE_CLICK,
    ],
    otherwise: None,
};

/// The topic filter while it is typed.
pub const FILTER: KeyTable = KeyTable {
    name: "Topic filter",
    bindings: &[
        bind(&[Plain(Enter)], Command::Submit, "keep the filter"),
        bind(&[Plain(Esc)], Command::Cancel, "clear the filter"),
        bind(&[Plain(Up)], Command::Older, "an earlier filter"),
        bind(&[Plain(Down)], Command::Newer, "a later filter"),
        bind(
            &[Ctrl('n')],
            Command::Move(Move::By(1)),
            "next matching topic",
        ),
        bind(
            &[Ctrl('p')],
            Command::Move(Move::By(-1)),
            "previous matching topic",
        ),
    ],
    otherwise: Some((Command::Edit, "type: the list narrows as you type")),
};

/// One topic's partitions.
pub const PARTITIONS: KeyTable = KeyTable {
    name: "Partitions",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next partition"),
        bind(UP, Command::Move(Move::By(-1)), "previous partition"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "first partition"),
        bind(LAST, Command::Move(Move::Last), "last partition"),
        hint(
            &[Plain(Enter)],
            Command::Open,
            "read from the beginning",
            0,
            "open",
        ),
        hint(
            &[Plain(Char('a'))],
            Command::OpenMerged,
            "all partitions merged in time order",
            3,
            "all",
        ),
        hint(
            &[Plain(Char('o'))],
            Command::JumpOffset,
            "read from an offset: N, -N, @TIME",
            1,
            "offset",
        ),
        hint(
            &[Plain(Char('t'))],
            Command::JumpTime,
            "read from a time: -15m, 12:00, RFC3339",
            2,
            "time",
        ),
        hint(
            &[Plain(Char('K'))],
            Command::FindKey,
            "find a key in its partition",
            3,
            "find key",
        ),
        hint(
            &[Plain(Char('/'))],
            Command::Search,
            "search every partition from a position",
            1,
            "search",
        ),
        hint(
            &[Plain(Char('c'))],
            Command::ShowConfigs,
            "all the topic's configs",
            3,
            "configs",
        ),
        hint(
            &[Plain(Esc)],
            Command::Back,
            "back to the topics",
            0,
            "back",
        ),
        REFRESH,
        WHEEL_DOWN,
        WHEEL_UP,
        CLICK,
        DOUBLE_CLICK,
    ],
    otherwise: None,
};

/// All of a topic's configs (`c` on the partitions).
pub const CONFIGS: KeyTable = KeyTable {
    name: "Configs",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next config"),
        bind(UP, Command::Move(Move::By(-1)), "previous config"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "first config"),
        bind(LAST, Command::Move(Move::Last), "last config"),
        hint(
            &[Plain(Esc), Plain(Char('c'))],
            Command::Back,
            "back to the partitions",
            0,
            "back",
        ),
        bind(&[Plain(Char('r'))], Command::Refresh, "reload the configs"),
        WHEEL_DOWN,
        WHEEL_UP,
    ],
    otherwise: None,
};

/// One partition's records.
pub const MESSAGES: KeyTable = KeyTable {
    name: "Messages",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next record"),
        bind(UP, Command::Move(Move::By(-1)), "previous record"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(
            FIRST,
            Command::Move(Move::First),
            "the partition's beginning",
        ),
        bind(LAST, Command::Move(Move::Last), "the partition's end"),
        bind(&[Plain(Enter)], Command::Open, "the record in detail"),
        hint(
            &[Plain(Char('f'))],
            Command::Follow,
            "follow new records (again: stop)",
            1,
            "follow",
        ),
        hint(
            &[Plain(Char('o'))],
            Command::JumpOffset,
            "jump: N, -N (before the end), @TIME",
            2,
            "offset",
        ),
        hint(
            &[Plain(Char('t'))],
            Command::JumpTime,
            "jump to a time: -15m, -2h, 12:00",
            3,
            "time",
        ),
        SHIFT_RIGHT,
        SHIFT_LEFT,
        WRAP,
        COPY_VALUE,
        COPY_KEY,
        SAVE_VALUE,
        SAVE_RECORDS,
        OPEN_PAGER,
        OPEN_EDITOR,
        hint(
            &[Plain(Char('/'))],
            Command::Search,
            "search forward: CEL or text",
            1,
            "search",
        ),
        bind(&[Plain(Char('n'))], Command::SearchNext, "next match"),
        bind(
            &[Plain(Char('N'))],
            Command::SearchPrevious,
            "previous match",
        ),
        hint(
            &[Plain(Char('&'))],
            Command::FilterRecords,
            "show only matching records",
            2,
            "filter",
        ),
        hint(
            &[Plain(Esc)],
            Command::Back,
            "stop search, clear filter, back",
            0,
            "back",
        ),
        REFRESH,
        WHEEL_DOWN,
        WHEEL_UP,
        CLICK,
        DOUBLE_CLICK,
    ],
    otherwise: None,
};

/// One partition's records once its topic was deleted: what is loaded can still be read;
/// reading more, jumping and following cannot work, so they are not offered.
pub const MESSAGES_GONE: KeyTable = KeyTable {
    name: "Messages (topic deleted)",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next record"),
        bind(UP, Command::Move(Move::By(-1)), "previous record"),
        bind(&[Plain(Enter)], Command::Open, "the record in detail"),
        hint(
            &[Plain(Esc)],
            Command::Back,
            "back to the partitions",
            0,
            "back",
        ),
        SHIFT_RIGHT,
        SHIFT_LEFT,
        WRAP,
        WHEEL_DOWN,
        WHEEL_UP,
        CLICK,
        DOUBLE_CLICK,
    ],
    otherwise: None,
};

/// All partitions merged in time order.
pub const MERGED: KeyTable = KeyTable {
    name: "Merged (all partitions)",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next record in time"),
        bind(UP, Command::Move(Move::By(-1)), "previous record in time"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "the topic's beginning"),
        bind(
            LAST,
            Command::Move(Move::Last),
            "the end: each partition's last records",
        ),
        bind(&[Plain(Enter)], Command::Open, "the record in detail"),
        hint(
            &[Plain(Char('f'))],
            Command::Follow,
            "follow new records (again: stop)",
            1,
            "follow",
        ),
        hint(
            &[Plain(Char('o'))],
            Command::JumpOffset,
            "jump: @TIME in every partition",
            2,
            "offset",
        ),
        hint(
            &[Plain(Char('t'))],
            Command::JumpTime,
            "jump every partition to a time",
            3,
            "time",
        ),
        SHIFT_RIGHT,
        SHIFT_LEFT,
        bind(
            &[Plain(Char('w'))],
            Command::ToggleWrap,
            "wrap the selected row (again: not)",
        ),
        hint(
            &[Plain(Char('/'))],
            Command::Search,
            "search forward in time: CEL or text",
            4,
            "search",
        ),
        bind(
            &[Plain(Char('n'))],
            Command::SearchNext,
            "next match in time",
        ),
        bind(
            &[Plain(Char('N'))],
            Command::SearchPrevious,
            "previous match in time",
        ),
        hint(
            &[Plain(Char('&'))],
            Command::FilterRecords,
            "show only matching records, by time",
            5,
            "filter",
        ),
        hint(
            &[Plain(Esc)],
            Command::Back,
            "stop search, clear filter, back",
            0,
            "back",
        ),
        REFRESH,
        WHEEL_DOWN,
        WHEEL_UP,
        CLICK,
        DOUBLE_CLICK,
    ],
    otherwise: None,
};

/// One record in full.
pub const DETAIL: KeyTable = KeyTable {
    name: "Detail",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "scroll down"),
        bind(UP, Command::Move(Move::By(-1)), "scroll up"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "top"),
        bind(LAST, Command::Move(Move::Last), "bottom"),
        hint(
            &[Plain(Char('x'))],
            Command::CycleView,
            "value: decoded/JSON → text → hex",
            1,
            "view",
        ),
        hint(
            &[Plain(Char('n')), Plain(Char(']'))],
            Command::NextRecord,
            "next record (stays in the detail)",
            2,
            "next",
        ),
        hint(
            &[Plain(Char('p')), Plain(Char('['))],
            Command::PreviousRecord,
            "previous record",
            2,
            "prev",
        ),
        hint(
            &[Plain(Char('o'))],
            Command::JumpOffset,
            "jump: N, -N (before the end), @TIME",
            3,
            "offset",
        ),
        hint(
            &[Plain(Char('t'))],
            Command::JumpTime,
            "jump to a time",
            4,
            "time",
        ),
        COPY_VALUE,
        COPY_KEY,
        SAVE_VALUE,
        SAVE_RECORDS,
        OPEN_PAGER,
        OPEN_EDITOR,
        hint(
            &[Plain(Esc)],
            Command::Back,
            "back to the records",
            0,
            "back",
        ),
        REFRESH,
        WHEEL_DOWN,
        WHEEL_UP,
    ],
    otherwise: None,
};

/// The jump prompts (`o`, `t`) and the save prompts (`s`, `S`).
pub const PROMPT: KeyTable = KeyTable {
    name: "Jump prompt",
    bindings: &[
        bind(&[Plain(Enter)], Command::Submit, "jump"),
        bind(&[Plain(Esc)], Command::Cancel, "cancel"),
        bind(
            &[Plain(Tab)],
            Command::NextField,
            "saving records: file ↔ format",
        ),
        bind(&[Plain(Up)], Command::Older, "an earlier entry"),
        bind(&[Plain(Down)], Command::Newer, "a later entry"),
    ],
    otherwise: Some((Command::Edit, "type the position")),
};

/// The results of a topic search (`/` on the partitions screen).
pub const RESULTS: KeyTable = KeyTable {
    name: "Search results",
    bindings: &[
        bind(DOWN, Command::Move(Move::By(1)), "next match"),
        bind(UP, Command::Move(Move::By(-1)), "previous match"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "first match"),
        bind(LAST, Command::Move(Move::Last), "last match"),
        hint(
            &[Plain(Enter)],
            Command::Open,
            "open the record in context",
            0,
            "open",
        ),
        hint(
            &[Plain(Char('m'))],
            Command::More,
            "the next 10,000 matches",
            1,
            "more",
        ),
        hint(
            &[Plain(Char('/'))],
            Command::Search,
            "a new search",
            2,
            "search",
        ),
        hint(
            &[Plain(Esc)],
            Command::Back,
            "stop and close the results",
            0,
            "close",
        ),
        WHEEL_DOWN,
        WHEEL_UP,
    ],
    otherwise: None,
};

/// The search, filter and find-key prompts (`/`, `&`, `K`).
pub const SEARCH_PROMPT: KeyTable = KeyTable {
    name: "Search prompt",
    bindings: &[
        bind(&[Plain(Enter)], Command::Submit, "search, filter or find"),
        bind(&[Plain(Esc)], Command::Cancel, "cancel"),
        bind(
            &[Plain(Tab)],
            Command::NextField,
            "topic search: query ↔ start",
        ),
        bind(&[Plain(Up)], Command::Older, "an earlier entry"),
        bind(&[Plain(Down)], Command::Newer, "a later entry"),
    ],
    otherwise: Some((Command::Edit, "type a CEL expression or text")),
};

/// The help overlay.
pub const HELP: KeyTable = KeyTable {
    name: "Help",
    bindings: &[
        bind(
            &[Plain(Char('?')), Plain(Esc)],
            Command::ToggleHelp,
            "close the help",
        ),
        bind(DOWN, Command::Move(Move::By(1)), "scroll down"),
        bind(UP, Command::Move(Move::By(-1)), "scroll up"),
        bind(PAGE_DOWN, Command::Move(Move::PageDown), "page down"),
        bind(PAGE_UP, Command::Move(Move::PageUp), "page up"),
        HALF_DOWN,
        HALF_UP,
        bind(FIRST, Command::Move(Move::First), "top"),
        bind(LAST, Command::Move(Move::Last), "bottom"),
        WHEEL_DOWN,
        WHEEL_UP,
    ],
    otherwise: Some((Command::Ignore, "nothing")),
};

/// An error popup.
pub const POPUP: KeyTable = KeyTable {
    name: "Error popup",
    bindings: &[],
    // `q` too: a reflex `q` closes the popup, it does not end the session (Ctrl-c does).
    otherwise: Some((Command::Dismiss, "close the popup (q too; ^c quits)")),
};

/// Every table, in the help's order.
pub const ALL: &[&KeyTable] = &[
    &GENERAL,
    &ALWAYS,
    &TOPICS,
    &FILTER,
    &PARTITIONS,
    &CONFIGS,
    &MESSAGES,
    &MESSAGES_GONE,
    &MERGED,
    &DETAIL,
    &GROUPS,
    &GROUP,
    &PROMPT,
    &SEARCH_PROMPT,
    &RESULTS,
    &HELP,
    &POPUP,
];

/// Lines of the help in one column: per table a title, its bindings, its fallback and a
/// blank line between tables.
pub fn help_lines() -> usize {
    ALL.iter()
        .map(|t| 1 + t.bindings.len() + usize::from(t.otherwise.is_some()))
        .sum::<usize>()
        + ALL.len().saturating_sub(1)
}

/// The key reference as a Markdown table, as the README carries it.
pub fn markdown() -> String {
    let mut out = String::from("| screen | keys | does |\n|---|---|---|\n");
    for t in ALL {
        let mut name = t.name;
        let mut row = |keys: String, what: &str| {
            out.push_str(&format!("| {name} | {keys} | {what} |\n"));
            name = "";
        };
        for b in t.bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| format!("`{}`", k.name())).collect();
            row(keys.join(" "), b.description);
        }
        if let Some((_, what)) = t.otherwise {
            row("other keys".into(), what);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's key reference is this table; on a change, paste the printed text there.
    #[test]
    fn the_readme_key_reference_is_generated_from_the_tables() {
        let readme = include_str!("../../README.md");
        let table = markdown();
        assert!(
            readme.contains(&table),
            "README.md's key reference differs from the key tables; it should read:\n{table}"
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for t in ALL {
            let keys: Vec<Key> = t.bindings.iter().flat_map(|b| b.keys).copied().collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(
                    !keys[..i].contains(k),
                    "{}: {} is bound twice",
                    t.name,
                    k.name()
                );
            }
        }
    }

    #[test]
    fn screens_never_shadow_the_general_keys() {
        for t in [
            &TOPICS,
            &PARTITIONS,
            &CONFIGS,
            &MESSAGES,
            &MESSAGES_GONE,
            &DETAIL,
            &GROUPS,
            &GROUP,
            &MERGED,
            &DETAIL,
        ] {
            for b in GENERAL.bindings.iter().chain(ALWAYS.bindings) {
                for k in b.keys {
                    assert!(t.find(*k).is_none(), "{} rebinds {}", t.name, k.name());
                }
            }
        }
    }

    #[test]
    fn resolution_takes_the_first_table_then_the_fallback() {
        let chain = [&ALWAYS, &FILTER];
        assert_eq!(resolve(&chain, Key::Ctrl('c')), Command::Quit);
        assert_eq!(resolve(&chain, Key::Plain(Char('q'))), Command::Edit);
        assert_eq!(resolve(&chain, Key::Plain(Up)), Command::Older);
        let chain = [&ALWAYS, &TOPICS, &GENERAL];
        assert_eq!(resolve(&chain, Key::Plain(Char('q'))), Command::Quit);
        assert_eq!(resolve(&chain, Key::Plain(Char('z'))), Command::Ignore);
    }

    #[test]
    fn keys_are_named_as_the_help_writes_them() {
        let names: Vec<String> = [Plain(Enter), Ctrl('d'), Plain(PageDown), Plain(Char('G'))]
            .into_iter()
            .map(Key::name)
            .collect();
        assert_eq!(names, ["⏎", "^d", "PgDn", "G"]);
    }
}
