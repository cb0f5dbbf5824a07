//! THE built-in key table: every binding with its action, its help text
//! and the context it applies in. [`super::keys`] makes this run's table
//! from it (the config's `[keys]` applied); dispatch, the help screen and
//! the footer's key hints all read that one table, so help can never drift
//! from behaviour.

pub use super::action::*;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere (unless a text input is open).
    Global,
    /// The fleet table.
    Fleet,
    /// The function view.
    Function,
    /// The traces pane has the keys.
    Traces,
    /// The alarms pane of the fleet view has the keys.
    Alarms,
    /// The trace view.
    Trace,
    /// The errors screen.
    Errors,
    /// While typing a filter or a command.
    Input,
    /// The help screen is open.
    Help,
}

impl Context {
    /// Heading on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Fleet => "Fleet view",
            Self::Function => "Function view",
            Self::Traces => "Traces pane (Tab)",
            Self::Alarms => "Alarms pane (Tab)",
            Self::Trace => "Trace view",
            Self::Errors => "Errors view (E)",
            Self::Input => "Filter and command line",
            Self::Help => "Help screen",
        }
    }
}

/// A key as written in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Required modifiers.
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Keys that trigger it (the first is shown in the footer).
    pub keys: &'static [Key],
    /// What it does.
    pub action: Action,
    /// Help text.
    pub help: &'static str,
    /// Where it applies.
    pub context: Context,
    /// Shown in the footer's key hints.
    pub hint: bool,
}

/// The metrics window presets behind keys 1–6.
pub const WINDOWS: [(&str, u64); 6] = [
    ("15m", 900),
    ("1h", 3600),
    ("3h", 10_800),
    ("12h", 43_200),
    ("24h", 86_400),
    ("3d", 259_200),
];

macro_rules! b {
    ($keys:expr, $action:expr, $ctx:ident, $hint:expr, $help:expr) => {
        Binding {
            keys: $keys,
            action: $action,
            help: $help,
            context: Context::$ctx,
            hint: $hint,
        }
    };
}

/// Every binding.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    b!(&[k('q'), ctrl('c')], Action::Global(GlobalAction::Quit), Global, true, "quit"),
    b!(&[k('?')], Action::Global(GlobalAction::Help), Global, true, "help"),
    b!(&[k('r')], Action::Global(GlobalAction::Refresh), Global, false, "refresh now"),
    b!(&[ctrl('s')], Action::Global(GlobalAction::Report), Global, false, "write the incident report (Markdown, report_dir)"),
    b!(&[k(':')], Action::Global(GlobalAction::Command), Global, true, "command (Commands below; Tab completes)"),
    b!(&[k('1')], Action::Global(GlobalAction::Window(0)), Global, false, "window 15m"),
    b!(&[k('2')], Action::Global(GlobalAction::Window(1)), Global, false, "window 1h"),
    b!(&[k('3')], Action::Global(GlobalAction::Window(2)), Global, false, "window 3h"),
    b!(&[k('4')], Action::Global(GlobalAction::Window(3)), Global, false, "window 12h"),
    b!(&[k('5')], Action::Global(GlobalAction::Window(4)), Global, false, "window 24h"),
    b!(&[k('6')], Action::Global(GlobalAction::Window(5)), Global, false, "window 3d"),
    b!(&[code(KeyCode::Esc)], Action::Global(GlobalAction::Back), Global, true, "back / close / clear filter"),
    b!(&[k('j'), code(KeyCode::Down)], Action::Fleet(FleetAction::Down), Fleet, false, "down"),
    b!(&[k('k'), code(KeyCode::Up)], Action::Fleet(FleetAction::Up), Fleet, false, "up"),
    b!(&[k('g'), code(KeyCode::Home)], Action::Fleet(FleetAction::Top), Fleet, false, "first row"),
    b!(&[k('G'), code(KeyCode::End)], Action::Fleet(FleetAction::Bottom), Fleet, false, "last row"),
    b!(&[code(KeyCode::PageUp), ctrl('b')], Action::Fleet(FleetAction::PageUp), Fleet, false, "page up"),
    b!(&[code(KeyCode::PageDown), ctrl('f')], Action::Fleet(FleetAction::PageDown), Fleet, false, "page down"),
    b!(&[code(KeyCode::Enter)], Action::Fleet(FleetAction::Open), Fleet, true, "open function"),
    b!(&[k('/')], Action::Fleet(FleetAction::Filter), Fleet, true, "filter (regex; /!x inverts)"),
    b!(&[k('s')], Action::Fleet(FleetAction::SortNext), Fleet, true, "sort by next column"),
    b!(&[k('S')], Action::Fleet(FleetAction::SortReverse), Fleet, false, "reverse sort"),
    b!(&[k('o')], Action::Fleet(FleetAction::SortPick), Fleet, false, "sort by… (type or Tab a column)"),
    b!(&[k('a')], Action::Fleet(FleetAction::AlarmHistory), Fleet, true, "alarms / alarm history"),
    b!(&[k('c')], Action::Fleet(FleetAction::InsightColumns), Fleet, false, "columns: insights, then signals (c again)"),
    b!(&[k('I')], Action::Fleet(FleetAction::FleetInsights), Fleet, true, "Logs Insights cold starts/memory (again: stop)"),
    b!(&[code(KeyCode::Tab)], Action::Fleet(FleetAction::FocusAlarms), Fleet, false, "focus the alarms pane"),
    b!(&[k('E')], Action::Fleet(FleetAction::Errors), Fleet, true, "error groups (fleet)"),
    b!(&[k('k'), code(KeyCode::Up)], Action::Errors(ErrorsAction::Up), Errors, false, "previous group"),
    b!(&[k('j'), code(KeyCode::Down)], Action::Errors(ErrorsAction::Down), Errors, false, "next group"),
    b!(&[k('g'), code(KeyCode::Home)], Action::Errors(ErrorsAction::Top), Errors, false, "first group"),
    b!(&[k('G'), code(KeyCode::End)], Action::Errors(ErrorsAction::Bottom), Errors, false, "last group"),
    b!(&[code(KeyCode::Enter)], Action::Errors(ErrorsAction::Open), Errors, true, "its failures in the function's log pane"),
    b!(&[k('s')], Action::Errors(ErrorsAction::Sort), Errors, true, "order: count / last seen / new first"),
    b!(&[k('r')], Action::Errors(ErrorsAction::Rescan), Errors, true, "read the failures again"),
    b!(&[k('k'), code(KeyCode::Up)], Action::Alarms(AlarmsAction::Up), Alarms, false, "previous alarm"),
    b!(&[k('j'), code(KeyCode::Down)], Action::Alarms(AlarmsAction::Down), Alarms, false, "next alarm"),
    b!(&[code(KeyCode::Enter)], Action::Alarms(AlarmsAction::Open), Alarms, true, "open its function (says why it fires)"),
    b!(&[code(KeyCode::Tab)], Action::Alarms(AlarmsAction::Leave), Alarms, true, "back to the table"),
    b!(&[k('>')], Action::Function(FunctionAction::Next), Function, false, "next function"),
    b!(&[k('<')], Action::Function(FunctionAction::Prev), Function, false, "previous function"),
    b!(&[k('s')], Action::Log(LogAction::Follow), Function, true, "logs: follow / pause"),
    b!(&[k('w')], Action::Log(LogAction::Wrap), Function, false, "logs: wrap long lines"),
    b!(&[k('t')], Action::Log(LogAction::Time), Function, false, "logs: local / UTC time"),
    b!(&[k('f')], Action::Log(LogAction::Filter), Function, true, "logs: server-side filter (per function)"),
    b!(&[k('c')], Action::Log(LogAction::ClearFilter), Function, true, "logs: clear the filter"),
    b!(&[k('/')], Action::Log(LogAction::Search), Function, true, "logs: search and highlight (regex)"),
    b!(&[k('n')], Action::Log(LogAction::NextMatch), Function, false, "logs: next match"),
    b!(&[k('N')], Action::Log(LogAction::PrevMatch), Function, false, "logs: previous match"),
    b!(&[k('e')], Action::Log(LogAction::ErrorsOnly), Function, true, "logs: failures of the window (server)"),
    b!(&[k('[')], Action::Log(LogAction::PrevRequest), Function, false, "logs: previous request"),
    b!(&[k(']')], Action::Log(LogAction::NextRequest), Function, false, "logs: next request"),
    b!(&[k('F')], Action::Log(LogAction::FullScreen), Function, true, "logs: full screen"),
    b!(&[k('x')], Action::Log(LogAction::Expand), Function, false, "logs: expand JSON of the bottom line"),
    b!(&[k('k'), code(KeyCode::Up)], Action::Log(LogAction::Up), Function, false, "logs: scroll up (pauses)"),
    b!(&[k('j'), code(KeyCode::Down)], Action::Log(LogAction::Down), Function, false, "logs: scroll down"),
    b!(&[code(KeyCode::PageUp), ctrl('b')], Action::Log(LogAction::PageUp), Function, false, "logs: page up"),
    b!(&[code(KeyCode::PageDown), ctrl('f')], Action::Log(LogAction::PageDown), Function, false, "logs: page down"),
    b!(&[k('G'), code(KeyCode::End)], Action::Log(LogAction::End), Function, false, "logs: newest, follow"),
    b!(&[code(KeyCode::Tab)], Action::Function(FunctionAction::FocusNext), Function, true, "focus logs / traces"),
    b!(&[k('T')], Action::Log(LogAction::ToTrace), Function, false, "logs: open the trace of this request"),
    b!(&[k('k'), code(KeyCode::Up)], Action::Traces(TracesAction::Up), Traces, false, "previous trace"),
    b!(&[k('j'), code(KeyCode::Down)], Action::Traces(TracesAction::Down), Traces, false, "next trace"),
    b!(&[code(KeyCode::Enter)], Action::Traces(TracesAction::Open), Traces, true, "open the trace waterfall"),
    b!(&[k('d')], Action::Traces(TracesAction::SortDuration), Traces, false, "sort by duration / newest"),
    b!(&[k('x')], Action::Traces(TracesAction::FaultsOnly), Traces, false, "faults only"),
    b!(&[k('k'), code(KeyCode::Up)], Action::Trace(TraceAction::Up), Trace, false, "previous segment"),
    b!(&[k('j'), code(KeyCode::Down)], Action::Trace(TraceAction::Down), Trace, false, "next segment"),
    b!(&[k(' '), code(KeyCode::Enter)], Action::Trace(TraceAction::Toggle), Trace, true, "collapse / expand"),
    b!(&[k('l')], Action::Trace(TraceAction::ToLogs), Trace, true, "this request's log lines"),
    b!(&[k('j'), code(KeyCode::Down)], Action::Global(GlobalAction::HelpScroll(1)), Help, false, "scroll down"),
    b!(&[k('k'), code(KeyCode::Up)], Action::Global(GlobalAction::HelpScroll(-1)), Help, false, "scroll up"),
    b!(&[code(KeyCode::PageDown), ctrl('f'), k(' ')], Action::Global(GlobalAction::HelpScroll(10)), Help, false, "page down"),
    b!(&[code(KeyCode::PageUp), ctrl('b')], Action::Global(GlobalAction::HelpScroll(-10)), Help, false, "page up"),
    b!(&[code(KeyCode::Enter)], Action::Input(InputAction::Accept), Input, false, "apply"),
    b!(&[code(KeyCode::Esc)], Action::Input(InputAction::Cancel), Input, false, "cancel"),
    b!(&[code(KeyCode::Tab)], Action::Input(InputAction::Complete), Input, false, "complete"),
    b!(&[code(KeyCode::Backspace)], Action::Input(InputAction::Backspace), Input, false, "delete"),
    b!(&[ctrl('w')], Action::Input(InputAction::DeleteWord), Input, false, "delete the word before the cursor"),
    b!(&[ctrl('u')], Action::Input(InputAction::DeleteToStart), Input, false, "delete to the start"),
    b!(&[ctrl('a'), code(KeyCode::Home)], Action::Input(InputAction::Start), Input, false, "cursor to the start"),
    b!(&[ctrl('e'), code(KeyCode::End)], Action::Input(InputAction::End), Input, false, "cursor to the end"),
    b!(&[code(KeyCode::Left)], Action::Input(InputAction::Left), Input, false, "cursor left"),
    b!(&[code(KeyCode::Right)], Action::Input(InputAction::Right), Input, false, "cursor right"),
];

/// How a key is written in help and hints.
pub fn label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::Backspace => "Bksp".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}
