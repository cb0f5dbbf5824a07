//! What a key does, grouped by the pane that handles it. Each pane's
//! handler matches its own enum exhaustively, so a new action that nobody
//! handles does not compile.

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Everywhere.
    Global(GlobalAction),
    /// The fleet table.
    Fleet(FleetAction),
    /// The function view as a whole.
    Function(FunctionAction),
    /// The log pane (function view).
    Log(LogAction),
    /// The traces pane.
    Traces(TracesAction),
    /// The alarms pane of the fleet view, when it has the keys.
    Alarms(AlarmsAction),
    /// The trace view.
    Trace(TraceAction),
    /// The errors screen.
    Errors(ErrorsAction),
    /// The filter and command line being typed.
    Input(InputAction),
}

/// Everywhere: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalAction {
    /// Leave lamtop.
    Quit,
    /// Toggle the help screen.
    Help,
    /// Re-fetch everything now.
    Refresh,
    /// Pick a metrics window (index into the presets).
    Window(usize),
    /// Open the `:` command line.
    Command,
    /// Back (close help, clear filter, leave the function view).
    Back,
    /// Scroll the help screen by this many lines.
    HelpScroll(i16),
    /// Write the incident report into the report directory.
    Report,
}

/// The fleet table: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetAction {
    /// Selection up.
    Up,
    /// Selection down.
    Down,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// Open the selected function.
    Open,
    /// Open the `/` filter.
    Filter,
    /// Next sort column.
    SortNext,
    /// Pick the sort column by name: the command line, `sort ` typed,
    /// Tab listing the columns.
    SortPick,
    /// Reverse the sort.
    SortReverse,
    /// Alarms pane: current alarms / history of rule changes.
    AlarmHistory,
    /// Fleet: show / hide the insight columns (cost, throttle %, cold %, memory %).
    InsightColumns,
    /// Fleet: run (or cancel) the Logs Insights query for cold starts and memory.
    FleetInsights,
    /// Fleet: give the keys to the alarms pane.
    FocusAlarms,
    /// Fleet: the errors screen (the fleet's error groups).
    Errors,
}

/// The errors screen: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorsAction {
    /// Previous group.
    Up,
    /// Next group.
    Down,
    /// First group.
    Top,
    /// Last group.
    Bottom,
    /// Next order: count, last seen, new first.
    Sort,
    /// Read the failures again.
    Rescan,
    /// Open the group's function with its failures in the log pane.
    Open,
}

/// The function view as a whole: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionAction {
    /// Previous function (function view).
    Prev,
    /// Next function (function view).
    Next,
    /// Function view: switch the focused pane.
    FocusNext,
}

/// The log pane (function view): what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogAction {
    /// Log pane: follow / pause.
    Follow,
    /// Log pane: wrap long lines.
    Wrap,
    /// Log pane: local / UTC timestamps.
    Time,
    /// Log pane: server-side filter pattern.
    Filter,
    /// Log pane: search (highlight).
    Search,
    /// Log pane: next match.
    NextMatch,
    /// Log pane: previous match.
    PrevMatch,
    /// Log pane: errors only.
    ErrorsOnly,
    /// Log pane: previous request.
    PrevRequest,
    /// Log pane: next request.
    NextRequest,
    /// Log pane: full screen.
    FullScreen,
    /// Log pane: clear this function's filter pattern.
    ClearFilter,
    /// Log pane: pretty-print the bottom line's JSON.
    Expand,
    /// Log pane: scroll up.
    Up,
    /// Log pane: scroll down.
    Down,
    /// Log pane: page up.
    PageUp,
    /// Log pane: page down.
    PageDown,
    /// Log pane: newest event, following.
    End,
    /// Log pane: open the trace of the bottom line's request.
    ToTrace,
}

/// The alarms pane: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmsAction {
    /// Alarms pane: up.
    Up,
    /// Alarms pane: down.
    Down,
    /// Alarms pane: open the selected alarm's function (and say why it fires).
    Open,
    /// Give the keys back to the fleet table.
    Leave,
}

/// The traces pane: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracesAction {
    /// Traces pane: up.
    Up,
    /// Traces pane: down.
    Down,
    /// Traces pane: open the selected trace.
    Open,
    /// Traces pane: sort by duration.
    SortDuration,
    /// Traces pane: faults only.
    FaultsOnly,
}

/// The trace view: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceAction {
    /// Trace view: row up.
    Up,
    /// Trace view: row down.
    Down,
    /// Trace view: collapse / expand the subtree.
    Toggle,
    /// Trace view: the request's log lines.
    ToLogs,
}

/// The filter and command line being typed: what its keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputAction {
    /// Apply the typed filter or command.
    Accept,
    /// Close the input without applying.
    Cancel,
    /// Complete the word being typed.
    Complete,
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the word before the cursor (Ctrl-W).
    DeleteWord,
    /// Delete everything before the cursor (Ctrl-U).
    DeleteToStart,
    /// Cursor to the start (Ctrl-A, Home).
    Start,
    /// Cursor to the end (Ctrl-E, End).
    End,
    /// Cursor one character left.
    Left,
    /// Cursor one character right.
    Right,
}
