//! UI state and input handling. Views only read this; every change of
//! state happens here, in `on_key`, `on_mouse` and `on_resize`.

mod panes;

use super::command::{self, Command};
use super::keymap::{self, Action, Context, WINDOWS};
use super::rows::{Filter, fleet_rows};
use super::theme::Theme;
use super::view::layout;
use crate::model::fleet::SortColumn;
use crate::poll::Scope;
use crate::source::SourceInfo;
use crate::store::Store;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use std::time::Duration;

/// Which screen is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The fleet table, alarms and account panels.
    Fleet,
    /// One function in detail.
    Function(String),
    /// One trace of a function (function, trace id).
    Trace(String, String),
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

/// The traces pane and trace view state.
#[derive(Debug, Clone, Default)]
pub struct TraceState {
    /// Selected row of the traces pane.
    pub selected: usize,
    /// Sort the pane by duration (else newest first).
    pub by_duration: bool,
    /// Only faults.
    pub faults_only: bool,
    /// Selected row of the trace view.
    pub row: usize,
    /// Collapsed subtrees (segment ids) of the trace view.
    pub collapsed: std::collections::HashSet<String>,
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
}

/// A one-line message in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Shown as an error.
    pub error: bool,
}

/// The whole UI state.
#[derive(Debug, Clone)]
pub struct App {
    /// Current screen.
    pub screen: Screen,
    /// Help overlay shown.
    pub help: bool,
    /// Selected function (by name, so it survives refreshes and re-sorts).
    pub selected: Option<String>,
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
    /// Server-side filter pattern of the log pane (`f`).
    pub log_filter: Option<String>,
    /// The log pane's view state.
    pub logs: super::logview::LogView,
    /// Which pane of the function view has the keys.
    pub focus: Focus,
    /// Traces pane and trace view state.
    pub traces: TraceState,
    /// The alarms pane shows the history of rule changes.
    pub alarm_history: bool,
    /// The fleet table shows the insight columns.
    pub insight_columns: bool,
    /// The service throttled some calls in the last minute (pollers are
    /// backing off); set by the event loop from the store.
    pub throttled: bool,
}

impl App {
    /// A new UI on the fleet screen.
    pub fn new(info: SourceInfo, window: Duration, refresh: Duration, theme: Theme) -> Self {
        Self {
            screen: Screen::Fleet,
            help: false,
            selected: None,
            offset: 0,
            sort: None,
            reverse: false,
            filter: None,
            filter_before_input: None,
            input: None,
            window,
            refresh_generation: 0,
            message: None,
            size: Rect::new(0, 0, 80, 24),
            theme,
            info,
            refresh,
            log_filter: None,
            logs: super::logview::LogView::default(),
            focus: Focus::Logs,
            traces: TraceState::default(),
            alarm_history: false,
            insight_columns: false,
            throttled: false,
        }
    }

    /// What the pollers should fetch for this state.
    pub fn scope(&self) -> Scope {
        Scope {
            window: self.window,
            selected: match &self.screen {
                Screen::Function(f) | Screen::Trace(f, _) => Some(f.clone()),
                Screen::Fleet => None,
            },
            refresh_generation: self.refresh_generation,
            log_filter: self.log_filter.clone(),
            open_trace: match &self.screen {
                Screen::Trace(_, id) => Some(id.clone()),
                _ => None,
            },
        }
    }

    /// Active key contexts, innermost first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.input.is_some() {
            return vec![Context::Input];
        }
        if self.help {
            return vec![Context::Global];
        }
        match self.screen {
            Screen::Fleet => vec![Context::Fleet, Context::Global],
            Screen::Function(_) if self.focus == Focus::Traces => {
                vec![Context::Traces, Context::Function, Context::Global]
            }
            Screen::Function(_) => vec![Context::Function, Context::Global],
            Screen::Trace(..) => vec![Context::Trace, Context::Global],
        }
    }

    /// The index of the selected row in `names` (first row when unset).
    pub fn selected_index(&self, names: &[&str]) -> usize {
        self.selected
            .as_deref()
            .and_then(|s| names.iter().position(|n| *n == s))
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
            let action = keymap::lookup(&[Context::Input], &key);
            if action.is_none() {
                if let KeyCode::Char(c) = key.code
                    && !key.modifiers.contains(KeyModifiers::CONTROL)
                {
                    match input {
                        Input::Filter(t)
                        | Input::Command(t)
                        | Input::LogFilter(t)
                        | Input::LogSearch(t) => t.push(c),
                    }
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
        match keymap::lookup(&self.contexts(), &key) {
            Some(a) => self.act(a, store),
            None => Effect::None,
        }
    }

    fn after_input_edit(&mut self) {
        if let Some(Input::Filter(t)) = &self.input {
            self.filter = Filter::parse(t);
            self.offset = 0;
        }
    }

    fn names<'a>(&self, store: &'a Store) -> Vec<&'a str> {
        fleet_rows(store, self.filter.as_ref(), self.sort, self.reverse)
            .iter()
            .map(|r| r.info.name.as_str())
            .collect()
    }

    pub(super) fn move_by(&mut self, delta: isize, store: &Store) {
        let names = self.names(store);
        if names.is_empty() {
            return;
        }
        let cur = self.selected_index(&names);
        let page = self.page();
        self.offset = layout::visible_offset(self.offset, cur, page as u16, names.len());
        let next = (cur as isize + delta).clamp(0, names.len() as isize - 1) as usize;
        self.selected = Some(names[next].to_string());
        if next < self.offset {
            self.offset = next;
        } else if next >= self.offset + page {
            self.offset = next + 1 - page;
        }
        if let Screen::Function(current) = &self.screen
            && current != names[next]
        {
            self.screen = Screen::Function(names[next].to_string());
            self.logs = super::logview::LogView {
                wrap: self.logs.wrap,
                utc: self.logs.utc,
                ..Default::default()
            };
        }
    }

    pub(super) fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }

    fn act(&mut self, action: Action, store: &Store) -> Effect {
        if !matches!(action, Action::InputComplete | Action::InputBackspace) {
            self.message = None;
        }
        if self.act_pane(action, store) {
            return Effect::None;
        }
        let page = self.page() as isize;
        match action {
            Action::Quit => return Effect::Quit,
            Action::Help => self.help = !self.help,
            Action::Refresh => {
                self.refresh_generation += 1;
                self.say("refreshing…", false);
            }
            Action::Window(i) => {
                if let Some((name, secs)) = WINDOWS.get(i) {
                    self.window = Duration::from_secs(*secs);
                    self.say(format!("window {name}"), false);
                }
            }
            Action::Command => self.input = Some(Input::Command(String::new())),
            Action::Filter => {
                self.filter_before_input = self.filter.clone();
                self.input = Some(Input::Filter(String::new()));
            }
            Action::AlarmHistory => self.alarm_history = !self.alarm_history,
            Action::InsightColumns => {
                self.insight_columns = !self.insight_columns;
                self.say(
                    if self.insight_columns {
                        "insight columns on: $/h, throttle %, cold-start %, memory % (I fills the last two)"
                    } else {
                        "insight columns off"
                    },
                    false,
                );
            }
            Action::FleetInsights => return Effect::FleetInsights,
            Action::Up => self.move_by(-1, store),
            Action::Down => self.move_by(1, store),
            Action::Top => self.move_by(isize::MIN / 2, store),
            Action::Bottom => self.move_by(isize::MAX / 2, store),
            Action::PageUp => self.move_by(-page, store),
            Action::PageDown => self.move_by(page, store),
            Action::Open => {
                let names = self.names(store);
                if let Some(n) = names.get(self.selected_index(&names)) {
                    self.selected = Some(n.to_string());
                    self.screen = Screen::Function(n.to_string());
                    self.logs = super::logview::LogView {
                        wrap: self.logs.wrap,
                        utc: self.logs.utc,
                        ..Default::default()
                    };
                }
            }
            Action::Back => {
                if self.help {
                    self.help = false;
                } else if self.logs.full {
                    self.logs.full = false;
                } else if let Screen::Trace(f, _) = &self.screen {
                    self.screen = Screen::Function(f.clone());
                } else if let Screen::Function(_) = self.screen {
                    self.screen = Screen::Fleet;
                } else if self.filter.take().is_some() {
                    self.offset = 0;
                    self.say("filter cleared", false);
                }
            }
            Action::SortNext => {
                let next = self.sort.map_or(SortColumn::Name, SortColumn::next);
                self.sort = Some(next);
                self.say(format!("sorted by {}", next.name()), false);
            }
            Action::SortReverse => self.reverse = !self.reverse,
            Action::InputAccept => return self.accept_input(store),
            Action::InputCancel => {
                if let Some(Input::Filter(_)) = self.input.take() {
                    self.filter = self.filter_before_input.take();
                }
            }
            Action::InputComplete => {
                let names = self.names(store);
                match &mut self.input {
                    Some(Input::Command(t)) => *t = command::complete(t, &names),
                    Some(Input::Filter(t)) => {
                        let line = command::complete(&format!("filter {t}"), &names);
                        *t = line.trim_start_matches("filter ").trim_end().to_string();
                    }
                    Some(Input::LogFilter(_) | Input::LogSearch(_)) | None => {}
                }
                self.after_input_edit();
            }
            Action::InputBackspace => {
                if let Some(
                    Input::Filter(t)
                    | Input::Command(t)
                    | Input::LogFilter(t)
                    | Input::LogSearch(t),
                ) = &mut self.input
                {
                    t.pop();
                }
                self.after_input_edit();
            }
            // Pane actions were handled by `act_pane` above.
            _ => {}
        }
        Effect::None
    }

    fn accept_input(&mut self, store: &Store) -> Effect {
        match self.input.take() {
            Some(Input::Filter(_)) | None => Effect::None,
            Some(Input::LogFilter(p)) => {
                let p = p.trim().to_string();
                self.log_filter = (!p.is_empty()).then_some(p);
                self.logs.to_end();
                Effect::None
            }
            Some(Input::LogSearch(p)) => {
                self.logs.search = super::logview::search_regex(&p);
                if self.logs.search.is_some() && !self.logs.next_match(store.logs.as_ref(), false) {
                    self.say(format!("no match for '{p}' (n/N search again)"), false);
                }
                Effect::None
            }
            Some(Input::Command(line)) if line.trim().is_empty() => Effect::None,
            Some(Input::Command(line)) => match command::parse(&line) {
                Ok(cmd) => self.run_command(cmd, store),
                Err(e) => {
                    self.say(e, true);
                    Effect::None
                }
            },
        }
    }

    fn run_command(&mut self, cmd: Command, store: &Store) -> Effect {
        match cmd {
            Command::Sort(c, rev) => {
                self.sort = Some(c);
                self.reverse = rev;
                self.say(format!("sorted by {}", c.name()), false);
            }
            Command::Filter(p) => {
                self.filter = Filter::parse(&p);
                self.offset = 0;
            }
            Command::Window(d) => {
                self.window = d;
                self.say(format!("window {}", crate::format::window(d)), false);
            }
            Command::Region(r) => {
                if self.info.demo {
                    self.say("the demo fleet has only one region", true);
                } else if r != self.info.region {
                    self.say(format!("switching to {r}…"), false);
                    return Effect::Region(r);
                }
            }
            Command::Refresh => return self.act(Action::Refresh, store),
            Command::Help => self.help = true,
            Command::Quit => return Effect::Quit,
        }
        Effect::None
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
                    if self.selected.as_deref() == Some(*n) {
                        return self.act(Action::Open, store);
                    }
                    self.selected = Some(n.to_string());
                }
            }
            _ => {}
        }
        Effect::None
    }
}
