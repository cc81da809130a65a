//! Keys and mouse -> a `Command` through the active key tables -> a state change.
//!
//! `on_key` and `on_mouse` only resolve; `execute` and the per-screen functions below give
//! each command its meaning on the screen that is up.

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEvent};
use tui_input::backend::crossterm::EventHandler;

use crate::kafka::StartAt;

use super::keymap::{self, Command, Key, KeyTable, Move};
use super::{App, Effect, Prompt, PromptKind, Screen, geometry};

/// Keys kept at most while a jump's records are on their way.
const MAX_DEFERRED: usize = 256;

/// Two clicks on one row at most this far apart (ms) open it.
const DOUBLE_CLICK_MS: i64 = 400;

/// What set a command off: the key (typed into inputs) or the mouse (its row).
#[derive(Debug, Clone, Copy)]
pub(super) enum Trigger {
    Key(KeyEvent),
    Mouse(MouseEvent),
}

impl App {
    /// The key tables in force, first match wins: what is typed into, an overlay, or the
    /// screen, with the general keys after it.
    pub fn key_tables(&self) -> Vec<&'static KeyTable> {
        let top: &'static KeyTable = if self.prompt.is_some() {
            &keymap::PROMPT
        } else if self.search_prompt.is_some() {
            &keymap::SEARCH_PROMPT
        } else if self.topics.filter_input.is_some() {
            &keymap::FILTER
        } else if self.popup.is_some() {
            &keymap::POPUP
        } else if self.help {
            &keymap::HELP
        } else {
            self.screen_table()
        };
        let mut chain = vec![&keymap::ALWAYS, top];
        if !matches!(top.otherwise, Some((Command::Edit | Command::Dismiss, _))) {
            chain.push(&keymap::GENERAL);
        }
        chain
    }

    /// The key table of the screen that is up.
    pub fn screen_table(&self) -> &'static KeyTable {
        match self.screen {
            Screen::Topics => &keymap::TOPICS,
            Screen::Partitions if self.results.is_some() => &keymap::RESULTS,
            Screen::Partitions if self.configs.is_some() => &keymap::CONFIGS,
            Screen::Partitions => &keymap::PARTITIONS,
            Screen::Messages if self.messages.as_ref().is_some_and(|m| m.topic_gone()) => {
                &keymap::MESSAGES_GONE
            }
            Screen::Messages => &keymap::MESSAGES,
            Screen::Detail => &keymap::DETAIL,
            Screen::Groups => &keymap::GROUPS,
            Screen::Group => &keymap::GROUP,
            Screen::Merged => &keymap::MERGED,
        }
    }

    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let command = keymap::resolve(&self.key_tables(), Key::of(&key));
        if self.defers(command) {
            // A burst or paste right after a jump: kept, made once the records land.
            if self.deferred.len() < MAX_DEFERRED {
                self.deferred.push(key);
            }
            return vec![Effect::Redraw];
        }
        self.execute(command, Trigger::Key(key))
    }

    /// Whether `command` needs records that a jump is still fetching (moving in the table,
    /// opening a record); jumps, Back and the overlays are never kept waiting.
    fn defers(&self, command: Command) -> bool {
        let moves = matches!(
            command,
            Command::Open
                | Command::Move(
                    Move::By(_) | Move::PageDown | Move::PageUp | Move::HalfDown | Move::HalfUp
                )
        );
        moves
            && self.screen == Screen::Messages
            && self.prompt.is_none()
            && self.popup.is_none()
            && !self.help
            && self.messages.as_ref().is_some_and(|p| p.awaiting_jump())
    }

    pub(super) fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        let Some(gesture) = Key::of_mouse(&mouse) else {
            return Vec::new();
        };
        // Typing and popups take no mouse: a stray wheel must not edit or dismiss.
        if self.prompt.is_some()
            || self.search_prompt.is_some()
            || self.topics.filter_input.is_some()
            || self.popup.is_some()
        {
            return Vec::new();
        }
        let mut gesture = gesture;
        if gesture == Key::Click {
            let now = self.now();
            let again = self
                .last_click
                .is_some_and(|(at, row)| row == mouse.row && now - at <= DOUBLE_CLICK_MS);
            // A third click starts a new pair.
            self.last_click = if again { None } else { Some((now, mouse.row)) };
            if again {
                gesture = Key::DoubleClick;
            }
        }
        let command = keymap::resolve(&self.key_tables(), gesture);
        self.execute(command, Trigger::Mouse(mouse))
    }

    /// Carries out `command` on whatever is up.
    #[must_use]
    pub(super) fn execute(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        match command {
            Command::Quit => return self.quit(),
            Command::Ignore => return Vec::new(),
            Command::Dismiss => {
                self.popup = None;
                return vec![Effect::Redraw];
            }
            Command::ToggleHelp => {
                self.help = !self.help;
                self.help_scroll = 0;
                return vec![Effect::Redraw];
            }
            _ => {}
        }
        if self.prompt.is_some() {
            return self.prompt_command(command, trigger);
        }
        if self.search_prompt.is_some() {
            return self.search_prompt_command(command, trigger);
        }
        if self.topics.filter_input.is_some() {
            return self.filter_command(command, trigger);
        }
        if self.help {
            if let Command::Move(m) = command {
                self.scroll_help(m);
            }
            return vec![Effect::Redraw];
        }
        if command == Command::Refresh
            && matches!(
                self.screen,
                Screen::Partitions | Screen::Messages | Screen::Detail
            )
            && self.configs.is_none()
        {
            return self.refresh_watermarks();
        }
        let mut fx = match self.screen {
            Screen::Topics => self.topics_command(command, trigger),
            Screen::Partitions => self.partitions_command(command, trigger),
            Screen::Messages => self.messages_command(command, trigger),
            Screen::Detail => self.detail_command(command),
            Screen::Groups => self.groups_command(command, trigger),
            Screen::Group => self.group_command(command, trigger),
            Screen::Merged => self.merged_command(command, trigger),
        };
        fx.push(Effect::Redraw);
        fx
    }

    /// `r`: the open topic's partitions and watermarks, now.
    fn refresh_watermarks(&mut self) -> Vec<Effect> {
        let Some(topic) = self.partitions.as_ref().map(|p| p.topic.raw().to_string()) else {
            return Vec::new();
        };
        self.partitions_loaded_at = Some(self.now());
        vec![Effect::LoadPartitions { topic }, Effect::Redraw]
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.quit = true;
        vec![Effect::Quit]
    }

    fn scroll_help(&mut self, m: Move) {
        let rows = geometry::help_rows(self.size.1);
        let max = crate::app::keymap::help_lines().saturating_sub(rows);
        let page = rows.max(1) as isize;
        let delta = match m {
            Move::By(d) => d,
            Move::PageDown => page,
            Move::PageUp => -page,
            Move::HalfDown => page / 2,
            Move::HalfUp => -page / 2,
            Move::First => isize::MIN,
            Move::Last => isize::MAX,
        };
        let to = (self.help_scroll as isize).saturating_add(delta).max(0) as usize;
        self.help_scroll = to.min(max);
    }

    /// Opens the jump prompt, its history walk starting afresh.
    pub(super) fn open_prompt(&mut self, kind: PromptKind) {
        self.history_of(kind).reset();
        self.prompt = Some(Prompt::new(kind));
    }

    fn history_of(&mut self, kind: PromptKind) -> &mut super::History {
        match kind {
            PromptKind::Position => &mut self.histories.offsets,
            PromptKind::Time => &mut self.histories.times,
            PromptKind::SavePath | PromptKind::SaveRecords => &mut self.histories.paths,
        }
    }

    fn prompt_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        let now = self.now();
        let known = self.known_watermarks();
        let merged_up = self.merged_is_up();
        let Some(kind) = self.prompt.as_ref().map(|p| p.kind) else {
            return Vec::new();
        };
        match command {
            Command::Cancel => self.prompt = None,
            Command::Older | Command::Newer => {
                let current = self
                    .prompt
                    .as_ref()
                    .map(|p| p.input.value().to_string())
                    .unwrap_or_default();
                let history = self.history_of(kind);
                let recalled = if command == Command::Older {
                    history.older(&current)
                } else {
                    history.newer()
                };
                if let (Some(text), Some(p)) = (recalled, self.prompt.as_mut()) {
                    p.input = tui_input::Input::new(text);
                    p.error = None;
                }
            }
            Command::Submit => {
                let Some(prompt) = self.prompt.as_mut() else {
                    return Vec::new();
                };
                let typed = prompt.input.value().to_string();
                if kind == PromptKind::SavePath {
                    return self.submit_save(typed);
                }
                if kind == PromptKind::SaveRecords {
                    return self.submit_save_records();
                }
                match prompt.parse(now) {
                    // A position outside the partition, before its beginning or after its end,
                    // is refused here alike, keeping what is on screen and the text to fix.
                    Ok(start) if let Some(e) = known.and_then(|w| out_of_range(start, w)) => {
                        prompt.error = Some(e);
                    }
                    Ok(start) if merged_up => match super::merged_keys::merged_start(start) {
                        Ok(at) => {
                            self.prompt = None;
                            self.history_of(kind).push(&typed);
                            return self.merged_jump(at);
                        }
                        Err(e) => prompt.error = Some(e),
                    },
                    Ok(start) => {
                        self.prompt = None;
                        self.history_of(kind).push(&typed);
                        return self.jump(start);
                    }
                    Err(e) => prompt.error = Some(e),
                }
            }
            Command::NextField => {
                if let Some(p) = self.prompt.as_mut().filter(|p| p.records.is_some()) {
                    p.on_format = !p.on_format;
                }
            }
            Command::Edit => {
                if let (Some(p), Trigger::Key(key)) = (self.prompt.as_mut(), trigger) {
                    if p.on_format {
                        p.format.handle_event(&Event::Key(key));
                    } else {
                        p.input.handle_event(&Event::Key(key));
                    }
                    p.error = None;
                }
            }
            _ => {}
        }
        vec![Effect::Redraw]
    }

    /// The watermarks of the partition a jump would read.
    fn known_watermarks(&self) -> Option<crate::kafka::Watermarks> {
        if self.merged_is_up() {
            return None;
        }
        match (self.screen, &self.messages) {
            (Screen::Messages | Screen::Detail, Some(p)) => p.watermarks,
            _ => {
                let list = self.partitions.as_ref()?;
                let id = list.selected_id()?;
                let row = list.rows.iter().find(|r| r.id == id)?;
                Some(crate::kafka::Watermarks {
                    low: row.low?,
                    high: row.high?,
                })
            }
        }
    }

    /// Jumps to `start` in the open partition, or opens the selected one there.
    fn jump(&mut self, start: StartAt) -> Vec<Effect> {
        match (self.screen, self.messages.as_mut()) {
            (Screen::Messages | Screen::Detail, Some(pane)) => {
                self.detail = None;
                self.screen = Screen::Messages;
                // The last search's "no match" was about where the cursor was.
                if let Some(s) = pane.search.as_mut() {
                    s.note = None;
                }
                vec![pane.jump(start, false), Effect::Redraw]
            }
            _ => match self.partitions.as_ref().and_then(|p| p.selected_id()) {
                Some(id) => self.open_partition(id, start),
                None => Vec::new(),
            },
        }
    }

    fn filter_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        let rows = self.list_rows();
        let topics = &mut self.topics;
        match command {
            Command::Cancel => {
                topics.filter_input = None;
                topics.set_filter(String::new());
            }
            Command::Submit => {
                topics.filter_input = None;
                self.histories.filters.push(&topics.filter);
            }
            Command::Older | Command::Newer => {
                let recalled = if command == Command::Older {
                    self.histories.filters.older(&topics.filter)
                } else {
                    self.histories.filters.newer()
                };
                if let Some(text) = recalled {
                    topics.filter_input = Some(tui_input::Input::new(text.clone()));
                    topics.set_filter(text);
                }
            }
            Command::Move(Move::By(d)) => {
                let len = topics.visible_len();
                topics.cursor.move_by(d, len, rows);
                return vec![Effect::Redraw];
            }
            Command::Edit => {
                if let (Some(input), Trigger::Key(key)) = (topics.filter_input.as_mut(), trigger) {
                    input.handle_event(&Event::Key(key));
                    let text = input.value().to_string();
                    topics.set_filter(text);
                }
            }
            _ => return Vec::new(),
        }
        let len = self.topics.visible_len();
        self.topics.cursor.select(0, len, rows);
        vec![Effect::Redraw]
    }

    pub(super) fn move_list(cursor: &mut super::Cursor, m: Move, len: usize, rows: usize) {
        let page = rows.max(1) as isize;
        match m {
            Move::By(d) => cursor.move_by(d, len, rows),
            Move::PageDown => cursor.move_by(page, len, rows),
            Move::PageUp => cursor.move_by(-page, len, rows),
            Move::HalfDown => cursor.move_by((page / 2).max(1), len, rows),
            Move::HalfUp => cursor.move_by(-(page / 2).max(1), len, rows),
            Move::First => cursor.select(0, len, rows),
            Move::Last => cursor.select(len, len, rows),
        }
    }

    /// The list row under a click, counted from the top of the visible list.
    pub(super) fn clicked_row(&self, trigger: Trigger) -> Option<usize> {
        let Trigger::Mouse(m) = trigger else {
            return None;
        };
        let r = m.row.checked_sub(geometry::LIST_TOP)? as usize;
        (r < self.list_rows()).then_some(r)
    }

    fn topics_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        let rows = self.list_rows();
        let clicked = self.clicked_row(trigger);
        let topics = &mut self.topics;
        let len = topics.visible_len();
        match command {
            Command::Move(m) => Self::move_list(&mut topics.cursor, m, len, rows),
            Command::Select => {
                if let Some(r) = clicked.map(|r| topics.cursor.top + r).filter(|&i| i < len) {
                    topics.cursor.select(r, len, rows);
                }
            }
            Command::Filter => {
                // A new, empty filter: the last one is an ↑ away.
                self.histories.filters.reset();
                topics.filter_input = Some(tui_input::Input::default());
                topics.set_filter(String::new());
                let len = topics.visible_len();
                topics.cursor.select(0, len, rows);
            }
            Command::ClearFilter => {
                topics.set_filter(String::new());
                let len = topics.visible_len();
                topics.cursor.scroll_into_view(len, rows);
            }
            Command::Open => {
                if let Some(name) = topics.selected_name() {
                    return self.open_topic(name);
                }
            }
            Command::Refresh => {
                self.topics_loaded_at = Some(self.now());
                return vec![Effect::LoadTopics];
            }
            Command::SwitchCluster if self.switch_cluster => return vec![Effect::SwitchCluster],
            Command::Groups => return self.show_groups(),
            _ => {}
        }
        Vec::new()
    }

    fn partitions_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        if self.results.is_some() {
            return self.results_command(command);
        }
        if self.configs.is_some() {
            return self.configs_command(command);
        }
        let rows = self.list_rows();
        let clicked = self.clicked_row(trigger);
        let Some(list) = self.partitions.as_mut() else {
            return Vec::new();
        };
        let len = list.len();
        let selected = list.selected_id();
        let all = list.all_selected();
        match command {
            Command::Move(m) => Self::move_list(&mut list.cursor, m, len, rows),
            Command::Select => {
                if let Some(r) = clicked.map(|r| list.cursor.top + r).filter(|&i| i < len) {
                    list.cursor.select(r, len, rows);
                }
            }
            Command::Back => {
                self.partitions = None;
                self.screen = Screen::Topics;
            }
            Command::Open if all => return self.open_merged(),
            Command::Open => {
                if let Some(id) = selected {
                    return self.open_partition(id, StartAt::Beginning);
                }
            }
            Command::OpenMerged => return self.open_merged(),
            Command::ShowConfigs => return self.show_configs(),
            Command::JumpOffset if selected.is_some() => self.open_prompt(PromptKind::Position),
            Command::JumpTime if selected.is_some() => self.open_prompt(PromptKind::Time),
            Command::FindKey if list.loaded && !list.rows.is_empty() => {
                self.open_search_prompt(super::search::SearchKind::FindKey)
            }
            Command::Search if list.loaded && !list.rows.is_empty() => {
                self.open_search_prompt(super::search::SearchKind::TopicSearch)
            }
            _ => {}
        }
        Vec::new()
    }

    fn messages_command(&mut self, command: Command, trigger: Trigger) -> Vec<Effect> {
        let rows = self.list_rows();
        let clicked = self.clicked_row(trigger);
        let Some(pane) = self.messages.as_mut() else {
            return Vec::new();
        };
        let page = rows.max(1) as isize;
        let fx = match command {
            Command::Move(Move::By(d)) => pane.move_by(d, rows),
            Command::Move(Move::PageDown) => pane.move_by(page, rows),
            Command::Move(Move::PageUp) => pane.move_by(-page, rows),
            Command::Move(Move::HalfDown) => pane.move_by((page / 2).max(1), rows),
            Command::Move(Move::HalfUp) => pane.move_by(-(page / 2).max(1), rows),
            Command::Move(Move::First) => Some(pane.jump(StartAt::Beginning, false)),
            Command::Move(Move::Last) => pane.to_end(rows),
            Command::Select => match clicked {
                Some(r) => pane.select(pane.cursor.top + r, rows),
                None => None,
            },
            Command::Back if self.saving.is_some() => return self.stop_save(),
            Command::Back => return self.messages_back(),
            Command::Search => {
                self.open_search_prompt(super::search::SearchKind::Search);
                None
            }
            Command::FilterRecords => {
                self.open_search_prompt(super::search::SearchKind::Filter);
                None
            }
            Command::SearchNext => return self.search_again(false),
            Command::SearchPrevious => return self.search_again(true),
            Command::Open => return self.open_detail(),
            Command::CopyValue => return self.copy(crate::schema::Part::Value),
            Command::CopyKey => return self.copy(crate::schema::Part::Key),
            Command::SaveValue => {
                self.ask_save();
                return vec![Effect::Redraw];
            }
            Command::SaveRecords => return self.ask_save_records(),
            Command::OpenPager => return self.open_value(super::save::Viewer::Pager),
            Command::OpenEditor => return self.open_value(super::save::Viewer::Editor),
            Command::Follow => Some(pane.toggle_follow(rows)),
            Command::ShiftRight => {
                let shown = pane.window.range(pane.cursor.top, pane.cursor.top + rows);
                let values = shown.filter_map(|r| match r {
                    super::Row::Record(m) => m.value.as_deref(),
                    super::Row::Gap(_) => None,
                });
                self.table.shift_right(values, self.size.0);
                None
            }
            c @ (Command::ShiftLeft
            | Command::ToggleWrap
            | Command::JumpOffset
            | Command::JumpTime) => {
                self.pane_layout_or_jump(c);
                None
            }
            _ => None,
        };
        fx.into_iter().collect()
    }

    fn detail_command(&mut self, command: Command) -> Vec<Effect> {
        let rows = geometry::detail_rows(self.size.1);
        match command {
            Command::Back => {
                self.detail = None;
                self.detail_step = None;
                self.screen = self.detail_from;
                return Vec::new();
            }
            Command::CopyValue => return self.copy(crate::schema::Part::Value),
            Command::CopyKey => return self.copy(crate::schema::Part::Key),
            Command::SaveValue => {
                self.ask_save();
                return Vec::new();
            }
            Command::SaveRecords => return self.ask_save_records(),
            Command::OpenPager => return self.open_value(super::save::Viewer::Pager),
            Command::OpenEditor => return self.open_value(super::save::Viewer::Editor),
            Command::NextRecord => return self.step_detail(1),
            Command::PreviousRecord => return self.step_detail(-1),
            Command::JumpOffset => {
                self.open_prompt(PromptKind::Position);
                return Vec::new();
            }
            Command::JumpTime => {
                self.open_prompt(PromptKind::Time);
                return Vec::new();
            }
            _ => {}
        }
        let Some(d) = self.detail.as_mut() else {
            return Vec::new();
        };
        let page = rows.max(1) as isize;
        match command {
            Command::Move(Move::By(n)) => d.scroll_by(n, rows),
            Command::Move(Move::PageDown) => d.scroll_by(page, rows),
            Command::Move(Move::PageUp) => d.scroll_by(-page, rows),
            Command::Move(Move::HalfDown) => d.scroll_by((page / 2).max(1), rows),
            Command::Move(Move::HalfUp) => d.scroll_by(-(page / 2).max(1), rows),
            Command::Move(Move::First) => d.top(),
            Command::Move(Move::Last) => d.scroll_by(isize::MAX, rows),
            Command::CycleView => {
                let job = d.cycle_view();
                self.detail_view = d.view;
                d.scroll_by(0, rows);
                return job.into_iter().map(Effect::BuildDetail).collect();
            }
            _ => {}
        }
        Vec::new()
    }
}

/// Why `start` is outside a partition with watermarks `w`, with the valid range as a person
/// writes it; None when it is inside. `N` and `-N` are judged alike: after the end or before
/// the beginning is an error, not a silent clamp.
pub(super) fn out_of_range(start: StartAt, w: crate::kafka::Watermarks) -> Option<String> {
    use crate::render::thousands;
    let valid = if w.high > w.low {
        format!(
            "valid offsets: {} to {}, or -1 to -{} from the end",
            thousands(w.low),
            thousands(w.high),
            thousands(w.high - w.low)
        )
    } else {
        format!(
            "the partition is empty; valid offset: {}",
            thousands(w.high)
        )
    };
    let what = match start {
        StartAt::Offset(n) if n > w.high => format!("offset {} is after the end", thousands(n)),
        StartAt::Offset(n) if n < w.low => {
            format!("offset {} is before the beginning", thousands(n))
        }
        StartAt::FromEnd(n) if n > w.high - w.low => {
            format!("-{} is before the beginning", thousands(n))
        }
        StartAt::FromEnd(n) if n < 0 => format!("-{} is after the end", thousands(n)),
        _ => return None,
    };
    Some(format!("{what}; {valid}"))
}

impl App {
    /// The commands the single-partition and the merged panes share: the value column's
    /// shift left, wrapping, and the offset and time prompts.
    pub(super) fn pane_layout_or_jump(&mut self, command: Command) {
        match command {
            Command::ShiftLeft => self.table.shift_left(self.size.0),
            Command::ToggleWrap => self.table.toggle_wrap(),
            Command::JumpOffset => self.open_prompt(PromptKind::Position),
            Command::JumpTime => self.open_prompt(PromptKind::Time),
            _ => {}
        }
    }
}
