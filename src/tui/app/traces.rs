//! Keys of the traces pane and of the trace view, and the trace → logs
//! pivot.

use super::{App, Focus, Screen};
use crate::model::id::FunctionId;
use crate::store::Store;
use crate::tui::keymap::{TraceAction, TracesAction};
use crate::tui::traces::{trace_rows, visible};
use chrono::DateTime;

impl App {
    /// Handles a traces-pane action.
    pub(super) fn act_traces(&mut self, action: TracesAction, store: &Store) {
        match action {
            TracesAction::Up => self.traces.selected = self.traces.selected.saturating_sub(1),
            TracesAction::Down => {
                let n = visible(store, &self.traces).len();
                self.traces.selected = (self.traces.selected + 1).min(n.saturating_sub(1));
            }
            TracesAction::Open => {
                let list = visible(store, &self.traces);
                if let (Some(t), Screen::Function(f)) =
                    (list.get(self.traces.selected), &self.screen)
                {
                    let (f, id) = (f.clone(), t.id.clone());
                    self.open_trace(f, id);
                }
            }
            TracesAction::SortDuration => {
                self.traces.by_duration = !self.traces.by_duration;
                self.traces.selected = 0;
            }
            TracesAction::FaultsOnly => {
                self.traces.faults_only = !self.traces.faults_only;
                self.traces.selected = 0;
            }
        }
    }

    /// Handles a trace-view action.
    pub(super) fn act_trace(&mut self, action: TraceAction, store: &Store) {
        match action {
            TraceAction::Up => self.traces.row = self.traces.row.saturating_sub(1),
            TraceAction::Down => {
                let n = trace_rows(store, &self.traces).len();
                self.traces.row = (self.traces.row + 1).min(n.saturating_sub(1));
            }
            TraceAction::Toggle => {
                if let Some(id) = trace_rows(store, &self.traces)
                    .get(self.traces.row)
                    .map(|r| r.node.id.clone())
                    && !self.traces.collapsed.remove(&id)
                {
                    self.traces.collapsed.insert(id);
                }
            }
            TraceAction::ToLogs => self.trace_to_logs(store),
        }
    }

    /// Opens trace `id` of `function` in the trace view, at its top.
    pub(super) fn open_trace(&mut self, function: FunctionId, id: String) {
        self.screen = Screen::Trace(function, id);
        self.traces.row = 0;
        self.traces.collapsed.clear();
    }

    /// `l`: the log lines of the trace's Lambda request.
    fn trace_to_logs(&mut self, store: &Store) {
        let request = trace_rows(store, &self.traces)
            .iter()
            .find_map(|r| r.node.request_id.clone());
        let start = store
            .trace
            .value
            .as_ref()
            .and_then(|(_, t)| t.as_ref())
            .map(|t| crate::model::segments::span(t).0)
            .and_then(|s| DateTime::from_timestamp_millis((s * 1000.0) as i64));
        match (request, &self.screen) {
            (Some(req), Screen::Trace(f, _)) => {
                let f = f.clone();
                self.show_function(f);
                // The trace's own time: its lines are read from a minute
                // before it, whatever its age, and found by the search (the
                // lines without the id stay in view beside them).
                self.log_from = start.map(|s| s - chrono::Duration::minutes(1));
                self.logs.search = crate::tui::logview::search_regex(&req);
                self.logs.follow = false;
                self.logs.anchor = None;
                self.logs.seek = true;
                self.focus = Focus::Logs;
                self.say(
                    format!("the lines of request {req} (n/N: each; G: newest)"),
                    false,
                );
            }
            _ => self.say("this trace names no Lambda request id", true),
        }
    }
}
