//! UI state and input handling. Views only read this; every change of
//! state happens here, in `on_key`, `on_mouse` and `on_resize`.

mod alarms;
mod errors;
mod fleet;
mod input;
mod logs;
mod traces;

use super::keymap::{Action, Context, FleetAction, GlobalAction, InputAction, WINDOWS};
use super::keys::KeyTable;
use super::layout;
use super::rows::Filter;
use super::theme::Theme;
use super::traces::TraceState;
use crate::model::fleet::SortColumn;
use crate::model::id::FunctionId;
use crate::poll::Scope;
use crate::source::SourceInfo;
use crate::store::Store;
use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use std::collections::HashMap;
use std::time::Duration;

/// Which screen is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The fleet table, alarms and account panels.
    Fleet,
    /// One function in detail.
    Function(FunctionId),
    /// One trace of a function (function, trace id).
    Trace(FunctionId, String),
    /// The fleet's error groups.
    Errors,
}

/// Which pane of the function view has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    /// The log pane.
    #[default]
    Logs,
    /// The traces pane.
    Traces,
}

/// A text input being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The `/` filter (applied live).
    Filter(String),
    /// The `:` command line.
    Command(String),
    /// The log pane's server-side filter pattern.
    LogFilter(String),
    /// The log pane's search.
    LogSearch(String),
}

/// The byte offset of the cursor `back` characters from the end of `text`.
pub fn byte_at(text: &str, back: usize) -> usize {
    let chars = text.chars().count();
    text.char_indices()
        .nth(chars.saturating_sub(back))
        .map_or(text.len(), |(i, _)| i)
}

impl Input {
    /// The text being typed.
    pub fn text_mut(&mut self) -> &mut String {
        match self {
            Self::Filter(t) | Self::Command(t) | Self::LogFilter(t) | Self::LogSearch(t) => t,
        }
    }
}

/// Something only the event loop can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond a redraw.
    None,
    /// Leave lamtop.
    Quit,
    /// Switch to another region.
    Region(String),
    /// Start the fleet Logs Insights query, or cancel the running one.
    FleetInsights,
    /// Read the failing functions' failures (`force`: even when the last
    /// scan is fresh).
    ErrorScan {
        /// Scan again even when the last scan is fresh.
        force: bool,
    },
    /// Write the incident report.
    Report {
        /// The function to look into (the open one), else the worst.
        function: Option<crate::model::id::FunctionId>,
        /// `:report PATH`: the file or directory; `None`: `report_dir`.
        path: Option<std::path::PathBuf>,
    },
}

/// A one-line message in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Shown as an error.
    pub error: bool,
}

/// Which set of extra columns the fleet table shows (`c` cycles them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnSet {
    /// The metrics columns only.
    #[default]
    Metrics,
    /// Cost, throttle, cold-start and memory shares.
    Insights,
    /// Stream lag, async, DLQ and provisioned concurrency.
    Signals,
}

impl ColumnSet {
    /// The next set when cycling.
    pub fn next(self) -> Self {
        match self {
            Self::Metrics => Self::Insights,
            Self::Insights => Self::Signals,
            Self::Signals => Self::Metrics,
        }
    }
}

/// The whole UI state.
#[derive(Debug, Clone)]
pub struct App {
    /// Current screen.
    pub screen: Screen,
    /// Help overlay shown.
    pub help: bool,
    /// First line of the help screen shown (it scrolls on small terminals).
    pub help_scroll: u16,
    /// Selected function (by name, so it survives refreshes and re-sorts).
    pub selected: Option<FunctionId>,
    /// First visible row of the fleet table.
    pub offset: usize,
    /// Sort column (`None`: errors, then invocations).
    pub sort: Option<SortColumn>,
    /// Reverse the sort.
    pub reverse: bool,
    /// Active filter.
    pub filter: Option<Filter>,
    filter_before_input: Option<Filter>,
    /// Text input being typed.
    pub input: Option<Input>,
    /// Where the input's cursor is, in characters from its end (0: at
    /// the end, where a new prompt starts).
    pub input_back: usize,
    /// What Tab offers for the word being typed, and which one it showed
    /// last (Tab again shows the next); cleared by any other key.
    pub completions: Option<(Vec<String>, usize)>,
    /// Metrics window.
    pub window: Duration,
    /// Bumped to ask pollers for an immediate refresh.
    pub refresh_generation: u64,
    /// Footer message.
    pub message: Option<Message>,
    /// Terminal size.
    pub size: Rect,
    /// Colours.
    pub theme: Theme,
    /// Where the data comes from.
    pub info: SourceInfo,
    /// Metrics refresh interval (for staleness).
    pub refresh: Duration,
    /// Server-side filter patterns of the log pane (`f`), each function its
    /// own: a filter never follows the user to another function.
    pub log_filters: HashMap<FunctionId, String>,
    /// How far back the log pane of the function on screen reads (`:since`,
    /// `l` from a trace, scrolling past the oldest line); `None`: the
    /// default lookback. Reset when another function opens.
    pub log_from: Option<DateTime<Utc>>,
    /// The log pane's view state.
    pub logs: super::logview::LogView,
    /// Which pane of the function view has the keys.
    pub focus: Focus,
    /// Traces pane and trace view state.
    pub traces: TraceState,
    /// The alarms pane shows the history of rule changes.
    pub alarm_history: bool,
    /// The alarms pane has the keys (Tab in the fleet view).
    pub alarms_focus: bool,
    /// The selected line of the alarms pane.
    pub alarm_row: usize,
    /// The fleet table shows the insight columns.
    pub columns: ColumnSet,
    /// The errors screen's selection and order.
    pub errors: super::errors::ErrorsView,
    /// The service throttled some calls in the last minute (pollers are
    /// backing off); set by the event loop from the store.
    pub throttled: bool,
    /// The key table of this run (the config's `[keys]` applied).
    pub keys: KeyTable,
}

impl App {
    /// A new UI on the fleet screen.
    pub fn new(info: SourceInfo, window: Duration, refresh: Duration, theme: Theme) -> Self {
        Self {
            screen: Screen::Fleet,
            help: false,
            help_scroll: 0,
            selected: None,
            offset: 0,
            sort: None,
            reverse: false,
            filter: None,
            filter_before_input: None,
            input: None,
            input_back: 0,
            completions: None,
            window,
            refresh_generation: 0,
            message: None,
            size: Rect::new(0, 0, 80, 24),
            theme,
            info,
            refresh,
            log_filters: HashMap::new(),
            log_from: None,
            logs: super::logview::LogView::default(),
            focus: Focus::Logs,
            traces: TraceState::default(),
            alarm_history: false,
            alarms_focus: false,
            alarm_row: 0,
            columns: Default::default(),
            errors: super::errors::ErrorsView::default(),
            throttled: false,
            keys: KeyTable::default(),
        }
    }

    /// This UI with the config's key table instead of the built-in one.
    pub fn with_keys(mut self, keys: KeyTable) -> Self {
        self.keys = keys;
        self
    }

    /// What the pollers should fetch for this state.
    pub fn scope(&self) -> Scope {
        Scope {
            window: self.window,
            selected: match &self.screen {
                Screen::Function(f) | Screen::Trace(f, _) => Some(f.clone()),
                Screen::Fleet | Screen::Errors => None,
            },
            refresh_generation: self.refresh_generation,
            log_filter: self.log_filter().map(str::to_string),
            log_from: self.log_from,
            log_errors: self.logs.errors_only,
            open_trace: match &self.screen {
                Screen::Trace(_, id) => Some(id.clone()),
                _ => None,
            },
            on_screen: None,
            sort_by_percentile: self.sort.is_some_and(SortColumn::is_percentile),
        }
    }

    /// The function whose screen is open (function view or one of its
    /// traces).
    pub fn on_screen(&self) -> Option<&FunctionId> {
        match &self.screen {
            Screen::Function(f) | Screen::Trace(f, _) => Some(f),
            Screen::Fleet | Screen::Errors => None,
        }
    }

    /// The log filter of the function on screen.
    pub fn log_filter(&self) -> Option<&str> {
        self.on_screen()
            .and_then(|f| self.log_filters.get(f))
            .map(String::as_str)
    }

    /// Sets (or with `None` clears) the log filter of the function on screen.
    pub fn set_log_filter(&mut self, pattern: Option<String>) {
        let Some(f) = self.on_screen().cloned() else {
            return;
        };
        match pattern.filter(|p| !p.trim().is_empty()) {
            Some(p) => self.log_filters.insert(f, p),
            None => self.log_filters.remove(&f),
        };
    }

    /// Opens `f` in the function view with a fresh log pane (its own
    /// filter, the default lookback).
    pub fn show_function(&mut self, f: FunctionId) {
        self.screen = Screen::Function(f);
        self.logs = self.fresh_log_view();
        self.log_from = None;
    }

    /// Active key contexts, innermost first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.input.is_some() {
            return vec![Context::Input];
        }
        if self.help {
            return vec![Context::Help, Context::Global];
        }
        match self.screen {
            Screen::Fleet if self.alarms_focus => {
                vec![Context::Alarms, Context::Fleet, Context::Global]
            }
            Screen::Fleet => vec![Context::Fleet, Context::Global],
            Screen::Function(_) if self.focus == Focus::Traces => {
                vec![Context::Traces, Context::Function, Context::Global]
            }
            Screen::Function(_) => vec![Context::Function, Context::Global],
            Screen::Trace(..) => vec![Context::Trace, Context::Global],
            Screen::Errors => vec![Context::Errors, Context::Global],
        }
    }

    /// The index of the selected row in `names` (first row when unset).
    pub fn selected_index(&self, ids: &[&FunctionId]) -> usize {
        self.selected
            .as_ref()
            .and_then(|s| ids.iter().position(|n| *n == s))
            .unwrap_or(0)
    }

    pub(super) fn log_page(&self) -> usize {
        let l = layout::function(self.size);
        let area = if self.logs.full { l.full_logs } else { l.logs };
        usize::from(area.height.saturating_sub(2)).max(1)
    }

    fn page(&self) -> usize {
        usize::from(layout::fleet(self.size).table_rows().height).max(1)
    }

    /// Handles a terminal resize.
    pub fn on_resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: KeyEvent, store: &Store) -> Effect {
        if let Some(input) = &mut self.input {
            let action = self.keys.lookup(&[Context::Input], &key);
            if action != Some(Action::Input(InputAction::Complete)) {
                self.completions = None;
            }
            if action.is_none() {
                if let KeyCode::Char(c) = key.code
                    && !key.modifiers.contains(KeyModifiers::CONTROL)
                {
                    let text = input.text_mut();
                    let at = byte_at(text, self.input_back);
                    text.insert(at, c);
                    self.after_input_edit();
                } else if key.code == KeyCode::Char('c')
                    && key.modifiers.contains(KeyModifiers::CONTROL)
                {
                    return Effect::Quit;
                }
                return Effect::None;
            }
            return action.map_or(Effect::None, |a| self.act(a, store));
        }
        match self.keys.lookup(&self.contexts(), &key) {
            Some(a) => self.act(a, store),
            // Ctrl-C leaves whatever `[keys]` did to `quit`.
            None if key.code == KeyCode::Char('c')
                && key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                Effect::Quit
            }
            None => Effect::None,
        }
    }

    pub(super) fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }

    /// Runs one action. Each pane's actions go to its own handler, and
    /// every handler matches its enum exhaustively.
    fn act(&mut self, action: Action, store: &Store) -> Effect {
        if !matches!(
            action,
            Action::Input(InputAction::Complete | InputAction::Backspace)
        ) {
            self.message = None;
        }
        match action {
            Action::Global(a) => return self.act_global(a),
            Action::Fleet(a) => return self.act_fleet(a, store),
            Action::Function(a) => self.act_function(a, store),
            Action::Log(a) => self.act_log(a, store),
            Action::Traces(a) => self.act_traces(a, store),
            Action::Alarms(a) => self.act_alarms(a, store),
            Action::Trace(a) => self.act_trace(a, store),
            Action::Errors(a) => return self.act_errors(a, store),
            Action::Input(a) => return self.act_input(a, store),
        }
        Effect::None
    }

    /// What new data settles: a pane waiting for a request's lines stops
    /// at them once they arrive.
    pub fn settle(&mut self, store: &Store) {
        if self.logs.seek {
            let buf = store
                .logs
                .as_ref()
                .filter(|b| Some(&b.function) == self.selected.as_ref());
            self.logs.settle_seek(buf);
        }
    }

    /// `ctrl-s` / `:report [PATH]`: the report looks into the open
    /// function (the fleet's worst when none is open).
    fn report(&mut self, path: Option<std::path::PathBuf>) -> Effect {
        let function = match &self.screen {
            Screen::Function(f) | Screen::Trace(f, _) => Some(f.clone()),
            Screen::Fleet | Screen::Errors => None,
        };
        self.say("writing the incident report…", false);
        Effect::Report { function, path }
    }

    fn act_global(&mut self, action: GlobalAction) -> Effect {
        match action {
            GlobalAction::Quit => return Effect::Quit,
            GlobalAction::Help => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
            GlobalAction::HelpScroll(by) => {
                self.help_scroll = self.help_scroll.saturating_add_signed(by);
            }
            GlobalAction::Refresh => {
                self.refresh_generation += 1;
                self.say("refreshing…", false);
            }
            GlobalAction::Window(i) => {
                if let Some((name, secs)) = WINDOWS.get(i) {
                    self.window = Duration::from_secs(*secs);
                    self.say(format!("window {name}"), false);
                }
            }
            GlobalAction::Command => self.input = Some(Input::Command(String::new())),
            GlobalAction::Back => self.back(),
            GlobalAction::Report => return self.report(None),
        }
        Effect::None
    }

    /// Esc: close help, leave full screen, go up one screen, or clear the filter.
    fn back(&mut self) {
        if self.help {
            self.help = false;
        } else if self.logs.full {
            self.logs.full = false;
        } else if let Screen::Trace(f, _) = &self.screen {
            self.screen = Screen::Function(f.clone());
        } else if let Screen::Function(_) | Screen::Errors = self.screen {
            self.screen = Screen::Fleet;
        } else if self.filter.take().is_some() {
            self.offset = 0;
            self.say("filter cleared", false);
        }
    }

    /// Handles the mouse: wheel scrolls, a click selects, a click on the
    /// selected row opens it.
    pub fn on_mouse(&mut self, ev: MouseEvent, store: &Store) -> Effect {
        if self.help || self.input.is_some() {
            return Effect::None;
        }
        match ev.kind {
            MouseEventKind::ScrollDown => self.move_by(3, store),
            MouseEventKind::ScrollUp => self.move_by(-3, store),
            MouseEventKind::Down(MouseButton::Left) if self.screen == Screen::Fleet => {
                let area = layout::fleet(self.size).table_rows();
                if !area.contains(Position::new(ev.column, ev.row)) {
                    return Effect::None;
                }
                let names = self.names(store);
                let offset = layout::visible_offset(
                    self.offset,
                    self.selected_index(&names),
                    area.height,
                    names.len(),
                );
                // What is on screen is what was clicked: keep that offset.
                self.offset = offset;
                let idx = offset + usize::from(ev.row - area.y);
                if let Some(n) = names.get(idx) {
                    if self.selected.as_ref() == Some(*n) {
                        return self.act(Action::Fleet(FleetAction::Open), store);
                    }
                    self.selected = Some((*n).clone());
                }
            }
            _ => {}
        }
        Effect::None
    }
}
